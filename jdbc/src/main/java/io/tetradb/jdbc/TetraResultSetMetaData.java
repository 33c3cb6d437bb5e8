package io.tetradb.jdbc;

import io.tetradb.client.ColumnInfo;

import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;

/**
 * A result's columns as the server describes them ({@link ColumnInfo}, which carries what
 * H2's own ResultSetMetaData says on the server); getColumnClassName names the class
 * {@link TetraResultSet#getObject(int)} returns for the type, as H2's driver does.
 *
 * <p>Immutable; any thread.
 */
public final class TetraResultSetMetaData implements ResultSetMetaData {
    private final List<ColumnInfo> columns;

    TetraResultSetMetaData(List<ColumnInfo> columns) {
        this.columns = columns;
    }

    private ColumnInfo c(int i) throws SQLException {
        if (i < 1 || i > columns.size()) {
            throw new SQLException("Column index " + i + " is not between 1 and " + columns.size() + ".", "07009");
        }
        return columns.get(i - 1);
    }

    @Override
    public int getColumnCount() {
        return columns.size();
    }

    @Override
    public String getCatalogName(int i) throws SQLException {
        return c(i).catalog();
    }

    @Override
    public String getSchemaName(int i) throws SQLException {
        return c(i).schema();
    }

    @Override
    public String getTableName(int i) throws SQLException {
        return c(i).table();
    }

    @Override
    public String getColumnClassName(int i) throws SQLException {
        ColumnInfo c = c(i);
        return JdbcValues.className(c.jdbcType(), c.sqlType());
    }

    @Override
    public int getColumnDisplaySize(int i) throws SQLException {
        return c(i).displaySize();
    }

    @Override
    public String getColumnLabel(int i) throws SQLException {
        return c(i).label();
    }

    @Override
    public String getColumnName(int i) throws SQLException {
        return c(i).name();
    }

    @Override
    public int getColumnType(int i) throws SQLException {
        return c(i).jdbcType();
    }

    @Override
    public String getColumnTypeName(int i) throws SQLException {
        return c(i).sqlType();
    }

    @Override
    public int getPrecision(int i) throws SQLException {
        return c(i).precision();
    }

    @Override
    public int getScale(int i) throws SQLException {
        return c(i).scale();
    }

    @Override
    public boolean isAutoIncrement(int i) throws SQLException {
        return c(i).autoIncrement();
    }

    @Override
    public boolean isCaseSensitive(int i) throws SQLException {
        return c(i).caseSensitive();
    }

    /** False: no type of Tetra's is a currency. */
    @Override
    public boolean isCurrency(int i) throws SQLException {
        c(i);
        return false;
    }

    @Override
    public int isNullable(int i) throws SQLException {
        ColumnInfo c = c(i);
        return c.nullabilityUnknown() ? columnNullableUnknown : c.nullable() ? columnNullable : columnNoNulls;
    }

    /** False: the result set itself is read-only, but its column may be written with an UPDATE (as H2 says). */
    @Override
    public boolean isReadOnly(int i) throws SQLException {
        c(i);
        return false;
    }

    @Override
    public boolean isWritable(int i) throws SQLException {
        c(i);
        return true;
    }

    @Override
    public boolean isDefinitelyWritable(int i) throws SQLException {
        c(i);
        return false;
    }

    /** True except for large objects, which a WHERE cannot compare. */
    @Override
    public boolean isSearchable(int i) throws SQLException {
        int t = c(i).jdbcType();
        return t != Types.BLOB && t != Types.CLOB && t != Types.NCLOB;
    }

    @Override
    public boolean isSigned(int i) throws SQLException {
        return c(i).signed();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("Tetra's ResultSetMetaData is not a " + iface.getName() + ".", "HY000");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }
}
