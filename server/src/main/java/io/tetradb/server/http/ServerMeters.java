package io.tetradb.server.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tetradb.protocol.BackupHistoryEntry;
import io.tetradb.protocol.BackupRecord;
import io.tetradb.server.DataLayout;
import io.tetradb.server.backup.BackupService;
import io.tetradb.server.backup.SegmentArchiver;
import io.tetradb.server.gate.WriteGate;
import io.tetradb.server.log.LogService;
import io.tetradb.server.log.OperationLog;
import io.tetradb.server.session.RequestDispatcher;
import io.tetradb.server.session.RequestDispatcher.RequestKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The meters that the server's events move (docs/http.md, "The metrics"): backups by
 * status and failure code, their bytes and durations; the write gate's queued and
 * cancelled writes, how long each backup held it and the age of its oldest queued write;
 * the log file's operations, bytes, sync latency and segments; and every request's time by
 * kind. Counters the components already keep are read when scraped ({@link FunctionCounter});
 * events that need a histogram are recorded where they happen through the listeners the
 * components offer, each a {@link Timer#record} and nothing else.
 *
 * <p>Histograms have a fixed set of buckets each (no percentile histogram), and the only labels
 * are a request's kind, a backup's status and its error code: the number of series stays bounded
 * (never a label per statement, user or session).
 *
 * <p>{@link #register} runs once, on the thread that opens the server. The listeners then run on
 * the threads of their events: workers (requests), {@code tetra-log-writer} (syncs), the backup
 * thread or whoever ends a backup (backups, gate held time); the function counters and gauges on
 * the metrics thread when scraped.
 */
public final class ServerMeters {
    private static final Logger LOG = LoggerFactory.getLogger(ServerMeters.class);
    /** Backup statuses, as the record writes them (lower-cased for the label). */
    static final List<String> STATUSES = List.of("SUCCESS", "PARTIAL", "FAILED", "STOPPED", "SKIPPED", "VETOED");

    private static final Duration[] REQUEST_BUCKETS = millis(0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500,
            5000, 10_000, 30_000);
    private static final Duration[] SYNC_BUCKETS = millis(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000,
            2500, 10_000);
    private static final Duration[] HELD_BUCKETS = millis(10, 100, 500, 1000, 5000, 10_000, 30_000, 60_000, 300_000,
            600_000, 1_800_000, 3_600_000);
    private static final Duration[] BACKUP_BUCKETS = millis(1000, 5000, 10_000, 30_000, 60_000, 300_000, 600_000,
            1_800_000, 3_600_000, 7_200_000, 21_600_000, 43_200_000);

    private ServerMeters() {
    }

    /** Registers the meters in {@code metrics} and sets the components' listeners to move them. */
    public static void register(Metrics metrics, BackupService backups, WriteGate gate, LogService logs,
                                RequestDispatcher dispatcher, DataLayout layout) {
        MeterRegistry r = metrics.registry();
        backups(r, backups);
        gate(r, gate);
        log(r, logs, layout);
        requests(r, dispatcher);
    }

    private static void backups(MeterRegistry r, BackupService backups) {
        for (String status : STATUSES) {
            statusCounter(r, status);
        }
        Counter bytes = Counter.builder("tetra.backup.bytes").baseUnit("bytes")
                .description("Bytes of the archives backups wrote (SUCCESS and PARTIAL)").register(r);
        Timer duration = Timer.builder("tetra.backup.duration").serviceLevelObjectives(BACKUP_BUCKETS)
                .description("How long each backup that ran took, whatever its status").register(r);
        AtomicLong lastSuccessMillis = new AtomicLong(lastSuccessMillis(backups));
        Gauge.builder("tetra.backup.last.success.timestamp", lastSuccessMillis, a -> a.get() / 1000.0)
                .baseUnit("seconds").strongReference(true)
                .description("When the last SUCCESS or PARTIAL backup ended (epoch seconds; 0: none known)").register(r);
        backups.onRecorded((record, ran) -> {
            statusCounter(r, record.getStatus()).increment();
            if (succeeded(record.getStatus())) {
                lastSuccessMillis.accumulateAndGet(record.getEndMillis(), Math::max);
            }
            if (record.getErrorCode() != 0 && !"SUCCESS".equals(record.getStatus())) {
                failureCounter(r, record).increment();
            }
            if (ran) {
                duration.record(Math.max(0, record.getDurationMillis()), TimeUnit.MILLISECONDS);
            }
            if (!record.getArchive().isEmpty()) {
                bytes.increment(record.getArchiveSize());
            }
        });
    }

    private static boolean succeeded(String status) {
        return "SUCCESS".equals(status) || "PARTIAL".equals(status);
    }

    /**
     * When the last successful backup ended, as the server knows at its start: the last backup's
     * information when it succeeded, else the newest successful entry of the destination's
     * history (read once, here); 0 when neither has one.
     */
    private static long lastSuccessMillis(BackupService backups) {
        BackupRecord last = backups.status().getLast();
        if (succeeded(last.getStatus())) {
            return last.getEndMillis();
        }
        long newest = 0;
        try {
            for (BackupHistoryEntry e : backups.history().getEntriesList()) {
                if (succeeded(e.getStatus())) {
                    newest = Math.max(newest, e.getEndMillis());
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("tetra_backup_last_success_timestamp_seconds starts at 0: the backup history could not be read"
                    + " ({}).", e.toString());
        }
        return newest;
    }

    private static Counter statusCounter(MeterRegistry r, String status) {
        return Counter.builder("tetra.backups").tag("status", status.toLowerCase(Locale.ROOT))
                .description("Backups ended, by status (SKIPPED and FAILED also for automatic backups not run)")
                .register(r);
    }

    private static Counter failureCounter(MeterRegistry r, BackupRecord record) {
        return Counter.builder("tetra.backup.failures").tag("code", Integer.toString(record.getErrorCode()))
                .description("Backups that ended with an error code, by code (a veto: the hook's exit code)")
                .register(r);
    }

    private static void gate(MeterRegistry r, WriteGate gate) {
        FunctionCounter.builder("tetra.gate.writes.queued", gate, WriteGate::queuedEver)
                .description("Writes queued behind a backup").register(r);
        FunctionCounter.builder("tetra.gate.writes.cancelled", gate, WriteGate::refusedEver)
                .description("Queued or fail-fast writes answered -9976 (cancelled, expired, FAIL_FAST)").register(r);
        Gauge.builder("tetra.gate.oldest.queued.write", gate,
                        g -> g.oldestQueuedNanos() / 1e9).baseUnit("seconds").strongReference(true)
                .description("How long the oldest write queued now has waited (0: none waits)").register(r);
        Timer held = Timer.builder("tetra.gate.held").serviceLevelObjectives(HELD_BUCKETS)
                .description("How long each backup held the write gate closed").register(r);
        gate.onHeld(nanos -> held.record(nanos, TimeUnit.NANOSECONDS));
    }

    private static void log(MeterRegistry r, LogService logs, DataLayout layout) {
        FunctionCounter.builder("tetra.log.operations", logs, LogService::operationsWritten)
                .description("Operations written to the log file since the server started").register(r);
        FunctionCounter.builder("tetra.log.bytes", logs, LogService::bytesWritten).baseUnit("bytes")
                .description("Bytes written to the log file since the server started").register(r);
        Timer sync = Timer.builder("tetra.log.sync").serviceLevelObjectives(SYNC_BUCKETS)
                .description("How long each force (fsync) of the log file took; one per group commit").register(r);
        logs.syncTimes(nanos -> sync.record(nanos, TimeUnit.NANOSECONDS));
        Gauge.builder("tetra.log.current.segment", logs, l -> {
            OperationLog log = l.log();
            return log == null ? Double.NaN : log.header().getSegment();
        }).strongReference(true).description("The number of the log segment being written").register(r);
        Gauge.builder("tetra.log.closed.segments", layout, l -> {
            try {
                return SegmentArchiver.closedSegments(l).size();
            } catch (IOException e) {
                return Double.NaN;
            }
        }).strongReference(true).description("Closed log segments in Data/ waiting for the next backup to archive them")
                .register(r);
    }

    private static void requests(MeterRegistry r, RequestDispatcher dispatcher) {
        RequestKind[] kinds = RequestKind.values();
        Timer[] timers = new Timer[kinds.length];
        for (RequestKind k : kinds) {
            timers[k.ordinal()] = Timer.builder("tetra.requests").tag("kind", k.label())
                    .serviceLevelObjectives(REQUEST_BUCKETS)
                    .description("How long requests ran on the server, by kind (not the time held by the gate)")
                    .register(r);
        }
        dispatcher.requestTimes((kind, nanos) -> timers[kind.ordinal()].record(nanos, TimeUnit.NANOSECONDS));
        FunctionCounter.builder("tetra.reads.on.event.loop", dispatcher, RequestDispatcher::readsRunHere)
                .description("Reads run on the event loop that received them (short cached reads of idle sessions)")
                .register(r);
    }

    private static Duration[] millis(double... ms) {
        Duration[] out = new Duration[ms.length];
        for (int i = 0; i < ms.length; i++) {
            out[i] = Duration.ofNanos(Math.round(ms[i] * 1_000_000));
        }
        return out;
    }
}
