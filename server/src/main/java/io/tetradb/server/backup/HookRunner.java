package io.tetradb.server.backup;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a backup hook: the command through {@code /bin/sh -c} in the database folder,
 * with extra environment variables, its output (stdout and stderr together, at most
 * 64 KiB kept) captured for the journal, killed after its timeout.
 *
 * <p>Runs on the backup thread.
 */
final class HookRunner {
    /** What a hook did. */
    record Outcome(int exitCode, String output, boolean timedOut) {
    }

    /** Exit code reported for a hook that ran too long (as timeout(1) does). */
    static final int TIMEOUT_EXIT = 124;
    private static final int MAX_OUTPUT = 64 * 1024;

    private HookRunner() {
    }

    static Outcome run(String command, Path workDir, Map<String, String> env, Duration timeout) {
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", command).directory(workDir.toFile())
                .redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return new Outcome(127, "could not start: " + e.getMessage(), false);
        }
        try {
            p.getOutputStream().close();
        } catch (IOException ignored) {
            // the hook reads no input
        }
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                return new Outcome(TIMEOUT_EXIT, output.getNow("") + " [killed after " + timeout.toMillis() + " ms]", true);
            }
            return new Outcome(p.exitValue(), output.get(10, TimeUnit.SECONDS).strip(), false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            return new Outcome(TIMEOUT_EXIT, "interrupted", true);
        } catch (Exception e) {
            return new Outcome(p.exitValue(), "", false);
        }
    }

    private static String read(InputStream in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buf)) > 0) {
                if (out.size() < MAX_OUTPUT) {
                    out.write(buf, 0, Math.min(n, MAX_OUTPUT - out.size()));
                }
            }
        } catch (IOException ignored) {
            // the process ended
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
