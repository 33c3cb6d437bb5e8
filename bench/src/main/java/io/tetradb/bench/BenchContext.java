package io.tetradb.bench;

import java.io.IOException;
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
    private Path adminJar;

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

    /** H2's jar in the packaged server's lib/: the engine that imports by hand in part convert. */
    Path serverH2Jar() throws IOException {
        try (var libs = Files.list(serverJar.resolveSibling("lib"))) {
            return libs.filter(p -> p.getFileName().toString().matches("h2-[0-9.]+\\.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("No h2-*.jar in " + serverJar.resolveSibling("lib")));
        }
    }

    /** H2 1.4.200 (bench/target/legacy-engines): writes the legacy database of part convert, exports it by hand. */
    Path legacyH2Jar() throws IOException {
        Path dir = options.repo().resolve("bench/target/legacy-engines");
        String missing = "H2 1.4's jar is missing from " + dir + ": build it with mvn -B -Pbench -pl bench -am package"
                + " -Dmaven.test.skip=true (bin/tetra-bench does).";
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException(missing);
        }
        try (var jars = Files.list(dir)) {
            return jars.filter(p -> p.getFileName().toString().matches("h2-1\\.4\\.[0-9]+\\.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException(missing));
        }
    }

    /** The version of {@link #legacyH2Jar()}, from its name (1.4.200). */
    String legacyH2Version() throws IOException {
        String n = legacyH2Jar().getFileName().toString();
        return n.substring("h2-".length(), n.length() - ".jar".length());
    }

    /**
     * The packaged admin tool (admin-cli/target/tetra-admin.jar with its lib/ and
     * legacy-engines/), copied to the work folder on first use, as the server is.
     */
    Path adminJar() throws IOException {
        if (adminJar == null) {
            Path packaged = options.repo().resolve("admin-cli/target/tetra-admin.jar");
            if (!Files.isRegularFile(packaged) || !Files.isDirectory(packaged.resolveSibling("legacy-engines"))) {
                throw new IllegalStateException("The packaged admin tool " + packaged + " is missing: build it with "
                        + "mvn -B -Pbench -pl bench -am package -Dmaven.test.skip=true (bin/tetra-bench does).");
            }
            Path copy = options.workDir().resolve("admin");
            Bench.deleteTree(copy);
            for (String dir : List.of("lib", "legacy-engines")) {
                Files.createDirectories(copy.resolve(dir));
                try (var files = Files.list(packaged.resolveSibling(dir))) {
                    for (Path f : files.toList()) {
                        Files.copy(f, copy.resolve(dir).resolve(f.getFileName()));
                    }
                }
            }
            adminJar = Files.copy(packaged, copy.resolve(packaged.getFileName()));
        }
        return adminJar;
    }

    /** The server's gate closing times, by what else ran (idle, 8 readers, 8 writers). */
    final java.util.Map<String, List<TetraProcess.GateClose>> gateSamples = new java.util.LinkedHashMap<>();

    synchronized void gateSample(String condition, TetraProcess.GateClose g) {
        gateSamples.computeIfAbsent(condition, c -> new ArrayList<>()).add(g);
    }

    /** Starts the packaged Tetra server (with a JFR recording when --jfr was given). */
    TetraProcess startTetra(String name, Path dataDir, String heap) throws Exception {
        return startTetra(name, dataDir, heap, null);
    }

    /** As {@link #startTetra(String, Path, String)}, speaking TLS with {@code tls} when it is given. */
    TetraProcess startTetra(String name, Path dataDir, String heap, BenchCertificate tls) throws Exception {
        return startTetra(name, dataDir, heap, tls, List.of());
    }

    /** As {@link #startTetra(String, Path, String, BenchCertificate)}, with {@code settings} ({@code key=value}). */
    TetraProcess startTetra(String name, Path dataDir, String heap, BenchCertificate tls, List<String> settings)
            throws Exception {
        String n = String.format("%02d-tetra-%s", processes.incrementAndGet(), name);
        List<String> jvm = new ArrayList<>();
        jvm.add("-XX:ThreadPriorityPolicy=1"); // as bin/tetra-server starts it: backups copy at a lower priority
        if (options.jfr()) {
            jvm.add("-XX:StartFlightRecording=filename=" + logDir.resolve(n + ".jfr") + ",settings=profile,dumponexit=true");
        }
        TetraProcess p = TetraProcess.start(n, serverJar, dataDir, heap, jvm, logDir, tls, settings);
        synchronized (tetraProcesses) {
            tetraProcesses.add(p);
        }
        return p;
    }

    /** Starts H2's TCP server in its own JVM on the data set's data file. */
    H2Process startH2(String name, DataSet ds, String heap) throws Exception {
        return startH2(name, ds.dataDir(), DataSet.NAME, DataSet.engineUser(), ds.engineSecret(), heap);
    }

    /** Starts H2's TCP server in its own JVM on {@code <baseDir>/<database>.mv.db}. */
    H2Process startH2(String name, Path baseDir, String database, String user, String password, String heap)
            throws Exception {
        String n = String.format("%02d-h2-%s", processes.incrementAndGet(), name);
        return H2Process.start(n, h2Jar, serverJar, baseDir, database, user, password, heap, logDir);
    }
}
