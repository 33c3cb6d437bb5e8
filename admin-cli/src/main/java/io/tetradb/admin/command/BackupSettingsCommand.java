package io.tetradb.admin.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tetradb.admin.AdminMain;
import io.tetradb.client.TetraClient;
import io.tetradb.protocol.BackupSettingsReply;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code tetra-admin backup settings show | set KEY=VALUE ...}: the database's
 * {@code Settings/backup.yml}, read and changed on the server. Several assignments are
 * checked together and saved all or none. Admin role.
 *
 * <p>JSON ({@code --json}): {@code {"yaml": "...", "effective": {...every setting...}}}.
 *
 * <p>Runs on the caller's thread (main).
 */
@Command(name = "settings", description = "Show or change the backup settings (Settings/backup.yml).",
        subcommands = {BackupSettingsCommand.Show.class, BackupSettingsCommand.Set.class})
public final class BackupSettingsCommand extends AdminCommand {
    @Override
    public Integer call() {
        throw usage("Missing subcommand: show or set.");
    }

    static void print(AdminMain main, BackupSettingsReply reply) {
        if (main.json()) {
            ObjectNode n = main.mapper().createObjectNode();
            n.put("yaml", reply.getYaml());
            try {
                JsonNode effective = main.mapper().readTree(reply.getEffectiveJson());
                n.set("effective", effective);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            main.printJson(n);
        } else {
            main.out().println("# Settings/backup.yml (keys not set take their defaults; see 'backup settings show --json')");
            main.out().print(reply.getYaml().isBlank() || reply.getYaml().strip().equals("{}") ? "{}\n" : reply.getYaml());
            main.out().println("# effective settings:");
            main.out().println(reply.getEffectiveJson());
            main.out().flush();
        }
    }

    /** {@code backup settings show}. */
    @Command(name = "show", description = "Show backup.yml and every setting's effective value.")
    public static final class Show extends AdminCommand {
        @Override
        public Integer call() {
            AdminMain main = main();
            try (TetraClient client = main.connect()) {
                print(main, client.admin().backupSettings());
            }
            return OK;
        }
    }

    /** What begins an assignment: a dotted key and {@code =}. */
    private static final Pattern ASSIGNMENT = Pattern.compile("[A-Za-z][A-Za-z0-9]*(\\.[A-Za-z][A-Za-z0-9]*)*=");

    /**
     * The assignments in the words of the command line, values as typed: a word that does
     * not begin with {@code KEY=} continues the value before it, joined with one space, so
     * that {@code schedule.cron=0 3 * * *} unquoted (five words) is one value. Null when the
     * first word is not an assignment.
     */
    static List<String> assignments(List<String> words) {
        List<String> out = new ArrayList<>();
        for (String w : words) {
            if (ASSIGNMENT.matcher(w).lookingAt()) {
                out.add(w);
            } else if (out.isEmpty()) {
                return null;
            } else {
                out.set(out.size() - 1, out.get(out.size() - 1) + " " + w);
            }
        }
        return out;
    }

    /** {@code backup settings set KEY=VALUE ...}. */
    @Command(name = "set", description = "Change settings, for example archive.compression=compact "
            + "schedule.frequency=daily schedule.at=23:00 (an empty value removes the key). Values are taken "
            + "as typed; words after KEY=VALUE that are not KEY=VALUE continue its value. Quote a value "
            + "holding * ('schedule.cron=0 3 * * *'): unquoted, the shell may replace * with file names.")
    public static final class Set extends AdminCommand {
        @Parameters(arity = "1..*", paramLabel = "KEY=VALUE", description = "Dotted keys of backup.yml.")
        private List<String> words;

        @Override
        public Integer call() {
            List<String> assignments = assignments(words);
            if (assignments == null) {
                throw usage("Expected KEY=VALUE, got '" + words.get(0) + "'.");
            }
            AdminMain main = main();
            try (TetraClient client = main.connect()) {
                BackupSettingsReply reply = client.admin().setBackupSettings(assignments.toArray(String[]::new));
                if (main.json()) {
                    print(main, reply);
                } else {
                    main.out().println("Backup settings saved (" + String.join(", ", assignments) + ").");
                    main.out().flush();
                }
            }
            return OK;
        }
    }
}
