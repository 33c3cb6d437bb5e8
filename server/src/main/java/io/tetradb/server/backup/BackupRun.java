package io.tetradb.server.backup;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tetradb.protocol.ArchiveVerification;
import io.tetradb.protocol.BackupOutcome;
import io.tetradb.protocol.BackupProgress;
import io.tetradb.protocol.BackupRecord;
import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraException;
import io.tetradb.protocol.WireStates;
import io.tetradb.server.DataLayout;
import io.tetradb.server.gate.WriteGate;
import io.tetradb.server.log.OperationLog;
import io.tetradb.server.sql.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * One backup, from its number to its record (docs/backups.md): the phases of
 * {@link #run} — retention first when {@code deleteBefore}, the onBackupStartup hook
 * (its exit code vetoes), the gate closed and quiet, the log's current segment closed
 * (data backups: its last operation is the last the copied data file holds), the data
 * file (see {@link DataFileSnapshot}) and the structure copied, the gate reopened, the
 * attachments, the manifest and the rename into place, the verification, the closed
 * segments archived ({@link SegmentArchiver}), retention —
 * then {@link #end}: the record, the journal and the onBackupShutdown hook. Its progress
 * fields are what status and the progress events show. A failure or a stop leaves the
 * database untouched and writable, removes the partial archive and reopens the gate.
 *
 * <p><b>Threads.</b> {@link #run} and {@link #end} run on the backup thread
 * ("tetra-backup"); {@link #end} also on the thread that started the backup when its
 * destination is not usable (the backup never reached the backup thread). The progress
 * fields are volatile and read by the timer (progress events) and admin requests
 * (status); {@link #stop} sets the stop flag from a worker. It takes no lock of its own:
 * the gate, the records and the journal guard themselves, and it calls them with no lock
 * held.
 */
final class BackupRun {
    /** The service's logger: the log lines read as they did before the split (bench/ reads one of them). */
    private static final Logger LOG = LoggerFactory.getLogger(BackupService.class);
    private static final long CHECKPOINT_WAIT_MILLIS = 10_000;

    /** What a run needs of the service; one per service, shared by its runs. */
    record Context(DataLayout layout, Database database, WriteGate gate, BooleanSupplier transactionsEnded,
                   String serverVersion, BackupJournal journal, BackupRecords records,
                   Supplier<LongConsumer> gateClosedListener, Supplier<LongConsumer> verifyingListener,
                   Supplier<OperationLog> log, Supplier<io.tetradb.server.log.Checkpoints> checkpoints) {
    }

    final long number;
    final BackupSettings settings;
    /** The key the archive is encrypted with (loaded at the start of the run), or null. */
    private BackupKey key;
    /** Where the archive is written: in the destination folder, or staged locally for a bucket ({@link #store}). */
    final Path archive;
    /** The destination the archive, its segment and the history go to. */
    final ArchiveStore store;
    final BackupService.Origin origin;
    final long startMillis = System.currentTimeMillis();
    final long startNanos = System.nanoTime();
    final CompletableFuture<BackupRecord> done = new CompletableFuture<>();
    private final Context cx;
    private volatile String phase = "starting";
    private volatile long bytesDone;
    private volatile long bytesTotal;
    private volatile String currentFile = "";
    private volatile boolean stopRequested;
    private volatile String stoppedBy;
    private volatile int fileFormat = -1;
    /** Set by the starting thread before the run is handed to the backup thread. */
    ScheduledFuture<?> publisher;
    private boolean gateWasClosed;
    /** The log segment this data backup closed at gate close (null when none: no data, no log). */
    private OperationLog.ClosedSegment rolled;
    /** The database id of the log rolled (set with {@link #rolled}). */
    private String logDatabaseId;
    /** The exit code of the hook that ended the backup (a veto), 0 when none; and that hook's name (backup thread). */
    private int hookExitCode;
    private String hook = "";
    /** What was verified of the archive written (set on the backup thread). */
    private volatile ArchiveVerification verification = ArchiveVerification.ARCHIVE_VERIFICATION_UNSPECIFIED;

    BackupRun(Context cx, long number, BackupSettings settings, ArchiveStore store, Path archive,
              BackupService.Origin origin) {
        this.cx = cx;
        this.number = number;
        this.settings = settings;
        this.store = store;
        this.archive = archive;
        this.origin = origin;
    }

    /** The archive's name in the destination. */
    String archiveName() {
        return archive.getFileName().toString();
    }

    /** The archive as shown: its path, or its {@code s3://} URL. */
    String archiveLocation() {
        return store.location(archiveName());
    }

    /** A failure with its code (docs/error-codes.md). */
    static final class Failure extends Exception {
        final ErrorCode code;

        Failure(ErrorCode code, String message, Throwable cause) {
            super(message, cause);
            this.code = code;
        }
    }

    /**
     * A vetoing startup hook: its exit code is the backup's error code (docs/error-codes.md) and
     * is also kept as the record's {@code hook_exit_code}.
     */
    private static final class Veto extends Exception {
        final int exitCode;

        Veto(int exitCode, String message) {
            super(message);
            this.exitCode = exitCode;
        }
    }

    /** Carries a stop out of a copy loop. */
    private static final class StopSignal extends IOException {
        StopSignal() {
            super("stopped");
        }
    }

    /** Asks the run to stop at its next check (1406). */
    void stop(String by) {
        stoppedBy = by;
        stopRequested = true;
    }

    BackupProgress progress() {
        long elapsed = Math.max(1, System.nanoTime() - startNanos);
        double rate = bytesDone * 1e9 / elapsed;
        long done = bytesDone;
        long total = Math.max(bytesTotal, done);
        long eta = rate > 0 && total > done ? (long) ((total - done) / rate * 1000) : 0;
        return BackupProgress.newBuilder().setBackupNumber(number).setPhase(phase).setBytesDone(done)
                .setBytesTotal(total).setCurrentFile(currentFile).setBytesPerSecond(rate).setEtaMillis(eta)
                .setQueuedWrites(cx.gate().queuedWrites()).setPercent(total == 0 ? 0 : 100.0 * done / total).build();
    }

    /**
     * Checks the destination (1407): a folder is created when its parent exists and must be
     * writable; a bucket must exist, accept the credentials and take a probe object.
     */
    static void checkDestination(ArchiveStore store) throws Failure {
        try {
            store.check();
        } catch (ArchiveStore.DestinationException e) {
            throw new Failure(ErrorCode.BACKUP_DESTINATION, e.getMessage(), e);
        }
    }

    /**
     * The backup's phases, then {@link #end}. Whatever happens inside but an error in
     * {@link #end} itself, the backup ends with a status and a code and the gate is open
     * again; the caller handles what {@link #end} throws ({@link #endAnyway}).
     */
    BackupRecord run() {
        BackupSettings st = settings;
        String status = "SUCCESS";
        int code = 0;
        String message = "";
        long size = 0;
        List<String> missing = new ArrayList<>();
        com.fasterxml.jackson.databind.JsonNode manifest = null;
        io.tetradb.protocol.LogSegmentFile segment = null;
        BackupHistory history = new BackupHistory(store, cx.layout().databaseName());
        try {
            if (store instanceof MultiArchiveStore multi) {
                // At the latest at the next backup: what a destination missed is copied there first.
                history.copyMissing(multi, st.keepLast());
            }
            if (st.deleteBefore()) {
                retain(history, Math.max(1, st.keepLast()) - 1);
            }
            if (!st.onBackupStartup().isBlank()) {
                phase = "startup hook";
                HookRunner.Outcome hook = runHook("onBackupStartup", st.onBackupStartup(), Map.of(
                        "TETRA_BACKUP_NUMBER", Long.toString(number), "TETRA_BACKUP_FILE", archiveLocation()));
                if (hook.exitCode() != 0) {
                    throw new Veto(hook.exitCode(), "The onBackupStartup hook vetoed the backup (exit code "
                            + hook.exitCode() + (hook.timedOut() ? ", timed out" : "") + ").");
                }
            }
            if (st.encrypted()) {
                try {
                    key = BackupKey.load(st.keyFile());
                } catch (TetraException e) {
                    throw new Failure(ErrorCode.BACKUP_KEY, e.getMessage(), e);
                }
            }
            // fast adapts its level to whether zstd is the bottleneck (AdaptiveLevel); compact keeps zstd 9.
            BackupArchiveWriter.Levels levels = st.compression() == BackupSettings.Compression.FAST
                    ? new AdaptiveLevel() : null;
            try (BackupArchiveWriter writer = new BackupArchiveWriter(archive, st.compression().level(),
                    st.maxRate(), key, levels)) {
                bytesTotal = estimateTotal(st);
                if (st.data() || st.structure()) {
                    copyUnderGate(writer);
                }
                if (!st.attachments().isEmpty()) {
                    phase = "copying attachments";
                    copyAttachments(writer, missing);
                }
                phase = "writing manifest";
                currentFile = "MANIFEST.json";
                ObjectNode m = manifest(missing);
                size = writer.finish(m);
                manifest = m;
            }
            journal("archive-written", false, BackupService.fields("archive", archive, "size", size));
            if (st.verify()) {
                phase = "verifying";
                // Recorded first: a kill from here on is reported as an interrupted verification.
                cx.records().stage(number, BackupState.Stage.VERIFYING);
                cx.verifyingListener().get().accept(number);
                try {
                    io.tetradb.server.restore.BackupArchiveReader.extract(archive, null,
                            key != null ? BackupKey.Source.of(key) : BackupKey.Source.NONE);
                    verification = ArchiveVerification.ARCHIVE_VERIFIED;
                    cx.records().stage(number, BackupState.Stage.VERIFIED);
                    journal("verified", false, BackupService.fields("archive", archive));
                } catch (TetraException e) {
                    Files.deleteIfExists(archive);
                    throw new Failure(ErrorCode.BACKUP_VERIFY_FAILED, "Archive verification failed: "
                            + e.getMessage(), e);
                } catch (IOException | RuntimeException | Error e) {
                    // Not verified: the backup fails, and an archive that was not verified is not kept.
                    Files.deleteIfExists(archive);
                    throw e;
                }
            } else {
                verification = ArchiveVerification.ARCHIVE_NOT_VERIFIED;
            }
            if (store.remote()) {
                upload();
            }
            if (rolled != null) {
                phase = "archiving log";
                segment = archiveSegments();
            }
            if (!missing.isEmpty()) {
                status = "PARTIAL";
                code = ErrorCode.BACKUP_ATTACHMENT_MISSING.code();
                message = "Attachments not found: " + String.join(", ", missing);
            }
            if (store instanceof MultiArchiveStore multi) {
                // Several destinations: the archive (and its segment) reached at least one; the others are named.
                Map<String, String> failed = new java.util.LinkedHashMap<>(multi.failures(archiveName()));
                if (segment != null) {
                    multi.failures(segment.getFile()).forEach(failed::putIfAbsent);
                }
                if (!failed.isEmpty()) {
                    status = "PARTIAL";
                    code = ErrorCode.BACKUP_DESTINATION.code();
                    List<String> parts = new ArrayList<>();
                    failed.forEach((d, why) -> parts.add(d + " (" + why + ")"));
                    message = (message.isEmpty() ? "" : message + "; ") + "Not in " + String.join(", ", parts)
                            + ": copied there again per onFailure";
                    journal("copy-failed", true, BackupService.fields("archive", archiveName(), "destinations",
                            failed));
                }
            }
            if (!st.deleteBefore()) {
                retain(history, st.keepLast());
            }
        } catch (Veto v) {
            status = "VETOED";
            code = v.exitCode;
            hookExitCode = v.exitCode;
            hook = "onBackupStartup";
            message = v.getMessage();
        } catch (StopSignal s) {
            status = "STOPPED";
            code = ErrorCode.BACKUP_STOPPED.code();
            message = stopped().getMessage();
        } catch (Failure f) {
            status = f.code == ErrorCode.BACKUP_STOPPED ? "STOPPED" : "FAILED";
            code = f.code.code();
            message = f.getMessage();
        } catch (ArchiveStore.DestinationException e) {
            // The bucket went away, or refused something (retention, the history): what failed is named.
            status = "FAILED";
            code = ErrorCode.BACKUP_DESTINATION.code();
            message = e.getMessage();
            LOG.warn("Backup {} failed: {}", number, e.getMessage());
        } catch (IOException | RuntimeException e) {
            status = "FAILED";
            code = ErrorCode.BACKUP_IO.code();
            message = "Read or write error during the backup: " + e.getMessage();
            LOG.warn("Backup {} failed.", number, e);
        } catch (Error e) {
            // Not an I/O error: a defect or the environment (a native library that cannot load, memory).
            status = "FAILED";
            code = ErrorCode.INTERNAL_ERROR.code();
            message = "Internal error during the backup: " + e;
            LOG.error("Backup {} failed with an internal error.", number, e);
        } finally {
            copyingPriority(false);
            if (cx.gate().isClosed()) {
                cx.gate().open();
            }
        }

        if (!status.equals("SUCCESS") && !status.equals("PARTIAL") && gateWasClosed) {
            cx.records().copyLost();
        }
        if (store.remote() && manifest != null && !uploaded) {
            // Written but not uploaded (the backup failed or stopped first): the staged copy goes.
            deleteQuietly(archive);
            manifest = null;
        }
        history.record(number, manifest != null ? archiveName() : null, size, startMillis,
                System.currentTimeMillis(), status, manifest, verification, segment);
        return end(status, code, message, size);
    }

    /**
     * The end of the backup: its record (the last backup's information), the journal, the
     * log and the onBackupShutdown hook. Returns the record.
     */
    BackupRecord end(String status, int code, String message, long size) {
        if (publisher != null) {
            publisher.cancel(false);
        }
        WriteGate gate = cx.gate();
        long end = System.currentTimeMillis();
        boolean archived = status.equals("SUCCESS") || status.equals("PARTIAL");
        BackupRecord.Builder rb = BackupRecord.newBuilder().setNumber(number).setStartMillis(startMillis)
                .setEndMillis(end).setDurationMillis(end - startMillis).setStatus(status)
                .setOutcome(WireStates.outcome(status))
                .setErrorCode(code).setErrorMessage(message == null ? "" : message)
                .setArchive(archived ? archiveLocation() : "")
                .setArchiveSize(size).setWritesQueued(gateWasClosed ? gate.queuedTotal() : 0)
                .setWritesCancelled(gateWasClosed ? gate.refusedTotal() : 0)
                .setVerification(archived ? verification : ArchiveVerification.ARCHIVE_VERIFICATION_UNSPECIFIED)
                .setHookExitCode(hookExitCode).setHook(hook);
        if (archived && key != null) {
            rb.setKeyFingerprint(key.fingerprint());
        }
        BackupRecord record = rb.build();
        cx.records().ended(number, record);
        Map<String, Object> endFields = BackupService.fields("status", status, "code", code, "message", message,
                "archive", record.getArchive(), "size", size, "verification", record.getVerification().name(),
                "durationMillis", record.getDurationMillis(),
                "queued", record.getWritesQueued(), "cancelled", record.getWritesCancelled());
        if (hookExitCode != 0) {
            endFields.put("hook", hook);
            endFields.put("hookExitCode", hookExitCode);
        }
        journal("end", !archived || code != 0, endFields);
        if (code == 0) {
            LOG.info("Backup {} finished: {} ({} bytes, {} ms).", number, status, size, end - startMillis);
        } else {
            LOG.warn("Backup {} ended {}: {} {}", number, status, code, message);
        }
        if (!settings.onBackupShutdown().isBlank()) {
            runHook("onBackupShutdown", settings.onBackupShutdown(), Map.of(
                    "TETRA_BACKUP_STATUS", status, "TETRA_BACKUP_NUMBER", Long.toString(number),
                    "TETRA_BACKUP_FILE", record.getArchive(), "TETRA_BACKUP_ERROR",
                    code == 0 ? "" : code + " " + record.getErrorMessage(),
                    "TETRA_BACKUP_HOOK_EXIT_CODE", hookExitCode == 0 ? "" : Integer.toString(hookExitCode)));
        }
        return record;
    }

    /** Last resort when {@link #end} failed: the gate opens and the run is recorded FAILED (2000). */
    BackupRecord endAnyway(Throwable cause) {
        try {
            if (cx.gate().isClosed()) {
                cx.gate().open();
            }
        } catch (RuntimeException | Error e) {
            LOG.error("The write gate could not be reopened after backup {}.", number, e);
        }
        if (publisher != null) {
            publisher.cancel(false);
        }
        long end = System.currentTimeMillis();
        return BackupRecord.newBuilder().setNumber(number).setStartMillis(startMillis)
                .setEndMillis(end).setDurationMillis(end - startMillis).setStatus("FAILED")
                .setOutcome(BackupOutcome.BACKUP_FAILED)
                .setErrorCode(ErrorCode.INTERNAL_ERROR.code())
                .setErrorMessage("Internal error while ending the backup: " + cause).build();
    }

    /** Whether the archive was uploaded to the bucket (a remote destination, backup thread). */
    private boolean uploaded;

    /**
     * A bucket: uploads the written (and verified) archive from its staging folder, streamed
     * part by part; it is visible under its name only once complete, and only then recorded
     * (1407 naming the bucket when the upload fails: nothing of it is left as an archive).
     */
    private void upload() throws Failure, IOException {
        checkStop();
        phase = "uploading";
        currentFile = archiveName();
        try {
            store.put(archiveName(), archive);
        } catch (ArchiveStore.DestinationException e) {
            throw new Failure(ErrorCode.BACKUP_DESTINATION, "The archive " + archiveName() + " could not be uploaded: "
                    + e.getMessage(), e);
        }
        uploaded = true;
        journal("uploaded", false, BackupService.fields("archive", archiveLocation()));
        LOG.info("Backup {}: archive uploaded as {}.", number, archiveLocation());
    }

    /** Removes the archive written (the staged copy, and the uploaded object of a bucket). */
    private void deleteArchive() throws IOException {
        Files.deleteIfExists(archive);
        if (store.remote() && uploaded) {
            store.delete(archiveName());
            uploaded = false;
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a staged copy left over never has an archive's place: the next backup of that number replaces it
        }
    }

    private void copyUnderGate(BackupArchiveWriter writer) throws Failure, IOException {
        BackupSettings st = settings;
        WriteGate gate = cx.gate();
        phase = "closing gate";
        long closing = System.nanoTime();
        gate.close(st.data() ? WriteGate.Mode.CLOSED : WriteGate.Mode.STRUCTURE_CLOSED, number, this::progress);
        phase = "waiting for transactions";
        boolean quiet;
        try {
            quiet = gate.awaitQuiet(cx.transactionsEnded(), st.waitForTransactions().toMillis(), () -> stopRequested);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure(ErrorCode.BACKUP_STOPPED, "The backup was interrupted.", e);
        }
        long quietNanos = System.nanoTime();
        checkStop();
        if (!quiet) {
            throw new Failure(ErrorCode.BACKUP_TRANSACTION_TIMEOUT, "Open transactions did not end within "
                    + st.waitForTransactions().toMillis() + " ms; the backup was abandoned.", null);
        }
        gateWasClosed = true;
        journal("gate-closed", false, BackupService.fields("mode", st.data() ? "data+structure" : "structure"));
        // Writes from here on (after the gate reopens) mark the data modified again.
        cx.records().gateClosed();
        if (st.data()) {
            rollLog();
        }
        // Measured on the backup thread, when the gate became quiet, so that bench/ can report its closing time.
        LOG.info("Backup {}: the write gate is closed and quiet, {} us after the start request ({} us waiting for"
                + " running writes and open transactions).", number, (quietNanos - startNanos) / 1000,
                (quietNanos - closing) / 1000);
        // The copy yields the processors to the sessions' reads (the compressor's and the hasher's threads,
        // started from here, inherit it); the gate's work above ran at normal priority.
        copyingPriority(true);
        cx.gateClosedListener().get().accept(number);
        DataLayout layout = cx.layout();
        if (st.data()) {
            phase = "copying data";
            String entry = "Data/" + layout.dataFile().getFileName();
            currentFile = entry;
            DataFileSnapshot snap = DataFileSnapshot.take(cx.database().engineStore(), layout.dataFile(),
                    this::writeDataFile);
            try (snap) {
                fileFormat = snap.fileFormat();
                writer.add(entry, System.currentTimeMillis(), snap.source(), this::copied);
            }
        }
        if (st.structure()) {
            phase = "copying structure";
            copyFolder(writer, layout.structureDir(), "Structure");
            copyFolder(writer, layout.settingsDir(), "Settings");
        }
        gate.open();
        journal("gate-opened", false, BackupService.fields("queued", gate.queuedTotal(), "cancelled", gate.refusedTotal()));
        LOG.info("Backup {}: database files copied, the write gate is open again.", number);
    }

    /**
     * Writes every committed change to the data file before it is copied, with every
     * sequence's exact position ({@link SequencePositions}): at one of the server's
     * checkpoints when it has them (H2 then writes while no session changes the engine, as
     * always), else by H2 directly (embedded mode: the exclusive lock keeps all work out).
     */
    private void writeDataFile() throws IOException {
        io.tetradb.server.log.Checkpoints cp = cx.checkpoints().get();
        try {
            SequencePositions.writeExact(cx.database(), cp);
        } catch (java.sql.SQLException e) {
            throw new IOException("the sequences' positions could not be written: " + e.getMessage(), e);
        }
        if (cp == null) {
            cx.database().engineStore().getMvStore().commit();
        } else if (!cp.checkpointWithin(CHECKPOINT_WAIT_MILLIS)) {
            throw new IOException("the data file could not be written at a checkpoint within "
                    + CHECKPOINT_WAIT_MILLIS / 1000 + " s (engine calls under way did not end)");
        }
    }

    /**
     * With the gate closed and quiet (no write runs, no write transaction is open): closes
     * the log's current segment, so that its last operation is the last the data file about
     * to be copied holds (1408 when it cannot be closed). Nothing to do without a log.
     */
    private void rollLog() throws Failure {
        OperationLog log = cx.log().get();
        if (log == null) {
            return;
        }
        try {
            rolled = log.roll(SegmentArchiver.closedName(cx.layout(), log.header().getSegment()));
        } catch (IOException | RuntimeException e) {
            throw new Failure(ErrorCode.LOG_NOT_ARCHIVABLE, "The log file could not be closed for backup " + number
                    + ": " + e.getMessage(), e);
        }
        logDatabaseId = log.header().getDatabaseId();
        journal("log-closed", false, BackupService.fields("segment", rolled.segment(), "firstOperation",
                rolled.firstOperation(), "lastOperation", rolled.lastOperation(), "file", rolled.file().getFileName()));
    }

    /**
     * Archives the closed segments waiting in Data/ (the one this backup closed, and any an
     * earlier backup closed but did not archive) as {@code <name>-NNNN.journal.zst}, then
     * removes them from Data/. On failure the data archive is removed too (the backup fails
     * with 1408) and the closed segments stay for the next backup.
     */
    private io.tetradb.protocol.LogSegmentFile archiveSegments() throws IOException, Failure {
        String name = SegmentArchiver.archiveName(cx.layout().databaseName(), number, 0, key != null);
        Path target = store.staging().resolve(name);
        SegmentArchiver.Archived a;
        try {
            a = SegmentArchiver.archive(cx.layout(), logDatabaseId, target, number, 0,
                    Math.max(1, settings.compression().level()), key);
        } catch (TetraException e) {
            deleteArchive();
            throw new Failure(ErrorCode.LOG_NOT_ARCHIVABLE, e.getMessage(), e);
        }
        if (a == null) {
            deleteArchive();
            throw new Failure(ErrorCode.LOG_NOT_ARCHIVABLE, "The log segment closed for backup " + number
                    + " is no longer in the Data folder.", null);
        }
        try {
            store.put(name, target);
        } catch (IOException e) {
            // The segment stays in Data/ for the next backup or log new; the archive that needs it goes.
            deleteArchive();
            throw new Failure(e instanceof ArchiveStore.DestinationException ? ErrorCode.BACKUP_DESTINATION
                    : ErrorCode.LOG_NOT_ARCHIVABLE, "The log segment " + name + " could not be uploaded: "
                    + e.getMessage(), e);
        }
        SegmentArchiver.removeSources(cx.layout(), a.sources());
        io.tetradb.protocol.LogSegmentFile info = a.info();
        journal("log-archived", false, BackupService.fields("file", name, "segments",
                info.getSegmentsList(), "firstOperation", info.getFirstOperation(), "lastOperation",
                info.getLastOperation(), "size", info.getSize(), "sha256", info.getSha256()));
        LOG.info("Backup {}: log operations {} to {} archived as {} ({} bytes).", number, info.getFirstOperation(),
                info.getLastOperation(), store.location(name), info.getSize());
        return info;
    }

    private void copyFolder(BackupArchiveWriter writer, Path dir, String prefix) throws IOException, Failure {
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().endsWith(".tmp")).sorted()
                    .toList();
        }
        for (Path f : files) {
            checkStop();
            String entry = prefix + "/" + dir.relativize(f).toString().replace('\\', '/');
            currentFile = entry;
            writer.addFile(entry, f, this::copied);
        }
    }

    private void copyAttachments(BackupArchiveWriter writer, List<String> missing) throws IOException, Failure {
        for (String a : settings.attachments()) {
            Path p = Path.of(a).toAbsolutePath().normalize();
            if (!Files.exists(p)) {
                missing.add(a);
                journal("attachment-missing", true, BackupService.fields("path", a));
                continue;
            }
            String base = "Attachments/" + p.toString().replaceFirst("^/+", "").replace('\\', '/');
            if (Files.isDirectory(p)) {
                List<Path> all;
                try (Stream<Path> s = Files.walk(p)) {
                    all = s.sorted().toList();
                }
                for (Path f : all) {
                    checkStop();
                    String entry = base + (f.equals(p) ? "" : "/" + p.relativize(f).toString().replace('\\', '/'));
                    if (Files.isDirectory(f)) {
                        writer.addFolder(entry);
                    } else if (Files.isRegularFile(f)) {
                        currentFile = entry;
                        writer.addFile(entry, f, this::copied);
                    }
                }
            } else {
                currentFile = base;
                writer.addFile(base, p, this::copied);
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
    private void copied(long n) throws IOException {
        bytesDone += n;
        if (stopRequested) {
            throw new StopSignal();
        }
        long max = settings.maxRate();
        if (max > 0) {
            long expectedNanos = bytesDone * 1_000_000_000L / max;
            long ahead = expectedNanos - (System.nanoTime() - startNanos);
            if (ahead > 0) {
                // Throttling the backup thread itself: it holds no lock readers need.
                LockSupport.parkNanos(ahead);
            }
        }
    }

    private void checkStop() throws Failure {
        if (stopRequested) {
            throw stopped();
        }
    }

    private Failure stopped() {
        return new Failure(ErrorCode.BACKUP_STOPPED, "Backup " + number + " was stopped"
                + (stoppedBy != null ? " by " + stoppedBy : "") + ".", null);
    }

    private ObjectNode manifest(List<String> missing) {
        DataLayout layout = cx.layout();
        ObjectNode m = new ObjectMapper().createObjectNode();
        m.put("format", SegmentDigests.FORMAT);
        m.put("number", number);
        m.put("database", layout.databaseName());
        m.put("serverVersion", cx.serverVersion());
        m.put("h2Version", Database.h2Version());
        m.put("fileFormat", fileFormat);
        m.put("start", Instant.ofEpochMilli(startMillis).toString());
        m.put("end", Instant.now().toString());
        m.set("settings", settings.asJson());
        m.put("partial", !missing.isEmpty());
        if (key != null) {
            // The key itself never enters the archive: only its fingerprint (docs/backup-encryption.md).
            m.putObject("encryption").put("algorithm", EncryptedFile.ALGORITHM).put("keyFingerprint", key.fingerprint())
                    .put("chunkSize", EncryptedFile.CHUNK_SIZE);
        }
        ArrayNode miss = m.putArray("missingAttachments");
        missing.forEach(miss::add);
        if (rolled != null) {
            // The data file archived holds every operation up to this one, none after it.
            m.put("lastOperation", rolled.lastOperation());
            m.put("databaseId", logDatabaseId);
            m.put("logSegment", SegmentArchiver.archiveName(layout.databaseName(), number, 0, key != null));
        }
        return m;
    }

    private void retain(BackupHistory history, int keep) throws IOException {
        for (String deleted : history.retain(keep, rolled != null ? number : -1)) {
            journal("retention-deleted", false, BackupService.fields("archive", deleted, "keepLast", settings.keepLast()));
        }
    }

    /** Runs hook {@code executable} of Settings/hooks/ as the {@code name} hook, and journals it. */
    private HookRunner.Outcome runHook(String name, String executable, Map<String, String> env) {
        HookRunner.Outcome o = HookRunner.run(cx.layout().root(), executable, env, settings.hookTimeout());
        journal("hook", o.exitCode() != 0, BackupService.fields("hook", name, "file", executable, "exit", o.exitCode(),
                "timedOut", o.timedOut(), "output", o.output()));
        return o;
    }

    void journal(String event, boolean important, Map<String, ?> f) {
        cx.journal().event(number, event, important, settings.verboseJournal(), f);
    }

    private long estimateTotal(BackupSettings st) throws IOException {
        DataLayout layout = cx.layout();
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
}
