package io.tetradb.server.backup;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.Locale;

/**
 * A standard five-field cron expression: minute, hour, day of month, month, day of week
 * ({@code *}, numbers, ranges {@code a-b}, steps {@code * /n} and {@code a-b/n}, lists,
 * month and day names, 0 or 7 for Sunday). As in cron, when both day fields are
 * restricted a day matching either runs.
 *
 * <pre>{@code
 * CronExpression.parse("30 2 * * 1-5").next(now)   // 02:30 on weekdays
 * }</pre>
 *
 * <p>Immutable; any thread.
 */
public final class CronExpression {
    private static final String[] MONTHS = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
    private static final String[] DAYS = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

    private final String text;
    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet daysOfMonth;
    private final BitSet months;
    private final BitSet daysOfWeek;
    private final boolean domRestricted;
    private final boolean dowRestricted;

    private CronExpression(String text, BitSet minutes, BitSet hours, BitSet daysOfMonth, BitSet months,
                           BitSet daysOfWeek, boolean domRestricted, boolean dowRestricted) {
        this.text = text;
        this.minutes = minutes;
        this.hours = hours;
        this.daysOfMonth = daysOfMonth;
        this.months = months;
        this.daysOfWeek = daysOfWeek;
        this.domRestricted = domRestricted;
        this.dowRestricted = dowRestricted;
    }

    /** Parses an expression; IllegalArgumentException says what is wrong. */
    public static CronExpression parse(String text) {
        String[] f = text.trim().split("\\s+");
        if (f.length != 5) {
            throw new IllegalArgumentException("a cron expression has 5 fields (minute hour day month weekday), '"
                    + text + "' has " + f.length);
        }
        BitSet dow = field(f[4], 0, 7, DAYS, "day of week");
        if (dow.get(7)) {
            dow.set(0);
            dow.clear(7);
        }
        return new CronExpression(text.trim(), field(f[0], 0, 59, null, "minute"), field(f[1], 0, 23, null, "hour"),
                field(f[2], 1, 31, null, "day of month"), field(f[3], 1, 12, MONTHS, "month"), dow,
                !f[2].equals("*"), !f[4].equals("*"));
    }

    private static BitSet field(String spec, int min, int max, String[] names, String what) {
        BitSet bits = new BitSet();
        for (String part : spec.split(",")) {
            String range = part;
            int step = 1;
            int slash = part.indexOf('/');
            if (slash >= 0) {
                range = part.substring(0, slash);
                step = number(part.substring(slash + 1), 1, Integer.MAX_VALUE, null, 0, what);
            }
            int lo;
            int hi;
            if (range.equals("*")) {
                lo = min;
                hi = max;
            } else if (range.contains("-")) {
                String[] ab = range.split("-", 2);
                lo = number(ab[0], min, max, names, min, what);
                hi = number(ab[1], min, max, names, min, what);
                if (hi < lo) {
                    throw new IllegalArgumentException("the " + what + " range " + range + " runs backwards");
                }
            } else {
                lo = number(range, min, max, names, min, what);
                hi = slash >= 0 ? max : lo;
            }
            for (int v = lo; v <= hi; v += step) {
                bits.set(v);
            }
        }
        return bits;
    }

    private static int number(String s, int min, int max, String[] names, int nameBase, String what) {
        if (names != null) {
            for (int i = 0; i < names.length; i++) {
                if (names[i].equals(s.toUpperCase(Locale.ROOT))) {
                    return i + (names == MONTHS ? 1 : 0);
                }
            }
        }
        try {
            int v = Integer.parseInt(s);
            if (v < min || v > max) {
                throw new IllegalArgumentException("the " + what + " " + v + " is outside " + min + "-" + max);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a valid " + what);
        }
    }

    /** The first time strictly after {@code after} that matches, or null within the next eight years. */
    public LocalDateTime next(LocalDateTime after) {
        LocalDateTime t = after.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
        LocalDate day = t.toLocalDate();
        LocalDate limit = day.plusYears(8);
        boolean firstDay = true;
        while (!day.isAfter(limit)) {
            if (months.get(day.getMonthValue()) && dayMatches(day)) {
                int startHour = firstDay ? t.getHour() : 0;
                for (int h = hours.nextSetBit(startHour); h >= 0; h = hours.nextSetBit(h + 1)) {
                    int startMinute = firstDay && h == t.getHour() ? t.getMinute() : 0;
                    int m = minutes.nextSetBit(startMinute);
                    if (m >= 0) {
                        return day.atTime(h, m);
                    }
                }
            }
            day = day.plusDays(1);
            firstDay = false;
        }
        return null;
    }

    private boolean dayMatches(LocalDate day) {
        boolean dom = daysOfMonth.get(day.getDayOfMonth());
        boolean dow = daysOfWeek.get(day.getDayOfWeek().getValue() % 7);
        if (domRestricted && dowRestricted) {
            return dom || dow;
        }
        return dom && dow;
    }

    @Override
    public String toString() {
        return text;
    }
}
