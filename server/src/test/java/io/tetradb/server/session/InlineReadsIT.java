package io.tetradb.server.session;

import io.tetradb.client.BackupWaitNotice;
import io.tetradb.client.ErrorCode;
import io.tetradb.client.Result;
import io.tetradb.client.TetraClient;
import io.tetradb.client.TetraException;
import io.tetradb.client.TetraFuture;
import io.tetradb.server.GateHold;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Reads on the event loop (limits.eventLoopReadTime, ARCHITECTURE.md "Reads on the event
 * loop"): which reads run there, that they answer what a worker would, that a read never
 * overtakes its session's parked write, that a read that ran long goes back to the workers,
 * and that structure changes and reads on event loops go on side by side.
 */
class InlineReadsIT {
    private static final String POINT = "SELECT V FROM T WHERE ID = ?";
    @TempDir
    Path dir;
    private TetraServer server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private TetraClient start(Duration limit) throws Exception {
        server = TetraServer.start(TestServers.config(dir.resolve("db")).eventLoopReadTime(limit).build());
        TetraClient admin = TestServers.admin(server);
        admin.execute("CREATE TABLE T(ID INT PRIMARY KEY, V VARCHAR(20))");
        admin.execute("INSERT INTO T SELECT X, 'v' || X FROM SYSTEM_RANGE(1, 100)");
        return admin;
    }

    /**
     * Reads run on event loops so far, once every session is idle: a worker that has sent its
     * answer may still be ending its task when the client sends the next request, which then
     * queues behind it on the workers; tests that count wait for that end first.
     */
    private long onEventLoop() throws Exception {
        TestServers.awaitSessionsIdle(server);
        return server.requests().readsRunHere();
    }

    /** Runs {@code sql} once every session is idle (see {@link #onEventLoop}). */
    private Result run(TetraClient c, String sql, Object... params) throws Exception {
        onEventLoop();
        return c.execute(sql, params);
    }

    @Test
    void aCachedShortReadRunsOnTheEventLoopAndAnswersAsAWorkerWould() throws Exception {
        try (TetraClient admin = start(Duration.ofSeconds(1));
             TetraClient c = TestServers.connect(server, "admin", TestServers.ADMIN_PASSWORD)) {
            long before = onEventLoop();
            // the first run is classified and prepared on a worker; the later ones may run on the event loop
            for (int i = 1; i <= 50; i++) {
                Result r = run(c, POINT, i);
                assertThat(r.rows()).hasSize(1);
                assertThat(r.rows().get(0).getString(0)).isEqualTo("v" + i);
            }
            assertThat(run(c, POINT, 1000).rows()).isEmpty();
            assertThat(onEventLoop() - before).isEqualTo(50);
            // a write is never run there, nor a read whose rows need more than the first batch
            admin.execute("UPDATE T SET V = 'w' WHERE ID = 1");
            long atWrite = onEventLoop();
            for (int i = 0; i < 5; i++) {
                c.execute("UPDATE T SET V = ? WHERE ID = 2", "u" + i);
                assertThat(run(c, "SELECT X FROM SYSTEM_RANGE(1, 300000)").rows()).hasSize(300_000);
            }
            assertThat(onEventLoop()).isEqualTo(atWrite);
            assertThat(c.execute(POINT, 1).rows().get(0).getString(0)).isEqualTo("w");
            assertThat(c.execute(POINT, 2).rows().get(0).getString(0)).isEqualTo("u4");
            // a statement error is answered the same way
            assertThatThrownBy(() -> c.execute("SELECT V FROM T WHERE ID = CAST(? AS INT)", "x"))
                    .isInstanceOf(TetraException.class);
        }
    }

    @Test
    void withTheSettingAtZeroEveryReadRunsOnAWorker() throws Exception {
        try (TetraClient admin = start(Duration.ZERO)) {
            for (int i = 1; i <= 20; i++) {
                assertThat(admin.execute(POINT, i).rows()).hasSize(1);
            }
            assertThat(onEventLoop()).isZero();
        }
    }

    @Test
    void aReadThatRanLongGoesBackToTheWorkersUntilItProvesShortAgain() throws Exception {
        String sum = "SELECT SUM(X) FROM SYSTEM_RANGE(1, ?)";
        try (TetraClient admin = start(Duration.ofMillis(200))) {
            long before = onEventLoop();
            run(admin, sum, 10);   // on a worker: not cached before; now short once
            assertThat(onEventLoop()).isEqualTo(before);
            assertThat(run(admin, sum, 10).rows().get(0).getLong(0)).isEqualTo(55L);
            assertThat(onEventLoop()).isEqualTo(before + 1);
            // proved short, it runs on the event loop once more and there takes far longer than 200 ms
            assertThat(run(admin, sum, 30_000_000).rows().get(0).getLong(0)).isEqualTo(450_000_015_000_000L);
            long afterLong = onEventLoop();
            assertThat(afterLong).isEqualTo(before + 2);
            // two short runs in a row on a worker before it runs on the event loop again
            run(admin, sum, 10);
            run(admin, sum, 10);
            assertThat(onEventLoop()).isEqualTo(afterLong);
            run(admin, sum, 10);
            assertThat(onEventLoop()).isEqualTo(afterLong + 1);
        }
    }

    @Test
    void aReadNeverOvertakesItsSessionsWriteParkedByABackup() throws Exception {
        try (TetraClient admin = start(Duration.ofSeconds(1));
             TetraClient writer = TestServers.connect(server, "admin", TestServers.ADMIN_PASSWORD);
             TetraClient reader = TestServers.connect(server, "admin", TestServers.ADMIN_PASSWORD)) {
            for (int i = 1; i <= 5; i++) {
                writer.execute(POINT, i);
                reader.execute(POINT, i);
            }
            GateHold hold = GateHold.on(server);
            BlockingQueue<BackupWaitNotice> notices = new LinkedBlockingQueue<>();
            writer.onBackupWait(notices::add);
            admin.admin().startBackup();
            hold.awaitClosed();
            TetraFuture<Result> write = writer.executeAsync("INSERT INTO T VALUES (500, 'written')");
            assertThat(notices.poll(60, TimeUnit.SECONDS)).as("the write waits for the backup").isNotNull();
            // the writer's read queues behind its own parked write (it must see it) ...
            TetraFuture<Result> read = writer.executeAsync(POINT, 500);
            // ... while another session's reads go on, on the event loop
            long before = server.requests().readsRunHere();
            for (int i = 1; i <= 5; i++) {
                assertThat(reader.execute(POINT, i).rows().get(0).getString(0)).isEqualTo("v" + i);
            }
            // (the first may be prepared again, on a worker: the backup's start can change H2's schema version)
            assertThat(server.requests().readsRunHere() - before).isGreaterThanOrEqualTo(4);
            assertThat(reader.execute(POINT, 500).rows()).isEmpty();
            hold.release();
            assertThat(write.get(60, TimeUnit.SECONDS).updateCount()).isEqualTo(1);
            assertThat(read.get(60, TimeUnit.SECONDS).rows()).singleElement()
                    .satisfies(r -> assertThat(r.getString(0)).isEqualTo("written"));
        }
    }

    /**
     * Reads (on event loops, or all on workers with the setting at 0) and structure changes
     * of another session: every read sees the table whole. ALTER TABLE ... ADD COLUMN makes H2
     * copy the table; before the read guard, readers met "Table T not found" or no row then.
     */
    @ParameterizedTest
    @ValueSource(longs = {0, 1000})
    void structureChangesAndReadsGoOnSideBySideAndReadsSeeTheTableWhole(long limitMillis) throws Exception {
        try (TetraClient admin = start(Duration.ofMillis(limitMillis))) {
            AtomicBoolean done = new AtomicBoolean();
            ExecutorService threads = Executors.newFixedThreadPool(4);
            List<CompletableFuture<Long>> readers = new ArrayList<>();
            for (int k = 0; k < 4; k++) {
                readers.add(CompletableFuture.supplyAsync(() -> {
                    try (TetraClient c = TestServers.connect(server, "admin", TestServers.ADMIN_PASSWORD)) {
                        long n = 0;
                        while (!done.get() || n < 200) {
                            int id = (int) (n % 100) + 1;
                            List<io.tetradb.client.Row> rows = c.execute(POINT, id).rows();
                            assertThat(rows).hasSize(1);
                            assertThat(rows.get(0).getString(0)).isEqualTo("v" + id);
                            n++;
                        }
                        return n;
                    }
                }, threads));
            }
            // each change takes T's exclusive lock: the reads of the event loops step aside meanwhile
            for (int i = 0; i < 10; i++) {
                admin.execute("ALTER TABLE T ADD COLUMN C" + i + " INT DEFAULT " + i);
                admin.execute("CREATE INDEX I" + i + " ON T(C" + i + ")");
            }
            // other structure changes beside the reads of T
            admin.execute("CREATE TABLE T2 AS SELECT * FROM T");
            admin.execute("DROP TABLE T2");
            done.set(true);
            for (CompletableFuture<Long> r : readers) {
                assertThat(r.get(120, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(200);
            }
            threads.shutdown();
            if (limitMillis > 0) {
                assertThat(onEventLoop()).isPositive();
            } else {
                assertThat(onEventLoop()).isZero();
            }
        }
    }

    @Test
    void setExclusiveIsRefusedEvenForAnAdmin() throws Exception {
        try (TetraClient admin = start(Duration.ofSeconds(1))) {
            assertThatThrownBy(() -> admin.execute("SET EXCLUSIVE 1"))
                    .isInstanceOfSatisfying(TetraException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.NOT_ALLOWED_FOR_ROLE);
                        assertThat(e.getMessage()).contains("SET EXCLUSIVE");
                    });
            assertThat(admin.execute(POINT, 1).rows()).hasSize(1);
        }
    }

    @Test
    void theSettingIsCheckedAtStart() {
        assertThatThrownBy(() -> TetraServer.start(TestServers.config(dir.resolve("x"))
                .eventLoopReadTime(Duration.ofSeconds(2)).build()))
                .hasMessageContaining("limits.eventLoopReadTime: must be between 0 (off) and 1s, was 2000000us");
    }
}
