package io.tetradb.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tetradb.admin.PackagedServers.ServerProcess;
import io.tetradb.client.ClientConfig;
import io.tetradb.client.Row;
import io.tetradb.client.Rows;
import io.tetradb.client.TetraClient;
import io.tetradb.server.net.TestCertificates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged server ({@code server/target/tetra-server.jar}, 128 MiB of heap) and the
 * packaged {@code tetra-admin} ({@code admin-cli/target/tetra-admin.jar}), each run as a
 * separate process, as a user runs them: SQL, status, users, a streamed million-row
 * query, a followed backup, a graceful stop by SIGTERM and a restart that finds the data
 * again.
 */
@Timeout(600)
class PackagedServerE2EIT {
    private static final String ADMIN_PASSWORD = "e2e-admin-secret";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;
    private Path adminJar;
    private PackagedServers servers;
    private final AtomicInteger runs = new AtomicInteger();

    @BeforeEach
    void locateJars() {
        servers = new PackagedServers(temp);
        adminJar = PackagedServers.repository().resolve("admin-cli/target/tetra-admin.jar");
        assertThat(adminJar).as("the packaged tetra-admin").isRegularFile();
    }

    @AfterEach
    void killLeftovers() throws InterruptedException {
        servers.killLeftovers();
    }

    @Test
    void packagedServerAndAdminEndToEnd() throws Exception {
        Path dataDir = temp.resolve("e2e");
        ServerProcess server = startServer(dataDir, Map.of("TETRA_ADMIN_PASSWORD", ADMIN_PASSWORD));
        int port = server.port();

        // SQL through the packaged tetra-admin.
        Result created = admin(port, ADMIN_PASSWORD, "sql", "-e",
                "CREATE TABLE E2E(ID INT PRIMARY KEY, NAME VARCHAR(40)); "
                        + "INSERT INTO E2E VALUES (1, 'one'), (2, 'two; and more')");
        assertThat(created.exit).as(created.err).isZero();
        assertThat(created.err).as("no log noise on stderr").isEmpty();
        assertThat(created.out).contains("OK").contains("2 row(s) affected");

        Result selected = admin(port, ADMIN_PASSWORD, "sql", "-e", "SELECT ID, NAME FROM E2E ORDER BY ID");
        assertThat(selected.exit).as(selected.err).isZero();
        assertThat(selected.err).isEmpty();
        assertThat(selected.out).contains(String.join(System.lineSeparator(),
                "ID | NAME",
                "---+--------------",
                " 1 | one",
                " 2 | two; and more",
                "(2 rows)"));

        Result status = admin(port, ADMIN_PASSWORD, "status", "--json");
        assertThat(status.exit).as(status.err).isZero();
        JsonNode s = JSON.readTree(status.out);
        assertThat(s.get("database").asText()).isEqualTo("e2e");
        assertThat(s.get("port").asInt()).isEqualTo(port);
        assertThat(s.get("state").asText()).isEqualTo("RUNNING");
        assertThat(s.get("sessions").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(s.get("dataFileSize").asLong()).isPositive();
        assertThat(Path.of(s.get("dataDir").asText()).toRealPath()).isEqualTo(dataDir.toRealPath());

        // A new user, then a login as that user.
        Result added = admin(port, Map.of("TETRA_PASSWORD", ADMIN_PASSWORD, "TETRA_NEW_PASSWORD", "erin-e2e-pw"),
                "users", "add", "erin", "--role", "user");
        assertThat(added.exit).as(added.err).isZero();
        assertThat(added.out).contains("User erin added with role user.");
        Result asErin = admin(port, "erin-e2e-pw", "--user", "erin", "sql", "--json", "-e",
                "SELECT COUNT(*) AS N FROM E2E");
        assertThat(asErin.exit).as(asErin.err).isZero();
        assertThat(JSON.readTree(asErin.out).get(0).get("rows").get(0).get(0).asLong()).isEqualTo(2);
        Result erinIsNoAdmin = admin(port, "erin-e2e-pw", "--user", "erin", "status");
        assertThat(erinIsNoAdmin.exit).isEqualTo(1);
        assertThat(erinIsNoAdmin.err).startsWith("tetra-admin: error 2003: ");

        // A million rows streamed from a server with 128 MiB of heap.
        try (TetraClient client = TetraClient.connect(ClientConfig.builder().host("127.0.0.1").port(port)
                .user("admin").password(ADMIN_PASSWORD).build())) {
            long count = 0;
            long sum = 0;
            try (Rows rows = client.query("SELECT X FROM SYSTEM_RANGE(1, 1000000)")) {
                for (Row r : rows) {
                    count++;
                    sum += ((Number) r.get(0)).longValue();
                }
            }
            assertThat(count).isEqualTo(1_000_000L);
            assertThat(sum).isEqualTo(500_000_500_000L);
            client.ping();
        }

        // A backup followed to its end, then its record in backup status.
        Result backup = admin(port, ADMIN_PASSWORD, "backup", "start", "--follow");
        assertThat(backup.exit).as(backup.err).isZero();
        assertThat(backup.err).doesNotContain("tetra-admin: error").doesNotContain("WARN");
        Path archive = temp.resolve("e2e-backups").resolve("e2e-0001.tar.zst");
        assertThat(archive).isRegularFile();
        Matcher done = Pattern.compile("Backup 1 started; archive: (\\S+)\\R"
                + "Backup 1 finished: SUCCESS in [0-9]+s; archive: \\1 \\([0-9.]+ (B|KiB|MiB)\\)\\.\\R")
                .matcher(backup.out);
        assertThat(done.matches()).as(backup.out).isTrue();
        assertThat(Path.of(done.group(1)).toRealPath()).isEqualTo(archive.toRealPath());
        Result backupStatus = admin(port, ADMIN_PASSWORD, "backup", "status", "--json");
        assertThat(backupStatus.exit).as(backupStatus.err).isZero();
        JsonNode bs = JSON.readTree(backupStatus.out);
        assertThat(bs.get("state").asText()).isEqualTo("IDLE");
        JsonNode last = bs.get("last");
        assertThat(last.get("number").asLong()).isEqualTo(1);
        assertThat(last.get("status").asText()).isEqualTo("SUCCESS");
        assertThat(last.get("errorCode").isNull()).isTrue();
        assertThat(Path.of(last.get("archive").asText()).toRealPath()).isEqualTo(archive.toRealPath());
        assertThat(last.get("archiveSize").asLong()).isEqualTo(Files.size(archive));

        // Graceful stop by SIGTERM.
        server.stop();
        Path log = dataDir.resolve("Logs/server.log");
        assertThat(log).isRegularFile();
        assertThat(Files.readString(log, StandardCharsets.UTF_8)).contains("Tetra stopped.");
        // The log names users and addresses: owner-only, as is the new database folder (issue 12, item 8).
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(log)))
                .isEqualTo("rw-------");
        for (Path folder : new Path[]{dataDir, dataDir.resolve("Logs"), dataDir.resolve("Structure")}) {
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(folder)))
                    .as(folder.toString()).isEqualTo("rwx------");
        }

        // A restart on the same folder finds the data and the users (no admin password needed now).
        ServerProcess again = startServer(dataDir, Map.of());
        int port2 = again.port();
        Result after = admin(port2, ADMIN_PASSWORD, "sql", "--json", "-e", "SELECT NAME FROM E2E WHERE ID = 2");
        assertThat(after.exit).as(after.err).isZero();
        assertThat(JSON.readTree(after.out).get(0).get("rows").get(0).get(0).asText()).isEqualTo("two; and more");
        Result erinAgain = admin(port2, "erin-e2e-pw", "--user", "erin", "sql", "-e", "SELECT COUNT(*) FROM E2E");
        assertThat(erinAgain.exit).as(erinAgain.err).isZero();
        again.stop();
        assertThat(again.process.exitValue()).as("exit code after SIGTERM").isIn(0, 143);
    }

    @Test
    void tlsBetweenThePackagedServerAndTetraAdmin() throws Exception {
        TestCertificates.Pem pem = TestCertificates.make(temp, "localhost", "dns:localhost,ip:127.0.0.1");
        ServerProcess server = startServer(temp.resolve("tls"), Map.of("TETRA_ADMIN_PASSWORD", ADMIN_PASSWORD,
                "TETRA_TLS_CERTIFICATE", pem.certificate().toString(), "TETRA_TLS_KEY", pem.key().toString()));
        int port = server.port();
        assertThat(server.lines).anySatisfy(l -> assertThat(l).contains("is listening on").endsWith(", TLS)."));

        Result ok = admin(port, ADMIN_PASSWORD, "--tls-ca", pem.certificate().toString(), "sql", "--json", "-e",
                "SELECT 40 + 2");
        assertThat(ok.exit).as(ok.err).isZero();
        assertThat(JSON.readTree(ok.out).get(0).get("rows").get(0).get(0).asInt()).isEqualTo(42);

        Result status = admin(port, ADMIN_PASSWORD, "--tls-ca", pem.certificate().toString(), "status");
        assertThat(status.exit).as(status.err).isZero();
        assertThat(status.out).contains("Listening:  127.0.0.1:" + port + " (TLS)");

        Result plain = admin(port, ADMIN_PASSWORD, "status");
        assertThat(plain.exit).isEqualTo(1);
        assertThat(plain.err).contains("error 2011").contains("connect with TLS");

        Result untrusted = admin(port, ADMIN_PASSWORD, "--tls", "status");
        assertThat(untrusted.exit).isEqualTo(1);
        assertThat(untrusted.err).contains("error 2002").contains("not trusted");

        server.stop();
        // One line per refused connection, without the bytes the plain client sent.
        String log = Files.readString(temp.resolve("tls").resolve("Logs").resolve("server.log"), StandardCharsets.UTF_8);
        assertThat(log).contains("not a TLS connection (a client without TLS?)").contains("TLS handshake failed")
                .doesNotContain("not an SSL/TLS record");
        assertThat(server.process.exitValue()).as("exit code after SIGTERM").isIn(0, 143);
    }

    // ------------------------------------------------------------------ processes

    private record Result(int exit, String out, String err) {
    }

    private ServerProcess startServer(Path dataDir, Map<String, String> env) throws IOException {
        return servers.start(dataDir, env);
    }

    private Result admin(int port, String password, String... args) throws Exception {
        return admin(port, Map.of("TETRA_PASSWORD", password), args);
    }

    private Result admin(int port, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(PackagedServers.java(), "-jar", adminJar.toString(),
                "--host", "127.0.0.1", "--port", String.valueOf(port)));
        Collections.addAll(cmd, args);
        int n = runs.incrementAndGet();
        Path out = temp.resolve("admin-" + n + ".out");
        Path err = temp.resolve("admin-" + n + ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("TETRA_PASSWORD");
        pb.environment().remove("TETRA_NEW_PASSWORD");
        pb.environment().putAll(env);
        pb.redirectOutput(out.toFile());
        pb.redirectError(err.toFile());
        pb.redirectInput(ProcessBuilder.Redirect.from(servers.emptyFile().toFile()));
        Process p = pb.start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("tetra-admin %s finished", cmd).isTrue();
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
