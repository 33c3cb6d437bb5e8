package io.tetradb.jdbc;

import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.JDBCType;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
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
import java.util.Calendar;
import java.util.TimeZone;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(120)
class PreparedStatementIT {
    static final String TABLE = "CREATE TABLE T(ID INT PRIMARY KEY, B BOOLEAN, TI TINYINT, SI SMALLINT, I INTEGER, "
            + "BI BIGINT, N NUMERIC(10,3), R REAL, D DOUBLE, DF DECFLOAT, C CHAR(4), V VARCHAR(100), "
            + "VI VARCHAR_IGNORECASE(10), CL CLOB, VB VARBINARY(100), BL BLOB, DT DATE, TM TIME(3), TS TIMESTAMP(6), "
            + "TSZ TIMESTAMP(3) WITH TIME ZONE, TMZ TIME WITH TIME ZONE, U UUID, J JSON, A INTEGER ARRAY, "
            + "E ENUM('red', 'green'), IV INTERVAL DAY TO SECOND)";
    static final int COLUMNS = 26;

    @TempDir
    Path dir;
    TetraServer server;
    Connection c;

    @BeforeEach
    void start() throws Exception {
        server = TestServers.start(dir);
        c = JdbcServers.admin(server);
        try (Statement s = c.createStatement()) {
            s.execute(TABLE);
        }
    }

    @AfterEach
    void stop() throws SQLException {
        c.close();
        server.close();
    }

    private PreparedStatement insert() throws SQLException {
        return c.prepareStatement("INSERT INTO T VALUES (" + "?, ".repeat(COLUMNS - 1) + "?)");
    }

    private ResultSet row(int id) throws SQLException {
        PreparedStatement ps = c.prepareStatement("SELECT * FROM T WHERE ID = ?");
        ps.setInt(1, id);
        ResultSet rs = ps.executeQuery();
        assertThat(rs.next()).isTrue();
        return rs;
    }

    enum Colour { red, green }

    @Test
    void everyTypedSetterStoresAndEveryGetterReadsBack() throws Exception {
        OffsetDateTime odt = OffsetDateTime.of(2020, 1, 2, 10, 11, 12, 123_000_000, ZoneOffset.ofHours(2));
        UUID uuid = UUID.randomUUID();
        try (PreparedStatement ps = insert()) {
            ps.setInt(1, 1);
            ps.setBoolean(2, true);
            ps.setByte(3, (byte) -7);
            ps.setShort(4, (short) 300);
            ps.setInt(5, 70_000);
            ps.setLong(6, 9_000_000_000L);
            ps.setBigDecimal(7, new BigDecimal("12.345"));
            ps.setFloat(8, 1.5f);
            ps.setDouble(9, 2.25);
            ps.setObject(10, new BigDecimal("1.5"));
            ps.setString(11, "ab");
            ps.setNString(12, "héllo");
            ps.setObject(13, 'Q');
            ps.setClob(14, new StringReader("clob text"));
            ps.setBytes(15, new byte[] {1, 2, (byte) 0xff});
            ps.setBlob(16, new ByteArrayInputStream(new byte[] {9, 8, 7}));
            ps.setDate(17, java.sql.Date.valueOf("2020-01-02"));
            ps.setTime(18, Time.valueOf("10:11:12"));
            ps.setTimestamp(19, Timestamp.valueOf("2020-01-02 10:11:12.123456"));
            ps.setObject(20, odt);
            ps.setObject(21, OffsetTime.of(10, 11, 12, 0, ZoneOffset.ofHours(2)));
            ps.setObject(22, uuid);
            ps.setBytes(23, "{\"a\":1}".getBytes(StandardCharsets.UTF_8));   // as in H2, a string would be a JSON string
            ps.setArray(24, c.createArrayOf("INTEGER", new Object[] {1, 2, null}));
            ps.setObject(25, Colour.green);
            ps.setString(26, "INTERVAL '1 02:03:04' DAY TO SECOND");
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
        try (ResultSet rs = row(1)) {
            assertThat(rs.getBoolean("B")).isTrue();
            assertThat(rs.getObject("B")).isEqualTo(true);
            assertThat(rs.getByte("TI")).isEqualTo((byte) -7);
            assertThat(rs.getObject("TI")).isEqualTo(-7);
            assertThat(rs.getShort("SI")).isEqualTo((short) 300);
            assertThat(rs.getObject("SI")).isEqualTo(300);
            assertThat(rs.getInt("I")).isEqualTo(70_000);
            assertThat(rs.getLong("BI")).isEqualTo(9_000_000_000L);
            assertThat(rs.getObject("BI")).isEqualTo(9_000_000_000L);
            assertThat(rs.getBigDecimal("N")).isEqualTo(new BigDecimal("12.345"));
            assertThat(rs.getDouble("N")).isEqualTo(12.345);
            assertThat(rs.getFloat("R")).isEqualTo(1.5f);
            assertThat(rs.getObject("R")).isEqualTo(1.5f);
            assertThat(rs.getDouble("D")).isEqualTo(2.25);
            assertThat(rs.getObject("DF")).isEqualTo(new BigDecimal("1.5"));
            assertThat(rs.getString("C")).isEqualTo("ab  ");
            assertThat(rs.getString("V")).isEqualTo("héllo");
            assertThat(rs.getString("VI")).isEqualTo("Q");
            Clob clob = (Clob) rs.getObject("CL");
            assertThat(clob.getSubString(1, (int) clob.length())).isEqualTo("clob text");
            assertThat(rs.getString("CL")).isEqualTo("clob text");
            assertThat((byte[]) rs.getObject("VB")).containsExactly(1, 2, 0xff);
            Blob blob = (Blob) rs.getObject("BL");
            assertThat(blob.getBytes(1, 3)).containsExactly(9, 8, 7);
            assertThat(rs.getBytes("BL")).containsExactly(9, 8, 7);
            assertThat(rs.getObject("DT")).isEqualTo(java.sql.Date.valueOf("2020-01-02"));
            assertThat(rs.getObject("DT", LocalDate.class)).isEqualTo(LocalDate.of(2020, 1, 2));
            assertThat(rs.getTime("TM")).isEqualTo(Time.valueOf("10:11:12"));
            assertThat(rs.getObject("TS")).isEqualTo(Timestamp.valueOf("2020-01-02 10:11:12.123456"));
            assertThat(rs.getString("TS")).isEqualTo("2020-01-02 10:11:12.123456");
            assertThat(rs.getObject("TSZ")).isEqualTo(odt);
            assertThat(rs.getString("TSZ")).isEqualTo("2020-01-02 10:11:12.123+02");
            assertThat(rs.getObject("TMZ")).isEqualTo(OffsetTime.of(10, 11, 12, 0, ZoneOffset.ofHours(2)));
            assertThat(rs.getObject("U")).isEqualTo(uuid);
            assertThat(new String((byte[]) rs.getObject("J"), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
            assertThat((Object[]) rs.getArray("A").getArray()).containsExactly(1, 2, null);
            assertThat(rs.getObject("E")).isEqualTo("green");
            assertThat(rs.getObject("E", Colour.class)).isEqualTo(Colour.green);
            assertThat(rs.getString("IV")).isEqualTo("INTERVAL '1 02:03:04' DAY TO SECOND");
        }
    }

    @Test
    void javaTimeAndLegacyDateSettersAreStoredAsTheirTypes() throws SQLException {
        Calendar utc = Calendar.getInstance(TimeZone.getTimeZone("UTC"));
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO T(ID, DT, TM, TS, TSZ) VALUES (?, ?, ?, ?, ?)")) {
            ps.setInt(1, 2);
            ps.setObject(2, LocalDate.of(2021, 3, 4));
            ps.setObject(3, LocalTime.of(5, 6, 7, 890_000_000));
            ps.setObject(4, LocalDateTime.of(2021, 3, 4, 5, 6, 7));
            ps.setObject(5, Instant.parse("2021-03-04T05:06:07Z"));
            ps.executeUpdate();
            ps.setInt(1, 3);
            // midnight UTC of 2021-03-04 is that day in UTC whatever this JVM's zone
            ps.setDate(2, new java.sql.Date(Instant.parse("2021-03-04T00:00:00Z").toEpochMilli()), utc);
            ps.setTime(3, new Time(Instant.parse("1970-01-01T05:06:07Z").toEpochMilli()), utc);
            ps.setTimestamp(4, Timestamp.from(Instant.parse("2021-03-04T05:06:07Z")), utc);
            ps.setObject(5, java.time.ZonedDateTime.parse("2021-03-04T07:06:07+02:00[Europe/Athens]"));
            ps.executeUpdate();
        }
        try (ResultSet rs = row(2)) {
            assertThat(rs.getObject("DT", LocalDate.class)).isEqualTo(LocalDate.of(2021, 3, 4));
            assertThat(rs.getObject("TM", LocalTime.class)).isEqualTo(LocalTime.of(5, 6, 7, 890_000_000));
            assertThat(rs.getObject("TS", LocalDateTime.class)).isEqualTo(LocalDateTime.of(2021, 3, 4, 5, 6, 7));
            assertThat(rs.getObject("TSZ", Instant.class)).isEqualTo(Instant.parse("2021-03-04T05:06:07Z"));
        }
        try (ResultSet rs = row(3)) {
            assertThat(rs.getObject("DT", LocalDate.class)).isEqualTo(LocalDate.of(2021, 3, 4));
            assertThat(rs.getObject("TM", LocalTime.class)).isEqualTo(LocalTime.of(5, 6, 7));
            assertThat(rs.getObject("TS", LocalDateTime.class)).isEqualTo(LocalDateTime.of(2021, 3, 4, 5, 6, 7));
            assertThat(rs.getTimestamp("TS", utc).toInstant()).isEqualTo(Instant.parse("2021-03-04T05:06:07Z"));
            assertThat(rs.getObject("TSZ", Instant.class)).isEqualTo(Instant.parse("2021-03-04T05:06:07Z"));
        }
    }

    @Test
    void streamsAreReadWholeOrCutAtTheirLength() throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO T(ID, V, CL, VB, BL) VALUES (?, ?, ?, ?, ?)")) {
            ps.setInt(1, 4);
            ps.setCharacterStream(2, new StringReader("abcdefgh"), 3);
            ps.setAsciiStream(3, new ByteArrayInputStream("ascii!".getBytes(StandardCharsets.US_ASCII)));
            ps.setBinaryStream(4, new ByteArrayInputStream(new byte[] {1, 2, 3, 4, 5}), 2L);
            ps.setBlob(5, new ByteArrayInputStream(new byte[] {6, 7, 8}), 2);
            ps.executeUpdate();
            ps.setInt(1, 5);
            ps.setNCharacterStream(2, new StringReader("whole"));
            ps.setClob(3, new StringReader("clob-cut"), 4);
            ps.setBinaryStream(4, new ByteArrayInputStream(new byte[] {1, 2, 3}));
            ps.setObject(5, new ByteArrayInputStream(new byte[] {1, 2, 3, 4}), Types.BLOB, 3);
            ps.executeUpdate();
        }
        try (ResultSet rs = row(4)) {
            assertThat(rs.getString("V")).isEqualTo("abc");
            assertThat(rs.getString("CL")).isEqualTo("ascii!");
            assertThat(rs.getBytes("VB")).containsExactly(1, 2);
            assertThat(rs.getBytes("BL")).containsExactly(6, 7);
        }
        try (ResultSet rs = row(5)) {
            assertThat(rs.getString("V")).isEqualTo("whole");
            assertThat(rs.getString("CL")).isEqualTo("clob");
            assertThat(rs.getBytes("VB")).containsExactly(1, 2, 3);
            assertThat(rs.getBytes("BL")).containsExactly(1, 2, 3);
        }
    }

    @Test
    void aStreamThatFailsGivesAnSqlException() throws SQLException {
        InputStream broken = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("disk gone");
            }
        };
        try (PreparedStatement ps = insert()) {
            assertThatThrownBy(() -> ps.setBinaryStream(15, broken))
                    .isInstanceOf(SQLException.class).hasMessageContaining("disk gone");
            assertThatThrownBy(() -> ps.setCharacterStream(12, new java.io.Reader() {
                @Override
                public int read(char[] b, int o, int n) throws IOException {
                    throw new IOException("reader gone");
                }

                @Override
                public void close() {
                }
            }, 10)).isInstanceOf(SQLException.class).hasMessageContaining("reader gone");
        }
    }

    @Test
    void lobsAndArraysMadeByTheConnectionSendTheirContent() throws Exception {
        Blob blob = c.createBlob();
        try (var out = blob.setBinaryStream(1)) {
            out.write(new byte[] {1, 2, 3, 4});
        }
        blob.setBytes(2, new byte[] {9});
        blob.truncate(3);
        Clob clob = c.createClob();
        clob.setString(1, "hello world");
        clob.truncate(5);
        Array arr = c.createArrayOf("INTEGER", new Integer[] {3, 4});
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO T(ID, BL, CL, A) VALUES (?, ?, ?, ?)")) {
            ps.setInt(1, 6);
            ps.setBlob(2, blob);
            ps.setClob(3, clob);
            ps.setArray(4, arr);
            ps.executeUpdate();
            ps.setInt(1, 7);
            ps.setNClob(3, c.createNClob());
            ps.setObject(2, new byte[] {5});
            ps.setObject(4, new int[] {7, 8, 9});
            ps.executeUpdate();
        }
        try (ResultSet rs = row(6)) {
            assertThat(rs.getBytes("BL")).containsExactly(1, 9, 3);
            assertThat(rs.getString("CL")).isEqualTo("hello");
            assertThat((Object[]) rs.getArray("A").getArray()).containsExactly(3, 4);
        }
        try (ResultSet rs = row(7)) {
            assertThat(rs.getString("CL")).isEmpty();
            assertThat((Object[]) rs.getArray("A").getArray()).containsExactly(7, 8, 9);
        }
    }

    @Test
    void setObjectWithATargetTypeConvertsOrRefusesWith22018() throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO T(ID, I, DT, N, B, V, TS) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setObject(1, "8", Types.INTEGER);
            ps.setObject(2, " 42 ", JDBCType.INTEGER);
            ps.setObject(3, "2022-05-06", Types.DATE);
            ps.setObject(4, 1.23456, Types.NUMERIC, 2);
            ps.setObject(5, 1, Types.BOOLEAN);
            ps.setObject(6, LocalDateTime.of(2020, 1, 2, 3, 4, 5), Types.VARCHAR);
            ps.setObject(7, "2020-01-02 03:04:05.5", JDBCType.TIMESTAMP);
            ps.executeUpdate();
            SQLException e = (SQLException) org.assertj.core.api.Assertions.catchThrowable(
                    () -> ps.setObject(2, "forty-two", Types.INTEGER));
            assertThat(e.getSQLState()).isEqualTo("22018");
            assertThat(e.getMessage()).contains("parameter 2");
            assertThatThrownBy(() -> ps.setObject(3, "tomorrow", Types.DATE))
                    .isInstanceOfSatisfying(SQLException.class, x -> assertThat(x.getSQLState()).isEqualTo("22018"));
            assertThatThrownBy(() -> ps.setObject(2, 1L << 40, Types.INTEGER))
                    .isInstanceOfSatisfying(SQLException.class, x -> assertThat(x.getSQLState()).isEqualTo("22003"));
        }
        try (ResultSet rs = row(8)) {
            assertThat(rs.getInt("I")).isEqualTo(42);
            assertThat(rs.getObject("DT", LocalDate.class)).isEqualTo(LocalDate.of(2022, 5, 6));
            assertThat(rs.getBigDecimal("N")).isEqualByComparingTo("1.23");
            assertThat(rs.getBoolean("B")).isTrue();
            assertThat(rs.getString("V")).isEqualTo("2020-01-02 03:04:05");
            assertThat(rs.getTimestamp("TS")).isEqualTo(Timestamp.valueOf("2020-01-02 03:04:05.5"));
        }
    }

    @Test
    void setNullAndUrlAndClearParameters() throws Exception {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO T(ID, I, V) VALUES (?, ?, ?)")) {
            ps.setInt(1, 9);
            ps.setNull(2, Types.INTEGER);
            ps.setURL(3, new java.net.URL("http://example.com/x"));
            ps.executeUpdate();
            ps.clearParameters();
            assertThatThrownBy(ps::executeUpdate).isInstanceOf(SQLException.class);
        }
        try (ResultSet rs = row(9)) {
            assertThat(rs.getInt("I")).isZero();
            assertThat(rs.wasNull()).isTrue();
            assertThat(rs.getURL("V")).isEqualTo(new java.net.URL("http://example.com/x"));
        }
    }

    /** A value that cannot fit in one frame: refused, as docs/jdbc.md "Large objects" says. */
    @Test
    void aValueLargerThanTheFrameIsRefused() throws Exception {
        Path small = dir.resolve("small");
        try (TetraServer s = TetraServer.start(TestServers.config(small).maxFrameSize(64 * 1024).build());
             Connection sc = JdbcServers.admin(s); Statement st = sc.createStatement()) {
            st.execute("CREATE TABLE L(ID INT, C CLOB)");
            st.execute("INSERT INTO L VALUES (1, REPEAT('x', 200000))");
            try (ResultSet rs = st.executeQuery("SELECT C FROM L")) {
                SQLException e = (SQLException) org.assertj.core.api.Assertions.catchThrowable(rs::next);
                assertThat(e.getSQLState()).isEqualTo("54000");
                assertThat(e.getErrorCode()).isEqualTo(2005);
            }
            try (PreparedStatement ps = sc.prepareStatement("INSERT INTO L VALUES (2, ?)")) {
                ps.setClob(1, new StringReader("y".repeat(200_000)));
                SQLException e = (SQLException) org.assertj.core.api.Assertions.catchThrowable(ps::executeUpdate);
                assertThat(e.getSQLState()).isEqualTo("54000");
                assertThat(e.getErrorCode()).isEqualTo(2005);
            }
            // the client library closes a connection whose frame it could not send
            assertThatThrownBy(() -> st.executeQuery("SELECT 1")).isInstanceOfSatisfying(SQLException.class,
                    e -> assertThat(e.getSQLState()).startsWith("08"));
            try (Connection again = JdbcServers.admin(s); Statement st2 = again.createStatement();
                 ResultSet rs = st2.executeQuery("SELECT COUNT(*) FROM L")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).as("nothing was inserted").isEqualTo(1);
            }
        }
    }

    @Test
    void parameterMetaDataDescribesAnInsertsParameters() throws SQLException {
        try (PreparedStatement ps = insert()) {
            ParameterMetaData md = ps.getParameterMetaData();
            assertThat(md.getParameterCount()).isEqualTo(COLUMNS);
            assertThat(md.getParameterType(1)).isEqualTo(Types.INTEGER);
            assertThat(md.getParameterTypeName(1)).isEqualTo("INTEGER");
            assertThat(md.getParameterClassName(1)).isEqualTo(Integer.class.getName());
            assertThat(md.getParameterType(6)).isEqualTo(Types.BIGINT);
            assertThat(md.getParameterType(7)).isEqualTo(Types.NUMERIC);
            assertThat(md.getPrecision(7)).isEqualTo(10);
            assertThat(md.getScale(7)).isEqualTo(3);
            assertThat(md.getParameterType(12)).isEqualTo(Types.VARCHAR);
            assertThat(md.getParameterClassName(12)).isEqualTo(String.class.getName());
            assertThat(md.getParameterType(19)).isEqualTo(Types.TIMESTAMP);
            assertThat(md.getParameterClassName(19)).isEqualTo(Timestamp.class.getName());
            assertThat(md.getParameterClassName(20)).isEqualTo(OffsetDateTime.class.getName());
            assertThat(md.getParameterClassName(16)).isEqualTo(Blob.class.getName());
            assertThat(md.getParameterClassName(22)).isEqualTo(UUID.class.getName());
            assertThat(md.getParameterMode(1)).isEqualTo(ParameterMetaData.parameterModeIn);
            assertThat(md.isSigned(5)).isTrue();
            assertThat(md.isNullable(2)).isIn(ParameterMetaData.parameterNullable,
                    ParameterMetaData.parameterNullableUnknown);
            assertThatThrownBy(() -> md.getParameterType(COLUMNS + 1)).isInstanceOfSatisfying(SQLException.class,
                    e -> assertThat(e.getSQLState()).isEqualTo("07009"));
            assertThat(md.unwrap(TetraParameterMetaData.class)).isSameAs(md);
        }
    }
}
