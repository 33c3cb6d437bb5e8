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
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code tetra-admin backup settings set} against a real server: values as typed, whether
 * the shell passed them as one word (quoted) or as several (unquoted), and the quoted
 * form earlier versions required.
 */
@Timeout(120)
class BackupSettingsCliIT {
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

    private static JsonNode effective() throws IOException {
        Run r = admin("--json", "backup", "settings", "show");
        assertThat(r.exit).as(r.err).isZero();
        return JSON.readTree(r.out).path("effective");
    }

    private static void set(String... assignments) {
        String[] args = new String[assignments.length + 3];
        args[0] = "backup";
        args[1] = "settings";
        args[2] = "set";
        System.arraycopy(assignments, 0, args, 3, assignments.length);
        Run r = admin(args);
        assertThat(r.exit).as(String.join(" ", assignments) + ": " + r.err).isZero();
    }

    @Test
    void aCronExpressionAsOneQuotedWord() throws IOException {
        // tetra-admin backup settings set 'schedule.cron=* * * * *'
        set("schedule.cron=* * * * *");
        assertThat(effective().path("schedule").path("cron").asText()).isEqualTo("* * * * *");
        assertThat(effective().path("schedule").path("frequency").asText()).isEqualTo("cron");
        set("schedule.cron=");
        assertThat(effective().path("schedule").has("cron")).isFalse();
    }

    @Test
    void aCronExpressionAsSeveralWordsFollowedByAnotherSetting() throws IOException {
        // tetra-admin backup settings set schedule.cron=*/5 '*' '*' '*' '*' archive.compression=compact
        set("schedule.cron=*/5", "*", "*", "*", "*", "archive.compression=compact");
        JsonNode e = effective();
        assertThat(e.path("schedule").path("cron").asText()).isEqualTo("*/5 * * * *");
        assertThat(e.path("archive").path("compression").asText()).isEqualTo("compact");
        set("schedule.cron=", "archive.compression=");
    }

    @Test
    void theDoublyQuotedFormStillWorks() throws IOException {
        // tetra-admin backup settings set 'schedule.cron="0 3 * * *"'
        set("schedule.cron=\"0 3 * * *\"");
        assertThat(effective().path("schedule").path("cron").asText()).isEqualTo("0 3 * * *");
        set("schedule.cron=");
    }

    @Test
    void textThatYamlWouldMisreadIsKept() throws IOException {
        set("destination=@backups", "&", "!old", "#1");
        assertThat(effective().path("destination").asText()).endsWith("@backups & !old #1");
        set("destination=");
    }

    @Test
    void aFirstWordThatIsNotAnAssignmentIsAUsageError() {
        Run r = admin("backup", "settings", "set", "*", "schedule.cron=*");
        assertThat(r.exit).isEqualTo(2);
        assertThat(r.err).contains("Expected KEY=VALUE, got '*'");
    }
}
