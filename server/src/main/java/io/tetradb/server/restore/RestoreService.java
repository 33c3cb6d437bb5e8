package io.tetradb.server.restore;

import com.fasterxml.jackson.databind.JsonNode;
import io.tetradb.client.ErrorCode;
import io.tetradb.protocol.RestoreReport;
import io.tetradb.client.TetraException;
import io.tetradb.protocol.VerifyReport;
import io.tetradb.server.DataLayout;
import io.tetradb.server.auth.UserStore;
import io.tetradb.server.backup.BackupJournal;
import io.tetradb.server.backup.BackupService;
import io.tetradb.server.backup.ArchiveStore;
import io.tetradb.server.backup.BackupSettings;
import io.tetradb.server.backup.EncryptedFile;
import io.tetradb.server.session.Session;
import io.tetradb.server.session.SessionRegistry;
import io.tetradb.server.sql.CatalogWriter;
import io.tetradb.server.sql.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * Verifies and restores backup archives (docs/backups.md). An archive is named by its
 * backup number (found in the backup destination) or by its file (a relative path is
 * taken from the destination).
 * <ul>
 * <li>{@link #verify}: every checksum, then the archive is extracted into a temporary
 * folder beside the destination, opened as a database of its own, and every table is
 * read to its last row; any failure is 1411 with the reason.</li>
 * <li>{@link #restoreTo}: extracts into a new folder that {@code tetra-server --data-dir}
 * opens (the data file is renamed after the folder when the names differ).</li>
 * <li>{@link #restoreInPlace}: verifies the archive first (a bad archive changes
 * nothing), puts the server in maintenance (other sessions and new connections get
 * 2008 with {@link #MAINTENANCE_MESSAGE}; once it ends, the other sessions' connections are
 * closed with 2008 {@link #RESTORED_MESSAGE}), closes the database, moves the current
 * folders to {@code Replaced Files (restore)/<yyyyMMdd-HHmmss>/}, puts the archive's in
 * their place and reopens the database; on a failure the previous files go back. The
 * current {@code Settings/} stays (a copy goes with the replaced files) unless the archive's
 * is asked for.</li>
 * </ul>
 * Each is journaled in {@code Logs/backup-journal.txt}. Restored folders and every file in
 * them, and the files moved into {@code Replaced Files (restore)}, are owner-only (folders
 * {@code 0700}, files {@code 0600}; docs/security.md).
 *
 * <p>Runs on the requesting admin session's worker task. While an in-place restore swaps
 * the files it holds the backup service's start hold ({@link BackupService#holdStarts}),
 * taken only when no backup runs: a backup start waits for it, so none can begin until
 * the database is open again. No lock of the backup service is held meanwhile.
 */
public final class RestoreService {
    private static final Logger LOG = LoggerFactory.getLogger(RestoreService.class);
    /** What other sessions and new connections are told (2008) during an in-place restore. */
    public static final String MAINTENANCE_MESSAGE = "The server is in maintenance: a restore is in progress.";
    /**
     * What the connections the maintenance held are told (2008) as they are closed once the
     * restore has ended and the database is open again: new connections work at once.
     */
    public static final String RESTORED_MESSAGE = "The database was restored in place: this connection was "
            + "closed; connect again.";
    /** As {@link #RESTORED_MESSAGE}, after a rollback. */
    public static final String ROLLED_BACK_MESSAGE = "The database was rolled back in place: this connection was "
            + "closed; connect again.";
    /** As {@link #RESTORED_MESSAGE}, when the in-place restore failed and the previous files are back. */
    public static final String FAILED_MESSAGE = "The in-place restore failed and the database is as it was: this "
            + "connection was closed; connect again.";
    /** The folder of the database that keeps the files an in-place restore replaced. */
    public static final String REPLACED_FILES = "Replaced Files (restore)";
    /** The folder of the database that keeps a damaged data file the server replaced at start. */
    public static final String REPLACED_FILES_DAMAGED = "Replaced Files (damaged)";
    /** The folder of the database that keeps the files a rollback replaced. */
    public static final String REPLACED_FILES_ROLLBACK = "Replaced Files (rollback)";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT);
    private static final Duration SESSIONS_END_TIMEOUT = Duration.ofSeconds(30);
    private static final String MANIFEST = "MANIFEST.json";
    /** The settings folder, kept by an in-place restore unless asked for from the archive. */
    private static final String SETTINGS = "Settings";

    private final DataLayout layout;
    private final Database database;
    private final CatalogWriter catalog;
    private final UserStore users;
    private final SessionRegistry sessions;
    private final BackupService backups;
    private final BackupJournal journal;
    private final ReentrantLock inPlace = new ReentrantLock();
    private final LogForward forward;
    private volatile int maxReplyBytes = io.tetradb.protocol.ProtocolVersion.DEFAULT_MAX_FRAME_SIZE;
    private volatile Runnable maintenanceListener = () -> { };
    private volatile Runnable integrationListener = () -> { };
    private volatile Runnable servingPassListener = () -> { };
    private volatile java.util.function.Supplier<io.tetradb.server.log.LogService> logs = () -> null;

    public RestoreService(DataLayout layout, Database database, CatalogWriter catalog, UserStore users,
                          SessionRegistry sessions, BackupService backups) {
        this.layout = layout;
        this.database = database;
        this.catalog = catalog;
        this.users = users;
        this.sessions = sessions;
        this.backups = backups;
        this.journal = new BackupJournal(layout.logsDir());
        this.forward = new LogForward(layout, () -> logs.get(), this::history);
    }

    /** For tests: called on the restoring thread when a restore begins integrating the log (backups refused). */
    public void onIntegration(Runnable listener) {
        integrationListener = listener == null ? () -> { } : listener;
    }

    /**
     * For tests: called on the restoring thread when an in-place restore has brought the
     * archive forward while the server still serves, before maintenance (writes made then are
     * integrated by the pass with the database closed).
     */
    public void onServingPassDone(Runnable listener) {
        servingPassListener = listener == null ? () -> { } : listener;
    }

    /** Where restores find the server's log (the current log file is integrated too). */
    public void logs(java.util.function.Supplier<io.tetradb.server.log.LogService> source) {
        logs = source == null ? () -> null : source;
    }

    /**
     * How far a restore brings the archive forward with the log (docs/restore-with-log.md): not at all
     * ({@code noLog}), to its end, or to a point (an operation number, a time; 0 and
     * {@code Long.MAX_VALUE} for none).
     */
    public record LogPoint(boolean noLog, long untilOperation, long untilTimeMillis) {
        public static LogPoint end() {
            return new LogPoint(false, 0, Long.MAX_VALUE);
        }

        public static LogPoint none() {
            return new LogPoint(true, 0, Long.MAX_VALUE);
        }
    }

    /**
     * For tests and diagnostics: called on the restoring thread once the server is in
     * maintenance and the other sessions have ended, before any file moves.
     */
    public void onMaintenance(Runnable listener) {
        maintenanceListener = listener == null ? () -> { } : listener;
    }

    /** What a database check found: tables read and rows counted. */
    record Check(int tables, long rows) {
    }

    // ------------------------------------------------------------------ verify

    /**
     * Verifies archive {@code number} (or {@code file}): checksums, then the restored
     * database opens and every table reads back.
     *
     * @throws TetraException 1411 naming the entry or the reason, 2010 when the archive is not found
     */
    public VerifyReport verify(long number, String file) {
        Path archive = locate(number, file);
        long journalNumber = number;
        Path work = null;
        try {
            work = workFolder();
            Path extracted = work.resolve("extract");
            JsonNode manifest = read(archive, extracted);
            journalNumber = manifest.path("number").asLong(number);
            Check check = new Check(0, 0);
            String dbName = manifest.path("database").asText("");
            if (hasDataFile(manifest)) {
                Path db = extracted;
                if (isPlainName(dbName)) {
                    db = work.resolve(dbName);
                    Files.move(extracted, db);
                }
                renameDataFiles(db, dbName);
                completeFromLive(layout, db);
                check = check(db, archive);
            }
            int entries = manifest.path("entries").size();
            LogCheck log = manifest.has("lastOperation") ? checkLog(manifest, archive, work, check) : null;
            Map<String, Object> ok = fields("archive", shown(archive), "result", "ok", "entries", entries, "tables",
                    check.tables(), "rows", check.rows());
            if (log != null) {
                ok.put("logSegments", String.join(",", log.segments()));
                ok.put("logLastOperation", log.lastOperation());
            }
            journal.event(journalNumber, "verify", false, verbose(), ok);
            LOG.info("Archive {} verified: {} entries, {} tables, {} rows{}.", archive.getFileName(), entries,
                    check.tables(), check.rows(), log == null ? "" : "; the log after it is unbroken to operation "
                            + log.lastOperation() + " (" + String.join(", ", log.segments()) + ")");
            VerifyReport.Builder report = VerifyReport.newBuilder().setArchive(shown(archive)).setEntries(entries)
                    .setTables(check.tables()).setRows(check.rows()).setNumber(Math.max(0, journalNumber))
                    .setLogChecked(log != null);
            if (log != null) {
                report.addAllLogSegments(log.segments()).setLogLastOperation(log.lastOperation());
            }
            return report.build();
        } catch (TetraException e) {
            journal.event(journalNumber, "verify-failed", true, verbose(), fields("archive", shown(archive), "code",
                    e.rawCode(), "message", e.getMessage()));
            LOG.warn("Archive {} failed verification: {}", archive.getFileName(), e.getMessage());
            throw e;
        } catch (IOException e) {
            TetraException t = new TetraException(ErrorCode.BACKUP_IO, "The archive " + archive.getFileName()
                    + " could not be verified: read or write error: " + e.getMessage(), e);
            journal.event(journalNumber, "verify-failed", true, verbose(), fields("archive", shown(archive), "code",
                    t.rawCode(), "message", t.getMessage()));
            throw t;
        } finally {
            deleteQuietly(work);
        }
    }

    // ------------------------------------------------------------------ window

    /** A run of operations the log holds (good) or should hold (not good: damaged). */
    private record Span(String name, long first, long last, boolean good, String reason) {
    }

    /**
     * {@code backup window} (docs/restore-with-log.md): per archive, the operation the unbroken log
     * after it reaches, and every gap in the log (a segment missing, or failing its
     * checksum). The archived segments are checked against their SHA-256; the closed ones in
     * {@code Data/} are read through; the current log file counts up to its last operation.
     */
    public io.tetradb.protocol.BackupWindow window() {
        try {
            io.tetradb.protocol.BackupHistory history = history();
            ArchiveStore store = BackupSettings.load(layout).store();
            java.util.Set<String> present = store.names();
            List<Span> spans = new ArrayList<>();
            for (io.tetradb.protocol.LogSegmentFile f : io.tetradb.server.backup.SegmentArchiver.archivedSegments(
                    history)) {
                if (f.getLastOperation() < f.getFirstOperation()) {
                    continue; // holds none
                }
                String sha = store.localFile(f.getFile()) != null
                        ? io.tetradb.server.log.OperationLog.sha256(store.localFile(f.getFile())) : store.sha256(f.getFile());
                boolean good = sha.equals(f.getSha256());
                spans.add(new Span(f.getFile(), f.getFirstOperation(), f.getLastOperation(), good,
                        good ? null : "damaged: its SHA-256 is " + sha + ", the history records " + f.getSha256()));
            }
            for (Path p : io.tetradb.server.backup.SegmentArchiver.closedSegments(layout)) {
                try {
                    io.tetradb.server.log.SegmentScan sc = io.tetradb.server.log.SegmentReader.scan(p, null, t -> { });
                    spans.add(new Span(p.getFileName().toString(), sc.header().getFirstOperation(),
                            sc.lastOperation(), true, null));
                } catch (TetraException e) {
                    spans.add(new Span(p.getFileName().toString(), 0, 0, false, "damaged: " + e.getMessage()));
                }
            }
            long logEnd = 0;
            io.tetradb.server.log.LogService service = logs.get();
            io.tetradb.server.log.OperationLog current = service == null ? null : service.log();
            if (current != null) {
                logEnd = current.lastOperation();
                spans.add(new Span(current.file().getFileName().toString(), current.header().getFirstOperation(),
                        logEnd, true, null));
            }
            spans.sort(Comparator.comparingLong(Span::first));
            List<io.tetradb.protocol.BackupHistoryEntry> kept = new ArrayList<>();
            for (io.tetradb.protocol.BackupHistoryEntry e : history.getEntriesList()) {
                if (!e.getFile().isEmpty() && present.contains(e.getFile())) {
                    kept.add(e);
                }
            }
            long oldest = kept.stream().filter(e -> !e.getDatabaseId().isEmpty())
                    .mapToLong(io.tetradb.protocol.BackupHistoryEntry::getLastOperation).min().orElse(logEnd);
            io.tetradb.protocol.BackupWindow.Builder w = io.tetradb.protocol.BackupWindow.newBuilder()
                    .setLogLastOperation(logEnd);
            io.tetradb.server.log.Timeline timeline = forward.currentTimeline();
            for (io.tetradb.protocol.log.CancelledSpan c : timeline.spans()) {
                w.addCancelled(io.tetradb.protocol.TimelineCut.newBuilder().setFirstOperation(c.getFirstOperation())
                        .setLastOperation(c.getLastOperation()).setAtMillis(c.getAtMillis()).setReason(c.getReason()));
            }
            // The gaps: from the oldest archive's position on, what no good span holds.
            long covered = oldest;
            for (Span sp : spans) {
                if (!sp.good() || sp.last() <= covered) {
                    continue;
                }
                if (sp.first() > covered + 1) {
                    w.addGaps(gap(covered + 1, sp.first() - 1, spans, history));
                }
                covered = sp.last();
            }
            if (covered < logEnd) {
                w.addGaps(gap(covered + 1, logEnd, spans, history));
            }
            for (io.tetradb.protocol.BackupHistoryEntry e : kept) {
                io.tetradb.protocol.ArchiveWindow.Builder a = io.tetradb.protocol.ArchiveWindow.newBuilder()
                        .setNumber(e.getNumber()).setFile(e.getFile()).setBackupStartMillis(e.getStartMillis())
                        .setLogPosition(!e.getDatabaseId().isEmpty())
                        .setCancelledTimeline(!e.getDatabaseId().isEmpty() && timeline.cancels(e.getLastOperation()));
                if (a.getLogPosition()) {
                    long to = e.getLastOperation();
                    for (Span sp : spans) {
                        if (sp.good() && sp.first() <= to + 1 && sp.last() > to) {
                            to = sp.last();
                        }
                    }
                    a.setFromOperation(e.getLastOperation()).setToOperation(to).setToCurrent(current != null && to >= logEnd);
                }
                w.addArchives(a);
            }
            return w.build();
        } catch (IOException e) {
            throw new TetraException(ErrorCode.BACKUP_IO, "The backup window could not be read: " + e.getMessage(), e);
        }
    }

    /** The gap from {@code first} to {@code last}: the damaged segment over it, else the one the history expects. */
    private io.tetradb.protocol.LogGap gap(long first, long last, List<Span> spans,
                                           io.tetradb.protocol.BackupHistory history) {
        io.tetradb.protocol.LogGap.Builder g = io.tetradb.protocol.LogGap.newBuilder().setFirstOperation(first)
                .setLastOperation(last).setReason("missing");
        for (Span sp : spans) {
            if (!sp.good() && (sp.first() == 0 || (sp.first() <= last && sp.last() >= first))) {
                return g.setSegment(sp.name()).setReason(sp.reason()).build();
            }
        }
        for (io.tetradb.protocol.BackupHistoryEntry e : history.getEntriesList()) {
            if (!e.getDatabaseId().isEmpty() && e.getLastOperation() >= first && e.getLastOperation() <= last + 1) {
                return g.setSegment(String.format(Locale.ROOT, "%s-%04d.journal.zst", layout.databaseName(),
                        e.getNumber())).build();
            }
        }
        return g.build();
    }

    /** What the check of the log after an archive found: the segments read, in order, and where it ends. */
    private record LogCheck(List<String> segments, long lastOperation) {
    }

    /**
     * Checks the log after the archive (docs/restore-with-log.md): every archived segment's SHA-256
     * against the history, every frame's checksum in each segment up to the current log's
     * end, and that no operation is missing between the archive and that end.
     *
     * @throws TetraException 1412 at a gap, 1413 for a damaged segment, 1416 for another
     *                        database's, each saying that the archive itself verified
     */
    private LogCheck checkLog(JsonNode manifest, Path archive, Path work, Check check) throws IOException {
        long held = manifest.path("lastOperation").asLong();
        String id = manifest.path("databaseId").asText("");
        io.tetradb.protocol.BackupHistory history = history();
        String verified = "The archive " + archive.getFileName() + " verified (" + check.tables() + " tables, "
                + check.rows() + " rows), but the log after it does not: ";
        try {
            io.tetradb.server.log.LogIntegration.Read read = io.tetradb.server.log.LogIntegration.read(
                    id.isEmpty() ? null : id, held, forward.sources(held, work, history), tx -> true);
            return new LogCheck(read.segments(), read.lastOperation());
        } catch (TetraException e) {
            if (e.code() == ErrorCode.LOG_SEGMENT_MISSING) {
                throw new TetraException(e.code(), verified + e.getMessage() + forward.missingHint(history, held), e);
            }
            if (e.code() == ErrorCode.LOG_SEGMENT_DAMAGED || e.code() == ErrorCode.LOG_SEGMENT_FOREIGN) {
                throw new TetraException(e.code(), verified + e.getMessage(), e);
            }
            throw e;
        } catch (SQLException e) {
            throw new IllegalStateException("checking the log runs no SQL", e);
        }
    }

    /** Opens the database in {@code root} on its own and reads all of it; 1411 with the reason on any failure. */
    static Check check(Path root, Path archive) {
        Database db = new Database(new DataLayout(root));
        try {
            db.open();
            return readEverything(db.system());
        } catch (SQLException | IOException | RuntimeException e) {
            throw new TetraException(ErrorCode.BACKUP_VERIFY_FAILED, "The database in the archive "
                    + archive.getFileName() + " does not open or read back: " + reason(e), e);
        } finally {
            db.close();
        }
    }

    /**
     * The checks of a database: its structure scripts, and every table reads to its last row
     * and value (large objects to their end). Returns the tables read and the rows counted.
     */
    static Check readEverything(Connection c) throws SQLException, IOException {
        synchronized (c) {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SCRIPT NODATA")) {
                while (rs.next()) {
                    rs.getString(1);
                }
            }
            List<String[]> tables = new ArrayList<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT TABLE_SCHEMA, TABLE_NAME FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_TYPE = 'BASE TABLE' "
                            + "AND TABLE_SCHEMA <> 'INFORMATION_SCHEMA' ORDER BY TABLE_SCHEMA, TABLE_NAME")) {
                while (rs.next()) {
                    tables.add(new String[] {rs.getString(1), rs.getString(2)});
                }
            }
            long rows = 0;
            for (String[] t : tables) {
                rows += readAll(c, t[0], t[1]);
            }
            return new Check(tables.size(), rows);
        }
    }

    /** Reads every row and value of a table (large objects to their end); returns the row count. */
    private static long readAll(Connection c, String schema, String table) throws SQLException, IOException {
        long rows = 0;
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT * FROM " + quote(schema) + "." + quote(table))) {
            int columns = rs.getMetaData().getColumnCount();
            char[] chars = new char[8192];
            byte[] bytes = new byte[8192];
            while (rs.next()) {
                for (int i = 1; i <= columns; i++) {
                    Object v = rs.getObject(i);
                    if (v instanceof Blob b) {
                        try (InputStream in = b.getBinaryStream()) {
                            while (in.read(bytes) >= 0) {
                                // read to the end: the engine checks every page it reads
                            }
                        }
                    } else if (v instanceof Clob cl) {
                        try (Reader r = cl.getCharacterStream()) {
                            while (r.read(chars) >= 0) {
                                // as above
                            }
                        }
                    }
                }
                rows++;
            }
        }
        return rows;
    }

    // ------------------------------------------------------------------ restore to a folder

    /**
     * Restores archive {@code number} (or {@code file}) into {@code toDir}, which must not
     * exist or be empty (a relative path is taken beside the database folder). The
     * result is a database folder that {@code tetra-server --data-dir toDir} opens.
     *
     * @throws TetraException 1411 when the archive is damaged, 2010 when it or the folder is not usable
     */
    public RestoreReport restoreTo(long number, String file, Path toDir) {
        return restoreTo(number, file, toDir, LogPoint.none());
    }

    /**
     * As {@link #restoreTo(long, String, Path)}, then brought forward with the log to
     * {@code point}: the segments archived after it, the closed ones still in {@code Data/}
     * and the current log file, in the order of their operations.
     *
     * @throws TetraException also 1403 (the archive records no log position), 1412 (a gap in
     *                        the log), 1413 / 1416 (a segment fails its checks or is another
     *                        database's), 1420 (an operation could not be applied)
     */
    public RestoreReport restoreTo(long number, String file, Path toDir, LogPoint point) {
        Path archive = locate(number, file);
        Path to = target(toDir);
        long journalNumber = number;
        long start = System.currentTimeMillis();
        journal.event(number, "restore-start", true, verbose(), fields("archive", shown(archive), "mode", "to", "to", to));
        Path work = null;
        try {
            Files.createDirectories(to.getParent());
            work = Files.createTempDirectory(to.getParent(), "." + to.getFileName() + ".restore-");
            Path staged = work.resolve(to.getFileName().toString());
            JsonNode manifest = stage(archive, staged);
            journalNumber = manifest.path("number").asLong(number);
            completeFromLive(layout, staged);
            io.tetradb.server.log.LogIntegration.Result integrated = null;
            if (!point.noLog()) {
                try (BackupService.StartHold hold = holdForIntegration()) {
                    integrationListener.run();
                    integrated = forward.integrate(staged, manifest, archive, work, point);
                }
            }
            DataLayout.restrictTree(staged);
            if (Files.isDirectory(to)) {
                Files.delete(to); // empty, checked above; fails if something arrived meanwhile
            }
            move(staged, to);
            Map<String, Object> end = fields("archive", shown(archive), "mode", "to", "to", to, "durationMillis",
                    System.currentTimeMillis() - start);
            RestoreReport.Builder report = RestoreReport.newBuilder().setArchive(shown(archive))
                    .setDatabaseDir(to.toString()).setInPlace(false).setNumber(Math.max(0, journalNumber))
                    .setLogIntegrated(integrated != null)
                    .setLastOperation(integrated != null ? integrated.lastOperation()
                            : manifest.path("lastOperation").asLong(0));
            if (integrated != null) {
                report.addAllLogSegments(integrated.segments()).setTransactionsIntegrated(integrated.transactions())
                        .setOperationsIntegrated(integrated.operations()).setIntegrationMillis(integrated.millis())
                        .setStoppedAtPoint(integrated.stoppedAtPoint());
                end.put("segments", String.join(",", integrated.segments()));
                end.put("operationsIntegrated", integrated.operations());
                end.put("lastOperation", integrated.lastOperation());
            }
            journal.event(journalNumber, "restore-end", true, verbose(), end);
            if (integrated == null) {
                LOG.info("Archive {} restored into {} (without the log).", archive.getFileName(), to);
            } else {
                LOG.info("Archive {} restored into {} and brought forward with the log: {} transaction(s), {} "
                                + "operation(s) from {} in {} ms, up to operation {}.", archive.getFileName(), to,
                        integrated.transactions(), integrated.operations(), integrated.segments(), integrated.millis(),
                        integrated.lastOperation());
            }
            return report.build();
        } catch (TetraException e) {
            failed(journalNumber, archive, e, false);
            throw e;
        } catch (IOException e) {
            TetraException t = new TetraException(ErrorCode.BACKUP_IO, "The archive " + archive.getFileName()
                    + " could not be restored into " + to + ": read or write error: " + e.getMessage(), e);
            failed(journalNumber, archive, t, false);
            throw t;
        } finally {
            deleteQuietly(work);
        }
    }

    /**
     * {@code restore --at T --to DIR} (docs/restore-with-log.md): the last archive kept whose backup
     * ended at or before {@code atMillis} (its gate closed before that), brought forward with the
     * log to {@code atMillis}.
     *
     * @throws TetraException 2010 when no archive with a log position ended before that time
     */
    public RestoreReport restoreAt(long atMillis, Path toDir) {
        io.tetradb.protocol.BackupHistoryEntry chosen = archiveBefore(0, atMillis);
        return restoreTo(0, chosen.getFile(), toDir, new LogPoint(false, 0, atMillis));
    }

    /**
     * The archive to bring to a point (docs/restore-with-log.md): of the archives kept with a log
     * position and on the database's history as it now is (not holding operations a rollback
     * cancelled), for an operation the one holding the most operations up to it, for a time
     * the last whose backup ended at or before it.
     *
     * @throws TetraException 2010 when none qualifies
     */
    io.tetradb.protocol.BackupHistoryEntry archiveBefore(long untilOperation, long atMillis) {
        io.tetradb.protocol.BackupHistoryEntry chosen = null;
        ArchiveStore store = BackupSettings.load(layout).store();
        String destination = store.describe();
        io.tetradb.server.log.Timeline timeline = forward.currentTimeline();
        try {
            java.util.Set<String> present = store.names();
            for (io.tetradb.protocol.BackupHistoryEntry e : history().getEntriesList()) {
                boolean usable = !e.getDatabaseId().isEmpty() && !e.getFile().isEmpty()
                        && present.contains(e.getFile())
                        && !timeline.cancels(e.getLastOperation());
                if (!usable) {
                    continue;
                }
                if (untilOperation > 0 ? e.getLastOperation() <= untilOperation
                        && (chosen == null || e.getLastOperation() > chosen.getLastOperation())
                        : e.getEndMillis() > 0 && e.getEndMillis() <= atMillis
                        && (chosen == null || e.getEndMillis() > chosen.getEndMillis())) {
                    chosen = e;
                }
            }
        } catch (ArchiveStore.DestinationException e) {
            throw new TetraException(ErrorCode.BACKUP_DESTINATION, "The backup history could not be read: "
                    + e.getMessage(), e);
        } catch (IOException e) {
            throw new TetraException(ErrorCode.BACKUP_IO, "The backup history could not be read: " + e.getMessage(), e);
        }
        if (chosen == null) {
            throw new TetraException(ErrorCode.INVALID_ARGUMENT, "No archive kept in " + destination + " was made "
                    + "before " + (untilOperation > 0 ? "operation " + untilOperation
                    : java.time.Instant.ofEpochMilli(atMillis).toString()) + " (with the log): nothing can be brought "
                    + "to that point.");
        }
        LOG.info("Archive {} (backup {}, holding the operations up to {}, ended {}) is brought to {}.",
                chosen.getFile(), chosen.getNumber(), chosen.getLastOperation(),
                java.time.Instant.ofEpochMilli(chosen.getEndMillis()), untilOperation > 0 ? "operation "
                        + untilOperation : java.time.Instant.ofEpochMilli(atMillis));
        return chosen;
    }

    /** An archive holding operations a rollback cancelled is not brought forward, nor restored in place. */
    private void refuseCancelledArchive(Path archive, long held) {
        io.tetradb.server.log.Timeline t = forward.currentTimeline();
        if (t.cancels(held)) {
            throw LogForward.cancelledArchive(archive, held, t);
        }
    }

    /** The folder to restore into: absolute, not the live database, missing or empty. */
    private Path target(Path toDir) {
        if (toDir == null || toDir.toString().isBlank()) {
            throw new TetraException(ErrorCode.INVALID_ARGUMENT, "Name the folder to restore into.");
        }
        Path base = layout.root().getParent() != null ? layout.root().getParent() : layout.root();
        Path to = (toDir.isAbsolute() ? toDir : base.resolve(toDir)).normalize();
        if (to.getParent() == null || to.getFileName() == null) {
            throw new TetraException(ErrorCode.INVALID_ARGUMENT, "Cannot restore into " + to + ": name a folder.");
        }
        if (to.startsWith(layout.root()) || layout.root().startsWith(to)) {
            throw new TetraException(ErrorCode.INVALID_ARGUMENT, "Cannot restore into " + to
                    + ": it holds the running database; restore into a new folder or in place.");
        }
        if (Files.exists(to)) {
            if (!Files.isDirectory(to)) {
                throw new TetraException(ErrorCode.INVALID_ARGUMENT, "Cannot restore into " + to
                        + ": it is a file, not a folder.");
            }
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(to)) {
                if (ds.iterator().hasNext()) {
                    throw new TetraException(ErrorCode.INVALID_ARGUMENT, "Cannot restore into " + to
                            + ": the folder is not empty.");
                }
            } catch (IOException e) {
                throw new TetraException(ErrorCode.INVALID_ARGUMENT, "Cannot restore into " + to + ": "
                        + e.getMessage(), e);
            }
        }
        return to;
    }

    // ------------------------------------------------------------------ restore in place

    /** Restores archive {@code number} (or {@code file}) in place, brought forward with the log to its end. */
    public RestoreReport restoreInPlace(long number, String file, Session requester) {
        return restoreInPlace(number, file, LogPoint.end(), requester);
    }

    /**
     * Restores archive {@code number} (or {@code file}) over the running database, brought
     * forward with the log to {@code point} (docs/restore-with-log.md). Runs on {@code requester}'s
     * worker task; the requester's session stays open and gets a new engine connection, every
     * other session is ended. The log is integrated in two passes: while the server still
     * serves, up to what the log holds then, and with the database closed, the rest. The log
     * files stay the database's: when the restored database holds fewer operations than the
     * log (a point, or {@code noLog}), the operations after it are cancelled (a new timeline).
     *
     * @throws TetraException 1411 when the archive is damaged (nothing changed), 1419 while a
     *                        backup runs, 1403 / 1412 / 1413 / 1416 / 1420 as for a restore to a
     *                        folder, 2010 when the archive is not found or the requester has an
     *                        open transaction
     */
    public RestoreReport restoreInPlace(long number, String file, LogPoint point, Session requester) {
        return restoreInPlace(number, file, point, false, requester);
    }

    /**
     * As {@link #restoreInPlace(long, String, LogPoint, Session)}; {@code restoreSettings} takes
     * the archive's {@code Settings/} too (by default the current {@code Settings/} is kept and a
     * copy of it goes with the replaced files).
     */
    public RestoreReport restoreInPlace(long number, String file, LogPoint point, boolean restoreSettings,
                                        Session requester) {
        return exclusive(() -> inPlace(locate(number, file), number, point, requester, Mode.RESTORE,
                restoreSettings));
    }

    /** {@code restore --at T --in-place}: the last archive made before {@code atMillis}, brought to it. */
    public RestoreReport restoreAtInPlace(long atMillis, Session requester) {
        return restoreAtInPlace(atMillis, false, requester);
    }

    /** As {@link #restoreAtInPlace(long, Session)}; {@code restoreSettings} takes the archive's Settings/ too. */
    public RestoreReport restoreAtInPlace(long atMillis, boolean restoreSettings, Session requester) {
        io.tetradb.protocol.BackupHistoryEntry chosen = archiveBefore(0, atMillis);
        return exclusive(() -> inPlace(locate(0, chosen.getFile()), chosen.getNumber(),
                new LogPoint(false, 0, atMillis), requester, Mode.RESTORE, restoreSettings));
    }

    /**
     * {@code rollback --to-op OP | --to-time T [--dry-run]} (docs/restore-with-log.md, 4D's rollback):
     * the last archive before the point restored in place and brought forward with the log to
     * it; the operations after it are cancelled (a new timeline) and the replaced files kept in
     * {@code Replaced Files (rollback)}. A dry run changes nothing and lists the operations that
     * would be cancelled.
     *
     * @throws TetraException 2010 for a bad point or when no archive is before it, and what an
     *                        in-place restore throws
     */
    public io.tetradb.protocol.RollbackReport rollback(io.tetradb.protocol.RollbackRequest req, Session requester) {
        if (req.getToOperation() < 0 || req.getToTimeMillis() < 0) {
            throw new TetraException(ErrorCode.INVALID_ARGUMENT, "to_operation and to_time_millis must not be "
                    + "negative.");
        }
        if ((req.getToOperation() > 0) == (req.getToTimeMillis() > 0)) {
            throw new TetraException(ErrorCode.INVALID_ARGUMENT, "Name the point to roll back to: an operation "
                    + "number or a time, not both.");
        }
        LogPoint point = new LogPoint(false, req.getToOperation(),
                req.getToTimeMillis() > 0 ? req.getToTimeMillis() : Long.MAX_VALUE);
        io.tetradb.protocol.BackupHistoryEntry chosen = archiveBefore(req.getToOperation(),
                req.getToTimeMillis() > 0 ? req.getToTimeMillis() : Long.MAX_VALUE);
        Path archive = locate(0, chosen.getFile());
        if (req.getDryRun()) {
            return dryRun(archive, chosen, point, req.getLimit() == 0 ? 1000 : Math.min(req.getLimit(), 10_000));
        }
        io.tetradb.server.log.Timeline before = forward.currentTimeline();
        RestoreReport r = exclusive(() -> inPlace(archive, chosen.getNumber(), point, requester, Mode.ROLLBACK,
                req.getRestoreSettings()));
        long cancelled = r.getCancelledLastOperation() == 0 ? 0
                : before.notCancelled(r.getCancelledFirstOperation(), r.getCancelledLastOperation());
        return io.tetradb.protocol.RollbackReport.newBuilder().setArchive(shown(archive))
                .setNumber(chosen.getNumber()).setLastOperationKept(r.getLastOperation())
                .setOperationsCancelled(cancelled).setRestore(r).build();
    }

    /**
     * What a rollback to {@code point} from {@code archive} would cancel: every transaction of
     * the database's history from the first one after the point on, its operations listed up
     * to {@code limit} and the reply's byte budget.
     */
    private io.tetradb.protocol.RollbackReport dryRun(Path archive, io.tetradb.protocol.BackupHistoryEntry entry,
                                                      LogPoint point, int limit) {
        io.tetradb.protocol.RollbackReport.Builder b = io.tetradb.protocol.RollbackReport.newBuilder().setDryRun(true)
                .setArchive(shown(archive)).setNumber(entry.getNumber());
        long held = entry.getLastOperation();
        io.tetradb.server.log.LogIntegration.Point p = new io.tetradb.server.log.LogIntegration.Point(
                point.untilOperation(), point.untilTimeMillis());
        Path work = null;
        try (BackupService.StartHold hold = holdForIntegration()) {
            work = workFolder();
            List<io.tetradb.server.log.LogIntegration.Source> sources = forward.sources(held, work, history());
            boolean[] past = {false};
            long[] kept = {held};
            long[] bytes = {0};
            io.tetradb.server.log.LogIntegration.read(entry.getDatabaseId(), held, sources, tx -> {
                long last = tx.getFirstOperation() + tx.getOperationsCount() - 1;
                if (last <= held) {
                    return true; // in the archive
                }
                if (!past[0] && !p.excludes(tx)) {
                    kept[0] = last;
                    return true;
                }
                past[0] = true;
                b.setTransactionsCancelled(b.getTransactionsCancelled() + 1)
                        .setOperationsCancelled(b.getOperationsCancelled() + tx.getOperationsCount());
                for (int i = 0; i < tx.getOperationsCount() && !b.getTruncated(); i++) {
                    io.tetradb.protocol.LogOperationInfo info = io.tetradb.server.log.LogCommands.info(tx,
                            tx.getFirstOperation() + i, tx.getOperations(i));
                    bytes[0] += info.getSerializedSize() + 6;
                    if (b.getOperationsCount() >= limit || bytes[0] > maxReplyBytes - 4096) {
                        b.setTruncated(true);
                    } else {
                        b.addOperations(info);
                    }
                }
                return true;
            });
            return b.setLastOperationKept(kept[0]).build();
        } catch (IOException | SQLException e) {
            throw new TetraException(ErrorCode.BACKUP_IO, "The log could not be read for the dry run: " + reason(e), e);
        } finally {
            deleteQuietly(work);
        }
    }

    /** The largest reply a client accepts (the server's frame limit): a dry run's list stays within it. */
    public void maxReplyBytes(int bytes) {
        maxReplyBytes = bytes;
    }

    /** Moves the engine's files of {@code fromData} (everything but the log files) to {@code toData}. */
    static void moveEngineFiles(DataLayout layout, Path fromData, Path toData) throws IOException {
        if (!Files.isDirectory(fromData)) {
            return;
        }
        Files.createDirectories(toData);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(fromData)) {
            for (Path f : ds) {
                if (!isLogFile(layout, f) && Files.isRegularFile(f)) {
                    move(f, toData.resolve(f.getFileName().toString()));
                }
            }
        }
    }

    /** The log file or a closed segment of this database. */
    static boolean isLogFile(DataLayout layout, Path f) {
        return io.tetradb.server.backup.SegmentArchiver.isLogFileName(layout.databaseName(), f.getFileName().toString());
    }

    /** What an in-place restore is for: its journal events, its folder of replaced files. */
    enum Mode {
        RESTORE("restore", REPLACED_FILES), ROLLBACK("rollback", REPLACED_FILES_ROLLBACK);

        final String event;
        final String folder;

        Mode(String event, String folder) {
            this.event = event;
            this.folder = folder;
        }
    }

    // ------------------------------------------------------------------ replaced files

    /** {@code tetra-admin replaced list}: the Replaced Files folders, what put each there, entries, sizes. */
    public io.tetradb.protocol.ReplacedFilesList replacedFiles() {
        try {
            return new ReplacedFiles(layout).list();
        } catch (IOException e) {
            throw new TetraException(ErrorCode.BACKUP_IO, "The Replaced Files folders could not be read: "
                    + e.getMessage(), e);
        }
    }

    /** The size of the Replaced Files folders together; 0 when they cannot be read (the status shows it). */
    public long replacedFilesBytes() {
        try {
            return new ReplacedFiles(layout).totalBytes();
        } catch (IOException | RuntimeException e) {
            LOG.debug("The Replaced Files folders could not be measured: {}", e.toString());
            return 0;
        }
    }

    /**
     * {@code tetra-admin replaced remove NAME | --all}: deletes a Replaced Files folder, one of
     * its entries, or all of them; never beside an in-place restore or a rollback.
     *
     * @throws TetraException 1417 while an in-place restore or a rollback runs, 2010 for a name
     *                        that names nothing, 1409 when a file could not be deleted
     */
    public io.tetradb.protocol.ReplacedFilesRemoved removeReplacedFiles(String name, boolean all, Session caller) {
        if (!inPlace.tryLock()) {
            throw new TetraException(ErrorCode.LOG_INTEGRATION_RUNNING, "An in-place restore or a rollback is "
                    + "running: the Replaced Files folders can be removed once it has ended.");
        }
        try {
            io.tetradb.protocol.ReplacedFilesRemoved r = new ReplacedFiles(layout).remove(name, all);
            LOG.info("Replaced files removed by {}: {} ({} bytes, {} files).", caller.user(), r.getRemovedList(),
                    r.getFreedBytes(), r.getFiles());
            journal.event(0, "replaced-removed", true, verbose(), fields("by", caller.user(), "removed",
                    String.join(",", r.getRemovedList()), "freedBytes", r.getFreedBytes(), "files", r.getFiles()));
            return r;
        } catch (IOException e) {
            throw new TetraException(ErrorCode.BACKUP_IO, "The Replaced Files folders could not be read: "
                    + e.getMessage(), e);
        } finally {
            inPlace.unlock();
        }
    }

    private <T> T exclusive(java.util.function.Supplier<T> task) {
        if (!inPlace.tryLock()) {
            throw new TetraException(ErrorCode.LOG_INTEGRATION_RUNNING, "An in-place restore or a rollback is "
                    + "already running.");
        }
        try {
            return task.get();
        } finally {
            inPlace.unlock();
        }
    }

    /** The integration so far, and the cut a restore to a point makes, decided with the database closed. */
    private static final class Outcome {
        io.tetradb.server.log.LogIntegration.Result integrated;
        long lastHeld;
        long cutFirst;
        long cutLast;
    }

    /**
     * The in-place restore itself. The archive's top folders replace the live ones, but for
     * {@code Settings/}, which is kept (and copied to the replaced files) unless
     * {@code restoreSettings}.
     */
    RestoreReport inPlace(Path archive, long number, LogPoint point, Session requester, Mode mode,
                          boolean restoreSettings) {
        if (requester.inTransaction()) {
            throw new TetraException(ErrorCode.INVALID_ARGUMENT, "This session has an open transaction: commit or "
                    + "roll it back before restoring in place.");
        }
        refuseWhileBackupRuns();
        long start = System.currentTimeMillis();
        long journalNumber = number;
        journal.event(number, mode.event + "-start", true, verbose(), fields("archive", shown(archive), "mode", "in-place",
                "by", requester.user(), "point", describe(point)));
        Path work = null;
        try (BackupService.StartHold integrating = holdForIntegration()) {
            integrationListener.run();
            // 1. Verify while extracting beside the database: a bad archive changes nothing.
            List<String> folders;
            boolean settingsRestored;
            Path staged;
            JsonNode manifest;
            Outcome outcome = new Outcome();
            try {
                work = Files.createTempDirectory(layout.root(), ".restore-");
                staged = work.resolve(layout.databaseName());
                manifest = stage(archive, staged);
                journalNumber = manifest.path("number").asLong(number);
                // The archive's own folders (before the live engine key and users complete it) replace the live ones.
                folders = topFolders(staged);
                settingsRestored = restoreSettings && folders.contains(SETTINGS);
                if (!restoreSettings) {
                    // The current settings (destination, schedule, hooks) stay: an archive's are its time's.
                    folders = folders.stream().filter(f -> !f.equals(SETTINGS)).toList();
                }
                completeFromLive(layout, staged);
                check(staged, archive);
                // 2. The log up to what it holds now, while the server still serves.
                outcome.lastHeld = manifest.path("lastOperation").asLong(0);
                if (!point.noLog()) {
                    outcome.integrated = forward.integrate(staged, manifest, archive, work, point);
                    outcome.lastHeld = outcome.integrated.lastOperation();
                } else if (manifest.has("lastOperation")) {
                    refuseCancelledArchive(archive, outcome.lastHeld);
                }
                // Owner-only, what the check's engine wrote included (docs/security.md).
                DataLayout.restrictTree(staged);
            } catch (IOException e) {
                throw new TetraException(ErrorCode.BACKUP_IO, "The archive " + archive.getFileName()
                        + " could not be extracted: " + e.getMessage(), e);
            }
            journal.event(journalNumber, mode.event + "-verified", false, verbose(), fields("archive", shown(archive),
                    "folders", String.join(",", folders)));
            servingPassListener.run();
            boolean keepLog = manifest.has("lastOperation");
            Path stagedRoot = staged;
            Path workDir = work;

            // 3. Maintenance: the other sessions end, new ones are refused.
            LOG.info("In-place {} of {} requested by {}: the server goes into maintenance.", mode.event,
                    archive.getFileName(), requester.user());
            sessions.enterMaintenance(MAINTENANCE_MESSAGE, requester, SESSIONS_END_TIMEOUT);
            Path replaced = null;
            try {
                maintenanceListener.run();
                replaced = swap(staged, folders, requester, mode, keepLog, !settingsRestored, () -> {
                    // 4. The database is closed, its log complete: the rest of the log, then the cut.
                    if (outcome.integrated != null && !outcome.integrated.stoppedAtPoint()) {
                        io.tetradb.server.log.LogIntegration.Result rest = forward.integrate(stagedRoot, manifest,
                                archive, workDir, point, outcome.lastHeld);
                        outcome.integrated = merge(outcome.integrated, rest);
                        outcome.lastHeld = outcome.integrated.lastOperation();
                        DataLayout.restrictTree(stagedRoot);
                    }
                    long logLast = logs.get() == null ? 0 : logs.get().lastClosedOperation();
                    if (keepLog && logLast > outcome.lastHeld) {
                        outcome.cutFirst = outcome.lastHeld + 1;
                        outcome.cutLast = logLast;
                        logs.get().cutAtNextOpen(outcome.cutFirst, outcome.cutLast, mode.event + " of "
                                + archive.getFileName() + " in place to " + describe(point));
                    }
                });
            } finally {
                if (!sessions.reopenConnection(requester)) {
                    LOG.error("The restoring session could not get a new engine connection.");
                }
                // The held connections learn what happened, not that a restore is in progress.
                sessions.exitMaintenance(replaced == null ? FAILED_MESSAGE
                        : mode == Mode.ROLLBACK ? ROLLED_BACK_MESSAGE : RESTORED_MESSAGE);
            }
            Map<String, Object> end = fields("archive", shown(archive), "mode", "in-place", "replacedFiles", replaced,
                    "durationMillis", System.currentTimeMillis() - start, "lastOperation", outcome.lastHeld,
                    "settings", settingsRestored ? "restored" : "kept");
            RestoreReport.Builder report = RestoreReport.newBuilder().setArchive(shown(archive))
                    .setDatabaseDir(layout.root().toString()).setInPlace(true)
                    .setReplacedFilesDir(replaced.toString()).setNumber(Math.max(0, journalNumber))
                    .setLastOperation(outcome.lastHeld).setLogIntegrated(outcome.integrated != null)
                    .setCancelledFirstOperation(outcome.cutFirst).setCancelledLastOperation(outcome.cutLast)
                    .setSettingsRestored(settingsRestored);
            if (outcome.integrated != null) {
                io.tetradb.server.log.LogIntegration.Result r = outcome.integrated;
                report.addAllLogSegments(r.segments()).setTransactionsIntegrated(r.transactions())
                        .setOperationsIntegrated(r.operations()).setIntegrationMillis(r.millis())
                        .setStoppedAtPoint(r.stoppedAtPoint());
                end.put("segments", String.join(",", r.segments()));
                end.put("operationsIntegrated", r.operations());
            }
            if (outcome.cutLast > 0) {
                end.put("cancelled", outcome.cutFirst + "-" + outcome.cutLast);
            }
            journal.event(journalNumber, mode.event + "-end", true, verbose(), end);
            LOG.info("Archive {} restored in place{}; {}; the previous files are in {}.", archive.getFileName(),
                    outcome.integrated == null ? "" : " and brought forward with the log to operation "
                            + outcome.lastHeld, settingsRestored ? "settings restored from the archive"
                            : "settings kept: the current Settings/", replaced);
            return report.build();
        } catch (TetraException e) {
            journal.event(journalNumber, mode.event + "-failed", true, verbose(), fields("archive", shown(archive), "mode",
                    "in-place", "code", e.rawCode(), "message", e.getMessage()));
            LOG.warn("In-place {} of {} failed: {} {}", mode.event, archive.getFileName(), e.rawCode(), e.getMessage());
            throw e;
        } finally {
            deleteQuietly(work);
        }
    }

    private static io.tetradb.server.log.LogIntegration.Result merge(io.tetradb.server.log.LogIntegration.Result a,
                                                                     io.tetradb.server.log.LogIntegration.Result b) {
        return new io.tetradb.server.log.LogIntegration.Result(b.segments(), a.transactions() + b.transactions(),
                a.operations() + b.operations(), Math.max(a.lastOperation(), b.lastOperation()), b.stoppedAtPoint(),
                a.millis() + b.millis());
    }

    private static String describe(LogPoint p) {
        if (p.noLog()) {
            return "the archive alone";
        }
        if (p.untilOperation() > 0) {
            return "operation " + p.untilOperation();
        }
        if (p.untilTimeMillis() != Long.MAX_VALUE) {
            return java.time.Instant.ofEpochMilli(p.untilTimeMillis()).toString();
        }
        return "the last commit";
    }

    /** What a swap does with the database closed, before any folder moves. */
    @FunctionalInterface
    private interface WhileClosed {
        void run() throws IOException, SQLException;
    }

    /**
     * With the server in maintenance: closes the database, runs {@code whileClosed}, moves the
     * current folders out, the staged ones in (the log files back into {@code Data/} when
     * {@code keepLog}), copies the kept {@code Settings/} beside them when {@code copySettings},
     * and reopens; on a failure puts the previous files back and reopens them. Returns the
     * folder that holds the replaced files.
     */
    private Path swap(Path staged, List<String> folders, Session requester, Mode mode, boolean keepLog,
                      boolean copySettings, WhileClosed whileClosed) {
        BackupService.StartHold hold = backups.holdStarts();
        if (hold == null) {
            throw backupRuns();
        }
        try (hold) {
            sessions.releaseConnection(requester);
            database.close();
            List<String> movedOut = new ArrayList<>();
            List<String> movedIn = new ArrayList<>();
            Path replaced = null;
            boolean logsMoved = false;
            try {
                whileClosed.run();
                replaced = replacedFolder(layout, mode.folder);
                for (String f : folders) {
                    Path current = layout.root().resolve(f);
                    if (Files.exists(current)) {
                        move(current, replaced.resolve(f));
                        movedOut.add(f);
                    }
                }
                if (copySettings) {
                    // Kept in place; a copy goes with the rest, so the replaced files are the whole database.
                    copyTree(layout.settingsDir(), replaced.resolve(SETTINGS));
                }
                // The replaced files hold the previous data, engine key and users: owner-only.
                DataLayout.restrictTree(replaced);
                for (String f : folders) {
                    move(staged.resolve(f), layout.root().resolve(f));
                    movedIn.add(f);
                }
                if (keepLog) {
                    // The log goes on: its segments stay the database's (the restored data file holds
                    // what they hold up to the point; a cut made above passes over the rest).
                    logsMoved = true;
                    moveLogFiles(layout, replaced.resolve("Data"), layout.dataDir());
                }
                database.open();
                users.load();
                catalog.rewrite();
                // The data changed: a scheduled backup with onlyIfModified must not skip it.
                backups.noteWrite();
                return replaced;
            } catch (IOException | SQLException | RuntimeException e) {
                LOG.error("The in-place restore failed; putting the previous files back.", e);
                if (logs.get() != null) {
                    logs.get().cutAtNextOpen(1, 0, "");
                }
                boolean back = putBack(replaced, movedOut, movedIn, logsMoved);
                String reason = reason(e);
                ErrorCode code = e instanceof TetraException t ? t.code() : ErrorCode.BACKUP_IO;
                throw new TetraException(code, "The in-place " + mode.event + " failed: " + reason
                        + (back ? "; the previous files are back in place and the database is open."
                        : "; the previous files could not all be put back: see the server log."), e);
            }
        }
    }

    /** Moves the log file and the closed segments from one Data folder to another. */
    static void moveLogFiles(DataLayout layout, Path fromData, Path toData) throws IOException {
        if (!Files.isDirectory(fromData)) {
            return;
        }
        Files.createDirectories(toData);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(fromData)) {
            for (Path f : ds) {
                if (isLogFile(layout, f) && Files.isRegularFile(f)) {
                    move(f, toData.resolve(f.getFileName().toString()));
                }
            }
        }
    }

    /** Undoes a swap: the restored folders go, the previous ones come back, the database reopens. */
    private boolean putBack(Path replaced, List<String> movedOut, List<String> movedIn, boolean logsMoved) {
        boolean ok = true;
        database.close();
        if (logsMoved && replaced != null) {
            try {
                moveLogFiles(layout, layout.dataDir(), replaced.resolve("Data"));
            } catch (IOException e) {
                ok = false;
                LOG.error("The log files could not be moved back to {}: {}", replaced, e.getMessage());
            }
        }
        for (String f : movedIn) {
            try {
                deleteTree(layout.root().resolve(f));
            } catch (IOException e) {
                ok = false;
                LOG.error("The restored folder {} could not be removed: {}", f, e.getMessage());
            }
        }
        for (String f : movedOut) {
            try {
                move(replaced.resolve(f), layout.root().resolve(f));
            } catch (IOException e) {
                ok = false;
                LOG.error("The previous folder {} could not be put back from {}: {}", f, replaced, e.getMessage());
            }
        }
        if (ok && replaced != null) {
            deleteQuietly(replaced);
        }
        try {
            database.open();
            users.load();
            catalog.rewrite();
        } catch (IOException | SQLException | RuntimeException e) {
            ok = false;
            LOG.error("The database could not be reopened after a failed restore.", e);
        }
        return ok;
    }

    /** {@code <db>/<folder>/<yyyyMMdd-HHmmss>} (with a suffix when that exists). */
    static Path replacedFolder(DataLayout layout, String folder) throws IOException {
        Path parent = layout.root().resolve(folder);
        DataLayout.createOwnerOnlyFolders(parent);
        String stamp = LocalDateTime.now().format(STAMP);
        Path p = parent.resolve(stamp);
        for (int i = 2; Files.exists(p); i++) {
            p = parent.resolve(stamp + "-" + i);
        }
        DataLayout.createOwnerOnlyFolders(p);
        return p;
    }

    private void refuseWhileBackupRuns() {
        if (backups != null && backups.isRunning()) {
            throw backupRuns();
        }
    }

    private static TetraException backupRuns() {
        return new TetraException(ErrorCode.BACKUP_ALREADY_RUNNING, "A backup is running: the database cannot "
                + "be restored in place until it ends.");
    }

    // ------------------------------------------------------------------ shared

    /** The archives kept (also at start, before the backup service exists). */
    private io.tetradb.protocol.BackupHistory history() throws IOException {
        return backups != null ? backups.history() : BackupService.history(layout);
    }

    /** Keeps backups from starting while the log is read (none can run before the server has started). */
    private BackupService.StartHold holdForIntegration() {
        return backups != null ? backups.holdForIntegration() : () -> { };
    }

    /**
     * The archive of backup {@code number} in the destination, or {@code file}: a path (a
     * relative one taken from a destination folder), or for a bucket the name of an object
     * there, returned as a relative path of that name (read with {@link #read}, shown with
     * {@link #shown}).
     */
    Path locate(long number, String file) {
        BackupSettings settings = BackupSettings.load(layout);
        ArchiveStore store = settings.store();
        Path destination = settings.destination();
        if (file != null && !file.isBlank()) {
            Path p = Path.of(file);
            if (store.remote() && !p.isAbsolute()) {
                String name = p.normalize().toString();
                if (name.startsWith("..")) {
                    throw new TetraException(ErrorCode.INVALID_ARGUMENT, "The archive " + file + " is not in "
                            + store.describe() + ".");
                }
                if (!exists(store, name)) {
                    readable(store, destination, "The archive " + file + " cannot be read");
                    String other = otherForm(name);
                    throw notFound("The archive " + file + " is not in " + store.describe(), other,
                            other != null && exists(store, other), settings.encrypted(), "is");
                }
                return Path.of(name);
            }
            if (!p.isAbsolute()) {
                p = destination.resolve(p);
            }
            p = p.normalize();
            if (!Files.isRegularFile(p)) {
                String other = p.getFileName() == null || p.getParent() == null ? null
                        : otherForm(p.getFileName().toString());
                Path sibling = other == null ? null : p.getParent().resolve(other);
                throw notFound("The archive " + file + " does not exist", sibling == null ? null : sibling.toString(),
                        sibling != null && Files.isRegularFile(sibling), settings.encrypted(), "does");
            }
            return p;
        }
        if (number <= 0) {
            throw new TetraException(ErrorCode.INVALID_ARGUMENT, "Name the backup by its number or its archive file.");
        }
        String base = String.format(Locale.ROOT, "%s-%04d.tar", layout.databaseName(), number);
        List<String> candidates = List.of(base + ".zst", base, base + ".zst" + EncryptedFile.SUFFIX,
                base + EncryptedFile.SUFFIX);
        for (String name : candidates) {
            if (store.remote()) {
                if (exists(store, name)) {
                    return Path.of(name);
                }
                continue;
            }
            Path p = destination.resolve(name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        readable(store, destination, "Backup " + number + " cannot be read");
        // Every name looked for, the encrypted ones first when archives are encrypted now.
        List<String> named = settings.encrypted() ? List.of(candidates.get(2), candidates.get(3), candidates.get(0),
                candidates.get(1)) : candidates;
        throw new TetraException(ErrorCode.INVALID_ARGUMENT, "Backup " + number + " not found: none of "
                + String.join(", ", named.subList(0, 3)) + " and " + named.get(3) + " is in the backup destination "
                + store.describe() + ".");
    }

    /**
     * Before an archive looked for in the destination is answered as not found (2010): 1407
     * when the destination itself cannot be used ({@code what}: "Backup N cannot be read"),
     * as a backup would judge it (LocalArchiveStore.check, without creating anything): a
     * folder that is not one, or missing where a backup could not create it (its parent is
     * not a folder: under a regular file, a disk not mounted); a bucket missing (which
     * looking for an object does not tell from an object missing), refusing the credentials
     * or not answering. A folder missing that a backup would create is not: 2010.
     */
    private static void readable(ArchiveStore store, Path destination, String what) {
        if (!store.remote()) {
            Path parent = destination.toAbsolutePath().getParent();
            if (Files.exists(destination) && !Files.isDirectory(destination)) {
                throw new TetraException(ErrorCode.BACKUP_DESTINATION, what + ": The backup destination " + destination
                        + " is not a folder.");
            }
            if (!Files.exists(destination) && parent != null && !Files.isDirectory(parent)) {
                throw new TetraException(ErrorCode.BACKUP_DESTINATION, what + ": The backup destination " + destination
                        + " is missing.");
            }
            return;
        }
        try {
            store.list();
        } catch (ArchiveStore.DestinationException e) {
            throw new TetraException(ErrorCode.BACKUP_DESTINATION, what + ": " + e.getMessage(), e);
        } catch (IOException e) {
            // Not the destination's: the archive is answered as not found.
        }
    }

    /**
     * 2010 for an archive named but not found ({@code what}: "The archive X does not exist"),
     * naming the other form of its name {@code other} (null: none) when that one is there
     * ({@code otherThere}), or, when archives are encrypted now and the other form is the
     * encrypted one, that it was looked for too; {@code verb} "is" or "does".
     */
    private static TetraException notFound(String what, String other, boolean otherThere, boolean encrypted,
                                           String verb) {
        String more = "";
        if (other != null && otherThere) {
            more = ", but " + other + " " + verb + ": name that one";
        } else if (other != null && encrypted && other.endsWith(EncryptedFile.SUFFIX)) {
            more = ", nor " + verb + " " + other;
        }
        return new TetraException(ErrorCode.INVALID_ARGUMENT, what + more + ".");
    }

    /**
     * The other form of archive name {@code name}: with {@code .enc} added, or removed when it
     * has it (an archive is looked for under both); null for a name that is no archive's.
     */
    private static String otherForm(String name) {
        if (name.endsWith(".tar" + EncryptedFile.SUFFIX) || name.endsWith(".tar.zst" + EncryptedFile.SUFFIX)) {
            return name.substring(0, name.length() - EncryptedFile.SUFFIX.length());
        }
        if (name.endsWith(".tar") || name.endsWith(".tar.zst")) {
            return name + EncryptedFile.SUFFIX;
        }
        return null;
    }

    /** Whether object {@code name} is in the bucket (1407 when the bucket cannot be read). */
    private static boolean exists(ArchiveStore store, String name) {
        try {
            return store.exists(name);
        } catch (IOException e) {
            throw new TetraException(e instanceof ArchiveStore.DestinationException ? ErrorCode.BACKUP_DESTINATION
                    : ErrorCode.BACKUP_IO, e.getMessage(), e);
        }
    }

    /**
     * Extracts (or checks) an archive {@link #locate} found: a file, or an object streamed from
     * the bucket; an encrypted one with the key of {@code archive.keyFile} (docs/backup-encryption.md).
     */
    private JsonNode read(Path archive, Path target) throws IOException {
        BackupSettings settings = BackupSettings.load(layout);
        io.tetradb.server.backup.BackupKey.Source keys = io.tetradb.server.backup.BackupKey.Source.of(settings);
        if (!archive.isAbsolute()) {
            ArchiveStore store = settings.store();
            if (store.remote()) {
                return BackupArchiveReader.extract(store, archive.toString(), target, keys);
            }
        }
        return BackupArchiveReader.extract(archive, target, keys);
    }

    /** An archive {@link #locate} found, as shown in reports and the journal: its path, or its s3:// URL. */
    String shown(Path archive) {
        if (!archive.isAbsolute()) {
            ArchiveStore store = BackupSettings.load(layout).store();
            if (store.remote()) {
                return store.location(archive.toString());
            }
        }
        return archive.toString();
    }

    /** A temporary folder beside the destination (else beside the database) for a verification. */
    private Path workFolder() throws IOException {
        List<Path> candidates = new ArrayList<>();
        Path destination = BackupSettings.load(layout).destination();
        if (destination.getParent() != null) {
            candidates.add(destination.getParent());
        }
        if (layout.root().getParent() != null) {
            candidates.add(layout.root().getParent());
        }
        IOException last = null;
        for (Path dir : candidates) {
            try {
                return Files.createTempDirectory(dir, "." + destination.getFileName() + "-verify-");
            } catch (IOException e) {
                last = e;
            }
        }
        throw last != null ? last : new IOException("no folder for a temporary copy");
    }

    static boolean hasDataFile(JsonNode manifest) {
        for (JsonNode e : manifest.path("entries")) {
            String p = e.path("path").asText();
            if (p.startsWith("Data/") && p.endsWith(".mv.db")) {
                return true;
            }
        }
        return false;
    }

    private static void requireDataFile(JsonNode manifest, Path archive) {
        if (!hasDataFile(manifest)) {
            throw new TetraException(ErrorCode.INVALID_ARGUMENT, "The archive " + archive.getFileName()
                    + " holds no data file (a structure-only backup): there is no database to restore.");
        }
    }

    /**
     * Extracts {@code archive} as a database folder {@code staged} (its data file named after
     * the folder); 1411 when it is damaged, 2010 when it holds no data file. Returns its manifest.
     */
    private JsonNode stage(Path archive, Path staged) throws IOException {
        JsonNode manifest = read(archive, staged);
        requireDataFile(manifest, archive);
        renameDataFiles(staged, manifest.path("database").asText(""));
        return manifest;
    }

    /** Renames {@code Data/<archived name>.*} after the folder it now lives in. */
    static void renameDataFiles(Path root, String archivedName) throws IOException {
        String name = root.getFileName().toString();
        if (archivedName.isEmpty() || archivedName.equals(name)) {
            return;
        }
        Path data = root.resolve("Data");
        if (!Files.isDirectory(data)) {
            return;
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(data)) {
            files = s.filter(p -> p.getFileName().toString().startsWith(archivedName + ".")).toList();
        }
        for (Path f : files) {
            String rest = f.getFileName().toString().substring(archivedName.length());
            Files.move(f, data.resolve(name + rest));
        }
    }

    /**
     * An archive made without the structure lacks the engine key and users: the live
     * database's are the same database's, so they are used.
     */
    static void completeFromLive(DataLayout layout, Path root) throws IOException {
        for (Path live : List.of(layout.engineKeyFile(), layout.usersFile())) {
            Path target = root.resolve("Structure").resolve(live.getFileName().toString());
            if (!Files.exists(target) && Files.isRegularFile(live)) {
                Files.createDirectories(target.getParent());
                Files.copy(live, target, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    /** The folders at the top of an extracted archive (Data, Structure, Settings, Attachments). */
    private static List<String> topFolders(Path root) throws IOException {
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static boolean isPlainName(String name) {
        return !name.isEmpty() && !name.equals(".") && !name.equals("..") && !name.contains("/")
                && !name.contains("\\") && !name.startsWith(".") && !name.equals("extract");
    }

    static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    private void failed(long number, Path archive, TetraException e, boolean inPlaceMode) {
        journal.event(number, "restore-failed", true, verbose(), fields("archive", shown(archive), "mode",
                inPlaceMode ? "in-place" : "to", "code", e.rawCode(), "message", e.getMessage()));
        LOG.warn("Restore of {} failed: {} {}", archive.getFileName(), e.rawCode(), e.getMessage());
    }

    boolean verbose() {
        try {
            return BackupSettings.load(layout).verboseJournal();
        } catch (RuntimeException e) {
            return true;
        }
    }

    static Map<String, Object> fields(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            m.put(String.valueOf(kv[i]), kv[i + 1]);
        }
        return m;
    }

    static String reason(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    private static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /** Copies the files and folders under {@code from} to {@code to}; symbolic links are not followed nor copied. */
    static void copyTree(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        List<Path> all;
        try (Stream<Path> s = Files.walk(from)) {
            all = s.toList();
        }
        for (Path p : all) {
            Path target = to.resolve(from.relativize(p).toString());
            if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                DataLayout.createOwnerOnlyFolders(target);
            } else if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        io.tetradb.server.FileTrees.deleteTree(root);
    }

    static void deleteQuietly(Path root) {
        try {
            deleteTree(root);
        } catch (IOException e) {
            LOG.warn("The temporary folder {} could not be removed: {}", root, e.getMessage());
        }
    }
}
