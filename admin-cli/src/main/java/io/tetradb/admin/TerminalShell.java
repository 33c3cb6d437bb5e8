package io.tetradb.admin;

import org.jline.reader.EOFError;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.MaskingCallback;
import org.jline.reader.ParsedLine;
import org.jline.reader.Parser;
import org.jline.reader.Reference;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.reader.impl.history.DefaultHistory;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The SQL shell at a real terminal, through JLine 3, with psql's habits: the line is
 * edited in place (arrows, Home/End, Ctrl-R to search), Up and Down walk the history,
 * which is kept in a file; the input goes on over several lines (prompt
 * {@value #CONTINUATION}) until a {@code ;} outside quotes and comments ends it, or it is a
 * backslash command or {@code exit}/{@code quit}. Ctrl-C at the prompt drops what was typed
 * (all its lines) and asks again; Ctrl-D on an empty line ends the shell. A statement
 * running is cancelled on Ctrl-C through {@link #interrupts()}; while it waits behind a
 * backup, {@link BackupWaitPrompt} takes its answers from here ({@link WaitAnswers}).
 *
 * <p>The terminal is JLine's {@code exec} provider: it sets the terminal's modes by running
 * {@code stty}, which every Linux and macOS has, and needs no native library (the
 * {@code jni} provider unpacks one into the temporary folder, which fails where that is
 * mounted noexec; {@code ffm} needs Java 22; {@code jansi} and {@code jna} need more jars).
 * When no real terminal can be had ({@code TERM=dumb}, no {@code stty}), {@link #open}
 * gives none and the shell reads plain lines.
 *
 * <p>History entries are whole inputs (a statement over three lines is one entry). An
 * input that names a password ({@link #isSecret}) is never kept, in memory or in the file;
 * neither is one starting with a space. The file is created readable by its owner only.
 *
 * <p>Threads: {@link #readInput} runs on the command's thread; {@link #takeAnswer} on the
 * prompt thread of {@link BackupWaitPrompt} while the command's thread waits for its
 * statement; the Ctrl-C handlers on JLine's signal thread.
 */
public final class TerminalShell implements WaitAnswers, AutoCloseable {
    /** The prompt for a new input. */
    public static final String PROMPT = "tetra=> ";
    /** The prompt for the next line of an unfinished statement. */
    public static final String CONTINUATION = "tetra-> ";
    private static final Set<String> QUIT = Set.of("exit", "quit");
    /** Inputs never kept in the history: they name a password (CREATE USER ... PASSWORD, ALTER USER ... SET PASSWORD). */
    private static final Pattern SECRET = Pattern.compile("(?is).*\\b(PASSWORD)\\b.*|.*\\b(CREATE|ALTER)\\s+USER\\b.*");

    private final Terminal terminal;
    private final LineReader reader;
    /** Reads the answers to the backup-wait prompt (prompt thread). */
    private final LineReader answers;
    /** Lines typed as answers too late: they start the next input (command's thread; filled by the prompt thread). */
    private final Deque<String> givenBack = new ArrayDeque<>();

    private TerminalShell(Terminal terminal, Path historyFile) {
        this.terminal = terminal;
        LineReaderBuilder b = LineReaderBuilder.builder().terminal(terminal).appName("tetra")
                .parser(new StatementParser()).history(new SecretFreeHistory())
                .variable(LineReader.SECONDARY_PROMPT_PATTERN, CONTINUATION)
                .variable(LineReader.HISTORY_SIZE, 1000)
                .variable(LineReader.HISTORY_FILE_SIZE, 10_000)
                // SQL is no shell text: '!' is not a history reference and a backslash stays a backslash.
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
                .option(LineReader.Option.HISTORY_IGNORE_SPACE, true)
                .option(LineReader.Option.INSERT_TAB, true);
        if (historyFile != null) {
            b.variable(LineReader.HISTORY_FILE, historyFile);
        }
        this.reader = b.build();
        this.answers = LineReaderBuilder.builder().terminal(terminal).appName("tetra")
                .variable(LineReader.DISABLE_HISTORY, true)
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true).build();
        // Terminals that ignore the keypad mode JLine asks for send the arrows as ESC [ A..D: bind those too.
        bind(LineReader.UP_LINE_OR_HISTORY, "\033[A");
        bind(LineReader.DOWN_LINE_OR_HISTORY, "\033[B");
        bind(LineReader.FORWARD_CHAR, "\033[C");
        bind(LineReader.BACKWARD_CHAR, "\033[D");
        bind(LineReader.BEGINNING_OF_LINE, "\033[H");
        bind(LineReader.END_OF_LINE, "\033[F");
    }

    /**
     * The process's terminal with line editing, the history kept in {@code historyFile}
     * (null: none); empty when there is no real terminal to edit on.
     */
    public static Optional<TerminalShell> open(Path historyFile) {
        Terminal t;
        try {
            t = TerminalBuilder.builder().name("tetra").system(true).provider("exec").dumb(true).build();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        if (t.getType() == null || t.getType().toLowerCase(Locale.ROOT).startsWith("dumb")) {
            closeQuietly(t);
            return Optional.empty();
        }
        return Optional.of(new TerminalShell(t, usable(historyFile)));
    }

    /** The history file, created (owner only) if missing; null when it cannot be a file of its own (/dev/null). */
    private static Path usable(Path file) {
        if (file == null) {
            return null;
        }
        try {
            if (!Files.exists(file)) {
                Path parent = file.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                try {
                    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                } catch (UnsupportedOperationException e) {
                    Files.createFile(file);
                }
            }
        } catch (IOException e) {
            return null;
        }
        return Files.isRegularFile(file) ? file : null;
    }

    /** Whether an input names a password: it is never kept in the history. */
    public static boolean isSecret(String input) {
        return SECRET.matcher(input).matches();
    }

    /** Whether {@code text} is a whole input: statements ended by {@code ;}, a backslash command, exit or quit. */
    public static boolean isComplete(String text) {
        String s = text.strip();
        if (s.isEmpty() || s.startsWith("\\") || isQuit(s)) {
            return true;
        }
        StatementSplitter splitter = new StatementSplitter();
        splitter.feed(text);
        return !splitter.hasPartialStatement();
    }

    /** {@code exit} or {@code quit}, with or without {@code ;}. */
    public static boolean isQuit(String input) {
        String s = input.strip();
        if (s.endsWith(";")) {
            s = s.substring(0, s.length() - 1).strip();
        }
        return QUIT.contains(s.toLowerCase(Locale.ROOT));
    }

    /**
     * The next input (command's thread): whole statements, a backslash command, exit or
     * quit; null when the user leaves with Ctrl-D. Ctrl-C drops what was typed and asks again.
     */
    public String readInput() {
        String buffer;
        synchronized (givenBack) {
            buffer = givenBack.isEmpty() ? null : String.join("\n", givenBack);
            givenBack.clear();
        }
        int terminalErrors = 0;
        while (true) {
            try {
                return reader.readLine(PROMPT, null, (MaskingCallback) null, buffer);
            } catch (UserInterruptException e) {
                buffer = null;
            } catch (java.io.IOError e) {
                // The stty that the exec terminal runs to read the window size is in the terminal's
                // process group: a Ctrl-C pressed while it runs kills it, and JLine reports that as
                // an IOError. It is the Ctrl-C it looks like; a terminal that keeps failing is gone.
                if (++terminalErrors >= 3) {
                    return null;
                }
                buffer = null;
            } catch (EndOfFileException e) {
                return null;
            }
        }
    }

    /** Ctrl-C while a statement runs: the terminal's SIGINT, handled instead of ending the process. */
    public InterruptSource interrupts() {
        return handler -> {
            Terminal.SignalHandler previous = terminal.handle(Terminal.Signal.INT, s -> handler.run());
            return () -> terminal.handle(Terminal.Signal.INT, previous);
        };
    }

    /**
     * Prompt thread: one line typed while the statement waits, read by a second line
     * reader (no history, no statement rules); {@link #CTRL_C} when Ctrl-C was pressed, or
     * when the statement was answered meanwhile (the prompt thread was interrupted: JLine
     * tells the two apart by nothing, {@link BackupWaitPrompt} by whether the statement
     * still runs); null at the end of input (Ctrl-D).
     */
    @Override
    public String takeAnswer() {
        try {
            return answers.readLine("");
        } catch (UserInterruptException e) {
            return CTRL_C;
        } catch (java.io.IOError e) {
            // a Ctrl-C that killed JLine's stty (see readInput): cancelling is what was asked for
            return CTRL_C;
        } catch (EndOfFileException e) {
            return null;
        }
    }

    /** Prompt thread: a line taken too late starts the next input, to be ended with Enter. */
    @Override
    public void unread(String line) {
        synchronized (givenBack) {
            givenBack.addFirst(line);
        }
    }

    /** Puts the terminal back as it was (its modes, its signal handling). */
    @Override
    public void close() {
        closeQuietly(terminal);
    }

    private void bind(String widget, String keys) {
        reader.getKeyMaps().get(LineReader.MAIN).bind(new Reference(widget), keys);
    }

    private static void closeQuietly(Terminal t) {
        try {
            t.close();
        } catch (IOException e) {
            // nothing more to put back
        }
    }

    /**
     * Ends an input at Enter only when it is whole ({@link #isComplete}); otherwise Enter
     * opens a new line under the continuation prompt. The words are JLine's default split
     * (nothing completes them).
     */
    private static final class StatementParser implements Parser {
        private final DefaultParser words = new DefaultParser();

        @Override
        public ParsedLine parse(String line, int cursor, ParseContext context) {
            if (context == ParseContext.ACCEPT_LINE && !isComplete(line)) {
                throw new EOFError(-1, -1, "The statement goes on until ';'.");
            }
            return words.parse(line, cursor, context);
        }
    }

    /** JLine's history without the inputs that name a password. */
    private static final class SecretFreeHistory extends DefaultHistory {
        @Override
        public void add(Instant time, String line) {
            if (!isSecret(line)) {
                super.add(time, line);
            }
        }
    }
}
