package io.tetradb.jdbc;

import io.tetradb.client.ColumnInfo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.SQLException;
import java.sql.SQLXML;
import java.sql.Time;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Calendar;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.TimeZone;
import java.util.UUID;

/**
 * Conversions between JDBC's Java values and the values the client library carries:
 * parameters set on a PreparedStatement, and what a ResultSet's getters return (as H2's
 * own driver 2.3.232 does, so tools see the types they expect; docs/jdbc.md "Types").
 *
 * <p>Stateless; any thread.
 */
final class JdbcValues {
    private JdbcValues() {
    }

    // ---- parameters --------------------------------------------------------------------

    /** A parameter as the wire carries it. */
    static Object parameter(Object x) throws SQLException {
        if (x == null || x instanceof String || x instanceof Integer || x instanceof Long || x instanceof Boolean
                || x instanceof BigDecimal || x instanceof Double || x instanceof Float || x instanceof byte[]
                || x instanceof LocalDate || x instanceof LocalTime || x instanceof LocalDateTime
                || x instanceof OffsetDateTime || x instanceof OffsetTime || x instanceof UUID
                || x instanceof BigInteger) {
            return x;
        }
        if (x instanceof Short s) {
            return (int) s;
        }
        if (x instanceof Byte b) {
            return (int) b;
        }
        if (x instanceof Character c) {
            return c.toString();
        }
        if (x instanceof Timestamp t) {
            return t.toLocalDateTime();
        }
        if (x instanceof java.sql.Date d) {
            return d.toLocalDate();
        }
        if (x instanceof Time t) {
            return localTime(t);
        }
        if (x instanceof java.util.Date d) {
            return LocalDateTime.ofInstant(d.toInstant(), ZoneId.systemDefault());
        }
        if (x instanceof Calendar c) {
            return LocalDateTime.ofInstant(c.toInstant(), c.getTimeZone().toZoneId());
        }
        if (x instanceof Instant i) {
            return i.atOffset(ZoneOffset.UTC);
        }
        if (x instanceof ZonedDateTime z) {
            return z.toOffsetDateTime();
        }
        if (x instanceof Blob b) {
            long n = b.length();
            if (n > Integer.MAX_VALUE) {
                throw new SQLException("A BLOB of " + n + " bytes is larger than a parameter can be.", "22001");
            }
            return b.getBytes(1, (int) n);
        }
        if (x instanceof Clob c) {
            long n = c.length();
            if (n > Integer.MAX_VALUE) {
                throw new SQLException("A CLOB of " + n + " characters is larger than a parameter can be.", "22001");
            }
            return c.getSubString(1, (int) n);
        }
        if (x instanceof Array a) {
            return parameter(a.getArray());
        }
        if (x instanceof SQLXML xml) {
            return xml.getString();
        }
        if (x instanceof InputStream in) {
            return bytes(in, -1);
        }
        if (x instanceof Reader r) {
            return text(r, -1);
        }
        if (x instanceof Enum<?> e) {
            return e.name();
        }
        if (x instanceof URL || x instanceof URI) {
            return x.toString();
        }
        if (x instanceof Object[] arr) {
            Object[] out = new Object[arr.length];
            for (int i = 0; i < arr.length; i++) {
                out[i] = parameter(arr[i]);
            }
            return out;
        }
        if (x instanceof Collection<?> c) {
            return parameter(c.toArray());
        }
        if (x.getClass().isArray()) {
            int n = java.lang.reflect.Array.getLength(x);
            Object[] out = new Object[n];
            for (int i = 0; i < n; i++) {
                out[i] = parameter(java.lang.reflect.Array.get(x, i));
            }
            return out;
        }
        // anything else travels as its text (Values.of)
        return x;
    }

    /** A parameter converted to {@code targetSqlType} ({@link java.sql.Types}). */
    static Object parameter(Object x, int targetSqlType) throws SQLException {
        return parameter(0, x, targetSqlType, -1);
    }

    /**
     * Parameter {@code index} ({@code 0} when not known) converted to {@code targetSqlType} as
     * JDBC's setObject conversion table says; {@code scaleOrLength} (-1: none) is the scale of
     * a DECIMAL or NUMERIC and the length of a stream. A conversion that cannot be made is
     * SQLState 22018.
     */
    static Object parameter(int index, Object x, int targetSqlType, int scaleOrLength) throws SQLException {
        if (x instanceof InputStream in && scaleOrLength >= 0) {
            x = bytes(in, scaleOrLength);
        } else if (x instanceof Reader r && scaleOrLength >= 0) {
            x = text(r, scaleOrLength);
        }
        Object v = parameter(x);
        if (v == null) {
            return null;
        }
        String what = index > 0 ? "parameter " + index : "the parameter";
        try {
            switch (targetSqlType) {
                case Types.BIT:
                case Types.BOOLEAN:
                    return toBoolean(v, what);
                case Types.TINYINT:
                    return (int) integral(v, what, Byte.MIN_VALUE, Byte.MAX_VALUE);
                case Types.SMALLINT:
                    return (int) integral(v, what, Short.MIN_VALUE, Short.MAX_VALUE);
                case Types.INTEGER:
                    return (int) integral(v, what, Integer.MIN_VALUE, Integer.MAX_VALUE);
                case Types.BIGINT:
                    return integral(v, what, Long.MIN_VALUE, Long.MAX_VALUE);
                case Types.REAL:
                    return number(v, what).floatValue();
                case Types.FLOAT:
                case Types.DOUBLE:
                    return number(v, what).doubleValue();
                case Types.NUMERIC:
                case Types.DECIMAL: {
                    BigDecimal d = decimal(v, what);
                    return scaleOrLength >= 0 ? d.setScale(scaleOrLength, RoundingMode.HALF_UP) : d;
                }
                case Types.CHAR:
                case Types.VARCHAR:
                case Types.LONGVARCHAR:
                case Types.NCHAR:
                case Types.NVARCHAR:
                case Types.LONGNVARCHAR:
                case Types.CLOB:
                case Types.NCLOB:
                    if (v instanceof Object[]) {
                        throw cannot(v, what, "a character string");
                    }
                    return string(v);
                case Types.BINARY:
                case Types.VARBINARY:
                case Types.LONGVARBINARY:
                case Types.BLOB:
                    return bytes(v, what);
                case Types.DATE:
                    return localDate(v, what);
                case Types.TIME:
                    return localTime(v, what);
                case Types.TIMESTAMP:
                    return localDateTime(v, what);
                case Types.TIMESTAMP_WITH_TIMEZONE:
                    return offsetDateTime(v, what);
                case Types.TIME_WITH_TIMEZONE:
                    return offsetTime(v, what);
                case Types.ARRAY:
                    if (!(v instanceof Object[])) {
                        throw cannot(v, what, "an ARRAY");
                    }
                    return v;
                default:
                    // OTHER, JAVA_OBJECT, DATALINK...: as given; the server converts to the column
                    return v;
            }
        } catch (DateTimeException | IllegalArgumentException e) {
            throw new SQLException("Cannot convert " + what + " ('" + shortText(v) + "') to JDBC type "
                    + targetSqlType + ": " + e.getMessage(), "22018", e);
        }
    }

    /** The bytes of {@code in}, at most {@code length} of them (-1: all). */
    static byte[] bytes(InputStream in, long length) throws SQLException {
        if (in == null) {
            return null;
        }
        try {
            if (length < 0) {
                return in.readAllBytes();
            }
            if (length > Integer.MAX_VALUE) {
                throw new SQLException("A stream of " + length + " bytes is larger than a parameter can be.", "22001");
            }
            return in.readNBytes((int) length);
        } catch (IOException e) {
            throw new SQLException("Reading the stream failed: " + e.getMessage(), "HY000", e);
        }
    }

    /** The text of {@code r}, at most {@code length} characters (-1: all). */
    static String text(Reader r, long length) throws SQLException {
        if (r == null) {
            return null;
        }
        try {
            StringBuilder sb = new StringBuilder();
            char[] buf = new char[8192];
            long left = length < 0 ? Long.MAX_VALUE : length;
            while (left > 0) {
                int n = r.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    break;
                }
                sb.append(buf, 0, n);
                left -= n;
                if (sb.length() > Integer.MAX_VALUE - 16_384) {
                    throw new SQLException("A character stream is larger than a parameter can be.", "22001");
                }
            }
            return sb.toString();
        } catch (IOException e) {
            throw new SQLException("Reading the character stream failed: " + e.getMessage(), "HY000", e);
        }
    }

    /** The text of an ASCII stream (ISO-8859-1 keeps every byte), at most {@code length} characters. */
    static String ascii(InputStream in, long length) throws SQLException {
        byte[] b = bytes(in, length);
        return b == null ? null : new String(b, StandardCharsets.ISO_8859_1);
    }

    /** A date, time or timestamp set with a Calendar: its fields read in the calendar's time zone. */
    static Object withCalendar(java.util.Date x, Calendar cal) {
        if (x == null) {
            return null;
        }
        ZoneId zone = cal == null ? ZoneId.systemDefault() : cal.getTimeZone().toZoneId();
        if (x instanceof Timestamp t) {
            LocalDateTime l = LocalDateTime.ofInstant(Instant.ofEpochMilli(t.getTime()), zone);
            return l.withNano(t.getNanos());
        }
        LocalDateTime l = LocalDateTime.ofInstant(Instant.ofEpochMilli(x.getTime()), zone);
        if (x instanceof java.sql.Date) {
            return l.toLocalDate();
        }
        if (x instanceof Time) {
            return l.toLocalTime();
        }
        return l;
    }

    // ---- results -----------------------------------------------------------------------

    /** What getObject returns for a value of {@code column}, as H2's driver does. */
    static Object object(Object v, ColumnInfo column) throws SQLException {
        if (v == null) {
            return null;
        }
        return object(v, column.jdbcType(), column.sqlType());
    }

    private static Object object(Object v, int jdbcType, String sqlType) throws SQLException {
        if (v == null) {
            return null;
        }
        switch (jdbcType) {
            case Types.BOOLEAN:
            case Types.BIT:
                return toBoolean(v, "the value");
            case Types.TINYINT:
            case Types.SMALLINT:
            case Types.INTEGER:
                return v instanceof Number n ? n.intValue() : v;
            case Types.BIGINT:
                return v instanceof Number n ? n.longValue() : v;
            case Types.REAL:
                return v instanceof Number n ? n.floatValue() : v;
            case Types.FLOAT:
            case Types.DOUBLE:
                return v instanceof Number n ? n.doubleValue() : v;
            case Types.NUMERIC:
            case Types.DECIMAL:
                // a DECFLOAT NaN or infinity comes as a Double
                return v instanceof Integer || v instanceof Long ? BigDecimal.valueOf(((Number) v).longValue()) : v;
            case Types.CLOB:
            case Types.NCLOB:
                return new TetraClob(string(v));
            case Types.BLOB:
                return v instanceof byte[] b ? new TetraBlob(b) : v;
            case Types.DATE:
                return v instanceof LocalDate d ? java.sql.Date.valueOf(d) : v;
            case Types.TIME:
                return v instanceof LocalTime t ? sqlTime(t) : v;
            case Types.TIMESTAMP:
                return v instanceof LocalDateTime t ? Timestamp.valueOf(t) : v;
            case Types.ARRAY:
                return v instanceof Object[] a ? TetraArray.ofColumn(sqlType, a) : v;
            default:
                if ("JSON".equals(sqlType) && v instanceof String s) {
                    return s.getBytes(StandardCharsets.UTF_8);   // H2 gives a JSON value's bytes
                }
                return v;
        }
    }

    /** An array element as getObject of a column of the array's element type gives it. */
    static Object element(Object v, String elementTypeName) throws SQLException {
        return object(v, jdbcTypeOf(elementTypeName), elementTypeName);
    }

    /** The {@link Types} number of one of H2's type names (an array's element type), OTHER when unknown. */
    static int jdbcTypeOf(String typeName) {
        if (typeName == null) {
            return Types.OTHER;
        }
        String t = typeName.toUpperCase(Locale.ROOT);
        int paren = t.indexOf('(');
        if (paren > 0 && !t.startsWith("ROW")) {
            t = (t.substring(0, paren) + t.substring(t.indexOf(')', paren) + 1)).trim();
        }
        if (t.endsWith(" ARRAY")) {
            return Types.ARRAY;
        }
        switch (t) {
            case "BOOLEAN": return Types.BOOLEAN;
            case "TINYINT": return Types.TINYINT;
            case "SMALLINT": return Types.SMALLINT;
            case "INTEGER": case "INT": return Types.INTEGER;
            case "BIGINT": return Types.BIGINT;
            case "NUMERIC": case "DECIMAL": case "DECFLOAT": return Types.NUMERIC;
            case "REAL": return Types.REAL;
            case "DOUBLE PRECISION": case "DOUBLE": case "FLOAT": return Types.DOUBLE;
            case "CHARACTER": case "CHAR": return Types.CHAR;
            case "CHARACTER VARYING": case "VARCHAR": case "VARCHAR_IGNORECASE": return Types.VARCHAR;
            case "CHARACTER LARGE OBJECT": case "CLOB": return Types.CLOB;
            case "BINARY": return Types.BINARY;
            case "BINARY VARYING": case "VARBINARY": return Types.VARBINARY;
            case "BINARY LARGE OBJECT": case "BLOB": return Types.BLOB;
            case "DATE": return Types.DATE;
            case "TIME": return Types.TIME;
            case "TIMESTAMP": return Types.TIMESTAMP;
            case "TIME WITH TIME ZONE": return Types.TIME_WITH_TIMEZONE;
            case "TIMESTAMP WITH TIME ZONE": return Types.TIMESTAMP_WITH_TIMEZONE;
            case "UUID": return Types.BINARY;
            case "JAVA_OBJECT": return Types.JAVA_OBJECT;
            default: return Types.OTHER;
        }
    }

    /** The class name getObject's value has for a column of this type (ResultSetMetaData.getColumnClassName). */
    static String className(int jdbcType, String sqlType) {
        switch (jdbcType) {
            case Types.BOOLEAN: case Types.BIT: return Boolean.class.getName();
            case Types.TINYINT: case Types.SMALLINT: case Types.INTEGER: return Integer.class.getName();
            case Types.BIGINT: return Long.class.getName();
            case Types.NUMERIC: case Types.DECIMAL: return BigDecimal.class.getName();
            case Types.REAL: return Float.class.getName();
            case Types.FLOAT: case Types.DOUBLE: return Double.class.getName();
            case Types.CHAR: case Types.VARCHAR: case Types.LONGVARCHAR: case Types.NCHAR: case Types.NVARCHAR:
            case Types.LONGNVARCHAR:
                return String.class.getName();
            case Types.CLOB: case Types.NCLOB: return Clob.class.getName();
            case Types.BLOB: return Blob.class.getName();
            case Types.DATE: return java.sql.Date.class.getName();
            case Types.TIME: return Time.class.getName();
            case Types.TIMESTAMP: return Timestamp.class.getName();
            case Types.TIMESTAMP_WITH_TIMEZONE: return OffsetDateTime.class.getName();
            case Types.TIME_WITH_TIMEZONE: return OffsetTime.class.getName();
            case Types.ARRAY: return Array.class.getName();
            case Types.BINARY: case Types.VARBINARY: case Types.LONGVARBINARY: case Types.JAVA_OBJECT:
                return "UUID".equals(sqlType) ? UUID.class.getName() : byte[].class.getName();
            default:
                if ("UUID".equals(sqlType)) {
                    return UUID.class.getName();
                }
                if ("JSON".equals(sqlType)) {
                    return byte[].class.getName();
                }
                if (sqlType != null && sqlType.startsWith("ROW")) {
                    return Object[].class.getName();
                }
                return String.class.getName();
        }
    }

    /** What getString returns: H2's text of the value. */
    static String string(Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof Boolean b) {
            return b ? "TRUE" : "FALSE";
        }
        if (v instanceof BigDecimal d) {
            return d.toPlainString();
        }
        if (v instanceof byte[] b) {
            return new String(b, StandardCharsets.UTF_8);
        }
        if (v instanceof LocalTime t) {
            return timeText(t);
        }
        if (v instanceof LocalDateTime t) {
            return t.toLocalDate() + " " + timeText(t.toLocalTime());
        }
        if (v instanceof OffsetDateTime t) {
            return t.toLocalDate() + " " + timeText(t.toLocalTime()) + offsetText(t.getOffset());
        }
        if (v instanceof OffsetTime t) {
            return timeText(t.toLocalTime()) + offsetText(t.getOffset());
        }
        if (v instanceof Timestamp t) {
            return string(t.toLocalDateTime());
        }
        if (v instanceof Time t) {
            return string(localTime(t));
        }
        if (v instanceof Object[] a) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < a.length; i++) {
                sb.append(i == 0 ? "" : ", ").append(a[i] == null ? "null" : string(a[i]));
            }
            return sb.append(']').toString();
        }
        if (v instanceof TetraClob c) {
            return c.text();
        }
        if (v instanceof TetraBlob b) {
            return new String(b.bytes(), StandardCharsets.UTF_8);
        }
        return v.toString();
    }

    /** H2's text of a time: seconds always, the fraction without trailing zeros. */
    private static String timeText(LocalTime t) {
        StringBuilder sb = new StringBuilder(18);
        two(sb, t.getHour()).append(':');
        two(sb, t.getMinute()).append(':');
        two(sb, t.getSecond());
        int nano = t.getNano();
        if (nano != 0) {
            String f = String.format(Locale.ROOT, "%09d", nano);
            int end = f.length();
            while (f.charAt(end - 1) == '0') {
                end--;
            }
            sb.append('.').append(f, 0, end);
        }
        return sb.toString();
    }

    /** H2's text of an offset: +02, +05:30, +00 for UTC. */
    private static String offsetText(ZoneOffset o) {
        int s = o.getTotalSeconds();
        StringBuilder sb = new StringBuilder(s < 0 ? "-" : "+");
        s = Math.abs(s);
        two(sb, s / 3600);
        if (s % 3600 != 0) {
            sb.append(':');
            two(sb, s / 60 % 60);
            if (s % 60 != 0) {
                sb.append(':');
                two(sb, s % 60);
            }
        }
        return sb.toString();
    }

    private static StringBuilder two(StringBuilder sb, int n) {
        return sb.append(n < 10 ? "0" : "").append(n);
    }

    // ---- conversions for the getters ---------------------------------------------------

    /** A value as a number, for the numeric getters of column {@code i}. */
    static Number number(Object v, int i) throws SQLException {
        return number(v, "Column " + i);
    }

    private static Number number(Object v, String what) throws SQLException {
        if (v instanceof Number n) {
            return n;
        }
        if (v instanceof Boolean b) {
            return b ? 1 : 0;
        }
        if (v instanceof String s) {
            String t = s.trim();
            try {
                return new BigDecimal(t);
            } catch (NumberFormatException e) {
                switch (t) {
                    case "NaN": return Double.NaN;
                    case "Infinity": return Double.POSITIVE_INFINITY;
                    case "-Infinity": return Double.NEGATIVE_INFINITY;
                    default: break;
                }
            }
        }
        throw cannot(v, what, "a number");
    }

    /** A whole number between {@code min} and {@code max}: decimals rounded half up as H2 does; else 22003. */
    static long integral(Object v, String what, long min, long max) throws SQLException {
        Number n = number(v, what);
        long r;
        if (n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte) {
            r = n.longValue();
        } else {
            BigDecimal d;
            if (n instanceof Double || n instanceof Float) {
                double x = n.doubleValue();
                if (Double.isNaN(x) || Double.isInfinite(x)) {
                    throw outOfRange(v, what);
                }
                d = BigDecimal.valueOf(x);
            } else {
                d = n instanceof BigDecimal b ? b : new BigDecimal(n.toString());
            }
            d = d.setScale(0, RoundingMode.HALF_UP);
            if (d.compareTo(BigDecimal.valueOf(min)) < 0 || d.compareTo(BigDecimal.valueOf(max)) > 0) {
                throw outOfRange(v, what);
            }
            r = d.longValue();
        }
        if (r < min || r > max) {
            throw outOfRange(v, what);
        }
        return r;
    }

    static long integral(Object v, int i, long min, long max) throws SQLException {
        return integral(v, "Column " + i, min, max);
    }

    /** A float: 22003 when a finite value is too large for it. */
    static float toFloat(Object v, int i) throws SQLException {
        double d = number(v, i).doubleValue();
        float f = (float) d;
        if (Float.isInfinite(f) && !Double.isInfinite(d)) {
            throw outOfRange(v, "Column " + i);
        }
        return f;
    }

    static BigDecimal decimal(Object v, String what) throws SQLException {
        Number n = number(v, what);
        if (n instanceof BigDecimal d) {
            return d;
        }
        if (n instanceof BigInteger b) {
            return new BigDecimal(b);
        }
        if (n instanceof Double || n instanceof Float) {
            double d = n.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw cannot(v, what, "a decimal");
            }
            return n instanceof Float ? new BigDecimal(n.toString()) : BigDecimal.valueOf(d);
        }
        return BigDecimal.valueOf(n.longValue());
    }

    static BigDecimal decimal(Object v, int i) throws SQLException {
        return decimal(v, "Column " + i);
    }

    static boolean toBoolean(Object v, String what) throws SQLException {
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof Number) {
            return decimal(v, what).signum() != 0;
        }
        if (v instanceof String s) {
            switch (s.trim().toUpperCase(Locale.ROOT)) {
                case "TRUE": case "T": case "YES": case "Y": case "ON": case "1":
                    return true;
                case "FALSE": case "F": case "NO": case "N": case "OFF": case "0":
                    return false;
                default:
                    break;
            }
        }
        throw cannot(v, what, "a boolean");
    }

    static boolean toBoolean(Object v, int i) throws SQLException {
        return toBoolean(v, "Column " + i);
    }

    static byte[] bytes(Object v, String what) throws SQLException {
        if (v instanceof byte[] b) {
            return b;
        }
        if (v instanceof String s) {
            return s.getBytes(StandardCharsets.UTF_8);
        }
        if (v instanceof UUID u) {
            return ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits())
                    .array();
        }
        if (v instanceof TetraBlob b) {
            return b.bytes();
        }
        throw cannot(v, what, "bytes");
    }

    static LocalDate localDate(Object v, String what) throws SQLException {
        if (v instanceof LocalDate d) {
            return d;
        }
        if (v instanceof LocalDateTime t) {
            return t.toLocalDate();
        }
        if (v instanceof OffsetDateTime t) {
            return t.toLocalDate();
        }
        if (v instanceof String s) {
            return parseDateTime(s.trim(), what).toLocalDate();
        }
        throw cannot(v, what, "a date");
    }

    static LocalTime localTime(Object v, String what) throws SQLException {
        if (v instanceof LocalTime t) {
            return t;
        }
        if (v instanceof LocalDateTime t) {
            return t.toLocalTime();
        }
        if (v instanceof OffsetDateTime t) {
            return t.toLocalTime();
        }
        if (v instanceof OffsetTime t) {
            return t.toLocalTime();
        }
        if (v instanceof String s) {
            String t = s.trim();
            try {
                return LocalTime.parse(t);
            } catch (DateTimeException e) {
                return parseDateTime(t, what).toLocalTime();
            }
        }
        throw cannot(v, what, "a time");
    }

    static LocalDateTime localDateTime(Object v, String what) throws SQLException {
        if (v instanceof LocalDateTime t) {
            return t;
        }
        if (v instanceof LocalDate d) {
            return d.atStartOfDay();
        }
        if (v instanceof OffsetDateTime t) {
            return t.toLocalDateTime();
        }
        if (v instanceof String s) {
            return parseDateTime(s.trim(), what);
        }
        throw cannot(v, what, "a timestamp");
    }

    static OffsetDateTime offsetDateTime(Object v, String what) throws SQLException {
        if (v instanceof OffsetDateTime t) {
            return t;
        }
        if (v instanceof LocalDateTime t) {
            return t.atZone(ZoneId.systemDefault()).toOffsetDateTime();
        }
        if (v instanceof LocalDate d) {
            return d.atStartOfDay(ZoneId.systemDefault()).toOffsetDateTime();
        }
        if (v instanceof String s) {
            String t = s.trim().replace(' ', 'T');
            try {
                return OffsetDateTime.parse(withOffsetColon(t));
            } catch (DateTimeException e) {
                return offsetDateTime(parseDateTime(s.trim(), what), what);
            }
        }
        throw cannot(v, what, "a timestamp with time zone");
    }

    static OffsetTime offsetTime(Object v, String what) throws SQLException {
        if (v instanceof OffsetTime t) {
            return t;
        }
        if (v instanceof OffsetDateTime t) {
            return t.toOffsetTime();
        }
        if (v instanceof LocalTime t) {
            return t.atOffset(ZoneId.systemDefault().getRules().getOffset(Instant.now()));
        }
        if (v instanceof String s) {
            try {
                return OffsetTime.parse(withOffsetColon(s.trim()));
            } catch (DateTimeException e) {
                throw cannot(v, what, "a time with time zone");
            }
        }
        throw cannot(v, what, "a time with time zone");
    }

    /** "+02" (H2's text) as "+02:00", which java.time parses. */
    private static String withOffsetColon(String t) {
        int n = t.length();
        if (n > 3 && (t.charAt(n - 3) == '+' || t.charAt(n - 3) == '-') && Character.isDigit(t.charAt(n - 1))
                && Character.isDigit(t.charAt(n - 2))) {
            return t + ":00";
        }
        return t;
    }

    private static LocalDateTime parseDateTime(String s, String what) throws SQLException {
        try {
            if (s.length() <= 10) {
                return LocalDate.parse(s).atStartOfDay();
            }
            return LocalDateTime.parse(s.replace(' ', 'T'));
        } catch (DateTimeException e) {
            throw cannot(s, what, "a date or timestamp");
        }
    }

    static UUID uuid(Object v, String what) throws SQLException {
        if (v instanceof UUID u) {
            return u;
        }
        if (v instanceof byte[] b && b.length == 16) {
            ByteBuffer bb = ByteBuffer.wrap(b);
            return new UUID(bb.getLong(), bb.getLong());
        }
        if (v instanceof String s) {
            try {
                return UUID.fromString(s.trim());
            } catch (IllegalArgumentException e) {
                throw cannot(v, what, "a UUID");
            }
        }
        throw cannot(v, what, "a UUID");
    }

    /** java.sql.Time keeping the milliseconds (Time.valueOf(LocalTime) drops them). */
    static Time sqlTime(LocalTime t) {
        return new Time(Timestamp.valueOf(LocalDate.of(1970, 1, 1).atTime(t)).getTime());
    }

    /** The local time of a java.sql.Time with its milliseconds (Time.toLocalTime drops them). */
    static LocalTime localTime(Time t) {
        return LocalDateTime.ofInstant(Instant.ofEpochMilli(t.getTime()), ZoneId.systemDefault()).toLocalTime();
    }

    /** A local date-time as an instant in the calendar's time zone (the default zone without one). */
    static Instant instant(LocalDateTime t, Calendar cal) {
        TimeZone tz = cal == null ? TimeZone.getDefault() : cal.getTimeZone();
        return t.atZone(tz.toZoneId()).toInstant();
    }

    /**
     * Value {@code v} of column {@code i} as {@code type} (getObject(int, Class)); null stays
     * null; 22018 when the value cannot be one.
     */
    @SuppressWarnings("unchecked")
    static <T> T as(Object v, ColumnInfo column, int i, Class<T> type) throws SQLException {
        if (type == null) {
            throw new SQLException("getObject needs a class, not null.", "HY009");
        }
        if (v == null) {
            return null;
        }
        String what = "Column " + i;
        Object out;
        if (type == Object.class) {
            out = object(v, column);
        } else if (type == String.class) {
            out = string(v);
        } else if (type == Boolean.class) {
            out = toBoolean(v, what);
        } else if (type == Byte.class) {
            out = (byte) integral(v, what, Byte.MIN_VALUE, Byte.MAX_VALUE);
        } else if (type == Short.class) {
            out = (short) integral(v, what, Short.MIN_VALUE, Short.MAX_VALUE);
        } else if (type == Integer.class) {
            out = (int) integral(v, what, Integer.MIN_VALUE, Integer.MAX_VALUE);
        } else if (type == Long.class) {
            out = integral(v, what, Long.MIN_VALUE, Long.MAX_VALUE);
        } else if (type == Float.class) {
            out = toFloat(v, i);
        } else if (type == Double.class) {
            out = number(v, what).doubleValue();
        } else if (type == BigDecimal.class) {
            out = decimal(v, what);
        } else if (type == BigInteger.class) {
            out = decimal(v, what).setScale(0, RoundingMode.HALF_UP).toBigIntegerExact();
        } else if (type == byte[].class) {
            out = bytes(v, what);
        } else if (type == UUID.class) {
            out = uuid(v, what);
        } else if (type == LocalDate.class) {
            out = localDate(v, what);
        } else if (type == LocalTime.class) {
            out = localTime(v, what);
        } else if (type == LocalDateTime.class) {
            out = localDateTime(v, what);
        } else if (type == OffsetDateTime.class) {
            out = offsetDateTime(v, what);
        } else if (type == OffsetTime.class) {
            out = offsetTime(v, what);
        } else if (type == ZonedDateTime.class) {
            out = offsetDateTime(v, what).toZonedDateTime();
        } else if (type == Instant.class) {
            out = offsetDateTime(v, what).toInstant();
        } else if (type == java.sql.Date.class) {
            out = java.sql.Date.valueOf(localDate(v, what));
        } else if (type == Time.class) {
            out = sqlTime(localTime(v, what));
        } else if (type == Timestamp.class || type == java.util.Date.class) {
            out = v instanceof OffsetDateTime o ? Timestamp.from(o.toInstant()) : Timestamp.valueOf(localDateTime(v, what));
        } else if (type == Blob.class) {
            out = new TetraBlob(bytes(v, what));
        } else if (type == Clob.class || type == java.sql.NClob.class) {
            out = new TetraClob(string(v));
        } else if (type == Array.class) {
            if (!(v instanceof Object[] a)) {
                throw cannot(v, what, "an ARRAY");
            }
            out = TetraArray.ofColumn(column.sqlType(), a);
        } else if (type == URL.class) {
            out = url(v, i);
        } else if (type == Character.class) {
            String s = string(v);
            if (s.length() != 1) {
                throw cannot(v, what, "one character");
            }
            out = s.charAt(0);
        } else if (type.isEnum()) {
            String s = string(v);
            try {
                out = Enum.valueOf(type.asSubclass(Enum.class), s);
            } catch (IllegalArgumentException e) {
                throw cannot(v, what, type.getName());
            }
        } else {
            Object o = object(v, column);
            if (!type.isInstance(o)) {
                throw cannot(v, what, type.getName());
            }
            out = o;
        }
        return (T) out;
    }

    /** getObject(i, Map): a value of a type named in the map... (Tetra has no user-defined types: as getObject). */
    static Object withMap(Object v, ColumnInfo column, Map<String, Class<?>> map) throws SQLException {
        if (v != null && map != null) {
            Class<?> c = map.get(column.sqlType());
            if (c != null) {
                return as(v, column, 0, c);
            }
        }
        return object(v, column);
    }

    static URL url(Object v, int i) throws SQLException {
        if (v == null) {
            return null;
        }
        try {
            return new URI(string(v).trim()).toURL();
        } catch (java.net.URISyntaxException | MalformedURLException | IllegalArgumentException e) {
            throw cannot(v, "Column " + i, "a URL");
        }
    }

    static SQLException cannot(Object v, String what, String into) {
        return new SQLException(what + " holds '" + shortText(v) + "', which cannot be read as " + into + ".", "22018");
    }

    static SQLException outOfRange(Object v, String what) {
        return new SQLException(what + " holds " + shortText(v) + ", out of range for the type asked for.", "22003");
    }

    private static String shortText(Object v) {
        String s = string(v);
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
