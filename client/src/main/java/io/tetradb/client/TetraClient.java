package io.tetradb.client;

import io.tetradb.client.internal.Callbacks;
import io.tetradb.client.internal.ClientConnection;
import io.tetradb.client.internal.StatementHandler;
import io.tetradb.client.internal.TlsSockets;
import io.tetradb.protocol.Begin;
import io.tetradb.protocol.ClientMessage;
import io.tetradb.protocol.Column;
import io.tetradb.protocol.Commit;
import io.tetradb.protocol.Describe;
import io.tetradb.protocol.Event;
import io.tetradb.protocol.Goodbye;
import io.tetradb.protocol.Ping;
import io.tetradb.protocol.ResultHeader;
import io.tetradb.protocol.Role;
import io.tetradb.protocol.Rollback;
import io.tetradb.protocol.ServerMessage;
import io.tetradb.protocol.Value;
import io.tetradb.protocol.InvalidValueException;
import io.tetradb.protocol.Values;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;

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
 *           .thenAccept(r -> System.out.println(r.updateCount() + " row(s), "
 *                   + client.execute("SELECT COUNT(*) FROM PERSON").rows().get(0).getLong(0) + " in all"))
 *           .join();
 * }
 * }</pre>
 *
 * <p>Callbacks: the futures of the asynchronous calls ({@code executeAsync},
 * {@code beginAsync}, {@code commitAsync}, {@code rollbackAsync}, the admin's
 * {@code ...Async}) complete on the client's callback executor, never on the thread that
 * reads the connection, so a callback may block, even on a synchronous call of the same
 * client as above. By default that executor is a pool of the client's own daemon threads
 * ("tetra-client-callbacks-N", made on demand, unbounded, ended at {@link #close}); each
 * request's completion is a task of its own, so one blocked callback delays no other
 * request, and callbacks of different requests may run concurrently and in any order.
 * {@link ClientConfig.Builder#callbackExecutor} puts them on an executor of your own.
 * Event and backup-wait listeners run on the same executor, one event at a time in the
 * order the server sent them: a listener that blocks delays later events, not replies.
 * Synchronous calls wait for their reply directly and pay no hand-over.
 *
 * <p>Errors are {@link TetraException}s carrying an {@link ErrorCode} (and H2's SQLState
 * for SQL errors); when the server goes away, every pending and later call fails with
 * {@link ErrorCode#CONNECTION_LOST}.
 */
public final class TetraClient implements AutoCloseable {
    private final ClientConfig config;
    private final ClientConnection connection;
    private final TetraAdmin admin;
    private final Callbacks callbacks;
    private volatile WaitPolicy waitPolicy;
    private volatile Duration networkTimeout = Duration.ZERO;

    private TetraClient(ClientConfig config, ClientConnection connection, Callbacks callbacks) {
        this.config = config;
        this.callbacks = callbacks;
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
     * Called whenever one of this client's writes is queued behind a backup, on the
     * client's callback executor (in order with the other events, never on the thread
     * that reads the connection); the notice can cancel the write (-9976). A listener that
     * blocks delays later events of this client, not its replies. A notice delivered after
     * its request was answered (the listener was slow) is dropped: the listener is told only
     * of writes that still wait, as when notices ran on the reader thread.
     */
    public void onBackupWait(Consumer<BackupWaitNotice> listener) {
        connection.addEventListener(e -> {
            if (e.hasBackupWait() && connection.isPending(e.getBackupWait().getRequestId())) {
                listener.accept(new BackupWaitNotice(connection, e.getBackupWait()));
            }
        });
    }

    /** Connects and logs in; throws {@link TetraException} (2002 for a wrong password, 2011 when unreachable). */
    public static TetraClient connect(ClientConfig config) {
        Callbacks callbacks = Callbacks.on(config.callbackExecutor());
        ClientConnection c;
        try {
            c = ClientConnection.open(config.host(), config.port(),
                    config.tls() ? TlsSockets.factory(config.tlsTrustedCertificates()) : null, config.user(),
                    config.password(), config.clientName(), config.maxFrameSize(), config.connectTimeout(),
                    callbacks.events());
        } catch (RuntimeException e) {
            callbacks.shutdown();
            throw e;
        }
        return new TetraClient(config, c, callbacks);
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
        awaitReply(connection.send(ClientMessage.newBuilder().setBegin(Begin.getDefaultInstance())), null);
    }

    /**
     * Opens a transaction; with {@code readOnly}, the server refuses every write in it (2007, the
     * statement only: the transaction stays open) until it ends.
     */
    public void begin(boolean readOnly) {
        awaitReply(connection.send(ClientMessage.newBuilder().setBegin(Begin.newBuilder().setReadOnly(readOnly))), null);
    }

    /** As {@link #begin()}; the future completes on the callback executor. */
    public CompletableFuture<Void> beginAsync() {
        return deliver(connection.send(ClientMessage.newBuilder().setBegin(Begin.getDefaultInstance())), m -> null);
    }

    /** Commits the open transaction (nothing happens when none is open). */
    public void commit() {
        awaitReply(connection.send(ClientMessage.newBuilder().setCommit(Commit.getDefaultInstance())), null);
    }

    /** As {@link #commit()}; the future completes on the callback executor. */
    public CompletableFuture<Void> commitAsync() {
        return deliver(connection.send(ClientMessage.newBuilder().setCommit(Commit.getDefaultInstance())), m -> null);
    }

    /** Rolls the open transaction back (nothing happens when none is open). */
    public void rollback() {
        awaitReply(connection.send(ClientMessage.newBuilder().setRollback(Rollback.getDefaultInstance())), null);
    }

    /** As {@link #rollback()}; the future completes on the callback executor. */
    public CompletableFuture<Void> rollbackAsync() {
        return deliver(connection.send(ClientMessage.newBuilder().setRollback(Rollback.getDefaultInstance())),
                m -> null);
    }

    /** Round trip to the server. */
    public void ping() {
        awaitReply(connection.send(ClientMessage.newBuilder().setPing(Ping.getDefaultInstance())), null);
    }

    /**
     * Round trip to the server within {@code timeout}: false when the connection is closed,
     * broken or no answer came in time (the connection stays as it is). JDBC's
     * {@code isValid}.
     */
    public boolean ping(Duration timeout) {
        if (!connection.isOpen()) {
            return false;
        }
        try {
            connection.send(ClientMessage.newBuilder().setPing(Ping.getDefaultInstance()))
                    .get(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    /**
     * Prepares {@code sql} on the server without running it and describes its parameters
     * and result columns (JDBC's ParameterMetaData and ResultSetMetaData before execution).
     */
    public StatementDescription describe(String sql) {
        ServerMessage m = awaitReply(connection.send(ClientMessage.newBuilder()
                .setDescribe(Describe.newBuilder().setSql(sql))), null);
        return StatementDescription.of(m.getDescription());
    }

    /**
     * How long a synchronous call waits while the server sends nothing for its request
     * before the connection is closed and the call fails with 2011 (JDBC's
     * {@code setNetworkTimeout}); zero (the default) waits as long as it takes. A statement
     * that streams rows, or a write told it waits for a backup, hears from the server and
     * keeps its connection; one the server is silent about for that long does not.
     */
    public void networkTimeout(Duration timeout) {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("A network timeout may not be negative: " + timeout + ".");
        }
        networkTimeout = timeout;
    }

    /** The network timeout (zero: none). */
    public Duration networkTimeout() {
        return networkTimeout;
    }

    /**
     * Closes the connection at once, without the goodbye {@link #close} says: every pending
     * and later call fails with 2011 (JDBC's {@code abort}). The server ends the session as
     * for a lost connection: an open transaction is rolled back.
     */
    public void abort() {
        connection.close(new TetraException(ErrorCode.CONNECTION_LOST, "The connection was aborted."));
        callbacks.shutdown();
    }

    /** The storage engine's version (H2's), as the server reports it; empty from an older server. */
    public String engineVersion() {
        return connection.hello().getEngineVersion();
    }

    /** Administration (role admin). */
    public TetraAdmin admin() {
        return admin;
    }

    /**
     * Receives events the server pushes (notices, backup events), on the client's callback
     * executor, one at a time in the order they came: a listener that blocks delays later
     * events of this client, not its replies.
     */
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

    /**
     * Says goodbye and closes the connection; pending requests fail with 2011. Then the
     * client's own callback threads end as they finish; a callback still running (even a
     * blocked one) is not waited for. An executor given in the configuration is left running.
     */
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
        callbacks.shutdown();
    }

    ClientConnection connection() {
        return connection;
    }

    Callbacks callbacks() {
        return callbacks;
    }

    /** A future completed with {@code map} of {@code reply}'s message on the callback executor. */
    <T> CompletableFuture<T> deliver(CompletableFuture<ServerMessage> reply, Function<ServerMessage, T> map) {
        return callbacks.complete(reply, new CompletableFuture<>(), map);
    }

    /**
     * Waits for {@code f}, the reply to a request of {@code h} (null: a request without a
     * handler), within the network timeout counted from the last time the server sent
     * anything for that request.
     */
    <T> T awaitReply(CompletableFuture<T> f, StatementHandler h) {
        Duration timeout = networkTimeout;
        if (timeout.isZero()) {
            return await(f);
        }
        try {
            withinNetworkTimeout(timeout, h, left -> {
                try {
                    f.get(left, TimeUnit.NANOSECONDS);
                    return true;
                } catch (TimeoutException e) {
                    return false; // heard from since? withinNetworkTimeout decides
                }
            });
            return f.get(); // complete: its value (which may be null) or its failure
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TetraException(ErrorCode.CANCELLED, "Interrupted while waiting for the server.");
        } catch (ExecutionException e) {
            throw ClientConnection.unwrap(e).rethrown();
        }
    }

    /** The next item of a streamed statement ({@link StatementHandler#take}), within the network timeout. */
    Object takeFrom(StatementHandler h) throws InterruptedException {
        Duration timeout = networkTimeout;
        if (timeout.isZero()) {
            return h.take();
        }
        Object[] item = new Object[1];
        try {
            withinNetworkTimeout(timeout, h, left -> (item[0] = h.poll(left)) != null);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e); // a queue's poll does not throw it
        }
        return item[0];
    }

    /** A wait of at most the nanoseconds given: true when what it waits for came in that time. */
    @FunctionalInterface
    private interface BoundedWait {
        boolean waitAtMost(long nanos) throws InterruptedException, ExecutionException;
    }

    /**
     * Repeats {@code wait} until it succeeds, or until the server has sent nothing for
     * request {@code h} (null: since the wait began) for {@code timeout}: then the connection
     * is closed and the call fails with 2011.
     */
    private void withinNetworkTimeout(Duration timeout, StatementHandler h, BoundedWait wait)
            throws InterruptedException, ExecutionException {
        long limit = timeout.toNanos();
        long start = System.nanoTime();
        while (true) {
            long left = Math.max(start, h == null ? start : h.lastHeard()) + limit - System.nanoTime();
            if (left <= 0) {
                throw networkTimedOut(timeout);
            }
            if (wait.waitAtMost(left)) {
                return;
            }
        }
    }

    private TetraException networkTimedOut(Duration timeout) {
        TetraException e = new TetraException(ErrorCode.CONNECTION_LOST, "No reply from the server within the "
                + "network timeout of " + timeout.toMillis() + " ms: the connection was closed.");
        connection.close(e);
        return e;
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
            try {
                v[i++] = Values.toJava(x);
            } catch (InvalidValueException e) {
                throw new TetraException(ErrorCode.INVALID_ARGUMENT, e.getMessage(), e);
            }
        }
        return new Row(columns, index, v);
    }
}
