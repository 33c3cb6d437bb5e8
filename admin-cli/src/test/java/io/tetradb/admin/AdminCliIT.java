package io.tetradb.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tetradb.client.BackupWaitNotice;
import io.tetradb.client.ClientConfig;
import io.tetradb.client.Result;
import io.tetradb.client.TetraClient;
import io.tetradb.client.TetraFuture;
import io.tetradb.protocol.BackupOutcome;
import io.tetradb.protocol.BackupRecord;
import io.tetradb.protocol.BackupRunState;
import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraException;
import io.tetradb.server.TetraServer;
import io.tetradb.server.config.ServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * {@code tetra-admin} run in-process against a real server on port 0: every command, as
 * text and as JSON, and the exit codes and messages of failures.
 */
@Timeout(120)
class AdminCliIT {
    private static final String ADMIN_PASSWORD = "admin-secret-1";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tempDir;
    private static TetraServer server;
    private static int port;

    @BeforeAll
    static void startServer() throws IOException {
        server = TetraServer.start(ServerConfig.builder().dataDir(tempDir.resolve("db")).host("127.0.0.1").port(0)
                .adminPassword(ADMIN_PASSWORD).build());
        port = server.boundPort();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    // ------------------------------------------------------------------ status

    @Test
    void statusAsText() {
        Run r = admin("status");
        assertThat(r.exit).as(r.err).isZero();
        assertThat(r.err).isEmpty();
        assertThat(r.out).contains("Server:     Tetra " + TetraServer.version())
                .contains("Listening:  127.0.0.1:" + port)
                .contains("State:      RUNNING")
                .contains("Database:   db")
                .containsPattern("Data file:  [0-9.]+ (B|KiB|MiB) \\([0-9]+ bytes\\)")
                .containsPattern("Sessions:   [1-9][0-9]*")
                .containsPattern("Uptime:     ([0-9]+[dhm] )*[0-9]+s");
    }

    @Test
    void statusAsJsonWithGlobalOptionsAfterTheSubcommand() throws IOException {
        Run r = run(env(ADMIN_PASSWORD), "", "status", "--json", "--host", "127.0.0.1", "--port",
                String.valueOf(port), "--user", "admin");
        assertThat(r.exit).as(r.err).isZero();
        JsonNode s = r.json();
        assertThat(s.get("serverVersion").asText()).isEqualTo(TetraServer.version());
        assertThat(s.get("h2Version").asText()).startsWith("2.");
        assertThat(s.get("database").asText()).isEqualTo("db");
        assertThat(Path.of(s.get("dataDir").asText())).isEqualTo(server.layout().root());
        assertThat(s.get("host").asText()).isEqualTo("127.0.0.1");
        assertThat(s.get("port").asInt()).isEqualTo(port);
        assertThat(s.get("tls").asBoolean()).isFalse();
        assertThat(s.get("state").asText()).isEqualTo("RUNNING");
        assertThat(s.get("sessions").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(s.get("dataFileSize").asLong()).isPositive();
        assertThat(s.get("uptimeMillis").asLong()).isNotNegative();
        assertThat(Instant.parse(s.get("startedAt").asText())).isBeforeOrEqualTo(Instant.now());
    }

    @Test
    void globalOptionsBeforeTheSubcommand() throws IOException {
        Run r = run(env(ADMIN_PASSWORD), "", "--json", "--host", "127.0.0.1", "--port", String.valueOf(port),
                "status");
        assertThat(r.exit).as(r.err).isZero();
        assertThat(r.json().get("port").asInt()).isEqualTo(port);
    }

    @Test
    void passwordFromAFile() throws IOException {
        Path file = tempDir.resolve("admin.pw");
        Files.writeString(file, ADMIN_PASSWORD + "\n");
        Run r = run(Map.of(), "", "--port", String.valueOf(port), "--host", "127.0.0.1", "--password-file",
                file.toString(), "status", "--json");
        assertThat(r.exit).as(r.err).isZero();
        assertThat(r.json().get("database").asText()).isEqualTo("db");
    }

    // ------------------------------------------------------------------ sessions

    @Test
    void sessionsListShowsOtherClientsAndMarksItsOwn() throws IOException {
        try (TetraClient other = connect("admin", ADMIN_PASSWORD, "it-watcher")) {
            Run text = admin("sessions", "list");
            assertThat(text.exit).as(text.err).isZero();
            assertThat(text.out).containsPattern("(?m)^ID +\\| USER +\\| ROLE")
                    .containsPattern("(?m)^ *" + other.sessionId() + " \\| admin +\\| admin +\\| it-watcher ")
                    .containsPattern("(?m)^ *\\*[0-9]+ \\| admin +\\| admin +\\| tetra-admin ")
                    .containsPattern("\\([0-9]+ sessions\\)");

            Run json = admin("sessions", "list", "--json");
            assertThat(json.exit).as(json.err).isZero();
            JsonNode list = json.json();
            assertThat(list.isArray()).isTrue();
            JsonNode mine = find(list, "id", other.sessionId());
            assertThat(mine).as(list.toString()).isNotNull();
            assertThat(mine.get("user").asText()).isEqualTo("admin");
            assertThat(mine.get("role").asText()).isEqualTo("admin");
            assertThat(mine.get("client").asText()).isEqualTo("it-watcher");
            assertThat(mine.get("remoteAddress").asText()).startsWith("127.0.0.1:");
            assertThat(mine.get("current").asBoolean()).isFalse();
            assertThat(mine.get("inTransaction").asBoolean()).isFalse();
            List<JsonNode> current = new ArrayList<>();
            list.forEach(n -> {
                if (n.get("current").asBoolean()) {
                    current.add(n);
                }
            });
            assertThat(current).hasSize(1);
            assertThat(current.get(0).get("client").asText()).isEqualTo("tetra-admin");
        }
    }

    @Test
    void sessionsKillEndsAnotherSession() throws IOException {
        try (TetraClient victim = connect("admin", ADMIN_PASSWORD, "it-victim");
             TetraClient victim2 = connect("admin", ADMIN_PASSWORD, "it-victim-2")) {
            Run r = admin("sessions", "kill", String.valueOf(victim.sessionId()));
            assertThat(r.exit).as(r.err).isZero();
            assertThat(r.out).isEqualTo("Session " + victim.sessionId() + " ended." + System.lineSeparator());
            await().atMost(Duration.ofSeconds(30)).until(() -> !victim.isOpen());
            assertThatThrownBy(victim::ping).isInstanceOfSatisfying(TetraException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.CONNECTION_LOST));

            Run json = admin("--json", "sessions", "kill", String.valueOf(victim2.sessionId()));
            assertThat(json.exit).as(json.err).isZero();
            assertThat(json.json().get("session").asLong()).isEqualTo(victim2.sessionId());
            assertThat(json.json().get("killed").asBoolean()).isTrue();
            await().atMost(Duration.ofSeconds(30)).until(() -> !victim2.isOpen());

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode list = admin("sessions", "list", "--json").json();
                assertThat(find(list, "id", victim.sessionId())).isNull();
                assertThat(find(list, "id", victim2.sessionId())).isNull();
            });
        }
    }

    @Test
    void killingAnUnknownSessionFails() {
        Run r = admin("sessions", "kill", "987654321");
        assertThat(r.exit).isEqualTo(1);
        assertThat(r.out).isEmpty();
        assertThat(r.err).startsWith("tetra-admin: error 2010: ").contains("987654321");
    }

    // ------------------------------------------------------------------ users

    @Test
    void usersAddListPasswdRemove() throws IOException {
        Run add = run(env(ADMIN_PASSWORD, "carol-pw-1"), "", conn("users", "add", "carol", "--role", "user"));
        assertThat(add.exit).as(add.err).isZero();
        assertThat(add.out).isEqualTo("User carol added with role user." + System.lineSeparator());

        Run list = admin("users", "list");
        assertThat(list.exit).as(list.err).isZero();
        assertThat(list.out).containsPattern("(?m)^NAME +\\| ROLE +\\| CREATED$")
                .containsPattern("(?m)^carol +\\| user +\\| [0-9]{4}-")
                .containsPattern("(?m)^admin +\\| admin +\\| [0-9]{4}-");

        JsonNode users = admin("users", "list", "--json").json();
        JsonNode carol = find(users, "name", "carol");
        assertThat(carol).as(users.toString()).isNotNull();
        assertThat(carol.get("role").asText()).isEqualTo("user");
        assertThat(Instant.parse(carol.get("createdAt").asText())).isBeforeOrEqualTo(Instant.now());
        assertThat(find(users, "name", "admin").get("role").asText()).isEqualTo("admin");

        assertThat(sqlAs("carol", "carol-pw-1", "SELECT 41 + 1 AS ANSWER").out).contains("42");

        Path pwFile = tempDir.resolve("carol-new.pw");
        Files.writeString(pwFile, "carol-pw-2\r\n");
        Run passwd = admin("users", "passwd", "carol", "--new-password-file", pwFile.toString(), "--json");
        assertThat(passwd.exit).as(passwd.err).isZero();
        assertThat(passwd.json().get("user").asText()).isEqualTo("carol");
        assertThat(passwd.json().get("passwordChanged").asBoolean()).isTrue();
        assertThat(sqlAs("carol", "carol-pw-1", "SELECT 1").err).startsWith("tetra-admin: error 2002: ");
        assertThat(sqlAs("carol", "carol-pw-2", "SELECT 1").exit).isZero();

        Run remove = admin("users", "remove", "carol", "--json");
        assertThat(remove.exit).as(remove.err).isZero();
        assertThat(remove.json().get("user").asText()).isEqualTo("carol");
        assertThat(remove.json().get("removed").asBoolean()).isTrue();
        Run gone = sqlAs("carol", "carol-pw-2", "SELECT 1");
        assertThat(gone.exit).isEqualTo(1);
        assertThat(gone.err).startsWith("tetra-admin: error 2002: ");
        assertThat(find(admin("users", "list", "--json").json(), "name", "carol")).isNull();
    }

    @Test
    void usersAddAsJsonAndTextRemove() throws IOException {
        Run add = run(env(ADMIN_PASSWORD, "dave-pw-11"), "", conn("--json", "users", "add", "dave", "--role",
                "READER"));
        assertThat(add.exit).as(add.err).isZero();
        assertThat(add.json().get("user").asText()).isEqualTo("dave");
        assertThat(add.json().get("role").asText()).isEqualTo("reader");
        assertThat(add.json().get("added").asBoolean()).isTrue();

        Run remove = admin("users", "remove", "dave");
        assertThat(remove.exit).as(remove.err).isZero();
        assertThat(remove.out).isEqualTo("User dave removed." + System.lineSeparator());
    }

    @Test
    void passwdAsksTwiceOnTheConsole() {
        assertThat(run(env(ADMIN_PASSWORD, "erin-pw-01"), "", conn("users", "add", "erin", "--role", "user")).exit)
                .isZero();

        Run differ = runWithConsole(env(ADMIN_PASSWORD), "", new Answers("erin-pw-02", "erin-pw-03"),
                conn("users", "passwd", "erin"));
        assertThat(differ.exit).isEqualTo(1);
        assertThat(differ.err).startsWith("tetra-admin: error 2010: ").contains("differ");
        assertThat(sqlAs("erin", "erin-pw-01", "SELECT 1").exit).isZero();

        Run same = runWithConsole(env(ADMIN_PASSWORD), "", new Answers("erin-pw-02", "erin-pw-02"),
                conn("users", "passwd", "erin"));
        assertThat(same.exit).as(same.err).isZero();
        assertThat(sqlAs("erin", "erin-pw-02", "SELECT 1").exit).isZero();
        assertThat(sqlAs("erin", "erin-pw-01", "SELECT 1").exit).isEqualTo(1);
    }

    @Test
    void loginPasswordAskedOnTheConsoleWhenNotGiven() throws IOException {
        Run r = runWithConsole(Map.of(), "", new Answers(ADMIN_PASSWORD), conn("status", "--json"));
        assertThat(r.exit).as(r.err).isZero();
        assertThat(r.json().get("database").asText()).isEqualTo("db");
    }

    @Test
    void aNewPasswordIsRequired() {
        Run r = admin("users", "add", "frank", "--role", "user");
        assertThat(r.exit).isEqualTo(2);
        assertThat(r.err).contains("No new password").contains("TETRA_NEW_PASSWORD");
        assertThat(r.out).isEmpty();
    }

    @Test
    void aShortNewPasswordIsRefused() {
        Run r = run(env(ADMIN_PASSWORD, "short"), "", conn("users", "add", "gina", "--role", "user"));
        assertThat(r.exit).isEqualTo(1);
        assertThat(r.err).startsWith("tetra-admin: error 2010: ");
    }

    @Test
    void anUnknownRoleIsAUsageError() {
        Run r = run(env(ADMIN_PASSWORD, "henry-pw-1"), "", conn("users", "add", "henry", "--role", "boss"));
        assertThat(r.exit).isEqualTo(2);
        assertThat(r.err).contains("'boss' is no role");
    }

    // ------------------------------------------------------------------ failures

    @Test
    void wrongPasswordFailsWith2002() {
        Run r = run(env("not-the-password"), "", conn("status"));
        assertThat(r.exit).isEqualTo(1);
        assertThat(r.out).isEmpty();
        assertThat(r.err).startsWith("tetra-admin: error 2002: ");
    }

    @Test
    void missingPasswordIsAUsageError() {
        Run r = run(Map.of(), "", conn("status"));
        assertThat(r.exit).isEqualTo(2);
        assertThat(r.err).contains("No password").contains("TETRA_PASSWORD").contains("--password-file");
    }

    @Test
    void unreachableServerFailsWith2011() throws IOException {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        Run r = run(env(ADMIN_PASSWORD), "", "--host", "127.0.0.1", "--port", String.valueOf(closedPort), "status");
        assertThat(r.exit).isEqualTo(1);
        assertThat(r.err).startsWith("tetra-admin: error 2011: ");
    }

    @Test
    void sqlErrorFailsWith2006AndItsSqlState() {
        Run r = admin("sql", "-e", "SELECT * FROM NO_SUCH_TABLE");
        assertThat(r.exit).isEqualTo(1);
        // 42S02 (table not found), or 42S04 while the schema has no table at all
        assertThat(r.err).startsWith("tetra-admin: error 2006: ").contains("NO_SUCH_TABLE")
                .containsPattern("\\(SQLState 42S0[24]\\)\\R$");
    }

    @Test
    void readerCannotWrite() {
        assertThat(admin("sql", "-e", "CREATE TABLE READ_ONLY_T(ID INT); INSERT INTO READ_ONLY_T VALUES (7)").exit)
                .isZero();
        assertThat(run(env(ADMIN_PASSWORD, "rita-pw-01"), "", conn("users", "add", "rita", "--role", "reader")).exit)
                .isZero();

        Run read = sqlAs("rita", "rita-pw-01", "SELECT ID FROM READ_ONLY_T");
        assertThat(read.exit).as(read.err).isZero();
        assertThat(read.out).contains("(1 row)");

        Run write = sqlAs("rita", "rita-pw-01", "INSERT INTO READ_ONLY_T VALUES (8)");
        assertThat(write.exit).isEqualTo(1);
        assertThat(write.err).startsWith("tetra-admin: error 2007: ");
        assertThat(admin("sql", "-e", "SELECT COUNT(*) FROM READ_ONLY_T").out).containsPattern("(?m)^ +1$");
    }

    @Test
    void nonAdminsMayNotAdminister() {
        assertThat(run(env(ADMIN_PASSWORD, "uma-pw-001"), "", conn("users", "add", "uma", "--role", "user")).exit)
                .isZero();
        for (String[] command : new String[][] {{"status"}, {"users", "list"}, {"sessions", "list"}, {"log", "new"}}) {
            Run r = run(env("uma-pw-001"), "", conn(concat(new String[] {"--user", "uma"}, command)));
            assertThat(r.exit).as(String.join(" ", command)).isEqualTo(1);
            assertThat(r.out).isEmpty();
            assertThat(r.err).as(String.join(" ", command)).startsWith("tetra-admin: error 2003: ");
        }
        assertThat(sqlAs("uma", "uma-pw-001", "SELECT 1").exit).isZero();
    }

    @Test
    void unknownOptionIsAUsageError() {
        Run r = admin("status", "--frobnicate");
        assertThat(r.exit).isEqualTo(2);
        assertThat(r.err).contains("Unknown option: '--frobnicate'").contains("Usage: tetra-admin status");
        assertThat(r.out).isEmpty();
    }

    @Test
    void unknownOrMissingCommandIsAUsageError() {
        assertThat(admin("frobnicate").exit).isEqualTo(2);
        assertThat(admin().exit).isEqualTo(2);
        Run sessions = admin("sessions");
        assertThat(sessions.exit).isEqualTo(2);
        assertThat(sessions.err).contains("Missing subcommand");
        assertThat(admin("sessions", "kill", "not-a-number").exit).isEqualTo(2);
        Run backup = admin("backup");
        assertThat(backup.exit).isEqualTo(2);
        assertThat(backup.err).contains("Missing subcommand: start, stop or status.");
        Run log = admin("log");
        assertThat(log.exit).isEqualTo(2);
        assertThat(log.err).contains("Missing subcommand: status, show or new.");
    }

    @Test
    void helpGoesToStdout() {
        Run r = run(Map.of(), "", "--help");
        assertThat(r.exit).isZero();
        assertThat(r.out).contains("Usage: tetra-admin").contains("status").contains("backup").contains("sessions")
                .contains("users").contains("sql");
    }

    // ------------------------------------------------------------------ sql

    @Test
    void sqlExecutePrintsTablesAndUpdateCounts() {
        Run r = admin("sql", "-e", "CREATE TABLE PEOPLE(ID INT PRIMARY KEY, NAME VARCHAR(40), BORN DATE); "
                + "INSERT INTO PEOPLE VALUES (1, 'Ada', DATE '1815-12-10'), (10, 'Grace; Hopper', NULL); "
                + "SELECT ID, NAME, BORN FROM PEOPLE ORDER BY ID");
        assertThat(r.exit).as(r.err).isZero();
        assertThat(r.err).isEmpty();
        assertThat(r.out).isEqualTo(String.join(System.lineSeparator(),
                "OK",
                "",
                "2 row(s) affected",
                "",
                "ID | NAME          | BORN",
                "---+---------------+-----------",
                " 1 | Ada           | 1815-12-10",
                "10 | Grace; Hopper | NULL",
                "(2 rows)",
                ""));
    }

    @Test
    void sqlExecuteAsJson() throws IOException {
        Run r = admin("--json", "sql", "-e", "CREATE TABLE J(ID INT PRIMARY KEY, NAME VARCHAR(20), PRICE DECIMAL(8,2), "
                + "OK BOOLEAN, BIN VARBINARY(4)); INSERT INTO J VALUES (1, 'x;y', 2.50, TRUE, X'cafe'), "
                + "(2, NULL, NULL, FALSE, NULL)", "-e", "UPDATE J SET NAME = 'z' WHERE ID = 2; SELECT * FROM J ORDER BY ID");
        assertThat(r.exit).as(r.err).isZero();
        JsonNode a = r.json();
        assertThat(a.size()).isEqualTo(4);
        assertThat(a.get(0).get("kind").asText()).isEqualTo("structure_write");
        assertThat(a.get(1).get("statement").asText()).startsWith("INSERT INTO J VALUES");
        assertThat(a.get(1).get("kind").asText()).isEqualTo("data_write");
        assertThat(a.get(1).get("updateCount").asLong()).isEqualTo(2);
        assertThat(a.get(2).get("updateCount").asLong()).isEqualTo(1);
        JsonNode q = a.get(3);
        assertThat(q.get("statement").asText()).isEqualTo("SELECT * FROM J ORDER BY ID");
        assertThat(q.get("kind").asText()).isEqualTo("read");
        assertThat(q.get("rowCount").asLong()).isEqualTo(2);
        List<String> labels = new ArrayList<>();
        q.get("columns").forEach(c -> labels.add(c.get("label").asText()));
        assertThat(labels).containsExactly("ID", "NAME", "PRICE", "OK", "BIN");
        assertThat(q.get("columns").get(0).get("type").asText()).isEqualTo("INTEGER");
        JsonNode row1 = q.get("rows").get(0);
        assertThat(row1.get(0).isIntegralNumber()).isTrue();
        assertThat(row1.get(0).asInt()).isEqualTo(1);
        assertThat(row1.get(1).asText()).isEqualTo("x;y");
        assertThat(row1.get(2).decimalValue()).isEqualByComparingTo("2.50");
        assertThat(row1.get(3).asBoolean()).isTrue();
        assertThat(row1.get(4).asText()).isEqualTo("cafe");
        JsonNode row2 = q.get("rows").get(1);
        assertThat(row2.get(1).asText()).isEqualTo("z");
        assertThat(row2.get(2).isNull()).isTrue();
        assertThat(row2.get(4).isNull()).isTrue();
    }

    @Test
    void sqlJsonStopsAtTheFirstErrorAndStaysValidJson() throws IOException {
        Run r = admin("sql", "--json", "-e", "SELECT 1 AS ONE; SELECT * FROM NOT_THERE; SELECT 2");
        assertThat(r.exit).isEqualTo(1);
        assertThat(r.err).startsWith("tetra-admin: error 2006: ").containsPattern("\\(SQLState 42S0[24]\\)");
        JsonNode a = r.json();
        assertThat(a.size()).isEqualTo(2);
        assertThat(a.get(0).get("rows").get(0).get(0).asInt()).isEqualTo(1);
        assertThat(a.get(1).get("statement").asText()).isEqualTo("SELECT * FROM NOT_THERE");
        assertThat(a.get(1).get("error").get("code").asInt()).isEqualTo(2006);
        assertThat(a.get(1).get("error").get("sqlState").asText()).matches("42S0[24]");
    }

    @Test
    void sqlShellRunsAMultiStatementScriptFromStdin() {
        String script = String.join("\n",
                "-- a script with everything the splitter must get right",
                "CREATE TABLE SCRIPT_T(ID INT PRIMARY KEY, NOTE VARCHAR(100));",
                "INSERT INTO SCRIPT_T VALUES (1, 'semi;colon'), (2, 'it''s; quoted'); -- trailing; comment",
                "/* a block; comment */ INSERT INTO SCRIPT_T",
                "  VALUES (3, '-- not a comment');",
                "INSERT INTO \"SCRIPT_T\" VALUES (4, $$dollar; quoted$$);",
                "BEGIN; INSERT INTO SCRIPT_T VALUES (5, 'rolled back'); ROLLBACK;",
                "UPDATE SCRIPT_T SET NOTE = NOTE || '!' WHERE ID > 2;",
                "SELECT ID, NOTE FROM SCRIPT_T ORDER BY ID");
        Run r = run(env(ADMIN_PASSWORD), script, conn("sql"));
        assertThat(r.exit).as(r.err).isZero();
        assertThat(r.err).isEmpty();
        assertThat(r.out).contains("2 row(s) affected")
                .contains(String.join(System.lineSeparator(),
                        "ID | NOTE",
                        "---+------------------",
                        " 1 | semi;colon",
                        " 2 | it's; quoted",
                        " 3 | -- not a comment!",
                        " 4 | dollar; quoted!",
                        "(4 rows)"));
        assertThat(r.out).doesNotContain("rolled back").doesNotContain("tetra=>");
    }

    @Test
    void sqlScriptStopsAtTheFirstError() throws IOException {
        String script = "CREATE TABLE STOP_T(ID INT);\nINSERT INTO STOP_T VALUES (1);\nINSERT INTO NOPE VALUES (2);\n"
                + "INSERT INTO STOP_T VALUES (3);\n";
        Run r = run(env(ADMIN_PASSWORD), script, conn("sql"));
        assertThat(r.exit).isEqualTo(1);
        assertThat(r.err).startsWith("tetra-admin: error 2006: ").contains("NOPE");
        assertThat(admin("sql", "--json", "-e", "SELECT COUNT(*) AS N FROM STOP_T").json().get(0).get("rows")
                .get(0).get(0).asInt()).isEqualTo(1);
    }

    @Test
    void interactiveShellPromptsGoesOnAfterErrorsAndQuits() {
        String typed = "SELECT\n1;\nSELECT * FROM NOPE;\nSELECT 6 * 7 AS X;\nexit\nSELECT 'never';\n";
        Run r = run(env(ADMIN_PASSWORD), typed, SecretPrompt.none(), true, conn("sql"));
        assertThat(r.exit).as(r.err).isZero();
        assertThat(r.out).contains("Connected to Tetra").contains("tetra=> ").contains("tetra-> ")
                .containsPattern("(?m)^ *42$").doesNotContain("never");
        assertThat(r.err).startsWith("tetra-admin: error 2006: ").contains("NOPE");
    }

    @Test
    void sqlScriptAsJson() throws IOException {
        Run r = run(env(ADMIN_PASSWORD), "SELECT X FROM SYSTEM_RANGE(1, 3) ORDER BY X;\nVALUES (1, 'one')",
                conn("sql", "--json"));
        assertThat(r.exit).as(r.err).isZero();
        JsonNode a = r.json();
        assertThat(a.size()).isEqualTo(2);
        assertThat(a.get(0).get("rowCount").asInt()).isEqualTo(3);
        assertThat(a.get(0).get("rows").get(2).get(0).asLong()).isEqualTo(3);
        assertThat(a.get(1).get("rows").get(0).get(1).asText()).isEqualTo("one");
    }

    @Test
    void anUnknownWaitPolicyIsAUsageError() {
        Run r = admin("sql", "--wait-policy", "sometimes", "-e", "SELECT 1");
        assertThat(r.exit).isEqualTo(2);
        assertThat(r.err).contains("--wait-policy").contains("unknown wait policy 'sometimes'");
        assertThat(r.out).isEmpty();
    }

    // ------------------------------------------------------------------ backup

    /**
     * Backups through {@code tetra-admin}. Backups are the server's (one at a time), so
     * each test leaves none running; a test that needs one held with its write gate
     * closed uses {@link #holdBackupsAtTheGate()}.
     */
    @Nested
    @Timeout(120)
    class Backups {
        private static final String WAIT_PROMPT = "Database backup %d in progress (0.0%%) — your statement waits. "
                + "Press c then Enter to cancel, Enter to keep waiting.";
        private static final String BACKUP_IN_PROGRESS = "tetra-admin: error -9976: This command cannot be executed "
                + "because the database backup is in progress.";

        private TetraClient client;
        private CountDownLatch release;
        private CountDownLatch gateClosed;

        @BeforeEach
        void connectAndCheckIdle() {
            client = connect("admin", ADMIN_PASSWORD, "it-backups");
            assertThat(client.admin().backupStatus().getState()).isEqualTo("IDLE");
        }

        @AfterEach
        void releaseAndWaitForTheEnd() {
            if (release != null) {
                release.countDown();
            }
            server.backups().onGateClosed(null);
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> client.admin().backupStatus().getState().equals("IDLE"));
            client.close();
        }

        /** The next backup stops with its write gate closed until {@link #release} is counted down. */
        private void holdBackupsAtTheGate() {
            release = new CountDownLatch(1);
            gateClosed = new CountDownLatch(1);
            CountDownLatch released = release;
            CountDownLatch closed = gateClosed;
            server.backups().onGateClosed(n -> {
                closed.countDown();
                try {
                    released.await(100, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }

        @Test
        void logNewArchivesASegmentThatTheHistoryLists() throws Exception {
            Run r = admin("--json", "log", "new");
            assertThat(r.exit).as(r.err).isZero();
            JsonNode n = JSON.readTree(r.out);
            String file = n.path("file").asText();
            assertThat(file).matches("db-\\d{4}-\\d{2}\\.journal\\.zst");
            assertThat(n.path("sha256").asText()).hasSize(64);
            assertThat(n.path("lastOperation").asLong()).isGreaterThanOrEqualTo(n.path("firstOperation").asLong() - 1);
            Run text = admin("log", "new");
            assertThat(text.exit).as(text.err).isZero();
            assertThat(text.out).startsWith("Archived db-").contains("SHA-256 ");

            Run h = admin("--json", "backup", "history");
            assertThat(h.exit).as(h.err).isZero();
            JsonNode history = JSON.readTree(h.out);
            List<String> files = new java.util.ArrayList<>();
            history.path("logSegments").forEach(x -> files.add(x.path("file").asText()));
            history.path("archives").forEach(a -> a.path("logSegments").forEach(x -> files.add(x.path("file").asText())));
            assertThat(files).contains(file);
            assertThat(admin("backup", "history").out).contains(file);

            long number = startHeldBackup();
            Run during = admin("log", "new");
            assertThat(during.exit).isEqualTo(1);
            assertThat(during.err).startsWith("tetra-admin: error 1419: ").contains("Backup " + number);
        }

        /** Starts a backup held at the gate; returns its number once the gate is closed. */
        private long startHeldBackup() throws InterruptedException {
            holdBackupsAtTheGate();
            long n = client.admin().startBackup().getBackupNumber();
            assertThat(gateClosed.await(60, TimeUnit.SECONDS)).as("the gate of backup %d closed", n).isTrue();
            return n;
        }

        private BackupRecord awaitEnd(long n) {
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                var s = client.admin().backupStatus();
                return s.getState().equals("IDLE") && s.getLast().getNumber() == n;
            });
            return client.admin().backupStatus().getLast();
        }

        private Path archive(long n) {
            return tempDir.resolve("db-backups").resolve(String.format(Locale.ROOT, "db-%04d.tar.zst", n));
        }

        private long count(String table) {
            return ((Number) client.execute("SELECT COUNT(*) FROM " + table).rows().get(0).get(0)).longValue();
        }

        @Test
        void startPrintsTheNumberAndArchiveAsTextAndJson() throws IOException {
            Run text = admin("backup", "start");
            assertThat(text.exit).as(text.err).isZero();
            assertThat(text.err).isEmpty();
            Matcher m = Pattern.compile("Backup ([0-9]+) started; archive: (.+)\\R").matcher(text.out);
            assertThat(m.matches()).as(text.out).isTrue();
            long n = Long.parseLong(m.group(1));
            assertThat(Path.of(m.group(2))).isEqualTo(archive(n));
            assertThat(awaitEnd(n).getStatus()).isEqualTo("SUCCESS");
            assertThat(awaitEnd(n).getOutcome()).isEqualTo(BackupOutcome.BACKUP_SUCCESS);
            assertThat(client.admin().backupStatus().getRunState()).isEqualTo(BackupRunState.BACKUP_IDLE);
            assertThat(archive(n)).isRegularFile();

            Run json = admin("backup", "start", "--json");
            assertThat(json.exit).as(json.err).isZero();
            JsonNode started = json.json();
            assertThat(started.get("number").asLong()).isEqualTo(n + 1);
            assertThat(Path.of(started.get("archive").asText())).isEqualTo(archive(n + 1));
            assertThat(awaitEnd(n + 1).getStatus()).isEqualTo("SUCCESS");
            assertThat(archive(n + 1)).isRegularFile();
        }

        @Test
        void startFollowPrintsTheOutcome() throws IOException {
            Run text = admin("backup", "start", "--follow");
            assertThat(text.exit).as(text.err).isZero();
            Matcher m = Pattern.compile("(?s)Backup ([0-9]+) started; archive: (\\S+)\\R"
                    + "Backup \\1 finished: SUCCESS in [0-9]+s; archive: \\2 \\([0-9.]+ (B|KiB|MiB)\\)\\.\\R")
                    .matcher(text.out);
            assertThat(m.matches()).as(text.out).isTrue();
            long n = Long.parseLong(m.group(1));
            assertThat(archive(n)).isRegularFile();
            assertThat(text.err).doesNotContain("error");

            Run json = admin("--json", "backup", "start", "--follow");
            assertThat(json.exit).as(json.err).isZero();
            JsonNode end = json.json();
            assertThat(end.get("number").asLong()).isEqualTo(n + 1);
            assertThat(end.get("status").asText()).isEqualTo("SUCCESS");
            assertThat(end.get("errorCode").isNull()).isTrue();
            assertThat(Path.of(end.get("archive").asText())).isEqualTo(archive(n + 1));
            assertThat(end.get("archiveSize").asLong()).isEqualTo(Files.size(archive(n + 1)));
        }

        @Test
        void ctrlCAnsweredYesStopsTheBackup() throws Exception {
            holdBackupsAtTheGate();
            TestInterrupts ctrlC = new TestInterrupts();
            Live live = new Live("y\n", false, ctrlC, conn("backup", "start", "--follow"));
            assertThat(gateClosed.await(60, TimeUnit.SECONDS)).isTrue();
            long n = client.admin().backupStatus().getProgress().getBackupNumber();
            // Progress events reach the bar while the backup is held.
            await().atMost(Duration.ofSeconds(30)).until(() -> live.err().contains("Backup " + n + " ["));
            assertThat(live.out()).startsWith("Backup " + n + " started; archive: " + archive(n));
            assertThat(ctrlC.installed()).isTrue();

            ctrlC.fire();
            await().atMost(Duration.ofSeconds(30)).until(() -> live.err().contains("Stopping backup " + n + "..."));
            assertThat(live.err()).contains("Stop backup " + n + "? [y/N] ");
            release.countDown();

            Run r = live.finish();
            assertThat(r.exit).as(r.err).isEqualTo(1);
            assertThat(r.err).containsPattern("(?m)^tetra-admin: error 1406: Backup " + n + " was stopped by admin\\.$");
            assertThat(r.out).containsPattern("Backup " + n + " ended: STOPPED in [0-9]+s\\.\\R");
            BackupRecord last = awaitEnd(n);
            assertThat(last.getStatus()).isEqualTo("STOPPED");
            assertThat(last.getErrorCode()).isEqualTo(1406);
            assertThat(archive(n)).doesNotExist();
            assertThat(ctrlC.installed()).as("Ctrl-C handling given back").isFalse();
        }

        @Test
        void ctrlCAnsweredNoKeepsFollowing() throws Exception {
            holdBackupsAtTheGate();
            TestInterrupts ctrlC = new TestInterrupts();
            Live live = new Live("n\n", false, ctrlC, conn("backup", "start", "--follow"));
            assertThat(gateClosed.await(60, TimeUnit.SECONDS)).isTrue();
            long n = client.admin().backupStatus().getProgress().getBackupNumber();
            await().atMost(Duration.ofSeconds(30)).until(() -> live.err().contains("Backup " + n + " [")
                    && ctrlC.installed());

            ctrlC.fire();
            await().atMost(Duration.ofSeconds(30)).until(() -> live.err().contains("Backup " + n + " goes on."));
            assertThat(live.err()).contains("Stop backup " + n + "? [y/N] ");
            assertThat(live.exit.isDone()).as("still following").isFalse();
            release.countDown();

            Run r = live.finish();
            assertThat(r.exit).as(r.err).isZero();
            assertThat(r.out).contains("Backup " + n + " finished: SUCCESS");
            assertThat(r.err).doesNotContain("error");
            assertThat(awaitEnd(n).getStatus()).isEqualTo("SUCCESS");
            assertThat(awaitEnd(n).getOutcome()).isEqualTo(BackupOutcome.BACKUP_SUCCESS);
            assertThat(client.admin().backupStatus().getRunState()).isEqualTo(BackupRunState.BACKUP_IDLE);
            assertThat(archive(n)).isRegularFile();
        }

        @Test
        void statusIsRunningWhileHeldThenIdleWithEveryField() throws Exception {
            client.execute("CREATE TABLE BACKUP_STATUS_T(ID INT PRIMARY KEY)");
            long n = startHeldBackup();
            try (TetraClient writer = connect("admin", ADMIN_PASSWORD, "it-writer");
                 TetraClient quitter = connect("admin", ADMIN_PASSWORD, "it-quitter")) {
                BlockingQueue<BackupWaitNotice> waits = new LinkedBlockingQueue<>();
                writer.onBackupWait(waits::add);
                quitter.onBackupWait(waits::add);
                TetraFuture<Result> queued = writer.executeAsync("INSERT INTO BACKUP_STATUS_T VALUES (1)");
                assertThat(waits.poll(30, TimeUnit.SECONDS)).isNotNull();
                TetraFuture<Result> cancelled = quitter.executeAsync("INSERT INTO BACKUP_STATUS_T VALUES (2)");
                BackupWaitNotice second = waits.poll(30, TimeUnit.SECONDS);
                assertThat(second).isNotNull();
                second.cancel();
                assertThatThrownBy(() -> cancelled.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(TetraException.class);

                Run running = admin("backup", "status", "--json");
                assertThat(running.exit).as(running.err).isZero();
                JsonNode s = running.json();
                assertThat(s.get("state").asText()).isEqualTo("RUNNING");
                JsonNode p = s.get("progress");
                assertThat(p.get("backupNumber").asLong()).isEqualTo(n);
                assertThat(p.get("phase").asText()).isEqualTo("waiting for transactions");
                assertThat(p.get("bytesDone").asLong()).isZero();
                assertThat(p.get("bytesTotal").asLong()).isPositive();
                assertThat(p.get("currentFile").isTextual()).isTrue();
                assertThat(p.get("bytesPerSecond").isNumber()).isTrue();
                assertThat(p.get("etaMillis").isNumber()).isTrue();
                assertThat(p.get("queuedWrites").asInt()).isEqualTo(1);
                assertThat(p.get("percent").asDouble()).isCloseTo(0.0, within(0.001));

                Run runningText = admin("backup", "status");
                assertThat(runningText.exit).as(runningText.err).isZero();
                assertThat(runningText.out).contains("State:            RUNNING")
                        .contains("Backup:           " + n)
                        .contains("Phase:            waiting for transactions")
                        .containsPattern("Progress:         0\\.0% \\(0 B of [0-9.]+ (B|KiB|MiB)\\)")
                        .contains("Queued writes:    1");

                release.countDown();
                assertThat(queued.get(30, TimeUnit.SECONDS).updateCount()).isEqualTo(1);
            }
            awaitEnd(n);

            Run idle = admin("backup", "status", "--json");
            assertThat(idle.exit).as(idle.err).isZero();
            JsonNode s = idle.json();
            assertThat(s.get("state").asText()).isEqualTo("IDLE");
            assertThat(s.get("progress").isNull()).isTrue();
            JsonNode last = s.get("last");
            assertThat(last.get("number").asLong()).isEqualTo(n);
            assertThat(last.get("status").asText()).isEqualTo("SUCCESS");
            assertThat(last.get("errorCode").isNull()).isTrue();
            assertThat(last.get("errorMessage").isNull()).isTrue();
            Instant start = Instant.parse(last.get("start").asText());
            Instant end = Instant.parse(last.get("end").asText());
            assertThat(end).isAfterOrEqualTo(start).isBeforeOrEqualTo(Instant.now());
            assertThat(last.get("durationMillis").asLong()).isEqualTo(end.toEpochMilli() - start.toEpochMilli());
            assertThat(Path.of(last.get("archive").asText())).isEqualTo(archive(n));
            assertThat(last.get("archiveSize").asLong()).isEqualTo(Files.size(archive(n)));
            assertThat(last.get("writesQueued").asInt()).isEqualTo(2);
            assertThat(last.get("writesCancelled").asInt()).isEqualTo(1);
            assertThat(last.has("nextScheduled")).isTrue();
            assertThat(last.get("nextScheduled").isNull()).isTrue();
            assertThat(last.get("verification").asText()).isEqualTo("VERIFIED");
            assertThat(last.get("hookExitCode").isNull()).isTrue();
            assertThat(last.get("hook").isNull()).isTrue();
            assertThat(last.get("keyFingerprint").isNull()).as("not encrypted").isTrue();
            assertThat(last.size()).as(last.toString()).isEqualTo(16);

            Run idleText = admin("backup", "status");
            assertThat(idleText.exit).as(idleText.err).isZero();
            assertThat(idleText.out).startsWith("State:            IDLE")
                    .contains("Last backup:      " + n)
                    .contains("Status:           SUCCESS")
                    .contains("Error:            none")
                    .containsPattern("Started:          [0-9]{4}-[0-9]{2}-[0-9]{2} ")
                    .containsPattern("Duration:         [0-9]+s")
                    .contains("Archive:          " + archive(n))
                    .contains("Archive size:     ")
                    .contains("(" + Files.size(archive(n)) + " bytes)")
                    .contains("Writes queued:    2")
                    .contains("Writes cancelled: 1")
                    .contains("Verified:         yes (every checksum re-read)")
                    .contains("Next scheduled:   none");
            assertThat(count("BACKUP_STATUS_T")).isEqualTo(1);
        }

        @Test
        void stopEndsTheRunningBackupAndWaitsForItsEnd() throws Exception {
            long n = startHeldBackup();
            Live live = new Live("", false, InterruptSource.none(), conn("backup", "stop"));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> live.out().contains("Stop requested for backup " + n + "; waiting for it to end."));
            release.countDown();
            Run r = live.finish();
            assertThat(r.exit).as(r.err).isZero();
            assertThat(r.out).endsWith("Backup " + n + " stopped." + System.lineSeparator());
            BackupRecord last = awaitEnd(n);
            assertThat(last.getStatus()).isEqualTo("STOPPED");
            assertThat(last.getErrorCode()).isEqualTo(1406);
            assertThat(archive(n)).doesNotExist();

            Run none = admin("backup", "stop");
            assertThat(none.exit).isEqualTo(1);
            assertThat(none.out).isEmpty();
            assertThat(none.err).isEqualTo("tetra-admin: error 2010: No backup is running." + System.lineSeparator());
        }

        @Test
        void aSecondStartWhileOneRunsFailsWith1419() throws Exception {
            long n = startHeldBackup();
            for (String[] start : new String[][] {{"backup", "start"}, {"backup", "start", "--follow"}}) {
                Run r = admin(start);
                assertThat(r.exit).as(String.join(" ", start)).isEqualTo(1);
                assertThat(r.out).isEmpty();
                assertThat(r.err).startsWith("tetra-admin: error 1419: ").contains("Backup " + n);
            }
            release.countDown();
            assertThat(awaitEnd(n).getStatus()).isEqualTo("SUCCESS");
        }

        @Test
        void failFastWriteFailsWith9976WhileTheGateIsClosed() throws Exception {
            client.execute("CREATE TABLE FAIL_FAST_T(ID INT PRIMARY KEY)");
            long n = startHeldBackup();
            Run r = admin("sql", "--wait-policy", "fail-fast", "-e", "INSERT INTO FAIL_FAST_T VALUES (1)");
            assertThat(r.exit).isEqualTo(1);
            assertThat(r.out).isEmpty();
            assertThat(r.err).isEqualTo(BACKUP_IN_PROGRESS + System.lineSeparator());

            Run atMost = admin("sql", "--wait-policy", "wait-at-most=300ms", "-e", "INSERT INTO FAIL_FAST_T VALUES (2)");
            assertThat(atMost.exit).isEqualTo(1);
            assertThat(atMost.err).contains("it runs when the backup ends, or fails with -9976 after 300ms.")
                    .endsWith(BACKUP_IN_PROGRESS + System.lineSeparator());

            assertThat(count("FAIL_FAST_T")).as("reads go on while the gate is closed").isZero();
            release.countDown();
            assertThat(awaitEnd(n).getWritesCancelled()).isEqualTo(2);
            assertThat(count("FAIL_FAST_T")).isZero();
        }

        @Test
        void aScriptWaitsWithANoticeOnStderr() throws Exception {
            client.execute("CREATE TABLE SCRIPT_WAIT_T(ID INT PRIMARY KEY)");
            long n = startHeldBackup();
            Live live = new Live("", false, InterruptSource.none(),
                    conn("sql", "-e", "INSERT INTO SCRIPT_WAIT_T VALUES (1); SELECT COUNT(*) AS N FROM SCRIPT_WAIT_T"));
            String notice = "tetra-admin: the statement waits for database backup " + n
                    + " in progress (0.0%); it runs when the backup ends." + System.lineSeparator();
            await().atMost(Duration.ofSeconds(30)).until(() -> live.err().equals(notice));
            assertThat(live.out()).isEmpty();
            release.countDown();
            Run r = live.finish();
            assertThat(r.exit).as(r.err).isZero();
            assertThat(r.err).isEqualTo(notice);
            assertThat(r.out).startsWith("1 row(s) affected").containsPattern("(?m)^ *1$");
        }

        @Test
        void theShellCancelsAWaitingStatementWhenTheUserTypesC() throws Exception {
            client.execute("CREATE TABLE SHELL_CANCEL_T(ID INT PRIMARY KEY)");
            long n = startHeldBackup();
            Live live = new Live("INSERT INTO SHELL_CANCEL_T VALUES (1);\nc\n", true, InterruptSource.none(),
                    conn("sql"));
            Run r = live.finish();
            assertThat(r.exit).as(r.err).isZero();
            assertThat(r.out).contains(String.format(Locale.ROOT, WAIT_PROMPT, n)).contains("Cancelling the statement.")
                    .doesNotContain("row(s) affected");
            assertThat(r.err).isEqualTo(BACKUP_IN_PROGRESS + System.lineSeparator());
            assertThat(count("SHELL_CANCEL_T")).isZero();
            release.countDown();
            assertThat(awaitEnd(n).getWritesCancelled()).isEqualTo(1);
            assertThat(count("SHELL_CANCEL_T")).as("a cancelled write never runs").isZero();
        }

        @Test
        void theShellKeepsWaitingOnEnterAndShowsTheResultAfterTheBackup() throws Exception {
            client.execute("CREATE TABLE SHELL_WAIT_T(ID INT PRIMARY KEY)");
            long n = startHeldBackup();
            Live live = new Live("INSERT INTO SHELL_WAIT_T VALUES (1);\n\n", true, InterruptSource.none(),
                    conn("sql"));
            String prompt = String.format(Locale.ROOT, WAIT_PROMPT, n);
            await().atMost(Duration.ofSeconds(30)).until(() -> live.out().contains(prompt)
                    && live.out().contains("Still waiting for backup " + n + " (0.0%). Press c then Enter to cancel.")
                    && live.out().contains("Backup " + n + " ["));
            assertThat(live.out()).doesNotContain("row(s) affected");
            assertThat(count("SHELL_WAIT_T")).isZero();
            release.countDown();
            Run r = live.finish();
            assertThat(r.exit).as(r.err).isZero();
            assertThat(r.err).isEmpty();
            assertThat(r.out.indexOf("1 row(s) affected")).isGreaterThan(r.out.indexOf(prompt));
            assertThat(count("SHELL_WAIT_T")).isEqualTo(1);
            assertThat(awaitEnd(n).getStatus()).isEqualTo("SUCCESS");
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Ctrl-C pressed by the test. */
    private static final class TestInterrupts implements InterruptSource {
        private final AtomicReference<Runnable> handler = new AtomicReference<>();

        @Override
        public Registration install(Runnable h) {
            handler.set(h);
            return () -> handler.set(null);
        }

        boolean installed() {
            return handler.get() != null;
        }

        void fire() {
            handler.get().run();
        }
    }

    /** {@code tetra-admin} running on a thread of its own, its output readable while it runs. */
    private static final class Live {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final CompletableFuture<Integer> exit = new CompletableFuture<>();

        Live(String stdin, boolean interactive, InterruptSource interrupts, String... args) {
            PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
            PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
            Thread t = new Thread(() -> {
                try {
                    exit.complete(AdminMain.run(args, o, e,
                            new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), env(ADMIN_PASSWORD),
                            SecretPrompt.none(), interactive, interrupts));
                } catch (Throwable x) {
                    exit.completeExceptionally(x);
                }
            }, "it-tetra-admin");
            t.setDaemon(true);
            t.start();
        }

        String out() {
            return out.toString(StandardCharsets.UTF_8);
        }

        String err() {
            return err.toString(StandardCharsets.UTF_8);
        }

        Run finish() throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
            int code = exit.get(60, TimeUnit.SECONDS);
            return new Run(code, out(), err());
        }
    }

    // ------------------------------------------------------------------ backup settings, history, journal

    @Test
    void backupSettingsAreShownChangedAndABadValueIsRefusedWithItsKey() throws IOException {
        Run show = admin("--json", "backup", "settings", "show");
        assertThat(show.exit).as(show.err).isZero();
        assertThat(show.json().path("effective").path("archive").path("compression").asText()).isEqualTo("fast");
        try {
            Run set = admin("backup", "settings", "set", "retention.keepLast=9", "onFailure.retryAfter=2m");
            assertThat(set.exit).as(set.err).isZero();
            assertThat(set.out).contains("saved");
            Run bad = admin("backup", "settings", "set", "retention.keepLast=4", "archive.compression=zip");
            assertThat(bad.exit).isEqualTo(1);
            assertThat(bad.err).contains("error 2010").contains("archive.compression");
            JsonNode effective = admin("--json", "backup", "settings", "show").json().path("effective");
            assertThat(effective.path("retention").path("keepLast").asInt()).isEqualTo(9);
            assertThat(effective.path("onFailure").path("retryAfter").asText()).isEqualTo("PT2M");
            Run text = admin("backup", "settings", "show");
            assertThat(text.out).contains("keepLast: 9");
            assertThat(admin("backup", "settings", "set", "nonsense").exit).isEqualTo(2);
        } finally {
            admin("backup", "settings", "set", "retention.keepLast=", "onFailure.retryAfter=");
        }
    }

    @Test
    void backupHistoryAndJournalShowWhatRan() throws IOException {
        long number;
        try (TetraClient c = connect("admin", ADMIN_PASSWORD, "history-test")) {
            number = c.admin().startBackup(false).getBackupNumber();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() ->
                    c.admin().backupStatus().getState().equals("IDLE")
                            && c.admin().backupStatus().getLast().getNumber() == number);
        }
        Run history = admin("--json", "backup", "history");
        assertThat(history.exit).as(history.err).isZero();
        JsonNode archives = history.json().path("archives");
        assertThat(find(archives, "number", number)).isNotNull();
        assertThat(find(archives, "number", number).path("status").asText()).isEqualTo("SUCCESS");
        assertThat(find(archives, "number", number).path("verification").asText()).isEqualTo("VERIFIED");
        // The log segment archived with it, with its range and checksum.
        JsonNode segment = find(archives, "number", number).path("logSegments").get(0);
        assertThat(segment.path("file").asText()).isEqualTo(String.format("db-%04d.journal.zst", number));
        assertThat(segment.path("lastOperation").asLong())
                .isEqualTo(find(archives, "number", number).path("lastOperation").asLong());
        assertThat(segment.path("sha256").asText()).hasSize(64);
        Run text = admin("backup", "history");
        assertThat(text.exit).isZero();
        assertThat(text.out).contains(String.format("db-%04d.journal.zst", number))
                .contains(String.format("db-%04d.tar.zst", number)).containsPattern("\\([0-9]+ archives?\\)")
                .contains("VERIFIED").contains("verified");

        Run journal = admin("backup", "journal", "--tail", "3");
        assertThat(journal.exit).as(journal.err).isZero();
        assertThat(journal.out.strip().split("\n")).hasSizeLessThanOrEqualTo(3);
        JsonNode all = admin("--json", "backup", "journal").json();
        JsonNode start = null;
        for (JsonNode l : all) {
            if (l.path("number").asLong() == number && l.path("event").asText().equals("start")) {
                start = l;
            }
        }
        assertThat(start).isNotNull();
        assertThat(start.path("fields").asText()).contains("origin=manual");
        assertThat(admin("backup", "journal", "--tail", "-1").exit).isEqualTo(2);
    }

    @Test
    void aVetoedBackupShowsTheHookExitCodeBesideTheErrorCode() throws IOException {
        Path hooks = server.layout().settingsDir().resolve("hooks");
        Files.createDirectories(hooks);
        Path veto = hooks.resolve("cli-veto.sh");
        Files.writeString(veto, "#!/bin/sh\nexit 7\n");
        Files.setPosixFilePermissions(veto, PosixFilePermissions.fromString("rwx------"));
        try {
            Run set = admin("backup", "settings", "set", "hooks.onBackupStartup=cli-veto.sh");
            assertThat(set.exit).as(set.err).isZero();
            // The backup's error code stays the hook's exit code (docs/error-codes.md); the exit code is also its own field.
            Run follow = admin("--json", "backup", "start", "--follow");
            assertThat(follow.exit).as(follow.err).isEqualTo(1);
            assertThat(follow.err).contains("error 7");
            JsonNode end = follow.json();
            assertThat(end.get("status").asText()).isEqualTo("VETOED");
            assertThat(end.get("errorCode").asInt()).isEqualTo(7);
            assertThat(end.get("hookExitCode").asInt()).isEqualTo(7);
            assertThat(end.get("hook").asText()).isEqualTo("onBackupStartup");

            Run status = admin("--json", "backup", "status");
            assertThat(status.exit).as(status.err).isZero();
            JsonNode last = status.json().get("last");
            assertThat(last.get("number").asLong()).isEqualTo(end.get("number").asLong());
            assertThat(last.get("status").asText()).isEqualTo("VETOED");
            assertThat(last.get("errorCode").asInt()).isEqualTo(7);
            assertThat(last.get("hookExitCode").asInt()).isEqualTo(7);
            assertThat(last.get("hook").asText()).isEqualTo("onBackupStartup");
            assertThat(last.get("archive").isNull()).isTrue();

            Run text = admin("backup", "status");
            assertThat(text.exit).as(text.err).isZero();
            assertThat(text.out).contains("Status:           VETOED")
                    .contains("Error:            7: The onBackupStartup hook vetoed the backup (exit code 7).")
                    .contains("Hook exit code:   7 (onBackupStartup)");
        } finally {
            admin("backup", "settings", "set", "hooks.onBackupStartup=");
        }
    }

    @Test
    void statusShowsTheLastAndTheNextBackup() throws IOException {
        try {
            assertThat(admin("backup", "settings", "set", "schedule.frequency=daily", "schedule.at=23:00").exit).isZero();
            Run text = admin("status");
            assertThat(text.out).contains("Next backup:").contains("every 1 day(s) at 23:00").contains("Last backup:");
            JsonNode backup = admin("--json", "status").json().path("backup");
            assertThat(backup.path("schedule").asText()).isEqualTo("every 1 day(s) at 23:00");
            assertThat(backup.path("nextScheduled").isTextual()).isTrue();
        } finally {
            admin("backup", "settings", "set", "schedule.frequency=", "schedule.at=");
        }
    }

    private record Run(int exit, String out, String err) {
        JsonNode json() throws IOException {
            assertThat(out).as("stdout (stderr: %s)", err).isNotBlank();
            return JSON.readTree(out);
        }
    }

    /** Console answers given in order. */
    private static final class Answers implements SecretPrompt {
        private final Deque<String> answers;

        Answers(String... answers) {
            this.answers = new ArrayDeque<>(List.of(answers));
        }

        @Override
        public char[] read(String prompt) {
            String a = answers.poll();
            return a == null ? null : a.toCharArray();
        }
    }

    private static Map<String, String> env(String password) {
        Map<String, String> env = new HashMap<>();
        env.put(AdminMain.PASSWORD_ENV, password);
        return env;
    }

    private static Map<String, String> env(String password, String newPassword) {
        Map<String, String> env = env(password);
        env.put(AdminMain.NEW_PASSWORD_ENV, newPassword);
        return env;
    }

    private static String[] conn(String... args) {
        return concat(new String[] {"--host", "127.0.0.1", "--port", String.valueOf(port)}, args);
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** As admin, with the connection options first. */
    private static Run admin(String... args) {
        return run(env(ADMIN_PASSWORD), "", conn(args));
    }

    private static Run sqlAs(String user, String password, String sql) {
        return run(env(password), "", conn("--user", user, "sql", "-e", sql));
    }

    private static Run run(Map<String, String> env, String stdin, String... args) {
        return run(env, stdin, SecretPrompt.none(), false, args);
    }

    private static Run runWithConsole(Map<String, String> env, String stdin, SecretPrompt prompt, String... args) {
        return run(env, stdin, prompt, false, args);
    }

    private static Run run(Map<String, String> env, String stdin, SecretPrompt prompt, boolean interactive,
                           String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            exit = AdminMain.run(args, o, e, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), env,
                    prompt, interactive);
        }
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static TetraClient connect(String user, String password, String clientName) {
        return TetraClient.connect(ClientConfig.builder().host("127.0.0.1").port(port).user(user).password(password)
                .clientName(clientName).build());
    }

    private static JsonNode find(JsonNode array, String field, Object value) {
        for (JsonNode n : array) {
            JsonNode v = n.get(field);
            if (v != null && v.asText().equals(String.valueOf(value))) {
                return n;
            }
        }
        return null;
    }
}
