package io.tetradb.jdbc;

import io.tetradb.client.StatementDescription;
import io.tetradb.client.TetraException;

import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.net.URL;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Date;
import java.sql.JDBCType;
import java.sql.NClob;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.Ref;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.RowId;
import java.sql.SQLException;
import java.sql.SQLType;
import java.sql.SQLXML;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.List;

/**
 * A JDBC prepared statement: its text and its parameters travel with each execution; the
 * server keeps the statement prepared in the session (the same text is neither parsed nor
 * prepared again), so a statement run many times costs one bind and one execution each.
 * Parameters are converted here to the values the wire carries ({@link JdbcValues});
 * streams and LOBs are read whole when set (bounded by the frame size, 16 MiB by default).
 *
 * <p>Run by the thread that uses it; {@link #cancel()} from any thread.
 */
public class TetraPreparedStatement extends TetraStatement implements PreparedStatement {
    private static final Object UNSET = new Object();

    private final String sql;
    private final Keys keys;
    private Object[] parameters = new Object[0];
    private final List<Object[]> batches = new ArrayList<>();
    private StatementDescription description;

    TetraPreparedStatement(TetraConnection connection, String sql, Keys keys) throws SQLException {
        super(connection);
        if (sql == null) {
            throw new SQLException("The SQL text may not be null.", "42000");
        }
        this.sql = sql;
        this.keys = keys;
    }

    /** Sets parameter {@code index} (1-based) to {@code value}, already in a form the wire carries. */
    final void set(int index, Object value) throws SQLException {
        checkOpen();
        if (index < 1) {
            throw new SQLException("Parameter indexes start at 1, not " + index + ".", "07009");
        }
        if (index > 100_000) {
            throw new SQLException("Parameter index " + index + " is larger than any statement has.", "07009");
        }
        if (index > parameters.length) {
            int old = parameters.length;
            parameters = Arrays.copyOf(parameters, Math.max(index, old * 2));
            Arrays.fill(parameters, old, parameters.length, UNSET);
        }
        parameters[index - 1] = value;
    }

    /** The parameters set, up to the highest; one never set makes the server refuse the statement. */
    private Object[] bound() throws SQLException {
        int n = parameters.length;
        while (n > 0 && parameters[n - 1] == UNSET) {
            n--;
        }
        Object[] out = Arrays.copyOf(parameters, n);
        for (int i = 0; i < n; i++) {
            if (out[i] == UNSET) {
                throw new SQLException("Parameter " + (i + 1) + " is not set.", "07001");
            }
        }
        return out;
    }

    // ---- execution ---------------------------------------------------------------------

    @Override
    public ResultSet executeQuery() throws SQLException {
        return query(sql, bound());
    }

    @Override
    public int executeUpdate() throws SQLException {
        return count(executeLargeUpdate());
    }

    @Override
    public long executeLargeUpdate() throws SQLException {
        return update(sql, bound(), keys);
    }

    @Override
    public boolean execute() throws SQLException {
        return run(sql, bound(), keys);
    }

    @Override
    public void addBatch() throws SQLException {
        checkOpen();
        batches.add(bound());
    }

    @Override
    public void clearBatch() throws SQLException {
        super.clearBatch();
        batches.clear();
    }

    /**
     * Runs each parameter set added with {@link #addBatch()} in order, and stops at the first
     * that fails: the BatchUpdateException's counts are those of the sets before it.
     */
    @Override
    public long[] executeLargeBatch() throws SQLException {
        checkOpen();
        List<Object[]> todo = new ArrayList<>(batches);
        batches.clear();
        return runBatch(todo, values -> update(sql, values, keys));
    }

    @Override
    public void addBatch(String sql) throws SQLException {
        throw new SQLException("addBatch(String) is for a plain Statement; a PreparedStatement adds its parameters "
                + "with addBatch().", "HY000");
    }

    @Override
    public ResultSet executeQuery(String sql) throws SQLException {
        throw notWithText();
    }

    @Override
    public int executeUpdate(String sql) throws SQLException {
        throw notWithText();
    }

    @Override
    public boolean execute(String sql) throws SQLException {
        throw notWithText();
    }

    private static SQLException notWithText() {
        return new SQLException("A PreparedStatement runs its own text: call the method without SQL.", "HY000");
    }

    // ---- metadata ----------------------------------------------------------------------

    private StatementDescription description() throws SQLException {
        checkOpen();
        if (description == null) {
            try {
                description = connection.client().describe(sql);
            } catch (TetraException e) {
                throw JdbcErrors.of(e);
            }
        }
        return description;
    }

    /** The result's columns as the server prepared the statement (null for a statement without rows). */
    @Override
    public ResultSetMetaData getMetaData() throws SQLException {
        StatementDescription d = description();
        return d.query() ? new TetraResultSetMetaData(d.columns()) : null;
    }

    @Override
    public ParameterMetaData getParameterMetaData() throws SQLException {
        return new TetraParameterMetaData(description().parameters());
    }

    // ---- parameters --------------------------------------------------------------------

    @Override
    public void clearParameters() throws SQLException {
        checkOpen();
        parameters = new Object[0];
    }

    @Override
    public void setObject(int index, Object x) throws SQLException {
        set(index, JdbcValues.parameter(x));
    }

    @Override
    public void setObject(int index, Object x, int targetSqlType) throws SQLException {
        set(index, JdbcValues.parameter(index, x, targetSqlType, -1));
    }

    /** {@code scaleOrLength}: the scale of a DECIMAL or NUMERIC, the length of a stream (cut there). */
    @Override
    public void setObject(int index, Object x, int targetSqlType, int scaleOrLength) throws SQLException {
        set(index, JdbcValues.parameter(index, x, targetSqlType, scaleOrLength));
    }

    @Override
    public void setObject(int index, Object x, SQLType targetSqlType) throws SQLException {
        set(index, JdbcValues.parameter(index, x, vendorType(targetSqlType), -1));
    }

    @Override
    public void setObject(int index, Object x, SQLType targetSqlType, int scaleOrLength) throws SQLException {
        set(index, JdbcValues.parameter(index, x, vendorType(targetSqlType), scaleOrLength));
    }

    private static int vendorType(SQLType t) throws SQLException {
        if (t == null) {
            throw new SQLException("The target SQL type may not be null.", "HY004");
        }
        if (!(t instanceof JDBCType j)) {
            throw JdbcErrors.unsupported("SQLType " + t.getName() + " of vendor " + t.getVendor());
        }
        return j.getVendorTypeNumber();
    }

    @Override
    public void setNull(int index, int sqlType) throws SQLException {
        set(index, null);
    }

    @Override
    public void setNull(int index, int sqlType, String typeName) throws SQLException {
        set(index, null);
    }

    @Override
    public void setBoolean(int index, boolean x) throws SQLException {
        set(index, x);
    }

    @Override
    public void setByte(int index, byte x) throws SQLException {
        set(index, (int) x);
    }

    @Override
    public void setShort(int index, short x) throws SQLException {
        set(index, (int) x);
    }

    @Override
    public void setInt(int index, int x) throws SQLException {
        set(index, x);
    }

    @Override
    public void setLong(int index, long x) throws SQLException {
        set(index, x);
    }

    @Override
    public void setFloat(int index, float x) throws SQLException {
        set(index, x);
    }

    @Override
    public void setDouble(int index, double x) throws SQLException {
        set(index, x);
    }

    @Override
    public void setBigDecimal(int index, BigDecimal x) throws SQLException {
        set(index, x);
    }

    @Override
    public void setString(int index, String x) throws SQLException {
        set(index, x);
    }

    @Override
    public void setNString(int index, String x) throws SQLException {
        set(index, x);
    }

    @Override
    public void setBytes(int index, byte[] x) throws SQLException {
        set(index, x == null ? null : x.clone());
    }

    @Override
    public void setDate(int index, Date x) throws SQLException {
        set(index, JdbcValues.parameter(x));
    }

    /** The date's day as seen in the calendar's time zone. */
    @Override
    public void setDate(int index, Date x, Calendar cal) throws SQLException {
        set(index, JdbcValues.withCalendar(x, cal));
    }

    @Override
    public void setTime(int index, Time x) throws SQLException {
        set(index, JdbcValues.parameter(x));
    }

    @Override
    public void setTime(int index, Time x, Calendar cal) throws SQLException {
        set(index, JdbcValues.withCalendar(x, cal));
    }

    @Override
    public void setTimestamp(int index, Timestamp x) throws SQLException {
        set(index, JdbcValues.parameter(x));
    }

    /** The timestamp's local date and time as seen in the calendar's time zone. */
    @Override
    public void setTimestamp(int index, Timestamp x, Calendar cal) throws SQLException {
        set(index, JdbcValues.withCalendar(x, cal));
    }

    /** The URL's text. */
    @Override
    public void setURL(int index, URL x) throws SQLException {
        set(index, x == null ? null : x.toString());
    }

    @Override
    public void setArray(int index, Array x) throws SQLException {
        set(index, JdbcValues.parameter(x));
    }

    @Override
    public void setBlob(int index, Blob x) throws SQLException {
        set(index, JdbcValues.parameter(x));
    }

    @Override
    public void setBlob(int index, InputStream in) throws SQLException {
        set(index, JdbcValues.bytes(in, -1));
    }

    @Override
    public void setBlob(int index, InputStream in, long length) throws SQLException {
        set(index, JdbcValues.bytes(in, checkLength(length)));
    }

    @Override
    public void setClob(int index, Clob x) throws SQLException {
        set(index, JdbcValues.parameter(x));
    }

    @Override
    public void setClob(int index, Reader r) throws SQLException {
        set(index, JdbcValues.text(r, -1));
    }

    @Override
    public void setClob(int index, Reader r, long length) throws SQLException {
        set(index, JdbcValues.text(r, checkLength(length)));
    }

    @Override
    public void setNClob(int index, NClob x) throws SQLException {
        set(index, JdbcValues.parameter(x));
    }

    @Override
    public void setNClob(int index, Reader r) throws SQLException {
        set(index, JdbcValues.text(r, -1));
    }

    @Override
    public void setNClob(int index, Reader r, long length) throws SQLException {
        set(index, JdbcValues.text(r, checkLength(length)));
    }

    @Override
    public void setBinaryStream(int index, InputStream in) throws SQLException {
        set(index, JdbcValues.bytes(in, -1));
    }

    @Override
    public void setBinaryStream(int index, InputStream in, int length) throws SQLException {
        set(index, JdbcValues.bytes(in, checkLength(length)));
    }

    @Override
    public void setBinaryStream(int index, InputStream in, long length) throws SQLException {
        set(index, JdbcValues.bytes(in, checkLength(length)));
    }

    /** The stream's bytes as ISO-8859-1 characters (ASCII is a subset). */
    @Override
    public void setAsciiStream(int index, InputStream in) throws SQLException {
        set(index, JdbcValues.ascii(in, -1));
    }

    @Override
    public void setAsciiStream(int index, InputStream in, int length) throws SQLException {
        set(index, JdbcValues.ascii(in, checkLength(length)));
    }

    @Override
    public void setAsciiStream(int index, InputStream in, long length) throws SQLException {
        set(index, JdbcValues.ascii(in, checkLength(length)));
    }

    /** The stream's bytes as UTF-16BE text, as the deprecated method says. */
    @Override
    @Deprecated
    public void setUnicodeStream(int index, InputStream in, int length) throws SQLException {
        byte[] b = JdbcValues.bytes(in, checkLength(length));
        set(index, b == null ? null : new String(b, java.nio.charset.StandardCharsets.UTF_16BE));
    }

    @Override
    public void setCharacterStream(int index, Reader r) throws SQLException {
        set(index, JdbcValues.text(r, -1));
    }

    @Override
    public void setCharacterStream(int index, Reader r, int length) throws SQLException {
        set(index, JdbcValues.text(r, checkLength(length)));
    }

    @Override
    public void setCharacterStream(int index, Reader r, long length) throws SQLException {
        set(index, JdbcValues.text(r, checkLength(length)));
    }

    @Override
    public void setNCharacterStream(int index, Reader r) throws SQLException {
        set(index, JdbcValues.text(r, -1));
    }

    @Override
    public void setNCharacterStream(int index, Reader r, long length) throws SQLException {
        set(index, JdbcValues.text(r, checkLength(length)));
    }

    private static long checkLength(long length) throws SQLException {
        if (length < 0) {
            throw new SQLException("A stream's length may not be negative: " + length + ".", "HY090");
        }
        return length;
    }

    @Override
    public void setRef(int index, Ref x) throws SQLException {
        checkOpen();
        throw JdbcErrors.unsupported("PreparedStatement.setRef (Tetra has no REF type)");
    }

    @Override
    public void setRowId(int index, RowId x) throws SQLException {
        checkOpen();
        throw JdbcErrors.unsupported("PreparedStatement.setRowId (Tetra has no ROWID type)");
    }

    /** The XML's text. */
    @Override
    public void setSQLXML(int index, SQLXML x) throws SQLException {
        set(index, x == null ? null : x.getString());
    }
}
