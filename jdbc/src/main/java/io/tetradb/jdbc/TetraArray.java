package io.tetradb.jdbc;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.io.Writer;
import java.sql.*;
import java.util.List;
import java.util.Map;

/** An SQL ARRAY held in memory. */
final class TetraArray implements Array {
    private final String typeName;
    private final Object[] elements;

    TetraArray(String typeName, Object[] elements) {
        this.typeName = typeName;
        this.elements = elements;
    }


    @Override
    public void free() throws SQLException {
        throw JdbcErrors.unsupported("Array.free");
    }

    @Override
    public Object getArray() throws SQLException {
        throw JdbcErrors.unsupported("Array.getArray");
    }

    @Override
    public Object getArray(Map<String, Class<?>> a0) throws SQLException {
        throw JdbcErrors.unsupported("Array.getArray");
    }

    @Override
    public Object getArray(long a0, int a1, Map<String, Class<?>> a2) throws SQLException {
        throw JdbcErrors.unsupported("Array.getArray");
    }

    @Override
    public Object getArray(long a0, int a1) throws SQLException {
        throw JdbcErrors.unsupported("Array.getArray");
    }

    @Override
    public int getBaseType() throws SQLException {
        throw JdbcErrors.unsupported("Array.getBaseType");
    }

    @Override
    public String getBaseTypeName() throws SQLException {
        throw JdbcErrors.unsupported("Array.getBaseTypeName");
    }

    @Override
    public ResultSet getResultSet() throws SQLException {
        throw JdbcErrors.unsupported("Array.getResultSet");
    }

    @Override
    public ResultSet getResultSet(Map<String, Class<?>> a0) throws SQLException {
        throw JdbcErrors.unsupported("Array.getResultSet");
    }

    @Override
    public ResultSet getResultSet(long a0, int a1, Map<String, Class<?>> a2) throws SQLException {
        throw JdbcErrors.unsupported("Array.getResultSet");
    }

    @Override
    public ResultSet getResultSet(long a0, int a1) throws SQLException {
        throw JdbcErrors.unsupported("Array.getResultSet");
    }
}
