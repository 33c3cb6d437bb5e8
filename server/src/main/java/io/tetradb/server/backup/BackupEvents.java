package io.tetradb.server.backup;

import io.tetradb.protocol.BackupFinished;
import io.tetradb.protocol.BackupProgress;
import io.tetradb.protocol.BackupRecord;
import io.tetradb.protocol.Event;
import io.tetradb.server.session.Session;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Publishes backup events to the admin sessions that subscribed (docs/backups.md): the
 * running backup's progress at most 10 times a second, and its end. A closed session is
 * dropped when progress is published.
 *
 * <p><b>Threads.</b> Subscriptions change on admin sessions' workers; progress is pushed
 * on the server's timer thread ("tetra-timer"), the end on the backup thread. The set is
 * concurrent and no lock is taken: a push only queues a message on the session's
 * connection, so the timer never blocks here.
 */
final class BackupEvents {
    static final long PROGRESS_PERIOD_MILLIS = 100;

    private final Set<Session> subscribers = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer;

    BackupEvents(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    /** Subscribes or unsubscribes a session to backup events. */
    void subscribe(Session s, boolean on) {
        if (on) {
            subscribers.add(s);
        } else {
            subscribers.remove(s);
        }
    }

    /** Pushes {@code progress} to the subscribers every 100 ms until the returned future is cancelled. */
    ScheduledFuture<?> publishEvery(Supplier<BackupProgress> progress) {
        return timer.scheduleAtFixedRate(() -> publish(progress), PROGRESS_PERIOD_MILLIS, PROGRESS_PERIOD_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    private void publish(Supplier<BackupProgress> progress) {
        if (subscribers.isEmpty()) {
            return;
        }
        Event e = Event.newBuilder().setBackupProgress(progress.get()).build();
        for (Session s : subscribers) {
            if (s.isClosed()) {
                subscribers.remove(s);
            } else {
                s.push(e);
            }
        }
    }

    /** Tells the subscribers how a backup ended. */
    void finished(BackupRecord record) {
        Event e = Event.newBuilder().setBackupFinished(BackupFinished.newBuilder().setBackupNumber(record.getNumber())
                .setStatus(record.getStatus()).setOutcome(record.getOutcome()).setErrorCode(record.getErrorCode())
                .setErrorMessage(record.getErrorMessage()).setArchive(record.getArchive())
                .setHookExitCode(record.getHookExitCode()).setHook(record.getHook())).build();
        for (Session s : subscribers) {
            s.push(e);
        }
    }
}
