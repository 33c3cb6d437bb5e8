package io.tetradb.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server in its own process (the packaged Tetra server, or H2's TCP server in its own
 * JVM): its stdout is read on a thread, line by line, until it says it listens; later
 * lines go to listeners and to a file. Stopped with SIGTERM.
 */
class ServerProcess implements AutoCloseable {
    final String name;
    final Process process;
    private final Path stdoutFile;
    private final CompletableFuture<Matcher> listening = new CompletableFuture<>();
    private final List<Consumer<String>> lineListeners = new CopyOnWriteArrayList<>();
    private final List<String> lines = new CopyOnWriteArrayList<>();

    ServerProcess(String name, List<String> command, Map<String, String> env, Path logDir, Pattern listeningLine)
            throws IOException {
        this.name = name;
        Files.createDirectories(logDir);
        this.stdoutFile = logDir.resolve(name + ".out");
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        pb.redirectError(logDir.resolve(name + ".err").toFile());
        pb.redirectInput(ProcessBuilder.Redirect.PIPE);
        this.process = pb.start();
        process.getOutputStream().close();
        Thread reader = new Thread(() -> read(listeningLine), name + "-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    private void read(Pattern listeningLine) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             var out = Files.newBufferedWriter(stdoutFile, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                out.write(line);
                out.newLine();
                out.flush();
                if (lines.size() < 10_000) {
                    lines.add(line);
                }
                Matcher m = listeningLine.matcher(line);
                if (!listening.isDone() && m.find()) {
                    listening.complete(m);
                }
                for (Consumer<String> l : lineListeners) {
                    l.accept(line);
                }
            }
        } catch (IOException ignored) {
            // the process ended
        }
        listening.completeExceptionally(new IllegalStateException(name + " ended without listening; its output: "
                + String.join("\n", lines) + "\n" + readQuietly(stdoutFile.resolveSibling(name + ".err"))));
    }

    /** Waits for the line that says the server listens and returns its match. */
    Matcher awaitListening() throws Exception {
        return listening.get(300, TimeUnit.SECONDS);
    }

    void onLine(Consumer<String> listener) {
        lineListeners.add(listener);
    }

    long pid() {
        return process.pid();
    }

    long rssKiB() {
        return Machine.rssKiB(process.pid());
    }

    /** SIGTERM, then waits for the exit (SIGKILL after two minutes). */
    void stop() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** SIGKILL (kill -9), as a crash: the server writes nothing more; waits for the exit. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " did not end within 60 s of SIGKILL.");
        }
    }

    @Override
    public void close() {
        stop();
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static List<String> javaCommand(String heap, List<String> extraJvmOptions) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.add("-Xmx" + heap);
        cmd.addAll(extraJvmOptions);
        return cmd;
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
