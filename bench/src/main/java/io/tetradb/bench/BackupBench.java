package io.tetradb.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tetradb.client.TetraClient;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Part 1: backup throughput. For one data set: a plain copy of the files a backup
 * archives ({@code cp} then {@code sync} of the copies, same disk), Tetra's backup with
 * compression none, fast and compact (runs interleaved with the copies, so that a
 * disturbance hits both), and H2's own {@code BACKUP TO} run by H2's TCP server on the
 * same data file. Throughput ratios are time ratios over the same bytes.
 */
final class BackupBench {
    static final List<String> COMPRESSIONS = List.of("none", "fast", "compact");

    private BackupBench() {
    }

    static ObjectNode run(BenchContext ctx, DataSet ds) throws Exception {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("payload", ds.payload.label());
        long bytes = ds.backedUpBytes();
        out.put("bytes", bytes);
        out.put("dataFileBytes", Files.size(ds.dataFile()));
        out.put("loadAverageBefore", Machine.loadAverage());
        int repeats = ctx.options.quick() ? 2 : 3;

        List<Double> copies = new ArrayList<>();
        ObjectNode tetra = out.putObject("tetra");
        try (TetraProcess server = ctx.startTetra("backup-" + ds.payload.label(), ds.root, ctx.options.heap());
             TetraClient admin = server.connect()) {
            Backups backups = new Backups(ctx, admin, server, ds);
            // One backup not counted: a long-running server has compiled its copy loop; a fresh JVM has not.
            backups.settings("none", 0, "30s");
            out.set("warmupBackup", backups.run().toJson());
            for (String compression : COMPRESSIONS) {
                int runs = compression.equals("compact") ? 1 : repeats;
                backups.settings(compression, 0, "30s");
                List<Double> seconds = new ArrayList<>();
                ArrayNode arr = JsonNodeFactory.instance.arrayNode();
                long archive = 0;
                for (int i = 0; i < runs; i++) {
                    if (compression.equals("none")) {
                        copies.add(plainCopy(ds));
                    }
                    Backups.Outcome o = backups.run();
                    seconds.add(o.seconds());
                    archive = o.record().getArchiveSize();
                    arr.add(o.toJson());
                    Bench.log("Backup %s of %s (%s): %.2f s, %.0f MB/s, archive %s.", compression, ds.payload.label(),
                            Bench.mib(bytes), o.seconds(), bytes / 1e6 / o.seconds(), Bench.mib(archive));
                }
                double median = median(seconds);
                ObjectNode c = tetra.putObject(compression);
                c.put("medianSeconds", Bench.round2(median));
                c.put("mbPerSecond", Bench.mbPerSecond(bytes, median));
                c.put("archiveBytes", archive);
                c.put("compressionRatio", Bench.round2((double) bytes / archive));
                c.set("runs", arr);
            }
        }
        double copyMedian = median(copies);
        ObjectNode copy = out.putObject("plainCopy");
        copy.put("command", "cp --reflink=never --parents <files> <dir> && sync <copies>");
        copy.put("medianSeconds", Bench.round2(copyMedian));
        copy.put("mbPerSecond", Bench.mbPerSecond(bytes, copyMedian));
        copy.set("runsSeconds", JsonNodeFactory.instance.arrayNode().addAll(copies.stream()
                .map(d -> JsonNodeFactory.instance.numberNode(Bench.round2(d))).toList()));

        double h2Seconds = h2Backup(ctx, ds, out.putObject("h2BackupTo"));
        for (String compression : COMPRESSIONS) {
            ObjectNode c = (ObjectNode) tetra.get(compression);
            double s = c.get("medianSeconds").asDouble();
            c.put("ratioToPlainCopy", Bench.round2(copyMedian / s));
            c.put("ratioToH2BackupTo", Bench.round1(h2Seconds / s));
        }
        out.put("loadAverageAfter", Machine.loadAverage());
        return out;
    }

    /** cp + sync of the files a backup archives, to a folder beside the database; returns seconds. */
    static double plainCopy(DataSet ds) throws Exception {
        Path dir = ds.root.resolveSibling("plain-copy");
        Bench.deleteTree(dir);
        Files.createDirectories(dir);
        List<String> files = ds.backedUpFiles().stream().map(Path::toString).toList();
        List<String> cp = new ArrayList<>(Arrays.asList("cp", "--reflink=never", "--parents", "-t", dir.toString()));
        cp.addAll(files);
        List<String> sync = new ArrayList<>(List.of("sync"));
        files.forEach(f -> sync.add(dir.resolve(f).toString()));
        long t0 = System.nanoTime();
        exec(cp, ds.root);
        exec(sync, ds.root);
        double s = (System.nanoTime() - t0) / 1e9;
        Bench.deleteTree(dir);
        return s;
    }

    private static void exec(List<String> cmd, Path dir) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd.subList(0, Math.min(4, cmd.size()))) + " failed: " + out);
        }
    }

    /** H2's own BACKUP TO, run by H2's TCP server (same heap) on the same data file; returns seconds. */
    private static double h2Backup(BenchContext ctx, DataSet ds, ObjectNode out) throws Exception {
        Path zip = ds.root.resolveSibling("h2-backup.zip");
        Files.deleteIfExists(zip);
        double seconds;
        try (H2Process h2 = ctx.startH2("backup-" + ds.payload.label(), ds, ctx.options.heap());
             Connection c = h2.connect(); Statement st = c.createStatement()) {
            long t0 = System.nanoTime();
            st.execute("BACKUP TO '" + zip.toAbsolutePath().toString().replace("'", "''") + "'");
            seconds = (System.nanoTime() - t0) / 1e9;
        }
        long bytes = ds.backedUpBytes();
        out.put("statement", "BACKUP TO '<file>.zip'");
        out.put("seconds", Bench.round2(seconds));
        out.put("mbPerSecond", Bench.mbPerSecond(Files.size(ds.dataFile()), seconds));
        out.put("archiveBytes", Files.size(zip));
        Files.deleteIfExists(zip);
        Bench.log("H2 BACKUP TO of %s: %.1f s (%.0f MB/s).", ds.payload.label(), seconds, bytes / 1e6 / seconds);
        return seconds;
    }

    static double median(List<Double> v) {
        if (v.isEmpty()) {
            return Double.NaN;
        }
        List<Double> s = new ArrayList<>(v);
        s.sort(Double::compare);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
