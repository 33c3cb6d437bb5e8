package io.tetradb.admin.command;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tetradb.admin.AdminMain;
import io.tetradb.admin.Display;
import io.tetradb.client.TetraClient;
import io.tetradb.protocol.LogSegmentFile;
import picocli.CommandLine.Command;

/**
 * {@code tetra-admin log new}: closes the log's current segment without a backup; the server
 * archives it in the backup destination as {@code <name>-NNNN-KK.journal.zst} (docs/log-file.md
 * ). Admin role.
 *
 * <p>JSON ({@code --json}): a segment, as {@code backup history} shows them:
 * {@code {"file", "backup", "sequence", "firstOperation", "lastOperation", "size", "sha256",
 * "contentSha256", "contentSize", "segments", "archivedAt"}}.
 *
 * <p>Runs on the caller's thread (main).
 */
@Command(name = "new", description = "Close the current log segment without a backup and archive it in the backup "
        + "destination (<name>-NNNN-KK.journal.zst).")
public final class LogNewCommand extends AdminCommand {
    @Override
    public Integer call() {
        AdminMain main = main();
        LogSegmentFile s;
        try (TetraClient client = main.connect()) {
            s = client.admin().logNew();
        }
        if (main.json()) {
            main.printJson(json(main, s));
            return OK;
        }
        main.out().println("Archived " + s.getFile() + ": " + operations(s) + ", " + Display.bytes(s.getSize())
                + ", SHA-256 " + s.getSha256());
        main.out().flush();
        return OK;
    }

    /** "operations A to B" (or "no operations"). */
    static String operations(LogSegmentFile s) {
        return s.getLastOperation() < s.getFirstOperation() ? "no operations"
                : "operations " + s.getFirstOperation() + " to " + s.getLastOperation();
    }

    /** A segment as JSON (also used by {@code backup history --json}). */
    static ObjectNode json(AdminMain main, LogSegmentFile s) {
        ObjectNode n = main.mapper().createObjectNode();
        n.put("file", s.getFile());
        n.put("backup", s.getBackup());
        n.put("sequence", s.getSequence());
        n.put("firstOperation", s.getFirstOperation());
        n.put("lastOperation", s.getLastOperation());
        n.put("size", s.getSize());
        n.put("sha256", s.getSha256().isEmpty() ? null : s.getSha256());
        n.put("contentSha256", s.getContentSha256().isEmpty() ? null : s.getContentSha256());
        n.put("contentSize", s.getContentSize());
        ArrayNode segs = n.putArray("segments");
        s.getSegmentsList().forEach(segs::add);
        n.put("archivedAt", s.getArchivedAtMillis() == 0 ? null : Display.isoTime(s.getArchivedAtMillis()));
        return n;
    }
}
