package io.tetradb.server.restore;

import com.fasterxml.jackson.databind.JsonNode;
import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraException;
import io.tetradb.server.DataLayout;
import io.tetradb.server.restore.RestoreService.LogPoint;
import io.tetradb.server.backup.BackupSettings;
import io.tetradb.server.sql.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Brings a restored archive forward with the log for every kind of restore (docs/restore-with-log.md
 * ): finds the segments after the operation the archive holds (those archived in the
 * destination, checked against the history's SHA-256 and decompressed into a work folder; the
 * closed ones in {@code Data/}; the current log file, whole when the database is closed),
 * refuses an archive the database's history cancelled, integrates them up to a point, and
 * names what is missing when the log is broken. Also tells the history as it now is
 * ({@link #currentTimeline}) and how far the log files in {@code Data/} reach.
 *
 * <p>Stateless besides its sources; runs on the restoring thread (a worker task, or the
 * main thread at start).
 */
final class LogForward {
    private static final Logger LOG = LoggerFactory.getLogger(LogForward.class);

    /** The archives kept and their segments. */
    @FunctionalInterface
    interface HistorySource {
        io.tetradb.protocol.BackupHistory get() throws IOException;
    }

    private final DataLayout layout;
    private final Supplier<io.tetradb.server.log.LogService> logs;
    private final HistorySource history;

    LogForward(DataLayout layout, Supplier<io.tetradb.server.log.LogService> logs, HistorySource history) {
        this.layout = layout;
        this.logs = logs;
        this.history = history;
    }

    /** The database's history as the current log and the closed segments in Data/ tell it. */
    io.tetradb.server.log.Timeline currentTimeline() {
        io.tetradb.server.log.Timeline t = io.tetradb.server.log.Timeline.none();
        io.tetradb.server.log.LogService service = logs.get();
        io.tetradb.server.log.OperationLog current = service == null ? null : service.log();
        if (current != null) {
            t = t.union(io.tetradb.server.log.Timeline.of(current.header()));
        }
        try {
            for (Path p : io.tetradb.server.backup.SegmentArchiver.closedSegments(layout)) {
                try (io.tetradb.server.log.SegmentReader r = io.tetradb.server.log.SegmentReader.open(p, null)) {
                    t = t.union(io.tetradb.server.log.Timeline.of(r.header()));
                } catch (IOException | RuntimeException e) {
                    LOG.debug("The header of {} could not be read: {}", p, e.getMessage());
                }
            }
        } catch (IOException e) {
            LOG.debug("The Data folder could not be listed: {}", e.getMessage());
        }
        return t;
    }

    static TetraException cancelledArchive(Path archive, long held, io.tetradb.server.log.Timeline t) {
        return new TetraException(ErrorCode.INVALID_ARGUMENT, "The archive " + archive.getFileName() + " holds "
                + "operations a rollback or an in-place restore cancelled (it holds up to operation " + held + "; "
                + t + "): it is not on the database's history as it now is. Restore it alone to a folder (--no-log "
                + "--to DIR), or choose another archive.");
    }

    /**
     * Brings the database staged in {@code root} (archive {@code archive}, whose manifest
     * says up to which operation it holds) forward with the log to {@code point}. The archived
     * segments are checked against the history's SHA-256 and decompressed into {@code work}.
     */
    io.tetradb.server.log.LogIntegration.Result integrate(Path root, JsonNode manifest, Path archive,
                                                                  Path work, LogPoint point) throws IOException {
        return integrate(root, manifest, archive, work, point, 0);
    }

    /**
     * As {@link #integrate(Path, JsonNode, Path, Path, LogPoint)} when the staged database
     * already holds every operation through {@code heldNow} (an earlier pass brought it there):
     * only the segments after it are read (an in-place restore's pass with the database closed
     * reads what was committed meanwhile, not every archived segment again).
     */
    io.tetradb.server.log.LogIntegration.Result integrate(Path root, JsonNode manifest, Path archive, Path work,
                                                          LogPoint point, long heldNow) throws IOException {
        if (!manifest.has("lastOperation")) {
            throw new TetraException(ErrorCode.LOG_MISSING, "The archive " + archive.getFileName() + " records no "
                    + "position in the log (it was made before the log file): restore it with --no-log.");
        }
        long held = manifest.path("lastOperation").asLong();
        if (point.untilOperation() > 0 && point.untilOperation() < held) {
            throw new TetraException(ErrorCode.INVALID_ARGUMENT, "The archive " + archive.getFileName() + " already "
                    + "holds the operations up to " + held + ": it cannot be brought to operation "
                    + point.untilOperation() + "; restore an earlier archive.");
        }
        java.time.Instant started = java.time.Instant.parse(manifest.path("start").asText("1970-01-01T00:00:00Z"));
        if (point.untilTimeMillis() < started.toEpochMilli()) {
            throw new TetraException(ErrorCode.INVALID_ARGUMENT, "The archive " + archive.getFileName() + " was made"
                    + " at " + started + ", after " + java.time.Instant.ofEpochMilli(point.untilTimeMillis())
                    + ": it cannot be brought back to that time; restore an earlier archive.");
        }
        io.tetradb.protocol.BackupHistory history = this.history.get();
        long from = Math.max(held, heldNow);
        List<io.tetradb.server.log.LogIntegration.Source> sources = sources(from, work, history);
        Database db = new Database(new DataLayout(root));
        try {
            db.open();
            String id = io.tetradb.server.log.LogIntegration.databaseId(db.system());
            io.tetradb.server.log.Timeline timeline = io.tetradb.server.log.LogIntegration.timeline(id, sources);
            if (timeline.cancels(held)) {
                throw cancelledArchive(archive, held, timeline);
            }
            return io.tetradb.server.log.LogIntegration.integrate(db.system(), id, from, sources,
                    new io.tetradb.server.log.LogIntegration.Point(point.untilOperation(), point.untilTimeMillis()));
        } catch (TetraException e) {
            if (e.code() == ErrorCode.LOG_SEGMENT_MISSING) {
                throw new TetraException(ErrorCode.LOG_SEGMENT_MISSING, e.getMessage() + missingHint(history, held), e);
            }
            throw e;
        } catch (SQLException e) {
            throw new TetraException(ErrorCode.LOG_OPERATION_FAILED, "The restored database could not be brought "
                    + "forward with the log: " + RestoreService.reason(e), e);
        } finally {
            db.close();
        }
    }

    /**
     * The segments after operation {@code held}, in the order of their operations: those
     * archived in the destination (checked against the history's SHA-256, 1413 otherwise;
     * decompressed into {@code work}), the closed ones still in {@code Data/}, the current
     * log file up to its last whole frame.
     */
    List<io.tetradb.server.log.LogIntegration.Source> sources(long held, Path work,
                                                                        io.tetradb.protocol.BackupHistory h)
            throws IOException {
        List<io.tetradb.server.log.LogIntegration.Source> out = new ArrayList<>();
        List<io.tetradb.protocol.LogSegmentFile> ordered = new ArrayList<>();
        for (io.tetradb.protocol.LogSegmentFile f : io.tetradb.server.backup.SegmentArchiver.archivedSegments(h)) {
            if (f.getLastOperation() > held) {
                ordered.add(f);
            }
        }
        ordered.sort(java.util.Comparator.comparingLong(io.tetradb.protocol.LogSegmentFile::getFirstOperation));
        BackupSettings backupSettings = BackupSettings.load(layout);
        io.tetradb.server.backup.ArchiveStore store = backupSettings.store();
        io.tetradb.server.backup.BackupKey.Source keys = io.tetradb.server.backup.BackupKey.Source.of(backupSettings);
        String destination = store.describe();
        java.util.Set<String> present = store.remote() ? store.names() : null;
        Path logDir = Files.createTempDirectory(work, "log-"); // one per pass: an in-place restore reads twice
        for (io.tetradb.protocol.LogSegmentFile f : ordered) {
            Path zst = store.remote() ? logDir.resolve(f.getFile()) : store.localFile(f.getFile());
            if (store.remote() ? !present.contains(f.getFile()) : !Files.isRegularFile(zst)) {
                throw new TetraException(ErrorCode.LOG_SEGMENT_MISSING, "The log segment " + f.getFile() + " (operations "
                        + f.getFirstOperation() + " to " + f.getLastOperation() + ") is missing from " + destination + ".");
            }
            if (store.remote()) {
                // Fetched from the bucket, streamed, beside its decompressed copy (both in the work folder).
                try (java.io.InputStream in = store.open(f.getFile())) {
                    Files.copy(in, zst, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
            String sha = io.tetradb.server.log.OperationLog.sha256(zst);
            if (!sha.equals(f.getSha256())) {
                throw new TetraException(ErrorCode.LOG_SEGMENT_DAMAGED, "The log segment " + f.getFile()
                        + " fails its checksum: SHA-256 " + sha + ", the history records " + f.getSha256() + ".");
            }
            Path plain = logDir.resolve(f.getFile().replaceFirst("\\.zst(\\.enc)?$", ""));
            io.tetradb.server.backup.SegmentArchiver.decompress(zst, plain, keys);
            if (store.remote()) {
                Files.deleteIfExists(zst);
            }
            out.add(new io.tetradb.server.log.LogIntegration.Source(f.getFile(), plain, -1));
        }
        for (Path p : io.tetradb.server.backup.SegmentArchiver.closedSegmentsInOrder(layout)) {
            out.add(new io.tetradb.server.log.LogIntegration.Source(p.getFileName().toString(), p, -1));
        }
        io.tetradb.server.log.LogService service = logs.get();
        io.tetradb.server.log.OperationLog current = service == null ? null : service.log();
        if (current != null && Files.isRegularFile(current.file())) {
            out.add(new io.tetradb.server.log.LogIntegration.Source(current.file().getFileName().toString(),
                    current.file(), current.readableEnd()));
        } else if (current == null && Files.isRegularFile(layout.logFile())) {
            // The database is closed (an in-place restore's last pass, a restore at start): the whole file.
            out.add(new io.tetradb.server.log.LogIntegration.Source(layout.logFile().getFileName().toString(),
                    layout.logFile(), -1));
        }
        return out;
    }

    /**
     * The segments the history says should hold what is missing, from {@code held} on: those
     * backup-history.json records (a backup's, a {@code log new} one) that the destination no
     * longer holds, and the one each later backup archived beside its archive (they are named
     * after the backup).
     */
    String missingHint(io.tetradb.protocol.BackupHistory h, long held) {
        List<String> expected = new ArrayList<>();
        List<String> named = new ArrayList<>();
        io.tetradb.server.backup.ArchiveStore store;
        try {
            store = BackupSettings.load(layout).store();
        } catch (RuntimeException ex) {
            return "";
        }
        try {
            for (io.tetradb.protocol.LogSegmentFile f
                    : io.tetradb.server.backup.SegmentArchiver.recordedSegments(store, layout.databaseName())) {
                if (f.getLastOperation() > held && !named.contains(f.getFile()) && !store.exists(f.getFile())) {
                    expected.add(f.getFile() + " (" + (f.getSequence() == 0 ? "backup " : "log new after backup ")
                            + f.getBackup() + ", operations " + f.getFirstOperation() + " to " + f.getLastOperation()
                            + ", recorded in backup-history.json)");
                    named.add(f.getFile());
                }
            }
        } catch (IOException ex) {
            // The history cannot be read: the hint below, from the archives' entries, is all there is.
        }
        for (io.tetradb.protocol.BackupHistoryEntry e : h.getEntriesList()) {
            if (e.getLastOperation() > held && !e.getDatabaseId().isEmpty()) {
                String name = String.format(Locale.ROOT, "%s-%04d.journal.zst", layout.databaseName(), e.getNumber());
                String encrypted = name + io.tetradb.server.backup.EncryptedFile.SUFFIX;
                if (named.contains(name) || named.contains(encrypted)) {
                    continue;
                }
                boolean there;
                try {
                    there = store.exists(name) || store.exists(encrypted);
                } catch (IOException ex) {
                    there = false;
                }
                if (!there) {
                    expected.add(name + " (backup " + e.getNumber() + ", operations up to " + e.getLastOperation() + ")");
                }
            }
        }
        return expected.isEmpty() ? "" : " Not in the backup destination: " + String.join(", ", expected) + ".";
    }

    /** The last operation the log files in Data/ hold (the database is closed: whole files). */
    long lastLogged() throws IOException {
        long last = 0;
        List<Path> files = new ArrayList<>(io.tetradb.server.backup.SegmentArchiver.closedSegments(layout));
        if (Files.isRegularFile(layout.logFile())) {
            files.add(layout.logFile());
        }
        for (Path f : files) {
            try {
                last = Math.max(last, io.tetradb.server.log.SegmentReader.scan(f, null, t -> { }).lastOperation());
            } catch (TetraException | IOException e) {
                LOG.warn("The log file {} could not be read through: {}", f.getFileName(), e.getMessage());
            }
        }
        return last;
    }
}
