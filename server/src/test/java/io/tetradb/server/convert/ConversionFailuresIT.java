package io.tetradb.server.convert;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.tetradb.server.convert.ConversionIT.convertedContent;
import static io.tetradb.server.convert.ConversionIT.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Conversions that must not happen or not finish, each leaving the originals exactly as
 * they were and saying what to do: anomalies in the source (a damaged file, a wrong
 * password, a file in use), too little disk (a small mount, and the configurable
 * threshold), and a conversion interrupted half-way, which a second attempt completes.
 */
@Timeout(300)
class ConversionFailuresIT {
    @TempDir
    Path dir;
    private Path mount;
    private final DatabaseConverter converter = new DatabaseConverter(LegacyDatabases.engines());

    @AfterEach
    void unmount() throws Exception {
        if (mount != null) {
            new ProcessBuilder("umount", mount.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** A database folder {@code name} with an H2 1.4 data file of {@code customers} customers. */
    private Path legacyFolder(Path parent, String name, int customers) throws Exception {
        Path db = parent.resolve(name);
        Files.createDirectories(db.resolve("Data"));
        LegacyDatabases.create14("jdbc:h2:file:" + db.resolve("Data").resolve(name), customers);
        return db;
    }

    private static List<String> names(Path folder) throws Exception {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static ConversionException failure(ThrowingRunnable r) {
        try {
            r.run();
        } catch (ConversionException e) {
            return e;
        } catch (Exception e) {
            throw new AssertionError("expected a ConversionException, got " + e, e);
        }
        throw new AssertionError("expected a ConversionException");
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void aDamagedSourceStopsTheConversionAtTheCheckWithAdvice() throws Exception {
        Path db = legacyFolder(dir, "damaged", 60);
        Path file = db.resolve("Data/damaged.mv.db");
        // Garbage over many blocks after the headers: pages that the check must read fail theirs.
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            Random rnd = new Random(7);
            long blocks = raf.length() / 4096;
            for (long b = 2; b < blocks - 2; b += 3) {
                byte[] junk = new byte[512];
                rnd.nextBytes(junk);
                raf.seek(b * 4096 + 256);
                raf.write(junk);
            }
        }
        String hash = sha256(file);
        ConversionPlan plan = converter.plan(db, ConversionOptions.defaults());
        List<Integer> steps = new java.util.ArrayList<>();
        ConversionException e = failure(() -> converter.convert(plan, new ConversionListener() {
            @Override
            public void step(int number, String title) {
                steps.add(number);
            }
        }));
        System.out.println("the damaged source stopped the conversion in step " + steps.get(steps.size() - 1));
        assertThat(e.rawCode()).isEqualTo(1431);
        assertThat(e.anomalies()).isNotEmpty();
        assertThat(e.getMessage()).contains("Nothing was changed");
        assertThat(e.advice()).contains("Recover");
        assertThat(sha256(file)).isEqualTo(hash);
        assertThat(names(db.resolve("Data"))).containsExactly("damaged.mv.db");
        assertThat(db.resolve("Logs").resolve(ConversionLog.FILE_NAME)).content().contains("ERROR");
    }

    /**
     * A file whose structure and row counts read well but one of whose tables cannot be
     * read through: the read-through beside the export (step 4) finds it, and the
     * conversion stops as the check would (1431 with advice), the safety copies and the
     * work folder taken back, the original as it was.
     */
    @Test
    void aTableThatCannotBeReadThroughStopsTheConversionInStep4AsAnAnomaly() throws Exception {
        Path db = legacyFolder(dir, "torn", 400);
        Path file = db.resolve("Data/torn.mv.db");
        byte[] good = Files.readAllBytes(file);
        // The first 4 KiB block whose damage leaves the structure and the counts readable, not every row.
        Path probe = dir.resolve("probe");
        Files.createDirectories(probe);
        boolean found = false;
        for (int block = 2; block < good.length / 4096 - 2 && !found; block++) {
            byte[] bad = good.clone();
            Random rnd = new Random(block);
            byte[] junk = new byte[4096 - 512];
            rnd.nextBytes(junk);
            System.arraycopy(junk, 0, bad, block * 4096 + 256, junk.length);
            Path copy = probe.resolve("p" + block + ".mv.db");
            Files.write(copy, bad);
            if (countsButCannotReadThrough(probe.resolve("p" + block))) {
                Files.write(file, bad);
                found = true;
            }
        }
        assertThat(found).as("a block whose damage the counts do not see").isTrue();
        String hash = sha256(file);
        List<Integer> steps = new java.util.ArrayList<>();
        ConversionException e = failure(() -> converter.convert(converter.plan(db, ConversionOptions.defaults()),
                new ConversionListener() {
                    @Override
                    public void step(int number, String title) {
                        steps.add(number);
                    }
                }));
        assertThat(e.rawCode()).isEqualTo(1431);
        assertThat(steps).containsExactly(1, 2, 3, 4);
        assertThat(e.anomalies()).isNotEmpty().allMatch(a -> a.contains("cannot be read through")
                || a.contains("rows can be read"));
        assertThat(e.getMessage()).contains("Nothing was changed");
        assertThat(e.advice()).contains("Recover");
        assertThat(sha256(file)).isEqualTo(hash);
        // The safety copy of step 3 and the work folder are gone.
        assertThat(names(db.resolve("Data"))).containsExactly("torn.mv.db");
    }

    /** Whether H2 1.4 reads the structure and counts of {@code base} but fails to read some table through. */
    private static boolean countsButCannotReadThrough(Path base) throws Exception {
        try (LegacyEngine h2 = LegacyDatabases.engine(LegacyEngines.FORMAT1_VERSION);
             Connection c = h2.connect("jdbc:h2:file:" + base + ";ACCESS_MODE_DATA=r;IFEXISTS=TRUE", "SA", "")) {
            SourceStructure s;
            try {
                s = SourceStructure.read(c);
                for (SourceStructure.Table t : s.tables()) {
                    try (java.sql.Statement st = c.createStatement();
                         java.sql.ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + t.ref().qualified())) {
                        rs.next();
                    }
                }
            } catch (java.sql.SQLException | RuntimeException x) {
                return false;
            }
            for (SourceStructure.Table t : s.tables()) {
                try {
                    new ContentDigest().digest(c, t.ref(), t.columnNames(), t.kinds(), null, n -> { });
                } catch (java.sql.SQLException | java.io.IOException | RuntimeException x) {
                    return true;
                }
            }
            return false;
        } catch (java.sql.SQLException x) {
            return false;
        }
    }

    @Test
    void aWrongPasswordAndAFileInUseAreAnomaliesWithAdvice() throws Exception {
        Path legacy = dir.resolve("bare");
        Files.createDirectories(legacy);
        String url = "jdbc:h2:file:" + legacy.resolve("locked");
        try (LegacyEngine h2 = LegacyDatabases.engine(LegacyEngines.FORMAT1_VERSION);
             Connection c = h2.connect(url, "SA", "")) {
            LegacyDatabases.run(c, "CREATE TABLE T(ID INT)", "ALTER USER SA SET PASSWORD 'not-empty'");
        }
        Path file = legacy.resolve("locked.mv.db");
        ConversionException wrong = failure(() -> converter.convert(converter.plan(file, ConversionOptions.defaults()),
                ConversionListener.none()));
        assertThat(wrong.rawCode()).isEqualTo(1431);
        assertThat(wrong.advice()).contains("--source-user").contains("TETRA_SOURCE_PASSWORD");
        assertThat(names(legacy)).containsExactly("locked.mv.db");

        try (LegacyEngine h2 = LegacyDatabases.engine(LegacyEngines.FORMAT1_VERSION);
             Connection open = h2.connect(url, "SA", "not-empty")) {
            ConversionException inUse = failure(() -> converter.convert(converter.plan(file, ConversionOptions.builder()
                    .sourcePassword("not-empty").build()), ConversionListener.none()));
            assertThat(inUse.rawCode()).isEqualTo(1431);
            assertThat(inUse.getMessage()).contains("in use");
            assertThat(inUse.advice()).contains("Stop the program");
            assertThat(open.isValid(1)).isTrue();
        }
        assertThat(names(legacy)).containsExactly("locked.mv.db");
    }

    @Test
    void tooLittleDiskSpaceStopsItBeforeAnythingIsChanged() throws Exception {
        // The configurable threshold: what must stay free beyond what the conversion writes.
        Path db = legacyFolder(dir, "roomy", 10);
        String hash = sha256(db.resolve("Data/roomy.mv.db"));
        ConversionPlan plan = converter.plan(db, ConversionOptions.builder().keepFree(1L << 50).build());
        assertThat(String.join("\n", plan.describe())).contains("NOT ENOUGH");
        ConversionException e = failure(() -> converter.convert(plan, ConversionListener.none()));
        assertThat(e.rawCode()).isEqualTo(1432);
        assertThat(e.advice()).contains("tetra-admin convert");
        assertThat(sha256(db.resolve("Data/roomy.mv.db"))).isEqualTo(hash);
        assertThat(names(db.resolve("Data"))).containsExactly("roomy.mv.db");

        // A real small disk (root may mount a 1 MiB tmpfs here).
        Path small = dir.resolve("small-disk");
        Files.createDirectories(small);
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", small.toString())
                .redirectErrorStream(true).start();
        assumeTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "mounting a tmpfs needs root");
        mount = small;
        Path tiny = legacyFolder(small, "tiny", 2);
        String tinyHash = sha256(tiny.resolve("Data/tiny.mv.db"));
        ConversionException full = failure(() -> converter.convert(converter.plan(tiny, ConversionOptions.defaults()),
                ConversionListener.none()));
        assertThat(full.rawCode()).isEqualTo(1432);
        assertThat(full.getMessage()).contains(tiny.resolve("Data").toString()).contains("Nothing was changed");
        assertThat(sha256(tiny.resolve("Data/tiny.mv.db"))).isEqualTo(tinyHash);
        assertThat(names(tiny.resolve("Data"))).containsExactly("tiny.mv.db");
    }

    @Test
    void anInterruptedConversionLeavesTheOriginalsAsTheyWereAndASecondAttemptSucceeds() throws Exception {
        Path db = legacyFolder(dir, "halfway", 60);
        Path file = db.resolve("Data/halfway.mv.db");
        java.util.Map<String, List<String>> before;
        try (LegacyEngine h2 = LegacyDatabases.engine(LegacyEngines.FORMAT1_VERSION)) {
            before = ConversionIT.content(h2, "jdbc:h2:file:" + db.resolve("Data/halfway"), "SA", "");
        }
        String hash = sha256(file);
        ConversionPlan plan = converter.plan(db, ConversionOptions.defaults());
        ConversionException e = failure(() -> converter.convert(plan, new ConversionListener() {
            @Override
            public void step(int number, String title) {
                if (number == 4) {
                    // Ctrl-C in tetra-admin interrupts the converting thread, as this does.
                    Thread.currentThread().interrupt();
                }
            }
        }));
        Thread.interrupted();
        assertThat(e.rawCode()).isEqualTo(1434);
        assertThat(e.getMessage()).contains("interrupted").contains("as they were");
        assertThat(e.advice()).contains("tetra-admin convert " + db);
        assertThat(sha256(file)).isEqualTo(hash);
        assertThat(names(db.resolve("Data"))).containsExactly("halfway.mv.db");

        ConversionReport again = converter.convert(converter.plan(db, ConversionOptions.defaults()),
                ConversionListener.none());
        assertThat(again.tables()).allMatch(ConversionReport.TableResult::matches);
        assertThat(convertedContent(db)).isEqualTo(before);
        assertThat(sha256(db.resolve("Data").resolve(ConversionPlan.REPLACED_FILES).resolve("halfway.mv.db")))
                .isEqualTo(hash);
    }

    /**
     * The source is read through (counted and checksummed) in step 4, beside the export, and
     * the converted file in step 6: a row lost, a duplicate row lost, values moved between
     * rows, or a row added between the two must each fail the verification, naming the
     * table, with the originals as they were.
     */
    @Test
    void aLostChangedOrAddedRowFailsTheVerificationAgainstTheSourceReadBesideTheExport() throws Exception {
        assertTamperingIsCaught("lost", "DELETE FROM ORDERS WHERE ID = (SELECT MIN(ID) FROM ORDERS)", "ORDERS", -1);
        assertTamperingIsCaught("duplicate", "DELETE FROM NO_PK WHERE _ROWID_ = (SELECT MIN(_ROWID_) FROM NO_PK "
                + "WHERE A = 'dup')", "NO_PK", -1);
        assertTamperingIsCaught("moved", "UPDATE CUSTOMER SET NAME = CASE WHEN ID = (SELECT MIN(ID) FROM CUSTOMER) "
                + "THEN (SELECT NAME FROM CUSTOMER WHERE ID = (SELECT MAX(ID) FROM CUSTOMER)) ELSE "
                + "(SELECT NAME FROM CUSTOMER WHERE ID = (SELECT MIN(ID) FROM CUSTOMER)) END "
                + "WHERE ID IN ((SELECT MIN(ID) FROM CUSTOMER), (SELECT MAX(ID) FROM CUSTOMER))", "CUSTOMER", 0);
        assertTamperingIsCaught("added", "INSERT INTO SALES.REGION VALUES (4, 'Ost')", "SALES.REGION", 1);
    }

    /**
     * Converts a fresh legacy folder, running {@code change} on the converted work database
     * between the import (step 4, which also read the source through) and the verification
     * (step 6); {@code delta}: how many more rows the converted table then has.
     */
    private void assertTamperingIsCaught(String name, String change, String table, int delta) throws Exception {
        Path db = legacyFolder(dir, name, 30);
        Path file = db.resolve("Data").resolve(name + ".mv.db");
        String qualified = table.contains(".") ? table : "PUBLIC." + table;
        long sourceRows;
        try (LegacyEngine h2 = LegacyDatabases.engine(LegacyEngines.FORMAT1_VERSION);
             Connection c = h2.connect("jdbc:h2:file:" + db.resolve("Data").resolve(name), "SA", "");
             java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + qualified)) {
            rs.next();
            sourceRows = rs.getLong(1);
        }
        String hash = sha256(file);
        ConversionPlan plan = converter.plan(db, ConversionOptions.defaults());
        Path work = plan.workDir().resolve(name);
        java.util.Map<Integer, String> summaries = new java.util.TreeMap<>();
        ConversionListener tamper = new ConversionListener() {
            private int step;

            @Override
            public void step(int number, String title) {
                step = number;
            }

            @Override
            public void stepDone(String summary) {
                summaries.put(step, summary);
                if (step != 4) {
                    return;
                }
                try {
                    String key = Files.readString(work.resolve("Structure/engine.key")).trim();
                    try (LegacyEngine current = LegacyEngine.current();
                         Connection c = current.connect("jdbc:h2:file:" + work.resolve("Data").resolve(name)
                                 + ";IFEXISTS=TRUE", "TETRA_ADMIN", key);
                         java.sql.Statement st = c.createStatement()) {
                        assertThat(st.executeUpdate(change)).isPositive();
                    }
                } catch (Exception | AssertionError e) {
                    throw new IllegalStateException("the test could not change the work database: " + e, e);
                }
            }
        };
        ConversionException e = failure(() -> converter.convert(plan, tamper));
        assertThat(e.rawCode()).isEqualTo(1434);
        assertThat(e.getMessage()).contains("The verification failed")
                .contains("Table " + table + ": the source has " + sourceRows + " rows")
                .contains("the converted table " + (sourceRows + delta) + " rows")
                .contains("as they were");
        // The source was read through in step 4, not before it.
        assertThat(summaries.get(1)).contains("rows counted");
        assertThat(summaries.get(4)).contains("rows of the source read through and checksummed");
        assertThat(sha256(file)).isEqualTo(hash);
        assertThat(names(db.resolve("Data"))).containsExactly(name + ".mv.db");
        assertThat(db.resolve("Logs").resolve(ConversionLog.FILE_NAME)).content().contains("DIFFERENT");
    }

    @Test
    void aNewerFormatIsRefusedNamingBothFormats() throws Exception {
        Path f = dir.resolve("future.mv.db");
        Files.write(f, FormatDetectorTest.mvHeader(4));
        assertThatThrownBy(() -> converter.plan(f, ConversionOptions.defaults()))
                .isInstanceOf(ConversionException.class)
                .satisfies(x -> assertThat(((ConversionException) x).rawCode()).isEqualTo(1435))
                .hasMessageContaining("file format 4").hasMessageContaining("file format 3");
    }
}
