package io.tetradb.admin.command;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tetradb.admin.AdminMain;
import io.tetradb.admin.Display;
import io.tetradb.admin.TextTable;
import io.tetradb.client.TetraClient;
import io.tetradb.protocol.BackupHistory;
import io.tetradb.protocol.BackupHistoryEntry;
import io.tetradb.protocol.LogSegmentFile;
import io.tetradb.protocol.WireStates;
import picocli.CommandLine.Command;

import java.util.List;

/**
 * {@code tetra-admin backup history}: the archives kept in the destination
 * (backup-history.json). Admin role.
 *
 * <p>JSON ({@code --json}): {@code {"destination", "archives": [{"number", "file", "size",
 * "start", "end", "status", "partial", "missingAttachments", "entries", "verification",
 * "keyFingerprint", "lastOperation", "databaseId", "copies": [{"destination", "holds", "error"}],
 * "logSegments": [segment]}], "logSegments": [segment]}} ({@code keyFingerprint}: an encrypted
 * archive's key's, null for an unencrypted one; the text table then has a KEY FINGERPRINT column), a
 * segment as {@code log new --json} prints it; the top-level {@code logSegments} are those
 * archived by {@code log new} before any archive there (backup 0000).
 *
 * <p>Runs on the caller's thread (main).
 */
@Command(name = "history", description = "List the archives kept in the backup destination.")
public final class BackupHistoryCommand extends AdminCommand {
    @Override
    public Integer call() {
        AdminMain main = main();
        BackupHistory h;
        try (TetraClient client = main.connect()) {
            h = client.admin().backupHistory();
        }
        if (main.json()) {
            ObjectNode n = main.mapper().createObjectNode();
            n.put("destination", h.getDestination());
            ArrayNode arr = n.putArray("archives");
            for (BackupHistoryEntry e : h.getEntriesList()) {
                ObjectNode a = arr.addObject();
                a.put("number", e.getNumber());
                a.put("file", e.getFile());
                a.put("size", e.getSize());
                a.put("start", e.getStartMillis() == 0 ? null : Display.isoTime(e.getStartMillis()));
                a.put("end", e.getEndMillis() == 0 ? null : Display.isoTime(e.getEndMillis()));
                a.put("status", WireStates.word(WireStates.outcome(e)));
                a.put("partial", e.getPartial());
                ArrayNode m = a.putArray("missingAttachments");
                e.getMissingAttachmentsList().forEach(m::add);
                a.put("entries", e.getEntryCount());
                a.put("verification", BackupCommand.verification(e.getVerification()));
                a.put("keyFingerprint", e.hasKeyFingerprint() ? e.getKeyFingerprint() : null);
                a.put("lastOperation", e.getDatabaseId().isEmpty() ? null : e.getLastOperation());
                a.put("databaseId", e.getDatabaseId().isEmpty() ? null : e.getDatabaseId());
                BackupCommand.copies(a.putArray("copies"), e.getCopiesList());
                ArrayNode segs = a.putArray("logSegments");
                e.getLogSegmentsList().forEach(s -> segs.add(LogNewCommand.json(main, s)));
            }
            ArrayNode loose = n.putArray("logSegments");
            h.getLogSegmentsList().forEach(s -> loose.add(LogNewCommand.json(main, s)));
            main.printJson(n);
            return OK;
        }
        main.out().println("Destination: " + h.getDestination());
        // A column for the key only when some archive is encrypted.
        boolean encrypted = h.getEntriesList().stream().anyMatch(BackupHistoryEntry::hasKeyFingerprint);
        List<String> headers = new java.util.ArrayList<>(List.of("NUMBER", "FILE", "SIZE", "END", "STATUS",
                "VERIFIED"));
        if (encrypted) {
            headers.add("KEY FINGERPRINT");
        }
        TextTable table = new TextTable(headers, encrypted ? new boolean[]{true, false, true, false, false, false, false}
                : new boolean[]{true, false, true, false, false, false});
        for (BackupHistoryEntry e : h.getEntriesList()) {
            String v = BackupCommand.verification(e.getVerification());
            List<String> row = new java.util.ArrayList<>(List.of(Long.toString(e.getNumber()), e.getFile(),
                    Display.bytes(e.getSize()), e.getEndMillis() == 0 ? "" : Display.time(e.getEndMillis()),
                    WireStates.word(WireStates.outcome(e)) + (e.getPartial() ? " (partial)" : ""),
                    v == null ? "-" : v.toLowerCase(java.util.Locale.ROOT).replace('_', ' ')));
            if (encrypted) {
                row.add(e.hasKeyFingerprint() ? e.getKeyFingerprint() : "-");
            }
            table.add(row);
        }
        table.print(main.out());
        boolean several = h.getEntriesList().stream().anyMatch(e -> e.getCopiesCount() > 0);
        if (several) {
            // Several destinations: which hold each archive.
            main.out().println();
            TextTable copies = new TextTable(List.of("NUMBER", "DESTINATION", "HOLDS", "ERROR"),
                    new boolean[]{true, false, false, false});
            for (BackupHistoryEntry e : h.getEntriesList()) {
                for (io.tetradb.protocol.DestinationCopy c : e.getCopiesList()) {
                    copies.add(List.of(Long.toString(e.getNumber()), c.getDestination(), c.getHolds() ? "yes" : "no",
                            c.getHolds() ? "" : c.getError()));
                }
            }
            copies.print(main.out());
        }
        TextTable segments = new TextTable(List.of("BACKUP", "LOG SEGMENT", "OPERATIONS", "SIZE", "SHA-256"),
                new boolean[]{true, false, false, true, false});
        List<LogSegmentFile> all = new java.util.ArrayList<>(h.getLogSegmentsList());
        h.getEntriesList().forEach(e -> all.addAll(e.getLogSegmentsList()));
        all.sort(java.util.Comparator.comparingLong(LogSegmentFile::getBackup)
                .thenComparingInt(LogSegmentFile::getSequence));
        for (LogSegmentFile s : all) {
            segments.add(List.of(Long.toString(s.getBackup()), s.getFile(),
                    s.getSha256().isEmpty() ? "" : s.getLastOperation() < s.getFirstOperation() ? "none"
                            : s.getFirstOperation() + "-" + s.getLastOperation(),
                    Display.bytes(s.getSize()), s.getSha256()));
        }
        if (!all.isEmpty()) {
            main.out().println();
            segments.print(main.out());
        }
        int n = h.getEntriesCount();
        main.out().println("(" + n + " archive" + (n == 1 ? "" : "s") + ")");
        main.out().flush();
        return OK;
    }
}
