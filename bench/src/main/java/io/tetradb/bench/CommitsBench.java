package io.tetradb.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tetradb.client.Result;
import io.tetradb.client.TetraClient;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Part commits: durable commits through the log file (docs/log-file.md and BENCHMARKS.md), in one run.
 * Single-row autocommit inserts and pgbench's tpcb-like transaction, each with 1, 8 and 32
 * clients in a closed loop, against the packaged Tetra server with {@code log.sync: commit}
 * (durable) and {@code everySecond}, H2's TCP server with its default write delay (not
 * durable) and PostgreSQL with {@code fsync=on, synchronous_commit=on} (durable). Each
 * Tetra point runs on a freshly started server so that the log's counters, which the server
 * writes to its log (Logs/server.log) when it closes the log file, belong to that point alone: operations per sync and log
 * bytes per operation. Then the recovery: the server is killed with SIGKILL right after
 * acknowledged writes and the next start is timed until it listens, with the count and time
 * of the operations it redid from its own log line.
 */
final class CommitsBench {
    static final List<Integer> CLIENTS = List.of(1, 8, 32);
    /** Rows of the single transaction whose recovery is timed (the "per 100,000 operations"). */
    static final int RECOVERY_ROWS = 100_000;
    private static final String H2_DATABASE = "commitsdb";
    private static final String H2_USER = "sa";
    private static final String H2_PASSWORD = "bench";
    private static final Pattern LOG_CLOSED = Pattern.compile("Log file \\S+ closed: (\\d+) transaction\\(s\\), (\\d+)"
            + " operation\\(s\\), (\\d+) bytes written, (\\d+) sync\\(s\\), largest batch (\\d+) transaction");
    private static final Pattern REDID = Pattern.compile("Recovery: redid (\\d+) transaction\\(s\\), (\\d+)"
            + " operation\\(s\\), up to operation \\d+, from the log file \\S+ in (\\d+) ms");
    /** The bench's clients all log in as admin; 32 of them must not meet the default of 8 statements per user. */
    private static final Pattern NOTHING_TO_REDO = Pattern.compile("nothing to redo \\((\\d+) ms\\)");

    /** What each client runs in its loop. */
    enum Workload {
        /** One autocommit INSERT of one row (the insert of part wire). */
        INSERT("insert"),
        /** pgbench's built-in tpcb-like transaction, statement by statement. */
        TPCB("tpcb");

        final String label;

        Workload(String label) {
            this.label = label;
        }

        /** The same workload in the JDBC harness. */
        JdbcWorkload.Kind jdbc() {
            return this == INSERT ? JdbcWorkload.Kind.INSERT : JdbcWorkload.Kind.TPCB;
        }

        void run(Session s, SplittableRandom r, int client, int scale) throws Exception {
            if (this == INSERT) {
                s.update(WireBench.INSERT, client, "wire insert");
                return;
            }
            JdbcWorkload.Tpcb t = JdbcWorkload.Tpcb.draw(r, scale);
            s.begin();
            try {
                s.update(JdbcWorkload.TPCB_UPDATE_ACCOUNT, t.delta(), t.aid());
                s.queryOne(JdbcWorkload.TPCB_SELECT_ACCOUNT, t.aid());
                s.update(JdbcWorkload.TPCB_UPDATE_TELLER, t.delta(), t.tid());
                s.update(JdbcWorkload.TPCB_UPDATE_BRANCH, t.delta(), t.bid());
                s.update(JdbcWorkload.TPCB_INSERT_HISTORY, t.tid(), t.bid(), t.aid(), t.delta());
                s.commit();
            } catch (Exception e) {
                s.rollback();
                throw e;
            }
        }
    }

    /** One connection as a native workload sees it: Tetra's client library (JDBC runs {@link JdbcWorkload}). */
    interface Session extends AutoCloseable {
        void update(String sql, Object... params) throws Exception;

        /** A query that must return exactly one row. */
        void queryOne(String sql, Object... params) throws Exception;

        void begin() throws Exception;

        void commit() throws Exception;

        void rollback();

        @Override
        void close();
    }

    private final BenchContext ctx;
    private final int scale;

    private CommitsBench(BenchContext ctx) {
        this.ctx = ctx;
        // pgbench's advice: a scale at least the number of clients (else they queue on the few branch rows).
        this.scale = ctx.options.quick() ? 8 : CLIENTS.get(CLIENTS.size() - 1);
    }

    static ObjectNode run(BenchContext ctx) throws Exception {
        return new CommitsBench(ctx).measure();
    }

    private ObjectNode measure() throws Exception {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("scale", scale);
        out.put("tables", "pgbench's at scale " + scale + " (" + 100_000 * scale + " accounts, " + 10 * scale
                + " tellers, " + scale + " branches, history) and INSERTS, the same on every server");
        out.put("tpcb", "pgbench's tpcb-like: BEGIN; UPDATE accounts; SELECT balance; UPDATE tellers; UPDATE"
                + " branches; INSERT INTO history; COMMIT (random aid, tid, bid, delta as pgbench draws them)");
        Path root = ctx.options.workDir().resolve("commits");
        Bench.deleteTree(root);
        Path db = root.resolve("tetra").resolve(DataSet.NAME);
        createTetra(db);

        ObjectNode tetra = out.putObject("tetra");
        tetra.put("server", "Tetra (packaged server, -Xmx" + ctx.options.heap() + "), a fresh process per point,"
                + " warmed up for " + ctx.options.serverWarmup() + " s with the point's own workload");
        tetra.put("client", "io.tetradb.client.TetraClient: execute(sql, params); begin()/commit() for tpcb");
        for (String sync : List.of("commit", "everySecond")) {
            ObjectNode mode = tetra.putObject(sync);
            mode.put("durability", sync.equals("commit") ? "durable: a commit is answered after its log write is"
                    + " forced to disk (group commit)" : "not durable: the log is forced once a second; up to about"
                    + " a second of answered commits can be lost in a crash");
            for (Workload w : Workload.values()) {
                ArrayNode points = mode.putArray(w.label);
                for (int n : CLIENTS) {
                    points.add(tetraPoint(db, sync, w, n, false));
                }
            }
        }
        // The same points through Tetra's JDBC driver and the harness H2 and PostgreSQL run, durable mode only.
        ObjectNode tetraJdbc = out.putObject("tetraJdbc");
        tetraJdbc.put("server", "Tetra (packaged server, -Xmx" + ctx.options.heap() + "), log.sync=commit, a fresh"
                + " process per point, warmed up for " + ctx.options.serverWarmup() + " s with the point's own"
                + " workload through JDBC");
        tetraJdbc.put("logSync", "commit");
        for (Workload w : Workload.values()) {
            ArrayNode points = tetraJdbc.putArray(w.label);
            for (int n : CLIENTS) {
                points.add(tetraPoint(db, "commit", w, n, true));
            }
        }
        try (TetraProcess server = ctx.startTetra("commits-jdbc-check", db, ctx.options.heap())) {
            JdbcWorkload.Peer peer = server.jdbcPeer("Tetra (JDBC)");
            tetraJdbc.put("client", peer.describe());
            tetraJdbc.set("tpcbCheck", JdbcWorkload.check(peer));
        }

        out.set("h2", h2(root.resolve("h2")));
        if (ctx.options.postgres()) {
            out.set("postgres", PostgresBench.durableCommits(ctx, scale, CLIENTS, ctx.options.serverWarmup(),
                    ctx.options.seconds()));
        }
        out.set("recovery", recovery(db));
        return out;
    }

    /** The schema and its rows, as SQL both H2 and Tetra run. */
    private List<String> schema() {
        return List.of(
                "CREATE TABLE INSERTS(ID BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, CLIENT INT NOT NULL,"
                        + " V VARCHAR(40) NOT NULL)",
                "CREATE TABLE PGBENCH_BRANCHES(BID INT PRIMARY KEY, BBALANCE INT NOT NULL, FILLER CHAR(88))",
                "CREATE TABLE PGBENCH_TELLERS(TID INT PRIMARY KEY, BID INT NOT NULL, TBALANCE INT NOT NULL,"
                        + " FILLER CHAR(84))",
                "CREATE TABLE PGBENCH_ACCOUNTS(AID INT PRIMARY KEY, BID INT NOT NULL, ABALANCE INT NOT NULL,"
                        + " FILLER CHAR(84))",
                "CREATE TABLE PGBENCH_HISTORY(TID INT, BID INT, AID INT, DELTA INT, MTIME TIMESTAMP, FILLER CHAR(22))",
                "INSERT INTO PGBENCH_BRANCHES SELECT X, 0, '' FROM SYSTEM_RANGE(1, " + scale + ")",
                "INSERT INTO PGBENCH_TELLERS SELECT X, (X - 1) / 10 + 1, 0, '' FROM SYSTEM_RANGE(1, " + 10 * scale
                        + ")");
    }

    /** The accounts in steps of 100,000 rows (one transaction each). */
    private List<String> accounts() {
        List<String> sql = new java.util.ArrayList<>();
        for (int b = 0; b < scale; b++) {
            sql.add("INSERT INTO PGBENCH_ACCOUNTS SELECT X, (X - 1) / 100000 + 1, 0, '' FROM SYSTEM_RANGE("
                    + (b * 100_000 + 1) + ", " + (b + 1) * 100_000 + ")");
        }
        return sql;
    }

    /** A database folder made by the packaged server, its tables made and filled through the wire (logged). */
    private void createTetra(Path db) throws Exception {
        long t0 = System.nanoTime();
        try (TetraProcess server = ctx.startTetra("commits-create", db, ctx.options.heap());
             TetraClient c = server.connect()) {
            for (String sql : schema()) {
                c.execute(sql);
            }
            for (String sql : accounts()) {
                c.execute(sql);
            }
        }
        Bench.log("Commits: Tetra database at scale %d made in %.1f s.", scale, (System.nanoTime() - t0) / 1e9);
    }

    /**
     * One Tetra point on a fresh server process: the closed loop (through the client library,
     * or through Tetra's JDBC driver and {@link JdbcWorkload} when {@code jdbc}), then the log's
     * counters from its close line.
     */
    private ObjectNode tetraPoint(Path db, String sync, Workload w, int clients, boolean jdbc) throws Exception {
        String name = "commits-" + sync + "-" + w.label + "-" + clients + (jdbc ? "-jdbc" : "");
        ClosedLoop.Result r;
        long logOffset = size(serverLog(db));
        try (TetraProcess server = ctx.startTetra(name, db, ctx.options.heap(), null,
                List.of("log.sync=" + sync))) {
            JdbcWorkload.Peer peer = server.jdbcPeer("Tetra (JDBC)");
            r = ClosedLoop.run(clients, i -> jdbc ? JdbcWorkload.client(peer, w.jdbc(), i, scale)
                            : client(tetraSession(server.connect()), w, i), ctx.options.serverWarmup(),
                    ctx.options.seconds(), server.pid());
            server.stop();
        }
        ObjectNode o = r.toJson();
        o.put("workload", w.label);
        o.put("logSync", sync);
        Path logFile = db.resolve("Data").resolve(DataSet.NAME + ".journal");
        o.put("logFileBytesAfter", Files.exists(logFile) ? Files.size(logFile) : -1);
        Matcher m = last(LOG_CLOSED, serverLogSince(db, logOffset));
        if (m == null) {
            o.put("logNote", "the server's log " + serverLog(db) + " has no line 'Log file ... closed' after its stop");
        } else {
            long tx = Long.parseLong(m.group(1));
            long ops = Long.parseLong(m.group(2));
            long bytes = Long.parseLong(m.group(3));
            long syncs = Long.parseLong(m.group(4));
            ObjectNode log = o.putObject("log");
            log.put("measuredBy", "the server's counters since the process opened the log (warm-up and window),"
                    + " from its line 'Log file ... closed: ...' in Logs/server.log");
            log.put("transactions", tx);
            log.put("operations", ops);
            log.put("bytesWritten", bytes);
            log.put("syncs", syncs);
            log.put("largestBatch", Long.parseLong(m.group(5)));
            log.put("operationsPerSync", syncs == 0 ? -1 : Bench.round2((double) ops / syncs));
            log.put("transactionsPerSync", syncs == 0 ? -1 : Bench.round2((double) tx / syncs));
            log.put("bytesPerOperation", ops == 0 ? -1 : Bench.round1((double) bytes / ops));
            log.put("bytesPerTransaction", tx == 0 ? -1 : Bench.round1((double) bytes / tx));
        }
        log((jdbc ? "Tetra (JDBC) log.sync=" : "Tetra log.sync=") + sync, w, r, o);
        return o;
    }

    /** H2's TCP server on a database of its own (made embedded first), with its default write delay. */
    private ObjectNode h2(Path dir) throws Exception {
        Files.createDirectories(dir);
        String url = "jdbc:h2:file:" + dir.resolve(H2_DATABASE).toAbsolutePath();
        try (Connection c = DriverManager.getConnection(url, H2_USER, H2_PASSWORD); Statement st = c.createStatement()) {
            for (String sql : schema()) {
                st.execute(sql);
            }
            for (String sql : accounts()) {
                st.execute(sql);
            }
        }
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("server", "H2 " + org.h2.engine.Constants.FULL_VERSION + " org.h2.tools.Server -tcp (-Xmx"
                + ctx.options.heap() + "), its own database with the same tables");
        out.put("durability", "not durable: H2's default write delay (WRITE_DELAY 500 ms); a commit is answered"
                + " before it is on disk");
        try (H2Process server = ctx.startH2("commits", dir, H2_DATABASE, H2_USER, H2_PASSWORD, ctx.options.heap())) {
            out.setAll(JdbcWorkload.commits(ctx, server.jdbcPeer("H2 (JDBC)"), scale, CLIENTS));
        }
        return out;
    }

    /**
     * Recovery: each load is run on a server with {@code log.sync: commit}, which is then
     * killed with SIGKILL as soon as the load is answered; the next start is timed until it
     * listens, and its log line gives how many operations it redid and in how long.
     */
    private ObjectNode recovery(Path db) throws Exception {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("method", "kill -9 of the packaged server right after the load's last answer; the next start timed"
                + " until 'listening' (JVM start included); operations and milliseconds from its line 'Recovery:"
                + " redid ...' (or 'nothing to redo (N ms)'), which include reading the log file from its start;"
                + " per 100,000 operations = redo ms x 100,000 / operations");
        ArrayNode runs = out.putArray("runs");
        // H2 writes a large transaction into the data file as it commits, so that a kill -9 leaves
        // nothing of it to redo: its operations are made "not yet in the data file" by putting back
        // the data file as it was before the load (what a restore of an older data file does).
        runs.add(recoveryRun(db, "one transaction of " + RECOVERY_ROWS + " inserted rows, onto the data file as it was"
                + " before it", server -> {
            try (TetraClient c = server.connect()) {
                c.execute("INSERT INTO INSERTS(CLIENT, V) SELECT X, 'recovery' FROM SYSTEM_RANGE(1, " + RECOVERY_ROWS
                        + ")");
            }
            return RECOVERY_ROWS;
        }, true));
        runs.add(recoveryRun(db, "8 clients' autocommit inserts for " + ctx.options.seconds() + " s (what the data"
                + " file lacked at the kill)", server -> {
            ClosedLoop.Result r = ClosedLoop.run(8, i -> client(tetraSession(server.connect()), Workload.INSERT, i),
                    0, ctx.options.seconds(), -1);
            return r.operations();
        }, false));
        return out;
    }

    /** A load on a server, answering how many operations it had acknowledged. */
    private interface Load {
        long run(TetraProcess server) throws Exception;
    }

    /**
     * One load, kill -9, restart. {@code onOlderDataFile}: the data file copied before the
     * load (server stopped) is put back after the kill, and the load's rows are counted after
     * the restart.
     */
    private ObjectNode recoveryRun(Path db, String what, Load load, boolean onOlderDataFile) throws Exception {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("load", what);
        Path dataFile = db.resolve("Data").resolve(DataSet.NAME + ".mv.db");
        Path older = db.getParent().resolve("before-load.mv.db");
        if (onOlderDataFile) {
            try (TetraProcess server = ctx.startTetra("recovery-clear", db, ctx.options.heap());
                 TetraClient c = server.connect()) {
                c.execute("DELETE FROM INSERTS WHERE V = 'recovery'");
            }
            Files.copy(dataFile, older, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        long t0 = System.nanoTime();
        TetraProcess loaded = ctx.startTetra("recovery-load", db, ctx.options.heap(), null,
                List.of("log.sync=commit"));
        o.put("cleanStartSeconds", Bench.round2((System.nanoTime() - t0) / 1e9));
        long acknowledged;
        try {
            acknowledged = load.run(loaded);
        } finally {
            loaded.kill();
        }
        o.put("acknowledgedOperations", acknowledged);
        if (onOlderDataFile) {
            Files.move(older, dataFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        long logOffset = size(serverLog(db));
        t0 = System.nanoTime();
        try (TetraProcess restarted = ctx.startTetra("recovery-restart", db, ctx.options.heap())) {
            double wall = (System.nanoTime() - t0) / 1e9;
            o.put("restartSeconds", Bench.round2(wall));
            List<String> lines = serverLogSince(db, logOffset);
            Matcher redid = last(REDID, lines);
            Matcher nothing = last(NOTHING_TO_REDO, lines);
            if (redid == null) {
                o.put("note", "the restart redid nothing: the data file already held every operation");
                o.put("redoneOperations", 0);
                if (nothing != null) {
                    o.put("redoMillis", Long.parseLong(nothing.group(1)));
                }
            }
            if (redid != null) {
                long ops = Long.parseLong(redid.group(2));
                long ms = Long.parseLong(redid.group(3));
                o.put("redoneTransactions", Long.parseLong(redid.group(1)));
                o.put("redoneOperations", ops);
                o.put("redoMillis", ms);
                if (ops >= 10_000) {
                    // Below that the time is mostly the read of the log file from its start, not the operations.
                    o.put("redoMillisPer100kOperations", Bench.round1(ms * 100_000.0 / ops));
                }
            }
            if (onOlderDataFile) {
                try (TetraClient c = restarted.connect()) {
                    Result res = c.execute("SELECT COUNT(*) FROM INSERTS WHERE V = 'recovery'");
                    o.put("rowsAfterRestart", res.rows().get(0).getLong(0));
                }
            }
        }
        Bench.log("Recovery after kill -9 (%s): restart %.2f s (clean start %.2f s), redid %s operations in %s ms.",
                what, o.path("restartSeconds").asDouble(), o.path("cleanStartSeconds").asDouble(),
                o.path("redoneOperations").asText("no"), o.path("redoMillis").asText("-"));
        return o;
    }

    /** The server's own log file in the database folder (its console output stops after the start). */
    private static Path serverLog(Path db) {
        return db.resolve("Logs").resolve("server.log");
    }

    private static long size(Path p) throws java.io.IOException {
        return Files.exists(p) ? Files.size(p) : 0;
    }

    /** The lines written to the server's log after {@code offset} (all of it when it rolled over meanwhile). */
    private static List<String> serverLogSince(Path db, long offset) throws java.io.IOException {
        Path p = serverLog(db);
        if (!Files.exists(p)) {
            return List.of();
        }
        byte[] all = Files.readAllBytes(p);
        int from = offset <= all.length ? (int) offset : 0;
        return new String(all, from, all.length - from, java.nio.charset.StandardCharsets.UTF_8).lines().toList();
    }

    /** The match in the last line that matches, or null. */
    private static Matcher last(Pattern p, List<String> lines) {
        Matcher found = null;
        for (String line : lines) {
            Matcher m = p.matcher(line);
            if (m.find()) {
                found = m;
            }
        }
        return found;
    }

    private ClosedLoop.Client client(Session s, Workload w, int index) {
        return new ClosedLoop.Client() {
            @Override
            public void run(SplittableRandom random) throws Exception {
                w.run(s, random, index, scale);
            }

            @Override
            public void close() {
                s.close();
            }
        };
    }

    private static Session tetraSession(TetraClient c) {
        return new Session() {
            @Override
            public void update(String sql, Object... params) {
                c.execute(sql, params);
            }

            @Override
            public void queryOne(String sql, Object... params) {
                Result r = c.execute(sql, params);
                if (r.rows().size() != 1) {
                    throw new IllegalStateException("expected one row, got " + r.rows().size());
                }
            }

            @Override
            public void begin() {
                c.begin();
            }

            @Override
            public void commit() {
                c.commit();
            }

            @Override
            public void rollback() {
                try {
                    c.rollback();
                } catch (RuntimeException e) {
                    // the statement's error is what the loop records
                }
            }

            @Override
            public void close() {
                c.close();
            }
        };
    }

    private static void log(String server, Workload w, ClosedLoop.Result r, ObjectNode o) {
        com.fasterxml.jackson.databind.JsonNode l = o.get("log");
        Bench.log("Commits: %s %s, %d client(s): %.0f/s, p50 %.0f us, p99 %.0f us%s%s.", server, w.label, r.clients(),
                r.perSecond(), Latencies.micros(r.latencies().quantile(0.5)),
                Latencies.micros(r.latencies().quantile(0.99)),
                l == null ? "" : String.format(java.util.Locale.ROOT, ", %.2f operations/sync, %.1f log bytes/operation",
                        l.path("operationsPerSync").asDouble(), l.path("bytesPerOperation").asDouble()),
                r.errors() > 0 ? ", " + r.errors() + " errors (" + r.firstError() + ")" : "");
    }
}
