package io.tetradb.server;

import io.tetradb.client.Result;
import io.tetradb.client.TetraClient;
import io.tetradb.client.TetraFuture;
import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraException;
import io.tetradb.server.config.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** First start, folder layout, catalog.xml, restart and graceful shutdown of a real server. */
@Timeout(180)
class ServerLifecycleIT {
    @TempDir
    Path dir;

    @Test
    void firstStartCreatesTheLayoutAndAGeneratedAdminPasswordPrintedOnce() throws Exception {
        ServerConfig cfg = TestServers.config(dir).adminPassword(null).build();
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        String password;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (TetraServer server = TetraServer.start(cfg)) {
            password = server.generatedAdminPassword();
            assertThat(password).isNotBlank();
            Path db = dir.resolve("testdb");
            for (String p : new String[]{"Structure/catalog.xml", "Structure/users.json", "Data/testdb.mv.db"}) {
                assertThat(db.resolve(p)).as(p).isRegularFile();
            }
            assertThat(db.resolve("Settings")).isDirectory();
            assertThat(db.resolve("Logs")).isDirectory();
            Path stored = server.layout().initialAdminPasswordFile();
            assertThat(Files.readString(stored).strip()).isEqualTo(password);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(stored))).isEqualTo("rw-------");
            try (TetraClient c = TestServers.connect(server, "admin", password)) {
                c.execute("CREATE TABLE KEEP(ID INT PRIMARY KEY, V VARCHAR(10))");
                c.execute("INSERT INTO KEEP VALUES (1, 'kept')");
            }
        } finally {
            System.setOut(original);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        assertThat(out).contains(password);

        captured.reset();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (TetraServer again = TetraServer.start(cfg)) {
            assertThat(again.generatedAdminPassword()).isNull();
            try (TetraClient c = TestServers.connect(again, "admin", password)) {
                assertThat(c.execute("SELECT V FROM KEEP").rows().get(0).getString(0)).isEqualTo("kept");
            }
        } finally {
            System.setOut(original);
        }
        assertThat(captured.toString(StandardCharsets.UTF_8)).doesNotContain(password);
    }

    @Test
    void catalogIsRewrittenAfterEveryDdlWithStableNumbers() throws Exception {
        try (TetraServer server = TestServers.start(dir); TetraClient c = TestServers.admin(server)) {
            Path catalog = server.layout().catalogFile();
            c.execute("CREATE TABLE ALPHA(ID INT PRIMARY KEY, NAME VARCHAR(20))");
            c.execute("CREATE TABLE BETA(ID INT)");
            String first = Files.readString(catalog);
            String alphaNumber = attr(first, "name=\"ALPHA\"", "number");
            String betaNumber = attr(first, "name=\"BETA\"", "number");
            assertThat(alphaNumber).isNotEqualTo(betaNumber);
            String alphaId = attr(first, "name=\"ALPHA\"", "id");
            assertThat(first).contains("name=\"NAME\"");

            c.execute("DROP TABLE ALPHA");
            c.execute("CREATE TABLE GAMMA(ID INT)");
            c.execute("ALTER TABLE BETA ADD COLUMN EXTRA INT");
            String second = Files.readString(catalog);
            assertThat(second).doesNotContain("name=\"ALPHA\"").contains("name=\"EXTRA\"");
            assertThat(attr(second, "name=\"BETA\"", "number")).isEqualTo(betaNumber);
            String gammaNumber = attr(second, "name=\"GAMMA\"", "number");
            assertThat(Integer.parseInt(gammaNumber)).isGreaterThan(Integer.parseInt(alphaNumber))
                    .isGreaterThan(Integer.parseInt(betaNumber));
            assertThat(second).doesNotContain(alphaId);
        }
    }

    private static String attr(String xml, String marker, String name) {
        int at = xml.indexOf(marker);
        assertThat(at).as(marker).isPositive();
        int start = xml.lastIndexOf('<', at);
        int end = xml.indexOf('>', at);
        Matcher m = Pattern.compile(name + "=\"([^\"]*)\"").matcher(xml.substring(start, end));
        assertThat(m.find()).as(name + " of " + marker).isTrue();
        return m.group(1);
    }

    @Test
    void gracefulShutdownAnswersRequestsInFlightThenClosesTheDatabase() throws Exception {
        TetraServer server = TestServers.start(dir);
        TetraClient observer = TestServers.admin(server);
        TetraClient worker = TestServers.admin(server);
        worker.execute("CREATE TABLE AFTER_STOP(ID INT)");
        TetraFuture<Result> inFlight = worker.executeAsync(
                "SELECT SUM(X) FROM SYSTEM_RANGE(1, 3000000)");
        await().atMost(30, TimeUnit.SECONDS).until(() -> observer.admin().sessions().stream()
                .anyMatch(s -> s.getId() == worker.sessionId() && s.getRequestsInFlight() > 0));
        CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
        Result r = inFlight.get(60, TimeUnit.SECONDS);
        assertThat(r.rows().get(0).get(0).toString()).isEqualTo(Long.toString(3000000L * 3000001L / 2));
        closing.get(60, TimeUnit.SECONDS);
        assertThatThrownBy(() -> worker.execute("SELECT 1")).isInstanceOfSatisfying(TetraException.class,
                e -> assertThat(e.code()).isIn(ErrorCode.CONNECTION_LOST, ErrorCode.SESSION_CLOSED));
        observer.close();
        worker.close();

        // The database closed cleanly: it opens again with its table.
        try (TetraServer again = TestServers.start(dir); TetraClient c = TestServers.admin(again)) {
            assertThat(c.execute("SELECT COUNT(*) FROM AFTER_STOP").rows().get(0).getLong(0)).isZero();
        }
    }

    @Test
    void aClientToleratesTheServerGoingAway() throws Exception {
        TetraServer server = TestServers.start(dir);
        TetraClient c = TestServers.admin(server);
        server.close();
        await().atMost(30, TimeUnit.SECONDS).until(() -> !c.isOpen());
        assertThatThrownBy(() -> c.execute("SELECT 1")).isInstanceOfSatisfying(TetraException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.CONNECTION_LOST));
        c.close();
        assertThatThrownBy(() -> TestServers.connect(server, "admin", TestServers.ADMIN_PASSWORD))
                .isInstanceOfSatisfying(TetraException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.CONNECTION_LOST));
    }
}
