package io.tetradb.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Part 6: conversion of an H2 1.4 database (BENCHMARKS.md: faster than export +
 * import by hand). On a fresh copy of the same legacy file each ({@link LegacyDatabase}),
 * every program in its own JVM with the same heap: first by hand, as H2's migration
 * guide has it ({@code org.h2.tools.Script} of the 1.4.200 jar to a SQL file, then
 * {@code org.h2.tools.RunScript ... -options FROM_1X} of the server's H2 jar into a new
 * file), then Tetra as a user runs it ({@code tetra-admin --json convert <file> --to <dir>
 * --yes}, the packaged admin tool). Each copy is written just before its run, so both
 * read the source from a warm page cache (the cache is not dropped: others measure on
 * these machines). Times are wall times of the processes, JVM starts included.
 *
 * <p>Runs on the benchmark's main thread.
 */
final class ConvertBench {
    private static final String CACHES = "warm for both: each run's copy of the legacy file is written just before it runs"
            + " (page cache not dropped)";

    private ConvertBench() {
    }

    /** A finished program: its wall time and its standard output. */
    record Ran(double seconds, int exitCode, String stdout) {
    }

    static ObjectNode run(BenchContext ctx) throws Exception {
        String heap = ctx.options.convertHeap();
        LegacyDatabase legacy = LegacyDatabase.prepare(ctx, ctx.options.convertSize(), heap);
        Path dir = ctx.options.workDir().resolve("convert");
        Bench.deleteTree(dir);
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.set("legacy", legacy.toJson());
        out.put("heap", heap);
        out.put("order", "by hand first, then Tetra");
        out.put("caches", CACHES);
        ObjectNode hand = out.putObject("byHand");
        byHand(ctx, legacy, dir.resolve("by-hand"), heap, hand);
        ObjectNode tetra = out.putObject("tetra");
        tetra(ctx, legacy, dir.resolve("tetra"), heap, tetra);
        if (tetra.path("completed").asBoolean() && hand.path("completed").asBoolean()) {
            out.put("ratioByHandToTetra", Bench.round2(hand.path("totalSeconds").asDouble()
                    / tetra.path("seconds").asDouble()));
        }
        out.put("loadAverageAfter", Machine.loadAverage());
        Bench.deleteTree(dir);
        return out;
    }

    /**
     * A fresh copy of the legacy file in {@code dir}, written just before a run (so its pages
     * are in the cache for both ways), with the load average at that moment.
     */
    private static Path freshCopy(LegacyDatabase legacy, Path dir, ObjectNode out) throws IOException {
        Files.createDirectories(dir);
        Path copy = Files.copy(legacy.dataFile(), dir.resolve(LegacyDatabase.NAME + ".mv.db"));
        out.put("loadAverageBefore", Machine.loadAverage());
        return copy;
    }

    private static void byHand(BenchContext ctx, LegacyDatabase legacy, Path dir, String heap, ObjectNode out)
            throws Exception {
        Path copy = freshCopy(legacy, dir, out);
        Path dump = dir.resolve("dump.sql");
        List<String> export = new ArrayList<>(ServerProcess.javaCommand(heap, List.of()));
        export.addAll(List.of("-cp", ctx.legacyH2Jar().toString(), "org.h2.tools.Script", "-url",
                "jdbc:h2:file:" + dir.resolve(LegacyDatabase.NAME), "-user", "sa", "-script", dump.toString()));
        Bench.log("By hand: exporting %s (%s) with H2 %s's Script tool.", copy, Bench.mib(Files.size(copy)),
                ctx.legacyH2Version());
        Ran e = execChecked(ctx, "convert-by-hand-export", export);
        ObjectNode ex = out.putObject("export");
        ex.put("engine", "H2 " + ctx.legacyH2Version());
        ex.put("command", "java -Xmx" + heap + " -cp h2-" + ctx.legacyH2Version() + ".jar org.h2.tools.Script -url"
                + " jdbc:h2:file:<copy> -user sa -script dump.sql");
        ex.put("seconds", Bench.round2(e.seconds()));
        out.put("dumpBytes", Files.size(dump));
        Path target = dir.resolve("new");
        List<String> imp = new ArrayList<>(ServerProcess.javaCommand(heap, List.of()));
        imp.addAll(List.of("-cp", ctx.serverH2Jar().toString(), "org.h2.tools.RunScript", "-url",
                "jdbc:h2:file:" + target, "-user", "sa", "-script", dump.toString(), "-options", "FROM_1X"));
        Bench.log("By hand: importing the %s script with %s's RunScript tool.", Bench.mib(Files.size(dump)),
                ctx.serverH2Jar().getFileName());
        Ran i = execChecked(ctx, "convert-by-hand-import", imp);
        ObjectNode im = out.putObject("import");
        im.put("engine", "H2 " + ctx.serverH2Jar().getFileName().toString().replaceAll("^h2-|\\.jar$", ""));
        im.put("command", "java -Xmx" + heap + " -cp " + ctx.serverH2Jar().getFileName() + " org.h2.tools.RunScript"
                + " -url jdbc:h2:file:<new> -user sa -script dump.sql -options FROM_1X");
        im.put("seconds", Bench.round2(i.seconds()));
        out.put("totalSeconds", Bench.round2(e.seconds() + i.seconds()));
        out.put("newFileBytes", Files.size(dir.resolve("new.mv.db")));
        // Not timed: did the import bring every row over?
        ObjectNode rows = out.putObject("rows");
        boolean complete = true;
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + target + ";IFEXISTS=TRUE", "sa", "");
             Statement st = c.createStatement()) {
            for (Map.Entry<String, Long> t : legacy.expectedRows().entrySet()) {
                try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + t.getKey())) {
                    rs.next();
                    rows.put(t.getKey(), rs.getLong(1));
                    complete &= rs.getLong(1) == t.getValue();
                }
            }
        }
        out.put("completed", complete);
        Bench.log("By hand: export %.1f s (%s script), import %.1f s, %.1f s in all; new file %s; rows %s.",
                e.seconds(), Bench.mib(out.path("dumpBytes").asLong()), i.seconds(), e.seconds() + i.seconds(),
                Bench.mib(out.path("newFileBytes").asLong()), complete ? "all there" : "MISSING: " + rows);
        Bench.deleteTree(dir);
    }

    private static void tetra(BenchContext ctx, LegacyDatabase legacy, Path dir, String heap, ObjectNode out)
            throws Exception {
        Path copy = freshCopy(legacy, dir, out);
        Path to = dir.resolve("converted");
        List<String> cmd = new ArrayList<>(ServerProcess.javaCommand(heap, List.of()));
        cmd.addAll(List.of("-jar", ctx.adminJar().toString(), "--json", "convert", copy.toString(), "--to",
                to.toString(), "--yes"));
        out.put("command", "java -Xmx" + heap + " -jar tetra-admin.jar --json convert <copy>.mv.db --to <dir> --yes"
                + " (what bin/tetra-admin runs, with the heap set)");
        Bench.log("Tetra: converting %s (%s) with tetra-admin convert --to.", copy, Bench.mib(Files.size(copy)));
        Ran r = exec(ctx, "convert-tetra", cmd);
        out.put("seconds", Bench.round2(r.seconds()));
        JsonNode json;
        try {
            json = new ObjectMapper().readTree(r.stdout());
        } catch (IOException e) {
            json = JsonNodeFactory.instance.objectNode();
        }
        JsonNode report = json.path("report");
        boolean completed = r.exitCode() == 0 && report.path("converted").asBoolean();
        out.put("completed", completed);
        if (!completed) {
            out.put("exitCode", r.exitCode());
            out.set("error", json.has("error") ? json.get("error")
                    : JsonNodeFactory.instance.textNode(tail(ctx.logDir.resolve("convert-tetra.err"))));
            Bench.log("Tetra: the conversion FAILED after %.1f s (exit code %d): %s", r.seconds(), r.exitCode(),
                    out.path("error").path("message").asText(out.path("error").asText()));
            Bench.deleteTree(dir);
            return;
        }
        out.put("reportMillis", report.path("millis").asLong());
        out.put("rows", report.path("rows").asLong());
        out.put("indexes", report.path("indexes").asInt());
        out.set("steps", report.path("steps"));
        ArrayNode tables = out.putArray("tables");
        for (JsonNode t : report.path("tables")) {
            tables.addObject().put("table", t.path("table").asText()).put("rows", t.path("rows").asLong())
                    .put("verified", t.path("verified").asBoolean());
        }
        out.set("anomalies", report.path("anomalies"));
        out.set("safetyCopyFolders", report.path("safetyCopyFolders"));
        out.put("newFileBytes", Files.size(Path.of(report.path("newDataFile").asText())));
        Bench.log("Tetra: converted in %.1f s (%d ms by its own report); %d rows, new file %s.", r.seconds(),
                report.path("millis").asLong(), report.path("rows").asLong(),
                Bench.mib(out.path("newFileBytes").asLong()));
        Bench.deleteTree(dir);
    }

    /** As {@link #exec}, and fails when the program's exit code is not 0. */
    static Ran execChecked(BenchContext ctx, String name, List<String> command) throws Exception {
        Ran r = exec(ctx, name, command);
        if (r.exitCode() != 0) {
            throw new IllegalStateException(name + " failed (exit code " + r.exitCode() + "): "
                    + tail(ctx.logDir.resolve(name + ".err")));
        }
        return r;
    }

    /**
     * Runs a program to its end (stdout and stderr into the logs folder as {@code name.out}
     * and {@code name.err}); fails when it does not end within three hours.
     */
    static Ran exec(BenchContext ctx, String name, List<String> command) throws Exception {
        Path stdout = ctx.logDir.resolve(name + ".out");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(stdout.toFile())
                .redirectError(ctx.logDir.resolve(name + ".err").toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
        long t0 = System.nanoTime();
        Process p = pb.start();
        p.getOutputStream().close();
        if (!p.waitFor(3, TimeUnit.HOURS)) {
            p.destroyForcibly();
            throw new IllegalStateException(name + " did not end within three hours.");
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Ran(seconds, p.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8));
    }

    private static String tail(Path file) throws IOException {
        String s = Files.readString(file, StandardCharsets.UTF_8).strip();
        return s.length() > 2000 ? "..." + s.substring(s.length() - 2000) : s;
    }
}
