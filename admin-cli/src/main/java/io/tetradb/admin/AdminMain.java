package io.tetradb.admin;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.tetradb.admin.command.BackupCommand;
import io.tetradb.admin.command.ConvertCommand;
import io.tetradb.admin.command.ReplacedCommand;
import io.tetradb.admin.command.LogCommand;
import io.tetradb.admin.command.RestoreCommand;
import io.tetradb.admin.command.RollbackCommand;
import io.tetradb.admin.command.SessionsCommand;
import io.tetradb.admin.command.SqlCommand;
import io.tetradb.admin.command.StatusCommand;
import io.tetradb.admin.command.UsersCommand;
import io.tetradb.client.ClientConfig;
import io.tetradb.client.TetraClient;
import io.tetradb.client.ErrorCode;
import io.tetradb.protocol.ProtocolVersion;
import io.tetradb.client.TetraException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code tetra-admin}: remote administration and SQL shell for a Tetra server
 * (docs/admin-cli.md). This is the top command: it holds the global options, which
 * may stand before or after the subcommand, the streams and environment the commands
 * use, and the one place where failures become exit codes and messages.
 *
 * <pre>{@code
 * int exit = AdminMain.run(new String[] {"--port", "19813", "status", "--json"},
 *         System.out, System.err, System.in, System.getenv());
 * }</pre>
 *
 * <p>Exit codes: 0 success, 1 failure ({@code tetra-admin: error <code>: <message>} on
 * stderr), 2 usage. Runs on the caller's thread (main).
 */
@Command(name = "tetra-admin", mixinStandardHelpOptions = true, scope = ScopeType.INHERIT,
        versionProvider = AdminMain.Version.class, usageHelpAutoWidth = true,
        description = "Remote administration and SQL shell for a Tetra server.%n"
                + "Password: $TETRA_PASSWORD, --password-file FILE, or asked for on the console.",
        subcommands = {StatusCommand.class, BackupCommand.class, RestoreCommand.class, RollbackCommand.class,
                SessionsCommand.class, UsersCommand.class, SqlCommand.class, ConvertCommand.class,
                ReplacedCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:failure (message and code on stderr)", "2:usage error"})
public final class AdminMain implements Callable<Integer> {
    /** Environment variable with the login password. */
    public static final String PASSWORD_ENV = "TETRA_PASSWORD";
    /** Environment variable with a new password for {@code users add} and {@code users passwd}. */
    public static final String NEW_PASSWORD_ENV = "TETRA_NEW_PASSWORD";
    static final int EXIT_FAILURE = 1;

    @Option(names = "--host", paramLabel = "HOST", scope = ScopeType.INHERIT,
            description = "Server host (default: localhost).")
    private String host;

    @Option(names = "--port", paramLabel = "PORT", scope = ScopeType.INHERIT,
            description = "Server port (default: " + ProtocolVersion.DEFAULT_PORT + ").")
    private Integer port;

    @Option(names = "--user", paramLabel = "USER", scope = ScopeType.INHERIT,
            description = "User to log in as (default: admin).")
    private String user;

    @Option(names = "--password-file", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "Read the password from the first line of FILE (instead of $TETRA_PASSWORD).")
    private Path passwordFile;

    @Option(names = "--tls", scope = ScopeType.INHERIT,
            description = "Connect with TLS (the server's certificate checked against the JVM's trusted authorities).")
    private boolean tls;

    @Option(names = "--tls-ca", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "Connect with TLS, trusting the certificates of this PEM file (the server's authority or its"
                    + " own self-signed certificate).")
    private Path tlsCa;

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "Machine-readable JSON output on stdout.")
    private boolean json;

    @Spec
    private CommandSpec spec;

    private final PrintStream out;
    private final PrintStream err;
    private final InputStream in;
    private final Map<String, String> env;
    private final SecretPrompt prompt;
    private final boolean interactive;
    private final InterruptSource interrupts;
    private final boolean terminal;
    private final ObjectMapper mapper = new ObjectMapper()
            .configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private AdminMain(PrintStream out, PrintStream err, InputStream in, Map<String, String> env, SecretPrompt prompt,
                      boolean interactive, InterruptSource interrupts, boolean terminal) {
        this.interrupts = interrupts;
        this.terminal = terminal;
        this.out = out;
        this.err = err;
        this.in = in;
        this.env = env;
        this.prompt = prompt;
        this.interactive = interactive;
    }

    public static void main(String[] args) {
        // H2's value cache (each value looked up in a cache of recent ones, to share equal ones) costs more
        // than it saves in this short-lived process: a conversion spends about a tenth of its CPU time in it
        // (bench/NOTES.md). Set before any H2 class loads, for the server's engine and the legacy ones alike.
        if (System.getProperty("h2.objectCache") == null) {
            System.setProperty("h2.objectCache", "false");
        }
        boolean console = System.console() != null;
        System.exit(run(args, System.out, System.err, System.in, System.getenv(),
                console ? SecretPrompt.console() : SecretPrompt.none(), console, InterruptSource.sigint(), console));
    }

    /** Runs {@code tetra-admin} with these arguments and streams, without exiting; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err, InputStream in, Map<String, String> env) {
        return run(args, out, err, in, env, SecretPrompt.none(), false);
    }

    /**
     * As {@link #run(String[], PrintStream, PrintStream, InputStream, Map)}, with the prompt for
     * passwords and whether stdin is a person at a terminal (the SQL shell then prompts
     * and goes on after errors).
     */
    public static int run(String[] args, PrintStream out, PrintStream err, InputStream in, Map<String, String> env,
                          SecretPrompt prompt, boolean interactive) {
        return run(args, out, err, in, env, prompt, interactive, InterruptSource.none());
    }

    /**
     * As {@link #run(String[], PrintStream, PrintStream, InputStream, Map, SecretPrompt, boolean)},
     * with where Ctrl-C comes from while a command handles it itself ({@code backup start
     * --follow}); the other forms leave Ctrl-C alone.
     */
    public static int run(String[] args, PrintStream out, PrintStream err, InputStream in, Map<String, String> env,
                          SecretPrompt prompt, boolean interactive, InterruptSource interrupts) {
        return run(args, out, err, in, env, prompt, interactive, interrupts, false);
    }

    /**
     * The real process: {@code terminal} when stdin and stdout are its own terminal
     * (System.console()), where the SQL shell takes the terminal over with JLine.
     */
    private static int run(String[] args, PrintStream out, PrintStream err, InputStream in, Map<String, String> env,
                           SecretPrompt prompt, boolean interactive, InterruptSource interrupts, boolean terminal) {
        AdminMain main = new AdminMain(out, err, in, env, prompt, interactive, interrupts, terminal);
        CommandLine cl = new CommandLine(main);
        LogCommand.register(cl);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setExecutionExceptionHandler(main::onFailure);
        CommandLine.IParameterExceptionHandler usage = cl.getParameterExceptionHandler();
        cl.setParameterExceptionHandler((e, a) -> {
            if (e instanceof MissingSecretException) {
                // Not a mistake in the command line: the message says all, no usage text.
                err.println("tetra-admin: " + e.getMessage());
                return e.getCommandLine().getCommandSpec().exitCodeOnInvalidInput();
            }
            return usage.handleParseException(e, a);
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /**
     * Every command's path below {@code tetra-admin} ({@code "backup settings set"}), for the
     * test that finds each in docs/admin-cli.md.
     */
    public static java.util.List<String> commandPaths() {
        CommandLine cl = new CommandLine(new AdminMain(System.out, System.err, InputStream.nullInputStream(),
                Map.of(), null, false, InterruptSource.none(), false));
        LogCommand.register(cl);
        java.util.List<String> out = new java.util.ArrayList<>();
        collect(cl, "", out);
        return out;
    }

    private static void collect(CommandLine cl, String prefix, java.util.List<String> out) {
        for (Map.Entry<String, CommandLine> e : cl.getSubcommands().entrySet()) {
            if (e.getValue().getCommandSpec().usageMessage().hidden()
                    || !e.getKey().equals(e.getValue().getCommandName())) {
                continue;   // hidden commands and aliases
            }
            String path = prefix.isEmpty() ? e.getKey() : prefix + " " + e.getKey();
            out.add(path);
            collect(e.getValue(), path, out);
        }
    }

    /** Without a subcommand: a usage error. */
    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(),
                "Missing command: status, backup, restore, log, sessions, users, sql or convert.");
    }

    private int onFailure(Exception e, CommandLine cmd, ParseResult parseResult) {
        printError(asTetra(e));
        return EXIT_FAILURE;
    }

    /** The failure as a {@link TetraException}, so that every failure has a code. */
    static TetraException asTetra(Throwable e) {
        if (e instanceof TetraException t) {
            return t;
        }
        if (e instanceof UncheckedIOException || e instanceof IOException) {
            // Reading stdin or writing stdout failed (files named by options report their own errors).
            return new TetraException(ErrorCode.INTERNAL_ERROR, "I/O error: " + e.getMessage(), e);
        }
        return new TetraException(ErrorCode.INTERNAL_ERROR, "Internal error in tetra-admin: " + e, e);
    }

    /** Prints {@code tetra-admin: error <code>: <message>} (and the SQLState) on stderr. */
    public void printError(TetraException e) {
        StringBuilder sb = new StringBuilder("tetra-admin: error ").append(e.rawCode()).append(": ")
                .append(e.getMessage());
        if (e.sqlState() != null) {
            sb.append(" (SQLState ").append(e.sqlState()).append(')');
        }
        err.println(sb);
        err.flush();
    }

    /** Connects and logs in with the global options and the password from where it is allowed to come. */
    public TetraClient connect() {
        if (port() < 1 || port() > 65535) {
            throw new ParameterException(spec.commandLine(), "--port must be between 1 and 65535, not " + port() + ".");
        }
        char[] password = loginPassword();
        try {
            return TetraClient.connect(ClientConfig.builder().host(host()).port(port()).user(user())
                    .password(password).clientName("tetra-admin").connectTimeout(Duration.ofSeconds(20))
                    .tls(tls).tlsTrustedCertificates(tlsCa).build());
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    private char[] loginPassword() {
        if (passwordFile != null) {
            return Secrets.readFile(passwordFile, "password");
        }
        String fromEnv = env.get(PASSWORD_ENV);
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return fromEnv.toCharArray();
        }
        char[] typed = prompt.available() ? prompt.read("Password for " + user() + "@" + host() + ":" + port() + ": ")
                : null;
        if (typed == null) {
            throw new MissingSecretException(spec.commandLine(), "No password: set $" + PASSWORD_ENV
                    + " or use --password-file FILE (or run on a console to be asked).");
        }
        return typed;
    }

    /**
     * A new password for {@code users add} and {@code users passwd}: from {@code file}, then
     * $TETRA_NEW_PASSWORD, then asked twice on the console.
     */
    public char[] newPassword(Path file, String userName, CommandLine cmd) {
        if (file != null) {
            return Secrets.readFile(file, "new password");
        }
        String fromEnv = env.get(NEW_PASSWORD_ENV);
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return fromEnv.toCharArray();
        }
        char[] typed = prompt.available() ? Secrets.askTwice(prompt, "New password for " + userName + ": ",
                "Repeat the new password: ") : null;
        if (typed == null) {
            throw new MissingSecretException(cmd, "No new password: set $" + NEW_PASSWORD_ENV
                    + ", use --new-password-file FILE, or run on a console to be asked.");
        }
        return typed;
    }

    /** Writes {@code node} as JSON on stdout, followed by a line end. */
    public void printJson(JsonNode node) {
        try {
            mapper.writeValue(out, node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.println();
        out.flush();
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    public String host() {
        return host != null ? host : "localhost";
    }

    public int port() {
        return port != null ? port : ProtocolVersion.DEFAULT_PORT;
    }

    public String user() {
        return user != null ? user : "admin";
    }

    public boolean json() {
        return json;
    }

    public PrintStream out() {
        return out;
    }

    public PrintStream err() {
        return err;
    }

    public InputStream in() {
        return in;
    }

    /** The environment the command runs in (System.getenv() in the real process). */
    public Map<String, String> env() {
        return env;
    }

    /** Whether stdin is a person at a terminal. */
    public boolean interactive() {
        return interactive;
    }

    /**
     * Whether stdin and stdout are the process's own terminal, which the SQL shell may take
     * over for line editing (never in-process, where the streams are the caller's).
     */
    public boolean terminal() {
        return terminal;
    }

    /** Where Ctrl-C comes from while a command handles it itself. */
    public InterruptSource interrupts() {
        return interrupts;
    }

    /** No password was given and there is no console to ask on: a usage error (exit code 2). */
    static final class MissingSecretException extends ParameterException {
        private static final long serialVersionUID = 1L;

        MissingSecretException(CommandLine cmd, String message) {
            super(cmd, message);
        }
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = AdminMain.class.getPackage().getImplementationVersion();
            return new String[] {"tetra-admin " + (v != null ? v : "(development build)")};
        }
    }
}
