package io.tetradb.admin.command;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tetradb.admin.AdminMain;
import io.tetradb.client.TetraClient;
import io.tetradb.protocol.RestoreBackup;
import io.tetradb.protocol.RestoreReport;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tetra-admin restore <N|file> (--to DIR | --in-place)} (docs/backups.md). The
 * archive is checked while it is extracted (a damaged one gives 1411 and changes
 * nothing). {@code --to DIR} makes a new database folder on the server that
 * {@code tetra-server --data-dir DIR} opens; {@code --in-place} replaces the running
 * database: the server goes into maintenance (other clients are told; once it ends they are
 * disconnected with 2008 "The database was restored in place ...: connect again."), the current
 * files move to {@code Replaced Files (restore)}, and the database reopens. The current
 * {@code Settings/} is kept unless {@code --restore-settings} (then the archive's replaces it
 * and the previous one goes with the replaced files). Admin role.
 *
 * <p>The log brings the archive forward (docs/restore-with-log.md): the segments archived after it,
 * the closed ones in {@code Data/} and the current log file, to the last acknowledged commit,
 * or to {@code --until-op} / {@code --until-time}; {@code --no-log} restores the archive
 * alone. In place, the operations after the point (or after the archive) are cancelled: they
 * stay in their segments and are never integrated again (a new timeline).
 *
 * <p>JSON ({@code --json}): {@code {"number", "archive", "databaseDir", "inPlace",
 * "replacedFilesDir", "settingsRestored", "logIntegrated", "logSegments", "lastOperation", "transactionsIntegrated",
 * "operationsIntegrated", "integrationMillis", "stoppedAtPoint", "cancelledFirstOperation",
 * "cancelledLastOperation"}} ({@code null} when it does not apply).
 *
 * <p>Runs on the caller's thread (main).
 */
@Command(name = "restore", description = "Restore an archive on the server into a new folder (--to DIR) or over "
        + "the running database (--in-place, keeping the current Settings/ unless --restore-settings); --at TIME "
        + "--to DIR picks the archive for a time.")
public final class RestoreCommand extends AdminCommand {
    @picocli.CommandLine.Parameters(index = "0", arity = "0..1", paramLabel = "N|FILE", description = "A backup "
            + "number, or an archive file on the server (relative to the backup destination); none with --at.")
    private String archive;

    @Option(names = "--at", paramLabel = "TIME", description = "Instead of N|FILE: the last archive made before "
            + "this time, brought forward with the log to it (ISO-8601, as --until-time).")
    private String at;

    @ArgGroup(exclusive = true, multiplicity = "1")
    private Target target;

    @Option(names = "--no-log", description = "The archive alone, as it was when its backup closed the gate (by "
            + "default the log brings it forward to the last acknowledged commit).")
    private boolean noLog;

    @Option(names = "--until-op", paramLabel = "OP", description = "Stop the log at this operation "
            + "(the last transaction whose operations all come at or before it is applied, none after).")
    private Long untilOp;

    @Option(names = "--restore-settings", description = "With --in-place: take the archive's Settings/ "
            + "(backup.yml, hooks) too; by default the current Settings/ is kept (a copy goes with the replaced "
            + "files).")
    private boolean restoreSettings;

    @Option(names = "--until-time", paramLabel = "TIME", description = "Stop the log at this time "
            + "(ISO-8601: 2026-12-01T10:14, with an offset, or a date; the last transaction committed at or before it).")
    private String untilTime;

    /** Where the archive goes: exactly one of the two. */
    static final class Target {
        @Option(names = "--to", paramLabel = "DIR", description = "A new or empty folder on the server (a relative "
                + "path is beside the database folder); its name becomes the database's name.")
        String toDir;

        @Option(names = "--in-place", description = "Replace the running database (maintenance mode: other clients "
                + "are disconnected; the current files are kept in 'Replaced Files (restore)').")
        boolean inPlace;
    }

    /** An ISO-8601 time ({@link Times#parse}, a date meaning its last millisecond); a usage error otherwise. */
    private long millis(String option, String value) {
        try {
            return Times.parse(option, value, true).toEpochMilli();
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    /** "Backup N" (or the file's label); with --at, the backup it chose. */
    private static String label(ArchiveRef ref, RestoreReport r) {
        return ref != null ? ref.label(r.getNumber()) : "Backup " + r.getNumber() + " (the last before the time)";
    }

    @Override
    public Integer call() {
        AdminMain main = main();
        if ((archive == null) == (at == null)) {
            throw usage("Name the archive (N or FILE), or give --at TIME: one of the two.");
        }
        if (at != null && (noLog || untilOp != null || untilTime != null)) {
            throw usage("--at chooses the archive and the point itself: it goes without --no-log, --until-op and "
                    + "--until-time.");
        }
        ArchiveRef ref = archive == null ? null : ArchiveRef.parse(archive);
        if (!target.inPlace && target.toDir.isBlank()) {
            throw usage("--to needs a folder.");
        }
        if (noLog && (untilOp != null || untilTime != null)) {
            throw usage("--no-log integrates nothing: it goes without --until-op and --until-time.");
        }
        if (untilOp != null && untilOp < 1) {
            throw usage("--until-op: operations are numbered from 1.");
        }
        if (restoreSettings && !target.inPlace) {
            throw usage("--restore-settings goes with --in-place: a restore to a folder always holds the archive's "
                    + "Settings/.");
        }
        RestoreBackup.Builder req = RestoreBackup.newBuilder();
        if (ref == null) {
            req.setAtTimeMillis(millis("--at", at));
        } else if (ref.byNumber()) {
            req.setNumber(ref.number());
        } else {
            req.setFile(ref.file());
        }
        if (target.inPlace) {
            req.setInPlace(true).setRestoreSettings(restoreSettings);
        } else {
            req.setToDir(target.toDir);
        }
        req.setNoLog(noLog);
        if (untilOp != null) {
            req.setUntilOperation(untilOp);
        }
        if (untilTime != null) {
            req.setUntilTimeMillis(millis("--until-time", untilTime));
        }
        RestoreReport r;
        try (TetraClient client = main.connect()) {
            r = client.admin().restore(req.build());
        }
        if (main.json()) {
            ObjectNode n = ArchiveRef.json(main.mapper(), r.getNumber(), r.getArchive());
            n.put("at", at == null ? null : at);
            n.put("databaseDir", r.getDatabaseDir());
            n.put("inPlace", r.getInPlace());
            n.put("replacedFilesDir", r.getReplacedFilesDir().isEmpty() ? null : r.getReplacedFilesDir());
            n.put("settingsRestored", r.getInPlace() ? r.getSettingsRestored() : null);
            n.put("logIntegrated", r.getLogIntegrated());
            var segs = n.putArray("logSegments");
            r.getLogSegmentsList().forEach(segs::add);
            n.put("lastOperation", r.getLastOperation());
            n.put("transactionsIntegrated", r.getTransactionsIntegrated());
            n.put("operationsIntegrated", r.getOperationsIntegrated());
            n.put("integrationMillis", r.getIntegrationMillis());
            n.put("stoppedAtPoint", r.getStoppedAtPoint());
            n.put("cancelledFirstOperation", r.getCancelledLastOperation() == 0 ? null : r.getCancelledFirstOperation());
            n.put("cancelledLastOperation", r.getCancelledLastOperation() == 0 ? null : r.getCancelledLastOperation());
            main.printJson(n);
        } else {
            printReport(main, label(ref, r), r);
            if (!r.getInPlace()) {
                main.out().println("Open it with: tetra-server --data-dir " + r.getDatabaseDir());
            }
        }
        main.out().flush();
        return OK;
    }

    /** Which settings the database has after an in-place restore. */
    static String settingsLine(RestoreReport r) {
        return r.getSettingsRestored()
                ? "Settings: restored from the archive (the previous Settings/ is in the previous files)."
                : "Settings: kept: the current Settings/ (--restore-settings takes the archive's).";
    }

    /** What a restore did, as text (a rollback prints its restore so too). */
    static void printReport(AdminMain main, String label, RestoreReport r) {
        if (r.getInPlace()) {
            main.out().println(label + " restored in place; the database is open again.");
            main.out().println("Previous files: " + r.getReplacedFilesDir());
            main.out().println(settingsLine(r));
        } else {
            main.out().println(label + " restored into " + r.getDatabaseDir() + ".");
        }
        if (r.getLogIntegrated()) {
            main.out().println("Log: " + r.getTransactionsIntegrated() + " transaction(s), "
                    + r.getOperationsIntegrated() + " operation(s) integrated from "
                    + (r.getLogSegmentsCount() == 0 ? "no segment" : String.join(", ", r.getLogSegmentsList()))
                    + " in " + r.getIntegrationMillis() + " ms; the database holds operations up to "
                    + r.getLastOperation() + (r.getStoppedAtPoint() ? " (stopped at the point asked for)." : "."));
        } else {
            main.out().println("Without the log: the state when the backup closed its gate (operation "
                    + r.getLastOperation() + ").");
        }
        if (r.getCancelledLastOperation() > 0) {
            main.out().println("Cancelled: operations " + r.getCancelledFirstOperation() + " to "
                    + r.getCancelledLastOperation() + " (a new timeline: they stay readable in their segment and are"
                    + " never integrated again).");
        }
    }
}
