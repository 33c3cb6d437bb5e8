package io.tetradb.jdbc.examples;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;

/**
 * The JDBC page's Spring Boot example (docs/jdbc.md): an application whose
 * application.properties (src/test/resources/examples/application.properties, shown on the
 * page) points Boot's DataSource at Tetra; compiled and run by JdbcExamplesIT.
 */
@SpringBootApplication
public class BootExample {
    /** Starts the application against the server at {@code port}; returns the pool's class and a count. */
    public static String run(int port, String user, String password) {
        try (ConfigurableApplicationContext ctx = new SpringApplicationBuilder(BootExample.class)
                .web(WebApplicationType.NONE)
                .properties("spring.config.location=classpath:examples/application.properties",
                        "tetra.port=" + port, "tetra.user=" + user, "tetra.password=" + password)
                .run()) {
            JdbcTemplate jdbc = ctx.getBean(JdbcTemplate.class);
            Long tables = jdbc.queryForObject("SELECT COUNT(*) FROM INFORMATION_SCHEMA.SCHEMATA", Long.class);
            return ctx.getBean(DataSource.class).getClass().getSimpleName() + " " + tables;
        }
    }
}
