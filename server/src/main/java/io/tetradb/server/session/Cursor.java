package io.tetradb.server.session;

import java.sql.ResultSet;

/**
 * A query result being streamed to the client in batches, as far as the client's
 * credit allows: the JDBC result set stays open between batches (H2 spills large
 * results to disk, so memory stays bounded whatever the row count).
 *
 * <p>Confined to the session's worker task.
 */
final class Cursor {
    final long requestId;
    private final Runnable releaseStatement;
    final ResultSet resultSet;
    final int[] jdbcTypes;
    final String[] typeNames;
    final int fetchSize;
    final io.tetradb.protocol.StatementKind kind;
    int credit;
    long rowsSent;

    /**
     * @param releaseStatement run once the result set is closed: gives the prepared statement
     *                         back to the session's {@link StatementCache} (or closes it)
     */
    Cursor(long requestId, Runnable releaseStatement, ResultSet resultSet, int[] jdbcTypes, String[] typeNames,
           int fetchSize, int credit, io.tetradb.protocol.StatementKind kind) {
        this.requestId = requestId;
        this.releaseStatement = releaseStatement;
        this.resultSet = resultSet;
        this.jdbcTypes = jdbcTypes;
        this.typeNames = typeNames;
        this.fetchSize = fetchSize;
        this.credit = credit;
        this.kind = kind;
    }

    void close() {
        try {
            resultSet.close();
        } catch (Exception ignored) {
            // closing a result of a closed connection
        }
        releaseStatement.run();
    }
}
