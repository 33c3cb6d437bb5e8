package io.tetradb.server.restore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.luben.zstd.ZstdInputStream;
import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraException;
import io.tetradb.server.DataLayout;
import io.tetradb.server.backup.ParallelHashing;
import io.tetradb.server.backup.SegmentDigests;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarFile;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a backup archive: extracts it into a folder (or only hashes it), computing every
 * entry's SHA-256 on the way and checking them against {@code MANIFEST.json}, the last
 * entry. A mismatch, a missing or an unlisted entry is error 1411 naming the entry.
 * What it extracts is owner-only: folders {@code 0700}, files {@code 0600} (docs/security.md).
 *
 * <p>Two ways through an archive. An uncompressed archive of manifest format 2 or later
 * ({@link SegmentDigests}) is read with random access: its manifest first, then each
 * entry; an entry recorded by segment is copied segment by segment (inside the kernel)
 * and its segments are hashed in parallel on a small pool ({@link ParallelHashing},
 * threads named after the calling thread, "...-verify-N", at most one per core, at most
 * twice as many segments in flight, no copy of the data held), from the extracted copy
 * (or from the archive when only checking); the first damaged segment is named with its
 * byte range. Every other archive (compressed ones, whose entries are one SHA-256 stream
 * each, and those of format 1) is read as one stream, each entry hashed as it goes by,
 * exactly as format 1 always was.
 *
 * <p>Stateless; any thread (each call has its own pool).
 */
public final class BackupArchiveReader {
    private BackupArchiveReader() {
    }

    /**
     * Extracts {@code archive} into {@code target} (created if missing) after checking
     * every checksum; returns the manifest. With {@code target} null, only checks.
     */
    public static JsonNode extract(Path archive, Path target) throws IOException {
        return extract(archive, target, io.tetradb.server.backup.BackupKey.Source.NONE);
    }

    /**
     * As {@link #extract(Path, Path)}; an encrypted archive (docs/backup-encryption.md) is
     * decrypted with the key {@code keys} gives (1414 when it has none or another one) and
     * read as one stream, every chunk authenticated (1411 naming the chunk otherwise).
     */
    public static JsonNode extract(Path archive, Path target, io.tetradb.server.backup.BackupKey.Source keys)
            throws IOException {
        boolean zstd;
        boolean encrypted;
        try {
            zstd = isZstd(archive);
            encrypted = io.tetradb.server.backup.EncryptedFile.isEncrypted(archive);
        } catch (IOException e) {
            throw unreadable(archive, e);
        }
        if (encrypted) {
            return extractStream(archive, target, keys);
        }
        if (!zstd) {
            JsonNode manifest = extractByEntry(archive, target);
            if (manifest != null) {
                return manifest;
            }
        }
        return extractStream(archive, target, keys);
    }

    /**
     * Extracts (or with {@code target} null only checks) archive {@code name} of
     * {@code store}: a folder's file as {@link #extract(Path, Path)} reads it, an object of
     * a bucket as one stream from the bucket (see {@link #extractStream(Opener, String, Path, BackupKey.Source)}).
     */
    public static JsonNode extract(io.tetradb.server.backup.ArchiveStore store, String name, Path target)
            throws IOException {
        return extract(store, name, target, io.tetradb.server.backup.BackupKey.Source.NONE);
    }

    /**
     * As {@link #extract(io.tetradb.server.backup.ArchiveStore, String, Path)}; an encrypted
     * archive (docs/backup-encryption.md) is decrypted with the key {@code keys} gives (1414
     * when it has none or another one), every chunk authenticated (1411 otherwise).
     */
    public static JsonNode extract(io.tetradb.server.backup.ArchiveStore store, String name, Path target,
                                   io.tetradb.server.backup.BackupKey.Source keys) throws IOException {
        Path local = store.localFile(name);
        if (local != null) {
            return extract(local, target, keys);
        }
        return extractStream(() -> store.open(name), name, target, keys);
    }

    /** Opens the archive's bytes from the start. */
    public interface Opener {
        InputStream open() throws IOException;
    }

    /** The archive read as one stream: every compressed archive, and uncompressed ones of format 1. */
    static JsonNode extractStream(Path archive, Path target) throws IOException {
        return extractStream(archive, target, io.tetradb.server.backup.BackupKey.Source.NONE);
    }

    /** As {@link #extractStream(Path, Path)}, an encrypted archive decrypted with the key {@code keys} gives. */
    static JsonNode extractStream(Path archive, Path target, io.tetradb.server.backup.BackupKey.Source keys)
            throws IOException {
        return extractStream(() -> Files.newInputStream(archive), archive.getFileName().toString(), target, keys);
    }

    /**
     * The archive read as one stream, each entry hashed as it goes by: every compressed
     * archive, uncompressed ones of format 1, and any archive of a bucket. An uncompressed
     * stream is also hashed by segment of {@link SegmentDigests#SEGMENT_SIZE}, so that an
     * entry the manifest (read last) records by segment is checked as such, its first
     * damaged segment named; {@code shown} names the archive in messages. An encrypted
     * archive (it starts with TETRAENC) is decrypted as it is read, with the key {@code keys}
     * gives; its entries are recorded whole (the writer streams them), not by segment.
     */
    static JsonNode extractStream(Opener opener, String shown, Path target,
                                  io.tetradb.server.backup.BackupKey.Source keys) throws IOException {
        Map<String, String> hashes = new LinkedHashMap<>();
        Map<String, Long> sizes = new LinkedHashMap<>();
        Map<String, List<byte[]>> segmentHashes = new LinkedHashMap<>();
        JsonNode manifest = null;
        boolean zstd;
        boolean encrypted;
        String fingerprint = null;
        try (InputStream file = new BufferedInputStream(opener.open(), 256 * 1024)) {
            file.mark(16);
            encrypted = io.tetradb.server.backup.EncryptedFile.isEncrypted(file.readNBytes(8));
            file.reset();
            InputStream raw = file;
            if (encrypted) {
                io.tetradb.server.backup.EncryptedFile.Reader reader = new io.tetradb.server.backup.EncryptedFile.Reader(
                        file, keys, "The archive " + shown, ErrorCode.BACKUP_VERIFY_FAILED);
                fingerprint = reader.fingerprint();
                raw = new BufferedInputStream(reader, 256 * 1024);
            }
            raw.mark(4);
            zstd = isZstd(raw);
            raw.reset();
            try (InputStream in = zstd ? new ZstdInputStream(raw) : raw;
                 TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
                TarArchiveEntry e;
                byte[] buf = new byte[256 * 1024];
                int segment = SegmentDigests.SEGMENT_SIZE;
                while ((e = tar.getNextEntry()) != null) {
                    String name = e.getName();
                    checkName(name);
                    if (manifest != null) {
                        throw new TetraException(ErrorCode.BACKUP_VERIFY_FAILED, "Archive entry " + name
                                + " follows MANIFEST.json.");
                    }
                    if (name.equals("MANIFEST.json")) {
                        manifest = new ObjectMapper().readTree(tar.readAllBytes());
                        if (target != null) {
                            DataLayout.createOwnerOnlyFolders(target);
                            try (OutputStream m = create(target.resolve("MANIFEST.json"))) {
                                m.write(new ObjectMapper().writeValueAsBytes(manifest));
                            }
                        }
                        continue;
                    }
                    if (e.isDirectory()) {
                        if (target != null) {
                            DataLayout.createOwnerOnlyFolders(target.resolve(name));
                        }
                        continue;
                    }
                    MessageDigest sha = sha256();
                    MessageDigest seg = zstd ? null : sha256();
                    List<byte[]> segs = new ArrayList<>();
                    long inSegment = 0;
                    long size = 0;
                    OutputStream out = null;
                    try {
                        if (target != null) {
                            Path p = target.resolve(name);
                            DataLayout.createOwnerOnlyFolders(p.getParent());
                            out = create(p);
                        }
                        int n;
                        while ((n = tar.read(buf)) > 0) {
                            sha.update(buf, 0, n);
                            if (seg != null) {
                                int off = 0;
                                while (off < n) {
                                    int k = (int) Math.min(n - off, segment - inSegment);
                                    seg.update(buf, off, k);
                                    off += k;
                                    inSegment += k;
                                    if (inSegment == segment) {
                                        segs.add(seg.digest());
                                        inSegment = 0;
                                    }
                                }
                            }
                            size += n;
                            if (out != null) {
                                out.write(buf, 0, n);
                            }
                        }
                    } finally {
                        if (out != null) {
                            out.close();
                        }
                    }
                    if (seg != null && inSegment > 0) {
                        segs.add(seg.digest());
                    }
                    hashes.put(name, HexFormat.of().formatHex(sha.digest()));
                    sizes.put(name, size);
                    if (seg != null) {
                        segmentHashes.put(name, segs);
                    }
                }
            }
        } catch (TetraException e) {
            throw e;
        } catch (IOException e) {
            throw unreadable(shown, e);
        }
        if (manifest == null) {
            throw incomplete(shown);
        }
        String recorded = manifest.path("encryption").path("keyFingerprint").asText("");
        if (fingerprint != null && !recorded.isEmpty() && !recorded.equals(fingerprint)) {
            throw new TetraException(ErrorCode.BACKUP_VERIFY_FAILED, "The archive " + shown
                    + " is encrypted with the key of fingerprint " + fingerprint + ", but its manifest names "
                    + recorded + ".");
        }
        int format = format(shown, manifest);
        Map<String, String> listed = new LinkedHashMap<>();
        for (JsonNode en : manifest.path("entries")) {
            String path = en.path("path").asText();
            listed.put(path, en.path("sha256").asText());
            String actual = hashes.get(path);
            if (actual == null) {
                throw new TetraException(ErrorCode.BACKUP_VERIFY_FAILED, "Archive entry " + path + " is missing.");
            }
            if (format >= 2 && en.has("segmentSha256")) {
                // Only an uncompressed archive records entries by segment.
                if (zstd || encrypted) {
                    throw new TetraException(ErrorCode.BACKUP_VERIFY_FAILED, "Archive entry " + path
                            + " is recorded by segment, which only the entries of an uncompressed, unencrypted"
                            + " archive are.");
                }
                checkStreamedSegments(path, en, sizes.get(path), segmentHashes.get(path));
                continue;
            }
            if (!actual.equals(en.path("sha256").asText()) || sizes.get(path) != en.path("size").asLong()) {
                throw new TetraException(ErrorCode.BACKUP_VERIFY_FAILED, "Archive entry " + path
                        + " does not match its checksum.");
            }
        }
        for (String name : hashes.keySet()) {
            if (!listed.containsKey(name)) {
                throw new TetraException(ErrorCode.BACKUP_VERIFY_FAILED, "Archive entry " + name
                        + " is not in the manifest.");
            }
        }
        return manifest;
    }

    /** An entry recorded by segment, read as a stream: its segments' digests against the manifest's. */
    private static void checkStreamedSegments(String name, JsonNode en, long size, List<byte[]> actual) {
        if (size != en.path("size").asLong()) {
            throw mismatch(name, "it holds " + size + " bytes, the manifest records " + en.path("size").asLong());
        }
        int segmentSize = en.path("segmentSize").asInt(0);
        if (segmentSize != SegmentDigests.SEGMENT_SIZE) {
            throw mismatch(name, "its segmentSize " + en.path("segmentSize") + " is not the "
                    + SegmentDigests.SEGMENT_SIZE + " bytes this server checks in a stream");
        }
        JsonNode listed = en.path("segmentSha256");
        List<byte[]> expected = new ArrayList<>();
        for (JsonNode h : listed) {
            String hex = h.asText();
            if (!hex.matches("[0-9a-f]{64}")) {
                throw mismatch(name, "segment checksum " + expected.size() + " is not a SHA-256 in lower-case hex");
            }
            expected.add(HexFormat.of().parseHex(hex));
        }
        long count = SegmentDigests.count(size, segmentSize);
        if (expected.size() != count || actual.size() != count) {
            throw mismatch(name, "the manifest lists " + expected.size() + " segment checksums where its " + size
                    + " bytes make " + count + " segments of " + segmentSize);
        }
        if (!SegmentDigests.hex(SegmentDigests.ofSegments(expected)).equals(en.path("sha256").asText())) {
            throw mismatch(name, "its segment checksums do not give the manifest's sha256 for it");
        }
        for (int i = 0; i < count; i++) {
            if (!Arrays.equals(expected.get(i), actual.get(i))) {
                long from = (long) i * segmentSize;
                throw mismatch(name, "its segment at bytes " + from + " to "
                        + (from + SegmentDigests.length(size, segmentSize, i) - 1) + " (segment " + i
                        + ", counted from 0, of " + count + ") is damaged");
            }
        }
    }

    /**
     * An uncompressed archive read with random access; null when it is not one whose
     * MANIFEST.json says format 2 or later (format 1, or no manifest to be found, or not a
     * tar this way): the stream reads it then, exactly as it always did, with its messages.
     */
    private static JsonNode extractByEntry(Path archive, Path target) throws IOException {
        TarFile tar;
        try {
            tar = new TarFile(archive);
        } catch (IOException | RuntimeException e) {
            return null;
        }
        try (tar; FileChannel ch = FileChannel.open(archive, StandardOpenOption.READ);
             Hashing hashing = new Hashing()) {
            List<TarArchiveEntry> all = tar.getEntries();
            TarArchiveEntry manifestEntry = null;
            for (TarArchiveEntry e : all) {
                if (e.getName().equals("MANIFEST.json")) {
                    manifestEntry = e;
                    break;
                }
            }
            if (manifestEntry == null) {
                return null;
            }
            JsonNode manifest;
            try (InputStream in = tar.getInputStream(manifestEntry)) {
                manifest = new ObjectMapper().readTree(in.readAllBytes());
            } catch (IOException e) {
                return null;
            }
            if (format(archive, manifest) < 2) {
                return null;
            }
            boolean afterManifest = false;
            for (TarArchiveEntry e : all) {
                String name = e.getName();
                checkName(name);
                if (afterManifest) {
                    throw new TetraException(ErrorCode.BACKUP_VERIFY_FAILED, "Archive entry " + name
                            + " follows MANIFEST.json.");
                }
                afterManifest = e == manifestEntry;
            }
            if (target != null) {
                DataLayout.createOwnerOnlyFolders(target);
                try (OutputStream m = create(target.resolve("MANIFEST.json"))) {
                    m.write(new ObjectMapper().writeValueAsBytes(manifest));
                }
            }
            Map<String, JsonNode> listed = new LinkedHashMap<>();
            for (JsonNode en : manifest.path("entries")) {
                listed.put(en.path("path").asText(), en);
            }
            Set<String> seen = new HashSet<>();
            for (TarArchiveEntry e : all) {
                String name = e.getName();
                if (e == manifestEntry) {
                    continue;
                }
                if (e.isDirectory()) {
                    if (target != null) {
                        DataLayout.createOwnerOnlyFolders(target.resolve(name));
                    }
                    continue;
                }
                JsonNode en = listed.get(name);
                if (en == null) {
                    throw new TetraException(ErrorCode.BACKUP_VERIFY_FAILED, "Archive entry " + name
                            + " is not in the manifest.");
                }
                seen.add(name);
                Path out = null;
                if (target != null) {
                    out = target.resolve(name);
                    DataLayout.createOwnerOnlyFolders(out.getParent());
                }
                if (e.getSize() != en.path("size").asLong()) {
                    throw mismatch(name, "it holds " + e.getSize() + " bytes, the manifest records "
                            + en.path("size").asLong());
                }
                if (en.has("segmentSha256")) {
                    checkSegments(ch, e, en, out, hashing);
                } else {
                    checkWhole(tar, e, en, out);
                }
            }
            for (String path : listed.keySet()) {
                if (!seen.contains(path)) {
                    throw new TetraException(ErrorCode.BACKUP_VERIFY_FAILED, "Archive entry " + path + " is missing.");
                }
            }
            return manifest;
        } catch (TetraException e) {
            throw e;
        } catch (IOException e) {
            throw unreadable(archive, e);
        }
    }

    /** An entry recorded as one SHA-256 of its content, read as a stream. */
    private static void checkWhole(TarFile tar, TarArchiveEntry e, JsonNode en, Path target) throws IOException {
        MessageDigest sha = sha256();
        byte[] buf = new byte[256 * 1024];
        try (InputStream in = tar.getInputStream(e); OutputStream out = target == null ? null : create(target)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                sha.update(buf, 0, n);
                if (out != null) {
                    out.write(buf, 0, n);
                }
            }
        }
        if (!HexFormat.of().formatHex(sha.digest()).equals(en.path("sha256").asText())) {
            throw mismatch(e.getName(), null);
        }
    }

    /**
     * An entry recorded by segment: the manifest's segment list checked against the entry's
     * size and its {@code sha256}, then every segment copied (inside the kernel) and hashed
     * in parallel, in order; the first damaged one is named.
     */
    private static void checkSegments(FileChannel archive, TarArchiveEntry e, JsonNode en, Path target,
                                      Hashing hashing) throws IOException {
        String name = e.getName();
        long size = e.getSize();
        int segmentSize = en.path("segmentSize").asInt(0);
        if (segmentSize <= 0 || segmentSize > SegmentDigests.MAX_SEGMENT_SIZE || !en.path("segmentSize").isInt()) {
            throw mismatch(name, "its segmentSize " + en.path("segmentSize") + " is not a size from 1 to "
                    + SegmentDigests.MAX_SEGMENT_SIZE + " bytes");
        }
        long count = SegmentDigests.count(size, segmentSize);
        JsonNode listed = en.path("segmentSha256");
        if (!listed.isArray() || listed.size() != count) {
            throw mismatch(name, "the manifest lists " + listed.size() + " segment checksums where its " + size
                    + " bytes make " + count + " segments of " + segmentSize);
        }
        List<byte[]> expected = new ArrayList<>();
        for (JsonNode h : listed) {
            String hex = h.asText();
            if (!hex.matches("[0-9a-f]{64}")) {
                throw mismatch(name, "segment checksum " + expected.size() + " is not a SHA-256 in lower-case hex");
            }
            expected.add(HexFormat.of().parseHex(hex));
        }
        if (!SegmentDigests.hex(SegmentDigests.ofSegments(expected)).equals(en.path("sha256").asText())) {
            throw mismatch(name, "its segment checksums do not give the manifest's sha256 for it");
        }
        if (e.isSparse() || e.getDataOffset() < 0) {
            throw mismatch(name, "its content is not stored as one run of bytes");
        }
        long base = e.getDataOffset();
        FileChannel out = target == null ? null : FileChannel.open(target, EnumSet.of(StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING),
                DataLayout.ownerOnlyFile(target));
        ParallelHashing.Run run = hashing.pool().run((i, digest) -> {
            if (!Arrays.equals(digest, expected.get((int) i))) {
                long from = i * segmentSize;
                throw mismatch(name, "its segment at bytes " + from + " to "
                        + (from + SegmentDigests.length(size, segmentSize, i) - 1) + " (segment " + i
                        + ", counted from 0, of " + count + ") is damaged");
            }
        });
        try {
            for (long i = 0; i < count; i++) {
                long from = i * segmentSize;
                int len = SegmentDigests.length(size, segmentSize, i);
                if (out != null) {
                    copy(archive, base + from, len, out);
                    run.submit(out, from, len);
                } else {
                    run.submit(archive, base + from, len);
                }
            }
            run.finish();
        } finally {
            run.cancel();
            if (out != null) {
                out.close();
            }
        }
    }

    /** Copies {@code len} bytes of {@code from} at {@code at} to the end of {@code to}. */
    private static void copy(FileChannel from, long at, long len, FileChannel to) throws IOException {
        long done = 0;
        while (done < len) {
            long t = from.transferTo(at + done, len - done, to);
            if (t <= 0) {
                throw new IOException("the archive ended at byte " + (at + done));
            }
            done += t;
        }
    }

    /** The pool of one extraction, started on its first entry recorded by segment. */
    private static final class Hashing implements AutoCloseable {
        private ParallelHashing pool;

        ParallelHashing pool() {
            if (pool == null) {
                pool = new ParallelHashing(Thread.currentThread().getName() + "-verify");
            }
            return pool;
        }

        @Override
        public void close() {
            if (pool != null) {
                pool.close();
            }
        }
    }

    /** The manifest's format (1 when it has none); 1411 for one newer than this server reads. */
    private static int format(Path archive, JsonNode manifest) {
        return format(archive.getFileName().toString(), manifest);
    }

    private static int format(String archive, JsonNode manifest) {
        int format = manifest.path("format").asInt(1);
        if (format > SegmentDigests.FORMAT) {
            throw new TetraException(ErrorCode.BACKUP_VERIFY_FAILED, "The archive " + archive
                    + " has manifest format " + format + ", newer than this server reads (" + SegmentDigests.OLDEST_FORMAT
                    + " to " + SegmentDigests.FORMAT + "): verify or restore it with the newer Tetra server that wrote it.");
        }
        return format;
    }

    private static void checkName(String name) {
        if (name.contains("..") || name.startsWith("/")) {
            throw new TetraException(ErrorCode.BACKUP_VERIFY_FAILED, "Archive entry " + name + " has an unsafe path.");
        }
    }

    private static TetraException mismatch(String path, String why) {
        return new TetraException(ErrorCode.BACKUP_VERIFY_FAILED, "Archive entry " + path
                + " does not match its checksum" + (why == null ? "." : ": " + why + "."));
    }

    private static TetraException unreadable(Path archive, IOException e) {
        return unreadable(archive.getFileName().toString(), e);
    }

    private static TetraException unreadable(String archive, IOException e) {
        if (e instanceof io.tetradb.server.backup.ArchiveStore.DestinationException) {
            // The bucket cannot be read (it went away, the credentials were refused): 1407, not damage.
            return new TetraException(ErrorCode.BACKUP_DESTINATION, "The archive " + archive + " cannot be read: "
                    + e.getMessage(), e);
        }
        return new TetraException(ErrorCode.BACKUP_VERIFY_FAILED, "The archive " + archive
                + " cannot be read: " + e.getMessage(), e);
    }

    private static TetraException incomplete(String archive) {
        return new TetraException(ErrorCode.BACKUP_VERIFY_FAILED, "The archive " + archive
                + " has no MANIFEST.json: it is incomplete.");
    }

    /** A file for an extracted entry, created owner-only (docs/security.md); an existing one is overwritten. */
    private static OutputStream create(Path p) throws IOException {
        return Channels.newOutputStream(Files.newByteChannel(p, EnumSet.of(StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING), DataLayout.ownerOnlyFile(p)));
    }

    private static boolean isZstd(Path archive) throws IOException {
        try (InputStream in = Files.newInputStream(archive)) {
            return isZstd(in);
        }
    }

    /** Whether the next 4 bytes of {@code in} are zstd's magic (they are read). */
    private static boolean isZstd(InputStream in) throws IOException {
        byte[] magic = in.readNBytes(4);
        return magic.length == 4 && (magic[0] & 0xFF) == 0x28 && (magic[1] & 0xFF) == 0xB5
                && (magic[2] & 0xFF) == 0x2F && (magic[3] & 0xFF) == 0xFD;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
