package io.tetradb.jdbc;

import io.tetradb.client.StatementDescription.ParameterInfo;

import java.sql.ParameterMetaData;
import java.sql.SQLException;
import java.util.List;

/**
 * A prepared statement's parameters as the server describes them (what H2's own
 * ParameterMetaData says on the server); every parameter is an IN parameter.
 *
 * <p>Immutable; any thread.
 */
public final class TetraParameterMetaData implements ParameterMetaData {
    private final List<ParameterInfo> parameters;

    TetraParameterMetaData(List<ParameterInfo> parameters) {
        this.parameters = parameters;
    }

    private ParameterInfo p(int i) throws SQLException {
        if (i < 1 || i > parameters.size()) {
            throw new SQLException("Parameter index " + i + " is not between 1 and " + parameters.size() + ".",
                    "07009");
        }
        return parameters.get(i - 1);
    }

    @Override
    public int getParameterCount() {
        return parameters.size();
    }

    /** The class getObject would give for a value of the parameter's type. */
    @Override
    public String getParameterClassName(int i) throws SQLException {
        ParameterInfo p = p(i);
        return JdbcValues.className(p.jdbcType(), p.sqlType());
    }

    @Override
    public int getParameterMode(int i) throws SQLException {
        p(i);
        return parameterModeIn;
    }

    @Override
    public int getParameterType(int i) throws SQLException {
        return p(i).jdbcType();
    }

    @Override
    public String getParameterTypeName(int i) throws SQLException {
        return p(i).sqlType();
    }

    @Override
    public int getPrecision(int i) throws SQLException {
        return p(i).precision();
    }

    @Override
    public int getScale(int i) throws SQLException {
        return p(i).scale();
    }

    @Override
    public int isNullable(int i) throws SQLException {
        return p(i).nullability();
    }

    @Override
    public boolean isSigned(int i) throws SQLException {
        return p(i).signed();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("Tetra's ParameterMetaData is not a " + iface.getName() + ".", "HY000");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }
}
