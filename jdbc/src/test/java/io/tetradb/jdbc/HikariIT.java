package io.tetradb.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** HikariCP, unchanged, over the Tetra driver: a pool of 16 shared by 32 threads, validation, a server restart. */
@Timeout(180)
class HikariIT extends ServerPerTest {
    HikariDataSource pool;

    @BeforeEach
    void start() throws Exception {
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(JdbcServers.url(server, ""));
        cfg.setUsername("admin");
        cfg.setPassword(JdbcServers.ADMIN_PASSWORD);
        cfg.setMaximumPoolSize(16);
        cfg.setMinimumIdle(16);
        cfg.setConnectionTimeout(30_000);
        cfg.setValidationTimeout(1_000);
        cfg.setPoolName("tetra-test");
        pool = new HikariDataSource(cfg);
        try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE COUNTER(ID INT PRIMARY KEY, N BIGINT)");
            st.execute("INSERT INTO COUNTER VALUES (1, 0)");
            st.execute("CREATE TABLE LOG(ID BIGINT AUTO_INCREMENT PRIMARY KEY, WORKER INT, I INT)");
        }
    }

    @AfterEach
    void stop() {
        pool.close();
    }

    @Test
    void thirtyTwoThreadsShareSixteenConnectionsWithTransactions() throws Exception {
        int threads = 32;
        int each = 50;
        ExecutorService workers = Executors.newFixedThreadPool(threads);
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < threads; w++) {
            int worker = w;
            done.add(workers.submit(() -> {
                for (int i = 0; i < each; i++) {
                    try (Connection c = pool.getConnection()) {
                        c.setAutoCommit(false);
                        try (PreparedStatement up = c.prepareStatement("UPDATE COUNTER SET N = N + 1 WHERE ID = 1");
                             PreparedStatement log = c.prepareStatement("INSERT INTO LOG(WORKER, I) VALUES (?, ?)")) {
                            up.executeUpdate();
                            log.setInt(1, worker);
                            log.setInt(2, i);
                            log.executeUpdate();
                        }
                        c.commit();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(150, TimeUnit.SECONDS);
        }
        workers.shutdown();
        assertThat(pool.getHikariPoolMXBean().getTotalConnections()).isLessThanOrEqualTo(16);
        try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
            assertThat(c.getAutoCommit()).as("Hikari resets autocommit on return").isTrue();
            try (ResultSet rs = st.executeQuery("SELECT N FROM COUNTER")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo((long) threads * each);
            }
            try (ResultSet rs = st.executeQuery("SELECT COUNT(*), COUNT(DISTINCT WORKER) FROM LOG")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo((long) threads * each);
                assertThat(rs.getLong(2)).isEqualTo(threads);
            }
        }
    }

    @Test
    void aStoppedAndRestartedServerIsReachedAgainThroughThePool() throws Exception {
        int port = server.boundPort();
        server.close();
        server = TetraServer.start(TestServers.config(dir).port(port).build());
        await().atMost(120, TimeUnit.SECONDS).ignoreExceptions().until(() -> {
            try (Connection c = pool.getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT N FROM COUNTER")) {
                return rs.next() && rs.getLong(1) == 0;
            }
        });
        // Every connection the pool holds now works: the broken ones were evicted.
        List<Connection> held = new ArrayList<>();
        try {
            for (int i = 0; i < 16; i++) {
                Connection c = pool.getConnection();
                held.add(c);
                assertThat(c.isValid(5)).isTrue();
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 1")) {
                    assertThat(rs.next()).isTrue();
                }
            }
        } finally {
            for (Connection c : held) {
                c.close();
            }
        }
    }

    @Test
    void theDriversDataSourceServesThePoolToo() throws SQLException {
        TetraDataSource ds = new TetraDataSource();
        ds.setServerName("127.0.0.1");
        ds.setPortNumber(server.boundPort());
        ds.setUser("admin");
        ds.setPassword(JdbcServers.ADMIN_PASSWORD);
        ds.setWaitPolicy("wait-at-most=30s");
        HikariConfig cfg = new HikariConfig();
        cfg.setDataSource(ds);
        cfg.setMaximumPoolSize(2);
        try (HikariDataSource other = new HikariDataSource(cfg); Connection c = other.getConnection();
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM COUNTER")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(1)).isEqualTo(1);
            assertThat(c.unwrap(TetraConnection.class).waitPolicy().toString()).isEqualTo("wait-at-most=30000ms");
        }
    }
}
