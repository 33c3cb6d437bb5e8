package io.tetradb.server.convert;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.PreparedStatement;
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
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;

/**
 * Builds real legacy databases at test time with the old engines (H2 1.4.200 and
 * 2.1.214, loaded from {@code target/legacy-engines} in class loaders of their own), and
 * reads any table back as canonical text rows, so that a converted table can be compared
 * with its source value by value.
 */
public final class LegacyDatabases {
    /** Non-ASCII text that must survive: Latin accents, Cyrillic, Greek, CJK, emoji. */
    public static final String[] NAMES = {"Zoë Ångström", "Привет мир", "Γειά σου", "日本語のテキスト", "Crème brûlée",
            "Łódź", "O'Brien \"quoted\"", "emoji \uD83D\uDE00", "plain ascii", "tab\there;semi"};

    private LegacyDatabases() {
    }

    /** The engines shipped with the build. */
    public static LegacyEngines engines() {
        return LegacyEngines.locate(null);
    }

    public static LegacyEngine engine(String version) throws IOException {
        return LegacyEngine.load(engines().jar(version));
    }

    public static Connection connect(LegacyEngine engine, String url, String user, String password) throws SQLException {
        return engine.connect(url, user, password);
    }

    public static void run(Connection c, String... sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }

    /**
     * The test schema in H2 1.4.200 syntax: every common column type, primary, foreign,
     * unique and check constraints, indexes, a sequence, a view, identity columns, a table
     * without primary key, a second schema.
     */
    public static void createSchema14(Connection c) throws SQLException {
        run(c, "CREATE TABLE CUSTOMER("
                        + "ID INT PRIMARY KEY, NAME VARCHAR(100) NOT NULL, CODE CHAR(6), EMAIL VARCHAR_IGNORECASE(200), "
                        + "BALANCE DECIMAL(12,2) CHECK (BALANCE > -1000), RATE DOUBLE, SCORE REAL, SMALL SMALLINT, "
                        + "TINY TINYINT, BIG BIGINT, ACTIVE BOOLEAN, BORN DATE, WAKES TIME, CREATED TIMESTAMP, "
                        + "SEEN TIMESTAMP WITH TIME ZONE, ALARM TIME WITH TIME ZONE, PHOTO VARBINARY(200), DOC BLOB, "
                        + "NOTES CLOB, TAGS ARRAY, UID UUID, STATUS ENUM('NEW', 'ACTIVE', 'CLOSED'), PREFS JSON, "
                        + "CONSTRAINT CUSTOMER_EMAIL UNIQUE(EMAIL))",
                "CREATE UNIQUE INDEX CUSTOMER_CODE ON CUSTOMER(CODE)",
                "CREATE INDEX CUSTOMER_NAME ON CUSTOMER(NAME)",
                "CREATE SEQUENCE INVOICE_SEQ START WITH 1000 INCREMENT BY 10",
                "CREATE TABLE ORDERS(ID BIGINT AUTO_INCREMENT PRIMARY KEY, CUSTOMER_ID INT NOT NULL, "
                        + "AMOUNT DECIMAL(10,2), PLACED TIMESTAMP, INVOICE BIGINT DEFAULT NEXT VALUE FOR INVOICE_SEQ, "
                        + "CONSTRAINT ORDERS_CUSTOMER FOREIGN KEY (CUSTOMER_ID) REFERENCES CUSTOMER(ID))",
                "CREATE INDEX ORDERS_PLACED ON ORDERS(PLACED)",
                "CREATE TABLE ITEM(ID IDENTITY, LABEL VARCHAR(50))",
                "CREATE VIEW BIG_SPENDERS AS SELECT C.NAME, SUM(O.AMOUNT) TOTAL FROM CUSTOMER C "
                        + "JOIN ORDERS O ON O.CUSTOMER_ID = C.ID GROUP BY C.NAME",
                "CREATE TABLE NO_PK(A VARCHAR(20), B INT)",
                "CREATE SCHEMA SALES",
                "CREATE TABLE SALES.REGION(ID INT PRIMARY KEY, NAME VARCHAR(40))");
    }

    /** The same schema in H2 2.1.214 syntax (typed arrays, standard identity columns). */
    public static void createSchema21(Connection c) throws SQLException {
        run(c, "CREATE TABLE CUSTOMER("
                        + "ID INT PRIMARY KEY, NAME VARCHAR(100) NOT NULL, CODE CHAR(6), EMAIL VARCHAR_IGNORECASE(200), "
                        + "BALANCE DECIMAL(12,2) CHECK (BALANCE > -1000), RATE DOUBLE PRECISION, SCORE REAL, "
                        + "SMALL SMALLINT, TINY TINYINT, BIG BIGINT, ACTIVE BOOLEAN, BORN DATE, WAKES TIME, "
                        + "CREATED TIMESTAMP, SEEN TIMESTAMP WITH TIME ZONE, ALARM TIME WITH TIME ZONE, "
                        + "PHOTO VARBINARY(200), DOC BLOB, NOTES CLOB, TAGS VARCHAR(40) ARRAY, UID UUID, "
                        + "STATUS ENUM('NEW', 'ACTIVE', 'CLOSED'), PREFS JSON, CONSTRAINT CUSTOMER_EMAIL UNIQUE(EMAIL))",
                "CREATE UNIQUE INDEX CUSTOMER_CODE ON CUSTOMER(CODE)",
                "CREATE INDEX CUSTOMER_NAME ON CUSTOMER(NAME)",
                "CREATE SEQUENCE INVOICE_SEQ START WITH 1000 INCREMENT BY 10",
                "CREATE TABLE ORDERS(ID BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, CUSTOMER_ID INT NOT NULL, "
                        + "AMOUNT DECIMAL(10,2), PLACED TIMESTAMP, INVOICE BIGINT DEFAULT NEXT VALUE FOR INVOICE_SEQ, "
                        + "CONSTRAINT ORDERS_CUSTOMER FOREIGN KEY (CUSTOMER_ID) REFERENCES CUSTOMER(ID))",
                "CREATE INDEX ORDERS_PLACED ON ORDERS(PLACED)",
                "CREATE TABLE ITEM(ID BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, LABEL VARCHAR(50))",
                "CREATE VIEW BIG_SPENDERS AS SELECT C.NAME, SUM(O.AMOUNT) TOTAL FROM CUSTOMER C "
                        + "JOIN ORDERS O ON O.CUSTOMER_ID = C.ID GROUP BY C.NAME",
                "CREATE TABLE NO_PK(A VARCHAR(20), B INT)",
                "CREATE SCHEMA SALES",
                "CREATE TABLE SALES.REGION(ID INT PRIMARY KEY, NAME VARCHAR(40))");
    }

    /**
     * Fills the test schema: {@code customers} customers (every type, NULLs every so often,
     * non-ASCII text, two large LOBs), three orders each, items, rows without key (some
     * duplicated), regions.
     */
    public static void fill(Connection c, int customers, long seed) throws SQLException {
        Random rnd = new Random(seed);
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO CUSTOMER VALUES "
                + "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (int i = 1; i <= customers; i++) {
                boolean nulls = i % 7 == 0;
                int p = 1;
                ps.setInt(p++, i);
                ps.setString(p++, NAMES[i % NAMES.length] + " #" + i);
                ps.setString(p++, nulls ? null : String.format(Locale.ROOT, "C%04d", i));
                ps.setString(p++, nulls ? null : "user" + i + "@Example.com");
                ps.setBigDecimal(p++, nulls ? null : BigDecimal.valueOf(rnd.nextInt(2_000_000) - 90_000, 2));
                setOrNull(ps, p++, nulls ? null : rnd.nextDouble() * 1e6, Types.DOUBLE);
                setOrNull(ps, p++, nulls ? null : (float) rnd.nextGaussian(), Types.REAL);
                setOrNull(ps, p++, nulls ? null : (short) rnd.nextInt(30000), Types.SMALLINT);
                setOrNull(ps, p++, nulls ? null : (byte) rnd.nextInt(120), Types.TINYINT);
                setOrNull(ps, p++, nulls ? null : rnd.nextLong(), Types.BIGINT);
                setOrNull(ps, p++, nulls ? null : rnd.nextBoolean(), Types.BOOLEAN);
                ps.setObject(p++, nulls ? null : LocalDate.of(1930 + i % 90, 1 + i % 12, 1 + i % 28));
                ps.setObject(p++, nulls ? null : LocalTime.of(i % 24, i % 60, i % 60));
                ps.setObject(p++, nulls ? null : LocalDateTime.of(2000 + i % 25, 1 + i % 12, 1 + i % 28, i % 24,
                        i % 60, i % 60, (i % 1000) * 1_000_000));
                ps.setObject(p++, nulls ? null : OffsetDateTime.of(2020, 1 + i % 12, 1 + i % 28, 10, 30, 0, 0,
                        ZoneOffset.ofHours(i % 12 - 5)));
                ps.setObject(p++, nulls ? null : OffsetTime.of(8, i % 60, 0, 0, ZoneOffset.ofHoursMinutes(5, 30)));
                byte[] photo = new byte[rnd.nextInt(200)];
                rnd.nextBytes(photo);
                ps.setBytes(p++, nulls ? null : photo);
                byte[] doc = new byte[i == 3 ? 300_000 : rnd.nextInt(2000)];
                rnd.nextBytes(doc);
                ps.setBytes(p++, nulls ? null : doc);
                String notes = i == 5 ? NAMES[1].repeat(20_000) : NAMES[i % NAMES.length].repeat(1 + i % 5);
                ps.setString(p++, nulls ? null : notes);
                ps.setObject(p++, nulls ? null : new Object[] {"tag" + (i % 5), "ünï" + i, null});
                ps.setObject(p++, nulls ? null : new UUID(rnd.nextLong(), rnd.nextLong()));
                ps.setString(p++, nulls ? null : new String[] {"NEW", "ACTIVE", "CLOSED"}[i % 3]);
                ps.setObject(p++, null);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        run(c, "UPDATE CUSTOMER SET PREFS = JSON '{\"lang\":\"fr\",\"n\":[1,2]}' WHERE MOD(ID, 3) = 0");
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO ORDERS(CUSTOMER_ID, AMOUNT, PLACED) VALUES (?, ?, ?)")) {
            for (int i = 1; i <= customers * 3; i++) {
                ps.setInt(1, 1 + i % customers);
                ps.setBigDecimal(2, BigDecimal.valueOf(rnd.nextInt(1_000_000), 2));
                ps.setObject(3, LocalDateTime.of(2021, 1 + i % 12, 1 + i % 28, i % 24, 0));
                ps.addBatch();
            }
            ps.executeBatch();
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO ITEM(LABEL) VALUES (?)")) {
            for (int i = 1; i <= 20; i++) {
                ps.setString(1, "item " + i);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        run(c, "INSERT INTO NO_PK VALUES ('dup', 1), ('dup', 1), ('dup', 1), (NULL, NULL), ('x', 2)",
                "INSERT INTO SALES.REGION VALUES (1, 'Nord'), (2, 'Süd'), (3, 'Ελλάδα')");
        c.commit();
        c.setAutoCommit(autoCommit);
    }

    private static void setOrNull(PreparedStatement ps, int p, Object v, int type) throws SQLException {
        if (v == null) {
            ps.setNull(p, type);
        } else {
            ps.setObject(p, v, type);
        }
    }

    /** Creates the full test database with H2 1.4.200 at {@code url} (user SA, empty password). */
    public static void create14(String url, int customers) throws Exception {
        try (LegacyEngine h2 = engine(LegacyEngines.FORMAT1_VERSION);
             Connection c = h2.connect(url, "SA", "")) {
            createSchema14(c);
            fill(c, customers, 14);
        }
    }

    /** Creates the full test database with H2 2.1.214 at {@code url} (user SA, empty password). */
    public static void create21(String url, int customers) throws Exception {
        try (LegacyEngine h2 = engine(LegacyEngines.FORMAT2_VERSION);
             Connection c = h2.connect(url, "SA", "")) {
            createSchema21(c);
            fill(c, customers, 21);
        }
    }

    /**
     * Every row of {@code table} as canonical text (one string per row, sorted): the values
     * as a person reads them, so that the same value gives the same text whichever engine
     * reads it. CHAR values lose their trailing blanks (H2 2 pads CHAR(n), H2 1.4 did not).
     */
    public static List<String> rows(Connection c, String table) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM " + table)) {
            ResultSetMetaData md = rs.getMetaData();
            while (rs.next()) {
                StringBuilder sb = new StringBuilder();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    sb.append(md.getColumnLabel(i)).append('=').append(value(rs, i, md.getColumnType(i),
                            md.getColumnTypeName(i))).append(" | ");
                }
                rows.add(sb.toString());
            }
        }
        rows.sort(null);
        return rows;
    }

    public static String value(ResultSet rs, int i, int type, String typeName) throws SQLException {
        String tn = typeName.toUpperCase(Locale.ROOT);
        Object o;
        if (tn.contains("TIME WITH TIME ZONE") && !tn.contains("TIMESTAMP")) {
            o = rs.getObject(i, OffsetTime.class);
        } else if (tn.contains("TIMESTAMP WITH TIME ZONE")) {
            o = rs.getObject(i, OffsetDateTime.class);
        } else if (type == Types.TIMESTAMP) {
            o = rs.getObject(i, LocalDateTime.class);
        } else if (type == Types.DATE) {
            o = rs.getObject(i, LocalDate.class);
        } else if (type == Types.TIME) {
            o = rs.getObject(i, LocalTime.class);
        } else if (tn.startsWith("JSON") || tn.startsWith("ENUM") || tn.startsWith("INTERVAL") || tn.contains("UUID")) {
            o = rs.getString(i);
        } else if (type == Types.CHAR) {
            String s = rs.getString(i);
            o = s == null ? null : s.replaceAll(" +$", "");
        } else {
            o = rs.getObject(i);
        }
        return canonical(o);
    }

    public static String canonical(Object o) throws SQLException {
        if (o == null) {
            return "NULL";
        }
        if (o instanceof BigDecimal d) {
            return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
        }
        if (o instanceof Float f) {
            return Double.toString(f.doubleValue());
        }
        if (o instanceof Byte || o instanceof Short || o instanceof Integer || o instanceof Long) {
            return Long.toString(((Number) o).longValue());
        }
        if (o instanceof byte[] b) {
            return "X'" + HexFormat.of().formatHex(b) + "'";
        }
        if (o instanceof Blob b) {
            return "X'" + HexFormat.of().formatHex(b.getBytes(1, (int) b.length())) + "'";
        }
        if (o instanceof Clob cl) {
            return cl.getSubString(1, (int) cl.length());
        }
        if (o instanceof Array a) {
            return canonical(a.getArray());
        }
        if (o instanceof Object[] arr) {
            StringBuilder sb = new StringBuilder("[");
            for (Object e : arr) {
                sb.append(canonical(e)).append(", ");
            }
            return sb.append(']').toString();
        }
        return o.toString();
    }

    /** {@code s} as the bytes of {@code cs} read as ISO-8859-1: how an import with the wrong charset stored it. */
    public static String asLegacy8bit(String s, Charset cs) {
        return new String(s.getBytes(cs), StandardCharsets.ISO_8859_1);
    }
}
