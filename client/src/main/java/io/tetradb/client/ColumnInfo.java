package io.tetradb.client;

import io.tetradb.protocol.Column;

/**
 * One column of a result.
 *
 * <pre>{@code
 * for (ColumnInfo c : rows.columns()) System.out.println(c.label() + " " + c.sqlType());
 * }</pre>
 *
 * @param name     the column's name
 * @param label    its label (the alias in the query)
 * @param sqlType  H2's type name, for example {@code INTEGER} or {@code CHARACTER VARYING}
 * @param jdbcType its {@link java.sql.Types} number
 * @param nullable whether it may hold NULL
 */
public record ColumnInfo(String name, String label, String sqlType, int jdbcType, boolean nullable) {
    static ColumnInfo of(Column c) {
        return new ColumnInfo(c.getName(), c.getLabel().isEmpty() ? c.getName() : c.getLabel(), c.getSqlType(),
                c.getJdbcType(), c.getNullable());
    }
}
