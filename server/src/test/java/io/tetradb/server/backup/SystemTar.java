package io.tetradb.server.backup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Runs the system's own tools (tar, sha256sum) on archives, as a user would; skips a test where one is missing. */
final class SystemTar {
    private SystemTar() {
    }

    /** Runs {@code command} in {@code dir} and returns its standard output; fails the test on a non-zero exit. */
    static String run(Path dir, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        // Names are UTF-8 in the archive; a UTF-8 locale lets tar show them as they are.
        pb.environment().put("LC_ALL", "C.UTF-8");
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            assumeTrue(false, command[0] + " is not installed: " + e.getMessage());
            throw e;
        }
        p.getOutputStream().close();
        Process proc = p;
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(proc.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished", command[0]).isTrue();
        assertThat(p.exitValue()).as("exit code of %s: %s", String.join(" ", command),
                err.get(60, TimeUnit.SECONDS)).isZero();
        return out;
    }
}
