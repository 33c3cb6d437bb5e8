package io.tetradb.jdbc;

import io.tetradb.client.ColumnInfo;

import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.net.URL;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Date;
import java.sql.NClob;
import java.sql.Ref;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.RowId;
import java.sql.SQLException;
import java.sql.SQLType;
import java.sql.SQLWarning;
import java.sql.SQLXML;
import java.sql.Statement;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.Calendar;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A forward-only, read-only JDBC result set over a {@link RowSource}: a query's rows
 * streamed from the server as they are read (the server sends a few batches ahead and
 * waits for the reader, so a result of millions of rows takes little memory), or rows in
 * memory. Getters convert as H2's own driver does ({@link JdbcValues}).
 *
 * <p>Read by one thread at a time, the one that reads the rows.
 */
public final class TetraResultSet implements ResultSet {
    private final TetraStatement statement;
    private final RowSource source;
    private final List<ColumnInfo> columns;
    private final Map<String, Integer> byLabel = new HashMap<>();
    private Object[] row;
    private int rowNumber;
    private boolean afterLast;
    private boolean closed;
    private boolean wasNull;
    private SQLWarning warnings;

    TetraResultSet(TetraStatement statement, RowSource source) {
        this.statement = statement;
        this.source = source;
        this.columns = source.columns();
        for (int i = columns.size() - 1; i >= 0; i--) {
            byLabel.put(columns.get(i).label().toUpperCase(Locale.ROOT), i + 1);
        }
    }

    @Override
    public boolean next() throws SQLException {
        checkOpen();
        if (afterLast) {
            return false;
        }
        row = source.next();
        if (row == null) {
            afterLast = true;
            rowNumber = 0;
            if (statement != null) {
                statement.resultClosed(this);
            }
            return false;
        }
        rowNumber++;
        return true;
    }

    /** The value of column {@code i} (1-based) of the current row as the client gave it; sets wasNull. */
    Object value(int i) throws SQLException {
        checkOpen();
        if (row == null) {
            throw new SQLException(afterLast ? "The result set has no more rows." : "Call next() before reading a row.",
                    "24000");
        }
        if (i < 1 || i > row.length) {
            throw new SQLException("Column index " + i + " is not between 1 and " + row.length + ".", "07009");
        }
        Object v = row[i - 1];
        wasNull = v == null;
        return v;
    }

    /** The column of the current row's result by its type (1-based). */
    ColumnInfo column(int i) {
        return columns.get(i - 1);
    }

    @Override
    public int findColumn(String label) throws SQLException {
        checkOpen();
        Integer i = label == null ? null : byLabel.get(label.toUpperCase(Locale.ROOT));
        if (i == null) {
            throw new SQLException("No column labelled " + label + " in the result.", "42S22");
        }
        return i;
    }

    @Override
    public boolean wasNull() throws SQLException {
        checkOpen();
        return wasNull;
    }

    @Override
    public Object getObject(int i) throws SQLException {
        return JdbcValues.object(value(i), column(i));
    }

    @Override
    public Object getObject(String label) throws SQLException {
        return getObject(findColumn(label));
    }

    @Override
    public String getString(int i) throws SQLException {
        return JdbcValues.string(value(i));
    }

    @Override
    public String getString(String label) throws SQLException {
        return getString(findColumn(label));
    }

    @Override
    public int getInt(int i) throws SQLException {
        Object v = value(i);
        return v == null ? 0 : JdbcValues.number(v, i).intValue();
    }

    @Override
    public int getInt(String label) throws SQLException {
        return getInt(findColumn(label));
    }

    @Override
    public long getLong(int i) throws SQLException {
        Object v = value(i);
        return v == null ? 0 : JdbcValues.number(v, i).longValue();
    }

    @Override
    public long getLong(String label) throws SQLException {
        return getLong(findColumn(label));
    }

    @Override
    public ResultSetMetaData getMetaData() throws SQLException {
        checkOpen();
        return new TetraResultSetMetaData(columns);
    }

    @Override
    public Statement getStatement() throws SQLException {
        checkOpen();
        return statement;
    }

    @Override
    public int getRow() throws SQLException {
        checkOpen();
        return rowNumber;
    }

    @Override
    public void close() throws SQLException {
        if (closed) {
            return;
        }
        closeFromStatement();
        if (statement != null) {
            statement.resultClosed(this);
        }
    }

    /** Closed by its statement (a new execution, the statement's close). */
    void closeFromStatement() {
        if (closed) {
            return;
        }
        closed = true;
        row = null;
        source.close();
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    private void checkOpen() throws SQLException {
        if (closed) {
            throw JdbcErrors.closed("result set");
        }
    }

    @Override
    public SQLWarning getWarnings() throws SQLException {
        checkOpen();
        return warnings;
    }

    @Override
    public void clearWarnings() throws SQLException {
        checkOpen();
        warnings = null;
    }

    @Override
    public int getType() throws SQLException {
        checkOpen();
        return TYPE_FORWARD_ONLY;
    }

    @Override
    public int getConcurrency() throws SQLException {
        checkOpen();
        return CONCUR_READ_ONLY;
    }

    @Override
    public int getHoldability() throws SQLException {
        checkOpen();
        return HOLD_CURSORS_OVER_COMMIT;
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("A Tetra result set is not a " + iface.getName() + ".", "HY000");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }

    @Override
    public boolean absolute(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.absolute");
    }

    @Override
    public void afterLast() throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.afterLast");
    }

    @Override
    public void beforeFirst() throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.beforeFirst");
    }

    @Override
    public void cancelRowUpdates() throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.cancelRowUpdates");
    }

    @Override
    public void deleteRow() throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.deleteRow");
    }

    @Override
    public boolean first() throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.first");
    }

    @Override
    public Array getArray(String a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getArray");
    }

    @Override
    public Array getArray(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getArray");
    }

    @Override
    public InputStream getAsciiStream(String a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getAsciiStream");
    }

    @Override
    public InputStream getAsciiStream(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getAsciiStream");
    }

    @Override
    public BigDecimal getBigDecimal(String a0, int a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getBigDecimal");
    }

    @Override
    public BigDecimal getBigDecimal(String a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getBigDecimal");
    }

    @Override
    public BigDecimal getBigDecimal(int a0, int a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getBigDecimal");
    }

    @Override
    public BigDecimal getBigDecimal(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getBigDecimal");
    }

    @Override
    public InputStream getBinaryStream(String a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getBinaryStream");
    }

    @Override
    public InputStream getBinaryStream(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getBinaryStream");
    }

    @Override
    public Blob getBlob(String a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getBlob");
    }

    @Override
    public Blob getBlob(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getBlob");
    }

    @Override
    public boolean getBoolean(String a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getBoolean");
    }

    @Override
    public boolean getBoolean(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getBoolean");
    }

    @Override
    public byte getByte(String a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getByte");
    }

    @Override
    public byte getByte(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getByte");
    }

    @Override
    public byte[] getBytes(String a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getBytes");
    }

    @Override
    public byte[] getBytes(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getBytes");
    }

    @Override
    public Reader getCharacterStream(String a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getCharacterStream");
    }

    @Override
    public Reader getCharacterStream(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getCharacterStream");
    }

    @Override
    public Clob getClob(String a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getClob");
    }

    @Override
    public Clob getClob(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getClob");
    }

    @Override
    public String getCursorName() throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getCursorName");
    }

    @Override
    public Date getDate(String a0, Calendar a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getDate");
    }

    @Override
    public Date getDate(String a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getDate");
    }

    @Override
    public Date getDate(int a0, Calendar a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getDate");
    }

    @Override
    public Date getDate(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getDate");
    }

    @Override
    public double getDouble(String a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getDouble");
    }

    @Override
    public double getDouble(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getDouble");
    }

    @Override
    public int getFetchDirection() throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getFetchDirection");
    }

    @Override
    public int getFetchSize() throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getFetchSize");
    }

    @Override
    public float getFloat(String a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getFloat");
    }

    @Override
    public float getFloat(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getFloat");
    }

    @Override
    public Reader getNCharacterStream(String a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getNCharacterStream");
    }

    @Override
    public Reader getNCharacterStream(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getNCharacterStream");
    }

    @Override
    public NClob getNClob(String a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getNClob");
    }

    @Override
    public NClob getNClob(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getNClob");
    }

    @Override
    public String getNString(String a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getNString");
    }

    @Override
    public String getNString(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getNString");
    }

    @Override
    public <T> T getObject(String a0, Class<T> a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getObject");
    }

    @Override
    public Object getObject(String a0, Map<String, Class<?>> a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getObject");
    }

    @Override
    public <T> T getObject(int a0, Class<T> a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getObject");
    }

    @Override
    public Object getObject(int a0, Map<String, Class<?>> a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getObject");
    }

    @Override
    public Ref getRef(String a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getRef");
    }

    @Override
    public Ref getRef(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getRef");
    }

    @Override
    public RowId getRowId(String a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getRowId");
    }

    @Override
    public RowId getRowId(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getRowId");
    }

    @Override
    public SQLXML getSQLXML(String a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getSQLXML");
    }

    @Override
    public SQLXML getSQLXML(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getSQLXML");
    }

    @Override
    public short getShort(String a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getShort");
    }

    @Override
    public short getShort(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getShort");
    }

    @Override
    public Time getTime(String a0, Calendar a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getTime");
    }

    @Override
    public Time getTime(String a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getTime");
    }

    @Override
    public Time getTime(int a0, Calendar a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getTime");
    }

    @Override
    public Time getTime(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getTime");
    }

    @Override
    public Timestamp getTimestamp(String a0, Calendar a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getTimestamp");
    }

    @Override
    public Timestamp getTimestamp(String a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getTimestamp");
    }

    @Override
    public Timestamp getTimestamp(int a0, Calendar a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getTimestamp");
    }

    @Override
    public Timestamp getTimestamp(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getTimestamp");
    }

    @Override
    public URL getURL(String a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getURL");
    }

    @Override
    public URL getURL(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getURL");
    }

    @Override
    public InputStream getUnicodeStream(String a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getUnicodeStream");
    }

    @Override
    public InputStream getUnicodeStream(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.getUnicodeStream");
    }

    @Override
    public void insertRow() throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.insertRow");
    }

    @Override
    public boolean isAfterLast() throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.isAfterLast");
    }

    @Override
    public boolean isBeforeFirst() throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.isBeforeFirst");
    }

    @Override
    public boolean isFirst() throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.isFirst");
    }

    @Override
    public boolean isLast() throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.isLast");
    }

    @Override
    public boolean last() throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.last");
    }

    @Override
    public void moveToCurrentRow() throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.moveToCurrentRow");
    }

    @Override
    public void moveToInsertRow() throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.moveToInsertRow");
    }

    @Override
    public boolean previous() throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.previous");
    }

    @Override
    public void refreshRow() throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.refreshRow");
    }

    @Override
    public boolean relative(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.relative");
    }

    @Override
    public boolean rowDeleted() throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.rowDeleted");
    }

    @Override
    public boolean rowInserted() throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.rowInserted");
    }

    @Override
    public boolean rowUpdated() throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.rowUpdated");
    }

    @Override
    public void setFetchDirection(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.setFetchDirection");
    }

    @Override
    public void setFetchSize(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.setFetchSize");
    }

    @Override
    public void updateArray(String a0, Array a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateArray");
    }

    @Override
    public void updateArray(int a0, Array a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateArray");
    }

    @Override
    public void updateAsciiStream(String a0, InputStream a1, int a2) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateAsciiStream");
    }

    @Override
    public void updateAsciiStream(String a0, InputStream a1, long a2) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateAsciiStream");
    }

    @Override
    public void updateAsciiStream(String a0, InputStream a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateAsciiStream");
    }

    @Override
    public void updateAsciiStream(int a0, InputStream a1, int a2) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateAsciiStream");
    }

    @Override
    public void updateAsciiStream(int a0, InputStream a1, long a2) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateAsciiStream");
    }

    @Override
    public void updateAsciiStream(int a0, InputStream a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateAsciiStream");
    }

    @Override
    public void updateBigDecimal(String a0, BigDecimal a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateBigDecimal");
    }

    @Override
    public void updateBigDecimal(int a0, BigDecimal a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateBigDecimal");
    }

    @Override
    public void updateBinaryStream(String a0, InputStream a1, int a2) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateBinaryStream");
    }

    @Override
    public void updateBinaryStream(String a0, InputStream a1, long a2) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateBinaryStream");
    }

    @Override
    public void updateBinaryStream(String a0, InputStream a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateBinaryStream");
    }

    @Override
    public void updateBinaryStream(int a0, InputStream a1, int a2) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateBinaryStream");
    }

    @Override
    public void updateBinaryStream(int a0, InputStream a1, long a2) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateBinaryStream");
    }

    @Override
    public void updateBinaryStream(int a0, InputStream a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateBinaryStream");
    }

    @Override
    public void updateBlob(String a0, InputStream a1, long a2) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateBlob");
    }

    @Override
    public void updateBlob(String a0, InputStream a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateBlob");
    }

    @Override
    public void updateBlob(String a0, Blob a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateBlob");
    }

    @Override
    public void updateBlob(int a0, InputStream a1, long a2) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateBlob");
    }

    @Override
    public void updateBlob(int a0, InputStream a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateBlob");
    }

    @Override
    public void updateBlob(int a0, Blob a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateBlob");
    }

    @Override
    public void updateBoolean(String a0, boolean a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateBoolean");
    }

    @Override
    public void updateBoolean(int a0, boolean a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateBoolean");
    }

    @Override
    public void updateByte(String a0, byte a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateByte");
    }

    @Override
    public void updateByte(int a0, byte a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateByte");
    }

    @Override
    public void updateBytes(String a0, byte[] a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateBytes");
    }

    @Override
    public void updateBytes(int a0, byte[] a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateBytes");
    }

    @Override
    public void updateCharacterStream(String a0, Reader a1, int a2) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateCharacterStream");
    }

    @Override
    public void updateCharacterStream(String a0, Reader a1, long a2) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateCharacterStream");
    }

    @Override
    public void updateCharacterStream(String a0, Reader a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateCharacterStream");
    }

    @Override
    public void updateCharacterStream(int a0, Reader a1, int a2) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateCharacterStream");
    }

    @Override
    public void updateCharacterStream(int a0, Reader a1, long a2) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateCharacterStream");
    }

    @Override
    public void updateCharacterStream(int a0, Reader a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateCharacterStream");
    }

    @Override
    public void updateClob(String a0, Reader a1, long a2) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateClob");
    }

    @Override
    public void updateClob(String a0, Reader a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateClob");
    }

    @Override
    public void updateClob(String a0, Clob a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateClob");
    }

    @Override
    public void updateClob(int a0, Reader a1, long a2) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateClob");
    }

    @Override
    public void updateClob(int a0, Reader a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateClob");
    }

    @Override
    public void updateClob(int a0, Clob a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateClob");
    }

    @Override
    public void updateDate(String a0, Date a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateDate");
    }

    @Override
    public void updateDate(int a0, Date a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateDate");
    }

    @Override
    public void updateDouble(String a0, double a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateDouble");
    }

    @Override
    public void updateDouble(int a0, double a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateDouble");
    }

    @Override
    public void updateFloat(String a0, float a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateFloat");
    }

    @Override
    public void updateFloat(int a0, float a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateFloat");
    }

    @Override
    public void updateInt(String a0, int a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateInt");
    }

    @Override
    public void updateInt(int a0, int a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateInt");
    }

    @Override
    public void updateLong(String a0, long a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateLong");
    }

    @Override
    public void updateLong(int a0, long a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateLong");
    }

    @Override
    public void updateNCharacterStream(String a0, Reader a1, long a2) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateNCharacterStream");
    }

    @Override
    public void updateNCharacterStream(String a0, Reader a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateNCharacterStream");
    }

    @Override
    public void updateNCharacterStream(int a0, Reader a1, long a2) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateNCharacterStream");
    }

    @Override
    public void updateNCharacterStream(int a0, Reader a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateNCharacterStream");
    }

    @Override
    public void updateNClob(String a0, Reader a1, long a2) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateNClob");
    }

    @Override
    public void updateNClob(String a0, Reader a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateNClob");
    }

    @Override
    public void updateNClob(String a0, NClob a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateNClob");
    }

    @Override
    public void updateNClob(int a0, Reader a1, long a2) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateNClob");
    }

    @Override
    public void updateNClob(int a0, Reader a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateNClob");
    }

    @Override
    public void updateNClob(int a0, NClob a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateNClob");
    }

    @Override
    public void updateNString(String a0, String a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateNString");
    }

    @Override
    public void updateNString(int a0, String a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateNString");
    }

    @Override
    public void updateNull(String a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateNull");
    }

    @Override
    public void updateNull(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateNull");
    }

    @Override
    public void updateObject(String a0, Object a1, int a2) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateObject");
    }

    @Override
    public void updateObject(String a0, Object a1, SQLType a2, int a3) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateObject");
    }

    @Override
    public void updateObject(String a0, Object a1, SQLType a2) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateObject");
    }

    @Override
    public void updateObject(String a0, Object a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateObject");
    }

    @Override
    public void updateObject(int a0, Object a1, int a2) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateObject");
    }

    @Override
    public void updateObject(int a0, Object a1, SQLType a2, int a3) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateObject");
    }

    @Override
    public void updateObject(int a0, Object a1, SQLType a2) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateObject");
    }

    @Override
    public void updateObject(int a0, Object a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateObject");
    }

    @Override
    public void updateRef(String a0, Ref a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateRef");
    }

    @Override
    public void updateRef(int a0, Ref a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateRef");
    }

    @Override
    public void updateRow() throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateRow");
    }

    @Override
    public void updateRowId(String a0, RowId a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateRowId");
    }

    @Override
    public void updateRowId(int a0, RowId a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateRowId");
    }

    @Override
    public void updateSQLXML(String a0, SQLXML a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateSQLXML");
    }

    @Override
    public void updateSQLXML(int a0, SQLXML a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateSQLXML");
    }

    @Override
    public void updateShort(String a0, short a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateShort");
    }

    @Override
    public void updateShort(int a0, short a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateShort");
    }

    @Override
    public void updateString(String a0, String a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateString");
    }

    @Override
    public void updateString(int a0, String a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateString");
    }

    @Override
    public void updateTime(String a0, Time a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateTime");
    }

    @Override
    public void updateTime(int a0, Time a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateTime");
    }

    @Override
    public void updateTimestamp(String a0, Timestamp a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateTimestamp");
    }

    @Override
    public void updateTimestamp(int a0, Timestamp a1) throws SQLException {
        throw JdbcErrors.unsupported("ResultSet.updateTimestamp");
    }
}
