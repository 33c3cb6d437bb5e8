package io.tetradb.examples;

import io.tetradb.client.TetraClient;
import io.tetradb.protocol.BackupRecord;
import io.tetradb.protocol.Role;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Runs the Java examples that the README and docs/ show (their text is checked against
 * these sources by admin-cli's DocsTest): the quick start as a user with role user, the
 * backup-wait example while a backup holds writes at its gate, and embedded mode.
 * Their output is what the docs say it is.
 */
@Timeout(120)
class ExamplesIT {
    @TempDir
    Path dir;
    TetraServer server;
    final CountDownLatch gateClosed = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void start() throws Exception {
        server = TestServers.start(dir.resolve("shop"));
        try (TetraClient admin = TestServers.admin(server)) {
            admin.admin().addUser("app", Role.USER, "app-password".toCharArray());
        }
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.close();
    }

    /** System.out while {@code body} runs (the examples print as a user's program does). */
    private static synchronized String printed(ThrowingRunnable body) throws Exception {
        PrintStream saved = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setOut(saved);
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void theQuickStartRunsAsAUserAndPrintsItsRow() throws Exception {
        String out = printed(() -> QuickStart.run("127.0.0.1", server.boundPort(), "app-password"));
        assertThat(out).isEqualTo("1 Ada" + System.lineSeparator());
        try (TetraClient admin = TestServers.admin(server)) {
            assertThat(admin.execute("SELECT NAME FROM PERSON WHERE ID = 1").rows().get(0).getString(0))
                    .isEqualTo("Ada L.");
        }
    }

    @Test
    void theClientTourPrintsItsKeyCountCancellationAndStatus() throws Exception {
        String out = printed(() -> ClientTour.run("127.0.0.1", server.boundPort(), TestServers.ADMIN_PASSWORD));
        assertThat(out.lines()).containsExactly("key 1", "notes 1", "cancelled true", "testdb 1 session(s)");   // TestServers names its database testdb
    }

    @Test
    void theBackupWaitExampleFailsFastAndItsListenerSeesAWaitingWrite() throws Exception {
        server.backups().onGateClosed(n -> {
            gateClosed.countDown();
            try {
                release.await(100, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try (TetraClient admin = TestServers.admin(server);
             TetraClient app = TestServers.connect(server, "app", "app-password")) {
            admin.execute("CREATE TABLE ITEM(ID INT PRIMARY KEY, NAME VARCHAR(50))");
            admin.execute("INSERT INTO ITEM VALUES (1, 'tea')");
            admin.admin().startBackup();
            assertThat(gateClosed.await(60, TimeUnit.SECONDS)).isTrue();

            ByteArrayOutputStream seen = new ByteArrayOutputStream();
            String out = printed(() -> assertThat(BackupWaits.run(app)).isEqualTo(-9976));
            assertThat(out).startsWith("-9976 This command cannot be executed because the database backup is in progress.");

            // the listener the example set prints the notice of a write that waits (policy: at most 30 s)
            PrintStream saved = System.out;
            System.setOut(new PrintStream(seen, true, StandardCharsets.UTF_8));
            try {
                CompletableFuture<Long> waiting = CompletableFuture.supplyAsync(
                        () -> app.update("UPDATE ITEM SET NAME = 'oolong' WHERE ID = 1"));
                await().atMost(60, TimeUnit.SECONDS).until(
                        () -> seen.toString(StandardCharsets.UTF_8).contains("waiting for backup 1 ("));
                release.countDown();
                assertThat(waiting.get(60, TimeUnit.SECONDS)).isEqualTo(1L);
            } finally {
                System.setOut(saved);
            }
            assertThat(admin.execute("SELECT NAME FROM ITEM WHERE ID = 1").rows().get(0).getString(0))
                    .isEqualTo("oolong");
        }
    }

    @Test
    void theEmbeddedExampleBacksUpItsFolder() throws Exception {
        BackupRecord r = Embedded.run(dir.resolve("app"), TestServers.ADMIN_PASSWORD);
        assertThat(r.getStatus()).isEqualTo("SUCCESS");
        assertThat(Path.of(r.getArchive())).exists();
    }
}
