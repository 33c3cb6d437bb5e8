package io.tetradb.jdbc;

import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(60)
class ConnectionIT {
    @TempDir
    Path dir;
    TetraServer server;

    @BeforeEach
    void start() throws Exception {
        server = TestServers.start(dir);
    }

    @AfterEach
    void stop() {
        server.close();
    }

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
    void aWrongPasswordIs28000() {
        assertThatThrownBy(() -> DriverManager.getConnection(JdbcServers.url(server, ""), "admin", "nope"))
                .isInstanceOfSatisfying(SQLException.class, e -> {
                    assertThat(e.getSQLState()).isEqualTo("28000");
                    assertThat(e.getErrorCode()).isEqualTo(2002);
                });
    }
}
