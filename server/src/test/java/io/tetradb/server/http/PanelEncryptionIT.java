package io.tetradb.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.tetradb.client.TetraClient;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import io.tetradb.server.backup.BackupKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin panel's history ({@code GET /api/backups}) and overview carry an encrypted
 * archive's key fingerprint as {@code keyFingerprint} (docs/backup-encryption.md), and an
 * unencrypted archive has no such field.
 */
@Timeout(120)
class PanelEncryptionIT {
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
    void historyAndOverviewNameTheKeyOfEncryptedArchivesOnly() throws Exception {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Path keyFile = Files.writeString(dir.resolve("backup.key"), HexFormat.of().formatHex(key));
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
        server = TestServers.start(dir.resolve("db"));
        PanelHttp p = new PanelHttp(server.httpPort());
        p.login("admin", TestServers.ADMIN_PASSWORD);
        try (TetraClient c = TestServers.admin(server)) {
            TestServers.tableT(c, 10);
            assertThat(TestServers.backup(c).getStatus()).isEqualTo("SUCCESS");
            JsonNode plainLast = p.ok(p.get("/api/overview")).at("/status/backup/last");
            assertThat(plainLast.get("archive").asText()).endsWith(".tar.zst");
            assertThat(plainLast.has("keyFingerprint")).isFalse();
            c.admin().setBackupSettings("archive.encryption=aes-256-gcm", "archive.keyFile=" + keyFile);
            assertThat(TestServers.backup(c).getStatus()).isEqualTo("SUCCESS");
        }
        JsonNode entries = p.ok(p.get("/api/backups")).at("/history/entries");
        assertThat(entries.get(0).get("file").asText()).endsWith("-0001.tar.zst");
        assertThat(entries.get(0).has("keyFingerprint")).isFalse();
        assertThat(entries.get(1).get("file").asText()).endsWith("-0002.tar.zst.enc");
        assertThat(entries.get(1).get("keyFingerprint").asText()).isEqualTo(BackupKey.fingerprintOf(key));
        JsonNode last = p.ok(p.get("/api/overview")).at("/status/backup/last");
        assertThat(last.get("keyFingerprint").asText()).isEqualTo(BackupKey.fingerprintOf(key));
    }
}
