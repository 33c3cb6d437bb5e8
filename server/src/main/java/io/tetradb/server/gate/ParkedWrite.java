package io.tetradb.server.gate;

import io.tetradb.protocol.BackupWait;
import io.tetradb.client.TetraException;

/**
 * A write held in the {@link WriteGate}'s queue: plain data (the request and how to
 * continue it), holding no thread and no engine lock.
 *
 * <p>Its callbacks are called by whichever thread opens the gate, cancels the write or
 * expires its wait; implementations only hand work to the session's executor.
 */
public interface ParkedWrite {
    /** The session the write belongs to. */
    long sessionId();

    /** The request id of the write. */
    long requestId();

    /** Whether the write belongs to an open transaction. */
    boolean inTransaction();

    /** Tells the client, at once, that its write waits for a backup. */
    void waiting(BackupWait wait);

    /** The gate opened: run the write now. */
    void admitted();

    /** The write will not run (cancelled, waited too long, session gone): answer with {@code e}, go on with the session. */
    void refused(TetraException e);
}
