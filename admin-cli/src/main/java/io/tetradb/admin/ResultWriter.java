package io.tetradb.admin;

import io.tetradb.client.Rows;
import io.tetradb.protocol.StatementKind;
import io.tetradb.client.TetraException;

import java.util.List;

/**
 * Where the SQL shell puts the outcome of each statement: aligned text tables
 * ({@link TextResultWriter}), one JSON array ({@link JsonResultWriter}) or CSV
 * ({@link CsvResultWriter}).
 *
 * <p>Used on the command's thread.
 */
public interface ResultWriter extends AutoCloseable {
    /** Writes a query's rows while they stream in; returns the number of rows. */
    long query(String sql, Rows rows);

    /**
     * Writes a table the shell made itself (a backslash command's answer, such as
     * {@code \d} or {@code \du}) as a query's rows are written; a null cell is NULL.
     */
    void table(String command, List<String> headers, List<List<Object>> rows);

    /** Writes the outcome of a statement without rows. */
    void update(String sql, StatementKind kind, long updateCount);

    /** Records a statement that failed (the error itself goes to stderr as well). */
    void error(String sql, TetraException e);

    /** Ends the output (closes the JSON array). */
    @Override
    void close();
}
