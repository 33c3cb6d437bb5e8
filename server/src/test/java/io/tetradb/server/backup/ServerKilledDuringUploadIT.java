package io.tetradb.server.backup;

import io.tetradb.client.ClientConfig;
import io.tetradb.client.TetraClient;
import io.tetradb.protocol.BackupRecord;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged server, as its own process, killed (SIGKILL) while it uploads an archive to
 * a bucket (a real S3 server, s3proxy in this JVM, holding the part upload open): nothing
 * of it is an object under its name, and the next start records the backup FAILED, removes
 * the staged copy and aborts the unfinished upload; the next backup succeeds.
 */
@Timeout(300)
class ServerKilledDuringUploadIT {
    @TempDir
    Path dir;
    Process process;

    @AfterEach
    void kill() {
        if (process != null) {
            process.destroyForcibly();
        }
    }

    private int startPackagedServer(Path db) throws Exception {
        process = PackagedServerProcess.start(db);
        return PackagedServerProcess.port(process);
    }

    @Test
    void aKillDuringTheUploadLeavesNoArchiveAndTheNextStartRecordsItFailed() throws Exception {
        try (S3Servers s3 = S3Servers.start(Files.createDirectories(dir.resolve("s3-objects")))) {
            s3.createBucket("kill-bucket");
            Path credentials = dir.resolve("credentials");
            Files.writeString(credentials, "[default]\naws_access_key_id=" + S3Servers.ACCESS_KEY
                    + "\naws_secret_access_key=" + S3Servers.SECRET_KEY + "\n");
            Path db = dir.resolve("killed");
            int port = startPackagedServer(db);
            ClientConfig cfg = ClientConfig.builder().host("127.0.0.1").port(port).user("admin")
                    .password(TestServers.ADMIN_PASSWORD).connectTimeout(Duration.ofSeconds(30)).build();
            long number;
            try (TetraClient c = TetraClient.connect(cfg)) {
                TestServers.tableT(c, 50);
                c.admin().setBackupSettings("destination=s3://kill-bucket/db", "s3.endpoint=" + s3.endpoint(),
                        "s3.pathStyle=true", "s3.credentialsFile=" + credentials, "archive.compression=none");
                CompletableFuture<Void> uploading = s3.holdParts();
                number = c.admin().startBackup().getBackupNumber();
                uploading.get(60, TimeUnit.SECONDS);
                assertThat(c.admin().backupStatus().getProgress().getPhase()).isEqualTo("uploading");
            }
            Path staging = dir.resolve("killed-backup-staging");
            assertThat(staging.resolve(String.format("killed-%04d.tar", number))).as("staged while uploading")
                    .isRegularFile();
            process.destroyForcibly().waitFor(60, TimeUnit.SECONDS);
            s3.releaseParts();
            assertThat(s3.keys("kill-bucket")).doesNotContain(String.format("db/killed-%04d.tar", number));
            assertThat(s3.unfinishedUploads("kill-bucket")).containsExactly(String.format("db/killed-%04d.tar", number));

            try (TetraServer again = TetraServer.start(TestServers.config(dir).dataDir(db).build());
                 TetraClient after = TestServers.admin(again)) {
                BackupRecord last = after.admin().backupStatus().getLast();
                assertThat(last.getNumber()).isEqualTo(number);
                assertThat(last.getStatus()).isEqualTo("FAILED");
                assertThat(last.getErrorMessage()).contains("stopped during backup " + number);
                try (Stream<Path> s = Files.list(staging)) {
                    assertThat(s.toList()).as("the staged copy is removed").isEmpty();
                }
                assertThat(after.admin().backupHistory().getEntriesList()).isEmpty();
                assertThat(s3.unfinishedUploads("kill-bucket")).as("the unfinished upload is aborted").isEmpty();
                after.admin().startBackup();
                await().atMost(60, TimeUnit.SECONDS).until(() -> after.admin().backupStatus().getState().equals("IDLE"));
                BackupRecord next = after.admin().backupStatus().getLast();
                assertThat(next.getStatus()).as(next.getErrorMessage()).isEqualTo("SUCCESS");
                assertThat(s3.keys("kill-bucket")).contains(String.format("db/killed-%04d.tar", number + 1));
                assertThat(after.execute("SELECT COUNT(*) FROM T").rows().get(0).getLong(0)).isEqualTo(50L);
            }
        }
    }
}
