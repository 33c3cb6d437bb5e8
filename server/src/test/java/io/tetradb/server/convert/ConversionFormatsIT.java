package io.tetradb.server.convert;

import io.tetradb.client.TetraClient;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.tetradb.server.convert.ConversionIT.content;
import static io.tetradb.server.convert.ConversionIT.convertedContent;
import static io.tetradb.server.convert.ConversionIT.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The other sources: a bare format 2 file (H2 2.1.214) with its own user, converted into a
 * new folder; a page store; a split database merged into one file, with a segment kept in
 * another folder; another data file of a folder converted on its own with --data-file.
 */
@Timeout(300)
class ConversionFormatsIT {
    @TempDir
    Path dir;

    private final DatabaseConverter converter = new DatabaseConverter(LegacyDatabases.engines());

    private static List<String> names(Path folder) throws Exception {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aBareFormatTwoFileWithItsOwnUserBecomesANewDatabaseFolderAndIsLeftAsItWas() throws Exception {
        Path legacy = dir.resolve("legacy");
        Files.createDirectories(legacy);
        String url = "jdbc:h2:file:" + legacy.resolve("app");
        try (LegacyEngine h2 = LegacyDatabases.engine(LegacyEngines.FORMAT2_VERSION);
             var c = h2.connect(url, "SA", "")) {
            LegacyDatabases.createSchema21(c);
            LegacyDatabases.fill(c, 40, 2);
            LegacyDatabases.run(c, "CREATE USER OWNER PASSWORD 'owner-pw' ADMIN", "ALTER USER SA SET PASSWORD 'sa-secret'");
        }
        Map<String, List<String>> before;
        try (LegacyEngine h2 = LegacyDatabases.engine(LegacyEngines.FORMAT2_VERSION)) {
            before = content(h2, url, "OWNER", "owner-pw");
        }
        Path file = legacy.resolve("app.mv.db");
        String hash = sha256(file);
        assertThat(FormatDetector.detect(file)).isEqualTo(DataFileFormat.mvStore(2));

        Path target = dir.resolve("app2");
        ConversionPlan plan = converter.plan(file, ConversionOptions.builder().to(target).sourceUser("OWNER")
                .sourcePassword("owner-pw").build());
        assertThat(plan.mode()).isEqualTo(ConversionPlan.Mode.NEW_FOLDER);
        assertThat(plan.safetyCopies()).isEmpty();
        assertThat(plan.readerVersion()).isEqualTo(LegacyEngines.FORMAT2_VERSION);
        ConversionReport report = converter.convert(plan, ConversionIT.printing());
        assertThat(report.tables()).allMatch(ConversionReport.TableResult::matches);

        assertThat(sha256(file)).as("the source is left exactly as it was").isEqualTo(hash);
        assertThat(names(legacy)).containsExactly("app.mv.db");
        assertThat(FormatDetector.detect(target.resolve("Data/app2.mv.db"))).isEqualTo(DataFileFormat.mvStore(3));
        assertThat(convertedContent(target)).isEqualTo(before);

        try (TetraServer server = TetraServer.start(TestServers.config(dir).dataDir(target).build());
             TetraClient admin = TestServers.admin(server)) {
            assertThat(admin.execute("SELECT COUNT(*) FROM ORDERS").rows().get(0).getLong(0)).isEqualTo(120L);
            admin.update("INSERT INTO ITEM(LABEL) VALUES ('next')");
            assertThat(admin.execute("SELECT MAX(ID) FROM ITEM").rows().get(0).getLong(0)).isEqualTo(21L);
        }
    }

    @Test
    void aPageStoreIsConvertedInPlaceAndItsFileKeptAmongTheReplacedFiles() throws Exception {
        Path db = dir.resolve("old");
        Files.createDirectories(db.resolve("Data"));
        String url = "jdbc:h2:file:" + db.resolve("Data/old") + ";MV_STORE=FALSE";
        LegacyDatabases.create14(url, 30);
        Map<String, List<String>> before;
        try (LegacyEngine h2 = LegacyDatabases.engine(LegacyEngines.FORMAT1_VERSION)) {
            before = content(h2, url, "SA", "");
        }
        Path pageStore = db.resolve("Data/old.h2.db");
        String hash = sha256(pageStore);
        assertThat(FormatDetector.detect(pageStore)).isEqualTo(DataFileFormat.pageStore());

        ConversionPlan plan = converter.plan(db, ConversionOptions.defaults());
        assertThat(plan.format()).isEqualTo(DataFileFormat.pageStore());
        converter.convert(plan, ConversionIT.printing());

        assertThat(pageStore).doesNotExist();
        Path replaced = db.resolve("Data").resolve(ConversionPlan.REPLACED_FILES);
        assertThat(sha256(replaced.resolve("old.h2.db"))).isEqualTo(hash);
        assertThat(FormatDetector.detect(db.resolve("Data/old.mv.db"))).isEqualTo(DataFileFormat.mvStore(3));
        assertThat(convertedContent(db)).isEqualTo(before);
    }

    @Test
    void aSplitDatabaseIsMergedIntoOneFileAndASegmentElsewhereIsFoundWithSegmentDir() throws Exception {
        Path db = dir.resolve("split");
        Files.createDirectories(db.resolve("Data"));
        String url = "jdbc:h2:split:18:" + db.resolve("Data/split");
        LegacyDatabases.create14(url, 80);
        Map<String, List<String>> before;
        try (LegacyEngine h2 = LegacyDatabases.engine(LegacyEngines.FORMAT1_VERSION)) {
            before = content(h2, url, "SA", "");
        }
        List<String> parts = names(db.resolve("Data")).stream().filter(n -> n.endsWith(".part")).toList();
        assertThat(parts).as("a split database of several segments").hasSizeGreaterThanOrEqualTo(2);
        // One segment was moved to another disk.
        Path elsewhere = dir.resolve("other-disk");
        Files.createDirectories(elsewhere);
        Files.move(db.resolve("Data/split.mv.db.1.part"), elsewhere.resolve("split.mv.db.1.part"));
        String movedHash = sha256(elsewhere.resolve("split.mv.db.1.part"));

        ConversionPlan missing = converter.plan(db, ConversionOptions.defaults());
        assertThat(missing.missingSegment()).contains("Segment 1").contains("split.mv.db.1.part");
        assertThatThrownBy(() -> converter.convert(missing, ConversionListener.none()))
                .isInstanceOf(ConversionException.class)
                .satisfies(e -> assertThat(((ConversionException) e).rawCode()).isEqualTo(1433))
                .satisfies(e -> assertThat(((ConversionException) e).advice()).contains("--segment-dir"));
        assertThat(names(db.resolve("Data"))).noneMatch(n -> n.startsWith("Replaced") || n.startsWith("."));

        ConversionPlan plan = converter.plan(db, ConversionOptions.builder().segmentDir(elsewhere).build());
        assertThat(plan.segments()).hasSize(parts.size());
        assertThat(plan.safetyFolders()).containsExactlyInAnyOrder(
                db.resolve("Data").resolve(ConversionPlan.REPLACED_FILES), elsewhere.resolve(ConversionPlan.REPLACED_FILES));
        ConversionReport report = converter.convert(plan, ConversionIT.printing());
        assertThat(report.tables()).allMatch(ConversionReport.TableResult::matches);

        assertThat(names(db.resolve("Data"))).doesNotContainAnyElementsOf(parts).contains("split.mv.db");
        assertThat(names(elsewhere)).containsExactly(ConversionPlan.REPLACED_FILES);
        assertThat(sha256(elsewhere.resolve(ConversionPlan.REPLACED_FILES).resolve("split.mv.db.1.part")))
                .isEqualTo(movedHash);
        assertThat(names(db.resolve("Data").resolve(ConversionPlan.REPLACED_FILES))).hasSize(parts.size());
        assertThat(FormatDetector.detect(db.resolve("Data/split.mv.db"))).isEqualTo(DataFileFormat.mvStore(3));
        assertThat(convertedContent(db)).isEqualTo(before);
    }

    @Test
    void aMissingLastSegmentIsNoticedEvenThoughTheNumbersHaveNoGap() throws Exception {
        Path db = dir.resolve("cut");
        Files.createDirectories(db.resolve("Data"));
        LegacyDatabases.create14("jdbc:h2:split:17:" + db.resolve("Data/cut"), 60);
        List<String> parts = names(db.resolve("Data")).stream().filter(n -> n.endsWith(".part")).toList();
        int last = parts.stream().mapToInt(n -> Integer.parseInt(n.replaceAll("\\D+", " ").trim().split(" ")[0]))
                .max().orElseThrow();
        Files.delete(db.resolve("Data/cut.mv.db." + last + ".part"));
        ConversionPlan plan = converter.plan(db, ConversionOptions.defaults());
        assertThat(plan.missingSegment()).contains("Segment " + last).contains("missing").contains("--segment-dir");
        assertThatThrownBy(() -> converter.convert(plan, ConversionListener.none()))
                .isInstanceOf(ConversionException.class)
                .satisfies(e -> assertThat(((ConversionException) e).rawCode()).isEqualTo(1433));
    }

    @Test
    void anotherDataFileOfTheFolderIsConvertedOnItsOwnWithDataFile() throws Exception {
        Path db = dir.resolve("main");
        try (TetraServer server = TetraServer.start(TestServers.config(dir).dataDir(db).build());
             TetraClient admin = TestServers.admin(server)) {
            admin.execute("CREATE TABLE T(ID INT PRIMARY KEY)");
        }
        String mainHash = sha256(db.resolve("Data/main.mv.db"));
        String url = "jdbc:h2:file:" + db.resolve("Data/archive");
        LegacyDatabases.create14(url, 20);
        Map<String, List<String>> before;
        try (LegacyEngine h2 = LegacyDatabases.engine(LegacyEngines.FORMAT1_VERSION)) {
            before = content(h2, url, "SA", "");
        }
        ConversionPlan whole = converter.plan(db, ConversionOptions.defaults());
        assertThat(whole.nothingToDo()).isTrue();

        ConversionPlan plan = converter.plan(db, ConversionOptions.builder().dataFile(Path.of("archive.mv.db")).build());
        assertThat(plan.mainDataFile()).isFalse();
        assertThat(plan.command()).contains("--data-file archive.mv.db");
        converter.convert(plan, ConversionListener.none());
        assertThat(FormatDetector.detect(db.resolve("Data/archive.mv.db"))).isEqualTo(DataFileFormat.mvStore(3));
        assertThat(db.resolve("Structure/catalog-archive.xml")).exists();
        assertThat(sha256(db.resolve("Data/main.mv.db"))).isEqualTo(mainHash);
        String key = Files.readString(db.resolve("Structure/engine.key")).trim();
        try (LegacyEngine current = LegacyEngine.current()) {
            assertThat(content(current, url + ";IFEXISTS=TRUE", "TETRA_ADMIN", key)).isEqualTo(before);
        }
    }
}
