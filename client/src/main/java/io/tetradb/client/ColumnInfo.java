package io.tetradb.client;

import io.tetradb.protocol.Column;

/**
 * One column of a result, as the server describes it (JDBC's ResultSetMetaData carries
 * the same facts).
 *
 * <pre>{@code
 * for (ColumnInfo c : rows.columns()) System.out.println(c.label() + " " + c.sqlType());
 * }</pre>
 *
 * @param name               the column's name
 * @param label              its label (the alias in the query)
 * @param sqlType            H2's type name, for example {@code INTEGER} or {@code CHARACTER VARYING}
 * @param jdbcType           its {@link java.sql.Types} number
 * @param nullable           whether it may hold NULL
 * @param precision          its precision (characters, digits, or bytes)
 * @param scale              its scale (digits after the point; fractional seconds)
 * @param table              the table it comes from, or empty
 * @param schema             that table's schema, or empty
 * @param catalog            that table's catalog (the database), or empty
 * @param autoIncrement      whether it is an identity column
 * @param displaySize        the engine's display size
 * @param signed             whether it holds signed numbers
 * @param caseSensitive      whether comparisons of its values are case sensitive
 * @param nullabilityUnknown whether the engine does not know if it may hold NULL (an expression)
 */
public record ColumnInfo(String name, String label, String sqlType, int jdbcType, boolean nullable, int precision,
                         int scale, String table, String schema, String catalog, boolean autoIncrement,
                         int displaySize, boolean signed, boolean caseSensitive, boolean nullabilityUnknown) {
    /** A column known by its name, label, type and nullability only. */
    public ColumnInfo(String name, String label, String sqlType, int jdbcType, boolean nullable) {
        this(name, label, sqlType, jdbcType, nullable, 0, 0, "", "", "", false, 0, false, false, false);
    }

    /** The column as the wire describes it. */
    public static ColumnInfo of(Column c) {
        return new ColumnInfo(c.getName(), c.getLabel().isEmpty() ? c.getName() : c.getLabel(), c.getSqlType(),
                c.getJdbcType(), c.getNullable(), c.getPrecision(), c.getScale(), c.getTable(), c.getSchema(),
                c.getCatalog(), c.getAutoIncrement(), c.getDisplaySize(), c.getSigned(), c.getCaseSensitive(),
                c.getNullabilityUnknown());
    }
}
