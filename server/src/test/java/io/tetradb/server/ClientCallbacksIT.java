package io.tetradb.server;

import io.tetradb.client.BackupWaitNotice;
import io.tetradb.client.ClientConfig;
import io.tetradb.client.Result;
import io.tetradb.client.TetraClient;
import io.tetradb.client.TetraFuture;
import io.tetradb.client.ErrorCode;
import io.tetradb.protocol.Event;
import io.tetradb.client.TetraException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Callbacks of the client library run where blocking cannot stall the connection's reader
 * thread: a callback may make a synchronous call of its own client, a callback or a
 * listener blocked on a latch holds up no reply of that client, and close() returns with
 * a callback still blocked.
 *
 * <p>Every callback here is chained to a request that cannot be answered before the chain
 * exists (a statement that runs until it is cancelled, or a write queued behind a backup
 * held at its gate), so it always runs where the client completes futures, never on the
 * test's thread.
 */
@Timeout(180)
class ClientCallbacksIT {
    /** Runs until cancelled. */
    private static final String ENDLESS = "SELECT SUM(X) FROM SYSTEM_RANGE(1, 100000000000)";

    @TempDir
    Path dir;
    TetraServer server;
    TetraClient client;
    /** Watches the sessions from a session of its own. */
    TetraClient observer;
    /** Released at the end of every test: nothing stays blocked. */
    final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void start() throws Exception {
        server = TestServers.start(dir);
        client = TestServers.admin(server);
        observer = TestServers.admin(server);
        TestServers.tableT(client, 10);
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.backups().onGateClosed(null);
        observer.close();
        client.close();
        server.close();
    }

    @Test
    void aCallbackMayMakeASynchronousCallOfItsOwnClient() throws Exception {
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        TetraFuture<Result> endless = client.executeAsync(ENDLESS);
        CompletableFuture<Long> next = endless.handle((r, e) -> {
            ranOn.set(Thread.currentThread());
            // Its reply can only be read by the reader thread: before the fix the callback ran there.
            return client.execute("SELECT COUNT(*) FROM T").rows().get(0).getLong(0);
        });
        cancelOnceRunning(client, endless);
        assertThat(next.get(60, TimeUnit.SECONDS)).isEqualTo(10L);
        assertThat(ranOn.get().getName()).startsWith("tetra-client-callbacks-");
        assertThat(ranOn.get().isDaemon()).isTrue();
        assertThatThrownBy(endless::join).cause().isInstanceOfSatisfying(TetraException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.CANCELLED));
    }

    @Test
    void aBlockedCallbackHoldsUpNoOtherRequestOfItsClient() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        TetraFuture<Result> endless = client.executeAsync(ENDLESS);
        CompletableFuture<String> blocked = endless.handle((r, e) -> {
            entered.countDown();
            awaitRelease();
            return "released";
        });
        cancelOnceRunning(client, endless);
        assertThat(entered.await(60, TimeUnit.SECONDS)).isTrue();

        // Asynchronous and synchronous calls of the same client, while the callback blocks.
        assertThat(client.executeAsync("SELECT ?", 3).get(60, TimeUnit.SECONDS).rows().get(0).getInt(0)).isEqualTo(3);
        client.beginAsync().get(60, TimeUnit.SECONDS);
        assertThat(client.executeAsync("INSERT INTO T VALUES (100, 'async')").get(60, TimeUnit.SECONDS).updateCount())
                .isEqualTo(1);
        client.commitAsync().get(60, TimeUnit.SECONDS);
        assertThat(client.admin().statusAsync().get(60, TimeUnit.SECONDS).getSessionCount()).isPositive();
        CompletableFuture<Long> sync = CompletableFuture.supplyAsync(
                () -> client.execute("SELECT COUNT(*) FROM T").rows().get(0).getLong(0));
        assertThat(sync.get(60, TimeUnit.SECONDS)).isEqualTo(11L);
        assertThat(blocked).isNotDone();

        release.countDown();
        assertThat(blocked.get(60, TimeUnit.SECONDS)).isEqualTo("released");
    }

    @Test
    void aBlockedEventListenerHoldsUpNoReplyAndLaterEventsFollowInOrder() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        List<Event> events = new CopyOnWriteArrayList<>();
        client.addEventListener(e -> {
            events.add(e);
            entered.countDown();
            awaitRelease();
        });
        long number = client.admin().startBackup(true).getBackupNumber();
        assertThat(entered.await(60, TimeUnit.SECONDS)).isTrue();

        // The listener is blocked in the first event of the backup: replies still arrive.
        assertThat(client.executeAsync("SELECT COUNT(*) FROM T").get(60, TimeUnit.SECONDS).rows().get(0).getLong(0))
                .isEqualTo(10L);
        assertThat(client.admin().statusAsync().get(60, TimeUnit.SECONDS).getSessionCount()).isPositive();
        assertThat(events).hasSize(1);

        release.countDown();
        await().atMost(60, TimeUnit.SECONDS).until(() -> events.stream().anyMatch(Event::hasBackupFinished));
        Event last = events.get(events.size() - 1);
        assertThat(last.hasBackupFinished()).isTrue();
        assertThat(last.getBackupFinished().getBackupNumber()).isEqualTo(number);
        assertThat(last.getBackupFinished().getStatus()).isEqualTo("SUCCESS");
    }

    @Test
    void aBlockedBackupWaitListenerHoldsUpNoReply() throws Exception {
        CountDownLatch gateClosed = new CountDownLatch(1);
        server.backups().onGateClosed(n -> {
            gateClosed.countDown();
            awaitRelease();
        });
        AtomicReference<BackupWaitNotice> notice = new AtomicReference<>();
        CountDownLatch entered = new CountDownLatch(1);
        try (TetraClient writer = TestServers.admin(server)) {
            writer.onBackupWait(n -> {
                notice.set(n);
                entered.countDown();
                awaitRelease();
            });
            client.admin().startBackup();
            assertThat(gateClosed.await(60, TimeUnit.SECONDS)).isTrue();
            TetraFuture<Result> insert = writer.executeAsync("INSERT INTO T VALUES (200, 'queued')");
            assertThat(entered.await(60, TimeUnit.SECONDS)).isTrue();
            assertThat(notice.get().requestId()).isEqualTo(insert.requestId());

            // The listener is blocked; giving up the write is answered -9976 all the same.
            notice.get().cancel();
            assertThatThrownBy(() -> insert.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class).cause()
                    .isInstanceOfSatisfying(TetraException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.BACKUP_IN_PROGRESS));
            assertThat(writer.executeAsync("SELECT COUNT(*) FROM T").get(60, TimeUnit.SECONDS).rows().get(0)
                    .getLong(0)).isEqualTo(10L);
            release.countDown();
        }
    }

    @Test
    void closeReturnsWhileACallbackIsBlockedAndFailsWhatIsPending() throws Exception {
        TetraClient c = TestServers.admin(server);
        CountDownLatch entered = new CountDownLatch(1);
        TetraFuture<Result> endless = c.executeAsync(ENDLESS);
        CompletableFuture<String> blocked = endless.handle((r, e) -> {
            entered.countDown();
            awaitRelease();
            return "released";
        });
        cancelOnceRunning(c, endless);
        assertThat(entered.await(60, TimeUnit.SECONDS)).isTrue();
        TetraFuture<Result> pending = c.executeAsync(ENDLESS);
        CompletableFuture<ErrorCode> failed = pending.handle((r, e) -> e == null ? null
                : ((TetraException) e).code());

        c.close();
        assertThat(c.isOpen()).isFalse();
        assertThat(failed.get(60, TimeUnit.SECONDS)).isEqualTo(ErrorCode.CONNECTION_LOST);
        assertThat(blocked).isNotDone();
        release.countDown();
        assertThat(blocked.get(60, TimeUnit.SECONDS)).isEqualTo("released");
    }

    @Test
    void aGivenCallbackExecutorRunsTheCallbacksAndIsNotShutDownByClose() throws Exception {
        ExecutorService mine = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "my-callbacks");
            t.setDaemon(true);
            return t;
        });
        try {
            TetraClient c = TetraClient.connect(ClientConfig.builder().host("127.0.0.1").port(server.boundPort())
                    .user("admin").password(TestServers.ADMIN_PASSWORD).connectTimeout(Duration.ofSeconds(20))
                    .callbackExecutor(mine).build());
            TetraFuture<Result> endless = c.executeAsync(ENDLESS);
            CompletableFuture<String> ranOn = endless.handle((r, e) -> Thread.currentThread().getName());
            cancelOnceRunning(c, endless);
            assertThat(ranOn.get(60, TimeUnit.SECONDS)).isEqualTo("my-callbacks");
            c.close();
            assertThat(mine.isShutdown()).isFalse();
            assertThat(mine.submit(() -> "still running").get(60, TimeUnit.SECONDS)).isEqualTo("still running");
        } finally {
            mine.shutdownNow();
        }
    }

    /** Cancels {@code f} once the server runs it (as TransactionsIT does: a cancel must find the request). */
    private void cancelOnceRunning(TetraClient c, TetraFuture<Result> f) {
        long session = c.sessionId();
        await().atMost(60, TimeUnit.SECONDS).until(() -> observer.admin().sessions().stream()
                .anyMatch(s -> s.getId() == session && s.getRequestsInFlight() > 0));
        f.cancelRequest();
    }

    private void awaitRelease() {
        try {
            release.await(120, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
