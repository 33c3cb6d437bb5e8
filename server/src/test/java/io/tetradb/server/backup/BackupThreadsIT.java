package io.tetradb.server.backup;

import io.tetradb.client.TetraClient;
import io.tetradb.protocol.BackupRecord;
import io.tetradb.protocol.BackupStatus;
import io.tetradb.client.ErrorCode;
import io.tetradb.protocol.Role;
import io.tetradb.client.TetraException;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Which threads a backup's work runs on: a scheduled backup's hooks and file work never
 * run on the server's shared timer (which also fires statement timeouts and wait-at-most
 * expiries) nor under a lock that admin requests wait for.
 */
@Timeout(180)
class BackupThreadsIT {
    /** Never finishes within a test: only a statement timeout ends it. */
    private static final String ENDLESS =
            "WITH RECURSIVE R(N) AS (SELECT 1 UNION ALL SELECT N + 1 FROM R) SELECT COUNT(*) FROM R";

    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock(LocalDateTime.parse("2026-03-04T10:00"));
    private TetraServer server;
    private TetraClient admin;
    private TetraClient app;

    @AfterEach
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {app, admin, server}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // closing after a failure
                }
            }
        }
    }

    private static Throwable cause(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    @Test
    void aStatementTimeoutAndAStatusRequestAreAnsweredWhileAScheduledBackupsHookRuns() throws Exception {
        server = TetraServer.start(TestServers.config(dir).statementTimeout(Role.USER, Duration.ofSeconds(1)).build(),
                clock);
        admin = TestServers.admin(server);
        admin.admin().addUser("app", Role.USER, "app-password".toCharArray());
        app = TestServers.connect(server, "app", "app-password");
        Path started = dir.resolve("hook-started");
        Path release = dir.resolve("hook-release");
        // The hook runs until the test lets it go (it polls for the file the test creates).
        BackupHooks.place(server, "hold.sh", "touch '" + started + "'; while [ ! -e '" + release + "' ]; do sleep 0.05; done");
        Path notAFolder = dir.resolve("not-a-folder");
        Files.writeString(notAFolder, "x");
        // The start fails its destination check (1407) and runs the shutdown hook where the start runs.
        admin.admin().setBackupSettings("schedule.frequency=hourly", "schedule.startingAt=\"00:00\"",
                "hooks.onBackupShutdown=hold.sh", "hooks.timeout=150s", "destination=" + notAFolder);
        CompletableFuture<String> endThread = new CompletableFuture<>();
        server.backups().onFinished((r, o) -> endThread.complete(Thread.currentThread().getName()));
        try {
            // The server's own once-a-second check starts it (no direct check() from this thread).
            clock.set(LocalDateTime.parse("2026-03-04T11:00"));
            await().atMost(60, TimeUnit.SECONDS).until(() -> Files.exists(started));

            // The shared timer is free: the statement timeout fires while the hook still runs.
            CompletableFuture<Throwable> timedOut = CompletableFuture.supplyAsync(() -> {
                try {
                    app.execute(ENDLESS);
                    return null;
                } catch (RuntimeException e) {
                    return e;
                }
            });
            Throwable t = cause(timedOut.get(60, TimeUnit.SECONDS));
            assertThat(t).isInstanceOfSatisfying(TetraException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.CANCELLED);
                assertThat(e.getMessage()).contains("statement timeout");
            });
            // And no lock an admin request needs is held across the hook.
            BackupStatus during = CompletableFuture.supplyAsync(() -> admin.admin().backupStatus())
                    .get(60, TimeUnit.SECONDS);
            assertThat(during.getState()).isEqualTo("IDLE");
            assertThat(endThread).as("the end is told after the hook").isNotDone();
        } finally {
            Files.writeString(release, "go");
        }
        assertThat(endThread.get(60, TimeUnit.SECONDS)).isNotEqualTo("tetra-timer");
        await().atMost(60, TimeUnit.SECONDS).until(() -> admin.admin().backupStatus().getLast().getNumber() >= 1);
        BackupRecord failed = admin.admin().backupStatus().getLast();
        assertThat(failed.getErrorCode()).isEqualTo(ErrorCode.BACKUP_DESTINATION.code());
        assertThat(admin.admin().backupJournal(0)).anyMatch(l -> l.contains("hook=onBackupShutdown")
                && l.contains("file=hold.sh"));
    }

    /** Whether some thread waits in BackupService's start for the slot (a start held off). */
    private static boolean aStartWaits() {
        return Thread.getAllStackTraces().values().stream().anyMatch(stack -> {
            for (StackTraceElement e : stack) {
                if (e.getClassName().equals(BackupService.class.getName()) && e.getMethodName().equals("reserve")) {
                    return true;
                }
            }
            return false;
        });
    }

    @Test
    void aRestoresStartHoldKeepsBackupsWaitingAndIsRefusedWhileOneRuns() throws Exception {
        server = TetraServer.start(TestServers.config(dir).build(), clock);
        admin = TestServers.admin(server);
        admin.execute("CREATE TABLE T(ID INT PRIMARY KEY)");

        // Held (as an in-place restore holds it while it swaps the files): a start waits, then runs.
        BackupService.StartHold hold = server.backups().holdStarts();
        assertThat(hold).isNotNull();
        CompletableFuture<Long> started;
        try {
            started = CompletableFuture.supplyAsync(() -> admin.admin().startBackup().getBackupNumber());
            await().atMost(60, TimeUnit.SECONDS).until(BackupThreadsIT::aStartWaits);
            assertThat(started).isNotDone();
            assertThat(server.backups().isRunning()).isFalse();
        } finally {
            hold.close();
        }
        assertThat(started.get(60, TimeUnit.SECONDS)).isEqualTo(1);
        await().atMost(60, TimeUnit.SECONDS).until(() -> admin.admin().backupStatus().getState().equals("IDLE"));
        assertThat(admin.admin().backupStatus().getLast().getStatus()).isEqualTo("SUCCESS");

        // While a backup runs, no hold is given (the restore is refused with 1419).
        java.util.concurrent.CountDownLatch copying = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        server.backups().onGateClosed(n -> {
            copying.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            admin.admin().startBackup();
            assertThat(copying.await(60, TimeUnit.SECONDS)).isTrue();
            assertThat(server.backups().holdStarts()).isNull();
        } finally {
            release.countDown();
        }
        await().atMost(60, TimeUnit.SECONDS).until(() -> admin.admin().backupStatus().getState().equals("IDLE"));
        try (BackupService.StartHold after = server.backups().holdStarts()) {
            assertThat(after).as("given again once the backup ended").isNotNull();
        }
    }
}
