package io.tetradb.client;

import io.tetradb.client.internal.StatementHandler;
import io.tetradb.protocol.ClientMessage;
import io.tetradb.protocol.Execute;
import io.tetradb.protocol.ExecuteDone;
import io.tetradb.protocol.ResultHeader;
import io.tetradb.protocol.Values;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * One SQL statement with its options, run with {@link #query()}, {@link #execute()} or
 * {@link #executeAsync()}. Parameters are bound to {@code ?} in order.
 *
 * <pre>{@code
 * Result r = client.statement("INSERT INTO PERSON(NAME) VALUES (?)")
 *     .parameters("Ada").returnGeneratedKeys(true).execute();
 * long id = r.generatedKeys().get(0).getLong(0);
 * }</pre>
 */
public final class SqlStatement {
    private static final int STREAM_CREDIT = 8;

    private final TetraClient client;
    private final String sql;
    private Object[] parameters = new Object[0];
    private int fetchSize;
    private boolean returnGeneratedKeys;
    private WaitPolicy waitPolicy;
    private long maxRows;
    private long timeoutMillis;
    private List<String> keyNames = List.of();
    private int[] keyIndexes = new int[0];
    private boolean readOnly;
    /** The request running now (its reply not yet complete), for {@link #cancel()} from another thread. */
    private volatile StatementHandler running;

    SqlStatement(TetraClient client, String sql) {
        this.client = client;
        this.sql = sql;
        this.fetchSize = client.config().fetchSize();
        this.waitPolicy = client.waitPolicy();
    }

    /** What this statement does if a backup holds writes back (default: the client's policy). */
    public SqlStatement waitPolicy(WaitPolicy policy) {
        waitPolicy = java.util.Objects.requireNonNull(policy, "policy");
        return this;
    }

    /** Values for the {@code ?} placeholders, in order. */
    public SqlStatement parameters(Object... values) {
        parameters = values == null ? new Object[]{null} : values.clone();
        return this;
    }

    /** Rows per batch for this query. */
    public SqlStatement fetchSize(int rows) {
        fetchSize = rows;
        return this;
    }

    /** Asks for the keys an INSERT generates. */
    public SqlStatement returnGeneratedKeys(boolean v) {
        returnGeneratedKeys = v;
        return this;
    }

    /** Asks for the keys an INSERT generates in these columns (by name). */
    public SqlStatement generatedKeyColumns(String... names) {
        keyNames = List.of(names);
        return this;
    }

    /** Asks for the keys an INSERT generates in these columns (1-based indexes in the table). */
    public SqlStatement generatedKeyColumns(int... indexes) {
        keyIndexes = indexes.clone();
        return this;
    }

    /** At most this many rows of a query are sent (0, the default: all); the result ends there. */
    public SqlStatement maxRows(long rows) {
        if (rows < 0) {
            throw new IllegalArgumentException("maxRows may not be negative: " + rows + ".");
        }
        maxRows = rows;
        return this;
    }

    /**
     * The server cancels the statement when it runs longer than this (zero, the default:
     * only the role's statement timeout); the shorter of the two applies. A statement it
     * cancels fails with 2009 and {@link io.tetradb.client.TetraException#timedOut()}.
     */
    public SqlStatement timeout(java.time.Duration timeout) {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("A timeout may not be negative: " + timeout + ".");
        }
        timeoutMillis = timeout.isZero() ? 0 : Math.max(1, timeout.toMillis());
        return this;
    }

    /** Refuses the statement (2007) if it writes, instead of running it (a read-only connection). */
    public SqlStatement readOnly(boolean v) {
        readOnly = v;
        return this;
    }

    /**
     * Cancels this statement's request on the server, from any thread: a write waiting for a
     * backup is answered -9976 and never runs, a running statement is interrupted (2009), a
     * query's cursor is closed. Nothing happens when the statement is not running.
     */
    public void cancel() {
        StatementHandler h = running;
        if (h != null && !h.isFinished() && h.requestId() != 0) {
            client.connection().send(ClientMessage.newBuilder().setCancel(
                    io.tetradb.protocol.Cancel.newBuilder().setTargetRequestId(h.requestId())));
        }
    }

    private ClientMessage.Builder message(int credit) {
        Execute.Builder e = Execute.newBuilder().setSql(sql).setFetchSize(fetchSize).setInitialCredit(credit)
                .setReturnGeneratedKeys(returnGeneratedKeys).setWaitPolicy(waitPolicy.toWire())
                .setWaitAtMostMillis(waitPolicy.limit().toMillis()).setMaxRows(maxRows)
                .setTimeoutMillis(timeoutMillis).addAllGeneratedKeyNames(keyNames).setReadOnly(readOnly);
        for (int i : keyIndexes) {
            e.addGeneratedKeyIndexes(i);
        }
        for (Object p : parameters) {
            e.addParameters(Values.of(p));
        }
        return ClientMessage.newBuilder().setExecute(e);
    }

    /** Runs the statement and streams its rows (for a write, the Rows has none and gives the update count). */
    public Rows query() {
        StatementHandler h = new StatementHandler(false, STREAM_CREDIT / 2, null);
        running = h;
        h.start(client.connection(), message(STREAM_CREDIT));
        ResultHeader header = client.awaitReply(h.started(), h);
        ExecuteDone doneNow = header == null ? h.finished().getNow(null) : null;
        return new Rows(client, h, TetraClient.columns(header), doneNow);
    }

    /** Runs the statement and returns its whole outcome (waited for on this thread). */
    public Result execute() {
        List<io.tetradb.protocol.Row> raw = Collections.synchronizedList(new ArrayList<>());
        StatementHandler h = collecting(raw);
        running = h;
        h.start(client.connection(), message(STREAM_CREDIT));
        return result(h, raw, client.awaitReply(h.finished(), h));
    }

    /**
     * Runs the statement asynchronously, collecting every row. The future completes on the
     * client's callback executor, where a callback may block (see {@link TetraClient}).
     */
    public TetraFuture<Result> executeAsync() {
        List<io.tetradb.protocol.Row> raw = Collections.synchronizedList(new ArrayList<>());
        StatementHandler h = collecting(raw);
        running = h;
        TetraFuture<Result> future = client.callbacks().complete(h.finished(), new TetraFuture<>(client.connection()),
                done -> result(h, raw, done));
        future.requestId(h.start(client.connection(), message(STREAM_CREDIT)));
        return future;
    }

    private static StatementHandler collecting(List<io.tetradb.protocol.Row> raw) {
        return new StatementHandler(true, STREAM_CREDIT / 2, b -> raw.addAll(b.getRowsList()));
    }

    /** The outcome of a finished statement, built on the thread that delivers it (never the reader). */
    private static Result result(StatementHandler h, List<io.tetradb.protocol.Row> raw, ExecuteDone done) {
        ResultHeader header = h.started().getNow(null);
        List<ColumnInfo> columns = TetraClient.columns(header);
        Map<String, Integer> index = TetraClient.indexOf(columns);
        List<Row> rows = new ArrayList<>(raw.size());
        synchronized (raw) {
            for (io.tetradb.protocol.Row r : raw) {
                rows.add(TetraClient.toRow(columns, index, r));
            }
        }
        return new Result(done.getIsQuery(), columns, Collections.unmodifiableList(rows),
                done.getIsQuery() ? -1 : done.getUpdateCount(), generatedKeys(done), done.getKind(),
                done.getInTransaction(), done.getWarning());
    }

    /** The generated keys an ExecuteDone carries. */
    static List<Row> generatedKeys(ExecuteDone done) {
        List<ColumnInfo> keyColumns = TetraClient.columns(done.hasGeneratedKeyColumns() ? done.getGeneratedKeyColumns() : null);
        Map<String, Integer> keyIndex = TetraClient.indexOf(keyColumns);
        List<Row> keys = new ArrayList<>();
        for (io.tetradb.protocol.Row r : done.getGeneratedKeysList()) {
            keys.add(TetraClient.toRow(keyColumns, keyIndex, r));
        }
        return Collections.unmodifiableList(keys);
    }
}
