package io.tetradb.jdbc;

import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** Real servers on loopback port 0 for the driver's tests, and JDBC connections to them. */
final class JdbcServers {
    static final String ADMIN_PASSWORD = TestServers.ADMIN_PASSWORD;

    private JdbcServers() {
    }

    /** The URL of {@code server}, with {@code query} (without '?') appended when not empty. */
    static String url(TetraServer server, String query) {
        return "jdbc:tetra://127.0.0.1:" + server.boundPort() + "/" + (query.isEmpty() ? "" : "?" + query);
    }

    /** A connection as admin through DriverManager. */
    static Connection admin(TetraServer server) throws SQLException {
        return DriverManager.getConnection(url(server, ""), "admin", ADMIN_PASSWORD);
    }
}
