package io.tetradb.admin.command;

import io.tetradb.admin.AdminMain;
import io.tetradb.admin.BackupWaitPrompt;
import io.tetradb.admin.CsvResultWriter;
import io.tetradb.admin.InterruptSource;
import io.tetradb.admin.JsonResultWriter;
import io.tetradb.admin.ResultWriter;
import io.tetradb.admin.ShellInput;
import io.tetradb.admin.StatementSplitter;
import io.tetradb.admin.TerminalShell;
import io.tetradb.admin.TextResultWriter;
import io.tetradb.client.Rows;
import io.tetradb.client.SqlStatement;
import io.tetradb.client.TetraClient;
import io.tetradb.client.WaitPolicy;
import io.tetradb.client.ErrorCode;
import io.tetradb.protocol.Role;
import io.tetradb.client.TetraException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code tetra-admin sql [-e SQL]}: runs SQL on the server. With {@code -e} it runs the
 * statements given and exits; otherwise it reads statements from stdin, as an
 * interactive shell at a terminal or as a script from a pipe. The text is split into
 * statements here ({@link StatementSplitter}), since the server runs one per request.
 * Queries print as aligned tables with a row count, writes as {@code N row(s) affected};
 * with {@code --json} every outcome goes into one JSON array, with {@code --csv} every
 * query's rows are CSV. An input starting with a backslash is one of psql's backslash
 * commands ({@link BackslashCommands}: {@code \?}, {@code \d}, {@code \du}, {@code \timing},
 * {@code \q}).
 *
 * <p>When stdin and stdout are the process's terminal (and neither {@code --json} nor
 * {@code --csv} is given), the shell edits lines with JLine ({@link TerminalShell}):
 * history in {@code ~/.tetra_history}, inputs over several lines until {@code ;}, Ctrl-C
 * cancels the running statement on the server (it fails with 2009) or drops the typed
 * input at the prompt, Ctrl-D on an empty line leaves. Anything else reads plain lines,
 * and a script or {@code -e} stops at the first failing statement (exit code 1); at a
 * terminal the shell reports the error and goes on.
 *
 * <p>A write held back by a backup follows {@code --wait-policy} (default: wait). While it
 * waits, the shell at a terminal shows the backup's progress and lets the user cancel
 * the statement (c then Enter, or Ctrl-C in the line-editing shell: -9976); a script or
 * {@code -e} prints one line on stderr and waits (see {@link BackupWaitPrompt}).
 *
 * <p>Runs on the caller's thread (main); Ctrl-C handlers run on the JVM's signal thread
 * and only send the cancel.
 */
@Command(name = "sql", description = "Run SQL: the statements of -e, or a shell reading stdin "
        + "(statements end with ';'; \\? for help; quit with \\q, exit or Ctrl-D).")
public final class SqlCommand extends AdminCommand {
    /** Environment variable with the history file of the line-editing shell. */
    public static final String HISTORY_ENV = "TETRA_HISTORY";
    /** The history file in the home folder when neither --history-file nor $TETRA_HISTORY names one. */
    public static final String HISTORY_FILE = ".tetra_history";

    /** How a statement ended. */
    private enum Outcome { OK, FAILED, CANCELLED }

    @Option(names = {"-e", "--execute"}, paramLabel = "SQL",
            description = "Run these statements (separated by ';') or this backslash command, and exit; "
                    + "may be repeated.")
    private List<String> execute;

    @Option(names = "--wait-policy", paramLabel = "POLICY", converter = WaitPolicyConverter.class,
            description = "What a write does while a backup holds writes back: wait (default), fail-fast "
                    + "(error -9976 at once) or wait-at-most=DURATION (500ms, 30s, 5m; then -9976).")
    private WaitPolicy waitPolicy = WaitPolicy.WAIT;

    @Option(names = "--csv", description = "CSV on stdout, for scripts: a header line per query, RFC 4180 "
            + "quoting, NULL as an empty field.")
    private boolean csv;

    @Option(names = "--history-file", paramLabel = "FILE", description = "The interactive shell's history "
            + "(default: $" + HISTORY_ENV + ", else ~/" + HISTORY_FILE + ").")
    private Path historyFile;

    @Option(names = "--no-history", description = "Keep no history file.")
    private boolean noHistory;

    /** What the running statement shows while it waits behind a backup (set once connected). */
    private BackupWaitPrompt waits;
    /** The backslash commands and \timing (set once connected). */
    private BackslashCommands commands;
    /** Where Ctrl-C comes from while a statement runs: only in an interactive shell. */
    private InterruptSource interrupts = InterruptSource.none();

    @Override
    public Integer call() {
        AdminMain main = main();
        if (csv && main.json()) {
            throw usage("--csv and --json cannot be used together.");
        }
        try (TetraClient client = main.connect();
             ResultWriter writer = main.json() ? new JsonResultWriter(main.mapper(), main.out())
                     : csv ? new CsvResultWriter(main.out()) : new TextResultWriter(main.out())) {
            client.waitPolicy(waitPolicy);
            commands = new BackslashCommands(main, client, writer);
            if (execute != null) {
                try (BackupWaitPrompt w = new BackupWaitPrompt(main.out(), main.err(), null, waitPolicy, false)) {
                    waits = w;
                    w.attach(client, false);
                    for (String text : execute) {
                        if (text.strip().startsWith("\\")) {
                            BackslashCommands.Outcome o = commands.run(text);
                            if (o == BackslashCommands.Outcome.FAILED) {
                                return 1;
                            }
                            if (o == BackslashCommands.Outcome.QUIT) {
                                return OK;
                            }
                            continue;
                        }
                        for (String sql : StatementSplitter.split(text)) {
                            if (run(client, writer, sql) != Outcome.OK) {
                                return 1;
                            }
                        }
                    }
                }
                return OK;
            }
            return shell(client, writer);
        }
    }

    private int shell(TetraClient client, ResultWriter writer) {
        AdminMain main = main();
        boolean interactive = main.interactive() && !main.json() && !csv;
        if (interactive && main.terminal()) {
            Optional<TerminalShell> terminal = TerminalShell.open(history(main));
            if (terminal.isPresent()) {
                try (TerminalShell t = terminal.get();
                     BackupWaitPrompt w = new BackupWaitPrompt(main.out(), main.err(), t, waitPolicy, true)) {
                    waits = w;
                    w.attach(client, subscribeToBackups(client));
                    interrupts = t.interrupts();
                    return terminalShell(client, writer, t);
                }
            }
        }
        ShellInput reader = interactive ? ShellInput.readAhead(main.in()) : ShellInput.direct(main.in());
        try (BackupWaitPrompt w = new BackupWaitPrompt(main.out(), main.err(), interactive ? reader : null,
                waitPolicy, false)) {
            waits = w;
            w.attach(client, interactive && subscribeToBackups(client));
            if (interactive) {
                interrupts = main.interrupts();
            }
            return shell(client, writer, reader, interactive);
        }
    }

    /** The history file: --history-file, $TETRA_HISTORY, ~/.tetra_history; null with --no-history or without a home. */
    private Path history(AdminMain main) {
        if (noHistory) {
            return null;
        }
        if (historyFile != null) {
            return historyFile;
        }
        String fromEnv = main.env().get(HISTORY_ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Path.of(fromEnv);
        }
        String home = main.env().get("HOME");
        return home != null && !home.isBlank() ? Path.of(home, HISTORY_FILE) : null;
    }

    /** An admin's shell follows the progress of a backup its statement waits for; others see the notice's. */
    private static boolean subscribeToBackups(TetraClient client) {
        if (client.role() != Role.ADMIN) {
            return false;
        }
        try {
            client.admin().subscribeBackupEvents(true);
            return true;
        } catch (TetraException e) {
            return false;
        }
    }

    private void banner(TetraClient client) {
        AdminMain main = main();
        main.out().println("Connected to Tetra " + client.serverVersion() + ", database " + client.databaseName()
                + ", as " + main.user() + ". End statements with ';'. Type \\? for help; quit with \\q or Ctrl-D.");
        main.out().flush();
    }

    /** The line-editing shell: one whole input at a time (see {@link TerminalShell}). */
    private int terminalShell(TetraClient client, ResultWriter writer, TerminalShell terminal) {
        PrintStream out = main().out();
        banner(client);
        while (true) {
            String input = terminal.readInput();
            if (input == null) {
                out.println();
                out.flush();
                return OK;
            }
            String s = input.strip();
            if (s.isEmpty()) {
                continue;
            }
            if (s.startsWith("\\")) {
                if (commands.run(s) == BackslashCommands.Outcome.QUIT) {
                    return OK;
                }
                continue;
            }
            if (TerminalShell.isQuit(s)) {
                return OK;
            }
            for (String sql : StatementSplitter.split(input)) {
                Outcome o = run(client, writer, sql);
                if (!client.isOpen()) {
                    return 1;
                }
                if (o == Outcome.CANCELLED) {
                    break; // Ctrl-C: the rest of the input is dropped too
                }
            }
        }
    }

    /** The plain shell: lines from a pipe (a script) or from a terminal without line editing. */
    private int shell(TetraClient client, ResultWriter writer, ShellInput reader, boolean interactive) {
        PrintStream out = main().out();
        if (interactive) {
            banner(client);
        }
        StatementSplitter splitter = new StatementSplitter();
        try {
            while (true) {
                if (interactive) {
                    out.print(splitter.hasPartialStatement() ? TerminalShell.CONTINUATION : TerminalShell.PROMPT);
                    out.flush();
                }
                String line = reader.readLine();
                if (line == null) {
                    break;
                }
                if (!splitter.hasPartialStatement()) {
                    if (TerminalShell.isQuit(line)) {
                        return OK;
                    }
                    if (line.strip().startsWith("\\")) {
                        BackslashCommands.Outcome o = commands.run(line);
                        if (o == BackslashCommands.Outcome.QUIT) {
                            return OK;
                        }
                        if (o == BackslashCommands.Outcome.FAILED && !interactive) {
                            return 1;
                        }
                        continue;
                    }
                }
                for (String sql : splitter.feed(line + "\n")) {
                    Outcome o = run(client, writer, sql);
                    if (o != Outcome.OK && (!interactive || !client.isOpen())) {
                        return 1;
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Optional<String> last = splitter.finish();
        if (last.isPresent() && run(client, writer, last.get()) != Outcome.OK && !interactive) {
            return 1;
        }
        if (interactive) {
            out.println();
        }
        return OK;
    }

    /**
     * Runs one statement and writes its outcome (and its time with {@code \timing}). Ctrl-C
     * meanwhile cancels it on the server: a running statement fails with 2009, a write
     * waiting behind a backup with -9976.
     */
    private Outcome run(TetraClient client, ResultWriter writer, String sql) {
        SqlStatement statement = client.statement(sql);
        AtomicBoolean interrupted = new AtomicBoolean();
        long start = System.nanoTime();
        InterruptSource.Registration ctrlC = interrupts.install(() -> cancel(statement, interrupted));
        try (ctrlC; Rows rows = waits.during(statement::query)) {
            if (!rows.columns().isEmpty()) {
                writer.query(sql, rows);
            } else {
                // Read to the end: the outcome of a statement without rows may still be on its way.
                Iterator<?> it = rows.iterator();
                while (it.hasNext()) {
                    it.next();
                }
                writer.update(sql, rows.kind(), rows.updateCount());
            }
            return Outcome.OK;
        } catch (TetraException e) {
            writer.error(sql, e);
            main().printError(e);
            return interrupted.get() ? Outcome.CANCELLED : Outcome.FAILED;
        } catch (RuntimeException e) {
            TetraException te = new TetraException(ErrorCode.INTERNAL_ERROR, "Internal error in tetra-admin: " + e, e);
            writer.error(sql, te);
            main().printError(te);
            return Outcome.FAILED;
        } finally {
            commands.printTime(start);
        }
    }

    /** Ctrl-C while {@code statement} runs (signal thread): cancel it on the server, without waiting. */
    private void cancel(SqlStatement statement, AtomicBoolean interrupted) {
        interrupted.set(true);
        if (!waits.cancelWaiting()) {
            statement.cancel();
            main().err().println("Cancel request sent.");
            main().err().flush();
        }
    }

    /** Parses {@code --wait-policy}. */
    static final class WaitPolicyConverter implements CommandLine.ITypeConverter<WaitPolicy> {
        @Override
        public WaitPolicy convert(String value) {
            try {
                return WaitPolicy.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
