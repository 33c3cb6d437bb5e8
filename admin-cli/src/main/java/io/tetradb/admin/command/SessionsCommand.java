package io.tetradb.admin.command;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tetradb.admin.AdminMain;
import io.tetradb.admin.Display;
import io.tetradb.admin.TextTable;
import io.tetradb.client.TetraClient;
import io.tetradb.protocol.SessionInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.util.List;

/**
 * {@code tetra-admin sessions list | kill ID}: the server's open sessions, and ending
 * one (its client is told and disconnected). Admin role.
 *
 * <p>Runs on the caller's thread (main).
 */
@Command(name = "sessions", description = "List the open sessions or end one.",
        subcommands = {SessionsCommand.ListSessions.class, SessionsCommand.KillSession.class})
public final class SessionsCommand extends AdminCommand {
    @Override
    public Integer call() {
        throw usage("Missing subcommand: list or kill ID.");
    }

    /** {@code sessions list}. */
    @Command(name = "list", description = "List the open sessions (* marks this one).")
    public static final class ListSessions extends AdminCommand {
        @Override
        public Integer call() {
            AdminMain main = main();
            List<SessionInfo> sessions;
            long self;
            try (TetraClient client = main.connect()) {
                self = client.sessionId();
                sessions = client.admin().sessions();
            }
            if (main.json()) {
                ArrayNode a = main.mapper().createArrayNode();
                for (SessionInfo s : sessions) {
                    ObjectNode n = a.addObject();
                    n.put("id", s.getId());
                    n.put("user", s.getUser());
                    n.put("role", Display.role(s.getRole()));
                    n.put("client", s.getClientName());
                    n.put("remoteAddress", s.getRemoteAddress());
                    n.put("connectedAt", Display.isoTime(s.getConnectedAtMillis()));
                    n.put("inTransaction", s.getInTransaction());
                    n.put("requestsInFlight", s.getRequestsInFlight());
                    n.put("requestsDone", s.getRequestsDone());
                    n.put("current", s.getId() == self);
                }
                main.printJson(a);
                return OK;
            }
            TextTable t = new TextTable(List.of("ID", "USER", "ROLE", "CLIENT", "ADDRESS", "CONNECTED", "TX",
                    "IN FLIGHT", "DONE"), new boolean[] {true, false, false, false, false, false, false, true, true});
            for (SessionInfo s : sessions) {
                t.add(List.of((s.getId() == self ? "*" : "") + s.getId(), s.getUser(), Display.role(s.getRole()),
                        s.getClientName(), s.getRemoteAddress(), Display.time(s.getConnectedAtMillis()),
                        s.getInTransaction() ? "open" : "", String.valueOf(s.getRequestsInFlight()),
                        String.valueOf(s.getRequestsDone())));
            }
            PrintStream out = main.out();
            t.print(out);
            out.println("(" + sessions.size() + (sessions.size() == 1 ? " session)" : " sessions)"));
            out.flush();
            return OK;
        }
    }

    /** {@code sessions kill ID}. */
    @Command(name = "kill", description = "End a session: its client is told and disconnected.")
    public static final class KillSession extends AdminCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "The session's id (see sessions list).")
        private long id;

        @Override
        public Integer call() {
            AdminMain main = main();
            try (TetraClient client = main.connect()) {
                client.admin().killSession(id);
            }
            if (main.json()) {
                ObjectNode n = main.mapper().createObjectNode();
                n.put("session", id);
                n.put("killed", true);
                main.printJson(n);
            } else {
                main.out().println("Session " + id + " ended.");
                main.out().flush();
            }
            return OK;
        }
    }
}
