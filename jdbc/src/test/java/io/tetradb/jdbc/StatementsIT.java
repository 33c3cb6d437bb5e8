package io.tetradb.jdbc;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Statements through JDBC: cancel, timeouts, limits, batches, generated keys, results. */
@Timeout(120)
class StatementsIT extends ServerPerTest {
    /** Runs for minutes unless cancelled (admin has no statement timeout by default). */
    static final String LONG_QUERY = "SELECT COUNT(*) FROM SYSTEM_RANGE(1, 100000) A, SYSTEM_RANGE(1, 100000) B";

    Connection c;

    @BeforeEach
    void start() throws Exception {
        c = JdbcServers.admin(server);
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE T(ID INT AUTO_INCREMENT PRIMARY KEY, CODE VARCHAR(10) UNIQUE, N INT DEFAULT 7)");
        }
    }

    @AfterEach
    void stop() throws SQLException {
        c.close();
    }

    @Test
    void cancelFromAnotherThreadStopsTheStatementOnTheServerAndTheConnectionGoesOn() throws Exception {
        Statement st = c.createStatement();
        CompletableFuture<Object> running = CompletableFuture.supplyAsync(() -> {
            try {
                return st.executeQuery(LONG_QUERY);
            } catch (SQLException e) {
                return e;
            }
        });
        await().atMost(60, TimeUnit.SECONDS).until(() -> {
            st.cancel();
            return running.isDone();
        });
        assertThat(running.get()).isInstanceOfSatisfying(SQLException.class, e -> {
            assertThat(e.getSQLState()).isEqualTo("57014");
            assertThat(e.getErrorCode()).isEqualTo(2009);
        });
        try (ResultSet rs = st.executeQuery("SELECT 41 + 1")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(42);
        }
    }

    @Test
    void aQueryTimeoutIsEnforcedByTheServer() throws SQLException {
        try (Statement st = c.createStatement()) {
            st.setQueryTimeout(1);
            assertThat(st.getQueryTimeout()).isEqualTo(1);
            assertThatThrownBy(() -> st.executeQuery(LONG_QUERY)).isInstanceOfSatisfying(SQLTimeoutException.class, e -> {
                assertThat(e.getSQLState()).isEqualTo("57014");
                assertThat(e.getMessage()).contains("timeout of 1 s");
            });
            st.setQueryTimeout(0);
            try (ResultSet rs = st.executeQuery("SELECT 1")) {
                assertThat(rs.next()).isTrue();
            }
        }
    }

    @Test
    void maxRowsEndsTheResultOnTheServerAndTheFetchSizeStreams() throws SQLException {
        try (Statement st = c.createStatement()) {
            st.setMaxRows(5);
            st.setFetchSize(2);
            try (ResultSet rs = st.executeQuery("SELECT X FROM SYSTEM_RANGE(1, 1000)")) {
                int n = 0;
                while (rs.next()) {
                    n++;
                    assertThat(rs.getInt(1)).isEqualTo(n);
                }
                assertThat(n).isEqualTo(5);
            }
            st.setMaxRows(0);
            try (ResultSet rs = st.executeQuery("SELECT X FROM SYSTEM_RANGE(1, 1000)")) {
                int n = 0;
                while (rs.next()) {
                    n++;
                }
                assertThat(n).isEqualTo(1000);
            }
        }
        // A statement prepared in the server's cache keeps no limit of an earlier request.
        try (PreparedStatement ps = c.prepareStatement("SELECT X FROM SYSTEM_RANGE(1, 10)")) {
            ps.setMaxRows(3);
            assertThat(rows(ps.executeQuery())).hasSize(3);
            ps.setMaxRows(0);
            assertThat(rows(ps.executeQuery())).hasSize(10);
        }
    }

    private static List<Object> rows(ResultSet rs) throws SQLException {
        List<Object> out = new ArrayList<>();
        try (rs) {
            while (rs.next()) {
                out.add(rs.getObject(1));
            }
        }
        return out;
    }

    @Test
    void batchesGiveEachStatementsCountAndStopAtTheFirstFailure() throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO T(CODE) VALUES (?)")) {
            for (String code : new String[]{"a", "b", "c"}) {
                ps.setString(1, code);
                ps.addBatch();
            }
            assertThat(ps.executeBatch()).containsExactly(1, 1, 1);
            ps.setString(1, "d");
            ps.addBatch();
            ps.setString(1, "a"); // duplicate
            ps.addBatch();
            ps.setString(1, "e");
            ps.addBatch();
            assertThatThrownBy(ps::executeBatch).isInstanceOfSatisfying(BatchUpdateException.class, e -> {
                assertThat(e.getUpdateCounts()).containsExactly(1);
                assertThat(e.getSQLState()).isEqualTo("23505");
            });
        }
        try (Statement st = c.createStatement()) {
            st.addBatch("UPDATE T SET N = N + 1");
            st.addBatch("DELETE FROM T WHERE CODE = 'a'");
            assertThat(st.executeBatch()).containsExactly(4, 1);
            try (ResultSet rs = st.executeQuery("SELECT COUNT(*), SUM(N) FROM T")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(3);
                assertThat(rs.getLong(2)).isEqualTo(24);
            }
        }
    }

    @Test
    void generatedKeysInAllThreeForms() throws SQLException {
        try (Statement st = c.createStatement()) {
            assertThat(st.executeUpdate("INSERT INTO T(CODE) VALUES ('k1')", Statement.RETURN_GENERATED_KEYS)).isEqualTo(1);
            try (ResultSet keys = st.getGeneratedKeys()) {
                assertThat(keys.next()).isTrue();
                assertThat(keys.getLong("ID")).isEqualTo(1);
            }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO T(CODE) VALUES (?)", new String[]{"ID", "N"})) {
            ps.setString(1, "k2");
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                assertThat(keys.getMetaData().getColumnCount()).isEqualTo(2);
                assertThat(keys.next()).isTrue();
                assertThat(keys.getLong(1)).isEqualTo(2);
                assertThat(keys.getInt(2)).isEqualTo(7);
            }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO T(CODE) VALUES (?)", new int[]{3})) {
            ps.setString(1, "k3");
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                assertThat(keys.getMetaData().getColumnCount()).isEqualTo(1);
                assertThat(keys.next()).isTrue();
                assertThat(keys.getInt(1)).isEqualTo(7);
            }
        }
        try (Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO T(CODE) VALUES ('k4')");
            try (ResultSet keys = st.getGeneratedKeys()) {
                assertThat(keys.next()).as("no keys asked for").isFalse();
            }
        }
    }

    @Test
    void oneResultPerExecutionAndTheWrongExecuteMethodIsRefused() throws SQLException {
        try (Statement st = c.createStatement()) {
            assertThat(st.execute("SELECT 1")).isTrue();
            ResultSet rs = st.getResultSet();
            assertThat(st.getUpdateCount()).isEqualTo(-1);
            assertThat(st.getMoreResults()).isFalse();
            assertThat(rs.isClosed()).isTrue();
            assertThat(st.getUpdateCount()).isEqualTo(-1);
            assertThat(st.execute("INSERT INTO T(CODE) VALUES ('x')")).isFalse();
            assertThat(st.getUpdateCount()).isEqualTo(1);
            assertThat(st.getResultSet()).isNull();
            assertThat(st.getMoreResults()).isFalse();
            assertThat(st.getUpdateCount()).isEqualTo(-1);
            assertThatThrownBy(() -> st.executeQuery("DELETE FROM T WHERE 1 = 0")).isInstanceOf(SQLException.class)
                    .hasMessageContaining("executeUpdate");
            assertThatThrownBy(() -> st.executeUpdate("SELECT 1")).isInstanceOf(SQLException.class)
                    .hasMessageContaining("executeQuery");
            assertThatThrownBy(() -> st.executeQuery("SELEC 1")).isInstanceOfSatisfying(SQLException.class,
                    e -> assertThat(e.getSQLState()).isEqualTo("42001"));
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT ? + ?")) {
            ps.setInt(1, 1);
            assertThatThrownBy(ps::executeQuery).isInstanceOf(SQLException.class);
            ps.setInt(2, 2);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(3);
            }
        }
    }

    @Test
    void closingTheConnectionClosesItsStatementsAndResults() throws SQLException {
        Connection other = JdbcServers.admin(server);
        Statement st = other.createStatement();
        ResultSet rs = st.executeQuery("SELECT X FROM SYSTEM_RANGE(1, 100000)");
        assertThat(rs.next()).isTrue();
        other.close();
        assertThat(st.isClosed()).isTrue();
        assertThat(rs.isClosed()).isTrue();
        assertThat(other.isClosed()).isTrue();
        assertThatThrownBy(other::createStatement).isInstanceOfSatisfying(SQLException.class,
                e -> assertThat(e.getSQLState()).isEqualTo("08003"));
    }
}
