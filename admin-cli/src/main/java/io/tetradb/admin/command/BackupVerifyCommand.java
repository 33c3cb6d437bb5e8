package io.tetradb.admin.command;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tetradb.admin.AdminMain;
import io.tetradb.client.TetraClient;
import io.tetradb.protocol.VerifyReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code tetra-admin backup verify <N|file>} (docs/backups.md): the server checks every
 * checksum of the archive, then opens the restored database and reads every table. A
 * damaged archive exits 1 with error 1411 naming the entry or the reason; a missing one
 * with 2010. Admin role.
 *
 * <p>JSON ({@code --json}): {@code {"number", "archive", "entries", "tables", "rows",
 * "verified": true}}.
 *
 * <p>Runs on the caller's thread (main).
 */
@Command(name = "verify", description = "Verify an archive on the server: every checksum, then the restored "
        + "database opens and every table reads back.")
public final class BackupVerifyCommand extends AdminCommand {
    @Mixin
    private ArchiveArgument archive;

    @Override
    public Integer call() {
        AdminMain main = main();
        ArchiveRef ref = archive.ref();
        VerifyReport r;
        try (TetraClient client = main.connect()) {
            r = ref.byNumber() ? client.admin().verifyBackup(ref.number()) : client.admin().verifyBackup(ref.file());
        }
        if (main.json()) {
            ObjectNode n = ArchiveRef.json(main.mapper(), r.getNumber(), r.getArchive());
            n.put("entries", r.getEntries());
            n.put("tables", r.getTables());
            n.put("rows", r.getRows());
            n.put("verified", true);
            n.put("logChecked", r.getLogChecked());
            var segs = n.putArray("logSegments");
            r.getLogSegmentsList().forEach(segs::add);
            n.put("logLastOperation", r.getLogChecked() ? r.getLogLastOperation() : null);
            main.printJson(n);
        } else {
            main.out().println(ref.label(r.getNumber()) + " verified: " + r.getEntries() + " entries match their "
                    + "checksums; the database opens and reads back (" + r.getTables() + " tables, " + r.getRows()
                    + " rows).");
            if (r.getLogChecked()) {
                main.out().println("Log: unbroken from the archive to operation " + r.getLogLastOperation() + " ("
                        + (r.getLogSegmentsCount() == 0 ? "no segment" : String.join(", ", r.getLogSegmentsList()))
                        + ", every checksum matches).");
            }
            main.out().println("Archive: " + r.getArchive());
            main.out().flush();
        }
        return OK;
    }
}
