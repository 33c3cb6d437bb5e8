package io.tetradb.server.convert;

import io.tetradb.client.Result;
import io.tetradb.client.TetraClient;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import io.tetradb.server.config.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.tetradb.server.convert.ConversionIT.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * H2 1.4 ARRAY columns (no element type) whose values mix elements of different types:
 * they convert to CHARACTER VARYING ARRAY, each element its text as H2 1.4 shows it,
 * NULL elements NULL; the conversion log names the column and its new type; the
 * verification compares the elements' text and catches a single changed value.
 */
@Timeout(300)
class ArrayConversionIT {
    /** Each row's TAGS as the real client must read them after the conversion (null: a NULL array). */
    private static final Map<Integer, List<String>> EXPECTED = new LinkedHashMap<>();

    static {
        EXPECTED.put(1, Arrays.asList("1", "x1"));
        EXPECTED.put(2, Arrays.asList("a", "2.5"));
        EXPECTED.put(3, Arrays.asList(null, "TRUE"));
        EXPECTED.put(4, List.of());
        EXPECTED.put(5, null);
        EXPECTED.put(6, List.of("1", "2", "3"));
        EXPECTED.put(7, List.of("ROW (1, a)", "ROW (2, 3)"));
        EXPECTED.put(8, List.of("0102", "2020-01-02", "2020-01-01 10:00:00.5", "10:00:00", "1E+20", "1.50", "-7",
                "FALSE", "it's"));
        EXPECTED.put(9, List.of("[1, a, null]", "z"));
        EXPECTED.put(10, Arrays.asList("1.0E-7", null, "2020-01-01 10:00:00+01", "NaN"));
        EXPECTED.put(11, List.of("plain", "text"));
    }

    @TempDir
    Path dir;

    /** A folder with an H2 1.4 database whose T.TAGS is an untyped ARRAY of mixed elements. */
    private Path legacyFolder(String name) throws Exception {
        Path db = dir.resolve(name);
        Files.createDirectories(db.resolve("Data"));
        try (LegacyEngine h2 = LegacyDatabases.engine(LegacyEngines.FORMAT1_VERSION);
             Connection c = h2.connect("jdbc:h2:file:" + db.resolve("Data").resolve(name), "SA", "")) {
            LegacyDatabases.run(c, "CREATE TABLE T(ID INT PRIMARY KEY, LABEL VARCHAR(20), TAGS ARRAY)",
                    "INSERT INTO T VALUES (1, 'one', (1, 'x1')), (2, 'two', ('a', 2.5)), (3, 'three', (NULL, TRUE)), "
                            + "(4, 'empty', ()), (5, 'null', NULL), (6, 'ints', (1, 2, 3)), "
                            + "(7, 'rows', ((1, 'a'), (2, 3))), "
                            + "(8, 'kinds', (X'0102', DATE '2020-01-02', TIMESTAMP '2020-01-01 10:00:00.5', "
                            + "TIME '10:00:00', 1E+20, 1.50, -7, FALSE, 'it''s')), "
                            + "(11, 'strings', ('plain', 'text'))");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO T VALUES (?, ?, ?)")) {
                ps.setInt(1, 9);
                ps.setString(2, "nested");
                ps.setObject(3, new Object[] {new Object[] {1, "a", null}, "z"});
                ps.executeUpdate();
                ps.setInt(1, 10);
                ps.setString(2, "doubles");
                ps.setObject(3, new Object[] {1.0e-7, null, java.time.OffsetDateTime.parse("2020-01-01T10:00:00+01:00"),
                        Double.NaN});
                ps.executeUpdate();
            }
        }
        return db;
    }

    /** Each row's TAGS elements as H2 1.4 itself shows them ({@code CAST(ARRAY_GET(TAGS, k) AS VARCHAR)}). */
    private static Map<Integer, List<String>> legacyTexts(Path db) throws Exception {
        String name = db.getFileName().toString();
        Map<Integer, List<String>> out = new LinkedHashMap<>();
        try (LegacyEngine h2 = LegacyDatabases.engine(LegacyEngines.FORMAT1_VERSION);
             Connection c = h2.connect("jdbc:h2:file:" + db.resolve("Data").resolve(name) + ";IFEXISTS=TRUE", "SA", "");
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT ID, ARRAY_LENGTH(TAGS) FROM T ORDER BY ID")) {
            while (rs.next()) {
                int id = rs.getInt(1);
                int n = rs.getInt(2);
                if (rs.wasNull()) {
                    out.put(id, null);
                    continue;
                }
                List<String> texts = new ArrayList<>();
                for (int k = 1; k <= n; k++) {
                    try (Statement e = c.createStatement();
                         ResultSet r = e.executeQuery("SELECT CAST(ARRAY_GET(TAGS, " + k + ") AS VARCHAR) FROM T WHERE ID = "
                                 + id)) {
                        r.next();
                        texts.add(r.getString(1));
                    }
                }
                out.put(id, texts);
            }
        }
        return out;
    }

    /** Each row's TAGS read through the real client from a server on the converted folder. */
    private static Map<Integer, List<String>> readThroughClient(TetraClient admin) {
        Map<Integer, List<String>> out = new LinkedHashMap<>();
        Result r = admin.execute("SELECT ID, TAGS FROM T ORDER BY ID");
        for (var row : r.rows()) {
            Object[] tags = (Object[]) row.get("TAGS");
            List<String> elements = null;
            if (tags != null) {
                elements = new ArrayList<>();
                for (Object e : tags) {
                    assertThat(e == null || e instanceof String).as("element %s of row %s", e, row).isTrue();
                    elements.add((String) e);
                }
            }
            out.put(row.getInt("ID"), elements);
        }
        return out;
    }

    @Test
    void mixedElementArraysConvertToTextArraysAndVerify() throws Exception {
        Path db = legacyFolder("tags");
        assertThat(legacyTexts(db)).isEqualTo(EXPECTED);

        DatabaseConverter converter = new DatabaseConverter(LegacyDatabases.engines());
        ConversionPlan plan = converter.plan(db, ConversionOptions.defaults());
        ConversionReport report = converter.convert(plan, ConversionIT.printing());
        assertThat(report.tables()).hasSize(1).allMatch(ConversionReport.TableResult::matches);
        assertThat(report.anomalies()).anyMatch(a -> a.contains("Column T.TAGS")
                && a.contains("CHARACTER VARYING ARRAY") && a.contains("8 values had elements that were not text"));
        assertThat(db.resolve("Logs").resolve(ConversionLog.FILE_NAME)).content()
                .contains("Column T.TAGS (ARRAY without element type in H2 1.4) is now a CHARACTER VARYING ARRAY")
                .contains("verified");

        try (TetraServer server = TetraServer.start(TestServers.config(dir).dataDir(db).build());
             TetraClient admin = TestServers.admin(server)) {
            assertThat(readThroughClient(admin)).isEqualTo(EXPECTED);
            assertThat(admin.execute("SELECT DATA_TYPE FROM INFORMATION_SCHEMA.ELEMENT_TYPES "
                    + "WHERE OBJECT_NAME = 'T'").rows().get(0).getString(0)).isEqualTo("CHARACTER VARYING");
            // The column takes new values of any kind, as text.
            admin.update("INSERT INTO T VALUES (12, 'new', ARRAY['b', CAST(3 AS VARCHAR)])");
            assertThat((Object[]) admin.execute("SELECT TAGS FROM T WHERE ID = 12").rows().get(0).get("TAGS"))
                    .containsExactly("b", "3");
        }
    }

    @Test
    void autoConversionAtStartServesTheArraysAsText() throws Exception {
        Path db = legacyFolder("auto");
        try (TetraServer server = TetraServer.start(TestServers.config(dir).dataDir(db)
                .conversion(ServerConfig.Conversion.AUTO).build());
             TetraClient admin = TestServers.admin(server)) {
            assertThat(readThroughClient(admin)).isEqualTo(EXPECTED);
        }
        assertThat(FormatDetector.detect(db.resolve("Data/auto.mv.db"))).isEqualTo(DataFileFormat.mvStore(3));
        assertThat(db.resolve("Logs").resolve(ConversionLog.FILE_NAME)).content()
                .contains("Column T.TAGS (ARRAY without element type in H2 1.4)").contains("verified");
    }

    @Test
    void oneChangedArrayElementFailsTheVerification() throws Exception {
        assertOneChangeIsCaught("one", "UPDATE T SET TAGS = ARRAY['1', 'x2'] WHERE ID = 1");
    }

    @Test
    void oneChangedPlainValueFailsTheVerification() throws Exception {
        assertOneChangeIsCaught("two", "UPDATE T SET LABEL = 'tree' WHERE ID = 3");
    }

    @Test
    void oneNullElementMadeTextFailsTheVerification() throws Exception {
        assertOneChangeIsCaught("three", "UPDATE T SET TAGS = ARRAY['null', 'TRUE'] WHERE ID = 3");
    }

    /** A folder whose T.TAGS holds arrays longer than the element-by-element check takes. */
    private Path longArraysFolder(String name) throws Exception {
        Path db = dir.resolve(name);
        Files.createDirectories(db.resolve("Data"));
        try (LegacyEngine h2 = LegacyDatabases.engine(LegacyEngines.FORMAT1_VERSION);
             Connection c = h2.connect("jdbc:h2:file:" + db.resolve("Data").resolve(name), "SA", "")) {
            LegacyDatabases.run(c, "CREATE TABLE T(ID INT PRIMARY KEY, LABEL VARCHAR(20), TAGS ARRAY)");
            PreparedStatement ps = c.prepareStatement("INSERT INTO T VALUES (?, ?, ?)");
            for (int id = 1; id <= 3; id++) {
                Object[] tags = new Object[ContentDigest.ELEMENT_TEXTS + 44 * id];
                for (int k = 0; k < tags.length; k++) {
                    tags[k] = k % 3 == 0 ? (Object) k : k % 3 == 1 ? "e" + k : (k % 7 == 0 ? null : Boolean.TRUE);
                }
                ps.setInt(1, id);
                ps.setString(2, "long " + id);
                ps.setObject(3, tags);
                ps.executeUpdate();
            }
            ps.close();
            LegacyDatabases.run(c, "INSERT INTO T VALUES (4, 'short', (1, 'x1')), (5, 'null', NULL)");
        }
        return db;
    }

    @Test
    void longMixedArraysConvertAndVerifyByTheirWholeText() throws Exception {
        Path db = longArraysFolder("long");
        DatabaseConverter converter = new DatabaseConverter(LegacyDatabases.engines());
        ConversionReport report = converter.convert(converter.plan(db, ConversionOptions.defaults()),
                ConversionListener.none());
        assertThat(report.tables()).hasSize(1).allMatch(ConversionReport.TableResult::matches);
        try (TetraServer server = TetraServer.start(TestServers.config(dir).dataDir(db).build());
             TetraClient admin = TestServers.admin(server)) {
            Object[] tags = (Object[]) admin.execute("SELECT TAGS FROM T WHERE ID = 2").rows().get(0).get("TAGS");
            assertThat(tags).hasSize(ContentDigest.ELEMENT_TEXTS + 88);
            assertThat(Arrays.copyOf(tags, 4)).containsExactly("0", "e1", "TRUE", "3");
            assertThat(tags[14]).isNull();
        }
    }

    @Test
    void oneChangedElementOfALongArrayFailsTheVerification() throws Exception {
        Path db = longArraysFolder("longer");
        assertChangeIsCaught(db, "longer", "UPDATE T SET TAGS = ARRAY_CAT(ARRAY['1'], ARRAY_SLICE(TAGS, 2, "
                + "CARDINALITY(TAGS))) WHERE ID = 3", 5);
    }

    /**
     * Converts a fresh legacy folder, changing one value of the converted work database
     * with {@code change} between the import (step 4) and the verification (step 6): the
     * verification must name the table, and the originals must be as they were.
     */
    private void assertOneChangeIsCaught(String name, String change) throws Exception {
        assertChangeIsCaught(legacyFolder(name), name, change, 11);
    }

    private void assertChangeIsCaught(Path db, String name, String change, int rows) throws Exception {
        String hash = sha256(db.resolve("Data").resolve(name + ".mv.db"));
        DatabaseConverter converter = new DatabaseConverter(LegacyDatabases.engines());
        ConversionPlan plan = converter.plan(db, ConversionOptions.defaults());
        Path work = plan.workDir().resolve(name);
        int[] changed = {0};
        ConversionListener tamper = new ConversionListener() {
            private int step;

            @Override
            public void step(int number, String title) {
                step = number;
            }

            @Override
            public void stepDone(String summary) {
                if (step != 4) {
                    return;
                }
                // The import is done and its file closed; the verification has not begun.
                try {
                    String key = Files.readString(work.resolve("Structure/engine.key"), StandardCharsets.UTF_8).trim();
                    try (LegacyEngine current = LegacyEngine.current();
                         Connection c = current.connect("jdbc:h2:file:" + work.resolve("Data").resolve(name)
                                 + ";IFEXISTS=TRUE", "TETRA_ADMIN", key);
                         Statement st = c.createStatement()) {
                        changed[0] = st.executeUpdate(change);
                    }
                } catch (Exception | AssertionError e) {
                    throw new IllegalStateException("the test could not change the work database: " + e, e);
                }
            }
        };
        assertThatThrownBy(() -> converter.convert(plan, tamper))
                .isInstanceOf(ConversionException.class)
                .hasMessageContaining("The verification failed")
                .hasMessageContaining("Table T: the source has " + rows + " rows")
                .hasMessageContaining("the converted table " + rows + " rows");
        assertThat(changed[0]).isEqualTo(1);
        assertThat(sha256(db.resolve("Data").resolve(name + ".mv.db"))).isEqualTo(hash);
        assertThat(FormatDetector.detect(db.resolve("Data").resolve(name + ".mv.db")))
                .isEqualTo(DataFileFormat.mvStore(1));
        assertThat(db.resolve("Logs").resolve(ConversionLog.FILE_NAME)).content().contains("DIFFERENT");
    }
}
