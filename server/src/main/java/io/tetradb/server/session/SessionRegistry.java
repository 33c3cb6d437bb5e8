package io.tetradb.server.session;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.tetradb.protocol.ClientMessage;
import io.tetradb.client.ErrorCode;
import io.tetradb.protocol.Event;
import io.tetradb.protocol.Ok;
import io.tetradb.protocol.Role;
import io.tetradb.protocol.ServerMessage;
import io.tetradb.protocol.ServerNotice;
import io.tetradb.client.TetraException;
import io.tetradb.server.gate.WriteGate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;

/**
 * Every open session: creates them once authenticated, queues their requests, cancels,
 * kills, and drains them at shutdown. During maintenance (an in-place restore, the
 * engine's reopen) new connections are refused with 2008 and the reason; every other
 * session's engine connection is closed but its connection stays open, held: its requests
 * are answered 2008 with the reason while the maintenance lasts, and when it ends the held
 * connections are closed with a 2008 that says what happened (the database was restored;
 * connect again), so a client is never told afterwards that a restore is in progress.
 *
 * <p>{@link #submit}, {@link #cancel} and {@link #channelClosed} run on event loops and
 * only queue work ({@link #channelClosed} also on the thread of {@link #shutdown} or
 * {@link #enterMaintenance}); the rest runs on worker threads or the shutdown thread.
 */
public final class SessionRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(SessionRegistry.class);

    private final ConcurrentHashMap<Long, Session> sessions = new ConcurrentHashMap<>();
    /** The sessions a maintenance holds: engine connection closed, connection open until it ends. */
    private final ConcurrentHashMap<Long, Session> held = new ConcurrentHashMap<>();
    private final ExecutorService workers;
    private final RequestDispatcher dispatcher;
    private final int maxRequestsInFlight;
    private final WriteGate gate;
    private final ResourceLimits limits;
    private volatile boolean shuttingDown;
    /** While the server is in maintenance (an in-place restore): what clients are told; null otherwise. */
    private volatile String maintenance;

    public SessionRegistry(ExecutorService workers, RequestDispatcher dispatcher, int maxRequestsInFlight,
                           WriteGate gate, ResourceLimits limits) {
        this.limits = limits;
        this.workers = workers;
        this.dispatcher = dispatcher;
        this.maxRequestsInFlight = maxRequestsInFlight;
        this.gate = gate;
    }

    /**
     * Creates a session for an authenticated connection and opens its engine connection
     * on a worker; {@code onOpen} runs there (with true on success) before any request.
     */
    public Session create(String user, Role role, Channel channel, String remote, String clientName,
                          BiConsumer<Session, Boolean> onOpen) {
        Session s = new Session(user, role, channel, remote, clientName, new OrderedExecutor(workers));
        // Cursors stalled because the client did not read resume on the session's own executor.
        s.outputLimits(limits.sessionOutputRows(), limits.sessionOutputBytes(),
                () -> s.executor().submit(OrderedExecutor.internal(() -> dispatcher.resumeCursors(s))));
        sessions.put(s.id(), s);
        String m = maintenance;
        if (m != null) {
            // Checked after put: enterMaintenance() either sees this session or this sees its flag.
            sessions.remove(s.id());
            s.markClosed(ErrorCode.SESSION_CLOSED);
            refuse(s, m);
            LOG.info("Connection of {} from {} refused: the server is in maintenance.", user, remote);
            return s;
        }
        s.executor().submit(OrderedExecutor.internal(() -> onOpen.accept(s, dispatcher.open(s, 0))));
        LOG.info("Session {} opened for {} ({}) from {}.", s.id(), user, role.name().toLowerCase(), remote);
        return s;
    }

    /**
     * A session for a caller inside the server (the admin panel's logins): it runs admin
     * requests on its own ordered worker queue like a client's session, but has no connection
     * (its channel is closed, so whatever would be pushed to it is dropped), no engine
     * connection until a maintenance gives it one (release it with {@link #releaseConnection}),
     * and is not listed: the panel's logins are not protocol sessions.
     */
    public Session internal(String user, Role role, String remote, String clientName) {
        io.netty.channel.embedded.EmbeddedChannel none = new io.netty.channel.embedded.EmbeddedChannel();
        none.close();
        return new Session(user, role, none, remote, clientName, new OrderedExecutor(workers));
    }

    /** The session with this id, or null. */
    public Session find(long id) {
        return sessions.get(id);
    }

    /** Queues a request of {@code s} (event loop). */
    public void submit(Session s, ClientMessage m) {
        // Follow-ups of a request in flight (more rows, closing a cursor) still run during a graceful shutdown.
        boolean followUp = m.hasFetchMore() || m.hasCloseCursor();
        if (s.isClosed() && followUp) {
            return;
        }
        if (s.isClosed() || (shuttingDown && !followUp)) {
            String why = s.closedMessage() != null ? s.closedMessage() : maintenance;
            s.sendError(m.getRequestId(), new TetraException(ErrorCode.SESSION_CLOSED,
                    shuttingDown ? "The server is shutting down." : why != null ? why : "The session is closed."));
            return;
        }
        if (s.inFlightCounter().incrementAndGet() > maxRequestsInFlight) {
            s.inFlightCounter().decrementAndGet();
            s.sendError(m.getRequestId(), new TetraException(ErrorCode.SERVER_BUSY,
                    "Too many requests in flight on this session (at most " + maxRequestsInFlight + ")."));
            return;
        }
        SessionTask task = new SessionTask(s, m, dispatcher, limits.requestBytesInFlight());
        s.requestReceived(task.bytes(), limits.requestBytesInFlight());
        if (m.hasExecute()) {
            // A short cached read of an idle session runs right here, on its event loop (InlineReads).
            s.executor().submitHere(task, () -> dispatcher.runsHere(s, m), dispatcher::ranHere, s.channel().eventLoop());
        } else {
            s.executor().submit(task);
        }
    }

    /**
     * Cancels request {@code target} of {@code s}: a write waiting for a backup is answered
     * -9976 and never runs; a queued request is dropped and answered 2009; a running
     * statement is cancelled in the engine; an open cursor is closed. The Cancel request
     * itself is answered Ok (event loop).
     */
    public void cancel(Session s, long cancelRequestId, long target) {
        OrderedExecutor.Task queued = null;
        SessionTask waiting;
        if (gate.cancel(s.id(), target)) {
            // answered -9976 by the gate
        } else if ((waiting = limits.cancelWaiting(s, target)) != null) {
            waiting.drop();
            s.sendError(target, new TetraException(ErrorCode.CANCELLED, "The request was cancelled while it waited "
                    + "for one of its account's statements to end (limits.statementsPerUser)."));
            s.executor().unpark();
        } else if ((queued = s.executor().remove(target)) != null) {
            queued.drop();
            s.sendError(target, new TetraException(ErrorCode.CANCELLED, "The request was cancelled before it ran."));
        } else if (!s.cancelRunning(target)) {
            s.executor().submit(OrderedExecutor.internal(() -> dispatcher.closeCursor(s, target, true)));
        }
        s.send(ServerMessage.newBuilder().setRequestId(cancelRequestId).setOk(Ok.getDefaultInstance()).build());
    }

    /** The connection of {@code s} closed: drop its queue, cancel its statement, release its engine connection. */
    public void channelClosed(Session s) {
        if (sessions.remove(s.id()) == null && held.remove(s.id()) == null) {
            return;
        }
        s.markClosed(ErrorCode.SESSION_CLOSED);
        s.executor().clear();
        s.cancelAnyRunning();
        gate.removeSession(s.id());
        s.executor().submit(OrderedExecutor.internal(() -> dispatcher.close(s)));
        LOG.info("Session {} closed.", s.id());
    }

    /** Ends a session (admin kill): the client is told, the connection closed. */
    public boolean kill(long id) {
        Session s = sessions.get(id);
        if (s == null) {
            return false;
        }
        s.markClosed(ErrorCode.SESSION_CLOSED);
        s.push(Event.newBuilder().setNotice(ServerNotice.newBuilder()
                .setMessage("The session was ended by an administrator.")).build());
        s.channel().close();
        return true;
    }

    /** The sessions, oldest first. */
    public List<Session> list() {
        List<Session> l = new ArrayList<>(sessions.values());
        l.sort(Comparator.comparingLong(Session::id));
        return l;
    }

    public int count() {
        return sessions.size();
    }

    /**
     * Graceful shutdown: refuses new requests (2008), tells every client, waits up to
     * {@code timeout} for requests in flight to be answered, then closes every connection
     * and waits for the engine connections to be released.
     */
    public void shutdown(Duration timeout) {
        shuttingDown = true;
        for (Session s : new ArrayList<>(held.values())) {
            channelClosed(s);
            s.channel().close();
        }
        List<Session> all = list();
        for (Session s : all) {
            s.push(Event.newBuilder().setNotice(ServerNotice.newBuilder()
                    .setMessage("The server is shutting down.").setShuttingDown(true)).build());
        }
        CompletableFuture<?>[] idle = all.stream().map(s -> s.executor().whenIdle()).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(idle).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("Requests still running after {} ms; they are cancelled.", timeout.toMillis());
        } catch (Exception e) {
            LOG.warn("Waiting for requests in flight failed: {}", e.toString());
        }
        List<CompletableFuture<Void>> released = new ArrayList<>();
        for (Session s : all) {
            s.channel().close().syncUninterruptibly();
            channelClosed(s);
            released.add(s.executor().whenIdle());
        }
        try {
            CompletableFuture.allOf(released.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("Some engine connections were not released: {}", e.toString());
        }
    }

    public boolean isShuttingDown() {
        return shuttingDown;
    }

    /**
     * Puts the server in maintenance (an in-place restore): new connections are refused
     * with {@code message} (2008); every session but {@code keep} is told it (a notice), its
     * queued requests and open cursors are answered with it, its running statement is
     * cancelled (answered so too) and its engine connection closed (an open transaction
     * rolled back); its connection stays open and held, its requests answered 2008 with
     * {@code message}, until {@link #exitMaintenance(String)}. Returns once the engine
     * connections are released (or after {@code timeout}). Runs on {@code keep}'s worker task.
     */
    public void enterMaintenance(String message, Session keep, Duration timeout) {
        maintenance = message;
        List<Session> others = new ArrayList<>();
        TetraException why = new TetraException(ErrorCode.SESSION_CLOSED, message);
        for (Session s : list()) {
            if (s != keep) {
                others.add(s);
                s.closedMessage(message);
                s.markClosed(ErrorCode.SESSION_CLOSED);
                held.put(s.id(), s);
                sessions.remove(s.id());
                s.push(Event.newBuilder().setNotice(ServerNotice.newBuilder().setMessage(message)).build());
                for (OrderedExecutor.Task t : s.executor().clear()) {
                    if (t.requestId() != 0) {
                        s.sendError(t.requestId(), why);
                    }
                }
                s.cancelAnyRunning();
                gate.removeSession(s.id());
                s.executor().submit(OrderedExecutor.internal(() -> {
                    // Its open cursors end with the reason; then the engine connection closes.
                    for (Long cursor : new ArrayList<>(s.cursors.keySet())) {
                        s.sendError(cursor, why);
                    }
                    dispatcher.close(s);
                }));
            }
        }
        List<CompletableFuture<Void>> released = new ArrayList<>();
        for (Session s : others) {
            released.add(s.executor().whenIdle());
        }
        try {
            CompletableFuture.allOf(released.toArray(CompletableFuture[]::new)).get(timeout.toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("Some sessions did not release their engine connections within {} ms.", timeout.toMillis());
        } catch (Exception e) {
            LOG.warn("Waiting for sessions to end failed: {}", e.toString());
        }
        LOG.info("The server is in maintenance; {} other session(s) ended.", others.size());
    }

    /** Ends maintenance: connections are accepted again; the held ones are closed with a generic 2008. */
    public void exitMaintenance() {
        exitMaintenance("The maintenance has ended: this connection was closed during it; connect again.");
    }

    /**
     * Ends maintenance: connections are accepted again, and every connection held since
     * {@link #enterMaintenance} is told {@code outcome} (a notice, then a connection-level
     * 2008, the cause its client keeps) and closed.
     */
    public void exitMaintenance(String outcome) {
        List<Session> closing = new ArrayList<>(held.values());
        for (Session s : closing) {
            held.remove(s.id());
            s.closedMessage(outcome);
            s.push(Event.newBuilder().setNotice(ServerNotice.newBuilder().setMessage(outcome)).build());
            refuse(s, outcome);
            LOG.info("Session {} closed after the maintenance.", s.id());
        }
        // Only then are new connections accepted: a client that connects again never meets its old one held.
        maintenance = null;
        LOG.info("The server left maintenance; {} held connection(s) closed.", closing.size());
    }

    /** RUNNING, MAINTENANCE or SHUTTING_DOWN (ServerStatus.state). */
    public String serverState() {
        return shuttingDown ? "SHUTTING_DOWN" : maintenance != null ? "MAINTENANCE" : "RUNNING";
    }

    /** Closes the engine connection of {@code s} (cursors closed, transaction rolled back); on its worker task. */
    public void releaseConnection(Session s) {
        dispatcher.close(s);
    }

    /** Opens a new engine connection for {@code s} (after the database reopened); on its worker task. */
    public boolean reopenConnection(Session s) {
        return dispatcher.open(s, 0);
    }

    /** A connection-level 2008 with {@code message} (the client keeps it as the cause), then the connection closes. */
    private static void refuse(Session s, String message) {
        Channel ch = s.channel();
        if (ch.isActive()) {
            ch.writeAndFlush(ServerMessage.newBuilder().setRequestId(0)
                    .setError(new TetraException(ErrorCode.SESSION_CLOSED, message).toWire()).build())
                    .addListener(ChannelFutureListener.CLOSE);
        } else {
            ch.close();
        }
    }
}
