package io.tetradb.server.embedded;

import io.tetradb.client.TetraClient;
import io.tetradb.protocol.BackupRecord;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import io.tetradb.server.restore.BackupArchiveReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The engine inside the application's process: backups block reads and writes. */
@Timeout(120)
class EmbeddedTetraIT {
    @TempDir
    Path dir;

    private static long count(EmbeddedTetra db) throws Exception {
        return db.run(c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM T")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Test
    void aBackupBlocksReadsAndWritesAndRestoresForTheServer() throws Exception {
        Path folder = dir.resolve("app");
        try (EmbeddedTetra db = EmbeddedTetra.open(folder, TestServers.ADMIN_PASSWORD)) {
            db.run(c -> {
                try (Statement st = c.createStatement()) {
                    st.execute("CREATE TABLE T(ID INT PRIMARY KEY)");
                    st.execute("INSERT INTO T SELECT X FROM SYSTEM_RANGE(1, 500)");
                }
                return null;
            });
            db.structureChanged();

            // Work under way delays the backup; the backup then holds every new unit of work back.
            CountDownLatch workMayEnd = new CountDownLatch(1);
            CountDownLatch workStarted = new CountDownLatch(1);
            CompletableFuture<Long> work = CompletableFuture.supplyAsync(() -> {
                try {
                    return db.run(c -> {
                        workStarted.countDown();
                        try {
                            workMayEnd.await(60, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return 1L;
                    });
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(workStarted.await(60, TimeUnit.SECONDS)).isTrue();
            CountDownLatch atGate = new CountDownLatch(1);
            CountDownLatch leaveGate = new CountDownLatch(1);
            db.backups().onGateClosed(n -> {
                atGate.countDown();
                try {
                    leaveGate.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            CompletableFuture<BackupRecord> backup = CompletableFuture.supplyAsync(db::backup);
            assertThat(atGate.getCount()).isEqualTo(1);
            assertThat(backup).isNotDone();
            workMayEnd.countDown();
            assertThat(work.get(60, TimeUnit.SECONDS)).isEqualTo(1L);
            assertThat(atGate.await(60, TimeUnit.SECONDS)).isTrue();

            CompletableFuture<Long> readDuringBackup = CompletableFuture.supplyAsync(() -> {
                try {
                    return count(db);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(readDuringBackup).isNotDone();
            leaveGate.countDown();
            BackupRecord r = backup.get(60, TimeUnit.SECONDS);
            assertThat(r.getStatus()).isEqualTo("SUCCESS");
            assertThat(readDuringBackup.get(60, TimeUnit.SECONDS)).isEqualTo(500L);

            Path restored = dir.resolve("restored").resolve("app");
            BackupArchiveReader.extract(Path.of(r.getArchive()), restored);
            try (TetraServer server = TetraServer.start(TestServers.config(dir).dataDir(restored).build());
                 TetraClient c = TestServers.admin(server)) {
                assertThat(c.execute("SELECT COUNT(*) FROM T").rows().get(0).getLong(0)).isEqualTo(500L);
            }
        }
    }
}
