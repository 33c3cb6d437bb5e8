package io.tetradb.server.convert;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

import static io.tetradb.server.convert.LegacyDatabases.asLegacy8bit;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Text to Unicode (docs/conversion.md, step 6): Cyrillic and Greek text stored as 8-bit (the
 * bytes of windows-1251 and windows-1253 read as ISO-8859-1) comes out as real Unicode
 * after conversion, as multilang.txt says per field (by number or name, Windows language
 * ids or charset names, any line end, blank lines and spaces, an array element as a
 * subfield); lines that address nothing are logged, not fatal; other text is kept.
 */
@Timeout(300)
class MultilangConversionIT {
    static final Charset CP1251 = Charset.forName("windows-1251");
    static final Charset CP1253 = Charset.forName("windows-1253");
    static final Charset KOI8 = Charset.forName("KOI8-R");

    @TempDir
    Path dir;

    @Test
    void eightBitCyrillicAndGreekBecomeUnicodeAsMultilangTxtSays() throws Exception {
        Path db = dir.resolve("legacy");
        Files.createDirectories(db.resolve("Data"));
        String url = "jdbc:h2:file:" + db.resolve("Data/legacy");
        String bio = "Биография: " + "родился в Москве. ".repeat(2000);
        try (LegacyEngine h2 = LegacyDatabases.engine(LegacyEngines.FORMAT1_VERSION);
             Connection c = h2.connect(url, "SA", "")) {
            LegacyDatabases.run(c, "CREATE TABLE PERSON(ID INT PRIMARY KEY, NAME_RU VARCHAR(100), NAME_EL VARCHAR(100), "
                    + "BIO CLOB, TAGS ARRAY, CODE CHAR(10), PLAIN VARCHAR(50))",
                    "CREATE TABLE NOTE(ID INT PRIMARY KEY, TEXT VARCHAR(200))");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO PERSON VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                ps.setInt(1, 1);
                ps.setString(2, asLegacy8bit("Иван Петров", CP1251));
                ps.setString(3, asLegacy8bit("Γιάννης Παπαδόπουλος", CP1253));
                ps.setString(4, asLegacy8bit(bio, CP1251));
                ps.setObject(5, new Object[] {"plain", asLegacy8bit("Αθήνα", CP1253)});
                ps.setString(6, asLegacy8bit("Код", CP1251));
                ps.setString(7, "Crème brûlée");
                ps.executeUpdate();
                ps.setInt(1, 2);
                ps.setString(2, "a\u0098b");
                ps.setString(3, null);
                ps.setString(4, null);
                ps.setObject(5, null);
                ps.setString(6, "ABC");
                ps.setString(7, "Zoë");
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO NOTE VALUES (?, ?)")) {
                ps.setInt(1, 1);
                ps.setString(2, asLegacy8bit("Привет из KOI8", KOI8));
                ps.executeUpdate();
            }
        }
        // Tables are numbered in catalog order (NOTE 1, PERSON 2), fields in column order.
        Files.writeString(db.resolve("Data/multilang.txt"), "2;2;1049\r\n\r\n PERSON ; NAME_EL ; 1032 \r"
                + "PERSON;BIO;windows-1251\r\n2;5;2;1032\n  \nPERSON;CODE;1049\nNOTE;TEXT;KOI8-R\n"
                + "NOPE;X;1049\nPERSON;PLAIN;1;1049\nPERSON;ID;1049\n", StandardCharsets.UTF_8);

        DatabaseConverter converter = new DatabaseConverter(LegacyDatabases.engines());
        ConversionPlan plan = converter.plan(db, ConversionOptions.defaults());
        assertThat(plan.multilangFile()).isEqualTo(db.resolve("Data/multilang.txt"));
        ConversionReport report = converter.convert(plan, ConversionIT.printing());
        assertThat(report.tables()).allMatch(ConversionReport.TableResult::matches);
        assertThat(report.textValuesRepaired()).isEqualTo(6);
        assertThat(report.anomalies()).anyMatch(a -> a.contains("line 9") && a.contains("no table NOPE"))
                .anyMatch(a -> a.contains("line 10") && a.contains("no subfields"))
                .anyMatch(a -> a.contains("line 11") && a.contains("holds no text"))
                .anyMatch(a -> a.contains("not valid windows-1251"));
        assertThat(db.resolve("Logs").resolve(ConversionLog.FILE_NAME)).content()
                .contains("no table NOPE").contains("re-read as windows-1251");
        assertThat(db.resolve("Structure/catalog.xml")).content().containsPattern(
                "<table[^>]*name=\"PERSON\"[^>]*number=\"2\"|<table[^>]*number=\"2\"[^>]*name=\"PERSON\"");

        String key = Files.readString(db.resolve("Structure/engine.key")).trim();
        try (LegacyEngine current = LegacyEngine.current();
             Connection c = current.connect(url + ";IFEXISTS=TRUE", "TETRA_ADMIN", key);
             Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT NAME_RU, NAME_EL, BIO, TAGS, CODE, PLAIN FROM PERSON WHERE ID = 1")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("Иван Петров");
                assertThat(rs.getString(2)).isEqualTo("Γιάννης Παπαδόπουλος");
                assertThat(rs.getString(3)).isEqualTo(bio);
                assertThat((Object[]) rs.getArray(4).getArray()).containsExactly("plain", "Αθήνα");
                assertThat(rs.getString(5).strip()).isEqualTo("Код");
                assertThat(rs.getString(6)).as("text multilang.txt does not name is kept").isEqualTo("Crème brûlée");
            }
            try (ResultSet rs = st.executeQuery("SELECT NAME_RU, PLAIN FROM PERSON WHERE ID = 2")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).as("not windows-1251: kept as it was").isEqualTo("a\u0098b");
                assertThat(rs.getString(2)).isEqualTo("Zoë");
            }
            try (ResultSet rs = st.executeQuery("SELECT TEXT FROM NOTE")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("Привет из KOI8");
            }
        }
    }

    @Test
    void defaultCharsetRepairsEveryOtherTextColumn() throws Exception {
        Path file = dir.resolve("bare.mv.db");
        String url = "jdbc:h2:file:" + dir.resolve("bare");
        try (LegacyEngine h2 = LegacyDatabases.engine(LegacyEngines.FORMAT1_VERSION);
             Connection c = h2.connect(url, "SA", "")) {
            LegacyDatabases.run(c, "CREATE TABLE T(ID INT PRIMARY KEY, A VARCHAR(50), B CLOB, G VARCHAR(50))");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO T VALUES (1, ?, ?, ?)")) {
                ps.setString(1, asLegacy8bit("Москва", CP1251));
                ps.setString(2, asLegacy8bit("Санкт-Петербург", CP1251));
                ps.setString(3, asLegacy8bit("Αθήνα", CP1253));
                ps.executeUpdate();
            }
        }
        Path multilang = dir.resolve("greek.txt");
        Files.writeString(multilang, "T;G;1032\n");
        DatabaseConverter converter = new DatabaseConverter(LegacyDatabases.engines());
        ConversionPlan plan = converter.plan(file, ConversionOptions.builder().multilang(multilang)
                .defaultCharset(CP1251).build());
        assertThat(plan.databaseRoot()).isEqualTo(dir.resolve("bare"));
        ConversionReport report = converter.convert(plan, ConversionListener.none());
        assertThat(report.textValuesRepaired()).isEqualTo(3);
        Path db = dir.resolve("bare");
        String key = Files.readString(db.resolve("Structure/engine.key")).trim();
        try (LegacyEngine current = LegacyEngine.current();
             Connection c = current.connect("jdbc:h2:file:" + db.resolve("Data/bare") + ";IFEXISTS=TRUE", "TETRA_ADMIN",
                     key);
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT A, B, G FROM T")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("Москва");
            assertThat(rs.getString(2)).isEqualTo("Санкт-Петербург");
            assertThat(rs.getString(3)).as("multilang.txt wins over --default-charset").isEqualTo("Αθήνα");
        }
    }
}
