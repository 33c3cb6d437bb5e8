package io.tetradb.admin;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged {@code tetra-admin} ({@code admin-cli/target/tetra-admin.jar}) run under a
 * real pseudo-terminal, made by util-linux {@code script(1)} (package bsdutils, Essential
 * on Debian): {@code script -q -e -c "stty cols 120 rows 40 && exec java -jar ..." /dev/null}.
 * What the test types goes to script's stdin, which script writes into the terminal, so
 * the terminal's line discipline turns Ctrl-C (byte 3) into SIGINT as a keyboard does;
 * everything the program writes to the terminal (stdout and stderr, with echo and escape
 * sequences) comes back on script's stdout, read on a thread into a buffer.
 * {@link #screen} gives it with the escape sequences and carriage returns stripped.
 *
 * <p>The size is set with stty because script's own stdin is no terminal it could copy a
 * size from. Used by the test's thread; the output is read on a daemon thread.
 */
final class PtyShell implements AutoCloseable {
    static final String ENTER = "\r";
    static final String CTRL_C = "\u0003";
    static final String CTRL_D = "\u0004";
    /** The Up arrow as most terminals send it outside keypad mode. */
    static final String UP = "\u001b[A";

    /** CSI sequences, OSC strings, two-character escapes (ESC = / ESC > / ESC ( B ...), and backspaces. */
    private static final Pattern ESCAPES = Pattern.compile(
            "\u001b\\[[0-?]*[ -/]*[@-~]|\u001b\\][^\u0007\u001b]*(\u0007|\u001b\\\\)|\u001b[()][0-9A-Za-z]|\u001b[=>78DEM]|\b");
    private static final Duration AWAIT = Duration.ofSeconds(60);

    private final Process process;
    private final OutputStream keys;
    private final ByteArrayOutputStream raw = new ByteArrayOutputStream();

    private PtyShell(Process process) {
        this.process = process;
        this.keys = process.getOutputStream();
        Thread reader = new Thread(this::read, "pty-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code tetra-admin ARGS} under a pseudo-terminal with {@code env} (HOME, TETRA_PASSWORD ...) added. */
    static PtyShell start(Map<String, String> env, String... args) throws IOException {
        Path jar = PackagedServers.repository().resolve("admin-cli/target/tetra-admin.jar");
        assertThat(jar).as("the packaged tetra-admin (mvn package -pl admin-cli)").isRegularFile();
        List<String> command = new ArrayList<>(List.of(PackagedServers.java(), "-Xmx128m", "-jar", jar.toString()));
        command.addAll(List.of(args));
        StringBuilder shell = new StringBuilder("stty cols 120 rows 40 && exec");
        for (String c : command) {
            shell.append(' ').append(quoted(c));
        }
        ProcessBuilder pb = new ProcessBuilder("script", "-q", "-e", "-c", shell.toString(), "/dev/null");
        pb.environment().remove(AdminMain.PASSWORD_ENV);
        pb.environment().remove("TETRA_HISTORY");
        pb.environment().put("TERM", "xterm");
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        return new PtyShell(pb.start());
    }

    private static String quoted(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private void read() {
        byte[] b = new byte[8192];
        try (InputStream in = process.getInputStream()) {
            int n;
            while ((n = in.read(b)) > 0) {
                synchronized (raw) {
                    raw.write(b, 0, n);
                }
            }
        } catch (IOException ignored) {
            // the process ended
        }
    }

    /** Types {@code text} (Enter is {@link #ENTER}, Ctrl-C {@link #CTRL_C}). */
    void type(String text) throws IOException {
        keys.write(text.getBytes(StandardCharsets.UTF_8));
        keys.flush();
    }

    /** Types {@code line} and Enter. */
    void enter(String line) throws IOException {
        type(line + ENTER);
    }

    /** Where the output is now: {@link #screenSince} from here shows only what comes after. */
    int mark() {
        synchronized (raw) {
            return raw.size();
        }
    }

    /** Everything on the screen so far, escape sequences and carriage returns stripped. */
    String screen() {
        return screenSince(0);
    }

    /** The screen's text since {@code mark}. */
    String screenSince(int mark) {
        return strip(rawSince(mark));
    }

    /** The raw bytes since {@code mark}, escape sequences included. */
    String rawSince(int mark) {
        synchronized (raw) {
            byte[] all = raw.toByteArray();
            return new String(all, Math.min(mark, all.length), Math.max(0, all.length - mark), StandardCharsets.UTF_8);
        }
    }

    static String strip(String s) {
        return ESCAPES.matcher(s).replaceAll("").replace("\r", "");
    }

    /** Waits until the screen since {@code mark} holds every one of {@code texts}; returns that screen. */
    String waitFor(int mark, String... texts) {
        try {
            Awaitility.await().atMost(AWAIT).until(() -> {
                String s = screenSince(mark);
                for (String t : texts) {
                    if (!s.contains(t)) {
                        return false;
                    }
                }
                return true;
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("The screen never showed " + List.of(texts) + "; it shows:\n" + screen(), e);
        }
        return screenSince(mark);
    }

    /** Waits until a new prompt stands after {@code mark} (the shell reads the next input). */
    String awaitPrompt(int mark) {
        try {
            Awaitility.await().atMost(AWAIT).until(() -> screenSince(mark).endsWith("tetra=> "));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("No new prompt; the screen shows:\n" + screen(), e);
        }
        return screenSince(mark);
    }

    /** Waits for the process to end; its exit code (script -e gives the program's). */
    int exit() throws InterruptedException {
        assertThat(process.waitFor(AWAIT.toSeconds(), TimeUnit.SECONDS)).as("tetra-admin ended; screen:%n%s", screen())
                .isTrue();
        return process.exitValue();
    }

    @Override
    public void close() throws IOException {
        try {
            keys.close();
        } catch (IOException ignored) {
            // already gone
        }
        if (process.isAlive()) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }
}
