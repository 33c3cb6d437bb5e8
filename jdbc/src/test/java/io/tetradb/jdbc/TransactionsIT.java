package io.tetradb.jdbc;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Autocommit, commit and rollback, savepoints, isolation, read-only and schemas through JDBC. */
@Timeout(60)
class TransactionsIT extends ServerPerTest {
    Connection a;
    Connection b;

    @BeforeEach
    void start() throws Exception {
        a = JdbcServers.admin(server);
        b = JdbcServers.admin(server);
        try (Statement st = a.createStatement()) {
            st.execute("CREATE TABLE T(ID INT PRIMARY KEY, V VARCHAR(20))");
        }
    }

    @AfterEach
    void stop() throws SQLException {
        a.close();
        b.close();
    }

    private static long count(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM T")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void insert(Connection c, int id) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO T VALUES (" + id + ", 'v" + id + "')");
        }
    }

    @Test
    void withAutocommitOffNothingIsSeenByOthersUntilCommitAndANewTransactionFollows() throws SQLException {
        a.setAutoCommit(false);
        assertThat(a.getAutoCommit()).isFalse();
        insert(a, 1);
        assertThat(count(a)).isEqualTo(1);
        assertThat(count(b)).as("uncommitted").isZero();
        a.commit();
        assertThat(count(b)).isEqualTo(1);
        insert(a, 2);
        a.rollback();
        assertThat(count(a)).isEqualTo(1);
        assertThat(count(b)).isEqualTo(1);
        insert(a, 3);
        a.setAutoCommit(true); // commits, as JDBC says
        assertThat(count(b)).isEqualTo(2);
        assertThatThrownBy(a::commit).isInstanceOfSatisfying(SQLException.class,
                e -> assertThat(e.getSQLState()).isEqualTo("25000"));
    }

    @Test
    void savepointsRollBackPartOfATransaction() throws SQLException {
        a.setAutoCommit(false);
        insert(a, 1);
        Savepoint unnamed = a.setSavepoint();
        insert(a, 2);
        Savepoint named = a.setSavepoint("after_two");
        assertThat(named.getSavepointName()).isEqualTo("after_two");
        assertThat(unnamed.getSavepointId()).isPositive();
        insert(a, 3);
        a.rollback(named);
        assertThat(count(a)).isEqualTo(2);
        a.rollback(unnamed);
        assertThat(count(a)).isEqualTo(1);
        a.releaseSavepoint(named);
        assertThatThrownBy(() -> a.rollback(named)).isInstanceOf(SQLException.class).hasMessageContaining("released");
        a.commit();
        assertThat(count(b)).isEqualTo(1);
        a.setAutoCommit(true);
        assertThatThrownBy(a::setSavepoint).isInstanceOf(SQLException.class).hasMessageContaining("autocommit");
    }

    @Test
    void isolationLevelsAreSetInTheEngine() throws SQLException {
        assertThat(a.getTransactionIsolation()).isEqualTo(Connection.TRANSACTION_READ_COMMITTED);
        a.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        assertThat(a.getTransactionIsolation()).isEqualTo(Connection.TRANSACTION_REPEATABLE_READ);
        insert(b, 1);
        a.setAutoCommit(false);
        assertThat(count(a)).isEqualTo(1);
        insert(b, 2);
        assertThat(count(a)).as("repeatable read: the transaction's snapshot").isEqualTo(1);
        a.commit();
        assertThat(count(a)).isEqualTo(2);
        a.setAutoCommit(true);
        a.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
        try (Statement st = a.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT ISOLATION_LEVEL FROM INFORMATION_SCHEMA.SESSIONS WHERE SESSION_ID = SESSION_ID()")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("READ COMMITTED");
        }
        assertThatThrownBy(() -> a.setTransactionIsolation(42)).isInstanceOf(SQLException.class);
    }

    @Test
    void aReadOnlyConnectionReadsAndIsRefusedEveryWrite() throws SQLException {
        insert(a, 1);
        b.setReadOnly(true);
        assertThat(b.isReadOnly()).isTrue();
        assertThat(count(b)).isEqualTo(1);
        assertThatThrownBy(() -> insert(b, 2)).isInstanceOfSatisfying(SQLException.class, e -> {
            assertThat(e.getSQLState()).isEqualTo("42501");
            assertThat(e.getErrorCode()).isEqualTo(2007);
            assertThat(e.getMessage()).contains("read-only");
        });
        assertThat(count(a)).isEqualTo(1);
        b.setReadOnly(false);
        insert(b, 2);
        assertThat(count(a)).isEqualTo(2);
    }

    @Test
    void theSchemaIsTheSessionsAndTheCatalogIsTheDatabase() throws SQLException {
        assertThat(a.getSchema()).isEqualTo("PUBLIC");
        try (Statement st = a.createStatement()) {
            st.execute("CREATE SCHEMA \"Other\"");
            a.setSchema("Other");
            assertThat(a.getSchema()).isEqualTo("Other");
            st.execute("CREATE TABLE U(X INT)");
        }
        assertThat(b.getSchema()).isEqualTo("PUBLIC");
        try (Statement st = b.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT TABLE_SCHEMA FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_NAME = 'U'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("Other");
        }
        assertThat(a.getCatalog()).isNotEmpty();
    }
}
