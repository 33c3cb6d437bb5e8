package io.tetradb.jdbc.examples;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** The JDBC page's HikariCP example (docs/jdbc.md), compiled and run by JdbcExamplesIT. */
public final class HikariExample {
    private HikariExample() {
    }

    /** A pool of the driver's connections; returns what a query through it gives. */
    public static long run(String host, int port, String user, String password) throws SQLException {
        // docs:begin hikari
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:tetra://" + host + ":" + port + "/");
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(16);
        try (HikariDataSource pool = new HikariDataSource(config);
             Connection c = pool.getConnection();
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES")) {
            rs.next();
            return rs.getLong(1);
        }
        // docs:end
    }
}
