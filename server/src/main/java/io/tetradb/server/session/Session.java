package io.tetradb.server.session;

import io.netty.channel.Channel;
import io.tetradb.client.ErrorCode;
import io.tetradb.protocol.Event;
import io.tetradb.protocol.Role;
import io.tetradb.protocol.ServerMessage;
import io.tetradb.client.TetraException;

import java.sql.Connection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One authenticated client connection: who it is, its H2 connection, its ordered
 * request queue, its open cursors and the statement running now.
 *
 * <p>Created on the event loop once authentication succeeds. The H2 connection and the
 * cursors are touched only by the task running on the session's {@link OrderedExecutor}
 * (one worker at a time); the volatile fields are read by the event loop (cancel) and
 * by admin requests of other sessions.
 */
public final class Session {
    private static final AtomicLong IDS = new AtomicLong();
    /** Prepared statements kept per session (by SQL text), least recently used dropped first. */
    private static final int STATEMENT_CACHE_SIZE = 64;

    private final long id = IDS.incrementAndGet();
    private final String user;
    private final Role role;
    private final Channel channel;
    private final String remoteAddress;
    private final String clientName;
    private final long connectedAt = System.currentTimeMillis();
    private final OrderedExecutor executor;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong requestsDone = new AtomicLong();

    // Worker-confined state (the task running on this session's executor).
    private Connection connection;
    /** The session's part in the log (its slot, its open transaction's operations). */
    private io.tetradb.server.log.SessionLog log;
    /** A transaction begun by Begin or SQL BEGIN: it ends with its commit or rollback. */
    private boolean explicitTransaction;
    /** The explicit transaction was begun read-only: writes in it are refused. */
    private boolean readOnlyTransaction;
    /** SET AUTOCOMMIT FALSE: every statement runs in a transaction until SET AUTOCOMMIT TRUE. */
    private boolean manualCommit;
    final Map<Long, Cursor> cursors = new HashMap<>();
    final StatementCache statements = new StatementCache(STATEMENT_CACHE_SIZE);

    private volatile RunningStatement running;
    /** Guards startedRequestId, cancelBeforeRun and the setting of running (a cancel is never lost). */
    private final Object cancelLock = new Object();
    private long startedRequestId;
    private long cancelBeforeRun;
    /** Rows written to the channel and not yet on the wire (limits.sessionOutputRows). */
    private final AtomicLong bufferedRows = new AtomicLong();
    /**
     * Bytes of row batches written to the channel and not yet on the wire
     * (limits.sessionOutputBytes). Counted here at write time: the channel counts a
     * message only once the event loop has encoded it, by when a fast worker may have
     * produced far more.
     */
    private final AtomicLong bufferedBytes = new AtomicLong();
    /** Rows encoded for this session's cursors since it opened (diagnostics, tests). */
    private final AtomicLong rowsProduced = new AtomicLong();
    /** Cursors stopped because the client does not read: resumed once it does. */
    private final java.util.concurrent.atomic.AtomicBoolean outputStalled = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile Runnable onOutputDrained = () -> { };
    private volatile int outputRowLimit = Integer.MAX_VALUE;
    private volatile long outputByteLimit = Long.MAX_VALUE;
    /** Bytes of requests received and not yet answered (limits.requestBytesInFlight). */
    private final AtomicLong requestBytes = new AtomicLong();
    private volatile boolean inTransaction;
    private volatile boolean uncommittedChanges;
    private org.h2.engine.SessionLocal engineSession;
    private volatile boolean closed;
    private volatile ErrorCode closedReason;
    /**
     * Why every request of this session is answered 2008 while its connection stays open (a
     * maintenance closed its engine connection: first why, then what happened); null otherwise.
     */
    private volatile String closedMessage;

    Session(String user, Role role, Channel channel, String remoteAddress, String clientName,
            OrderedExecutor executor) {
        this.user = user;
        this.role = role;
        this.channel = channel;
        this.remoteAddress = remoteAddress;
        this.clientName = clientName;
        this.executor = executor;
    }

    public long id() {
        return id;
    }

    public String user() {
        return user;
    }

    public Role role() {
        return role;
    }

    public String remoteAddress() {
        return remoteAddress;
    }

    public String clientName() {
        return clientName;
    }

    public long connectedAt() {
        return connectedAt;
    }

    public Channel channel() {
        return channel;
    }

    public OrderedExecutor executor() {
        return executor;
    }

    /** Requests received and not yet answered. */
    public int inFlight() {
        return inFlight.get();
    }

    AtomicInteger inFlightCounter() {
        return inFlight;
    }

    public long requestsDone() {
        return requestsDone.get();
    }

    void requestDone() {
        requestsDone.incrementAndGet();
    }

    /** Whether the session has an open transaction (as of its last request). */
    public boolean inTransaction() {
        return inTransaction;
    }

    void inTransaction(boolean open) {
        inTransaction = open;
    }

    /** Whether the session holds uncommitted changes (as of its last request): its transaction may finish during a backup. */
    public boolean hasUncommittedChanges() {
        return uncommittedChanges;
    }

    /** Refreshes {@link #hasUncommittedChanges()} from the engine; returns whether it changed (worker only). */
    boolean refreshUncommittedChanges() {
        boolean now = engineSession != null && engineSession.hasPendingTransaction();
        boolean changed = now != uncommittedChanges;
        uncommittedChanges = now;
        return changed;
    }

    /** Whether the engine's transaction of this session holds changes now (worker only). */
    boolean enginePending() {
        return engineSession != null && engineSession.hasPendingTransaction();
    }

    void engineSession(org.h2.engine.SessionLocal s) {
        engineSession = s;
    }

    /**
     * Makes the engine produce query rows as they are read (H2's lazy query execution)
     * where the query allows it (no sort, grouping or DISTINCT to do first), so an open
     * cursor holds the rows of a batch, not its whole result. Set before every statement,
     * so a session's own {@code SET LAZY_QUERY_EXECUTION FALSE} does not last; off for a
     * query that writes, whose changes must all be made while it executes (worker only).
     */
    void lazyResults(boolean lazy) {
        if (engineSession != null) {
            engineSession.setLazyQueryExecution(lazy);
        }
    }

    /** H2's schema version: it changes with every DDL statement of any session (worker only). */
    long schemaVersion() {
        return engineSession == null ? -1 : engineSession.getDatabase().getModificationMetaId();
    }

    public boolean isClosed() {
        return closed;
    }

    /** Why the session was closed (2008 for a kill or shutdown), or null. */
    ErrorCode closedReason() {
        return closedReason;
    }

    void markClosed(ErrorCode reason) {
        if (closedReason == null) {
            closedReason = reason;
        }
        closed = true;
    }

    /** What the session's requests are answered with (2008) while a maintenance holds it, or null. */
    String closedMessage() {
        return closedMessage;
    }

    void closedMessage(String message) {
        closedMessage = message;
    }

    Connection connection() {
        return connection;
    }

    io.tetradb.server.log.SessionLog log() {
        return log;
    }

    void log(io.tetradb.server.log.SessionLog l) {
        log = l;
    }

    /**
     * Whether each statement commits by itself (the client's autocommit): no transaction was
     * begun and SET AUTOCOMMIT FALSE is not in force. The engine connection itself never
     * commits by itself: the server commits, once the log holds the transaction.
     */
    boolean autoCommit() {
        return !explicitTransaction && !manualCommit;
    }

    void explicitTransaction(boolean on) {
        explicitTransaction = on;
        if (!on) {
            readOnlyTransaction = false;
        }
    }

    /** The transaction begun now was begun read-only (Begin.read_only): its writes are refused (2007). */
    void readOnlyTransaction(boolean on) {
        readOnlyTransaction = on;
    }

    /** Whether an explicit transaction begun read-only is open. */
    boolean readOnlyTransaction() {
        return readOnlyTransaction && explicitTransaction;
    }

    void manualCommit(boolean on) {
        manualCommit = on;
    }

    void connection(Connection c) {
        connection = c;
    }

    /**
     * The request the session's task has started and not finished (worker): a cancel that
     * comes before its statement reaches the engine (while it is classified, admitted,
     * prepared) is kept and given to the statement as soon as it runs, instead of being lost.
     */
    void started(long requestId) {
        synchronized (cancelLock) {
            startedRequestId = requestId;
            cancelBeforeRun = 0;
        }
    }

    /**
     * Whether a cancel of {@code requestId} came before its statement ran (and clears it):
     * for a statement about to wait rather than run (worker).
     */
    boolean takeCancelBeforeRun(long requestId) {
        synchronized (cancelLock) {
            if (requestId != 0 && cancelBeforeRun == requestId) {
                cancelBeforeRun = 0;
                return true;
            }
            return false;
        }
    }

    /** The request started by {@link #started} is over (worker). */
    void finished() {
        synchronized (cancelLock) {
            startedRequestId = 0;
            cancelBeforeRun = 0;
        }
    }

    /** The statement of {@code requestId} starts running (worker); end it with {@link #notRunning}. */
    RunningStatement running(long requestId) {
        RunningStatement r = new RunningStatement(requestId, engineSession);
        synchronized (cancelLock) {
            running = r;
            if (cancelBeforeRun == requestId) {
                cancelBeforeRun = 0;
                r.cancel(false);
            }
        }
        return r;
    }

    /** The statement started by {@link #running} is over (worker). */
    void notRunning(RunningStatement r) {
        r.end();
        if (running == r) {
            running = null;
        }
    }

    /**
     * Cancels the statement running for {@code requestId}, if that is the one running
     * (event loop). Under the same lock as the statement's start and end, so a cancel
     * never reaches the session's next statement.
     */
    boolean cancelRunning(long requestId) {
        synchronized (cancelLock) {
            RunningStatement r = running;
            if (r != null && r.requestId == requestId) {
                return r.cancel(false);
            }
            if (requestId != 0 && startedRequestId == requestId) {
                cancelBeforeRun = requestId;
                return true;
            }
            return false;
        }
    }

    /** Cancels whatever statement is running (session closing). */
    void cancelAnyRunning() {
        RunningStatement r = running;
        if (r != null) {
            r.cancel(false);
        }
    }

    /**
     * Sets what runs when output the client had not read is drained after cursors stalled
     * (it queues a task that resumes them), and the row limit of that output.
     */
    void outputLimits(int rowLimit, long byteLimit, Runnable onDrained) {
        outputRowLimit = rowLimit;
        outputByteLimit = byteLimit;
        onOutputDrained = onDrained;
    }

    /**
     * Whether the client has more output waiting than the session may have buffered
     * (bytes: limits.sessionOutputBytes of row batches, or the channel not writable; rows:
     * limits.sessionOutputRows): producing rows must then stop (any thread).
     */
    boolean outputFull() {
        return !channel.isWritable() || bufferedRows.get() >= outputRowLimit || bufferedBytes.get() >= outputByteLimit;
    }

    /**
     * Marks the session's cursors stalled for output; returns false (and leaves it unmarked)
     * when the output drained meanwhile, so the caller goes on producing (worker).
     */
    boolean stallOutput() {
        outputStalled.set(true);
        // Checked again after setting the flag: a drain that came in between either sees the
        // flag (and resumes) or is seen here.
        if (!outputFull() && outputStalled.compareAndSet(true, false)) {
            return false;
        }
        return true;
    }

    /** Queues a task that lets the session's cursors go on (any thread; never blocks). */
    void wakeCursors() {
        onOutputDrained.run();
    }

    /** The channel became writable, or buffered rows went on the wire: resumes stalled cursors (event loop). */
    public void outputDrained() {
        if (!outputFull() && outputStalled.compareAndSet(true, false)) {
            onOutputDrained.run();
        }
    }

    /** Whether cursors wait for the client to read (diagnostics, tests). */
    public boolean isOutputStalled() {
        return outputStalled.get();
    }

    /** Bytes of replies waiting in the server to be sent to the client (diagnostics, tests). */
    public long pendingOutputBytes() {
        io.netty.channel.ChannelOutboundBuffer b = channel.unsafe().outboundBuffer();
        return b == null ? 0 : b.totalPendingWriteBytes();
    }

    /** Bytes of row batches written for the client and not yet on the wire (diagnostics, tests). */
    public long bufferedBytes() {
        return bufferedBytes.get();
    }

    /** Rows written for the client and not yet on the wire (diagnostics, tests). */
    public long bufferedRows() {
        return bufferedRows.get();
    }

    /** Rows produced for this session's cursors since it opened (diagnostics, tests). */
    public long rowsProduced() {
        return rowsProduced.get();
    }

    /** Queues a batch of {@code rows} rows without flushing; counted until it is on the wire (worker). */
    void writeRows(ServerMessage m, int rows) {
        if (!channel.isActive()) {
            return;
        }
        int bytes = m.getSerializedSize();
        rowsProduced.addAndGet(rows);
        bufferedRows.addAndGet(rows);
        bufferedBytes.addAndGet(bytes);
        channel.write(m).addListener(f -> {
            long rowsLeft = bufferedRows.addAndGet(-rows);
            long bytesLeft = bufferedBytes.addAndGet(-bytes);
            // Resumed below half of both limits, so that a stalled cursor is not woken for every batch.
            if (outputStalled.get() && rowsLeft <= outputRowLimit / 2 && bytesLeft <= outputByteLimit / 2) {
                outputDrained();
            }
        });
    }

    /**
     * Counts a request's bytes as in flight; above {@code limit} the server stops reading
     * the connection until answers bring it back under half (event loop).
     */
    void requestReceived(long bytes, long limit) {
        if (requestBytes.addAndGet(bytes) > limit && channel.config().isAutoRead()) {
            channel.config().setAutoRead(false);
        }
    }

    /** A request counted by {@link #requestReceived} was answered or dropped (any thread). */
    void requestAnswered(long bytes, long limit) {
        if (requestBytes.addAndGet(-bytes) <= limit / 2 && !channel.config().isAutoRead()) {
            channel.config().setAutoRead(true);
        }
    }

    /** Bytes of requests received and not yet answered (diagnostics, tests). */
    public long requestBytesInFlight() {
        return requestBytes.get();
    }

    /** Sends a message to the client (any thread). */
    public void send(ServerMessage m) {
        if (channel.isActive()) {
            channel.writeAndFlush(m, channel.voidPromise());
        }
    }

    /**
     * Queues a message without flushing it (any thread): the next {@link #send} or
     * {@link #flush} puts it on the wire with the messages queued before it, in one
     * write, so a small result (header, rows, end) costs one system call, not three.
     */
    void write(ServerMessage m) {
        if (channel.isActive()) {
            channel.write(m, channel.voidPromise());
        }
    }

    /** Flushes the messages queued by {@link #write} (any thread). */
    void flush() {
        channel.flush();
    }

    /** Sends an error reply for a request (any thread). */
    public void sendError(long requestId, TetraException e) {
        send(ServerMessage.newBuilder().setRequestId(requestId).setError(e.toWire()).build());
    }

    /** Pushes an event (any thread). */
    public void push(Event event) {
        send(ServerMessage.newBuilder().setEvent(event).build());
    }

    @Override
    public String toString() {
        return "session " + id + " (" + user + "@" + remoteAddress + ")";
    }
}
