package io.tetradb.server.backup;

import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraClient;
import io.tetradb.client.TetraException;
import io.tetradb.protocol.BackupRecord;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Encrypted archives through the real server (docs/backup-encryption.md): a backup with
 * {@code archive.encryption: aes-256-gcm} writes no plain byte of the data, verifies and
 * restores to a folder with the key, is refused with 1414 naming the fingerprint it was
 * encrypted with when the key file holds another key, fails its verification (1411) with one
 * byte changed, and a key file others may read is refused when it is set. Its log segments are
 * encrypted too and bring the archive to a point in time (a tampered one is 1413, another key 1414).
 */
@Timeout(180)
class EncryptedBackupIT {
    private static final String MARKER = "plain-text-marker-";

    @TempDir
    Path dir;

    private Path keyFile(String name, byte[] key, String permissions) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, HexFormat.of().formatHex(key) + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(permissions));
        return f;
    }

    private static boolean contains(Path file, byte[] needle) throws Exception {
        byte[] all = Files.readAllBytes(file);
        outer:
        for (int i = 0; i + needle.length <= all.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (all[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static io.tetradb.protocol.BackupHistoryEntry entry(TetraClient admin, long number) {
        return admin.admin().backupHistory().getEntriesList().stream().filter(e -> e.getNumber() == number)
                .findFirst().orElseThrow();
    }

    private static TetraException refused(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(call);
        assertThat(t).isInstanceOf(TetraException.class);
        assertThat(((TetraException) t).code()).as(t.getMessage()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        return (TetraException) t;
    }

    /**
     * The key's fingerprint is recorded for each encrypted archive (backup-history.json, the
     * history and the last backup's record, which keep it across a restart; from the file's
     * header when the history is lost), never for an unencrypted one; and an archive not found
     * is looked for, and named, under its encrypted name too.
     */
    @Test
    void theFingerprintIsRecordedPerEncryptedArchiveAndMissingArchivesAreNamedWithEnc() throws Exception {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        String fingerprint = BackupKey.fingerprintOf(key);
        Path keyFile = keyFile("backup.key", key, "r--------");
        Path destination;
        try (TetraServer server = TestServers.start(dir); TetraClient admin = TestServers.admin(server)) {
            TestServers.tableT(admin, 20);
            BackupRecord plain = TestServers.backup(admin);
            assertThat(plain.getStatus()).as(plain.getErrorMessage()).isEqualTo("SUCCESS");
            assertThat(plain.hasKeyFingerprint()).isFalse();
            assertThat(admin.admin().backupStatus().getLast().hasKeyFingerprint()).isFalse();
            admin.admin().setBackupSettings("archive.encryption=aes-256-gcm", "archive.keyFile=" + keyFile);
            BackupRecord enc = TestServers.backup(admin);
            assertThat(enc.getStatus()).as(enc.getErrorMessage()).isEqualTo("SUCCESS");
            assertThat(enc.getArchive()).endsWith("testdb-0002.tar.zst.enc");
            assertThat(enc.getKeyFingerprint()).isEqualTo(fingerprint);
            assertThat(admin.admin().backupStatus().getLast().getKeyFingerprint()).isEqualTo(fingerprint);

            assertThat(entry(admin, 1).hasKeyFingerprint()).isFalse();
            assertThat(entry(admin, 2).getKeyFingerprint()).isEqualTo(fingerprint);
            destination = Path.of(enc.getArchive()).getParent();
            com.fasterxml.jackson.databind.JsonNode file = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(destination.resolve(BackupHistory.FILE).toFile());
            assertThat(file.at("/archives/0/file").asText()).isEqualTo("testdb-0001.tar.zst");
            assertThat(file.at("/archives/0").has("keyFingerprint")).isFalse();
            assertThat(file.at("/archives/1/file").asText()).isEqualTo("testdb-0002.tar.zst.enc");
            assertThat(file.at("/archives/1/keyFingerprint").asText()).isEqualTo(fingerprint);

            // Not found: every name looked for, the encrypted ones first while archives are encrypted.
            TetraException byNumber = refused(() -> admin.admin().verifyBackup(99));
            assertThat(byNumber.getMessage()).isEqualTo("Backup 99 not found: none of testdb-0099.tar.zst.enc, "
                    + "testdb-0099.tar.enc, testdb-0099.tar.zst and testdb-0099.tar is in the backup destination "
                    + destination + ".");
            assertThat(refused(() -> admin.admin().restoreBackup(99, dir.resolve("r99").toString())).getMessage())
                    .isEqualTo(byNumber.getMessage());
            // An encrypted archive named without .enc: the name it has is given.
            assertThat(refused(() -> admin.admin().verifyBackup("testdb-0002.tar.zst")).getMessage())
                    .isEqualTo("The archive testdb-0002.tar.zst does not exist, but "
                            + destination.resolve("testdb-0002.tar.zst.enc") + " does: name that one.");
            assertThat(refused(() -> admin.admin().verifyBackup("testdb-0001.tar.zst.enc")).getMessage())
                    .isEqualTo("The archive testdb-0001.tar.zst.enc does not exist, but "
                            + destination.resolve("testdb-0001.tar.zst") + " does: name that one.");
            assertThat(refused(() -> admin.admin().verifyBackup("testdb-0005.tar.zst")).getMessage())
                    .isEqualTo("The archive testdb-0005.tar.zst does not exist, nor does "
                            + destination.resolve("testdb-0005.tar.zst.enc") + ".");
        }
        // The last record keeps the fingerprint across a restart; a lost history is rebuilt from the files,
        // an encrypted archive's fingerprint read from its header.
        Files.delete(destination.resolve(BackupHistory.FILE));
        try (TetraServer server = TestServers.start(dir); TetraClient admin = TestServers.admin(server)) {
            assertThat(admin.admin().backupStatus().getLast().getKeyFingerprint()).isEqualTo(fingerprint);
            assertThat(entry(admin, 2).getStatus()).isEqualTo("UNKNOWN");
            assertThat(entry(admin, 2).getKeyFingerprint()).isEqualTo(fingerprint);
            assertThat(entry(admin, 1).hasKeyFingerprint()).isFalse();
            // Encryption off: a missing archive is still looked for under both names, the plain ones first.
            admin.admin().setBackupSettings("archive.encryption=none");
            assertThat(refused(() -> admin.admin().verifyBackup(99)).getMessage()).contains(
                    "none of testdb-0099.tar.zst, testdb-0099.tar, testdb-0099.tar.zst.enc and testdb-0099.tar.enc is");
            assertThat(refused(() -> admin.admin().verifyBackup("testdb-0005.tar.zst")).getMessage())
                    .isEqualTo("The archive testdb-0005.tar.zst does not exist.");
        }
    }

    private static List<String> rows(TetraClient c) {
        List<String> out = new ArrayList<>();
        for (io.tetradb.client.Row r : c.execute("SELECT ID, TXT FROM T ORDER BY ID").rows()) {
            out.add(r.getLong(0) + "=" + r.getString(1));
        }
        return out;
    }

    /**
     * The log segments of an encrypted backup (a folder destination): {@code log new} writes them
     * encrypted ({@code .journal.zst.enc}, TETRAENC), a restore to a point in time decrypts and
     * integrates them up to it, exactly; a changed byte in one is 1413 naming it, another key 1414,
     * and neither leaves a folder.
     */
    @Test
    void encryptedLogSegmentsBringTheArchiveToAPointInTime() throws Exception {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Path keyFile = keyFile("segments.key", key, "rw-------");
        try (TetraServer server = TestServers.start(dir); TetraClient admin = TestServers.admin(server)) {
            admin.execute("CREATE TABLE T(ID INT PRIMARY KEY, TXT VARCHAR(100))");
            admin.update("INSERT INTO T SELECT X, '" + MARKER + "' || X FROM SYSTEM_RANGE(1, 50)");
            admin.admin().setBackupSettings("archive.encryption=aes-256-gcm", "archive.keyFile=" + keyFile);
            BackupRecord done = TestServers.backup(admin);
            assertThat(done.getStatus()).as(done.getErrorMessage()).isEqualTo("SUCCESS");
            Path destination = Path.of(done.getArchive()).getParent();

            admin.update("UPDATE T SET TXT = 'changed in segment 1' WHERE ID <= 10");
            admin.update("INSERT INTO T SELECT X, '" + MARKER + "' || X FROM SYSTEM_RANGE(51, 80)");
            assertThat(admin.admin().logNew().getFile()).isEqualTo("testdb-0001-01.journal.zst.enc");
            admin.update("DELETE FROM T WHERE ID BETWEEN 20 AND 29");
            admin.update("INSERT INTO T VALUES (81, 'last before the point')");
            List<String> atPoint = rows(admin);
            long point = System.currentTimeMillis();
            org.awaitility.Awaitility.await().pollInterval(java.time.Duration.ofMillis(1))
                    .until(() -> System.currentTimeMillis() > point);
            admin.update("UPDATE T SET TXT = 'after the point'");
            admin.update("DELETE FROM T WHERE ID > 40");
            assertThat(admin.admin().logNew().getFile()).isEqualTo("testdb-0001-02.journal.zst.enc");
            admin.update("INSERT INTO T VALUES (500, 'in the current log file')");

            for (String s : List.of("testdb-0001.journal.zst.enc", "testdb-0001-01.journal.zst.enc",
                    "testdb-0001-02.journal.zst.enc")) {
                Path segment = destination.resolve(s);
                try (InputStream in = Files.newInputStream(segment)) {
                    assertThat(new String(in.readNBytes(8), StandardCharsets.US_ASCII)).as(s).isEqualTo("TETRAENC");
                }
            }
            assertThat(destination.resolve("testdb-0001-01.journal.zst")).doesNotExist();

            Path restored = dir.resolve("at-the-point");
            io.tetradb.protocol.RestoreReport r = admin.admin().restore(io.tetradb.protocol.RestoreBackup.newBuilder()
                    .setNumber(1).setToDir(restored.toString()).setUntilTimeMillis(point).build());
            assertThat(r.getLogIntegrated()).isTrue();
            assertThat(r.getStoppedAtPoint()).isTrue();
            assertThat(r.getLogSegmentsList()).contains("testdb-0001-01.journal.zst.enc",
                    "testdb-0001-02.journal.zst.enc");
            try (TetraServer copy = TetraServer.start(TestServers.config(dir).dataDir(restored).build());
                 TetraClient c = TestServers.admin(copy)) {
                assertThat(rows(c)).isEqualTo(atPoint);
            }

            // One byte changed in the first segment: 1413 naming it, from verify and from the restore.
            Path first = destination.resolve("testdb-0001-01.journal.zst.enc");
            byte[] original = Files.readAllBytes(first);
            byte[] changed = original.clone();
            changed[changed.length / 2] ^= 0x01;
            Files.write(first, changed);
            Path again = dir.resolve("again");
            for (java.util.function.Supplier<?> call : List.<java.util.function.Supplier<?>>of(
                    () -> admin.admin().verifyBackup(1),
                    () -> admin.admin().restore(io.tetradb.protocol.RestoreBackup.newBuilder().setNumber(1)
                            .setToDir(again.toString()).setUntilTimeMillis(point).build()))) {
                assertThatThrownBy(call::get).isInstanceOfSatisfying(TetraException.class, t -> {
                    assertThat(t.code()).isEqualTo(ErrorCode.LOG_SEGMENT_DAMAGED);
                    assertThat(t.getMessage()).contains("testdb-0001-01.journal.zst.enc");
                });
            }
            assertThat(again).doesNotExist();
            Files.write(first, original);

            // Another key in the key file: 1414 naming the fingerprint the archive and its segments need.
            byte[] other = new byte[32];
            new SecureRandom().nextBytes(other);
            Files.writeString(keyFile, HexFormat.of().formatHex(other) + "\n");
            assertThatThrownBy(() -> admin.admin().restore(io.tetradb.protocol.RestoreBackup.newBuilder().setNumber(1)
                    .setToDir(again.toString()).setUntilTimeMillis(point).build()))
                    .isInstanceOfSatisfying(TetraException.class, t -> {
                        assertThat(t.code()).isEqualTo(ErrorCode.BACKUP_KEY);
                        assertThat(t.getMessage()).contains(BackupKey.fingerprintOf(key));
                    });
            assertThat(again).doesNotExist();
        }
    }

    @Test
    void anEncryptedBackupVerifiesAndRestoresWithItsKeyAndOnlyWithIt() throws Exception {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Path keyFile = keyFile("backup.key", key, "rw-------");
        try (TetraServer server = TestServers.start(dir); TetraClient admin = TestServers.admin(server)) {
            admin.execute("CREATE TABLE T(ID INT PRIMARY KEY, TXT VARCHAR(100))");
            for (int i = 0; i < 50; i++) {
                admin.execute("INSERT INTO T VALUES (" + i + ", '" + MARKER + i + "')");
            }
            admin.admin().setBackupSettings("archive.encryption=aes-256-gcm", "archive.keyFile=" + keyFile,
                    "archive.compression=none");
            BackupRecord done = TestServers.backup(admin);
            assertThat(done.getStatus()).as(done.getErrorMessage()).isEqualTo("SUCCESS");
            Path archive = Path.of(done.getArchive());
            assertThat(archive.getFileName().toString()).endsWith(".enc");
            try (InputStream in = Files.newInputStream(archive)) {
                assertThat(new String(in.readNBytes(8), StandardCharsets.US_ASCII)).isEqualTo("TETRAENC");
            }
            assertThat(contains(archive, MARKER.getBytes(StandardCharsets.UTF_8)))
                    .as("no plain text of the data in the archive").isFalse();

            assertThat(admin.admin().verifyBackup(done.getNumber()).getRows()).isEqualTo(50);
            Path restored = dir.resolve("restored");
            admin.admin().restoreBackup(done.getNumber(), restored.toString());
            try (TetraServer copy = TetraServer.start(TestServers.config(dir).dataDir(restored).build());
                 TetraClient c = TestServers.admin(copy)) {
                var row = c.execute("SELECT COUNT(*), MAX(TXT) FROM T").rows().get(0);
                assertThat(row.getLong(0)).isEqualTo(50);
                assertThat(row.getString(1)).isEqualTo(MARKER + "9");
            }

            // Another key in the key file: 1414, naming the fingerprint the archive needs.
            byte[] other = new byte[32];
            new SecureRandom().nextBytes(other);
            Files.writeString(keyFile, HexFormat.of().formatHex(other) + "\n");
            assertThatThrownBy(() -> admin.admin().verifyBackup(done.getNumber()))
                    .isInstanceOfSatisfying(TetraException.class, t -> {
                        assertThat(t.code()).isEqualTo(ErrorCode.BACKUP_KEY);
                        assertThat(t.getMessage()).contains(BackupKey.fingerprintOf(key));
                    });
            Files.writeString(keyFile, HexFormat.of().formatHex(key) + "\n");

            // One byte changed in the middle of the archive: its chunk no longer authenticates.
            byte[] bytes = Files.readAllBytes(archive);
            bytes[bytes.length / 2] ^= 0x01;
            Files.write(archive, bytes);
            assertThatThrownBy(() -> admin.admin().verifyBackup(done.getNumber()))
                    .isInstanceOfSatisfying(TetraException.class,
                            t -> assertThat(t.code()).isEqualTo(ErrorCode.BACKUP_VERIFY_FAILED));

            // A key file that others may read is refused, and nothing changes.
            Path open = keyFile("open.key", key, "rw-r--r--");
            assertThatThrownBy(() -> admin.admin().setBackupSettings("archive.keyFile=" + open))
                    .isInstanceOfSatisfying(TetraException.class, t -> {
                        assertThat(t.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                        assertThat(t.getMessage()).contains("archive.keyFile");
                    });
            assertThat(Files.readString(server.layout().settingsDir().resolve("backup.yml")))
                    .contains(keyFile.toString()).doesNotContain(open.toString());
        }
    }
}
