package io.tetradb.server.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tetradb.protocol.ErrorCode;
import io.tetradb.protocol.TetraException;
import io.tetradb.server.DataLayout;
import io.tetradb.server.config.ConfigException;
import io.tetradb.server.config.ServerConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The backup settings of a database, read from {@code Settings/backup.yml} (PRODUCT.md
 * 4.5); missing keys take their defaults. Immutable; a bad value is refused with the key
 * named.
 *
 * <p>Read on the thread that starts a backup.
 */
public final class BackupSettings {
    /** zstd levels for the archive. */
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

    private static final Set<String> TOP_KEYS = Set.of("content", "destination", "schedule", "retention",
            "onlyIfModified", "onFailure", "archive", "hooks", "journal");

    private final boolean data;
    private final boolean structure;
    private final List<String> attachments;
    private final Path destination;
    private final Compression compression;
    private final long maxRate;
    private final boolean verify;
    private final Duration waitForTransactions;
    private final JsonNode raw;

    private BackupSettings(boolean data, boolean structure, List<String> attachments, Path destination,
                           Compression compression, long maxRate, boolean verify, Duration waitForTransactions,
                           JsonNode raw) {
        this.data = data;
        this.structure = structure;
        this.attachments = List.copyOf(attachments);
        this.destination = destination;
        this.compression = compression;
        this.maxRate = maxRate;
        this.verify = verify;
        this.waitForTransactions = waitForTransactions;
        this.raw = raw;
    }

    /** The settings of the database in {@code layout}: backup.yml when present, else defaults. */
    public static BackupSettings load(DataLayout layout) {
        Path file = layout.settingsDir().resolve("backup.yml");
        JsonNode root = null;
        if (Files.isRegularFile(file)) {
            try {
                root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
            } catch (IOException e) {
                throw new TetraException(ErrorCode.INVALID_ARGUMENT, "Settings/backup.yml is not valid YAML: " + e.getMessage());
            }
        }
        return parse(root, layout);
    }

    static BackupSettings parse(JsonNode root, DataLayout layout) {
        if (root == null || root.isNull() || root.isMissingNode()) {
            root = new ObjectMapper().createObjectNode();
        }
        if (!root.isObject()) {
            throw bad("backup.yml", "must hold a mapping of settings");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!TOP_KEYS.contains(k)) {
                throw bad(k, "unknown setting (known: " + String.join(", ", TOP_KEYS) + ")");
            }
        }
        JsonNode content = root.path("content");
        boolean data = bool(content, "data", "content.data", true);
        boolean structure = bool(content, "structure", "content.structure", true);
        List<String> attachments = new ArrayList<>();
        JsonNode att = content.path("attachments");
        if (!att.isMissingNode() && !att.isNull()) {
            if (!att.isArray()) {
                throw bad("content.attachments", "must be a list of paths");
            }
            for (JsonNode a : att) {
                attachments.add(a.asText());
            }
        }
        Path destination;
        JsonNode dest = root.path("destination");
        if (dest.isMissingNode() || dest.isNull() || dest.asText().isBlank()) {
            destination = layout.root().resolveSibling(layout.databaseName() + "-backups");
        } else {
            Path p = Path.of(dest.asText());
            destination = p.isAbsolute() ? p : layout.root().resolve(p).normalize();
        }
        JsonNode archive = root.path("archive");
        Compression compression;
        String c = archive.path("compression").asText("fast").toUpperCase(Locale.ROOT);
        try {
            compression = Compression.valueOf(c);
        } catch (IllegalArgumentException e) {
            throw bad("archive.compression", "must be none, fast or compact, was '" + c.toLowerCase(Locale.ROOT) + "'");
        }
        long maxRate = archive.path("maxRate").asLong(0);
        if (maxRate < 0 || (!archive.path("maxRate").isMissingNode() && !archive.path("maxRate").canConvertToLong())) {
            throw bad("archive.maxRate", "must be a number of bytes per second, 0 for unlimited");
        }
        boolean verify = bool(archive, "verify", "archive.verify", true);
        Duration wait = Duration.ofSeconds(30);
        JsonNode w = root.path("onFailure").path("waitForTransactions");
        if (!w.isMissingNode() && !w.isNull()) {
            try {
                wait = ServerConfig.parseDuration("onFailure.waitForTransactions", w.asText());
            } catch (ConfigException e) {
                throw bad("onFailure.waitForTransactions", e.getMessage());
            }
        }
        return new BackupSettings(data, structure, attachments, destination, compression, maxRate, verify, wait, root);
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

    private static TetraException bad(String key, String why) {
        return new TetraException(ErrorCode.INVALID_ARGUMENT, "Invalid backup setting " + key + ": " + why + ".");
    }

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

    /** Where archives go. Default {@code <db>/../<name>-backups}. */
    public Path destination() {
        return destination;
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

    /** How long open transactions may take to finish once the gate closes. Default 30 s. */
    public Duration waitForTransactions() {
        return waitForTransactions;
    }

    /** The settings as they were read, for the manifest. */
    public JsonNode asJson() {
        ObjectNode n = new ObjectMapper().createObjectNode();
        ObjectNode content = n.putObject("content");
        content.put("data", data);
        content.put("structure", structure);
        var arr = content.putArray("attachments");
        attachments.forEach(arr::add);
        n.put("destination", destination.toString());
        ObjectNode archive = n.putObject("archive");
        archive.put("compression", compression.name().toLowerCase(Locale.ROOT));
        archive.put("maxRate", maxRate);
        archive.put("verify", verify);
        n.putObject("onFailure").put("waitForTransactions", waitForTransactions.toMillis() + "ms");
        for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) raw::fields) {
            if (!n.has(e.getKey())) {
                n.set(e.getKey(), e.getValue());
            }
        }
        return n;
    }
}
