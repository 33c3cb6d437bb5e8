package io.tetradb.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tetradb.client.Result;
import io.tetradb.client.TetraClient;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Part 4: the wire. Point selects (the query of {@code pgbench -S}) with 1, 8 and 32
 * clients and single-row autocommit inserts with 1 and 8 clients, each client on its
 * own connection and thread in a closed loop. Tetra through its client library (one
 * request per statement, as an application sends it), then through its JDBC driver; H2's
 * TCP server through its JDBC driver. Both JDBC runs are the shared harness
 * {@link JdbcWorkload}: one PreparedStatement per connection, reused (every driver's
 * fastest ordinary path), the same code PostgreSQL's JDBC figures come from.
 */
final class WireBench {
    static final String POINT_SELECT = "SELECT BALANCE FROM ACCOUNTS WHERE ID = ?";
    static final String INSERT = "INSERT INTO INSERTS(CLIENT, V) VALUES (?, ?)";
    static final List<Integer> SELECT_CLIENTS = List.of(1, 8, 32);
    static final List<Integer> INSERT_CLIENTS = List.of(1, 8);

    private WireBench() {
    }

    /** Tetra (warmed up already; {@code rssIdle} read before): point selects and inserts through the client library. */
    static ObjectNode tetra(BenchContext ctx, TetraProcess server, long rssIdle) throws Exception {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("server", "Tetra (packaged server, -Xmx" + ctx.options.heap() + ")");
        out.put("client", "io.tetradb.client.TetraClient.execute(sql, params)");
        out.put("rssIdleKiB", rssIdle);
        out.set("pointSelect", tetraSelects(ctx, server, "Tetra"));
        ArrayNode inserts = out.putArray("insert");
        for (int n : INSERT_CLIENTS) {
            ClosedLoop.Result r = ClosedLoop.run(n, i -> tetra(server, INSERT, i), ctx.options.warmup(),
                    insertSeconds(ctx), server.pid());
            inserts.add(r.toJson());
            log("Tetra", "inserts", r);
        }
        out.put("rssAfterKiB", server.rssKiB());
        return out;
    }

    /**
     * Tetra's point selects only, on a second server compared with the plain one: {@code label}
     * names it in the progress lines, {@code setup} says in the results how it differs.
     */
    static ObjectNode tetraPointSelects(BenchContext ctx, TetraProcess server, String label, String setup)
            throws Exception {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("server", "Tetra (packaged server, -Xmx" + ctx.options.heap() + "), " + setup);
        out.set("pointSelect", tetraSelects(ctx, server, label));
        return out;
    }

    /** Point selects with 1, 8 and 32 clients through the client library. */
    private static ArrayNode tetraSelects(BenchContext ctx, TetraProcess server, String label) throws Exception {
        ArrayNode selects = JsonNodeFactory.instance.arrayNode();
        for (int n : SELECT_CLIENTS) {
            ClosedLoop.Result r = ClosedLoop.run(n, i -> tetra(server, POINT_SELECT, i), ctx.options.warmup(),
                    ctx.options.seconds(), server.pid());
            selects.add(r.toJson());
            log(label, "point selects", r);
        }
        return selects;
    }

    /**
     * H2's TCP server through the JDBC harness ({@link JdbcWorkload}, H2's JDBC driver): the
     * same statements, prepared once per connection and reused.
     */
    static ObjectNode h2(BenchContext ctx, H2Process server) throws Exception {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("server", "H2 " + org.h2.engine.Constants.FULL_VERSION + " org.h2.tools.Server -tcp (-Xmx"
                + ctx.options.heap() + ")");
        out.put("rssIdleKiB", server.rssKiB());
        out.setAll(JdbcWorkload.wire(ctx, server.jdbcPeer("H2 (JDBC)")));
        out.put("rssAfterKiB", server.rssKiB());
        return out;
    }

    /**
     * Tetra through its JDBC driver and the same harness as H2 and PostgreSQL, on the server
     * the native client has just measured (so warm already; the harness warms its own client
     * path up first).
     */
    static ObjectNode tetraJdbc(BenchContext ctx, TetraProcess server) throws Exception {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("server", "Tetra (packaged server, -Xmx" + ctx.options.heap() + "), the server of the native figures");
        out.setAll(JdbcWorkload.wire(ctx, server.jdbcPeer("Tetra (JDBC)")));
        out.put("rssAfterKiB", server.rssKiB());
        return out;
    }

    /** Warms a freshly started Tetra server up (see {@link #warmUp}). */
    static void warmUpTetra(BenchContext ctx, TetraProcess server) throws Exception {
        warmUp(ctx, i -> tetra(server, i % 4 == 3 ? INSERT : POINT_SELECT, i));
    }

    /** 8 clients (6 selecting, 2 inserting) on a freshly started server, not measured. */
    static void warmUp(BenchContext ctx, ClosedLoop.ClientFactory factory) throws Exception {
        ClosedLoop.Result r = ClosedLoop.run(8, factory, 0, ctx.options.serverWarmup(), -1);
        if (r.errors() > 0) {
            throw new IllegalStateException("The warm-up failed: " + r.firstError());
        }
    }

    /** A Tetra client running {@code sql}: a point select (one row expected) or an insert. */
    private static ClosedLoop.Client tetra(TetraProcess server, String sql, int index) {
        TetraClient c = server.connect();
        boolean query = sql.equals(POINT_SELECT);
        return new ClosedLoop.Client() {
            @Override
            public void run(SplittableRandom random) {
                if (query) {
                    Result res = c.execute(POINT_SELECT, 1 + random.nextInt(DataSet.ACCOUNTS));
                    if (res.rows().size() != 1) {
                        throw new IllegalStateException("expected one row, got " + res.rows().size());
                    }
                } else {
                    c.execute(INSERT, index, "wire insert");
                }
            }

            @Override
            public void close() {
                c.close();
            }
        };
    }

    static double insertSeconds(BenchContext ctx) {
        return Math.max(2, ctx.options.seconds() / 2);
    }

    static void log(String server, String what, ClosedLoop.Result r) {
        Bench.log("%s %s, %d client(s): %.0f/s, p50 %.0f us, p99 %.0f us, CPU/op server %s client %s%s.",
                server, what, r.clients(), r.perSecond(),
                Latencies.micros(r.latencies().quantile(0.5)), Latencies.micros(r.latencies().quantile(0.99)),
                cpuPerOp(r.serverCpuSeconds(), r.operations()), cpuPerOp(r.clientCpuSeconds(), r.operations()),
                r.errors() > 0 ? ", " + r.errors() + " errors (" + r.firstError() + ")" : "");
    }

    /** CPU microseconds per operation, or "-" when the process was not sampled (no pid, as PostgreSQL's backends). */
    private static String cpuPerOp(double seconds, long operations) {
        return seconds < 0 || operations == 0 ? "-" : String.format(java.util.Locale.ROOT, "%.0f us",
                seconds * 1e6 / operations);
    }
}
