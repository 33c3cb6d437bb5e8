package io.tetradb.server.convert;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.function.LongConsumer;

/**
 * A table's row count and content checksum, computed the same way from the old engine
 * (the source) and the current one (the converted database), so that the two can be
 * compared exactly. Each value is normalized by the kind of its source column (so that
 * the same value reads the same from both engines: CHAR without its padding, decimals
 * without trailing zeros, dates and times as ISO text, LOBs read as streams, arrays
 * element by element, the elements of an untyped H2 1.4 array by their text), each row
 * is hashed (128 bits), and the row hashes are added up,
 * so that the order rows come in does not matter and nothing but one row is ever held.
 *
 * <p>One instance per table scan; the thread that runs the conversion.
 */
final class ContentDigest {
    /** How a column's values are read and normalized; decided from the source column. */
    enum Kind {
        BOOLEAN, INTEGER, DECIMAL, FLOAT, STRING, CHAR, CLOB, BYTES, BLOB, DATE, TIME, TIMESTAMP, TIMESTAMP_TZ,
        TIME_TZ, ARRAY, TEXT, OBJECT,
        /**
         * An H2 1.4 ARRAY (no element type; converted to CHARACTER VARYING ARRAY): its
         * length and each element's text as the engine shows it ({@code CAST(e AS VARCHAR)}
         * in H2 1.4, the element itself in the converted column).
         */
        ARRAY_TEXT;

        static Kind of(int jdbcType, String typeName) {
            String n = typeName == null ? "" : typeName.toUpperCase(Locale.ROOT);
            if (n.contains("UUID") || n.startsWith("ENUM") || n.startsWith("JSON") || n.startsWith("INTERVAL")
                    || n.startsWith("GEOMETRY")) {
                return TEXT;
            }
            switch (jdbcType) {
                case Types.BOOLEAN:
                case Types.BIT:
                    return BOOLEAN;
                case Types.TINYINT:
                case Types.SMALLINT:
                case Types.INTEGER:
                case Types.BIGINT:
                    return INTEGER;
                case Types.DECIMAL:
                case Types.NUMERIC:
                    return DECIMAL;
                case Types.REAL:
                case Types.FLOAT:
                case Types.DOUBLE:
                    return n.startsWith("DECFLOAT") ? DECIMAL : FLOAT;
                case Types.CHAR:
                case Types.NCHAR:
                    return CHAR;
                case Types.VARCHAR:
                case Types.NVARCHAR:
                case Types.LONGVARCHAR:
                case Types.LONGNVARCHAR:
                    return STRING;
                case Types.CLOB:
                case Types.NCLOB:
                    return CLOB;
                case Types.BINARY:
                case Types.VARBINARY:
                case Types.LONGVARBINARY:
                    return BYTES;
                case Types.BLOB:
                    return BLOB;
                case Types.DATE:
                    return DATE;
                case Types.TIME:
                    return TIME;
                case Types.TIMESTAMP:
                    return TIMESTAMP;
                case Types.TIMESTAMP_WITH_TIMEZONE:
                    return TIMESTAMP_TZ;
                case Types.TIME_WITH_TIMEZONE:
                    return TIME_TZ;
                case Types.ARRAY:
                    return ARRAY;
                case Types.JAVA_OBJECT:
                case Types.OTHER:
                    return OBJECT;
                default:
                    return TEXT;
            }
        }

        boolean isText() {
            return this == STRING || this == CHAR || this == CLOB;
        }

        boolean isArray() {
            return this == ARRAY || this == ARRAY_TEXT;
        }
    }

    /** The result for one table (or part of one: parts add up). */
    record TableSum(long rows, long sumHigh, long sumLow) {
        TableSum plus(TableSum o) {
            return new TableSum(rows + o.rows, sumHigh + o.sumHigh, sumLow + o.sumLow);
        }

        String hex() {
            return String.format(Locale.ROOT, "%016x%016x", sumHigh, sumLow);
        }
    }

    /**
     * Elements of an untyped H2 1.4 array compared one by one (each its text); a longer
     * array is compared by its length and the text of the whole array.
     */
    static final int ELEMENT_TEXTS = 256;

    private final RowBuffer row = new RowBuffer();

    /**
     * The kinds of {@code columns} of a table as the source engine reports them (one
     * query that reads no row).
     */
    static Kind[] kinds(Connection c, TableRef table, List<String> columns) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(table.select(columns) + " WHERE 1 = 0")) {
            ResultSetMetaData md = rs.getMetaData();
            Kind[] k = new Kind[columns.size()];
            for (int i = 0; i < k.length; i++) {
                k[i] = Kind.of(md.getColumnType(i + 1), md.getColumnTypeName(i + 1));
            }
            return k;
        }
    }

    /**
     * Counts and hashes every row of {@code table}.
     *
     * @param kinds    the source kinds of {@code columns}
     * @param repairs  per column, a repair applied to text before hashing (null: none)
     * @param progress told, now and then, how many more rows were read
     */
    TableSum digest(Connection c, TableRef table, List<String> columns, Kind[] kinds,
                    TextRepair[] repairs, LongConsumer progress) throws SQLException, IOException {
        return digest(c, table, columns, kinds, repairs, null, null, progress);
    }

    /**
     * As {@link #digest(Connection, TableRef, List, Kind[], TextRepair[], LongConsumer)} for
     * the rows whose {@code _ROWID_} is in {@code [from, to)} (null: no bound), so that a
     * large table can be read in parts, in parallel: the sums of the parts add up to the
     * table's.
     */
    TableSum digest(Connection c, TableRef table, List<String> columns, Kind[] kinds, TextRepair[] repairs,
                    Long from, Long to, LongConsumer progress) throws SQLException, IOException {
        long rows = 0;
        long high = 0;
        long low = 0;
        String where = "";
        if (from != null || to != null) {
            where = " WHERE " + (from != null ? "_ROWID_ >= " + from : "") + (from != null && to != null ? " AND " : "")
                    + (to != null ? "_ROWID_ < " + to : "");
        }
        // An untyped H2 1.4 array is read element by element as the old engine's text of each.
        int[] elements = new int[columns.size()];
        boolean[] whole = new boolean[columns.size()];
        boolean anyText = false;
        for (Kind k : kinds) {
            anyText |= k == Kind.ARRAY_TEXT;
        }
        if (anyText) {
            elementTexts(c, table, columns, kinds, where, elements, whole);
        }
        StringBuilder sql = new StringBuilder("SELECT ");
        for (int i = 0; i < columns.size(); i++) {
            String q = TableRef.quote(columns.get(i));
            sql.append(i > 0 ? ", " : "").append(q);
            for (int k = 1; k <= elements[i]; k++) {
                sql.append(", CAST(ARRAY_GET(").append(q).append(", ").append(k).append(") AS VARCHAR)");
            }
            if (whole[i]) {
                sql.append(", CAST(").append(q).append(" AS VARCHAR)");
            }
        }
        sql.append(" FROM ").append(table.qualified()).append(where);
        try (Statement st = c.createStatement()) {
            st.setFetchSize(1000);
            try (ResultSet rs = st.executeQuery(sql.toString())) {
                int n = columns.size();
                while (rs.next()) {
                    row.reset();
                    int at = 1;
                    for (int i = 0; i < n; i++) {
                        TextRepair repair = repairs == null ? null : repairs[i];
                        if (kinds[i] == Kind.ARRAY_TEXT) {
                            arrayText(rs, at, elements[i], whole[i] ? at + 1 + elements[i] : 0, repair);
                        } else {
                            value(rs, at, kinds[i], repair);
                        }
                        at += 1 + elements[i] + (whole[i] ? 1 : 0);
                    }
                    long[] h = row.hash();
                    high += h[0];
                    low += h[1];
                    rows++;
                    if ((rows & 0xFFF) == 0) {
                        progress.accept(0x1000);
                    }
                }
            }
        }
        progress.accept(rows & 0xFFF);
        return new TableSum(rows, high, low);
    }

    /**
     * For each {@link Kind#ARRAY_TEXT} column that is still untyped on {@code c} (the H2 1.4
     * source), the largest length among the rows read, up to {@link #ELEMENT_TEXTS}: so many
     * element texts are selected beside it; and whether some array is longer (then the text
     * of the whole array is selected too). A converted column (text elements already)
     * needs neither.
     */
    private static void elementTexts(Connection c, TableRef table, List<String> columns, Kind[] kinds, String where,
                                     int[] elements, boolean[] whole) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(table.select(columns) + " WHERE 1 = 0")) {
            ResultSetMetaData md = rs.getMetaData();
            for (int i = 0; i < kinds.length; i++) {
                if (kinds[i] == Kind.ARRAY_TEXT && "ARRAY".equalsIgnoreCase(md.getColumnTypeName(i + 1))) {
                    elements[i] = -1;
                }
            }
        }
        for (int i = 0; i < kinds.length; i++) {
            if (elements[i] < 0) {
                try (Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("SELECT MAX(ARRAY_LENGTH(" + TableRef.quote(columns.get(i)) + ")) FROM "
                             + table.qualified() + where)) {
                    rs.next();
                    int max = rs.getInt(1);
                    elements[i] = Math.min(max, ELEMENT_TEXTS);
                    whole[i] = max > ELEMENT_TEXTS;
                }
            }
        }
    }

    /**
     * An untyped array: NULL, or its length and each element's text (NULL elements as
     * NULL). {@code texts} > 0: the element texts are the {@code texts} result columns after
     * the array's (the source); otherwise the elements are the text (the converted column).
     * An array longer than {@link #ELEMENT_TEXTS} is hashed as its length and the text of
     * the whole array ({@code [e1, e2, null]}, as both engines show an array): on the
     * source the result column {@code wholeAt}.
     */
    private void arrayText(ResultSet rs, int i, int texts, int wholeAt, TextRepair repair) throws SQLException {
        Array a = rs.getArray(i);
        if (a == null) {
            row.nul();
            return;
        }
        Object[] arr = (Object[]) a.getArray();
        if (arr.length > ELEMENT_TEXTS) {
            String text;
            if (wholeAt > 0) {
                text = rs.getString(wholeAt);
                if (repair != null && repair.element() == 0) {
                    text = repair.text(text);
                }
            } else {
                Object[] e = repair != null ? repair.array(arr, false) : arr;
                StringBuilder sb = new StringBuilder().append('[');
                for (int k = 0; k < e.length; k++) {
                    sb.append(k > 0 ? ", " : "").append(e[k]);
                }
                text = sb.append(']').toString();
            }
            row.tag(12).putLong(arr.length).putString(text);
            return;
        }
        Object[] text = new Object[arr.length];
        for (int k = 0; k < arr.length; k++) {
            if (arr[k] == null) {
                text[k] = null;
            } else if (texts > 0) {
                text[k] = rs.getString(i + 1 + k);
            } else {
                text[k] = arr[k] instanceof String s ? s : String.valueOf(arr[k]);
            }
        }
        if (repair != null) {
            text = repair.array(text, false);
        }
        row.tag(11).putLong(text.length);
        for (Object t : text) {
            if (t == null) {
                row.nul();
            } else {
                row.tag(4).putString((String) t);
            }
        }
    }

    private void value(ResultSet rs, int i, Kind kind, TextRepair repair) throws SQLException, IOException {
        switch (kind) {
            case BOOLEAN -> {
                boolean b = rs.getBoolean(i);
                if (rs.wasNull()) {
                    row.nul();
                } else {
                    row.tag(6).put(b ? 1 : 0);
                }
            }
            case INTEGER -> {
                long v = rs.getLong(i);
                if (rs.wasNull()) {
                    row.nul();
                } else {
                    row.tag(1).putLong(v);
                }
            }
            case DECIMAL -> decimal(rs.getBigDecimal(i));
            case FLOAT -> {
                double d = rs.getDouble(i);
                if (rs.wasNull()) {
                    row.nul();
                } else {
                    row.tag(3).putLong(Double.doubleToLongBits(d));
                }
            }
            case STRING, TEXT -> string(rs.getString(i), repair, false);
            case CHAR -> string(rs.getString(i), repair, true);
            case CLOB -> clob(rs, i, repair);
            case BYTES, OBJECT -> bytes(rs.getBytes(i));
            case BLOB -> blob(rs, i);
            case DATE -> temporal(rs, i, LocalDate.class);
            case TIME -> temporal(rs, i, LocalTime.class);
            case TIMESTAMP -> temporal(rs, i, LocalDateTime.class);
            case TIMESTAMP_TZ -> temporal(rs, i, OffsetDateTime.class);
            case TIME_TZ -> temporal(rs, i, OffsetTime.class);
            case ARRAY -> {
                Array a = rs.getArray(i);
                if (a == null) {
                    row.nul();
                } else {
                    Object arr = a.getArray();
                    if (repair != null && arr instanceof Object[] elements) {
                        arr = repair.array(elements, false);
                    }
                    element(arr, null);
                }
            }
            default -> throw new IllegalStateException(kind.name());
        }
    }

    private void decimal(BigDecimal d) {
        if (d == null) {
            row.nul();
        } else {
            row.tag(2).putString(d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString());
        }
    }

    private void string(String s, TextRepair repair, boolean rtrim) {
        if (s == null) {
            row.nul();
            return;
        }
        if (rtrim) {
            int end = s.length();
            while (end > 0 && s.charAt(end - 1) == ' ') {
                end--;
            }
            s = s.substring(0, end);
        }
        row.tag(4).putString(repair == null ? s : repair.text(s));
    }

    private void clob(ResultSet rs, int i, TextRepair repair) throws SQLException, IOException {
        Clob clob = rs.getClob(i);
        if (clob == null) {
            row.nul();
            return;
        }
        try {
            Hash128 h = new Hash128();
            long length = 0;
            if (repair != null) {
                // A repaired text is re-read in its character set as a whole (as the repair does),
                // then hashed exactly as the converted CLOB will be streamed.
                String text = repair.text(clob.getSubString(1, (int) Math.min(Integer.MAX_VALUE, clob.length())));
                char[] all = text.toCharArray();
                for (int at = 0; at < all.length; at += 8192) {
                    int n = Math.min(8192, all.length - at);
                    h.update(Arrays.copyOfRange(all, at, at + n), n);
                }
                length = all.length;
            } else {
                char[] buf = new char[8192];
                try (Reader r = clob.getCharacterStream()) {
                    int n;
                    while ((n = r.read(buf)) > 0) {
                        h.update(buf, n);
                        length += n;
                    }
                }
            }
            long[] v = h.finish();
            row.tag(8).putLong(length).putLong(v[0]).putLong(v[1]);
        } finally {
            clob.free();
        }
    }

    private void blob(ResultSet rs, int i) throws SQLException, IOException {
        Blob blob = rs.getBlob(i);
        if (blob == null) {
            row.nul();
            return;
        }
        try {
            Hash128 h = new Hash128();
            long length = 0;
            byte[] buf = new byte[16384];
            try (InputStream in = blob.getBinaryStream()) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    h.update(buf, n);
                    length += n;
                }
            }
            long[] v = h.finish();
            row.tag(9).putLong(length).putLong(v[0]).putLong(v[1]);
        } finally {
            blob.free();
        }
    }

    private void bytes(byte[] b) {
        if (b == null) {
            row.nul();
        } else {
            row.tag(5).putBytes(b);
        }
    }

    private <T> void temporal(ResultSet rs, int i, Class<T> type) throws SQLException {
        Object v;
        try {
            v = rs.getObject(i, type);
        } catch (SQLException e) {
            // An engine that cannot give this type: its text form.
            v = rs.getString(i);
        }
        if (v == null) {
            row.nul();
        } else {
            row.tag(7).putString(v.toString());
        }
    }

    private void element(Object o, TextRepair repair) {
        if (o == null) {
            row.nul();
        } else if (o instanceof Object[] arr) {
            row.tag(10).putLong(arr.length);
            for (Object e : arr) {
                element(e, repair);
            }
        } else if (o instanceof BigDecimal d) {
            decimal(d);
        } else if (o instanceof Integer || o instanceof Long || o instanceof Short || o instanceof Byte) {
            row.tag(1).putLong(((Number) o).longValue());
        } else if (o instanceof BigInteger b) {
            decimal(new BigDecimal(b));
        } else if (o instanceof Double || o instanceof Float) {
            row.tag(3).putLong(Double.doubleToLongBits(((Number) o).doubleValue()));
        } else if (o instanceof String s) {
            string(s, repair, false);
        } else if (o instanceof byte[] b) {
            bytes(b);
        } else if (o instanceof Boolean b) {
            row.tag(6).put(b ? 1 : 0);
        } else if (o instanceof java.sql.Timestamp t) {
            row.tag(7).putString(t.toLocalDateTime().toString());
        } else if (o instanceof java.sql.Date d) {
            row.tag(7).putString(d.toLocalDate().toString());
        } else if (o instanceof java.sql.Time t) {
            row.tag(7).putString(t.toLocalTime().toString());
        } else {
            row.tag(4).putString(o.toString());
        }
    }

    /** A table, by schema and name, and how to select from it. */
    record TableRef(String schema, String name) {
        String qualified() {
            return quote(schema) + "." + quote(name);
        }

        String select(List<String> columns) {
            StringBuilder sb = new StringBuilder("SELECT ");
            for (int i = 0; i < columns.size(); i++) {
                if (i > 0) {
                    sb.append(", ");
                }
                sb.append(quote(columns.get(i)));
            }
            return sb.append(" FROM ").append(qualified()).toString();
        }

        /** {@code SCHEMA.NAME} as people read it. */
        String display() {
            return "PUBLIC".equals(schema) ? name : schema + "." + name;
        }

        static String quote(String identifier) {
            return '"' + identifier.replace("\"", "\"\"") + '"';
        }
    }

    /** One row's normalized values, hashed at the end of the row. */
    private static final class RowBuffer {
        private byte[] buf = new byte[256];
        private int len;

        void reset() {
            len = 0;
        }

        void nul() {
            tag(0);
        }

        RowBuffer tag(int t) {
            return put(t);
        }

        RowBuffer put(int b) {
            ensure(1);
            buf[len++] = (byte) b;
            return this;
        }

        RowBuffer putLong(long v) {
            ensure(8);
            for (int i = 7; i >= 0; i--) {
                buf[len++] = (byte) (v >>> (i * 8));
            }
            return this;
        }

        RowBuffer putString(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            return putBytes(b);
        }

        RowBuffer putBytes(byte[] b) {
            putLong(b.length);
            ensure(b.length);
            System.arraycopy(b, 0, buf, len, b.length);
            len += b.length;
            return this;
        }

        private void ensure(int n) {
            if (len + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
            }
        }

        long[] hash() {
            Hash128 h = new Hash128();
            h.update(buf, len);
            return h.finish();
        }
    }

    /**
     * A 128-bit non-cryptographic hash (MurmurHash3 x64 128 mixing, fed incrementally):
     * fast enough to checksum every value of a large database, wide enough that two
     * different contents do not meet by chance.
     */
    static final class Hash128 {
        private static final java.lang.invoke.VarHandle LITTLE_ENDIAN_LONG =
                java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
        private static final long C1 = 0x87c37b91114253d5L;
        private static final long C2 = 0x4cf5ad432745937fL;
        private long h1 = 0x9368e53c2f6af274L;
        private long h2 = 0x586dcd208f7cd3fdL;
        private long total;
        private final byte[] tail = new byte[16];
        private int tailLen;

        void update(byte[] b, int n) {
            int i = 0;
            total += n;
            if (tailLen > 0) {
                while (tailLen < 16 && i < n) {
                    tail[tailLen++] = b[i++];
                }
                if (tailLen < 16) {
                    return;
                }
                block(getLong(tail, 0), getLong(tail, 8));
                tailLen = 0;
            }
            for (; i + 16 <= n; i += 16) {
                block(getLong(b, i), getLong(b, i + 8));
            }
            while (i < n) {
                tail[tailLen++] = b[i++];
            }
        }

        void update(char[] c, int n) {
            byte[] b = new byte[n * 2];
            for (int i = 0; i < n; i++) {
                b[2 * i] = (byte) (c[i] >>> 8);
                b[2 * i + 1] = (byte) c[i];
            }
            update(b, b.length);
        }

        private void block(long k1, long k2) {
            k1 *= C1;
            k1 = Long.rotateLeft(k1, 31);
            k1 *= C2;
            h1 ^= k1;
            h1 = Long.rotateLeft(h1, 27);
            h1 += h2;
            h1 = h1 * 5 + 0x52dce729;
            k2 *= C2;
            k2 = Long.rotateLeft(k2, 33);
            k2 *= C1;
            h2 ^= k2;
            h2 = Long.rotateLeft(h2, 31);
            h2 += h1;
            h2 = h2 * 5 + 0x38495ab5;
        }

        long[] finish() {
            long k1 = 0;
            long k2 = 0;
            for (int i = tailLen - 1; i >= 8; i--) {
                k2 = (k2 << 8) | (tail[i] & 0xFF);
            }
            for (int i = Math.min(tailLen, 8) - 1; i >= 0; i--) {
                k1 = (k1 << 8) | (tail[i] & 0xFF);
            }
            if (tailLen > 8) {
                k2 *= C2;
                k2 = Long.rotateLeft(k2, 33);
                k2 *= C1;
                h2 ^= k2;
            }
            if (tailLen > 0) {
                k1 *= C1;
                k1 = Long.rotateLeft(k1, 31);
                k1 *= C2;
                h1 ^= k1;
            }
            h1 ^= total;
            h2 ^= total;
            h1 += h2;
            h2 += h1;
            h1 = fmix(h1);
            h2 = fmix(h2);
            h1 += h2;
            h2 += h1;
            return new long[] {h1, h2};
        }

        private static long fmix(long k) {
            k ^= k >>> 33;
            k *= 0xff51afd7ed558ccdL;
            k ^= k >>> 33;
            k *= 0xc4ceb9fe1a85ec53L;
            k ^= k >>> 33;
            return k;
        }

        /** The 8 bytes at {@code i}, little-endian (one load instead of eight). */
        private static long getLong(byte[] b, int i) {
            return (long) LITTLE_ENDIAN_LONG.get(b, i);
        }
    }

    /** Hex text of bytes, for the log. */
    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    /** The column names of {@code table} in their order, from the engine's INFORMATION_SCHEMA. */
    static List<String> columns(Connection c, TableRef table) throws SQLException {
        List<String> out = new ArrayList<>();
        try (var ps = c.prepareStatement("SELECT COLUMN_NAME FROM INFORMATION_SCHEMA.COLUMNS "
                + "WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION")) {
            ps.setString(1, table.schema());
            ps.setString(2, table.name());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }
}
