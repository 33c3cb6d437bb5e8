package io.tetradb.admin;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingDeque;

/**
 * The lines the SQL shell reads. From a pipe they are read as the shell asks for them
 * ({@link #direct}). At a terminal ({@link #readAhead}) a reader thread reads stdin into a
 * queue, so that while a statement waits behind a backup the shell can take an answer
 * (c to cancel) from the same input without losing or reordering lines: an answer read
 * too late is put back ({@link #unread}) for the shell.
 *
 * <pre>{@code
 * ShellInput input = ShellInput.readAhead(System.in);
 * String line = input.readLine();          // null at the end of input
 * }</pre>
 *
 * <p>Threads: the reader thread ("tetra-admin-stdin") fills the queue; {@link #readLine}
 * runs on the command's thread, {@link #takeAnswer} and {@link #unread} on the thread that
 * waits for an answer. The end of input stays at the head of the queue once reached.
 */
public final class ShellInput implements WaitAnswers {
    private static final Optional<String> END = Optional.empty();

    private final BufferedReader reader;
    private final LinkedBlockingDeque<Optional<String>> lines;
    private volatile IOException failure;

    private ShellInput(InputStream in, boolean readAhead) {
        this.reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        if (readAhead) {
            lines = new LinkedBlockingDeque<>();
            Thread t = new Thread(this::readAll, "tetra-admin-stdin");
            t.setDaemon(true);
            t.start();
        } else {
            lines = null;
        }
    }

    /** Reads lines only when asked (scripts, pipes): nothing can answer a waiting statement. */
    public static ShellInput direct(InputStream in) {
        return new ShellInput(in, false);
    }

    /** Reads lines ahead on a thread (a terminal): a waiting statement can take an answer. */
    public static ShellInput readAhead(InputStream in) {
        return new ShellInput(in, true);
    }

    /** Whether {@link #takeAnswer} can be used. */
    public boolean answers() {
        return lines != null;
    }

    /** The next line, or null at the end of input. */
    public String readLine() throws IOException {
        if (lines == null) {
            return reader.readLine();
        }
        try {
            String line = take();
            if (line == null && failure != null) {
                throw failure;
            }
            return line;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while reading stdin.");
        }
    }

    /** The next line typed (an answer to a prompt), or null at the end of input; interruptible. */
    @Override
    public String takeAnswer() throws InterruptedException {
        if (lines == null) {
            return null;
        }
        return take();
    }

    /** Puts a line taken as an answer back, for the shell to read next. */
    @Override
    public void unread(String line) {
        if (lines != null) {
            lines.addFirst(Optional.of(line));
        }
    }

    private String take() throws InterruptedException {
        Optional<String> line = lines.takeFirst();
        if (line.isEmpty()) {
            lines.addFirst(END);
            return null;
        }
        return line.get();
    }

    private void readAll() {
        try {
            String line;
            while ((line = reader.readLine()) != null) {
                lines.add(Optional.of(line));
            }
        } catch (IOException e) {
            failure = e;
        }
        lines.add(END);
    }
}
