package io.tetradb.admin.command;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tetradb.admin.AdminMain;
import io.tetradb.admin.Display;
import io.tetradb.client.TetraClient;
import io.tetradb.protocol.ServerStatus;
import picocli.CommandLine.Command;

import java.io.PrintStream;

/**
 * {@code tetra-admin status}: the server (version, address, state, uptime), its
 * database (name, folder, data file size) and the number of sessions. Admin role.
 *
 * <p>Runs on the caller's thread (main).
 */
@Command(name = "status", description = "Show the server, its database and its sessions.")
public final class StatusCommand extends AdminCommand {
    @Override
    public Integer call() {
        AdminMain main = main();
        ServerStatus s;
        try (TetraClient client = main.connect()) {
            s = client.admin().status();
        }
        if (main.json()) {
            ObjectNode n = main.mapper().createObjectNode();
            n.put("serverVersion", s.getServerVersion());
            n.put("h2Version", s.getH2Version());
            n.put("database", s.getDatabaseName());
            n.put("dataDir", s.getDataDir());
            n.put("host", s.getHost());
            n.put("port", s.getPort());
            n.put("state", s.getState());
            n.put("sessions", s.getSessionCount());
            n.put("dataFileSize", s.getDataFileSize());
            n.put("startedAt", Display.isoTime(s.getStartedAtMillis()));
            n.put("uptimeMillis", s.getUptimeMillis());
            main.printJson(n);
            return OK;
        }
        PrintStream out = main.out();
        out.println("Server:     Tetra " + s.getServerVersion() + ", H2 " + s.getH2Version());
        out.println("Listening:  " + s.getHost() + ":" + s.getPort());
        out.println("State:      " + s.getState());
        out.println("Database:   " + s.getDatabaseName());
        out.println("Folder:     " + s.getDataDir());
        out.println("Data file:  " + Display.bytes(s.getDataFileSize()) + " (" + s.getDataFileSize() + " bytes)");
        out.println("Sessions:   " + s.getSessionCount());
        out.println("Started:    " + Display.time(s.getStartedAtMillis()));
        out.println("Uptime:     " + Display.duration(s.getUptimeMillis()));
        out.flush();
        return OK;
    }
}
