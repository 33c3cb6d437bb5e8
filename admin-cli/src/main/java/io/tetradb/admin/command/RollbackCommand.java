package io.tetradb.admin.command;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tetradb.admin.AdminMain;
import io.tetradb.client.TetraClient;
import io.tetradb.protocol.LogOperationInfo;
import io.tetradb.protocol.RollbackReport;
import io.tetradb.protocol.RollbackRequest;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;

/**
 * {@code tetra-admin rollback --to-op OP | --to-time T [--dry-run] [--limit N]} (docs/restore-with-log.md
 * , 4D's rollback): the running database brought back to a point. The server restores
 * the last archive before it in place (maintenance mode: other clients are told and
 * disconnected), brings it forward with the log to the point and cancels the operations after
 * it (they stay readable in their segment and are never integrated again); the replaced files
 * are kept in {@code Replaced Files (rollback)}. {@code --dry-run} changes nothing and lists
 * the operations that would be cancelled, one line each as {@code log show} prints them.
 * Admin role.
 *
 * <p>JSON ({@code --json}): {@code {"dryRun", "number", "archive", "lastOperationKept",
 * "operationsCancelled", "transactionsCancelled", "operations": [as log show], "truncated",
 * "replacedFilesDir", "settingsRestored"}} ({@code null} when it does not apply). The current
 * {@code Settings/} is kept unless {@code --restore-settings}.
 *
 * <p>Runs on the caller's thread (main).
 */
@Command(name = "rollback", description = "Bring the running database back to an operation or a time: the last "
        + "archive before it restored in place and the log integrated up to it; --dry-run lists what would be "
        + "cancelled.")
public final class RollbackCommand extends AdminCommand {
    @ArgGroup(exclusive = true, multiplicity = "1")
    private Point point;

    @Option(names = "--dry-run", description = "Change nothing: list the operations that would be cancelled.")
    private boolean dryRun;

    @Option(names = "--restore-settings", description = "Take the archive's Settings/ (backup.yml, hooks) too; by "
            + "default the current Settings/ is kept.")
    private boolean restoreSettings;

    @Option(names = "--limit", paramLabel = "N", description = "With --dry-run: list at most N operations (default "
            + "1000, at most 10000); the counts are of all of them.")
    private int limit = 1000;

    /** The point: exactly one of the two. */
    static final class Point {
        @Option(names = "--to-op", paramLabel = "OP", description = "Keep the transactions whose operations all "
                + "come at or before this operation; cancel the rest.")
        Long toOp;

        @Option(names = "--to-time", paramLabel = "TIME", description = "Keep the transactions committed at or "
                + "before this time (ISO-8601: 2026-12-01T10:14, with an offset, or a date); cancel the rest.")
        String toTime;
    }

    @Override
    public Integer call() {
        AdminMain main = main();
        if (limit < 1 || limit > 10_000) {
            throw usage("--limit must be from 1 to 10000.");
        }
        RollbackRequest.Builder req = RollbackRequest.newBuilder().setDryRun(dryRun).setLimit(limit)
                .setRestoreSettings(restoreSettings);
        if (point.toOp != null) {
            if (point.toOp < 1) {
                throw usage("--to-op: operations are numbered from 1.");
            }
            req.setToOperation(point.toOp);
        } else {
            try {
                req.setToTimeMillis(Times.parse("--to-time", point.toTime, true).toEpochMilli());
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            }
        }
        RollbackReport r;
        try (TetraClient client = main.connect()) {
            r = client.admin().rollback(req.build());
        }
        if (main.json()) {
            ObjectNode n = ArchiveRef.json(main.mapper(), r.getNumber(), r.getArchive());
            n.put("dryRun", r.getDryRun());
            n.put("lastOperationKept", r.getLastOperationKept());
            n.put("operationsCancelled", r.getOperationsCancelled());
            n.put("transactionsCancelled", r.getDryRun() ? r.getTransactionsCancelled() : null);
            ArrayNode ops = n.putArray("operations");
            r.getOperationsList().forEach(op -> LogCommand.Show.json(ops.addObject(), op));
            n.put("truncated", r.getTruncated());
            n.put("replacedFilesDir", r.getDryRun() ? null : r.getRestore().getReplacedFilesDir());
            n.put("settingsRestored", r.getDryRun() ? null : r.getRestore().getSettingsRestored());
            main.printJson(n);
            return OK;
        }
        PrintStream out = main.out();
        if (r.getDryRun()) {
            out.println("Dry run: nothing changed. A rollback would restore backup " + r.getNumber() + " in place, keep "
                    + "the operations up to " + r.getLastOperationKept() + " and cancel " + r.getOperationsCancelled()
                    + " operation(s) in " + r.getTransactionsCancelled() + " transaction(s):");
            for (LogOperationInfo op : r.getOperationsList()) {
                out.println(LogCommand.Show.line(op));
            }
            if (r.getTruncated()) {
                out.println("(" + r.getOperationsCount() + " listed; --limit reached, the counts above are of all)");
            }
        } else {
            RestoreCommand.printReport(main, "Backup " + r.getNumber(), r.getRestore());
            out.println("Rolled back: the database holds the operations up to " + r.getLastOperationKept() + "; "
                    + r.getOperationsCancelled() + " operation(s) cancelled.");
        }
        out.flush();
        return OK;
    }
}
