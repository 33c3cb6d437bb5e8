package io.tetradb.admin.command;

import io.tetradb.admin.AdminMain;
import io.tetradb.admin.BackupWaitPrompt;
import io.tetradb.admin.JsonResultWriter;
import io.tetradb.admin.ResultWriter;
import io.tetradb.admin.ShellInput;
import io.tetradb.admin.StatementSplitter;
import io.tetradb.admin.TextResultWriter;
import io.tetradb.client.Rows;
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
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * {@code tetra-admin sql [-e SQL]}: runs SQL on the server. With {@code -e} it runs the
 * statements given and exits; otherwise it reads statements from stdin, as an
 * interactive shell at a terminal or as a script from a pipe. The text is split into
 * statements here ({@link StatementSplitter}), since the server runs one per request.
 * Queries print as aligned tables with a row count, writes as {@code N row(s) affected};
 * with {@code --json} every outcome goes into one JSON array.
 *
 * <p>A script or {@code -e} stops at the first failing statement (exit code 1); at a
 * terminal the shell reports the error and goes on.
 *
 * <p>A write held back by a backup follows {@code --wait-policy} (default: wait). While it
 * waits, the shell at a terminal shows the backup's progress and lets the user cancel
 * the statement (c then Enter: -9976); a script or {@code -e} prints one line on stderr
 * and waits (see {@link BackupWaitPrompt}).
 *
 * <p>Runs on the caller's thread (main).
 */
@Command(name = "sql", description = "Run SQL: the statements of -e, or a shell reading stdin "
        + "(statements end with ';'; quit with exit, quit or Ctrl-D).")
public final class SqlCommand extends AdminCommand {
    private static final Set<String> QUIT = Set.of("exit", "quit", "\\q");

    @Option(names = {"-e", "--execute"}, paramLabel = "SQL",
            description = "Run these statements (separated by ';') and exit; may be repeated.")
    private List<String> execute;

    @Option(names = "--wait-policy", paramLabel = "POLICY", converter = WaitPolicyConverter.class,
            description = "What a write does while a backup holds writes back: wait (default), fail-fast "
                    + "(error -9976 at once) or wait-at-most=DURATION (500ms, 30s, 5m; then -9976).")
    private WaitPolicy waitPolicy = WaitPolicy.WAIT;

    /** What the running statement shows while it waits behind a backup (set once connected). */
    private BackupWaitPrompt waits;

    @Override
    public Integer call() {
        AdminMain main = main();
        try (TetraClient client = main.connect();
             ResultWriter writer = main.json() ? new JsonResultWriter(main.mapper(), main.out())
                     : new TextResultWriter(main.out())) {
            client.waitPolicy(waitPolicy);
            if (execute != null) {
                try (BackupWaitPrompt w = new BackupWaitPrompt(main.out(), main.err(), null, waitPolicy)) {
                    waits = w;
                    w.attach(client, false);
                    for (String text : execute) {
                        for (String sql : StatementSplitter.split(text)) {
                            if (!run(client, writer, sql)) {
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
        boolean interactive = main.interactive() && !main.json();
        ShellInput reader = interactive ? ShellInput.readAhead(main.in()) : ShellInput.direct(main.in());
        try (BackupWaitPrompt w = new BackupWaitPrompt(main.out(), main.err(), interactive ? reader : null,
                waitPolicy)) {
            waits = w;
            w.attach(client, interactive && subscribeToBackups(client));
            return shell(client, writer, reader, interactive);
        }
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

    private int shell(TetraClient client, ResultWriter writer, ShellInput reader, boolean interactive) {
        AdminMain main = main();
        PrintStream out = main.out();
        if (interactive) {
            out.println("Connected to Tetra " + client.serverVersion() + ", database " + client.databaseName()
                    + ", as " + main.user() + ". End statements with ';'; quit with exit or Ctrl-D.");
        }
        StatementSplitter splitter = new StatementSplitter();
        try {
            while (true) {
                if (interactive) {
                    out.print(splitter.hasPartialStatement() ? "    -> " : "tetra> ");
                    out.flush();
                }
                String line = reader.readLine();
                if (line == null) {
                    break;
                }
                if (!splitter.hasPartialStatement() && isQuit(line)) {
                    return OK;
                }
                for (String sql : splitter.feed(line + "\n")) {
                    if (!run(client, writer, sql) && (!interactive || !client.isOpen())) {
                        return 1;
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Optional<String> last = splitter.finish();
        if (last.isPresent() && !run(client, writer, last.get()) && !interactive) {
            return 1;
        }
        if (interactive) {
            out.println();
        }
        return OK;
    }

    private static boolean isQuit(String line) {
        String s = line.strip();
        if (s.endsWith(";")) {
            s = s.substring(0, s.length() - 1).strip();
        }
        return QUIT.contains(s.toLowerCase(Locale.ROOT));
    }

    /** Runs one statement and writes its outcome; false (error reported) when it failed. */
    private boolean run(TetraClient client, ResultWriter writer, String sql) {
        try (Rows rows = waits.during(() -> client.query(sql))) {
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
            return true;
        } catch (TetraException e) {
            writer.error(sql, e);
            main().printError(e);
            return false;
        } catch (RuntimeException e) {
            TetraException te = new TetraException(ErrorCode.INTERNAL_ERROR, "Internal error in tetra-admin: " + e, e);
            writer.error(sql, te);
            main().printError(te);
            return false;
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
