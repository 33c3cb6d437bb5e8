package io.tetradb.server.convert;

import io.tetradb.client.TetraClient;
import io.tetradb.client.TetraException;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Conversions of real legacy databases built at test time with the old engines: every
 * common column type, constraints, indexes, sequences, views, identity columns and
 * non-ASCII text come through with exactly the same content, the originals are kept in
 * "Replaced Files (conversion)", and the server opens the result.
 */
@Timeout(300)
class ConversionIT {
    static final List<String> TABLES = List.of("PUBLIC.CUSTOMER", "PUBLIC.ORDERS", "PUBLIC.ITEM", "PUBLIC.NO_PK",
            "SALES.REGION");

    @TempDir
    Path dir;

    static Map<String, List<String>> content(LegacyEngine engine, String url, String user, String password)
            throws Exception {
        Map<String, List<String>> out = new LinkedHashMap<>();
        try (Connection c = engine.connect(url, user, password)) {
            for (String t : TABLES) {
                out.put(t, LegacyDatabases.rows(c, t));
            }
        }
        return out;
    }

    /** The content of a converted database folder, read with the current engine. */
    static Map<String, List<String>> convertedContent(Path db) throws Exception {
        String name = db.getFileName().toString();
        String key = Files.readString(db.resolve("Structure/engine.key"), StandardCharsets.UTF_8).trim();
        try (LegacyEngine current = LegacyEngine.current()) {
            return content(current, "jdbc:h2:file:" + db.resolve("Data").resolve(name) + ";IFEXISTS=TRUE",
                    "TETRA_ADMIN", key);
        }
    }

    /** Prints the steps with their times (in the test's output, for a failing test's reader). */
    static ConversionListener printing() {
        long t0 = System.nanoTime();
        return new ConversionListener() {
            @Override
            public void step(int number, String title) {
                System.out.printf("%6d ms  step %d: %s%n", (System.nanoTime() - t0) / 1_000_000, number, title);
            }

            @Override
            public void stepDone(String summary) {
                System.out.printf("%6d ms    %s%n", (System.nanoTime() - t0) / 1_000_000, summary);
            }

            @Override
            public void note(String message) {
                System.out.println("          note: " + message);
            }
        };
    }

    static String sha256(Path f) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
    }

    @Test
    void formatOneFolderConvertsInPlaceWithEveryValueIntactAndTheServerOpensIt() throws Exception {
        Path db = dir.resolve("shop");
        Files.createDirectories(db.resolve("Data"));
        Files.createDirectories(db.resolve("Structure"));
        String url = "jdbc:h2:file:" + db.resolve("Data/shop");
        long t = System.nanoTime();
        LegacyDatabases.create14(url, 120);
        System.out.printf("created in %d ms%n", (System.nanoTime() - t) / 1_000_000);
        Map<String, List<String>> before;
        try (LegacyEngine h2 = LegacyDatabases.engine(LegacyEngines.FORMAT1_VERSION)) {
            before = content(h2, url, "SA", "");
        }
        Path original = db.resolve("Data/shop.mv.db");
        String originalHash = sha256(original);
        assertThat(FormatDetector.detect(original)).isEqualTo(DataFileFormat.mvStore(1));

        // A log file of the database the old data file was (another database id than the converted one gets).
        Path oldLog = db.resolve("Data/shop.journal");
        io.tetradb.server.log.OperationLog.open(oldLog, "the-old-database",
                io.tetradb.server.log.LogOptions.builder().build()).close();
        String oldLogHash = sha256(oldLog);

        DatabaseConverter converter = new DatabaseConverter(LegacyDatabases.engines());
        ConversionPlan plan = converter.plan(db, ConversionOptions.defaults());
        assertThat(plan.format()).isEqualTo(DataFileFormat.mvStore(1));
        assertThat(plan.mode()).isEqualTo(ConversionPlan.Mode.IN_PLACE);
        assertThat(plan.safetyFolders()).containsExactly(db.resolve("Data").resolve(ConversionPlan.REPLACED_FILES));
        assertThat(String.join("\n", plan.describe())).contains("file format 1 (H2 1.4.x, MVStore)")
                .contains(ConversionPlan.REPLACED_FILES).contains("Free space");

        ConversionReport report = converter.convert(plan, printing());
        assertThat(report.tables()).hasSize(5).allMatch(ConversionReport.TableResult::matches);
        assertThat(report.totalRows()).isEqualTo(120 + 360 + 20 + 5 + 3);

        assertThat(FormatDetector.detect(original)).isEqualTo(DataFileFormat.mvStore(3));
        Path copy = db.resolve("Data").resolve(ConversionPlan.REPLACED_FILES).resolve("shop.mv.db");
        assertThat(sha256(copy)).isEqualTo(originalHash);
        // A new, empty log: the old one is kept with the replaced files, none is left in Data/ (the server
        // creates the log for the new database id at its first start).
        assertThat(db.resolve("Data/shop.journal")).doesNotExist();
        assertThat(sha256(db.resolve("Data").resolve(ConversionPlan.REPLACED_FILES).resolve("shop.journal")))
                .isEqualTo(oldLogHash);
        assertThat(db.resolve("Structure/catalog.xml")).content().contains("name=\"CUSTOMER\"");
        assertThat(db.resolve("Logs").resolve(ConversionLog.FILE_NAME)).content().contains("verified");
        assertThat(db.resolve("Structure").resolve(DatabaseConverter.RECORD_FILE)).exists();
        try (var s = Files.list(db.resolve("Data"))) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(WorkArea.PREFIX));
        }

        assertThat(convertedContent(db)).isEqualTo(before);

        try (TetraServer server = TetraServer.start(TestServers.config(dir).dataDir(db).build());
             TetraClient admin = TestServers.admin(server)) {
            assertThat(admin.execute("SELECT COUNT(*) FROM CUSTOMER").rows().get(0).getLong(0)).isEqualTo(120L);
            var header = server.logs().log().header();
            assertThat(header.getDatabaseId()).isNotEqualTo("the-old-database").isNotEmpty();
            assertThat(header.getSegment()).isEqualTo(1);
            assertThat(header.getFirstOperation()).isEqualTo(1);
            assertThat(admin.execute("SELECT NAME FROM CUSTOMER WHERE ID = 1").rows().get(0).getString(0))
                    .isEqualTo(LegacyDatabases.NAMES[1] + " #1");
            // Identity columns and sequences go on where they were.
            admin.update("INSERT INTO ITEM(LABEL) VALUES ('new')");
            assertThat(admin.execute("SELECT MAX(ID) FROM ITEM").rows().get(0).getLong(0)).isEqualTo(21L);
            admin.update("INSERT INTO ORDERS(CUSTOMER_ID, AMOUNT) VALUES (1, 1.00)");
            assertThat(admin.execute("SELECT MAX(INVOICE) FROM ORDERS").rows().get(0).getLong(0))
                    .isEqualTo(1000L + 360 * 10);
            // Constraints hold: foreign key, unique, check.
            assertThatThrownBy(() -> admin.update("INSERT INTO ORDERS(CUSTOMER_ID) VALUES (999999)"))
                    .isInstanceOf(TetraException.class);
            assertThatThrownBy(() -> admin.update("INSERT INTO CUSTOMER(ID, NAME, EMAIL) VALUES (9999, 'x', "
                    + "'USER1@example.com')")).isInstanceOf(TetraException.class);
            assertThatThrownBy(() -> admin.update("INSERT INTO CUSTOMER(ID, NAME, BALANCE) VALUES (9998, 'x', -5000)"))
                    .isInstanceOf(TetraException.class);
            assertThat(admin.execute("SELECT COUNT(*) FROM BIG_SPENDERS").rows().get(0).getLong(0)).isEqualTo(120L);
        }
    }
}
