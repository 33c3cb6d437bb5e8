package io.tetradb.client;

import io.tetradb.protocol.LogShowRequest;

import java.time.Instant;
import java.util.Objects;

/**
 * Which operations of the log file {@link TetraAdmin#logShow(LogFilter)} lists: a range of
 * operation numbers, a range of commit times, a table, a user, and at most how many. Every
 * bound is inclusive; what is not set does not filter.
 *
 * <pre>{@code
 * LogFilter f = LogFilter.builder().fromTime(Instant.parse("2026-12-01T08:00:00Z"))
 *         .table("PUBLIC.ORDERS").user("app").limit(50).build();
 * for (LogOperationInfo op : client.admin().logShow(f)) System.out.println(op.getOperation() + " " + op.getKind());
 * }</pre>
 *
 * <p>Immutable; any thread.
 */
public final class LogFilter {
    /** The operations a filter lists when it names no limit. */
    public static final int DEFAULT_LIMIT = 1000;
    /** The most operations one filter may ask for. */
    public static final int MAX_LIMIT = 100_000;

    private final long fromOperation;
    private final long toOperation;
    private final Instant fromTime;
    private final Instant toTime;
    private final String table;
    private final String user;
    private final int limit;

    private LogFilter(Builder b) {
        this.fromOperation = b.fromOperation;
        this.toOperation = b.toOperation;
        this.fromTime = b.fromTime;
        this.toTime = b.toTime;
        this.table = b.table;
        this.user = b.user;
        this.limit = b.limit;
    }

    /** Every operation of the current segment, up to {@link #DEFAULT_LIMIT}. */
    public static LogFilter all() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The first operation number listed; 0 (default) for no lower bound. */
    public long fromOperation() {
        return fromOperation;
    }

    /** The last operation number listed; 0 (default) for no upper bound. */
    public long toOperation() {
        return toOperation;
    }

    /** Operations of transactions committed at or after this; null (default) for no bound. */
    public Instant fromTime() {
        return fromTime;
    }

    /** Operations of transactions committed at or before this; null (default) for no bound. */
    public Instant toTime() {
        return toTime;
    }

    /**
     * Only operations on this table: {@code NAME} or {@code SCHEMA.NAME}, case-insensitive;
     * structure changes whose SQL names it count too. Null (default) for every table.
     */
    public String table() {
        return table;
    }

    /** Only operations of this Tetra user (case-insensitive); null (default) for every user. */
    public String user() {
        return user;
    }

    /** At most this many operations; default {@link #DEFAULT_LIMIT}, at most {@link #MAX_LIMIT}. */
    public int limit() {
        return limit;
    }

    /** This filter starting at {@code operation} (for the next page). */
    LogFilter from(long operation, int newLimit) {
        Builder b = toBuilder();
        b.fromOperation = operation;
        b.limit = newLimit;
        return b.build();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.fromOperation = fromOperation;
        b.toOperation = toOperation;
        b.fromTime = fromTime;
        b.toTime = toTime;
        b.table = table;
        b.user = user;
        b.limit = limit;
        return b;
    }

    /** The request for one page of at most {@code limit} operations within {@code maxReplyBytes}. */
    LogShowRequest toRequest(int pageLimit, int maxReplyBytes) {
        LogShowRequest.Builder r = LogShowRequest.newBuilder().setFromOperation(fromOperation)
                .setToOperation(toOperation).setLimit(pageLimit).setMaxReplyBytes(maxReplyBytes);
        if (fromTime != null) {
            r.setFromTimeMillis(Math.max(1, fromTime.toEpochMilli()));
        }
        if (toTime != null) {
            r.setToTimeMillis(Math.max(1, toTime.toEpochMilli()));
        }
        if (table != null) {
            r.setTable(table);
        }
        if (user != null) {
            r.setUser(user);
        }
        return r.build();
    }

    @Override
    public String toString() {
        return "LogFilter[from=" + fromOperation + ", to=" + toOperation + ", fromTime=" + fromTime + ", toTime="
                + toTime + ", table=" + table + ", user=" + user + ", limit=" + limit + "]";
    }

    /** Builds a {@link LogFilter}; each setter checks its argument. */
    public static final class Builder {
        private long fromOperation;
        private long toOperation;
        private Instant fromTime;
        private Instant toTime;
        private String table;
        private String user;
        private int limit = DEFAULT_LIMIT;

        private Builder() {
        }

        public Builder fromOperation(long v) {
            fromOperation = notNegative(v, "fromOperation");
            return this;
        }

        public Builder toOperation(long v) {
            toOperation = notNegative(v, "toOperation");
            return this;
        }

        public Builder fromTime(Instant v) {
            fromTime = epoch(v, "fromTime");
            return this;
        }

        public Builder toTime(Instant v) {
            toTime = epoch(v, "toTime");
            return this;
        }

        public Builder table(String v) {
            table = v == null || v.isBlank() ? null : v.strip();
            return this;
        }

        public Builder user(String v) {
            user = v == null || v.isBlank() ? null : v.strip();
            return this;
        }

        public Builder limit(int v) {
            if (v < 1 || v > MAX_LIMIT) {
                throw new IllegalArgumentException("limit must be from 1 to " + MAX_LIMIT + ": " + v);
            }
            limit = v;
            return this;
        }

        /**
         * @throws IllegalArgumentException when a range ends before it starts
         */
        public LogFilter build() {
            if (toOperation > 0 && toOperation < fromOperation) {
                throw new IllegalArgumentException("toOperation " + toOperation + " is before fromOperation "
                        + fromOperation);
            }
            if (fromTime != null && toTime != null && toTime.isBefore(fromTime)) {
                throw new IllegalArgumentException("toTime " + toTime + " is before fromTime " + fromTime);
            }
            return new LogFilter(this);
        }

        private static long notNegative(long v, String name) {
            if (v < 0) {
                throw new IllegalArgumentException(name + " must not be negative: " + v);
            }
            return v;
        }

        private static Instant epoch(Instant v, String name) {
            if (v != null && v.toEpochMilli() < 0) {
                throw new IllegalArgumentException(name + " must not be before 1970: " + v);
            }
            return v;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LogFilter f && f.fromOperation == fromOperation && f.toOperation == toOperation
                && Objects.equals(f.fromTime, fromTime) && Objects.equals(f.toTime, toTime)
                && Objects.equals(f.table, table) && Objects.equals(f.user, user) && f.limit == limit;
    }

    @Override
    public int hashCode() {
        return Objects.hash(fromOperation, toOperation, fromTime, toTime, table, user, limit);
    }
}
