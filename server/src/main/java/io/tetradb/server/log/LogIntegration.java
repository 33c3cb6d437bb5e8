package io.tetradb.server.log;

import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraException;
import io.tetradb.protocol.log.Transaction;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Brings a restored data file forward with the log (docs/restore-with-log.md): the segments that
 * follow the archive are redone on it in order, each transaction the data file does not
 * hold yet ({@link LogReplay}), up to their end or up to a point: the last transaction
 * whose operations all come at or before an operation number, or whose commit came at or
 * before a time. The log must be unbroken from the archive on: a segment that starts after
 * the operation that follows what came before is a gap (1412); a segment of another
 * database is refused (1416), one that fails its checks too (1413).
 *
 * <p>Runs on the thread of the restore, on a database nobody else uses.
 */
public final class LogIntegration {
    /** One segment to read: its name for the report, its file, and up to where (-1: all of it). */
    public record Source(String name, Path file, long end) {
    }

    /** Where to stop: 0 for no operation limit, {@code Long.MAX_VALUE} for no time limit. */
    public record Point(long untilOperation, long untilTimeMillis) {
        public static Point end() {
            return new Point(0, Long.MAX_VALUE);
        }

        /** Whether {@code tx} comes after the point (it is not applied, nor anything after it). */
        public boolean excludes(Transaction tx) {
            long last = tx.getFirstOperation() + tx.getOperationsCount() - 1;
            return (untilOperation > 0 && last > untilOperation) || tx.getCommitTimeMillis() > untilTimeMillis;
        }

        boolean isEnd() {
            return untilOperation == 0 && untilTimeMillis == Long.MAX_VALUE;
        }
    }

    /**
     * What was integrated.
     *
     * @param segments      the segments read, in order
     * @param transactions  transactions redone
     * @param operations    operations redone
     * @param lastOperation the last operation the data file holds now
     * @param stoppedAtPoint whether a transaction after the point was met (and not applied)
     * @param millis        how long it took
     */
    public record Result(List<String> segments, long transactions, long operations, long lastOperation,
                         boolean stoppedAtPoint, long millis) {
    }

    private LogIntegration() {
    }

    /** The log's id of the database in {@code system}'s data file (recorded with its first logged operation). */
    public static String databaseId(Connection system) throws SQLException {
        synchronized (system) {
            boolean auto = system.getAutoCommit();
            system.setAutoCommit(false);
            try {
                String id = Watermarks.databaseId(LogCapture.engineSession(system));
                system.commit();
                return id;
            } finally {
                system.setAutoCommit(auto);
            }
        }
    }

    /** What {@link #read} does with each transaction; false stops the reading there. */
    @FunctionalInterface
    public interface Visitor {
        boolean accept(Transaction tx) throws SQLException;
    }

    /**
     * What reading found.
     *
     * @param segments      the segments read, in order
     * @param lastOperation the last operation read (at least the one held before)
     * @param stopped       whether the visitor stopped the reading
     */
    public record Read(List<String> segments, long lastOperation, boolean stopped) {
    }

    /**
     * Reads {@code sources} in order after operation {@code heldThrough}, every frame checked,
     * giving each transaction to {@code visitor} until it returns false; the transactions a
     * rollback cancelled ({@link Timeline}) are passed over.
     *
     * @throws TetraException 1412 at a gap, 1413 / 1416 for a segment that fails its checks or
     *                        is another database's
     */
    public static Read read(String databaseId, long heldThrough, List<Source> sources, Visitor visitor)
            throws IOException, SQLException {
        List<String> names = new ArrayList<>();
        long covered = heldThrough;
        Timeline timeline = timeline(databaseId, sources);
        for (Source s : sources) {
            try (SegmentReader r = open(s, databaseId)) {
                long first = r.header().getFirstOperation();
                if (first > covered + 1) {
                    throw new TetraException(ErrorCode.LOG_SEGMENT_MISSING, "The log is broken before " + s.name()
                            + ": it starts at operation " + first + ", and the operations " + (covered + 1) + " to "
                            + (first - 1) + " are in no segment found (a segment is missing).");
                }
                names.add(s.name());
                for (Transaction tx = r.next(); tx != null; tx = r.next()) {
                    if (!timeline.cancels(tx) && !visitor.accept(tx)) {
                        return new Read(List.copyOf(names), covered, true);
                    }
                    covered = Math.max(covered, tx.getFirstOperation() + tx.getOperationsCount() - 1);
                }
                covered = Math.max(covered, r.lastOperation());
            }
        }
        return new Read(List.copyOf(names), covered, false);
    }

    /**
     * The history the segments tell (every header's cancelled spans): the newest segment
     * carries all cancellations made before it, an older one those made before it.
     *
     * @throws TetraException 1413 / 1416 for a segment that fails its checks or is another database's
     */
    public static Timeline timeline(String databaseId, List<Source> sources) throws IOException {
        Timeline t = Timeline.none();
        for (Source s : sources) {
            try (SegmentReader r = open(s, databaseId)) {
                t = t.union(Timeline.of(r.header()));
            }
        }
        return t;
    }

    private static SegmentReader open(Source s, String databaseId) throws IOException {
        return s.end() < 0 ? SegmentReader.open(s.file(), databaseId) : SegmentReader.open(s.file(), databaseId, s.end());
    }

    /**
     * Redoes {@code sources} on the database of {@code system} (H2's admin account), which
     * holds every operation through {@code heldThrough}.
     *
     * @throws TetraException 1412 at a gap, 1413 / 1416 for a segment that fails its checks or
     *                        is another database's, 1420 when an operation cannot be applied
     */
    public static Result integrate(Connection system, String databaseId, long heldThrough, List<Source> sources,
                                   Point point) throws IOException, SQLException {
        long started = System.nanoTime();
        try (LogReplay replay = new LogReplay(system)) {
            Read read = read(databaseId, heldThrough, sources, tx -> {
                if (point.excludes(tx)) {
                    return false;
                }
                replay.apply(tx);
                return true;
            });
            long last = Math.max(heldThrough, replay.lastOperation());
            return new Result(read.segments(), replay.transactions(), replay.operations(), last,
                    read.stopped(), (System.nanoTime() - started) / 1_000_000);
        }
    }
}
