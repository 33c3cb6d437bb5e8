package io.tetradb.admin.command;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.tetradb.admin.AdminMain;
import io.tetradb.client.TetraClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;

/**
 * {@code tetra-admin backup journal [--tail N]}: the lines of the server's
 * {@code Logs/backup-journal.txt}. Admin role.
 *
 * <p>JSON ({@code --json}): an array of {@code {"time", "number", "event", "fields"}}.
 *
 * <p>Runs on the caller's thread (main).
 */
@Command(name = "journal", description = "Show the backup journal (Logs/backup-journal.txt).")
public final class BackupJournalCommand extends AdminCommand {
    @Option(names = "--tail", paramLabel = "N", description = "Only the last N lines (default: all).")
    private int tail;

    @Override
    public Integer call() {
        if (tail < 0) {
            throw usage("--tail must not be negative.");
        }
        AdminMain main = main();
        List<String> lines;
        try (TetraClient client = main.connect()) {
            lines = client.admin().backupJournal(tail);
        }
        if (main.json()) {
            ArrayNode arr = main.mapper().createArrayNode();
            for (String l : lines) {
                String[] f = l.split("\t", 4);
                var o = arr.addObject();
                o.put("time", f[0]);
                o.put("number", f.length > 1 ? Long.parseLong(f[1]) : 0);
                o.put("event", f.length > 2 ? f[2] : "");
                o.put("fields", f.length > 3 ? f[3] : "");
            }
            main.printJson(arr);
            return OK;
        }
        for (String l : lines) {
            main.out().println(l);
        }
        main.out().flush();
        return OK;
    }
}
