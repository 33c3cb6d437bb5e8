package io.tetradb.jdbc;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/** Flyway, unchanged, migrating a Tetra database through the driver (it takes it for H2). */
@Timeout(120)
class FlywayIT extends ServerPerTest {

    /**
     * Flyway is given a DataSource: with a URL it looks for a plugin that knows the URL's prefix; with a
     * DataSource it asks the connection's DatabaseMetaData, which says H2.
     */
    private TetraDataSource dataSource() {
        TetraDataSource ds = new TetraDataSource();
        ds.setUrl(JdbcServers.url(server, ""));
        ds.setUser("admin");
        ds.setPassword(JdbcServers.ADMIN_PASSWORD);
        return ds;
    }

    private Flyway flyway(String... locations) {
        return Flyway.configure().dataSource(dataSource()).locations(locations).load();
    }

    @Test
    void versionedMigrationsApplyOnceAndRunningAgainAppliesNothing() throws Exception {
        MigrateResult first = flyway("classpath:db/migration").migrate();
        assertThat(first.migrationsExecuted).isEqualTo(2);
        assertThat(first.targetSchemaVersion).isEqualTo("2");
        assertThat(flyway("classpath:db/migration").migrate().migrationsExecuted).isZero();
        MigrateResult third = flyway("classpath:db/migration", "classpath:db/more").migrate();
        assertThat(third.migrationsExecuted).isEqualTo(1);
        MigrationInfo[] all = flyway("classpath:db/migration", "classpath:db/more").info().all();
        assertThat(all).hasSize(3).allMatch(i -> i.getState() == MigrationState.SUCCESS);
        assertThat(flyway("classpath:db/migration", "classpath:db/more").validateWithResult().validationSuccessful)
                .isTrue();
        try (Connection c = JdbcServers.admin(server); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT OWNER FROM ACCOUNT ORDER BY ID")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("Ada");
        }
    }

    @Test
    void aDatabaseThatExistsAlreadyIsBaselined() throws Exception {
        try (Connection c = JdbcServers.admin(server); Statement st = c.createStatement()) {
            // The schema V1 and V2 would make, made before Flyway was used.
            st.execute("CREATE TABLE ACCOUNT(ID BIGINT AUTO_INCREMENT PRIMARY KEY, OWNER VARCHAR(100))");
            st.execute("CREATE TABLE TRANSFER(ID BIGINT AUTO_INCREMENT PRIMARY KEY, AMOUNT DECIMAL(12, 2))");
        }
        Flyway f = Flyway.configure().dataSource(dataSource()).locations("classpath:db/migration", "classpath:db/more").baselineOnMigrate(true)
                .baselineVersion("2").load();
        MigrateResult r = f.migrate();
        assertThat(r.migrationsExecuted).as("V3 only: V1 and V2 are below the baseline").isEqualTo(1);
        assertThat(f.info().current().getVersion().getVersion()).isEqualTo("3");
        try (Connection c = JdbcServers.admin(server); ResultSet rs = c.getMetaData().getColumns(null, "PUBLIC",
                "TRANSFER", "AT")) {
            assertThat(rs.next()).as("V3 added TRANSFER.AT").isTrue();
        }
    }
}
