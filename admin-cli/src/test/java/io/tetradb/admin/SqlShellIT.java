package io.tetradb.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code tetra-admin sql} in-process for scripts: {@code --csv}, backslash commands in
 * {@code -e} and in piped scripts, and Ctrl-C in the shell without line editing (a
 * terminal JLine cannot drive), fired by the test.
 */
@Timeout(120)
class SqlShellIT {
    private static final String ADMIN_PASSWORD = "shell-admin-secret";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tempDir;
    private static TetraServer server;

    @BeforeAll
    static void startServer() throws IOException {
        server = TetraServer.start(ServerConfig.builder().dataDir(tempDir.resolve("db")).host("127.0.0.1").port(0)
                .adminPassword(ADMIN_PASSWORD).build());
        Run r = run("", "sql", "-e", "CREATE TABLE THING(ID INT PRIMARY KEY, NAME VARCHAR(20), NOTE VARCHAR(100))");
        assertThat(r.exit).as(r.err).isZero();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void csvHasAHeaderQuotesAsRfc4180AndWritesNullAsAnEmptyField() {
        Run r = run("", "sql", "--csv", "-e", "INSERT INTO THING VALUES (1, 'a,b', 'say \"hi\"'), (2, NULL, ''), "
                + "(3, 'two' || CHAR(10) || 'lines', 'plain'); SELECT ID, NAME, NOTE FROM THING WHERE ID <= 3 ORDER BY ID; "
                + "SELECT 7 AS SEVEN");
        assertThat(r.exit).as(r.err).isZero();
        assertThat(r.err).isEmpty();
        assertThat(r.out).isEqualTo("ID,NAME,NOTE\n1,\"a,b\",\"say \"\"hi\"\"\"\n2,,\"\"\n3,\"two\nlines\",plain\n"
                + "\nSEVEN\n7\n");
    }

    @Test
    void csvAndJsonTogetherAreAUsageError() {
        Run r = run("", "sql", "--csv", "--json", "-e", "SELECT 1");
        assertThat(r.exit).isEqualTo(2);
        assertThat(r.err).contains("--csv and --json cannot be used together.");
    }

    @Test
    void backslashCommandsRunInExecuteAndInScriptsAndAnUnknownOneStopsAScript() throws IOException {
        Run d = run("", "--json", "sql", "-e", "\\d THING");
        assertThat(d.exit).as(d.err).isZero();
        JsonNode a = JSON.readTree(d.out);
        assertThat(a.get(0).get("statement").asText()).isEqualTo("\\d THING");
        assertThat(a.get(0).get("rows").get(1).get(0).asText()).isEqualTo("NAME");
        assertThat(a.get(0).get("rows").get(1).get(1).asText()).isEqualTo("CHARACTER VARYING(20)");

        Run script = run("\\d\nSELECT 5 AS FIVE;\n\\nope\nSELECT 6 AS SIX;\n", "sql");
        assertThat(script.exit).isEqualTo(1);
        assertThat(script.out).containsPattern("PUBLIC \\| THING +\\| table").contains("FIVE").doesNotContain("SIX");
        assertThat(script.err).isEqualTo("tetra-admin: invalid command \\nope. Try \\? for help." + System.lineSeparator());

        Run missing = run("", "sql", "-e", "\\d NO_SUCH_TABLE");
        assertThat(missing.exit).isEqualTo(1);
        assertThat(missing.err).contains("Did not find any table or view named NO_SUCH_TABLE.");
    }

    @Test
    void ctrlCInThePlainShellCancelsTheStatementOnTheServerAndTheShellGoesOn() throws Exception {
        AtomicReference<Runnable> handler = new AtomicReference<>();
        InterruptSource interrupts = h -> {
            handler.set(h);
            return () -> handler.set(null);
        };
        java.io.PipedOutputStream typing = new java.io.PipedOutputStream();
        java.io.PipedInputStream stdin = new java.io.PipedInputStream(typing);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> AdminMain.run(
                conn("sql"), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), stdin, env(), SecretPrompt.none(), true, interrupts));
        typing.write("SELECT SUM(X) FROM SYSTEM_RANGE(1, 10000000000);\n".getBytes(StandardCharsets.UTF_8));
        typing.flush();
        await().atMost(Duration.ofSeconds(60)).until(() -> handler.get() != null);
        // Fired until the statement's request is out (a Ctrl-C before it is sent finds nothing to cancel).
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            Runnable h = handler.get();
            if (h != null) {
                h.run();
            }
            return err.toString(StandardCharsets.UTF_8).contains("error 2009");
        });
        typing.write("SELECT 'goes on' AS G;\n".getBytes(StandardCharsets.UTF_8));
        typing.close();
        assertThat(exit.get(60, TimeUnit.SECONDS)).isZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("Cancel request sent.")
                .contains("tetra-admin: error 2009: The ");
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("goes on");
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run run(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = AdminMain.run(conn(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), env());
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Map<String, String> env() {
        return Map.of(AdminMain.PASSWORD_ENV, ADMIN_PASSWORD);
    }

    private static String[] conn(String... args) {
        String[] all = new String[args.length + 4];
        all[0] = "--host";
        all[1] = "127.0.0.1";
        all[2] = "--port";
        all[3] = String.valueOf(server.boundPort());
        System.arraycopy(args, 0, all, 4, args.length);
        return all;
    }
}
