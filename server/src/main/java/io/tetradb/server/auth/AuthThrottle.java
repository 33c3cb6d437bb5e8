package io.tetradb.server.auth;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows down repeated authentication failures: the first failure from an address is
 * answered after the base delay, each further one after twice the previous delay, up
 * to a maximum; a success clears the address. The delay is applied by scheduling the
 * reply, never by sleeping.
 *
 * <p>Thread-safe; used on event loops.
 */
public final class AuthThrottle {
    private final long baseMillis;
    private final long maxMillis;
    private final ConcurrentHashMap<String, Integer> failures = new ConcurrentHashMap<>();

    public AuthThrottle(Duration base, Duration max) {
        this.baseMillis = base.toMillis();
        this.maxMillis = max.toMillis();
    }

    /** Records a failure from {@code address} and returns how long to wait before answering. */
    public long failureDelayMillis(String address) {
        int n = failures.merge(address, 1, Integer::sum);
        if (failures.size() > 100_000) {
            failures.clear();
        }
        long d = baseMillis;
        for (int i = 1; i < n && d < maxMillis; i++) {
            d *= 2;
        }
        return Math.min(d, maxMillis);
    }

    /** Clears the failures of {@code address}. */
    public void success(String address) {
        failures.remove(address);
    }
}
