package io.tetradb.jdbc;

import io.tetradb.client.ColumnInfo;

import java.math.BigDecimal;
import java.sql.SQLException;

/**
 * Conversions between JDBC's Java values and the values the client library carries:
 * parameters set on a PreparedStatement, and what a ResultSet's getters return (as H2's
 * own driver does, so tools see the types they expect).
 *
 * <p>Stateless; any thread.
 */
final class JdbcValues {
    private JdbcValues() {
    }

    /** A parameter as the wire carries it. */
    static Object parameter(Object x) throws SQLException {
        return x;
    }

    /** A parameter converted to {@code targetSqlType} ({@link java.sql.Types}). */
    static Object parameter(Object x, int targetSqlType) throws SQLException {
        return x;
    }

    /** What getObject returns for a value of {@code column}. */
    static Object object(Object v, ColumnInfo column) throws SQLException {
        return v;
    }

    /** What getString returns. */
    static String string(Object v) {
        return v == null ? null : v.toString();
    }

    /** A value as a number, for the numeric getters of column {@code i}. */
    static Number number(Object v, int i) throws SQLException {
        if (v instanceof Number n) {
            return n;
        }
        if (v instanceof Boolean b) {
            return b ? 1 : 0;
        }
        try {
            return new BigDecimal(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new SQLException("Column " + i + " holds '" + v + "', not a number.", "22018");
        }
    }
}
