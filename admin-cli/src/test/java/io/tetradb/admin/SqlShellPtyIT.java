package io.tetradb.admin;

import io.tetradb.client.ClientConfig;
import io.tetradb.client.TetraClient;
import io.tetradb.protocol.BackupRecord;
import io.tetradb.protocol.Role;
import io.tetradb.protocol.SessionInfo;
import io.tetradb.server.TetraServer;
import io.tetradb.server.config.ServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.tetradb.admin.PtyShell.CTRL_C;
import static io.tetradb.admin.PtyShell.CTRL_D;
import static io.tetradb.admin.PtyShell.ENTER;
import static io.tetradb.admin.PtyShell.UP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code tetra-admin sql} as a person uses it: the packaged CLI as a process of its own
 * under a real pseudo-terminal ({@link PtyShell}), against one server for the class.
 * Typing, arrows, Ctrl-C and Ctrl-D go through the terminal's line discipline, and each
 * test reads the screen. Whether a cancelled statement really stopped on the server is
 * checked on the server: the shell's session has no request in flight any more.
 */
@Timeout(240)
class SqlShellPtyIT {
    private static final String ADMIN_PASSWORD = "pty-admin-secret";
    private static final String USER_PASSWORD = "pty-user-secret";
    /** Runs for hours unless cancelled (H2 checks for a cancel every 128 rows). */
    private static final String SLOW = "SELECT SUM(X) AS TOTAL FROM SYSTEM_RANGE(1, 10000000000);";
    private static final Duration AWAIT = Duration.ofSeconds(60);

    @TempDir
    static Path tempDir;
    private static TetraServer server;
    private static TetraClient watcher;

    @BeforeAll
    static void startServer() throws IOException {
        server = TetraServer.start(ServerConfig.builder().dataDir(tempDir.resolve("db")).host("127.0.0.1").port(0)
                .adminPassword(ADMIN_PASSWORD).build());
        watcher = TetraClient.connect(ClientConfig.builder().host("127.0.0.1").port(server.boundPort()).user("admin")
                .password(ADMIN_PASSWORD).clientName("it-pty-watcher").build());
        watcher.execute("CREATE TABLE ITEM(ID INT PRIMARY KEY, NAME VARCHAR(40) NOT NULL, PRICE NUMERIC(8, 2) DEFAULT 0)");
        watcher.execute("CREATE INDEX ITEM_BY_NAME ON ITEM(NAME)");
        watcher.execute("INSERT INTO ITEM VALUES (1, 'Widget', 2.50), (2, 'Gadget', 10)");
        watcher.admin().addUser("pty_user", Role.USER, USER_PASSWORD.toCharArray());
    }

    @AfterAll
    static void stopServer() {
        if (watcher != null) {
            watcher.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @AfterEach
    void noBackupHeld() {
        server.backups().onGateClosed(null);
    }

    @Test
    void aSessionAtTheTerminal(@TempDir Path home) throws Exception {
        try (PtyShell sh = PtyShell.start(env(home, ADMIN_PASSWORD), conn("sql"))) {
            assertThat(sh.awaitPrompt(0)).contains("Connected to Tetra " + TetraServer.version() + ", database db, as "
                    + "admin. End statements with ';'. Type \\? for help; quit with \\q or Ctrl-D.");

            // A statement goes on over lines until ';'.
            int m = sh.mark();
            sh.enter("SELECT NAME, PRICE");
            sh.waitFor(m, "tetra-> ");
            sh.enter("FROM ITEM WHERE ID = 1;");
            assertThat(sh.awaitPrompt(m)).contains("NAME   | PRICE\n-------+------\nWidget |  2.50\n(1 row)");

            // Up brings the whole statement back, Enter runs it again.
            m = sh.mark();
            sh.type(UP);
            sh.waitFor(m, "FROM ITEM WHERE ID = 1;");
            sh.type(ENTER);
            assertThat(sh.awaitPrompt(m)).contains("Widget |  2.50");
            assertThat(sh.screen()).doesNotContain("[A").doesNotContain("^[");

            m = sh.mark();
            sh.enter("\\d");
            assertThat(sh.awaitPrompt(m)).containsPattern("\\nSchema \\| Name +\\| Type\\n-+\\+-+\\+-+\\n")
                    .containsPattern("\\nPUBLIC \\| ITEM +\\| table\\n");

            m = sh.mark();
            sh.enter("\\d item");
            assertThat(sh.awaitPrompt(m)).contains("Table \"PUBLIC.ITEM\"\n"
                    + "Column | Type                  | Nullable | Default\n"
                    + "-------+-----------------------+----------+--------\n"
                    + "ID     | INTEGER               | no       | \n"
                    + "NAME   | CHARACTER VARYING(40) | no       | \n"
                    + "PRICE  | NUMERIC(8, 2)         | yes      | 0\n"
                    + "(3 rows)")
                    .containsPattern("\\n[A-Z_0-9]+ +\\| primary key \\| ID\\n")
                    .containsPattern("\\nITEM_BY_NAME +\\| index +\\| NAME\\n");

            m = sh.mark();
            sh.enter("\\timing");
            sh.waitFor(m, "Timing is on.");
            sh.awaitPrompt(m);
            m = sh.mark();
            sh.enter("SELECT COUNT(*) AS N FROM ITEM;");
            assertThat(sh.awaitPrompt(m)).containsPattern("\\(1 row\\)\\nTime: [0-9]+\\.[0-9]{3} ms\\n");
            m = sh.mark();
            sh.enter("\\timing off");
            sh.waitFor(m, "Timing is off.");
            sh.awaitPrompt(m);

            // Ctrl-C while a statement runs: cancelled on the server, back to the prompt.
            await().atMost(AWAIT).until(() -> shellRequestsInFlight() == 0);
            m = sh.mark();
            sh.enter(SLOW);
            await().atMost(AWAIT).until(() -> shellRequestsInFlight() == 1);
            sh.type(CTRL_C);
            assertThat(sh.awaitPrompt(m)).contains("Cancel request sent.\n")
                    .contains("tetra-admin: error 2009: The ").doesNotContain("TOTAL\n-");
            assertThat(shellRequestsInFlight()).as("the server no longer runs the statement").isZero();
            m = sh.mark();
            sh.enter("SELECT 'still here' AS AFTER_CANCEL;");
            assertThat(sh.awaitPrompt(m)).contains("still here\n(1 row)");

            // Ctrl-C at the prompt drops the whole input typed so far, over both of its lines.
            m = sh.mark();
            sh.enter("SELECT 1 AS DROPPED");
            sh.waitFor(m, "tetra-> ");
            sh.type("+ 1");
            sh.waitFor(m, "tetra-> + 1");
            sh.type(CTRL_C);
            sh.awaitPrompt(m);
            m = sh.mark();
            sh.enter("SELECT 2 AS KEPT;");
            assertThat(sh.awaitPrompt(m)).contains("KEPT\n----\n   2\n(1 row)").doesNotContain("DROPPED");

            m = sh.mark();
            sh.enter("\\du");
            assertThat(sh.awaitPrompt(m)).containsPattern("\\nadmin +\\| admin \\| ").containsPattern("\\npty_user \\| user  \\| ")
                    .contains("(2 rows)");

            m = sh.mark();
            sh.enter("\\nope");
            assertThat(sh.awaitPrompt(m)).contains("tetra-admin: invalid command \\nope. Try \\? for help.");

            m = sh.mark();
            sh.enter("\\?");
            assertThat(sh.awaitPrompt(m)).contains("\\d NAME ").contains("\\du ").contains("\\timing [on|off]")
                    .contains("Ctrl-C ");

            sh.enter("\\q");
            assertThat(sh.exit()).isZero();
            Path capture = Path.of("target", "sql-shell-screen.txt");
            Files.writeString(capture, sh.screen(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void theHistoryFileKeepsInputsWithoutPasswordsAndTheNextSessionRecallsThem(@TempDir Path home) throws Exception {
        try (PtyShell sh = PtyShell.start(env(home, ADMIN_PASSWORD), conn("sql"))) {
            sh.awaitPrompt(0);
            int m = sh.mark();
            sh.enter("SELECT 'remembered' AS R;");
            sh.awaitPrompt(m);
            m = sh.mark();
            sh.enter("CREATE USER SNEAKY PASSWORD 'hunter2-secret';");
            sh.awaitPrompt(m);
            m = sh.mark();
            sh.enter("alter user sneaky set password 'hunter3-secret';");
            sh.awaitPrompt(m);
            sh.type(CTRL_D);
            assertThat(sh.exit()).as("Ctrl-D on an empty line leaves with exit code 0").isZero();
        }
        Path history = home.resolve(".tetra_history");
        assertThat(Files.readString(history)).contains("SELECT 'remembered' AS R;").doesNotContain("hunter")
                .doesNotContainIgnoringCase("sneaky");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(history))).isEqualTo("rw-------");

        // The next session: Up gives the last statement kept, which is not the one with a password.
        try (PtyShell sh = PtyShell.start(env(home, ADMIN_PASSWORD), conn("sql"))) {
            sh.awaitPrompt(0);
            int m = sh.mark();
            sh.type(UP);
            sh.waitFor(m, "SELECT 'remembered' AS R;");
            sh.type(ENTER);
            assertThat(sh.awaitPrompt(m)).contains("remembered\n(1 row)");
            sh.enter("exit");
            assertThat(sh.exit()).isZero();
        }

        // --history-file puts it elsewhere.
        Path other = home.resolve("elsewhere").resolve("history.txt");
        try (PtyShell sh = PtyShell.start(env(home, ADMIN_PASSWORD), conn("sql", "--history-file", other.toString()))) {
            sh.awaitPrompt(0);
            int m = sh.mark();
            sh.enter("SELECT 'elsewhere' AS E;");
            sh.awaitPrompt(m);
            sh.type(CTRL_D);
            assertThat(sh.exit()).isZero();
        }
        assertThat(Files.readString(other)).contains("SELECT 'elsewhere' AS E;");
        assertThat(Files.readString(history)).doesNotContain("elsewhere");
    }

    @Test
    void duWithoutTheAdminRoleSaysWhyAndTheShellGoesOn(@TempDir Path home) throws Exception {
        try (PtyShell sh = PtyShell.start(env(home, USER_PASSWORD), conn("--user", "pty_user", "sql"))) {
            sh.awaitPrompt(0);
            int m = sh.mark();
            sh.enter("\\du");
            assertThat(sh.awaitPrompt(m)).contains("tetra-admin: error 2003: ")
                    .contains("tetra-admin: \\du lists the users through the admin API, which needs the admin role; "
                            + "pty_user has the role user.");
            m = sh.mark();
            sh.enter("SELECT COUNT(*) AS N FROM ITEM;");
            assertThat(sh.awaitPrompt(m)).contains("N\n-\n2\n(1 row)");
            sh.type(CTRL_D);
            assertThat(sh.exit()).isZero();
        }
    }

    @Test
    void aWriteWaitingBehindABackupIsCancelledWithCtrlCOrCAndOtherwiseRunsAfterIt(@TempDir Path home)
            throws Exception {
        watcher.execute("CREATE TABLE WAIT_T(ID INT PRIMARY KEY)");
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
        long n = watcher.admin().startBackup().getBackupNumber();
        try (PtyShell sh = PtyShell.start(env(home, ADMIN_PASSWORD), conn("sql"))) {
            assertThat(gateClosed.await(60, TimeUnit.SECONDS)).isTrue();
            String waiting = String.format(Locale.ROOT, "Database backup %d in progress (0.0%%) — your statement waits. "
                    + "Press c then Enter (or Ctrl-C) to cancel, Enter to keep waiting.", n);
            sh.awaitPrompt(0);

            int m = sh.mark();
            sh.enter("INSERT INTO WAIT_T VALUES (1);");
            sh.waitFor(m, waiting);
            sh.type(CTRL_C);
            assertThat(sh.awaitPrompt(m)).contains("Cancelling the statement.\n")
                    .contains("tetra-admin: error -9976: This command cannot be executed because the database backup "
                            + "is in progress.").doesNotContain("row(s) affected");

            m = sh.mark();
            sh.enter("INSERT INTO WAIT_T VALUES (2);");
            sh.waitFor(m, waiting);
            sh.enter("c");
            assertThat(sh.awaitPrompt(m)).contains("Cancelling the statement.\n").contains("tetra-admin: error -9976: ");

            m = sh.mark();
            sh.enter("INSERT INTO WAIT_T VALUES (3);");
            sh.waitFor(m, waiting);
            sh.enter("");
            sh.waitFor(m, "Still waiting for backup " + n + " (0.0%). Press c then Enter (or Ctrl-C) to cancel.");
            release.countDown();
            assertThat(sh.awaitPrompt(m)).contains("1 row(s) affected");
            Files.writeString(Path.of("target", "sql-shell-backup-wait-screen.txt"), sh.screen(), StandardCharsets.UTF_8);

            sh.type(CTRL_D);
            assertThat(sh.exit()).isZero();
        } finally {
            release.countDown();
        }
        await().atMost(AWAIT).until(() -> watcher.admin().backupStatus().getState().equals("IDLE"));
        BackupRecord last = watcher.admin().backupStatus().getLast();
        assertThat(last.getNumber()).isEqualTo(n);
        assertThat(last.getWritesCancelled()).isEqualTo(2);
        assertThat(watcher.execute("SELECT ID FROM WAIT_T").rows()).extracting(r -> r.getInt(0)).containsExactly(3);
    }

    /** The requests of the shells' sessions (client name tetra-admin) that the server has not answered yet. */
    private static long shellRequestsInFlight() {
        return watcher.admin().sessions().stream().filter(s -> s.getClientName().equals("tetra-admin"))
                .mapToLong(SessionInfo::getRequestsInFlight).sum();
    }

    private static Map<String, String> env(Path home, String password) {
        Map<String, String> env = new HashMap<>();
        env.put("HOME", home.toString());
        env.put(AdminMain.PASSWORD_ENV, password);
        return env;
    }

    private static String[] conn(String... args) {
        String[] out = new String[args.length + 4];
        out[0] = "--host";
        out[1] = "127.0.0.1";
        out[2] = "--port";
        out[3] = String.valueOf(server.boundPort());
        System.arraycopy(args, 0, out, 4, args.length);
        return out;
    }
}
