package io.tetradb.admin;

import io.tetradb.protocol.ByteSizes;
import io.tetradb.protocol.Role;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * How values look in {@code tetra-admin}'s text output: SQL values in a table cell,
 * byte sizes, durations, times and roles.
 *
 * <p>Stateless; any thread.
 */
public final class Display {
    private static final DateTimeFormatter LOCAL_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT).withZone(ZoneId.systemDefault());

    private static final DateTimeFormatter LOCAL_ISO =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSxxx", Locale.ROOT);

    private Display() {
    }

    /** A SQL value as the shell shows it: NULL, X'..' for binary, [a, b] for arrays; line ends escaped. */
    public static String value(Object o) {
        if (o == null) {
            return "NULL";
        }
        if (o instanceof byte[] bytes) {
            return "X'" + hex(bytes) + "'";
        }
        if (o instanceof Object[] arr) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < arr.length; i++) {
                if (i > 0) {
                    sb.append(", ");
                }
                sb.append(value(arr[i]));
            }
            return sb.append(']').toString();
        }
        if (o instanceof BigDecimal d) {
            return d.toPlainString();
        }
        if (o instanceof LocalDateTime || o instanceof OffsetDateTime) {
            return o.toString().replaceFirst("T", " ");
        }
        String s = o.toString();
        if (s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0 || s.indexOf('\t') >= 0) {
            s = s.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t");
        }
        return s;
    }

    /** Lower-case hexadecimal digits of {@code bytes}. */
    public static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) {
            sb.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return sb.toString();
    }

    /** A byte count for people: {@code 1.5 MiB}. */
    public static String bytes(long n) {
        return ByteSizes.format(n);
    }

    /**
     * A percentage with one decimal, {@code 42.5%}: the one function every progress display
     * uses (the backup bar, the shell's wait notices, status), so that they agree. Clamped to
     * 0..100, cut to a tenth.
     */
    public static String percent(double p) {
        double clamped = Double.isNaN(p) ? 0 : Math.max(0, Math.min(100, p));
        // Cut to a tenth, not rounded: 99.96 is 99.9% (100.0% only when done); the 1e-9 keeps 41.3 from 41.29999.
        return String.format(Locale.ROOT, "%.1f%%", Math.floor(clamped * 10 + 1e-9) / 10);
    }

    /**
     * A progress bar of {@code width} cells and its percentage, {@code [######------]  42.0%};
     * a negative {@code percent} (not known yet) draws an empty bar and {@code ...}.
     */
    public static String bar(double percent, int width) {
        int filled = percent < 0 ? 0 : (int) Math.round(percent / 100 * width);
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < width; i++) {
            sb.append(i < filled ? '#' : '-');
        }
        return sb.append("] ").append(String.format(Locale.ROOT, "%6s", percent < 0 ? "..." : percent(percent)))
                .toString();
    }

    /** A transfer rate for people: {@code 3.2 MiB/s}. */
    public static String rate(double bytesPerSecond) {
        return bytes((long) Math.max(0, bytesPerSecond)) + "/s";
    }

    /** A duration for people: {@code 2d 3h 4m 5s}, leading zero units left out. */
    public static String duration(long millis) {
        Duration d = Duration.ofMillis(Math.max(0, millis));
        StringBuilder sb = new StringBuilder();
        long days = d.toDays();
        if (days > 0) {
            sb.append(days).append("d ");
        }
        if (sb.length() > 0 || d.toHoursPart() > 0) {
            sb.append(d.toHoursPart()).append("h ");
        }
        if (sb.length() > 0 || d.toMinutesPart() > 0) {
            sb.append(d.toMinutesPart()).append("m ");
        }
        return sb.append(d.toSecondsPart()).append('s').toString();
    }

    /** A point in time in the local zone: {@code 2024-01-31 13:45:00}. */
    public static String time(long epochMillis) {
        return LOCAL_TIME.format(Instant.ofEpochMilli(epochMillis));
    }

    /** A point in time as ISO-8601 UTC, for JSON. */
    public static String isoTime(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString();
    }

    /** A point in time as ISO-8601 in the local zone with its offset: {@code 2024-01-31T13:45:00.123+01:00}. */
    public static String localIsoTime(long epochMillis) {
        return LOCAL_ISO.format(OffsetDateTime.ofInstant(Instant.ofEpochMilli(epochMillis), ZoneId.systemDefault()));
    }

    /** A role as the command line names it: admin, user, reader. */
    public static String role(Role r) {
        switch (r) {
            case ADMIN:
                return "admin";
            case USER:
                return "user";
            case READER:
                return "reader";
            default:
                return "unknown";
        }
    }
}
