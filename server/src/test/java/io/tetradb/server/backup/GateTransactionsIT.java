package io.tetradb.server.backup;

import io.tetradb.client.TetraClient;
import io.tetradb.client.TetraFuture;
import io.tetradb.client.Result;
import io.tetradb.protocol.BackupRecord;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import io.tetradb.server.restore.BackupArchiveReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The write gate and transactions that are open when a backup starts (docs/backups.md):
 * a backup copies only once no transaction holds changes, and every archive is a state
 * in which each transaction is either whole or absent.
 */
@Timeout(300)
class GateTransactionsIT {
    @TempDir
    Path dir;
    TetraServer server;
    TetraClient admin;
    /** Lets a write held by the test hook go on (also when a test fails half-way). */
    final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void start() throws Exception {
        server = TestServers.start(dir);
        admin = TestServers.admin(server);
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.requests().afterWriteHook(null);
        admin.close();
        server.close();
    }

    private BackupRecord awaitIdle() {
        await().atMost(120, TimeUnit.SECONDS).until(() -> admin.admin().backupStatus().getState().equals("IDLE"));
        return admin.admin().backupStatus().getLast();
    }

    /** Opens archive {@code n} as a database of its own and runs {@code check} on it as admin. */
    private void inArchive(int n, java.util.function.Consumer<TetraClient> check) throws Exception {
        Path root = dir.resolve("restored-" + n);
        BackupArchiveReader.extract(dir.resolve("testdb-backups").resolve(String.format("testdb-%04d.tar.zst", n)),
                root.resolve("testdb"));
        try (TetraServer copy = TetraServer.start(TestServers.config(root).build());
             TetraClient c = TestServers.admin(copy)) {
            check.accept(c);
        }
    }

    /**
     * The first write of a transaction finishes while the backup waits for writes to end.
     * Until the session's "holds changes" flag was refreshed after the gate was told the
     * write ended, the backup could see no write running and no transaction open, and copy
     * while the transaction went on writing past the closed gate.
     */
    @Test
    void aWriteThatOpensATransactionWhileTheGateClosesHoldsTheBackupUntilCommit() throws Exception {
        admin.execute("CREATE TABLE T(ID INT PRIMARY KEY, V VARCHAR(20))");
        CountDownLatch ran = new CountDownLatch(1);
        AtomicBoolean first = new AtomicBoolean(true);
        server.requests().afterWriteHook(() -> {
            if (first.compareAndSet(true, false)) {
                ran.countDown();
                try {
                    release.await(120, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        CountDownLatch copying = new CountDownLatch(1);
        server.backups().onGateClosed(n -> copying.countDown());
        try (TetraClient tx = TestServers.admin(server)) {
            tx.begin();
            TetraFuture<Result> insert = tx.executeAsync("INSERT INTO T VALUES (1, 'first')");
            assertThat(ran.await(60, TimeUnit.SECONDS)).isTrue();
            admin.admin().startBackup();
            // The backup has closed the gate and waits for the write that is still running.
            await().atMost(60, TimeUnit.SECONDS).until(() -> "waiting for transactions".equals(
                    admin.admin().backupStatus().getProgress().getPhase()));
            release.countDown();
            assertThat(insert.get(60, TimeUnit.SECONDS).updateCount()).isEqualTo(1);
            // The transaction's own next write is let through, and the backup still waits for it.
            assertThat(tx.execute("INSERT INTO T VALUES (2, 'second')").updateCount()).isEqualTo(1);
            assertThat(copying.getCount()).isEqualTo(1);
            tx.commit();
        }
        assertThat(copying.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(awaitIdle().getStatus()).isEqualTo("SUCCESS");
        inArchive(1, c -> assertThat(c.execute("SELECT COUNT(*) FROM T").rows().get(0).getLong(0)).isEqualTo(2L));
    }

    /**
     * Invariant: money moved between accounts in multi-statement transactions while
     * backups run; the sum of the balances is the same in every archive, and no
     * acknowledged transfer is lost in the live database.
     */
    @Test
    void transfersDuringBackupsKeepTheSumInEveryArchive() throws Exception {
        int accounts = 20;
        long each = 1_000;
        admin.execute("CREATE TABLE ACCOUNT(ID INT PRIMARY KEY, BALANCE BIGINT NOT NULL)");
        for (int i = 0; i < accounts; i++) {
            admin.update("INSERT INTO ACCOUNT VALUES (?, ?)", i, each);
        }
        admin.execute("CREATE TABLE TRANSFER(ID BIGINT PRIMARY KEY, FROM_ID INT, TO_ID INT, AMOUNT BIGINT)");
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger committed = new AtomicInteger();
        AtomicInteger ids = new AtomicInteger();
        int movers = 4;
        ExecutorService pool = Executors.newFixedThreadPool(movers);
        List<Future<?>> work = new ArrayList<>();
        CountDownLatch moving = new CountDownLatch(movers);
        try {
            for (int m = 0; m < movers; m++) {
                long seed = m;
                work.add(pool.submit(() -> {
                    Random random = new Random(seed);
                    try (TetraClient c = TestServers.admin(server)) {
                        // Bounded: at most 2,000 transfers per session, fewer when the backups end first.
                        for (int i = 0; i < 2_000 && (!done.get() || i < 5); i++) {
                            int a = random.nextInt(accounts);
                            int b = (a + 1 + random.nextInt(accounts - 1)) % accounts;
                            long amount = 1 + random.nextInt(50);
                            c.begin();
                            // Lower id first: transfers never wait on each other in a cycle.
                            c.update("UPDATE ACCOUNT SET BALANCE = BALANCE + ? WHERE ID = ?",
                                    a < b ? -amount : amount, Math.min(a, b));
                            c.update("UPDATE ACCOUNT SET BALANCE = BALANCE + ? WHERE ID = ?",
                                    a < b ? amount : -amount, Math.max(a, b));
                            c.update("INSERT INTO TRANSFER VALUES (?, ?, ?, ?)", ids.incrementAndGet(), a, b, amount);
                            c.commit();
                            committed.incrementAndGet();
                            moving.countDown();
                        }
                    }
                    return null;
                }));
            }
            assertThat(moving.await(60, TimeUnit.SECONDS)).isTrue();
            for (int n = 1; n <= 3; n++) {
                assertThat(server.backups().runAndWait().getStatus()).isEqualTo("SUCCESS");
            }
            done.set(true);
            for (Future<?> f : work) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            done.set(true);
            pool.shutdownNow();
        }
        assertThat(admin.execute("SELECT CAST(SUM(BALANCE) AS BIGINT), COUNT(*) FROM ACCOUNT").rows().get(0).values())
                .containsExactly(accounts * each, (long) accounts);
        assertThat(admin.execute("SELECT COUNT(*) FROM TRANSFER").rows().get(0).getLong(0))
                .isEqualTo((long) committed.get());
        for (int n = 1; n <= 3; n++) {
            inArchive(n, c -> {
                assertThat(c.execute("SELECT CAST(SUM(BALANCE) AS BIGINT) FROM ACCOUNT").rows().get(0).getLong(0))
                        .isEqualTo(accounts * each);
                // Each archived transfer is whole: every balance is what the archived transfers made it.
                assertThat(c.execute("SELECT COUNT(*) FROM ACCOUNT A WHERE A.BALANCE <> " + each
                        + " + COALESCE((SELECT SUM(AMOUNT) FROM TRANSFER WHERE TO_ID = A.ID), 0)"
                        + " - COALESCE((SELECT SUM(AMOUNT) FROM TRANSFER WHERE FROM_ID = A.ID), 0)")
                        .rows().get(0).getLong(0)).isZero();
            });
        }
    }
}
