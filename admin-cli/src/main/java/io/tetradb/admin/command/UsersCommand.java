package io.tetradb.admin.command;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tetradb.admin.AdminMain;
import io.tetradb.admin.Display;
import io.tetradb.admin.TextTable;
import io.tetradb.client.TetraClient;
import io.tetradb.protocol.Role;
import io.tetradb.protocol.Roles;
import io.tetradb.protocol.UserInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.TypeConversionException;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * {@code tetra-admin users list | add NAME --role R | remove NAME | passwd NAME}. New
 * passwords come from $TETRA_NEW_PASSWORD, {@code --new-password-file}, or are asked
 * twice without echo; never from a plain flag value. Admin role.
 *
 * <p>Runs on the caller's thread (main).
 */
@Command(name = "users", description = "List, add and remove users; change passwords.",
        subcommands = {UsersCommand.ListUsers.class, UsersCommand.AddUser.class, UsersCommand.RemoveUser.class,
                UsersCommand.ChangePassword.class})
public final class UsersCommand extends AdminCommand {
    @Override
    public Integer call() {
        throw usage("Missing subcommand: list, add, remove or passwd.");
    }

    /** {@code users list}. */
    @Command(name = "list", description = "List the users and their roles.")
    public static final class ListUsers extends AdminCommand {
        @Override
        public Integer call() {
            AdminMain main = main();
            List<UserInfo> users;
            try (TetraClient client = main.connect()) {
                users = client.admin().users();
            }
            if (main.json()) {
                ArrayNode a = main.mapper().createArrayNode();
                for (UserInfo u : users) {
                    ObjectNode n = a.addObject();
                    n.put("name", u.getName());
                    n.put("role", Display.role(u.getRole()));
                    n.put("createdAt", Display.isoTime(u.getCreatedAtMillis()));
                }
                main.printJson(a);
                return OK;
            }
            TextTable t = new TextTable(List.of("NAME", "ROLE", "CREATED"), new boolean[3]);
            for (UserInfo u : users) {
                t.add(List.of(u.getName(), Display.role(u.getRole()), Display.time(u.getCreatedAtMillis())));
            }
            t.print(main.out());
            main.out().println("(" + users.size() + (users.size() == 1 ? " user)" : " users)"));
            main.out().flush();
            return OK;
        }
    }

    /** {@code users add NAME --role admin|user|reader}. */
    @Command(name = "add", description = "Add a user. Password: $TETRA_NEW_PASSWORD, --new-password-file FILE, "
            + "or asked twice on the console.")
    public static final class AddUser extends AdminCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "The new user's name.")
        private String name;

        @Option(names = "--role", required = true, paramLabel = "ROLE", converter = RoleConverter.class,
                completionCandidates = RoleNames.class,
                description = "admin (everything), user (SQL) or reader (read-only SQL).")
        private Role role;

        @Option(names = "--new-password-file", paramLabel = "FILE",
                description = "Read the new user's password from the first line of FILE.")
        private Path newPasswordFile;

        @Override
        public Integer call() {
            AdminMain main = main();
            withNewPassword(main, newPasswordFile, name, spec.commandLine(),
                    (client, password) -> client.admin().addUser(name, role, password));
            ObjectNode n = main.mapper().createObjectNode().put("user", name).put("role", Display.role(role))
                    .put("added", true);
            return report(main, n, "User " + name + " added with role " + Display.role(role) + ".");
        }
    }

    /** {@code users remove NAME}. */
    @Command(name = "remove", description = "Remove a user (not the last admin).")
    public static final class RemoveUser extends AdminCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "The user to remove.")
        private String name;

        @Override
        public Integer call() {
            AdminMain main = main();
            try (TetraClient client = main.connect()) {
                client.admin().removeUser(name);
            }
            return report(main, main.mapper().createObjectNode().put("user", name).put("removed", true),
                    "User " + name + " removed.");
        }
    }

    /** {@code users passwd NAME}. */
    @Command(name = "passwd", description = "Change a user's password: $TETRA_NEW_PASSWORD, "
            + "--new-password-file FILE, or asked twice on the console.")
    public static final class ChangePassword extends AdminCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "The user whose password changes.")
        private String name;

        @Option(names = "--new-password-file", paramLabel = "FILE",
                description = "Read the new password from the first line of FILE.")
        private Path newPasswordFile;

        @Override
        public Integer call() {
            AdminMain main = main();
            withNewPassword(main, newPasswordFile, name, spec.commandLine(),
                    (client, password) -> client.admin().setPassword(name, password));
            return report(main, main.mapper().createObjectNode().put("user", name).put("passwordChanged", true),
                    "Password of " + name + " changed.");
        }
    }

    /** Reads the new password (file, $TETRA_NEW_PASSWORD or the console), runs {@code action}, wipes it. */
    private static void withNewPassword(AdminMain main, Path file, String name, picocli.CommandLine commandLine,
                                        java.util.function.BiConsumer<TetraClient, char[]> action) {
        try (TetraClient client = main.connect()) {
            char[] password = main.newPassword(file, name, commandLine);
            try {
                action.accept(client, password);
            } finally {
                Arrays.fill(password, '\0');
            }
        }
    }

    /** Prints {@code json} with --json, else {@code text}; returns OK. */
    private static int report(AdminMain main, ObjectNode json, String text) {
        if (main.json()) {
            main.printJson(json);
        } else {
            main.out().println(text);
            main.out().flush();
        }
        return OK;
    }

    /** admin, user or reader (any case). */
    static final class RoleConverter implements ITypeConverter<Role> {
        @Override
        public Role convert(String value) {
            return Roles.parse(value).orElseThrow(
                    () -> new TypeConversionException("'" + value + "' is no role: use admin, user or reader"));
        }
    }

    /** The role names, for help and completion. */
    static final class RoleNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Roles.NAMES.iterator();
        }
    }
}
