package io.tetradb.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tetradb.client.TetraClient;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * The benchmark of BENCHMARKS.md, against the peers, in one run: backup
 * throughput (vs a plain copy and H2's BACKUP TO), reads during a backup, the write
 * gate, the wire (vs H2's TCP server and PostgreSQL), memory and, when asked for, the
 * conversion of an H2 1.4 database (vs export + import by hand) and durable commits through
 * the log file (vs PostgreSQL with fsync on and H2's TCP server), the integration of the
 * log by a restore (vs H2 executing the same statements) and backups to an S3 bucket (vs a
 * local folder). Prints Markdown tables on stdout, progress on stderr, and writes the raw
 * figures as JSON.
 *
 * <pre>
 * bin/tetra-bench [--quick] [--size 2g] [--parts backup,reads,gate,wire,memory,postgres,convert,commits,crashcut,integrate,s3]
 * </pre>
 */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        Path repo = locateRepo();
        BenchOptions options;
        try {
            options = BenchOptions.parse(args, repo);
        } catch (IllegalArgumentException e) {
            if (!e.getMessage().isEmpty()) {
                System.err.println("tetra-bench: " + e.getMessage());
            }
            System.err.println(BenchOptions.USAGE);
            System.exit(2);
            return;
        }
        ZonedDateTime now = ZonedDateTime.now();
        Path out = options.out() != null ? options.out() : repo.resolve("bench/results").resolve(
                now.format(DateTimeFormatter.ofPattern("yyyy-MM-dd-HHmm")) + (options.quick() ? "-quick" : "") + ".json");
        if (!options.reuseData()) {
            Bench.deleteTree(options.workDir());
        } else {
            Bench.deleteTree(options.workDir().resolve("logs"));
        }
        Files.createDirectories(options.workDir());

        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("date", now.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        root.put("mode", options.quick() ? "quick" : "full");
        List<String> cmd = new ArrayList<>(List.of("bin/tetra-bench"));
        cmd.addAll(List.of(args));
        root.put("command", String.join(" ", cmd));
        ObjectNode opt = root.putObject("options");
        opt.put("sizeBytes", options.size());
        opt.put("heap", options.heap());
        opt.put("seconds", options.seconds());
        opt.put("warmupSeconds", options.warmup());
        opt.put("parts", String.join(",", options.parts()));
        opt.put("workDir", options.workDir().toString());
        opt.put("jfr", options.jfr());
        if (options.has("convert")) {
            opt.put("convertSizeBytes", options.convertSize());
            opt.put("convertHeap", options.convertHeap());
        }
        if (options.has("integrate")) {
            opt.put("integrateOps", options.integrateOps());
        }
        root.set("machine", Machine.describe(options.workDir()));
        root.put("tetraVersion", version(repo));

        BenchContext ctx = new BenchContext(options);
        long t0 = System.nanoTime();
        try {
            run(ctx, root);
        } catch (Exception | Error e) {
            StringWriter sw = new StringWriter();
            e.printStackTrace(new PrintWriter(sw));
            root.put("error", sw.toString());
            Bench.log("The benchmark failed: %s", e);
            e.printStackTrace();
        } finally {
            for (TetraProcess p : ctx.tetraProcesses) {
                p.stop();
            }
        }
        root.set("gateClose", gateCloses(ctx));
        root.put("elapsedSeconds", Math.round((System.nanoTime() - t0) / 1e9));
        root.put("loadAverageAtEnd", Machine.loadAverage());
        root.set("goals", Goals.evaluate(root));
        Files.createDirectories(out.getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), root);
        System.out.println(Report.markdown(root));
        Bench.log("Raw results: %s", out);
        System.exit(root.has("error") ? 1 : 0);
    }

    private static void run(BenchContext ctx, ObjectNode root) throws Exception {
        BenchOptions o = ctx.options;
        DataSet compressible = null;
        if (o.has("backup")) {
            ArrayNode backup = root.putArray("backup");
            for (DataSet.Payload p : DataSet.Payload.values()) {
                DataSet ds = prepare(ctx, p);
                backup.add(BackupBench.run(ctx, ds));
                if (p == DataSet.Payload.INCOMPRESSIBLE && !o.reuseData()) {
                    Bench.deleteTree(ds.root.getParent());
                } else if (p == DataSet.Payload.COMPRESSIBLE) {
                    compressible = ds;
                }
            }
        }
        if (o.has("convert")) {
            root.set("convert", ConvertBench.run(ctx));
        }
        if (o.has("commits")) {
            root.set("commits", CommitsBench.run(ctx));
        }
        if (o.has("crashcut")) {
            root.set("crashcut", CrashCutBench.run(ctx));
        }
        if (o.has("integrate")) {
            root.set("integrate", IntegrateBench.run(ctx));
        }
        if (o.has("s3")) {
            root.set("s3", S3Bench.run(ctx, prepare(ctx, DataSet.Payload.INCOMPRESSIBLE)));
        }
        boolean needTetra = o.has("wire") || o.has("reads") || o.has("gate");
        if (!needTetra && !o.has("memory") && !o.has("postgres")) {
            return;
        }
        DataSet ds = compressible;
        if (ds == null && (needTetra || o.has("memory"))) {
            ds = prepare(ctx, DataSet.Payload.COMPRESSIBLE);
        }
        if (o.has("wire")) {
            try (H2Process h2 = ctx.startH2("wire", ds, o.heap())) {
                Bench.sleep(2000);
                root.set("wireH2", WireBench.h2(ctx, h2));
            }
        }
        if (needTetra) {
            try (TetraProcess server = ctx.startTetra("wire-reads-gate", ds.root, o.heap());
                 TetraClient admin = server.connect()) {
                Backups backups = new Backups(ctx, admin, server, ds);
                Bench.sleep(2000);
                long rssIdle = server.rssKiB();
                WireBench.warmUpTetra(ctx, server);
                if (o.has("wire")) {
                    root.set("wireTetra", WireBench.tetra(ctx, server, rssIdle));
                    root.set("wireTetraJdbc", WireBench.tetraJdbc(ctx, server));
                }
                if (o.has("reads")) {
                    root.set("readsDuringBackup", ReadsBench.run(ctx, server, backups));
                }
                if (o.has("gate")) {
                    root.set("gate", GateBench.run(ctx, server, admin, backups, ds));
                }
            }
        }
        if (o.has("wire")) {
            // The same point selects with every request on a worker (limits.eventLoopReadTime=0, the design before
            // reads ran on the event loop): what running short reads on the event loop gains, in the same run.
            try (TetraProcess server = ctx.startTetra("wire-workers", ds.root, o.heap(), null,
                    List.of("limits.eventLoopReadTime=0"))) {
                Bench.sleep(2000);
                WireBench.warmUpTetra(ctx, server);
                root.set("wireTetraWorkers", WireBench.tetraPointSelects(ctx, server, "Tetra workers only",
                        "every request on a worker (limits.eventLoopReadTime=0)"));
            }
            // The same point selects through TLS: what TLS costs, against the plain server above.
            BenchCertificate cert = BenchCertificate.make(ctx.options.workDir().resolve("tls"));
            if (cert == null) {
                root.putObject("wireTetraTls").put("note", "not measured: openssl is not installed");
            } else {
                try (TetraProcess server = ctx.startTetra("wire-tls", ds.root, o.heap(), cert)) {
                    Bench.sleep(2000);
                    WireBench.warmUpTetra(ctx, server);
                    root.set("wireTetraTls", WireBench.tetraPointSelects(ctx, server, "Tetra TLS",
                            "TLS (RSA 2048, JDK provider)"));
                }
            }
        }
        if (o.has("memory")) {
            ObjectNode m = root.putObject("streamedSelect");
            m.set("tetra", MemoryBench.tetra(ctx, ds));
            m.set("h2", MemoryBench.h2(ctx, ds));
        }
        if (o.has("postgres")) {
            root.set("postgres", PostgresBench.run(ctx));
        }
    }

    private static DataSet prepare(BenchContext ctx, DataSet.Payload p) throws Exception {
        DataSet ds = new DataSet(ctx.options.workDir().resolve(p.label()), p);
        if (ctx.options.reuseData() && ds.loadedTo(ctx.options.size())) {
            Bench.log("Reusing the %s data set in %s.", p.label(), ds.root);
        } else {
            Bench.log("Creating the %s data set (%s) in %s.", p.label(), Bench.mib(ctx.options.size()), ds.root);
            ds.create(ctx, ctx.options.size());
        }
        return ds;
    }

    private static ObjectNode gateCloses(BenchContext ctx) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("measuredBy", "the server, on the backup thread: from the start request to the gate closed with no"
                + " write running and no transaction open (log line 'the write gate is closed and quiet')");
        o.put("closeToQuiet", "from gate.close() (writes queue from then on) to no write running and no"
                + " transaction open: the time the gate takes to close");
        o.put("fromStartRequest", "from the start request (settings read, archive opened, journal written) to the"
                + " same point; writes run normally until gate.close()");
        List<TetraProcess.GateClose> noOpenTransaction = new ArrayList<>();
        List<TetraProcess.GateClose> firsts = new ArrayList<>();
        synchronized (ctx) {
            ctx.gateSamples.forEach((condition, list) -> {
                o.set(condition, gateJson(list));
                if (!condition.equals(GateBench.HELD_OPEN)) {
                    for (TetraProcess.GateClose g : list) {
                        (g.firstOfProcess() ? firsts : noOpenTransaction).add(g);
                    }
                }
            });
        }
        // The first backup of a freshly started server process pays one-time JVM costs; reported apart.
        o.set("noOpenTransaction", gateJson(noOpenTransaction));
        o.set("noOpenTransactionFirstBackupOfProcess", gateJson(firsts));
        return o;
    }

    private static ObjectNode gateJson(List<TetraProcess.GateClose> list) {
        Latencies fromStart = new Latencies();
        Latencies waiting = new Latencies();
        for (TetraProcess.GateClose g : list) {
            fromStart.add(g.fromStartMicros() * 1000);
            waiting.add(g.waitingMicros() * 1000);
        }
        ObjectNode c = JsonNodeFactory.instance.objectNode();
        c.set("closeToQuiet", waiting.toJson());
        c.set("fromStartRequest", fromStart.toJson());
        return c;
    }

    private static String version(Path repo) {
        String git = Machine.run(List.of("git", "-C", repo.toString(), "describe", "--always", "--dirty")).trim();
        return git.isEmpty() ? "unknown" : "git " + git;
    }

    /** The repository: bench/target/tetra-bench.jar (or bench/target/classes) is two folders below it. */
    private static Path locateRepo() throws Exception {
        Path p = Path.of(BenchMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        return p.getParent().getParent().getParent().toAbsolutePath().normalize();
    }
}
