package io.tetradb.server;

import io.tetradb.server.config.ConfigException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The packaged server ({@code target/tetra-server.jar}) as its own process, started where
 * it cannot start: a port that another program holds, a setting that cannot be used; and
 * asked only for its version or help. Each exits at once with its code and a message that
 * says what to change, and creates nothing: no database folder, no generated password file,
 * no log file, nothing in its working folder. Also the start line on a database that
 * exists, when an admin password is given again.
 */
@Timeout(300)
class CleanStartsIT {
    @TempDir
    Path temp;
    /** The server's working folder: empty, and it must stay so. */
    private Path cwd;
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void emptyWorkingFolder() throws IOException {
        cwd = Files.createDirectory(temp.resolve("cwd"));
    }

    @AfterEach
    void killLeftovers() throws InterruptedException {
        for (Process p : processes) {
            if (p.isAlive()) {
                p.destroyForcibly();
                p.waitFor(60, TimeUnit.SECONDS);
            }
        }
    }

    /** A finished run: exit code, stdout and stderr. */
    private record Run(int exit, String out, String err) {
    }

    /** The packaged server with {@code args} in {@link #cwd}, TETRA_* variables only from {@code env}. */
    private ProcessBuilder server(Map<String, String> env, String... args) {
        Path jar = Path.of("target", "tetra-server.jar").toAbsolutePath();
        assertThat(jar).as("the packaged server (mvn package runs before the integration tests)").isRegularFile();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-jar", jar.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("TETRA_"));
        pb.environment().putAll(env);
        return pb;
    }

    /** Runs the server to its end (it must end by itself). */
    private Run run(Map<String, String> env, String... args) throws Exception {
        Path out = temp.resolve("run.out");
        Path err = temp.resolve("run.err");
        Process p = server(env, args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        processes.add(p);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the server ends by itself").isTrue();
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private void assertNothingCreated(Path dataDir) throws IOException {
        assertThat(dataDir).as("the database folder").doesNotExist();
        assertThat(dataDir.getParent().resolve(dataDir.getFileName() + "-backups")).doesNotExist();
        try (Stream<Path> s = Files.list(cwd)) {
            assertThat(s).as("the working folder (no logs/server.log)").isEmpty();
        }
    }

    @Test
    void aPortInUseIsRefusedWithExitCode2BeforeAnythingIsCreated() throws Exception {
        Path dataDir = temp.resolve("fresh");
        try (ServerSocket holder = new ServerSocket()) {
            holder.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = holder.getLocalPort();
            Run r = run(Map.of(), "--data-dir", dataDir.toString(), "--port", Integer.toString(port),
                    "--host", "127.0.0.1");
            assertThat(r.exit).as(r.err).isEqualTo(2);
            assertThat(r.err).contains("port " + port + " on 127.0.0.1 is already in use")
                    .contains("--port PORT").contains("port: PORT in tetra.yml").contains("TETRA_PORT=PORT")
                    .doesNotContain("bind(..)");
            assertThat(r.out).as("no generated password").doesNotContain("generated password");
        }
        assertNothingCreated(dataDir);
    }

    @Test
    void inProcessTooBindRefusesAPortInUseAndCreatesNothing() throws Exception {
        Path dataDir = temp.resolve("inprocess");
        try (ServerSocket holder = new ServerSocket()) {
            holder.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = holder.getLocalPort();
            assertThatThrownBy(() -> TetraServer.start(TestServers.config(temp).dataDir(dataDir).port(port).build()))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("port " + port)
                    .hasMessageContaining("TETRA_PORT");
        }
        assertThat(dataDir).doesNotExist();
    }

    @Test
    void aDataDirThatIsAFileOrUnderAFileIsRefusedBeforeThePortIsBound() throws Exception {
        Path file = Files.writeString(temp.resolve("not-a-folder"), "x");
        for (Path dataDir : new Path[] {file, file.resolve("db")}) {
            try (ServerSocket holder = new ServerSocket()) {
                holder.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                int port = holder.getLocalPort();
                // the data folder is checked first: the message is about it, not about the port in use
                assertThatThrownBy(() -> TetraServer.start(TestServers.config(temp).dataDir(dataDir).port(port)
                        .build())).isInstanceOf(ConfigException.class).hasMessageContaining("dataDir: " + dataDir)
                        .hasMessageContaining("TETRA_DATA_DIR");
            }
        }
        assertThat(file).isRegularFile().hasContent("x");
    }

    @Test
    void versionAndHelpCreateNothing() throws Exception {
        Run version = run(Map.of(), "--version");
        assertThat(version.exit).as(version.err).isZero();
        assertThat(version.out).startsWith("tetra-server ");
        Run help = run(Map.of(), "--help");
        assertThat(help.exit).as(help.err).isZero();
        assertThat(help.err).contains("usage: tetra-server");
        try (Stream<Path> s = Files.list(cwd)) {
            assertThat(s).as("the working folder (no logs/server.log)").isEmpty();
        }
    }

    @Test
    void anInvalidValueInTetraYmlCreatesNothing() throws Exception {
        Path dataDir = temp.resolve("fresh");
        Path yml = Files.writeString(temp.resolve("tetra.yml"), "dataDir: " + dataDir + "\nworkerThreads: 0\n");
        Run r = run(Map.of(), "--config", yml.toString(), "--port", "0", "--host", "127.0.0.1");
        assertThat(r.exit).as(r.err).isEqualTo(2);
        assertThat(r.err).contains("workerThreads");
        assertNothingCreated(dataDir);
    }

    @Test
    void aMissingAdminPasswordFileCreatesNothing() throws Exception {
        Path dataDir = temp.resolve("fresh");
        Path missing = temp.resolve("no-such-secret");
        Path yml = Files.writeString(temp.resolve("tetra.yml"), "dataDir: " + dataDir + "\nadminPasswordFile: "
                + missing + "\n");
        Run r = run(Map.of(), "--config", yml.toString(), "--port", "0", "--host", "127.0.0.1");
        assertThat(r.exit).as(r.err).isEqualTo(2);
        assertThat(r.err).contains("adminPasswordFile").contains(missing.toString());
        assertNothingCreated(dataDir);
    }

    @Test
    void tlsFilesThatAreNotACertificateAndKeyCreateNothing() throws Exception {
        Path dataDir = temp.resolve("fresh");
        Path cert = Files.writeString(temp.resolve("server.crt"), "not a certificate\n");
        Path key = Files.writeString(temp.resolve("server.key"), "not a key\n");
        Run r = run(Map.of("TETRA_ADMIN_PASSWORD", TestServers.ADMIN_PASSWORD, "TETRA_TLS_CERTIFICATE", cert.toString(),
                "TETRA_TLS_KEY", key.toString()), "--data-dir", dataDir.toString(), "--port", "0", "--host", "127.0.0.1");
        assertThat(r.exit).as(r.err).isEqualTo(2);
        assertThat(r.err).contains("tls");
        assertNothingCreated(dataDir);
    }

    @Test
    void onAnExistingDatabaseTheStartLineSaysThatTheAdminPasswordIsIgnored() throws Exception {
        Path dataDir = temp.resolve("existing");
        List<String> first = startAndStop(dataDir, TestServers.ADMIN_PASSWORD);
        assertThat(startLine(first)).contains("adminPassword=(set)").doesNotContain("ignored");

        List<String> second = startAndStop(dataDir, "another-password-2");
        assertThat(startLine(second)).contains("adminPassword=(set, ignored: TETRA_ADMIN_PASSWORD and "
                        + "TETRA_ADMIN_PASSWORD_FILE (adminPassword, adminPasswordFile) only apply when the database is"
                        + " created, and this one exists; change a password with: tetra-admin users passwd admin)");
    }

    private static String startLine(List<String> lines) {
        return lines.stream().filter(l -> l.contains(" starting: ")).findFirst()
                .orElseThrow(() -> new AssertionError("no start line in " + lines));
    }

    /** Starts the server on {@code dataDir} with TETRA_ADMIN_PASSWORD, waits until it listens, stops it; its stdout. */
    private List<String> startAndStop(Path dataDir, String password) throws Exception {
        Process p = server(Map.of("TETRA_ADMIN_PASSWORD", password), "--data-dir", dataDir.toString(), "--port", "0",
                "--host", "127.0.0.1").redirectErrorStream(true).start();
        processes.add(p);
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> listening = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                    if (line.contains(" is listening on ")) {
                        listening.complete(null);
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
            listening.completeExceptionally(new AssertionError("the server ended without listening: " + lines));
        }, "clean-starts-stdout");
        reader.setDaemon(true);
        reader.start();
        listening.get(120, TimeUnit.SECONDS);
        p.destroy();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the server stops after SIGTERM").isTrue();
        return new ArrayList<>(lines);
    }
}
