package io.tetradb.client;

import io.tetradb.protocol.ErrorCode;
import io.tetradb.protocol.TetraException;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One row of a result, its values converted to Java types (INTEGER to Integer, BIGINT to
 * Long, NUMERIC to BigDecimal, DATE to LocalDate, TIMESTAMP to LocalDateTime, TIMESTAMP
 * WITH TIME ZONE to OffsetDateTime, UUID to UUID, BINARY to byte[], ARRAY to Object[]).
 *
 * <pre>{@code
 * for (Row r : client.query("SELECT ID, NAME FROM PERSON")) {
 *     int id = r.getInt("ID");
 *     String name = r.getString(1);   // 0-based index
 * }
 * }</pre>
 */
public final class Row {
    private final List<ColumnInfo> columns;
    private final Map<String, Integer> index;
    private final Object[] values;

    Row(List<ColumnInfo> columns, Map<String, Integer> index, Object[] values) {
        this.columns = columns;
        this.index = index;
        this.values = values;
    }

    /** The columns of the result this row belongs to. */
    public List<ColumnInfo> columns() {
        return columns;
    }

    /** The number of values. */
    public int size() {
        return values.length;
    }

    /** The value at a 0-based index, or null. */
    public Object get(int i) {
        if (i < 0 || i >= values.length) {
            throw new TetraException(ErrorCode.INVALID_ARGUMENT, "No column " + i + " (the row has " + values.length + ").");
        }
        return values[i];
    }

    /** The value of a column by label (case-insensitive), or null. */
    public Object get(String label) {
        Integer i = index.get(label.toUpperCase(Locale.ROOT));
        if (i == null) {
            throw new TetraException(ErrorCode.INVALID_ARGUMENT, "No column '" + label + "'.");
        }
        return values[i];
    }

    public String getString(int i) {
        Object o = get(i);
        return o == null ? null : o.toString();
    }

    public String getString(String label) {
        Object o = get(label);
        return o == null ? null : o.toString();
    }

    public Integer getInt(int i) {
        Object o = get(i);
        return o == null ? null : ((Number) o).intValue();
    }

    public Integer getInt(String label) {
        Object o = get(label);
        return o == null ? null : ((Number) o).intValue();
    }

    public Long getLong(int i) {
        Object o = get(i);
        return o == null ? null : ((Number) o).longValue();
    }

    public Long getLong(String label) {
        Object o = get(label);
        return o == null ? null : ((Number) o).longValue();
    }

    public BigDecimal getBigDecimal(String label) {
        Object o = get(label);
        return o == null ? null : o instanceof BigDecimal b ? b : new BigDecimal(o.toString());
    }

    /** The value of a column, cast to {@code type}. */
    public <T> T get(String label, Class<T> type) {
        return type.cast(get(label));
    }

    /** A copy of the values. */
    public Object[] values() {
        return values.clone();
    }

    @Override
    public String toString() {
        return Arrays.deepToString(values);
    }
}
