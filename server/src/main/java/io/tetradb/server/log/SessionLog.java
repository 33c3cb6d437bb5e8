package io.tetradb.server.log;

/**
 * One session's part in the log: its slot (the data file records, per slot, the last
 * operation it holds), who it is (recorded with each of its transactions), the capture of
 * its open transaction, and whether that transaction counts as an open write.
 *
 * <p>Confined to the session's worker, like the session's connection.
 */
public final class SessionLog {
    final int slot;
    final String user;
    final long session;
    final String address;
    final TransactionCapture capture;
    private final LogCapture owner;
    boolean holdsWrite;

    SessionLog(LogCapture owner, int slot, String user, long session, String address, TransactionCapture capture) {
        this.owner = owner;
        this.slot = slot;
        this.user = user;
        this.session = session;
        this.address = address;
        this.capture = capture;
    }

    public TransactionCapture capture() {
        return capture;
    }

    public int slot() {
        return slot;
    }

    /** The session ended: its slot is given back to the capture it came from. */
    public void close() {
        owner.close(this);
    }
}
