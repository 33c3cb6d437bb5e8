package io.tetradb.testcontainers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tetradb.client.ClientConfig;
import io.tetradb.client.Result;
import io.tetradb.client.TetraClient;
import io.tetradb.client.TetraFuture;
import io.tetradb.protocol.BackupRecord;
import io.tetradb.protocol.BackupStatus;
import io.tetradb.server.net.TestCertificates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What the container tests check, without Docker: the image's entrypoint, health check
 * and tetra-admin wrapper (the files in {@code docker/}) run as processes on this
 * machine with the packaged server, configured only through TETRA_* variables as the
 * container is — a secret file for the admin password, a data folder and a backup folder
 * standing for the image's two volumes. A backup started by a remote client while another
 * reads, a queued write cancelled (-9976), SIGTERM (what {@code docker stop} sends) during
 * a backup, and a restart on the same folders.
 *
 * <p>The container versions are in {@link TetraContainerIT}; they run only where Docker does.
 */
@Timeout(600)
class ImageEntrypointIT {
    private static final String PASSWORD = "entrypoint-admin-pw";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;
    private Path repo;
    private Path home;
    private Path dataVolume;
    private Path backupVolume;
    private Path secret;
    private final List<EntrypointProcess> processes = new ArrayList<>();

    @BeforeEach
    void layOutTheImage() throws IOException {
        repo = TetraImage.repository();
        home = EntrypointProcess.imageHome(repo, temp);
        dataVolume = Files.createDirectories(temp.resolve("var-lib-tetra"));
        backupVolume = Files.createDirectories(temp.resolve("backups"));
        secret = temp.resolve("run-secrets-tetra_admin_password");
        Files.writeString(secret, PASSWORD + "\n", StandardCharsets.UTF_8);
    }

    @AfterEach
    void killLeftovers() throws InterruptedException {
        for (EntrypointProcess p : processes) {
            p.kill();
        }
    }

    /** The container's environment: what the Dockerfile sets, then {@code extra}. */
    private Map<String, String> imageEnvironment(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>();
        env.put("TETRA_HOME", home.toString());
        env.put("TETRA_DATA_DIR", dataVolume.resolve("shop").toString());
        env.put("TETRA_HOST", "127.0.0.1");
        env.put("TETRA_PORT", "0");
        env.put("TETRA_BACKUP_DESTINATION", backupVolume.toString());
        env.put("JAVA_OPTS", "-Xmx256m -XX:+ExitOnOutOfMemoryError");
        env.putAll(extra);
        return env;
    }

    private EntrypointProcess start(Map<String, String> extra) throws IOException {
        EntrypointProcess p = EntrypointProcess.start(repo, imageEnvironment(extra),
                temp.resolve("entrypoint-" + (processes.size() + 1) + ".log"));
        processes.add(p);
        return p;
    }

    private static TetraClient connect(int port) {
        return TetraClient.connect(ClientConfig.builder().host("127.0.0.1").port(port).user("admin")
                .password(PASSWORD).connectTimeout(Duration.ofSeconds(30)).build());
    }

    private record Run(int exit, String out) {
    }

    /** Runs one of docker/'s scripts with the image's environment plus {@code env}. */
    private Run script(String name, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(repo.resolve("docker/" + name).toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        EntrypointProcess.environment(pb, imageEnvironment(env));
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s finished", name).isTrue();
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** The health check of a server whose protocol port is {@code port} and HTTP port {@code httpPort}. */
    private Run healthcheck(int port, int httpPort) throws Exception {
        return script("healthcheck.sh", Map.of("TETRA_PORT", String.valueOf(port), "TETRA_HTTP_PORT",
                String.valueOf(httpPort)));
    }

    @Test
    void configuredOnlyThroughTheEnvironmentWithASecretFileAndFirstStartBackupSettings() throws Exception {
        // The compose file's example: a schedule given as the database's first backup.yml.
        Path seed = temp.resolve("backup.yml");
        Files.writeString(seed, "schedule:\n  frequency: daily\n  at: \"02:00\"\nretention:\n  keepLast: 7", StandardCharsets.UTF_8);
        EntrypointProcess server = start(Map.of("TETRA_ADMIN_PASSWORD_FILE", secret.toString(),
                "TETRA_BACKUP_SETTINGS_FILE", seed.toString()));
        int port = server.port();
        assertThat(server.process.info().command()).as("the entrypoint replaced itself with the JVM (exec)")
                .hasValueSatisfying(c -> assertThat(Path.of(c).getFileName().toString()).isEqualTo("java"));

        try (TetraClient admin = connect(port)) {
            assertThat(admin.databaseName()).isEqualTo("shop");
            assertThat(Path.of(admin.admin().status().getDataDir()).toRealPath())
                    .isEqualTo(dataVolume.resolve("shop").toRealPath());
            JsonNode settings = JSON.readTree(admin.admin().backupSettings().getEffectiveJson());
            assertThat(Path.of(settings.get("destination").asText())).isEqualTo(backupVolume);
            assertThat(settings.at("/retention/keepLast").asInt()).isEqualTo(7);
            BackupStatus status = admin.admin().backupStatus();
            assertThat(status.getNextScheduledMillis()).as("the seeded schedule is in force").isPositive();
            assertThat(Instant.ofEpochMilli(status.getNextScheduledMillis()).atZone(ZoneId.systemDefault())
                    .toLocalTime().toString()).isEqualTo("02:00");
        }

        int httpPort = server.httpPort();
        Run healthy = healthcheck(port, httpPort);
        assertThat(healthy.exit).as(healthy.out).isZero();
        assertThat(healthy.out).startsWith("healthy: Tetra answers on 127.0.0.1:" + port + ", /health on 127.0.0.1:"
                + httpPort);

        Run status = script("tetra-admin.sh", Map.of("TETRA_PASSWORD", PASSWORD), "--port", String.valueOf(port),
                "status", "--json");
        assertThat(status.exit).as(status.out).isZero();
        assertThat(JSON.readTree(status.out).get("database").asText()).isEqualTo("shop");

        assertThat(server.stop()).as("exit code after SIGTERM").isIn(0, 143);
        assertThat(Files.readString(dataVolume.resolve("shop/Logs/server.log"), StandardCharsets.UTF_8))
                .contains("Tetra stopped.").doesNotContain("WARN");
        Run down = healthcheck(port, httpPort);
        assertThat(down.exit).isEqualTo(1);
        assertThat(down.out).startsWith("unhealthy: nothing listens on 127.0.0.1:" + port);
    }

    @Test
    void withTlsOnTheHealthCheckSpeaksTlsAndClientsNeedIt() throws Exception {
        assumeTrue(Stream.of(System.getenv("PATH").split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, "openssl"))),
                "the TLS health check needs openssl (the image has it)");
        TestCertificates.Pem pem = TestCertificates.make(temp, "localhost", "dns:localhost,ip:127.0.0.1");
        Map<String, String> tls = Map.of("TETRA_TLS_CERTIFICATE", pem.certificate().toString(),
                "TETRA_TLS_KEY", pem.key().toString());
        Map<String, String> env = new HashMap<>(tls);
        env.put("TETRA_ADMIN_PASSWORD_FILE", secret.toString());
        EntrypointProcess server = start(env);
        int port = server.port();

        Map<String, String> check = new HashMap<>(tls);
        check.put("TETRA_PORT", String.valueOf(port));
        check.put("TETRA_HTTP_PORT", String.valueOf(server.httpPort()));
        Run healthy = script("healthcheck.sh", check);
        assertThat(healthy.exit).as(healthy.out).isZero();
        assertThat(healthy.out).startsWith("healthy: Tetra answers on 127.0.0.1:" + port + ", /health on 127.0.0.1:"
                + server.httpPort());

        try (TetraClient admin = TetraClient.connect(ClientConfig.builder().host("localhost").port(port).user("admin")
                .password(PASSWORD).tlsTrustedCertificates(pem.certificate()).build())) {
            assertThat(admin.databaseName()).isEqualTo("shop");
        }
        Run status = script("tetra-admin.sh", Map.of("TETRA_PASSWORD", PASSWORD), "--port", String.valueOf(port),
                "--tls-ca", pem.certificate().toString(), "status", "--json");
        assertThat(status.exit).as(status.out).isZero();

        assertThat(server.stop()).as("exit code after SIGTERM").isIn(0, 143);
        assertThat(Files.readString(dataVolume.resolve("shop/Logs/server.log"), StandardCharsets.UTF_8))
                .as("the health check's connection is a clean TLS one").doesNotContain("Closing 127.0.0.1")
                .doesNotContain("WARN");
    }

    @Test
    void theHealthCheckWantsTheTetraProtocolNotJustAnOpenPort() throws Exception {
        try (ServerSocket other = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                try (Socket s = other.accept(); OutputStream out = s.getOutputStream()) {
                    s.getInputStream().read(new byte[64]);
                    out.write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException ignored) {
                    // the check went away
                }
            }, "not-tetra");
            t.setDaemon(true);
            t.start();
            Run r = healthcheck(other.getLocalPort(), 0);
            assertThat(r.exit).isEqualTo(1);
            assertThat(r.out).startsWith("unhealthy: 127.0.0.1:" + other.getLocalPort()
                    + " did not answer the Tetra protocol");
        }
    }

    @Test
    void theHealthCheckAsksTheHttpPortForHealthUnlessItIsOff() throws Exception {
        EntrypointProcess server = start(Map.of("TETRA_ADMIN_PASSWORD_FILE", secret.toString()));
        int port = server.port();
        int httpPort = server.httpPort();
        assertThat(healthcheck(port, httpPort).exit).isZero();
        // Something else on the port the check takes for the HTTP port: unhealthy, saying why.
        try (ServerSocket other = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                try (Socket s = other.accept(); OutputStream out = s.getOutputStream()) {
                    s.getInputStream().read(new byte[64]);
                    out.write("HTTP/1.1 503 Service Unavailable\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException ignored) {
                    // the check went away
                }
            }, "not-healthy");
            t.setDaemon(true);
            t.start();
            Run r = healthcheck(port, other.getLocalPort());
            assertThat(r.exit).isEqualTo(1);
            assertThat(r.out).startsWith("unhealthy: Tetra answers on 127.0.0.1:" + port + ", but GET /health on "
                    + "127.0.0.1:" + other.getLocalPort() + " did not answer 200 (got: HTTP/1.1 503)");
        }
        // With the HTTP port off (http.enabled: false), only the protocol is checked.
        Run off = script("healthcheck.sh", Map.of("TETRA_PORT", String.valueOf(port), "TETRA_HTTP_ENABLED", "false"));
        assertThat(off.exit).as(off.out).isZero();
        assertThat(off.out).startsWith("healthy: Tetra answers on 127.0.0.1:" + port + " (HTTP port not checked)");
        assertThat(server.stop()).as("exit code after SIGTERM").isIn(0, 143);
        assertThat(Files.readString(dataVolume.resolve("shop/Logs/server.log"), StandardCharsets.UTF_8))
                .doesNotContain("WARN");
    }

    @Test
    void aMissingBackupSettingsFileStopsTheFirstStartWithAMessage() throws Exception {
        EntrypointProcess p = start(Map.of("TETRA_ADMIN_PASSWORD_FILE", secret.toString(),
                "TETRA_BACKUP_SETTINGS_FILE", temp.resolve("no-such-file.yml").toString()));
        assertThat(p.awaitExit()).isEqualTo(2);
        assertThat(p.output()).contains("TETRA_BACKUP_SETTINGS_FILE").contains("no-such-file.yml");
        assertThat(dataVolume.resolve("shop")).as("nothing created").doesNotExist();
    }

    @Test
    void backupWhileReadingCancelledWriteStopDuringABackupAndRestartOnTheSameFolders() throws Exception {
        EntrypointProcess first = start(Map.of("TETRA_ADMIN_PASSWORD_FILE", secret.toString()));
        int port = first.port();
        BackupRecord backup1;
        TetraFuture<Result> queued;
        try (TetraClient admin = connect(port); TetraClient reader = connect(port); TetraClient writer = connect(port)) {
            BackupScenario.fill(admin);
            backup1 = BackupScenario.backupWhileReadingWithACancelledWrite(admin, reader, writer);
            Path archive1 = backupVolume.resolve("shop-0001.tar.zst");
            assertThat(Path.of(backup1.getArchive())).isEqualTo(archive1);
            assertThat(archive1).isRegularFile().hasSize(backup1.getArchiveSize());

            // Backup 2 runs, a write waits for it, and the server is told to stop.
            queued = BackupScenario.startABackupAndQueueAWrite(admin, writer, backup1.getNumber());
            assertThat(first.stop()).as("exit code after SIGTERM").isIn(0, 143);
            BackupScenario.theQueuedWriteWasAnswered(queued);
        }
        Path db = dataVolume.resolve("shop");
        assertThat(Files.readString(db.resolve("Logs/server.log"), StandardCharsets.UTF_8)).contains("Tetra stopped.");
        assertThat(Files.readAllLines(db.resolve("Logs/backup-journal.txt"), StandardCharsets.UTF_8))
                .anyMatch(l -> l.contains("\t2\tend\t") && l.contains("status=STOPPED") && l.contains("code=1406"));
        try (Stream<Path> files = Files.list(backupVolume)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .as("archive 1 and the log segment it closed kept, nothing left of backup 2")
                    .containsExactlyInAnyOrder("shop-0001.tar.zst", "shop-0001.journal.zst", "backup-history.json");
        }

        // The restart needs no password setting any more: the database has its admin.
        EntrypointProcess second = start(Map.of());
        try (TetraClient admin = connect(second.port())) {
            BackupScenario.afterTheRestart(admin, backup1, 2);
            JsonNode settings = JSON.readTree(admin.admin().backupSettings().getEffectiveJson());
            assertThat(Path.of(settings.get("destination").asText())).isEqualTo(backupVolume);
        }
        assertThat(backupVolume.resolve("shop-0001.tar.zst")).hasSize(backup1.getArchiveSize());
        assertThat(backupVolume.resolve("shop-0003.tar.zst")).isRegularFile();
        assertThat(second.stop()).isIn(0, 143);
    }
}
