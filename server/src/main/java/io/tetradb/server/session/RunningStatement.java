package io.tetradb.server.session;

import org.h2.engine.SessionLocal;

/**
 * The statement a session is running now (executing, or producing rows of a cursor), as
 * a cancel, a statement timeout or a closing session sees it.
 *
 * <p>Invariants: (1) a cancel reaches the engine only while this statement runs: once
 * {@link #end()} has returned, {@link #cancel} does nothing; (2) a cancel that reached
 * the engine never outlives its statement: H2 keeps a session's cancel request until a
 * statement checks it, so {@link #end()} clears one that no check consumed, and the
 * session's next statement is not cancelled in its place. Both are enforced by this
 * object's lock, held by both methods (a cancel only sets a field in the engine).
 *
 * <p>Created and ended by the session's worker task; cancelled from an event loop (a
 * Cancel request), the timer thread (a statement timeout) or the thread closing the session.
 */
final class RunningStatement {
    final long requestId;
    private final SessionLocal engine;
    private boolean ended;
    private boolean cancelled;
    private volatile boolean timedOut;

    RunningStatement(long requestId, SessionLocal engine) {
        this.requestId = requestId;
        this.engine = engine;
    }

    /**
     * Cancels the statement in the engine unless it has ended; returns whether it did.
     * H2 checks a session's cancel in its row loops (every scanned row of a join, every
     * 128 result rows), so a running query stops within a few rows.
     *
     * @param timeout whether this is the statement timeout (the reply then says so)
     */
    synchronized boolean cancel(boolean timeout) {
        if (ended || engine == null) {
            return false;
        }
        cancelled = true;
        if (timeout) {
            timedOut = true;
        }
        engine.cancel();
        return true;
    }

    /** Whether the statement timeout cancelled it. */
    boolean timedOut() {
        return timedOut;
    }

    /** The statement is over (worker): later cancels do nothing; an unconsumed cancel is cleared. */
    synchronized void end() {
        ended = true;
        if (cancelled && engine != null) {
            // Setting the query timeout again clears the engine's pending cancel (it keeps the value).
            engine.setQueryTimeout(engine.getQueryTimeout());
        }
    }
}
