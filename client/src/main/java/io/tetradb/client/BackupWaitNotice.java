package io.tetradb.client;

import io.tetradb.client.internal.ClientConnection;
import io.tetradb.protocol.BackupProgress;
import io.tetradb.protocol.BackupWait;
import io.tetradb.protocol.Cancel;
import io.tetradb.protocol.ClientMessage;

/**
 * Told at once when one of this client's writes is queued behind a running backup: which
 * request, which backup, its progress, the write's place in the queue, and whether the
 * write belongs to an open transaction. {@link #cancel()} gives up the write: it never
 * runs and its call fails with -9976 (only that statement; an open transaction stays
 * open).
 *
 * <pre>{@code
 * client.onBackupWait(n -> {
 *     System.out.printf("waiting for backup %d (%.0f%%)%n", n.backupNumber(), n.progress().getPercent());
 *     if (impatient) n.cancel();
 * });
 * }</pre>
 */
public final class BackupWaitNotice {
    private final ClientConnection connection;
    private final BackupWait wait;

    BackupWaitNotice(ClientConnection connection, BackupWait wait) {
        this.connection = connection;
        this.wait = wait;
    }

    /** The request that waits. */
    public long requestId() {
        return wait.getRequestId();
    }

    /** The backup it waits for. */
    public long backupNumber() {
        return wait.getBackupNumber();
    }

    /** The backup's progress when the write was queued. */
    public BackupProgress progress() {
        return wait.getProgress();
    }

    /** The write's place in the queue (1 = first). */
    public int queuePosition() {
        return wait.getQueuePosition();
    }

    /** Whether the write belongs to an open transaction. */
    public boolean inTransaction() {
        return wait.getInTransaction();
    }

    /** Gives up the write: it is answered -9976 and never runs. */
    public void cancel() {
        connection.send(ClientMessage.newBuilder().setCancel(Cancel.newBuilder().setTargetRequestId(wait.getRequestId())));
    }

    @Override
    public String toString() {
        return "BackupWaitNotice[request " + requestId() + ", backup " + backupNumber() + ", position "
                + queuePosition() + "]";
    }
}
