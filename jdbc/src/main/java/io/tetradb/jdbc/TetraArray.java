package io.tetradb.jdbc;

import io.tetradb.client.ColumnInfo;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An SQL ARRAY held in memory (an ARRAY column's value, read whole with its row, or one made
 * by {@link TetraConnection#createArrayOf}). The element type comes from the column's type
 * name ("INTEGER ARRAY" has INTEGER elements); the elements are what getObject of a column
 * of that type gives (java.sql.Timestamp for TIMESTAMP, and so on), as H2's driver does.
 *
 * <p>Not thread-safe: used by one thread at a time.
 */
final class TetraArray implements Array {
    private final String baseTypeName;
    private final int baseType;
    private Object[] elements;

    /**
     * An array of {@code elements} as given (Connection.createArrayOf).
     *
     * @param typeName the array's SQL type name ("INTEGER ARRAY") or its element type name;
     *                 null or empty when not known
     */
    TetraArray(String typeName, Object[] elements) {
        String t = typeName == null ? "" : typeName.trim();
        String upper = t.toUpperCase(Locale.ROOT);
        int at = upper.lastIndexOf(" ARRAY");
        if (at > 0 && (upper.endsWith(" ARRAY") || upper.substring(at).matches(" ARRAY\\[\\d+\\]"))) {
            t = t.substring(0, at);
        } else if (upper.equals("ARRAY")) {
            t = "";
        }
        int paren = t.indexOf('(');
        if (paren > 0 && !t.toUpperCase(Locale.ROOT).startsWith("ROW")) {
            t = (t.substring(0, paren) + t.substring(t.indexOf(')', paren) + 1)).trim();
        }
        this.baseTypeName = t.isEmpty() ? "NULL" : t;
        this.baseType = t.isEmpty() ? Types.NULL : JdbcValues.jdbcTypeOf(t);
        this.elements = elements == null ? new Object[0] : elements;
    }

    /** The value of an ARRAY column of type {@code sqlType}: its elements as getObject gives them. */
    static TetraArray ofColumn(String sqlType, Object[] raw) throws SQLException {
        TetraArray a = new TetraArray(sqlType, raw);
        if (a.baseType != Types.NULL) {
            Object[] out = new Object[raw.length];
            for (int i = 0; i < raw.length; i++) {
                out[i] = JdbcValues.element(raw[i], a.baseTypeName);
            }
            a.elements = out;
        }
        return a;
    }

    /** The elements as given (for a parameter). */
    Object[] elements() throws SQLException {
        check();
        return elements;
    }

    private void check() throws SQLException {
        if (elements == null) {
            throw new SQLException("The Array was freed.", "HY010");
        }
    }

    @Override
    public void free() {
        elements = null;
    }

    @Override
    public Object getArray() throws SQLException {
        check();
        return elements.clone();
    }

    /** As {@link #getArray()}: Tetra has no user-defined types for the map to name. */
    @Override
    public Object getArray(Map<String, Class<?>> map) throws SQLException {
        return getArray();
    }

    @Override
    public Object getArray(long index, int count) throws SQLException {
        check();
        int from = from(index, count);
        Object[] out = new Object[Math.min(count, elements.length - from)];
        System.arraycopy(elements, from, out, 0, out.length);
        return out;
    }

    @Override
    public Object getArray(long index, int count, Map<String, Class<?>> map) throws SQLException {
        return getArray(index, count);
    }

    private int from(long index, int count) throws SQLException {
        if (index < 1 || index > elements.length + 1L || count < 0) {
            throw new SQLException("Invalid index " + index + " or count " + count + " in an array of "
                    + elements.length + " elements.", "22003");
        }
        return (int) (index - 1);
    }

    @Override
    public int getBaseType() throws SQLException {
        check();
        return baseType;
    }

    @Override
    public String getBaseTypeName() throws SQLException {
        check();
        return baseTypeName;
    }

    @Override
    public ResultSet getResultSet() throws SQLException {
        check();
        return getResultSet(1, elements.length);
    }

    @Override
    public ResultSet getResultSet(Map<String, Class<?>> map) throws SQLException {
        return getResultSet();
    }

    /** Rows of two columns, INDEX (BIGINT, 1-based) and VALUE (the element). */
    @Override
    public ResultSet getResultSet(long index, int count) throws SQLException {
        check();
        int from = from(index, count);
        int n = Math.min(count, elements.length - from);
        List<Object[]> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            rows.add(new Object[] {(long) (from + i + 1), elements[from + i]});
        }
        List<ColumnInfo> columns = List.of(new ColumnInfo("INDEX", "INDEX", "BIGINT", Types.BIGINT, false),
                new ColumnInfo("VALUE", "VALUE", baseTypeName, baseType == Types.NULL ? Types.OTHER : baseType, true));
        return new TetraResultSet(null, RowSource.of(columns, rows));
    }

    @Override
    public ResultSet getResultSet(long index, int count, Map<String, Class<?>> map) throws SQLException {
        return getResultSet(index, count);
    }

    @Override
    public String toString() {
        return elements == null ? "freed" : JdbcValues.string(elements);
    }
}
