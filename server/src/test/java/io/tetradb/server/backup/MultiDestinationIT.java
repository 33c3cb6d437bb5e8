package io.tetradb.server.backup;

import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraClient;
import io.tetradb.client.TetraException;
import io.tetradb.protocol.BackupHistoryEntry;
import io.tetradb.protocol.BackupRecord;
import io.tetradb.protocol.DestinationCopy;
import io.tetradb.protocol.RestoreReport;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Several destinations at once (docs/backups.md, "Several destinations"): a folder and a
 * bucket (s3proxy in-process on a loopback port) both receive each archive and segment;
 * one failing destination (the bucket's endpoint stopped, a folder whose parent is a
 * regular file) does not hold back the other: the backup is PARTIAL 1407 naming it, the
 * history says which destination holds the archive, and the copy is made on the failure
 * policy's retry once it is back; a restore reads from the destination that is left; and
 * destination together with destinations is refused naming both.
 */
@Timeout(180)
class MultiDestinationIT {
    private static final String BUCKET = "tetra-backups";
    private static final String PREFIX = "shop/db";
    private static final String URL = "s3://" + BUCKET + "/" + PREFIX;

    @TempDir
    Path dir;
    S3Servers s3;
    TetraServer server;
    TetraClient admin;
    Path folder;

    @BeforeEach
    void start() throws Exception {
        s3 = S3Servers.start(Files.createDirectories(dir.resolve("s3-objects")));
        s3.createBucket(BUCKET);
        Path credentials = S3Servers.writeCredentials(dir.resolve("s3-credentials"));
        server = TetraServer.start(TestServers.config(dir).build());
        admin = TestServers.admin(server);
        TestServers.tableT(admin, 100);
        folder = dir.resolve("backups-here");
        admin.admin().setBackupSettings("destinations=[" + folder + ", " + URL + "]", "s3.endpoint=" + s3.endpoint(),
                "s3.region=us-east-1", "s3.pathStyle=true", "s3.credentialsFile=" + credentials);
    }

    @AfterEach
    void stop() throws Exception {
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

    private BackupRecord backup() {
        long before = admin.admin().backupStatus().getLast().getNumber();
        admin.admin().startBackup();
        await().atMost(120, TimeUnit.SECONDS).until(() -> {
            io.tetradb.protocol.BackupStatus st = admin.admin().backupStatus();
            return st.getState().equals("IDLE") && st.getLast().getNumber() > before;
        });
        return admin.admin().backupStatus().getLast();
    }

    private static List<String> files(Path d) throws Exception {
        if (!Files.isDirectory(d)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }

    private BackupHistoryEntry entry(long number) {
        return admin.admin().backupHistory().getEntriesList().stream().filter(e -> e.getNumber() == number)
                .findFirst().orElseThrow();
    }

    private static DestinationCopy copy(BackupHistoryEntry e, String destination) {
        return e.getCopiesList().stream().filter(c -> c.getDestination().equals(destination)).findFirst().orElseThrow();
    }

    @Test
    void aFolderAndABucketBothReceiveTheArchiveAndItsSegment() throws Exception {
        BackupRecord r = backup();
        assertThat(r.getStatus()).as(r.getErrorMessage()).isEqualTo("SUCCESS");
        assertThat(r.getArchive()).isEqualTo(folder.resolve("testdb-0001.tar.zst").toString());
        assertThat(files(folder)).containsExactlyInAnyOrder("testdb-0001.tar.zst", "testdb-0001.journal.zst",
                "backup-history.json");
        assertThat(s3.keys(BUCKET)).containsExactlyInAnyOrder(PREFIX + "/testdb-0001.tar.zst",
                PREFIX + "/testdb-0001.journal.zst", PREFIX + "/backup-history.json");
        assertThat(files(dir.resolve("testdb-backup-staging"))).isEmpty();
        BackupHistoryEntry e = entry(1);
        assertThat(e.getCopiesList()).extracting(DestinationCopy::getDestination).containsExactly(folder.toString(), URL);
        assertThat(e.getCopiesList()).allSatisfy(c -> assertThat(c.getHolds()).as(c.getError()).isTrue());
        assertThat(admin.admin().backupHistory().getDestination()).isEqualTo(folder + ", " + URL);
        assertThat(admin.admin().backupStatus().getLastCopiesList()).extracting(DestinationCopy::getHolds)
                .containsExactly(true, true);
    }

    @Test
    void logNewSendsItsSegmentToEachAndRetentionDeletesFromEach() throws Exception {
        admin.admin().setBackupSettings("retention.keepLast=1");
        assertThat(backup().getStatus()).isEqualTo("SUCCESS");
        admin.update("INSERT INTO T VALUES (?, ?)", 100, "in the segment log new closes");
        assertThat(admin.admin().logNew().getFile()).isEqualTo("testdb-0001-01.journal.zst");
        assertThat(files(folder)).contains("testdb-0001-01.journal.zst");
        assertThat(s3.keys(BUCKET)).contains(PREFIX + "/testdb-0001-01.journal.zst");
        BackupRecord second = backup();
        assertThat(second.getStatus()).as(second.getErrorMessage()).isEqualTo("SUCCESS");
        assertThat(files(folder)).containsExactlyInAnyOrder("testdb-0002.tar.zst", "testdb-0002.journal.zst",
                "backup-history.json");
        assertThat(s3.keys(BUCKET)).containsExactlyInAnyOrder(PREFIX + "/testdb-0002.tar.zst",
                PREFIX + "/testdb-0002.journal.zst", PREFIX + "/backup-history.json");
    }

    @Test
    void anInPlaceRestoreReadsArchiveAndSegmentsFromTheBucketWhenTheFolderIsGone() throws Exception {
        assertThat(backup().getStatus()).isEqualTo("SUCCESS");
        admin.update("INSERT INTO T VALUES (?, ?)", 100, "in the segment log new closes");
        admin.admin().logNew();
        admin.update("INSERT INTO T VALUES (?, ?)", 101, "in the current log file");
        deleteTree(folder);
        RestoreReport r = admin.admin().restoreInPlace(1);
        assertThat(r.getArchive()).isEqualTo(URL + "/testdb-0001.tar.zst");
        // Row 100 is only in the segment (it left Data/): read from the bucket.
        assertThat(admin.execute("SELECT COUNT(*), SUM(ID) FROM T").rows().get(0).values())
                .containsExactly(102L, 5151L);
    }

    @Test
    void aStoppedBucketDoesNotHoldBackTheFolderAndGetsItsCopyOnTheRetry() throws Exception {
        admin.admin().setBackupSettings("onFailure.retryAfter=1s", "onFailure.maxAttempts=1000");
        s3.stop();
        BackupRecord r = backup();
        assertThat(r.getStatus()).as(r.getErrorMessage()).isEqualTo("PARTIAL");
        assertThat(r.getErrorCode()).isEqualTo(ErrorCode.BACKUP_DESTINATION.code());
        assertThat(r.getErrorMessage()).contains("Not in " + URL);
        assertThat(files(folder)).contains("testdb-0001.tar.zst", "testdb-0001.journal.zst");
        BackupHistoryEntry e = entry(1);
        assertThat(copy(e, folder.toString()).getHolds()).isTrue();
        assertThat(copy(e, URL).getHolds()).isFalse();
        assertThat(copy(e, URL).getError()).isNotEmpty();
        // backup status says the same of the last backup.
        List<DestinationCopy> status = admin.admin().backupStatus().getLastCopiesList();
        assertThat(status).extracting(DestinationCopy::getDestination).containsExactly(folder.toString(), URL);
        assertThat(status).extracting(DestinationCopy::getHolds).containsExactly(true, false);

        s3.restart();
        await().atMost(60, TimeUnit.SECONDS).until(() -> s3.keys(BUCKET).contains(PREFIX + "/testdb-0001.tar.zst")
                && s3.keys(BUCKET).contains(PREFIX + "/testdb-0001.journal.zst"));
        await().atMost(60, TimeUnit.SECONDS).until(() -> copy(entry(1), URL).getHolds());
        assertThat(admin.admin().backupStatus().getLastCopiesList()).extracting(DestinationCopy::getHolds)
                .containsExactly(true, true);
        // The bucket's copy verifies and restores when the folder is gone.
        deleteTree(folder);
        Path to = dir.resolve("restored").resolve("testdb");
        RestoreReport rr = admin.admin().restoreBackup(1, to.toString());
        assertThat(rr.getArchive()).isNotEmpty();
        try (TetraServer copy = TetraServer.start(TestServers.config(dir.resolve("restored")).build());
             TetraClient c = TestServers.admin(copy)) {
            assertThat(c.execute("SELECT COUNT(*) FROM T").rows().get(0).values()).containsExactly(100L);
        }
    }

    @Test
    void aFolderThatCannotBeCreatedIsNamedAndGetsItsCopyAtTheNextBackup() throws Exception {
        // Root ignores permissions: a folder whose parent is a regular file cannot be created by anyone.
        Path blocker = dir.resolve("blocker");
        Files.writeString(blocker, "a file, not a folder");
        Path second = blocker.resolve("backups");
        admin.admin().setBackupSettings("s3.endpoint=", "s3.region=", "s3.pathStyle=", "s3.credentialsFile=",
                "destinations=[" + folder + ", " + second + "]", "onFailure.maxAttempts=1", "onFailure.retryAfter=1h");
        BackupRecord r = backup();
        assertThat(r.getStatus()).as(r.getErrorMessage()).isEqualTo("PARTIAL");
        assertThat(r.getErrorMessage()).contains(second.toString());
        assertThat(copy(entry(1), second.toString()).getHolds()).isFalse();
        assertThat(copy(entry(1), folder.toString()).getHolds()).isTrue();

        Files.delete(blocker);
        BackupRecord next = backup();
        assertThat(next.getStatus()).as(next.getErrorMessage()).isEqualTo("SUCCESS");
        // The next backup copied the first archive there before writing its own.
        assertThat(files(second)).contains("testdb-0001.tar.zst", "testdb-0001.journal.zst", "testdb-0002.tar.zst",
                "testdb-0002.journal.zst", "backup-history.json");
        assertThat(entry(1).getCopiesList()).allSatisfy(c -> assertThat(c.getHolds()).as(c.getError()).isTrue());
    }

    @Test
    void aFirstFolderThatCannotBeWrittenLeavesTheArchiveToTheBucket() throws Exception {
        Path blocker = dir.resolve("blocker");
        Files.writeString(blocker, "a file, not a folder");
        Path first = blocker.resolve("backups");
        admin.admin().setBackupSettings("destinations=[" + first + ", " + URL + "]");
        BackupRecord r = backup();
        assertThat(r.getStatus()).as(r.getErrorMessage()).isEqualTo("PARTIAL");
        assertThat(r.getErrorCode()).isEqualTo(ErrorCode.BACKUP_DESTINATION.code());
        assertThat(r.getErrorMessage()).contains("Not in " + first);
        assertThat(r.getArchive()).isEqualTo(URL + "/testdb-0001.tar.zst");
        assertThat(s3.keys(BUCKET)).contains(PREFIX + "/testdb-0001.tar.zst", PREFIX + "/testdb-0001.journal.zst");
        assertThat(files(dir.resolve("testdb-backup-staging"))).isEmpty();
        assertThat(copy(entry(1), first.toString()).getHolds()).isFalse();
        assertThat(copy(entry(1), URL).getHolds()).isTrue();
        assertThat(admin.admin().verifyBackup(1).getLogChecked()).isTrue();
    }

    @Test
    void destinationTogetherWithDestinationsIsRefusedNamingBoth() {
        assertThatThrownBy(() -> admin.admin().setBackupSettings("destination=" + dir.resolve("one")))
                .isInstanceOfSatisfying(TetraException.class, t -> {
                    assertThat(t.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                    assertThat(t.getMessage()).contains("destination", "destinations", "not both");
                });
        assertThatThrownBy(() -> admin.admin().setBackupSettings("destinations=[" + folder + ", " + folder + "]"))
                .isInstanceOfSatisfying(TetraException.class, t -> assertThat(t.getMessage()).contains("twice"));
        // Both changed together: the one destination replaces the list.
        admin.admin().setBackupSettings("destinations=", "destination=" + dir.resolve("one"));
        assertThat(backup().getArchive()).isEqualTo(dir.resolve("one").resolve("testdb-0001.tar.zst").toString());
    }

    private static void deleteTree(Path p) throws Exception {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}
