package io.tetradb.server.backup;

import io.tetradb.server.TestServers;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged server (target/tetra-server.jar) as its own process, for the tests that kill it and
 * the end-to-end runs: {@link #start} starts it on loopback port 0 with the tests' admin password,
 * and {@link #port} reads the port it listens on from its output (and keeps its lines when asked).
 */
final class PackagedServerProcess {
    private static final Pattern LISTENING = Pattern.compile("listening on [^:]+:(\\d+)");

    private PackagedServerProcess() {
    }

    /** Starts the packaged server on database folder {@code db} (-Xmx256m), with {@code jvmOptions} before -jar. */
    static Process start(Path db, String... jvmOptions) throws Exception {
        Path jar = Path.of("target", "tetra-server.jar").toAbsolutePath();
        assertThat(jar).as("the packaged server (mvn package runs before the integration tests)").isRegularFile();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m"));
        cmd.addAll(List.of(jvmOptions));
        cmd.addAll(List.of("-jar", jar.toString(), "--data-dir", db.toString(), "--port", "0", "--host", "127.0.0.1"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("TETRA_ADMIN_PASSWORD", TestServers.ADMIN_PASSWORD);
        return pb.start();
    }

    /** The port {@code p} listens on, once its output says so (at most 120 s); its output is read to its end. */
    static int port(Process p) throws Exception {
        return port(p, null);
    }

    /** As {@link #port(Process)}, every line of its output (stdout and stderr) also added to {@code lines}. */
    static int port(Process p, List<String> lines) throws Exception {
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (lines != null) {
                        lines.add(line);
                    }
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
                port.completeExceptionally(new IllegalStateException("the server ended without listening"));
            } catch (Exception e) {
                port.completeExceptionally(e);
            }
        });
        reader.setDaemon(true);
        reader.start();
        return port.get(120, TimeUnit.SECONDS);
    }
}
