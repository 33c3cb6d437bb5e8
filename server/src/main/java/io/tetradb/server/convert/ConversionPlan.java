package io.tetradb.server.convert;

import io.tetradb.protocol.ByteSizes;
import io.tetradb.client.ErrorCode;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What a conversion will do, worked out before anything is changed (docs/conversion.md, step 1):
 * the data file with its format, size and segments, the log file, the new data file,
 * where the safety copies go, the free disk space against what the conversion needs, the
 * options, and other data files of the folder that need converting too. Shown to the user
 * (text and JSON), and followed by {@link DatabaseConverter#convert}.
 *
 * <p>Immutable; any thread.
 */
public final class ConversionPlan {
    /** Name of the folder, beside each original, that receives the safety copies. */
    public static final String REPLACED_FILES = "Replaced Files (conversion)";
    /**
     * What the export script takes, at most, per byte of data file: the SQL text is about 2.7
     * times the data file, LZF-compressed about 0.6 times (generous).
     */
    static final double SCRIPT_FACTOR = 1.0;
    /**
     * What the new data file takes at its largest, per byte of source data file: about 2.7
     * times after the import (old versions not yet reclaimed), and the compacted copy
     * beside it while it is closed (generous).
     */
    static final double NEW_FILE_FACTOR = 4.0;
    private static final long SLACK = 8L * 1024 * 1024;
    private static final Pattern DB_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}");

    /** In place: the new file replaces the original in its folder; new folder: the source is left as it is. */
    public enum Mode { IN_PLACE, NEW_FOLDER }

    /** One segment of a split data file ({@code name.mv.db.N.part}). */
    public record Segment(int index, Path path, long size) {
    }

    /** One original copied before it is replaced, and the folder it goes to. */
    public record SafetyCopy(Path original, Path folder, long size) {
    }

    /** Free space on one disk against what the conversion writes there. */
    public record DiskSpace(String store, Path where, long needed, long usable) {
        public boolean enough() {
            return usable >= needed;
        }
    }

    /** Another data file in the same folder, with its format. */
    public record OtherDataFile(Path path, DataFileFormat format) {
    }

    private final Path given;
    private final Mode mode;
    private final Path databaseRoot;
    private final String databaseName;
    private final Path sourceRoot;
    private final boolean mainDataFile;
    private final Path dataFile;
    private final DataFileFormat format;
    private final long dataFileSize;
    private final List<Segment> segments;
    private final String missingSegment;
    private final Path logFile;
    private final Path newDataFile;
    private final Path workDir;
    private final List<SafetyCopy> safetyCopies;
    private final List<DiskSpace> diskSpace;
    private final Path multilangFile;
    private final List<OtherDataFile> otherDataFiles;
    private final ConversionOptions options;

    private ConversionPlan(Builder b) {
        this.given = b.given;
        this.mode = b.mode;
        this.databaseRoot = b.databaseRoot;
        this.databaseName = b.databaseName;
        this.sourceRoot = b.sourceRoot;
        this.mainDataFile = b.mainDataFile;
        this.dataFile = b.dataFile;
        this.format = b.format;
        this.dataFileSize = b.dataFileSize;
        this.segments = List.copyOf(b.segments);
        this.missingSegment = b.missingSegment;
        this.logFile = b.logFile;
        this.newDataFile = b.newDataFile;
        this.workDir = b.workDir;
        this.safetyCopies = List.copyOf(b.safetyCopies);
        this.diskSpace = List.copyOf(b.diskSpace);
        this.multilangFile = b.multilangFile;
        this.otherDataFiles = List.copyOf(b.otherDataFiles);
        this.options = b.options;
    }

    private static final class Builder {
        Path given;
        Mode mode;
        Path databaseRoot;
        String databaseName;
        Path sourceRoot;
        boolean mainDataFile;
        Path dataFile;
        DataFileFormat format;
        long dataFileSize;
        List<Segment> segments = new ArrayList<>();
        String missingSegment;
        Path logFile;
        Path newDataFile;
        Path workDir;
        List<SafetyCopy> safetyCopies = new ArrayList<>();
        List<DiskSpace> diskSpace = new ArrayList<>();
        Path multilangFile;
        List<OtherDataFile> otherDataFiles = new ArrayList<>();
        ConversionOptions options;
    }

    /**
     * Works out the plan for {@code path}: a database folder (its own data file, or
     * {@code --data-file}), a data file inside one, or a bare legacy H2 file.
     *
     * @throws ConversionException when there is nothing that can be converted (no such
     *                             file, not an H2 file, a newer format)
     */
    public static ConversionPlan prepare(Path path, ConversionOptions options) throws IOException {
        Builder b = new Builder();
        b.options = options;
        b.given = path;
        Path p = path.toAbsolutePath().normalize();
        Path dataFile;
        Path dbRoot = null;
        if (Files.isDirectory(p)) {
            if (!Files.isDirectory(p.resolve("Data"))) {
                throw new ConversionException(ErrorCode.INVALID_ARGUMENT, p + " is not a database folder (it has no "
                        + "Data folder).", "Give the database folder, or the data file itself (name.mv.db or name.h2.db).");
            }
            dbRoot = p;
            dataFile = options.dataFile() != null ? resolveDataFile(p, options.dataFile()) : mainDataFile(p);
        } else {
            dataFile = existingDataFile(p);
            Path parent = dataFile.getParent();
            // A data file in the Data folder of a database folder (one with a Structure folder, or named
            // after the file) is converted in place.
            if (parent != null && parent.getFileName() != null && parent.getFileName().toString().equals("Data")
                    && parent.getParent() != null && parent.getParent().getFileName() != null
                    && (Files.isDirectory(parent.getParent().resolve("Structure"))
                    || parent.getParent().getFileName().toString().equals(baseName(dataFile)))) {
                dbRoot = parent.getParent();
            }
        }
        String base = baseName(dataFile);
        b.dataFile = dataFile;
        b.sourceRoot = dbRoot;

        // Segments of a split file: name.mv.db.N.part beside it or in --segment-dir folders.
        findSegments(b, dataFile, options.segmentDirs());
        List<Path> files = new ArrayList<>();
        files.add(dataFile);
        for (Segment s : b.segments) {
            files.add(s.path());
        }
        b.dataFileSize = Files.size(dataFile);
        b.format = FormatDetector.detect(b.segments.isEmpty() || b.missingSegment != null ? List.of(dataFile) : files);
        if (b.format.isNewer()) {
            throw new ConversionException(ErrorCode.DATA_FILE_TOO_NEW, "The data file " + dataFile + " has "
                    + b.format.describe() + "; this server opens file format " + DataFileFormat.CURRENT
                    + " (H2 " + org.h2.engine.Constants.VERSION + ").",
                    "Open it with a newer Tetra server; this one never changes it.");
        }
        if (b.format.kind() == DataFileFormat.Kind.UNKNOWN) {
            throw new ConversionException(ErrorCode.CONVERSION_ANOMALY, dataFile + " is not an H2 data file that "
                    + "can be read (its header is neither an MVStore nor a page store header; an encrypted file "
                    + "cannot be converted).", "Check the path; decrypt an encrypted database with the H2 version "
                    + "that wrote it first.");
        }
        if (b.format.isCurrent() && b.segments.isEmpty() && options.to() == null && dbRoot != null) {
            // Nothing to convert: the server opens it as it is.
            b.mode = Mode.IN_PLACE;
            b.databaseRoot = dbRoot;
            b.databaseName = dbRoot.getFileName().toString();
            b.newDataFile = dataFile;
            b.mainDataFile = isMain(dbRoot, dataFile);
            return new ConversionPlan(b);
        }

        if (options.to() != null || dbRoot == null) {
            b.mode = Mode.NEW_FOLDER;
            Path to = options.to() != null ? options.to().toAbsolutePath().normalize() : dataFile.getParent().resolve(base);
            String name = to.getFileName() == null ? "" : to.getFileName().toString();
            if (!DB_NAME.matcher(name).matches()) {
                throw new ConversionException(ErrorCode.INVALID_ARGUMENT, "The new database folder " + to + " cannot be "
                        + "used: its name is the database's name and must be letters, digits, '_', '.', '-' (at most 64).",
                        "Choose another folder with --to DIR.");
            }
            if (Files.exists(to.resolve("Data").resolve(name + ".mv.db"))) {
                throw new ConversionException(ErrorCode.INVALID_ARGUMENT, "The folder " + to + " already holds a database.",
                        "Choose an empty or new folder with --to DIR.");
            }
            if (to.equals(dbRoot)) {
                throw new ConversionException(ErrorCode.INVALID_ARGUMENT, "--to names the database's own folder.",
                        "Leave --to out to convert in place, or choose another folder.");
            }
            b.databaseRoot = to;
            b.databaseName = name;
            b.mainDataFile = true;
            b.newDataFile = to.resolve("Data").resolve(name + ".mv.db");
        } else {
            b.mode = Mode.IN_PLACE;
            b.databaseRoot = dbRoot;
            b.databaseName = dbRoot.getFileName().toString();
            b.mainDataFile = isMain(dbRoot, dataFile);
            b.newDataFile = dataFile.getParent().resolve(base + ".mv.db");
            Path log = dataFile.getParent().resolve(base + ".journal");
            if (Files.isRegularFile(log)) {
                b.logFile = log;
            }
            for (Path f : files) {
                b.safetyCopies.add(new SafetyCopy(f, f.getParent().resolve(REPLACED_FILES), Files.size(f)));
            }
            if (b.logFile != null) {
                b.safetyCopies.add(new SafetyCopy(b.logFile, b.logFile.getParent().resolve(REPLACED_FILES),
                        Files.size(b.logFile)));
            }
            findOtherDataFiles(b, dataFile.getParent(), base);
        }
        b.workDir = b.newDataFile.getParent().resolve(".tetra-conversion-" + baseName(b.newDataFile));

        if (options.multilang() != null) {
            b.multilangFile = options.multilang().toAbsolutePath().normalize();
        } else if (Files.isRegularFile(dataFile.getParent().resolve("multilang.txt"))) {
            b.multilangFile = dataFile.getParent().resolve("multilang.txt");
        }
        b.diskSpace.addAll(diskSpace(b));
        return new ConversionPlan(b);
    }

    private static boolean isMain(Path dbRoot, Path dataFile) {
        String name = dbRoot.getFileName().toString();
        return dataFile.getParent().equals(dbRoot.resolve("Data")) && baseName(dataFile).equals(name);
    }

    /** The free space on each disk the conversion writes to, against what it writes there. */
    static List<DiskSpace> diskSpace(Builder b) throws IOException {
        long source = b.dataFileSize;
        for (Segment s : b.segments) {
            source += s.size();
        }
        Map<String, long[]> needs = new TreeMap<>();
        Map<String, Path> where = new LinkedHashMap<>();
        Path target = existingAncestor(b.newDataFile.getParent());
        String targetStore = storeName(target);
        where.put(targetStore, target);
        needs.computeIfAbsent(targetStore, k -> new long[1])[0] += (long) (source * (NEW_FILE_FACTOR + SCRIPT_FACTOR))
                + SLACK + b.options.keepFree();
        for (SafetyCopy c : b.safetyCopies) {
            Path at = existingAncestor(c.folder());
            String store = storeName(at);
            where.putIfAbsent(store, at);
            long[] n = needs.computeIfAbsent(store, k -> new long[] {b.options.keepFree()});
            n[0] += c.size();
        }
        List<DiskSpace> out = new ArrayList<>();
        for (Map.Entry<String, long[]> e : needs.entrySet()) {
            Path at = where.get(e.getKey());
            out.add(new DiskSpace(e.getKey(), at, e.getValue()[0], Files.getFileStore(at).getUsableSpace()));
        }
        return out;
    }

    private static String storeName(Path p) throws IOException {
        FileStore fs = Files.getFileStore(p);
        return fs.name() + " (" + fs + ")";
    }

    static Path existingAncestor(Path p) {
        Path at = p;
        while (at != null && !Files.exists(at)) {
            at = at.getParent();
        }
        return at == null ? p.getRoot() : at;
    }

    private static Path resolveDataFile(Path dbRoot, Path given) throws IOException {
        List<Path> tries = new ArrayList<>();
        if (given.isAbsolute()) {
            tries.add(given);
        } else {
            tries.add(dbRoot.resolve(given));
            tries.add(dbRoot.resolve("Data").resolve(given));
        }
        for (Path t : tries) {
            try {
                return existingDataFile(t.normalize());
            } catch (ConversionException e) {
                // try the next place
            }
        }
        throw new ConversionException(ErrorCode.INVALID_ARGUMENT, "The data file " + given + " was not found in "
                + dbRoot + " or its Data folder.", "Name a file of the Data folder, for example --data-file archive.mv.db.");
    }

    private static Path mainDataFile(Path dbRoot) throws IOException {
        String name = dbRoot.getFileName().toString();
        Path data = dbRoot.resolve("Data");
        for (String ext : new String[] {".mv.db", ".h2.db"}) {
            Path f = data.resolve(name + ext);
            if (Files.isRegularFile(f)) {
                return f;
            }
        }
        throw new ConversionException(ErrorCode.INVALID_ARGUMENT, "The database folder " + dbRoot + " has no data file "
                + "Data/" + name + ".mv.db (or .h2.db).", "Name the data file to convert with --data-file F.");
    }

    private static Path existingDataFile(Path p) throws IOException {
        if (Files.isRegularFile(p)) {
            String n = p.getFileName().toString();
            if (!n.endsWith(".mv.db") && !n.endsWith(".h2.db")) {
                throw new ConversionException(ErrorCode.INVALID_ARGUMENT, p + " is not named as an H2 data file is "
                        + "(name.mv.db or name.h2.db).", "Give the data file under the name H2 gave it.");
            }
            return p;
        }
        for (String ext : new String[] {".mv.db", ".h2.db"}) {
            Path f = p.resolveSibling(p.getFileName() + ext);
            if (Files.isRegularFile(f)) {
                return f;
            }
        }
        throw new ConversionException(ErrorCode.INVALID_ARGUMENT, "There is no data file " + p + ".",
                "Give a database folder, or a data file (name.mv.db or name.h2.db).");
    }

    /** {@code name} of {@code name.mv.db} or {@code name.h2.db}. */
    static String baseName(Path file) {
        String n = file.getFileName().toString();
        for (String ext : new String[] {".mv.db", ".h2.db"}) {
            if (n.endsWith(ext)) {
                return n.substring(0, n.length() - ext.length());
            }
        }
        return n;
    }

    private static void findSegments(Builder b, Path dataFile, List<Path> segmentDirs) throws IOException {
        Pattern part = Pattern.compile(Pattern.quote(dataFile.getFileName().toString()) + "\\.(\\d+)\\.part");
        Map<Integer, Path> found = new TreeMap<>();
        List<Path> dirs = new ArrayList<>();
        dirs.add(dataFile.getParent());
        for (Path d : segmentDirs) {
            dirs.add(d.toAbsolutePath().normalize());
        }
        for (Path d : dirs) {
            if (!Files.isDirectory(d)) {
                continue;
            }
            try (Stream<Path> s = Files.list(d)) {
                for (Path f : (Iterable<Path>) s::iterator) {
                    Matcher m = part.matcher(f.getFileName().toString());
                    if (m.matches() && Files.isRegularFile(f)) {
                        found.putIfAbsent(Integer.parseInt(m.group(1)), f);
                    }
                }
            }
        }
        int max = found.isEmpty() ? 0 : ((TreeMap<Integer, Path>) found).lastKey();
        String name = dataFile.getFileName().toString();
        for (int i = 1; i <= max; i++) {
            Path f = found.get(i);
            if (f == null) {
                b.missingSegment = "Segment " + i + " of " + (max + 1) + " (" + name + "." + i + ".part) is missing: "
                        + "it is neither beside the data file nor in a --segment-dir folder. Give the folder that "
                        + "holds it with --segment-dir.";
                return;
            }
            b.segments.add(new Segment(i, f, Files.size(f)));
        }
        long first = Files.size(dataFile);
        for (int i = 0; i < b.segments.size(); i++) {
            Segment s = b.segments.get(i);
            boolean last = i == b.segments.size() - 1;
            if ((!last && s.size() != first) || (last && s.size() > first)) {
                b.missingSegment = "Segment " + s.index() + " (" + s.path() + ") has " + s.size() + " bytes where "
                        + first + " were expected: the segments do not belong together.";
                return;
            }
        }
        // A split file whose last segment is full may go on in a segment that is not there.
        List<Path> files = new ArrayList<>();
        files.add(dataFile);
        for (Segment s : b.segments) {
            files.add(s.path());
        }
        long lastSize = b.segments.isEmpty() ? first : b.segments.get(b.segments.size() - 1).size();
        boolean mayGoOn = !b.segments.isEmpty() ? lastSize == first : Long.bitCount(first) == 1 && first >= 65536;
        if (!mayGoOn) {
            // H2 starts a new segment only when the last one is full: a shorter last segment is the last.
            return;
        }
        int next = b.segments.size() + 1;
        String nextName = name + "." + next + ".part";
        if (FormatDetector.detect(files).kind() == DataFileFormat.Kind.MVSTORE) {
            String incomplete = FormatDetector.checkMvStoreComplete(files);
            if (incomplete != null) {
                b.missingSegment = "Segment " + next + " (" + nextName + ") seems to be missing: " + incomplete
                        + ". Give the folder that holds it with --segment-dir.";
                return;
            }
        }
        Integer declared = b.options.segmentCount();
        if (!b.segments.isEmpty() && (declared == null || declared != b.segments.size())) {
            // The data may end exactly at a chunk's end, or go on in a segment that is not there: only the
            // user can tell. A file that merely lost its end would open as an older version of the data.
            b.missingSegment = "Segment " + next + " (" + nextName + ") may be missing: segment " + b.segments.size()
                    + " is exactly full, so the split file may go on. If it does, give the folder that holds "
                    + nextName + " with --segment-dir; if the database has no further segment, say so with "
                    + "--segments " + b.segments.size() + ".";
        }
    }

    private static void findOtherDataFiles(Builder b, Path dir, String base) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.{mv.db,h2.db}")) {
            for (Path f : ds) {
                if (!Files.isRegularFile(f) || baseName(f).equals(base)) {
                    continue;
                }
                b.otherDataFiles.add(new OtherDataFile(f, FormatDetector.detect(f)));
            }
        }
        b.otherDataFiles.sort((x, y) -> x.path().compareTo(y.path()));
    }

    public Path given() {
        return given;
    }

    public Mode mode() {
        return mode;
    }

    /** The database folder that receives the converted data file. */
    public Path databaseRoot() {
        return databaseRoot;
    }

    public String databaseName() {
        return databaseName;
    }

    /** The database folder the source belongs to, or null for a bare legacy file. */
    public Path sourceRoot() {
        return sourceRoot;
    }

    /** Whether the converted file is the database's own data file (not another of its data files). */
    public boolean mainDataFile() {
        return mainDataFile;
    }

    public Path dataFile() {
        return dataFile;
    }

    public DataFileFormat format() {
        return format;
    }

    /** Size of the data file alone (segments not counted). */
    public long dataFileSize() {
        return dataFileSize;
    }

    /** Size of the data file and all its segments. */
    public long sourceSize() {
        long n = dataFileSize;
        for (Segment s : segments) {
            n += s.size();
        }
        return n;
    }

    public List<Segment> segments() {
        return segments;
    }

    /** What segment is missing (a sentence), or null. */
    public String missingSegment() {
        return missingSegment;
    }

    /** The log file replaced by a new empty one, or null when there is none. */
    public Path logFile() {
        return logFile;
    }

    public Path newDataFile() {
        return newDataFile;
    }

    /** Where the conversion works (inside the new data file's folder; removed at the end). */
    public Path workDir() {
        return workDir;
    }

    public List<SafetyCopy> safetyCopies() {
        return safetyCopies;
    }

    /** The {@value #REPLACED_FILES} folders, one per location of originals. */
    public List<Path> safetyFolders() {
        List<Path> out = new ArrayList<>();
        for (SafetyCopy c : safetyCopies) {
            if (!out.contains(c.folder())) {
                out.add(c.folder());
            }
        }
        return out;
    }

    public List<DiskSpace> diskSpace() {
        return diskSpace;
    }

    public Path multilangFile() {
        return multilangFile;
    }

    public List<OtherDataFile> otherDataFiles() {
        return otherDataFiles;
    }

    public ConversionOptions options() {
        return options;
    }

    /** Whether the data file is already in the current format (the server opens it as it is). */
    public boolean nothingToDo() {
        return format.isCurrent() && segments.isEmpty() && mode == Mode.IN_PLACE;
    }

    /** The H2 version that reads the source. */
    public String readerVersion() {
        String v = format.readerVersion();
        return v != null ? v : org.h2.engine.Constants.VERSION;
    }

    /** The command that runs this conversion (for messages: how to run it, how to retry it). */
    public String command() {
        StringBuilder sb = new StringBuilder("tetra-admin convert ")
                .append(shellQuote((sourceRoot != null ? sourceRoot : dataFile).toString()));
        if (sourceRoot != null && !mainDataFile) {
            sb.append(" --data-file ").append(shellQuote(dataFile.getFileName().toString()));
        }
        if (mode == Mode.NEW_FOLDER && options.to() != null) {
            sb.append(" --to ").append(shellQuote(databaseRoot.toString()));
        }
        for (Path d : options.segmentDirs()) {
            sb.append(" --segment-dir ").append(shellQuote(d.toString()));
        }
        if (options.segmentCount() != null) {
            sb.append(" --segments ").append(options.segmentCount());
        }
        if (options.multilang() != null) {
            sb.append(" --multilang ").append(shellQuote(options.multilang().toString()));
        }
        if (options.defaultCharset() != null) {
            sb.append(" --default-charset ").append(options.defaultCharset().name());
        }
        if (options.noStartupHooks()) {
            sb.append(" --no-startup-hooks");
        }
        return sb.append(" --yes").toString();
    }

    static String shellQuote(String s) {
        return s.matches("[A-Za-z0-9_./:=@%+-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }

    /** The plan as lines for people. */
    public List<String> describe() {
        List<String> out = new ArrayList<>();
        String label = "%-15s%s";
        out.add("Conversion of " + dataFile + (sourceRoot != null ? " (database " + sourceRoot.getFileName() + ")" : ""));
        out.add(String.format(Locale.ROOT, label, "Data file", dataFile + "  " + ByteSizes.format(dataFileSize) + ", "
                + format.describe() + ", read with H2 " + readerVersion()));
        if (segments.isEmpty()) {
            out.add(String.format(Locale.ROOT, label, "Segments", missingSegment != null ? "MISSING: " + missingSegment
                    : "none (one file)"));
        } else {
            out.add(String.format(Locale.ROOT, label, "Segments", segments.size() + " found ("
                    + ByteSizes.format(sourceSize() - dataFileSize) + "), merged into one data file"));
            for (Segment s : segments) {
                out.add(String.format(Locale.ROOT, label, "", s.path() + "  " + ByteSizes.format(s.size())));
            }
            if (missingSegment != null) {
                out.add(String.format(Locale.ROOT, label, "", "MISSING: " + missingSegment));
            }
        }
        if (mode == Mode.IN_PLACE) {
            out.add(String.format(Locale.ROOT, label, "Log file", logFile != null
                    ? logFile + " (replaced by a new empty one)" : "none; a new empty one is started"));
        }
        out.add(String.format(Locale.ROOT, label, "New data file", newDataFile + "  (file format "
                + DataFileFormat.CURRENT + ", H2 " + org.h2.engine.Constants.VERSION + ")"
                + (mode == Mode.NEW_FOLDER ? ", in a new database folder; the source is left as it is" : "")));
        if (safetyCopies.isEmpty()) {
            out.add(String.format(Locale.ROOT, label, "Safety copy", "not needed: no original is replaced"));
        } else {
            for (Path folder : safetyFolders()) {
                long size = 0;
                int n = 0;
                for (SafetyCopy c : safetyCopies) {
                    if (c.folder().equals(folder)) {
                        size += c.size();
                        n++;
                    }
                }
                out.add(String.format(Locale.ROOT, label, out.stream().anyMatch(l -> l.startsWith("Safety copy"))
                        ? "" : "Safety copy", folder + "  (" + n + (n == 1 ? " file, " : " files, ")
                        + ByteSizes.format(size) + ")"));
            }
        }
        for (DiskSpace d : diskSpace) {
            out.add(String.format(Locale.ROOT, label, out.stream().anyMatch(l -> l.startsWith("Free space"))
                    ? "" : "Free space", d.where() + ": " + ByteSizes.format(d.usable()) + " free, up to "
                    + ByteSizes.format(d.needed()) + " needed" + (d.enough() ? "" : "  NOT ENOUGH")));
        }
        out.add(String.format(Locale.ROOT, label, "Options", "multilang: " + (multilangFile != null ? multilangFile
                : "none") + "; default charset: " + (options.defaultCharset() != null ? options.defaultCharset().name()
                : "none (other text kept as it is)") + "; startup hooks at first open: "
                + (options.noStartupHooks() ? "none (--no-startup-hooks)" : "run")));
        for (OtherDataFile o : otherDataFiles) {
            out.add(String.format(Locale.ROOT, label, out.stream().anyMatch(l -> l.startsWith("Other files"))
                    ? "" : "Other files", o.path().getFileName() + " (" + o.format().shortName() + ")"
                    + (o.format().needsConversion() ? ": convert it separately with --data-file "
                    + o.path().getFileName() : "")));
        }
        return out;
    }

    /** The plan as a JSON-ready map. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dataFile", dataFile.toString());
        m.put("dataFileSize", dataFileSize);
        m.put("format", format.shortName());
        m.put("formatDescription", format.describe());
        m.put("readWith", "H2 " + readerVersion());
        m.put("mode", mode == Mode.IN_PLACE ? "in-place" : "new-folder");
        m.put("database", databaseRoot.toString());
        List<Map<String, Object>> segs = new ArrayList<>();
        for (Segment s : segments) {
            Map<String, Object> sm = new LinkedHashMap<>();
            sm.put("index", s.index());
            sm.put("path", s.path().toString());
            sm.put("size", s.size());
            segs.add(sm);
        }
        m.put("segments", segs);
        m.put("missingSegment", missingSegment);
        m.put("logFile", logFile == null ? null : logFile.toString());
        m.put("newDataFile", newDataFile.toString());
        List<String> folders = new ArrayList<>();
        for (Path f : safetyFolders()) {
            folders.add(f.toString());
        }
        m.put("safetyCopyFolders", folders);
        List<Map<String, Object>> disks = new ArrayList<>();
        for (DiskSpace d : diskSpace) {
            Map<String, Object> dm = new LinkedHashMap<>();
            dm.put("where", d.where().toString());
            dm.put("usable", d.usable());
            dm.put("needed", d.needed());
            dm.put("enough", d.enough());
            disks.add(dm);
        }
        m.put("diskSpace", disks);
        Map<String, Object> opts = new LinkedHashMap<>();
        opts.put("multilang", multilangFile == null ? null : multilangFile.toString());
        Charset cs = options.defaultCharset();
        opts.put("defaultCharset", cs == null ? null : cs.name());
        opts.put("noStartupHooks", options.noStartupHooks());
        m.put("options", opts);
        List<Map<String, Object>> others = new ArrayList<>();
        for (OtherDataFile o : otherDataFiles) {
            Map<String, Object> om = new LinkedHashMap<>();
            om.put("path", o.path().toString());
            om.put("format", o.format().shortName());
            om.put("needsConversion", o.format().needsConversion());
            others.add(om);
        }
        m.put("otherDataFiles", others);
        m.put("nothingToDo", nothingToDo());
        m.put("command", command());
        return m;
    }
}
