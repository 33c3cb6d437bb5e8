package io.tetradb.jdbc;

import io.tetradb.client.ColumnInfo;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.math.BigDecimal;
import java.net.URL;
import java.nio.charset.StandardCharsets;
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
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
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
    private Object[] next;
    private boolean peeked;
    private boolean hadRows;
    private int fetchSize;
    private int rowNumber;
    private boolean afterLast;
    private boolean closed;
    private boolean wasNull;

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
        if (peeked) {
            row = next;
            next = null;
            peeked = false;
        } else {
            row = source.next();
        }
        if (row == null) {
            afterLast = true;
            rowNumber = 0;
            if (statement != null) {
                statement.resultClosed(this);
            }
            return false;
        }
        rowNumber++;
        hadRows = true;
        return true;
    }

    /** The row after the current one, read ahead (null after the last). */
    private Object[] peek() throws SQLException {
        if (!peeked) {
            next = source.next();
            peeked = true;
        }
        return next;
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
        return JdbcValues.object(limited(i), column(i));
    }

    @Override
    public Object getObject(String label) throws SQLException {
        return getObject(findColumn(label));
    }

    @Override
    public String getString(int i) throws SQLException {
        return JdbcValues.string(limited(i));
    }

    @Override
    public String getString(String label) throws SQLException {
        return getString(findColumn(label));
    }

    @Override
    public int getInt(int i) throws SQLException {
        Object v = value(i);
        return v == null ? 0 : (int) JdbcValues.integral(v, i, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    @Override
    public int getInt(String label) throws SQLException {
        return getInt(findColumn(label));
    }

    @Override
    public long getLong(int i) throws SQLException {
        Object v = value(i);
        return v == null ? 0 : JdbcValues.integral(v, i, Long.MIN_VALUE, Long.MAX_VALUE);
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

    /** None: what goes wrong while rows are read is an SQLException; a statement's warnings are the statement's. */
    @Override
    public SQLWarning getWarnings() throws SQLException {
        checkOpen();
        return null;
    }

    @Override
    public void clearWarnings() throws SQLException {
        checkOpen();
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

    // ---- cursor ------------------------------------------------------------------------

    private SQLException forwardOnly(String what) {
        return new SQLException(what + ": a Tetra result set is forward-only (TYPE_FORWARD_ONLY); only next() moves "
                + "it.", "24000");
    }

    @Override
    public boolean absolute(int row) throws SQLException {
        checkOpen();
        throw forwardOnly("absolute");
    }

    @Override
    public boolean relative(int rows) throws SQLException {
        checkOpen();
        throw forwardOnly("relative");
    }

    @Override
    public void afterLast() throws SQLException {
        checkOpen();
        throw forwardOnly("afterLast");
    }

    @Override
    public void beforeFirst() throws SQLException {
        checkOpen();
        throw forwardOnly("beforeFirst");
    }

    @Override
    public boolean first() throws SQLException {
        checkOpen();
        throw forwardOnly("first");
    }

    @Override
    public boolean last() throws SQLException {
        checkOpen();
        throw forwardOnly("last");
    }

    @Override
    public boolean previous() throws SQLException {
        checkOpen();
        throw forwardOnly("previous");
    }

    /** Whether the cursor is before a first row: false for a result without rows (reads one row ahead). */
    @Override
    public boolean isBeforeFirst() throws SQLException {
        checkOpen();
        return rowNumber == 0 && !afterLast && peek() != null;
    }

    @Override
    public boolean isAfterLast() throws SQLException {
        checkOpen();
        return afterLast && hadRows;
    }

    @Override
    public boolean isFirst() throws SQLException {
        checkOpen();
        return row != null && rowNumber == 1;
    }

    /** Whether the current row is the last: reads the next row ahead (one row more held in memory). */
    @Override
    public boolean isLast() throws SQLException {
        checkOpen();
        return row != null && peek() == null;
    }

    @Override
    public int getFetchDirection() throws SQLException {
        checkOpen();
        return FETCH_FORWARD;
    }

    @Override
    public void setFetchDirection(int direction) throws SQLException {
        checkOpen();
        if (direction != FETCH_FORWARD) {
            throw new SQLException("A Tetra result set is read forward only: fetch direction " + direction
                    + " is not possible.", "HY106");
        }
    }

    /** The fetch size asked for; the rows per batch are those of the statement's execution. */
    @Override
    public int getFetchSize() throws SQLException {
        checkOpen();
        return fetchSize;
    }

    /** Accepted (and returned by getFetchSize); the server's batch size was set when the statement ran. */
    @Override
    public void setFetchSize(int rows) throws SQLException {
        checkOpen();
        if (rows < 0) {
            throw new SQLException("A fetch size may not be negative: " + rows + ".", "HY000");
        }
        fetchSize = rows;
    }

    @Override
    public String getCursorName() throws SQLException {
        checkOpen();
        throw JdbcErrors.unsupported("ResultSet.getCursorName (positioned updates)");
    }

    @Override
    public boolean rowDeleted() throws SQLException {
        checkOpen();
        return false;
    }

    @Override
    public boolean rowInserted() throws SQLException {
        checkOpen();
        return false;
    }

    @Override
    public boolean rowUpdated() throws SQLException {
        checkOpen();
        return false;
    }

    @Override
    public void refreshRow() throws SQLException {
        checkOpen();
        throw forwardOnly("refreshRow");
    }

    @Override
    public void moveToCurrentRow() throws SQLException {
        checkOpen();
        throw readOnly("moveToCurrentRow");
    }

    @Override
    public void moveToInsertRow() throws SQLException {
        checkOpen();
        throw readOnly("moveToInsertRow");
    }

    @Override
    public void insertRow() throws SQLException {
        checkOpen();
        throw readOnly("insertRow");
    }

    @Override
    public void deleteRow() throws SQLException {
        checkOpen();
        throw readOnly("deleteRow");
    }

    @Override
    public void updateRow() throws SQLException {
        checkOpen();
        throw readOnly("updateRow");
    }

    @Override
    public void cancelRowUpdates() throws SQLException {
        checkOpen();
        throw readOnly("cancelRowUpdates");
    }

    private static SQLException readOnly(String what) {
        return JdbcErrors.unsupported("ResultSet." + what + " (Tetra's result sets are CONCUR_READ_ONLY)");
    }

    // ---- getters by index --------------------------------------------------------------

    private boolean characterOrBinary(int i) {
        switch (column(i).jdbcType()) {
            case Types.CHAR: case Types.VARCHAR: case Types.LONGVARCHAR: case Types.NCHAR: case Types.NVARCHAR:
            case Types.LONGNVARCHAR: case Types.BINARY: case Types.VARBINARY: case Types.LONGVARBINARY:
                return true;
            default:
                return false;
        }
    }

    /** The value cut to the statement's maxFieldSize (character and binary columns only). */
    private Object limited(int i) throws SQLException {
        Object v = value(i);
        int max = statement == null ? 0 : statement.maxFieldSize();
        if (max > 0 && v != null && characterOrBinary(i)) {
            if (v instanceof String s && s.length() > max) {
                return s.substring(0, max);
            }
            if (v instanceof byte[] b && b.length > max) {
                return java.util.Arrays.copyOf(b, max);
            }
        }
        return v;
    }

    @Override
    public boolean getBoolean(int i) throws SQLException {
        Object v = value(i);
        return v != null && JdbcValues.toBoolean(v, i);
    }

    @Override
    public byte getByte(int i) throws SQLException {
        Object v = value(i);
        return v == null ? 0 : (byte) JdbcValues.integral(v, i, Byte.MIN_VALUE, Byte.MAX_VALUE);
    }

    @Override
    public short getShort(int i) throws SQLException {
        Object v = value(i);
        return v == null ? 0 : (short) JdbcValues.integral(v, i, Short.MIN_VALUE, Short.MAX_VALUE);
    }

    @Override
    public float getFloat(int i) throws SQLException {
        Object v = value(i);
        return v == null ? 0 : JdbcValues.toFloat(v, i);
    }

    @Override
    public double getDouble(int i) throws SQLException {
        Object v = value(i);
        return v == null ? 0 : JdbcValues.number(v, i).doubleValue();
    }

    @Override
    public BigDecimal getBigDecimal(int i) throws SQLException {
        Object v = value(i);
        return v == null ? null : JdbcValues.decimal(v, i);
    }

    /** The decimal with {@code scale} digits after the point, rounded half up. */
    @Override
    @Deprecated
    public BigDecimal getBigDecimal(int i, int scale) throws SQLException {
        if (scale < 0) {
            throw new SQLException("A scale may not be negative: " + scale + ".", "22003");
        }
        BigDecimal d = getBigDecimal(i);
        return d == null ? null : d.setScale(scale, java.math.RoundingMode.HALF_UP);
    }

    @Override
    public byte[] getBytes(int i) throws SQLException {
        Object v = limited(i);
        return v == null ? null : JdbcValues.bytes(v, "Column " + i);
    }

    @Override
    public Date getDate(int i) throws SQLException {
        return getDate(i, null);
    }

    @Override
    public Date getDate(int i, Calendar cal) throws SQLException {
        Object v = value(i);
        if (v == null) {
            return null;
        }
        if (cal == null) {
            return Date.valueOf(JdbcValues.localDate(v, "Column " + i));
        }
        LocalDate d = JdbcValues.localDate(v, "Column " + i);
        return new Date(JdbcValues.instant(d.atStartOfDay(), cal).toEpochMilli());
    }

    @Override
    public Time getTime(int i) throws SQLException {
        return getTime(i, null);
    }

    @Override
    public Time getTime(int i, Calendar cal) throws SQLException {
        Object v = value(i);
        if (v == null) {
            return null;
        }
        LocalTime t = JdbcValues.localTime(v, "Column " + i);
        if (cal == null) {
            return JdbcValues.sqlTime(t);
        }
        return new Time(JdbcValues.instant(LocalDate.of(1970, 1, 1).atTime(t), cal).toEpochMilli());
    }

    @Override
    public Timestamp getTimestamp(int i) throws SQLException {
        return getTimestamp(i, null);
    }

    /** A TIMESTAMP WITH TIME ZONE is its instant; a TIMESTAMP is read in the calendar's zone (the default zone). */
    @Override
    public Timestamp getTimestamp(int i, Calendar cal) throws SQLException {
        Object v = value(i);
        if (v == null) {
            return null;
        }
        if (v instanceof OffsetDateTime o) {
            return Timestamp.from(o.toInstant());
        }
        LocalDateTime t = JdbcValues.localDateTime(v, "Column " + i);
        if (cal == null) {
            return Timestamp.valueOf(t);
        }
        return Timestamp.from(JdbcValues.instant(t, cal));
    }

    @Override
    public InputStream getAsciiStream(int i) throws SQLException {
        String s = getString(i);
        return s == null ? null : new ByteArrayInputStream(s.getBytes(StandardCharsets.US_ASCII));
    }

    /** The text as UTF-16BE bytes, as the deprecated method's users expect. */
    @Override
    @Deprecated
    public InputStream getUnicodeStream(int i) throws SQLException {
        String s = getString(i);
        return s == null ? null : new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_16BE));
    }

    @Override
    public InputStream getBinaryStream(int i) throws SQLException {
        byte[] b = getBytes(i);
        return b == null ? null : new ByteArrayInputStream(b);
    }

    @Override
    public Reader getCharacterStream(int i) throws SQLException {
        String s = getString(i);
        return s == null ? null : new StringReader(s);
    }

    @Override
    public Reader getNCharacterStream(int i) throws SQLException {
        return getCharacterStream(i);
    }

    @Override
    public String getNString(int i) throws SQLException {
        return getString(i);
    }

    @Override
    public Blob getBlob(int i) throws SQLException {
        Object v = value(i);
        return v == null ? null : new TetraBlob(JdbcValues.bytes(v, "Column " + i));
    }

    @Override
    public Clob getClob(int i) throws SQLException {
        return getNClob(i);
    }

    @Override
    public NClob getNClob(int i) throws SQLException {
        Object v = value(i);
        return v == null ? null : new TetraClob(JdbcValues.string(v));
    }

    @Override
    public Array getArray(int i) throws SQLException {
        Object v = value(i);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Object[] a)) {
            throw JdbcValues.cannot(v, "Column " + i, "an ARRAY");
        }
        return TetraArray.ofColumn(column(i).sqlType(), a);
    }

    @Override
    public <T> T getObject(int i, Class<T> type) throws SQLException {
        return JdbcValues.as(limited(i), column(i), i, type);
    }

    @Override
    public Object getObject(int i, Map<String, Class<?>> map) throws SQLException {
        return JdbcValues.withMap(limited(i), column(i), map);
    }

    /** The text parsed as a URL; 22018 when it is not one. */
    @Override
    public URL getURL(int i) throws SQLException {
        return JdbcValues.url(value(i), i);
    }

    @Override
    public Ref getRef(int i) throws SQLException {
        checkOpen();
        throw JdbcErrors.unsupported("ResultSet.getRef (Tetra has no REF type)");
    }

    @Override
    public RowId getRowId(int i) throws SQLException {
        checkOpen();
        throw JdbcErrors.unsupported("ResultSet.getRowId (Tetra has no ROWID type)");
    }

    @Override
    public SQLXML getSQLXML(int i) throws SQLException {
        checkOpen();
        throw JdbcErrors.unsupported("ResultSet.getSQLXML (read XML with getString)");
    }

    // ---- getters by label --------------------------------------------------------------

    @Override
    public boolean getBoolean(String label) throws SQLException {
        return getBoolean(findColumn(label));
    }

    @Override
    public byte getByte(String label) throws SQLException {
        return getByte(findColumn(label));
    }

    @Override
    public short getShort(String label) throws SQLException {
        return getShort(findColumn(label));
    }

    @Override
    public float getFloat(String label) throws SQLException {
        return getFloat(findColumn(label));
    }

    @Override
    public double getDouble(String label) throws SQLException {
        return getDouble(findColumn(label));
    }

    @Override
    public BigDecimal getBigDecimal(String label) throws SQLException {
        return getBigDecimal(findColumn(label));
    }

    @Override
    @Deprecated
    public BigDecimal getBigDecimal(String label, int scale) throws SQLException {
        return getBigDecimal(findColumn(label), scale);
    }

    @Override
    public byte[] getBytes(String label) throws SQLException {
        return getBytes(findColumn(label));
    }

    @Override
    public Date getDate(String label) throws SQLException {
        return getDate(findColumn(label));
    }

    @Override
    public Date getDate(String label, Calendar cal) throws SQLException {
        return getDate(findColumn(label), cal);
    }

    @Override
    public Time getTime(String label) throws SQLException {
        return getTime(findColumn(label));
    }

    @Override
    public Time getTime(String label, Calendar cal) throws SQLException {
        return getTime(findColumn(label), cal);
    }

    @Override
    public Timestamp getTimestamp(String label) throws SQLException {
        return getTimestamp(findColumn(label));
    }

    @Override
    public Timestamp getTimestamp(String label, Calendar cal) throws SQLException {
        return getTimestamp(findColumn(label), cal);
    }

    @Override
    public InputStream getAsciiStream(String label) throws SQLException {
        return getAsciiStream(findColumn(label));
    }

    @Override
    @Deprecated
    public InputStream getUnicodeStream(String label) throws SQLException {
        return getUnicodeStream(findColumn(label));
    }

    @Override
    public InputStream getBinaryStream(String label) throws SQLException {
        return getBinaryStream(findColumn(label));
    }

    @Override
    public Reader getCharacterStream(String label) throws SQLException {
        return getCharacterStream(findColumn(label));
    }

    @Override
    public Reader getNCharacterStream(String label) throws SQLException {
        return getNCharacterStream(findColumn(label));
    }

    @Override
    public String getNString(String label) throws SQLException {
        return getNString(findColumn(label));
    }

    @Override
    public Blob getBlob(String label) throws SQLException {
        return getBlob(findColumn(label));
    }

    @Override
    public Clob getClob(String label) throws SQLException {
        return getClob(findColumn(label));
    }

    @Override
    public NClob getNClob(String label) throws SQLException {
        return getNClob(findColumn(label));
    }

    @Override
    public Array getArray(String label) throws SQLException {
        return getArray(findColumn(label));
    }

    @Override
    public <T> T getObject(String label, Class<T> type) throws SQLException {
        return getObject(findColumn(label), type);
    }

    @Override
    public Object getObject(String label, Map<String, Class<?>> map) throws SQLException {
        return getObject(findColumn(label), map);
    }

    @Override
    public URL getURL(String label) throws SQLException {
        return getURL(findColumn(label));
    }

    @Override
    public Ref getRef(String label) throws SQLException {
        return getRef(findColumn(label));
    }

    @Override
    public RowId getRowId(String label) throws SQLException {
        return getRowId(findColumn(label));
    }

    @Override
    public SQLXML getSQLXML(String label) throws SQLException {
        return getSQLXML(findColumn(label));
    }

    // ---- updates: a read-only result set (JDBC allows SQLFeatureNotSupportedException) --

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
