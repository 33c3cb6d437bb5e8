package io.tetradb.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tetradb.client.Result;
import io.tetradb.client.TetraClient;
import io.tetradb.protocol.RestoreBackup;
import io.tetradb.protocol.RestoreReport;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Part integrate: how long integrating N logged operations takes (issue 14's closing note,
 * docs/restore-with-log.md), against H2 executing the same statements. The packaged server makes a
 * database, takes a backup, then N operations are written through the wire (multi-row
 * INSERT, UPDATE and DELETE statements of 1,000 rows a transaction, and 1 % single-row
 * autocommit statements). Then, in one run:
 * <ul>
 * <li>the server is killed with SIGKILL right after the last write is answered and the next
 * start is timed (what recovery redid: since the last checkpoint only);</li>
 * <li>{@code restore 1 --to DIR} through the admin API: the archive brought forward with the
 * whole log (the report's {@code integration_millis} and {@code operations_integrated}, and
 * the call's wall time), and the same restore with {@code --no-log} (the archive alone);</li>
 * <li>recovery of all N operations: the data file as it was right after the backup is put
 * back (server stopped) and the next start redoes them from the log;</li>
 * <li>the peer: H2's TCP server executing the same statements, with the same transactions,
 * over JDBC on a copy of the same archive (restored with {@code --no-log}, the log's row
 * triggers dropped first).</li>
 * </ul>
 * The rows of every result are compared (count and sums) with those the server serves after
 * its recovery from the kill.
 */
final class IntegrateBench {
    static final String TABLE = "INTEGRATE_T";
    /** Rows the database holds when it is backed up. */
    static final int BASE_ROWS = 100_000;
    /** Operations a bulk transaction changes. */
    static final int PER_TRANSACTION = 1000;
    /** The share of the operations written one row at a time, in autocommit: one in this many. */
    static final int SINGLE_ROW_SHARE = 100;
    /** IDs of the single-row inserts start above every bulk one. */
    private static final long SINGLE_IDS = 1_000_000_000_000L;
    /** What the rows of a result are compared by: count and sums (each a BIGINT). */
    private static final String CHECK = "SELECT CAST(COUNT(*) AS BIGINT), CAST(COALESCE(SUM(K), 0) AS BIGINT),"
            + " CAST(COALESCE(SUM(LENGTH(V)), 0) AS BIGINT), CAST(COALESCE(SUM(ID), 0) AS BIGINT) FROM " + TABLE;
    private static final Pattern JOURNAL_MS = Pattern.compile("\\bms=(\\d+)");
    private static final Pattern JOURNAL_OPERATIONS = Pattern.compile("\\boperations=(\\d+)");
    private static final Pattern JOURNAL_TRANSACTIONS = Pattern.compile("\\btransactions=(\\d+)");
    private static final Pattern JOURNAL_READ = Pattern.compile("\\btransactionsRead=(\\d+)");
    private static final Pattern JOURNAL_FROM = Pattern.compile("\\bfrom=(.*?) tornBytes=");

    /** One unit of the workload: a transaction of statements, or one autocommit statement. */
    record Step(List<String> sql, boolean transaction, long operations) {
    }

    private final BenchContext ctx;
    private final long n;

    private IntegrateBench(BenchContext ctx) {
        this.ctx = ctx;
        this.n = ctx.options.integrateOps();
    }

    static ObjectNode run(BenchContext ctx) throws Exception {
        return new IntegrateBench(ctx).measure();
    }

    /**
     * The N operations: bulk transactions of {@link #PER_TRANSACTION} rows in a cycle of ten
     * (six inserts as two 500-row INSERT ... VALUES, three UPDATEs of the last inserted block,
     * one DELETE of the oldest block), the rest of the bulk share as one last insert, and one
     * operation in {@link #SINGLE_ROW_SHARE} as single-row autocommit INSERTs and UPDATEs spread
     * between them. Deterministic: Tetra and H2 run the very same text.
     */
    static List<Step> workload(long n) {
        long single = n / SINGLE_ROW_SHARE;
        long bulk = n - single;
        long bulkTransactions = bulk / PER_TRANSACTION;
        int rest = (int) (bulk % PER_TRANSACTION);
        List<Step> steps = new ArrayList<>();
        long inserted = 0;  // blocks of PER_TRANSACTION rows inserted
        long deleted = 0;   // the oldest blocks deleted
        long singles = 0;   // single-row statements written
        long singleRows = 0;
        for (long t = 0; t < bulkTransactions; t++) {
            int kind = (int) (t % 10);
            if (kind < 6 || inserted == 0) {
                long first = blockStart(inserted++);
                int half = PER_TRANSACTION / 2;
                steps.add(new Step(List.of(insertValues(first, half, t), insertValues(first + half,
                        PER_TRANSACTION - half, t)), true, PER_TRANSACTION));
            } else if (kind < 9) {
                long first = blockStart(inserted - 1);
                steps.add(new Step(List.of("UPDATE " + TABLE + " SET K = K + " + kind + ", V = 'updated in transaction "
                        + t + "' WHERE ID BETWEEN " + first + " AND " + (first + PER_TRANSACTION - 1)), true,
                        PER_TRANSACTION));
            } else {
                long first = blockStart(deleted++);
                steps.add(new Step(List.of("DELETE FROM " + TABLE + " WHERE ID BETWEEN " + first + " AND "
                        + (first + PER_TRANSACTION - 1)), true, PER_TRANSACTION));
            }
            // The single-row statements, spread evenly between the bulk transactions.
            long due = single * (t + 1) / bulkTransactions;
            for (; singles < due; singles++) {
                if (singles % 2 == 0 || singleRows == 0) {
                    long id = SINGLE_IDS + ++singleRows;
                    steps.add(new Step(List.of("INSERT INTO " + TABLE + "(ID, K, V) VALUES (" + id + ", " + id % 97
                            + ", 'single row " + id + "')"), false, 1));
                } else {
                    steps.add(new Step(List.of("UPDATE " + TABLE + " SET K = K + 1, V = 'single update " + singles
                            + "' WHERE ID = " + (SINGLE_IDS + singleRows)), false, 1));
                }
            }
        }
        for (; singles < single; singles++) {
            long id = SINGLE_IDS + ++singleRows;
            steps.add(new Step(List.of("INSERT INTO " + TABLE + "(ID, K, V) VALUES (" + id + ", " + id % 97
                    + ", 'single row " + id + "')"), false, 1));
        }
        if (rest > 0) {
            steps.add(new Step(List.of(insertValues(blockStart(inserted), rest, bulkTransactions)), true, rest));
        }
        return steps;
    }

    private static long blockStart(long block) {
        return BASE_ROWS + 1 + block * PER_TRANSACTION;
    }

    private static String insertValues(long first, int rows, long t) {
        StringBuilder sb = new StringBuilder(rows * 48).append("INSERT INTO ").append(TABLE).append("(ID, K, V) VALUES ");
        for (int i = 0; i < rows; i++) {
            long id = first + i;
            sb.append(i == 0 ? "(" : ", (").append(id).append(", ").append(id % 97).append(", 'row ").append(id)
                    .append(" of transaction ").append(t).append("')");
        }
        return sb.toString();
    }

    private ObjectNode measure() throws Exception {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        List<Step> steps = workload(n);
        long planned = steps.stream().mapToLong(Step::operations).sum();
        long transactions = steps.stream().filter(Step::transaction).count();
        out.put("operations", n);
        out.put("baseRows", BASE_ROWS);
        out.put("workload", String.format(Locale.ROOT, "%d bulk transactions of up to %d rows (in ten: six"
                + " inserts as two 500-row INSERT ... VALUES, three UPDATEs of the last inserted 1,000 rows, one"
                + " DELETE of the oldest 1,000) and %d single-row autocommit INSERTs / UPDATEs between them; table"
                + " %s(ID BIGINT PRIMARY KEY, K INT, V VARCHAR(80)) holding %d rows at the backup", transactions,
                PER_TRANSACTION, steps.size() - transactions, TABLE, BASE_ROWS));
        out.put("statements", steps.stream().mapToLong(s -> s.sql().size()).sum());
        out.put("plannedOperations", planned);

        Path root = ctx.options.workDir().resolve("integrate");
        Bench.deleteTree(root);
        DataSet ds = new DataSet(root.resolve("live"), DataSet.Payload.COMPRESSIBLE);
        Path db = ds.root;
        Path afterBackup = root.resolve("after-backup.mv.db");

        // The database, its rows and backup 1, on the packaged server; then the data file as it was.
        try (TetraProcess server = ctx.startTetra("integrate-create", db, ctx.options.heap());
             TetraClient c = server.connect()) {
            c.execute("CREATE TABLE " + TABLE + "(ID BIGINT PRIMARY KEY, K INT NOT NULL, V VARCHAR(80) NOT NULL)");
            c.execute("INSERT INTO " + TABLE + " SELECT X, MOD(X, 97), 'base row ' || X FROM SYSTEM_RANGE(1, "
                    + BASE_ROWS + ")");
            Backups backups = new Backups(ctx, c, server, ds);
            backups.settings("none", 0, "30s");
            long t0 = System.nanoTime();
            Backups.Outcome b = backups.await(backups.start(), t0);
            out.set("backup", b.toJson());
            out.put("backupNumber", b.number());
        }
        Files.copy(ds.dataFile(), afterBackup, StandardCopyOption.REPLACE_EXISTING);
        long backupNumber = out.path("backupNumber").asLong();

        // The writes, then kill -9 as soon as the last one is answered.
        TetraProcess writer = ctx.startTetra("integrate-write", db, ctx.options.heap());
        long firstOp;
        long lastOp;
        try (TetraClient c = writer.connect()) {
            firstOp = c.admin().logStatus().getLastOperation();
            out.putObject("writes").put("loadAverageBefore", Machine.loadAverage());
            long t0 = System.nanoTime();
            long done = 0;
            long nextReport = 100_000;
            for (Step s : steps) {
                if (s.transaction()) {
                    c.begin();
                    for (String sql : s.sql()) {
                        c.execute(sql);
                    }
                    c.commit();
                } else {
                    c.execute(s.sql().get(0));
                }
                done += s.operations();
                if (done >= nextReport) {
                    Bench.log("Integrate: %d of %d operations written (%.0f s).", done, planned,
                            (System.nanoTime() - t0) / 1e9);
                    nextReport += 100_000;
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            // Killed as soon as the last commit is answered: nothing else runs first.
            writer.kill();
            ObjectNode w = (ObjectNode) out.get("writes");
            w.put("seconds", Bench.round2(seconds));
            w.put("operationsPerSecond", Math.round(planned / seconds));
            w.put("logSync", "commit (the default)");
            Bench.log("Integrate: %d operations written in %.1f s, then kill -9.", planned, seconds);
        } finally {
            writer.kill();
        }

        // (b) The restart after kill -9: recovery redoes what the data file lacked (since the last checkpoint).
        ObjectNode crash = out.putObject("recoveryAfterKill");
        crash.put("what", "kill -9 right after the last write was answered; recovery reads the log from the last"
                + " checkpoint's position (log.checkpointInterval 1 s, sooner past 16 MiB of unsaved pages), so it"
                + " redoes only what the data file lacked at the kill, not the N operations");
        TetraProcess server = restart("integrate-restart", db, crash);
        String live;
        try (TetraClient c = server.connect()) {
            // The reference of every later check: the rows after this recovery (H2's run reaches them on its own).
            live = tetraCheck(c);
            lastOp = c.admin().logStatus().getLastOperation();
            ObjectNode w = (ObjectNode) out.get("writes");
            w.put("loggedOperations", lastOp - firstOp);
            w.put("firstOperation", firstOp + 1);
            w.put("lastOperation", lastOp);
            w.put("check", live);
            crash.put("rowsMatch", "reference");

            // (a) restore N --to DIR: the archive, then the whole log (archived segments and the current one).
            ObjectNode restore = out.putObject("restore");
            Path to = root.resolve("restored").resolve(DataSet.NAME);
            restore.put("loadAverageBefore", Machine.loadAverage());
            long t0 = System.nanoTime();
            RestoreReport r = c.admin().restore(RestoreBackup.newBuilder().setNumber(backupNumber)
                    .setToDir(to.toString()).build());
            double wall = (System.nanoTime() - t0) / 1e9;
            restore.put("command", "restore " + backupNumber + " --to DIR (admin API: RestoreBackup{number, to_dir})");
            restore.put("wallSeconds", Bench.round2(wall));
            restore.put("integrationMillis", r.getIntegrationMillis());
            restore.put("operationsIntegrated", r.getOperationsIntegrated());
            restore.put("transactionsIntegrated", r.getTransactionsIntegrated());
            restore.put("lastOperation", r.getLastOperation());
            restore.put("segments", String.join(",", r.getLogSegmentsList()));
            if (r.getOperationsIntegrated() > 0) {
                restore.put("integrationMillisPer100kOperations",
                        Bench.round1(r.getIntegrationMillis() * 100_000.0 / r.getOperationsIntegrated()));
                restore.put("operationsPerSecond",
                        Math.round(r.getOperationsIntegrated() * 1000.0 / Math.max(1, r.getIntegrationMillis())));
            }
            restore.put("rowsMatch", h2Check(to).equals(live));
            Bench.log("Integrate: restore %d --to: %d operations integrated in %d ms (wall %.1f s), rows match: %s.",
                    backupNumber, r.getOperationsIntegrated(), r.getIntegrationMillis(), wall,
                    restore.path("rowsMatch").asBoolean());

            // The archive alone (--no-log): what the restore costs without the log; the peer's copy.
            Path peerDir = root.resolve("peer").resolve(DataSet.NAME);
            t0 = System.nanoTime();
            c.admin().restore(RestoreBackup.newBuilder().setNumber(backupNumber).setToDir(peerDir.toString())
                    .setNoLog(true).build());
            restore.put("noLogWallSeconds", Bench.round2((System.nanoTime() - t0) / 1e9));
        } finally {
            server.stop();
        }

        // (b') All N operations redone: the data file as it was right after the backup, put back.
        ObjectNode full = out.putObject("recoveryOfAll");
        full.put("what", "the data file as it was right after the backup (server stopped) put back, then a start:"
                + " recovery redoes every operation written since, from the log");
        Files.copy(afterBackup, ds.dataFile(), StandardCopyOption.REPLACE_EXISTING);
        full.put("loadAverageBefore", Machine.loadAverage());
        server = restart("integrate-redo-all", db, full);
        try (TetraClient c = server.connect()) {
            full.put("rowsMatch", tetraCheck(c).equals(live));
        } finally {
            server.stop();
        }
        if (full.path("operations").asLong() > 0) {
            full.put("millisPer100kOperations", Bench.round1(full.path("ms").asLong() * 100_000.0
                    / full.path("operations").asLong()));
        }

        // The peer: H2 executing the same statements on the archive's copy.
        out.set("h2", h2(root.resolve("peer"), steps, live));

        double h2Millis = out.path("h2").path("seconds").asDouble() * 1000;
        ObjectNode ratios = out.putObject("ratios");
        ratios.put("meaning", "time / H2's time for the same operations (below 1: faster than H2 executing the"
                + " statements)");
        ratios.put("restoreIntegrationToH2", Bench.round2(out.path("restore").path("integrationMillis").asDouble()
                / h2Millis));
        ratios.put("restoreWallToH2", Bench.round2(out.path("restore").path("wallSeconds").asDouble() * 1000
                / h2Millis));
        ratios.put("recoveryOfAllToH2", Bench.round2(full.path("ms").asDouble() / h2Millis));
        Bench.log("Integrate: H2 ran the statements in %.1f s; restore's integration / H2 = %.2f, recovery of all /"
                + " H2 = %.2f.", h2Millis / 1000, ratios.path("restoreIntegrationToH2").asDouble(),
                ratios.path("recoveryOfAllToH2").asDouble());
        return out;
    }

    /** Starts the server on {@code db}, timed until it listens, and puts its journal's last log-recovery into {@code o}. */
    private TetraProcess restart(String name, Path db, ObjectNode o) throws Exception {
        Path journal = db.resolve("Logs").resolve("backup-journal.txt");
        int before = journalRecoveries(journal).size();
        long t0 = System.nanoTime();
        TetraProcess server = ctx.startTetra(name, db, ctx.options.heap());
        double wall = (System.nanoTime() - t0) / 1e9;
        o.put("startSeconds", Bench.round2(wall));
        o.put("measuredBy", "the start's journal event log-recovery (Logs/backup-journal.txt): ms, operations redone,"
                + " transactions read, from where; startSeconds from the process start until it listens (JVM start"
                + " included)");
        List<String> events = journalRecoveries(journal);
        if (events.size() <= before) {
            o.put("note", "no log-recovery event in " + journal);
            return server;
        }
        String e = events.get(events.size() - 1);
        o.put("journalLine", e);
        o.put("ms", group(JOURNAL_MS, e));
        o.put("operations", group(JOURNAL_OPERATIONS, e));
        o.put("transactions", group(JOURNAL_TRANSACTIONS, e));
        o.put("transactionsRead", group(JOURNAL_READ, e));
        Matcher from = JOURNAL_FROM.matcher(e);
        o.put("from", from.find() ? from.group(1) : "?");
        Bench.log("Integrate: %s: started in %.2f s, recovery redid %d operations in %d ms.", name, wall,
                o.path("operations").asLong(), o.path("ms").asLong());
        return server;
    }

    private static List<String> journalRecoveries(Path journal) throws java.io.IOException {
        if (!Files.exists(journal)) {
            return List.of();
        }
        return Files.readAllLines(journal, StandardCharsets.UTF_8).stream().filter(l -> l.contains("\tlog-recovery\t"))
                .toList();
    }

    private static long group(Pattern p, String line) {
        Matcher m = p.matcher(line);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /**
     * H2's TCP server on the archive's copy in {@code parent}: the log's row triggers dropped
     * (H2 alone has no log to feed), then the statements, transaction by transaction, timed.
     */
    private ObjectNode h2(Path parent, List<Step> steps, String live) throws Exception {
        DataSet copy = new DataSet(parent, DataSet.Payload.COMPRESSIBLE);
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("server", "H2 " + org.h2.engine.Constants.FULL_VERSION + " org.h2.tools.Server -tcp (-Xmx"
                + ctx.options.heap() + ") on a copy of the same archive (restore --no-log), the log's row triggers"
                + " dropped");
        o.put("client", "H2 JDBC driver, one connection, java.sql.Statement; setAutoCommit(false) + commit() for each"
                + " transaction, autocommit for the single-row statements");
        o.put("durability", "not durable: H2's default write delay (500 ms)");
        try (H2Process h2 = ctx.startH2("integrate", copy.dataDir(), DataSet.NAME, DataSet.engineUser(),
                copy.engineSecret(), ctx.options.heap());
             Connection c = h2.connect(); Statement st = c.createStatement()) {
            List<String> drops = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT DISTINCT TRIGGER_SCHEMA, TRIGGER_NAME FROM"
                    + " INFORMATION_SCHEMA.TRIGGERS"
                    + " WHERE JAVA_CLASS LIKE 'io.tetradb.%'")) {
                while (rs.next()) {
                    drops.add("DROP TRIGGER \"" + rs.getString(1) + "\".\"" + rs.getString(2) + "\"");
                }
            }
            for (String d : drops) {
                st.execute(d);
            }
            o.put("triggersDropped", drops.size());
            o.put("loadAverageBefore", Machine.loadAverage());
            long t0 = System.nanoTime();
            for (Step s : steps) {
                if (s.transaction()) {
                    c.setAutoCommit(false);
                    for (String sql : s.sql()) {
                        st.executeUpdate(sql);
                    }
                    c.commit();
                    c.setAutoCommit(true);
                } else {
                    st.executeUpdate(s.sql().get(0));
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            o.put("seconds", Bench.round2(seconds));
            o.put("operationsPerSecond", Math.round(steps.stream().mapToLong(Step::operations).sum() / seconds));
            o.put("rowsMatch", check(st).equals(live));
            Bench.log("Integrate: H2 executed the statements in %.1f s.", seconds);
        }
        return o;
    }

    private static String tetraCheck(TetraClient c) {
        Result r = c.execute(CHECK);
        var row = r.rows().get(0);
        return row.getLong(0) + "/" + row.getLong(1) + "/" + row.getLong(2) + "/" + row.getLong(3);
    }

    /** The rows of a restored folder {@code dir}, read by H2 embedded in this JVM (no server runs on it). */
    private static String h2Check(Path dir) throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("Data").resolve(DataSet.NAME).toAbsolutePath()
                + ";IFEXISTS=TRUE;ACCESS_MODE_DATA=r";
        String secret = Files.readString(dir.resolve("Structure/engine.key"), StandardCharsets.UTF_8).trim();
        try (Connection c = DriverManager.getConnection(url, DataSet.engineUser(), secret);
             Statement st = c.createStatement()) {
            return check(st);
        }
    }

    private static String check(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery(CHECK)) {
            rs.next();
            return rs.getLong(1) + "/" + rs.getLong(2) + "/" + rs.getLong(3) + "/" + rs.getLong(4);
        }
    }
}
