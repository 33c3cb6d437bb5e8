package io.tetradb.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Where things are, and how the servers under test are started. */
final class BenchContext {
    final BenchOptions options;
    final Path serverJar;
    final Path h2Jar;
    final Path logDir;
    private final AtomicInteger processes = new AtomicInteger();
    final List<TetraProcess> tetraProcesses = new ArrayList<>();

    BenchContext(BenchOptions options) throws Exception {
        this.options = options;
        Path packaged = options.repo().resolve("server/target/tetra-server.jar");
        if (!Files.isRegularFile(packaged) || !Files.isDirectory(packaged.resolveSibling("lib"))) {
            throw new IllegalStateException("The packaged server " + packaged + " is missing: build it with "
                    + "mvn -B -Pbench -pl bench -am package -Dmaven.test.skip=true (bin/tetra-bench does).");
        }
        // A copy, so that a rebuild of server/ during the run cannot change the jars under a running server.
        Path copy = options.workDir().resolve("server");
        Bench.deleteTree(copy);
        Files.createDirectories(copy.resolve("lib"));
        this.serverJar = Files.copy(packaged, copy.resolve(packaged.getFileName()));
        try (var libs = Files.list(packaged.resolveSibling("lib"))) {
            for (Path lib : libs.toList()) {
                Files.copy(lib, copy.resolve("lib").resolve(lib.getFileName()));
            }
        }
        this.h2Jar = Path.of(org.h2.Driver.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        this.logDir = options.workDir().resolve("logs");
        Files.createDirectories(logDir);
    }

    /** The server's gate closing times, by what else ran (idle, 8 readers, 8 writers). */
    final java.util.Map<String, List<TetraProcess.GateClose>> gateSamples = new java.util.LinkedHashMap<>();

    synchronized void gateSample(String condition, TetraProcess.GateClose g) {
        gateSamples.computeIfAbsent(condition, c -> new ArrayList<>()).add(g);
    }

    /** Starts the packaged Tetra server (with a JFR recording when --jfr was given). */
    TetraProcess startTetra(String name, Path dataDir, String heap) throws Exception {
        String n = String.format("%02d-tetra-%s", processes.incrementAndGet(), name);
        List<String> jvm = new ArrayList<>();
        jvm.add("-XX:ThreadPriorityPolicy=1"); // as bin/tetra-server starts it: backups copy at a lower priority
        if (options.jfr()) {
            jvm.add("-XX:StartFlightRecording=filename=" + logDir.resolve(n + ".jfr") + ",settings=profile,dumponexit=true");
        }
        TetraProcess p = TetraProcess.start(n, serverJar, dataDir, heap, jvm, logDir);
        synchronized (tetraProcesses) {
            tetraProcesses.add(p);
        }
        return p;
    }

    /** Starts H2's TCP server in its own JVM on the data set's data file. */
    H2Process startH2(String name, DataSet ds, String heap) throws Exception {
        String n = String.format("%02d-h2-%s", processes.incrementAndGet(), name);
        return H2Process.start(n, h2Jar, ds.dataDir(), DataSet.NAME, DataSet.engineUser(), ds.engineSecret(), heap,
                logDir);
    }
}
