package io.tetradb.server.restore;

import io.tetradb.client.Row;
import io.tetradb.client.TetraClient;
import io.tetradb.protocol.RestoreBackup;
import io.tetradb.protocol.RestoreReport;
import io.tetradb.protocol.Role;
import io.tetradb.client.TetraException;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.tetradb.server.restore.RestoreFixtures.backup;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The seeded random workload {@link RestoreRandomizedIT} and {@link RollbackRandomizedIT} run
 * (docs/log-file.md, 4.11): one server under a test folder, an admin session that runs most
 * statements, a session of user {@code bob} for the interleaved transactions, and a reader
 * session that records what a second session sees at each point; the workload's own model of
 * its tables and counters; the points recorded and the archives made; restores to a folder
 * compared with a recorded state. Every statement form is described in
 * {@link RestoreRandomizedIT}. Runs on the test's thread only.
 */
final class RandomWorkload implements AutoCloseable {
    /** The key of {@link #contents}'s sequence and identity positions. */
    static final String POSITIONS = "(positions)";
    /** Values H2 takes ahead for a sequence and writes to the data file (its default cache). */
    static final long ENGINE_CACHE = 32;

    final long seed;
    final Random rnd;
    final List<String> transcript = new ArrayList<>();
    final List<Point> points = new ArrayList<>();
    /** Archive numbers made so far, with the last operation each holds. */
    final Map<Long, Long> archives = new LinkedHashMap<>();
    private final Path dir;
    /** Tables D1, D2 ... created by the workload and not dropped. */
    private final List<String> dynamic = new ArrayList<>();
    TetraServer server;
    TetraClient w;
    private TetraClient w2;
    TetraClient reader;
    private int nextP = 100;
    private int nextN = 1;
    private int nextD = 1;
    private int nextColumn = 1;
    private int restartC;
    /** Whether session 1 has a transaction open. */
    private boolean open;
    /**
     * Session 1's open transaction took identity or sequence values: the engine shows them
     * taken, the log has them with the commit only, so a point now has no positions.
     */
    private boolean uncommittedValues;
    private int restores;

    RandomWorkload(long seed, Path dir) {
        this.seed = seed;
        this.rnd = new Random(seed);
        this.dir = dir;
    }

    /** Starts the server under the folder, adds bob, opens the sessions and creates the schema. */
    void start() throws IOException {
        server = TestServers.start(dir);
        w = TestServers.admin(server);
        w.admin().addUser("bob", Role.USER, "bob-secret-1".toCharArray());
        connectOthers();
        schema();
    }

    private void connectOthers() {
        w2 = TestServers.connect(server, "bob", "bob-secret-1");
        reader = TestServers.admin(server);
    }

    /**
     * After an in-place restore or a rollback through {@link #w}, which ended every other
     * session: new ones for bob and the reader.
     */
    void reconnectOthers() {
        closeQuietly(w2);
        closeQuietly(reader);
        connectOthers();
    }

    /** Stops the server cleanly and starts it again on the same folder, with new sessions. */
    void restart() throws IOException {
        close();
        log("-- restart");
        server = TestServers.start(dir);
        w = TestServers.admin(server);
        connectOthers();
    }

    @Override
    public void close() {
        closeQuietly(reader);
        closeQuietly(w2);
        closeQuietly(w);
        if (server != null) {
            server.close();
            server = null;
        }
    }

    private static void closeQuietly(TetraClient c) {
        if (c != null) {
            try {
                c.close();
            } catch (RuntimeException e) {
                // the server already ended the session
            }
        }
    }

    /** The log's last operation. */
    long lastOperation() {
        return server.logs().log().lastOperation();
    }

    /**
     * The database was brought back to {@code p} (a rollback or an in-place restore to its
     * operation): the model follows, so the workload goes on from there on the new timeline.
     * The counters stay ahead (new keys and names never meet the cancelled ones' leftovers).
     */
    void cutTo(Point p) {
        dynamic.clear();
        for (String t : p.state().get("(tables)")) {
            if (t.matches("D[0-9]+")) {
                dynamic.add(t);
            }
        }
        open = false;
        uncommittedValues = false;
        log("-- the database is back at " + p + "; the operations after it are cancelled");
    }

    private void schema() {
        sql(w, "CREATE TABLE P(ID INT PRIMARY KEY, NAME VARCHAR(60))");
        sql(w, "CREATE TABLE C(ID INT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
                + "P_ID INT REFERENCES P(ID) ON DELETE CASCADE ON UPDATE CASCADE, "
                + "AT TIMESTAMP(9) DEFAULT CURRENT_TIMESTAMP, R DOUBLE PRECISION DEFAULT RAND(), "
                + "U UUID DEFAULT RANDOM_UUID())");
        sql(w, "CREATE TABLE N(ID INT PRIMARY KEY, A INT, B VARCHAR(60))");
        sql(w, "CREATE SEQUENCE S START WITH 1000");
        for (int i = 0; i < 5; i++) {
            insertP(w);
        }
        sql(w, "INSERT INTO C(P_ID) VALUES (100), (101), (101)");
    }

    // ---- the workload ------------------------------------------------------------------

    /**
     * {@code n} actions, a backup before action {@code backupA} and {@code backupB} and
     * {@code log new} before {@code logNew} (-1: none), a point recorded after one in six or so.
     */
    void actions(int n, int backupA, int backupB, int logNew) {
        for (int i = 0; i < n; i++) {
            if (i == backupA || i == backupB) {
                takeBackup();
            }
            if (i == logNew) {
                logNew();
            }
            action();
            if (rnd.nextInt(6) == 0) {
                record();
            }
        }
    }

    void action() {
        int k = rnd.nextInt(100);
        if (k < 45) {
            autocommit(w, true);
        } else if (k < 60) {
            transaction(true);
        } else if (k < 68) {
            transaction(false);
        } else if (k < 74) {
            interleaved();
        } else if (k < 88) {
            ddl();
        } else if (k < 92) {
            failing();
        } else {
            autocommit(w2, false);
        }
    }

    /** One data statement; {@code mayTakeValues}: it may take identity or sequence values. */
    private void autocommit(TetraClient c, boolean mayTakeValues) {
        dataStatement(c, mayTakeValues);
    }

    private void transaction(boolean commit) {
        log("BEGIN");
        w.begin();
        open = true;
        int n = 1 + rnd.nextInt(5);
        boolean savepoint = false;
        for (int i = 0; i < n; i++) {
            if (commit && !savepoint && rnd.nextInt(4) == 0) {
                sql(w, "SAVEPOINT SP");
                savepoint = true;
            }
            dataStatement(w, commit);
            if (commit && rnd.nextInt(6) == 0) {
                // a statement that fails inside the transaction: only it is taken back
                int id = nextP++;
                log("(fails) INSERT INTO P VALUES (" + id + ", 'a'), (" + id + ", 'twice')");
                assertThatThrownBy(() -> w.update("INSERT INTO P VALUES (?, 'a'), (?, 'twice')", id, id))
                        .isInstanceOf(TetraException.class);
            }
            if (rnd.nextInt(5) == 0) {
                record();
            }
        }
        if (savepoint && rnd.nextBoolean()) {
            sql(w, "ROLLBACK TO SAVEPOINT SP");
        }
        if (commit) {
            log("COMMIT");
            w.commit();
        } else {
            log("ROLLBACK");
            w.rollback();
        }
        open = false;
        uncommittedValues = false;
    }

    /** Two sessions' transactions open together, ending in a random order, one maybe rolled back. */
    private void interleaved() {
        boolean commit1 = rnd.nextInt(4) > 0;
        boolean commit2 = rnd.nextInt(4) > 0;
        log("BEGIN (session 1)");
        w.begin();
        open = true;
        log("BEGIN (session 2)");
        w2.begin();
        for (int i = 0; i < 2 + rnd.nextInt(3); i++) {
            if (rnd.nextBoolean()) {
                pStatement(w, commit1);
            } else {
                // session 2 adds rows of its own to N: no lock the other one holds
                int id = nextN++;
                sql(w2, "INSERT INTO N(ID, A, B) VALUES (?, ?, ?)", id, rnd.nextInt(10), "s2 " + id);
            }
        }
        boolean firstEndsFirst = rnd.nextBoolean();
        end(firstEndsFirst ? w : w2, firstEndsFirst ? commit1 : commit2);
        if (rnd.nextBoolean()) {
            record();
        }
        end(firstEndsFirst ? w2 : w, firstEndsFirst ? commit2 : commit1);
    }

    private void end(TetraClient c, boolean commit) {
        String who = c == w ? "session 1" : "session 2";
        if (commit) {
            log("COMMIT (" + who + ")");
            c.commit();
        } else {
            log("ROLLBACK (" + who + ")");
            c.rollback();
        }
        if (c == w) {
            open = false;
            uncommittedValues = false;
        }
    }

    private void dataStatement(TetraClient c, boolean mayTakeValues) {
        int k = rnd.nextInt(mayTakeValues ? 10 : 6);
        if (k < 3) {
            pStatement(c, mayTakeValues);
        } else if (k < 5) {
            nStatement(c);
        } else if (k < 6) {
            dStatement(c);
        } else {
            valueTakingStatement(c);
        }
    }

    /** Statements on P (and C, through the cascades). */
    private void pStatement(TetraClient c, boolean mayTakeValues) {
        int any = 100 + rnd.nextInt(Math.max(1, nextP - 100));
        switch (rnd.nextInt(mayTakeValues ? 8 : 7)) {
            case 0 -> insertP(c);
            case 1 -> {
                int a = nextP++;
                int b = nextP++;
                sql(c, "INSERT INTO P VALUES (?, ?), (?, ?), (?, 'three at once')", a, "multi " + a, b,
                        "multi " + b, nextP++);
            }
            case 2 -> sql(c, "UPDATE P SET NAME = ? WHERE ID = ?", "renamed " + rnd.nextInt(1000), any);
            case 3 -> sql(c, "DELETE FROM P WHERE ID = ?", any);
            case 4 -> sql(c, "MERGE INTO P KEY(ID) VALUES (?, ?), (?, ?)", any, "merged " + any, nextP++,
                    "merged new");
            case 5 -> sql(c, "MERGE INTO P USING (VALUES (CAST(? AS INT), CAST(? AS VARCHAR(60)))) S(ID, NAME) "
                    + "ON P.ID = S.ID WHEN MATCHED THEN UPDATE SET NAME = S.NAME "
                    + "WHEN NOT MATCHED THEN INSERT VALUES (S.ID, S.NAME)", any, "merge using " + any);
            case 6 -> sql(c, "UPDATE P SET ID = ? WHERE ID = ?", nextP++, any);
            default -> {
                takesValues(c);
                sql(c, "INSERT INTO C(P_ID) SELECT ID FROM P WHERE ID >= ? ORDER BY ID LIMIT 2", any);
            }
        }
    }

    private void insertP(TetraClient c) {
        int id = nextP++;
        sql(c, "INSERT INTO P VALUES (?, ?)", id, "name " + id);
    }

    /** Statements on N, with NOW(), RAND(), RANDOM_UUID() as values. */
    private void nStatement(TetraClient c) {
        int any = 1 + rnd.nextInt(Math.max(1, nextN));
        switch (rnd.nextInt(6)) {
            case 0 -> {
                int id = nextN++;
                sql(c, "INSERT INTO N(ID, A, B) VALUES (?, ?, CAST(NOW() AS VARCHAR(60)))", id, rnd.nextInt(10));
            }
            case 1 -> {
                int id = nextN++;
                sql(c, "INSERT INTO N(ID, A, B) VALUES (?, CAST(RAND() * 1000 AS INT), "
                        + "CAST(RANDOM_UUID() AS VARCHAR(60)))", id);
            }
            case 2 -> {
                int from = nextN;
                nextN += 100_000;
                sql(c, "INSERT INTO N(ID, A, B) SELECT ? + ID, ID, NAME FROM P WHERE ID < ? + 5", from,
                        100 + rnd.nextInt(Math.max(1, nextP - 100)));
            }
            case 3 -> sql(c, "UPDATE N SET A = A + 1, B = CAST(RAND() AS VARCHAR(60)) WHERE MOD(ID, 3) = ?",
                    rnd.nextInt(3));
            case 4 -> sql(c, "DELETE FROM N WHERE ID = ?", any);
            default -> sql(c, "UPDATE N SET B = ? WHERE A = ?", "by parameter " + rnd.nextInt(100),
                    rnd.nextInt(10));
        }
    }

    /** A statement on a table the workload created, if there is one. */
    private void dStatement(TetraClient c) {
        if (dynamic.isEmpty()) {
            nStatement(c);
            return;
        }
        String t = dynamic.get(rnd.nextInt(dynamic.size()));
        switch (rnd.nextInt(3)) {
            case 0 -> sql(c, "INSERT INTO " + t + "(ID, V) VALUES (?, ?)", nextN++, "in " + t);
            case 1 -> sql(c, "UPDATE " + t + " SET V = CAST(RANDOM_UUID() AS VARCHAR(40)) WHERE MOD(ID, 2) = ?",
                    rnd.nextInt(2));
            default -> sql(c, "DELETE FROM " + t + " WHERE MOD(ID, 5) = ?", rnd.nextInt(5));
        }
    }

    /** Statements that take identity or sequence values (only where they will be committed). */
    private void valueTakingStatement(TetraClient c) {
        takesValues(c);
        int any = 100 + rnd.nextInt(Math.max(1, nextP - 100));
        switch (rnd.nextInt(5)) {
            case 0 -> sql(c, "INSERT INTO C(P_ID) SELECT ID FROM P WHERE ID = ?", any);
            case 1 -> sql(c, "INSERT INTO C(P_ID, R) SELECT ID, RAND() FROM P WHERE ID >= ? ORDER BY ID LIMIT 3",
                    any);
            case 2 -> sql(c, "SELECT * FROM FINAL TABLE (INSERT INTO C(P_ID) SELECT MIN(ID) FROM P)");
            case 3 -> sql(c, rnd.nextBoolean() ? "SELECT NEXT VALUE FOR S" : "SET @X = NEXT VALUE FOR S");
            default -> sql(c, "INSERT INTO N(ID, A, B) VALUES (?, NEXT VALUE FOR S, 'sequence')", nextN++);
        }
    }

    private void ddl() {
        switch (rnd.nextInt(9)) {
            case 0, 1 -> {
                String t = "D" + nextD++;
                if (rnd.nextBoolean()) {
                    sql(w, "CREATE TABLE " + t + "(ID INT PRIMARY KEY, V VARCHAR(40), R DOUBLE PRECISION DEFAULT "
                            + "RAND())");
                    sql(w, "INSERT INTO " + t + "(ID, V) VALUES (?, 'first'), (?, 'second')", nextN++, nextN++);
                } else {
                    int from = nextN;
                    nextN += 100_000;
                    sql(w, "CREATE TABLE " + t + " AS SELECT ID + " + from + " AS ID, CAST(NAME AS VARCHAR(40)) "
                            + "AS V, RAND() AS R FROM P");
                }
                dynamic.add(t);
            }
            case 2 -> {
                if (!dynamic.isEmpty()) {
                    sql(w, "DROP TABLE " + dynamic.remove(rnd.nextInt(dynamic.size())));
                }
            }
            case 3 -> {
                String t = rnd.nextBoolean() || dynamic.isEmpty() ? "N" : dynamic.get(rnd.nextInt(dynamic.size()));
                String[] defaults = {"INT DEFAULT 7", "UUID DEFAULT RANDOM_UUID()",
                    "TIMESTAMP(9) DEFAULT CURRENT_TIMESTAMP", "DOUBLE PRECISION DEFAULT RAND()", "VARCHAR(10)"};
                sql(w, "ALTER TABLE " + t + " ADD COLUMN X" + nextColumn++ + " "
                        + defaults[rnd.nextInt(defaults.length)]);
            }
            case 4 -> {
                String t = dynamic.isEmpty() ? "N" : dynamic.get(rnd.nextInt(dynamic.size()));
                sql(w, "CREATE INDEX IX" + nextColumn++ + " ON " + t + "(" + (t.equals("N") ? "A" : "V") + ")");
            }
            case 5 -> sql(w, "TRUNCATE TABLE N");
            case 6 -> sql(w, rnd.nextBoolean() ? "TRUNCATE TABLE C" : "TRUNCATE TABLE C RESTART IDENTITY");
            case 7 -> {
                // upwards only: the identity never meets a key it gave before
                restartC += 10_000;
                sql(w, "ALTER TABLE C ALTER COLUMN ID RESTART WITH " + restartC);
            }
            default -> sql(w, "ALTER SEQUENCE S RESTART WITH " + (5000 + rnd.nextInt(1000)));
        }
    }

    /** An autocommit statement that fails: nothing of it is committed. */
    private void failing() {
        int id = nextP++;
        log("(fails) INSERT INTO P VALUES (" + id + ", 'x'), (" + id + ", 'duplicate')");
        assertThatThrownBy(() -> w.update("INSERT INTO P VALUES (?, 'x'), (?, 'duplicate')", id, id))
                .isInstanceOf(TetraException.class);
    }

    private void takesValues(TetraClient c) {
        if (c == w && open) {
            uncommittedValues = true;
        }
    }

    private void sql(TetraClient c, String sql, Object... params) {
        log((c == w2 ? "[s2] " : "") + sql + (params.length == 0 ? "" : " -- " + Arrays.toString(params)));
        c.execute(sql, params);
    }

    private void log(String line) {
        transcript.add(transcript.size() + 1 + ": " + line);
    }

    // ---- points, backups, restores ----------------------------------------------------

    void takeBackup() {
        long number = backup(w).getNumber();
        long held = lastOperation();
        archives.put(number, held);
        log("-- backup " + number + " (holds operations up to " + held + ")");
    }

    void logNew() {
        log("-- log new");
        w.admin().logNew();
    }

    /** Records the log's last operation, often a time between two commits, and the state. */
    Point record() {
        long op = lastOperation();
        long time = rnd.nextBoolean() ? separatingTime() : 0;
        Map<String, List<String>> state = contents(reader);
        if (uncommittedValues) {
            state.remove(POSITIONS);
        }
        Point p = new Point(points.size() + 1, op, time, List.copyOf(archives.keySet()), state,
                transcript.size());
        points.add(p);
        log("-- " + p);
        return p;
    }

    /** A time after the last commit's: the next commit is later than it. */
    private long separatingTime() {
        long t = System.currentTimeMillis();
        await().atMost(Duration.ofSeconds(5)).until(() -> System.currentTimeMillis() > t + 1);
        return t + 1;
    }

    /** How many restores {@link #check} made. */
    int restores() {
        return restores;
    }

    /** Restores with {@code request} to a new folder: it must end at {@code operation} and hold {@code expected}. */
    RestoreReport check(String what, long operation, Map<String, List<String>> expected,
                        RestoreBackup.Builder request) throws Exception {
        return check(what, operation, expected, expected.get(POSITIONS), request);
    }

    /**
     * As {@link #check(String, long, Map, RestoreBackup.Builder)}, each position at least the
     * one in {@code floor} (instead of the one in {@code expected}).
     */
    RestoreReport check(String what, long operation, Map<String, List<String>> expected, List<String> floor,
                        RestoreBackup.Builder request) throws Exception {
        Path to = dir.resolve("restored-" + ++restores).resolve("testdb");
        RestoreReport r = w.admin().restore(request.setToDir(to.toString()).build());
        assertThat(r.getLogIntegrated()).as(what).isTrue();
        assertThat(r.getLastOperation()).as("%s (seed %d): the last operation restored", what, seed)
                .isEqualTo(operation);
        try (TetraServer copy = TetraServer.start(TestServers.config(to.getParent()).dataDir(to).build());
             TetraClient c = TestServers.admin(copy)) {
            assertState(what + " (seed " + seed + ", restore report " + r + ")", expected, floor, contents(c));
        }
        return r;
    }

    /**
     * {@code got} holds exactly {@code expected}: the same tables, rows, columns and indexes;
     * the positions as {@link #assertPositions} allows (none compared when {@code expected} has none).
     */
    static void assertState(String what, Map<String, List<String>> expected, Map<String, List<String>> got) {
        assertState(what, expected, expected.get(POSITIONS), got);
    }

    /** As {@link #assertState(String, Map, Map)}, each position at least the one in {@code floor}. */
    static void assertState(String what, Map<String, List<String>> expected, List<String> floor,
                            Map<String, List<String>> got) {
        for (String key : expected.keySet()) {
            if (!key.equals(POSITIONS)) {
                assertThat(got.get(key)).as("%s: %s", what, key).isEqualTo(expected.get(key));
            }
        }
        if (expected.containsKey(POSITIONS)) {
            assertPositions(what, floor, expected.get(POSITIONS), got.get(POSITIONS));
        } else {
            got.remove(POSITIONS);
        }
        assertThat(got.keySet()).as("%s: the tables", what).isEqualTo(expected.keySet());
    }

    /**
     * Sequence and identity positions: the same names, each with exactly the original's next
     * value (see {@link RestoreRandomizedIT#aRestoredIdentityAndSequenceGoOnExactlyWhereTheOriginalStood}).
     * Behind would hand out values already used; ahead would skip some.
     */
    static void assertPositions(String what, List<String> expected, List<String> got) {
        assertPositions(what, expected, expected, got);
    }

    /**
     * As {@link #assertPositions(String, List, List)}; after a cut (a {@code floor} other than
     * {@code expected}), each position at least the one in {@code floor} (the same names) and at
     * most {@link #ENGINE_CACHE} past the one in {@code expected}.
     */
    static void assertPositions(String what, List<String> floor, List<String> expected, List<String> got) {
        if (floor.equals(expected)) {
            assertThat(got).as("%s: the next value of each sequence and identity column", what).isEqualTo(expected);
            return;
        }
        assertThat(names(got)).as("%s: the sequences and identity columns", what).isEqualTo(names(expected));
        assertThat(names(floor)).as("%s: the floor's names", what).isEqualTo(names(expected));
        for (int i = 0; i < expected.size(); i++) {
            long least = value(floor.get(i));
            long want = value(expected.get(i));
            long have = value(got.get(i));
            assertThat(have).as("%s: next value of %s (at least %d)", what, expected.get(i), least)
                    .isBetween(least, want + ENGINE_CACHE);
        }
    }

    /** The value of a "NAME=VALUE" position. */
    static long value(String position) {
        return Long.parseLong(position.split("=")[1]);
    }

    private static List<String> names(List<String> positions) {
        return positions.stream().map(p -> p.split("=")[0]).toList();
    }

    /** A point recorded during the workload. */
    record Point(int number, long operation, long timeMillis, List<Long> archives,
                 Map<String, List<String>> state, int transcriptLine) {
        @Override
        public String toString() {
            return "point " + number + " (operation " + operation + ", time " + timeMillis + ", after transcript line "
                    + transcriptLine + ")";
        }
    }

    /**
     * What {@code c} sees of the user tables: the list of tables, each one's rows ordered by its
     * first column (every table's key) as text, every column with its type and default, every
     * index; and, under {@link #POSITIONS}, every sequence's and identity column's next value.
     */
    static Map<String, List<String>> contents(TetraClient c) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        List<String> tables = new ArrayList<>();
        for (Row t : c.execute("SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = 'PUBLIC' "
                + "AND TABLE_TYPE = 'BASE TABLE' ORDER BY 1").rows()) {
            tables.add(t.getString(0));
        }
        out.put("(tables)", tables);
        for (String t : tables) {
            List<String> rows = new ArrayList<>();
            for (Row r : c.execute("SELECT * FROM \"" + t + "\" ORDER BY 1").rows()) {
                rows.add(Arrays.deepToString(r.values()));
            }
            out.put(t, rows);
        }
        out.put("(columns)", strings(c, "SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, COLUMN_DEFAULT, IS_IDENTITY "
                + "FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = 'PUBLIC' ORDER BY 1, ORDINAL_POSITION"));
        out.put("(indexes)", strings(c, "SELECT TABLE_NAME, INDEX_NAME FROM INFORMATION_SCHEMA.INDEXES "
                + "WHERE TABLE_SCHEMA = 'PUBLIC' AND INDEX_NAME NOT LIKE 'PRIMARY_KEY_%' "
                + "AND INDEX_NAME NOT LIKE 'CONSTRAINT_%' ORDER BY 1, 2"));
        out.put(POSITIONS, positions(c));
        return out;
    }

    /** Each sequence's and identity column's next value, as "NAME=VALUE" ("TABLE.COLUMN" for an identity). */
    static List<String> positions(TetraClient c) {
        List<String> out = new ArrayList<>();
        for (Row r : c.execute("SELECT TABLE_NAME || '.' || COLUMN_NAME, IDENTITY_BASE FROM INFORMATION_SCHEMA.COLUMNS "
                + "WHERE TABLE_SCHEMA = 'PUBLIC' AND IS_IDENTITY = 'YES' ORDER BY 1").rows()) {
            out.add(r.getString(0) + "=" + r.getLong(1));
        }
        for (Row r : c.execute("SELECT SEQUENCE_NAME, BASE_VALUE FROM INFORMATION_SCHEMA.SEQUENCES "
                + "WHERE SEQUENCE_SCHEMA = 'PUBLIC' AND SEQUENCE_NAME NOT LIKE 'SYSTEM_SEQUENCE_%' ORDER BY 1").rows()) {
            out.add(r.getString(0) + "=" + r.getLong(1));
        }
        return out;
    }

    private static List<String> strings(TetraClient c, String sql) {
        List<String> out = new ArrayList<>();
        for (Row r : c.execute(sql).rows()) {
            out.add(Arrays.deepToString(r.values()));
        }
        return out;
    }
}
