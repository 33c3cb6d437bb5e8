package io.tetradb.protocol;

import com.google.protobuf.ByteString;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.DateTimeException;
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
 * OffsetDateTime (also from Instant and ZonedDateTime), UUID, arrays (of objects or
 * primitives other than byte) and collections (as SQL arrays). Anything else travels as its text.
 */
public final class Values {
    private static final Value NULL = Value.newBuilder().setNullValue(true).build();
    /**
     * The longest decimal or big integer text accepted: H2's widest NUMERIC (100,000 digits of
     * precision, up to 100,000 of scale) in plain text. Parsing is quadratic in the number of
     * digits: a million digits take about 25 s, a whole frame of them (16 MiB) over an hour of
     * the worker thread that parses it.
     */
    public static final int MAX_NUMBER_TEXT = 200_003;

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
        } else if (o.getClass().isArray()) {
            // int[], long[], double[], ...: without this they would travel as "[I@1b6d3586"
            ValueList.Builder list = ValueList.newBuilder();
            for (int i = 0, n = java.lang.reflect.Array.getLength(o); i < n; i++) {
                list.addValues(of(java.lang.reflect.Array.get(o, i)));
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

    /**
     * The Java form of a wire value; SQL arrays become {@code Object[]}.
     *
     * @throws InvalidValueException for a value whose text does not parse as its kind (a
     *         date_value of "tomorrow"), or of a kind this build does not know
     */
    public static Object toJava(Value v) {
        try {
            return convert(v);
        } catch (InvalidValueException e) {
            throw e;
        } catch (DateTimeException | IllegalArgumentException e) {
            // NumberFormatException is an IllegalArgumentException, so is UUID's refusal
            throw new InvalidValueException("Invalid " + kindName(v.getKindCase())
                    + " value " + quoted(v) + ".", e);
        }
    }

    private static Object convert(Value v) {
        switch (v.getKindCase()) {
            case NULL_VALUE:
                return null;
            case KIND_NOT_SET:
                if (!v.getUnknownFields().asMap().isEmpty()) {
                    // a kind added after this build: reading it as NULL would lose data silently
                    throw new InvalidValueException(
                            "Unknown kind of value (field " + v.getUnknownFields().asMap().keySet()
                                    + "): this build cannot read it.");
                }
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
                return new BigDecimal(checkNumberLength(v.getDecimalValue()));
            case BIG_INTEGER_VALUE:
                return new BigInteger(checkNumberLength(v.getBigIntegerValue()));
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

    private static String checkNumberLength(String text) {
        if (text.length() > MAX_NUMBER_TEXT) {
            throw new InvalidValueException("Invalid number: its text has "
                    + text.length() + " characters, more than the " + MAX_NUMBER_TEXT + " accepted.");
        }
        return text;
    }

    private static String kindName(Value.KindCase kind) {
        return kind.name().toLowerCase(java.util.Locale.ROOT).replace("_value", "").replace('_', ' ');
    }

    /** The value's text in quotes, cut short: an error message must not echo a huge parameter. */
    private static String quoted(Value v) {
        String text = switch (v.getKindCase()) {
            case DECIMAL_VALUE -> v.getDecimalValue();
            case BIG_INTEGER_VALUE -> v.getBigIntegerValue();
            case DATE_VALUE -> v.getDateValue();
            case TIME_VALUE -> v.getTimeValue();
            case TIMESTAMP_VALUE -> v.getTimestampValue();
            case TIMESTAMP_TZ_VALUE -> v.getTimestampTzValue();
            case TIME_TZ_VALUE -> v.getTimeTzValue();
            case UUID_VALUE -> v.getUuidValue();
            default -> "";
        };
        return "'" + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + "'";
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
