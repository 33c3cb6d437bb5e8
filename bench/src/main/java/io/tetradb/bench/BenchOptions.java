package io.tetradb.bench;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The command line of the benchmark. */
record BenchOptions(boolean quick, long size, String heap, Path repo, Path workDir, Path out, Set<String> parts,
                    boolean jfr, boolean reuseData, boolean postgres, double seconds, double warmup, long convertSize,
                    String convertHeap, long integrateOps) {
    static final List<String> ALL_PARTS = List.of("backup", "reads", "gate", "wire", "memory", "postgres", "convert",
            "commits", "crashcut", "integrate", "s3");
    /**
     * Without convert and commits: at 1 GiB convert takes about as long as the rest together
     * (making the H2 1.4 database, then two conversions of several minutes each), and commits
     * starts a fresh server for each of its 12 Tetra points; either would take the full run
     * well past 15 minutes.
     */
    static final List<String> DEFAULT_PARTS = ALL_PARTS.subList(0, ALL_PARTS.indexOf("convert"));

    static final String USAGE = String.join("\n",
            "usage: bin/tetra-bench [--quick] [--size SIZE] [--heap HEAP] [--parts LIST] [--work-dir DIR]",
            "                       [--out FILE] [--seconds S] [--jfr] [--reuse-data] [--no-postgres]",
            "                       [--convert-size SIZE] [--convert-heap HEAP] [--integrate-ops N]",
            "  --quick         short run (about 3 minutes): 256m data, 3-second windows",
            "  --size SIZE     size of each backed-up database (default 1g, see BENCHMARKS.md; quick 256m)",
            "  --heap HEAP     -Xmx of the Tetra server and of H2's TCP server (default 1g)",
            "  --parts LIST    comma-separated subset of " + String.join(",", ALL_PARTS) + " (default all but"
                    + " convert, commits, crashcut, integrate and s3)",
            "  --work-dir DIR  scratch folder on the disk to measure (default bench/target/work; emptied)",
            "  --out FILE      raw JSON results (default bench/results/<date>-<time>[-quick].json)",
            "  --seconds S     measured window of each throughput test (default 10; quick 3)",
            "  --jfr           record a JFR profile of every Tetra server process (in the work folder)",
            "  --reuse-data    keep databases loaded by an earlier run of the same size (and convert's H2 1.4 one)",
            "  --no-postgres   skip PostgreSQL even when it is installed",
            "  --convert-size SIZE  data file of H2 1.4 that part convert converts (default: --size)",
            "  --convert-heap HEAP  -Xmx of tetra-admin convert and of H2's Script and RunScript (default 2g:",
            "                       at 1g tetra-admin convert can run out of memory)",
            "  --integrate-ops N    operations part integrate writes after its backup, then integrates (default",
            "                       1000000; quick 100000)");

    static BenchOptions parse(String[] args, Path repo) {
        boolean quick = false;
        String size = null;
        String heap = "1g";
        Path work = repo.resolve("bench/target/work");
        Path out = null;
        Set<String> parts = new LinkedHashSet<>(DEFAULT_PARTS);
        boolean jfr = false;
        boolean reuse = false;
        boolean postgres = true;
        Double seconds = null;
        String convertSize = null;
        String convertHeap = "2g";
        Long integrateOps = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--quick" -> quick = true;
                case "--size" -> size = value(args, ++i, a);
                case "--heap" -> heap = value(args, ++i, a);
                case "--work-dir" -> work = Path.of(value(args, ++i, a)).toAbsolutePath();
                case "--out" -> out = Path.of(value(args, ++i, a)).toAbsolutePath();
                case "--seconds" -> seconds = Double.parseDouble(value(args, ++i, a));
                case "--jfr" -> jfr = true;
                case "--reuse-data" -> reuse = true;
                case "--no-postgres" -> postgres = false;
                case "--convert-size" -> convertSize = value(args, ++i, a);
                case "--convert-heap" -> convertHeap = value(args, ++i, a);
                case "--integrate-ops" -> {
                    integrateOps = Long.parseLong(value(args, ++i, a).replace("_", "").replace(",", ""));
                    if (integrateOps < 1) {
                        throw new IllegalArgumentException("--integrate-ops must be at least 1");
                    }
                }
                case "--parts" -> {
                    parts = new LinkedHashSet<>();
                    for (String p : value(args, ++i, a).split(",")) {
                        String t = p.trim().toLowerCase(Locale.ROOT);
                        if (!ALL_PARTS.contains(t)) {
                            throw new IllegalArgumentException("unknown part '" + p + "'");
                        }
                        parts.add(t);
                    }
                }
                case "-h", "--help" -> throw new IllegalArgumentException("");
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        // 1g, not 2g: with every part, a 2 GiB run took more than 15 minutes on the 2-core machine (BENCHMARKS.md).
        long bytes = Bench.parseSize(size != null ? size : quick ? "256m" : "1g");
        double s = seconds != null ? seconds : quick ? 3 : 10;
        if (!postgres) {
            parts.remove("postgres");
        }
        return new BenchOptions(quick, bytes, heap, repo, work, out, parts, jfr, reuse, postgres, s,
                quick ? 1 : 2, convertSize != null ? Bench.parseSize(convertSize) : bytes, convertHeap,
                integrateOps != null ? integrateOps : quick ? 100_000 : 1_000_000);
    }

    private static String value(String[] args, int i, String name) {
        if (i >= args.length) {
            throw new IllegalArgumentException(name + " needs a value");
        }
        return args[i];
    }

    /** Load run on a freshly started server before its first measurement, so that its JIT has compiled the paths. */
    double serverWarmup() {
        return quick ? 6 : 20;
    }

    boolean has(String part) {
        return parts.contains(part);
    }
}
