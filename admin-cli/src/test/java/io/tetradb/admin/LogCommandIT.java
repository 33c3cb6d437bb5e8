package io.tetradb.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tetradb.client.ClientConfig;
import io.tetradb.client.TetraClient;
import io.tetradb.protocol.Role;
import io.tetradb.server.TetraServer;
import io.tetradb.server.config.ServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code tetra-admin log status} and {@code log show} run in-process through the real
 * {@code AdminMain} against a real server on port 0 whose frames are small (64 KiB), so that a
 * long {@code log show} takes several replies.
 */
@Timeout(180)
class LogCommandIT {
    private static final String ADMIN_PASSWORD = "admin-secret-1";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ROWS = 600;

    @TempDir
    static Path tempDir;
    private static TetraServer server;
    private static int port;

    @BeforeAll
    static void startServer() throws IOException {
        server = TetraServer.start(ServerConfig.builder().dataDir(tempDir.resolve("db")).host("127.0.0.1").port(0)
                .adminPassword(ADMIN_PASSWORD).maxFrameSize(64 * 1024).build());
        port = server.boundPort();
        try (TetraClient admin = connect("admin", ADMIN_PASSWORD)) {
            admin.execute("CREATE TABLE T(ID INT PRIMARY KEY, V VARCHAR(10000))");
            admin.update("INSERT INTO T SELECT X, REPEAT('x', 5000) FROM SYSTEM_RANGE(1, " + ROWS + ")");
            admin.execute("CREATE TABLE U(ID INT PRIMARY KEY)");
            admin.admin().addUser("app", Role.USER, "app-password".toCharArray());
        }
        try (TetraClient app = connect("app", "app-password")) {
            app.update("INSERT INTO U VALUES (1)");
        }
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void statusAsText() {
        Run r = admin("log", "status");
        assertThat(r.exit).as(r.err).isZero();
        assertThat(r.out).contains("Log file:   db.journal (segment 1, started ")
                .containsPattern("Operations: 1 to [0-9]+")
                .containsPattern("Size:       [0-9.]+ (B|KiB|MiB) \\([0-9]+ bytes\\)")
                .containsPattern("Last sync:  [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}")
                .contains("Sync mode:  commit")
                .contains("State:      writable")
                .containsPattern("Counters:   [0-9]+ syncs, [0-9]+ transactions, [0-9]+ operations, [0-9.]+ "
                        + "operations per sync");
    }

    @Test
    void statusAsJson() throws IOException {
        Run r = admin("log", "status", "--json");
        assertThat(r.exit).as(r.err).isZero();
        JsonNode s = r.json();
        assertThat(s.get("file").asText()).isEqualTo("db.journal");
        assertThat(s.get("segment").asLong()).isEqualTo(1);
        assertThat(s.get("firstOperation").asLong()).isEqualTo(1);
        assertThat(s.get("lastOperation").asLong()).isEqualTo(server.logs().log().lastOperation());
        assertThat(s.get("sizeBytes").asLong()).isGreaterThan((long) ROWS * 5000);
        assertThat(OffsetDateTime.parse(s.get("lastSync").asText())).isNotNull();
        assertThat(s.get("syncMode").asText()).isEqualTo("commit");
        assertThat(s.get("writable").asBoolean()).isTrue();
        assertThat(s.get("failure").isNull()).isTrue();
        assertThat(s.get("syncs").asLong()).isPositive();
        assertThat(s.get("transactions").asLong()).isPositive();
        assertThat(s.get("operations").asLong()).isGreaterThanOrEqualTo(ROWS);
        assertThat(s.get("operationsPerSync").asDouble()).isPositive();
    }

    @Test
    void showAsJsonPagesThroughEveryOperation() throws IOException {
        Run r = admin("log", "show", "--json", "--limit", "100000");
        assertThat(r.exit).as(r.err).isZero();
        JsonNode n = r.json();
        long last = server.logs().log().lastOperation();
        assertThat(n.get("count").asLong()).isEqualTo(last);
        assertThat(n.get("next").isNull()).isTrue();
        List<Long> numbers = new ArrayList<>();
        n.get("operations").forEach(o -> numbers.add(o.get("operation").asLong()));
        assertThat(numbers).hasSize((int) last).isSorted().doesNotHaveDuplicates();
        assertThat(numbers.get(numbers.size() - 1)).isEqualTo(last);
        JsonNode insert = n.get("operations").get(1);
        assertThat(insert.get("kind").asText()).isEqualTo("INSERT");
        assertThat(insert.get("schema").asText()).isEqualTo("PUBLIC");
        assertThat(insert.get("table").asText()).isEqualTo("T");
        assertThat(insert.get("user").asText()).isEqualTo("admin");
        assertThat(insert.get("clientAddress").asText()).startsWith("127.0.0.1");
        assertThat(insert.get("session").asLong()).isPositive();
        assertThat(insert.get("summary").asText()).startsWith("(1, 'xxx").endsWith("(5000 chars))");
        assertThat(OffsetDateTime.parse(insert.get("time").asText()).toInstant().toEpochMilli())
                .isEqualTo(insert.get("timeMillis").asLong());
        JsonNode create = n.get("operations").get(0);
        assertThat(create.get("kind").asText()).isEqualTo("CREATE TABLE");
        assertThat(create.get("table").isNull()).isTrue();
    }

    @Test
    void showAsJsonWithFilters() throws IOException {
        Run range = admin("log", "show", "--json", "--from", "10", "--to", "20", "--table", "public.t");
        assertThat(range.exit).as(range.err).isZero();
        List<Long> numbers = new ArrayList<>();
        range.json().get("operations").forEach(o -> numbers.add(o.get("operation").asLong()));
        assertThat(numbers).containsExactly(10L, 11L, 12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L, 20L);

        // --user filters in log show; the login user goes before the command.
        Run byApp = run(Map.of(AdminMain.PASSWORD_ENV, ADMIN_PASSWORD), "--host", "127.0.0.1", "--port",
                String.valueOf(port), "--user", "admin", "log", "show", "--user", "app", "--json");
        assertThat(byApp.exit).as(byApp.err).isZero();
        JsonNode ops = byApp.json().get("operations");
        assertThat(ops).hasSize(1);
        assertThat(ops.get(0).get("user").asText()).isEqualTo("app");
        assertThat(ops.get(0).get("table").asText()).isEqualTo("U");
        assertThat(ops.get(0).get("summary").asText()).isEqualTo("(1)");

        String today = LocalDate.now().toString();
        Run fromToday = admin("log", "show", "--json", "--from", today, "--table", "U");
        assertThat(fromToday.exit).as(fromToday.err).isZero();
        assertThat(fromToday.json().get("count").asInt()).isEqualTo(2);
        Run untilYesterday = admin("log", "show", "--json", "--to", LocalDate.now().minusDays(1).toString());
        assertThat(untilYesterday.exit).as(untilYesterday.err).isZero();
        assertThat(untilYesterday.json().get("count").asInt()).isZero();
        String tomorrowUtc = LocalDate.now(ZoneOffset.UTC).plusDays(1) + "T00:00:00+00:00";
        Run fromTomorrow = admin("log", "show", "--json", "--from", tomorrowUtc);
        assertThat(fromTomorrow.exit).as(fromTomorrow.err).isZero();
        assertThat(fromTomorrow.json().get("count").asInt()).isZero();

        Run limited = admin("log", "show", "--json", "--limit", "5", "--from", "3");
        assertThat(limited.exit).as(limited.err).isZero();
        assertThat(limited.json().get("count").asInt()).isEqualTo(5);
        assertThat(limited.json().get("next").asLong()).isEqualTo(8);
    }

    @Test
    void showAsTextOneLinePerOperation() {
        Run r = admin("log", "show", "--table", "U");
        assertThat(r.exit).as(r.err).isZero();
        String[] lines = r.out.split("\\R");
        assertThat(lines).hasSize(3);
        assertThat(lines[0]).matches("[0-9]+  [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{12}([+-][0-9]{2}:[0-9]{2})  "
                + "user=admin  session=[0-9]+  from=127\\.0\\.0\\.1:[0-9]+  CREATE TABLE  -  CREATE TABLE U\\(.*");
        assertThat(lines[1]).matches("[0-9]+  \\S+  user=app  session=[0-9]+  from=\\S+  INSERT  PUBLIC\\.U  \\(1\\)");
        assertThat(lines[2]).isEqualTo("(2 operations)");

        Run limited = admin("log", "show", "--limit", "2");
        assertThat(limited.exit).as(limited.err).isZero();
        assertThat(limited.out).endsWith("(2 operations; --limit reached, more follow from operation 3)"
                + System.lineSeparator());
    }

    @Test
    void badArgumentsAreUsageErrors() {
        Run time = admin("log", "show", "--from", "yesterday");
        assertThat(time.exit).isEqualTo(2);
        assertThat(time.err).contains("--from: 'yesterday' is neither an operation number nor an ISO-8601 time");
        Run limit = admin("log", "show", "--limit", "0");
        assertThat(limit.exit).isEqualTo(2);
        assertThat(limit.err).contains("--limit must be from 1 to 100000");
        Run order = admin("log", "show", "--from", "9", "--to", "3");
        assertThat(order.exit).isEqualTo(2);
        assertThat(order.err).contains("--to is before --from");
        Run missing = admin("log");
        assertThat(missing.exit).isEqualTo(2);
        assertThat(missing.err).contains("Missing subcommand: status, show or new.");
    }

    @Test
    void nonAdminsAreRefused() {
        Run r = run(Map.of(AdminMain.PASSWORD_ENV, "app-password"), "--host", "127.0.0.1", "--port",
                String.valueOf(port), "--user", "app", "log", "status");
        assertThat(r.exit).isEqualTo(1);
        assertThat(r.err).startsWith("tetra-admin: error 2003: ");
    }

    private record Run(int exit, String out, String err) {
        JsonNode json() throws IOException {
            assertThat(out).as("stdout (stderr: %s)", err).isNotBlank();
            return JSON.readTree(out);
        }
    }

    private static Run admin(String... args) {
        String[] all = new String[args.length + 4];
        all[0] = "--host";
        all[1] = "127.0.0.1";
        all[2] = "--port";
        all[3] = String.valueOf(port);
        System.arraycopy(args, 0, all, 4, args.length);
        return run(Map.of(AdminMain.PASSWORD_ENV, ADMIN_PASSWORD), all);
    }

    private static Run run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            exit = AdminMain.run(args, o, e, new ByteArrayInputStream(new byte[0]), env);
        }
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static TetraClient connect(String user, String password) {
        return TetraClient.connect(ClientConfig.builder().host("127.0.0.1").port(port).user(user).password(password)
                .build());
    }
}
