package io.tetradb.admin;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Runs {@code tetra-admin} in the test's JVM against a server on loopback: the arguments
 * behind {@code --host 127.0.0.1 --port P}, the password from the environment variable the
 * command reads, no terminal and empty standard input.
 */
final class InProcessCli {
    /** What one run printed and its exit code. */
    record Result(int exit, String out, String err) {
    }

    private InProcessCli() {
    }

    static Result run(int port, String password, InterruptSource interrupts, String... args) {
        String[] all = new String[args.length + 4];
        System.arraycopy(new String[]{"--host", "127.0.0.1", "--port", String.valueOf(port)}, 0, all, 0, 4);
        System.arraycopy(args, 0, all, 4, args.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            exit = AdminMain.run(all, o, e, new ByteArrayInputStream(new byte[0]),
                    Map.of(AdminMain.PASSWORD_ENV, password), SecretPrompt.none(), false, interrupts);
        }
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
