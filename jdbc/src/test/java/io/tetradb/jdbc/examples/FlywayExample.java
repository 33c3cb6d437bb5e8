package io.tetradb.jdbc.examples;

import io.tetradb.jdbc.TetraDataSource;
import org.flywaydb.core.Flyway;

/** The JDBC page's Flyway example (docs/jdbc.md), compiled and run by JdbcExamplesIT. */
public final class FlywayExample {
    private FlywayExample() {
    }

    /** Migrates with the scripts in classpath:db/migration; returns how many ran. */
    public static int run(String host, int port, String user, String password) {
        // docs:begin flyway
        TetraDataSource ds = new TetraDataSource();
        ds.setServerName(host);
        ds.setPortNumber(port);
        ds.setUser(user);
        ds.setPassword(password);
        // A DataSource, not a URL: Flyway then asks the connection what it is (H2) and uses H2's support.
        Flyway flyway = Flyway.configure().dataSource(ds).locations("classpath:db/migration").load();
        return flyway.migrate().migrationsExecuted;
        // docs:end
    }
}
