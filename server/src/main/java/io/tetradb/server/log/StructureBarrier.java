package io.tetradb.server.log;

import java.sql.SQLException;
import java.util.concurrent.TimeUnit;

/**
 * Keeps structure changes apart from write transactions, so that the log holds every
 * structure change between the transactions that ran before it and those that ran after
 * it, as they ran: a structure change waits until no write transaction is open and holds
 * back new ones while it runs and is logged (MySQL's metadata lock does the same per
 * table). Reads never wait here.
 *
 * <p>Invariants, on this object's monitor (never held across I/O or the engine):
 * <ol>
 *   <li>{@code openWrites} counts the sessions whose transaction has written since it began
 *       and has not ended; a session counts once ({@link SessionLog#holdsWrite}).</li>
 *   <li>While {@code closed}, no session starts a write transaction: {@link #enterWrite}
 *       waits; a session already counted goes on (it is what the change waits for).</li>
 *   <li>At most one structure change holds the barrier: {@link #close} waits while another
 *       does; it returns holding it only once {@code openWrites} is 0, and gives it up (and
 *       wakes the writers) when it times out.</li>
 * </ol>
 *
 * <p>Called on session workers (blocking them while they wait) and on the recovery thread.
 */
final class StructureBarrier {
    private int openWrites;
    private boolean closed;

    /** A session's transaction writes for the first time; waits while a structure change runs. */
    synchronized void enterWrite(long timeoutMillis) throws SQLException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (closed) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new SQLException("The write waited " + timeoutMillis + " ms for a structure change of another "
                        + "session to end (log.structureWait); try again.", "HYT00");
            }
            waitNanos(left);
        }
        openWrites++;
    }

    /** A transaction counted by {@link #enterWrite} ended. */
    synchronized void exitWrite() {
        openWrites--;
        notifyAll();
    }

    /** Takes the barrier for one structure change, once no write transaction is open. */
    synchronized void close(long timeoutMillis) throws SQLException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (closed) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw timeout(timeoutMillis, "another structure change");
            }
            waitNanos(left);
        }
        closed = true;
        while (openWrites > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                closed = false;
                notifyAll();
                throw timeout(timeoutMillis, openWrites + " open write transaction(s) of other sessions");
            }
            waitNanos(left);
        }
    }

    /** The structure change ended (logged or failed). */
    synchronized void open() {
        closed = false;
        notifyAll();
    }

    synchronized boolean isClosed() {
        return closed;
    }

    synchronized int openWrites() {
        return openWrites;
    }

    private static SQLException timeout(long millis, String what) {
        return new SQLException("The structure change waited " + millis + " ms for " + what + " to end "
                + "(log.structureWait); commit or roll back those transactions, then try again.", "HYT00");
    }

    private void waitNanos(long nanos) throws SQLException {
        try {
            TimeUnit.NANOSECONDS.timedWait(this, nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("Interrupted while waiting for the structure barrier.", "HY008");
        }
    }
}
