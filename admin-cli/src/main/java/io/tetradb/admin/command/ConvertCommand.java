package io.tetradb.admin.command;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tetradb.admin.AdminMain;
import io.tetradb.admin.ConversionProgressBar;
import io.tetradb.admin.Display;
import io.tetradb.admin.InterruptSource;
import io.tetradb.admin.Secrets;
import io.tetradb.client.ErrorCode;
import io.tetradb.server.convert.ConversionException;
import io.tetradb.server.convert.ConversionListener;
import io.tetradb.server.convert.ConversionOptions;
import io.tetradb.server.convert.ConversionPlan;
import io.tetradb.server.convert.ConversionReport;
import io.tetradb.server.convert.DatabaseConverter;
import io.tetradb.server.convert.LegacyEngines;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code tetra-admin convert <path>}: converts a database whose data file an older H2
 * wrote (docs/conversion.md). Runs where the files are, without a server: shows what it
 * will do, asks (or takes {@code --yes}), then shows each step with a progress bar and
 * ends with a summary. Ctrl-C stops it; the originals stay as they were.
 *
 * <p>JSON ({@code --json}): {@code {"plan": {...}, "confirmed": bool, "report": {...}}} on
 * success; on failure the same with {@code "error": {"code", "message", "advice",
 * "anomalies"}} (and exit code 1). Plan and report keys: see {@link ConversionPlan#toMap}
 * and {@link ConversionReport#toMap}.
 *
 * <p>Runs on the caller's thread (main); Ctrl-C arrives on the JVM's signal thread and
 * only interrupts it.
 */
@Command(name = "convert", description = "Convert a database an older H2 wrote (file format 1: H2 1.4, page store "
        + "and split files; format 2: H2 2.0-2.1) where its files are, without a server.%n"
        + "Shows what it will do and asks first; the originals are kept in \"Replaced Files (conversion)\".")
public final class ConvertCommand extends AdminCommand {
    /** Environment variable with the password of a bare legacy file's H2 user. */
    public static final String SOURCE_PASSWORD_ENV = "TETRA_SOURCE_PASSWORD";

    @Parameters(index = "0", paramLabel = "PATH",
            description = "A database folder, a data file in one, or a bare H2 file (name.mv.db, name.h2.db).")
    private Path path;

    @Option(names = "--to", paramLabel = "DIR", description = "Convert into this new database folder (the source "
            + "is left as it is). Default for a bare file: a folder named after it, beside it.")
    private Path to;

    @Option(names = "--yes", description = "Do not ask: convert after showing what will be done.")
    private boolean yes;

    @Option(names = "--multilang", paramLabel = "F", description = "The charset of legacy 8-bit text per field "
            + "(default: multilang.txt beside the data file).")
    private Path multilang;

    @Option(names = "--default-charset", paramLabel = "C",
            description = "The charset of every other text field's 8-bit text (default: kept as it is).")
    private String defaultCharset;

    @Option(names = "--no-startup-hooks", description = "The first open after the conversion runs no startup hooks.")
    private boolean noStartupHooks;

    @Option(names = "--data-file", paramLabel = "F",
            description = "Which data file of the database folder to convert (each is converted separately).")
    private Path dataFile;

    @Option(names = "--segment-dir", paramLabel = "D",
            description = "A folder holding segments (*.part) of a split data file; may be repeated.")
    private List<Path> segmentDirs = new ArrayList<>();

    @Option(names = "--segments", paramLabel = "N", description = "The split data file has N segments (*.part) in "
            + "all: needed only when the last one found is exactly full.")
    private Integer segments;

    @Option(names = "--source-user", paramLabel = "U", description = "The H2 user of a bare legacy file (default: "
            + "the database's own account, then SA). Its password: $" + SOURCE_PASSWORD_ENV
            + " or --source-password-file.")
    private String sourceUser;

    @Option(names = "--source-password-file", paramLabel = "F",
            description = "Read the source user's password from the first line of F.")
    private Path sourcePasswordFile;

    @Option(names = "--keep-free", paramLabel = "SIZE", description = "Free space to leave on each disk beyond what "
            + "the conversion writes (for example 500m, 2g). Default 0.")
    private String keepFree;

    @Override
    @SuppressWarnings("try") // ctrlC is only held open while the conversion runs
    public Integer call() {
        AdminMain main = main();
        ConversionOptions options = options(main);
        DatabaseConverter converter = new DatabaseConverter(LegacyEngines.locate(null));
        ObjectNode json = main.mapper().createObjectNode();
        ConversionPlan plan;
        try {
            plan = converter.plan(path, options);
        } catch (ConversionException e) {
            return failed(main, json, e);
        } catch (IOException e) {
            return failed(main, json, new ConversionException(ErrorCode.CONVERSION_FAILED, "The files cannot be read: "
                    + e.getMessage(), "Check the path and its permissions."));
        }
        json.set("plan", main.mapper().valueToTree(plan.toMap()));
        PrintStream out = main.out();
        if (plan.nothingToDo()) {
            if (main.json()) {
                json.put("confirmed", false);
                json.set("report", main.mapper().valueToTree(ConversionReportView.nothing(plan)));
                main.printJson(json);
            } else {
                out.println(plan.dataFile() + " is in " + plan.format().describe() + ": nothing to convert.");
            }
            return OK;
        }
        if (!main.json()) {
            plan.describe().forEach(out::println);
            out.println();
            out.flush();
        }
        if (plan.missingSegment() == null && !confirmed(main, plan)) {
            json.put("confirmed", false);
            return failed(main, json, new ConversionException(ErrorCode.CONVERSION_NOT_CONFIRMED,
                    "The conversion was not confirmed; nothing was changed.", "To convert, run: " + plan.command()));
        }
        json.put("confirmed", true);
        ConversionProgressBar bar = main.json() ? null : new ConversionProgressBar(main.err(), main.interactive());
        ConversionListener listener = bar != null ? bar : ConversionListener.none();
        Thread self = Thread.currentThread();
        ConversionReport report;
        try (InterruptSource.Registration ctrlC = main.interrupts().install(self::interrupt)) {
            report = converter.convert(plan, listener);
        } catch (ConversionException e) {
            if (bar != null) {
                bar.end();
            }
            Thread.interrupted();
            return failed(main, json, e);
        } catch (OutOfMemoryError e) {
            // The converter's clean-up has run (the originals are untouched until the switch): say so and how to retry.
            if (bar != null) {
                bar.end();
            }
            return failed(main, json, new ConversionException(ErrorCode.CONVERSION_FAILED, "The conversion ran out of "
                    + "memory (maximum heap " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB). The "
                    + "originals are as they were.", "Give it more memory, e.g. TETRA_ADMIN_JAVA_OPTS=-Xmx4g, then run: "
                    + plan.command()));
        }
        json.set("report", main.mapper().valueToTree(report.toMap()));
        if (main.json()) {
            main.printJson(json);
        } else {
            summary(out, plan, report);
        }
        return OK;
    }

    private ConversionOptions options(AdminMain main) {
        ConversionOptions.Builder b = ConversionOptions.builder().to(to).dataFile(dataFile).multilang(multilang)
                .noStartupHooks(noStartupHooks).sourceUser(sourceUser).segmentCount(segments);
        for (Path d : segmentDirs) {
            b.segmentDir(d);
        }
        if (defaultCharset != null) {
            try {
                b.defaultCharset(Charset.forName(defaultCharset));
            } catch (IllegalArgumentException e) {
                throw usage("--default-charset: '" + defaultCharset + "' is not a charset this Java knows "
                        + "(for example windows-1251, ISO-8859-7, x-MacCyrillic).");
            }
        }
        if (sourcePasswordFile != null) {
            char[] pw = Secrets.readFile(sourcePasswordFile, "source password");
            b.sourcePassword(new String(pw));
            Arrays.fill(pw, '\0');
        } else if (main.env().get(SOURCE_PASSWORD_ENV) != null) {
            b.sourcePassword(main.env().get(SOURCE_PASSWORD_ENV));
        }
        if (keepFree != null) {
            b.keepFree(size(keepFree));
        }
        return b.build();
    }

    private long size(String v) {
        String s = v.strip().toLowerCase(Locale.ROOT).replace("ib", "").replace("b", "");
        long mult = 1;
        if (s.endsWith("k")) {
            mult = 1024;
        } else if (s.endsWith("m")) {
            mult = 1024L * 1024;
        } else if (s.endsWith("g")) {
            mult = 1024L * 1024 * 1024;
        }
        try {
            long n = Long.parseLong(mult == 1 ? s : s.substring(0, s.length() - 1));
            if (n < 0) {
                throw new NumberFormatException();
            }
            return Math.multiplyExact(n, mult);
        } catch (NumberFormatException | ArithmeticException e) {
            throw usage("--keep-free: '" + v + "' is not a size (for example 0, 500m, 2g).");
        }
    }

    /** --yes, or a yes from the person at the terminal. */
    private boolean confirmed(AdminMain main, ConversionPlan plan) {
        if (yes) {
            return true;
        }
        if (!main.interactive() || main.json()) {
            return false;
        }
        PrintStream err = main.err();
        err.print(plan.mode() == ConversionPlan.Mode.IN_PLACE
                ? "Convert now? The originals are copied first, then replaced. [y/N] "
                : "Convert now into " + plan.databaseRoot() + "? [y/N] ");
        err.flush();
        try {
            String answer = new BufferedReader(new InputStreamReader(main.in(), StandardCharsets.UTF_8)).readLine();
            return answer != null && (answer.strip().equalsIgnoreCase("y") || answer.strip().equalsIgnoreCase("yes"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private int failed(AdminMain main, ObjectNode json, ConversionException e) {
        if (main.json()) {
            ObjectNode err = json.putObject("error");
            err.put("code", e.rawCode());
            err.put("message", e.getMessage());
            err.put("advice", e.advice());
            err.set("anomalies", main.mapper().valueToTree(e.anomalies()));
            main.printJson(json);
        }
        main.printError(e);
        if (e.advice() != null) {
            main.err().println("tetra-admin: " + e.advice());
            main.err().flush();
        }
        return 1;
    }

    private static void summary(PrintStream out, ConversionPlan plan, ConversionReport r) {
        String label = "  %-12s%s%n";
        out.println();
        out.printf(Locale.ROOT, "Converted %s (%s) in %s.%n", plan.dataFile(), plan.format().shortName(),
                Display.duration(r.millis()));
        out.printf(Locale.ROOT, label, "Tables", r.tables().size() + " (" + r.totalRows() + " rows): every row count "
                + "and checksum equals the source's");
        out.printf(Locale.ROOT, label, "Indexes", r.indexes() + " built anew");
        if (r.textValuesRepaired() > 0) {
            out.printf(Locale.ROOT, label, "Text", r.textValuesRepaired() + " values re-read in their charset");
        }
        out.printf(Locale.ROOT, label, "Anomalies", r.anomalies().size() + (r.anomalies().isEmpty() ? ""
                : " (not critical; listed in the log)"));
        out.printf(Locale.ROOT, label, "Data file", r.newDataFile());
        if (!r.safetyFolders().isEmpty()) {
            out.printf(Locale.ROOT, label, "Originals", String.join(", ", r.safetyFolders()));
        }
        out.printf(Locale.ROOT, label, "Log", r.logFile());
        out.flush();
    }

    /** The JSON report of a data file that needed nothing. */
    private static final class ConversionReportView {
        static Map<String, Object> nothing(ConversionPlan plan) {
            return Map.of("converted", false, "database", plan.databaseRoot().toString(),
                    "format", plan.format().shortName());
        }
    }
}
