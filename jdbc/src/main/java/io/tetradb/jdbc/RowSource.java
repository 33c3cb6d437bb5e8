package io.tetradb.jdbc;

import io.tetradb.client.ColumnInfo;
import io.tetradb.client.Row;
import io.tetradb.client.Rows;
import io.tetradb.client.TetraException;

import java.sql.SQLException;
import java.util.Iterator;
import java.util.List;

/**
 * Where a {@link TetraResultSet}'s rows come from: a query's rows streamed from the server
 * (batches fetched as they are read, so a huge result takes little memory), or rows
 * already in memory (generated keys, DatabaseMetaData results built by the driver).
 * Values are as the client library gives them ({@link Row#values()}).
 *
 * <p>Read by the thread that reads the result set.
 */
interface RowSource {
    /** The columns. */
    List<ColumnInfo> columns();

    /** The next row's values, or null after the last. */
    Object[] next() throws SQLException;

    /** Stops reading: a streamed query's cursor is closed on the server. */
    void close();

    /** Rows streamed from the server. */
    static RowSource streamed(Rows rows) {
        Iterator<Row> it = rows.iterator();
        return new RowSource() {
            @Override
            public List<ColumnInfo> columns() {
                return rows.columns();
            }

            @Override
            public Object[] next() throws SQLException {
                try {
                    return it.hasNext() ? it.next().values() : null;
                } catch (TetraException e) {
                    throw JdbcErrors.of(e);
                }
            }

            @Override
            public void close() {
                rows.close();
            }
        };
    }

    /** Rows in memory. */
    static RowSource of(List<ColumnInfo> columns, List<Object[]> rows) {
        Iterator<Object[]> it = rows.iterator();
        return new RowSource() {
            @Override
            public List<ColumnInfo> columns() {
                return columns;
            }

            @Override
            public Object[] next() {
                return it.hasNext() ? it.next() : null;
            }

            @Override
            public void close() {
                // nothing held
            }
        };
    }

    /** The client library's rows in memory (generated keys). */
    static RowSource ofRows(List<ColumnInfo> columns, List<Row> rows) {
        return of(columns, rows.stream().map(Row::values).toList());
    }
}
