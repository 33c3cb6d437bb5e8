package io.tetradb.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tetradb.server.convert.ConversionPlan;
import io.tetradb.server.convert.DataFileFormat;
import io.tetradb.server.convert.FormatDetector;
import io.tetradb.server.convert.LegacyDatabases;
import io.tetradb.server.convert.LegacyEngine;
import io.tetradb.server.convert.LegacyEngines;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code tetra-admin convert} in-process, as a user runs it: the plan first, nothing done
 * without a yes, each step with its progress bar, the summary; JSON for scripts; Ctrl-C
 * stops it with the originals as they were.
 */
@Timeout(300)
class ConvertCommandIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
    }

    private Run run(String stdin, Map<String, String> env, boolean interactive, InterruptSource interrupts,
                    PrintStream errOverride, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errStream = errOverride != null ? errOverride : new PrintStream(err, true, StandardCharsets.UTF_8);
        int exit = AdminMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), errStream,
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), env, SecretPrompt.none(), interactive,
                interrupts);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Run run(String... args) {
        return run("", Map.of(), false, InterruptSource.none(), null, args);
    }

    static String sha256(Path f) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
    }

    static Path legacyFolder(Path parent, String name, int customers) throws Exception {
        Path db = parent.resolve(name);
        Files.createDirectories(db.resolve("Data"));
        LegacyDatabases.create14("jdbc:h2:file:" + db.resolve("Data").resolve(name), customers);
        return db;
    }

    static List<String> customers(LegacyEngine engine, String url, String user, String password) throws Exception {
        try (Connection c = engine.connect(url, user, password)) {
            return LegacyDatabases.rows(c, "CUSTOMER");
        }
    }

    @Test
    void showsThePlanChangesNothingWithoutYesThenConvertsStepByStep() throws Exception {
        Path db = legacyFolder(dir, "shop", 30);
        Path file = db.resolve("Data/shop.mv.db");
        List<String> before;
        try (LegacyEngine h2 = LegacyDatabases.engine(LegacyEngines.FORMAT1_VERSION)) {
            before = customers(h2, "jdbc:h2:file:" + db.resolve("Data/shop"), "SA", "");
        }
        String hash = sha256(file);

        Run plan = run("convert", db.toString());
        assertThat(plan.exit()).isEqualTo(1);
        assertThat(plan.out()).contains("Data file").contains("file format 1 (H2 1.4.x, MVStore)")
                .contains("Segments").contains("Safety copy").contains(ConversionPlan.REPLACED_FILES)
                .contains("Free space").contains("Options");
        assertThat(plan.err()).contains("error 1436").contains("tetra-admin convert " + db + " --yes");

        Run no = run("n\n", Map.of(), true, InterruptSource.none(), null, "convert", db.toString());
        assertThat(no.exit()).isEqualTo(1);
        assertThat(no.err()).contains("Convert now?").contains("error 1436");
        assertThat(sha256(file)).isEqualTo(hash);
        assertThat(db.resolve("Data").resolve(ConversionPlan.REPLACED_FILES)).doesNotExist();

        Run yes = run("convert", db.toString(), "--yes");
        assertThat(yes.exit()).as(yes.err()).isEqualTo(0);
        for (int step = 1; step <= 7; step++) {
            assertThat(yes.err()).contains("Step " + step + "/7");
        }
        assertThat(yes.err()).contains("[########################] 100.0%");
        assertThat(yes.out()).contains("Converted " + file).contains("Tables      5 (").contains("Anomalies   1")
                .contains("Originals").contains(ConversionPlan.REPLACED_FILES);
        // The one anomaly: the schema's untyped 1.4 ARRAY column is now an array of text (not critical).
        assertThat(Files.readString(db.resolve("Logs").resolve("DataConversion_Log.log")))
                .contains("(ARRAY without element type in H2 1.4) is now a CHARACTER VARYING ARRAY");
        assertThat(FormatDetector.detect(file)).isEqualTo(DataFileFormat.mvStore(3));
        String key = Files.readString(db.resolve("Structure/engine.key")).trim();
        try (LegacyEngine current = LegacyEngine.current()) {
            assertThat(customers(current, "jdbc:h2:file:" + db.resolve("Data/shop") + ";IFEXISTS=TRUE", "TETRA_ADMIN",
                    key)).isEqualTo(before);
        }

        Run again = run("--json", "convert", db.toString());
        assertThat(again.exit()).isEqualTo(0);
        assertThat(JSON.readTree(again.out()).path("plan").path("nothingToDo").asBoolean()).isTrue();
    }

    @Test
    void jsonForScriptsWithTheSourceUsersPassword() throws Exception {
        Path legacy = dir.resolve("legacy");
        Files.createDirectories(legacy);
        String url = "jdbc:h2:file:" + legacy.resolve("app");
        try (LegacyEngine h2 = LegacyDatabases.engine(LegacyEngines.FORMAT2_VERSION);
             Connection c = h2.connect(url, "SA", "")) {
            LegacyDatabases.createSchema21(c);
            LegacyDatabases.fill(c, 15, 3);
            LegacyDatabases.run(c, "CREATE USER OWNER PASSWORD 'owner-pw' ADMIN");
        }
        Path target = dir.resolve("app2");
        Run r = run("", Map.of("TETRA_SOURCE_PASSWORD", "owner-pw"), false, InterruptSource.none(), null,
                "convert", legacy.resolve("app.mv.db").toString(), "--to", target.toString(), "--source-user", "OWNER",
                "--yes", "--json");
        assertThat(r.exit()).as(r.err()).isEqualTo(0);
        JsonNode n = JSON.readTree(r.out());
        assertThat(n.path("confirmed").asBoolean()).isTrue();
        assertThat(n.path("plan").path("format").asText()).isEqualTo("format 2");
        assertThat(n.path("plan").path("mode").asText()).isEqualTo("new-folder");
        JsonNode report = n.path("report");
        assertThat(report.path("converted").asBoolean()).isTrue();
        assertThat(report.path("tableCount").asInt()).isEqualTo(5);
        assertThat(report.path("rows").asLong()).isEqualTo(15 + 45 + 20 + 5 + 3);
        for (JsonNode t : report.path("tables")) {
            assertThat(t.path("verified").asBoolean()).as(t.toString()).isTrue();
            assertThat(t.path("checksum").asText()).isEqualTo(t.path("sourceChecksum").asText());
        }
        assertThat(report.path("steps")).hasSize(7);
        assertThat(r.err()).doesNotContain("Step 1/7");

        Run missing = run("--json", "convert", dir.resolve("nowhere").toString(), "--yes");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(JSON.readTree(missing.out()).path("error").path("code").asInt()).isEqualTo(2010);
        assertThat(run("convert").exit()).isEqualTo(2);
    }

    @Test
    void ctrlCStopsTheConversionWithTheOriginalsAsTheyWereAndARetrySucceeds() throws Exception {
        Path db = legacyFolder(dir, "stopped", 40);
        Path file = db.resolve("Data/stopped.mv.db");
        String hash = sha256(file);
        AtomicReference<Runnable> handler = new AtomicReference<>();
        InterruptSource source = h -> {
            handler.set(h);
            return () -> handler.set(null);
        };
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        // Ctrl-C as soon as step 4 (export and import) shows.
        PrintStream watchingErr = new PrintStream(new OutputStream() {
            private final StringBuilder seen = new StringBuilder();
            private boolean fired;

            @Override
            public void write(int b) {
                err.write(b);
                seen.append((char) b);
                if (!fired && seen.indexOf("Step 4/7") >= 0 && handler.get() != null) {
                    fired = true;
                    handler.get().run();
                }
            }
        }, true, StandardCharsets.UTF_8);
        Run r = run("", Map.of(), false, source, watchingErr, "convert", db.toString(), "--yes");
        String errText = err.toString(StandardCharsets.UTF_8);
        assertThat(r.exit()).as(errText).isEqualTo(1);
        assertThat(errText).contains("error 1434").contains("interrupted").contains("as they were")
                .contains("tetra-admin convert " + db + " --yes");
        assertThat(sha256(file)).isEqualTo(hash);
        try (var s = Files.list(db.resolve("Data"))) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("stopped.mv.db");
        }
        Run retry = run("convert", db.toString(), "--yes");
        assertThat(retry.exit()).as(retry.err()).isEqualTo(0);
        assertThat(sha256(db.resolve("Data").resolve(ConversionPlan.REPLACED_FILES).resolve("stopped.mv.db")))
                .isEqualTo(hash);
    }
}
