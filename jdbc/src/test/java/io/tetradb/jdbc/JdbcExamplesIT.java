package io.tetradb.jdbc;

import io.tetradb.jdbc.examples.BootExample;
import io.tetradb.jdbc.examples.FlywayExample;
import io.tetradb.jdbc.examples.HikariExample;
import io.tetradb.jdbc.examples.PlainJdbcExample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs the examples of docs/jdbc.md against a real server (JdbcDocsTest checks the page shows them as they are). */
@Timeout(120)
class JdbcExamplesIT extends ServerPerTest {

    @Test
    void plainJdbc() throws Exception {
        assertThat(PlainJdbcExample.run("127.0.0.1", server.boundPort(), "admin", JdbcServers.ADMIN_PASSWORD))
                .containsExactly("Ada", "Grace");
    }

    @Test
    void hikari() throws Exception {
        assertThat(HikariExample.run("127.0.0.1", server.boundPort(), "admin", JdbcServers.ADMIN_PASSWORD))
                .isPositive();
    }

    @Test
    void flyway() {
        assertThat(FlywayExample.run("127.0.0.1", server.boundPort(), "admin", JdbcServers.ADMIN_PASSWORD))
                .isEqualTo(2);
    }

    @Test
    void springBoot() {
        String out = BootExample.run(server.boundPort(), "admin", JdbcServers.ADMIN_PASSWORD);
        assertThat(out).startsWith("HikariDataSource ");
        assertThat(Long.parseLong(out.substring(out.indexOf(' ') + 1))).isPositive();
    }
}
