package io.tetradb.admin;

import io.tetradb.server.convert.ConversionPlan;
import io.tetradb.server.convert.DataFileFormat;
import io.tetradb.server.convert.FormatDetector;
import io.tetradb.server.convert.LegacyDatabases;
import io.tetradb.server.convert.LegacyEngine;
import io.tetradb.server.convert.LegacyEngines;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.tetradb.admin.ConvertCommandIT.customers;
import static io.tetradb.admin.ConvertCommandIT.legacyFolder;
import static io.tetradb.admin.ConvertCommandIT.sha256;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged {@code tetra-admin} ({@code admin-cli/target/tetra-admin.jar} with its
 * {@code lib/} and {@code legacy-engines/}) converting as a separate process, killed with
 * SIGKILL half-way through: the originals are intact, and a second run finishes the job.
 */
@Timeout(300)
class PackagedConvertE2EIT {
    @TempDir
    Path dir;
    private Process process;

    @AfterEach
    void killLeftover() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private Process convert(Path db) throws Exception {
        Path jar = Path.of("").toAbsolutePath().resolve("target/tetra-admin.jar");
        assertThat(jar).as("the packaged tetra-admin").isRegularFile();
        assertThat(jar.resolveSibling("legacy-engines").resolve("h2-" + LegacyEngines.FORMAT1_VERSION + ".jar"))
                .isRegularFile();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-Xmx256m", "-jar", jar.toString(), "convert", db.toString(), "--yes")
                .redirectErrorStream(true).start();
    }

    @Test
    void aConversionKilledHalfWayLeavesTheOriginalsIntactAndARetrySucceeds() throws Exception {
        Path db = legacyFolder(dir, "killed", 150);
        Path file = db.resolve("Data/killed.mv.db");
        List<String> before;
        try (LegacyEngine h2 = LegacyDatabases.engine(LegacyEngines.FORMAT1_VERSION)) {
            before = customers(h2, "jdbc:h2:file:" + db.resolve("Data/killed"), "SA", "");
        }
        String hash = sha256(file);

        process = convert(db);
        List<String> seen = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            boolean inStep4 = false;
            String line;
            while ((line = r.readLine()) != null) {
                seen.add(line);
                inStep4 |= line.startsWith("Step 4/7");
                if (inStep4 && line.contains("[")) {
                    // Export and import are under way: SIGKILL, no chance to clean up.
                    process.destroyForcibly();
                    break;
                }
            }
        }
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(seen).as("the conversion reached the export and import").anyMatch(l -> l.startsWith("Step 4/7"));
        assertThat(process.exitValue()).isNotZero();

        assertThat(sha256(file)).as("the original data file is intact").isEqualTo(hash);
        assertThat(FormatDetector.detect(file)).isEqualTo(DataFileFormat.mvStore(1));

        process = convert(db);
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(out).isZero();
        assertThat(out).contains("interrupted conversion").contains("Converted " + file);
        assertThat(FormatDetector.detect(file)).isEqualTo(DataFileFormat.mvStore(3));
        assertThat(sha256(db.resolve("Data").resolve(ConversionPlan.REPLACED_FILES).resolve("killed.mv.db")))
                .isEqualTo(hash);
        try (var s = Files.list(db.resolve("Data"))) {
            // No log file yet: the server starts a fresh one, of the new data file's database, at its first start.
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("killed.mv.db",
                    ConversionPlan.REPLACED_FILES);
        }
        String key = Files.readString(db.resolve("Structure/engine.key")).trim();
        try (LegacyEngine current = LegacyEngine.current()) {
            assertThat(customers(current, "jdbc:h2:file:" + db.resolve("Data/killed") + ";IFEXISTS=TRUE",
                    "TETRA_ADMIN", key)).isEqualTo(before);
        }
    }
}
