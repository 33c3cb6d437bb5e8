package io.tetradb.server.net;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The one WARN line per client that speaks another protocol at Tetra's port (see
 * {@link ForeignProtocolDetector}), rate-limited so that a flood cannot fill the log: at
 * most one line per address (as {@link PreLoginLimits#addressKey} counts them) per minute;
 * the next line after a quiet minute says how many such connections were not logged. At
 * most {@value #MAX_ADDRESSES} addresses are remembered; beyond that all others share one
 * allowance.
 *
 * <p>One instance per server, called on the event loops of all connections: thread-safe,
 * its monitor held for one map operation, never while logging.
 */
final class ForeignClientLog {
    private static final Logger LOG = LoggerFactory.getLogger(ForeignClientLog.class);
    static final int MAX_ADDRESSES = 1024;
    private static final long WINDOW_NANOS = TimeUnit.MINUTES.toNanos(1);

    private static final class Window {
        long start;
        int suppressed;
    }

    private final LongSupplier nanoTime;
    private final Map<String, Window> windows = new HashMap<>();

    ForeignClientLog() {
        this(System::nanoTime);
    }

    ForeignClientLog(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /**
     * Counts a connection from {@code addressKey}: -1 when it is not to be logged, else how many
     * earlier ones from that address were not logged.
     */
    synchronized int admit(String addressKey) {
        long now = nanoTime.getAsLong();
        Window w = windows.get(addressKey);
        if (w == null) {
            if (windows.size() >= MAX_ADDRESSES) {
                windows.values().removeIf(x -> now - x.start >= WINDOW_NANOS && x.suppressed == 0);
                if (windows.size() >= MAX_ADDRESSES) {
                    addressKey = "*";
                    w = windows.get(addressKey);
                }
            }
            if (w == null) {
                w = new Window();
                w.start = now;
                windows.put(addressKey, w);
                return 0;
            }
        }
        if (now - w.start < WINDOW_NANOS) {
            w.suppressed++;
            return -1;
        }
        int earlier = w.suppressed;
        w.start = now;
        w.suppressed = 0;
        return earlier;
    }

    /** Logs "A client at {remote} {what}." unless the address has had its line this minute. */
    void log(String addressKey, String remote, String what) {
        int earlier = admit(addressKey);
        if (earlier == 0) {
            LOG.warn("A client at {} {}.", remote, what);
        } else if (earlier > 0) {
            LOG.warn("A client at {} {} ({} more such connections from this address were not logged).", remote,
                    what, earlier);
        }
    }
}
