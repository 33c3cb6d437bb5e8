package io.tetradb.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tetradb.client.Row;
import io.tetradb.client.Rows;
import io.tetradb.client.TetraClient;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Part 5: memory. (Resident memory idle and under 32 clients is sampled in part 4.) A
 * streamed SELECT of the 1,000,000 rows of ACCOUNTS from a server started with
 * -Xmx128m: Tetra through {@code TetraClient.query} (rows streamed in batches as they
 * are read), H2's TCP server through JDBC with a fetch size of 1,000.
 */
final class MemoryBench {
    static final String HEAP = "128m";
    static final String SELECT_ALL = "SELECT ID, BRANCH, BALANCE, FILLER FROM ACCOUNTS";

    private MemoryBench() {
    }

    static ObjectNode tetra(BenchContext ctx, DataSet ds) throws Exception {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        try (TetraProcess server = ctx.startTetra("stream-128m", ds.root, HEAP);
             TetraClient c = server.connect()) {
            out.put("server", "Tetra, -Xmx" + HEAP);
            out.put("rssIdleKiB", server.rssKiB());
            stream(out, server, () -> {
                long n = 0;
                long sum = 0;
                try (Rows rows = c.query(SELECT_ALL)) {
                    for (Row r : rows) {
                        n++;
                        sum += r.getInt(0);
                    }
                }
                check(n, sum);
                return n;
            });
        }
        return out;
    }

    static ObjectNode h2(BenchContext ctx, DataSet ds) throws Exception {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        try (H2Process server = ctx.startH2("stream-128m", ds, HEAP); Connection c = server.connect()) {
            out.put("server", "H2 TCP server, -Xmx" + HEAP);
            out.put("rssIdleKiB", server.rssKiB());
            stream(out, server, () -> {
                long n = 0;
                long sum = 0;
                try (Statement st = c.createStatement()) {
                    st.setFetchSize(1000);
                    try (ResultSet rs = st.executeQuery(SELECT_ALL)) {
                        while (rs.next()) {
                            n++;
                            sum += rs.getInt(1);
                        }
                    }
                }
                check(n, sum);
                return n;
            });
        }
        return out;
    }

    private interface Reader {
        long read() throws Exception;
    }

    private static void check(long n, long sum) {
        long expected = (long) DataSet.ACCOUNTS * (DataSet.ACCOUNTS + 1) / 2;
        if (n != DataSet.ACCOUNTS || sum != expected) {
            throw new IllegalStateException("The streamed SELECT gave " + n + " rows (sum " + sum + ").");
        }
    }

    private static void stream(ObjectNode out, ServerProcess server, Reader reader) throws Exception {
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong maxRss = new AtomicLong();
        Thread sampler = new Thread(() -> {
            while (!done.get()) {
                maxRss.accumulateAndGet(server.rssKiB(), Math::max);
                Bench.sleep(50);
            }
        }, "bench-rss-sampler");
        sampler.setDaemon(true);
        sampler.start();
        long t0 = System.nanoTime();
        long rows;
        try {
            rows = reader.read();
            out.put("completed", true);
        } catch (Exception e) {
            rows = 0;
            out.put("completed", false);
            out.put("error", e.toString());
        } finally {
            done.set(true);
            sampler.join();
        }
        double s = (System.nanoTime() - t0) / 1e9;
        out.put("rows", rows);
        out.put("seconds", Bench.round2(s));
        out.put("rowsPerSecond", Math.round(rows / s));
        out.put("serverMaxRssKiB", maxRss.get());
        out.put("serverAlive", server.process.isAlive());
        Bench.log("Streamed SELECT of %d rows from %s at -Xmx%s: %.1f s, max RSS %d MiB.", rows, server.name, HEAP, s,
                maxRss.get() / 1024);
    }
}
