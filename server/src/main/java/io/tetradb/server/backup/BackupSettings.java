package io.tetradb.server.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.util.StringQuotingChecker;
import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraException;
import io.tetradb.server.DataLayout;
import io.tetradb.server.config.ConfigException;
import io.tetradb.server.config.ServerConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The backup settings of a database, {@code Settings/backup.yml} (docs/backups.md), every
 * key validated: an unknown key or a bad value is refused with the key named. Missing
 * keys take their defaults. Immutable; {@link #set} gives a changed copy, {@link #save}
 * writes it atomically (the file is left unchanged when a value is refused). Hook
 * settings name executables in {@code Settings/hooks/} and nothing else (a command, a
 * path or arguments are refused); a changed copy must name hooks that are there.
 *
 * <p>Read where a backup starts or is scheduled; changed by admin requests on workers.
 */
public final class BackupSettings {
    /** zstd levels for the archive: FAST's is where it starts (it adapts, see AdaptiveLevel), COMPACT's is fixed. */
    public enum Compression {
        NONE(0), FAST(1), COMPACT(9);

        private final int level;

        Compression(int level) {
            this.level = level;
        }

        /** The zstd level (0 = no compression). */
        public int level() {
            return level;
        }
    }

    /** How archives and log segments are encrypted (docs/backup-encryption.md). */
    public enum Encryption { NONE, AES_256_GCM }

    /** How often scheduled backups run. */
    public enum Frequency { NEVER, HOURLY, DAILY, WEEKLY, MONTHLY, CRON }

    /** What a failed automatic backup does next. */
    public enum Retry { AFTER_DELAY, NEXT_SCHEDULED }

    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .stringQuotingChecker(new PlainWhenSafe()).build());

    /**
     * Writes a text value without quotes only when no YAML reader can take it for anything
     * else (a word or a path of letters, digits, {@code _ . / -}, not {@code yes}, {@code null}
     * and the like); every other one is quoted, so that backup.yml gives back {@code 0x1F},
     * {@code 1_000}, {@code .inf} or {@code * * * * *} as the text that was set.
     */
    private static final class PlainWhenSafe extends StringQuotingChecker.Default {
        private static final long serialVersionUID = 1L;
        private static final java.util.regex.Pattern PLAIN = java.util.regex.Pattern.compile("[A-Za-z_/][A-Za-z0-9_./-]*");

        @Override
        public boolean needToQuoteValue(String value) {
            return !PLAIN.matcher(value).matches() || super.needToQuoteValue(value);
        }
    }
    private static final Map<String, Set<String>> KEYS = Map.ofEntries(
            Map.entry("", Set.of("content", "destination", "destinations", "schedule", "retention", "onlyIfModified", "onFailure", "archive",
                    "hooks", "journal", "onStart", "s3")),
            Map.entry("s3", Set.of("endpoint", "region", "pathStyle", "credentialsFile")),
            Map.entry("onStart", Set.of("restoreIfDamaged", "integrateLog")),
            Map.entry("content", Set.of("data", "structure", "attachments")),
            Map.entry("schedule", Set.of("frequency", "every", "at", "startingAt", "weekdays", "dayOfMonth", "cron")),
            Map.entry("schedule.weekdays", Set.of("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")),
            Map.entry("retention", Set.of("keepLast", "deleteOldest")),
            Map.entry("onFailure", Set.of("retry", "retryAfter", "maxAttempts", "waitForTransactions")),
            Map.entry("archive", Set.of("compression", "maxRate", "verify", "encryption", "keyFile")),
            Map.entry("hooks", Set.of("onBackupStartup", "onBackupShutdown", "timeout")),
            Map.entry("journal", Set.of("verbose")));

    private final ObjectNode tree;
    private final Path dbRoot;
    private final String dbName;
    private final boolean data;
    private final boolean structure;
    private final List<String> attachments;
    private final Path destination;
    /** The bucket of an {@code s3://} destination, else null. */
    private final S3ArchiveStore.Location s3;
    /**
     * With {@code destinations:} (docs/backups.md, "Several destinations"): each, in the
     * order set; empty with a single {@code destination}.
     */
    private final List<Target> targets;

    /** One of several destinations: its text as set and a folder or a bucket (with its staging folder). */
    public record Target(String text, Path folder, S3ArchiveStore.Location bucket) {
        ArchiveStore store() {
            return bucket != null ? new S3ArchiveStore(bucket, folder) : new LocalArchiveStore(folder);
        }
    }
    private final Frequency frequency;
    private final int every;
    private final LocalTime at;
    private final LocalTime startingAt;
    private final Map<DayOfWeek, LocalTime> weekdays;
    private final int dayOfMonth;
    private final CronExpression cron;
    private final int keepLast;
    private final boolean deleteBefore;
    private final boolean onlyIfModified;
    private final Retry retry;
    private final Duration retryAfter;
    private final int maxAttempts;
    private final Duration waitForTransactions;
    private final Compression compression;
    private final long maxRate;
    private final boolean verify;
    private final Encryption encryption;
    /** Null when not set. */
    private final Path keyFile;
    private final String onBackupStartup;
    private final String onBackupShutdown;
    private final Duration hookTimeout;
    private final boolean verboseJournal;
    private final boolean restoreIfDamaged;
    private final boolean integrateLogAtStart;

    private BackupSettings(ObjectNode tree, Path dbRoot, String dbName) {
        this.tree = tree;
        this.dbRoot = dbRoot;
        this.dbName = dbName;
        checkKeys(tree, "");
        JsonNode content = object(tree, "content");
        data = bool(content, "data", "content.data", true);
        structure = bool(content, "structure", "content.structure", true);
        List<String> att = new ArrayList<>();
        JsonNode a = content.path("attachments");
        if (!a.isMissingNode() && !a.isNull()) {
            if (!a.isArray()) {
                throw bad("content.attachments", "must be a list of paths");
            }
            for (JsonNode x : a) {
                if (!x.isTextual() || x.asText().isBlank()) {
                    throw bad("content.attachments", "every entry must be a path");
                }
                att.add(x.asText());
            }
        }
        attachments = Collections.unmodifiableList(att);
        JsonNode dest = tree.path("destination");
        JsonNode s3Node = object(tree, "s3");
        S3ArchiveStore.Location bucket = null;
        JsonNode several = tree.path("destinations");
        boolean hasSeveral = !several.isMissingNode() && !several.isNull() && !(several.isArray() && several.isEmpty());
        List<Target> tg = new ArrayList<>();
        if (hasSeveral) {
            if (!dest.isMissingNode() && !dest.isNull() && !dest.asText().isBlank()) {
                throw bad("destination", "is set together with destinations: set destination for one destination,"
                        + " or destinations for several, not both");
            }
            if (!several.isArray()) {
                throw bad("destinations", "must be a list of folder paths or s3://bucket/prefix");
            }
            Path staging = dbRoot.resolveSibling(dbName + "-backup-staging");
            List<String> seen = new ArrayList<>();
            for (JsonNode x : several) {
                if (!x.isTextual() || x.asText().isBlank()) {
                    throw bad("destinations", "every entry must be a folder path or s3://bucket/prefix");
                }
                String text = x.asText().strip();
                Target t;
                if (text.regionMatches(true, 0, "s3://", 0, 5)) {
                    S3ArchiveStore.Location loc = s3Location(text, s3Node, dbRoot, "destinations");
                    t = new Target(loc.url(), staging, loc);
                } else {
                    Path p = Path.of(text);
                    p = p.isAbsolute() ? p.normalize() : dbRoot.resolve(p).normalize();
                    t = new Target(p.toString(), p, null);
                }
                if (seen.contains(t.text())) {
                    throw bad("destinations", "lists " + t.text() + " twice");
                }
                seen.add(t.text());
                tg.add(t);
            }
        }
        targets = Collections.unmodifiableList(tg);
        if (hasSeveral) {
            // The archive is written in the first folder listed (else the staging folder), then copied to the others.
            Target first = tg.stream().filter(t -> t.bucket() == null).findFirst().orElse(tg.get(0));
            destination = first.folder();
            bucket = first.bucket();
        } else if (dest.isMissingNode() || dest.isNull() || dest.asText().isBlank()) {
            destination = dbRoot.resolveSibling(dbName + "-backups");
        } else {
            if (!dest.isTextual()) {
                throw bad("destination", "must be a folder path or s3://bucket/prefix");
            }
            String text = dest.asText().strip();
            if (text.regionMatches(true, 0, "s3://", 0, 5)) {
                bucket = s3Location(text, s3Node, dbRoot, "destination");
                // Archives and segments are written here first, then uploaded (docs/s3-destinations.md).
                destination = dbRoot.resolveSibling(dbName + "-backup-staging");
            } else {
                Path p = Path.of(dest.asText());
                destination = p.isAbsolute() ? p : dbRoot.resolve(p).normalize();
            }
        }
        if (bucket == null && !hasSeveral) {
            // Validated even while the destination is a folder, so that a later switch finds them right.
            s3Location("s3://unused", s3Node, dbRoot, "destination");
        }
        s3 = bucket;

        JsonNode schedule = object(tree, "schedule");
        String freq = text(schedule, "frequency", "schedule.frequency", "never");
        boolean hasCron = !schedule.path("cron").isMissingNode() && !schedule.path("cron").asText().isBlank();
        try {
            frequency = hasCron && freq.equals("never") ? Frequency.CRON : Frequency.valueOf(freq.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw bad("schedule.frequency", "must be never, hourly, daily, weekly, monthly or cron, was '" + freq + "'");
        }
        every = integer(schedule, "every", "schedule.every", 1, 1, 1000);
        at = time(schedule, "at", "schedule.at", LocalTime.of(0, 0));
        startingAt = time(schedule, "startingAt", "schedule.startingAt", LocalTime.of(0, 0));
        Map<DayOfWeek, LocalTime> days = new EnumMap<>(DayOfWeek.class);
        JsonNode wd = object(schedule, "weekdays");
        for (Iterator<Map.Entry<String, JsonNode>> it = wd.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            days.put(DayOfWeek.valueOf(e.getKey().toUpperCase(Locale.ROOT)),
                    time(wd, e.getKey(), "schedule.weekdays." + e.getKey(), null));
        }
        weekdays = Collections.unmodifiableMap(days);
        dayOfMonth = integer(schedule, "dayOfMonth", "schedule.dayOfMonth", 1, 1, 31);
        if (frequency == Frequency.CRON) {
            if (!hasCron) {
                throw bad("schedule.cron", "is required when schedule.frequency is cron");
            }
            try {
                cron = CronExpression.parse(schedule.path("cron").asText());
            } catch (IllegalArgumentException e) {
                throw bad("schedule.cron", e.getMessage());
            }
        } else {
            cron = null;
            if (hasCron && frequency != Frequency.NEVER) {
                throw bad("schedule.cron", "cannot be combined with schedule.frequency " + freq);
            }
        }
        if (frequency == Frequency.WEEKLY && weekdays.isEmpty()) {
            throw bad("schedule.weekdays", "needs at least one day (for example monday: \"23:00\") for a weekly schedule");
        }

        JsonNode retention = object(tree, "retention");
        keepLast = integer(retention, "keepLast", "retention.keepLast", 3, 0, 100_000);
        String del = text(retention, "deleteOldest", "retention.deleteOldest", "after");
        if (!del.equals("after") && !del.equals("before")) {
            throw bad("retention.deleteOldest", "must be after or before, was '" + del + "'");
        }
        deleteBefore = del.equals("before");
        onlyIfModified = bool(tree, "onlyIfModified", "onlyIfModified", false);

        JsonNode onFailure = object(tree, "onFailure");
        String r = text(onFailure, "retry", "onFailure.retry", "afterDelay");
        if (r.equals("afterDelay")) {
            retry = Retry.AFTER_DELAY;
        } else if (r.equals("nextScheduled")) {
            retry = Retry.NEXT_SCHEDULED;
        } else {
            throw bad("onFailure.retry", "must be afterDelay or nextScheduled, was '" + r + "'");
        }
        retryAfter = duration(onFailure, "retryAfter", "onFailure.retryAfter", Duration.ofMinutes(5));
        maxAttempts = integer(onFailure, "maxAttempts", "onFailure.maxAttempts", 2, 1, 1000);
        waitForTransactions = duration(onFailure, "waitForTransactions", "onFailure.waitForTransactions",
                Duration.ofSeconds(30));

        JsonNode archive = object(tree, "archive");
        String c = text(archive, "compression", "archive.compression", "fast");
        try {
            compression = Compression.valueOf(c.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw bad("archive.compression", "must be none, fast or compact, was '" + c + "'");
        }
        JsonNode mr = archive.path("maxRate");
        if (mr.isMissingNode() || mr.isNull()) {
            maxRate = 0;
        } else if (mr.isIntegralNumber() && mr.asLong() >= 0) {
            maxRate = mr.asLong();
        } else if (mr.isTextual()) {
            try {
                maxRate = ServerConfig.parseSize("archive.maxRate", mr.asText());
            } catch (ConfigException e) {
                throw bad("archive.maxRate", "must be bytes per second (for example 50000000 or 50m), 0 for unlimited");
            }
        } else {
            throw bad("archive.maxRate", "must be bytes per second (for example 50000000 or 50m), 0 for unlimited");
        }
        verify = bool(archive, "verify", "archive.verify", true);
        String enc = text(archive, "encryption", "archive.encryption", "none");
        if (enc.equals("none")) {
            encryption = Encryption.NONE;
        } else if (enc.equals(EncryptedFile.ALGORITHM)) {
            encryption = Encryption.AES_256_GCM;
        } else {
            throw bad("archive.encryption", "must be none or " + EncryptedFile.ALGORITHM + ", was '" + enc + "'");
        }
        JsonNode kf = archive.path("keyFile");
        if (kf.isMissingNode() || kf.isNull() || kf.asText().isBlank()) {
            keyFile = null;
        } else {
            if (!kf.isTextual()) {
                throw bad("archive.keyFile", "must be the path of a key file");
            }
            Path p = Path.of(kf.asText());
            keyFile = (p.isAbsolute() ? p : dbRoot.resolve(p)).toAbsolutePath().normalize();
        }
        if (encryption != Encryption.NONE && keyFile == null) {
            throw bad("archive.keyFile", "is required with archive.encryption " + enc + ": the path of the key file"
                    + " (outside the database folder, owner-only; docs/backup-encryption.md)");
        }

        JsonNode hooks = object(tree, "hooks");
        onBackupStartup = hookName("hooks.onBackupStartup", text(hooks, "onBackupStartup", "hooks.onBackupStartup", ""));
        onBackupShutdown = hookName("hooks.onBackupShutdown",
                text(hooks, "onBackupShutdown", "hooks.onBackupShutdown", ""));
        hookTimeout = duration(hooks, "timeout", "hooks.timeout", Duration.ofMinutes(5));
        verboseJournal = bool(object(tree, "journal"), "verbose", "journal.verbose", true);
        JsonNode onStart = object(tree, "onStart");
        restoreIfDamaged = bool(onStart, "restoreIfDamaged", "onStart.restoreIfDamaged", true);
        integrateLogAtStart = bool(onStart, "integrateLog", "onStart.integrateLog", true);
    }

    private static final java.util.regex.Pattern BUCKET = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,254}");
    private static final java.util.regex.Pattern REGION = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    /**
     * What a bucket's prefix may hold besides ASCII letters and digits (and '/' between its
     * parts): characters every S3-compatible store, URL and shell takes as they are. Spaces,
     * '%', '?', '#', '\\', quotes, control characters and non-ASCII ones are refused; the
     * keys are at most 1,024 bytes, of which the prefix may take {@link #MAX_PREFIX}.
     */
    private static final String PREFIX_CHARACTERS = "._-=/";
    private static final int MAX_PREFIX = 512;

    /** {@code url} with its control characters escaped, for a message. */
    private static String shown(String url) {
        StringBuilder b = new StringBuilder();
        url.codePoints().forEach(cp -> {
            if (Character.isISOControl(cp)) {
                b.append(String.format(Locale.ROOT, "\\u%04X", cp));
            } else {
                b.appendCodePoint(cp);
            }
        });
        return b.toString();
    }

    /** A character as a message names it: 'x' (U+0078). */
    private static String describe(int cp) {
        String u = String.format(Locale.ROOT, "U+%04X", cp);
        return Character.isISOControl(cp) || Character.isWhitespace(cp) ? u + (cp == ' ' ? " (a space)" : "")
                : "'" + new String(Character.toChars(cp)) + "' (" + u + ")";
    }

    /**
     * The bucket, prefix and connection of {@code s3://bucket/prefix} with the {@code s3}
     * settings (docs/s3-destinations.md): the endpoint an http or https URL (empty for AWS),
     * the region (default us-east-1), path-style addressing, and the credentials file an
     * absolute path outside the database folder (an archive must never hold it; the secret
     * itself is never in backup.yml).
     */
    private static S3ArchiveStore.Location s3Location(String url, JsonNode s3, Path dbRoot, String key) {
        String rest = url.substring(5);
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = slash < 0 ? "" : rest.substring(slash + 1);
        if (!BUCKET.matcher(bucket).matches()) {
            throw bad(key, "'" + shown(url) + "' does not name a bucket: write s3://bucket or s3://bucket/prefix");
        }
        while (prefix.endsWith("/")) {
            prefix = prefix.substring(0, prefix.length() - 1);
        }
        for (String part : prefix.split("/", -1)) {
            if (!prefix.isEmpty() && (part.isEmpty() || part.equals(".") || part.equals(".."))) {
                throw bad(key, "the prefix of '" + shown(url) + "' has an empty, . or .. part");
            }
        }
        if (prefix.length() > MAX_PREFIX) {
            throw bad(key, "the prefix of '" + shown(url) + "' is longer than " + MAX_PREFIX + " characters");
        }
        for (int i = 0; i < prefix.length(); ) {
            int cp = prefix.codePointAt(i);
            if (!(cp < 128 && (PREFIX_CHARACTERS.indexOf(cp) >= 0 || Character.isLetterOrDigit(cp)))) {
                throw bad(key, "the prefix of '" + shown(url) + "' holds the character " + describe(cp)
                        + ": a prefix may hold letters a-z and A-Z, digits, '.', '_', '-' and '=', its parts "
                        + "separated by '/'");
            }
            i += Character.charCount(cp);
        }
        String endpoint = text(s3, "endpoint", "s3.endpoint", "");
        if (!endpoint.isEmpty()) {
            java.net.URI u;
            try {
                u = new java.net.URI(endpoint);
            } catch (java.net.URISyntaxException e) {
                throw bad("s3.endpoint", "'" + endpoint + "' is not a URL (for example https://s3.example.com:9000)");
            }
            if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https"))
                    || u.getHost() == null || u.getRawQuery() != null || u.getUserInfo() != null) {
                throw bad("s3.endpoint", "'" + endpoint + "' must be an http or https URL of a host, without user,"
                        + " query or key (for example https://s3.example.com:9000)");
            }
        }
        String region = text(s3, "region", "s3.region", "");
        if (region.isEmpty()) {
            region = "us-east-1";
        } else if (!REGION.matcher(region).matches()) {
            throw bad("s3.region", "'" + region + "' is not a region name (for example us-east-1, eu-central-1, auto)");
        }
        boolean pathStyle = bool(s3, "pathStyle", "s3.pathStyle", false);
        String cf = text(s3, "credentialsFile", "s3.credentialsFile", "");
        Path credentials = null;
        if (!cf.isEmpty()) {
            credentials = Path.of(cf);
            if (!credentials.isAbsolute()) {
                throw bad("s3.credentialsFile", "must be an absolute path (outside the database folder)");
            }
            credentials = credentials.normalize();
            if (credentials.startsWith(dbRoot.toAbsolutePath().normalize())) {
                throw bad("s3.credentialsFile", "must be outside the database folder " + dbRoot
                        + ": an archive would hold it");
            }
        }
        return new S3ArchiveStore.Location(bucket, prefix.isEmpty() ? "" : prefix + "/", endpoint, region, pathStyle,
                credentials);
    }

    /** What a hook setting may hold: the plain name of a file (no path, no arguments, no shell syntax). */
    private static final java.util.regex.Pattern HOOK_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9_+-][A-Za-z0-9._+-]*");

    /**
     * A hook setting's value: blank, or the name of a file in {@code Settings/hooks/} (docs/backups.md and docs/security.md).
     * Anything else (a path, {@code ..}, arguments, a command) is refused with 2010 and what to do.
     */
    private String hookName(String key, String value) {
        String v = value.strip();
        if (v.isEmpty()) {
            return "";
        }
        if (!HOOK_NAME.matcher(v).matches() || v.contains("..")) {
            throw new TetraException(ErrorCode.INVALID_ARGUMENT, "Invalid backup setting " + key + ": '" + value
                    + "' is not the name of a hook. A hook is an executable file in " + hooksDir(dbRoot)
                    + " (placed there by someone with access to the server's files), named here by its file name"
                    + " alone: no path, no arguments, no command. Put the command in a script there, make it"
                    + " executable (chmod 700) and set " + key + " to the script's name.");
        }
        return v;
    }

    /** {@code <db>/Settings/hooks}: the only place hooks run from. */
    public static Path hooksDir(Path dbRoot) {
        return dbRoot.resolve("Settings").resolve("hooks");
    }

    /**
     * Why hook {@code name} cannot run (it is not a regular file, a symbolic link included,
     * in {@code Settings/hooks/}, or not executable by the server), or null when it can.
     */
    static String hookProblem(Path dbRoot, String name) {
        Path p = hooksDir(dbRoot).resolve(name);
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return p + " does not exist";
        }
        if (!Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return p + " is not a regular file (a folder or a symbolic link)";
        }
        if (!Files.isExecutable(p)) {
            return p + " is not executable (chmod 700 it)";
        }
        return null;
    }

    /** Every hook these settings name exists in Settings/hooks/ and can run; 2010 naming the key otherwise. */
    private void requireHooks() {
        for (String[] h : new String[][] {{"hooks.onBackupStartup", onBackupStartup},
                {"hooks.onBackupShutdown", onBackupShutdown}}) {
            if (!h[1].isEmpty()) {
                String problem = hookProblem(dbRoot, h[1]);
                if (problem != null) {
                    throw bad(h[0], "names hook '" + h[1] + "', but " + problem);
                }
            }
        }
    }

    /**
     * The key file these settings name (when they name one) holds a usable key, is owner-only,
     * and lies outside the database folder, the destination and the attachments (it would
     * otherwise go into the archives it protects); 2010 naming archive.keyFile otherwise.
     */
    private void requireKey() {
        if (keyFile == null) {
            return;
        }
        Path root = dbRoot.toAbsolutePath().normalize();
        if (keyFile.startsWith(root)) {
            throw bad("archive.keyFile", keyFile + " is inside the database folder " + root + ", which backups copy:"
                    + " keep the key outside it (and outside the backup destination)");
        }
        if (keyFile.startsWith(destination.toAbsolutePath().normalize())) {
            throw bad("archive.keyFile", keyFile + " is inside the backup destination " + destination
                    + ": a key beside the archives protects nothing; keep it elsewhere");
        }
        for (Target t : targets) {
            if (t.bucket() == null && keyFile.startsWith(t.folder().toAbsolutePath().normalize())) {
                throw bad("archive.keyFile", keyFile + " is inside the backup destination " + t.text()
                        + ": a key beside the archives protects nothing; keep it elsewhere");
            }
        }
        for (String a : attachments) {
            Path p = Path.of(a).toAbsolutePath().normalize();
            if (keyFile.startsWith(p)) {
                throw bad("archive.keyFile", keyFile + " is inside the attachment " + a + ", which backups copy:"
                        + " keep the key outside the attachments");
            }
        }
        String problem = BackupKey.problem(keyFile);
        if (problem != null) {
            throw bad("archive.keyFile", keyFile + " " + problem);
        }
    }

    /**
     * At server start: hook settings in {@code Settings/backup.yml} that hold a command or
     * a path (as earlier versions allowed) stop the start with a {@link ConfigException}
     * saying what to do. A hook name whose file is missing or not executable is only
     * warned about here (that backup's hook then fails with 127, journaled). Other problems
     * of the file are reported where a backup loads it, as before.
     *
     * @return warnings to log (a missing or non-executable hook), possibly empty
     */
    public static List<String> checkHooksAtStart(DataLayout layout) {
        Path file = file(layout);
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        JsonNode root;
        try {
            root = YAML.readTree(file.toFile());
        } catch (IOException e) {
            return List.of();
        }
        JsonNode hooks = root == null ? null : root.path("hooks");
        if (hooks == null || !hooks.isObject()) {
            return List.of();
        }
        List<String> warnings = new ArrayList<>();
        for (String k : List.of("onBackupStartup", "onBackupShutdown")) {
            JsonNode v = hooks.path(k);
            if (v.isMissingNode() || v.isNull() || v.asText().isBlank()) {
                continue;
            }
            String value = v.asText();
            String key = "hooks." + k;
            if (!v.isValueNode() || !HOOK_NAME.matcher(value.strip()).matches() || value.contains("..")) {
                throw new ConfigException(file + ": " + key + " holds a command or a path ('" + value + "'). Hooks"
                        + " are now executables in " + hooksDir(layout.root()) + ", named by their file name alone."
                        + " Move the command into a script there (for example " + hooksDir(layout.root())
                        .resolve(k + ".sh") + ", made executable with chmod 700) and set " + key + ": " + k
                        + ".sh in " + file + ", then start the server again.");
            }
            String problem = hookProblem(layout.root(), value.strip());
            if (problem != null) {
                warnings.add(key + " names hook '" + value.strip() + "', but " + problem
                        + ": that hook will fail (exit code 127) until it is there.");
            }
        }
        return warnings;
    }

    /** The settings of the database in {@code layout}: backup.yml when present, else defaults. */
    public static BackupSettings load(DataLayout layout) {
        Path file = file(layout);
        JsonNode root = null;
        if (Files.isRegularFile(file)) {
            try {
                root = YAML.readTree(file.toFile());
            } catch (IOException e) {
                throw new TetraException(ErrorCode.INVALID_ARGUMENT, "Settings/backup.yml is not valid YAML: "
                        + e.getMessage());
            }
        }
        return parse(root, layout);
    }

    static BackupSettings parse(JsonNode root, DataLayout layout) {
        if (root == null || root.isNull() || root.isMissingNode()) {
            root = JsonNodeFactory.instance.objectNode();
        }
        if (!root.isObject()) {
            throw bad("backup.yml", "must hold a mapping of settings");
        }
        return new BackupSettings(((ObjectNode) root).deepCopy(), layout.root(), layout.databaseName());
    }

    /** {@code Settings/backup.yml}. */
    public static Path file(DataLayout layout) {
        return layout.settingsDir().resolve("backup.yml");
    }

    /**
     * The keys whose value is text (a word, a time, a duration, a path, a hook's name, a
     * cron expression): {@link #set} takes their value as typed, never as YAML, so that
     * {@code * * * * *}, {@code &x}, {@code !x}, {@code @x}, {@code a #b}, {@code yes},
     * {@code 123} or surrounding spaces stay what they are. The other keys (booleans,
     * numbers, lists, {@code archive.maxRate}) read their value as YAML.
     */
    private static final Set<String> TEXT_KEYS = Set.of("destination", "s3.endpoint", "s3.region", "s3.credentialsFile", "schedule.frequency", "schedule.at",
            "schedule.startingAt", "schedule.cron", "retention.deleteOldest", "onFailure.retry", "onFailure.retryAfter",
            "onFailure.waitForTransactions", "archive.compression", "archive.encryption", "archive.keyFile",
            "hooks.onBackupStartup", "hooks.onBackupShutdown",
            "hooks.timeout");

    /** Whether {@code key} holds text (see {@link #TEXT_KEYS}; every {@code schedule.weekdays.DAY} is a time). */
    static boolean isTextKey(String key) {
        return TEXT_KEYS.contains(key) || key.startsWith("schedule.weekdays.");
    }

    /**
     * A copy with {@code key} (dotted, for example {@code archive.compression} or
     * {@code schedule.weekdays.monday}) set to {@code value}; an empty value removes the key.
     * A text key ({@link #isTextKey}) takes the value as typed (one wholly in YAML quotes,
     * {@code "* * * * *"}, as earlier versions required, loses its quotes); the others read
     * it as YAML ({@code true}, {@code 3}, {@code [a, b]}). Validates the whole result;
     * throws 2010 naming the key.
     */
    public BackupSettings set(String key, String value) {
        return setAll(Collections.singletonList(new String[]{key, value}));
    }

    /**
     * A copy with every {@code {key, value}} pair set (see {@link #set}), validated once
     * at the end, so that related keys can change together (schedule.frequency=weekly with
     * its weekdays).
     */
    public BackupSettings setAll(List<String[]> assignments) {
        ObjectNode copy = tree.deepCopy();
        for (String[] kv : assignments) {
            apply(copy, kv[0].trim(), kv[1]);
        }
        BackupSettings changed = new BackupSettings(copy, dbRoot, dbName);
        // Settings changed remotely may only name hooks that are there, and a key that can be used.
        changed.requireHooks();
        changed.requireKey();
        return changed;
    }

    private static void apply(ObjectNode root, String key, String value) {
        String[] parts = key.split("\\.");
        String parent = "";
        for (String part : parts) {
            Set<String> known = KEYS.get(parent);
            if (known == null || !known.contains(part)) {
                throw bad(key, "unknown setting");
            }
            parent = parent.isEmpty() ? part : parent + "." + part;
        }
        ObjectNode node = root;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = node.path(parts[i]);
            if (!child.isObject()) {
                child = node.putObject(parts[i]);
            }
            node = (ObjectNode) child;
        }
        String last = parts[parts.length - 1];
        if (value == null || value.isBlank()) {
            node.remove(last);
            return;
        }
        if (isTextKey(key)) {
            node.put(last, unquoted(value));
            return;
        }
        JsonNode parsed;
        try {
            parsed = YAML.readTree(value);
        } catch (IOException e) {
            throw bad(key, "'" + value + "' is not a valid value");
        }
        node.set(last, parsed == null || parsed.isMissingNode() ? JsonNodeFactory.instance.textNode(value) : parsed);
    }

    /** {@code value} without its YAML quotes when it is one quoted YAML string, else {@code value} itself. */
    private static String unquoted(String value) {
        boolean quoted = value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                || value.startsWith("'") && value.endsWith("'"));
        if (quoted) {
            try {
                JsonNode n = YAML.readTree(value);
                if (n != null && n.isTextual()) {
                    return n.asText();
                }
            } catch (IOException e) {
                // not one quoted string ("a" "b"): taken as typed
            }
        }
        return value;
    }

    /** Writes these settings to {@code Settings/backup.yml} atomically. */
    public void save(DataLayout layout) throws IOException {
        Files.createDirectories(layout.settingsDir());
        DataLayout.writeAtomically(file(layout), YAML.writeValueAsBytes(tree), true);
    }

    /** The settings as YAML text (what backup.yml holds). */
    public String toYaml() {
        try {
            return YAML.writeValueAsString(tree);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every setting with its effective value (defaults filled in), for display and manifests. */
    public JsonNode asJson() {
        ObjectNode n = new ObjectMapper().createObjectNode();
        ObjectNode content = n.putObject("content");
        content.put("data", data);
        content.put("structure", structure);
        ArrayNode arr = content.putArray("attachments");
        attachments.forEach(arr::add);
        n.put("destination", targets.isEmpty() ? destinationText() : "");
        ArrayNode ds = n.putArray("destinations");
        targets.forEach(t -> ds.add(t.text()));
        ObjectNode s3n = n.putObject("s3");
        S3ArchiveStore.Location shown = s3;
        if (shown == null) {
            JsonNode t = tree.path("s3");
            s3n.put("endpoint", t.path("endpoint").asText("")).put("region", t.path("region").asText(""))
                    .put("pathStyle", t.path("pathStyle").asBoolean(false))
                    .put("credentialsFile", t.path("credentialsFile").asText(""));
        } else {
            s3n.put("endpoint", shown.endpoint()).put("region", shown.region()).put("pathStyle", shown.pathStyle())
                    .put("credentialsFile", shown.credentialsFile() == null ? "" : shown.credentialsFile().toString());
        }
        ObjectNode s = n.putObject("schedule");
        s.put("frequency", frequency.name().toLowerCase(Locale.ROOT));
        s.put("every", every);
        s.put("at", at.toString());
        s.put("startingAt", startingAt.toString());
        ObjectNode wd = s.putObject("weekdays");
        weekdays.forEach((d, t) -> wd.put(d.name().toLowerCase(Locale.ROOT), t.toString()));
        s.put("dayOfMonth", dayOfMonth);
        if (cron != null) {
            s.put("cron", cron.toString());
        }
        n.putObject("retention").put("keepLast", keepLast).put("deleteOldest", deleteBefore ? "before" : "after");
        n.put("onlyIfModified", onlyIfModified);
        n.putObject("onFailure").put("retry", retry == Retry.AFTER_DELAY ? "afterDelay" : "nextScheduled")
                .put("retryAfter", retryAfter.toString()).put("maxAttempts", maxAttempts)
                .put("waitForTransactions", waitForTransactions.toString());
        n.putObject("archive").put("compression", compression.name().toLowerCase(Locale.ROOT)).put("maxRate", maxRate)
                .put("verify", verify).put("encryption", encryption == Encryption.NONE ? "none" : EncryptedFile.ALGORITHM)
                .put("keyFile", keyFile == null ? "" : keyFile.toString());
        n.putObject("hooks").put("onBackupStartup", onBackupStartup).put("onBackupShutdown", onBackupShutdown)
                .put("timeout", hookTimeout.toString());
        n.putObject("journal").put("verbose", verboseJournal);
        n.putObject("onStart").put("restoreIfDamaged", restoreIfDamaged).put("integrateLog", integrateLogAtStart);
        return n;
    }

    // ----------------------------------------------------------------------------- parsing helpers

    private static void checkKeys(JsonNode node, String path) {
        Set<String> known = KEYS.get(path);
        if (known == null || !node.isObject()) {
            return;
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            String full = path.isEmpty() ? k : path + "." + k;
            if (!known.contains(k)) {
                throw bad(full, "unknown setting (known here: " + String.join(", ", known.stream().sorted().toList()) + ")");
            }
            checkKeys(node.get(k), full);
        }
    }

    private static JsonNode object(JsonNode parent, String field) {
        JsonNode n = parent.path(field);
        if (n.isMissingNode() || n.isNull()) {
            return JsonNodeFactory.instance.objectNode();
        }
        if (!n.isObject()) {
            throw bad(field, "must be a mapping of settings");
        }
        return n;
    }

    private static boolean bool(JsonNode parent, String field, String key, boolean dflt) {
        JsonNode n = parent.path(field);
        if (n.isMissingNode() || n.isNull()) {
            return dflt;
        }
        if (!n.isBoolean()) {
            throw bad(key, "must be true or false");
        }
        return n.asBoolean();
    }

    private static String text(JsonNode parent, String field, String key, String dflt) {
        JsonNode n = parent.path(field);
        if (n.isMissingNode() || n.isNull()) {
            return dflt;
        }
        if (!n.isValueNode()) {
            throw bad(key, "must be a single value");
        }
        // Words are compared without the spaces around them (a value is stored as typed).
        return n.asText().strip();
    }

    private static int integer(JsonNode parent, String field, String key, int dflt, int min, int max) {
        JsonNode n = parent.path(field);
        if (n.isMissingNode() || n.isNull()) {
            return dflt;
        }
        if (!n.isIntegralNumber() || n.asLong() < min || n.asLong() > max) {
            throw bad(key, "must be a whole number from " + min + " to " + max);
        }
        return n.asInt();
    }

    private static LocalTime time(JsonNode parent, String field, String key, LocalTime dflt) {
        JsonNode n = parent.path(field);
        if (n.isMissingNode() || n.isNull()) {
            if (dflt == null) {
                throw bad(key, "must be a time HH:MM");
            }
            return dflt;
        }
        String t = n.asText().strip();
        try {
            return LocalTime.parse(t.length() == 4 ? "0" + t : t);
        } catch (DateTimeParseException e) {
            throw bad(key, "must be a time HH:MM, was '" + n.asText() + "'");
        }
    }

    private static Duration duration(JsonNode parent, String field, String key, Duration dflt) {
        JsonNode n = parent.path(field);
        if (n.isMissingNode() || n.isNull()) {
            return dflt;
        }
        try {
            Duration d = ServerConfig.parseDuration(key, n.asText().strip());
            if (d.isNegative()) {
                throw bad(key, "must not be negative");
            }
            return d;
        } catch (ConfigException e) {
            throw bad(key, "must be a duration (for example 30s, 5m, 1h), was '" + n.asText() + "'");
        }
    }

    private static TetraException bad(String key, String why) {
        return new TetraException(ErrorCode.INVALID_ARGUMENT, "Invalid backup setting " + key + ": " + why + ".");
    }

    // ----------------------------------------------------------------------------- getters

    /** Back up the data file (and its log file). Default true. */
    public boolean data() {
        return data;
    }

    /** Back up the Structure folder. Default true. */
    public boolean structure() {
        return structure;
    }

    /** Files and folders copied after the gate reopens. Default none. */
    public List<String> attachments() {
        return attachments;
    }

    /**
     * The destination folder (default {@code <db>/../<name>-backups}); for an {@code s3://}
     * destination, the local folder where archives and segments are staged before their
     * upload ({@code <db>/../<name>-backup-staging}). Archives are found through {@link #store()}.
     */
    public Path destination() {
        return destination;
    }

    /** The destination as set: a folder path, or {@code s3://bucket/prefix}. */
    public String destinationText() {
        if (!targets.isEmpty()) {
            return String.join(", ", targets.stream().map(Target::text).toList());
        }
        return s3 != null ? s3.url() : destination.toString();
    }

    /** The destinations of {@code destinations:}, in the order set; empty with a single destination. */
    public List<Target> targets() {
        return targets;
    }

    /** The bucket of an {@code s3://} destination, or null for a folder. */
    public S3ArchiveStore.Location s3() {
        return s3;
    }

    /** Where the archives, segments and backup-history.json are kept: the folder or the bucket. */
    public ArchiveStore store() {
        if (targets.size() > 1) {
            return new MultiArchiveStore(targets.stream().map(t -> new MultiArchiveStore.Member(t.text(), t.store())).toList());
        }
        if (targets.size() == 1) {
            return targets.get(0).store();
        }
        return s3 != null ? new S3ArchiveStore(s3, destination) : new LocalArchiveStore(destination);
    }

    /** Default never. */
    public Frequency frequency() {
        return frequency;
    }

    /** Every N hours/days/weeks/months. Default 1. */
    public int every() {
        return every;
    }

    /** Time of day for daily and monthly schedules. Default 00:00. */
    public LocalTime at() {
        return at;
    }

    /** First time of day for hourly schedules. Default 00:00. */
    public LocalTime startingAt() {
        return startingAt;
    }

    /** Days and times of weekly schedules. */
    public Map<DayOfWeek, LocalTime> weekdays() {
        return weekdays;
    }

    /** Day of month for monthly schedules (clamped to the month's length). Default 1. */
    public int dayOfMonth() {
        return dayOfMonth;
    }

    /** The cron expression of a cron schedule, else null. */
    public CronExpression cron() {
        return cron;
    }

    /** Archives of this database kept in the destination; 0 keeps all. Default 3. */
    public int keepLast() {
        return keepLast;
    }

    /** Whether the oldest archives are deleted before the backup (default after). */
    public boolean deleteBefore() {
        return deleteBefore;
    }

    /** Scheduled backups are skipped when the data did not change. Default false. */
    public boolean onlyIfModified() {
        return onlyIfModified;
    }

    /** Default afterDelay. */
    public Retry retry() {
        return retry;
    }

    /** Default 5 minutes. */
    public Duration retryAfter() {
        return retryAfter;
    }

    /** Attempts of one scheduled backup before 1401. Default 2. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** How long open transactions may take to finish once the gate closes. Default 30 s. */
    public Duration waitForTransactions() {
        return waitForTransactions;
    }

    /** Default fast. */
    public Compression compression() {
        return compression;
    }

    /** Bytes per second at most; 0 = unlimited (default). */
    public long maxRate() {
        return maxRate;
    }

    /** Re-read and check every checksum after writing. Default true. */
    public boolean verify() {
        return verify;
    }

    /** Default none. */
    public Encryption encryption() {
        return encryption;
    }

    /** Whether archives and log segments are encrypted. */
    public boolean encrypted() {
        return encryption != Encryption.NONE;
    }

    /**
     * The key file (absolute; a relative setting is from the database folder), or null when
     * none is set. Also used to read encrypted files when encryption is off.
     */
    public Path keyFile() {
        return keyFile;
    }

    /**
     * Name of the executable in {@code Settings/hooks/} run before the gate closes; a non-zero
     * exit vetoes the backup. Default none.
     */
    public String onBackupStartup() {
        return onBackupStartup;
    }

    /** Name of the executable in {@code Settings/hooks/} run after the backup. Default none. */
    public String onBackupShutdown() {
        return onBackupShutdown;
    }

    /** Longest run of a hook. Default 5 minutes. */
    public Duration hookTimeout() {
        return hookTimeout;
    }

    /**
     * {@code onStart.restoreIfDamaged} (docs/restore-with-log.md): when the data file is missing, cannot
     * be opened, fails its checks or is older than the log, the server restores the last
     * archive that verifies at start. Default true.
     */
    public boolean restoreIfDamaged() {
        return restoreIfDamaged;
    }

    /**
     * {@code onStart.integrateLog}: that restore is brought forward with the log to the last
     * acknowledged commit (false: the archive alone, the operations after it cancelled).
     * Default true.
     */
    public boolean integrateLogAtStart() {
        return integrateLogAtStart;
    }

    /** Journal every phase (true, default) or only starts and errors. */
    public boolean verboseJournal() {
        return verboseJournal;
    }

    /** Every key backup.yml may hold, dotted ({@code schedule.weekdays.monday}), sorted: the docs list each. */
    public static java.util.List<String> keys() {
        java.util.List<String> out = new java.util.ArrayList<>();
        KEYS.forEach((parent, children) -> {
            for (String child : children) {
                String key = parent.isEmpty() ? child : parent + "." + child;
                if (!KEYS.containsKey(key)) {
                    out.add(key);
                }
            }
        });
        java.util.Collections.sort(out);
        return out;
    }
}
