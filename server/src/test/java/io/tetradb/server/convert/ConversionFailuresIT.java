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
        ConversionException e = failure(() -> converter.convert(plan, ConversionListener.none()));
        assertThat(e.rawCode()).isEqualTo(1431);
        assertThat(e.anomalies()).isNotEmpty();
        assertThat(e.getMessage()).contains("Nothing was changed");
        assertThat(e.advice()).contains("Recover");
        assertThat(sha256(file)).isEqualTo(hash);
        assertThat(names(db.resolve("Data"))).containsExactly("damaged.mv.db");
        assertThat(db.resolve("Logs").resolve(ConversionLog.FILE_NAME)).content().contains("ERROR");
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
