package io.tetradb.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Part crashcut: does a file H2 wrote while sessions kept writing hold one moment of the
 * database after a kill? {@link CrashCutChild} is started, killed with SIGKILL 1 to 2 s
 * later, and its file checked, many times, in two modes: H2's own writes ({@code h2}) and
 * the server's way, writes only while no thread is inside the engine ({@code quiet},
 * io.tetradb.server.log.Checkpoints). The peer is H2 itself. docs/log-file.md cites it.
 */
final class CrashCutBench {
    private CrashCutBench() {
    }

    static ObjectNode run(BenchContext ctx) throws Exception {
        int kills = ctx.options.quick() ? 10 : 45;
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("threads", CrashCutChild.THREADS);
        out.put("killsPerMode", kills);
        for (String mode : new String[]{"h2", "quiet"}) {
            Path dir = ctx.options.workDir().resolve("crashcut-" + mode);
            Bench.deleteTree(dir);
            Files.createDirectories(dir);
            String file = dir.resolve("cut").toString();
            int inconsistent = 0;
            List<String> seen = new ArrayList<>();
            for (int i = 1; i <= kills; i++) {
                Process p = child(file, mode);
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String line = r.readLine();
                    if (!"running".equals(line)) {
                        throw new IllegalStateException("crashcut child did not start: " + line);
                    }
                    Thread.sleep(1000 + ThreadLocalRandom.current().nextInt(1000));
                    p.destroyForcibly();
                    p.waitFor(30, TimeUnit.SECONDS);
                }
                String verdict = check(file);
                if (!verdict.equals("consistent")) {
                    inconsistent++;
                    seen.add("kill " + i + ":" + verdict.substring("INCONSISTENT".length()));
                    // The next run starts from a consistent file, as the counts must be per kill.
                    Bench.deleteTree(dir);
                    Files.createDirectories(dir);
                }
            }
            Bench.log("crashcut %s: %d of %d kills left a file holding no moment of the database", mode,
                    inconsistent, kills);
            ObjectNode m = out.putObject(mode);
            m.put("kills", kills);
            m.put("inconsistent", inconsistent);
            var list = m.putArray("findings");
            seen.forEach(list::add);
        }
        return out;
    }

    private static Process child(String file, String mode) throws IOException {
        List<String> cmd = new ArrayList<>(ServerProcess.javaCommand("512m", List.of()));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), CrashCutChild.class.getName(), file, mode));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    private static String check(String file) throws Exception {
        Process p = child(file, "check");
        String last = "";
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                last = line;
            }
        }
        p.waitFor();
        return last;
    }
}
