package io.tetradb.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tetradb.server.TetraServer;
import io.tetradb.server.config.ServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code tetra-admin} with several backup destinations (docs/backups.md, "Several
 * destinations") against a real server: {@code backup status} and {@code backup history}
 * (text and JSON) say which destination holds the archive and why the other does not;
 * {@code backup settings set destination=...} while {@code destinations} is set is refused
 * naming both.
 */
@Timeout(120)
class MultiDestinationCliIT {
    private static final String ADMIN_PASSWORD = "admin-secret-1";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tempDir;
    private static TetraServer server;

    @BeforeAll
    static void startServer() throws IOException {
        server = TetraServer.start(ServerConfig.builder().dataDir(tempDir.resolve("db")).host("127.0.0.1").port(0)
                .adminPassword(ADMIN_PASSWORD).build());
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run admin(String... args) {
        InProcessCli.Result r = InProcessCli.run(server.boundPort(), ADMIN_PASSWORD, InterruptSource.none(), args);
        return new Run(r.exit(), r.out(), r.err());
    }

    @Test
    void statusAndHistorySayWhichDestinationHoldsTheArchive() throws IOException {
        Path here = tempDir.resolve("here");
        Path blocker = Files.writeString(tempDir.resolve("blocker"), "a file, not a folder");
        Path away = blocker.resolve("away");
        Run set = admin("backup", "settings", "set", "destinations=[" + here + ", " + away + "]",
                "onFailure.retryAfter=1h");
        assertThat(set.exit).as(set.err).isZero();

        Run start = admin("backup", "start", "--follow");
        assertThat(start.err + start.out).contains("PARTIAL");

        Run status = admin("backup", "status");
        assertThat(status.exit).as(status.err).isZero();
        assertThat(status.out).contains("Copy:", here + ": holds it", away + ": missing (");
        JsonNode st = JSON.readTree(admin("--json", "backup", "status").out);
        assertThat(st.path("copies").get(0).path("holds").asBoolean()).isTrue();
        assertThat(st.path("copies").get(1).path("destination").asText()).isEqualTo(away.toString());
        assertThat(st.path("copies").get(1).path("holds").asBoolean()).isFalse();

        Run history = admin("backup", "history");
        assertThat(history.out).contains("DESTINATION", here.toString(), away.toString());
        JsonNode h = JSON.readTree(admin("--json", "backup", "history").out);
        assertThat(h.path("destination").asText()).isEqualTo(here + ", " + away);
        JsonNode copies = h.path("archives").get(0).path("copies");
        assertThat(copies.get(0).path("holds").asBoolean()).isTrue();
        assertThat(copies.get(1).path("holds").asBoolean()).isFalse();
        assertThat(copies.get(1).path("error").asText()).isNotEmpty();

        Run both = admin("backup", "settings", "set", "destination=" + tempDir.resolve("one"));
        assertThat(both.exit).isNotZero();
        assertThat(both.err).contains("destination", "destinations", "not both");
    }
}
