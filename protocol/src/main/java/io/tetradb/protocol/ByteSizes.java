package io.tetradb.protocol;

import java.util.Locale;

/**
 * The one text form of byte counts for people, shared by the command line and the
 * converter's messages: bytes below 1 KiB, else one decimal of the largest binary unit
 * that keeps the number at 1 or more (up to PiB).
 *
 * <pre>{@code
 * ByteSizes.format(512);         // "512 B"
 * ByteSizes.format(1_572_864);   // "1.5 MiB"
 * }</pre>
 *
 * <p>Stateless; any thread.
 */
public final class ByteSizes {
    private static final String[] UNITS = {"KiB", "MiB", "GiB", "TiB", "PiB"};

    private ByteSizes() {
    }

    /** {@code n} bytes for people: {@code 1.5 MiB}. */
    public static String format(long n) {
        if (n < 1024) {
            return n + " B";
        }
        double v = n;
        int u = -1;
        while (v >= 1024 && u < UNITS.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, UNITS[u]);
    }
}
