package io.tetradb.server.session;

import io.tetradb.protocol.ClientMessage;
import io.tetradb.server.sql.StatementClassifier.Classification;

/**
 * One client request queued on its session's {@link OrderedExecutor}. It remembers its
 * classification, so that a write parked by the gate is not parsed again when it runs.
 *
 * <p>Created on the event loop, run on a worker.
 */
final class SessionTask implements OrderedExecutor.Task {
    private final Session session;
    private final ClientMessage message;
    private final RequestDispatcher dispatcher;
    /** The request's size, counted in the session's request bytes in flight until it is answered. */
    private final long bytes;
    private final long bytesLimit;
    private Classification classification;

    SessionTask(Session session, ClientMessage message, RequestDispatcher dispatcher, long bytesLimit) {
        this.session = session;
        this.message = message;
        this.dispatcher = dispatcher;
        this.bytes = message.getSerializedSize();
        this.bytesLimit = bytesLimit;
    }

    /** The request's size in bytes. */
    long bytes() {
        return bytes;
    }

    @Override
    public long requestId() {
        return message.getRequestId();
    }

    Classification classification() {
        return classification;
    }

    void classification(Classification c) {
        classification = c;
    }

    @Override
    public OrderedExecutor.Outcome run() {
        OrderedExecutor.Outcome o = dispatcher.run(session, message, this);
        if (o == OrderedExecutor.Outcome.DONE) {
            session.inFlightCounter().decrementAndGet();
            session.requestAnswered(bytes, bytesLimit);
            session.requestDone();
        }
        return o;
    }

    /**
     * A FetchMore or CloseCursor is a follow-up of the cursor that shares its id, not a
     * request of its own: a Cancel of that id must close the cursor, not drop the follow-up
     * (which would answer 2009 while the cursor stays open).
     */
    @Override
    public boolean cancellable() {
        return message.getRequestId() != 0 && !message.hasFetchMore() && !message.hasCloseCursor();
    }

    @Override
    public void drop() {
        session.inFlightCounter().decrementAndGet();
        session.requestAnswered(bytes, bytesLimit);
    }
}
