package io.tetradb.client;

import io.tetradb.client.internal.ClientConnection;
import io.tetradb.client.internal.TlsSockets;
import io.tetradb.protocol.Begin;
import io.tetradb.protocol.ClientMessage;
import io.tetradb.protocol.Column;
import io.tetradb.protocol.Commit;
import io.tetradb.protocol.ErrorCode;
import io.tetradb.protocol.Event;
import io.tetradb.protocol.Goodbye;
import io.tetradb.protocol.Ping;
import io.tetradb.protocol.ResultHeader;
import io.tetradb.protocol.Role;
import io.tetradb.protocol.Rollback;
import io.tetradb.protocol.ServerMessage;
import io.tetradb.protocol.TetraException;
import io.tetradb.protocol.Value;
import io.tetradb.protocol.Values;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * A connection to a Tetra server: SQL with parameters, streamed results, transactions,
 * server events and administration. Thread-safe: many threads may share one client, and
 * their requests are multiplexed on one connection; the server runs one client's
 * requests in the order they were sent. A transaction belongs to the connection, so
 * threads that need their own transactions should each use their own client.
 *
 * <pre>{@code
 * try (TetraClient client = TetraClient.connect(ClientConfig.builder()
 *         .host("localhost").port(19813).user("admin").password(pw).build())) {
 *     client.execute("CREATE TABLE PERSON(ID INT PRIMARY KEY, NAME VARCHAR(100))");
 *     client.update("INSERT INTO PERSON VALUES (?, ?)", 1, "Ada");
 *     try (Rows rows = client.query("SELECT * FROM PERSON WHERE ID > ?", 0)) {
 *         for (Row r : rows) System.out.println(r.getString("NAME"));
 *     }
 *     client.executeAsync("UPDATE PERSON SET NAME = ? WHERE ID = ?", "Ada L.", 1)
 *           .thenAccept(r -> System.out.println(r.updateCount() + " row(s)"));
 * }
 * }</pre>
 *
 * <p>Errors are {@link TetraException}s carrying an {@link ErrorCode} (and H2's SQLState
 * for SQL errors); when the server goes away, every pending and later call fails with
 * {@link ErrorCode#CONNECTION_LOST}.
 */
public final class TetraClient implements AutoCloseable {
    private final ClientConfig config;
    private final ClientConnection connection;
    private final TetraAdmin admin;
    private volatile WaitPolicy waitPolicy;

    private TetraClient(ClientConfig config, ClientConnection connection) {
        this.config = config;
        this.connection = connection;
        this.admin = new TetraAdmin(this);
        this.waitPolicy = config.waitPolicy();
    }

    /** The connection's wait policy for writes held back by a backup (statements may override it). */
    public WaitPolicy waitPolicy() {
        return waitPolicy;
    }

    /** Changes the connection's wait policy. */
    public void waitPolicy(WaitPolicy policy) {
        waitPolicy = java.util.Objects.requireNonNull(policy, "policy");
    }

    /**
     * Called at once, on an I/O thread, whenever one of this client's writes is queued
     * behind a backup; the notice can cancel the write (-9976). Do not block in it.
     */
    public void onBackupWait(Consumer<BackupWaitNotice> listener) {
        connection.addEventListener(e -> {
            if (e.hasBackupWait()) {
                listener.accept(new BackupWaitNotice(connection, e.getBackupWait()));
            }
        });
    }

    /** Connects and logs in; throws {@link TetraException} (2002 for a wrong password, 2011 when unreachable). */
    public static TetraClient connect(ClientConfig config) {
        ClientConnection c = ClientConnection.open(config.host(), config.port(),
                config.tls() ? TlsSockets.factory(config.tlsTrustedCertificates()) : null, config.user(),
                config.password(), config.clientName(), config.maxFrameSize(), config.connectTimeout());
        return new TetraClient(config, c);
    }

    /** A statement to configure before running (parameters, fetch size, generated keys). */
    public SqlStatement statement(String sql) {
        return new SqlStatement(this, sql);
    }

    /** Runs a query and streams its rows. */
    public Rows query(String sql, Object... params) {
        return statement(sql).parameters(params).query();
    }

    /** Runs any statement and returns its whole outcome (rows held in memory). */
    public Result execute(String sql, Object... params) {
        return statement(sql).parameters(params).execute();
    }

    /** Runs a write and returns the number of rows it changed. */
    public long update(String sql, Object... params) {
        return execute(sql, params).updateCount();
    }

    /** Runs any statement asynchronously; cancelling the future cancels the request on the server. */
    public TetraFuture<Result> executeAsync(String sql, Object... params) {
        return statement(sql).parameters(params).executeAsync();
    }

    /** Opens a transaction: later statements run in it until commit or rollback. */
    public void begin() {
        await(beginAsync());
    }

    public CompletableFuture<Void> beginAsync() {
        return connection.send(ClientMessage.newBuilder().setBegin(Begin.getDefaultInstance())).thenApply(m -> null);
    }

    /** Commits the open transaction (nothing happens when none is open). */
    public void commit() {
        await(commitAsync());
    }

    public CompletableFuture<Void> commitAsync() {
        return connection.send(ClientMessage.newBuilder().setCommit(Commit.getDefaultInstance())).thenApply(m -> null);
    }

    /** Rolls the open transaction back (nothing happens when none is open). */
    public void rollback() {
        await(rollbackAsync());
    }

    public CompletableFuture<Void> rollbackAsync() {
        return connection.send(ClientMessage.newBuilder().setRollback(Rollback.getDefaultInstance())).thenApply(m -> null);
    }

    /** Round trip to the server. */
    public void ping() {
        await(connection.send(ClientMessage.newBuilder().setPing(Ping.getDefaultInstance())));
    }

    /** Administration (role admin). */
    public TetraAdmin admin() {
        return admin;
    }

    /** Receives events the server pushes (notices, backup events). Called on an I/O thread: do not block. */
    public void addEventListener(Consumer<Event> listener) {
        connection.addEventListener(listener);
    }

    public void removeEventListener(Consumer<Event> listener) {
        connection.removeEventListener(listener);
    }

    /** The session's id on the server. */
    public long sessionId() {
        return connection.authOk().getSessionId();
    }

    /** The role the server gave this user. */
    public Role role() {
        return connection.authOk().getRole();
    }

    /** The server's version. */
    public String serverVersion() {
        return connection.hello().getServerVersion();
    }

    /** The name of the database the server hosts. */
    public String databaseName() {
        return connection.hello().getDatabaseName();
    }

    /** Whether the connection is open. */
    public boolean isOpen() {
        return connection.isOpen();
    }

    public ClientConfig config() {
        return config;
    }

    /** Says goodbye and closes the connection; pending requests fail with 2011. */
    @Override
    public void close() {
        if (connection.isOpen()) {
            try {
                connection.send(ClientMessage.newBuilder().setGoodbye(Goodbye.getDefaultInstance()))
                        .get(2, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // closing anyway
            }
        }
        connection.close();
    }

    ClientConnection connection() {
        return connection;
    }

    static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TetraException(ErrorCode.CANCELLED, "Interrupted while waiting for the server.");
        } catch (ExecutionException e) {
            throw ClientConnection.unwrap(e).rethrown();
        }
    }

    static List<ColumnInfo> columns(ResultHeader h) {
        if (h == null) {
            return List.of();
        }
        List<ColumnInfo> l = new ArrayList<>(h.getColumnsCount());
        for (Column c : h.getColumnsList()) {
            l.add(ColumnInfo.of(c));
        }
        return Collections.unmodifiableList(l);
    }

    static Map<String, Integer> indexOf(List<ColumnInfo> columns) {
        Map<String, Integer> m = new HashMap<>();
        for (int i = columns.size() - 1; i >= 0; i--) {
            m.put(columns.get(i).label().toUpperCase(Locale.ROOT), i);
        }
        return m;
    }

    static Row toRow(List<ColumnInfo> columns, Map<String, Integer> index, io.tetradb.protocol.Row r) {
        Object[] v = new Object[r.getValuesCount()];
        int i = 0;
        for (Value x : r.getValuesList()) {
            v[i++] = Values.toJava(x);
        }
        return new Row(columns, index, v);
    }

    static ServerMessage awaitMessage(CompletableFuture<ServerMessage> f) {
        return await(f);
    }
}
