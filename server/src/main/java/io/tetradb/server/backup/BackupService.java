package io.tetradb.server.backup;

import io.tetradb.protocol.BackupProgress;
import io.tetradb.protocol.BackupRecord;
import io.tetradb.protocol.BackupRunState;
import io.tetradb.protocol.BackupStarted;
import io.tetradb.protocol.BackupStatus;
import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraException;
import io.tetradb.server.DataLayout;
import io.tetradb.server.gate.WriteGate;
import io.tetradb.server.log.OperationLog;
import io.tetradb.server.session.Session;
import io.tetradb.server.sql.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

/**
 * The backup service the rest of the server uses (docs/backups.md): starts backups,
 * one at a time, always on the server, stops them, reports their status and progress,
 * and keeps an in-place restore and a backup apart. One backup's work is a
 * {@link BackupRun}; its events go out through {@link BackupEvents}; what is remembered
 * across restarts is in {@link BackupRecords}; automatic backups come from
 * {@link BackupScheduler}.
 *
 * <p><b>Threads.</b>
 * <ul>
 *   <li>The thread that starts a backup — an admin session's worker, the scheduler's own
 *       thread ("tetra-backup-scheduler"), an embedded caller — runs {@link #start}: the
 *       reservation, the settings, the number, the destination check and, when the
 *       destination is not usable, the run's end with its onBackupShutdown hook.</li>
 *   <li>The backup thread ("tetra-backup", this service's single-thread executor) runs
 *       each backup: its phases, its hooks, its file work and its end.</li>
 *   <li>Admin sessions' workers: {@link #stop}, {@link #status}, {@link #progress},
 *       {@link #subscribe}, {@link #history}; workers running writes: {@link #noteWrite};
 *       a restoring worker: {@link #holdStarts}.</li>
 *   <li>The server's timer ("tetra-timer", shared with wait-at-most expiries, statement
 *       timeouts and the TLS reload) only pushes progress events; it never runs a hook,
 *       a file write or anything that waits for a backup.</li>
 * </ul>
 * {@code slot} (this class's only lock) guards {@code current}, {@code starting} and
 * {@code holds}; it is held for field updates only, and waiters wait on it with
 * {@link Object#wait()}, which releases it.
 *
 * <p><b>Lock order</b> (a thread holding one may take only those after it):
 * {@code RestoreService.inPlace} → {@code BackupService.slot};
 * {@code BackupScheduler}'s monitor → {@code BackupRecords.memory};
 * {@code BackupRecords.fileLock} → {@code BackupRecords.memory}. {@code slot},
 * {@code BackupRecords.memory}, the {@link WriteGate}'s, the {@link BackupJournal}'s and
 * the {@link BackupHistory}'s monitors are leaves: nothing is taken under them, and no
 * callback (listeners, the scheduler, session pushes) runs under any of them. The
 * scheduler's monitor and {@code slot} are never held across I/O; the journal's,
 * the history's and {@code fileLock} are held across their own file's write only, and
 * no event loop or timer task ever takes them.
 *
 * <p><b>Invariants</b>, and how each is enforced:
 * <ol>
 *   <li><i>One backup at a time.</i> A start reserves the slot ({@code starting}) under
 *       {@code slot} only when no backup runs ({@code current == null}), no other start
 *       holds the reservation and no restore holds starts; a start that finds a
 *       reservation or a hold waits for it to end, then decides again (1419 with the
 *       running backup's number when the other start launched one). {@link #logNew} holds
 *       the same reservation for its whole run, so a backup and a {@code log new} never
 *       archive closed log segments at once. The reservation ends
 *       under {@code slot} either by publishing {@code current} or by being released, and
 *       {@code notifyAll} wakes the waiters.</li>
 *   <li><i>No lock across I/O or a hook.</i> Everything a start does on files (settings,
 *       counter, journal, destination probe, state) and the onBackupShutdown hook of a
 *       start whose destination is not usable run with the reservation held but no lock;
 *       the backup itself runs on the backup thread with no lock of this class. A waiting
 *       start or restore is a worker, the scheduler's thread or an embedded caller, never
 *       an event loop or the timer.</li>
 *   <li><i>Every run ends.</i> A failure of any kind on the backup thread, an
 *       {@code Error} included, ends the backup with a status and a code and reopens the
 *       gate ({@link BackupRun#run}); if its end itself fails, {@link BackupRun#endAnyway}
 *       records it FAILED (2000). Either way {@code ended} clears {@code current} under
 *       {@code slot}, wakes the waiters and completes the run's future, so later backups,
 *       {@link #runAndWait} and the scheduler go on.</li>
 *   <li><i>The state names the running backup.</i> {@code backup-state.json} names the
 *       backup before it is handed to the backup thread, and its stage (copying,
 *       verifying, verified) before each step ({@link BackupRecords#running},
 *       {@link BackupRecords#stage}), so the next start after a kill records what was
 *       written and what was verified, never more.</li>
 *   <li><i>A restore and a backup exclude each other.</i> {@link #holdStarts} waits for a
 *       start in progress, refuses while a backup runs, and while the hold is open no
 *       start reserves (starts wait, as 1 says); the hold is released in a finally
 *       block by the restore.</li>
 *   <li><i>A log integration and a backup exclude each other.</i> {@link #holdForIntegration}
 *       waits for a start in progress, refuses while a backup runs (1419), and while the
 *       hold is open a start (backup or log new) is refused with 1417; released in a finally
 *       block by the restore.</li>
 *   <li><i>Callbacks run with no lock held.</i> The end listener (the scheduler, which
 *       takes its own monitor), the test listeners and the end event run after
 *       {@code slot} is released, on the backup thread (or the starting thread for a
 *       start that failed its destination check).</li>
 * </ol>
 */
public final class BackupService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BackupService.class);

    private final DataLayout layout;
    private final WriteGate gate;
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "tetra-backup");
        t.setDaemon(true);
        return t;
    });
    private final BackupJournal journal;
    private final BackupRecords records;
    private final BackupEvents events;
    private final BackupRun.Context context;
    /** Guards {@code current}, {@code starting} and {@code holds}; held for field updates only. */
    private final Object slot = new Object();
    /** The running backup; written under {@code slot}, read without it. */
    private volatile BackupRun current;
    /** Whether a start holds the reservation (between its decision and its launch or failure). */
    private boolean starting;
    /** Restores holding starts off. */
    private int holds;
    /** Restores integrating the log (guarded by slot): backups and log new are refused meanwhile (1417). */
    private int integrations;
    private volatile LongConsumer gateClosedListener = n -> { };
    private volatile LongConsumer verifyingListener = n -> { };
    private volatile BiConsumer<BackupRecord, Origin> finishedListener = (r, o) -> { };
    private volatile BiConsumer<BackupRecord, Boolean> recordedListener = (r, ran) -> { };
    private volatile BackupScheduler scheduler;
    /** The server's timer: progress events, and the retries of copies to a destination that failed. */
    private final ScheduledExecutorService timer;
    private volatile java.util.function.Supplier<OperationLog> logSource = () -> null;
    private volatile java.util.function.Supplier<io.tetradb.server.log.Checkpoints> checkpointSource = () -> null;
    private static final long LOG_NEW_CHECKPOINT_MILLIS = 10_000;

    /** Who started a backup. */
    public enum Origin { MANUAL, SCHEDULED }

    /**
     * @param transactionsEnded whether no session holds uncommitted changes (the backup waits for that)
     * @param timer             the server's timer: progress events only
     */
    public BackupService(DataLayout layout, Database database, WriteGate gate, BooleanSupplier transactionsEnded,
                         String serverVersion, ScheduledExecutorService timer) throws IOException {
        this.layout = layout;
        this.gate = gate;
        this.journal = new BackupJournal(layout.logsDir());
        this.records = new BackupRecords(layout, journal);
        this.events = new BackupEvents(timer);
        this.timer = timer;
        this.context = new BackupRun.Context(layout, database, gate, transactionsEnded, serverVersion, journal,
                records, () -> gateClosedListener, () -> verifyingListener, () -> logSource.get(),
                () -> checkpointSource.get());
    }

    /** Where backups find the server's checkpoints, which write the data file (none in embedded mode). */
    public void checkpoints(java.util.function.Supplier<io.tetradb.server.log.Checkpoints> source) {
        checkpointSource = source == null ? () -> null : source;
    }

    /** Where backups find the open log file (the server's LogService; none in embedded mode). */
    public void logs(java.util.function.Supplier<OperationLog> source) {
        logSource = source == null ? () -> null : source;
    }

    /**
     * {@code log new} (docs/log-file.md): closes the log's current segment without a backup and
     * archives it (with any closed segment still waiting in Data/) in the backup destination as
     * {@code <name>-NNNN-KK.journal.zst}, NNNN the newest archive's number there (0000 when there
     * is none), KK 01, 02 ... after it; recorded in backup-history.json beside backup NNNN. Holds
     * the backup slot meanwhile (invariant 1): it waits for a start in progress, and a backup that
     * starts meanwhile waits for it.
     *
     * @throws TetraException 1419 while a backup runs, 1403 without a log file, 1407 when the
     *                        destination is not usable, 1408 when the segment cannot be closed or
     *                        archived (it then stays in Data/ and the next backup or log new takes it)
     */
    public io.tetradb.protocol.LogSegmentFile logNew(Session requester) {
        reserve(null);
        try {
            OperationLog log = logSource.get();
            if (log == null) {
                throw new TetraException(ErrorCode.LOG_MISSING, "There is no log file to close.");
            }
            BackupSettings settings = BackupSettings.load(layout);
            ArchiveStore store = settings.store();
            try {
                BackupRun.checkDestination(store);
            } catch (BackupRun.Failure f) {
                throw new TetraException(f.code, f.getMessage());
            }
            BackupHistory history = new BackupHistory(store, layout.databaseName());
            String by = requester != null ? requester.user() : "embedded";
            try {
                long backup = history.newestArchive();
                int sequence = history.nextSequence(backup);
                OperationLog.ClosedSegment c = log.roll(SegmentArchiver.closedName(layout, log.header().getSegment()));
                journal.event(backup, "log-new", true, settings.verboseJournal(), fields("by", by, "segment",
                        c.segment(), "firstOperation", c.firstOperation(), "lastOperation", c.lastOperation()));
                // Recovery reads only the segments in Data/: before the closed one leaves it, the data file
                // must hold every operation in it (a checkpoint once the commits under way have ended).
                io.tetradb.server.log.Checkpoints cp = checkpointSource.get();
                if (cp != null && !cp.checkpointWithin(LOG_NEW_CHECKPOINT_MILLIS)) {
                    throw new TetraException(ErrorCode.LOG_NOT_ARCHIVABLE, "The data file could not be written within "
                            + LOG_NEW_CHECKPOINT_MILLIS / 1000 + " s (engine calls under way did not end): the closed "
                            + "segment " + c.file().getFileName() + " stays in the Data folder; the next backup or log "
                            + "new archives it.");
                }
                BackupKey key = settings.encrypted() ? BackupKey.load(settings.keyFile()) : null;
                String name = SegmentArchiver.archiveName(layout.databaseName(), backup, sequence, key != null);
                Path target = store.staging().resolve(name);
                SegmentArchiver.Archived a = SegmentArchiver.archive(layout, log.header().getDatabaseId(), target,
                        backup, sequence, Math.max(1, settings.compression().level()), key);
                if (a == null) {
                    throw new TetraException(ErrorCode.LOG_NOT_ARCHIVABLE, "The closed log segment "
                            + c.file().getFileName() + " is no longer in the Data folder.");
                }
                try {
                    store.put(name, target);
                } catch (ArchiveStore.DestinationException e) {
                    throw new TetraException(ErrorCode.BACKUP_DESTINATION, "The log segment " + name + " could not be "
                            + "uploaded (the closed segment stays in the Data folder; the next backup or log new "
                            + "archives it): " + e.getMessage(), e);
                }
                SegmentArchiver.removeSources(layout, a.sources());
                history.recordSegment(a.info());
                if (store instanceof MultiArchiveStore multi && !multi.failures(name).isEmpty()) {
                    // Not in every destination: copied there per onFailure, as a backup's missing copy.
                    journal.event(backup, "copy-failed", true, settings.verboseJournal(), fields("file", name,
                            "destinations", multi.failures(name)));
                    planCopies(1);
                }
                journal.event(backup, "log-archived", false, settings.verboseJournal(), fields("file",
                        name, "segments", a.info().getSegmentsList(), "firstOperation",
                        a.info().getFirstOperation(), "lastOperation", a.info().getLastOperation(), "size",
                        a.info().getSize(), "sha256", a.info().getSha256()));
                LOG.info("log new by {}: operations {} to {} archived as {}.", by, a.info().getFirstOperation(),
                        a.info().getLastOperation(), store.location(name));
                return a.info();
            } catch (TetraException e) {
                journal.event(0, "log-new-failed", true, true, fields("by", by, "code", e.code().code(),
                        "message", e.getMessage()));
                throw e;
            } catch (ArchiveStore.DestinationException e) {
                journal.event(0, "log-new-failed", true, true, fields("by", by, "code",
                        ErrorCode.BACKUP_DESTINATION.code(), "message", e.getMessage()));
                throw new TetraException(ErrorCode.BACKUP_DESTINATION, e.getMessage(), e);
            } catch (IOException e) {
                journal.event(0, "log-new-failed", true, true, fields("by", by, "message", e.getMessage()));
                throw new TetraException(ErrorCode.LOG_NOT_ARCHIVABLE, "The log segment could not be archived: "
                        + e.getMessage(), e);
            }
        } finally {
            synchronized (slot) {
                starting = false;
                slot.notifyAll();
            }
        }
    }

    /** Whether a scheduled backup was cut short by the server stopping (the scheduler counts it as failed). */
    boolean interruptedScheduledBackup() {
        return records.interruptedScheduledBackup();
    }

    /** For tests and diagnostics: called on the backup thread once the gate is closed and quiet, before the copy. */
    public void onGateClosed(LongConsumer listener) {
        gateClosedListener = listener == null ? n -> { } : listener;
    }

    /**
     * For tests and diagnostics: called on the backup thread once the archive has its final
     * name and the start of its verification is recorded, before the verification reads it.
     */
    public void onVerifying(LongConsumer listener) {
        verifyingListener = listener == null ? n -> { } : listener;
    }

    /** Called (on the backup thread, with no lock held) after every backup with its outcome and origin. */
    public void onFinished(BiConsumer<BackupRecord, Origin> listener) {
        finishedListener = listener == null ? (r, o) -> { } : listener;
    }

    /**
     * Called (no lock held) once with the record of every backup that ended (true: it ran) or
     * did not run (false: SKIPPED, or FAILED when missed or paused; {@link #recordNotRun}):
     * on the backup thread, the starting thread or the scheduler's. For the metrics.
     */
    public void onRecorded(BiConsumer<BackupRecord, Boolean> listener) {
        recordedListener = listener == null ? (r, ran) -> { } : listener;
    }

    private void recorded(BackupRecord record, boolean ran) {
        try {
            recordedListener.accept(record, ran);
        } catch (RuntimeException e) {
            LOG.warn("The backup record listener failed.", e);
        }
    }

    /**
     * Starts a backup. {@code requester} is the admin session asking (null for the
     * scheduler); with {@code subscribe} it also receives progress and end events.
     *
     * @throws TetraException 1419 when one runs, 1404 when the requester has an open write
     *                        transaction, 1407 when the destination is not usable
     */
    public BackupStarted start(Session requester, boolean subscribe) {
        return start(requester, subscribe, Origin.MANUAL);
    }

    /** Starts a backup (see {@link #start(Session, boolean)}), saying who started it. */
    public BackupStarted start(Session requester, boolean subscribe, Origin origin) {
        BackupRun run = startRun(requester, subscribe, origin);
        return BackupStarted.newBuilder().setBackupNumber(run.number).setArchive(run.archive.toString()).build();
    }

    /** Invariant 1: reserves the slot, launches the run and ends the reservation. */
    private BackupRun startRun(Session requester, boolean subscribe, Origin origin) {
        reserve(requester);
        boolean launched = false;
        try {
            BackupRun run = launch(requester, subscribe, origin);
            launched = true;
            return run;
        } finally {
            if (!launched) {
                synchronized (slot) {
                    starting = false;
                    slot.notifyAll();
                }
            }
        }
    }

    /** Waits while another start or a restore holds the slot, then reserves it; 1419 or 1404 when it may not. */
    private void reserve(Session requester) {
        synchronized (slot) {
            while (starting || holds > 0) {
                try {
                    slot.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new TetraException(ErrorCode.BACKUP_STOPPED, "Interrupted while waiting to start the backup.");
                }
            }
            BackupRun running = current;
            if (running != null) {
                throw new TetraException(ErrorCode.BACKUP_ALREADY_RUNNING, "Backup " + running.number
                        + " is already running.");
            }
            if (integrations > 0) {
                throw new TetraException(ErrorCode.LOG_INTEGRATION_RUNNING, "A restore is integrating the log "
                        + "(its segments must stay as they are): backups and log new start again when it ends.");
            }
            if (requester != null && requester.hasUncommittedChanges()) {
                throw new TetraException(ErrorCode.BACKUP_OPEN_TRANSACTION,
                        "The backup cannot start: this session has an open write transaction; commit or roll it back first.");
            }
            starting = true;
        }
    }

    /** With the reservation held and no lock: numbers the run, checks the destination and hands it to the backup thread. */
    private BackupRun launch(Session requester, boolean subscribe, Origin origin) {
        BackupSettings settings = BackupSettings.load(layout);
        long number;
        try {
            number = records.takeNumber();
        } catch (IOException e) {
            throw new TetraException(ErrorCode.BACKUP_IO, "The backup counter could not be written: " + e.getMessage(), e);
        }
        ArchiveStore store = settings.store();
        Path archive;
        try {
            archive = store.staging().resolve(archiveName(number, settings));
        } catch (IOException e) {
            archive = settings.destination().resolve(archiveName(number, settings));
        }
        BackupRun run = new BackupRun(context, number, settings, store, archive, origin);
        if (requester != null && subscribe) {
            events.subscribe(requester, true);
        }
        run.journal("start", true, fields("origin", origin.name().toLowerCase(Locale.ROOT), "by",
                requester != null ? requester.user() : "scheduler", "archive", run.archiveLocation(), "data", settings.data(),
                "structure", settings.structure(), "attachments", settings.attachments().size(),
                "compression", settings.compression().name().toLowerCase(Locale.ROOT)));
        try {
            BackupRun.checkDestination(store);
        } catch (BackupRun.Failure f) {
            // Ended here, on the starting thread, the reservation held (released by startRun), no lock held.
            ended(run, run.end("FAILED", f.code.code(), f.getMessage(), 0), true);
            throw new TetraException(f.code, f.getMessage());
        }
        records.running(number, archive, origin == Origin.SCHEDULED, run.startMillis);
        synchronized (slot) {
            current = run;
            starting = false;
            slot.notifyAll();
        }
        try {
            run.publisher = events.publishEvery(run::progress);
            LOG.info("Backup {} started{} to {}.", number, requester != null ? " by " + requester.user() : "",
                    run.archiveLocation());
            runner.execute(() -> execute(run));
        } catch (RuntimeException | Error e) {
            // The backup thread could not be given the run (the server is closing): it ends here.
            ended(run, endAnyway(run, e), false);
            throw new TetraException(ErrorCode.INTERNAL_ERROR, "Backup " + number + " could not start: " + e, e);
        }
        return run;
    }

    private String archiveName(long number, BackupSettings settings) {
        return String.format(Locale.ROOT, "%s-%04d.tar%s", layout.databaseName(), number,
                (settings.compression() == BackupSettings.Compression.NONE ? "" : ".zst")
                        + (settings.encrypted() ? EncryptedFile.SUFFIX : ""));
    }

    /** The backup thread's task (invariant 3). */
    private void execute(BackupRun run) {
        BackupRecord record;
        boolean tell = true;
        try {
            record = run.run();
        } catch (RuntimeException | Error e) {
            // Only when recording the end itself failed: the run must still end.
            LOG.error("Backup {} could not be ended normally.", run.number, e);
            record = endAnyway(run, e);
            tell = false;
        }
        ended(run, record, tell);
    }

    /**
     * Several destinations, one of which missed an archive or segment: attempt {@code attempt}
     * of copying what is missing there, after onFailure.retryAfter, on the backup thread
     * (never under the gate), up to onFailure.maxAttempts; the next backup copies it in
     * any case before it writes (docs/backups.md, "Several destinations").
     */
    private void planCopies(int attempt) {
        BackupSettings st;
        try {
            st = BackupSettings.load(layout);
        } catch (RuntimeException e) {
            return;
        }
        if (!(st.store() instanceof MultiArchiveStore) || st.maxAttempts() < attempt) {
            return;
        }
        try {
            timer.schedule(() -> {
                try {
                    runner.execute(() -> copyAttempt(attempt));
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    // closing
                }
            }, Math.max(1, st.retryAfter().toMillis()), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the server is stopping
        }
    }

    private void copyAttempt(int attempt) {
        boolean restoring;
        synchronized (slot) {
            restoring = holds > 0 || integrations > 0;
        }
        if (restoring) {
            // A restore reads the destinations (retention runs first): the attempt waits for it.
            planCopies(attempt);
            return;
        }
        try {
            BackupSettings st = BackupSettings.load(layout);
            if (!(st.store() instanceof MultiArchiveStore multi)) {
                return;
            }
            Map<String, Map<String, String>> missing = new BackupHistory(multi, layout.databaseName())
                    .copyMissing(multi, st.keepLast());
            journal.event(0, missing.isEmpty() ? "copies-completed" : "copies-missing", !missing.isEmpty(),
                    st.verboseJournal(), fields("attempt", attempt, "missing", missing));
            if (missing.isEmpty()) {
                LOG.info("Every backup destination holds every archive again (attempt {}).", attempt);
            } else {
                LOG.warn("Copies still missing after attempt {}: {}", attempt, missing);
                planCopies(attempt + 1);
            }
        } catch (RuntimeException e) {
            LOG.warn("Copying to the backup destinations failed: {}", e.toString());
            planCopies(attempt + 1);
        }
    }

    /** Last resort when {@link BackupRun#end} failed: the gate opens and the run is recorded FAILED. */
    private BackupRecord endAnyway(BackupRun run, Throwable cause) {
        BackupRecord record = run.endAnyway(cause);
        try {
            records.ended(run.number, record);
        } catch (RuntimeException e) {
            LOG.warn("The last backup information could not be written: {}", e.toString());
        }
        return record;
    }

    /**
     * The run is over: the slot is freed, then (with no lock held, invariant 6) the end
     * event, the end listener when {@code tell}, and the run's waiters.
     */
    private void ended(BackupRun run, BackupRecord record, boolean tell) {
        synchronized (slot) {
            if (current == run) {
                current = null;
            }
            slot.notifyAll();
        }
        recorded(record, true);
        if (record.getStatus().equals("PARTIAL") && record.getErrorCode() == ErrorCode.BACKUP_DESTINATION.code()) {
            planCopies(1);
        }
        if (!tell) {
            run.done.complete(record);
            return;
        }
        events.finished(record);
        try {
            finishedListener.accept(record, run.origin);
        } catch (RuntimeException ex) {
            LOG.warn("The backup end listener failed.", ex);
        } finally {
            run.done.complete(record);
        }
    }

    /** Stops the running backup (1406); false when none runs. */
    public boolean stop(String by) {
        BackupRun run = current;
        if (run == null) {
            return false;
        }
        run.stop(by);
        return true;
    }

    /** RUNNING with progress, or IDLE with the last backup's information. */
    public BackupStatus status() {
        BackupRun run = current;
        BackupStatus.Builder b = BackupStatus.newBuilder();
        if (run != null) {
            b.setState("RUNNING").setRunState(BackupRunState.BACKUP_RUNNING).setProgress(run.progress());
        } else {
            b.setState("IDLE").setRunState(BackupRunState.BACKUP_IDLE);
        }
        BackupRecord last = records.last();
        if (last != null) {
            b.setLast(last);
            if (!last.getArchive().isEmpty()) {
                b.addAllLastCopies(copies(last.getNumber()));
            }
        }
        BackupScheduler sch = scheduler;
        if (sch != null) {
            sch.describe(b);
        }
        return b.build();
    }

    /** Several destinations: which hold backup {@code number}'s archive (empty with one, or when unknown). */
    private List<io.tetradb.protocol.DestinationCopy> copies(long number) {
        try {
            ArchiveStore store = BackupSettings.load(layout).store();
            if (!(store instanceof MultiArchiveStore)) {
                return List.of();
            }
            for (io.tetradb.protocol.BackupHistoryEntry e : new BackupHistory(store, layout.databaseName()).read()) {
                if (e.getNumber() == number) {
                    return e.getCopiesList();
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("Which destinations hold backup {} could not be read: {}", number, e.toString());
        }
        return List.of();
    }

    /** The progress of the running backup (for BackupWait), or an empty progress. */
    public BackupProgress progress() {
        BackupRun run = current;
        return run == null ? BackupProgress.getDefaultInstance() : run.progress();
    }

    /** Subscribes or unsubscribes a session to backup events. */
    public void subscribe(Session s, boolean on) {
        events.subscribe(s, on);
    }

    /** Keeps backups from starting while open: what {@link #holdStarts} returns. */
    public interface StartHold extends AutoCloseable {
        /** Lets backups start again. */
        @Override
        void close();
    }

    /**
     * For an in-place restore (invariant 5): waits for a start in progress to end, then
     * returns null when a backup runs (the restore is refused), or a hold that keeps
     * backups from starting until it is closed (a start meanwhile waits for it).
     */
    public StartHold holdStarts() {
        synchronized (slot) {
            awaitNoStart();
            if (current != null) {
                return null;
            }
            holds++;
        }
        return releasing(() -> holds--);
    }

    /**
     * For a restore that integrates the log: waits for a start in progress to end; refuses
     * with 1419 while a backup runs (it closes and archives segments); then, until the hold
     * is closed, backups and {@code log new} are refused with 1417 (they would close,
     * archive or remove the segments being read).
     */
    public StartHold holdForIntegration() {
        synchronized (slot) {
            awaitNoStart();
            if (current != null) {
                throw new TetraException(ErrorCode.BACKUP_ALREADY_RUNNING, "Backup " + current.number + " is running:"
                        + " a restore that integrates the log waits until it ends (or use --no-log).");
            }
            integrations++;
        }
        return releasing(() -> integrations--);
    }

    /** With {@code slot} held: waits until no start is in progress. */
    private void awaitNoStart() {
        while (starting) {
            try {
                slot.wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TetraException(ErrorCode.INTERNAL_ERROR, "Interrupted while waiting for a backup start.");
            }
        }
    }

    /** A hold whose first close runs {@code release} under {@code slot} and wakes the waiting starts. */
    private StartHold releasing(Runnable release) {
        return new StartHold() {
            private boolean closed;

            @Override
            public void close() {
                synchronized (slot) {
                    if (!closed) {
                        closed = true;
                        release.run();
                        slot.notifyAll();
                    }
                }
            }
        };
    }

    /** A data or structure write has run: a scheduled onlyIfModified backup will not be skipped. */
    public void noteWrite() {
        records.noteWrite();
    }

    /** Lets status() report the scheduler's plan. */
    void scheduler(BackupScheduler s) {
        scheduler = s;
    }

    /** The database folder's layout. */
    DataLayout layout() {
        return layout;
    }

    /** The records (the scheduler keeps its plan there). */
    BackupRecords records() {
        return records;
    }

    /** Whether data changed since the last successful backup's gate closed. */
    public boolean modifiedSinceLastBackup() {
        return records.modifiedSinceLastBackup();
    }

    /** Records an automatic backup that did not run (SKIPPED, or FAILED when missed or paused), with a number. */
    public BackupRecord recordNotRun(String status, int code, String message) {
        BackupRecord r = records.recordNotRun(status, code, message);
        recorded(r, false);
        return r;
    }

    /**
     * Runs a backup and waits for its end (embedded mode and tests). A backup that cannot
     * start fails with its code, like {@link #start}.
     */
    public BackupRecord runAndWait() {
        BackupRun run = startRun(null, false, Origin.MANUAL);
        try {
            return run.done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop("interrupt");
            throw new TetraException(ErrorCode.BACKUP_STOPPED, "Interrupted while waiting for the backup.");
        } catch (ExecutionException e) {
            throw new TetraException(ErrorCode.INTERNAL_ERROR, "The backup failed: " + e.getCause());
        }
    }

    /** Whether a backup runs now. */
    public boolean isRunning() {
        return current != null;
    }

    /** The archives kept in the destination, from backup-history.json and the folder. */
    public io.tetradb.protocol.BackupHistory history() throws IOException {
        return records.history();
    }

    /** The archives kept, read without a running backup service (the automatic restore at start). */
    public static io.tetradb.protocol.BackupHistory history(DataLayout layout) throws IOException {
        return BackupRecords.history(layout);
    }

    /** The journal (the scheduler and restore write to it too). */
    public BackupJournal journal() {
        return journal;
    }

    /** An ordered map of key, value, key, value ... for the journal. */
    static Map<String, Object> fields(Object... kv) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            m.put(String.valueOf(kv[i]), kv[i + 1]);
        }
        return m;
    }

    /** Stops a running backup and waits for it to end (server shutdown). */
    @Override
    public void close() {
        stop("server shutdown");
        runner.shutdown();
        try {
            if (!runner.awaitTermination(60, TimeUnit.SECONDS)) {
                runner.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
