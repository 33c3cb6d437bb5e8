package io.tetradb.server.backup;

import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraClient;
import io.tetradb.client.TetraException;
import io.tetradb.protocol.BackupRecord;
import io.tetradb.protocol.RestoreBackup;
import io.tetradb.protocol.Role;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile paths of a bucket destination (docs/s3-destinations.md): an archive or a log segment
 * changed or deleted in the bucket behind the server's back is named by {@code backup verify}
 * with its code (1411 for an archive, 1413 / 1412 for a segment) and a restore refuses it,
 * leaving no folder; a prefix with {@code ..} or odd characters is refused naming what is wrong
 * and nothing changes; users and readers can neither read nor change the S3 settings. A real
 * server, a real S3 server (s3proxy in-process); the bucket is changed through s3proxy's store.
 */
@Timeout(180)
class S3TamperingIT {
    private static final String BUCKET = "tetra-backups";
    private static final String PREFIX = "shop/db";
    private static final String URL = "s3://" + BUCKET + "/" + PREFIX;

    @TempDir
    Path dir;
    S3Servers s3;
    TetraServer server;
    TetraClient admin;

    @BeforeEach
    void start() throws Exception {
        s3 = S3Servers.start(Files.createDirectories(dir.resolve("s3-objects")));
        s3.createBucket(BUCKET);
        Path credentials = S3Servers.writeCredentials(dir.resolve("s3-credentials"));
        server = TetraServer.start(TestServers.config(dir).build());
        admin = TestServers.admin(server);
        TestServers.tableT(admin, 100);
        admin.admin().setBackupSettings("destination=" + URL, "s3.endpoint=" + s3.endpoint(), "s3.pathStyle=true",
                "s3.credentialsFile=" + credentials, "archive.compression=none");
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
        BackupRecord r = TestServers.backup(admin);
        assertThat(r.getStatus()).as(r.getErrorMessage()).isEqualTo("SUCCESS");
        return r;
    }

    private static TetraException fails(Supplier<?> call) {
        try {
            call.get();
        } catch (TetraException e) {
            return e;
        }
        throw new AssertionError("it succeeded");
    }

    private Path restoredFolder(String name) {
        return dir.resolve("restored-" + name).resolve("testdb");
    }

    /** The restore left neither {@code to} nor anything beside it (its parent may have been created). */
    private static void assertNothingLeft(Path to) throws Exception {
        assertThat(to).doesNotExist();
        if (Files.exists(to.getParent())) {
            try (java.util.stream.Stream<Path> s = Files.list(to.getParent())) {
                assertThat(s.toList()).isEmpty();
            }
        }
    }

    private void flipMiddleByte(String key) throws Exception {
        byte[] b = s3.read(BUCKET, key);
        b[b.length / 2] ^= 0x20;
        s3.replace(BUCKET, key, b);
    }

    @Test
    void anArchiveChangedInTheBucketFailsVerifyAndRestoreWith1411() throws Exception {
        backup();
        flipMiddleByte(PREFIX + "/testdb-0001.tar");

        TetraException verify = fails(() -> admin.admin().verifyBackup(1));
        assertThat(verify.code()).isEqualTo(ErrorCode.BACKUP_VERIFY_FAILED);
        assertThat(verify.getMessage()).contains("does not match its checksum");
        Path to = restoredFolder("changed");
        TetraException restore = fails(() -> admin.admin().restoreBackup(1, to.toString()));
        assertThat(restore.code()).isEqualTo(ErrorCode.BACKUP_VERIFY_FAILED);
        assertThat(restore.getMessage()).isEqualTo(verify.getMessage());
        assertNothingLeft(to);
    }

    @Test
    void anArchiveDeletedFromTheBucketIsNamedByVerifyAndRestore() throws Exception {
        backup();
        s3.remove(BUCKET, PREFIX + "/testdb-0001.tar");

        TetraException verify = fails(() -> admin.admin().verifyBackup(1));
        assertThat(verify.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(verify.getMessage()).contains("Backup 1 not found", "testdb-0001.tar", URL);
        Path to = restoredFolder("deleted");
        TetraException restore = fails(() -> admin.admin().restoreBackup(1, to.toString()));
        assertThat(restore.getMessage()).isEqualTo(verify.getMessage());
        assertNothingLeft(to);
        TetraException at = fails(() -> admin.admin().restore(RestoreBackup.newBuilder().setToDir(to.toString())
                .setAtTimeMillis(System.currentTimeMillis()).build()));
        assertThat(at.getMessage()).contains("No archive kept in " + URL);
        assertNothingLeft(to);
    }

    @Test
    void aLogSegmentChangedOrDeletedInTheBucketFailsVerifyAndRestoreWithItsCode() throws Exception {
        backup();
        admin.update("INSERT INTO T VALUES (?, ?)", 100, "only in the segment");
        assertThat(admin.admin().logNew().getFile()).isEqualTo("testdb-0001-01.journal.zst");
        String key = PREFIX + "/testdb-0001-01.journal.zst";
        byte[] original = s3.read(BUCKET, key);
        flipMiddleByte(key);

        TetraException verify = fails(() -> admin.admin().verifyBackup(1));
        assertThat(verify.code()).isEqualTo(ErrorCode.LOG_SEGMENT_DAMAGED);
        assertThat(verify.getMessage()).contains("testdb-0001-01.journal.zst");
        Path to = restoredFolder("segment-changed");
        TetraException restore = fails(() -> admin.admin().restoreBackup(1, to.toString()));
        assertThat(restore.code()).isEqualTo(ErrorCode.LOG_SEGMENT_DAMAGED);
        assertThat(restore.getMessage()).contains("testdb-0001-01.journal.zst");
        assertNothingLeft(to);

        s3.remove(BUCKET, key);
        TetraException gone = fails(() -> admin.admin().verifyBackup(1));
        assertThat(gone.code()).isEqualTo(ErrorCode.LOG_SEGMENT_MISSING);
        assertThat(gone.getMessage()).contains("a segment is missing", "Not in the backup destination: "
                + "testdb-0001-01.journal.zst (log new after backup 1, operations 102 to 102, recorded in "
                + "backup-history.json)");
        TetraException restoreGone = fails(() -> admin.admin().restoreBackup(1, to.toString()));
        assertThat(restoreGone.code()).isEqualTo(ErrorCode.LOG_SEGMENT_MISSING);
        assertThat(restoreGone.getMessage()).contains("testdb-0001-01.journal.zst (log new after backup 1");
        assertNothingLeft(to);

        // Put back as it was, the segment verifies and restores again.
        s3.replace(BUCKET, key, original);
        assertThat(admin.admin().verifyBackup(1).getLogChecked()).isTrue();
        admin.admin().restoreBackup(1, to.toString());
        try (TetraServer copy = TetraServer.start(TestServers.config(dir).dataDir(to).build());
             TetraClient c = TestServers.admin(copy)) {
            assertThat(c.execute("SELECT COUNT(*) FROM T").rows().get(0).getLong(0)).isEqualTo(101L);
        }
    }

    @Test
    void aPrefixWithDotDotOrOddCharactersIsRefusedAndNothingChanges() throws Exception {
        Path yml = server.layout().settingsDir().resolve("backup.yml");
        String before = Files.readString(yml);
        for (String[] bad : new String[][] {{"s3://" + BUCKET + "/shop/../../etc", ". or .. part"},
                {"s3://" + BUCKET + "/shop db", "U+0020 (a space)"}, {"s3://" + BUCKET + "/shop%2F..", "'%'"},
                {"s3://" + BUCKET + "/shop?x", "'?'"}}) {
            TetraException t = fails(() -> admin.admin().setBackupSettings("destination=" + bad[0]));
            assertThat(t.code()).as(bad[0]).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            assertThat(t.getMessage()).as(bad[0]).contains("destination", "the prefix of", bad[1]);
            assertThat(Files.readString(yml)).isEqualTo(before);
        }
        assertThat(backup().getArchive()).isEqualTo(URL + "/testdb-0001.tar");
        assertThat(s3.keys(BUCKET)).allMatch(k -> k.startsWith(PREFIX + "/"));
    }

    @Test
    void usersAndReadersCanNeitherReadNorChangeTheS3Settings() throws Exception {
        Path yml = server.layout().settingsDir().resolve("backup.yml");
        String before = Files.readString(yml);
        admin.admin().addUser("clerk", Role.USER, "clerk-password-1".toCharArray());
        admin.admin().addUser("auditor", Role.READER, "auditor-password-1".toCharArray());
        for (String[] who : new String[][] {{"clerk", "clerk-password-1"}, {"auditor", "auditor-password-1"}}) {
            try (TetraClient c = TestServers.connect(server, who[0], who[1])) {
                for (Supplier<?> call : java.util.List.<Supplier<?>>of(() -> c.admin().backupSettings(),
                        () -> c.admin().setBackupSettings("s3.endpoint=http://127.0.0.1:1", "destination=s3://other"),
                        () -> c.admin().setBackupSettings("s3.credentialsFile=/tmp/mine"),
                        () -> c.admin().backupHistory(), () -> c.admin().backupStatus())) {
                    assertThat(fails(call).code()).as(who[0]).isEqualTo(ErrorCode.PERMISSION_DENIED);
                }
            }
        }
        assertThat(Files.readString(yml)).isEqualTo(before);
        assertThat(admin.admin().backupSettings().getYaml()).contains(URL, s3.endpoint());
    }
}
