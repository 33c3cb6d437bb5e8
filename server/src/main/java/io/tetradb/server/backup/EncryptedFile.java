package io.tetradb.server.backup;

import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraException;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The encrypted form of an archive or an archived log segment ({@code archive.encryption:
 * aes-256-gcm}, docs/backup-encryption.md): the bytes the unencrypted file would hold (a
 * tar, a zstd-compressed tar, a zstd-compressed segment), cut into chunks as they are
 * written, each sealed with AES-256-GCM.
 *
 * <pre>
 * header (48 bytes):  "TETRAENC"  version (1)  algorithm (1 = AES-256-GCM)  0 0
 *                     chunk size (uint32, big-endian; 65536)  key fingerprint (16)  file id (16, random)
 * then chunks:        ciphertext (chunk size bytes; the last chunk fewer, possibly none) + GCM tag (16)
 * </pre>
 *
 * Each file has its own AES key, HMAC-SHA256(key, "tetra-backup-file-key-v1" 0x00 file id),
 * so that no two files share a (key, nonce) pair whatever their number. Chunk {@code i}'s
 * nonce is 3 zero bytes, {@code i} (uint64, big-endian) and a last-chunk flag (1 for the
 * final chunk, else 0); its associated data is the whole header, {@code i} and the flag.
 * Every chunk but the last holds exactly chunk-size bytes of plaintext, the last one less
 * (an empty last chunk follows a plaintext that fills its chunks). A reader thus knows the
 * final chunk as the short one, and detects: a changed byte or header (the tag fails), a
 * file cut at a chunk boundary (it ends without a short, flagged chunk), cut inside a
 * chunk (the short piece fails as a final chunk), chunks swapped (a chunk's tag holds only
 * at its own index), and a chunk or a header taken from another file, even one encrypted
 * with the same key (another file id, another file key). A plaintext chunk is released
 * only once its tag held.
 *
 * <p>{@link Writer} and {@link Reader} are used by one thread each; {@code Cipher}s are
 * reused, chunk buffers allocated once per file.
 */
public final class EncryptedFile {
    /** The first bytes of every encrypted file. */
    static final byte[] MAGIC = "TETRAENC".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    static final int AES_256_GCM = 1;
    static final int HEADER = 48;
    /** Plaintext bytes per chunk: 64 KiB, as AES-GCM calls of 1 MiB ran at about 60 MB/s where 64 KiB ones run at 3 GB/s (JDK 17, AES-NI). */
    public static final int CHUNK_SIZE = 64 << 10;
    /** The largest chunk a reader accepts. */
    static final int MAX_CHUNK_SIZE = 16 << 20;
    static final int TAG = 16;
    /** The name an encrypted file gets: the unencrypted file's name and this. */
    public static final String SUFFIX = ".enc";
    /** The setting's word for this encryption. */
    public static final String ALGORITHM = "aes-256-gcm";
    private static final byte[] FILE_KEY_INFO = "tetra-backup-file-key-v1\0".getBytes(StandardCharsets.US_ASCII);
    private static final SecureRandom RANDOM = new SecureRandom();

    private EncryptedFile() {
    }

    /** Whether {@code file} starts as an encrypted file does. */
    public static boolean isEncrypted(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(MAGIC.length), MAGIC);
        }
    }

    /** Whether {@code prefix} (a file's first bytes) starts as an encrypted file does. */
    public static boolean isEncrypted(byte[] prefix) {
        return prefix.length >= MAGIC.length && Arrays.equals(prefix, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
    }

    /** The key fingerprint in the header of encrypted file {@code file}, or null when it is not one. */
    public static String fingerprint(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] h = in.readNBytes(HEADER);
            if (h.length < HEADER || !isEncrypted(h)) {
                return null;
            }
            return HexFormat.of().formatHex(h, 16, 32);
        }
    }

    /** The chunk cipher of one file: its file key, a reused Cipher, the nonce and associated data rewritten per chunk. */
    private static final class Chunks {
        private final Cipher cipher;
        private final SecretKeySpec fileKey;
        private final int mode;
        private final byte[] nonce = new byte[12];
        /** The header, then the chunk index (8) and the last flag (1). */
        private final byte[] aad = new byte[HEADER + 9];

        Chunks(BackupKey key, byte[] header, int mode) {
            this.mode = mode;
            System.arraycopy(header, 0, aad, 0, HEADER);
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                byte[] k = key.bytes();
                mac.init(new SecretKeySpec(k, "HmacSHA256"));
                Arrays.fill(k, (byte) 0);
                mac.update(FILE_KEY_INFO);
                mac.update(header, 32, 16);
                byte[] derived = mac.doFinal();
                fileKey = new SecretKeySpec(derived, "AES");
                Arrays.fill(derived, (byte) 0);
                cipher = Cipher.getInstance("AES/GCM/NoPadding");
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-256-GCM is not available in this Java runtime: " + e, e);
            }
        }

        /** Seals or opens chunk {@code index}: {@code len} bytes of {@code in} into {@code out}; returns the bytes out. */
        int run(long index, boolean last, byte[] in, int len, byte[] out) throws AEADBadTagException {
            for (int i = 0; i < 8; i++) {
                byte b = (byte) (index >>> (56 - 8 * i));
                nonce[3 + i] = b;
                aad[HEADER + i] = b;
            }
            nonce[11] = (byte) (last ? 1 : 0);
            aad[HEADER + 8] = nonce[11];
            try {
                cipher.init(mode, fileKey, new GCMParameterSpec(TAG * 8, nonce));
                cipher.updateAAD(aad);
                return cipher.doFinal(in, 0, len, out, 0);
            } catch (AEADBadTagException e) {
                throw e;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-256-GCM failed: " + e, e);
            }
        }
    }

    /** Where a {@link Writer} puts the encrypted bytes. */
    public interface Sink {
        void write(ByteBuffer bytes) throws IOException;
    }

    /**
     * Encrypts what it is given, chunk by chunk, into a {@link Sink}: the header at once,
     * each chunk as soon as it is full, the final (short) chunk at {@link #finish}.
     */
    public static final class Writer {
        private final Sink sink;
        private final Chunks chunks;
        private final byte[] plain = new byte[CHUNK_SIZE];
        private final byte[] sealed = new byte[CHUNK_SIZE + TAG];
        private final String fingerprint;
        private int filled;
        private long index;
        private boolean finished;

        public Writer(BackupKey key, Sink sink) throws IOException {
            this.sink = sink;
            this.fingerprint = key.fingerprint();
            byte[] header = new byte[HEADER];
            System.arraycopy(MAGIC, 0, header, 0, MAGIC.length);
            header[8] = VERSION;
            header[9] = AES_256_GCM;
            ByteBuffer.wrap(header, 12, 4).putInt(CHUNK_SIZE);
            System.arraycopy(HexFormat.of().parseHex(key.fingerprint()), 0, header, 16, 16);
            byte[] id = new byte[16];
            RANDOM.nextBytes(id);
            System.arraycopy(id, 0, header, 32, 16);
            this.chunks = new Chunks(key, header, Cipher.ENCRYPT_MODE);
            sink.write(ByteBuffer.wrap(header));
        }

        /** The fingerprint of the key it encrypts with. */
        public String fingerprint() {
            return fingerprint;
        }

        /** Takes every remaining byte of {@code src} (heap or direct). */
        public void write(ByteBuffer src) throws IOException {
            while (src.hasRemaining()) {
                int k = Math.min(CHUNK_SIZE - filled, src.remaining());
                src.get(plain, filled, k);
                filled += k;
                if (filled == CHUNK_SIZE) {
                    seal(false);
                }
            }
        }

        public void write(byte[] b, int off, int len) throws IOException {
            write(ByteBuffer.wrap(b, off, len));
        }

        /** Seals the final chunk (what is left, possibly nothing). */
        public void finish() throws IOException {
            if (!finished) {
                finished = true;
                seal(true);
            }
        }

        private void seal(boolean last) throws IOException {
            int n;
            try {
                n = chunks.run(index++, last, plain, filled, sealed);
            } catch (AEADBadTagException e) {
                throw new IllegalStateException(e);
            }
            filled = 0;
            sink.write(ByteBuffer.wrap(sealed, 0, n));
        }
    }

    /**
     * An OutputStream that encrypts into another ({@code close} seals the final chunk,
     * then closes {@code out}).
     */
    public static final class EncryptingStream extends OutputStream {
        private final OutputStream out;
        private final Writer writer;
        private boolean closed;

        public EncryptingStream(OutputStream out, BackupKey key) throws IOException {
            this.out = out;
            this.writer = new Writer(key, b -> out.write(b.array(), b.arrayOffset() + b.position(), b.remaining()));
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            writer.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            if (!closed) {
                closed = true;
                writer.finish();
                out.close();
            }
        }
    }

    /**
     * Reads an encrypted file's plaintext from the encrypted bytes: the header is read
     * and its key found at construction; each chunk is returned once its tag held.
     * Failures are TetraExceptions: 1414 for the key (none, unreadable, another one, with
     * the fingerprint expected), {@code damage} (1411 for an archive, 1413 for a log
     * segment) for a file that is changed, truncated, reordered or mixed with another.
     */
    public static final class Reader extends InputStream {
        private final InputStream in;
        private final String what;
        private final ErrorCode damage;
        private final Chunks chunks;
        private final String fingerprint;
        private final int chunkSize;
        private final byte[] sealed;
        private final byte[] plain;
        private int pos;
        private int limit;
        private long index;
        private boolean last;

        /**
         * @param what    the file in messages: "The archive shop-0007.tar.zst.enc"
         * @param damage  the code of a damaged file
         */
        public Reader(InputStream in, BackupKey.Source keys, String what, ErrorCode damage) throws IOException {
            this.in = in;
            this.what = what;
            this.damage = damage;
            byte[] header = in.readNBytes(HEADER);
            if (!isEncrypted(header)) {
                throw new TetraException(damage, what + " is not an encrypted file (it does not start with TETRAENC).");
            }
            if (header.length < HEADER) {
                throw new TetraException(damage, what + " is cut short: it ends inside its header.");
            }
            if (header[8] != VERSION || header[9] != AES_256_GCM) {
                throw new TetraException(damage, what + " is encrypted in format " + header[8] + ", algorithm "
                        + header[9] + ", which this server does not read (it reads format " + VERSION + ", "
                        + ALGORITHM + "): decrypt it with the newer Tetra that wrote it.");
            }
            chunkSize = ByteBuffer.wrap(header, 12, 4).getInt();
            if (chunkSize <= 0 || chunkSize > MAX_CHUNK_SIZE) {
                throw new TetraException(damage, what + " is damaged: its header gives a chunk size of " + chunkSize
                        + " bytes.");
            }
            fingerprint = HexFormat.of().formatHex(header, 16, 32);
            BackupKey key = keys.key(fingerprint, what);
            chunks = new Chunks(key, header, Cipher.DECRYPT_MODE);
            sealed = new byte[chunkSize + TAG];
            plain = new byte[chunkSize];
        }

        /** The fingerprint of the key the file is encrypted with. */
        public String fingerprint() {
            return fingerprint;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (pos == limit) {
                if (last) {
                    return -1;
                }
                next();
            }
            int k = Math.min(len, limit - pos);
            System.arraycopy(plain, pos, b, off, k);
            pos += k;
            return k;
        }

        @Override
        public int available() {
            return limit - pos;
        }

        private void next() throws IOException {
            long at = HEADER + index * (long) (chunkSize + TAG);
            int n = in.readNBytes(sealed, 0, sealed.length);
            if (n == 0) {
                throw new TetraException(damage, what + " is cut short: it ends after its "
                        + (index == 0 ? "header" : "chunk " + (index - 1)) + " (at byte " + at
                        + "), without its final chunk (truncated).");
            }
            boolean final_ = n < sealed.length;
            if (n < TAG) {
                throw new TetraException(damage, what + " is cut short: its last " + n + " bytes, from byte " + at
                        + ", are too few for a chunk (truncated).");
            }
            try {
                limit = chunks.run(index, final_, sealed, n, plain);
            } catch (AEADBadTagException e) {
                throw new TetraException(damage, what + " fails authentication at its chunk " + index
                        + " (counted from 0, bytes " + at + " to " + (at + n - 1) + " of the file)"
                        + (final_ ? ", its last" : "") + ": the file was changed, damaged"
                        + (final_ ? " or cut short" : "") + ", or its chunks were reordered or taken from"
                        + " another file.");
            }
            pos = 0;
            index++;
            if (final_) {
                last = true;
                if (in.read() >= 0) {
                    throw new TetraException(damage, what + " has bytes after its final chunk " + (index - 1) + ".");
                }
            }
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
