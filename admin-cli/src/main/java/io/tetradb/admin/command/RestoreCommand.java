package io.tetradb.admin.command;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tetradb.admin.AdminMain;
import io.tetradb.client.TetraClient;
import io.tetradb.protocol.RestoreReport;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tetra-admin restore <N|file> (--to DIR | --in-place)} (PRODUCT.md 4.9). The
 * archive is checked while it is extracted (a damaged one gives 1411 and changes
 * nothing). {@code --to DIR} makes a new database folder on the server that
 * {@code tetra-server --data-dir DIR} opens; {@code --in-place} replaces the running
 * database: the server goes into maintenance (other clients are told and disconnected),
 * the current files move to {@code Replaced Files (restore)}, and the database reopens.
 * Admin role.
 *
 * <p>JSON ({@code --json}): {@code {"number", "archive", "databaseDir", "inPlace",
 * "replacedFilesDir"}} ({@code null} when it does not apply).
 *
 * <p>Runs on the caller's thread (main).
 */
@Command(name = "restore", description = "Restore an archive on the server into a new folder (--to DIR) or over "
        + "the running database (--in-place).")
public final class RestoreCommand extends AdminCommand {
    @Mixin
    private ArchiveArgument archive;

    @ArgGroup(exclusive = true, multiplicity = "1")
    private Target target;

    /** Where the archive goes: exactly one of the two. */
    static final class Target {
        @Option(names = "--to", paramLabel = "DIR", description = "A new or empty folder on the server (a relative "
                + "path is beside the database folder); its name becomes the database's name.")
        String toDir;

        @Option(names = "--in-place", description = "Replace the running database (maintenance mode: other clients "
                + "are disconnected; the current files are kept in 'Replaced Files (restore)').")
        boolean inPlace;
    }

    @Override
    public Integer call() {
        AdminMain main = main();
        ArchiveRef ref = archive.ref();
        if (!target.inPlace && target.toDir.isBlank()) {
            throw usage("--to needs a folder.");
        }
        RestoreReport r;
        try (TetraClient client = main.connect()) {
            if (target.inPlace) {
                r = ref.byNumber() ? client.admin().restoreInPlace(ref.number())
                        : client.admin().restoreInPlace(ref.file());
            } else {
                r = ref.byNumber() ? client.admin().restoreBackup(ref.number(), target.toDir)
                        : client.admin().restoreBackup(ref.file(), target.toDir);
            }
        }
        if (main.json()) {
            ObjectNode n = ArchiveRef.json(main.mapper(), r.getNumber(), r.getArchive());
            n.put("databaseDir", r.getDatabaseDir());
            n.put("inPlace", r.getInPlace());
            n.put("replacedFilesDir", r.getReplacedFilesDir().isEmpty() ? null : r.getReplacedFilesDir());
            main.printJson(n);
        } else if (r.getInPlace()) {
            main.out().println(ref.label(r.getNumber()) + " restored in place; the database is open again.");
            main.out().println("Previous files: " + r.getReplacedFilesDir());
        } else {
            main.out().println(ref.label(r.getNumber()) + " restored into " + r.getDatabaseDir() + ".");
            main.out().println("Open it with: tetra-server --data-dir " + r.getDatabaseDir());
        }
        main.out().flush();
        return OK;
    }
}
