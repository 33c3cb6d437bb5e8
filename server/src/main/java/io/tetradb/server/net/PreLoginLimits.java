package io.tetradb.server.net;

import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraException;
import io.tetradb.server.auth.AuthThrottle;
import io.tetradb.server.config.ServerConfig;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every limit that applies before login, in one place (docs/protocol.md): connections in the
 * handshake in total and per address, the handshake timeout, the frame limit until login,
 * the login throttle, and the count of sessions that logged in (maxConnections), which
 * connections in the handshake never count against. When the handshakes are full, a
 * newcomer closes the oldest handshake of the address holding the most, unless its own
 * address holds as many: silent strangers cannot keep an honest client from logging in.
 *
 * <p>One instance per server, shared by the {@link LoginHandler}s of all connections:
 * thread-safe, called on event loops; its monitor is held for a few map operations, never
 * across I/O (an evicted connection is closed after the monitor is released, on its own
 * event loop).
 */
public final class PreLoginLimits {
    private final int handshakes;
    private final int handshakesPerAddress;
    private final Duration handshakeTimeout;
    private final int handshakeFrameSize;
    private final int maxFrameSize;
    private final int maxSessions;
    private final int maxSessionsPerUser;
    /** Sessions open per account (limits.sessionsPerUser); an account's entry goes when its last session ends. */
    private final java.util.concurrent.ConcurrentHashMap<String, Integer> sessionsPerUser =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final AuthThrottle throttle;
    private final Map<String, ArrayDeque<Ticket>> pending = new HashMap<>();
    private int pendingTotal;
    private final AtomicInteger sessions = new AtomicInteger();

    /** One connection's place among the handshakes; released once, at login or close. */
    static final class Ticket {
        private final String address;
        private final Runnable evict;
        private boolean released;

        private Ticket(String address, Runnable evict) {
            this.address = address;
            this.evict = evict;
        }
    }

    public PreLoginLimits(ServerConfig config, AuthThrottle throttle) {
        this.handshakes = config.handshakes();
        this.handshakesPerAddress = config.handshakesPerAddress();
        this.handshakeTimeout = config.handshakeTimeout();
        this.handshakeFrameSize = config.handshakeFrameSize();
        this.maxFrameSize = config.maxFrameSize();
        this.maxSessions = config.maxConnections();
        this.maxSessionsPerUser = config.sessionsPerUser();
        this.throttle = throttle;
    }

    /**
     * Takes a place among the handshakes for a connection from {@code address}; when the
     * handshakes are full, {@code evict} of another connection may run (that connection
     * then answers 2001 and closes).
     *
     * @throws TetraException 2001 when this connection is refused
     */
    Ticket enter(String address, Runnable evict) {
        Ticket victim = null;
        Ticket t = new Ticket(address, evict);
        synchronized (this) {
            ArrayDeque<Ticket> own = pending.get(address);
            int ownCount = own == null ? 0 : own.size();
            if (ownCount >= handshakesPerAddress) {
                throw new TetraException(ErrorCode.SERVER_BUSY, "Too many connections that have not logged in from "
                        + "this address (at most " + handshakesPerAddress + ", limits.handshakesPerAddress).");
            }
            if (pendingTotal >= handshakes) {
                ArrayDeque<Ticket> most = null;
                for (ArrayDeque<Ticket> q : pending.values()) {
                    if (most == null || q.size() > most.size()) {
                        most = q;
                    }
                }
                if (most == null || most.size() <= ownCount) {
                    throw new TetraException(ErrorCode.SERVER_BUSY, "Too many connections that have not logged in "
                            + "(at most " + handshakes + ", limits.handshakes).");
                }
                victim = most.peekFirst();
                release(victim);
            }
            pending.computeIfAbsent(address, a -> new ArrayDeque<>()).addLast(t);
            pendingTotal++;
        }
        if (victim != null) {
            try {
                victim.evict.run();
            } catch (RuntimeException stopping) {
                // its event loop no longer takes tasks: the server is stopping and closes every connection anyway
            }
        }
        return t;
    }

    /** Gives the place back (at login or when the connection closes); idempotent. */
    synchronized void leave(Ticket t) {
        if (t != null) {
            release(t);
        }
    }

    private void release(Ticket t) {
        if (t.released) {
            return;
        }
        t.released = true;
        ArrayDeque<Ticket> q = pending.get(t.address);
        if (q != null && q.remove(t)) {
            pendingTotal--;
            if (q.isEmpty()) {
                pending.remove(t.address);
            }
        }
    }

    /** Counts a new session; false (nothing counted) when maxConnections sessions are open. */
    boolean openSession() {
        while (true) {
            int n = sessions.get();
            if (n >= maxSessions) {
                return false;
            }
            if (sessions.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** A session counted by {@link #openSession()} ended. */
    void closeSession() {
        sessions.decrementAndGet();
    }

    /** Counts a new session of {@code user}; false (nothing counted) when it has limits.sessionsPerUser open. */
    boolean openSessionOf(String user) {
        boolean[] opened = {false};
        sessionsPerUser.compute(user, (u, n) -> {
            int now = n == null ? 0 : n;
            if (now >= maxSessionsPerUser) {
                return n;
            }
            opened[0] = true;
            return now + 1;
        });
        return opened[0];
    }

    /** A session counted by {@link #openSessionOf} ended. */
    void closeSessionOf(String user) {
        sessionsPerUser.computeIfPresent(user, (u, n) -> n <= 1 ? null : n - 1);
    }

    int maxSessionsPerUser() {
        return maxSessionsPerUser;
    }

    /** Connections in the handshake now. */
    public synchronized int handshakesNow() {
        return pendingTotal;
    }

    /** Sessions counted now. */
    public int sessionsNow() {
        return sessions.get();
    }

    int maxSessions() {
        return maxSessions;
    }

    Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    int handshakeFrameSize() {
        return handshakeFrameSize;
    }

    int maxFrameSize() {
        return maxFrameSize;
    }

    /** The login throttle. */
    public AuthThrottle throttle() {
        return throttle;
    }

    /**
     * The key under which an address is counted and throttled: the IPv4 address, or the /64
     * prefix of an IPv6 address (one site's hosts usually share it and get many addresses in it).
     */
    public static String addressKey(SocketAddress remote) {
        if (remote instanceof InetSocketAddress a) {
            InetAddress ip = a.getAddress();
            if (ip == null) {
                return a.getHostString();
            }
            if (ip instanceof Inet6Address) {
                byte[] b = ip.getAddress();
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < 8; i += 2) {
                    sb.append(Integer.toHexString(((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF))).append(':');
                }
                return sb.append(":/64").toString();
            }
            return ip.getHostAddress();
        }
        return String.valueOf(remote);
    }
}
