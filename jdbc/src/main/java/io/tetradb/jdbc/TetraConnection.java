package io.tetradb.jdbc;

import io.tetradb.client.BackupWaitNotice;
import io.tetradb.client.TetraClient;
import io.tetradb.client.WaitPolicy;
import io.tetradb.client.TetraException;

import java.sql.Array;
import java.sql.Blob;
import java.sql.CallableStatement;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.NClob;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLClientInfoException;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.SQLXML;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Struct;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A JDBC connection to a Tetra server: one {@link TetraClient} session. Besides JDBC, it
 * gives what is Tetra's own through {@code unwrap(TetraConnection.class)}: the wait policy
 * of writes held back by a backup, a listener told when one waits, and the client.
 *
 * <pre>{@code
 * TetraConnection t = connection.unwrap(TetraConnection.class);
 * t.waitPolicy(WaitPolicy.waitAtMost(Duration.ofSeconds(30)));
 * t.onBackupWait(n -> log.info("write waits for backup {} ({}%)", n.backupNumber(), n.progress().getPercent()));
 * }</pre>
 *
 * <p>Transactions: in autocommit (the default) each statement commits on its own; with
 * autocommit off the server keeps a transaction open until {@link #commit} or
 * {@link #rollback}, and a new one begins with the next statement. Thread-safe as the
 * client is: statements of several threads share the one session, in the order they reach
 * the server; {@link Statement#cancel} and {@link #abort} may come from any thread.
 */
public final class TetraConnection implements Connection {
    private static final Map<Integer, String> ISOLATION_SQL = Map.of(
            TRANSACTION_READ_UNCOMMITTED, "READ UNCOMMITTED",
            TRANSACTION_READ_COMMITTED, "READ COMMITTED",
            TRANSACTION_REPEATABLE_READ, "REPEATABLE READ",
            TRANSACTION_SERIALIZABLE, "SERIALIZABLE");

    private final TetraClient client;
    private final JdbcUrl url;
    private final Set<TetraStatement> statements = ConcurrentHashMap.newKeySet();
    private final AtomicInteger savepoints = new AtomicInteger();
    private volatile boolean closed;
    private volatile boolean autoCommit = true;
    private volatile boolean readOnly;
    private volatile int isolation = TRANSACTION_READ_COMMITTED;
    private volatile int holdability = ResultSet.HOLD_CURSORS_OVER_COMMIT;
    private volatile String catalog;
    private volatile Map<String, Class<?>> typeMap = new HashMap<>();
    private final Properties clientInfo = new Properties();
    private final WarningChain warnings = new WarningChain();

    TetraConnection(TetraClient client, JdbcUrl url) {
        this.client = client;
        this.url = url;
    }

    // ---- Tetra's own -------------------------------------------------------------------

    /** The client library's connection this JDBC connection runs on. */
    public TetraClient client() {
        return client;
    }

    /** The wait policy of writes held back by a backup (the URL's waitPolicy, or wait). */
    public WaitPolicy waitPolicy() {
        return client.waitPolicy();
    }

    /** Changes the wait policy for the statements run from now on. */
    public void waitPolicy(WaitPolicy policy) {
        client.waitPolicy(policy);
    }

    /**
     * Told whenever a write of this connection is queued behind a backup (with its progress),
     * on the client's callback executor while the writing thread blocks; the notice can
     * cancel the write, which then fails with an SQLException of vendor code -9976.
     */
    public void onBackupWait(Consumer<BackupWaitNotice> listener) {
        client.onBackupWait(listener);
    }

    /** The URL (without the password) and the product name this connection reports. */
    JdbcUrl url() {
        return url;
    }

    // ---- statements --------------------------------------------------------------------

    @Override
    public Statement createStatement() throws SQLException {
        return register(new TetraStatement(this));
    }

    @Override
    public Statement createStatement(int resultSetType, int resultSetConcurrency) throws SQLException {
        checkResultSetKind(resultSetType, resultSetConcurrency);
        return createStatement();
    }

    @Override
    public Statement createStatement(int resultSetType, int resultSetConcurrency, int resultSetHoldability)
            throws SQLException {
        checkResultSetKind(resultSetType, resultSetConcurrency);
        return createStatement();
    }

    @Override
    public PreparedStatement prepareStatement(String sql) throws SQLException {
        return register(new TetraPreparedStatement(this, sql, TetraStatement.Keys.NONE));
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency)
            throws SQLException {
        checkResultSetKind(resultSetType, resultSetConcurrency);
        return prepareStatement(sql);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency,
                                              int resultSetHoldability) throws SQLException {
        checkResultSetKind(resultSetType, resultSetConcurrency);
        return prepareStatement(sql);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int autoGeneratedKeys) throws SQLException {
        return register(new TetraPreparedStatement(this, sql, TetraStatement.Keys.of(autoGeneratedKeys)));
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int[] columnIndexes) throws SQLException {
        return register(new TetraPreparedStatement(this, sql, TetraStatement.Keys.of(columnIndexes)));
    }

    @Override
    public PreparedStatement prepareStatement(String sql, String[] columnNames) throws SQLException {
        return register(new TetraPreparedStatement(this, sql, TetraStatement.Keys.of(columnNames)));
    }

    @Override
    public CallableStatement prepareCall(String sql) throws SQLException {
        throw JdbcErrors.unsupported("CallableStatement (prepareCall); run CALL through a PreparedStatement");
    }

    @Override
    public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency) throws SQLException {
        return prepareCall(sql);
    }

    @Override
    public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency,
                                         int resultSetHoldability) throws SQLException {
        return prepareCall(sql);
    }

    private <T extends TetraStatement> T register(T s) throws SQLException {
        checkOpen();
        statements.add(s);
        return s;
    }

    void closed(TetraStatement s) {
        statements.remove(s);
    }

    /** Results are forward-only and read-only; anything else is given as that, with a warning (as JDBC allows). */
    private void checkResultSetKind(int type, int concurrency) throws SQLException {
        checkOpen();
        if (type != ResultSet.TYPE_FORWARD_ONLY || concurrency != ResultSet.CONCUR_READ_ONLY) {
            addWarning(new SQLWarning("Tetra's result sets are forward-only and read-only: the statement gives "
                    + "TYPE_FORWARD_ONLY, CONCUR_READ_ONLY results.", "01S02"));
        }
    }

    @Override
    public String nativeSQL(String sql) throws SQLException {
        checkOpen();
        return sql;
    }

    // ---- transactions ------------------------------------------------------------------

    @Override
    public void setAutoCommit(boolean on) throws SQLException {
        checkOpen();
        if (on == autoCommit) {
            return;
        }
        // SET AUTOCOMMIT TRUE commits the open transaction, as JDBC says setAutoCommit(true) does.
        run(on ? "SET AUTOCOMMIT TRUE" : "SET AUTOCOMMIT FALSE");
        autoCommit = on;
    }

    @Override
    public boolean getAutoCommit() throws SQLException {
        checkOpen();
        return autoCommit;
    }

    @Override
    public void commit() throws SQLException {
        checkOpen();
        if (autoCommit) {
            throw new SQLException("commit() with autocommit on: each statement has already committed.", "25000");
        }
        try {
            client.commit();
        } catch (TetraException e) {
            throw JdbcErrors.of(e);
        }
    }

    @Override
    public void rollback() throws SQLException {
        checkOpen();
        if (autoCommit) {
            throw new SQLException("rollback() with autocommit on: each statement has already committed.", "25000");
        }
        try {
            client.rollback();
        } catch (TetraException e) {
            throw JdbcErrors.of(e);
        }
    }

    @Override
    public Savepoint setSavepoint() throws SQLException {
        return savepoint(null);
    }

    @Override
    public Savepoint setSavepoint(String name) throws SQLException {
        if (name == null) {
            throw new SQLException("A savepoint's name may not be null.", "3B000");
        }
        return savepoint(name);
    }

    private Savepoint savepoint(String name) throws SQLException {
        checkOpen();
        if (autoCommit) {
            throw new SQLException("A savepoint needs a transaction: turn autocommit off first.", "3B000");
        }
        TetraSavepoint sp = new TetraSavepoint(savepoints.incrementAndGet(), name);
        run("SAVEPOINT " + sp.identifier());
        return sp;
    }

    @Override
    public void rollback(Savepoint savepoint) throws SQLException {
        checkOpen();
        run("ROLLBACK TO SAVEPOINT " + TetraSavepoint.of(savepoint).identifier());
    }

    @Override
    public void releaseSavepoint(Savepoint savepoint) throws SQLException {
        checkOpen();
        // The engine keeps savepoints until the transaction ends; a released one is only forgotten here.
        TetraSavepoint.of(savepoint).release();
    }

    @Override
    public void setTransactionIsolation(int level) throws SQLException {
        checkOpen();
        String sql = ISOLATION_SQL.get(level);
        if (sql == null) {
            throw new SQLException("Unknown transaction isolation level " + level + ".", "HY024");
        }
        run("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL " + sql);
        isolation = level;
    }

    @Override
    public int getTransactionIsolation() throws SQLException {
        checkOpen();
        return isolation;
    }

    /**
     * Read-only: every later statement that would write is refused by the server (SQLState
     * 42501, vendor code 2007) instead of run; reads run as before.
     */
    @Override
    public void setReadOnly(boolean readOnly) throws SQLException {
        checkOpen();
        this.readOnly = readOnly;
    }

    @Override
    public boolean isReadOnly() throws SQLException {
        checkOpen();
        return readOnly;
    }

    boolean readOnlyNow() {
        return readOnly;
    }

    // ---- schema and catalog ------------------------------------------------------------

    @Override
    public void setCatalog(String catalog) throws SQLException {
        checkOpen();
        // One database per server: JDBC lets a driver without catalogs to switch ignore this.
    }

    @Override
    public String getCatalog() throws SQLException {
        checkOpen();
        String c = catalog;
        if (c == null) {
            c = single("SELECT CURRENT_CATALOG");
            catalog = c;
        }
        return c;
    }

    @Override
    public void setSchema(String schema) throws SQLException {
        checkOpen();
        if (schema == null) {
            throw new SQLException("A schema's name may not be null.", "3F000");
        }
        run("SET SCHEMA " + quoteIdentifier(schema));
    }

    @Override
    public String getSchema() throws SQLException {
        checkOpen();
        return single("SELECT CURRENT_SCHEMA");
    }

    static String quoteIdentifier(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    // ---- state -------------------------------------------------------------------------

    @Override
    public DatabaseMetaData getMetaData() throws SQLException {
        checkOpen();
        return new TetraDatabaseMetaData(this);
    }

    @Override
    public boolean isValid(int timeout) throws SQLException {
        if (timeout < 0) {
            throw new SQLException("isValid's timeout may not be negative: " + timeout + ".", "HY000");
        }
        if (closed) {
            return false;
        }
        return client.ping(timeout == 0 ? Duration.ofDays(1) : Duration.ofSeconds(timeout));
    }

    @Override
    public void setNetworkTimeout(Executor executor, int milliseconds) throws SQLException {
        checkOpen();
        if (milliseconds < 0) {
            throw new SQLException("A network timeout may not be negative: " + milliseconds + ".", "HY000");
        }
        client.networkTimeout(Duration.ofMillis(milliseconds));
    }

    @Override
    public int getNetworkTimeout() throws SQLException {
        checkOpen();
        return (int) Math.min(Integer.MAX_VALUE, client.networkTimeout().toMillis());
    }

    /**
     * Closes the connection at once, from any thread: it is closed when this returns, and the
     * client's socket is closed on {@code executor}; calls blocked on it fail with 08006.
     * The server rolls an open transaction back.
     */
    @Override
    public void abort(Executor executor) throws SQLException {
        if (executor == null) {
            throw new SQLException("abort needs an executor.", "HY000");
        }
        if (closed) {
            return;
        }
        closed = true;
        executor.execute(client::abort);
    }

    @Override
    public void close() throws SQLException {
        if (closed) {
            return;
        }
        closed = true;
        for (TetraStatement s : statements.toArray(new TetraStatement[0])) {
            s.closeQuietly();
        }
        client.close();
    }

    @Override
    public boolean isClosed() {
        return closed || !client.isOpen();
    }

    void checkOpen() throws SQLException {
        if (closed) {
            throw JdbcErrors.closed("connection");
        }
        if (!client.isOpen()) {
            throw new java.sql.SQLNonTransientConnectionException("The connection to the server was lost.", "08006");
        }
    }

    @Override
    public SQLWarning getWarnings() throws SQLException {
        checkOpen();
        return warnings.get();
    }

    @Override
    public void clearWarnings() throws SQLException {
        checkOpen();
        warnings.clear();
    }

    void addWarning(SQLWarning w) {
        warnings.add(w);
    }

    @Override
    public Map<String, Class<?>> getTypeMap() throws SQLException {
        checkOpen();
        return typeMap;
    }

    @Override
    public void setTypeMap(Map<String, Class<?>> map) throws SQLException {
        checkOpen();
        typeMap = map == null ? new HashMap<>() : map;
    }

    @Override
    public void setHoldability(int holdability) throws SQLException {
        checkOpen();
        if (holdability != ResultSet.HOLD_CURSORS_OVER_COMMIT && holdability != ResultSet.CLOSE_CURSORS_AT_COMMIT) {
            throw new SQLException("Unknown holdability " + holdability + ".", "HY092");
        }
        this.holdability = holdability;
    }

    @Override
    public int getHoldability() throws SQLException {
        checkOpen();
        return holdability;
    }

    @Override
    public void setClientInfo(String name, String value) throws SQLClientInfoException {
        synchronized (clientInfo) {
            if (value == null) {
                clientInfo.remove(name);
            } else {
                clientInfo.setProperty(name, value);
            }
        }
    }

    @Override
    public void setClientInfo(Properties properties) throws SQLClientInfoException {
        synchronized (clientInfo) {
            clientInfo.clear();
            if (properties != null) {
                clientInfo.putAll(properties);
            }
        }
    }

    @Override
    public String getClientInfo(String name) throws SQLException {
        checkOpen();
        synchronized (clientInfo) {
            return clientInfo.getProperty(name);
        }
    }

    @Override
    public Properties getClientInfo() throws SQLException {
        checkOpen();
        synchronized (clientInfo) {
            Properties p = new Properties();
            p.putAll(clientInfo);
            return p;
        }
    }

    // ---- large objects and types -------------------------------------------------------

    @Override
    public Clob createClob() throws SQLException {
        checkOpen();
        return new TetraClob("");
    }

    @Override
    public Blob createBlob() throws SQLException {
        checkOpen();
        return new TetraBlob(new byte[0]);
    }

    @Override
    public NClob createNClob() throws SQLException {
        checkOpen();
        return new TetraClob("");
    }

    @Override
    public SQLXML createSQLXML() throws SQLException {
        throw JdbcErrors.unsupported("SQLXML");
    }

    @Override
    public Array createArrayOf(String typeName, Object[] elements) throws SQLException {
        checkOpen();
        return new TetraArray(typeName, elements == null ? null : elements.clone());
    }

    @Override
    public Struct createStruct(String typeName, Object[] attributes) throws SQLException {
        throw JdbcErrors.unsupported("Struct");
    }

    // ---- helpers -----------------------------------------------------------------------

    /** Runs a statement of the driver's own (transaction control, settings). */
    private void run(String sql) throws SQLException {
        try {
            client.statement(sql).execute();
        } catch (TetraException e) {
            throw JdbcErrors.of(e);
        }
    }

    /** The one value of a one-row query of the driver's own. */
    private String single(String sql) throws SQLException {
        try {
            Object v = client.statement(sql).execute().rows().get(0).get(0);
            return v == null ? null : v.toString();
        } catch (TetraException e) {
            throw JdbcErrors.of(e);
        }
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        if (iface.isInstance(client)) {
            return iface.cast(client);
        }
        throw new SQLException("A Tetra connection is not a " + iface.getName() + ".", "HY000");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this) || iface.isInstance(client);
    }

    @Override
    public String toString() {
        return "TetraConnection[" + url + ", session " + client.sessionId() + (closed ? ", closed" : "") + "]";
    }
}
