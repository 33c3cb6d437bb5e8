package io.tetradb.testcontainers;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The image's entrypoint ({@code docker/entrypoint.sh}) run as a process on this
 * machine, as the container runs it: with a {@code TETRA_HOME} laid out as in the image
 * ({@code server/} and {@code admin/} point at the packaged jars in the repository),
 * TETRA_* variables only, no arguments. Its stdout is read on a thread until the server
 * says where it listens.
 *
 * <p>Used from the test's thread; the reader thread only completes {@link #port()}.
 */
final class EntrypointProcess {
    private static final Pattern LISTENING = Pattern.compile("^Tetra \\S+ is listening on [^ ]+:(\\d+) \\(database ");
    private static final Pattern HTTP = Pattern.compile("Admin panel on https?://[^ ]+:(\\d+)/ ");

    final Process process;
    private final Path log;
    private final CompletableFuture<Integer> listening = new CompletableFuture<>();
    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    private final Thread reader;

    private EntrypointProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
        this.reader = new Thread(this::readStdout, "entrypoint-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /** An image-like TETRA_HOME under {@code dir}: server/ and admin/ link to the packaged jars. */
    static Path imageHome(Path repository, Path dir) throws IOException {
        Path serverJar = repository.resolve("server/target/tetra-server.jar");
        Path adminJar = repository.resolve("admin-cli/target/tetra-admin.jar");
        assertThat(serverJar).as("the packaged server (mvn package -pl server)").isRegularFile();
        assertThat(adminJar).as("the packaged tetra-admin (mvn package -pl admin-cli)").isRegularFile();
        Path home = Files.createDirectories(dir.resolve("opt-tetra"));
        Files.createSymbolicLink(home.resolve("server"), serverJar.getParent());
        Files.createSymbolicLink(home.resolve("admin"), adminJar.getParent());
        return home;
    }

    /** The environment of a process of the image: this one's less every TETRA_*, plus {@code env}. */
    static void environment(ProcessBuilder pb, Map<String, String> env) {
        pb.environment().keySet().removeIf(k -> k.startsWith("TETRA_") || k.equals("JAVA_OPTS"));
        // The image finds java on its PATH; here it is the JVM running the tests.
        Path javaBin = Path.of(System.getProperty("java.home"), "bin");
        pb.environment().put("PATH", javaBin + ":" + pb.environment().getOrDefault("PATH", "/usr/bin:/bin"));
        pb.environment().putAll(env);
    }

    /** Starts {@code sh docker/entrypoint.sh} with {@code env}; its output goes to {@code log} too. */
    static EntrypointProcess start(Path repository, Map<String, String> env, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("sh", repository.resolve("docker/entrypoint.sh").toString())
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        environment(pb, env);
        return new EntrypointProcess(pb.start(), log);
    }

    private void readStdout() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
                Files.writeString(log, line + System.lineSeparator(), StandardCharsets.UTF_8,
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    listening.complete(Integer.parseInt(m.group(1)));
                }
            }
        } catch (IOException ignored) {
            // the process ended
        }
        listening.completeExceptionally(new AssertionError("The server ended without listening: " + output()));
    }

    /** The port it listens on, once it says so. */
    int port() throws Exception {
        return listening.get(120, TimeUnit.SECONDS);
    }

    /** The HTTP port, as its log said before it printed that it listens ({@link #port()} first). */
    int httpPort() throws Exception {
        port();
        Matcher m = HTTP.matcher(output());
        assertThat(m.find()).as("the start log names the HTTP port: %s", output()).isTrue();
        return Integer.parseInt(m.group(1));
    }

    /** Everything it printed so far (all of it once {@link #stop} or {@link #awaitExit} returned). */
    String output() {
        synchronized (lines) {
            return String.join(System.lineSeparator(), lines);
        }
    }

    /** SIGTERM, as {@code docker stop} sends it, then waits for the exit; returns the exit code. */
    int stop() throws InterruptedException {
        process.destroy();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("the server exits after SIGTERM").isTrue();
        reader.join(30_000);
        return process.exitValue();
    }

    /** Waits for the process to end by itself; returns the exit code. */
    int awaitExit() throws InterruptedException {
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("the process ends").isTrue();
        reader.join(30_000);
        return process.exitValue();
    }

    void kill() throws InterruptedException {
        if (process.isAlive()) {
            // A JVM left behind by an entrypoint that did not exec is a child: it goes too.
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        reader.join(30_000);
    }
}
