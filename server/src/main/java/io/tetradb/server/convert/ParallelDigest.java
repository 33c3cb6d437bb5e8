package io.tetradb.server.convert;

import io.tetradb.server.convert.ContentDigest.TableSum;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongConsumer;

/**
 * Reads tables through and digests them ({@link ContentDigest}) on several threads, each
 * with a connection of its own: whole tables, and large ones in {@code _ROWID_} ranges
 * whose sums add up to the table's (the order of rows never matters). Used for the check
 * of the source and for the verification of the converted database, which then take
 * about the time of the largest part rather than the sum of all tables.
 *
 * <p>{@link #run} is called on the conversion's thread, which alone reports progress;
 * the parts are read on the pool's threads.
 */
final class ParallelDigest {
    /** Rows above which a table is read in parts. */
    static final long PART_ROWS = 250_000;

    /** Opens another connection to the same database. */
    @FunctionalInterface
    interface Connections {
        Connection open() throws SQLException;
    }

    /** What a run found: the sums of the tables that could be read, and why the others could not. */
    record Result(Map<String, TableSum> sums, Map<String, String> failures) {
    }

    private record Part(SourceStructure.Table table, Long from, Long to) {
    }

    private ParallelDigest() {
    }

    /**
     * Digests {@code tables} (their source kinds decide how values are read).
     *
     * @param counts   rows per table key (to split large tables and to show progress)
     * @param repairs  the text repairs of a table's columns, or null
     * @param progress told the rows read so far, about every 200 ms, on this thread
     */
    static Result run(Connection first, Connections more, List<SourceStructure.Table> tables, Map<String, Long> counts,
                      Function<SourceStructure.Table, TextRepair[]> repairs, int threads, LongConsumer progress)
            throws InterruptedException {
        return run(first, more, tables, counts, repairs, threads, PART_ROWS, progress);
    }

    /** As above, splitting tables of more than {@code partRows} rows. */
    static Result run(Connection first, Connections more, List<SourceStructure.Table> tables, Map<String, Long> counts,
                      Function<SourceStructure.Table, TextRepair[]> repairs, int threads, long partRows,
                      LongConsumer progress) throws InterruptedException {
        List<Part> parts = new ArrayList<>();
        Map<String, String> failures = new LinkedHashMap<>();
        for (SourceStructure.Table t : tables) {
            long n = counts.getOrDefault(t.key(), 0L);
            if (n > partRows && threads > 1) {
                try {
                    split(first, t, n, partRows, parts);
                    continue;
                } catch (SQLException e) {
                    // no row ids to split on: read it whole
                }
            }
            parts.add(new Part(t, null, null));
        }
        // Large parts first, so that the last ones to finish are small.
        parts.sort((a, b) -> Long.compare(size(b, counts, partRows), size(a, counts, partRows)));
        int pool = Math.max(1, Math.min(threads, parts.size()));
        BlockingQueue<Connection> connections = new ArrayBlockingQueue<>(pool);
        connections.add(first);
        AtomicLong read = new AtomicLong();
        AtomicInteger names = new AtomicInteger();
        ExecutorService exec = Executors.newFixedThreadPool(pool, r -> {
            Thread th = new Thread(r, "tetra-convert-digest-" + names.incrementAndGet());
            th.setDaemon(true);
            return th;
        });
        List<Connection> opened = new ArrayList<>();
        Map<Part, Future<TableSum>> futures = new LinkedHashMap<>();
        try {
            for (int i = 1; i < pool; i++) {
                try {
                    Connection c = more.open();
                    opened.add(c);
                    connections.add(c);
                } catch (SQLException e) {
                    break;
                }
            }
            for (Part p : parts) {
                futures.put(p, exec.submit(() -> {
                    Connection c = connections.take();
                    try {
                        return new ContentDigest().digest(c, p.table().ref(), p.table().columnNames(), p.table().kinds(),
                                repairs.apply(p.table()), p.from(), p.to(), read::addAndGet);
                    } finally {
                        connections.add(c);
                    }
                }));
            }
            Map<String, TableSum> sums = new LinkedHashMap<>();
            for (Map.Entry<Part, Future<TableSum>> e : futures.entrySet()) {
                String key = e.getKey().table().key();
                while (true) {
                    try {
                        TableSum s = e.getValue().get(200, TimeUnit.MILLISECONDS);
                        if (!failures.containsKey(key)) {
                            sums.merge(key, s, TableSum::plus);
                        }
                        break;
                    } catch (TimeoutException t) {
                        progress.accept(read.get());
                    } catch (ExecutionException x) {
                        Throwable c = x.getCause();
                        failures.putIfAbsent(key, c.getMessage() != null ? c.getMessage() : c.toString());
                        sums.remove(key);
                        break;
                    }
                }
            }
            progress.accept(read.get());
            // Tables in their own order.
            Map<String, TableSum> ordered = new LinkedHashMap<>();
            for (SourceStructure.Table t : tables) {
                if (sums.containsKey(t.key())) {
                    ordered.put(t.key(), sums.get(t.key()));
                }
            }
            return new Result(ordered, failures);
        } finally {
            for (Future<TableSum> f : futures.values()) {
                f.cancel(true);
            }
            exec.shutdownNow();
            exec.awaitTermination(60, TimeUnit.SECONDS);
            for (Connection c : opened) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // read-only work: nothing to lose
                }
            }
        }
    }

    private static long size(Part p, Map<String, Long> counts, long partRows) {
        long n = counts.getOrDefault(p.table().key(), 0L);
        return p.from() == null && p.to() == null ? n : Math.min(n, partRows);
    }

    /** Splits a table into row id ranges of about {@link #PART_ROWS} rows (the first and last open-ended). */
    private static void split(Connection c, SourceStructure.Table t, long rows, long partRows, List<Part> parts)
            throws SQLException {
        long min;
        long max;
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT MIN(_ROWID_), MAX(_ROWID_) FROM " + t.ref().qualified())) {
            rs.next();
            min = rs.getLong(1);
            max = rs.getLong(2);
            if (rs.wasNull()) {
                throw new SQLException("empty");
            }
        }
        int n = (int) Math.min(64, Math.max(2, rows / partRows));
        long span = max - min + 1;
        if (span < n) {
            throw new SQLException("too few row ids");
        }
        long step = span / n;
        for (int i = 0; i < n; i++) {
            Long from = i == 0 ? null : min + i * step;
            Long to = i == n - 1 ? null : min + (i + 1) * step;
            parts.add(new Part(t, from, to));
        }
    }
}
