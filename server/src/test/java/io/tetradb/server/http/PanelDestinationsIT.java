package io.tetradb.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.tetradb.client.TetraClient;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

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
 * the archive.
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
}
