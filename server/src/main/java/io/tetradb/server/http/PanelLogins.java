package io.tetradb.server.http;

import io.tetradb.protocol.scram.Scram;
import io.tetradb.server.session.Session;

import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The admin panel's logins: a random session token (the cookie's value) and a CSRF token per
 * login, the account's name and the stored key it logged in with (a login ends when its
 * account is removed or its password changed), and the internal {@link Session} its requests
 * run as. A login ends after {@code idle} without a request, after {@link #MAX_AGE} in any
 * case, or at logout. At most {@link #MAX_LOGINS} logins live at once, and
 * {@link #MAX_LOGINS_PER_ACCOUNT} of one account (its least recently used one ends to make
 * room, so that one account never takes every place); beyond, an expired login is dropped
 * to make room, a live one of another account never (the next login is refused instead).
 *
 * <p>Thread-safe (one monitor, held for map operations only): called on event loops and on
 * the panel's worker tasks.
 */
final class PanelLogins {
    static final int MAX_LOGINS = 32;
    /** Logins of one account: its least recently used one makes room for a new one beyond this. */
    static final int MAX_LOGINS_PER_ACCOUNT = 8;
    static final Duration MAX_AGE = Duration.ofHours(12);

    /** One login. {@code storedKey} may be replaced when its owner changes their own password. */
    static final class Login {
        final String token;
        final String csrf;
        final String user;
        final String address;
        final Session caller;
        final long createdNanos;
        final long createdMillis = System.currentTimeMillis();
        volatile long lastSeenNanos;
        volatile byte[] storedKey;

        Login(String token, String csrf, String user, String address, Session caller, byte[] storedKey, long now) {
            this.token = token;
            this.csrf = csrf;
            this.user = user;
            this.address = address;
            this.caller = caller;
            this.storedKey = storedKey;
            this.createdNanos = now;
            this.lastSeenNanos = now;
        }

        /** Whether {@code header} is this login's CSRF token (compared in constant time). */
        boolean csrfMatches(String header) {
            return header != null && MessageDigest.isEqual(header.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    csrf.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    private final Map<String, Login> logins = new HashMap<>();
    private final long idleNanos;
    private final LongSupplier clock;
    private final Consumer<Login> onEnd;

    /** {@code onEnd} is called (outside the monitor) for each login that ends, however it ends. */
    PanelLogins(Duration idle, LongSupplier clock, Consumer<Login> onEnd) {
        this.idleNanos = idle.toNanos();
        this.clock = clock;
        this.onEnd = onEnd;
    }

    /** A new login, or null when {@link #MAX_LOGINS} live ones exist. */
    Login create(String user, String address, Session caller, byte[] storedKey) {
        List<Login> ended = new ArrayList<>();
        Login l;
        synchronized (this) {
            sweep(ended);
            Login oldest = null;
            int mine = 0;
            for (Login o : logins.values()) {
                if (o.user.equals(user)) {
                    mine++;
                    if (oldest == null || o.lastSeenNanos < oldest.lastSeenNanos) {
                        oldest = o;
                    }
                }
            }
            if (mine >= MAX_LOGINS_PER_ACCOUNT) {
                logins.remove(oldest.token);
                ended.add(oldest);
            }
            if (logins.size() >= MAX_LOGINS) {
                l = null;
            } else {
                l = new Login(token(), token(), user, address, caller, storedKey, clock.getAsLong());
                logins.put(l.token, l);
            }
        }
        ended.forEach(onEnd);
        return l;
    }

    /** The live login of this token, its idle time restarted; null when there is none (or it expired). */
    Login touch(String token) {
        if (token == null) {
            return null;
        }
        Login ended = null;
        Login l;
        synchronized (this) {
            l = logins.get(token);
            if (l != null && expired(l, clock.getAsLong())) {
                logins.remove(token);
                ended = l;
                l = null;
            } else if (l != null) {
                l.lastSeenNanos = clock.getAsLong();
            }
        }
        if (ended != null) {
            onEnd.accept(ended);
        }
        return l;
    }

    /** The live login of this token without restarting its idle time (the live-update stream's checks). */
    synchronized boolean isLive(Login l) {
        return logins.get(l.token) == l && !expired(l, clock.getAsLong());
    }

    /** Ends a login (logout, its account removed). */
    void end(Login l) {
        boolean removed;
        synchronized (this) {
            removed = logins.remove(l.token, l);
        }
        if (removed) {
            onEnd.accept(l);
        }
    }

    /** Ends every login of {@code user} but {@code keep} (null: all of them). */
    void endUser(String user, Login keep) {
        List<Login> ended = new ArrayList<>();
        synchronized (this) {
            for (Iterator<Login> it = logins.values().iterator(); it.hasNext(); ) {
                Login l = it.next();
                if (l != keep && l.user.equals(user)) {
                    it.remove();
                    ended.add(l);
                }
            }
        }
        ended.forEach(onEnd);
    }

    /** Ends every login {@code test} accepts. */
    void endIf(java.util.function.Predicate<Login> test) {
        List<Login> ended = new ArrayList<>();
        List<Login> all;
        synchronized (this) {
            all = new ArrayList<>(logins.values());
        }
        for (Login l : all) {
            if (test.test(l)) {
                synchronized (this) {
                    if (logins.remove(l.token, l)) {
                        ended.add(l);
                    }
                }
            }
        }
        ended.forEach(onEnd);
    }

    /** Drops the expired logins (the server's timer, every few seconds). */
    void sweep() {
        List<Login> ended = new ArrayList<>();
        synchronized (this) {
            sweep(ended);
        }
        ended.forEach(onEnd);
    }

    synchronized int size() {
        return logins.size();
    }

    private void sweep(List<Login> ended) {
        long now = clock.getAsLong();
        for (Iterator<Login> it = logins.values().iterator(); it.hasNext(); ) {
            Login l = it.next();
            if (expired(l, now)) {
                it.remove();
                ended.add(l);
            }
        }
    }

    private boolean expired(Login l, long now) {
        return now - l.lastSeenNanos >= idleNanos || now - l.createdNanos >= MAX_AGE.toNanos();
    }

    private static String token() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Scram.randomBytes(32));
    }
}
