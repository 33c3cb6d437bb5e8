package io.tetradb.server.log;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongConsumer;

/**
 * How an {@link OperationLog} is opened and runs.
 *
 * <p>Immutable; any thread.
 */
public final class LogOptions {
    private final SyncMode syncMode;
    private final long firstOperation;
    private final Duration retryInterval;
    private final Duration forceInterval;
    private final String serverVersion;
    private final LogWriterObserver observer;
    private final long cleanEnd;
    private final long cleanLastOperation;
    private final long resumeSegment;
    private final long resumeOffset;
    private final long resumeLastOperation;
    private final long firstSegment;
    private final Timeline timeline;
    private final LongConsumer syncTimes;

    private LogOptions(Builder b) {
        this.syncTimes = b.syncTimes;
        this.firstSegment = b.firstSegment;
        this.timeline = b.timeline;
        this.cleanEnd = b.cleanEnd;
        this.cleanLastOperation = b.cleanLastOperation;
        this.resumeSegment = b.resumeSegment;
        this.resumeOffset = b.resumeOffset;
        this.resumeLastOperation = b.resumeLastOperation;
        this.syncMode = b.syncMode;
        this.firstOperation = b.firstOperation;
        this.retryInterval = b.retryInterval;
        this.forceInterval = b.forceInterval;
        this.serverVersion = b.serverVersion;
        this.observer = b.observer;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** When the file is forced. Default {@link SyncMode#COMMIT}. */
    public SyncMode syncMode() {
        return syncMode;
    }

    /** The first operation of a log created by {@link OperationLog#open}. Default 1. */
    public long firstOperation() {
        return firstOperation;
    }

    /** How often a failed log tries to become writable again. Default 1 s. */
    public Duration retryInterval() {
        return retryInterval;
    }

    /** In {@link SyncMode#EVERY_SECOND}, the longest a write stays unforced. Default 1 s. */
    public Duration forceInterval() {
        return forceInterval;
    }

    /** Written into the header of a segment the log creates. Default empty. */
    public String serverVersion() {
        return serverVersion;
    }

    /**
     * Where a clean close left the file (its length, -1 when unknown) and its last operation:
     * a file of exactly that length is not read through at open (its header is checked).
     */
    public long cleanEnd() {
        return cleanEnd;
    }

    public long cleanLastOperation() {
        return cleanLastOperation;
    }

    /** The segment of the last checkpoint's position, 0 when none ({@link Builder#resumeFrom}). */
    public long resumeSegment() {
        return resumeSegment;
    }

    public long resumeOffset() {
        return resumeOffset;
    }

    public long resumeLastOperation() {
        return resumeLastOperation;
    }

    /** The segment number of a log created by {@link OperationLog#open}. Default 1. */
    public long firstSegment() {
        return firstSegment;
    }

    /** The cancelled spans the header of a log created by {@link OperationLog#open} carries. Default none. */
    public Timeline timeline() {
        return timeline;
    }

    /** Told, on the writer thread, how many nanoseconds each force of the file took (metrics). Default: nobody. */
    public LongConsumer syncTimes() {
        return syncTimes;
    }

    /** The test hook (none by default). */
    LogWriterObserver observer() {
        return observer;
    }

    /** Builds {@link LogOptions}. */
    public static final class Builder {
        private SyncMode syncMode = SyncMode.COMMIT;
        private long firstOperation = 1;
        private Duration retryInterval = Duration.ofSeconds(1);
        private Duration forceInterval = Duration.ofSeconds(1);
        private String serverVersion = "";
        private LogWriterObserver observer = LogWriterObserver.NONE;
        private long cleanEnd = -1;
        private long cleanLastOperation = -1;
        private long resumeSegment;
        private long resumeOffset;
        private long resumeLastOperation;
        private long firstSegment = 1;
        private Timeline timeline = Timeline.none();
        private LongConsumer syncTimes = n -> { };

        private Builder() {
        }

        public Builder syncMode(SyncMode v) {
            syncMode = Objects.requireNonNull(v);
            return this;
        }

        public Builder firstOperation(long v) {
            if (v < 1) {
                throw new IllegalArgumentException("firstOperation must be at least 1: " + v);
            }
            firstOperation = v;
            return this;
        }

        public Builder retryInterval(Duration v) {
            retryInterval = positive(v, "retryInterval");
            return this;
        }

        public Builder forceInterval(Duration v) {
            forceInterval = positive(v, "forceInterval");
            return this;
        }

        public Builder serverVersion(String v) {
            serverVersion = Objects.requireNonNull(v);
            return this;
        }

        /** A log created goes on after the segments before it: number {@code v}. */
        public Builder firstSegment(long v) {
            if (v < 1) {
                throw new IllegalArgumentException("firstSegment must be at least 1: " + v);
            }
            firstSegment = v;
            return this;
        }

        /** A log created carries the history {@code v} (the spans cancelled before it). */
        public Builder timeline(Timeline v) {
            timeline = Objects.requireNonNull(v);
            return this;
        }

        /**
         * After a crash: the data file holds every frame of segment {@code segment} before
         * {@code offset} (the last checkpoint's position, whose frame before it ends with
         * {@code lastOperation}); the log file, when it is that segment, is read from there to
         * find its end. Any trouble reading from there reads it from its start.
         */
        public Builder resumeFrom(long segment, long offset, long lastOperation) {
            resumeSegment = segment;
            resumeOffset = offset;
            resumeLastOperation = lastOperation;
            return this;
        }

        /** The file's length and last operation as a clean close left them (recorded in the data file). */
        public Builder cleanClose(long end, long lastOperation) {
            cleanEnd = end;
            cleanLastOperation = lastOperation;
            return this;
        }

        /** Told how long each force took; it runs on the writer thread and must be quick (a timer's record). */
        public Builder syncTimes(LongConsumer v) {
            syncTimes = Objects.requireNonNull(v);
            return this;
        }

        /** Test hook: sees each step of the writer. */
        Builder observer(LogWriterObserver v) {
            observer = Objects.requireNonNull(v);
            return this;
        }

        public LogOptions build() {
            return new LogOptions(this);
        }

        private static Duration positive(Duration v, String name) {
            if (v.isNegative() || v.isZero()) {
                throw new IllegalArgumentException(name + " must be positive: " + v);
            }
            return v;
        }
    }
}
