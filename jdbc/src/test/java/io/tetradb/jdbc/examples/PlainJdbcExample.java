package io.tetradb.jdbc.examples;

import io.tetradb.client.WaitPolicy;
import io.tetradb.jdbc.TetraConnection;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The JDBC page's first example (docs/jdbc.md), compiled and run by JdbcExamplesIT. */
public final class PlainJdbcExample {
    private PlainJdbcExample() {
    }

    /** Creates a table, inserts through a prepared statement, reads it back; returns the names read. */
    public static List<String> run(String host, int port, String user, String password) throws SQLException {
        List<String> names = new ArrayList<>();
        // docs:begin plain
        String url = "jdbc:tetra://" + host + ":" + port + "/?waitPolicy=wait-at-most=30s";
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            // Tetra's own: told when a write waits for a backup; the write may be cancelled (-9976).
            TetraConnection tetra = c.unwrap(TetraConnection.class);
            tetra.onBackupWait(n -> System.out.printf("waiting for backup %d (%.0f%%)%n",
                    n.backupNumber(), n.progress().getPercent()));
            tetra.waitPolicy(WaitPolicy.waitAtMost(Duration.ofSeconds(10)));
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE PERSON(ID INT AUTO_INCREMENT PRIMARY KEY, NAME VARCHAR(100))");
            }
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO PERSON(NAME) VALUES (?)")) {
                for (String name : new String[]{"Ada", "Grace"}) {
                    ps.setString(1, name);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            c.commit();
            try (PreparedStatement ps = c.prepareStatement("SELECT NAME FROM PERSON WHERE ID >= ? ORDER BY ID")) {
                ps.setInt(1, 1);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        names.add(rs.getString("NAME"));
                    }
                }
            }
        } catch (SQLException e) {
            if (e.getErrorCode() == -9976) {
                // the write waited for a backup longer than the wait policy allows, or was cancelled
            }
            throw e;
        }
        // docs:end
        return names;
    }
}
