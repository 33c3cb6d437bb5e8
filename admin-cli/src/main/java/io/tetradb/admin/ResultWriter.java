package io.tetradb.admin;

import io.tetradb.client.Rows;
import io.tetradb.protocol.StatementKind;
import io.tetradb.client.TetraException;

/**
 * Where the SQL shell puts the outcome of each statement: aligned text tables
 * ({@link TextResultWriter}) or one JSON array ({@link JsonResultWriter}).
 *
 * <p>Used on the command's thread.
 */
public interface ResultWriter extends AutoCloseable {
    /** Writes a query's rows while they stream in; returns the number of rows. */
    long query(String sql, Rows rows);

    /** Writes the outcome of a statement without rows. */
    void update(String sql, StatementKind kind, long updateCount);

    /** Records a statement that failed (the error itself goes to stderr as well). */
    void error(String sql, TetraException e);

    /** Ends the output (closes the JSON array). */
    @Override
    void close();
}
