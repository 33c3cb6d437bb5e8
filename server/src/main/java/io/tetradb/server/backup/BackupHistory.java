package io.tetradb.server.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tetradb.protocol.ArchiveVerification;
import io.tetradb.protocol.BackupHistoryEntry;
import io.tetradb.protocol.BackupOutcome;
import io.tetradb.protocol.LogSegmentFile;
import io.tetradb.protocol.WireStates;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The archives of one database in a destination ({@link ArchiveStore}: a folder or a
 * bucket): {@code backup-history.json} (every
 * archive kept, with its manifest summary, whether it was verified and, when it is
 * encrypted, its key's fingerprint as {@code keyFingerprint}) and retention (keep the last N, delete the
 * oldest). Deleting the history file loses nothing: the numbering lives in the database
 * folder, and the file is rebuilt from what is there.
 *
 * <p>Used on the backup thread and by admin requests (synchronized per instance).
 */
final class BackupHistory {
    private static final Logger LOG = LoggerFactory.getLogger(BackupHistory.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    static final String FILE = "backup-history.json";

    private final ArchiveStore store;
    private final String database;
    private final Pattern archiveName;
    private final Pattern segmentName;

    BackupHistory(ArchiveStore store, String database) {
        this.store = store;
        this.database = database;
        this.archiveName = Pattern.compile(Pattern.quote(database) + "-(\\d{4,})\\.tar(\\.zst)?(\\.enc)?");
        this.segmentName = SegmentArchiver.archivePattern(database);
    }

    /** The archives of this database in the destination, oldest first. */
    List<ArchiveStore.Item> archives() throws IOException {
        return archives(store.list());
    }

    private List<ArchiveStore.Item> archives(List<ArchiveStore.Item> all) {
        return all.stream().filter(p -> archiveName.matcher(p.name()).matches())
                .sorted((a, b) -> Long.compare(number(a.name()), number(b.name()))).toList();
    }

    long number(String archive) {
        Matcher m = archiveName.matcher(archive);
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    /**
     * Deletes the oldest archives so that {@code keep} remain, then the log segments no kept
     * archive needs (see {@link #unneededSegments}); returns the deleted files.
     * {@code keep} 0 or less keeps all.
     *
     * @param current the number of the data archive just written with its log position (not
     *                recorded in the history yet), or -1
     */
    synchronized List<String> retain(int keep, long current) throws IOException {
        List<String> deleted = new ArrayList<>();
        if (keep <= 0) {
            return deleted;
        }
        List<ArchiveStore.Item> all = archives();
        for (int i = 0; i < all.size() - keep; i++) {
            store.delete(all.get(i).name());
            deleted.add(store.location(all.get(i).name()));
        }
        for (ArchiveStore.Item seg : unneededSegments(current)) {
            store.delete(seg.name());
            deleted.add(store.location(seg.name()));
        }
        return deleted;
    }

    /** The archived log segments of this database in the destination, in (backup, KK) order. */
    List<ArchiveStore.Item> segments() throws IOException {
        return segments(store.list());
    }

    private List<ArchiveStore.Item> segments(List<ArchiveStore.Item> all) {
        return all.stream().filter(p -> SegmentArchiver.parse(segmentName, p.name()) != null)
                .sorted(Comparator.comparingLong((ArchiveStore.Item p) -> segmentKey(p)[0])
                        .thenComparingLong(p -> segmentKey(p)[1]))
                .toList();
    }

    private long[] segmentKey(ArchiveStore.Item p) {
        return SegmentArchiver.parse(segmentName, p.name());
    }

    /**
     * The segments that no archive kept needs to be brought forward: with K the oldest
     * archive present whose record says it holds a data file with its log position
     * (a database id), segments N and N-KK for N &lt; K: their operations are all in archive
     * K already. Segment K itself (the operations that led to archive K) stays with its
     * archive, listed in its entry. Without such an archive (none kept, or
     * the history lost) none is deleted. {@code current}: as for {@link #retain}.
     */
    synchronized List<ArchiveStore.Item> unneededSegments(long current) throws IOException {
        long oldest = -1;
        List<String> present = archives().stream().map(ArchiveStore.Item::name).toList();
        for (BackupHistoryEntry e : read()) {
            if ((!e.getDatabaseId().isEmpty() || e.getNumber() == current) && present.contains(e.getFile())) {
                oldest = e.getNumber();
                break;
            }
        }
        List<ArchiveStore.Item> out = new ArrayList<>();
        if (oldest < 0) {
            return out;
        }
        for (ArchiveStore.Item p : segments()) {
            long[] k = segmentKey(p);
            if (k[0] < oldest) {
                out.add(p);
            }
        }
        return out;
    }

    /** The number of the newest archive in the destination (0 when there is none). */
    long newestArchive() throws IOException {
        List<ArchiveStore.Item> all = archives();
        return all.isEmpty() ? 0 : number(all.get(all.size() - 1).name());
    }

    /**
     * The archived segments backup-history.json records, whether or not the destination still
     * holds them ({@link #readAll} leaves out those it no longer holds): what a missing one was.
     */
    synchronized List<LogSegmentFile> recordedSegments() throws IOException {
        List<LogSegmentFile> out = new ArrayList<>();
        byte[] file = store.read(FILE);
        if (file != null) {
            JsonNode root = JSON.readTree(file);
            root.path("archives").forEach(n -> n.path("logSegments").forEach(x -> out.add(segmentFromJson(x))));
            root.path("logSegments").forEach(x -> out.add(segmentFromJson(x)));
        }
        return out;
    }

    /** The next KK for a `log new` segment after backup {@code backup}: one more than the highest there. */
    int nextSequence(long backup) throws IOException {
        long max = 0;
        for (ArchiveStore.Item p : segments()) {
            long[] k = segmentKey(p);
            if (k[0] == backup) {
                max = Math.max(max, k[1]);
            }
        }
        return (int) max + 1;
    }

    /** Records a segment archived by `log new` beside its backup's entry (or loose when that is absent). */
    synchronized void recordSegment(LogSegmentFile segment) {
        try {
            write(readAll(), null, segment);
        } catch (IOException e) {
            LOG.warn("backup-history.json could not be written in {}: {}", store.describe(), e.getMessage());
        }
    }

    /**
     * Records an archive's outcome (with the log segment archived with it, or null) and
     * rewrites the file to list exactly the archives and segments present.
     */
    synchronized void record(long number, String archive, long size, long start, long end, String status,
                             JsonNode manifest, ArchiveVerification verification, LogSegmentFile segment) {
        try {
            io.tetradb.protocol.BackupHistory h = readAll();
            BackupHistoryEntry added = null;
            if (archive != null && store.exists(archive)) {
                BackupHistoryEntry.Builder b = BackupHistoryEntry.newBuilder().setNumber(number)
                        .setFile(archive).setSize(size).setStartMillis(start)
                        .setEndMillis(end).setStatus(status).setVerification(verification);
                if (manifest != null) {
                    b.setPartial(manifest.path("partial").asBoolean()).setEntryCount(manifest.path("entries").size())
                            .setLastOperation(manifest.path("lastOperation").asLong())
                            .setDatabaseId(manifest.path("databaseId").asText(""));
                    manifest.path("missingAttachments").forEach(m -> b.addMissingAttachments(m.asText()));
                }
                String fingerprint = manifest != null
                        ? manifest.path("encryption").path("keyFingerprint").asText("") : fingerprint(store, archive);
                if (fingerprint != null && !fingerprint.isEmpty()) {
                    b.setKeyFingerprint(fingerprint);
                }
                if (store instanceof MultiArchiveStore multi) {
                    Map<String, String> failed = multi.failures(archive);
                    for (MultiArchiveStore.Member m : multi.members()) {
                        String why = failed.get(m.text());
                        b.addCopies(io.tetradb.protocol.DestinationCopy.newBuilder().setDestination(m.text())
                                .setHolds(why == null).setError(why == null ? "" : why));
                    }
                }
                added = b.build();
            }
            write(h, added, segment);
        } catch (IOException e) {
            LOG.warn("backup-history.json could not be written in {}: {}", store.describe(), e.getMessage());
        }
    }

    /**
     * Writes the history: {@code h}'s entries (entry {@code added}'s number replaced by it,
     * when given) and segments, plus {@code segment}, each segment beside its backup's entry;
     * only archives and segments present in the destination are listed.
     */
    private void write(io.tetradb.protocol.BackupHistory h, BackupHistoryEntry added, LogSegmentFile segment)
            throws IOException {
        List<BackupHistoryEntry> entries = new ArrayList<>();
        List<LogSegmentFile> segs = new ArrayList<>(h.getLogSegmentsList());
        for (BackupHistoryEntry e : h.getEntriesList()) {
            segs.addAll(e.getLogSegmentsList());
            if (added == null || e.getNumber() != added.getNumber()) {
                entries.add(e.toBuilder().clearLogSegments().build());
            }
        }
        if (added != null) {
            entries.add(added);
        }
        if (segment != null) {
            segs.removeIf(x -> x.getFile().equals(segment.getFile()));
            segs.add(segment);
        }
        List<ArchiveStore.Item> listed = store.list();
        List<String> present = new ArrayList<>();
        for (ArchiveStore.Item p : archives(listed)) {
            present.add(p.name());
        }
        List<String> presentSegments = new ArrayList<>();
        for (ArchiveStore.Item p : segments(listed)) {
            presentSegments.add(p.name());
        }
        entries.removeIf(e -> !present.contains(e.getFile()));
        segs.removeIf(x -> !presentSegments.contains(x.getFile()));
        entries.sort(Comparator.comparingLong(BackupHistoryEntry::getNumber));
        segs.sort(Comparator.comparingLong(LogSegmentFile::getBackup).thenComparingInt(LogSegmentFile::getSequence));
        ObjectNode root = JSON.createObjectNode();
        root.put("database", database);
        ArrayNode arr = root.putArray("archives");
        for (BackupHistoryEntry e : entries) {
            ObjectNode n = toJson(e);
            ArrayNode own = n.putArray("logSegments");
            segs.stream().filter(x -> x.getBackup() == e.getNumber()).forEach(x -> own.add(segmentJson(x)));
            arr.add(n);
        }
        ArrayNode loose = root.putArray("logSegments");
        segs.stream().filter(x -> entries.stream().noneMatch(e -> e.getNumber() == x.getBackup()))
                .forEach(x -> loose.add(segmentJson(x)));
        store.write(FILE, JSON.writeValueAsBytes(root));
    }

    /** The history as recorded (archives present without a record are listed from their names). */
    synchronized List<BackupHistoryEntry> read() throws IOException {
        return readAll().getEntriesList();
    }

    /**
     * The history as recorded, each segment beside its backup's entry (loose when that entry
     * is absent); archives and segments present without a record are listed from their names,
     * recorded ones no longer present are left out.
     */
    synchronized io.tetradb.protocol.BackupHistory readAll() throws IOException {
        List<BackupHistoryEntry.Builder> out = new ArrayList<>();
        List<String> recorded = new ArrayList<>();
        List<LogSegmentFile> segs = new ArrayList<>();
        byte[] file = store.read(FILE);
        List<ArchiveStore.Item> listed = store.list();
        if (file != null) {
            JsonNode root = JSON.readTree(file);
            for (JsonNode n : root.path("archives")) {
                BackupHistoryEntry.Builder b = BackupHistoryEntry.newBuilder().setNumber(n.path("number").asLong())
                        .setFile(n.path("file").asText()).setSize(n.path("size").asLong())
                        .setStartMillis(n.path("start").asLong()).setEndMillis(n.path("end").asLong())
                        .setStatus(n.path("status").asText())
                        .setOutcome(WireStates.outcome(n.path("status").asText())).setPartial(n.path("partial").asBoolean())
                        .setEntryCount(n.path("entries").asInt())
                        .setVerification(BackupState.verification(n.path("verification").asText("")))
                        .setLastOperation(n.path("lastOperation").asLong())
                        .setDatabaseId(n.path("databaseId").asText(""));
                n.path("missingAttachments").forEach(m -> b.addMissingAttachments(m.asText()));
                String fingerprint = n.path("keyFingerprint").asText("");
                if (!fingerprint.isEmpty()) {
                    b.setKeyFingerprint(fingerprint);
                }
                n.path("copies").forEach(c -> b.addCopies(io.tetradb.protocol.DestinationCopy.newBuilder()
                        .setDestination(c.path("destination").asText()).setHolds(c.path("holds").asBoolean())
                        .setError(c.path("error").asText(""))));
                n.path("logSegments").forEach(x -> segs.add(segmentFromJson(x)));
                out.add(b);
                recorded.add(n.path("file").asText());
            }
            root.path("logSegments").forEach(x -> segs.add(segmentFromJson(x)));
        }
        for (ArchiveStore.Item p : archives(listed)) {
            String name = p.name();
            if (!recorded.contains(name)) {
                BackupHistoryEntry.Builder b = BackupHistoryEntry.newBuilder().setNumber(number(name)).setFile(name)
                        .setSize(p.size()).setStatus("UNKNOWN").setOutcome(BackupOutcome.BACKUP_OUTCOME_UNKNOWN);
                String fingerprint = fingerprint(store, name);
                if (fingerprint != null) {
                    b.setKeyFingerprint(fingerprint);
                }
                out.add(b);
            }
        }
        List<String> present = new ArrayList<>();
        for (ArchiveStore.Item p : segments(listed)) {
            String name = p.name();
            present.add(name);
            if (segs.stream().noneMatch(x -> x.getFile().equals(name))) {
                long[] k = segmentKey(p);
                segs.add(LogSegmentFile.newBuilder().setFile(name).setSize(p.size()).setBackup(k[0])
                        .setSequence((int) k[1]).build());
            }
        }
        segs.removeIf(x -> !present.contains(x.getFile()));
        segs.sort(Comparator.comparingLong(LogSegmentFile::getBackup).thenComparingInt(LogSegmentFile::getSequence));
        out.sort(Comparator.comparingLong(BackupHistoryEntry.Builder::getNumber));
        if (store instanceof MultiArchiveStore multi) {
            // Which destinations hold each archive: as they are listed now, with the recorded error of a missing copy.
            List<MultiArchiveStore.Holdings> holdings = multi.holdings();
            for (BackupHistoryEntry.Builder b : out) {
                Map<String, String> recordedErrors = new java.util.HashMap<>();
                b.getCopiesList().forEach(c -> recordedErrors.put(c.getDestination(), c.getError()));
                b.clearCopies();
                for (MultiArchiveStore.Holdings hd : holdings) {
                    boolean holds = hd.error() == null && hd.names().contains(b.getFile());
                    String why = holds ? "" : hd.error() != null ? hd.error()
                            : recordedErrors.getOrDefault(hd.member().text(), "");
                    b.addCopies(io.tetradb.protocol.DestinationCopy.newBuilder().setDestination(hd.member().text())
                            .setHolds(holds).setError(holds || !why.isEmpty() ? why : "not copied there yet"));
                }
            }
        }
        io.tetradb.protocol.BackupHistory.Builder h = io.tetradb.protocol.BackupHistory.newBuilder();
        for (BackupHistoryEntry.Builder b : out) {
            segs.stream().filter(x -> x.getBackup() == b.getNumber()).forEach(b::addLogSegments);
            h.addEntries(b);
        }
        segs.stream().filter(x -> out.stream().noneMatch(b -> b.getNumber() == x.getBackup()))
                .forEach(h::addLogSegments);
        return h.build();
    }

    /**
     * Several destinations: copies every archive and segment of this database that a
     * destination lacks there from one that holds it, then rewrites the history (in each)
     * with the error of each copy still missing. Retention ({@code keep}, 0 keeps all) runs
     * over every destination first. Returns the copies still missing (empty when every
     * destination holds everything).
     */
    synchronized Map<String, Map<String, String>> copyMissing(MultiArchiveStore multi, int keep) {
        if (keep > 0) {
            // First retention over every destination: a destination that was away may still hold archives
            // retention deleted from the others meanwhile; they go, rather than being copied back.
            try {
                retain(keep, -1);
            } catch (IOException e) {
                LOG.warn("Retention before copying to the backup destinations failed: {}", e.getMessage());
            }
        }
        Map<String, Map<String, String>> missing = multi.copyMissing(
                n -> archiveName.matcher(n).matches() || SegmentArchiver.parse(segmentName, n) != null);
        try {
            io.tetradb.protocol.BackupHistory h = readAll();
            io.tetradb.protocol.BackupHistory.Builder nb = h.toBuilder().clearEntries();
            for (BackupHistoryEntry e : h.getEntriesList()) {
                BackupHistoryEntry.Builder b = e.toBuilder().clearCopies();
                for (io.tetradb.protocol.DestinationCopy c : e.getCopiesList()) {
                    String why = missing.getOrDefault(c.getDestination(), Map.of()).get(e.getFile());
                    b.addCopies(c.toBuilder().setError(c.getHolds() ? "" : why != null ? why : c.getError()));
                }
                nb.addEntries(b);
            }
            write(nb.build(), null, null);
        } catch (IOException e) {
            LOG.warn("backup-history.json could not be written in {}: {}", store.describe(), e.getMessage());
        }
        return missing;
    }

    /**
     * The key fingerprint in the header of encrypted archive {@code name} where the destination
     * holds it as a file (a folder), for an archive whose manifest is not at hand (a backup the
     * server stopped during, an archive without a record); null when it is not encrypted, is
     * not a file here (a bucket) or cannot be read.
     */
    static String fingerprint(ArchiveStore store, String name) {
        if (!name.endsWith(EncryptedFile.SUFFIX)) {
            return null;
        }
        java.nio.file.Path file = store.localFile(name);
        try {
            return file != null && java.nio.file.Files.isRegularFile(file) ? EncryptedFile.fingerprint(file) : null;
        } catch (IOException e) {
            LOG.debug("The header of {} could not be read: {}", file, e.getMessage());
            return null;
        }
    }

    private static ObjectNode segmentJson(LogSegmentFile x) {
        ObjectNode n = JSON.createObjectNode();
        n.put("file", x.getFile());
        n.put("backup", x.getBackup());
        n.put("sequence", x.getSequence());
        n.put("firstOperation", x.getFirstOperation());
        n.put("lastOperation", x.getLastOperation());
        n.put("size", x.getSize());
        n.put("sha256", x.getSha256());
        n.put("contentSha256", x.getContentSha256());
        n.put("contentSize", x.getContentSize());
        ArrayNode segs = n.putArray("segments");
        x.getSegmentsList().forEach(segs::add);
        n.put("archivedAt", x.getArchivedAtMillis());
        return n;
    }

    private static LogSegmentFile segmentFromJson(JsonNode n) {
        LogSegmentFile.Builder b = LogSegmentFile.newBuilder().setFile(n.path("file").asText())
                .setBackup(n.path("backup").asLong()).setSequence(n.path("sequence").asInt())
                .setFirstOperation(n.path("firstOperation").asLong()).setLastOperation(n.path("lastOperation").asLong())
                .setSize(n.path("size").asLong()).setSha256(n.path("sha256").asText(""))
                .setContentSha256(n.path("contentSha256").asText("")).setContentSize(n.path("contentSize").asLong())
                .setArchivedAtMillis(n.path("archivedAt").asLong());
        n.path("segments").forEach(v -> b.addSegments(v.asLong()));
        return b.build();
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
        if (!e.getDatabaseId().isEmpty()) {
            n.put("lastOperation", e.getLastOperation());
            n.put("databaseId", e.getDatabaseId());
        }
        if (e.hasKeyFingerprint()) {
            // Only for an encrypted archive: the fingerprint of its key (docs/backup-encryption.md).
            n.put("keyFingerprint", e.getKeyFingerprint());
        }
        if (e.getCopiesCount() > 0) {
            ArrayNode copies = n.putArray("copies");
            for (io.tetradb.protocol.DestinationCopy c : e.getCopiesList()) {
                ObjectNode cn = copies.addObject();
                cn.put("destination", c.getDestination());
                cn.put("holds", c.getHolds());
                if (!c.getError().isEmpty()) {
                    cn.put("error", c.getError());
                }
            }
        }
        return n;
    }
}
