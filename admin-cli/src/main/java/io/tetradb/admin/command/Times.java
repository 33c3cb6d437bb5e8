package io.tetradb.admin.command;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;

/** The times commands take ({@code log show --from}, {@code restore --until-time}). */
final class Times {
    private Times() {
    }

    /**
     * An ISO-8601 time: with an offset, without one (the local zone), or a date (its start;
     * with {@code endOfDay}, its last millisecond).
     *
     * @throws IllegalArgumentException with a message naming {@code option}
     */
    static Instant parse(String option, String s, boolean endOfDay) {
        String t = s.strip().replaceFirst("^(\\d{4}-\\d{2}-\\d{2}) ", "$1T");
        ZoneId zone = ZoneId.systemDefault();
        Instant at;
        try {
            at = OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException e1) {
            try {
                at = LocalDateTime.parse(t).atZone(zone).toInstant();
            } catch (DateTimeParseException e2) {
                try {
                    LocalDate d = LocalDate.parse(t);
                    at = endOfDay ? d.plusDays(1).atStartOfDay(zone).toInstant().minusMillis(1)
                            : d.atStartOfDay(zone).toInstant();
                } catch (DateTimeParseException e3) {
                    throw new IllegalArgumentException(option + ": '" + s + "' is neither an operation number nor an "
                            + "ISO-8601 time (2026-12-01, 2026-12-01T08:00, 2026-12-01T08:00:00+01:00).");
                }
            }
        }
        if (at.toEpochMilli() < 0) {
            throw new IllegalArgumentException(option + ": times before 1970 hold no operation.");
        }
        return at;
    }
}
