package io.tetradb.admin.command;

import io.tetradb.client.TetraClient;
import io.tetradb.protocol.BackupFinished;
import io.tetradb.protocol.BackupRecord;
import io.tetradb.protocol.BackupStatus;
import io.tetradb.client.ErrorCode;
import io.tetradb.protocol.Event;
import io.tetradb.client.TetraException;
import io.tetradb.protocol.WireStates;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The events of one backup, in order, as a command follows it: its progress, its end, and
 * Ctrl-C presses. The client must be subscribed to backup events ({@code startBackup(true)}
 * or {@code subscribeBackupEvents(true)}); they are queued from the moment this object
 * exists, so none is missed between starting a backup and following it. When no event
 * comes for {@value #STATUS_CHECK_SECONDS} seconds the server is asked for the backup's
 * state, so that an end is never missed.
 *
 * <pre>{@code
 * try (BackupEvents events = new BackupEvents(client)) {
 *     long n = client.admin().startBackup(true).getBackupNumber();
 *     for (Object e = events.next(n); !(e instanceof BackupFinished); e = events.next(n)) { ... }
 * }
 * }</pre>
 *
 * <p>Threads: events are queued on the client's callback thread, {@link #interrupt} on the
 * signal thread, {@link #next} runs on the command's thread.
 */
final class BackupEvents implements AutoCloseable {
    /** What {@link #next} returns for a Ctrl-C. */
    static final Object INTERRUPT = new Object();
    static final long STATUS_CHECK_SECONDS = 2;

    private final TetraClient client;
    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final Consumer<Event> listener = e -> {
        if (e.hasBackupProgress() || e.hasBackupFinished()) {
            queue.add(e);
        }
    };

    BackupEvents(TetraClient client) {
        this.client = client;
        client.addEventListener(listener);
    }

    /** A Ctrl-C (from any thread; never blocks). */
    void interrupt() {
        queue.add(INTERRUPT);
    }

    /** Forgets Ctrl-C presses not taken yet (those pressed while the user was being asked). */
    void dropInterrupts() {
        queue.removeIf(o -> o == INTERRUPT);
    }

    /**
     * The next {@link io.tetradb.protocol.BackupProgress} or {@link BackupFinished} of backup
     * {@code number}, or {@link #INTERRUPT}. Events of other backups are skipped.
     */
    Object next(long number) {
        while (true) {
            Object o;
            try {
                o = queue.poll(STATUS_CHECK_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TetraException(ErrorCode.CANCELLED, "Interrupted while following backup " + number + ".");
            }
            if (o == null) {
                Object polled = poll(number);
                if (polled != null) {
                    return polled;
                }
            } else if (o == INTERRUPT) {
                return o;
            } else {
                Event e = (Event) o;
                if (e.hasBackupProgress() && e.getBackupProgress().getBackupNumber() == number) {
                    return e.getBackupProgress();
                }
                if (e.hasBackupFinished() && e.getBackupFinished().getBackupNumber() == number) {
                    return e.getBackupFinished();
                }
            }
        }
    }

    /** The backup's state asked of the server: its end, its progress, or null when neither says anything. */
    private Object poll(long number) {
        BackupStatus s = client.admin().backupStatus();
        if (s.hasLast() && s.getLast().getNumber() == number) {
            return finished(s.getLast());
        }
        if (WireStates.running(s) && s.getProgress().getBackupNumber() == number) {
            return s.getProgress();
        }
        if (s.hasLast() && s.getLast().getNumber() > number) {
            throw new TetraException(ErrorCode.INTERNAL_ERROR, "Backup " + number + " ended, but its outcome was "
                    + "not received and backup " + s.getLast().getNumber() + " has run since; see backup status.");
        }
        return null;
    }

    /** The end of a backup as its event tells it, from its record. */
    static BackupFinished finished(BackupRecord r) {
        return BackupFinished.newBuilder().setBackupNumber(r.getNumber()).setStatus(r.getStatus())
                .setOutcome(WireStates.outcome(r))
                .setErrorCode(r.getErrorCode()).setErrorMessage(r.getErrorMessage()).setArchive(r.getArchive())
                .setHookExitCode(r.getHookExitCode()).setHook(r.getHook()).build();
    }

    @Override
    public void close() {
        client.removeEventListener(listener);
    }
}
