package io.tetradb.server.backup;

import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraClient;
import io.tetradb.client.TetraException;
import io.tetradb.protocol.BackupHistory;
import io.tetradb.protocol.BackupHistoryEntry;
import io.tetradb.protocol.BackupRecord;
import io.tetradb.protocol.RestoreReport;
import io.tetradb.protocol.VerifyReport;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Backups to an S3-compatible bucket (docs/s3-destinations.md): a real server backs up to
 * a real S3 server (s3proxy, in-process on a loopback port, started here), the history
 * lists what is in the bucket, archives verify and restore from it, retention deletes
 * objects; a wrong key, a missing bucket and an endpoint that stops mid-upload fail with
 * 1407, nothing of a half upload looking like an archive.
 */
@Timeout(180)
class S3DestinationIT {
    private static final String BUCKET = "tetra-backups";
    private static final String PREFIX = "shop/db";

    @TempDir
    Path dir;
    S3Servers s3;
    TetraServer server;
    TetraClient admin;
    Path credentials;
    /** The scheduler's clock (the failure policy's retry is driven by it). */
    MutableClock clock = new MutableClock(LocalDateTime.parse("2026-03-04T10:00"));

    @BeforeEach
    void start() throws Exception {
        s3 = S3Servers.start(Files.createDirectories(dir.resolve("s3-objects")));
        s3.createBucket(BUCKET);
        credentials = credentialsFile("s3-credentials", S3Servers.ACCESS_KEY, S3Servers.SECRET_KEY);
        server = TetraServer.start(TestServers.config(dir).build(), clock);
        admin = TestServers.admin(server);
        TestServers.tableT(admin, 100);
        toBucket(BUCKET);
    }

    @AfterEach
    void stop() throws Exception {
        S3ArchiveStore.onPartUploaded(null);
        if (admin != null) {
            admin.close();
        }
        if (server != null) {
            server.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    private Path credentialsFile(String name, String key, String secret) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, "[default]\naws_access_key_id = " + key + "\naws_secret_access_key = " + secret + "\n");
        return f;
    }

    /** Sets the destination to {@code bucket} through the admin API, as tetra-admin backup settings set does. */
    private void toBucket(String bucket) {
        admin.admin().setBackupSettings("destination=s3://" + bucket + "/" + PREFIX, "s3.endpoint=" + s3.endpoint(),
                "s3.region=us-east-1", "s3.pathStyle=true", "s3.credentialsFile=" + credentials);
    }

    private BackupRecord backup() {
        admin.admin().startBackup();
        await().atMost(120, TimeUnit.SECONDS).until(() -> admin.admin().backupStatus().getState().equals("IDLE"));
        return admin.admin().backupStatus().getLast();
    }

    private List<String> keys() {
        return s3.keys(BUCKET);
    }

    private Path staging() {
        return dir.resolve("testdb-backup-staging");
    }

    private List<String> staged() throws Exception {
        if (!Files.isDirectory(staging())) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(staging())) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }

    @Test
    void aBackupGoesToTheBucketIsListedVerifiesAndRestoresFromIt() throws Exception {
        BackupRecord r = backup();
        assertThat(r.getStatus()).as(r.getErrorMessage()).isEqualTo("SUCCESS");
        assertThat(r.getArchive()).isEqualTo("s3://" + BUCKET + "/" + PREFIX + "/testdb-0001.tar.zst");
        assertThat(keys()).containsExactlyInAnyOrder(PREFIX + "/testdb-0001.tar.zst", PREFIX + "/testdb-0001.journal.zst",
                PREFIX + "/backup-history.json");
        assertThat(staged()).isEmpty();

        BackupHistory h = admin.admin().backupHistory();
        assertThat(h.getDestination()).isEqualTo("s3://" + BUCKET + "/" + PREFIX);
        assertThat(h.getEntriesList()).extracting(BackupHistoryEntry::getNumber).containsExactly(1L);
        BackupHistoryEntry e = h.getEntries(0);
        assertThat(e.getFile()).isEqualTo("testdb-0001.tar.zst");
        assertThat(e.getStatus()).isEqualTo("SUCCESS");
        assertThat(e.getSize()).isEqualTo(r.getArchiveSize());
        assertThat(e.getLogSegmentsList()).extracting(io.tetradb.protocol.LogSegmentFile::getFile)
                .containsExactly("testdb-0001.journal.zst");

        VerifyReport v = admin.admin().verifyBackup(1);
        assertThat(v.getArchive()).isEqualTo(r.getArchive());
        assertThat(v.getTables()).isGreaterThanOrEqualTo(1);
        assertThat(v.getLogChecked()).isTrue();

        // Written after the backup: the restore brings the archive forward with the log.
        admin.update("INSERT INTO T VALUES (?, ?)", 100, "after the backup");
        Path to = dir.resolve("restored").resolve("testdb");
        RestoreReport rr = admin.admin().restoreBackup(1, to.toString());
        assertThat(rr.getArchive()).isEqualTo(r.getArchive());
        try (TetraServer copy = TetraServer.start(TestServers.config(dir.resolve("restored")).build());
             TetraClient c = TestServers.admin(copy)) {
            assertThat(c.execute("SELECT COUNT(*), SUM(ID) FROM T").rows().get(0).values())
                    .containsExactly(101L, 5050L);
        }
        assertThat(admin.admin().backupWindow().getArchivesList()).hasSize(1);
    }

    @Test
    void retentionDeletesTheObjectsOfTheOldestArchive() throws Exception {
        admin.admin().setBackupSettings("retention.keepLast=1");
        assertThat(backup().getStatus()).isEqualTo("SUCCESS");
        admin.update("INSERT INTO T VALUES (?, ?)", 100, "between");
        BackupRecord second = backup();
        assertThat(second.getStatus()).as(second.getErrorMessage()).isEqualTo("SUCCESS");
        assertThat(keys()).containsExactlyInAnyOrder(PREFIX + "/testdb-0002.tar.zst", PREFIX + "/testdb-0002.journal.zst",
                PREFIX + "/backup-history.json");
        assertThat(admin.admin().backupHistory().getEntriesList()).extracting(BackupHistoryEntry::getNumber)
                .containsExactly(2L);
        assertThat(admin.admin().verifyBackup(2).getLogChecked()).isTrue();
    }

    @Test
    void logNewUploadsItsSegmentAndAnInPlaceRestoreReadsArchiveAndSegmentsFromTheBucket() throws Exception {
        assertThat(backup().getStatus()).isEqualTo("SUCCESS");
        admin.update("INSERT INTO T VALUES (?, ?)", 100, "in the segment log new closes");
        io.tetradb.protocol.LogSegmentFile seg = admin.admin().logNew();
        assertThat(seg.getFile()).isEqualTo("testdb-0001-01.journal.zst");
        assertThat(keys()).contains(PREFIX + "/testdb-0001-01.journal.zst");
        assertThat(staged()).isEmpty();
        admin.update("INSERT INTO T VALUES (?, ?)", 101, "in the current log file");

        io.tetradb.protocol.BackupWindow w = admin.admin().backupWindow();
        assertThat(w.getGapsList()).isEmpty();
        assertThat(w.getArchives(0).getToCurrent()).isTrue();

        RestoreReport r = admin.admin().restoreInPlace(1);
        assertThat(r.getArchive()).isEqualTo("s3://" + BUCKET + "/" + PREFIX + "/testdb-0001.tar.zst");
        // Row 100 is only in the segment log new uploaded (it left Data/): the restore read it from the bucket.
        assertThat(admin.execute("SELECT COUNT(*), SUM(ID) FROM T").rows().get(0).values())
                .containsExactly(102L, 5151L);
    }

    @Test
    void wrongCredentialsAreRefusedWith1407NamingTheBucketNeverTheSecret() throws Exception {
        credentials = credentialsFile("wrong-credentials", S3Servers.ACCESS_KEY, "not-the-secret-4471");
        toBucket(BUCKET);
        assertThatThrownBy(() -> admin.admin().startBackup()).isInstanceOfSatisfying(TetraException.class, t -> {
            assertThat(t.code()).isEqualTo(ErrorCode.BACKUP_DESTINATION);
            assertThat(t.getMessage()).contains("credentials were refused", BUCKET, s3.endpoint(),
                    credentials.toString()).doesNotContain("not-the-secret-4471");
        });
        BackupRecord last = admin.admin().backupStatus().getLast();
        assertThat(last.getStatus()).isEqualTo("FAILED");
        assertThat(last.getErrorCode()).isEqualTo(1407);
        assertThat(keys()).isEmpty();
    }

    @Test
    void aMissingBucketIs1407SayingSo() {
        toBucket("no-such-bucket");
        assertThatThrownBy(() -> admin.admin().startBackup()).isInstanceOfSatisfying(TetraException.class, t -> {
            assertThat(t.code()).isEqualTo(ErrorCode.BACKUP_DESTINATION);
            assertThat(t.getMessage()).contains("The bucket no-such-bucket does not exist at " + s3.endpoint());
        });
    }

    private BackupRecord awaitLast(long number) {
        await().atMost(120, TimeUnit.SECONDS).until(() -> {
            io.tetradb.protocol.BackupStatus st = admin.admin().backupStatus();
            return st.getState().equals("IDLE") && st.getLast().getNumber() >= number;
        });
        return admin.admin().backupStatus().getLast();
    }

    private static long millis(String t) {
        return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC).toEpochMilli();
    }

    @Test
    void anEndpointStoppedMidUploadLeavesNoArchiveAndTheRetryOfTheFailurePolicySucceedsOnceItIsBack()
            throws Exception {
        // An uncompressed archive of more than one 8 MiB part.
        admin.execute("CREATE TABLE B(ID INT PRIMARY KEY, DATA VARBINARY(10000))");
        Random rnd = new Random(11);
        for (int i = 0; i < 1200; i++) {
            byte[] b = new byte[10000];
            rnd.nextBytes(b);
            admin.update("INSERT INTO B VALUES (?, ?)", i, b);
        }
        admin.admin().setBackupSettings("archive.compression=none", "schedule.frequency=hourly",
                "schedule.startingAt=\"00:00\"", "onFailure.retryAfter=10m", "onFailure.maxAttempts=3");
        AtomicReference<Exception> stopFailed = new AtomicReference<>();
        S3ArchiveStore.onPartUploaded(part -> {
            if (part == 1) {
                try {
                    s3.stop();
                } catch (Exception e) {
                    stopFailed.set(e);
                }
            }
        });
        clock.set(LocalDateTime.parse("2026-03-04T11:00"));
        server.scheduler().check();
        BackupRecord failed = awaitLast(1);
        assertThat(stopFailed.get()).isNull();
        assertThat(failed.getStatus()).isEqualTo("FAILED");
        assertThat(failed.getErrorCode()).as(failed.getErrorMessage()).isEqualTo(1407);
        assertThat(failed.getErrorMessage()).contains("testdb-0001.tar", BUCKET, s3.endpoint());
        assertThat(failed.getArchive()).isEmpty();
        assertThat(staged()).isEmpty();
        // Retried per onFailure: 10 minutes later.
        await().atMost(60, TimeUnit.SECONDS).until(
                () -> admin.admin().backupStatus().getNextScheduledMillis() == millis("2026-03-04T11:10"));
        S3ArchiveStore.onPartUploaded(null);
        s3.restart();
        // Nothing of the half upload is an object under its name, nor in the history.
        assertThat(keys()).doesNotContain(PREFIX + "/testdb-0001.tar", PREFIX + "/testdb-0001.journal.zst");
        assertThat(admin.admin().backupHistory().getEntriesList()).isEmpty();

        clock.set(LocalDateTime.parse("2026-03-04T11:10"));
        server.scheduler().check();
        BackupRecord again = awaitLast(2);
        assertThat(again.getStatus()).as(again.getErrorMessage()).isEqualTo("SUCCESS");
        assertThat(keys()).contains(PREFIX + "/testdb-0002.tar", PREFIX + "/testdb-0002.journal.zst")
                .doesNotContain(PREFIX + "/testdb-0001.tar");
        assertThat(admin.admin().backupHistory().getEntriesList()).extracting(BackupHistoryEntry::getNumber)
                .containsExactly(2L);
        // Read back from the bucket as a stream, its data file checked segment by segment.
        VerifyReport v = admin.admin().verifyBackup(2);
        assertThat(v.getArchive()).isEqualTo("s3://" + BUCKET + "/" + PREFIX + "/testdb-0002.tar");
        assertThat(v.getLogChecked()).isTrue();
        assertThat(admin.execute("SELECT COUNT(*) FROM B").rows().get(0).values()).containsExactly(1200L);
    }
}
