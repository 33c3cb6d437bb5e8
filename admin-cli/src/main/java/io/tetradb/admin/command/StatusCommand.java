package io.tetradb.admin.command;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tetradb.admin.AdminMain;
import io.tetradb.admin.Display;
import io.tetradb.client.TetraClient;
import io.tetradb.protocol.ServerStatus;
import io.tetradb.protocol.WireStates;
import picocli.CommandLine.Command;

import java.io.PrintStream;

/**
 * {@code tetra-admin status}: the server (version, address, state, uptime), its
 * database (name, folder, data file size, the Replaced Files folders' size when there are
 * any) and the number of sessions. Admin role.
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
            n.put("tls", s.getTls());
            n.put("state", WireStates.word(WireStates.serverState(s)));
            n.put("sessions", s.getSessionCount());
            n.put("dataFileSize", s.getDataFileSize());
            n.put("startedAt", Display.isoTime(s.getStartedAtMillis()));
            n.put("uptimeMillis", s.getUptimeMillis());
            n.put("catalogProblem", s.getCatalogProblem().isEmpty() ? null : s.getCatalogProblem());
            n.put("replacedFilesBytes", s.getReplacedFilesBytes());
            ObjectNode b = n.putObject("backup");
            b.put("state", WireStates.word(WireStates.runState(s.getBackup())));
            if (s.getBackup().hasLast()) {
                BackupCommand.record(b.putObject("last"), s.getBackup().getLast());
            } else {
                b.putNull("last");
            }
            b.put("nextScheduled", s.getBackup().getNextScheduledMillis() == 0 ? null
                    : Display.isoTime(s.getBackup().getNextScheduledMillis()));
            b.put("schedule", s.getBackup().getSchedule());
            b.put("automaticPaused", s.getBackup().getAutomaticPaused());
            main.printJson(n);
            return OK;
        }
        PrintStream out = main.out();
        out.println("Server:     Tetra " + s.getServerVersion() + ", H2 " + s.getH2Version());
        out.println("Listening:  " + s.getHost() + ":" + s.getPort() + (s.getTls() ? " (TLS)" : ""));
        out.println("State:      " + WireStates.word(WireStates.serverState(s)));
        out.println("Database:   " + s.getDatabaseName());
        out.println("Folder:     " + s.getDataDir());
        out.println("Data file:  " + Display.bytes(s.getDataFileSize()) + " (" + s.getDataFileSize() + " bytes)");
        if (s.getReplacedFilesBytes() > 0) {
            out.println("Replaced:   " + Display.bytes(s.getReplacedFilesBytes()) + " in 'Replaced Files' folders "
                    + "(tetra-admin replaced list)");
        }
        out.println("Sessions:   " + s.getSessionCount());
        out.println("Started:    " + Display.time(s.getStartedAtMillis()));
        out.println("Uptime:     " + Display.duration(s.getUptimeMillis()));
        if (!s.getCatalogProblem().isEmpty()) {
            out.println("Catalog:    NOT UP TO DATE: " + s.getCatalogProblem());
        }
        var b = s.getBackup();
        if (WireStates.running(b)) {
            out.println("Backup:     RUNNING " + b.getProgress().getPhase() + " " + Display.percent(b.getProgress().getPercent()));
        }
        out.println("Last backup: " + (b.hasLast() ? b.getLast().getNumber() + " " + WireStates.word(WireStates.outcome(b.getLast()))
                + (b.getLast().getEndMillis() > 0 ? " at " + Display.time(b.getLast().getEndMillis()) : "")
                + (b.getLast().getErrorCode() != 0 ? " (error " + b.getLast().getErrorCode() + ")" : "") : "none"));
        out.println("Next backup: " + (b.getAutomaticPaused() ? "paused after repeated failures (1401)"
                : b.getNextScheduledMillis() == 0 ? "none scheduled" : Display.time(b.getNextScheduledMillis())
                + " (" + b.getSchedule() + ")"));
        out.flush();
        return OK;
    }
}
