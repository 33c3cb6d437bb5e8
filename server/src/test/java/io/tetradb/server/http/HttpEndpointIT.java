package io.tetradb.server.http;

import io.tetradb.client.TetraClient;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import io.tetradb.server.config.ConfigException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The HTTP port through the real server and the JDK's HTTP client: health and readiness
 * without login, metrics in Prometheus text that move as sessions come and a backup runs,
 * refusals of what it does not serve, and the port checked before anything is created.
 */
@Timeout(120)
class HttpEndpointIT {

    @TempDir
    Path dir;
    TetraServer server;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeEach
    void start() throws Exception {
        server = TestServers.start(dir.resolve("db"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Every sample of the scrape, by name and labels; every line parses (MetricsIT.scrape). */
    private Map<String, Double> metrics() throws Exception {
        return MetricsIT.scrape(http, server.httpPort());
    }

    @Test
    void healthAndReadinessAnswerWithoutLogin() throws Exception {
        assertThat(server.httpPort()).isPositive().isNotEqualTo(server.boundPort());
        HttpResponse<String> health = get("/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("ok\n");
        HttpResponse<String> ready = get("/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).isEqualTo("ready\n");
    }

    @Test
    void metricsParseAndMoveWithSessionsAndABackup() throws Exception {
        Map<String, Double> before = metrics();
        assertThat(before).containsEntry("tetra_sessions", 0.0).containsEntry("tetra_backup_running", 0.0)
                .containsEntry("tetra_backup_last_number", 0.0).containsEntry("tetra_gate_queued_writes", 0.0)
                .containsKey("tetra_data_file_size_bytes").containsKey("tetra_log_last_operation");
        assertThat(before.keySet()).anyMatch(k -> k.startsWith("jvm_memory_used_bytes"));
        try (TetraClient admin = TestServers.admin(server)) {
            TestServers.tableT(admin, 100);
            assertThat(metrics()).containsEntry("tetra_sessions", 1.0);
            long number = admin.admin().startBackup().getBackupNumber();
            await().atMost(60, TimeUnit.SECONDS).until(() -> metrics().get("tetra_backup_last_number") == number
                    && metrics().get("tetra_backup_running") == 0.0);
            Map<String, Double> after = metrics();
            assertThat(after).containsEntry("tetra_backup_last_success", 1.0);
            assertThat(after.get("tetra_backup_last_size_bytes")).isPositive();
            assertThat(after.get("tetra_backup_last_end_timestamp_seconds"))
                    .isGreaterThan(System.currentTimeMillis() / 1000.0 - 600);
            assertThat(after.get("tetra_log_last_operation")).isGreaterThan(before.get("tetra_log_last_operation"));
        }
    }

    @Test
    void whatItDoesNotServeIsRefusedAndTheConnectionGoesOn() throws Exception {
        assertThat(get("/nothing-here").statusCode()).isEqualTo(404);
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + server.httpPort() + "/metrics")).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("allow")).hasValue("GET, HEAD");
        HttpResponse<String> big = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + server.httpPort() + "/health")).method("GET", HttpRequest.BodyPublishers.ofString(
                "x".repeat(HttpEndpoint.MAX_REQUEST_BYTES + 1))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(big.statusCode()).isEqualTo(413);
        // a header line longer than the codec takes: 400, and the server goes on
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.httpPort())) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET /health HTTP/1.1\r\nHost: x\r\nX-Long: " + "y".repeat(20_000) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String status = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            assertThat(status).startsWith("HTTP/1.1 4");
        }
        assertThat(get("/health").statusCode()).isEqualTo(200);
    }

    @Test
    void withTlsTheHttpPortSpeaksHttpsWithTheServersCertificate() throws Exception {
        io.tetradb.server.net.TestCertificates.Pem pem = io.tetradb.server.net.TestCertificates.make(
                java.nio.file.Files.createDirectories(dir.resolve("certs")), "localhost", "dns:localhost,ip:127.0.0.1");
        javax.net.ssl.SSLContext ssl = io.tetradb.server.net.TestCertificates.trusting(pem.certificate());
        try (TetraServer tls = TetraServer.start(TestServers.config(dir).dataDir(dir.resolve("tls"))
                .tlsCertificate(pem.certificate()).tlsKey(pem.key()).build())) {
            HttpClient https = HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(10)).build();
            HttpResponse<String> health = https.send(HttpRequest.newBuilder(URI.create("https://localhost:"
                    + tls.httpPort() + "/health")).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).isEqualTo("ok\n");
            // plain HTTP at the TLS port gets no answer it could read
            assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + tls.httpPort() + "/health")).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString())).isInstanceOf(java.io.IOException.class);
        }
    }

    @Test
    void anHttpPortInUseIsRefusedNamingTheSettingAndOffMeansNoPort() throws Exception {
        Path fresh = dir.resolve("fresh");
        try (ServerSocket holder = new ServerSocket()) {
            holder.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int taken = holder.getLocalPort();
            assertThatThrownBy(() -> TetraServer.start(TestServers.config(dir).dataDir(fresh).httpPort(taken).build()))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("http.port " + taken)
                    .hasMessageContaining("TETRA_HTTP_PORT").hasMessageContaining("http.enabled: false");
        }
        assertThat(fresh).doesNotExist();
        try (TetraServer off = TetraServer.start(TestServers.config(dir).dataDir(dir.resolve("off"))
                .httpEnabled(false).build())) {
            assertThat(off.httpPort()).isEqualTo(-1);
        }
    }
}
