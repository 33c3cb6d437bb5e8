package io.tetradb.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraClient;
import io.tetradb.client.TetraException;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import io.tetradb.server.backup.S3Servers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The admin panel with several backup destinations (docs/backups.md, "Several
 * destinations"): its settings editor refuses destination with destinations as the admin
 * API does (the same message), and its history and overview say which destination holds
 * the archive; a destination that fails while the panel starts a backup, reads the history,
 * verifies or restores is 1407 with the admin API's message (docs/error-codes.md), never an
 * internal error.
 */
@Timeout(120)
class PanelDestinationsIT {
    @TempDir
    Path dir;
    TetraServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void historyAndOverviewSayWhichDestinationHoldsTheArchive() throws Exception {
        server = TestServers.start(dir.resolve("db"));
        PanelHttp p = new PanelHttp(server.httpPort());
        p.login("admin", TestServers.ADMIN_PASSWORD);
        Path here = dir.resolve("here");
        Path away = Files.writeString(dir.resolve("blocker"), "a file, not a folder").resolve("away");
        p.ok(p.post("/api/settings", Map.of("assignments", Map.of("destinations", "[" + here + ", " + away + "]",
                "onFailure.retryAfter", "1h"))));
        JsonNode refused = PanelHttp.error(p.post("/api/settings", Map.of("assignments",
                Map.of("destination", dir.resolve("one").toString()))), 400);
        assertThat(refused.get("code").asInt()).isEqualTo(2010);
        assertThat(refused.get("message").asText()).contains("destination", "destinations", "not both");
        try (TetraClient c = TestServers.admin(server)) {
            assertThatThrownBy(() -> c.admin().setBackupSettings("destination=" + dir.resolve("one")))
                    .hasMessage(refused.get("message").asText());
            TestServers.tableT(c, 10);
            p.ok(p.post("/api/backup/start", Map.of()));
            await().atMost(60, TimeUnit.SECONDS).until(() -> c.admin().backupStatus().getState().equals("IDLE")
                    && c.admin().backupStatus().getLast().getNumber() == 1);
        }
        JsonNode entry = p.ok(p.get("/api/backups")).at("/history/entries/0");
        assertThat(entry.get("status").asText()).isEqualTo("PARTIAL");
        JsonNode copies = entry.get("copies");
        assertThat(copies.get(0).get("destination").asText()).isEqualTo(here.toString());
        assertThat(copies.get(0).get("holds").asBoolean()).isTrue();
        assertThat(copies.get(1).get("destination").asText()).isEqualTo(away.toString());
        assertThat(copies.get(1).path("holds").asBoolean()).isFalse();
        assertThat(copies.get(1).get("error").asText()).isNotEmpty();
        // The overview's last backup names them too.
        JsonNode last = p.ok(p.get("/api/overview")).at("/status/backup/lastCopies");
        assertThat(last.get(0).get("holds").asBoolean()).isTrue();
        assertThat(last.get(1).path("holds").asBoolean()).isFalse();
    }

    /** A panel answer that is error 1407 (HTTP 409), never 500: its message. */
    private static String destinationError(HttpResponse<String> r) throws Exception {
        JsonNode e = PanelHttp.error(r, 409);
        assertThat(e.get("code").asInt()).as(r.body()).isEqualTo(1407);
        assertThat(e.get("name").asText()).isEqualTo("BACKUP_DESTINATION");
        return e.get("message").asText();
    }

    @Test
    void aDestinationUnderARegularFileIs1407ForBackupVerifyAndRestore() throws Exception {
        server = TestServers.start(dir.resolve("db"));
        PanelHttp p = new PanelHttp(server.httpPort());
        p.login("admin", TestServers.ADMIN_PASSWORD);
        Path away = Files.writeString(dir.resolve("blocker"), "a file, not a folder").resolve("away");
        try (TetraClient c = TestServers.admin(server)) {
            TestServers.tableT(c, 10);
            assertThat(TestServers.backup(c).getStatus()).isEqualTo("SUCCESS");
            c.admin().setBackupSettings("destination=" + away);
        }
        String missing = "The backup destination " + away + " is missing.";
        assertThat(destinationError(p.post("/api/backup/start", Map.of()))).isEqualTo(missing);
        assertThat(destinationError(p.post("/api/backup/verify", Map.of("number", 1))))
                .isEqualTo("Backup 1 cannot be read: " + missing);
        assertThat(destinationError(p.post("/api/restore", Map.of("number", 1, "toDir",
                dir.resolve("restored").toString())))).isEqualTo("Backup 1 cannot be read: " + missing);
        assertThat(dir.resolve("restored")).doesNotExist();
        try (TetraClient c = TestServers.admin(server)) {
            // The admin API says the same.
            assertThatThrownBy(() -> c.admin().verifyBackup(1)).isInstanceOfSatisfying(TetraException.class, t -> {
                assertThat(t.code()).isEqualTo(ErrorCode.BACKUP_DESTINATION);
                assertThat(t.getMessage()).isEqualTo("Backup 1 cannot be read: " + missing);
            });
        }
    }

    @Test
    void aMissingBucketIs1407ForBackupHistoryVerifyAndRestore() throws Exception {
        try (S3Servers s3 = S3Servers.start(Files.createDirectories(dir.resolve("s3-objects")))) {
            server = TestServers.start(dir.resolve("db"));
            PanelHttp p = new PanelHttp(server.httpPort());
            p.login("admin", TestServers.ADMIN_PASSWORD);
            Path credentials = S3Servers.writeCredentials(dir.resolve("s3-credentials"));
            String bucketMissing = "The bucket no-such-bucket does not exist at " + s3.endpoint();
            try (TetraClient c = TestServers.admin(server)) {
                TestServers.tableT(c, 10);
                c.admin().setBackupSettings("destination=s3://no-such-bucket/db", "s3.endpoint=" + s3.endpoint(),
                        "s3.region=us-east-1", "s3.pathStyle=true", "s3.credentialsFile=" + credentials);
                assertThat(destinationError(p.post("/api/backup/start", Map.of()))).startsWith(bucketMissing);
                // The history and window read the bucket: 1407 with the admin API's message, not 500.
                String history = destinationError(p.get("/api/backups"));
                assertThat(history).startsWith(bucketMissing);
                assertThatThrownBy(() -> c.admin().backupHistory()).isInstanceOfSatisfying(TetraException.class, t -> {
                    assertThat(t.code()).isEqualTo(ErrorCode.BACKUP_DESTINATION);
                    assertThat(t.getMessage()).isEqualTo(history);
                });
            }
            assertThat(destinationError(p.post("/api/backup/verify", Map.of("number", 1))))
                    .startsWith("Backup 1 cannot be read: " + bucketMissing);
            assertThat(destinationError(p.post("/api/restore", Map.of("number", 1, "toDir",
                    dir.resolve("restored").toString())))).startsWith("Backup 1 cannot be read: " + bucketMissing);
            assertThat(destinationError(p.post("/api/restore", Map.of("atTimeMillis", System.currentTimeMillis(),
                    "inPlace", true)))).contains(bucketMissing);
            assertThat(dir.resolve("restored")).doesNotExist();
        }
    }
}
