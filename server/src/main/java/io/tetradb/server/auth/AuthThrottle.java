package io.tetradb.server.auth;

import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Slows down password guessing, per address and per account, also when the guesses come
 * in parallel. Each address and each account name has a failure count that grows by one
 * with each failed login and halves every half-life. Every login attempt, successful or
 * not, is answered no earlier than the answers of the earlier failed attempts of its
 * address and of its account (so parallel attempts are answered one after the other); a
 * failed one is answered a further {@code base * 2^(count - 1)} later (count the larger of
 * the two, at most the maximum delay). An attempt that would have to wait longer than
 * the maximum delay behind earlier ones is refused at once, before its password is looked
 * at. A success sets its own account's count to zero and leaves the address's count and
 * every other account's alone. The delay is applied by scheduling the reply, never by
 * sleeping.
 *
 * <p>So that a stranger who knows an account's name cannot lock its owner out, an
 * attempt from an address the account has logged in from before (the last
 * {@value #KNOWN_ADDRESSES} such addresses of each account are kept) waits only behind
 * its own address, never behind the account's queue: its password is checked at once, and
 * a failure there still counts for the account and is answered after the account's delay.
 * A stranger cannot make an address known without the password.
 *
 * <p>Invariants: (1) the decision to refuse or to wait is taken from the counts before
 * the attempt's outcome is used, so neither tells a success from a failure early; (2) for
 * one address or one account, the answer times of failed attempts are at least their
 * delays apart; (3) memory is bounded: at most {@code maxEntries} records per kind, plus
 * {@value #OVERFLOW_BUCKETS} shared buckets per kind that take the keys arriving while the
 * table is full of live records (a stranger cycling addresses or names then only throttles
 * those buckets further).
 *
 * <p>Thread-safe (one monitor, held for a few arithmetic steps, no I/O); called on event
 * loops.
 */
public final class AuthThrottle {
    static final int OVERFLOW_BUCKETS = 1024;
    static final int KNOWN_ADDRESSES = 8;
    private static final double FORGOTTEN = 0.01;

    /** The answer to one attempt: refused at once, or answered after {@code delayNanos}. */
    public record Decision(boolean refused, long delayNanos) {
        static final Decision REFUSED = new Decision(true, 0);
    }

    private static final class Record {
        double failures;
        long stampNanos;
        long busyUntilNanos;

        double failuresAt(long now, double halfLifeNanos) {
            if (now > stampNanos) {
                failures *= Math.pow(0.5, (now - stampNanos) / halfLifeNanos);
                stampNanos = now;
            }
            return failures;
        }
    }

    private final class Table {
        final Map<String, Record> records = new HashMap<>();
        final Record[] overflow = new Record[OVERFLOW_BUCKETS];
        long lastSweepNanos;

        /** The record of {@code key}, or null when it has none and {@code create} is false. */
        Record find(String key, long now, boolean create) {
            Record r = records.get(key);
            if (r != null) {
                return r;
            }
            int bucket = Math.floorMod(key.hashCode(), OVERFLOW_BUCKETS);
            if (overflow[bucket] != null && overflow[bucket].failuresAt(now, halfLifeNanos) >= FORGOTTEN) {
                return overflow[bucket];
            }
            if (!create) {
                return null;
            }
            if (records.size() >= maxEntries && now - lastSweepNanos > 1_000_000_000L) {
                lastSweepNanos = now;
                sweep(now);
            }
            r = new Record();
            r.stampNanos = now;
            if (records.size() >= maxEntries) {
                if (overflow[bucket] == null) {
                    overflow[bucket] = r;
                }
                return overflow[bucket];
            }
            records.put(key, r);
            return r;
        }

        void sweep(long now) {
            for (Iterator<Record> it = records.values().iterator(); it.hasNext(); ) {
                Record r = it.next();
                if (r.busyUntilNanos <= now && r.failuresAt(now, halfLifeNanos) < FORGOTTEN) {
                    it.remove();
                }
            }
        }
    }

    private final long baseNanos;
    private final long maxNanos;
    private final double halfLifeNanos;
    private final int maxEntries;
    private final LongSupplier clock;
    private final Table addresses = new Table();
    private final Table accounts = new Table();
    /** Per account key, the addresses it last logged in from (most recent last); bounded like the tables. */
    private final java.util.LinkedHashMap<String, java.util.LinkedHashSet<String>> known =
            new java.util.LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, java.util.LinkedHashSet<String>> eldest) {
                    return size() > maxEntries;
                }
            };

    /** A throttle with the server's settings, keeping at most 10,000 addresses and 10,000 accounts. */
    public AuthThrottle(Duration base, Duration max, Duration halfLife) {
        this(base, max, halfLife, 10_000, System::nanoTime);
    }

    /** A throttle with its own table size and clock (nanoseconds), for tests. */
    public AuthThrottle(Duration base, Duration max, Duration halfLife, int maxEntries, LongSupplier clock) {
        this.baseNanos = base.toNanos();
        this.maxNanos = max.toNanos();
        this.halfLifeNanos = Math.max(1, halfLife.toNanos());
        this.maxEntries = maxEntries;
        this.clock = clock;
    }

    /**
     * Decides when to answer one login attempt of {@code account} from {@code address} whose
     * password check gave {@code succeeded}, and records its outcome.
     */
    public synchronized Decision attempt(String address, String account, boolean succeeded) {
        long now = clock.getAsLong();
        String accountKey = accountKey(account);
        // Decided before the outcome is used: whether the account has logged in from here before.
        java.util.Set<String> knownHere = known.get(accountKey);
        boolean knownAddress = knownHere != null && knownHere.contains(address);
        Record a = addresses.find(address, now, !succeeded);
        Record u = accounts.find(accountKey, now, !succeeded);
        long start = now;
        if (a != null) {
            start = Math.max(start, a.busyUntilNanos);
        }
        if (u != null && !knownAddress) {
            start = Math.max(start, u.busyUntilNanos);
        }
        if (start - now > maxNanos) {
            return Decision.REFUSED;
        }
        if (succeeded) {
            if (u != null && accounts.records.get(accountKey) == u) {
                u.failures = 0;
            }
            java.util.LinkedHashSet<String> addressesOfAccount = known.computeIfAbsent(accountKey,
                    k -> new java.util.LinkedHashSet<>());
            addressesOfAccount.remove(address);
            addressesOfAccount.add(address);
            if (addressesOfAccount.size() > KNOWN_ADDRESSES) {
                addressesOfAccount.remove(addressesOfAccount.iterator().next());
            }
            return new Decision(false, start - now);
        }
        double count = Math.max(a.failuresAt(now, halfLifeNanos) + 1, u.failuresAt(now, halfLifeNanos) + 1);
        a.failures += 1;
        u.failures += 1;
        long answerAt = start + delayNanos(count);
        a.busyUntilNanos = Math.max(a.busyUntilNanos, answerAt);
        if (!knownAddress) {
            // A known address's failure counts for the account but does not queue strangers behind it.
            u.busyUntilNanos = Math.max(u.busyUntilNanos, answerAt);
        }
        return new Decision(false, answerAt - now);
    }

    /**
     * Whether an attempt of {@code account} from {@code address} now would be refused at once
     * (it would wait longer than the maximum delay behind earlier failures), so that a caller
     * that must do costly work to check the password (the admin panel hashes it) can refuse
     * before doing it. Changes nothing.
     */
    public synchronized boolean refuses(String address, String account) {
        long now = clock.getAsLong();
        String accountKey = accountKey(account);
        java.util.Set<String> knownHere = known.get(accountKey);
        boolean knownAddress = knownHere != null && knownHere.contains(address);
        Record a = addresses.find(address, now, false);
        Record u = accounts.find(accountKey, now, false);
        long start = now;
        if (a != null) {
            start = Math.max(start, a.busyUntilNanos);
        }
        if (u != null && !knownAddress) {
            start = Math.max(start, u.busyUntilNanos);
        }
        return start - now > maxNanos;
    }

    /** The delay added to a failed attempt when the failure count (this one included) is {@code count}. */
    public long delayNanos(double count) {
        double d = baseNanos * Math.pow(2, Math.max(0, count - 1));
        return (long) Math.min(d, maxNanos);
    }

    /** The failure count of {@code address} now (0 when none is kept). */
    public synchronized double addressFailures(String address) {
        Record r = addresses.find(address, clock.getAsLong(), false);
        return r == null ? 0 : r.failuresAt(clock.getAsLong(), halfLifeNanos);
    }

    /** The failure count of {@code account} now (0 when none is kept). */
    public synchronized double accountFailures(String account) {
        Record r = accounts.find(accountKey(account), clock.getAsLong(), false);
        return r == null ? 0 : r.failuresAt(clock.getAsLong(), halfLifeNanos);
    }

    /** The records kept, both kinds together, overflow buckets left out. */
    public synchronized int size() {
        return addresses.records.size() + accounts.records.size();
    }

    /** Names longer than any real account share a key built from their start and hash (bounded memory). */
    private static String accountKey(String account) {
        return account.length() <= 128 ? account : account.substring(0, 128) + "#" + account.hashCode();
    }
}
