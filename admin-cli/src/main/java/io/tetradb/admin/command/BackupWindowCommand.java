package io.tetradb.admin.command;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tetradb.admin.AdminMain;
import io.tetradb.admin.Display;
import io.tetradb.admin.TextTable;
import io.tetradb.client.TetraClient;
import io.tetradb.protocol.ArchiveWindow;
import io.tetradb.protocol.BackupWindow;
import io.tetradb.protocol.LogGap;
import io.tetradb.protocol.TimelineCut;
import picocli.CommandLine.Command;

import java.util.List;

/**
 * {@code tetra-admin backup window} (docs/restore-with-log.md): what each archive kept can be brought
 * to with the log: from the operation it holds to the end of the unbroken log after it (the
 * last commit when it reaches the current log), and every gap in the log (a segment missing
 * or failing its checksum). Admin role.
 *
 * <p>JSON ({@code --json}): {@code {"logLastOperation", "archives": [{"number", "file",
 * "backupStart", "logPosition", "fromOperation", "toOperation", "toCurrent", "cancelledTimeline"}],
 * "gaps": [{"firstOperation", "lastOperation", "segment", "reason"}], "cancelled":
 * [{"firstOperation", "lastOperation", "at", "reason"}]}} ({@code null} when it does not apply).
 *
 * <p>Runs on the caller's thread (main).
 */
@Command(name = "window", description = "What each archive can be brought to with the log, and the gaps in the log.")
public final class BackupWindowCommand extends AdminCommand {
    @Override
    public Integer call() {
        AdminMain main = main();
        BackupWindow w;
        try (TetraClient client = main.connect()) {
            w = client.admin().backupWindow();
        }
        if (main.json()) {
            ObjectNode n = main.mapper().createObjectNode();
            n.put("logLastOperation", w.getLogLastOperation());
            ArrayNode arr = n.putArray("archives");
            for (ArchiveWindow a : w.getArchivesList()) {
                ObjectNode o = arr.addObject();
                o.put("number", a.getNumber());
                o.put("file", a.getFile());
                o.put("backupStart", a.getBackupStartMillis() == 0 ? null : Display.isoTime(a.getBackupStartMillis()));
                o.put("logPosition", a.getLogPosition());
                o.put("fromOperation", a.getLogPosition() ? a.getFromOperation() : null);
                o.put("toOperation", a.getLogPosition() ? a.getToOperation() : null);
                o.put("toCurrent", a.getToCurrent());
                o.put("cancelledTimeline", a.getCancelledTimeline());
            }
            ArrayNode gaps = n.putArray("gaps");
            for (LogGap g : w.getGapsList()) {
                ObjectNode o = gaps.addObject();
                o.put("firstOperation", g.getFirstOperation());
                o.put("lastOperation", g.getLastOperation());
                o.put("segment", g.getSegment().isEmpty() ? null : g.getSegment());
                o.put("reason", g.getReason());
            }
            ArrayNode cuts = n.putArray("cancelled");
            for (TimelineCut c : w.getCancelledList()) {
                ObjectNode o = cuts.addObject();
                o.put("firstOperation", c.getFirstOperation());
                o.put("lastOperation", c.getLastOperation());
                o.put("at", Display.isoTime(c.getAtMillis()));
                o.put("reason", c.getReason());
            }
            main.printJson(n);
            return OK;
        }
        TextTable table = new TextTable(List.of("NUMBER", "FILE", "BACKUP START", "FROM OP", "TO OP", "REACHES"),
                new boolean[]{true, false, false, true, true, false});
        for (ArchiveWindow a : w.getArchivesList()) {
            table.add(List.of(Long.toString(a.getNumber()), a.getFile(),
                    a.getBackupStartMillis() == 0 ? "" : Display.time(a.getBackupStartMillis()),
                    a.getLogPosition() ? Long.toString(a.getFromOperation()) : "-",
                    a.getLogPosition() ? Long.toString(a.getToOperation()) : "-",
                    !a.getLogPosition() ? "made before the log: --no-log only"
                            : a.getCancelledTimeline() ? "a cancelled history: --no-log --to only"
                            : a.getToCurrent() ? "the last commit" : "a gap (below)"));
        }
        table.print(main.out());
        main.out().println("The log's last operation: " + w.getLogLastOperation() + ".");
        if (w.getGapsCount() == 0) {
            main.out().println("No gap in the log after the oldest archive.");
        }
        for (LogGap g : w.getGapsList()) {
            main.out().println("Gap: operations " + g.getFirstOperation() + " to " + g.getLastOperation()
                    + (g.getSegment().isEmpty() ? "" : ", " + g.getSegment()) + ": " + g.getReason() + ".");
        }
        for (TimelineCut c : w.getCancelledList()) {
            main.out().println("Cancelled: operations " + c.getFirstOperation() + " to " + c.getLastOperation()
                    + " at " + Display.time(c.getAtMillis()) + " (" + c.getReason() + "); never integrated again.");
        }
        main.out().flush();
        return OK;
    }
}
