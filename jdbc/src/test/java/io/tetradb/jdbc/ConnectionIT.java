package io.tetradb.jdbc;

import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(60)
class ConnectionIT extends ServerPerTest {

    @Test
    void theDriverIsFoundThroughTheServiceFileAndRunsStatements() throws SQLException {
        assertThat(DriverManager.getDriver(JdbcServers.url(server, ""))).isInstanceOf(TetraDriver.class);
        try (Connection c = JdbcServers.admin(server); Statement st = c.createStatement()) {
            assertThat(st.execute("CREATE TABLE P(ID INT AUTO_INCREMENT PRIMARY KEY, NAME VARCHAR(20))")).isFalse();
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO P(NAME) VALUES (?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, "Ada");
                assertThat(ps.executeUpdate()).isEqualTo(1);
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    assertThat(keys.next()).isTrue();
                    assertThat(keys.getLong(1)).isEqualTo(1);
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT ID, NAME FROM P")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt("ID")).isEqualTo(1);
                assertThat(rs.getString(2)).isEqualTo("Ada");
                assertThat(rs.next()).isFalse();
            }
        }
    }

    @Test
    void tlsAndItsTrustedCertificatesComeFromTheUrl() throws Exception {
        java.nio.file.Files.createDirectories(dir.resolve("certs"));
        io.tetradb.server.net.TestCertificates.Pem pem = io.tetradb.server.net.TestCertificates.make(dir.resolve("certs"),
                "localhost", "dns:localhost,ip:127.0.0.1");
        try (TetraServer tls = TetraServer.start(TestServers.config(dir.resolve("tls")).tlsCertificate(pem.certificate())
                .tlsKey(pem.key()).build())) {
            String url = "jdbc:tetra://localhost:" + tls.boundPort() + "/?tls=true&tlsTrustedCertificates="
                    + java.net.URLEncoder.encode(pem.certificate().toString(), java.nio.charset.StandardCharsets.UTF_8);
            try (Connection c = DriverManager.getConnection(url, "admin", JdbcServers.ADMIN_PASSWORD);
                 Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 1 + 1")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(2);
                assertThat(c.unwrap(TetraConnection.class).client().config().tls()).isTrue();
            }
            assertThatThrownBy(() -> DriverManager.getConnection("jdbc:tetra://localhost:" + tls.boundPort() + "/",
                    "admin", JdbcServers.ADMIN_PASSWORD)).as("plain text to a TLS server")
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).startsWith("08"));
        }
    }

    @Test
    void badUrlsAreRefusedNamingWhatIsWrong() {
        String base = "jdbc:tetra://127.0.0.1:" + server.boundPort();
        assertThatThrownBy(() -> DriverManager.getConnection(base + "/?wiatPolicy=wait", "admin", "x"))
                .isInstanceOfSatisfying(SQLException.class, e -> {
                    assertThat(e.getSQLState()).isEqualTo("08001");
                    assertThat(e.getMessage()).contains("Unknown key 'wiatPolicy'");
                });
        assertThatThrownBy(() -> DriverManager.getConnection(base + "/?waitPolicy=sometimes", "admin", "x"))
                .hasMessageContaining("waitPolicy");
        assertThatThrownBy(() -> DriverManager.getConnection("jdbc:tetra://127.0.0.1:99999/", "admin", "x"))
                .hasMessageContaining("not between 1 and 65535");
        assertThatThrownBy(() -> DriverManager.getConnection(base + "/mydb", "admin", "x"))
                .hasMessageContaining("one database");
        assertThatThrownBy(() -> DriverManager.getConnection(base + "/?productName=Oracle", "admin", "x"))
                .hasMessageContaining("productName");
        java.util.Properties p = new java.util.Properties();
        p.setProperty("user", "admin");
        p.setProperty("password", JdbcServers.ADMIN_PASSWORD);
        p.setProperty("ApplicationName", "a tool's own property, ignored");
        p.setProperty("productName", "Tetra");
        assertThatCode(() -> {
            try (Connection c = DriverManager.getConnection(base + "/?productName=H2", p)) {
                assertThat(c.getMetaData().getDatabaseProductName()).as("a property wins over the URL").isEqualTo("Tetra");
                assertThat(c.getMetaData().getURL()).doesNotContain(JdbcServers.ADMIN_PASSWORD);
            }
        }).doesNotThrowAnyException();
        assertThat(new TetraDriver().acceptsURL("jdbc:h2:tcp://x")).isFalse();
    }

    @Test
    void aWrongPasswordIs28000() {
        assertThatThrownBy(() -> DriverManager.getConnection(JdbcServers.url(server, ""), "admin", "nope"))
                .isInstanceOfSatisfying(SQLException.class, e -> {
                    assertThat(e.getSQLState()).isEqualTo("28000");
                    assertThat(e.getErrorCode()).isEqualTo(2002);
                });
    }
}
