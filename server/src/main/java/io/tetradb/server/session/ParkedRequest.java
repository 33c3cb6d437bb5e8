package io.tetradb.server.session;

import io.tetradb.protocol.BackupWait;
import io.tetradb.protocol.Event;
import io.tetradb.protocol.ServerMessage;
import io.tetradb.client.TetraException;
import io.tetradb.server.gate.ParkedWrite;

/**
 * A session's write held back by the write gate: the queued task and its session,
 * nothing more. Admitting it hands the task back to the session's executor; refusing it
 * answers the client and lets the session go on with its next request.
 *
 * <p>Created on a worker; called back from the backup thread, an event loop (cancel) or
 * a timer (wait-at-most).
 */
final class ParkedRequest implements ParkedWrite {
    private final Session session;
    private final SessionTask task;
    private final boolean inTransaction;

    ParkedRequest(Session session, SessionTask task, boolean inTransaction) {
        this.session = session;
        this.task = task;
        this.inTransaction = inTransaction;
    }

    @Override
    public long sessionId() {
        return session.id();
    }

    @Override
    public long requestId() {
        return task.requestId();
    }

    @Override
    public boolean inTransaction() {
        return inTransaction;
    }

    @Override
    public void waiting(BackupWait wait) {
        session.send(ServerMessage.newBuilder().setRequestId(task.requestId())
                .setEvent(Event.newBuilder().setBackupWait(wait)).build());
    }

    @Override
    public void admitted() {
        session.executor().resume(task);
    }

    @Override
    public void refused(TetraException e) {
        String why = session.closedMessage();
        session.sendError(task.requestId(), why == null ? e
                : new TetraException(io.tetradb.client.ErrorCode.SESSION_CLOSED, why));
        task.drop();
        session.executor().unpark();
    }
}
