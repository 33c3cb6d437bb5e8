package io.tetradb.client;

import io.tetradb.client.internal.ClientConnection;
import io.tetradb.client.internal.StatementHandler;
import io.tetradb.protocol.ClientMessage;
import io.tetradb.protocol.CloseCursor;
import io.tetradb.protocol.ExecuteDone;
import io.tetradb.protocol.RowBatch;
import io.tetradb.protocol.StatementKind;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * A streamed result: rows arrive in batches as they are read, never all at once, so a
 * query of millions of rows runs in little memory on both sides. Close it (or read it to
 * the end) to free the server's cursor. Not thread-safe: one reader.
 *
 * <pre>{@code
 * try (Rows rows = client.query("SELECT ID, NAME FROM BIG ORDER BY ID")) {
 *     for (Row r : rows) {
 *         process(r.getLong("ID"), r.getString("NAME"));
 *     }
 * }
 * }</pre>
 */
public final class Rows implements Iterable<Row>, AutoCloseable {
    private final TetraClient client;
    private final ClientConnection connection;
    private final StatementHandler handler;
    private final List<ColumnInfo> columns;
    private final java.util.Map<String, Integer> index;
    private Iterator<io.tetradb.protocol.Row> batch = java.util.Collections.emptyIterator();
    private ExecuteDone done;
    private boolean closed;
    private boolean iterated;
    private long rowsRead;

    Rows(TetraClient client, StatementHandler handler, List<ColumnInfo> columns, ExecuteDone doneNow) {
        this.client = client;
        this.connection = client.connection();
        this.handler = handler;
        this.columns = columns;
        this.index = TetraClient.indexOf(columns);
        this.done = doneNow;
    }

    /** The columns; empty for a statement that returned no rows. */
    public List<ColumnInfo> columns() {
        return columns;
    }

    /** Whether the statement returned rows. */
    public boolean isQuery() {
        return !columns.isEmpty() || (done != null && done.getIsQuery());
    }

    /** Rows changed by a write (known at once); -1 for a query. */
    public long updateCount() {
        return done != null && !done.getIsQuery() ? done.getUpdateCount() : -1;
    }

    /** How the server classified the statement, once known (at the end of a query). */
    public StatementKind kind() {
        return done == null ? StatementKind.STATEMENT_KIND_UNSPECIFIED : done.getKind();
    }

    /** The keys a write generated when they were asked for (empty otherwise, and for a query). */
    public List<Row> generatedKeys() {
        return done == null ? List.of() : SqlStatement.generatedKeys(done);
    }

    /** Empty, or what went wrong after a write ran (see {@link Result#warning()}); known at the end. */
    public String warning() {
        return done == null ? "" : done.getWarning();
    }

    /** Whether the session had an open transaction when the statement ended; false until it did. */
    public boolean inTransaction() {
        return done != null && done.getInTransaction();
    }

    /** Whether every row was read (or the statement returned none): the server's cursor is closed. */
    public boolean isDone() {
        return done != null;
    }

    /** Rows read so far. */
    public long rowsRead() {
        return rowsRead;
    }

    /** Iterates the rows once. */
    @Override
    public Iterator<Row> iterator() {
        if (iterated) {
            throw new IllegalStateException("Rows can be iterated only once.");
        }
        iterated = true;
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return advance();
            }

            @Override
            public Row next() {
                if (!advance()) {
                    throw new NoSuchElementException();
                }
                rowsRead++;
                return TetraClient.toRow(columns, index, batch.next());
            }
        };
    }

    /** Reads every remaining row into a list. */
    public List<Row> toList() {
        List<Row> out = new ArrayList<>();
        for (Row r : this) {
            out.add(r);
        }
        return out;
    }

    private boolean advance() {
        while (!batch.hasNext()) {
            if (done != null || closed) {
                return false;
            }
            Object next;
            try {
                next = client.takeFrom(handler);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TetraException(ErrorCode.CANCELLED, "Interrupted while reading rows.");
            }
            if (next instanceof RowBatch b) {
                batch = b.getRowsList().iterator();
                handler.consumed();
            } else if (next instanceof ExecuteDone d) {
                done = d;
            } else if (next instanceof TetraException e) {
                done = ExecuteDone.getDefaultInstance();
                throw e;
            }
        }
        return true;
    }

    /** Stops reading: the server closes its cursor. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (done == null) {
            connection.sendFollowUp(ClientMessage.newBuilder().setRequestId(handler.requestId())
                    .setCloseCursor(CloseCursor.getDefaultInstance()).build());
        }
    }
}
