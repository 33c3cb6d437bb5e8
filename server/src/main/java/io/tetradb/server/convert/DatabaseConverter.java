package io.tetradb.server.convert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tetradb.protocol.ByteSizes;
import io.tetradb.client.ErrorCode;
import io.tetradb.protocol.scram.Scram;
import io.tetradb.server.DataLayout;
import io.tetradb.server.convert.ContentDigest.TableSum;
import io.tetradb.server.sql.CatalogWriter;
import io.tetradb.server.sql.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Converts a data file an older H2 wrote into a Tetra database (docs/conversion.md), the
 * way 4D converts older databases, with nothing ever lost:
 *
 * <ol>
 * <li>checks the source with the engine that wrote it (opened read-only): its structure
 *     and every table's row count; anomalies stop here;</li>
 * <li>checks free disk space for the safety copies, the export and the new file;</li>
 * <li>copies every original it will replace into {@code Replaced Files (conversion)};</li>
 * <li>exports with the old engine ({@code SCRIPT TO}, to a file) and, at the same time,
 *     imports with the current one ({@code RUNSCRIPT ... FROM_1X} for H2 1.4) into a new
 *     data file: split segments end up in one file, every index is built anew; H2 1.4
 *     ENUM ordinals and untyped ARRAY values are rewritten on the way ({@link EnumFix});
 *     once the script is written, the export's thread reads every table of the source
 *     through, counting and checksumming its rows, while the import goes on (a table that
 *     cannot be read through is an anomaly of the check, as in step 1);</li>
 * <li>re-reads legacy 8-bit text in its real charset (multilang.txt, --default-charset);</li>
 * <li>writes catalog.xml and verifies every table's rows and checksum against the source;</li>
 * <li>switches to the new files (journaled, see {@link WorkArea}), starts an empty log file
 *     and writes DataConversion_Log.log.</li>
 * </ol>
 *
 * Until step 7 nothing outside the work folder changes; a failure removes what the
 * conversion made and says how to try again.
 *
 * <pre>{@code
 * DatabaseConverter converter = new DatabaseConverter(LegacyEngines.locate(null));
 * ConversionPlan plan = converter.plan(Path.of("/srv/shop"), ConversionOptions.defaults());
 * plan.describe().forEach(System.out::println);
 * ConversionReport report = converter.convert(plan, ConversionListener.none());
 * }</pre>
 *
 * <p>{@link #convert} runs on the caller's thread (listener calls included); the export
 * (then the read-through of the source) and the import run on two threads of their own
 * meanwhile, and the read-throughs on {@link ParallelDigest}'s.
 */
public final class DatabaseConverter {
    private static final Logger LOG = LoggerFactory.getLogger(DatabaseConverter.class);
    static final String ADMIN_ACCOUNT = "TETRA_ADMIN";
    /** The record of a conversion in the converted folder (read at the first open). */
    public static final String RECORD_FILE = "conversion.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LegacyEngines engines;

    public DatabaseConverter(LegacyEngines engines) {
        this.engines = engines;
    }

    /**
     * Step 1 before anything changes: what the conversion of {@code path} will do. A
     * switch to converted files that an interrupted conversion had journaled is finished
     * first (it was verified before it began).
     */
    public ConversionPlan plan(Path path, ConversionOptions options) throws IOException {
        Path p = path.toAbsolutePath().normalize();
        List<Path> dataDirs = new ArrayList<>(List.of(p.resolve("Data"), p.getParent() == null ? p : p.getParent()));
        if (options.to() != null) {
            dataDirs.add(options.to().toAbsolutePath().normalize().resolve("Data"));
        }
        for (Path dataDir : dataDirs) {
            for (String note : WorkArea.resumePending(dataDir)) {
                LOG.info(note);
            }
        }
        return ConversionPlan.prepare(path, options);
    }

    /** Steps 2 to 8 (the plan must have been shown and confirmed). */
    public ConversionReport convert(ConversionPlan plan, ConversionListener listener) {
        if (plan.nothingToDo()) {
            return ConversionReport.nothingToDo(plan);
        }
        if (plan.missingSegment() != null) {
            throw new ConversionException(ErrorCode.CONVERSION_SEGMENT_MISSING, plan.missingSegment()
                    + " Nothing was changed.", "Run: " + plan.command().replace(" --yes", " --segment-dir D --yes")
                    + " (D: the folder that holds the segment).");
        }
        return new Run(plan, listener).execute();
    }

    /** One conversion's state. */
    private final class Run {
        private final ConversionPlan plan;
        private final ConversionListener listener;
        private final ConversionLog log = new ConversionLog();
        private final SafetyCopies copies = new SafetyCopies();
        private final List<ConversionReport.StepTime> stepTimes = new ArrayList<>();
        private final List<ConversionReport.TableResult> results = new ArrayList<>();
        private final long started = System.nanoTime();
        private int step;
        private String stepTitle;
        private long stepStarted;
        private WorkArea work;
        private boolean createdRoot;
        private boolean committed;
        private long repaired;
        private int indexes;

        Run(ConversionPlan plan, ConversionListener listener) {
            this.plan = plan;
            this.listener = listener;
        }

        ConversionReport execute() {
            log.info("Conversion of " + plan.dataFile() + " (" + plan.format().describe() + ", "
                    + ByteSizes.format(plan.sourceSize()) + ") into " + plan.newDataFile() + " by Tetra "
                    + io.tetradb.server.TetraServer.version() + " with H2 " + plan.readerVersion() + " and H2 "
                    + org.h2.engine.Constants.VERSION + ".");
            for (String line : plan.describe()) {
                log.info("Plan: " + line.strip());
            }
            try {
                ConversionReport r = steps();
                writeLog(null);
                return r;
            } catch (ConversionException e) {
                fail(e);
                throw e;
            } catch (Exception | LinkageError e) {
                ConversionException ce = failure(e);
                fail(ce);
                throw ce;
            }
        }

        private ConversionException failure(Throwable e) {
            String what = e.getMessage() != null ? e.getMessage() : e.toString();
            if (e instanceof InterruptedException || e instanceof InterruptedIOException
                    || e instanceof java.nio.channels.ClosedByInterruptException || Thread.currentThread().isInterrupted()) {
                return new ConversionException(ErrorCode.CONVERSION_FAILED, "The conversion was interrupted during step "
                        + step + " (" + stepTitle + "). The original files are as they were.",
                        "Run it again: " + plan.command(), List.of(), e);
            }
            return new ConversionException(ErrorCode.CONVERSION_FAILED, "The conversion failed during step " + step
                    + " (" + stepTitle + "): " + what + " The original files are as they were.",
                    "Fix the cause, then run it again: " + plan.command(), List.of(), e);
        }

        private void fail(ConversionException e) {
            log.error(e.getMessage() + (e.advice() != null ? " " + e.advice() : ""));
            for (String a : e.anomalies()) {
                log.error("Anomaly: " + a);
            }
            if (committed) {
                // The switch was journaled: the next attempt (or server start) finishes it.
                return;
            }
            if (work != null) {
                try {
                    work.delete();
                } catch (IOException x) {
                    LOG.warn("The work folder {} could not be removed: {}", work.dir(), x.toString());
                }
            }
            copies.undo();
            if (createdRoot) {
                try {
                    WorkArea.deleteTree(plan.databaseRoot());
                } catch (IOException x) {
                    LOG.warn("The new database folder {} could not be removed: {}", plan.databaseRoot(), x.toString());
                }
            } else {
                writeLog(e);
            }
        }

        private void writeLog(ConversionException e) {
            if (e == null) {
                log.info("The conversion succeeded in " + millis(started) + " ms.");
            }
            try {
                log.appendTo(plan.databaseRoot().resolve("Logs").resolve(ConversionLog.FILE_NAME));
            } catch (IOException x) {
                LOG.warn("{} could not be written: {}", ConversionLog.FILE_NAME, x.toString());
            }
        }

        private void beginStep(int n, String title) {
            step = n;
            stepTitle = title;
            stepStarted = System.nanoTime();
            log.info("Step " + n + "/" + ConversionListener.STEPS + ": " + title);
            listener.step(n, title);
        }

        private void doneStep(String summary) {
            log.info("Step " + step + " done in " + millis(stepStarted) + " ms: " + summary);
            listener.stepDone(summary);
            stepTimes.add(new ConversionReport.StepTime(step, stepTitle, millis(stepStarted)));
            stepTitle = null;
        }

        private void note(String text) {
            log.anomaly(text);
            listener.note(text);
        }

        private void checkInterrupt() throws InterruptedException {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("interrupted");
            }
        }

        private ConversionReport steps() throws Exception {
            if (plan.mode() == ConversionPlan.Mode.NEW_FOLDER && !Files.exists(plan.databaseRoot())) {
                createdRoot = true;
            }
            List<String> leftovers = new ArrayList<>();
            work = WorkArea.acquire(plan.workDir(), leftovers);
            for (String l : leftovers) {
                note(l);
            }
            try (LegacyEngine engine = engines.engineFor(plan.format())) {
                // Step 1: the source, with the engine that wrote it.
                beginStep(1, "Checking the source with H2 " + plan.readerVersion());
                MultilangMap multilang = MultilangMap.empty();
                if (plan.multilangFile() != null) {
                    if (!Files.isRegularFile(plan.multilangFile())) {
                        throw new ConversionException(ErrorCode.INVALID_ARGUMENT, "The multilang file "
                                + plan.multilangFile() + " does not exist. Nothing was changed.",
                                "Give an existing file with --multilang F.");
                    }
                    multilang = MultilangMap.parse(plan.multilangFile());
                }
                SourceCheck check;
                DataLayout workLayout = new DataLayout(work.dir().resolve(ConversionPlan.baseName(plan.newDataFile())));
                // The source stays open (read-only, shared) until the result is verified: nothing can write it meanwhile.
                try (SourceAccess.Source opened = SourceAccess.open(engine, plan, work.dir())) {
                    check = check(opened, multilang);
                    // Step 2: free disk space.
                    beginStep(2, "Checking free disk space");
                    checkDiskSpace();
                    // Step 3: safety copies.
                    beginStep(3, "Copying the originals to \"" + ConversionPlan.REPLACED_FILES + "\"");
                    safetyCopies();
                    // Step 4: export and import.
                    beginStep(4, "Exporting with H2 " + plan.readerVersion() + " and importing with H2 "
                            + org.h2.engine.Constants.VERSION);
                    check = check.withSums(exportImport(opened, check, workLayout));
                    try (Database db = new Database(workLayout)) {
                        db.open();
                        // Step 5: 8-bit text to Unicode.
                        beginStep(5, "Converting 8-bit text to Unicode");
                        repairText(db, check);
                        // Step 6: catalog and verification.
                        beginStep(6, "Writing catalog.xml and verifying every table against the source");
                        verify(db, check, workLayout);
                    }
                }
                writeRecord(workLayout, check);
                // Step 7: switch to the new files.
                beginStep(7, "Replacing the originals with the converted data file");
                install(workLayout);
            }
            return new ConversionReport(plan.databaseRoot().toString(), plan.format().shortName(),
                    plan.newDataFile().toString(), results, stepTimes, log.anomalies(),
                    plan.safetyFolders().stream().map(Path::toString).toList(),
                    plan.databaseRoot().resolve("Logs").resolve(ConversionLog.FILE_NAME).toString(),
                    millis(started), true, indexes, repaired);
        }

        /**
         * What step 1 learned (the structure, the repairs, each table's row count) and, once
         * step 4 has read the source through, each table's count and checksum.
         */
        private record SourceCheck(SourceStructure structure, CharsetRepairs repairs, Map<String, Long> counts,
                                   Map<String, TableSum> sums) {
            /** The tables that were counted (all of them, or step 1 stopped). */
            List<SourceStructure.Table> readable() {
                return structure.tables().stream().filter(t -> counts.containsKey(t.key())).toList();
            }

            SourceCheck withSums(Map<String, TableSum> read) {
                return new SourceCheck(structure, repairs, counts, read);
            }
        }

        private SourceCheck check(SourceAccess.Source opened, MultilangMap multilang) throws Exception {
            Connection source = opened.connection();
            List<String> anomalies = new ArrayList<>();
            SourceStructure structure;
            try {
                structure = SourceStructure.read(source);
            } catch (SQLException e) {
                throw anomaly(List.of("The structure cannot be read: " + e.getMessage()));
            }
            for (String n : structure.notes()) {
                note(n);
            }
            if (plan.format().kind() == DataFileFormat.Kind.MVSTORE && plan.segments().isEmpty()
                    && !FormatDetector.closedCleanly(plan.dataFile())) {
                note("The data file was not closed cleanly (the program using it stopped without closing it): "
                        + "what was not committed then is not part of it.");
            }
            Path previousCatalog = plan.mode() == ConversionPlan.Mode.IN_PLACE && plan.mainDataFile()
                    ? plan.sourceRoot().resolve("Structure").resolve("catalog.xml") : null;
            CatalogNumbers numbers = CatalogNumbers.predict(previousCatalog, structure);
            CharsetRepairs repairs = CharsetRepairs.resolve(multilang, plan.options().defaultCharset(), structure,
                    numbers);
            for (String r : repairs.remarks()) {
                note(r);
            }
            // Exact row counts (the store keeps them): the read-through of step 4 must find as many rows.
            long total = 0;
            Map<String, Long> counts = new LinkedHashMap<>();
            for (SourceStructure.Table t : structure.tables()) {
                try (Statement st = source.createStatement();
                     ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + t.ref().qualified())) {
                    rs.next();
                    counts.put(t.key(), rs.getLong(1));
                    total += rs.getLong(1);
                } catch (SQLException e) {
                    anomalies.add("Table " + t.ref().display() + " cannot be counted: " + e.getMessage());
                }
            }
            checkInterrupt();
            if (!anomalies.isEmpty()) {
                throw anomaly(anomalies);
            }
            doneStep(structure.tables().size() + " tables, " + total + " rows counted; no anomaly (every row is read "
                    + "through and checksummed in step 4, beside the export)");
            return new SourceCheck(structure, repairs, counts, null);
        }

        /**
         * The read-through of the source (every row of every table counted and checksummed,
         * the text repairs applied), which runs in step 4 beside the export: an anomaly stops
         * the conversion as step 1 would (1431), before anything outside the work folder
         * changes (the safety copies are taken back).
         */
        private Map<String, TableSum> sourceSums(SourceCheck check, ParallelDigest.Result digests) {
            for (Map.Entry<String, String> f : digests.failures().entrySet()) {
                if (outOfMemory(f.getValue())) {
                    // Not a damaged file: the reading process is too small for these rows.
                    throw new ConversionException(ErrorCode.CONVERSION_FAILED, "Reading " + plan.dataFile() + " with H2 "
                            + plan.readerVersion() + " ran out of memory (" + f.getValue() + "; maximum heap "
                            + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB). Nothing was changed.",
                            "Give the conversion more memory (for tetra-admin: TETRA_ADMIN_JAVA_OPTS=-Xmx4g), then run: "
                                    + plan.command());
                }
            }
            List<String> anomalies = new ArrayList<>();
            for (SourceStructure.Table t : check.readable()) {
                String failure = digests.failures().get(t.key());
                TableSum s = digests.sums().get(t.key());
                if (failure != null) {
                    anomalies.add("Table " + t.ref().display() + " cannot be read through: " + failure);
                } else if (s == null) {
                    anomalies.add("Table " + t.ref().display() + " was not read through.");
                } else if (s.rows() != check.counts().get(t.key())) {
                    anomalies.add("Table " + t.ref().display() + " counts " + check.counts().get(t.key())
                            + " rows, but " + s.rows() + " rows can be read.");
                }
            }
            if (!anomalies.isEmpty()) {
                throw anomaly(anomalies);
            }
            return digests.sums();
        }

        private static boolean outOfMemory(String failure) {
            String f = failure.toLowerCase(java.util.Locale.ROOT);
            return f.contains("out of memory") || f.contains("java heap space") || f.contains("outofmemoryerror");
        }

        private ConversionException anomaly(List<String> anomalies) {
            return new ConversionException(ErrorCode.CONVERSION_ANOMALY, "The check of " + plan.dataFile() + " with H2 "
                    + plan.readerVersion() + " found " + anomalies.size() + (anomalies.size() == 1 ? " anomaly: "
                    : " anomalies: ") + String.join(" ", anomalies) + " Nothing was changed.",
                    "The data file is damaged. Restore it from a backup, or recover what can be read with H2 "
                            + plan.readerVersion() + "'s Recover tool (java -cp h2-" + plan.readerVersion()
                            + ".jar org.h2.tools.Recover), then convert the recovered database: " + plan.command(),
                    anomalies, null);
        }

        private void checkDiskSpace() throws IOException {
            List<String> short_ = new ArrayList<>();
            for (ConversionPlan.DiskSpace d : plan.diskSpace()) {
                long usable = Files.getFileStore(ConversionPlan.existingAncestor(d.where())).getUsableSpace();
                if (usable < d.needed()) {
                    short_.add(d.where() + " has " + ByteSizes.format(usable) + " free; the conversion needs up to "
                            + ByteSizes.format(d.needed()) + " there");
                }
            }
            if (!short_.isEmpty()) {
                throw new ConversionException(ErrorCode.CONVERSION_DISK_SPACE, "Not enough free disk space: "
                        + String.join("; ", short_) + " (safety copies, export script and new data file). "
                        + "Nothing was changed.", "Free some space (or convert into another disk with --to DIR), "
                        + "then run: " + plan.command());
            }
            doneStep("enough free space on " + plan.diskSpace().size() + (plan.diskSpace().size() == 1 ? " disk"
                    : " disks"));
        }

        private void safetyCopies() throws IOException {
            long total = 0;
            for (ConversionPlan.SafetyCopy c : plan.safetyCopies()) {
                total += c.size();
            }
            long done = 0;
            for (ConversionPlan.SafetyCopy c : plan.safetyCopies()) {
                long base = done;
                long all = total;
                Path copy = copies.copy(c.original(), c.folder(), n -> listener.progress(base + n, all, "bytes"));
                log.info("Safety copy of " + c.original() + ": " + copy);
                done += c.size();
            }
            doneStep(plan.safetyCopies().isEmpty() ? "nothing to copy: no original is replaced"
                    : plan.safetyCopies().size() + (plan.safetyCopies().size() == 1 ? " file (" : " files (")
                    + ByteSizes.format(total) + ") copied to "
                    + String.join(", ", plan.safetyFolders().stream().map(Path::toString).toList()));
        }

        /**
         * Step 4: the export and the import, streamed, and the read-through of the source
         * (its checksums), which runs on the export's thread once the export has written the
         * script: the import, the longer of the two, has a core of its own meanwhile.
         * Returns each table's count and checksum in the source.
         */
        private Map<String, TableSum> exportImport(SourceAccess.Source opened, SourceCheck check, DataLayout workLayout)
                throws Exception {
            Connection source = opened.connection();
            workLayout.createFolders();
            String key = engineKey();
            DataLayout.writeOwnerOnly(workLayout.engineKeyFile(), key.getBytes(StandardCharsets.UTF_8));
            if (plan.mode() == ConversionPlan.Mode.IN_PLACE && plan.mainDataFile()) {
                Path previous = plan.sourceRoot().resolve("Structure").resolve("catalog.xml");
                if (Files.isRegularFile(previous)) {
                    Files.copy(previous, workLayout.catalogFile(), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            // LZF-compressed (H2's own fast format, the same in 1.4 and 2.x): about a quarter of the text.
            Path script = work.dir().resolve("export.sql.lzf");
            boolean from1x = plan.format().readerVersion() != null
                    && plan.format().readerVersion().equals(LegacyEngines.FORMAT1_VERSION);
            EnumFix enumFix = from1x ? EnumFix.of(check.structure()) : null;
            AtomicInteger threads = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
                Thread t = new Thread(r, "tetra-convert-" + (threads.incrementAndGet() == 1 ? "export" : "import"));
                t.setDaemon(true);
                return t;
            });
            AtomicReference<Statement> exporting = new AtomicReference<>();
            AtomicReference<Statement> importing = new AtomicReference<>();
            AtomicReference<Exception> exportFailure = new AtomicReference<>();
            java.util.concurrent.atomic.AtomicBoolean importFailed = new java.util.concurrent.atomic.AtomicBoolean();
            AtomicLong sourceRows = new AtomicLong();
            long allRows = 0;
            for (long n : check.counts().values()) {
                allRows += n;
            }
            List<SourceStructure.Table> readable = check.readable();
            // Beside the import, which keeps one core busy: the read-through gets the others.
            int digestThreads = Math.max(1, threads() - 1);
            ParallelDigest.Result digests;
            try (ScriptFeed.Feed feed = ScriptFeed.open(script, enumFix, true, true)) {
                Future<ParallelDigest.Result> export = pool.submit(() -> {
                    try (Statement st = source.createStatement()) {
                        exporting.set(st);
                        st.execute("SCRIPT TO " + literal(script.toString()) + " COMPRESSION LZF");
                        feed.writerDone();
                    } catch (SQLException | RuntimeException e) {
                        exportFailure.set(e);
                        feed.writerFailed(e.getMessage());
                        if (Thread.currentThread().isInterrupted() || importFailed.get()) {
                            throw e;
                        }
                        // Read the source through all the same: a damaged table is then named as an anomaly.
                    }
                    if (importFailed.get()) {
                        return null;
                    }
                    return ParallelDigest.run(source, opened.more(), readable, check.counts(), check.repairs()::forTable,
                            digestThreads, sourceRows::set);
                });
                Future<?> imp = pool.submit(() -> {
                    // The export creates the file when it begins writing; then it only grows.
                    while (!Files.exists(script) || Files.size(script) == 0) {
                        if (feed.writerFinished() || export.isDone()) {
                            break;
                        }
                        Thread.sleep(10);
                    }
                    try (Connection target = connectNew(workLayout, key); Statement st = target.createStatement()) {
                        importing.set(st);
                        // With the ENUM fix the feed decompresses (to rewrite); otherwise RUNSCRIPT does.
                        st.execute("RUNSCRIPT FROM " + literal(feed.url()) + (enumFix == null ? " COMPRESSION LZF" : "")
                                + (from1x ? " FROM_1X" : ""));
                    }
                    return null;
                });
                Throwable importFailure = null;
                while (true) {
                    try {
                        imp.get(200, TimeUnit.MILLISECONDS);
                        break;
                    } catch (TimeoutException e) {
                        long exported = Files.exists(script) ? Files.size(script) : 0;
                        boolean written = export.isDone() || feed.writerFinished();
                        listener.progress(feed.bytesRead(), written ? exported : -1, "bytes");
                        if (exportFailure.get() != null) {
                            // The import cannot go on; the read-through says whether the source is damaged.
                            imp.cancel(true);
                            cancel(importing.get());
                            break;
                        }
                    } catch (ExecutionException e) {
                        importFailure = e.getCause();
                        if (exportFailure.get() == null) {
                            // The import failed on its own: that is the failure (the finally stops the export).
                            importFailed.set(true);
                            throw e;
                        }
                        break;
                    }
                }
                // The read-through of the source, when the import finished first.
                while (true) {
                    try {
                        digests = export.get(200, TimeUnit.MILLISECONDS);
                        break;
                    } catch (TimeoutException e) {
                        listener.progress(sourceRows.get(), allRows, "rows");
                    }
                }
                listener.progress(sourceRows.get(), allRows, "rows");
                // A damaged source first (1431, as in step 1): then the export's or the import's own failure.
                Map<String, TableSum> sums = digests == null ? null : sourceSums(check, digests);
                if (exportFailure.get() != null) {
                    throw exportFailure.get();
                }
                if (importFailure != null) {
                    throw new ExecutionException(importFailure);
                }
                if (digests == null) {
                    throw new IllegalStateException("the source was not read through");
                }
                if (enumFix != null && enumFix.unknownOrdinals() > 0) {
                    note(enumFix.unknownOrdinals() + " ENUM values named no label of their column.");
                }
                if (enumFix != null) {
                    for (Map.Entry<String, Long> a : enumFix.convertedArrays().entrySet()) {
                        note("Column " + a.getKey() + " (ARRAY without element type in H2 1.4) is now a CHARACTER "
                                + "VARYING ARRAY: each element is its text as H2 1.4 shows it (CAST AS VARCHAR), NULL "
                                + "elements stay NULL; " + a.getValue() + (a.getValue() == 1 ? " value had"
                                : " values had") + " elements that were not text.");
                    }
                }
                long size = Files.size(script);
                Files.delete(script);
                long rows = 0;
                for (TableSum t : sums.values()) {
                    rows += t.rows();
                }
                doneStep("export script of " + ByteSizes.format(size) + " streamed into "
                        + workLayout.dataFile().getFileName() + (plan.segments().isEmpty() ? ""
                        : " (" + (plan.segments().size() + 1) + " segments merged)") + "; indexes built anew; "
                        + readable.size() + " tables and " + rows + " rows of the source read through and checksummed; "
                        + "no anomaly");
                return sums;
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof SQLException s) {
                    throw new SQLException((c.getMessage() != null ? c.getMessage() : c.toString()), s.getSQLState(),
                            s.getErrorCode(), s);
                }
                throw c instanceof Exception x ? x : new IOException(c);
            } finally {
                // On a failure or Ctrl-C, neither engine goes on working for nothing.
                cancel(exporting.get());
                cancel(importing.get());
                pool.shutdownNow();
                if (!pool.awaitTermination(60, TimeUnit.SECONDS)) {
                    LOG.warn("The export or import did not stop within a minute of being cancelled.");
                }
            }
        }

        private void cancel(Statement st) {
            if (st != null) {
                try {
                    st.cancel();
                } catch (SQLException | RuntimeException ignored) {
                    // already finished or closed
                }
            }
        }

        private boolean isOk(Future<?> f) {
            try {
                f.get();
                return true;
            } catch (Exception e) {
                return false;
            }
        }

        private String engineKey() throws IOException {
            if (plan.mode() == ConversionPlan.Mode.IN_PLACE) {
                Path key = plan.sourceRoot().resolve("Structure").resolve("engine.key");
                if (Files.isRegularFile(key)) {
                    return Files.readString(key, StandardCharsets.UTF_8).trim();
                }
            }
            return Base64.getUrlEncoder().withoutPadding().encodeToString(Scram.randomBytes(24));
        }

        private Connection connectNew(DataLayout layout, String key) throws SQLException {
            java.util.Properties p = new java.util.Properties();
            p.setProperty("user", ADMIN_ACCOUNT);
            p.setProperty("password", key);
            return new org.h2.Driver().connect("jdbc:h2:file:" + layout.dataFileBase().toAbsolutePath()
                    + ";DB_CLOSE_ON_EXIT=FALSE;AUTO_SERVER=FALSE;LAZY_QUERY_EXECUTION=1", p);
        }

        private void repairText(Database db, SourceCheck check) throws SQLException, InterruptedException {
            CharsetRepairs repairs = check.repairs();
            if (repairs.isEmpty()) {
                doneStep("nothing to do (no multilang.txt entry, no --default-charset)");
                return;
            }
            long total = 0;
            for (SourceStructure.Table t : check.structure().tables()) {
                if (repairs.forTable(t) != null && check.sums().containsKey(t.key())) {
                    total += check.sums().get(t.key()).rows();
                }
            }
            long done = 0;
            Connection c = db.system();
            for (SourceStructure.Table t : check.structure().tables()) {
                TextRepair[] r = repairs.forTable(t);
                if (r == null) {
                    continue;
                }
                checkInterrupt();
                List<Integer> cols = new ArrayList<>();
                for (int i = 0; i < r.length; i++) {
                    if (r[i] != null) {
                        cols.add(i);
                    }
                }
                StringBuilder select = new StringBuilder("SELECT _ROWID_");
                StringBuilder update = new StringBuilder("UPDATE ").append(t.ref().qualified()).append(" SET ");
                for (int k = 0; k < cols.size(); k++) {
                    String q = ContentDigest.TableRef.quote(t.columns().get(cols.get(k)).name());
                    select.append(", ").append(q);
                    update.append(k > 0 ? ", " : "").append(q).append(" = ?");
                }
                select.append(" FROM ").append(t.ref().qualified());
                update.append(" WHERE _ROWID_ = ?");
                try (Statement st = c.createStatement(); PreparedStatement up = c.prepareStatement(update.toString())) {
                    st.setFetchSize(1000);
                    int batched = 0;
                    try (ResultSet rs = st.executeQuery(select.toString())) {
                        while (rs.next()) {
                            Object[] values = new Object[cols.size()];
                            boolean changed = false;
                            for (int k = 0; k < cols.size(); k++) {
                                TextRepair tr = r[cols.get(k)];
                                Object v = rs.getObject(k + 2);
                                Object nv = v;
                                if (v instanceof String s) {
                                    nv = tr.repairCounted(s);
                                } else if (v instanceof java.sql.Clob clob) {
                                    String s = clob.getSubString(1, (int) clob.length());
                                    String rep = tr.repairCounted(s);
                                    nv = rep.equals(s) ? v : rep;
                                } else if (v instanceof Array a) {
                                    Object[] arr = (Object[]) a.getArray();
                                    Object[] rep = tr.array(arr, true);
                                    nv = rep == arr ? v : rep;
                                }
                                changed |= nv != v;
                                values[k] = nv;
                            }
                            if (changed) {
                                for (int k = 0; k < values.length; k++) {
                                    up.setObject(k + 1, values[k] instanceof Array a ? a.getArray() : values[k]);
                                }
                                up.setLong(values.length + 1, rs.getLong(1));
                                up.addBatch();
                                if (++batched == 1000) {
                                    up.executeBatch();
                                    batched = 0;
                                }
                            }
                            if ((++done & 0xFFF) == 0) {
                                listener.progress(done, total, "rows");
                            }
                        }
                    }
                    if (batched > 0) {
                        up.executeBatch();
                    }
                }
            }
            listener.progress(done, total, "rows");
            long undecodable = 0;
            for (CharsetRepairs.Target tg : repairs.targets()) {
                TextRepair tr = tg.repair();
                repaired += tr.changed();
                undecodable += tr.undecodable();
                log.info("Text of " + tg.table().ref().display() + "." + tg.columnName()
                        + (tr.element() > 0 ? "[" + tr.element() + "]" : "") + " re-read as " + tr.charset().name()
                        + " (" + tg.origin() + "): " + tr.changed() + " values changed.");
                if (tr.undecodable() > 0) {
                    note(tr.undecodable() + " values of " + tg.table().ref().display() + "." + tg.columnName()
                            + " are not valid " + tr.charset().name() + " text; they were kept as they were.");
                }
            }
            doneStep(repaired + " text values re-read in their character set" + (undecodable > 0 ? ", " + undecodable
                    + " kept as they were" : ""));
        }

        private void verify(Database db, SourceCheck check, DataLayout workLayout) throws Exception {
            new CatalogWriter(db, workLayout).rewrite();
            if (!Files.isRegularFile(workLayout.catalogFile())) {
                throw new IOException("catalog.xml could not be written.");
            }
            Connection c = db.system();
            Map<String, String> targetTypes = new LinkedHashMap<>();
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE FROM INFORMATION_SCHEMA.TABLES "
                         + "WHERE TABLE_SCHEMA <> 'INFORMATION_SCHEMA'")) {
                while (rs.next()) {
                    targetTypes.put(rs.getString(1) + "." + rs.getString(2), rs.getString(3));
                }
            }
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM INFORMATION_SCHEMA.INDEXES "
                         + "WHERE TABLE_SCHEMA <> 'INFORMATION_SCHEMA'")) {
                rs.next();
                indexes = rs.getInt(1);
            }
            List<String> problems = new ArrayList<>();
            for (SourceStructure.Table t : check.structure().all()) {
                if (!targetTypes.containsKey(t.key())) {
                    problems.add((t.data() ? "Table " : "View ") + t.ref().display() + " is missing after conversion.");
                }
            }
            for (String k : targetTypes.keySet()) {
                if (check.structure().all().stream().noneMatch(t -> t.key().equals(k))) {
                    note("The converted database has a table the source has not: " + k + ".");
                }
            }
            long total = 0;
            Map<String, Long> counts = new LinkedHashMap<>();
            List<SourceStructure.Table> present = new ArrayList<>();
            for (SourceStructure.Table t : check.structure().tables()) {
                TableSum source = check.sums().get(t.key());
                if (source != null && targetTypes.containsKey(t.key())) {
                    counts.put(t.key(), source.rows());
                    present.add(t);
                    total += source.rows();
                }
            }
            checkInterrupt();
            long all = total;
            // Lazy, as the source's reads are: otherwise H2 writes each result to a temporary file and reads it back.
            ParallelDigest.Result now;
            lazy(c, true);
            try {
                now = ParallelDigest.run(c, () -> lazy(db.connect(io.tetradb.protocol.Role.ADMIN), true), present,
                        counts, t -> null, threads(), n -> listener.progress(n, all, "rows"));
            } finally {
                lazy(c, false);
            }
            long before = 0;
            for (SourceStructure.Table t : present) {
                TableSum source = check.sums().get(t.key());
                TableSum converted = now.sums().get(t.key());
                if (converted == null) {
                    problems.add("Table " + t.ref().display() + " cannot be read after conversion: "
                            + now.failures().get(t.key()));
                    continue;
                }
                before += converted.rows();
                ConversionReport.TableResult r = new ConversionReport.TableResult(t.ref().display(), source.rows(),
                        source.hex(), converted.rows(), converted.hex());
                results.add(r);
                log.table(t.ref().display() + "\tsource rows=" + source.rows() + " checksum=" + source.hex()
                        + "\tconverted rows=" + converted.rows() + " checksum=" + converted.hex() + "\t"
                        + (r.matches() ? "verified" : "DIFFERENT"));
                if (!r.matches()) {
                    problems.add("Table " + t.ref().display() + ": the source has " + source.rows() + " rows (checksum "
                            + source.hex() + "), the converted table " + converted.rows() + " rows (checksum "
                            + converted.hex() + ").");
                }
            }
            if (!problems.isEmpty()) {
                throw new ConversionException(ErrorCode.CONVERSION_FAILED, "The verification failed: "
                        + String.join(" ", problems) + " The original files are as they were.",
                        "Report this with " + ConversionLog.FILE_NAME + "; the source can still be opened with H2 "
                                + plan.readerVersion() + ".", problems, null);
            }
            // The import leaves the space of old versions behind (about 2.7 times the data): compacted away.
            db.closeCompacted();
            doneStep(results.size() + " tables and " + before + " rows verified (counts and checksums equal); "
                    + indexes + " indexes built; the data file compacted");
        }

        private void writeRecord(DataLayout workLayout, SourceCheck check) throws IOException {
            ObjectNode n = JSON.createObjectNode();
            n.put("convertedAt", Instant.now().toString());
            n.put("source", plan.dataFile().toString());
            n.put("sourceFormat", plan.format().shortName());
            n.put("readWith", "H2 " + plan.readerVersion());
            n.put("writtenWith", "H2 " + org.h2.engine.Constants.VERSION);
            n.put("tables", check.structure().tables().size());
            n.put("startupHooksAtFirstOpen", !plan.options().noStartupHooks());
            n.put("firstOpenDone", false);
            DataLayout.writeAtomically(workLayout.structureDir().resolve(RECORD_FILE),
                    JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n), false);
        }

        private void install(DataLayout workLayout) throws IOException {
            Path root = plan.databaseRoot();
            Path structure = root.resolve("Structure");
            String base = ConversionPlan.baseName(plan.newDataFile());
            List<WorkArea.Op> ops = new ArrayList<>();
            if (!Files.isRegularFile(structure.resolve("engine.key"))) {
                ops.add(WorkArea.Op.move(workLayout.engineKeyFile(), structure.resolve("engine.key")));
            }
            ops.add(WorkArea.Op.move(workLayout.dataFile(), plan.newDataFile()));
            if (plan.mainDataFile()) {
                ops.add(WorkArea.Op.move(workLayout.catalogFile(), structure.resolve("catalog.xml")));
                ops.add(WorkArea.Op.move(workLayout.structureDir().resolve(RECORD_FILE), structure.resolve(RECORD_FILE)));
            } else {
                ops.add(WorkArea.Op.move(workLayout.catalogFile(), structure.resolve("catalog-" + base + ".xml")));
            }
            if (plan.mode() == ConversionPlan.Mode.IN_PLACE) {
                if (!plan.dataFile().equals(plan.newDataFile())) {
                    ops.add(WorkArea.Op.delete(plan.dataFile()));
                }
                for (ConversionPlan.Segment s : plan.segments()) {
                    ops.add(WorkArea.Op.delete(s.path()));
                }
            }
            // A new, empty log (docs/conversion.md): the old one (its copy is in the safety folder) belongs to the
            // database the data file was (another database id: 1416 if it were kept); the new data file gets a
            // new database id at its first open, and the server then creates the log for it.
            ops.add(WorkArea.Op.delete(plan.newDataFile().resolveSibling(base + ".journal")));
            if (plan.mode() == ConversionPlan.Mode.NEW_FOLDER) {
                Files.createDirectories(root.resolve("Settings"));
                Files.createDirectories(root.resolve("Logs"));
            }
            committed = true;
            work.install(ops);
            work.delete();
            if (plan.mode() == ConversionPlan.Mode.NEW_FOLDER && plan.sourceRoot() != null) {
                // A database folder converted into a new one keeps its users and settings.
                copyIfAbsent(plan.sourceRoot().resolve("Structure").resolve("users.json"), structure.resolve("users.json"));
                Path settings = plan.sourceRoot().resolve("Settings");
                if (Files.isDirectory(settings)) {
                    try (var files = Files.list(settings)) {
                        for (Path f : (Iterable<Path>) files::iterator) {
                            if (Files.isRegularFile(f)) {
                                copyIfAbsent(f, root.resolve("Settings").resolve(f.getFileName().toString()));
                            }
                        }
                    }
                }
            }
            doneStep("the data file " + plan.newDataFile() + " is in place" + (plan.safetyCopies().isEmpty() ? ""
                    : "; the originals are in " + String.join(", ", plan.safetyFolders().stream()
                    .map(Path::toString).toList())) + "; a new empty log file was started");
        }
    }

    private static void copyIfAbsent(Path from, Path to) throws IOException {
        if (Files.isRegularFile(from) && !Files.exists(to)) {
            Files.createDirectories(to.getParent());
            Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
        }
    }

    /**
     * Sets {@code LAZY_QUERY_EXECUTION} of {@code c}'s session: with it a query's rows are
     * read as they are fetched instead of being gathered first (in a temporary file when
     * they are many). Returns {@code c}.
     */
    static Connection lazy(Connection c, boolean on) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SET LAZY_QUERY_EXECUTION " + (on ? "TRUE" : "FALSE"));
        }
        return c;
    }

    /** Threads that read tables through at once (check and verification). */
    static int threads() {
        return Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    }

    /** A SQL string literal. */
    static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    private static long millis(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    /** Human text of a duration in milliseconds. */
    static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }
}
