package io.tetradb.protocol;

import com.google.protobuf.ByteString;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * Converts between Java values and wire {@link Value}s, the same way on both sides.
 *
 * <pre>{@code
 * Value v = Values.of(LocalDate.of(2024, 1, 31));   // date_value "2024-01-31"
 * Object back = Values.toJava(v);                   // LocalDate 2024-01-31
 * }</pre>
 *
 * <p>Mapping: Boolean, Byte/Short/Long (long), Integer, Float, Double, BigDecimal,
 * BigInteger, String, byte[], LocalDate, LocalTime, LocalDateTime, OffsetTime,
 * OffsetDateTime (also from Instant and ZonedDateTime), UUID, arrays and collections
 * (as SQL arrays). Anything else travels as its text.
 */
public final class Values {
    private static final Value NULL = Value.newBuilder().setNullValue(true).build();

    private Values() {
    }

    /** The wire form of a Java value. */
    public static Value of(Object o) {
        if (o == null) {
            return NULL;
        }
        Value.Builder b = Value.newBuilder();
        if (o instanceof Boolean v) {
            b.setBoolValue(v);
        } else if (o instanceof Integer v) {
            b.setIntValue(v);
        } else if (o instanceof Long || o instanceof Short || o instanceof Byte) {
            b.setLongValue(((Number) o).longValue());
        } else if (o instanceof Double v) {
            b.setDoubleValue(v);
        } else if (o instanceof Float v) {
            b.setFloatValue(v);
        } else if (o instanceof BigDecimal v) {
            b.setDecimalValue(v.toPlainString());
        } else if (o instanceof BigInteger v) {
            b.setBigIntegerValue(v.toString());
        } else if (o instanceof String v) {
            b.setStringValue(v);
        } else if (o instanceof Character v) {
            b.setStringValue(v.toString());
        } else if (o instanceof byte[] v) {
            b.setBytesValue(ByteString.copyFrom(v));
        } else if (o instanceof LocalDate v) {
            b.setDateValue(v.toString());
        } else if (o instanceof LocalTime v) {
            b.setTimeValue(v.toString());
        } else if (o instanceof LocalDateTime v) {
            b.setTimestampValue(v.toString());
        } else if (o instanceof OffsetDateTime v) {
            b.setTimestampTzValue(v.toString());
        } else if (o instanceof ZonedDateTime v) {
            b.setTimestampTzValue(v.toOffsetDateTime().toString());
        } else if (o instanceof Instant v) {
            b.setTimestampTzValue(v.atOffset(ZoneOffset.UTC).toString());
        } else if (o instanceof OffsetTime v) {
            b.setTimeTzValue(v.toString());
        } else if (o instanceof UUID v) {
            b.setUuidValue(v.toString());
        } else if (o instanceof Object[] v) {
            ValueList.Builder list = ValueList.newBuilder();
            for (Object e : v) {
                list.addValues(of(e));
            }
            b.setArrayValue(list);
        } else if (o instanceof Collection<?> v) {
            ValueList.Builder list = ValueList.newBuilder();
            for (Object e : v) {
                list.addValues(of(e));
            }
            b.setArrayValue(list);
        } else if (o instanceof java.sql.Timestamp v) {
            b.setTimestampValue(v.toLocalDateTime().toString());
        } else if (o instanceof java.sql.Date v) {
            b.setDateValue(v.toLocalDate().toString());
        } else if (o instanceof java.sql.Time v) {
            b.setTimeValue(v.toLocalTime().toString());
        } else {
            b.setOtherValue(o.toString());
        }
        return b.build();
    }

    /** The Java form of a wire value; SQL arrays become {@code Object[]}. */
    public static Object toJava(Value v) {
        switch (v.getKindCase()) {
            case NULL_VALUE:
            case KIND_NOT_SET:
                return null;
            case BOOL_VALUE:
                return v.getBoolValue();
            case INT_VALUE:
                return v.getIntValue();
            case LONG_VALUE:
                return v.getLongValue();
            case DOUBLE_VALUE:
                return v.getDoubleValue();
            case FLOAT_VALUE:
                return v.getFloatValue();
            case DECIMAL_VALUE:
                return new BigDecimal(v.getDecimalValue());
            case BIG_INTEGER_VALUE:
                return new BigInteger(v.getBigIntegerValue());
            case STRING_VALUE:
                return v.getStringValue();
            case BYTES_VALUE:
                return v.getBytesValue().toByteArray();
            case DATE_VALUE:
                return LocalDate.parse(v.getDateValue());
            case TIME_VALUE:
                return LocalTime.parse(v.getTimeValue());
            case TIMESTAMP_VALUE:
                return LocalDateTime.parse(v.getTimestampValue());
            case TIMESTAMP_TZ_VALUE:
                return OffsetDateTime.parse(v.getTimestampTzValue());
            case TIME_TZ_VALUE:
                return OffsetTime.parse(v.getTimeTzValue());
            case UUID_VALUE:
                return UUID.fromString(v.getUuidValue());
            case ARRAY_VALUE: {
                List<Object> out = new ArrayList<>(v.getArrayValue().getValuesCount());
                for (Value e : v.getArrayValue().getValuesList()) {
                    out.add(toJava(e));
                }
                return out.toArray();
            }
            case OTHER_VALUE:
                return v.getOtherValue();
            default:
                throw new IllegalArgumentException("unknown value kind " + v.getKindCase());
        }
    }

    /** A short human-readable text of a value, as a SQL shell prints it ("NULL" for null). */
    public static String toDisplay(Value v) {
        Object o = toJava(v);
        if (o == null) {
            return "NULL";
        }
        if (o instanceof byte[] bytes) {
            StringBuilder sb = new StringBuilder("X'");
            for (byte x : bytes) {
                sb.append(Character.forDigit((x >> 4) & 0xF, 16)).append(Character.forDigit(x & 0xF, 16));
            }
            return sb.append('\'').toString();
        }
        if (o instanceof Object[] arr) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < arr.length; i++) {
                if (i > 0) {
                    sb.append(", ");
                }
                sb.append(toDisplay(v.getArrayValue().getValues(i)));
            }
            return sb.append(']').toString();
        }
        return o.toString();
    }
}
