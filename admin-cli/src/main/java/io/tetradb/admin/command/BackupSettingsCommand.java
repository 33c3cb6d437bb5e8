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
import java.util.List;

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

    /** {@code backup settings set KEY=VALUE ...}. */
    @Command(name = "set", description = "Change settings, for example archive.compression=compact "
            + "schedule.frequency=daily schedule.at=23:00 (an empty value removes the key).")
    public static final class Set extends AdminCommand {
        @Parameters(arity = "1..*", paramLabel = "KEY=VALUE", description = "Dotted keys of backup.yml.")
        private List<String> assignments;

        @Override
        public Integer call() {
            for (String a : assignments) {
                if (a.indexOf('=') <= 0) {
                    throw usage("Expected KEY=VALUE, got '" + a + "'.");
                }
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
