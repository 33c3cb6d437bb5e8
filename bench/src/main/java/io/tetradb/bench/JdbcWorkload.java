package io.tetradb.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The JDBC harness shared by every peer: the point selects and inserts of part wire and
 * pgbench's tpcb-like transaction of part commits, through plain {@code java.sql} and
 * nothing else, given only a JDBC URL, a user and a password. Tetra's driver
 * ({@code jdbc:tetra://}), H2's TCP server ({@code jdbc:h2:tcp://}) and PostgreSQL
 * ({@code jdbc:postgresql://}) run the very same client code, found by
 * {@link DriverManager} through their service files. Each client opens one connection and
 * prepares its statements once, then reuses them (every driver's fastest ordinary path);
 * the tpcb-like client runs with {@code setAutoCommit(false)} and ends each transaction with
 * {@code commit()} (or {@code rollback()} when a statement fails). The SQL is the same text
 * for every peer (PostgreSQL folds the unquoted names to its lower-case tables).
 *
 * <p>Its clients run on the closed loop's threads, one connection each.
 */
final class JdbcWorkload {
    /** The inserts' and point selects' SQL (part wire), and the tpcb-like transaction's statements in order. */
    static final String POINT_SELECT = WireBench.POINT_SELECT;
    static final String INSERT = WireBench.INSERT;
    static final String TPCB_UPDATE_ACCOUNT = "UPDATE PGBENCH_ACCOUNTS SET ABALANCE = ABALANCE + ? WHERE AID = ?";
    static final String TPCB_SELECT_ACCOUNT = "SELECT ABALANCE FROM PGBENCH_ACCOUNTS WHERE AID = ?";
    static final String TPCB_UPDATE_TELLER = "UPDATE PGBENCH_TELLERS SET TBALANCE = TBALANCE + ? WHERE TID = ?";
    static final String TPCB_UPDATE_BRANCH = "UPDATE PGBENCH_BRANCHES SET BBALANCE = BBALANCE + ? WHERE BID = ?";
    static final String TPCB_INSERT_HISTORY = "INSERT INTO PGBENCH_HISTORY(TID, BID, AID, DELTA, MTIME)"
            + " VALUES (?, ?, ?, ?, CURRENT_TIMESTAMP)";

    /** What a client runs in its loop. */
    enum Kind {
        /** {@link #POINT_SELECT} of a random account (one row expected). */
        POINT_SELECT,
        /** One autocommit {@link #INSERT} of one row. */
        INSERT,
        /** pgbench's tpcb-like transaction, statement by statement, then commit. */
        TPCB
    }

    /** One peer as the harness sees it; {@code serverPid} > 0 when its CPU and memory can be sampled. */
    record Peer(String label, String url, String user, String password, long serverPid) {
        Connection connect() throws SQLException {
            return DriverManager.getConnection(url, user, password);
        }

        /** What the report says about the client: the driver that answered the URL, and its version. */
        String describe() {
            try (Connection c = connect()) {
                var md = c.getMetaData();
                return md.getDriverName() + " " + md.getDriverVersion() + " through java.sql (JdbcWorkload): " + url
                        + ", PreparedStatements prepared once per connection and reused; setAutoCommit(false) +"
                        + " commit() for tpcb";
            } catch (SQLException | RuntimeException e) {
                return "JDBC (JdbcWorkload): " + url + " (driver metadata not available: " + e.getMessage() + ")";
            }
        }
    }

    /** pgbench's draw for one tpcb-like transaction at {@code scale}: random aid, bid, tid and delta. */
    record Tpcb(int aid, int bid, int tid, int delta) {
        static Tpcb draw(SplittableRandom r, int scale) {
            int aid = 1 + r.nextInt(100_000 * scale);
            int bid = 1 + r.nextInt(scale);
            int tid = 1 + r.nextInt(10 * scale);
            int delta = r.nextInt(10_001) - 5000;
            return new Tpcb(aid, bid, tid, delta);
        }
    }

    private JdbcWorkload() {
    }

    /**
     * Part wire through JDBC: {@link #warmUp} (not measured), then point selects with 1, 8
     * and 32 clients and inserts with 1 and 8 clients, each after the closed loop's warm-up.
     */
    static ObjectNode wire(BenchContext ctx, Peer peer) throws Exception {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("client", peer.describe());
        warmUp(ctx, peer, 0);
        ArrayNode selects = out.putArray("pointSelect");
        for (int n : WireBench.SELECT_CLIENTS) {
            ClosedLoop.Result r = ClosedLoop.run(n, i -> client(peer, Kind.POINT_SELECT, i, 0), ctx.options.warmup(),
                    ctx.options.seconds(), peer.serverPid());
            selects.add(r.toJson());
            WireBench.log(peer.label(), "point selects", r);
        }
        ArrayNode inserts = out.putArray("insert");
        for (int n : WireBench.INSERT_CLIENTS) {
            ClosedLoop.Result r = ClosedLoop.run(n, i -> client(peer, Kind.INSERT, i, 0), ctx.options.warmup(),
                    WireBench.insertSeconds(ctx), peer.serverPid());
            inserts.add(r.toJson());
            WireBench.log(peer.label(), "inserts", r);
        }
        return out;
    }

    /**
     * Part commits through JDBC on a server that runs for all points: {@link #warmUp}, then
     * inserts and tpcb with each of {@code clients}, then the tpcb-like transaction's
     * {@link #check}.
     */
    static ObjectNode commits(BenchContext ctx, Peer peer, int scale, List<Integer> clients) throws Exception {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("client", peer.describe());
        warmUp(ctx, peer, scale);
        for (Kind k : List.of(Kind.INSERT, Kind.TPCB)) {
            ArrayNode points = out.putArray(k == Kind.INSERT ? "insert" : "tpcb");
            for (int n : clients) {
                ObjectNode o = point(ctx, peer, k, n, scale, ctx.options.warmup());
                points.add(o);
            }
        }
        out.set("tpcbCheck", check(peer));
        return out;
    }

    /** One measured point of part commits: {@code clients} running {@code kind} after {@code warmup} seconds. */
    static ObjectNode point(BenchContext ctx, Peer peer, Kind kind, int clients, int scale, double warmup)
            throws Exception {
        ClosedLoop.Result r = ClosedLoop.run(clients, i -> client(peer, kind, i, scale), warmup,
                ctx.options.seconds(), peer.serverPid());
        ObjectNode o = r.toJson();
        o.put("workload", kind == Kind.INSERT ? "insert" : "tpcb");
        WireBench.log("Commits: " + peer.label(), kind == Kind.INSERT ? "inserts" : "tpcb", r);
        return o;
    }

    /**
     * 8 clients for the server warm-up time, not measured: with {@code scale} 0 six point
     * selects and two inserts (part wire), else four tpcb and four inserts (part commits).
     */
    static void warmUp(BenchContext ctx, Peer peer, int scale) throws Exception {
        WireBench.warmUp(ctx, i -> scale == 0 ? client(peer, i % 4 == 3 ? Kind.INSERT : Kind.POINT_SELECT, i, 0)
                : client(peer, i % 2 == 0 ? Kind.TPCB : Kind.INSERT, i, scale));
    }

    /**
     * The tpcb-like transaction's invariant, read through the peer's driver: each transaction
     * adds its delta to one account, one teller, one branch and one history row, and the
     * tables start at zero, so the four sums are equal when every transaction committed whole
     * or not at all.
     */
    static ObjectNode check(Peer peer) throws SQLException {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        try (Connection c = peer.connect(); Statement st = c.createStatement()) {
            long accounts = sum(st, "SELECT SUM(ABALANCE) FROM PGBENCH_ACCOUNTS");
            long tellers = sum(st, "SELECT SUM(TBALANCE) FROM PGBENCH_TELLERS");
            long branches = sum(st, "SELECT SUM(BBALANCE) FROM PGBENCH_BRANCHES");
            long history = sum(st, "SELECT SUM(DELTA) FROM PGBENCH_HISTORY");
            long rows = sum(st, "SELECT COUNT(*) FROM PGBENCH_HISTORY");
            o.put("sumAccounts", accounts);
            o.put("sumTellers", tellers);
            o.put("sumBranches", branches);
            o.put("sumHistoryDelta", history);
            o.put("historyRows", rows);
            o.put("consistent", accounts == tellers && tellers == branches && branches == history);
        }
        Bench.log("Commits: %s tpcb check: %d history rows, sums %s.", peer.label(), o.path("historyRows").asLong(),
                o.path("consistent").asBoolean() ? "equal" : "NOT EQUAL " + o);
        return o;
    }

    private static long sum(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            if (!rs.next()) {
                throw new IllegalStateException("no row: " + sql);
            }
            Object v = rs.getObject(1);
            return v == null ? 0 : ((Number) v).longValue();
        }
    }

    /** A client of {@code kind} on a new connection to {@code peer}; {@code scale} is tpcb's. */
    static ClosedLoop.Client client(Peer peer, Kind kind, int index, int scale) throws SQLException {
        Connection c = peer.connect();
        try {
            return switch (kind) {
                case POINT_SELECT -> pointSelect(c);
                case INSERT -> insert(c, index);
                case TPCB -> tpcb(c, scale);
            };
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    private static ClosedLoop.Client pointSelect(Connection c) throws SQLException {
        PreparedStatement ps = c.prepareStatement(POINT_SELECT);
        return new JdbcClient(c) {
            @Override
            public void run(SplittableRandom random) throws SQLException {
                ps.setInt(1, 1 + random.nextInt(DataSet.ACCOUNTS));
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new IllegalStateException("expected one row");
                    }
                    rs.getLong(1);
                }
            }
        };
    }

    private static ClosedLoop.Client insert(Connection c, int index) throws SQLException {
        PreparedStatement ps = c.prepareStatement(INSERT);
        return new JdbcClient(c) {
            @Override
            public void run(SplittableRandom random) throws SQLException {
                ps.setInt(1, index);
                ps.setString(2, "wire insert");
                int n = ps.executeUpdate();
                if (n != 1) {
                    throw new IllegalStateException("expected one row inserted, got " + n);
                }
            }
        };
    }

    private static ClosedLoop.Client tpcb(Connection c, int scale) throws SQLException {
        if (scale < 1) {
            throw new IllegalArgumentException("tpcb needs a scale of at least 1");
        }
        c.setAutoCommit(false);
        PreparedStatement account = c.prepareStatement(TPCB_UPDATE_ACCOUNT);
        PreparedStatement balance = c.prepareStatement(TPCB_SELECT_ACCOUNT);
        PreparedStatement teller = c.prepareStatement(TPCB_UPDATE_TELLER);
        PreparedStatement branch = c.prepareStatement(TPCB_UPDATE_BRANCH);
        PreparedStatement history = c.prepareStatement(TPCB_INSERT_HISTORY);
        return new JdbcClient(c) {
            @Override
            public void run(SplittableRandom random) throws SQLException {
                Tpcb t = Tpcb.draw(random, scale);
                try {
                    account.setInt(1, t.delta());
                    account.setInt(2, t.aid());
                    account.executeUpdate();
                    balance.setInt(1, t.aid());
                    try (ResultSet rs = balance.executeQuery()) {
                        if (!rs.next()) {
                            throw new IllegalStateException("expected one row for aid " + t.aid());
                        }
                        rs.getLong(1);
                    }
                    teller.setInt(1, t.delta());
                    teller.setInt(2, t.tid());
                    teller.executeUpdate();
                    branch.setInt(1, t.delta());
                    branch.setInt(2, t.bid());
                    branch.executeUpdate();
                    history.setInt(1, t.tid());
                    history.setInt(2, t.bid());
                    history.setInt(3, t.aid());
                    history.setInt(4, t.delta());
                    history.executeUpdate();
                    c.commit();
                } catch (SQLException | RuntimeException e) {
                    try {
                        c.rollback();
                    } catch (SQLException r) {
                        e.addSuppressed(r);
                    }
                    throw e;
                }
            }
        };
    }

    /** A client holding one connection; closing it closes the connection and its statements. */
    private abstract static class JdbcClient implements ClosedLoop.Client {
        private final Connection connection;

        JdbcClient(Connection connection) {
            this.connection = connection;
        }

        @Override
        public abstract void run(SplittableRandom random) throws SQLException;

        @Override
        public void close() {
            try {
                connection.close();
            } catch (SQLException e) {
                // the run is over; the server process is stopped next
            }
        }
    }
}
