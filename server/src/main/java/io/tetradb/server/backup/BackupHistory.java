package io.tetradb.server.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tetradb.protocol.ArchiveVerification;
import io.tetradb.protocol.BackupHistoryEntry;
import io.tetradb.protocol.BackupOutcome;
import io.tetradb.protocol.WireStates;
import io.tetradb.server.DataLayout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The archives of one database in a destination: {@code backup-history.json} (every
 * archive kept, with its manifest summary and whether it was verified) and retention (keep the last N, delete the
 * oldest). Deleting the history file loses nothing: the numbering lives in the database
 * folder, and the file is rebuilt from what is there.
 *
 * <p>Used on the backup thread and by admin requests (synchronized per instance).
 */
final class BackupHistory {
    private static final Logger LOG = LoggerFactory.getLogger(BackupHistory.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path destination;
    private final String database;
    private final Pattern archiveName;

    BackupHistory(Path destination, String database) {
        this.destination = destination;
        this.database = database;
        this.archiveName = Pattern.compile(Pattern.quote(database) + "-(\\d{4,})\\.tar(\\.zst)?");
    }

    Path file() {
        return destination.resolve("backup-history.json");
    }

    /** The archives of this database in the destination, oldest first. */
    List<Path> archives() throws IOException {
        if (!Files.isDirectory(destination)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(destination)) {
            return s.filter(p -> archiveName.matcher(p.getFileName().toString()).matches())
                    .sorted((a, b) -> Long.compare(number(a), number(b))).toList();
        }
    }

    long number(Path archive) {
        Matcher m = archiveName.matcher(archive.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    /**
     * Deletes the oldest archives so that {@code keep} remain; returns the deleted files.
     * {@code keep} 0 or less keeps all.
     */
    synchronized List<Path> retain(int keep) throws IOException {
        List<Path> deleted = new ArrayList<>();
        if (keep <= 0) {
            return deleted;
        }
        List<Path> all = archives();
        for (int i = 0; i < all.size() - keep; i++) {
            Files.deleteIfExists(all.get(i));
            deleted.add(all.get(i));
        }
        return deleted;
    }

    /** Records an archive's outcome and rewrites the file to list exactly the archives present. */
    synchronized void record(long number, Path archive, long size, long start, long end, String status,
                             JsonNode manifest, ArchiveVerification verification) {
        try {
            List<ObjectNode> entries = new ArrayList<>();
            for (BackupHistoryEntry e : read()) {
                if (e.getNumber() != number) {
                    entries.add(toJson(e));
                }
            }
            if (archive != null && Files.exists(archive)) {
                ObjectNode n = JSON.createObjectNode();
                n.put("number", number);
                n.put("file", archive.getFileName().toString());
                n.put("size", size);
                n.put("start", start);
                n.put("end", end);
                n.put("status", status);
                n.put("verification", verification.name());
                if (manifest != null) {
                    n.put("partial", manifest.path("partial").asBoolean());
                    n.set("missingAttachments", manifest.path("missingAttachments"));
                    n.put("entries", manifest.path("entries").size());
                    n.put("fileFormat", manifest.path("fileFormat").asInt());
                    n.put("serverVersion", manifest.path("serverVersion").asText());
                }
                entries.add(n);
            }
            List<String> present = new ArrayList<>();
            for (Path p : archives()) {
                present.add(p.getFileName().toString());
            }
            entries.removeIf(e -> !present.contains(e.path("file").asText()));
            entries.sort((a, b) -> Long.compare(a.path("number").asLong(), b.path("number").asLong()));
            ObjectNode root = JSON.createObjectNode();
            root.put("database", database);
            ArrayNode arr = root.putArray("archives");
            entries.forEach(arr::add);
            DataLayout.writeAtomically(file(), JSON.writeValueAsBytes(root), true);
        } catch (IOException e) {
            LOG.warn("backup-history.json could not be written: {}", e.getMessage());
        }
    }

    /** The history as recorded (archives present without a record are listed from their names). */
    synchronized List<BackupHistoryEntry> read() throws IOException {
        List<BackupHistoryEntry> out = new ArrayList<>();
        List<String> recorded = new ArrayList<>();
        if (Files.isRegularFile(file())) {
            for (JsonNode n : JSON.readTree(file().toFile()).path("archives")) {
                BackupHistoryEntry.Builder b = BackupHistoryEntry.newBuilder().setNumber(n.path("number").asLong())
                        .setFile(n.path("file").asText()).setSize(n.path("size").asLong())
                        .setStartMillis(n.path("start").asLong()).setEndMillis(n.path("end").asLong())
                        .setStatus(n.path("status").asText())
                        .setOutcome(WireStates.outcome(n.path("status").asText())).setPartial(n.path("partial").asBoolean())
                        .setEntryCount(n.path("entries").asInt())
                        .setVerification(BackupState.verification(n.path("verification").asText("")));
                n.path("missingAttachments").forEach(m -> b.addMissingAttachments(m.asText()));
                out.add(b.build());
                recorded.add(n.path("file").asText());
            }
        }
        for (Path p : archives()) {
            String name = p.getFileName().toString();
            if (!recorded.contains(name)) {
                out.add(BackupHistoryEntry.newBuilder().setNumber(number(p)).setFile(name).setSize(Files.size(p))
                        .setStatus("UNKNOWN").setOutcome(BackupOutcome.BACKUP_OUTCOME_UNKNOWN).build());
            }
        }
        out.sort((a, b) -> Long.compare(a.getNumber(), b.getNumber()));
        return out;
    }

    private static ObjectNode toJson(BackupHistoryEntry e) {
        ObjectNode n = JSON.createObjectNode();
        n.put("number", e.getNumber());
        n.put("file", e.getFile());
        n.put("size", e.getSize());
        n.put("start", e.getStartMillis());
        n.put("end", e.getEndMillis());
        n.put("status", e.getStatus().toUpperCase(Locale.ROOT));
        n.put("partial", e.getPartial());
        ArrayNode miss = n.putArray("missingAttachments");
        e.getMissingAttachmentsList().forEach(miss::add);
        n.put("entries", e.getEntryCount());
        n.put("verification", e.getVerification().name());
        return n;
    }
}
