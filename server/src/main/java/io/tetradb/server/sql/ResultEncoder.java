package io.tetradb.server.sql;

import io.tetradb.protocol.Column;
import io.tetradb.protocol.ResultHeader;
import io.tetradb.protocol.Row;
import io.tetradb.protocol.Value;
import io.tetradb.protocol.Values;
import org.h2.jdbc.JdbcResultSet;
import org.h2.util.JSR310Utils;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.util.UUID;

/**
 * Reads JDBC rows into wire rows, choosing the Java type per column so that values
 * keep their SQL meaning (dates as dates, decimals exact, UUIDs as UUIDs).
 *
 * <p>Stateless; worker threads.
 */
public final class ResultEncoder {
    private ResultEncoder() {
    }

    /** The header describing the columns of a result. */
    public static ResultHeader header(ResultSetMetaData md) throws SQLException {
        ResultHeader.Builder h = ResultHeader.newBuilder();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            h.addColumns(Column.newBuilder()
                    .setName(nz(md.getColumnName(i)))
                    .setLabel(nz(md.getColumnLabel(i)))
                    .setSqlType(nz(md.getColumnTypeName(i)))
                    .setJdbcType(md.getColumnType(i))
                    .setNullable(md.isNullable(i) != ResultSetMetaData.columnNoNulls)
                    .setPrecision(md.getPrecision(i))
                    .setScale(md.getScale(i))
                    .setTable(nz(md.getTableName(i)))
                    .setSchema(nz(md.getSchemaName(i)))
                    .setCatalog(nz(md.getCatalogName(i)))
                    .setAutoIncrement(md.isAutoIncrement(i))
                    .setDisplaySize(md.getColumnDisplaySize(i))
                    .setSigned(md.isSigned(i))
                    .setCaseSensitive(md.isCaseSensitive(i))
                    .setNullabilityUnknown(md.isNullable(i) == ResultSetMetaData.columnNullableUnknown));
        }
        return h.build();
    }

    /** The JDBC type of every column. */
    public static int[] jdbcTypes(ResultSetMetaData md) throws SQLException {
        int[] t = new int[md.getColumnCount()];
        for (int i = 0; i < t.length; i++) {
            t[i] = md.getColumnType(i + 1);
        }
        return t;
    }

    /** The SQL type name of every column. */
    public static String[] typeNames(ResultSetMetaData md) throws SQLException {
        String[] t = new String[md.getColumnCount()];
        for (int i = 0; i < t.length; i++) {
            t[i] = nz(md.getColumnTypeName(i + 1));
        }
        return t;
    }

    /** The current row of {@code rs}. */
    public static Row row(ResultSet rs, int[] types, String[] typeNames) throws SQLException {
        return row(rs, types, typeNames, Integer.MAX_VALUE, Integer.MAX_VALUE);
    }

    /**
     * The current row of {@code rs}, refusing (2005) a character or large-object value longer
     * than {@code budget} bytes as it is read, before it is copied into the wire row: such a
     * value can never be sent in a frame of {@code maxFrameSize} bytes.
     */
    public static Row row(ResultSet rs, int[] types, String[] typeNames, int budget, int maxFrameSize)
            throws SQLException {
        Row.Builder r = Row.newBuilder();
        for (int i = 0; i < types.length; i++) {
            r.addValues(value(rs, i + 1, types[i], typeNames[i], budget, maxFrameSize));
        }
        return r.build();
    }

    /** Refuses a value of {@code length} characters (or bytes, for a BLOB) longer than {@code budget}. */
    private static void checkLength(long length, int col, int type, int budget, int maxFrameSize) {
        // A character takes at least one byte in UTF-8.
        if (length > budget) {
            throw new io.tetradb.client.TetraException(io.tetradb.client.ErrorCode.FRAME_TOO_LARGE,
                    "A value of " + length + (type == Types.BLOB ? " bytes" : " characters") + " in column "
                            + col + " exceeds the maximum frame size of " + maxFrameSize + " bytes.");
        }
    }

    static Value value(ResultSet rs, int col, int type, String typeName, int budget, int maxFrameSize)
            throws SQLException {
        Object o;
        switch (type) {
            case Types.BOOLEAN:
            case Types.BIT:
                o = rs.getBoolean(col);
                break;
            case Types.INTEGER:
                o = rs.getInt(col);
                break;
            case Types.TINYINT:
            case Types.SMALLINT:
            case Types.BIGINT:
                o = rs.getLong(col);
                break;
            case Types.REAL:
                o = rs.getFloat(col);
                break;
            case Types.FLOAT:
            case Types.DOUBLE:
                o = rs.getDouble(col);
                break;
            case Types.NUMERIC:
            case Types.DECIMAL:
                // DECFLOAT's NaN and infinities have no BigDecimal (element() sends them as doubles)
                o = typeName.startsWith("DECFLOAT") && rs instanceof JdbcResultSet h2 ? element(h2.getInternal(col))
                        : rs.getBigDecimal(col);
                break;
            case Types.CHAR:
            case Types.VARCHAR:
            case Types.LONGVARCHAR:
            case Types.NCHAR:
            case Types.NVARCHAR:
            case Types.LONGNVARCHAR: {
                String v = rs.getString(col);   // the engine's own string: no copy
                checkLength(v == null ? 0 : v.length(), col, type, budget, maxFrameSize);
                o = v;
                break;
            }
            case Types.CLOB:
            case Types.NCLOB: {
                // Measured before it is read out as one string.
                java.sql.Clob v = rs.getClob(col);
                checkLength(v == null ? 0 : v.length(), col, type, budget, maxFrameSize);
                o = rs.getString(col);
                break;
            }
            case Types.BLOB: {
                java.sql.Blob v = rs.getBlob(col);
                checkLength(v == null ? 0 : v.length(), col, type, budget, maxFrameSize);
                o = "UUID".equals(typeName) ? rs.getObject(col, UUID.class) : rs.getBytes(col);
                break;
            }
            case Types.BINARY:
            case Types.VARBINARY:
            case Types.LONGVARBINARY:
                o = "UUID".equals(typeName) ? rs.getObject(col, UUID.class) : rs.getBytes(col);
                break;
            case Types.DATE:
                o = rs.getObject(col, LocalDate.class);
                break;
            case Types.TIME:
                o = rs.getObject(col, LocalTime.class);
                break;
            case Types.TIMESTAMP:
                o = rs.getObject(col, LocalDateTime.class);
                break;
            case Types.TIMESTAMP_WITH_TIMEZONE:
                o = rs.getObject(col, OffsetDateTime.class);
                break;
            case Types.TIME_WITH_TIMEZONE:
                o = rs.getObject(col, OffsetTime.class);
                break;
            case Types.JAVA_OBJECT:
                // Its bytes, never an object: nothing a client sent is deserialized (docs/protocol.md).
                o = rs.getBytes(col);
                break;
            case Types.ARRAY:
                // Not rs.getArray(): H2's JDBC array turns JAVA_OBJECT elements into objects.
                o = rs instanceof JdbcResultSet h2 ? element(h2.getInternal(col)) : rs.getArray(col);
                break;
            default:
                if ("UUID".equals(typeName)) {
                    o = rs.getObject(col, UUID.class);
                } else if ("JSON".equals(typeName)) {
                    byte[] json = rs.getBytes(col);
                    o = json == null ? null : new String(json, java.nio.charset.StandardCharsets.UTF_8);
                } else if (typeName.startsWith("ROW") && rs instanceof JdbcResultSet h2) {
                    o = element(h2.getInternal(col));
                } else {
                    o = rs.getString(col);
                }
                break;
        }
        // getInternal (ARRAY, ROW, DECFLOAT) leaves wasNull as the previous column's read set it;
        // element() already gives null for NULL, so only a value read through a getter is checked
        boolean internal = rs instanceof JdbcResultSet && (type == Types.ARRAY || typeName.startsWith("ROW")
                || (type == Types.NUMERIC || type == Types.DECIMAL) && typeName.startsWith("DECFLOAT"));
        if (!internal && rs.wasNull()) {
            o = null;
        }
        return Values.of(o);
    }

    /**
     * The Java value of one H2 value inside an ARRAY (or ROW), with the same types as a
     * column of that type gets; JAVA_OBJECT and LOB elements as their bytes or text.
     */
    static Object element(org.h2.value.Value v) {
        switch (v.getValueType()) {
            case org.h2.value.Value.NULL:
                return null;
            case org.h2.value.Value.BOOLEAN:
                return v.getBoolean();
            case org.h2.value.Value.INTEGER:
                return v.getInt();
            case org.h2.value.Value.TINYINT:
            case org.h2.value.Value.SMALLINT:
            case org.h2.value.Value.BIGINT:
                return v.getLong();
            case org.h2.value.Value.REAL:
                return v.getFloat();
            case org.h2.value.Value.DOUBLE:
                return v.getDouble();
            case org.h2.value.Value.NUMERIC:
                return v.getBigDecimal();
            case org.h2.value.Value.DECFLOAT:
                // NaN, Infinity and -Infinity have no BigDecimal: sent as the double they are
                return ((org.h2.value.ValueDecfloat) v).isFinite() ? v.getBigDecimal() : v.getDouble();
            case org.h2.value.Value.BINARY:
            case org.h2.value.Value.VARBINARY:
            case org.h2.value.Value.BLOB:
            case org.h2.value.Value.JAVA_OBJECT:
                return v.getBytes();
            case org.h2.value.Value.JSON:
                return new String(v.getBytesNoCopy(), java.nio.charset.StandardCharsets.UTF_8);
            case org.h2.value.Value.UUID:
                return ((org.h2.value.ValueUuid) v).getUuid();
            case org.h2.value.Value.DATE:
                return JSR310Utils.valueToLocalDate(v, null);
            case org.h2.value.Value.TIME:
                return JSR310Utils.valueToLocalTime(v, null);
            case org.h2.value.Value.TIMESTAMP:
                return JSR310Utils.valueToLocalDateTime(v, null);
            case org.h2.value.Value.TIME_TZ:
                return JSR310Utils.valueToOffsetTime(v, null);
            case org.h2.value.Value.TIMESTAMP_TZ:
                return JSR310Utils.valueToOffsetDateTime(v, null);
            case org.h2.value.Value.ARRAY:
            case org.h2.value.Value.ROW: {
                org.h2.value.Value[] list = ((org.h2.value.ValueCollectionBase) v).getList();
                Object[] out = new Object[list.length];
                for (int i = 0; i < list.length; i++) {
                    out[i] = element(list[i]);
                }
                return out;
            }
            default:
                // CHAR, VARCHAR, CLOB, ENUM, intervals, geometry: their text
                return v.getString();
        }
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
