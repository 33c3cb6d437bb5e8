package io.tetradb.server.backup;

import io.tetradb.protocol.ArchiveVerification;
import io.tetradb.protocol.BackupOutcome;
import io.tetradb.protocol.BackupRecord;
import io.tetradb.client.ErrorCode;
import io.tetradb.protocol.WireStates;
import io.tetradb.server.DataLayout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The persistent records of the backups of one database: {@code backup-state.json}
 * ({@link BackupState}: the counter, the last backup's information, the running backup
 * and its stage, the scheduler's plan, whether data changed since the last backup), the
 * destination's {@code backup-history.json} ({@link BackupHistory}) and the records of
 * backups that did not run. At construction it records a backup that a kill interrupted.
 *
 * <p><b>Threads.</b> Written by the backup thread ("tetra-backup": number, running,
 * stage, last), by the thread that starts a backup (an admin session's worker, the
 * scheduler's thread "tetra-backup-scheduler", an embedded caller), by the scheduler
 * (plan, backups not run) and by workers running writes ({@link #noteWrite}); read by
 * admin requests. {@code memory} guards the in-memory state and is never held across I/O;
 * {@code fileLock} serializes the writes of {@code backup-state.json} and is held across
 * them; a writer changes memory, then writes the file from a snapshot taken under
 * {@code memory}, so the file always ends with the newest state and every change is
 * durable when its method returns. Readers take only {@code memory}: they never wait for
 * a file write. Lock order: {@code fileLock} before {@code memory}.
 */
final class BackupRecords {
    /** The service's logger: the log lines read as they did before the split (bench/ reads one of them). */
    private static final Logger LOG = LoggerFactory.getLogger(BackupService.class);

    private final DataLayout layout;
    private final BackupJournal journal;
    private final BackupState state;
    /** Guards {@link #state}; never held across I/O. */
    private final Object memory = new Object();
    /** Serializes the writes of backup-state.json; held across them, never taken under {@code memory}. */
    private final ReentrantLock fileLock = new ReentrantLock();
    /** Whether a write was noted since the last gate close (spares the state file a write per write). */
    private volatile boolean modifiedHint;
    private final boolean interruptedScheduled;

    /** Loads the state and records a backup that a kill interrupted (the server's start, one thread). */
    BackupRecords(DataLayout layout, BackupJournal journal) throws IOException {
        this.layout = layout;
        this.journal = journal;
        this.state = new BackupState(layout.root().resolve("backup-state.json"));
        state.load();
        this.interruptedScheduled = recoverInterrupted();
    }

    /**
     * A backup that was running when the server stopped without finishing it (killed,
     * power cut): it is recorded FAILED, its partial archive removed. An archive under its
     * final name can only be complete (it is renamed last, after its fsync), so one is kept
     * and recorded SUCCESS with what was verified of it, from the stage the backup had
     * recorded: {@code ARCHIVE_VERIFICATION_INTERRUPTED} when the server stopped during
     * the verification, {@code ARCHIVE_NOT_VERIFIED} when before it,
     * {@code ARCHIVE_VERIFIED} when after. An archive not verified is not verified again
     * here (the start would wait for it); the message says how to check it. Returns whether
     * the interrupted backup was a scheduled one that did not finish.
     */
    private boolean recoverInterrupted() throws IOException {
        long n = state.runningNumber();
        if (n <= 0) {
            return false;
        }
        Path archive = Path.of(state.runningArchive());
        boolean finished = Files.isRegularFile(archive);
        BackupSettings st = null;
        try {
            st = BackupSettings.load(layout);
        } catch (RuntimeException e) {
            // settings that no longer read: the archive is judged by its file alone
        }
        ArchiveStore store = st != null ? st.store() : new LocalArchiveStore(archive.getParent());
        boolean staged = st != null && st.s3() != null && archive.getParent() != null
                && archive.getParent().equals(st.destination());
        if (staged) {
            // Written for a bucket but maybe not uploaded: only an object in the bucket is an archive.
            Files.deleteIfExists(archive);
            if (store instanceof S3ArchiveStore s3) {
                s3.abortUnfinished(archive.getFileName().toString());
            } else if (store instanceof MultiArchiveStore multi) {
                for (MultiArchiveStore.Member m : multi.members()) {
                    if (m.store() instanceof S3ArchiveStore s3) {
                        s3.abortUnfinished(archive.getFileName().toString());
                    }
                }
            }
            try {
                finished = store.exists(archive.getFileName().toString());
            } catch (IOException e) {
                LOG.warn("Whether backup {} reached {} could not be checked: {}", n, store.describe(), e.getMessage());
                finished = false;
            }
        } else {
            store = new LocalArchiveStore(archive.getParent());
        }
        Path partial = archive.resolveSibling("." + archive.getFileName() + ".partial");
        Files.deleteIfExists(partial);
        boolean scheduled = state.runningScheduled() && !finished;
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
        // When it started, as recorded then (not this restart); the end is when the stop was noticed.
        long start = state.runningStartMillis() > 0 ? state.runningStartMillis() : now;
        long size = finished && !staged ? Files.size(archive) : 0;
        if (finished && staged) {
            String name = archive.getFileName().toString();
            try {
                size = store.list().stream().filter(i -> i.name().equals(name)).mapToLong(ArchiveStore.Item::size)
                        .findFirst().orElse(0);
            } catch (IOException e) {
                LOG.warn("The size of {} could not be read: {}", store.location(name), e.getMessage());
            }
        }
        BackupRecord.Builder rb = BackupRecord.newBuilder().setNumber(n).setStartMillis(start).setEndMillis(now)
                .setStatus(finished ? "SUCCESS" : "FAILED")
                .setOutcome(finished ? BackupOutcome.BACKUP_SUCCESS : BackupOutcome.BACKUP_FAILED).setErrorCode(finished ? 0 : ErrorCode.BACKUP_IO.code())
                .setErrorMessage(msg).setArchive(finished ? store.location(archive.getFileName().toString()) : "")
                .setArchiveSize(size)
                .setVerification(verification);
        String fingerprint = finished ? BackupHistory.fingerprint(store, archive.getFileName().toString()) : null;
        if (fingerprint != null) {
            rb.setKeyFingerprint(fingerprint);
        }
        BackupRecord r = rb.build();
        state.running(0, null, false, 0);
        state.last(r);
        state.write(state.snapshot());
        if (finished && archive.getParent() != null) {
            new BackupHistory(store, layout.databaseName()).record(n, archive.getFileName().toString(), size, start,
                    now, "SUCCESS", null, verification, null);
        }
        journal.event(n, "interrupted", true, true, BackupService.fields("message", msg, "archive", archive,
                "verification", verification.name()));
        LOG.warn(msg);
        return scheduled;
    }

    /** Whether a scheduled backup was cut short by the server stopping (the scheduler counts it as failed). */
    boolean interruptedScheduledBackup() {
        return interruptedScheduled;
    }

    /** Writes backup-state.json from the newest state; serialized, outside {@code memory}. */
    private void flush() throws IOException {
        fileLock.lock();
        try {
            byte[] snapshot;
            synchronized (memory) {
                snapshot = state.snapshot();
            }
            state.write(snapshot);
        } finally {
            fileLock.unlock();
        }
    }

    private void flushOrWarn(String what) {
        try {
            flush();
        } catch (IOException e) {
            LOG.warn("The {} could not be written: {}", what, e.getMessage());
        }
    }

    /** Takes the next backup number and writes the counter before the backup starts (numbers are never reused). */
    long takeNumber() throws IOException {
        long n;
        synchronized (memory) {
            n = state.takeNumber();
        }
        flush();
        return n;
    }

    /** Notes the backup now running and its start, so that a kill during it is recorded at the next start. */
    void running(long number, Path archive, boolean scheduled, long startMillis) {
        synchronized (memory) {
            state.running(number, archive.toString(), scheduled, startMillis);
        }
        flushOrWarn("backup state");
    }

    /** Records (durably) how far running backup {@code number} got, for the next start after a kill. */
    void stage(long number, BackupState.Stage stage) {
        synchronized (memory) {
            if (state.runningNumber() != number) {
                return;
            }
            state.runningStage(stage);
        }
        flushOrWarn("backup state");
    }

    /** Records how backup {@code number} ended: the running backup is cleared and {@code record} is the last. */
    void ended(long number, BackupRecord record) {
        synchronized (memory) {
            if (state.runningNumber() == number) {
                state.running(0, null, false, 0);
            }
            state.last(record);
        }
        flushOrWarn("last backup information");
    }

    /** The last backup's information, or null. */
    BackupRecord last() {
        synchronized (memory) {
            return state.last();
        }
    }

    /** A data or structure write has run: a scheduled onlyIfModified backup will not be skipped. */
    void noteWrite() {
        if (!modifiedHint) {
            modified(true);
        }
    }

    /** The gate closed for a copy: writes from here on mark the data modified again (a write error fails the backup). */
    void gateClosed() throws IOException {
        boolean changed;
        synchronized (memory) {
            modifiedHint = false;
            changed = state.modified(false);
        }
        if (changed) {
            flush();
        }
    }

    /** A backup that closed the gate did not end with an archive: the data counts as modified. */
    void copyLost() {
        modified(true);
    }

    private void modified(boolean m) {
        boolean changed;
        synchronized (memory) {
            modifiedHint = m;
            changed = state.modified(m);
        }
        if (changed) {
            flushOrWarn("backup state");
        }
    }

    /** Whether data changed since the last successful backup's gate closed. */
    boolean modifiedSinceLastBackup() {
        synchronized (memory) {
            return state.modified();
        }
    }

    /** The persisted plan of the next automatic backup (for the scheduler across restarts). */
    long nextScheduled() {
        synchronized (memory) {
            return state.nextScheduledMillis();
        }
    }

    /**
     * Notes the scheduler's plan in memory (it may be called under the scheduler's lock:
     * it takes only {@code memory}); returns whether {@link #writePlan} has something to write.
     */
    boolean plan(long millis) {
        synchronized (memory) {
            return state.nextScheduledMillis(millis);
        }
    }

    /** Writes the plan noted by {@link #plan} (outside the scheduler's lock). */
    void writePlan() {
        flushOrWarn("backup state");
    }

    /** Records an automatic backup that did not run (SKIPPED, or FAILED when missed or paused), with a number. */
    BackupRecord recordNotRun(String status, int code, String message) {
        long number;
        try {
            number = takeNumber();
        } catch (IOException e) {
            number = 0;
        }
        long now = System.currentTimeMillis();
        BackupRecord r = BackupRecord.newBuilder().setNumber(number).setStartMillis(now).setEndMillis(now)
                .setStatus(status).setOutcome(WireStates.outcome(status)).setErrorCode(code).setErrorMessage(message)
                .build();
        synchronized (memory) {
            state.last(r);
        }
        flushOrWarn("last backup information");
        BackupSettings st = BackupSettings.load(layout);
        journal.event(number, status.equals("SKIPPED") ? "skipped" : "not-run", code != 0, st.verboseJournal(),
                BackupService.fields("status", status, "code", code, "message", message));
        return r;
    }

    /** The archives kept in the destination, from backup-history.json and the folder. */
    io.tetradb.protocol.BackupHistory history() throws IOException {
        return history(layout);
    }

    /** The archives kept in the destination of {@code layout}'s database (backup-history.json). */
    static io.tetradb.protocol.BackupHistory history(DataLayout layout) throws IOException {
        BackupSettings st = BackupSettings.load(layout);
        BackupHistory h = new BackupHistory(st.store(), layout.databaseName());
        return io.tetradb.protocol.BackupHistory.newBuilder().addAllEntries(h.read())
                .setDestination(st.destinationText()).build();
    }
}
