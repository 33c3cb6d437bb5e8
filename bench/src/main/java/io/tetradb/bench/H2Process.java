package io.tetradb.bench;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The peer: H2's own TCP server ({@code org.h2.tools.Server -tcp}) in its own JVM with
 * the same heap as the Tetra server, serving the very data file Tetra serves (run one
 * after the other, never both at once), on loopback only.
 */
final class H2Process extends ServerProcess {
    private static final Pattern LISTENING = Pattern.compile("TCP server running at tcp://\\S+:(\\d+)");

    final int port;
    private final String database;
    private final String user;
    private final String password;

    private H2Process(String name, List<String> command, Path logDir, String database, String user, String password)
            throws Exception {
        super(name, command, Map.of(), logDir, LISTENING);
        this.port = Integer.parseInt(awaitListening().group(1));
        this.database = database;
        this.user = user;
        this.password = password;
    }

    /**
     * Serves {@code <baseDir>/<database>.mv.db} (Tetra's {@code <db>/Data} folder) as
     * {@code jdbc:h2:tcp://127.0.0.1:P/<database>}.
     */
    static H2Process start(String name, Path h2Jar, Path serverJar, Path baseDir, String database, String user, String password,
                           String heap, Path logDir) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> cmd = new ArrayList<>(javaCommand(heap, List.of()));
        // Tetra's tables carry the log's row triggers (io.tetradb.server.log.CaptureTrigger): with the server's
        // classes on H2's class path they load, and outside a Tetra server they let every change through.
        String classPath = h2Jar + java.io.File.pathSeparator + serverJar.resolveSibling("lib").resolve("*")
                + java.io.File.pathSeparator + serverJar;
        cmd.addAll(List.of("-cp", classPath, "org.h2.tools.Server", "-tcp", "-tcpPort", Integer.toString(port),
                "-baseDir", baseDir.toString()));
        return new H2Process(name, cmd, logDir, database, user, password);
    }

    String url() {
        return "jdbc:h2:tcp://127.0.0.1:" + port + "/" + database;
    }

    /** This server as the JDBC harness reaches it. */
    JdbcWorkload.Peer jdbcPeer(String label) {
        return new JdbcWorkload.Peer(label, url(), user, password, pid());
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(url(), user, password);
    }
}
