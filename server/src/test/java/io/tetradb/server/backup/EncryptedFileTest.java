package io.tetradb.server.backup;

import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** EncryptedFile's chunks: round trips and every tampering case of docs/backup-encryption.md. */
class EncryptedFileTest {
    private static final int CHUNK = EncryptedFile.CHUNK_SIZE + EncryptedFile.TAG;
    private final BackupKey key = BackupKey.of(bytes(32, 1));

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private byte[] seal(byte[] plain, BackupKey k) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (EncryptedFile.EncryptingStream s = new EncryptedFile.EncryptingStream(out, k)) {
            s.write(plain, 0, plain.length);
        }
        return out.toByteArray();
    }

    private byte[] open(byte[] sealed, BackupKey.Source keys) throws IOException {
        try (EncryptedFile.Reader r = new EncryptedFile.Reader(new ByteArrayInputStream(sealed), keys, "The archive x",
                ErrorCode.BACKUP_VERIFY_FAILED)) {
            return r.readAllBytes();
        }
    }

    @Test
    void roundTripsEveryLength() throws IOException {
        for (int n : new int[] {0, 1, EncryptedFile.CHUNK_SIZE - 1, EncryptedFile.CHUNK_SIZE,
                2 * EncryptedFile.CHUNK_SIZE + 5}) {
            byte[] plain = bytes(n, n);
            byte[] sealed = seal(plain, key);
            assertThat(sealed).hasSize(EncryptedFile.HEADER + n + (n / EncryptedFile.CHUNK_SIZE + 1) * EncryptedFile.TAG);
            assertThat(open(sealed, BackupKey.Source.of(key))).isEqualTo(plain);
        }
    }

    @Test
    void detectsTampering() throws IOException {
        byte[] plain = bytes(3 * EncryptedFile.CHUNK_SIZE + 100, 7);
        byte[] sealed = seal(plain, key);
        BackupKey.Source keys = BackupKey.Source.of(key);

        byte[] flipped = sealed.clone();
        flipped[EncryptedFile.HEADER + CHUNK + 10] ^= 1;
        assertThatThrownBy(() -> open(flipped, keys)).isInstanceOf(TetraException.class)
                .hasMessageContaining("fails authentication at its chunk 1");

        byte[] truncated = Arrays.copyOf(sealed, EncryptedFile.HEADER + 3 * CHUNK);
        assertThatThrownBy(() -> open(truncated, keys)).hasMessageContaining("without its final chunk");

        byte[] swapped = sealed.clone();
        System.arraycopy(sealed, EncryptedFile.HEADER, swapped, EncryptedFile.HEADER + CHUNK, CHUNK);
        System.arraycopy(sealed, EncryptedFile.HEADER + CHUNK, swapped, EncryptedFile.HEADER, CHUNK);
        assertThatThrownBy(() -> open(swapped, keys)).hasMessageContaining("fails authentication at its chunk 0");

        byte[] other = seal(plain, key);
        byte[] mixed = sealed.clone();
        System.arraycopy(other, EncryptedFile.HEADER + CHUNK, mixed, EncryptedFile.HEADER + CHUNK, CHUNK);
        assertThatThrownBy(() -> open(mixed, keys)).hasMessageContaining("fails authentication at its chunk 1");

        BackupKey wrong = BackupKey.of(bytes(32, 2));
        assertThatThrownBy(() -> open(sealed, BackupKey.Source.of(wrong)))
                .satisfies(e -> assertThat(((TetraException) e).code()).isEqualTo(ErrorCode.BACKUP_KEY))
                .hasMessageContaining(key.fingerprint()).hasMessageContaining(wrong.fingerprint());
        assertThatThrownBy(() -> open(sealed, BackupKey.Source.NONE))
                .hasMessageContaining(key.fingerprint()).hasMessageContaining("no key is set");
    }

    /**
     * Reads {@code sealed} until it fails, which it must, with {@code code} and a message
     * holding {@code parts}; returns the plaintext released before the failure, which must be
     * whole chunks of {@code plain} from its start, none at or after {@code firstBad} (the
     * chunk that must fail): no unauthenticated byte ever comes out.
     */
    private byte[] refused(byte[] sealed, byte[] plain, long firstBad, ErrorCode code, String... parts)
            throws IOException {
        ByteArrayOutputStream released = new ByteArrayOutputStream();
        TetraException failure = null;
        try (EncryptedFile.Reader r = new EncryptedFile.Reader(new ByteArrayInputStream(sealed),
                BackupKey.Source.of(key), "The archive x", ErrorCode.BACKUP_VERIFY_FAILED)) {
            byte[] buf = new byte[8192];
            int n;
            while ((n = r.read(buf, 0, buf.length)) >= 0) {
                released.write(buf, 0, n);
            }
        } catch (TetraException e) {
            failure = e;
        }
        assertThat(failure).as("the damaged file must be refused").isNotNull();
        assertThat(failure.code()).as(failure.getMessage()).isEqualTo(code);
        for (String p : parts) {
            assertThat(failure.getMessage()).contains(p);
        }
        byte[] out = released.toByteArray();
        assertThat(out.length % EncryptedFile.CHUNK_SIZE).as("only whole authenticated chunks").isZero();
        assertThat((long) out.length).isLessThanOrEqualTo(Math.max(0, firstBad) * EncryptedFile.CHUNK_SIZE);
        assertThat(out).isEqualTo(Arrays.copyOf(plain, out.length));
        return out;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }

    private static byte[] range(byte[] b, int from, int to) {
        return Arrays.copyOfRange(b, from, to);
    }

    /** Bytes of chunk {@code i} (with its tag) in a file of full chunks. */
    private static byte[] chunk(byte[] sealed, int i) {
        int from = EncryptedFile.HEADER + i * CHUNK;
        return range(sealed, from, Math.min(sealed.length, from + CHUNK));
    }

    @Test
    void truncationIsRefusedWhereverTheFileIsCut() throws IOException {
        ErrorCode damaged = ErrorCode.BACKUP_VERIFY_FAILED;
        byte[] plain = bytes(3 * EncryptedFile.CHUNK_SIZE + 100, 11);   // chunks 0-2 full, chunk 3 (last) 100 bytes
        byte[] sealed = seal(plain, key);
        int h = EncryptedFile.HEADER;

        // The last chunk missing: the file ends at a chunk boundary.
        refused(range(sealed, 0, h + 3 * CHUNK), plain, 3, damaged, "is cut short", "after its chunk 2",
                "without its final chunk");
        // Cut inside the last chunk: what is left of it fails as the final chunk.
        refused(range(sealed, 0, sealed.length - 1), plain, 3, damaged, "fails authentication at its chunk 3",
                "its last");
        // Cut inside a full chunk: the short piece is taken for the final chunk, and fails as one.
        refused(range(sealed, 0, h + CHUNK + 1000), plain, 1, damaged, "fails authentication at its chunk 1",
                "or cut short");
        // Cut so that fewer bytes than a tag are left of a chunk.
        refused(range(sealed, 0, h + 2 * CHUNK + 5), plain, 2, damaged, "is cut short", "too few for a chunk");
        // Cut inside the header, or right after it (no chunk at all, not even the final empty one).
        refused(range(sealed, 0, 20), plain, 0, damaged, "ends inside its header");
        refused(range(sealed, 0, h), plain, 0, damaged, "is cut short", "ends after its header",
                "without its final chunk");
        refused(range(sealed, 0, 5), plain, 0, damaged, "is not an encrypted file");

        // A plaintext that fills its chunks ends with an empty final chunk (its tag alone): without it,
        // the file ends after a full chunk and is refused, though every chunk left authenticates.
        byte[] full = bytes(2 * EncryptedFile.CHUNK_SIZE, 12);
        byte[] fullSealed = seal(full, key);
        assertThat(fullSealed).hasSize(h + 2 * CHUNK + EncryptedFile.TAG);
        refused(range(fullSealed, 0, h + 2 * CHUNK), full, 2, damaged, "without its final chunk");
        // The final-chunk marker is in the nonce and the associated data: a full chunk cannot be made
        // the final one (the file cut after it, the empty final chunk and the next full chunk gone).
        refused(range(fullSealed, 0, h + CHUNK), full, 1, damaged, "without its final chunk");
        // An empty final chunk put after chunk 0 (moved from the end): it authenticates only at index 2.
        refused(concat(range(fullSealed, 0, h + CHUNK), range(fullSealed, h + 2 * CHUNK, fullSealed.length)),
                full, 1, damaged, "fails authentication at its chunk 1");
        // Bytes after the final chunk join it as it is read: it no longer authenticates.
        refused(concat(sealed, new byte[] {0}), plain, 3, damaged, "fails authentication at its chunk 3", "its last");
        refused(concat(fullSealed, chunk(fullSealed, 1)), full, 2, damaged, "fails authentication at its chunk 2");
    }

    @Test
    void reorderedChunksAndChunksOfAnotherFileAreRefused() throws IOException {
        ErrorCode damaged = ErrorCode.BACKUP_VERIFY_FAILED;
        byte[] plain = bytes(4 * EncryptedFile.CHUNK_SIZE + 7, 13);   // chunks 0-3 full, chunk 4 the last
        byte[] sealed = seal(plain, key);
        byte[] header = range(sealed, 0, EncryptedFile.HEADER);

        // Two chunks swapped (not the first): what comes before them is released, nothing after.
        byte[] swapped = concat(header, chunk(sealed, 0), chunk(sealed, 2), chunk(sealed, 1), chunk(sealed, 3),
                chunk(sealed, 4));
        assertThat(refused(swapped, plain, 1, damaged, "fails authentication at its chunk 1")).hasSize(
                EncryptedFile.CHUNK_SIZE);
        // The final chunk moved before a full one.
        refused(concat(header, chunk(sealed, 0), chunk(sealed, 1), chunk(sealed, 2), chunk(sealed, 4),
                chunk(sealed, 3)), plain, 3, damaged, "fails authentication at its chunk 3");
        // A chunk dropped from the middle.
        refused(concat(header, chunk(sealed, 0), chunk(sealed, 2), chunk(sealed, 3), chunk(sealed, 4)), plain, 1,
                damaged, "fails authentication at its chunk 1");
        // A chunk repeated.
        refused(concat(header, chunk(sealed, 0), chunk(sealed, 0), chunk(sealed, 1), chunk(sealed, 2),
                chunk(sealed, 3), chunk(sealed, 4)), plain, 1, damaged, "fails authentication at its chunk 1");

        // Another archive encrypted with the same key, of the same plaintext even: its chunks, at the same
        // index, and its header do not fit this file (another file id, another file key).
        byte[] other = seal(plain, key);
        refused(concat(header, chunk(sealed, 0), chunk(other, 1), chunk(sealed, 2), chunk(sealed, 3),
                chunk(sealed, 4)), plain, 1, damaged, "fails authentication at its chunk 1");
        refused(concat(header, chunk(sealed, 0), chunk(sealed, 1), chunk(sealed, 2), chunk(sealed, 3),
                chunk(other, 4)), plain, 4, damaged, "fails authentication at its chunk 4", "its last");
        refused(concat(range(other, 0, EncryptedFile.HEADER), range(sealed, EncryptedFile.HEADER, sealed.length)),
                plain, 0, damaged, "fails authentication at its chunk 0");
        // Its chunks alone, each at its own index, under this file's header.
        refused(concat(header, range(other, EncryptedFile.HEADER, other.length)), plain, 0, damaged,
                "fails authentication at its chunk 0");
    }

    @Test
    void aChangedHeaderIsRefused() throws IOException {
        ErrorCode damaged = ErrorCode.BACKUP_VERIFY_FAILED;
        byte[] plain = bytes(EncryptedFile.CHUNK_SIZE + 3, 14);
        byte[] sealed = seal(plain, key);
        // header: magic 0-7, version 8, algorithm 9, reserved 10-11, chunk size 12-15, fingerprint 16-31, file id 32-47
        refused(changed(sealed, 0), plain, 0, damaged, "is not an encrypted file");
        refused(changed(sealed, 8), plain, 0, damaged, "is encrypted in format 0", "does not read");
        refused(changed(sealed, 9), plain, 0, damaged, "algorithm 0", "does not read");
        // The reserved bytes and the file id are not checked by the reader but are authenticated with every chunk.
        refused(changed(sealed, 10), plain, 0, damaged, "fails authentication at its chunk 0");
        refused(changed(sealed, 11), plain, 0, damaged, "fails authentication at its chunk 0");
        refused(changed(sealed, 40), plain, 0, damaged, "fails authentication at its chunk 0");
        refused(changed(sealed, 47), plain, 0, damaged, "fails authentication at its chunk 0");
        // Another chunk size: the chunks no longer fall where the header says (and the header is authenticated).
        byte[] halfChunks = sealed.clone();
        java.nio.ByteBuffer.wrap(halfChunks, 12, 4).putInt(EncryptedFile.CHUNK_SIZE / 2);
        refused(halfChunks, plain, 0, damaged, "fails authentication at its chunk 0");
        byte[] hugeChunks = sealed.clone();
        java.nio.ByteBuffer.wrap(hugeChunks, 12, 4).putInt(Integer.MAX_VALUE);
        refused(hugeChunks, plain, 0, damaged, "its header gives a chunk size of " + Integer.MAX_VALUE);
        // The fingerprint changed: the file now names a key nobody has, and is refused as needing it (1414).
        byte[] otherKeyNamed = changed(sealed, 20);
        String named = java.util.HexFormat.of().formatHex(otherKeyNamed, 16, 32);
        refused(otherKeyNamed, plain, 0, ErrorCode.BACKUP_KEY, "is encrypted with the key of fingerprint " + named,
                "holds the key of fingerprint " + key.fingerprint());
    }

    /** {@code sealed} with byte {@code at} flipped. */
    private static byte[] changed(byte[] sealed, int at) {
        byte[] b = sealed.clone();
        b[at] ^= 1;
        return b;
    }

    /** A one-off measure of the throughput (printed, never asserted). */
    @Test
    void throughput() throws IOException {
        byte[] plain = bytes(64 << 20, 3);
        for (int round = 0; round < 4; round++) {
        long t0 = System.nanoTime();
        byte[] sealed = seal(plain, key);
        long t1 = System.nanoTime();
        byte[] back = open(sealed, BackupKey.Source.of(key));
        long t2 = System.nanoTime();
        assertThat(back.length).isEqualTo(plain.length);
        System.out.printf("EncryptedFile 64 MiB (round, JIT warming up): encrypt %.0f MB/s, decrypt %.0f MB/s%n",
                plain.length / 1e6 / ((t1 - t0) / 1e9), plain.length / 1e6 / ((t2 - t1) / 1e9));
        }
    }
}
