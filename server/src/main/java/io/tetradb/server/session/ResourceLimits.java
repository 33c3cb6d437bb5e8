package io.tetradb.server.session;

import io.tetradb.client.ErrorCode;
import io.tetradb.protocol.Role;
import io.tetradb.client.TetraException;
import io.tetradb.server.config.ServerConfig;
import io.netty.util.Timeout;
import io.netty.util.Timer;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The limits that keep one session or one account from exhausting the server (docs/protocol.md
 * , "Limits"): statement timeouts per role, open cursors per session, rows and bytes of
 * output a session may have waiting for its client, bytes of requests in flight per
 * session, and statements of one account executing at once.
 *
 * <p>Invariants: (1) every {@link #enterStatement} or {@link #enterOrWait} that returned
 * true is matched by exactly one {@link #exitStatement} for the same user (the dispatcher
 * pairs them in a finally), so an account's count is the number of its statements
 * executing or producing rows now; (2) a statement or cursor that {@link #enterOrWait}
 * turned away is woken by a later {@link #exitStatement} of its account: it is queued
 * before the count is tried again, and a waiter of a closed session passes its wake on;
 * (3) a waiting statement holds no thread: its session's executor is parked until the
 * wake hands its task back, or a Cancel takes it out ({@link #cancelWaiting}).
 *
 * <p>Shared by every session; called on worker threads (statements), event loops
 * (requests received) and the timer thread (timeouts). Thread-safe.
 */
public final class ResourceLimits {
    private final ServerConfig config;
    /**
     * Statement timeouts: a wheel (10 ms ticks) that a statement's start and end only touch
     * through lock-free queues. The ScheduledExecutorService used before kept every cancelled
     * timeout until its deadline (its default policy): five minutes of every user's and
     * reader's statements, about 80 bytes each (measured over 1,000,000), 0.45 GiB at 20,000
     * statements a second. Removing them on cancel instead would wake its thread for most
     * statements (each new deadline the head of an empty queue).
     */
    private final Timer timer;
    private final ConcurrentHashMap<String, AtomicInteger> statementsByUser = new ConcurrentHashMap<>();
    /** Per account: cursors waiting for one of its statements to end before they produce more rows. */
    private final ConcurrentHashMap<String, ConcurrentLinkedQueue<Runnable>> waiting = new ConcurrentHashMap<>();
    private volatile Runnable engineCheck = () -> { };

    /** Statement timeouts wait on {@code timer} (TetraServer's {@code tetra-statement-timer}). */
    public ResourceLimits(ServerConfig config, Timer timer) {
        this.config = config;
        this.timer = timer;
    }

    /** How long a structure change waits for other sessions (log.structureWait). */
    java.time.Duration structureWait() {
        return config.logStructureWait();
    }

    /** The longest run of a cached read that may run on its event loop (limits.eventLoopReadTime; 0: none). */
    java.time.Duration eventLoopReadTime() {
        return config.eventLoopReadTime();
    }

    /**
     * Sets what runs after a statement ran out of memory in the engine (the server checks
     * whether H2 closed the database, and reopens it).
     */
    public void onEngineOutOfMemory(Runnable check) {
        engineCheck = check;
    }

    /** A statement ran out of memory in the engine (worker). */
    void engineOutOfMemory() {
        engineCheck.run();
    }

    /** Open cursors per session. */
    int cursorsPerSession() {
        return config.cursorsPerSession();
    }

    /** Rows a session may have waiting for its client. */
    int sessionOutputRows() {
        return config.sessionOutputRows();
    }

    /** Bytes of row batches a session may have waiting for its client. */
    long sessionOutputBytes() {
        return config.sessionOutputBytes();
    }

    /** Bytes of requests a session may have in flight. */
    long requestBytesInFlight() {
        return config.requestBytesInFlight();
    }

    /**
     * Schedules the statement timeout of {@code s}'s role for {@code r}; null when the role
     * has none. The caller cancels the returned timeout once the statement is over.
     */
    Timeout scheduleTimeout(Session s, RunningStatement r, long requestedMillis) {
        long t = effectiveTimeout(s, requestedMillis);
        if (t == 0) {
            return null;
        }
        return timer.newTimeout(expired -> r.cancel(true), t, TimeUnit.MILLISECONDS);
    }

    /** The shorter of the role's statement timeout and the request's own (0 for either: none), in ms. */
    private long effectiveTimeout(Session s, long requestedMillis) {
        long role = config.statementTimeout(s.role()).toMillis();
        long requested = requestedMillis < 0 ? 0 : requestedMillis;
        if (role == 0 || requested == 0) {
            return Math.max(role, requested);
        }
        return Math.min(role, requested);
    }

    /** The reply to a statement the timeout cancelled (its request's own, or its role's). */
    TetraException timeoutError(Session s, long requestedMillis) {
        String role = s.role().name().toLowerCase(Locale.ROOT);
        long roleMillis = config.statementTimeout(s.role()).toMillis();
        if (requestedMillis > 0 && (roleMillis == 0 || requestedMillis <= roleMillis)) {
            return TetraException.timedOut("The statement was cancelled: it ran longer than its timeout of "
                    + describe(Duration.ofMillis(requestedMillis)) + " (the client's query timeout).");
        }
        return TetraException.timedOut("The statement was cancelled: it ran longer than the "
                + "statement timeout of " + describe(config.statementTimeout(s.role())) + " for role " + role
                + " (limits.statementTimeout." + role + ").");
    }

    /**
     * Counts a statement of {@code user} as executing; false (nothing counted) when the
     * account already has {@code limits.statementsPerUser} executing.
     */
    boolean enterStatement(String user) {
        return enterStatement(user, config.statementsPerUser());
    }

    private boolean enterStatement(String user, int cap) {
        AtomicInteger n = statementsByUser.computeIfAbsent(user, u -> new AtomicInteger());
        if (n.incrementAndGet() > cap) {
            n.decrementAndGet();
            return false;
        }
        return true;
    }

    /**
     * Like {@link #enterStatement}, for producing more rows of an open cursor: when the
     * account is at its cap, {@code wake} is queued instead (it must queue the cursor's
     * work again, holding no thread) and runs when one of the account's statements ends.
     */
    boolean enterOrWait(String user, Runnable wake) {
        return enterOrWait(user, wake, false);
    }

    /**
     * As {@link #enterOrWait(String, Runnable)}; a statement of a session whose transaction
     * holds changes ({@code holdsChanges}) may go past the cap up to twice it: it may hold
     * row locks that the account's waiting statements wait for, and making it wait behind
     * them would stall them all until the engine's lock timeout.
     */
    boolean enterOrWait(String user, Runnable wake, boolean holdsChanges) {
        if (enterStatement(user)) {
            return true;
        }
        if (holdsChanges && enterStatement(user, 2 * config.statementsPerUser())) {
            return true;
        }
        ConcurrentLinkedQueue<Runnable> q = waiting.computeIfAbsent(user, u -> new ConcurrentLinkedQueue<>());
        q.add(wake);
        // Tried again after queuing: a statement that ended in between either saw the waiter or is seen here.
        if (enterStatement(user)) {
            if (q.remove(wake)) {
                return true;
            }
            // An ending statement took the waiter and runs it: let that retry have the place.
            exitStatement(user);
        }
        return false;
    }

    /** The statement counted by {@link #enterStatement} is over; a waiting statement or cursor of the account is woken. */
    void exitStatement(String user) {
        AtomicInteger n = statementsByUser.get(user);
        if (n != null) {
            n.decrementAndGet();
        }
        wakeNext(user);
    }

    private void wakeNext(String user) {
        ConcurrentLinkedQueue<Runnable> q = waiting.get(user);
        Runnable w = q == null ? null : q.poll();
        if (w != null) {
            w.run();
        }
    }

    /**
     * What wakes a statement of {@code s} that waits for a place among its account's
     * executing statements: its task handed back to the session's executor. A waiter whose
     * session has closed passes the wake on to the next, so no live waiter is left behind.
     */
    Runnable waiter(Session s, SessionTask task) {
        return new StatementWaiter(s, task);
    }

    private final class StatementWaiter implements Runnable {
        final Session session;
        final SessionTask task;

        StatementWaiter(Session session, SessionTask task) {
            this.session = session;
            this.task = task;
        }

        @Override
        public void run() {
            if (session.isClosed()) {
                task.drop();
                wakeNext(session.user());
            } else {
                session.executor().resume(task);
            }
        }
    }

    /**
     * Takes request {@code requestId} of {@code s} out of the statements waiting for a place
     * (a Cancel); returns its task (the caller answers it and ends the park), or null when it
     * does not wait.
     */
    SessionTask cancelWaiting(Session s, long requestId) {
        ConcurrentLinkedQueue<Runnable> q = waiting.get(s.user());
        if (q == null) {
            return null;
        }
        for (Runnable r : q) {
            if (r instanceof StatementWaiter w && w.session == s && w.task.requestId() == requestId && q.remove(w)) {
                return w.task;
            }
        }
        return null;
    }

    /** Statements of {@code user} executing now (for tests and diagnostics). */
    public int statementsRunning(String user) {
        AtomicInteger n = statementsByUser.get(user);
        return n == null ? 0 : n.get();
    }

    /** The refusal of a query over {@code limits.cursorsPerSession}. */
    TetraException tooManyCursors() {
        return new TetraException(ErrorCode.SERVER_BUSY, "Too many open cursors on this session (at most "
                + config.cursorsPerSession() + ", limits.cursorsPerSession): read or close a result first.");
    }

    private static String describe(Duration d) {
        long ms = d.toMillis();
        if (ms % 60_000 == 0) {
            return (ms / 60_000) + " min";
        }
        if (ms % 1000 == 0) {
            return (ms / 1000) + " s";
        }
        return ms + " ms";
    }
}
