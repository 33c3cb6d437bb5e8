package io.tetradb.jdbc;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.io.Writer;
import java.sql.*;
import java.util.List;
import java.util.Map;

/** A prepared statement's parameters as the server describes them. */
public final class TetraParameterMetaData implements ParameterMetaData {
    private final List<io.tetradb.client.StatementDescription.ParameterInfo> parameters;

    TetraParameterMetaData(List<io.tetradb.client.StatementDescription.ParameterInfo> parameters) {
        this.parameters = parameters;
    }


    @Override
    public String getParameterClassName(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ParameterMetaData.getParameterClassName");
    }

    @Override
    public int getParameterCount() throws SQLException {
        throw JdbcErrors.unsupported("ParameterMetaData.getParameterCount");
    }

    @Override
    public int getParameterMode(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ParameterMetaData.getParameterMode");
    }

    @Override
    public int getParameterType(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ParameterMetaData.getParameterType");
    }

    @Override
    public String getParameterTypeName(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ParameterMetaData.getParameterTypeName");
    }

    @Override
    public int getPrecision(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ParameterMetaData.getPrecision");
    }

    @Override
    public int getScale(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ParameterMetaData.getScale");
    }

    @Override
    public int isNullable(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ParameterMetaData.isNullable");
    }

    @Override
    public boolean isSigned(int a0) throws SQLException {
        throw JdbcErrors.unsupported("ParameterMetaData.isSigned");
    }

    @Override
    public boolean isWrapperFor(Class<?> a0) throws SQLException {
        throw JdbcErrors.unsupported("ParameterMetaData.isWrapperFor");
    }

    @Override
    public <T> T unwrap(Class<T> a0) throws SQLException {
        throw JdbcErrors.unsupported("ParameterMetaData.unwrap");
    }
}
