package io.tetradb.admin;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.tetradb.admin.PackagedServers.ServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The JDBC driver and HikariCP against the packaged server, run as its own process (SIGKILL and restart included). */
@Timeout(300)
class PackagedJdbcIT {
    private static final String ADMIN_PASSWORD = "packaged-jdbc-secret";

    @TempDir
    Path temp;
    PackagedServers servers;

    @BeforeEach
    void setUp() {
        servers = new PackagedServers(temp);
    }

    @AfterEach
    void killLeftovers() throws InterruptedException {
        servers.killLeftovers();
    }

    private static String url(int port) {
        return "jdbc:tetra://127.0.0.1:" + port + "/";
    }

    @Test
    void theDriverAndAPoolWorkAgainstThePackagedServerAndAfterItsRestart() throws Exception {
        Path dataDir = temp.resolve("jdbc");
        ServerProcess server = servers.start(dataDir, Map.of("TETRA_ADMIN_PASSWORD", ADMIN_PASSWORD));
        int port = server.port();
        try (Connection c = DriverManager.getConnection(url(port), "admin", ADMIN_PASSWORD);
             Statement st = c.createStatement()) {
            DatabaseMetaData md = c.getMetaData();
            assertThat(md.getDatabaseProductName()).isEqualTo("H2");
            assertThat(md.getDatabaseProductVersion()).startsWith("2.3.232");
            st.execute("CREATE TABLE ITEM(ID INT AUTO_INCREMENT PRIMARY KEY, NAME VARCHAR(40))");
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO ITEM(NAME) VALUES (?)")) {
                for (int i = 0; i < 100; i++) {
                    ps.setString(1, "item " + i);
                    ps.addBatch();
                }
                assertThat(ps.executeBatch()).hasSize(100);
            }
            c.commit();
            c.setAutoCommit(true);
            st.setQueryTimeout(1);
            assertThatThrownBy(() -> st.executeQuery(
                    "SELECT COUNT(*) FROM SYSTEM_RANGE(1, 100000) A, SYSTEM_RANGE(1, 100000) B"))
                    .isInstanceOf(SQLTimeoutException.class);
        }
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(url(port));
        cfg.setUsername("admin");
        cfg.setPassword(ADMIN_PASSWORD);
        cfg.setMaximumPoolSize(4);
        cfg.setConnectionTimeout(30_000);
        try (HikariDataSource pool = new HikariDataSource(cfg)) {
            assertThat(count(pool)).isEqualTo(100);
            // The acknowledged batch survives a SIGKILL; the pool reaches the server started again on its port.
            server.kill();
            ServerProcess again = servers.start(dataDir, Map.of(), port);
            assertThat(again.port()).isPositive();
            await().atMost(120, TimeUnit.SECONDS).ignoreExceptions().until(() -> count(pool) == 100);
            again.stop();
        }
    }

    private static long count(HikariDataSource pool) throws SQLException {
        try (Connection c = pool.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM ITEM")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
