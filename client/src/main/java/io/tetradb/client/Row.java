package io.tetradb.client;


import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One row of a result, its values converted to Java types (INTEGER to Integer, BIGINT to
 * Long, NUMERIC to BigDecimal, DATE to LocalDate, TIMESTAMP to LocalDateTime, TIMESTAMP
 * WITH TIME ZONE to OffsetDateTime, UUID to UUID, BINARY to byte[], ARRAY to Object[]).
 * An SQL NULL is {@code null}: every getter returns an object, never a primitive, so
 * {@code int id = r.getInt("ID")} unboxes a NULL into a NullPointerException. Read a
 * column that may be NULL into a boxed variable, or ask for a primitive type with
 * {@link #get(String, Class)}, which fails clearly (INVALID_ARGUMENT, naming the column)
 * on NULL. Numbers are converted only exactly: a value that does not fit the asked type
 * (a BIGINT of 2^40 as an Integer, 1.5 as a Long) fails with INVALID_ARGUMENT rather than
 * being cut.
 *
 * <pre>{@code
 * for (Row r : client.query("SELECT ID, NAME, AGE FROM PERSON")) {
 *     long id = r.get("ID", long.class);  // NOT NULL column: a primitive is safe
 *     String name = r.getString(1);       // 0-based index; null for SQL NULL
 *     Integer age = r.getInt("AGE");      // null for SQL NULL: check before unboxing
 * }
 * }</pre>
 */
public final class Row {
    private static final Map<Class<?>, Class<?>> BOXES = Map.of(int.class, Integer.class, long.class, Long.class,
            short.class, Short.class, byte.class, Byte.class, double.class, Double.class, float.class, Float.class,
            boolean.class, Boolean.class, char.class, Character.class);

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

    /**
     * The value at a 0-based index; null for SQL NULL.
     *
     * @throws TetraException INVALID_ARGUMENT for an index outside the row
     */
    public Object get(int i) {
        if (i < 0 || i >= values.length) {
            throw new TetraException(ErrorCode.INVALID_ARGUMENT, "No column " + i + " (the row has " + values.length + ").");
        }
        return values[i];
    }

    /**
     * The value of a column by label (case-insensitive; of equal labels, the first); null
     * for SQL NULL.
     *
     * @throws TetraException INVALID_ARGUMENT for a label the result does not have
     */
    public Object get(String label) {
        Integer i = index.get(label.toUpperCase(Locale.ROOT));
        if (i == null) {
            throw new TetraException(ErrorCode.INVALID_ARGUMENT, "No column '" + label + "'.");
        }
        return values[i];
    }

    /** The value's text ({@code toString()}); null for SQL NULL. */
    public String getString(int i) {
        Object o = get(i);
        return o == null ? null : o.toString();
    }

    /** The value's text ({@code toString()}); null for SQL NULL. */
    public String getString(String label) {
        Object o = get(label);
        return o == null ? null : o.toString();
    }

    /** As {@code get(i, Integer.class)}: null for SQL NULL (do not unbox without a check). */
    public Integer getInt(int i) {
        return get(i, Integer.class);
    }

    /** As {@code get(label, Integer.class)}: null for SQL NULL (do not unbox without a check). */
    public Integer getInt(String label) {
        return get(label, Integer.class);
    }

    /** As {@code get(i, Long.class)}: null for SQL NULL (do not unbox without a check). */
    public Long getLong(int i) {
        return get(i, Long.class);
    }

    /** As {@code get(label, Long.class)}: null for SQL NULL (do not unbox without a check). */
    public Long getLong(String label) {
        return get(label, Long.class);
    }

    /**
     * As {@code get(label, BigDecimal.class)}, and a value that is no number read from its
     * text; null for SQL NULL.
     */
    public BigDecimal getBigDecimal(String label) {
        Object o = get(label);
        if (o == null || o instanceof Number) {
            return get(label, BigDecimal.class);
        }
        try {
            return new BigDecimal(o.toString());
        } catch (NumberFormatException e) {
            throw new TetraException(ErrorCode.INVALID_ARGUMENT, "Column '" + label + "' holds '" + o
                    + "', which is no number.");
        }
    }

    /**
     * The value at a 0-based index as {@code type}: as it is when it is one; a number as
     * any other number type it fits exactly (Integer, Long, Short, Byte, BigInteger,
     * BigDecimal, Double, Float); anything as its text for {@code String}. SQL NULL is null
     * for an object type.
     *
     * @throws TetraException INVALID_ARGUMENT for an index outside the row, SQL NULL asked as
     *         a primitive type, a number that does not fit {@code type} exactly, or a value
     *         that is no {@code type}
     */
    public <T> T get(int i, Class<T> type) {
        return convert(get(i), type, "Column " + i);
    }

    /** As {@link #get(int, Class)}, for the column of {@code label} (case-insensitive). */
    public <T> T get(String label, Class<T> type) {
        return convert(get(label), type, "Column '" + label + "'");
    }

    /** A copy of the values. */
    public Object[] values() {
        return values.clone();
    }

    @Override
    public String toString() {
        return Arrays.deepToString(values);
    }

    @SuppressWarnings("unchecked")  // boxed is type or, for a primitive type, its box, whose Class<T> it has
    private static <T> T convert(Object o, Class<T> type, String column) {
        Class<?> boxed = type.isPrimitive() ? BOXES.get(type) : type;
        if (o == null) {
            if (type.isPrimitive()) {
                throw new TetraException(ErrorCode.INVALID_ARGUMENT, column + " is NULL, which cannot be read as "
                        + type.getName() + ".");
            }
            return null;
        }
        if (boxed.isInstance(o)) {
            return (T) o;
        }
        if (boxed == String.class) {
            return (T) o.toString();
        }
        if (o instanceof Number n && Number.class.isAssignableFrom(boxed)) {
            try {
                Object v = number(n, boxed);
                if (v != null) {
                    return (T) v;
                }
            } catch (ArithmeticException | NumberFormatException e) {
                throw new TetraException(ErrorCode.INVALID_ARGUMENT, column + " holds " + o + ", which does not fit "
                        + type.getSimpleName() + " exactly.");
            }
        }
        throw new TetraException(ErrorCode.INVALID_ARGUMENT, column + " is of type " + o.getClass().getSimpleName()
                + ", which cannot be read as " + type.getSimpleName() + ".");
    }

    /** {@code n} as {@code type} exactly; null for a type that is no number this row knows. */
    private static Object number(Number n, Class<?> type) {
        if (type == Double.class) {
            return n.doubleValue();
        }
        if (type == Float.class) {
            return n.floatValue();
        }
        BigDecimal d;
        if (n instanceof BigDecimal b) {
            d = b;
        } else if (n instanceof BigInteger b) {
            d = new BigDecimal(b);
        } else if (n instanceof Double || n instanceof Float) {
            d = new BigDecimal(n.toString());   // NaN and infinities: NumberFormatException
        } else {
            d = BigDecimal.valueOf(n.longValue());
        }
        if (type == Integer.class) {
            return d.intValueExact();
        } else if (type == Long.class) {
            return d.longValueExact();
        } else if (type == Short.class) {
            return d.shortValueExact();
        } else if (type == Byte.class) {
            return d.byteValueExact();
        } else if (type == BigInteger.class) {
            return d.toBigIntegerExact();
        } else if (type == BigDecimal.class) {
            return d;
        }
        return null;
    }
}
