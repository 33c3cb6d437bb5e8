package io.tetradb.server.backup;

import com.github.luben.zstd.ZstdInputStream;
import io.tetradb.client.ClientConfig;
import io.tetradb.client.ErrorCode;
import io.tetradb.client.Row;
import io.tetradb.client.TetraClient;
import io.tetradb.client.TetraException;
import io.tetradb.protocol.BackupRecord;
import io.tetradb.protocol.RestoreBackup;
import io.tetradb.protocol.RestoreReport;
import io.tetradb.protocol.VerifyReport;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Issue 19's end-to-end run: the packaged server (target/tetra-server.jar, its own process)
 * backs up to {@code s3://bucket/prefix} on a real S3 server (s3proxy in this JVM) with a
 * credentials file, the log on (the default), so that the segments {@code log new} closes go to
 * the bucket too; writes after the backup, a point in time noted, writes after it; then
 * {@code backup verify} from the bucket and a restore to that point from the bucket (the
 * archive and the segments read from it, none of them left on the server's disk), whose folder
 * holds exactly the rows committed up to the point. The same with
 * {@code archive.encryption: aes-256-gcm}, restored with {@code --at} (the server picks the
 * archive): every archive and segment object is an encrypted file, and no object of the bucket
 * holds the rows' text. The credentials appear nowhere: not in the server's output (at DEBUG in
 * the first run), {@code Logs/}, backup.yml, backup-history.json, any object, nor the message of
 * a refused secret.
 */
@Timeout(180)
class PackagedS3EndToEndIT {
    private static final String BUCKET = "e2e-backups";
    private static final String PREFIX = "tetra/shop";
    private static final String URL = "s3://" + BUCKET + "/" + PREFIX;
    private static final String MARKER = "e2e-row-text-";
    private static final String QUERY = "SELECT ID, V FROM T ORDER BY ID";
    private static final String WRONG_SECRET = "e2e-wrong-secret-5521";

    @TempDir
    Path dir;
    Process process;
    final List<String> output = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void kill() throws Exception {
        if (process != null) {
            process.destroyForcibly().waitFor(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void backupVerifyAndRestoreToAPointInTimeFromTheBucket() throws Exception {
        // The server's own logging configuration with its root at DEBUG (the AWS SDK's loggers included).
        String config;
        try (InputStream in = TetraServer.class.getResourceAsStream("/log4j2.xml")) {
            config = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(config).contains("<Root level=\"info\">");
        Path debug = Files.writeString(dir.resolve("log4j2-debug.xml"),
                config.replace("<Root level=\"info\">", "<Root level=\"debug\">"));
        run(false, "-Dlog4j2.configurationFile=" + debug);
        assertThat(output).as("the server logged at DEBUG").anyMatch(l -> l.contains(" DEBUG "));
    }

    @Test
    void theSameWithEncryptedArchivesAndSegmentsRestoredWithAt() throws Exception {
        run(true);
    }

    private void run(boolean encrypted, String... jvmOptions) throws Exception {
        String enc = encrypted ? EncryptedFile.SUFFIX : "";
        try (S3Servers s3 = S3Servers.start(Files.createDirectories(dir.resolve("s3-objects")))) {
            s3.createBucket(BUCKET);
            Path credentials = ownerOnly(dir.resolve("s3-credentials"), "[default]\naws_access_key_id = "
                    + S3Servers.ACCESS_KEY + "\naws_secret_access_key = " + S3Servers.SECRET_KEY + "\n");
            Path db = dir.resolve("shop");
            process = PackagedServerProcess.start(db, jvmOptions);
            int port = PackagedServerProcess.port(process, output);
            List<String> atPoint;
            long point;
            try (TetraClient c = TetraClient.connect(ClientConfig.builder().host("127.0.0.1").port(port).user("admin")
                    .password(TestServers.ADMIN_PASSWORD).connectTimeout(Duration.ofSeconds(30)).build())) {
                c.execute("CREATE TABLE T(ID BIGINT PRIMARY KEY, V VARCHAR(200))");
                c.update("INSERT INTO T SELECT X, '" + MARKER + "' || X || ' in the archive' FROM SYSTEM_RANGE(1, 300)");
                List<String> settings = new ArrayList<>(List.of("destination=" + URL, "s3.endpoint=" + s3.endpoint(),
                        "s3.pathStyle=true", "s3.credentialsFile=" + credentials, "archive.compression=none"));
                if (encrypted) {
                    byte[] key = new byte[32];
                    new SecureRandom().nextBytes(key);
                    Path keyFile = ownerOnly(dir.resolve("backup.key"), HexFormat.of().formatHex(key) + "\n");
                    settings.addAll(List.of("archive.encryption=aes-256-gcm", "archive.keyFile=" + keyFile));
                }
                c.admin().setBackupSettings(settings.toArray(String[]::new));
                BackupRecord backup = TestServers.backup(c);
                assertThat(backup.getStatus()).as(backup.getErrorMessage()).isEqualTo("SUCCESS");
                assertThat(backup.getArchive()).isEqualTo(URL + "/shop-0001.tar" + enc);

                // After the backup: in the segment log new closes and uploads.
                c.update("UPDATE T SET V = '" + MARKER + "' || ID || ' changed after the backup' WHERE ID <= 20");
                c.update("INSERT INTO T SELECT X, '" + MARKER + "' || X || ' in segment 1' FROM SYSTEM_RANGE(301, 360)");
                assertThat(c.admin().logNew().getFile()).isEqualTo("shop-0001-01.journal.zst" + enc);
                // Up to the point: several transactions, one of them of several statements.
                c.update("DELETE FROM T WHERE ID BETWEEN 100 AND 120");
                for (int i = 361; i <= 370; i++) {
                    c.update("INSERT INTO T VALUES (?, ?)", i, MARKER + i + " before the point");
                }
                c.begin();
                c.update("UPDATE T SET V = 'moved' WHERE ID = 5");
                c.update("INSERT INTO T VALUES (371, 'with the move')");
                c.commit();
                atPoint = rows(c);
                // Every commit up to here was acknowledged before the point; every later one is after it.
                point = System.currentTimeMillis();
                await().pollInterval(Duration.ofMillis(1)).until(() -> System.currentTimeMillis() > point);

                c.update("UPDATE T SET V = 'after the point' WHERE ID <= 200");
                c.update("DELETE FROM T WHERE ID > 350");
                c.update("INSERT INTO T VALUES (1000, 'after the point')");
                assertThat(c.admin().logNew().getFile()).isEqualTo("shop-0001-02.journal.zst" + enc);
                c.update("INSERT INTO T VALUES (1001, 'in the current log file')");
                assertThat(rows(c)).isNotEqualTo(atPoint);

                List<String> keys = s3.keys(BUCKET);
                assertThat(keys).containsExactlyInAnyOrder(PREFIX + "/backup-history.json",
                        PREFIX + "/shop-0001.tar" + enc, PREFIX + "/shop-0001.journal.zst" + enc,
                        PREFIX + "/shop-0001-01.journal.zst" + enc, PREFIX + "/shop-0001-02.journal.zst" + enc);
                // The archive and the closed segments are in the bucket only: what follows reads them from it.
                assertThat(filesUnder(db.resolve("Data"))).noneMatch(f -> f.contains("shop-0001"));
                assertThat(filesUnder(dir.resolve("shop-backup-staging"))).isEmpty();

                VerifyReport v = c.admin().verifyBackup(1);
                assertThat(v.getArchive()).isEqualTo(backup.getArchive());
                assertThat(v.getLogChecked()).isTrue();
                assertThat(v.getLogSegmentsList()).contains("shop-0001-01.journal.zst" + enc,
                        "shop-0001-02.journal.zst" + enc);
                assertThat(v.getRows()).isEqualTo(300);

                Path to = dir.resolve("restored").resolve("shop");
                RestoreBackup.Builder restore = RestoreBackup.newBuilder().setToDir(to.toString());
                if (encrypted) {
                    restore.setAtTimeMillis(point);
                } else {
                    restore.setNumber(1).setUntilTimeMillis(point);
                }
                RestoreReport r = c.admin().restore(restore.build());
                assertThat(r.getNumber()).isEqualTo(1);
                assertThat(r.getArchive()).isEqualTo(backup.getArchive());
                assertThat(r.getLogIntegrated()).isTrue();
                assertThat(r.getStoppedAtPoint()).isTrue();
                assertThat(r.getLogSegmentsList()).contains("shop-0001-01.journal.zst" + enc,
                        "shop-0001-02.journal.zst" + enc);

                if (!encrypted) {
                    // A refused secret: 1407, the message names the file, never a secret.
                    Files.writeString(credentials, "[default]\naws_access_key_id = " + S3Servers.ACCESS_KEY
                            + "\naws_secret_access_key = " + WRONG_SECRET + "\n");
                    assertThatThrownBy(() -> c.admin().startBackup()).isInstanceOfSatisfying(TetraException.class, t -> {
                        assertThat(t.code()).isEqualTo(ErrorCode.BACKUP_DESTINATION);
                        assertThat(t.getMessage()).contains("credentials were refused", credentials.toString());
                        assertNoCredentials("the error message", t.getMessage());
                    });
                    BackupRecord refused = c.admin().backupStatus().getLast();
                    assertThat(refused.getErrorCode()).isEqualTo(1407);
                    assertNoCredentials("the refused backup's record", refused.getErrorMessage());
                    // Reading the bucket's history with them: 1407 too, not an internal error.
                    assertThatThrownBy(() -> c.admin().backupHistory()).isInstanceOfSatisfying(TetraException.class,
                            t -> {
                                assertThat(t.code()).isEqualTo(ErrorCode.BACKUP_DESTINATION);
                                assertThat(t.getMessage()).contains("credentials were refused");
                                assertNoCredentials("the history's error message", t.getMessage());
                            });
                    Files.writeString(credentials, "[default]\naws_access_key_id = " + S3Servers.ACCESS_KEY
                            + "\naws_secret_access_key = " + S3Servers.SECRET_KEY + "\n");
                }
                assertNoCredentials("backup settings", c.admin().backupSettings().getYaml());
                assertNoCredentials("backup history", c.admin().backupHistory().toString());
            }
            process.destroy();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the server stops on SIGTERM").isTrue();

            Path to = dir.resolve("restored").resolve("shop");
            try (TetraServer copy = TetraServer.start(TestServers.config(dir).dataDir(to).build());
                 TetraClient c = TestServers.admin(copy)) {
                assertThat(rows(c)).as("exactly the rows committed up to the point").isEqualTo(atPoint);
            }

            // What the bucket holds.
            byte[] marker = MARKER.getBytes(StandardCharsets.UTF_8);
            for (String key : s3.keys(BUCKET)) {
                byte[] object = s3.read(BUCKET, key);
                assertNoCredentials("object " + key, new String(object, StandardCharsets.ISO_8859_1));
                if (encrypted) {
                    assertThat(indexOf(object, marker)).as("no plain text of the rows in " + key).isNegative();
                    if (!key.endsWith("backup-history.json")) {
                        assertThat(key).endsWith(EncryptedFile.SUFFIX);
                        assertThat(new String(object, 0, 8, StandardCharsets.US_ASCII)).as(key).isEqualTo("TETRAENC");
                    }
                }
            }
            if (!encrypted) {
                // The control of the check above: unencrypted, the rows' text is there to be found.
                assertThat(indexOf(s3.read(BUCKET, PREFIX + "/shop-0001.tar"), marker)).isNotNegative();
                byte[] segment;
                try (InputStream in = new ZstdInputStream(new ByteArrayInputStream(
                        s3.read(BUCKET, PREFIX + "/shop-0001-01.journal.zst")))) {
                    segment = in.readAllBytes();
                }
                assertThat(indexOf(segment, (MARKER + "301 in segment 1").getBytes(StandardCharsets.UTF_8)))
                        .isNotNegative();
            }
            // Nor anywhere the server wrote or printed.
            synchronized (output) {
                assertNoCredentials("the server's output", String.join("\n", output));
            }
            for (Path folder : List.of(db.resolve("Logs"), db.resolve("Settings"), to.resolve("Settings"))) {
                for (String f : filesUnder(folder)) {
                    assertNoCredentials(f, Files.readString(folder.resolve(f), StandardCharsets.ISO_8859_1));
                }
            }
            assertThat(filesUnder(db.resolve("Logs"))).contains("server.log", "backup-journal.txt");
        }
    }

    private static void assertNoCredentials(String where, String text) {
        assertThat(text).as(where).doesNotContain(S3Servers.SECRET_KEY).doesNotContain(WRONG_SECRET)
                .doesNotContain(S3Servers.ACCESS_KEY);
    }

    private static List<String> rows(TetraClient c) {
        List<String> out = new ArrayList<>();
        for (Row r : c.execute(QUERY).rows()) {
            out.add(r.getLong(0) + "=" + r.getString(1));
        }
        return out;
    }

    private static Path ownerOnly(Path f, String text) throws Exception {
        Files.writeString(f, text);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    /** The regular files under {@code folder} (relative paths), none when it does not exist. */
    private static List<String> filesUnder(Path folder) throws Exception {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(folder)) {
            return s.filter(Files::isRegularFile).map(p -> folder.relativize(p).toString()).sorted().toList();
        }
    }

    private static int indexOf(byte[] all, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= all.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (all[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
