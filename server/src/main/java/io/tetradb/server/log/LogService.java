package io.tetradb.server.log;

import io.tetradb.server.DataLayout;
import org.h2.engine.SessionLocal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;

/**
 * The log file of the served database (docs/log-file.md) across the database's opens and
 * closes: each time the database opens ({@link #opened}) the log file is opened (created
 * when missing, its numbering going on after what the data file and the previous log
 * hold), every logged transaction the data file lacks is redone before anyone is served,
 * and capture starts; each time it closes ({@link #closing}) capture stops, the data file
 * records that it holds everything logged (a clean close), and the log file is closed. The
 * server's start, an in-place restore and the reopening after the engine closed itself all
 * go through these two.
 *
 * <p>{@link #opened} and {@link #closing} run on the thread opening or closing the
 * database (the starting thread, the restoring worker, "tetra-engine-recovery"), before any
 * session is served or after every session is gone; {@link #closing} under the database's
 * monitor ({@code Database.close} is synchronized). {@link #capture} is read by session
 * workers; {@link #operationsWritten} and {@link #bytesWritten} by the metrics thread.
 */
public final class LogService implements io.tetradb.server.sql.Database.Lifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(LogService.class);
    private static final String CLEAN_THROUGH = "cleanThrough";
    private static final String CLEAN_END = "cleanEnd";

    private final DataLayout layout;
    private final SyncMode syncMode;
    private final long maxTransactionBytes;
    private final long structureWaitMillis;
    private final String serverVersion;
    private volatile OperationLog log;
    private volatile LogCapture capture;
    private final long checkpointMillis;
    /** When H2 writes the data file: from the engine's start to its close. */
    private volatile Checkpoints checkpoints;
    /** The last operation of the log before the latest close: numbering goes on after it. */
    private long lastBefore;
    /** The header of the log before the latest close: a new segment's number and history go on after it. */
    private io.tetradb.protocol.log.SegmentHeader headerBefore;
    /** Operations to cancel at the next open (a rollback, an in-place restore to a point); null for none. */
    private io.tetradb.protocol.log.CancelledSpan pendingCut;
    /** Told how long each force of the log file took (metrics); read by the writer thread of every log opened. */
    private volatile java.util.function.LongConsumer syncTimes = n -> { };
    /** Guards the counters of the logs closed since the server started and {@link #closingLog} (metrics). */
    private final Object totals = new Object();
    private long closedOperations;
    private long closedBytes;
    /** The log {@link #closing} is closing: still counted until its counters are in the closed ones. */
    private OperationLog closingLog;

    public LogService(DataLayout layout, SyncMode syncMode, long maxTransactionBytes, long structureWaitMillis,
                      String serverVersion) {
        this(layout, syncMode, maxTransactionBytes, structureWaitMillis, 1000, serverVersion);
    }

    /** @param checkpointMillis {@code log.checkpointInterval}: how often H2 writes the data file */
    public LogService(DataLayout layout, SyncMode syncMode, long maxTransactionBytes, long structureWaitMillis,
                      long checkpointMillis, String serverVersion) {
        this.checkpointMillis = checkpointMillis;
        this.layout = layout;
        this.syncMode = syncMode;
        this.maxTransactionBytes = maxTransactionBytes;
        this.structureWaitMillis = structureWaitMillis;
        this.serverVersion = serverVersion;
    }

    /** The capture of the open database (null while it is closed). */
    public LogCapture capture() {
        return capture;
    }

    /** When H2 writes the data file (null while the database is closed). */
    public Checkpoints checkpoints() {
        return checkpoints;
    }

    /** From here on H2 writes the data file only at the server's checkpoints. */
    @Override
    public void engineStarted(org.h2.mvstore.db.Store store) {
        checkpoints = Checkpoints.take(store.getMvStore(), checkpointMillis);
    }

    /** The last operation of the log file when the database last closed (0 before any close). */
    public long lastClosedOperation() {
        return lastBefore;
    }

    /** The open log file (null while the database is closed). */
    public OperationLog log() {
        return log;
    }

    /** Tells {@code listener} (on the log's writer thread; it must be quick) how many nanoseconds each force took. */
    public void syncTimes(java.util.function.LongConsumer listener) {
        syncTimes = listener == null ? n -> { } : listener;
    }

    /** Operations written to the log files since the server started (all logs it opened; metrics). */
    public long operationsWritten() {
        return written(true);
    }

    /** Bytes written to the log files since the server started (all logs it opened; metrics). */
    public long bytesWritten() {
        return written(false);
    }

    private long written(boolean operations) {
        synchronized (totals) {
            long n = operations ? closedOperations : closedBytes;
            OperationLog l = closingLog != null ? closingLog : log;
            if (l != null) {
                LogStatus st = l.status();
                n += operations ? st.operations() : st.bytesWritten();
            }
            return n;
        }
    }

    /** The database was opened: opens the log, redoes what the data file lacks, starts capture. */
    @Override
    public void opened(Connection system) throws IOException, SQLException {
        String databaseId;
        Map<Integer, Long> applied;
        Long cleanThrough;
        Long cleanEnd;
        synchronized (system) {
            boolean auto = system.getAutoCommit();
            system.setAutoCommit(false);
            try {
                SessionLocal s = LogCapture.engineSession(system);
                databaseId = Watermarks.databaseId(s);
                applied = Watermarks.read(s);
                cleanThrough = Watermarks.takeMeta(s, CLEAN_THROUGH);
                cleanEnd = Watermarks.takeMeta(s, CLEAN_END);
                system.commit();
            } finally {
                system.setAutoCommit(auto);
            }
        }
        long held = Watermarks.highest(applied);
        long next = Math.max(held, lastBefore) + 1;
        io.tetradb.protocol.log.CancelledSpan cut = pendingCut;
        if (cut != null && java.nio.file.Files.exists(layout.logFile())) {
            closeForCut(databaseId);
        }
        History before = history(databaseId);
        Timeline timeline = cut == null ? before.timeline() : before.timeline().with(cut.getFirstOperation(),
                cut.getLastOperation(), cut.getAtMillis(), cut.getReason());
        if (before.firstOperation() > held + 1 && timeline.notCancelled(held + 1, before.firstOperation() - 1) > 0) {
            throw new DataFileBehindLog("The data file holds the operations up to " + held + ", but the log in "
                    + layout.dataDir() + " starts at operation " + before.firstOperation() + ": the operations "
                    + (held + 1) + " to " + (before.firstOperation() - 1) + " are in no segment there (the data file "
                    + "is older than the log: an older copy put back, or H2 fell back to an older version of it).");
        }
        LogOptions.Builder options = LogOptions.builder().syncMode(syncMode).firstOperation(next)
                .serverVersion(serverVersion).firstSegment(before.lastSegment() + 1).timeline(timeline)
                .syncTimes(n -> syncTimes.accept(n));
        if (cleanThrough != null && cleanEnd != null) {
            // A clean close: the log file is as it left it and need not be read through to find its end.
            options.cleanClose(cleanEnd, cleanThrough);
        }
        Checkpoints cps = checkpoints;
        OperationLog.Position at = cps == null || (cleanThrough != null && cleanEnd != null) ? null
                : Checkpoints.recorded(cps.store());
        if (at != null) {
            options.resumeFrom(at.segment(), at.offset(), at.lastOperation());
        }
        OperationLog opened = OperationLog.open(layout.logFile(), databaseId, options.build());
        try {
            if (cleanThrough == null || cleanThrough != opened.lastOperation()) {
                recover(system, opened, io.tetradb.server.backup.SegmentArchiver.closedSegmentsInOrder(layout),
                        new io.tetradb.server.backup.BackupJournal(layout.logsDir()), checkpoints, at,
                        timeline.union(Timeline.of(opened.header())));
            }
            if (cut != null) {
                pendingCut = null;
                LOG.warn("A new timeline: operations {} to {} are cancelled ({}); they stay readable in their segment"
                        + " but are never integrated again. The log goes on at operation {} in segment {}.",
                        cut.getFirstOperation(), cut.getLastOperation(), cut.getReason(), opened.lastOperation() + 1,
                        opened.header().getSegment());
            }
            LogCapture c = new LogCapture(system, opened, maxTransactionBytes, structureWaitMillis);
            c.start();
            log = opened;
            capture = c;
            Checkpoints cp = checkpoints;
            if (cp != null) {
                // What recovery redid is in the data file before anyone is served, with the log's position.
                cp.follow(opened);
                cp.checkpoint(Checkpoints.FORCE_WAIT_MILLIS);
                cp.start();
            }
        } catch (IOException | SQLException | RuntimeException e) {
            opened.close();
            throw e;
        }
    }

    /**
     * At the next open, operations {@code first..last} are cancelled (docs/restore-with-log.md): the log
     * file, if present, is closed as a segment in {@code Data/} (archived with the next backup,
     * its operations kept readable) and a new one starts whose header carries the cut, so that
     * recovery, restores and the window pass over them from then on. Call with the database
     * closed, before {@link #opened}.
     */
    public void cutAtNextOpen(long first, long last, String reason) {
        pendingCut = first > last ? null : io.tetradb.protocol.log.CancelledSpan.newBuilder().setFirstOperation(first)
                .setLastOperation(last).setAtMillis(System.currentTimeMillis()).setReason(reason).build();
    }

    /** The segment number and history the log had: the closed segments in Data/, the log file, the last close. */
    private record History(long lastSegment, Timeline timeline, long firstOperation) {
    }

    /**
     * The data file is older than the log in {@code Data/} reaches back (docs/restore-with-log.md): the
     * operations between are in no segment here, so recovery cannot bring it forward; the
     * server restores an archive instead (or refuses to start). A 1412.
     */
    public static final class DataFileBehindLog extends io.tetradb.client.TetraException {
        private static final long serialVersionUID = 1L;

        DataFileBehindLog(String message) {
            super(io.tetradb.client.ErrorCode.LOG_SEGMENT_MISSING, message);
        }
    }

    private History history(String databaseId) throws IOException {
        long segment = headerBefore == null ? 0 : headerBefore.getSegment();
        Timeline t = Timeline.of(headerBefore);
        long first = 0;
        java.util.List<java.nio.file.Path> files = new java.util.ArrayList<>(
                io.tetradb.server.backup.SegmentArchiver.closedSegments(layout));
        if (java.nio.file.Files.exists(layout.logFile())) {
            files.add(layout.logFile());
        }
        for (java.nio.file.Path f : files) {
            try (SegmentReader r = SegmentReader.open(f, databaseId)) {
                segment = Math.max(segment, r.header().getSegment());
                t = t.union(Timeline.of(r.header()));
                first = first == 0 ? r.header().getFirstOperation() : Math.min(first, r.header().getFirstOperation());
            } catch (IOException | RuntimeException e) {
                // Recovery reads it and says what is wrong with it.
                LOG.debug("The header of {} could not be read: {}", f, e.getMessage());
            }
        }
        return new History(segment, t, first);
    }

    /** The log file becomes a closed segment (as {@code log new} leaves one) before a cut. */
    private void closeForCut(String databaseId) throws IOException {
        long segment;
        try (SegmentReader r = SegmentReader.open(layout.logFile(), databaseId)) {
            segment = r.header().getSegment();
        }
        java.nio.file.Path closed = io.tetradb.server.backup.SegmentArchiver.closedName(layout, segment);
        java.nio.file.Files.move(layout.logFile(), closed, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        LOG.info("The log file {} is closed as {} before the cut.", layout.logFile().getFileName(), closed.getFileName());
    }

    private static void recover(Connection system, OperationLog log, java.util.List<java.nio.file.Path> closed,
                                io.tetradb.server.backup.BackupJournal journal, Checkpoints checkpoints,
                                OperationLog.Position at, Timeline timeline) throws IOException, SQLException {
        if (!java.nio.file.Files.exists(log.file())) {
            // It could not be created (its disk is full or read-only): it holds nothing to redo.
            return;
        }
        long started = System.nanoTime();
        long[] read = new long[1];
        long redone;
        long operations;
        long last;
        synchronized (system) {
            try (LogReplay replay = new LogReplay(system)) {
                try {
                    java.util.List<java.nio.file.Path> segments = new java.util.ArrayList<>(closed);
                    segments.add(log.file());
                    java.util.function.Consumer<io.tetradb.protocol.log.Transaction> redo = tx -> {
                        if (timeline.cancels(tx)) {
                            return;
                        }
                        try {
                            replay.apply(tx);
                            if (checkpoints != null) {
                                checkpoints.checkpointIfLarge();
                            }
                        } catch (SQLException e) {
                            throw new ReplayFailure(e);
                        }
                    };
                    for (java.nio.file.Path segment : segments) {
                        read[0] += readFrom(segment, log.header().getDatabaseId(), at, redo);
                    }
                } catch (ReplayFailure f) {
                    throw f.getCause();
                }
                redone = replay.transactions();
                operations = replay.operations();
                last = replay.lastOperation();
            }
        }
        long ms = (System.nanoTime() - started) / 1_000_000;
        // The journal keeps every recovery (number 0: no backup's), as the server log does.
        java.util.Map<String, Object> fields = new java.util.LinkedHashMap<>();
        fields.put("transactions", redone);
        fields.put("operations", operations);
        fields.put("lastOperation", redone == 0 ? log.lastOperation() : last);
        fields.put("ms", ms);
        fields.put("transactionsRead", read[0]);
        fields.put("from", at == null ? "start" : "segment " + at.segment() + " offset " + at.offset());
        fields.put("tornBytes", log.tornBytesDroppedAtOpen());
        journal.event(0, "log-recovery", true, true, fields);
        if (redone == 0) {
            LOG.info("Log file {}: the data file holds every logged operation (through {}); nothing to redo ({} ms).",
                    log.file().getFileName(), log.lastOperation(), ms);
        } else {
            LOG.warn("Recovery: redid {} transaction(s), {} operation(s), up to operation {}, from the log file {} "
                    + "in {} ms (the server had stopped without writing them to the data file).", redone, operations,
                    last, log.file().getFileName(), ms);
        }
    }

    /**
     * Gives {@code each} the transactions of {@code segment} the data file may lack: none of a
     * segment before the last checkpoint's, those after its position in its own, all of a
     * later one. When reading from the position fails, the segment is read from its start
     * (what the data file holds is skipped by its watermarks either way). Returns how many
     * transactions were read.
     */
    private static long readFrom(java.nio.file.Path segment, String databaseId, OperationLog.Position at,
                                 java.util.function.Consumer<io.tetradb.protocol.log.Transaction> each)
            throws IOException {
        long n = 0;
        try (SegmentReader r = SegmentReader.open(segment, databaseId)) {
            long number = r.header().getSegment();
            if (at != null && number < at.segment()) {
                return 0;
            }
            boolean resumed = false;
            if (at != null && number == at.segment()) {
                try {
                    r.skipTo(at.offset(), at.lastOperation());
                    resumed = true;
                } catch (IllegalArgumentException e) {
                    warnNotFromPosition(segment, at, e);
                }
            }
            try {
                for (io.tetradb.protocol.log.Transaction t = r.next(); t != null; t = r.next()) {
                    each.accept(t);
                    n++;
                }
                return n;
            } catch (io.tetradb.client.TetraException e) {
                if (!resumed || e.code() != io.tetradb.client.ErrorCode.LOG_SEGMENT_DAMAGED) {
                    throw e;
                }
                warnNotFromPosition(segment, at, e);
            }
        }
        SegmentScan s = SegmentReader.scan(segment, databaseId, each);
        return n + s.transactions();
    }

    private static void warnNotFromPosition(java.nio.file.Path segment, OperationLog.Position at, Exception e) {
        LOG.warn("The log file {} could not be read from the last checkpoint's position (offset {}): {}; it is read "
                + "from its start.", segment.getFileName(), at.offset(), e.getMessage());
    }

    /** Carries a replay's SQLException out of the reader's callback. */
    private static final class ReplayFailure extends RuntimeException {
        ReplayFailure(SQLException cause) {
            super(cause);
        }

        @Override
        public synchronized SQLException getCause() {
            return (SQLException) super.getCause();
        }
    }

    /**
     * The database is about to close: capture stops; if the engine is still open, the data
     * file records that it holds everything logged; the log file is closed.
     */
    @Override
    public void closing(Connection system, boolean engineOpen) {
        LogCapture c = capture;
        OperationLog l = log;
        Checkpoints cp = checkpoints;
        capture = null;
        synchronized (totals) {
            closingLog = l;
        }
        log = null;
        checkpoints = null;
        if (cp != null) {
            // The engine's close writes the last version itself, with every session gone.
            cp.close();
        }
        if (c != null) {
            c.stop();
        }
        if (l == null) {
            return;
        }
        lastBefore = l.lastOperation();
        headerBefore = l.header();
        try {
            l.close();
        } catch (IOException e) {
            LOG.warn("The log file {} did not close cleanly: {}", l.file(), e.getMessage());
        }
        LogStatus st = l.status();
        synchronized (totals) {
            closedOperations += st.operations();
            closedBytes += st.bytesWritten();
            closingLog = null;
        }
        LOG.info("Log file {} closed: {} transaction(s), {} operation(s), {} bytes written, {} sync(s), largest batch"
                        + " {} transaction(s), since it was opened.", l.file().getFileName(), st.transactions(),
                st.operations(), st.bytesWritten(), st.syncs(), st.largestBatch());
        if (engineOpen) {
            try {
                synchronized (system) {
                    boolean auto = system.getAutoCommit();
                    system.setAutoCommit(false);
                    try {
                        Watermarks.putMeta(LogCapture.engineSession(system), CLEAN_THROUGH, l.lastOperation());
                        Watermarks.putMeta(LogCapture.engineSession(system), CLEAN_END, l.readableEnd());
                        system.commit();
                    } finally {
                        system.setAutoCommit(auto);
                    }
                }
            } catch (SQLException | RuntimeException e) {
                LOG.warn("Could not record the clean close in the data file ({}); the next start reads the log "
                        + "through.", e.getMessage());
            }
        }
    }
}
