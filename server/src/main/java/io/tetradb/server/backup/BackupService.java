package io.tetradb.server.backup;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tetradb.protocol.ArchiveVerification;
import io.tetradb.protocol.BackupFinished;
import io.tetradb.protocol.BackupOutcome;
import io.tetradb.protocol.BackupProgress;
import io.tetradb.protocol.BackupRecord;
import io.tetradb.protocol.BackupRunState;
import io.tetradb.protocol.BackupStarted;
import io.tetradb.protocol.BackupStatus;
import io.tetradb.protocol.ErrorCode;
import io.tetradb.protocol.Event;
import io.tetradb.protocol.TetraException;
import io.tetradb.protocol.WireStates;
import io.tetradb.server.DataLayout;
import io.tetradb.server.gate.WriteGate;
import io.tetradb.server.session.Session;
import io.tetradb.server.sql.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * Runs backups, one at a time, always on the server (PRODUCT.md 4.1 to 4.4): numbers
 * them, closes the write gate, waits for open transactions, copies the data file (see
 * {@link DataFileSnapshot}) and the structure into the archive, reopens the gate, copies
 * the attachments, writes the manifest and renames the archive into place. Publishes
 * progress to subscribed admin sessions (at most 10 times a second) and records the
 * outcome. A failure or a stop leaves the database untouched and writable, removes the
 * partial archive and reopens the gate.
 *
 * <p>Invariants: (1) a failure of any kind on the backup thread, an {@code Error}
 * included, ends the backup with a status and a code, reopens the gate and runs
 * {@link #finish} (or, if that fails, {@code endAnyway}), so that {@code current} is
 * cleared and waiters are released; (2) {@code backup-state.json} names the running
 * backup and its stage (copying, verifying, verified) before each step, so that the next
 * start after a kill records what was written and what was verified, never more.
 *
 * <p>{@link #start}, {@link #stop} and {@link #status} run on the requesting session's
 * worker; the backup itself on its own thread ("tetra-backup"); progress on a timer.
 */
public final class BackupService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BackupService.class);
    private static final long PROGRESS_PERIOD_MILLIS = 100;

    private final DataLayout layout;
    private final Database database;
    private final WriteGate gate;
    private final BooleanSupplier transactionsEnded;
    private final String serverVersion;
    private final ScheduledExecutorService timer;
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "tetra-backup");
        t.setDaemon(true);
        return t;
    });
    private final BackupState state;
    private final Set<Session> subscribers = ConcurrentHashMap.newKeySet();
    private volatile Run current;
    private volatile LongConsumer gateClosedListener = n -> { };
    private volatile BiConsumer<BackupRecord, Origin> finishedListener = (r, o) -> { };
    private final BackupJournal journal;

    /** Who started a backup. */
    public enum Origin { MANUAL, SCHEDULED }

    /**
     * @param transactionsEnded whether no session holds uncommitted changes (the backup waits for that)
     */
    public BackupService(DataLayout layout, Database database, WriteGate gate, BooleanSupplier transactionsEnded,
                         String serverVersion, ScheduledExecutorService timer) throws IOException {
        this.layout = layout;
        this.database = database;
        this.gate = gate;
        this.transactionsEnded = transactionsEnded;
        this.serverVersion = serverVersion;
        this.timer = timer;
        this.state = new BackupState(layout.root().resolve("backup-state.json"));
        state.load();
        this.journal = new BackupJournal(layout.logsDir());
        recoverInterrupted();
    }

    private volatile boolean interruptedScheduled;

    /**
     * A backup that was running when the server stopped without finishing it (killed,
     * power cut): it is recorded FAILED, its partial archive removed. An archive under its
     * final name can only be complete (it is renamed last, after its fsync), so one is kept
     * and recorded SUCCESS with what was verified of it, from the stage the backup had
     * recorded: {@code ARCHIVE_VERIFICATION_INTERRUPTED} when the server stopped during
     * the verification, {@code ARCHIVE_NOT_VERIFIED} when before it,
     * {@code ARCHIVE_VERIFIED} when after. An archive not verified is not verified again
     * here (the start would wait for it); the message says how to check it.
     */
    private void recoverInterrupted() throws IOException {
        long n = state.runningNumber();
        if (n <= 0) {
            return;
        }
        Path archive = Path.of(state.runningArchive());
        boolean finished = Files.isRegularFile(archive);
        Path partial = archive.resolveSibling("." + archive.getFileName() + ".partial");
        Files.deleteIfExists(partial);
        interruptedScheduled = state.runningScheduled() && !finished;
        ArchiveVerification verification = ArchiveVerification.ARCHIVE_VERIFICATION_UNSPECIFIED;
        String msg;
        if (!finished) {
            msg = "The server stopped during backup " + n + "; its partial archive was removed.";
        } else if (state.runningStage() == BackupState.Stage.VERIFIED) {
            verification = ArchiveVerification.ARCHIVE_VERIFIED;
            msg = "The server stopped after writing and verifying backup " + n + " but before recording it.";
        } else if (state.runningStage() == BackupState.Stage.VERIFYING) {
            verification = ArchiveVerification.ARCHIVE_VERIFICATION_INTERRUPTED;
            msg = "The server stopped while verifying backup " + n + ": the archive is complete but its verification"
                    + " did not finish; check it with: tetra-admin backup verify " + n;
        } else {
            verification = ArchiveVerification.ARCHIVE_NOT_VERIFIED;
            msg = "The server stopped after writing backup " + n + " but before verifying it: the archive is complete"
                    + " but was not verified; check it with: tetra-admin backup verify " + n;
        }
        long now = System.currentTimeMillis();
        long size = finished ? Files.size(archive) : 0;
        BackupRecord r = BackupRecord.newBuilder().setNumber(n).setStartMillis(now).setEndMillis(now)
                .setStatus(finished ? "SUCCESS" : "FAILED")
                .setOutcome(finished ? BackupOutcome.BACKUP_SUCCESS : BackupOutcome.BACKUP_FAILED).setErrorCode(finished ? 0 : ErrorCode.BACKUP_IO.code())
                .setErrorMessage(msg).setArchive(finished ? archive.toString() : "").setArchiveSize(size)
                .setVerification(verification).build();
        state.running(0, null, false);
        state.last(r);
        if (finished && archive.getParent() != null) {
            new BackupHistory(archive.getParent(), layout.databaseName()).record(n, archive, size, now, now, "SUCCESS",
                    null, verification);
        }
        journal.event(n, "interrupted", true, true, fields("message", msg, "archive", archive, "verification",
                verification.name()));
        LOG.warn(msg);
    }

    /** Whether a scheduled backup was cut short by the server stopping (the scheduler counts it as failed). */
    boolean interruptedScheduledBackup() {
        return interruptedScheduled;
    }

    /** A failure with its code (PRODUCT.md 4.7). */
    private static final class BackupFailure extends Exception {
        final ErrorCode code;

        BackupFailure(ErrorCode code, String message, Throwable cause) {
            super(message, cause);
            this.code = code;
        }
    }

    /** One running backup. */
    private final class Run {
        final long number;
        final BackupSettings settings;
        final Path archive;
        final long startMillis = System.currentTimeMillis();
        final long startNanos = System.nanoTime();
        volatile String phase = "starting";
        volatile long bytesDone;
        volatile long bytesTotal;
        volatile String currentFile = "";
        volatile boolean stopRequested;
        volatile String stoppedBy;
        volatile int fileFormat = -1;
        final CompletableFuture<BackupRecord> done = new CompletableFuture<>();
        final Origin origin;
        ScheduledFuture<?> publisher;
        boolean gateWasClosed;
        /** What was verified of the archive written (set on the backup thread). */
        volatile ArchiveVerification verification = ArchiveVerification.ARCHIVE_VERIFICATION_UNSPECIFIED;

        Run(long number, BackupSettings settings, Path archive, Origin origin) {
            this.number = number;
            this.settings = settings;
            this.archive = archive;
            this.origin = origin;
        }

        BackupProgress progress() {
            long elapsed = Math.max(1, System.nanoTime() - startNanos);
            double rate = bytesDone * 1e9 / elapsed;
            long done = bytesDone;
            long total = Math.max(bytesTotal, done);
            long eta = rate > 0 && total > done ? (long) ((total - done) / rate * 1000) : 0;
            return BackupProgress.newBuilder().setBackupNumber(number).setPhase(phase).setBytesDone(done)
                    .setBytesTotal(total).setCurrentFile(currentFile).setBytesPerSecond(rate).setEtaMillis(eta)
                    .setQueuedWrites(gate.queuedWrites()).setPercent(total == 0 ? 0 : 100.0 * done / total).build();
        }
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

    private volatile LongConsumer verifyingListener = n -> { };

    /** Records (durably) how far the running backup got, for {@link #recoverInterrupted} after a kill. */
    private synchronized void stage(Run run, BackupState.Stage stage) {
        try {
            if (state.runningNumber() == run.number) {
                state.runningStage(stage);
            }
        } catch (IOException e) {
            LOG.warn("The backup state could not be written: {}", e.getMessage());
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
    public synchronized BackupStarted start(Session requester, boolean subscribe, Origin origin) {
        if (current != null) {
            throw new TetraException(ErrorCode.BACKUP_ALREADY_RUNNING, "Backup " + current.number + " is already running.");
        }
        if (requester != null && requester.hasUncommittedChanges()) {
            throw new TetraException(ErrorCode.BACKUP_OPEN_TRANSACTION,
                    "The backup cannot start: this session has an open write transaction; commit or roll it back first.");
        }
        BackupSettings settings = BackupSettings.load(layout);
        long number;
        try {
            number = state.takeNumber();
        } catch (IOException e) {
            throw new TetraException(ErrorCode.BACKUP_IO, "The backup counter could not be written: " + e.getMessage(), e);
        }
        Path archive = settings.destination().resolve(archiveName(number, settings));
        Run run = new Run(number, settings, archive, origin);
        if (requester != null && subscribe) {
            subscribers.add(requester);
        }
        journal(run, "start", true, fields("origin", origin.name().toLowerCase(Locale.ROOT), "by",
                requester != null ? requester.user() : "scheduler", "archive", archive, "data", settings.data(),
                "structure", settings.structure(), "attachments", settings.attachments().size(),
                "compression", settings.compression().name().toLowerCase(Locale.ROOT)));
        try {
            checkDestination(settings.destination());
        } catch (BackupFailure f) {
            finish(run, "FAILED", f.code.code(), f.getMessage(), 0, null);
            throw new TetraException(f.code, f.getMessage());
        }
        try {
            state.running(number, archive.toString(), origin == Origin.SCHEDULED);
        } catch (IOException e) {
            LOG.warn("The backup state could not be written: {}", e.getMessage());
        }
        current = run;
        try {
            run.publisher = timer.scheduleAtFixedRate(() -> publish(run), PROGRESS_PERIOD_MILLIS,
                    PROGRESS_PERIOD_MILLIS, TimeUnit.MILLISECONDS);
            LOG.info("Backup {} started{} to {}.", number, requester != null ? " by " + requester.user() : "", archive);
            runner.execute(() -> execute(run));
        } catch (RuntimeException | Error e) {
            // The backup thread could not be given the run (the server is closing): it ends here.
            endAnyway(run, e);
            throw new TetraException(ErrorCode.INTERNAL_ERROR, "Backup " + number + " could not start: " + e, e);
        }
        return BackupStarted.newBuilder().setBackupNumber(number).setArchive(archive.toString()).build();
    }

    private String archiveName(long number, BackupSettings settings) {
        return String.format(Locale.ROOT, "%s-%04d.tar%s", layout.databaseName(), number,
                settings.compression() == BackupSettings.Compression.NONE ? "" : ".zst");
    }

    private static void checkDestination(Path dest) throws BackupFailure {
        if (!Files.exists(dest)) {
            Path parent = dest.toAbsolutePath().getParent();
            try {
                if (parent != null && Files.isDirectory(parent)) {
                    DataLayout.createOwnerOnlyFolders(dest);
                }
            } catch (IOException e) {
                throw new BackupFailure(ErrorCode.BACKUP_DESTINATION, "The backup destination " + dest
                        + " is missing and cannot be created: " + e.getMessage(), e);
            }
            if (!Files.isDirectory(dest)) {
                throw new BackupFailure(ErrorCode.BACKUP_DESTINATION, "The backup destination " + dest + " is missing.", null);
            }
        }
        if (!Files.isDirectory(dest)) {
            throw new BackupFailure(ErrorCode.BACKUP_DESTINATION, "The backup destination " + dest + " is not a folder.", null);
        }
        Path probe = dest.resolve(".tetra-write-probe");
        try {
            Files.deleteIfExists(probe);
            Files.createFile(probe);
            Files.delete(probe);
        } catch (IOException e) {
            throw new BackupFailure(ErrorCode.BACKUP_DESTINATION, "The backup destination " + dest
                    + " is not writable: " + e.getMessage(), e);
        }
    }

    /** Stops the running backup (1406); false when none runs. */
    public boolean stop(String by) {
        Run run = current;
        if (run == null) {
            return false;
        }
        run.stoppedBy = by;
        run.stopRequested = true;
        return true;
    }

    /** RUNNING with progress, or IDLE with the last backup's information. */
    public BackupStatus status() {
        Run run = current;
        BackupStatus.Builder b = BackupStatus.newBuilder();
        if (run != null) {
            b.setState("RUNNING").setRunState(BackupRunState.BACKUP_RUNNING).setProgress(run.progress());
        } else {
            b.setState("IDLE").setRunState(BackupRunState.BACKUP_IDLE);
        }
        BackupRecord last;
        synchronized (this) {
            last = state.last();
        }
        if (last != null) {
            b.setLast(last);
        }
        BackupScheduler sch = scheduler;
        if (sch != null) {
            sch.describe(b);
        }
        return b.build();
    }

    /** The progress of the running backup (for BackupWait), or an empty progress. */
    public BackupProgress progress() {
        Run run = current;
        return run == null ? BackupProgress.getDefaultInstance() : run.progress();
    }

    /** Subscribes or unsubscribes a session to backup events. */
    public void subscribe(Session s, boolean on) {
        if (on) {
            subscribers.add(s);
        } else {
            subscribers.remove(s);
        }
    }

    private void publish(Run run) {
        if (subscribers.isEmpty()) {
            return;
        }
        Event e = Event.newBuilder().setBackupProgress(run.progress()).build();
        for (Session s : subscribers) {
            if (s.isClosed()) {
                subscribers.remove(s);
            } else {
                s.push(e);
            }
        }
    }

    /**
     * The backup thread's task. Whatever happens inside (an {@code Error} included, such as
     * zstd-jni's UnsatisfiedLinkError when its native library cannot be loaded), the
     * backup ends with a status and a code, the gate is open again, the end is journaled
     * and recorded and {@link #finish} runs, so that later backups, {@link #runAndWait} and
     * the scheduler go on (PRODUCT.md 8).
     */
    private void execute(Run run) {
        try {
            runBackup(run);
        } catch (RuntimeException | Error e) {
            // Only when recording the end itself failed: the run must still end.
            LOG.error("Backup {} could not be ended normally.", run.number, e);
            endAnyway(run, e);
        }
    }

    /** Last resort when {@link #finish} failed: the gate opens, the run ends, its waiters are released. */
    private void endAnyway(Run run, Throwable cause) {
        try {
            if (gate.isClosed()) {
                gate.open();
            }
        } catch (RuntimeException | Error e) {
            LOG.error("The write gate could not be reopened after backup {}.", run.number, e);
        }
        if (run.publisher != null) {
            run.publisher.cancel(false);
        }
        long end = System.currentTimeMillis();
        BackupRecord record = BackupRecord.newBuilder().setNumber(run.number).setStartMillis(run.startMillis)
                .setEndMillis(end).setDurationMillis(end - run.startMillis).setStatus("FAILED")
                .setOutcome(BackupOutcome.BACKUP_FAILED)
                .setErrorCode(ErrorCode.INTERNAL_ERROR.code())
                .setErrorMessage("Internal error while ending the backup: " + cause).build();
        synchronized (this) {
            if (current == run) {
                current = null;
            }
            try {
                if (state.runningNumber() == run.number) {
                    state.running(0, null, false);
                }
                state.last(record);
            } catch (IOException | RuntimeException e) {
                LOG.warn("The last backup information could not be written: {}", e.toString());
            }
        }
        run.done.complete(record);
    }

    private void runBackup(Run run) {
        BackupSettings st = run.settings;
        String status = "SUCCESS";
        int code = 0;
        String message = "";
        long size = 0;
        List<String> missing = new ArrayList<>();
        com.fasterxml.jackson.databind.JsonNode manifest = null;
        BackupHistory history = new BackupHistory(st.destination(), layout.databaseName());
        try {
            if (st.deleteBefore()) {
                retain(run, history, Math.max(1, st.keepLast()) - 1);
            }
            if (!st.onBackupStartup().isBlank()) {
                run.phase = "startup hook";
                HookRunner.Outcome hook = runHook(run, "onBackupStartup", st.onBackupStartup(), Map.of(
                        "TETRA_BACKUP_NUMBER", Long.toString(run.number), "TETRA_BACKUP_FILE", run.archive.toString()));
                if (hook.exitCode() != 0) {
                    throw new Veto(hook.exitCode(), "The onBackupStartup hook vetoed the backup (exit code "
                            + hook.exitCode() + (hook.timedOut() ? ", timed out" : "") + ").");
                }
            }
            try (BackupArchiveWriter writer = new BackupArchiveWriter(run.archive, st.compression().level(),
                    st.maxRate())) {
                run.bytesTotal = estimateTotal(st);
                if (st.data() || st.structure()) {
                    copyUnderGate(run, writer);
                }
                if (!st.attachments().isEmpty()) {
                    run.phase = "copying attachments";
                    copyAttachments(run, writer, missing);
                }
                run.phase = "writing manifest";
                run.currentFile = "MANIFEST.json";
                ObjectNode m = manifest(run, missing);
                size = writer.finish(m);
                manifest = m;
            }
            journal(run, "archive-written", false, fields("archive", run.archive, "size", size));
            if (st.verify()) {
                run.phase = "verifying";
                // Recorded first: a kill from here on is reported as an interrupted verification.
                stage(run, BackupState.Stage.VERIFYING);
                verifyingListener.accept(run.number);
                try {
                    io.tetradb.server.restore.BackupArchiveReader.extract(run.archive, null);
                    run.verification = ArchiveVerification.ARCHIVE_VERIFIED;
                    stage(run, BackupState.Stage.VERIFIED);
                    journal(run, "verified", false, fields("archive", run.archive));
                } catch (TetraException e) {
                    Files.deleteIfExists(run.archive);
                    throw new BackupFailure(ErrorCode.BACKUP_VERIFY_FAILED, "Archive verification failed: "
                            + e.getMessage(), e);
                } catch (IOException | RuntimeException | Error e) {
                    // Not verified: the backup fails, and an archive that was not verified is not kept.
                    Files.deleteIfExists(run.archive);
                    throw e;
                }
            } else {
                run.verification = ArchiveVerification.ARCHIVE_NOT_VERIFIED;
            }
            if (!missing.isEmpty()) {
                status = "PARTIAL";
                code = ErrorCode.BACKUP_ATTACHMENT_MISSING.code();
                message = "Attachments not found: " + String.join(", ", missing);
            }
            if (!st.deleteBefore()) {
                retain(run, history, st.keepLast());
            }
        } catch (Veto v) {
            status = "VETOED";
            code = v.exitCode;
            message = v.getMessage();
        } catch (StopSignal s) {
            status = "STOPPED";
            code = ErrorCode.BACKUP_STOPPED.code();
            message = stopped(run).getMessage();
        } catch (BackupFailure f) {
            status = f.code == ErrorCode.BACKUP_STOPPED ? "STOPPED" : "FAILED";
            code = f.code.code();
            message = f.getMessage();
        } catch (IOException | RuntimeException e) {
            status = "FAILED";
            code = ErrorCode.BACKUP_IO.code();
            message = "Read or write error during the backup: " + e.getMessage();
            LOG.warn("Backup {} failed.", run.number, e);
        } catch (Error e) {
            // Not an I/O error: a defect or the environment (a native library that cannot load, memory).
            status = "FAILED";
            code = ErrorCode.INTERNAL_ERROR.code();
            message = "Internal error during the backup: " + e;
            LOG.error("Backup {} failed with an internal error.", run.number, e);
        } finally {
            copyingPriority(false);
            if (gate.isClosed()) {
                gate.open();
            }
        }

        if (!status.equals("SUCCESS") && !status.equals("PARTIAL") && run.gateWasClosed) {
            markModified();
        }
        history.record(run.number, manifest != null ? run.archive : null, size, run.startMillis,
                System.currentTimeMillis(), status, manifest, run.verification);
        finish(run, status, code, message, size, missing);
    }

    /** A vetoing startup hook: its exit code becomes the backup's error code. */
    private static final class Veto extends Exception {
        final int exitCode;

        Veto(int exitCode, String message) {
            super(message);
            this.exitCode = exitCode;
        }
    }

    private void retain(Run run, BackupHistory history, int keep) throws IOException {
        for (Path deleted : history.retain(keep)) {
            journal(run, "retention-deleted", false, fields("archive", deleted, "keepLast", run.settings.keepLast()));
        }
    }

    /** Runs hook {@code executable} of Settings/hooks/ as the {@code name} hook, and journals it. */
    private HookRunner.Outcome runHook(Run run, String name, String executable, Map<String, String> env) {
        HookRunner.Outcome o = HookRunner.run(layout.root(), executable, env, run.settings.hookTimeout());
        journal(run, "hook", o.exitCode() != 0, fields("hook", name, "file", executable, "exit", o.exitCode(),
                "timedOut", o.timedOut(), "output", o.output()));
        return o;
    }

    private void journal(Run run, String event, boolean important, Map<String, ?> f) {
        journal.event(run.number, event, important, run.settings.verboseJournal(), f);
    }

    /** An ordered map of key, value, key, value ... for the journal. */
    static Map<String, Object> fields(Object... kv) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            m.put(String.valueOf(kv[i]), kv[i + 1]);
        }
        return m;
    }

    /** The archives kept in the destination, from backup-history.json and the folder. */
    public io.tetradb.protocol.BackupHistory history() throws IOException {
        BackupSettings st = BackupSettings.load(layout);
        BackupHistory h = new BackupHistory(st.destination(), layout.databaseName());
        return io.tetradb.protocol.BackupHistory.newBuilder().addAllEntries(h.read())
                .setDestination(st.destination().toString()).build();
    }

    /** The journal (the scheduler and restore write to it too). */
    public BackupJournal journal() {
        return journal;
    }

    private long estimateTotal(BackupSettings st) throws IOException {
        long total = 0;
        if (st.data()) {
            total += Files.size(layout.dataFile());
        }
        if (st.structure()) {
            total += folderSize(layout.structureDir()) + folderSize(layout.settingsDir());
        }
        for (String a : st.attachments()) {
            Path p = Path.of(a);
            if (Files.exists(p)) {
                total += Files.isDirectory(p) ? folderSize(p) : Files.size(p);
            }
        }
        return total;
    }

    private static long folderSize(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private void copyUnderGate(Run run, BackupArchiveWriter writer) throws BackupFailure, IOException {
        BackupSettings st = run.settings;
        run.phase = "closing gate";
        long closing = System.nanoTime();
        gate.close(st.data() ? WriteGate.Mode.CLOSED : WriteGate.Mode.STRUCTURE_CLOSED, run.number, run::progress);
        run.phase = "waiting for transactions";
        boolean quiet;
        try {
            quiet = gate.awaitQuiet(transactionsEnded, st.waitForTransactions().toMillis(), () -> run.stopRequested);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackupFailure(ErrorCode.BACKUP_STOPPED, "The backup was interrupted.", e);
        }
        long quietNanos = System.nanoTime();
        checkStop(run);
        if (!quiet) {
            throw new BackupFailure(ErrorCode.BACKUP_TRANSACTION_TIMEOUT, "Open transactions did not end within "
                    + st.waitForTransactions().toMillis() + " ms; the backup was abandoned.", null);
        }
        run.gateWasClosed = true;
        journal(run, "gate-closed", false, fields("mode", st.data() ? "data+structure" : "structure"));
        synchronized (this) {
            // Writes from here on (after the gate reopens) mark the data modified again.
            modifiedHint = false;
            state.modified(false);
        }
        // Measured on the backup thread, when the gate became quiet, so that bench/ can report its closing time.
        LOG.info("Backup {}: the write gate is closed and quiet, {} us after the start request ({} us waiting for"
                + " running writes and open transactions).", run.number, (quietNanos - run.startNanos) / 1000,
                (quietNanos - closing) / 1000);
        // The copy yields the processors to the sessions' reads (the compressor's and the hasher's threads,
        // started from here, inherit it); the gate's work above ran at normal priority.
        copyingPriority(true);
        gateClosedListener.accept(run.number);
        if (st.data()) {
            run.phase = "copying data";
            String entry = "Data/" + layout.dataFile().getFileName();
            run.currentFile = entry;
            DataFileSnapshot snap = DataFileSnapshot.take(database.engineStore(), layout.dataFile());
            try (snap) {
                run.fileFormat = snap.fileFormat();
                writer.add(entry, System.currentTimeMillis(), snap.source(), n -> copied(run, n));
            }
        }
        if (st.structure()) {
            run.phase = "copying structure";
            copyFolder(run, writer, layout.structureDir(), "Structure");
            copyFolder(run, writer, layout.settingsDir(), "Settings");
        }
        gate.open();
        journal(run, "gate-opened", false, fields("queued", gate.queuedTotal(), "cancelled", gate.refusedTotal()));
        LOG.info("Backup {}: database files copied, the write gate is open again.", run.number);
    }

    private void copyFolder(Run run, BackupArchiveWriter writer, Path dir, String prefix) throws IOException, BackupFailure {
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().endsWith(".tmp")).sorted()
                    .toList();
        }
        for (Path f : files) {
            checkStop(run);
            String entry = prefix + "/" + dir.relativize(f).toString().replace('\\', '/');
            run.currentFile = entry;
            writer.addFile(entry, f, n -> copied(run, n));
        }
    }

    private void copyAttachments(Run run, BackupArchiveWriter writer, List<String> missing) throws IOException, BackupFailure {
        for (String a : run.settings.attachments()) {
            Path p = Path.of(a).toAbsolutePath().normalize();
            if (!Files.exists(p)) {
                missing.add(a);
                journal(run, "attachment-missing", true, fields("path", a));
                continue;
            }
            String base = "Attachments/" + p.toString().replaceFirst("^/+", "").replace('\\', '/');
            if (Files.isDirectory(p)) {
                List<Path> all;
                try (Stream<Path> s = Files.walk(p)) {
                    all = s.sorted().toList();
                }
                for (Path f : all) {
                    checkStop(run);
                    String entry = base + (f.equals(p) ? "" : "/" + p.relativize(f).toString().replace('\\', '/'));
                    if (Files.isDirectory(f)) {
                        writer.addFolder(entry);
                    } else if (Files.isRegularFile(f)) {
                        run.currentFile = entry;
                        writer.addFile(entry, f, n -> copied(run, n));
                    }
                }
            } else {
                run.currentFile = base;
                writer.addFile(base, p, n -> copied(run, n));
            }
        }
    }

    /**
     * Lowers the backup thread's priority while it copies (or restores it). Java priorities
     * reach Linux only when the JVM runs with {@code -XX:ThreadPriorityPolicy=1}, as
     * {@code bin/tetra-server} and the Docker image start it: the lowest maps to nice 4, which
     * an unprivileged process may set; elsewhere this changes nothing.
     */
    private static void copyingPriority(boolean low) {
        Thread.currentThread().setPriority(low ? Thread.MIN_PRIORITY : Thread.NORM_PRIORITY);
    }

    /** Counts copied bytes, applies maxRate and notices a stop. */
    private void copied(Run run, long n) throws IOException {
        run.bytesDone += n;
        if (run.stopRequested) {
            throw new StopSignal();
        }
        long max = run.settings.maxRate();
        if (max > 0) {
            long expectedNanos = run.bytesDone * 1_000_000_000L / max;
            long ahead = expectedNanos - (System.nanoTime() - run.startNanos);
            if (ahead > 0) {
                // Throttling the backup thread itself: it holds no lock readers need.
                LockSupport.parkNanos(ahead);
            }
        }
    }

    /** Carries a stop out of a copy loop. */
    private static final class StopSignal extends IOException {
        StopSignal() {
            super("stopped");
        }
    }

    private static void checkStop(Run run) throws BackupFailure {
        if (run.stopRequested) {
            throw stopped(run);
        }
    }

    private static BackupFailure stopped(Run run) {
        return new BackupFailure(ErrorCode.BACKUP_STOPPED, "Backup " + run.number + " was stopped"
                + (run.stoppedBy != null ? " by " + run.stoppedBy : "") + ".", null);
    }

    private ObjectNode manifest(Run run, List<String> missing) {
        ObjectNode m = new ObjectMapper().createObjectNode();
        m.put("format", 1);
        m.put("number", run.number);
        m.put("database", layout.databaseName());
        m.put("serverVersion", serverVersion);
        m.put("h2Version", Database.h2Version());
        m.put("fileFormat", run.fileFormat);
        m.put("start", Instant.ofEpochMilli(run.startMillis).toString());
        m.put("end", Instant.now().toString());
        m.set("settings", run.settings.asJson());
        m.put("partial", !missing.isEmpty());
        ArrayNode miss = m.putArray("missingAttachments");
        missing.forEach(miss::add);
        return m;
    }

    private void finish(Run run, String status, int code, String message, long size, List<String> missing) {
        if (run.publisher != null) {
            run.publisher.cancel(false);
        }
        long end = System.currentTimeMillis();
        boolean archived = status.equals("SUCCESS") || status.equals("PARTIAL");
        BackupRecord record = BackupRecord.newBuilder().setNumber(run.number).setStartMillis(run.startMillis)
                .setEndMillis(end).setDurationMillis(end - run.startMillis).setStatus(status)
                .setOutcome(WireStates.outcome(status))
                .setErrorCode(code).setErrorMessage(message == null ? "" : message)
                .setArchive(archived ? run.archive.toString() : "")
                .setArchiveSize(size).setWritesQueued(run.gateWasClosed ? gate.queuedTotal() : 0)
                .setWritesCancelled(run.gateWasClosed ? gate.refusedTotal() : 0)
                .setVerification(archived ? run.verification : ArchiveVerification.ARCHIVE_VERIFICATION_UNSPECIFIED)
                .build();
        synchronized (this) {
            try {
                if (state.runningNumber() == run.number) {
                    state.running(0, null, false);
                }
                state.last(record);
            } catch (IOException e) {
                LOG.warn("The last backup information could not be written: {}", e.getMessage());
            }
        }
        journal(run, "end", !archived || code != 0, fields("status", status, "code", code, "message", message,
                "archive", record.getArchive(), "size", size, "verification", record.getVerification().name(),
                "durationMillis", record.getDurationMillis(),
                "queued", record.getWritesQueued(), "cancelled", record.getWritesCancelled()));
        if (code == 0) {
            LOG.info("Backup {} finished: {} ({} bytes, {} ms).", run.number, status, size, end - run.startMillis);
        } else {
            LOG.warn("Backup {} ended {}: {} {}", run.number, status, code, message);
        }
        if (!run.settings.onBackupShutdown().isBlank()) {
            runHook(run, "onBackupShutdown", run.settings.onBackupShutdown(), Map.of(
                    "TETRA_BACKUP_STATUS", status, "TETRA_BACKUP_NUMBER", Long.toString(run.number),
                    "TETRA_BACKUP_FILE", record.getArchive(), "TETRA_BACKUP_ERROR",
                    code == 0 ? "" : code + " " + record.getErrorMessage()));
        }
        synchronized (this) {
            if (current == run) {
                current = null;
            }
        }
        Event e = Event.newBuilder().setBackupFinished(BackupFinished.newBuilder().setBackupNumber(run.number)
                .setStatus(status).setOutcome(record.getOutcome()).setErrorCode(record.getErrorCode()).setErrorMessage(record.getErrorMessage())
                .setArchive(record.getArchive())).build();
        for (Session s : subscribers) {
            s.push(e);
        }
        // Told on the backup thread, never under a lock (the scheduler takes its own).
        BiConsumer<BackupRecord, Origin> listener = finishedListener;
        Runnable tell = () -> {
            try {
                listener.accept(record, run.origin);
            } catch (RuntimeException ex) {
                LOG.warn("The backup end listener failed.", ex);
            } finally {
                run.done.complete(record);
            }
        };
        if (Thread.holdsLock(this)) {
            runner.execute(tell);
        } else {
            tell.run();
        }
    }

    /** Called (on the backup thread) after every backup with its outcome and origin. */
    public void onFinished(BiConsumer<BackupRecord, Origin> listener) {
        finishedListener = listener == null ? (r, o) -> { } : listener;
    }

    /** A data or structure write has run: a scheduled onlyIfModified backup will not be skipped. */
    public void noteWrite() {
        if (!modifiedHint) {
            markModified();
        }
    }

    private volatile boolean modifiedHint;
    private volatile BackupScheduler scheduler;

    /** Lets status() report the scheduler's plan. */
    void scheduler(BackupScheduler s) {
        scheduler = s;
    }

    /** The database folder's layout. */
    DataLayout layout() {
        return layout;
    }

    private synchronized void markModified() {
        modifiedHint = true;
        try {
            state.modified(true);
        } catch (IOException e) {
            LOG.warn("The backup state could not be written: {}", e.getMessage());
        }
    }

    /** Whether data changed since the last successful backup's gate closed. */
    public synchronized boolean modifiedSinceLastBackup() {
        return state.modified();
    }

    /** The persisted plan of the next automatic backup (for the scheduler across restarts). */
    synchronized long persistedNextScheduled() {
        return state.nextScheduledMillis();
    }

    synchronized void persistNextScheduled(long millis) {
        try {
            state.nextScheduledMillis(millis);
        } catch (IOException e) {
            LOG.warn("The backup state could not be written: {}", e.getMessage());
        }
    }

    /** Records an automatic backup that did not run (SKIPPED, or FAILED when missed or paused), with a number. */
    public synchronized BackupRecord recordNotRun(String status, int code, String message) {
        long number;
        try {
            number = state.takeNumber();
        } catch (IOException e) {
            number = 0;
        }
        long now = System.currentTimeMillis();
        BackupRecord r = BackupRecord.newBuilder().setNumber(number).setStartMillis(now).setEndMillis(now)
                .setStatus(status).setOutcome(WireStates.outcome(status)).setErrorCode(code).setErrorMessage(message)
                .build();
        try {
            state.last(r);
        } catch (IOException e) {
            LOG.warn("The last backup information could not be written: {}", e.getMessage());
        }
        BackupSettings st = BackupSettings.load(layout);
        journal.event(number, status.equals("SKIPPED") ? "skipped" : "not-run", code != 0, st.verboseJournal(),
                fields("status", status, "code", code, "message", message));
        return r;
    }

    /**
     * Runs a backup and waits for its end (embedded mode and the scheduler's own thread).
     * A backup that cannot start fails with its code, like {@link #start}.
     */
    public BackupRecord runAndWait() {
        Run run;
        synchronized (this) {
            start(null, false);
            run = current;
        }
        if (run == null) {
            return status().getLast();
        }
        try {
            return run.done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop("interrupt");
            throw new TetraException(ErrorCode.BACKUP_STOPPED, "Interrupted while waiting for the backup.");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new TetraException(ErrorCode.INTERNAL_ERROR, "The backup failed: " + e.getCause());
        }
    }

    /** Whether a backup runs now. */
    public boolean isRunning() {
        return current != null;
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
