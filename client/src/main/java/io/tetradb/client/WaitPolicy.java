package io.tetradb.client;

import java.time.Duration;
import java.util.Objects;

/**
 * What a write does when a backup holds writes back (docs/backups.md): wait until the
 * backup ends ({@link #WAIT}, the default), fail at once with -9976
 * ({@link #FAIL_FAST}), or wait at most a while, then fail with -9976
 * ({@link #waitAtMost}). Set per connection in {@link ClientConfig}, or per call.
 *
 * <pre>{@code
 * client.statement("INSERT INTO T VALUES (1)").waitPolicy(WaitPolicy.waitAtMost(Duration.ofSeconds(5))).execute();
 * }</pre>
 */
public final class WaitPolicy {
    /** The kinds of policy. */
    public enum Kind { WAIT, FAIL_FAST, WAIT_AT_MOST }

    /** Wait until the backup ends. */
    public static final WaitPolicy WAIT = new WaitPolicy(Kind.WAIT, Duration.ZERO);
    /** Fail at once with -9976. */
    public static final WaitPolicy FAIL_FAST = new WaitPolicy(Kind.FAIL_FAST, Duration.ZERO);

    private final Kind kind;
    private final Duration limit;

    private WaitPolicy(Kind kind, Duration limit) {
        this.kind = kind;
        this.limit = limit;
    }

    /** Wait at most {@code limit}, then fail with -9976. */
    public static WaitPolicy waitAtMost(Duration limit) {
        Objects.requireNonNull(limit, "limit");
        if (limit.isNegative()) {
            throw new IllegalArgumentException("the wait limit must not be negative: " + limit);
        }
        return new WaitPolicy(Kind.WAIT_AT_MOST, limit);
    }

    /**
     * Parses {@code wait}, {@code fail-fast} or {@code wait-at-most=DURATION} (DURATION as
     * 500ms, 30s, 5m, or ISO-8601 such as PT30S).
     */
    public static WaitPolicy parse(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (t.equals("wait")) {
            return WAIT;
        }
        if (t.equals("fail-fast") || t.equals("fail_fast")) {
            return FAIL_FAST;
        }
        if (t.startsWith("wait-at-most=") || t.startsWith("wait_at_most=")) {
            return waitAtMost(parseDuration(t.substring(t.indexOf('=') + 1)));
        }
        throw new IllegalArgumentException("unknown wait policy '" + text + "': use wait, fail-fast or wait-at-most=DURATION");
    }

    static Duration parseDuration(String s) {
        return io.tetradb.protocol.Durations.parse(s);
    }

    public Kind kind() {
        return kind;
    }

    /** The limit of {@link Kind#WAIT_AT_MOST}; zero otherwise. */
    public Duration limit() {
        return limit;
    }

    io.tetradb.protocol.WaitPolicy toWire() {
        switch (kind) {
            case FAIL_FAST:
                return io.tetradb.protocol.WaitPolicy.FAIL_FAST;
            case WAIT_AT_MOST:
                return io.tetradb.protocol.WaitPolicy.WAIT_AT_MOST;
            default:
                return io.tetradb.protocol.WaitPolicy.WAIT;
        }
    }

    @Override
    public String toString() {
        return kind == Kind.WAIT_AT_MOST ? "wait-at-most=" + limit.toMillis() + "ms"
                : kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
