package io.tetradb.server.session;

import io.netty.channel.Channel;
import io.tetradb.protocol.ErrorCode;
import io.tetradb.protocol.Event;
import io.tetradb.protocol.Role;
import io.tetradb.protocol.ServerMessage;
import io.tetradb.protocol.TetraException;

import java.sql.Connection;
import java.sql.Statement;
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
    final Map<Long, Cursor> cursors = new HashMap<>();
    final StatementCache statements = new StatementCache(STATEMENT_CACHE_SIZE);

    /** Guards running, runningRequestId and cancelDelivered: a cancel and the statement's end are ordered. */
    private final Object runningLock = new Object();
    private Statement running;
    private long runningRequestId;
    private boolean cancelDelivered;
    private volatile boolean inTransaction;
    private volatile boolean uncommittedChanges;
    private org.h2.engine.SessionLocal engineSession;
    private volatile boolean closed;
    private volatile ErrorCode closedReason;

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

    void engineSession(org.h2.engine.SessionLocal s) {
        engineSession = s;
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

    Connection connection() {
        return connection;
    }

    void connection(Connection c) {
        connection = c;
    }

    void running(long requestId, Statement st) {
        synchronized (runningLock) {
            runningRequestId = requestId;
            running = st;
            cancelDelivered = false;
        }
    }

    /**
     * The statement has returned (worker). Returns whether a cancel was delivered to it
     * while it ran: the engine may not have seen it, so the statement must not be used
     * again (H2 would cancel its next run) and a query's result is not streamed.
     */
    boolean notRunning() {
        synchronized (runningLock) {
            boolean hit = cancelDelivered;
            running = null;
            runningRequestId = 0;
            cancelDelivered = false;
            return hit;
        }
    }

    /**
     * Cancels the statement running for {@code requestId}, if that is the one running
     * (event loop). Under the same lock as the statement's start and end, so a cancel
     * never reaches the session's next statement.
     */
    boolean cancelRunning(long requestId) {
        synchronized (runningLock) {
            if (running == null || runningRequestId != requestId) {
                return false;
            }
            try {
                running.cancel();
                cancelDelivered = true;
                return true;
            } catch (Exception e) {
                return false;
            }
        }
    }

    /** Cancels whatever statement is running (session closing). */
    void cancelAnyRunning() {
        synchronized (runningLock) {
            if (running != null) {
                try {
                    running.cancel();
                    cancelDelivered = true;
                } catch (Exception ignored) {
                    // the statement ended meanwhile
                }
            }
        }
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
