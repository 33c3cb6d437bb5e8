package io.tetradb.jdbc;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** isValid's timeout, setNetworkTimeout and abort, with a network that stops answering. */
@Timeout(120)
class NetworkIT extends ServerPerTest {
    FreezableProxy proxy;

    @BeforeEach
    void start() throws Exception {
        proxy = new FreezableProxy(server.boundPort());
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
    }

    private Connection throughProxy() throws SQLException {
        return DriverManager.getConnection("jdbc:tetra://127.0.0.1:" + proxy.port() + "/", "admin",
                JdbcServers.ADMIN_PASSWORD);
    }

    @Test
    void isValidAnswersFalseWithinItsTimeoutWhenTheServerIsSilent() throws SQLException {
        try (Connection c = throughProxy()) {
            assertThat(c.isValid(5)).isTrue();
            proxy.freeze();
            long t0 = System.nanoTime();
            assertThat(c.isValid(1)).isFalse();
            // Not a timing assertion of speed: only that isValid did not wait forever (the test's own timeout
            // would catch that); the elapsed time is reported for the reader.
            System.out.printf("isValid(1) on a silent network returned after %d ms%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        }
    }

    @Test
    void theNetworkTimeoutClosesAConnectionWhoseServerStaysSilent() throws SQLException {
        Connection c = throughProxy();
        c.setNetworkTimeout(Executors.newSingleThreadExecutor(), 500);
        assertThat(c.getNetworkTimeout()).isEqualTo(500);
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 1")) {
            assertThat(rs.next()).isTrue();
        }
        proxy.freeze();
        Statement st = c.createStatement();
        assertThatThrownBy(() -> st.executeQuery("SELECT 2")).isInstanceOfSatisfying(
                SQLNonTransientConnectionException.class, e -> {
                    assertThat(e.getSQLState()).isEqualTo("08006");
                    assertThat(e.getMessage()).contains("network timeout of 500 ms");
                });
        assertThat(c.isClosed()).isTrue();
        assertThat(c.isValid(1)).isFalse();
    }

    @Test
    void aSlowStatementThatStreamsKeepsItsConnectionUnderTheNetworkTimeout() throws SQLException {
        try (Connection c = JdbcServers.admin(server)) {
            c.setNetworkTimeout(Executors.newSingleThreadExecutor(), 2000);
            try (Statement st = c.createStatement()) {
                // Statements without rows (whose start the client sees as no header) are answered too.
                assertThat(st.execute("CREATE TABLE NT(X INT)")).isFalse();
                assertThat(st.executeUpdate("INSERT INTO NT VALUES (1)")).isEqualTo(1);
                st.setFetchSize(100);
                try (ResultSet rs = st.executeQuery("SELECT X FROM SYSTEM_RANGE(1, 200000)")) {
                    long n = 0;
                    while (rs.next()) {
                        n++;
                    }
                    assertThat(n).isEqualTo(200_000);
                }
            }
            assertThat(c.isValid(5)).isTrue();
        }
    }

    @Test
    void abortFromAnotherThreadEndsABlockedCallAndTheServerRollsBack() throws Exception {
        Connection c = JdbcServers.admin(server);
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE T(ID INT)");
        }
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO T VALUES (1)");
        }
        Statement st = c.createStatement();
        CompletableFuture<Object> running = CompletableFuture.supplyAsync(() -> {
            try {
                return st.executeQuery(StatementsIT.LONG_QUERY);
            } catch (SQLException e) {
                return e;
            }
        });
        c.abort(Runnable::run);
        assertThat(c.isClosed()).isTrue();
        assertThat(running.get(60, TimeUnit.SECONDS)).isInstanceOfSatisfying(SQLException.class,
                e -> assertThat(e.getSQLState()).startsWith("08"));
        try (Connection other = JdbcServers.admin(server); Statement s = other.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM T")) {
            rs.next();
            assertThat(rs.getLong(1)).as("the aborted transaction was rolled back").isZero();
        }
    }
}
