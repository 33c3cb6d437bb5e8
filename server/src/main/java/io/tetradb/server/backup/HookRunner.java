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
 * Runs a backup hook: an executable in {@code <db>/Settings/hooks/}, named by the
 * settings (docs/backups.md and docs/security.md), started directly (no shell, no arguments) in the
 * database folder. Its environment is the server's without the server's own
 * {@code TETRA_*} variables (an admin password given that way included), plus the
 * documented {@code TETRA_BACKUP_*} ones. Its output (stdout and stderr together, at most
 * 64 KiB kept) is captured for the journal; it is killed, with its descendants, after
 * its timeout. A hook that is missing, not a regular file or not executable does not run
 * and reports exit code 127, as a shell does for a command not found.
 *
 * <p>Runs on the thread running the backup's phase or end: the backup thread, or the
 * thread that started the backup when its destination is not usable (never the server's
 * shared timer, never under a lock); the hook's output is read on a daemon thread of its
 * own ("tetra-hook-output"), one per hook run, never on a shared pool.
 */
final class HookRunner {
    /** What a hook did. */
    record Outcome(int exitCode, String output, boolean timedOut) {
    }

    /** Exit code reported for a hook that ran too long (as timeout(1) does). */
    static final int TIMEOUT_EXIT = 124;
    /** Exit code reported for a hook that cannot be run (as a shell does for a command not found). */
    static final int NOT_RUNNABLE_EXIT = 127;
    private static final int MAX_OUTPUT = 64 * 1024;

    private HookRunner() {
    }

    /** Runs hook {@code name} of the database in {@code dbRoot}. */
    static Outcome run(Path dbRoot, String name, Map<String, String> env, Duration timeout) {
        String problem = BackupSettings.hookProblem(dbRoot, name);
        if (problem != null) {
            return new Outcome(NOT_RUNNABLE_EXIT, "not run: " + problem, false);
        }
        Path executable = BackupSettings.hooksDir(dbRoot).resolve(name).toAbsolutePath();
        ProcessBuilder pb = new ProcessBuilder(executable.toString()).directory(dbRoot.toFile())
                .redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("TETRA_"));
        pb.environment().putAll(env);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return new Outcome(NOT_RUNNABLE_EXIT, "could not start: " + e.getMessage(), false);
        }
        try {
            p.getOutputStream().close();
        } catch (IOException ignored) {
            // the hook reads no input
        }
        CompletableFuture<String> output = new CompletableFuture<>();
        Thread reader = new Thread(() -> output.complete(read(p.getInputStream())), "tetra-hook-output");
        reader.setDaemon(true);
        reader.start();
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
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            return new Outcome(TIMEOUT_EXIT, "interrupted", true);
        } catch (Exception e) {
            // The output did not end within 10 s of the hook's exit (a descendant keeps it open).
            return new Outcome(p.exitValue(), output.getNow(""), false);
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
