package io.tetradb.server;

import io.tetradb.client.BackupWaitNotice;
import io.tetradb.client.Result;
import io.tetradb.client.TetraClient;
import io.tetradb.client.TetraFuture;
import io.tetradb.client.ErrorCode;
import io.tetradb.protocol.Role;
import io.tetradb.protocol.StatementKind;
import io.tetradb.client.TetraException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Reads and writes by effect, statements about engine accounts and rights, and the
 * engine's admin rights (docs/protocol.md), through a real server and the real client, as an
 * admin, a user and a reader would see them.
 */
@Timeout(180)
class EffectClassificationIT {
    @TempDir
    static Path dir;
    static TetraServer server;
    static TetraClient admin;
    static TetraClient user;
    static TetraClient reader;

    /** Forms that write although their outer statement reads (at any depth); # is a new row's id. */
    static final String[] WRITES_BY_EFFECT = {
            "SELECT * FROM FINAL TABLE (INSERT INTO T VALUES (#, 'x'))",
            "SELECT (SELECT ID FROM FINAL TABLE (INSERT INTO T VALUES (#, 'x')))",
            "SET @Y = (SELECT ID FROM FINAL TABLE (INSERT INTO T VALUES (#, 'x')))",
            "SELECT * FROM (SELECT * FROM NEW TABLE (UPDATE T SET V = 'changed' WHERE ID = 1))",
            "SET @X = NEXT VALUE FOR SEQ",
            "SELECT NEXT VALUE FOR SEQ",
            "VALUES (NEXT VALUE FOR SEQ)",
            "CALL NEXT VALUE FOR SEQ",
            "SELECT * FROM SEQ_V",
            "SELECT * FROM T WHERE ID = 1 FOR UPDATE",
            "EXPLAIN ANALYZE SELECT * FROM FINAL TABLE (INSERT INTO T VALUES (#, 'x'))"};

    @BeforeAll
    static void start() throws Exception {
        server = TestServers.start(dir.resolve("main"));
        admin = TestServers.admin(server);
        admin.admin().addUser("app", Role.USER, "app-password".toCharArray());
        admin.admin().addUser("viewer", Role.READER, "viewer-password".toCharArray());
        user = TestServers.connect(server, "app", "app-password");
        reader = TestServers.connect(server, "viewer", "viewer-password");
        admin.execute("CREATE TABLE T(ID INT PRIMARY KEY, V VARCHAR(20))");
        admin.execute("INSERT INTO T VALUES (1, 'one')");
        admin.execute("CREATE SEQUENCE SEQ");
        admin.execute("CREATE VIEW SEQ_V AS SELECT NEXT VALUE FOR SEQ AS N");
    }

    @AfterAll
    static void stop() {
        for (TetraClient c : new TetraClient[]{reader, user, admin}) {
            if (c != null) {
                c.close();
            }
        }
        if (server != null) {
            server.close();
        }
    }

    private static void assertRefused(Runnable r, String as, String messagePart) {
        assertThatThrownBy(r::run).as(as).isInstanceOfSatisfying(TetraException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.NOT_ALLOWED_FOR_ROLE);
            assertThat(e.getMessage()).contains(messagePart);
        });
    }

    private static String table(TetraClient c) {
        StringBuilder sb = new StringBuilder();
        for (var row : c.execute("SELECT ID, V FROM T ORDER BY ID").rows()) {
            sb.append(row.getInt(0)).append('=').append(row.getString(1)).append(';');
        }
        return sb.toString();
    }

    private static long sequenceBase(TetraClient c) {
        return c.execute("SELECT BASE_VALUE FROM INFORMATION_SCHEMA.SEQUENCES WHERE SEQUENCE_NAME = 'SEQ'")
                .rows().get(0).getLong(0);
    }

    @Test
    void aReaderIsRefusedEveryWriteByEffectAndNothingChanges() {
        String rowsBefore = table(admin);
        long sequenceBefore = sequenceBase(admin);
        for (String form : WRITES_BY_EFFECT) {
            String sql = form.replace("#", "100");
            // Twice: the second time the server knows the text already; it is refused all the same.
            for (int attempt = 0; attempt < 2; attempt++) {
                assertRefused(() -> reader.execute(sql), sql, "Role reader may only read");
            }
        }
        assertThat(table(admin)).isEqualTo(rowsBefore);
        assertThat(sequenceBase(admin)).isEqualTo(sequenceBefore);
        // Reads stay reads for the reader.
        assertThat(reader.execute("SELECT V FROM T WHERE ID = 1").kind()).isEqualTo(StatementKind.READ);
        assertThat(reader.execute("SELECT * FROM T WHERE EXISTS (SELECT 1 FROM T)").kind())
                .isEqualTo(StatementKind.READ);
        assertThat(reader.execute("SET @R = (SELECT MAX(ID) FROM T)").kind()).isEqualTo(StatementKind.OTHER);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
    void aUserSeesEveryWriteByEffectReportedAsADataWrite(int form) {
        String sql = WRITES_BY_EFFECT[form];
        Result first = user.execute(sql.replace("#", String.valueOf(1000 + 10 * form)));
        Result again = user.execute(sql.replace("#", String.valueOf(1001 + 10 * form)));
        assertThat(first.kind()).as(sql).isEqualTo(StatementKind.DATA_WRITE);
        assertThat(again.kind()).as(sql + " (again)").isEqualTo(StatementKind.DATA_WRITE);
        if (sql.contains("INSERT")) {
            assertThat(admin.execute("SELECT COUNT(*) FROM T WHERE ID IN (?, ?)", 1000 + 10 * form, 1001 + 10 * form)
                    .rows().get(0).getLong(0)).as(sql).isEqualTo(2L);
        }
    }

    @Test
    void aSelectForUpdateOfATransactionQueuesBehindABackup() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch gateClosed = new CountDownLatch(1);
        server.backups().onGateClosed(n -> {
            gateClosed.countDown();
            try {
                release.await(120, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        TetraClient tx = TestServers.connect(server, "app", "app-password");
        BlockingQueue<BackupWaitNotice> notices = new LinkedBlockingQueue<>();
        tx.onBackupWait(notices::add);
        try {
            tx.begin();
            admin.admin().startBackup();
            assertThat(gateClosed.await(60, TimeUnit.SECONDS)).isTrue();
            TetraFuture<Result> locking = tx.executeAsync("SELECT V FROM T WHERE ID = 1 FOR UPDATE");
            BackupWaitNotice notice = notices.poll(60, TimeUnit.SECONDS);
            assertThat(notice).isNotNull();
            assertThat(notice.requestId()).isEqualTo(locking.requestId());
            assertThat(notice.inTransaction()).isTrue();
            // Queued, not run; reads of other sessions go on.
            assertThat(locking).isNotDone();
            assertThat(reader.execute("SELECT COUNT(*) FROM T WHERE ID = 1").rows().get(0).getLong(0)).isEqualTo(1L);
            release.countDown();
            Result locked = locking.get(60, TimeUnit.SECONDS);
            assertThat(locked.kind()).isEqualTo(StatementKind.DATA_WRITE);
            assertThat(locked.rows()).hasSize(1);
            tx.commit();
            await().atMost(120, TimeUnit.SECONDS)
                    .until(() -> admin.admin().backupStatus().getState().equals("IDLE"));
            assertThat(admin.admin().backupStatus().getLast().getWritesQueued()).isEqualTo(1);
        } finally {
            release.countDown();
            server.backups().onGateClosed(n -> { });
            tx.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "GRANT INSERT, UPDATE, DELETE ON T TO PUBLIC",
            "GRANT INSERT ON T TO TETRA_READER",
            "GRANT ALTER ANY SCHEMA TO TETRA_READER",
            "REVOKE SELECT ON T FROM TETRA_READER",
            "CREATE USER HACKER PASSWORD 'x'",
            "ALTER USER TETRA_USER ADMIN TRUE",
            "ALTER USER TETRA_READER SET PASSWORD 'x'",
            "SET PASSWORD 'x'",
            "DROP USER TETRA_READER",
            "CREATE ROLE WRITERS",
            "DROP ALL OBJECTS"})
    void accountsAndRightsStatementsAreRefusedToEveryRole(String sql) {
        for (TetraClient c : new TetraClient[]{admin, user, reader}) {
            assertRefused(() -> c.execute(sql), sql + " as " + c.role(), "tetra-admin users");
        }
        assertRefused(() -> reader.execute("INSERT INTO T VALUES (999, 'x')"), "reader insert", "may only read");
        assertThat(admin.execute("SELECT COUNT(*) FROM INFORMATION_SCHEMA.USERS WHERE USER_NAME = 'HACKER'")
                .rows().get(0).getLong(0)).isZero();
        assertThat(admin.execute("SELECT COUNT(*) FROM T WHERE ID = 1").rows().get(0).getLong(0)).isEqualTo(1L);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "SELECT FILE_READ('/etc/passwd', NULL)",
            "CREATE ALIAS MY_ENV FOR 'java.lang.System.getenv(java.lang.String)'",
            "CALL CSVWRITE('stolen.csv', 'SELECT * FROM T')",
            "SCRIPT TO 'stolen.sql'",
            "BACKUP TO 'stolen.zip'",
            "CALL LINK_SCHEMA('L', '', 'jdbc:h2:mem:x', 'sa', '', 'PUBLIC')",
            "CREATE VIEW ADMIN_TRAP AS SELECT FILE_READ('/etc/passwd', NULL) AS P"})
    void theAdminRoleHasNoEngineFileOrCodeFeaturesByDefault(String sql) {
        assertThatThrownBy(() -> admin.execute(sql)).as(sql)
                .isInstanceOfSatisfying(TetraException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.NOT_ALLOWED_FOR_ROLE);
                    assertThat(e.getMessage()).containsAnyOf("sql.engineAdmin", "may not call file or code functions");
                });
        for (String stolen : new String[]{"stolen.csv", "stolen.sql", "stolen.zip"}) {
            assertThat(Files.exists(Path.of(stolen))).as(stolen).isFalse();
        }
    }

    @Test
    void objectsOfEachRoleStayUsableByTheOthers() {
        admin.execute("CREATE SCHEMA ADMIN_S");
        admin.execute("CREATE TABLE ADMIN_S.A(ID INT PRIMARY KEY, V VARCHAR(10))");
        assertThat(user.update("INSERT INTO ADMIN_S.A VALUES (1, 'u')")).isEqualTo(1);
        user.execute("ALTER TABLE ADMIN_S.A ADD COLUMN W INT");
        user.execute("CREATE SCHEMA USER_S");
        user.execute("CREATE TABLE USER_S.U(ID INT PRIMARY KEY)");
        user.execute("CREATE VIEW USER_S.UV AS SELECT * FROM USER_S.U");
        assertThat(admin.update("INSERT INTO USER_S.U VALUES (7)")).isEqualTo(1);
        admin.execute("ALTER TABLE USER_S.U ADD COLUMN NOTE VARCHAR(10)");
        admin.execute("CREATE INDEX USER_S.U_NOTE ON USER_S.U(NOTE)");
        assertThat(reader.execute("SELECT COUNT(*) FROM ADMIN_S.A").rows().get(0).getLong(0)).isEqualTo(1L);
        assertThat(reader.execute("SELECT ID FROM USER_S.UV").rows().get(0).getInt(0)).isEqualTo(7);
        admin.execute("DROP SCHEMA USER_S CASCADE");
        user.execute("DROP SCHEMA ADMIN_S CASCADE");
    }

    @Test
    void withEngineAdminTheAdminHasTheFeaturesAndUsersCannotPlantThem() throws Exception {
        Path secret = dir.resolve("secret.txt");
        Files.writeString(secret, "only-for-the-server");
        String read = "FILE_READ('" + secret.toAbsolutePath().toString().replace("'", "''") + "', NULL)";
        try (TetraServer engine = TetraServer.start(TestServers.config(dir.resolve("engine"))
                .sqlEngineAdmin(true).build());
             TetraClient a = TestServers.admin(engine)) {
            a.admin().addUser("app", Role.USER, "app-password".toCharArray());
            try (TetraClient u = TestServers.connect(engine, "app", "app-password")) {
                assertThat(a.execute("SELECT " + read).rows().get(0).getString(0)).isEqualTo("only-for-the-server");
                a.execute("CREATE ALIAS MY_ABS DETERMINISTIC FOR 'java.lang.Math.abs(int)'");
                a.execute("CREATE TABLE P(ID INT PRIMARY KEY)");
                a.execute("CREATE VIEW ADMIN_OWN AS SELECT " + read + " AS P");
                for (String sql : new String[]{
                        "CREATE VIEW TRAP AS SELECT " + read + " AS P",
                        "CREATE VIEW TRAP AS SELECT * FROM (SELECT " + read + " AS P)",
                        "CREATE VIEW TRAP AS SELECT MY_ABS(ID) AS X FROM P",
                        "CREATE TABLE TRAP(ID INT, P VARCHAR(100) GENERATED ALWAYS AS (" + read + "))",
                        "CREATE TABLE TRAP(ID INT, P VARCHAR(100) DEFAULT " + read + ")",
                        "ALTER TABLE P ADD COLUMN S VARCHAR(100) DEFAULT " + read,
                        "ALTER TABLE P ADD CONSTRAINT TRAP CHECK (" + read + " IS NOT NULL)",
                        "CREATE MATERIALIZED VIEW TRAP AS SELECT " + read + " AS P"}) {
                    assertRefused(() -> u.execute(sql), sql, "may not call file or code functions");
                }
                assertThat(a.execute("SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_NAME = 'TRAP'")
                        .rows().get(0).getLong(0)).isZero();
                // Plain definitions are fine, and the user still has no file features of its own.
                u.execute("CREATE VIEW FINE AS SELECT ID + 1 AS N FROM P");
                assertThatThrownBy(() -> u.execute("SELECT " + read))
                        .isInstanceOfSatisfying(TetraException.class,
                                e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_ALLOWED_FOR_ROLE));
                assertThatThrownBy(() -> u.execute("SELECT * FROM ADMIN_OWN"))
                        .isInstanceOfSatisfying(TetraException.class,
                                e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_ALLOWED_FOR_ROLE));
            }
        }
    }

    @Test
    void rightsGrantedOverSqlBeforeAreTakenBackAtStart() throws Exception {
        Path folder = dir.resolve("granted");
        DataLayout layout;
        try (TetraServer s = TetraServer.start(TestServers.config(folder).build());
             TetraClient a = TestServers.admin(s)) {
            a.execute("CREATE TABLE G(ID INT PRIMARY KEY)");
            layout = s.layout();
        }
        // What a user could do before GRANT was refused, done here on the engine directly.
        engine(layout, "GRANT INSERT ON PUBLIC.G TO PUBLIC", "GRANT INSERT, DELETE ON PUBLIC.G TO TETRA_READER",
                "GRANT ALTER ANY SCHEMA TO TETRA_READER", "GRANT INSERT ON SCHEMA PUBLIC TO TETRA_READER",
                "CREATE ROLE WRITERS", "GRANT INSERT ON PUBLIC.G TO WRITERS", "GRANT WRITERS TO TETRA_READER");
        try (TetraServer s = TetraServer.start(TestServers.config(folder).build());
             TetraClient a = TestServers.admin(s)) {
            a.admin().addUser("viewer", Role.READER, "viewer-password".toCharArray());
            try (TetraClient r = TestServers.connect(s, "viewer", "viewer-password")) {
                assertThat(r.execute("SELECT COUNT(*) FROM G").rows().get(0).getLong(0)).isZero();
            }
        }
        assertThat(engineQuery(layout, "SELECT GRANTEE || ':' || COALESCE(GRANTEDROLE, '') || ':' || RIGHTS || ':' "
                + "|| TABLE_SCHEMA || ':' || TABLE_NAME FROM INFORMATION_SCHEMA.RIGHTS "
                + "WHERE GRANTEE IN ('PUBLIC', 'TETRA_READER') ORDER BY 1"))
                .containsExactly("TETRA_READER::SELECT:PUBLIC:");
    }

    private static java.sql.Connection engineConnection(DataLayout layout) throws Exception {
        return java.sql.DriverManager.getConnection("jdbc:h2:file:" + layout.dataFileBase().toAbsolutePath(),
                "TETRA_ADMIN", Files.readString(layout.engineKeyFile()).trim());
    }

    private static void engine(DataLayout layout, String... statements) throws Exception {
        try (java.sql.Connection c = engineConnection(layout); java.sql.Statement st = c.createStatement()) {
            for (String sql : statements) {
                st.execute(sql);
            }
        }
    }

    private static java.util.List<String> engineQuery(DataLayout layout, String sql) throws Exception {
        java.util.List<String> out = new java.util.ArrayList<>();
        try (java.sql.Connection c = engineConnection(layout); java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
