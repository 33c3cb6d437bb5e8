package io.tetradb.jdbc;

import io.tetradb.client.ColumnInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.SQLException;
import java.sql.Time;
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
import java.util.Calendar;
import java.util.List;
import java.util.TimeZone;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(30)
class JdbcValuesTest {
    static ColumnInfo col(String sqlType, int jdbcType) {
        return new ColumnInfo("C", "C", sqlType, jdbcType, true);
    }

    static void state(ResultSetITCall call, String state) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(SQLException.class,
                e -> assertThat(e.getSQLState()).isEqualTo(state));
    }

    interface ResultSetITCall {
        void run() throws Exception;
    }

    enum Size { SMALL }

    @Test
    void parametersBecomeWhatTheWireCarries() throws Exception {
        assertThat(JdbcValues.parameter(null)).isNull();
        assertThat(JdbcValues.parameter('x')).isEqualTo("x");
        assertThat(JdbcValues.parameter((short) 3)).isEqualTo(3);
        assertThat(JdbcValues.parameter((byte) 3)).isEqualTo(3);
        assertThat(JdbcValues.parameter(Timestamp.valueOf("2020-01-02 03:04:05.123456789")))
                .isEqualTo(LocalDateTime.of(2020, 1, 2, 3, 4, 5, 123_456_789));
        assertThat(JdbcValues.parameter(java.sql.Date.valueOf("2020-01-02"))).isEqualTo(LocalDate.of(2020, 1, 2));
        assertThat(JdbcValues.parameter(new Time(Timestamp.valueOf("1970-01-01 03:04:05.5").getTime())))
                .isEqualTo(LocalTime.of(3, 4, 5, 500_000_000));
        assertThat(JdbcValues.parameter(new java.util.Date(Timestamp.valueOf("2020-01-02 03:04:05").getTime())))
                .isEqualTo(LocalDateTime.of(2020, 1, 2, 3, 4, 5));
        Calendar cal = Calendar.getInstance(TimeZone.getTimeZone("UTC"));
        cal.setTimeInMillis(Instant.parse("2020-01-02T03:04:05Z").toEpochMilli());
        assertThat(JdbcValues.parameter(cal)).isEqualTo(LocalDateTime.of(2020, 1, 2, 3, 4, 5));
        assertThat(JdbcValues.parameter(Instant.parse("2020-01-02T03:04:05Z")))
                .isEqualTo(OffsetDateTime.of(2020, 1, 2, 3, 4, 5, 0, ZoneOffset.UTC));
        assertThat(JdbcValues.parameter(ZonedDateTime.parse("2020-01-02T03:04:05+02:00[Europe/Athens]")))
                .isEqualTo(OffsetDateTime.of(2020, 1, 2, 3, 4, 5, 0, ZoneOffset.ofHours(2)));
        assertThat(JdbcValues.parameter(new TetraBlob(new byte[] {1, 2}))).isEqualTo(new byte[] {1, 2});
        assertThat(JdbcValues.parameter(new TetraClob("abc"))).isEqualTo("abc");
        assertThat((Object[]) JdbcValues.parameter(new TetraArray("DATE", new Object[] {java.sql.Date.valueOf("2020-01-02")})))
                .containsExactly(LocalDate.of(2020, 1, 2));
        assertThat(JdbcValues.parameter(new ByteArrayInputStream(new byte[] {5}))).isEqualTo(new byte[] {5});
        assertThat(JdbcValues.parameter(new StringReader("r"))).isEqualTo("r");
        assertThat(JdbcValues.parameter(Size.SMALL)).isEqualTo("SMALL");
        assertThat((Object[]) JdbcValues.parameter(List.of(1, 'c'))).containsExactly(1, "c");
        assertThat((Object[]) JdbcValues.parameter(new long[] {1, 2})).containsExactly(1L, 2L);
        UUID u = UUID.randomUUID();
        assertThat(JdbcValues.parameter(u)).isSameAs(u);
    }

    @Test
    void setObjectWithATargetTypeFollowsTheConversionTable() throws Exception {
        assertThat(JdbcValues.parameter(" 12 ", Types.INTEGER)).isEqualTo(12);
        assertThat(JdbcValues.parameter("12", Types.BIGINT)).isEqualTo(12L);
        assertThat(JdbcValues.parameter(12, Types.VARCHAR)).isEqualTo("12");
        assertThat(JdbcValues.parameter(true, Types.VARCHAR)).isEqualTo("TRUE");
        assertThat(JdbcValues.parameter("2020-01-02", Types.DATE)).isEqualTo(LocalDate.of(2020, 1, 2));
        assertThat(JdbcValues.parameter("2020-01-02 03:04:05", Types.TIMESTAMP))
                .isEqualTo(LocalDateTime.of(2020, 1, 2, 3, 4, 5));
        assertThat(JdbcValues.parameter("03:04:05", Types.TIME)).isEqualTo(LocalTime.of(3, 4, 5));
        assertThat(JdbcValues.parameter("2020-01-02 03:04:05+02", Types.TIMESTAMP_WITH_TIMEZONE))
                .isEqualTo(OffsetDateTime.of(2020, 1, 2, 3, 4, 5, 0, ZoneOffset.ofHours(2)));
        assertThat(JdbcValues.parameter("03:04:05+02", Types.TIME_WITH_TIMEZONE))
                .isEqualTo(OffsetTime.of(3, 4, 5, 0, ZoneOffset.ofHours(2)));
        assertThat(JdbcValues.parameter(Timestamp.valueOf("2020-01-02 03:04:05"), Types.DATE))
                .isEqualTo(LocalDate.of(2020, 1, 2));
        assertThat(JdbcValues.parameter("yes", Types.BOOLEAN)).isEqualTo(true);
        assertThat(JdbcValues.parameter(0, Types.BIT)).isEqualTo(false);
        assertThat(JdbcValues.parameter("1.5", Types.DOUBLE)).isEqualTo(1.5);
        assertThat(JdbcValues.parameter(1.5, Types.REAL)).isEqualTo(1.5f);
        assertThat(JdbcValues.parameter(0, 2.345, Types.NUMERIC, 2)).isEqualTo(new BigDecimal("2.35"));
        assertThat(JdbcValues.parameter(new BigInteger("7"), Types.DECIMAL)).isEqualTo(new BigDecimal("7"));
        assertThat(JdbcValues.parameter("ab", Types.VARBINARY)).isEqualTo("ab".getBytes(StandardCharsets.UTF_8));
        assertThat(JdbcValues.parameter(0, new ByteArrayInputStream(new byte[] {1, 2, 3}), Types.BLOB, 2))
                .isEqualTo(new byte[] {1, 2});
        assertThat(JdbcValues.parameter(0, new StringReader("abcdef"), Types.CLOB, 3)).isEqualTo("abc");
        assertThat(JdbcValues.parameter(null, Types.INTEGER)).isNull();
        assertThat(JdbcValues.parameter(1.5, Types.INTEGER)).as("rounded half up as H2 does").isEqualTo(2);
        state(() -> JdbcValues.parameter(3, "x", Types.INTEGER, -1), "22018");
        assertThatThrownBy(() -> JdbcValues.parameter(3, "x", Types.INTEGER, -1)).hasMessageContaining("parameter 3");
        state(() -> JdbcValues.parameter("soon", Types.DATE), "22018");
        state(() -> JdbcValues.parameter(300, Types.TINYINT), "22003");
        state(() -> JdbcValues.parameter(1L << 40, Types.INTEGER), "22003");
        state(() -> JdbcValues.parameter(Double.NaN, Types.BIGINT), "22003");
        state(() -> JdbcValues.parameter(12, Types.ARRAY), "22018");
        state(() -> JdbcValues.parameter(LocalDate.now(), Types.INTEGER), "22018");
        state(() -> JdbcValues.parameter("maybe", Types.BOOLEAN), "22018");
    }

    @Test
    void getObjectGivesH2sClasses() throws Exception {
        assertThat(JdbcValues.object(5L, col("TINYINT", Types.TINYINT))).isEqualTo(5);
        assertThat(JdbcValues.object(5L, col("SMALLINT", Types.SMALLINT))).isEqualTo(5);
        assertThat(JdbcValues.object(5, col("INTEGER", Types.INTEGER))).isEqualTo(5);
        assertThat(JdbcValues.object(5L, col("BIGINT", Types.BIGINT))).isEqualTo(5L);
        assertThat(JdbcValues.object(1.5f, col("REAL", Types.REAL))).isEqualTo(1.5f);
        assertThat(JdbcValues.object(LocalDate.of(2020, 1, 2), col("DATE", Types.DATE)))
                .isEqualTo(java.sql.Date.valueOf("2020-01-02"));
        assertThat(JdbcValues.object(LocalTime.of(1, 2, 3, 500_000_000), col("TIME", Types.TIME)))
                .isEqualTo(new Time(Timestamp.valueOf("1970-01-01 01:02:03.5").getTime()));
        assertThat(JdbcValues.object(LocalDateTime.of(2020, 1, 2, 3, 4, 5), col("TIMESTAMP", Types.TIMESTAMP)))
                .isEqualTo(Timestamp.valueOf("2020-01-02 03:04:05"));
        assertThat(JdbcValues.object("x", col("CHARACTER LARGE OBJECT", Types.CLOB))).isInstanceOf(Clob.class);
        assertThat(JdbcValues.object(new byte[] {1}, col("BINARY LARGE OBJECT", Types.BLOB))).isInstanceOf(Blob.class);
        assertThat(JdbcValues.object("{}", col("JSON", Types.OTHER))).isEqualTo("{}".getBytes(StandardCharsets.UTF_8));
        Array a = (Array) JdbcValues.object(new Object[] {LocalDate.of(2020, 1, 2)}, col("DATE ARRAY", Types.ARRAY));
        assertThat(a.getBaseType()).isEqualTo(Types.DATE);
        assertThat(a.getBaseTypeName()).isEqualTo("DATE");
        assertThat((Object[]) a.getArray()).containsExactly(java.sql.Date.valueOf("2020-01-02"));
        assertThat(JdbcValues.object(null, col("INTEGER", Types.INTEGER))).isNull();
        assertThat(JdbcValues.className(Types.SMALLINT, "SMALLINT")).isEqualTo(Integer.class.getName());
        assertThat(JdbcValues.className(Types.BINARY, "UUID")).isEqualTo(UUID.class.getName());
        assertThat(JdbcValues.className(Types.OTHER, "INTERVAL DAY")).isEqualTo(String.class.getName());
    }

    @Test
    void getStringGivesH2sText() {
        assertThat(JdbcValues.string(true)).isEqualTo("TRUE");
        assertThat(JdbcValues.string(LocalDateTime.of(2020, 1, 2, 3, 4, 5, 500_000_000))).isEqualTo("2020-01-02 03:04:05.5");
        assertThat(JdbcValues.string(LocalDateTime.of(2020, 1, 2, 3, 4))).isEqualTo("2020-01-02 03:04:00");
        assertThat(JdbcValues.string(OffsetDateTime.of(2020, 1, 2, 3, 4, 5, 0, ZoneOffset.ofHoursMinutes(5, 30))))
                .isEqualTo("2020-01-02 03:04:05+05:30");
        assertThat(JdbcValues.string(OffsetTime.of(3, 4, 5, 0, ZoneOffset.UTC))).isEqualTo("03:04:05+00");
        assertThat(JdbcValues.string(new BigDecimal("1E-7"))).isEqualTo("0.0000001");
        assertThat(JdbcValues.string(new Object[] {1, null, "a"})).isEqualTo("[1, null, a]");
        assertThat(JdbcValues.string("é".getBytes(StandardCharsets.UTF_8))).isEqualTo("é");
        assertThat(JdbcValues.string(null)).isNull();
    }

    @Test
    void getterConversionsAndTheirRefusals() throws Exception {
        assertThat(JdbcValues.integral(new BigDecimal("2.5"), 1, Integer.MIN_VALUE, Integer.MAX_VALUE)).isEqualTo(3);
        assertThat(JdbcValues.integral("-7", 1, Byte.MIN_VALUE, Byte.MAX_VALUE)).isEqualTo(-7);
        assertThat(JdbcValues.integral(true, 1, 0, 1)).isEqualTo(1);
        state(() -> JdbcValues.integral(128, 1, Byte.MIN_VALUE, Byte.MAX_VALUE), "22003");
        state(() -> JdbcValues.integral(new BigDecimal("1E30"), 1, Long.MIN_VALUE, Long.MAX_VALUE), "22003");
        state(() -> JdbcValues.integral("x", 1, 0, 1), "22018");
        state(() -> JdbcValues.toFloat(1e300, 1), "22003");
        assertThat(JdbcValues.toFloat(Double.NaN, 1)).isNaN();
        assertThat(JdbcValues.decimal(1.1, 1)).isEqualTo(new BigDecimal("1.1"));
        state(() -> JdbcValues.decimal(Double.NaN, 1), "22018");
        assertThat(JdbcValues.toBoolean("FALSE", 1)).isFalse();
        assertThat(JdbcValues.toBoolean(new BigDecimal("0.0"), 1)).isFalse();
        ColumnInfo v = col("CHARACTER VARYING", Types.VARCHAR);
        assertThat(JdbcValues.as("2020-01-02", v, 1, LocalDate.class)).isEqualTo(LocalDate.of(2020, 1, 2));
        assertThat(JdbcValues.as(LocalDate.of(2020, 1, 2), v, 1, LocalDateTime.class))
                .isEqualTo(LocalDateTime.of(2020, 1, 2, 0, 0));
        assertThat(JdbcValues.as("12", v, 1, BigInteger.class)).isEqualTo(BigInteger.valueOf(12));
        assertThat(JdbcValues.as("c", v, 1, Character.class)).isEqualTo('c');
        assertThat(JdbcValues.as("SMALL", v, 1, Size.class)).isEqualTo(Size.SMALL);
        UUID u = UUID.randomUUID();
        byte[] ub = JdbcValues.as(u, col("UUID", Types.BINARY), 1, byte[].class);
        assertThat(JdbcValues.as(ub, col("BINARY", Types.BINARY), 1, UUID.class)).isEqualTo(u);
        assertThat(JdbcValues.as(null, v, 1, Integer.class)).isNull();
        state(() -> JdbcValues.as("x", v, 1, Integer.class), "22018");
        state(() -> JdbcValues.as("x", v, 1, UUID.class), "22018");
        state(() -> JdbcValues.as("x", v, 1, Thread.class), "22018");
        state(() -> JdbcValues.as(1L << 40, v, 1, Integer.class), "22003");
        state(() -> JdbcValues.as("x", v, 1, null), "HY009");
        state(() -> JdbcValues.url("not a url", 1), "22018");
    }

    @Test
    void lobsAndArraysInMemory() throws Exception {
        TetraBlob b = new TetraBlob(new byte[] {1, 2, 3, 4});
        assertThat(b.getBytes(2, 10)).containsExactly(2, 3, 4);
        assertThat(b.getBinaryStream(2, 2).readAllBytes()).containsExactly(2, 3);
        assertThat(b.position(new byte[] {3, 4}, 1)).isEqualTo(3);
        assertThat(b.position(new byte[] {9}, 1)).isEqualTo(-1);
        assertThat(b.setBytes(5, new byte[] {5, 6})).isEqualTo(2);
        assertThat(b.length()).isEqualTo(6);
        b.truncate(2);
        assertThat(b.getBinaryStream().readAllBytes()).containsExactly(1, 2);
        state(() -> b.getBytes(0, 1), "22003");
        b.free();
        state(b::length, "HY010");

        TetraClob c = new TetraClob("hello world");
        assertThat(c.getSubString(7, 5)).isEqualTo("world");
        assertThat(c.position("world", 1)).isEqualTo(7);
        assertThat(c.position(new TetraClob("o"), 6)).isEqualTo(8);
        try (var w = c.setCharacterStream(7)) {
            w.write("there");
        }
        assertThat(c.getSubString(1, 100)).isEqualTo("hello there");
        c.setString(12, "!");
        assertThat(new String(c.getAsciiStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("hello there!");
        char[] buf = new char[5];
        assertThat(c.getCharacterStream(1, 5).read(buf)).isEqualTo(5);
        assertThat(new String(buf)).isEqualTo("hello");
        c.truncate(5);
        assertThat(c.length()).isEqualTo(5);

        TetraArray a = TetraArray.ofColumn("CHARACTER VARYING(5) ARRAY", new Object[] {"a", null, "c"});
        assertThat(a.getBaseTypeName()).isEqualTo("CHARACTER VARYING");
        assertThat(a.getBaseType()).isEqualTo(Types.VARCHAR);
        assertThat((Object[]) a.getArray(2, 5)).containsExactly(null, "c");
        try (var rs = a.getResultSet(2, 1)) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong("INDEX")).isEqualTo(2);
            assertThat(rs.getString("VALUE")).isNull();
            assertThat(rs.wasNull()).isTrue();
            assertThat(rs.next()).isFalse();
        }
        state(() -> a.getArray(0, 1), "22003");
    }
}
