package io.tetradb.server.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tetradb.client.ErrorCode;
import io.tetradb.server.DataLayout;
import io.tetradb.server.config.ServerConfig.Conversion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What the server does at start with the data file of its folder (docs/conversion.md): finishes
 * a conversion that was interrupted while it switched files, then, when the data file was
 * written by an older H2, refuses to start with the {@code tetra-admin convert} command
 * to run ({@code conversion: ask}), refuses and says conversion at start is off
 * ({@code never}), or converts it with the default options ({@code auto}). A newer format
 * is always refused. Also reads the conversion record at the first open after a
 * conversion ({@code --no-startup-hooks}).
 *
 * <p>Runs on the server's starting thread, before the database is opened.
 */
public final class StartupConversion {
    private static final Logger LOG = LoggerFactory.getLogger(StartupConversion.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private StartupConversion() {
    }

    /**
     * Makes the folder's data file openable by this server, or throws a
     * {@link ConversionException} saying why not and what to do.
     */
    public static void prepare(DataLayout layout, Conversion mode, LegacyEngines engines) throws IOException {
        for (String note : WorkArea.resumePending(layout.dataDir())) {
            LOG.warn(note);
        }
        Path mv = layout.dataFile();
        Path pageStore = layout.dataDir().resolve(layout.databaseName() + ".h2.db");
        Path file = Files.exists(mv) ? mv : Files.exists(pageStore) ? pageStore : null;
        if (file == null) {
            return;
        }
        DataFileFormat format = FormatDetector.detect(file);
        boolean split = Files.exists(file.resolveSibling(file.getFileName() + ".1.part"));
        if (format.isCurrent() && !split) {
            warnAboutOtherDataFiles(layout);
            return;
        }
        if (format.isNewer()) {
            throw new ConversionException(ErrorCode.DATA_FILE_TOO_NEW, "The data file " + file + " has "
                    + format.describe() + "; this server opens file format " + DataFileFormat.CURRENT + " (H2 "
                    + org.h2.engine.Constants.VERSION + ").", "Open it with a newer Tetra server; this one never "
                    + "changes it.");
        }
        if (!format.needsConversion() && !split) {
            throw new ConversionException(ErrorCode.CONVERSION_ANOMALY, "The data file " + file + " is not an H2 data "
                    + "file this server can read (its header is not an H2 header).", "Check the database folder.");
        }
        DatabaseConverter converter = new DatabaseConverter(engines);
        String command = "tetra-admin convert " + ConversionPlan.shellQuote(layout.root().toString()) + " --yes";
        String what = "The data file " + file + " has " + format.describe() + (split ? " in segments" : "")
                + "; this server opens file format " + DataFileFormat.CURRENT + " (H2 " + org.h2.engine.Constants.VERSION
                + ") and must convert it first";
        switch (mode) {
            case NEVER -> throw new ConversionException(ErrorCode.CONVERSION_REQUIRED, what
                    + ", but conversion at start is off (conversion: never).", "Convert it with: " + command
                    + " (it shows what it will do first without --yes), or start with conversion: auto.");
            case ASK -> throw new ConversionException(ErrorCode.CONVERSION_REQUIRED, what + " (conversion: ask).",
                    "Run: " + command + " (without --yes it shows what it will do and asks), then start the server "
                            + "again; or start it with conversion: auto (TETRA_CONVERSION=auto).");
            default -> {
                ConversionPlan plan = converter.plan(layout.root(), ConversionOptions.defaults());
                LOG.warn("{}: converting it now (conversion: auto).", what);
                for (String line : plan.describe()) {
                    LOG.info("{}", line);
                }
                ConversionReport r = converter.convert(plan, new LoggingListener());
                LOG.warn("Conversion done in {}: {} tables, {} rows verified, {} anomalies (see {}). The originals are "
                                + "in {}.", DatabaseConverter.seconds(r.millis()), r.tables().size(), r.totalRows(),
                        r.anomalies().size(), r.logFile(), String.join(", ", r.safetyFolders()));
            }
        }
    }

    private static void warnAboutOtherDataFiles(DataLayout layout) throws IOException {
        try (var ds = Files.newDirectoryStream(layout.dataDir(), "*.{mv.db,h2.db}")) {
            for (Path f : ds) {
                if (f.equals(layout.dataFile()) || !Files.isRegularFile(f)) {
                    continue;
                }
                DataFileFormat fm = FormatDetector.detect(f);
                if (fm.needsConversion()) {
                    LOG.warn("The data file {} has {}: convert it with tetra-admin convert {} --data-file {}.", f,
                            fm.describe(), ConversionPlan.shellQuote(layout.root().toString()),
                            ConversionPlan.shellQuote(f.getFileName().toString()));
                }
            }
        }
    }

    /**
     * At the first open after a conversion: marks it done in {@code Structure/conversion.json}
     * and returns whether startup hooks may run (false when converted with
     * {@code --no-startup-hooks}); true at every other open.
     */
    public static boolean firstOpen(DataLayout layout) {
        Path record = layout.structureDir().resolve(DatabaseConverter.RECORD_FILE);
        if (!Files.isRegularFile(record)) {
            return true;
        }
        try {
            JsonNode n = JSON.readTree(record.toFile());
            if (!(n instanceof ObjectNode o) || o.path("firstOpenDone").asBoolean(true)) {
                return true;
            }
            boolean hooks = o.path("startupHooksAtFirstOpen").asBoolean(true);
            o.put("firstOpenDone", true);
            DataLayout.writeAtomically(record, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(o), false);
            LOG.info("First open after the conversion of {} ({}){}.", o.path("source").asText(),
                    o.path("sourceFormat").asText(), hooks ? "" : ": no startup hooks run (--no-startup-hooks)");
            return hooks;
        } catch (IOException e) {
            LOG.warn("The conversion record {} cannot be read: {}", record, e.toString());
            return true;
        }
    }

    /** Logs a conversion's steps (and its progress every tenth) in the server log. */
    private static final class LoggingListener implements ConversionListener {
        private int lastTenth = -1;

        @Override
        public void step(int number, String title) {
            lastTenth = -1;
            LOG.info("Conversion step {}/{}: {}.", number, STEPS, title);
        }

        @Override
        public void progress(long done, long total, String unit) {
            if (total > 0) {
                int tenth = (int) (done * 10 / total);
                if (tenth > lastTenth) {
                    lastTenth = tenth;
                    LOG.info("Conversion: {}% ({} of {} {}).", String.format(Locale.ROOT, "%d", tenth * 10), done,
                            total, unit);
                }
            }
        }

        @Override
        public void stepDone(String summary) {
            LOG.info("Conversion: {}.", summary);
        }

        @Override
        public void note(String message) {
            LOG.warn("Conversion: {}", message);
        }
    }
}
