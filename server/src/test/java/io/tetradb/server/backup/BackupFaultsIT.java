package io.tetradb.server.backup;

import io.tetradb.client.Result;
import io.tetradb.client.TetraClient;
import io.tetradb.client.TetraFuture;
import io.tetradb.protocol.BackupRecord;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.awaitility.Awaitility.await;

/** Real faults during the copy: the backup fails with its code, the database stays intact and writable. */
@Timeout(180)
class BackupFaultsIT {
    @TempDir
    Path dir;
    Path mount;

    @AfterEach
    void unmount() throws Exception {
        if (mount != null) {
            new ProcessBuilder("umount", mount.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Mounts a tmpfs with {@code options} (root only); false where this machine does not allow it. */
    private boolean mountTmpfs(Path where, String options) throws Exception {
        Files.createDirectories(where);
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", options, "tmpfs", where.toString())
                .redirectErrorStream(true).start();
        boolean ok = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        if (ok) {
            mount = where;
        }
        return ok;
    }

    @Test
    void aFullDiskFailsTheBackupWith1409AndNothingIsLost() throws Exception {
        Path small = dir.resolve("small-disk");
        assumeTrue(mountTmpfs(small, "size=512k"), "mounting a tmpfs needs root");
        try (TetraServer server = TestServers.start(dir); TetraClient admin = TestServers.admin(server);
             TetraClient writer = TestServers.admin(server)) {
            admin.execute("CREATE TABLE BIG(ID INT PRIMARY KEY, DATA VARBINARY(10000))");
            Random rnd = new Random(1);
            for (int i = 0; i < 300; i++) {
                byte[] b = new byte[10000];
                rnd.nextBytes(b);
                admin.update("INSERT INTO BIG VALUES (?, ?)", i, b);
            }
            Files.writeString(server.layout().settingsDir().resolve("backup.yml"),
                    "destination: " + small + "\narchive:\n  compression: none\n");
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch closed = new CountDownLatch(1);
            server.backups().onGateClosed(n -> {
                closed.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            admin.admin().startBackup();
            assertThat(closed.await(60, TimeUnit.SECONDS)).isTrue();
            TetraFuture<Result> queued = writer.executeAsync("INSERT INTO BIG VALUES (1000, X'01')");
            await().atMost(60, TimeUnit.SECONDS).until(
                    () -> admin.admin().backupStatus().getProgress().getQueuedWrites() == 1);
            release.countDown();
            await().atMost(60, TimeUnit.SECONDS).until(() -> admin.admin().backupStatus().getState().equals("IDLE"));
            BackupRecord last = admin.admin().backupStatus().getLast();
            assertThat(last.getStatus()).isEqualTo("FAILED");
            assertThat(last.getErrorCode()).isEqualTo(1409);
            assertThat(last.getErrorMessage()).contains("No space left on device");
            assertThat(queued.get(60, TimeUnit.SECONDS).updateCount()).isEqualTo(1);
            try (Stream<Path> s = Files.list(small)) {
                assertThat(s.map(p -> p.getFileName().toString())).as("no archive and no partial file")
                        .noneMatch(n -> n.contains("testdb-0001"));
            }
            assertThat(admin.execute("SELECT COUNT(*) FROM BIG").rows().get(0).getLong(0)).isEqualTo(301L);
            assertThat(admin.update("INSERT INTO BIG VALUES (1001, X'02')")).isEqualTo(1);

            // Once there is room again, the next backup succeeds.
            Files.writeString(server.layout().settingsDir().resolve("backup.yml"), "archive:\n  compression: fast\n");
            server.backups().onGateClosed(null);
            admin.admin().startBackup();
            await().atMost(60, TimeUnit.SECONDS).until(() -> admin.admin().backupStatus().getState().equals("IDLE"));
            assertThat(admin.admin().backupStatus().getLast().getStatus()).isEqualTo("SUCCESS");
        }
    }

    @Test
    void aReadOnlyDestinationFailsWith1407AndTheDatabaseStaysWritable() throws Exception {
        Path ro = dir.resolve("read-only");
        assumeTrue(mountTmpfs(ro, "ro,size=1m"), "mounting a tmpfs needs root");
        try (TetraServer server = TestServers.start(dir); TetraClient admin = TestServers.admin(server)) {
            admin.execute("CREATE TABLE T(ID INT)");
            admin.admin().setBackupSettings("destination=" + ro);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> admin.admin().startBackup())
                    .isInstanceOfSatisfying(io.tetradb.client.TetraException.class, e -> {
                        assertThat(e.code()).isEqualTo(io.tetradb.client.ErrorCode.BACKUP_DESTINATION);
                        assertThat(e.getMessage()).contains("not writable");
                    });
            assertThat(admin.update("INSERT INTO T VALUES (1)")).isEqualTo(1);
            assertThat(admin.admin().backupStatus().getLast().getErrorCode()).isEqualTo(1407);
        }
    }
}
