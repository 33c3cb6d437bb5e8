package io.tetradb.server.net;

import io.tetradb.client.ClientConfig;
import io.tetradb.client.TetraClient;
import io.tetradb.server.TestLogAppender;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Clients of other protocols at Tetra's port (issue 15 part 7), each the real thing: H2's
 * JDBC client over its TCP protocol, PostgreSQL's JDBC driver with and without its
 * SSLRequest, java.net.http's HttpClient, random bytes, and plain HTTP at a TLS server.
 * Each sees a message naming Tetra (or is closed), the server logs one line naming the
 * address and the protocol, and a real Tetra client still connects and works afterwards.
 */
@Timeout(120)
class ForeignClientsIT {
    @TempDir
    Path dir;
    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private TestLogAppender appender;

    private TetraServer start(TetraServer s) {
        appender = TestLogAppender.install("foreign-clients-it", "WARN", e -> {
            if (e.logger().endsWith("ForeignClientLog")) {
                warnings.add(e.message());
            }
        });
        return s;
    }

    @AfterEach
    void removeAppender() {
        if (appender != null) {
            appender.close();
        }
    }

    private static void tetraStillWorks(TetraServer server) {
        try (TetraClient c = TestServers.admin(server)) {
            assertThat(c.execute("SELECT 6 * 7").rows().get(0).get(0)).isEqualTo(42);
        }
    }

    @Test
    void h2sJdbcClientIsToldThisIsTetra() throws Exception {
        try (TetraServer server = start(TestServers.start(dir))) {
            assertThatThrownBy(() -> DriverManager.getConnection("jdbc:h2:tcp://127.0.0.1:" + server.boundPort()
                    + "/x", "sa", "sa"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("this is a Tetra server, not an H2 TCP server")
                    .hasMessageContaining("jdbc:tetra://")
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08004"));
            await().atMost(Duration.ofSeconds(20)).until(() -> !warnings.isEmpty());
            assertThat(warnings).singleElement().asString().startsWith("A client at 127.0.0.1:")
                    .contains("speaks H2's TCP protocol, not Tetra's protocol");
            tetraStillWorks(server);
        }
    }

    @Test
    void postgresJdbcDriverIsToldThisIsTetraWithAndWithoutSsl() throws Exception {
        try (TetraServer server = start(TestServers.start(dir))) {
            for (String sslmode : new String[]{"disable", "prefer"}) {
                assertThatThrownBy(() -> DriverManager.getConnection("jdbc:postgresql://127.0.0.1:"
                        + server.boundPort() + "/x?sslmode=" + sslmode + "&connectTimeout=20", "u", "p"))
                        .as(sslmode)
                        .isInstanceOf(org.postgresql.util.PSQLException.class)
                        .hasMessageContaining("this is a Tetra server, not PostgreSQL")
                        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08P01"));
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> !warnings.isEmpty());
            // two connections from one address within a minute: one line
            assertThat(warnings).singleElement().asString().startsWith("A client at 127.0.0.1:")
                    .contains("speaks PostgreSQL's protocol, not Tetra's protocol");
            tetraStillWorks(server);
        }
    }

    @Test
    void httpGetIsAnswered400WithABody() throws Exception {
        try (TetraServer server = start(TestServers.start(dir))) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20)).build();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + server.boundPort() + "/")).timeout(Duration.ofSeconds(20)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v)
                    .startsWith("text/plain"));
            assertThat(r.body()).contains("This port speaks Tetra's binary protocol, not HTTP")
                    .contains("tetra-admin").contains("jdbc:tetra://");
            await().atMost(Duration.ofSeconds(20)).until(() -> !warnings.isEmpty());
            assertThat(warnings).singleElement().asString().startsWith("A client at 127.0.0.1:")
                    .contains("speaks HTTP, not Tetra's protocol: answered 400 and closed");
            tetraStillWorks(server);
        }
    }

    @Test
    void aClientStoppingInTheFirstBytesIsStillClosedByTheHandshakeTimeout() throws Exception {
        try (TetraServer server = start(TetraServer.start(TestServers.config(dir)
                .handshakeTimeout(Duration.ofMillis(500)).build()))) {
            for (byte[] start : new byte[][]{{'G', 'E'}, {0, 0, 0}, {}}) {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.boundPort())) {
                    s.setSoTimeout(20_000);
                    s.getOutputStream().write(start);
                    s.getOutputStream().flush();
                    InputStream in = s.getInputStream();
                    while (in.read() >= 0) {
                        // the handshake timeout's error frame, then the close
                    }
                }
            }
            assertThat(warnings).as("undecided: nothing logged as a foreign client").isEmpty();
            tetraStillWorks(server);
        }
    }

    @Test
    void randomGarbageIsClosed() throws Exception {
        try (TetraServer server = start(TestServers.start(dir))) {
            for (long seed = 1; seed <= 3; seed++) {
                byte[] garbage = new byte[4096];
                new Random(seed).nextBytes(garbage);
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.boundPort())) {
                    s.setSoTimeout(20_000);
                    OutputStream out = s.getOutputStream();
                    try {
                        out.write(garbage);
                        out.flush();
                    } catch (java.io.IOException closedMeanwhile) {
                        // the server may close before all of it is sent
                    }
                    InputStream in = s.getInputStream();
                    try {
                        while (in.read() >= 0) {
                            // drain until the server closes
                        }
                    } catch (java.net.SocketException reset) {
                        // closed by the server with bytes unread: also a close
                    }
                }
            }
            tetraStillWorks(server);
        }
    }

    @Test
    void plainHttpAtATlsServerIsAnsweredAndLogged(@TempDir Path certs) throws Exception {
        TestCertificates.Pem pem = TestCertificates.make(certs, "localhost", "dns:localhost,ip:127.0.0.1");
        try (TetraServer server = start(TetraServer.start(TestServers.config(dir).tlsCertificate(pem.certificate())
                .tlsKey(pem.key()).build()))) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20)).build();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + server.boundPort() + "/")).timeout(Duration.ofSeconds(20)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(400);
            await().atMost(Duration.ofSeconds(20)).until(() -> !warnings.isEmpty());
            assertThat(warnings).singleElement().asString().startsWith("A client at 127.0.0.1:")
                    .contains("speaks HTTP without TLS, not Tetra's protocol over TLS");
            try (TetraClient c = TetraClient.connect(ClientConfig.builder().host("localhost")
                    .port(server.boundPort()).user("admin").password(TestServers.ADMIN_PASSWORD)
                    .tlsTrustedCertificates(pem.certificate()).connectTimeout(Duration.ofSeconds(20)).build())) {
                assertThat(c.execute("SELECT 8").rows().get(0).get(0)).isEqualTo(8);
            }
        }
    }
}
