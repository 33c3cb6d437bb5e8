package io.tetradb.server.backup;

import com.github.luben.zstd.ZstdOutputStream;
import io.tetradb.client.ErrorCode;
import io.tetradb.protocol.LogSegmentFile;
import io.tetradb.client.TetraException;
import io.tetradb.server.DataLayout;
import io.tetradb.server.log.SegmentReader;
import io.tetradb.server.log.SegmentScan;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The closed log segments of one database (docs/log-file.md, "Segments"): their names in
 * {@code Data/} once a backup or {@code log new} closed them
 * ({@code <name>-segment-SSSSSS.journal}), and their archiving into the backup destination
 * as {@code <name>-NNNN.journal.zst} (with backup NNNN) or {@code <name>-NNNN-KK.journal.zst}
 * (by {@code log new} after backup NNNN). Every closed segment in {@code Data/} is archived
 * at once, in operation order, into one file: the first whole, the later ones without their
 * magic and header (their operations follow on, so the result is one valid segment that
 * {@link SegmentReader} reads). More than one closed segment is there only when an earlier
 * archiving did not happen (a backup that failed after it closed its segment). The archive
 * is written under a temporary name, owner-only, forced, renamed, its folder forced; then
 * the closed segments are removed from {@code Data/}. A failure leaves them where they
 * were, and the next archiving takes them (1408).
 *
 * <p>Stateless; called on the backup thread ({@code tetra-backup}) and on the admin worker
 * that runs {@code log new}, never both at once (the backup service's slot keeps them
 * apart).
 */
public final class SegmentArchiver {
    private static final int BUFFER = 256 * 1024;
    /** What follows the database's name in a closed segment's name. */
    private static final Pattern CLOSED_AFTER_NAME = Pattern.compile("-segment-\\d{6,}(-\\d+)?\\.journal");

    private SegmentArchiver() {
    }

    /** What was archived: the history's record of the file. */
    record Archived(Path file, LogSegmentFile info, List<Path> sources) {
    }

    /** The name in Data/ of closed segment {@code segment} (a suffix when that file exists). */
    public static Path closedName(DataLayout layout, long segment) {
        String base = String.format(Locale.ROOT, "%s-segment-%06d", layout.databaseName(), segment);
        Path p = layout.dataDir().resolve(base + ".journal");
        for (int i = 2; Files.exists(p); i++) {
            p = layout.dataDir().resolve(base + "-" + i + ".journal");
        }
        return p;
    }

    /** Whether {@code name} is a closed segment's name of database {@code database} in Data/. */
    public static boolean isClosedSegmentName(String database, String name) {
        return name.startsWith(database) && CLOSED_AFTER_NAME.matcher(name.substring(database.length())).matches();
    }

    /** Whether {@code name} is database {@code database}'s log file or one of its closed segments. */
    public static boolean isLogFileName(String database, String name) {
        return name.equals(database + ".journal") || isClosedSegmentName(database, name);
    }

    /** Every segment {@code h} lists (beside its backup's entry or on its own), once each, by file name. */
    public static List<LogSegmentFile> archivedSegments(io.tetradb.protocol.BackupHistory h) {
        java.util.Map<String, LogSegmentFile> byName = new java.util.TreeMap<>();
        h.getLogSegmentsList().forEach(f -> byName.put(f.getFile(), f));
        h.getEntriesList().forEach(e -> e.getLogSegmentsList().forEach(f -> byName.put(f.getFile(), f)));
        return new ArrayList<>(byName.values());
    }

    /**
     * The segments {@code store}'s backup-history.json records for database {@code database},
     * those it no longer holds included (a segment deleted behind the server's back).
     */
    public static List<LogSegmentFile> recordedSegments(ArchiveStore store, String database) throws IOException {
        return new BackupHistory(store, database).recordedSegments();
    }

    /** Decompresses the archived segment {@code zst} into {@code plain}, a segment file readers open. */
    public static void decompress(Path zst, Path plain) throws IOException {
        decompress(zst, plain, BackupKey.Source.NONE);
    }

    /**
     * As {@link #decompress(Path, Path)}; an encrypted segment ({@code .journal.zst.enc},
     * docs/backup-encryption.md) is decrypted first with the key {@code keys} gives (1414
     * without it), every chunk authenticated (1413 otherwise).
     */
    public static void decompress(Path zst, Path plain, BackupKey.Source keys) throws IOException {
        java.io.InputStream file = new java.io.BufferedInputStream(Files.newInputStream(zst), BUFFER);
        if (EncryptedFile.isEncrypted(zst)) {
            file = new EncryptedFile.Reader(file, keys, "The log segment " + zst.getFileName(),
                    ErrorCode.LOG_SEGMENT_DAMAGED);
        }
        try (java.io.InputStream in = new com.github.luben.zstd.ZstdInputStream(file)) {
            Files.copy(in, plain, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Decompresses archived segment {@code name} of {@code store}, read as a stream, into {@code plain}. */
    public static void decompress(ArchiveStore store, String name, Path plain) throws IOException {
        decompress(store, name, plain, BackupKey.Source.NONE);
    }

    /**
     * As {@link #decompress(ArchiveStore, String, Path)}; an encrypted segment (one that starts
     * with the encrypted file's magic, named {@code .journal.zst.enc}, docs/backup-encryption.md)
     * is decrypted first with the key {@code keys} gives (1414 without it), every chunk
     * authenticated (1413 otherwise).
     */
    public static void decompress(ArchiveStore store, String name, Path plain, BackupKey.Source keys)
            throws IOException {
        java.io.InputStream file = new java.io.BufferedInputStream(store.open(name), BUFFER);
        try {
            file.mark(16);
            byte[] magic = file.readNBytes(EncryptedFile.MAGIC.length);
            file.reset();
            if (EncryptedFile.isEncrypted(magic)) {
                file = new EncryptedFile.Reader(file, keys, "The log segment " + name, ErrorCode.LOG_SEGMENT_DAMAGED);
            }
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
        try (java.io.InputStream in = new com.github.luben.zstd.ZstdInputStream(file)) {
            Files.copy(in, plain, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The closed segments waiting in Data/ to be archived (not in order). */
    public static List<Path> closedSegments(DataLayout layout) throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(layout.dataDir())) {
            return out;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(layout.dataDir())) {
            for (Path f : s) {
                if (isClosedSegmentName(layout.databaseName(), f.getFileName().toString()) && Files.isRegularFile(f)) {
                    out.add(f);
                }
            }
        }
        return out;
    }

    /**
     * {@link #closedSegments} in the order of their operations (by their headers' first
     * operation): what recovery and a restore read before the current log file, as the data
     * file may lack some of their operations.
     */
    public static List<Path> closedSegmentsInOrder(DataLayout layout) throws IOException {
        List<Path> closed = closedSegments(layout);
        java.util.Map<Path, Long> first = new java.util.HashMap<>();
        for (Path f : closed) {
            try (io.tetradb.server.log.SegmentReader r = io.tetradb.server.log.SegmentReader.open(f, null)) {
                first.put(f, r.header().getFirstOperation());
            }
        }
        closed.sort(java.util.Comparator.comparing(first::get));
        return closed;
    }

    /** {@code <name>-NNNN.journal.zst} (sequence 0) or {@code <name>-NNNN-KK.journal.zst}. */
    static String archiveName(String database, long backup, int sequence) {
        return archiveName(database, backup, sequence, false);
    }

    /** As {@link #archiveName(String, long, int)}, with {@code .enc} after it when {@code encrypted}. */
    static String archiveName(String database, long backup, int sequence, boolean encrypted) {
        return plainName(database, backup, sequence) + (encrypted ? EncryptedFile.SUFFIX : "");
    }

    private static String plainName(String database, long backup, int sequence) {
        return sequence == 0 ? String.format(Locale.ROOT, "%s-%04d.journal.zst", database, backup)
                : String.format(Locale.ROOT, "%s-%04d-%02d.journal.zst", database, backup, sequence);
    }

    /** Matches archived segment names: group 1 the backup number, group 2 KK (or null). */
    static Pattern archivePattern(String database) {
        return Pattern.compile(Pattern.quote(database) + "-(\\d{4,})(?:-(\\d{2,}))?\\.journal\\.zst(?:\\.enc)?");
    }

    /** The LogSegmentFile of an archived segment known only by its name (the history lost it). */
    static LogSegmentFile fromName(Path file) throws IOException {
        return LogSegmentFile.newBuilder().setFile(file.getFileName().toString()).setSize(Files.size(file)).build();
    }

    /** Backup number and sequence of an archived segment's name, or null when it is not one. */
    static long[] parse(Pattern pattern, String name) {
        Matcher m = pattern.matcher(name);
        if (!m.matches()) {
            return null;
        }
        return new long[]{Long.parseLong(m.group(1)), m.group(2) == null ? 0 : Long.parseLong(m.group(2))};
    }

    /**
     * Archives every closed segment in Data/ as {@code target}, then removes them from Data/.
     * Returns null when there is none.
     *
     * @param databaseId the id the segments must carry (1416 otherwise)
     * @param level      the zstd level (at least 1)
     * @throws TetraException 1408 when they cannot be read in order or written; they stay in Data/
     */
    static Archived archive(DataLayout layout, String databaseId, Path target, long backup, int sequence, int level)
            throws IOException {
        return archive(layout, databaseId, target, backup, sequence, level, null);
    }

    /** As above, encrypted with {@code key} when it is not null (docs/backup-encryption.md). */
    static Archived archive(DataLayout layout, String databaseId, Path target, long backup, int sequence, int level,
                            BackupKey key) throws IOException {
        List<Path> closed = closedSegments(layout);
        if (closed.isEmpty()) {
            return null;
        }
        List<Piece> pieces = new ArrayList<>();
        for (Path f : closed) {
            SegmentScan scan;
            long bodyStart;
            try {
                scan = SegmentReader.scan(f, databaseId, t -> {
                });
                try (SegmentReader r = SegmentReader.open(f, databaseId)) {
                    bodyStart = r.goodEnd();
                }
            } catch (TetraException e) {
                throw new TetraException(ErrorCode.LOG_NOT_ARCHIVABLE, "The closed log segment " + f.getFileName()
                        + " cannot be archived: " + e.getMessage() + " It stays in the Data folder.", e);
            }
            pieces.add(new Piece(f, scan, bodyStart));
        }
        // By first operation, then segment number: empty segments (a backup stopped after closing its
        // segment, with no write since) share their first operation with the segment after them.
        pieces.sort(Comparator.comparingLong((Piece p) -> p.scan.header().getFirstOperation())
                .thenComparingLong(p -> p.scan.header().getSegment()));
        for (int i = 1; i < pieces.size(); i++) {
            long expected = pieces.get(i - 1).scan.lastOperation() + 1;
            long first = pieces.get(i).scan.header().getFirstOperation();
            if (first != expected) {
                throw new TetraException(ErrorCode.LOG_NOT_ARCHIVABLE, "The closed log segments "
                        + pieces.get(i - 1).file.getFileName() + " and " + pieces.get(i).file.getFileName()
                        + " do not follow one another (operation " + expected + " was due, the next starts at "
                        + first + "): they cannot be archived together; move the older one out of the Data folder.");
            }
        }
        Path temp = target.resolveSibling("." + target.getFileName() + ".partial");
        MessageDigest fileSha = sha256();
        MessageDigest contentSha = sha256();
        long contentSize = 0;
        try {
            Files.deleteIfExists(temp);
            try (FileChannel ch = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    DataLayout.ownerOnlyFile(temp))) {
                // Closing the zstd stream ends its frame but must leave the channel open for the force.
                OutputStream fileOut = new DigestOutputStream(new java.io.FilterOutputStream(
                        Channels.newOutputStream(ch)) {
                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        out.write(b, off, len);
                    }

                    @Override
                    public void close() throws IOException {
                        flush();
                    }
                }, fileSha);
                OutputStream sealed = key == null ? fileOut : new EncryptedFile.EncryptingStream(fileOut, key);
                try (ZstdOutputStream z = new ZstdOutputStream(sealed, Math.max(1, level))) {
                    OutputStream content = new DigestOutputStream(z, contentSha);
                    // One header, the first piece's, carrying every piece's cancelled spans (a later
                    // piece may have started after a rollback): the archive tells the whole history.
                    io.tetradb.server.log.Timeline timeline = io.tetradb.server.log.Timeline.none();
                    for (Piece p : pieces) {
                        timeline = timeline.union(io.tetradb.server.log.Timeline.of(p.scan.header()));
                    }
                    byte[] start = io.tetradb.server.log.OperationLog.segmentStart(pieces.get(0).scan.header()
                            .toBuilder().clearCancelled().addAllCancelled(timeline.spans()).build());
                    content.write(start);
                    contentSize += start.length;
                    for (Piece p : pieces) {
                        contentSize += copy(p.file, p.bodyStart, p.scan.goodEnd(), content);
                    }
                    content.flush();
                }
                ch.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            forceFolder(target.getParent());
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // the partial file is removed by the next attempt
            }
            throw new TetraException(ErrorCode.LOG_NOT_ARCHIVABLE, "The log segment could not be archived as "
                    + target.getFileName() + " (" + (e.getMessage() != null ? e.getMessage() : e.toString())
                    + "); the closed segment stays in the Data folder"
                    + " and is archived with the next backup.", e);
        }
        LogSegmentFile.Builder info = LogSegmentFile.newBuilder().setFile(target.getFileName().toString())
                .setBackup(backup).setSequence(sequence)
                .setFirstOperation(pieces.get(0).scan.header().getFirstOperation())
                .setLastOperation(pieces.get(pieces.size() - 1).scan.lastOperation())
                .setSize(Files.size(target)).setSha256(HexFormat.of().formatHex(fileSha.digest()))
                .setContentSha256(HexFormat.of().formatHex(contentSha.digest())).setContentSize(contentSize)
                .setArchivedAtMillis(System.currentTimeMillis());
        List<Path> sources = new ArrayList<>();
        for (Piece p : pieces) {
            info.addSegments(p.scan.header().getSegment());
            sources.add(p.file);
        }
        return new Archived(target, info.build(), sources);
    }

    /** Removes archived closed segments from Data/ (and forces the folder). */
    static void removeSources(DataLayout layout, List<Path> sources) throws IOException {
        for (Path p : sources) {
            Files.deleteIfExists(p);
        }
        forceFolder(layout.dataDir());
    }

    private record Piece(Path file, SegmentScan scan, long bodyStart) {
    }

    private static long copy(Path file, long from, long to, OutputStream out) throws IOException {
        byte[] buf = new byte[BUFFER];
        ByteBuffer bb = ByteBuffer.wrap(buf);
        long done = 0;
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            long at = from;
            while (at < to) {
                bb.clear().limit((int) Math.min(buf.length, to - at));
                int n = in.read(bb, at);
                if (n < 0) {
                    throw new IOException(file.getFileName() + " ended early");
                }
                out.write(buf, 0, n);
                at += n;
                done += n;
            }
        }
        return done;
    }

    private static void forceFolder(Path folder) throws IOException {
        try (FileChannel dir = FileChannel.open(folder, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
