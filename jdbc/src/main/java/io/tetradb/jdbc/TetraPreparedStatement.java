package io.tetradb.jdbc;

import io.tetradb.client.StatementDescription;
import io.tetradb.protocol.TetraException;

import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.net.URL;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Date;
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
        long[] counts = new long[todo.size()];
        for (int i = 0; i < counts.length; i++) {
            try {
                counts[i] = update(sql, todo.get(i), keys);
            } catch (SQLException e) {
                throw JdbcErrors.batch(e, Arrays.copyOf(counts, i));
            }
        }
        return counts;
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
    public void setArray(int a0, Array a1) throws SQLException {
        throw JdbcErrors.unsupported("PreparedStatement.setArray");
    }

    @Override
    public void setAsciiStream(int a0, InputStream a1, int a2) throws SQLException {
        throw JdbcErrors.unsupported("PreparedStatement.setAsciiStream");
    }

    @Override
    public void setAsciiStream(int a0, InputStream a1, long a2) throws SQLException {
        throw JdbcErrors.unsupported("PreparedStatement.setAsciiStream");
    }

    @Override
    public void setAsciiStream(int a0, InputStream a1) throws SQLException {
        throw JdbcErrors.unsupported("PreparedStatement.setAsciiStream");
    }

    @Override
    public void setBigDecimal(int a0, BigDecimal a1) throws SQLException {
        set(a0, JdbcValues.parameter(a1));
    }

    @Override
    public void setBinaryStream(int a0, InputStream a1, int a2) throws SQLException {
        throw JdbcErrors.unsupported("PreparedStatement.setBinaryStream");
    }

    @Override
    public void setBinaryStream(int a0, InputStream a1, long a2) throws SQLException {
        throw JdbcErrors.unsupported("PreparedStatement.setBinaryStream");
    }

    @Override
    public void setBinaryStream(int a0, InputStream a1) throws SQLException {
        throw JdbcErrors.unsupported("PreparedStatement.setBinaryStream");
    }

    @Override
    public void setBlob(int a0, InputStream a1, long a2) throws SQLException {
        throw JdbcErrors.unsupported("PreparedStatement.setBlob");
    }

    @Override
    public void setBlob(int a0, InputStream a1) throws SQLException {
        throw JdbcErrors.unsupported("PreparedStatement.setBlob");
    }

    @Override
    public void setBlob(int a0, Blob a1) throws SQLException {
        throw JdbcErrors.unsupported("PreparedStatement.setBlob");
    }

    @Override
    public void setBoolean(int a0, boolean a1) throws SQLException {
        set(a0, JdbcValues.parameter(a1));
    }

    @Override
    public void setByte(int a0, byte a1) throws SQLException {
        set(a0, JdbcValues.parameter(a1));
    }

    @Override
    public void setBytes(int a0, byte[] a1) throws SQLException {
        set(a0, JdbcValues.parameter(a1));
    }

    @Override
    public void setCharacterStream(int a0, Reader a1, int a2) throws SQLException {
        throw JdbcErrors.unsupported("PreparedStatement.setCharacterStream");
    }

    @Override
    public void setCharacterStream(int a0, Reader a1, long a2) throws SQLException {
        throw JdbcErrors.unsupported("PreparedStatement.setCharacterStream");
    }

    @Override
    public void setCharacterStream(int a0, Reader a1) throws SQLException {
        throw JdbcErrors.unsupported("PreparedStatement.setCharacterStream");
    }

    @Override
    public void setClob(int a0, Reader a1, long a2) throws SQLException {
        throw JdbcErrors.unsupported("PreparedStatement.setClob");
    }

    @Override
    public void setClob(int a0, Reader a1) throws SQLException {
        throw JdbcErrors.unsupported("PreparedStatement.setClob");
    }

    @Override
    public void setClob(int a0, Clob a1) throws SQLException {
        throw JdbcErrors.unsupported("PreparedStatement.setClob");
    }

    @Override
    public void setDate(int a0, Date a1, Calendar a2) throws SQLException {
        throw JdbcErrors.unsupported("PreparedStatement.setDate");
    }

    @Override
    public void setDate(int a0, Date a1) throws SQLException {
        set(a0, JdbcValues.parameter(a1));
    }

    @Override
    public void setDouble(int a0, double a1) throws SQLException {
        set(a0, JdbcValues.parameter(a1));
    }

    @Override
    public void setFloat(int a0, float a1) throws SQLException {
        set(a0, JdbcValues.parameter(a1));
    }

    @Override
    public void setInt(int a0, int a1) throws SQLException {
        set(a0, JdbcValues.parameter(a1));
    }

    @Override
    public void setLong(int a0, long a1) throws SQLException {
        set(a0, JdbcValues.parameter(a1));
    }

    @Override
    public void setNCharacterStream(int a0, Reader a1, long a2) throws SQLException {
        throw JdbcErrors.unsupported("PreparedStatement.setNCharacterStream");
    }

    @Override
    public void setNCharacterStream(int a0, Reader a1) throws SQLException {
        throw JdbcErrors.unsupported("PreparedStatement.setNCharacterStream");
    }

    @Override
    public void setNClob(int a0, Reader a1, long a2) throws SQLException {
        throw JdbcErrors.unsupported("PreparedStatement.setNClob");
    }

    @Override
    public void setNClob(int a0, Reader a1) throws SQLException {
        throw JdbcErrors.unsupported("PreparedStatement.setNClob");
    }

    @Override
    public void setNClob(int a0, NClob a1) throws SQLException {
        throw JdbcErrors.unsupported("PreparedStatement.setNClob");
    }

    @Override
    public void setNString(int a0, String a1) throws SQLException {
        set(a0, JdbcValues.parameter(a1));
    }

    @Override
    public void setNull(int a0, int a1, String a2) throws SQLException {
        set(a0, null);
    }

    @Override
    public void setNull(int a0, int a1) throws SQLException {
        set(a0, null);
    }

    @Override
    public void setObject(int a0, Object a1, int a2, int a3) throws SQLException {
        throw JdbcErrors.unsupported("PreparedStatement.setObject");
    }

    @Override
    public void setObject(int a0, Object a1, int a2) throws SQLException {
        set(a0, JdbcValues.parameter(a1, a2));
    }

    @Override
    public void setObject(int a0, Object a1, SQLType a2, int a3) throws SQLException {
        throw JdbcErrors.unsupported("PreparedStatement.setObject");
    }

    @Override
    public void setObject(int a0, Object a1, SQLType a2) throws SQLException {
        throw JdbcErrors.unsupported("PreparedStatement.setObject");
    }

    @Override
    public void setRef(int a0, Ref a1) throws SQLException {
        throw JdbcErrors.unsupported("PreparedStatement.setRef");
    }

    @Override
    public void setRowId(int a0, RowId a1) throws SQLException {
        throw JdbcErrors.unsupported("PreparedStatement.setRowId");
    }

    @Override
    public void setSQLXML(int a0, SQLXML a1) throws SQLException {
        throw JdbcErrors.unsupported("PreparedStatement.setSQLXML");
    }

    @Override
    public void setShort(int a0, short a1) throws SQLException {
        set(a0, JdbcValues.parameter(a1));
    }

    @Override
    public void setString(int a0, String a1) throws SQLException {
        set(a0, JdbcValues.parameter(a1));
    }

    @Override
    public void setTime(int a0, Time a1, Calendar a2) throws SQLException {
        throw JdbcErrors.unsupported("PreparedStatement.setTime");
    }

    @Override
    public void setTime(int a0, Time a1) throws SQLException {
        set(a0, JdbcValues.parameter(a1));
    }

    @Override
    public void setTimestamp(int a0, Timestamp a1, Calendar a2) throws SQLException {
        throw JdbcErrors.unsupported("PreparedStatement.setTimestamp");
    }

    @Override
    public void setTimestamp(int a0, Timestamp a1) throws SQLException {
        set(a0, JdbcValues.parameter(a1));
    }

    @Override
    public void setURL(int a0, URL a1) throws SQLException {
        throw JdbcErrors.unsupported("PreparedStatement.setURL");
    }

    @Override
    public void setUnicodeStream(int a0, InputStream a1, int a2) throws SQLException {
        throw JdbcErrors.unsupported("PreparedStatement.setUnicodeStream");
    }
}
