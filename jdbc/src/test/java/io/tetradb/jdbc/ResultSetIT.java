package io.tetradb.jdbc;

import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(180)
class ResultSetIT {
    /** One literal of every H2 type (INTERVAL, ROW and JAVA_OBJECT differ from H2 on purpose: docs/jdbc.md). */
    static final String EVERY_TYPE = "SELECT TRUE B, CAST(-7 AS TINYINT) TI, CAST(300 AS SMALLINT) SI, 70000 I, "
            + "CAST(9000000000 AS BIGINT) BI, CAST(1.50 AS NUMERIC(5,2)) N, CAST(1.5 AS REAL) R, CAST(2.25 AS DOUBLE) D, "
            + "CAST(1.5 AS DECFLOAT) DF, CAST('ab' AS CHAR(3)) C, 'héllo' V, CAST('Ab' AS VARCHAR_IGNORECASE) VI, "
            + "CAST('clob text' AS CLOB) CL, X'0102ff' VB, CAST(X'0a0b' AS BINARY(2)) BN, CAST(X'c3a9' AS BLOB) BL, "
            + "DATE '2020-01-02' DT, TIME '10:11:12.5' TM, TIMESTAMP '2020-01-02 10:11:12.123456' TS, "
            + "TIMESTAMP WITH TIME ZONE '2020-01-02 10:11:12.5+05:30' TSZ, TIME WITH TIME ZONE '10:11:12+02:00' TMZ, "
            + "CAST('0f8fad5b-d9cb-469f-a165-70867728950e' AS UUID) U, JSON '{\"a\":1}' J, ARRAY[1,2,NULL] AI, "
            + "ARRAY['x','y'] AV, ARRAY[DATE '2020-01-02'] AD, CAST(NULL AS INTEGER) NI, GEOMETRY 'POINT (1 2)' G";

    @TempDir
    Path dir;
    TetraServer server;

    @BeforeEach
    void start() throws Exception {
        server = TestServers.start(dir);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** The JDBC interface a LOB or array value implements, or its class. */
    static Class<?> kind(Object o) {
        if (o == null) {
            return null;
        }
        for (Class<?> c : List.of(Blob.class, Clob.class, Array.class)) {
            if (c.isInstance(o)) {
                return c;
            }
        }
        return o.getClass();
    }

    /** A comparable form of a value: LOBs and arrays as their content. */
    static Object content(Object o) throws SQLException {
        if (o instanceof Blob b) {
            return List.of(b.getBytes(1, (int) b.length()));
        }
        if (o instanceof Clob c) {
            return c.getSubString(1, (int) c.length());
        }
        if (o instanceof Array a) {
            List<Object> out = new ArrayList<>();
            for (Object e : (Object[]) a.getArray()) {
                out.add(content(e));
            }
            return out;
        }
        if (o instanceof byte[] b) {
            return List.of(b);
        }
        return o;
    }

    @Test
    void getObjectGivesTheClassesAndValuesH2sOwnDriverGives() throws SQLException {
        try (Connection h2 = DriverManager.getConnection("jdbc:h2:mem:rs_it");
             Connection tetra = JdbcServers.admin(server);
             Statement hs = h2.createStatement(); Statement ts = tetra.createStatement();
             ResultSet h = hs.executeQuery(EVERY_TYPE); ResultSet t = ts.executeQuery(EVERY_TYPE)) {
            assertThat(h.next()).isTrue();
            assertThat(t.next()).isTrue();
            ResultSetMetaData hm = h.getMetaData();
            ResultSetMetaData tm = t.getMetaData();
            assertThat(tm.getColumnCount()).isEqualTo(hm.getColumnCount());
            for (int i = 1; i <= hm.getColumnCount(); i++) {
                String label = hm.getColumnLabel(i);
                Object ho = h.getObject(i);
                Object to = t.getObject(i);
                assertThat(kind(to)).as(label).isEqualTo(kind(ho));
                assertThat(content(to)).as(label).usingRecursiveComparison().isEqualTo(content(ho));
                assertThat(t.getString(i)).as(label).isEqualTo(h.getString(i));
                assertThat(t.wasNull()).as(label).isEqualTo(h.wasNull());
                assertThat(tm.getColumnLabel(i)).as(label).isEqualTo(label);
                assertThat(tm.getColumnType(i)).as(label).isEqualTo(hm.getColumnType(i));
                assertThat(tm.getColumnTypeName(i)).as(label).isEqualTo(hm.getColumnTypeName(i));
                assertThat(tm.getColumnClassName(i)).as(label).isEqualTo(hm.getColumnClassName(i));
                assertThat(tm.getPrecision(i)).as(label).isEqualTo(hm.getPrecision(i));
                assertThat(tm.getScale(i)).as(label).isEqualTo(hm.getScale(i));
                assertThat(tm.getColumnDisplaySize(i)).as(label).isEqualTo(hm.getColumnDisplaySize(i));
                assertThat(tm.isNullable(i)).as(label).isEqualTo(hm.isNullable(i));
                assertThat(tm.isSigned(i)).as(label).isEqualTo(hm.isSigned(i));
                assertThat(tm.isCaseSensitive(i)).as(label).isEqualTo(hm.isCaseSensitive(i));
                if (ho instanceof Array ha) {
                    Array ta = (Array) to;
                    assertThat(ta.getBaseType()).as(label).isEqualTo(ha.getBaseType());
                    assertThat(ta.getBaseTypeName()).as(label).isEqualTo(ha.getBaseTypeName());
                }
            }
        }
    }

    @Test
    void getObjectWithAClassConvertsToJavaTime() throws SQLException {
        try (Connection c = JdbcServers.admin(server); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT DATE '2020-01-02', TIME '10:11:12.5', "
                     + "TIMESTAMP '2020-01-02 10:11:12.5', TIMESTAMP WITH TIME ZONE '2020-01-02 10:11:12.5+02:00', "
                     + "TIME WITH TIME ZONE '10:11:12+02:00', CAST('0f8fad5b-d9cb-469f-a165-70867728950e' AS UUID), "
                     + "CAST(12345678901234567890 AS NUMERIC(20)), 42, 'x', CAST(NULL AS DATE)")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getObject(1, LocalDate.class)).isEqualTo(LocalDate.of(2020, 1, 2));
            assertThat(rs.getObject(2, LocalTime.class)).isEqualTo(LocalTime.of(10, 11, 12, 500_000_000));
            assertThat(rs.getObject(3, LocalDateTime.class)).isEqualTo(LocalDateTime.of(2020, 1, 2, 10, 11, 12, 500_000_000));
            OffsetDateTime odt = OffsetDateTime.of(2020, 1, 2, 10, 11, 12, 500_000_000, ZoneOffset.ofHours(2));
            assertThat(rs.getObject(4, OffsetDateTime.class)).isEqualTo(odt);
            assertThat(rs.getObject(4, ZonedDateTime.class)).isEqualTo(odt.toZonedDateTime());
            assertThat(rs.getObject(4, Instant.class)).isEqualTo(odt.toInstant());
            assertThat(rs.getTimestamp(4)).isEqualTo(Timestamp.from(odt.toInstant()));
            assertThat(rs.getObject(5, OffsetTime.class)).isEqualTo(OffsetTime.of(10, 11, 12, 0, ZoneOffset.ofHours(2)));
            assertThat(rs.getObject(6, UUID.class)).isEqualTo(UUID.fromString("0f8fad5b-d9cb-469f-a165-70867728950e"));
            assertThat(rs.getObject(6, String.class)).isEqualTo("0f8fad5b-d9cb-469f-a165-70867728950e");
            assertThat(rs.getObject(7, BigInteger.class)).isEqualTo(new BigInteger("12345678901234567890"));
            assertThat(rs.getObject(8, Long.class)).isEqualTo(42L);
            assertThat(rs.getObject(8, Short.class)).isEqualTo((short) 42);
            assertThat(rs.getObject(8, BigDecimal.class)).isEqualTo(BigDecimal.valueOf(42));
            assertThat(rs.getObject(8, String.class)).isEqualTo("42");
            assertThat(rs.getObject(1, java.sql.Date.class)).isEqualTo(java.sql.Date.valueOf("2020-01-02"));
            assertThat(rs.getObject(3, java.util.Date.class)).isEqualTo(Timestamp.valueOf("2020-01-02 10:11:12.5"));
            assertThat(rs.getObject(10, LocalDate.class)).isNull();
            assertThat(rs.wasNull()).isTrue();
            assertThatThrownBy(() -> rs.getObject(9, LocalDate.class))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("22018"));
            assertThatThrownBy(() -> rs.getObject(7, Long.class))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("22003"));
        }
    }

    /** An ARRAY, ROW or DECFLOAT after a NULL column was read as NULL (the server's stale wasNull). */
    @Test
    void anArrayAfterANullColumnKeepsItsValue() throws SQLException {
        try (Connection c = JdbcServers.admin(server); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT CAST(NULL AS VARCHAR), ARRAY[1, 2], CAST(NULL AS INT), "
                     + "CAST(2.5 AS DECFLOAT), CAST(NULL AS INT), ROW(1, 'a'), CAST(NULL AS INT ARRAY)")) {
            assertThat(rs.next()).isTrue();
            assertThat((Object[]) rs.getArray(2).getArray()).containsExactly(1, 2);
            assertThat(rs.getBigDecimal(4)).isEqualByComparingTo("2.5");
            assertThat(rs.getString(6)).isEqualTo("[1, a]");
            assertThat(rs.getArray(7)).isNull();
            assertThat(rs.wasNull()).isTrue();
        }
    }

    @Test
    void sqlNullGivesNullZeroOrFalseAndWasNull() throws SQLException {
        try (Connection c = JdbcServers.admin(server); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT CAST(NULL AS INTEGER) N, CAST(NULL AS VARCHAR) V, "
                     + "CAST(NULL AS TIMESTAMP) T, CAST(NULL AS BLOB) B, CAST(NULL AS INTEGER ARRAY) A, 1 ONE")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isZero();
            assertThat(rs.wasNull()).isTrue();
            assertThat(rs.getInt(6)).isEqualTo(1);
            assertThat(rs.wasNull()).isFalse();
            assertThat(rs.getLong("N")).isZero();
            assertThat(rs.wasNull()).isTrue();
            assertThat(rs.getBoolean(1)).isFalse();
            assertThat(rs.getDouble(1)).isZero();
            assertThat(rs.getByte(1)).isZero();
            assertThat(rs.getShort(1)).isZero();
            assertThat(rs.getFloat(1)).isZero();
            assertThat(rs.getBigDecimal(1)).isNull();
            assertThat(rs.getString("V")).isNull();
            assertThat(rs.wasNull()).isTrue();
            assertThat(rs.getTimestamp(3)).isNull();
            assertThat(rs.getDate(3)).isNull();
            assertThat(rs.getBlob(4)).isNull();
            assertThat(rs.getBytes(4)).isNull();
            assertThat(rs.getBinaryStream(4)).isNull();
            assertThat(rs.getCharacterStream(2)).isNull();
            assertThat(rs.getArray("A")).isNull();
            assertThat(rs.getObject(5)).isNull();
            assertThat(rs.wasNull()).isTrue();
        }
    }

    @Test
    void outOfRangeIs22003AndUnparsableIs22018() throws SQLException {
        try (Connection c = JdbcServers.admin(server); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT 300, CAST(9000000000 AS BIGINT), 'abc', CAST(1.5 AS NUMERIC(3,1)), "
                     + "CAST(1E300 AS DOUBLE), 'maybe'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getShort(1)).isEqualTo((short) 300);
            assertState(() -> rs.getByte(1), "22003");
            assertState(() -> rs.getInt(2), "22003");
            assertThat(rs.getLong(2)).isEqualTo(9_000_000_000L);
            assertState(() -> rs.getInt(3), "22018");
            assertState(() -> rs.getDate(3), "22018");
            assertThat(rs.getInt(4)).as("rounded half up as H2 does").isEqualTo(2);
            assertState(() -> rs.getFloat(5), "22003");
            assertState(() -> rs.getBoolean(6), "22018");
        }
    }

    interface Call {
        void run() throws SQLException;
    }

    static void assertState(Call call, String state) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(SQLException.class,
                e -> assertThat(e.getSQLState()).isEqualTo(state));
    }

    @Test
    void theCursorIsForwardOnlyAndLooksAheadForIsLast() throws SQLException {
        try (Connection c = JdbcServers.admin(server); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT X FROM SYSTEM_RANGE(1, 3)")) {
                assertThat(rs.isBeforeFirst()).isTrue();
                assertThat(rs.next()).isTrue();
                assertThat(rs.isFirst()).isTrue();
                assertThat(rs.isLast()).isFalse();
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(2);
                assertThat(rs.next()).isTrue();
                assertThat(rs.isLast()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(3);
                assertThat(rs.getRow()).isEqualTo(3);
                assertThat(rs.next()).isFalse();
                assertThat(rs.isAfterLast()).isTrue();
                assertState(rs::previous, "24000");
                assertState(() -> rs.absolute(1), "24000");
                assertState(rs::beforeFirst, "24000");
                assertThat(rs.getType()).isEqualTo(ResultSet.TYPE_FORWARD_ONLY);
                assertThat(rs.getFetchDirection()).isEqualTo(ResultSet.FETCH_FORWARD);
                rs.setFetchSize(10);
                assertThat(rs.getFetchSize()).isEqualTo(10);
                assertThat(rs.rowUpdated()).isFalse();
                assertThatThrownBy(() -> rs.updateInt(1, 2)).isInstanceOf(java.sql.SQLFeatureNotSupportedException.class);
            }
            try (ResultSet rs = s.executeQuery("SELECT X FROM SYSTEM_RANGE(1, 0)")) {
                assertThat(rs.isBeforeFirst()).isFalse();
                assertThat(rs.next()).isFalse();
                assertThat(rs.isAfterLast()).isFalse();
            }
        }
    }

    @Test
    void maxFieldSizeCutsCharacterAndBinaryValues() throws SQLException {
        try (Connection c = JdbcServers.admin(server); Statement s = c.createStatement()) {
            s.setMaxFieldSize(3);
            try (ResultSet rs = s.executeQuery("SELECT 'abcdef', X'0102030405', 123456")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("abc");
                assertThat(rs.getObject(1)).isEqualTo("abc");
                assertThat(rs.getBytes(2)).containsExactly(1, 2, 3);
                assertThat(rs.getString(3)).isEqualTo("123456");
            }
        }
    }

    @Test
    void gettersReadByLabelAndConvert() throws Exception {
        try (Connection c = JdbcServers.admin(server); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT 'http://example.com/a' U, CAST('text' AS CLOB) CL, X'41' BIN, "
                     + "ARRAY[10, 20, 30] A, CAST(2.345 AS NUMERIC(5,3)) N, TIMESTAMP '2020-01-02 03:04:05' T, '1' S")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getURL("u")).isEqualTo(new java.net.URL("http://example.com/a"));
            assertState(() -> rs.getURL("S"), "22018");
            assertThat(rs.getClob("CL").getSubString(2, 2)).isEqualTo("ex");
            assertThat(new String(rs.getAsciiStream("CL").readAllBytes())).isEqualTo("text");
            assertThat(rs.getCharacterStream("CL").read()).isEqualTo('t');
            assertThat(rs.getNString("CL")).isEqualTo("text");
            assertThat(rs.getBinaryStream("BIN").readAllBytes()).containsExactly(0x41);
            assertThat(rs.getBlob("BIN").length()).isEqualTo(1);
            Array a = rs.getArray("A");
            assertThat(a.getBaseType()).isEqualTo(Types.INTEGER);
            assertThat((Object[]) a.getArray(2, 2)).containsExactly(20, 30);
            try (ResultSet ars = a.getResultSet()) {
                assertThat(ars.next()).isTrue();
                assertThat(ars.getLong("INDEX")).isEqualTo(1);
                assertThat(ars.getInt("VALUE")).isEqualTo(10);
            }
            assertThat(rs.getBigDecimal("N")).isEqualByComparingTo("2.345");
            @SuppressWarnings("deprecation")
            BigDecimal scaled = rs.getBigDecimal("N", 2);
            assertThat(scaled).isEqualTo(new BigDecimal("2.35"));
            assertThat(rs.getDate("T")).isEqualTo(java.sql.Date.valueOf("2020-01-02"));
            assertThat(rs.getTime("T")).isEqualTo(java.sql.Time.valueOf("03:04:05"));
            java.util.Calendar utc = java.util.Calendar.getInstance(java.util.TimeZone.getTimeZone("UTC"));
            assertThat(rs.getTimestamp("T", utc).toInstant()).isEqualTo(Instant.parse("2020-01-02T03:04:05Z"));
            assertThat(rs.getBoolean("S")).isTrue();
            assertThat(rs.getObject("S", java.util.Map.of())).isEqualTo("1");
            assertState(() -> rs.getInt("NOPE"), "42S22");
        }
    }

    @Test
    void metaDataDescribesATablesColumns() throws SQLException {
        try (Connection c = JdbcServers.admin(server); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE M(ID BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, NAME VARCHAR(20) NOT NULL, "
                    + "AMOUNT NUMERIC(10,2), AT TIMESTAMP(3))");
            try (ResultSet rs = s.executeQuery("SELECT ID, NAME AS N, AMOUNT, AT FROM M")) {
                ResultSetMetaData md = rs.getMetaData();
                assertThat(md.getColumnCount()).isEqualTo(4);
                assertThat(md.getTableName(1)).isEqualTo("M");
                assertThat(md.getSchemaName(1)).isEqualTo("PUBLIC");
                assertThat(md.getCatalogName(1)).isNotEmpty();
                assertThat(md.isAutoIncrement(1)).isTrue();
                assertThat(md.isAutoIncrement(2)).isFalse();
                assertThat(md.getColumnName(2)).isEqualTo("NAME");
                assertThat(md.getColumnLabel(2)).isEqualTo("N");
                assertThat(md.isNullable(2)).isEqualTo(ResultSetMetaData.columnNoNulls);
                assertThat(md.isNullable(3)).isEqualTo(ResultSetMetaData.columnNullable);
                assertThat(md.getPrecision(2)).isEqualTo(20);
                assertThat(md.getPrecision(3)).isEqualTo(10);
                assertThat(md.getScale(3)).isEqualTo(2);
                assertThat(md.getScale(4)).isEqualTo(3);
                assertThat(md.getColumnType(4)).isEqualTo(Types.TIMESTAMP);
                assertThat(md.getColumnClassName(1)).isEqualTo(Long.class.getName());
                assertThat(md.isSigned(3)).isTrue();
                assertThat(md.isCurrency(3)).isFalse();
                assertThat(md.isSearchable(2)).isTrue();
                assertThat(md.unwrap(TetraResultSetMetaData.class)).isSameAs(md);
                assertState(() -> md.getColumnType(5), "07009");
            }
        }
    }

    /** A million rows of ~100 characters read with fetch size 1000: the heap grows by far less than they take. */
    @Test
    void aMillionRowSelectStreamsInLittleMemory() throws SQLException {
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        try (Connection c = JdbcServers.admin(server); Statement s = c.createStatement()) {
            s.setFetchSize(1000);
            System.gc();
            long before = mem.getHeapMemoryUsage().getUsed();
            long peak = 0;
            long rows = 0;
            long sum = 0;
            try (ResultSet rs = s.executeQuery("SELECT X, REPEAT('x', 100) FROM SYSTEM_RANGE(1, 1000000)")) {
                while (rs.next()) {
                    rows++;
                    sum += rs.getLong(1);
                    assertThat(rs.getString(2)).hasSize(100);
                    if (rows == 900_000) {
                        System.gc();
                        peak = mem.getHeapMemoryUsage().getUsed();
                    }
                }
            }
            assertThat(rows).isEqualTo(1_000_000);
            assertThat(sum).isEqualTo(500_000_500_000L);
            // 1M rows of 100 characters would take well over 200 MB held; the bound is 64 MB.
            // (The server runs in this JVM too: its share is the batches in flight.)
            System.out.println("heap growth reading 1M rows: " + ((peak - before) >> 10) + " KiB");
            assertThat(peak - before).isLessThan(64L << 20);
        }
    }

}
