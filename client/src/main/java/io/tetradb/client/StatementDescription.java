package io.tetradb.client;

import io.tetradb.protocol.Description;
import io.tetradb.protocol.Parameter;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What the server says of a statement it prepared without running it
 * ({@link TetraClient#describe}): its parameters and, for a query, its result columns.
 *
 * <pre>{@code
 * StatementDescription d = client.describe("SELECT NAME FROM PERSON WHERE ID = ?");
 * int type = d.parameters().get(0).jdbcType();   // java.sql.Types.INTEGER
 * }</pre>
 *
 * @param parameters the {@code ?} placeholders, in order
 * @param columns    the result's columns (empty for a statement that returns no rows)
 * @param query      whether the statement returns rows
 */
public record StatementDescription(List<ParameterInfo> parameters, List<ColumnInfo> columns, boolean query) {
    /**
     * One parameter.
     *
     * @param jdbcType    its {@link java.sql.Types} number
     * @param sqlType     H2's type name
     * @param precision   its precision
     * @param scale       its scale
     * @param nullability {@link java.sql.ParameterMetaData}'s parameterNoNulls, parameterNullable or
     *                    parameterNullableUnknown
     * @param signed      whether it takes signed numbers
     */
    public record ParameterInfo(int jdbcType, String sqlType, int precision, int scale, int nullability,
                                boolean signed) {
    }

    static StatementDescription of(Description d) {
        List<ParameterInfo> params = new ArrayList<>(d.getParametersCount());
        for (Parameter p : d.getParametersList()) {
            params.add(new ParameterInfo(p.getJdbcType(), p.getSqlType(), p.getPrecision(), p.getScale(),
                    p.getNullability(), p.getSigned()));
        }
        return new StatementDescription(Collections.unmodifiableList(params),
                TetraClient.columns(d.hasColumns() ? d.getColumns() : null), d.getIsQuery());
    }
}
