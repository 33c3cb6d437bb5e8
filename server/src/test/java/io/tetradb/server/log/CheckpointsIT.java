package io.tetradb.server.log;

import io.tetradb.client.TetraClient;
import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraException;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * H2 writes its data file only at the server's checkpoints (docs/log-file.md), never while a
 * session changes the engine: H2's own writes take each map at a different moment, and a
 * file written so holds no moment of the database after a kill (docs/log-file-faults.md).
 */
@Timeout(180)
class CheckpointsIT {
    @TempDir
    Path temp;

    private static MVStore store(TetraServer server) {
        return server.database().engineStore().getMvStore();
    }

    @Test
    void underConcurrentWritesEveryVersionOfTheFileIsOneTheServersCheckpointsWrote() throws Exception {
        // An hour between the thread's checkpoints: the test takes them itself, while the sessions write;
        // H2's own writer, if it ran, would write within half a second.
        try (TetraServer server = TetraServer.start(TestServers.config(temp)
                .logCheckpointInterval(Duration.ofHours(1)).build())) {
            try (TetraClient admin = TestServers.admin(server)) {
                admin.execute("CREATE TABLE T(ID BIGINT PRIMARY KEY, SLOT INT, P VARCHAR(400))");
                admin.execute("CREATE TABLE W(SLOT INT PRIMARY KEY, N BIGINT)");
            }
            Checkpoints cp = server.logs().checkpoints();
            long takenBefore = cp.taken();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<?>> runs = new ArrayList<>();
            for (int slot = 0; slot < 4; slot++) {
                int sl = slot;
                runs.add(pool.submit(() -> {
                    try (TetraClient c = TestServers.admin(server)) {
                        for (int n = 0; n < 400; n++) {
                            c.begin();
                            c.update("INSERT INTO T VALUES (?, ?, ?)", sl * 1_000_000L + n, sl, "x".repeat(400));
                            c.update("MERGE INTO W KEY(SLOT) VALUES (?, ?)", sl, n);
                            c.commit();
                        }
                    }
                    return null;
                }));
            }
            int written = 0;
            while (!runs.stream().allMatch(Future::isDone)) {
                if (cp.checkpoint(10_000)) {
                    written++;
                }
            }
            for (Future<?> f : runs) {
                f.get();
            }
            pool.shutdown();
            assertThat(written).isPositive();
            assertThat(cp.taken()).isEqualTo(takenBefore + written);
            // Every version H2 wrote meanwhile is one a checkpoint wrote: H2 wrote none on its own.
            assertThat(store(server).getCurrentVersion()).isEqualTo(cp.lastVersion());
            assertThat(store(server).getAutoCommitDelay()).isEqualTo(Integer.MAX_VALUE);
        }
    }

    @Test
    void aTransactionLargerThanH2sWriteBufferIsNotWrittenBeforeItEnds() throws Exception {
        // An hour between checkpoints: only the size of unsaved pages makes one, and only between calls.
        try (TetraServer server = TetraServer.start(TestServers.config(temp)
                .logCheckpointInterval(Duration.ofHours(1)).build())) {
            MVStore mv = store(server);
            try (TetraClient admin = TestServers.admin(server)) {
                admin.execute("CREATE TABLE B(ID BIGINT PRIMARY KEY, P VARCHAR(2000))");
                Checkpoints cp = server.logs().checkpoints();
                assertThat(cp.checkpoint(10_000)).isTrue();
                long version = mv.getCurrentVersion();
                // About 40 MB of pages in one statement: H2 by itself writes at 19 MB at most, mid-statement.
                admin.update("INSERT INTO B SELECT X, REPEAT('b', 2000) FROM SYSTEM_RANGE(1, 20000)");
                // The size of unsaved pages makes a checkpoint once the statement has ended; the only
                // version after the one above is that checkpoint's (H2 by itself would have written mid-statement).
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(mv.getCurrentVersion())
                        .as("the store's version, written only by the checkpoint after the statement")
                        .isGreaterThan(version).isEqualTo(cp.lastVersion()));
                assertThat(admin.execute("SELECT COUNT(*) FROM B").rows().get(0).get(0)).isEqualTo(20000L);
            }
        }
    }

    /**
     * The files of a running server whose checkpoints have stopped (an hour apart) are what a
     * kill would leave: H2 writes the data file at checkpoints only, the log is synced at each
     * commit. A server started on a copy of them recovers from the last checkpoint's position.
     */
    @Test
    void afterACrashRecoveryReadsTheLogFromTheLastCheckpointsPosition() throws Exception {
        Path copy = temp.resolve("crashed").resolve("testdb");
        long offset;
        try (TetraServer server = TetraServer.start(TestServers.config(temp)
                .logCheckpointInterval(Duration.ofHours(1)).build())) {
            try (TetraClient admin = TestServers.admin(server)) {
                admin.execute("CREATE TABLE T(ID INT PRIMARY KEY, V VARCHAR(20))");
                for (int i = 1; i <= 50; i++) {
                    admin.update("INSERT INTO T VALUES (?, 'before')", i);
                }
                assertThat(server.logs().checkpoints().checkpoint(10_000)).isTrue();
                offset = server.logs().log().readableEnd();
                for (int i = 51; i <= 60; i++) {
                    admin.update("INSERT INTO T VALUES (?, 'after')", i);
                }
                admin.update("UPDATE T SET V = 'changed after' WHERE ID = 7");
                // Nothing writes the data file now: these files are a crash's.
                copyTree(server.layout().root(), copy);
            }
        }
        try (TetraServer recovered = TetraServer.start(TestServers.config(copy.getParent()).dataDir(copy).build());
             TetraClient c = TestServers.admin(recovered)) {
            assertThat(c.execute("SELECT COUNT(*) FROM T").rows().get(0).get(0)).isEqualTo(60L);
            assertThat(c.execute("SELECT V FROM T WHERE ID = 7").rows().get(0).get(0)).isEqualTo("changed after");
            List<String> recoveries = java.nio.file.Files.readAllLines(copy.resolve("Logs")
                    .resolve("backup-journal.txt")).stream().filter(l -> l.contains("\tlog-recovery\t")).toList();
            assertThat(recoveries).last().satisfies(l -> assertThat(l).contains("from=\"segment 1 offset " + offset + "\"")
                    .contains("transactionsRead=11").contains("transactions=11"));
        }
    }

    private static void copyTree(Path from, Path to) throws java.io.IOException {
        try (var files = java.nio.file.Files.walk(from)) {
            for (Path p : files.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (java.nio.file.Files.isDirectory(p)) {
                    java.nio.file.Files.createDirectories(target);
                } else {
                    java.nio.file.Files.copy(p, target);
                }
            }
        }
    }

    @Test
    void logNewWritesTheDataFileBeforeTheClosedSegmentLeavesTheDataFolder() throws Exception {
        // Recovery reads only the segments in Data/: the data file must hold what log new archives.
        try (TetraServer server = TetraServer.start(TestServers.config(temp)
                .logCheckpointInterval(Duration.ofHours(1)).build())) {
            MVStore mv = store(server);
            try (TetraClient admin = TestServers.admin(server)) {
                admin.execute("CREATE TABLE T(ID INT PRIMARY KEY)");
                admin.update("INSERT INTO T SELECT X FROM SYSTEM_RANGE(1, 100)");
                assertThat(mv.hasUnsavedChanges()).as("written at no checkpoint yet").isTrue();
                admin.admin().logNew();
                assertThat(mv.hasUnsavedChanges()).isFalse();
                assertThat(mv.getCurrentVersion()).isEqualTo(server.logs().checkpoints().lastVersion());
            }
        }
    }

    @Test
    void checkpointFromAnEngineAdminIsTheServersAndH2sOwnWritesAreRefused() throws Exception {
        try (TetraServer server = TetraServer.start(TestServers.config(temp).sqlEngineAdmin(true)
                .logCheckpointInterval(Duration.ofHours(1)).build())) {
            try (TetraClient admin = TestServers.admin(server)) {
                Checkpoints cp = server.logs().checkpoints();
                admin.execute("CREATE TABLE T(ID INT PRIMARY KEY)");
                admin.begin();
                admin.update("INSERT INTO T VALUES (1)");
                long taken = cp.taken();
                admin.execute("CHECKPOINT");
                assertThat(cp.taken()).isEqualTo(taken + 1);
                assertThat(cp.lastVersion()).isEqualTo(store(server).getCurrentVersion());
                // As H2 does, CHECKPOINT committed the open transaction first.
                try (TetraClient other = TestServers.admin(server)) {
                    assertThat(other.execute("SELECT COUNT(*) FROM T").rows().get(0).get(0)).isEqualTo(1L);
                }
                admin.execute("CHECKPOINT SYNC");
                assertThat(cp.taken()).isEqualTo(taken + 2);
                for (String sql : new String[]{"SET WRITE_DELAY 0", "BACKUP TO 'copy.zip'"}) {
                    assertThatThrownBy(() -> admin.execute(sql)).as(sql)
                            .isInstanceOfSatisfying(TetraException.class, e -> {
                                assertThat(e.code()).isEqualTo(ErrorCode.NOT_ALLOWED_FOR_ROLE);
                                assertThat(e.getMessage()).contains("log.checkpointInterval");
                            });
                }
                assertThat(store(server).getAutoCommitDelay()).isEqualTo(Integer.MAX_VALUE);
            }
        }
    }
}
