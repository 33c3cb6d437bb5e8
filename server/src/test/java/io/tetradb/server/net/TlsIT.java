package io.tetradb.server.net;

import io.tetradb.client.ClientConfig;
import io.tetradb.client.Row;
import io.tetradb.client.Rows;
import io.tetradb.client.TetraClient;
import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraException;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import io.tetradb.server.config.ConfigException;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * TLS between the real client and the real server (docs/tls.md): queries and a
 * streamed result over TLS, a certificate the client does not trust or whose name does
 * not match, a plain client at a TLS server and a TLS client at a plain one, and bad
 * certificate settings at start, each with its code and a message saying what to do.
 */
class TlsIT {
    @TempDir
    static Path certs;
    static TestCertificates.Pem local;
    static TestCertificates.Pem otherName;

    @TempDir
    Path dir;

    @BeforeAll
    static void certificates() throws Exception {
        local = TestCertificates.make(certs, "localhost", "dns:localhost,ip:127.0.0.1");
        otherName = TestCertificates.make(certs, "elsewhere", "dns:db.elsewhere.example");
    }

    private TetraServer tlsServer(TestCertificates.Pem pem) throws Exception {
        return TetraServer.start(TestServers.config(dir).tlsCertificate(pem.certificate()).tlsKey(pem.key()).build());
    }

    private static ClientConfig.Builder client(TetraServer server, String host) {
        return ClientConfig.builder().host(host).port(server.boundPort()).user("admin")
                .password(TestServers.ADMIN_PASSWORD).connectTimeout(Duration.ofSeconds(20));
    }

    @Test
    void queriesAndAStreamedResultGoOverTls() throws Exception {
        try (TetraServer server = tlsServer(local);
             TetraClient c = TetraClient.connect(client(server, "localhost")
                     .tlsTrustedCertificates(local.certificate()).build())) {
            assertThat(c.execute("SELECT 1 + 1").rows().get(0).get(0)).isEqualTo(2);
            assertThat(c.admin().status().getTls()).isTrue();
            c.execute("CREATE TABLE BIG AS SELECT X AS ID, REPEAT('x', 100) AS PAD FROM SYSTEM_RANGE(1, 200000)");
            long rows = 0;
            long sum = 0;
            try (Rows r = c.query("SELECT ID, PAD FROM BIG")) {
                for (Row row : r) {
                    rows++;
                    sum += ((Number) row.get(0)).longValue();
                }
            }
            assertThat(rows).isEqualTo(200_000);
            assertThat(sum).isEqualTo(200_000L * 200_001 / 2);
            // The address is in the certificate too.
            try (TetraClient byAddress = TetraClient.connect(client(server, "127.0.0.1")
                    .tlsTrustedCertificates(local.certificate()).build())) {
                assertThat(byAddress.execute("SELECT COUNT(*) FROM BIG").rows().get(0).get(0)).isEqualTo(200_000L);
            }
        }
    }

    @Test
    void aRenewedCertificateIsUsedWithoutARestartAndABadOneIsLeftAside() throws Exception {
        TestCertificates.Pem renewed = TestCertificates.make(dir, "renewed", "dns:localhost,ip:127.0.0.1");
        Path cert = dir.resolve("server.crt");
        Path key = dir.resolve("server.key");
        Files.copy(local.certificate(), cert);
        Files.copy(local.key(), key);
        try (TetraServer server = TetraServer.start(TestServers.config(dir).tlsCertificate(cert).tlsKey(key).build());
             TetraClient before = TetraClient.connect(client(server, "localhost")
                     .tlsTrustedCertificates(local.certificate()).build())) {
            assertThat(server.reloadTls()).as("nothing changed").isFalse();

            replace(cert, renewed.certificate());
            replace(key, renewed.key());
            assertThat(server.reloadTls()).isTrue();
            try (TetraClient after = TetraClient.connect(client(server, "localhost")
                    .tlsTrustedCertificates(renewed.certificate()).build())) {
                assertThat(after.execute("SELECT 1").rows().get(0).get(0)).isEqualTo(1);
            }
            assertThatThrownBy(() -> TetraClient.connect(client(server, "localhost")
                    .tlsTrustedCertificates(local.certificate()).build()))
                    .isInstanceOfSatisfying(TetraException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.AUTH_FAILED));
            // The connection made before the renewal goes on with its own.
            assertThat(before.execute("SELECT 2").rows().get(0).get(0)).isEqualTo(2);

            // A key that is not the certificate's: the renewed pair stays in use.
            replace(key, otherName.key());
            assertThat(server.reloadTls()).isFalse();
            assertThat(server.reloadTls()).as("not tried again until the files change again").isFalse();
            try (TetraClient still = TetraClient.connect(client(server, "localhost")
                    .tlsTrustedCertificates(renewed.certificate()).build())) {
                assertThat(still.execute("SELECT 3").rows().get(0).get(0)).isEqualTo(3);
            }
            // Put right: taken up.
            replace(key, renewed.key());
            assertThat(server.reloadTls()).isTrue();
        }
    }

    /** Overwrites {@code target} with {@code source}, its time moved on so that the change shows. */
    private static void replace(Path target, Path source) throws Exception {
        java.nio.file.attribute.FileTime was = Files.getLastModifiedTime(target);
        Files.copy(source, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.setLastModifiedTime(target, java.nio.file.attribute.FileTime.fromMillis(was.toMillis() + 2000));
    }

    @Test
    void aSessionEndedByAnAdministratorOverTlsIsToldWhyAsInPlainTcp() throws Exception {
        try (TetraServer server = tlsServer(local);
             TetraClient admin = TetraClient.connect(client(server, "localhost")
                     .tlsTrustedCertificates(local.certificate()).build());
             TetraClient victim = TetraClient.connect(client(server, "localhost")
                     .tlsTrustedCertificates(local.certificate()).build())) {
            admin.admin().killSession(victim.sessionId());
            await().atMost(Duration.ofSeconds(30)).until(() -> !victim.isOpen());
            assertThatThrownBy(victim::ping).isInstanceOfSatisfying(TetraException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.CONNECTION_LOST);
                assertThat(e.getMessage()).contains("ended by an administrator");
            });
            assertThat(admin.execute("SELECT 5").rows().get(0).get(0)).isEqualTo(5);
        }
    }

    @Test
    void aCertificateTheClientDoesNotTrustIsRefusedWith2002() throws Exception {
        try (TetraServer server = tlsServer(local)) {
            // The JVM's own authorities did not sign this self-signed certificate.
            assertThatThrownBy(() -> TetraClient.connect(client(server, "localhost").tls(true).build()))
                    .isInstanceOfSatisfying(TetraException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.AUTH_FAILED);
                        assertThat(e.getMessage()).contains("TLS certificate of localhost:").contains("not trusted");
                    });
            // Trusted, but for another name.
        }
        try (TetraServer server = tlsServer(otherName)) {
            assertThatThrownBy(() -> TetraClient.connect(client(server, "localhost")
                    .tlsTrustedCertificates(otherName.certificate()).build()))
                    .isInstanceOfSatisfying(TetraException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.AUTH_FAILED);
                        assertThat(e.getMessage()).contains("not trusted");
                    });
        }
    }

    @Test
    void aPlainClientAtATlsServerIsToldToUseTlsAndOthersGoOn() throws Exception {
        try (TetraServer server = tlsServer(local);
             TetraClient first = TetraClient.connect(client(server, "localhost")
                     .tlsTrustedCertificates(local.certificate()).build())) {
            assertThatThrownBy(() -> TetraClient.connect(client(server, "localhost").build()))
                    .isInstanceOfSatisfying(TetraException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.CONNECTION_LOST);
                        assertThat(e.getMessage()).contains("if it has TLS on, connect with TLS");
                    });
            assertThat(first.execute("SELECT 7").rows().get(0).get(0)).isEqualTo(7);
            try (TetraClient again = TetraClient.connect(client(server, "localhost")
                    .tlsTrustedCertificates(local.certificate()).build())) {
                assertThat(again.execute("SELECT 8").rows().get(0).get(0)).isEqualTo(8);
            }
        }
    }

    @Test
    void aTlsClientAtAPlainServerIsToldWhy() throws Exception {
        try (TetraServer server = TestServers.start(dir)) {
            assertThatThrownBy(() -> TetraClient.connect(client(server, "localhost")
                    .tlsTrustedCertificates(local.certificate()).build()))
                    .isInstanceOfSatisfying(TetraException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.CONNECTION_LOST);
                        assertThat(e.getMessage()).contains("TLS handshake with localhost:")
                                .contains("does the server have TLS on?");
                    });
            try (TetraClient plain = TestServers.admin(server)) {
                assertThat(plain.execute("SELECT 9").rows().get(0).get(0)).isEqualTo(9);
            }
        }
    }

    @Test
    void aTrustFileWithoutCertificatesIs2010() throws Exception {
        Path notPem = dir.resolve("not-a-certificate.pem");
        Files.writeString(notPem, "hello", StandardCharsets.US_ASCII);
        try (TetraServer server = tlsServer(local)) {
            assertThatThrownBy(() -> TetraClient.connect(client(server, "localhost")
                    .tlsTrustedCertificates(notPem).build()))
                    .isInstanceOfSatisfying(TetraException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                        assertThat(e.getMessage()).contains(notPem.toString());
                    });
        }
    }

    @Test
    void badTlsSettingsStopTheStartNamingTheKey() throws Exception {
        refusedAtStart(local.certificate(), null).hasMessageContaining("tlsKey: must be set with tlsCertificate");
        refusedAtStart(dir.resolve("missing.pem"), local.key()).hasMessageContaining("tlsCertificate: ")
                .hasMessageContaining("is not a readable file");
        refusedAtStart(local.certificate(), otherName.key()).hasMessageContaining("tlsKey: ")
                .hasMessageContaining("is not the private key of the certificate");
        refusedAtStart(local.certificate(), file("garbage.pem", "PRIVATE KEY")).hasMessageContaining("tlsKey: ")
                .hasMessageContaining("is not an RSA, EC or EdDSA private key");
        refusedAtStart(local.certificate(), file("pkcs1.pem", "RSA PRIVATE KEY"))
                .hasMessageContaining("older PKCS#1/SEC1 form").hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
        refusedAtStart(local.key(), local.key()).hasMessageContaining("tlsCertificate: ");
    }

    private AbstractThrowableAssert<?, ? extends Throwable> refusedAtStart(Path certificate, Path key) {
        return assertThatThrownBy(() -> TetraServer.start(TestServers.config(dir).tlsCertificate(certificate)
                .tlsKey(key).build())).isInstanceOf(ConfigException.class);
    }

    /** A PEM file of {@code type} whose content is not a key. */
    private Path file(String name, String type) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, "-----BEGIN " + type + "-----\nbm90IGEga2V5\n-----END " + type + "-----\n",
                StandardCharsets.US_ASCII);
        return f;
    }
}
