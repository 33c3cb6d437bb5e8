package io.tetradb.admin;

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
 * Starts the packaged server ({@code server/target/tetra-server.jar}, 128 MiB of heap) as
 * separate processes for the end-to-end tests, reads from each one's stdout the port it
 * listens on, and stops them: by SIGTERM, by SIGKILL, and whatever is left in the test's
 * {@code @AfterEach}; also the address of its HTTP port ({@code --set http.port=0}) from the line
 * that names it. Used by the test's own thread; each process's stdout is read on a daemon thread
 * of its own.
 */
final class PackagedServers {
    private static final Pattern LISTENING =
            Pattern.compile("^Tetra \\S+ is listening on 127\\.0\\.0\\.1:(\\d+) \\(database ");
    /** The line naming the HTTP port (health, metrics, admin panel): only its address part is relied on. */
    private static final Pattern HTTP_LISTENING = Pattern.compile("\\bon (https?://127\\.0\\.0\\.1:(\\d+))/");
    /** Exit code of a process ended by SIGKILL (128 + 9), as {@link Process#exitValue()} gives it on Linux. */
    static final int SIGKILL_EXIT = 137;
    /** Exit code of a process ended by SIGTERM (128 + 15). */
    static final int SIGTERM_EXIT = 143;

    private final Path temp;
    private final Path serverJar;
    private final List<ServerProcess> started = new ArrayList<>();

    /** Finds the packaged server; its processes' stderr and stdin files go to {@code temp}. */
    PackagedServers(Path temp) {
        this.temp = temp;
        this.serverJar = repository().resolve("server/target/tetra-server.jar");
        assertThat(serverJar).as("the packaged server (mvn package -pl server)").isRegularFile();
        assertThat(serverJar.resolveSibling("lib")).isDirectory();
    }

    /** The repository: failsafe runs in the module's folder (admin-cli), whose parent it is. */
    static Path repository() {
        return Path.of("").toAbsolutePath().getParent();
    }

    /** The java launcher of the JVM running the tests. */
    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Starts the packaged server on {@code dataDir}, port 0, with {@code env} added to its environment. */
    ServerProcess start(Path dataDir, Map<String, String> env) throws IOException {
        return start(dataDir, env, 0);
    }

    /** Starts the packaged server on {@code dataDir} and {@code port} (0: any free one). */
    ServerProcess start(Path dataDir, Map<String, String> env, int port) throws IOException {
        int n = started.size() + 1;
        Path stderr = temp.resolve("server-" + n + ".err");
        ProcessBuilder pb = new ProcessBuilder(java(), "-Xmx128m", "-jar", serverJar.toString(),
                "--data-dir", dataDir.toString(), "--port", Integer.toString(port), "--host", "127.0.0.1",
                "--set", "http.port=0");
        pb.environment().remove("TETRA_ADMIN_PASSWORD");
        pb.environment().putAll(env);
        pb.redirectError(stderr.toFile());
        pb.redirectInput(ProcessBuilder.Redirect.from(emptyFile().toFile()));
        ServerProcess s = new ServerProcess(pb.start(), stderr);
        started.add(s);
        return s;
    }

    /** An empty file in the test's folder, for the standard input of processes. */
    Path emptyFile() throws IOException {
        Path f = temp.resolve("empty.txt");
        if (!Files.exists(f)) {
            Files.createFile(f);
        }
        return f;
    }

    /** SIGKILL to every server still running, for {@code @AfterEach}. */
    void killLeftovers() throws InterruptedException {
        for (ServerProcess s : started) {
            if (s.process.isAlive()) {
                s.process.destroyForcibly();
                s.process.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /** A server process whose stdout is read on a thread until it says where it listens. */
    static final class ServerProcess {
        final Process process;
        final Path stderr;
        final CompletableFuture<Integer> listening = new CompletableFuture<>();
        /** The HTTP port's base address, {@code http://127.0.0.1:PORT} (https under TLS), without the final slash. */
        final CompletableFuture<String> httpListening = new CompletableFuture<>();
        final List<String> lines = Collections.synchronizedList(new ArrayList<>());

        ServerProcess(Process process, Path stderr) {
            this.process = process;
            this.stderr = stderr;
            Thread reader = new Thread(this::readStdout, "e2e-server-stdout");
            reader.setDaemon(true);
            reader.start();
        }

        private void readStdout() {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        listening.complete(Integer.parseInt(m.group(1)));
                    }
                    Matcher h = HTTP_LISTENING.matcher(line);
                    if (h.find()) {
                        httpListening.complete(h.group(1));
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
            listening.completeExceptionally(new AssertionError("The server ended without listening. stdout: "
                    + lines + " stderr: " + readQuietly(stderr)));
            httpListening.completeExceptionally(new AssertionError("The server ended without naming its HTTP port. "
                    + "stdout: " + lines + " stderr: " + readQuietly(stderr)));
        }

        int port() throws Exception {
            return listening.get(120, TimeUnit.SECONDS);
        }

        /** The HTTP port's base address, e.g. {@code http://127.0.0.1:41234}, once the server has printed it. */
        String httpUrl() throws Exception {
            return httpListening.get(120, TimeUnit.SECONDS);
        }

        /** The HTTP port the server chose ({@code http.port=0}). */
        int httpPort() throws Exception {
            String url = httpUrl();
            return Integer.parseInt(url.substring(url.lastIndexOf(':') + 1));
        }

        /** SIGTERM, then wait for the exit. */
        void stop() throws InterruptedException {
            process.destroy();
            assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("the server exits after SIGTERM").isTrue();
        }

        /**
         * SIGKILL ({@link Process#destroyForcibly()} sends it on Linux), then wait for the
         * exit and check, by its exit code 137, that the process did die of SIGKILL.
         */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the server exits after SIGKILL").isTrue();
            assertThat(process.exitValue()).as("exit code after SIGKILL").isEqualTo(SIGKILL_EXIT);
        }

        private static String readQuietly(Path p) {
            try {
                return Files.readString(p, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(" + e.getMessage() + ")";
            }
        }
    }
}
