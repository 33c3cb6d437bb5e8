package io.tetradb.jdbc;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.io.Writer;
import java.sql.*;
import java.util.List;
import java.util.Map;

/** A result's columns as the server describes them. */
public final class TetraResultSetMetaData implements ResultSetMetaData {
    private final List<io.tetradb.client.ColumnInfo> columns;

    TetraResultSetMetaData(List<io.tetradb.client.ColumnInfo> columns) {
        this.columns = columns;
    }


    @Override
    public String getCatalogName(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSetMetaData.getCatalogName");
    }

    @Override
    public String getColumnClassName(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSetMetaData.getColumnClassName");
    }

    @Override
    public int getColumnCount() throws SQLException {
        throw JdbcErrors.unsupported("ResultSetMetaData.getColumnCount");
    }

    @Override
    public int getColumnDisplaySize(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSetMetaData.getColumnDisplaySize");
    }

    @Override
    public String getColumnLabel(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSetMetaData.getColumnLabel");
    }

    @Override
    public String getColumnName(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSetMetaData.getColumnName");
    }

    @Override
    public int getColumnType(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSetMetaData.getColumnType");
    }

    @Override
    public String getColumnTypeName(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSetMetaData.getColumnTypeName");
    }

    @Override
    public int getPrecision(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSetMetaData.getPrecision");
    }

    @Override
    public int getScale(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSetMetaData.getScale");
    }

    @Override
    public String getSchemaName(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSetMetaData.getSchemaName");
    }

    @Override
    public String getTableName(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSetMetaData.getTableName");
    }

    @Override
    public boolean isAutoIncrement(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSetMetaData.isAutoIncrement");
    }

    @Override
    public boolean isCaseSensitive(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSetMetaData.isCaseSensitive");
    }

    @Override
    public boolean isCurrency(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSetMetaData.isCurrency");
    }

    @Override
    public boolean isDefinitelyWritable(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSetMetaData.isDefinitelyWritable");
    }

    @Override
    public int isNullable(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSetMetaData.isNullable");
    }

    @Override
    public boolean isReadOnly(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSetMetaData.isReadOnly");
    }

    @Override
    public boolean isSearchable(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSetMetaData.isSearchable");
    }

    @Override
    public boolean isSigned(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSetMetaData.isSigned");
    }

    @Override
    public boolean isWrapperFor(Class<?> a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSetMetaData.isWrapperFor");
    }

    @Override
    public boolean isWritable(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSetMetaData.isWritable");
    }

    @Override
    public <T> T unwrap(Class<T> a0) throws SQLException {
        throw JdbcErrors.unsupported("ResultSetMetaData.unwrap");
    }
}
