package io.tetradb.admin.command;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tetradb.admin.AdminMain;
import io.tetradb.admin.Display;
import io.tetradb.admin.TextTable;
import io.tetradb.client.TetraClient;
import io.tetradb.protocol.ReplacedEntry;
import io.tetradb.protocol.ReplacedFilesList;
import io.tetradb.protocol.ReplacedFilesRemoved;
import io.tetradb.protocol.ReplacedFolder;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.util.List;

/**
 * {@code tetra-admin replaced list | remove NAME | remove --all}: the
 * {@code Replaced Files (...)} folders of the server's database, which keep what in-place
 * restores ({@code restore}), rollbacks ({@code rollback}), the automatic restore at start
 * ({@code damaged}) and conversions ({@code Data/Replaced Files (conversion)}) replaced; and
 * deleting one, one of its entries ({@code restore/20261201-101530}) or all of them (the
 * server refuses it with 1417 while an in-place restore or a rollback runs, and never follows
 * a symbolic link out). Admin role.
 *
 * <p>JSON ({@code --json}): list {@code {"folders": [{"name", "kind", "origin", "sizeBytes",
 * "files", "oldest", "newest", "entries": [{"name", "time", "sizeBytes", "files"}]}],
 * "totalBytes"}}; remove {@code {"removed": [paths], "freedBytes", "files"}}.
 *
 * <p>Runs on the caller's thread (main).
 */
@Command(name = "replaced", description = "List or remove the 'Replaced Files (...)' folders that restores, "
        + "rollbacks, the automatic restore and conversions leave in the database folder.",
        subcommands = {ReplacedCommand.ListReplaced.class, ReplacedCommand.RemoveReplaced.class})
public final class ReplacedCommand extends AdminCommand {
    @Override
    public Integer call() {
        throw usage("Missing subcommand: list, or remove NAME | --all.");
    }

    /** {@code replaced list}. */
    @Command(name = "list", description = "Each 'Replaced Files (...)' folder: what put it there, its entries, "
            + "when, size and number of files.")
    public static final class ListReplaced extends AdminCommand {
        @Override
        public Integer call() {
            AdminMain main = main();
            ReplacedFilesList l;
            try (TetraClient client = main.connect()) {
                l = client.admin().replacedFiles();
            }
            if (main.json()) {
                ObjectNode n = main.mapper().createObjectNode();
                ArrayNode folders = n.putArray("folders");
                for (ReplacedFolder f : l.getFoldersList()) {
                    ObjectNode o = folders.addObject();
                    o.put("name", f.getName());
                    o.put("kind", f.getKind());
                    o.put("origin", f.getOrigin());
                    o.put("sizeBytes", f.getSizeBytes());
                    o.put("files", f.getFiles());
                    o.put("oldest", f.getOldestMillis() == 0 ? null : Display.isoTime(f.getOldestMillis()));
                    o.put("newest", f.getNewestMillis() == 0 ? null : Display.isoTime(f.getNewestMillis()));
                    ArrayNode entries = o.putArray("entries");
                    for (ReplacedEntry e : f.getEntriesList()) {
                        ObjectNode en = entries.addObject();
                        en.put("name", e.getName());
                        en.put("time", Display.isoTime(e.getModifiedMillis()));
                        en.put("sizeBytes", e.getSizeBytes());
                        en.put("files", e.getFiles());
                    }
                }
                n.put("totalBytes", l.getTotalBytes());
                main.printJson(n);
                return OK;
            }
            PrintStream out = main.out();
            if (l.getFoldersCount() == 0) {
                out.println("No 'Replaced Files' folders.");
                out.flush();
                return OK;
            }
            TextTable t = new TextTable(List.of("NAME", "FILES", "SIZE", "WHEN", "PUT THERE BY"),
                    new boolean[] {false, true, true, false, false});
            for (ReplacedFolder f : l.getFoldersList()) {
                String when = f.getOldestMillis() == 0 ? "(empty)" : f.getOldestMillis() == f.getNewestMillis()
                        ? Display.time(f.getOldestMillis())
                        : Display.time(f.getOldestMillis()) + " to " + Display.time(f.getNewestMillis());
                t.add(List.of(f.getName(), String.valueOf(f.getFiles()), Display.bytes(f.getSizeBytes()), when,
                        f.getOrigin()));
                for (ReplacedEntry e : f.getEntriesList()) {
                    t.add(List.of("  " + e.getName(), String.valueOf(e.getFiles()), Display.bytes(e.getSizeBytes()),
                            Display.time(e.getModifiedMillis()), ""));
                }
            }
            t.print(out);
            out.println("Total: " + Display.bytes(l.getTotalBytes()) + " in " + l.getFoldersCount()
                    + (l.getFoldersCount() == 1 ? " folder" : " folders")
                    + ". Remove with: tetra-admin replaced remove NAME (a folder, its kind, or KIND/ENTRY) | --all");
            out.flush();
            return OK;
        }
    }

    /** {@code replaced remove NAME | --all}. */
    @Command(name = "remove", description = "Delete a 'Replaced Files (...)' folder (by name or kind: restore, "
            + "rollback, damaged, conversion), one entry (restore/20261201-101530), or --all; refused while an "
            + "in-place restore or a rollback runs.")
    public static final class RemoveReplaced extends AdminCommand {
        @ArgGroup(exclusive = true, multiplicity = "1")
        private What what;

        /** What to remove: exactly one of the two. */
        static final class What {
            @Parameters(index = "0", paramLabel = "NAME", description = "A folder as 'replaced list' shows it, its "
                    + "kind, or FOLDER/ENTRY.")
            String name;

            @Option(names = "--all", description = "Every 'Replaced Files (...)' folder.")
            boolean all;
        }

        @Override
        public Integer call() {
            AdminMain main = main();
            if (!what.all && what.name.isBlank()) {
                throw usage("Name the folder to remove, or give --all.");
            }
            ReplacedFilesRemoved r;
            try (TetraClient client = main.connect()) {
                r = what.all ? client.admin().removeAllReplacedFiles() : client.admin().removeReplacedFiles(what.name);
            }
            if (main.json()) {
                ObjectNode n = main.mapper().createObjectNode();
                ArrayNode removed = n.putArray("removed");
                r.getRemovedList().forEach(removed::add);
                n.put("freedBytes", r.getFreedBytes());
                n.put("files", r.getFiles());
                main.printJson(n);
                return OK;
            }
            PrintStream out = main.out();
            if (r.getRemovedCount() == 0) {
                out.println("Nothing to remove: there are no 'Replaced Files' folders.");
            } else {
                for (String p : r.getRemovedList()) {
                    out.println("Removed " + p);
                }
                out.println("Freed " + Display.bytes(r.getFreedBytes()) + " (" + r.getFreedBytes() + " bytes, "
                        + r.getFiles() + (r.getFiles() == 1 ? " file)." : " files)."));
            }
            out.flush();
            return OK;
        }
    }
}
