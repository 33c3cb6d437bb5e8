package io.tetradb.protocol;

import java.time.Duration;
import java.util.Locale;

/**
 * The one text form of durations in Tetra's settings and options: 0, or a whole number with
 * {@code us} (microseconds), {@code ms}, {@code s}, {@code m}, {@code h} or {@code d}, or ISO-8601 ({@code PT30S}).
 *
 * <pre>{@code
 * Durations.parse("250ms");   // 0.25 s
 * Durations.parse("5m");      // 5 minutes
 * }</pre>
 */
public final class Durations {
    private Durations() {
    }

    /** Parses a duration; IllegalArgumentException when the text is not one. */
    public static Duration parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.equals("0")) {
                return Duration.ZERO;
            }
            if (t.startsWith("p")) {
                return Duration.parse(t.toUpperCase(Locale.ROOT));
            }
            if (t.endsWith("us")) {
                return Duration.ofNanos(Math.multiplyExact(Long.parseLong(t.substring(0, t.length() - 2).trim()), 1000L));
            }
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2).trim()));
            }
            long n = Long.parseLong(t.substring(0, t.length() - 1).trim());
            switch (t.charAt(t.length() - 1)) {
                case 's':
                    return Duration.ofSeconds(n);
                case 'm':
                    return Duration.ofMinutes(n);
                case 'h':
                    return Duration.ofHours(n);
                case 'd':
                    return Duration.ofDays(n);
                default:
                    break;
            }
        } catch (RuntimeException e) {
            // not a duration: said below
        }
        throw new IllegalArgumentException("'" + text + "' is not a duration (for example 250ms, 30s, 5m, 1h)");
    }
}
