package io.tetradb.jdbc;

import io.tetradb.client.BackupWaitNotice;
import io.tetradb.client.TetraClient;
import io.tetradb.client.WaitPolicy;
import io.tetradb.server.TestServers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A write held back by a backup, through JDBC: the calling thread blocks, the listener is
 * told with the backup's progress, and Statement.cancel(), the notice's cancel or the wait
 * policy end it with vendor code -9976; a write left waiting runs once the backup's gate opens.
 */
@Timeout(120)
class BackupWaitIT extends ServerPerTest {
    TetraClient admin;
    final CountDownLatch gateClosed = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void start() throws Exception {
        admin = TestServers.admin(server);
        admin.execute("CREATE TABLE T(ID INT PRIMARY KEY)");
        server.backups().onGateClosed(n -> {
            gateClosed.countDown();
            try {
                release.await(100, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    @AfterEach
    void stop() {
        release.countDown();
        admin.close();
    }

    private void holdABackupAtItsGate() throws InterruptedException {
        admin.admin().startBackup();
        assertThat(gateClosed.await(60, TimeUnit.SECONDS)).as("the backup closed its gate").isTrue();
    }

    private static CompletableFuture<Object> insertAsync(Statement st, int id) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return st.executeUpdate("INSERT INTO T VALUES (" + id + ")");
            } catch (SQLException e) {
                return e;
            }
        });
    }

    private long count() {
        return admin.execute("SELECT COUNT(*) FROM T").rows().get(0).getLong(0);
    }

    private static void assertBackupRefusal(Object outcome) {
        assertThat(outcome).isInstanceOfSatisfying(SQLTransientException.class, e -> {
            assertThat(e.getErrorCode()).isEqualTo(-9976);
            assertThat(e.getSQLState()).isEqualTo(JdbcErrors.BACKUP_SQLSTATE);
        });
    }

    @Test
    void statementCancelEndsAWaitingWriteWithMinus9976AndItNeverRuns() throws Exception {
        try (Connection c = JdbcServers.admin(server); Statement st = c.createStatement()) {
            BlockingQueue<BackupWaitNotice> notices = new LinkedBlockingQueue<>();
            c.unwrap(TetraConnection.class).onBackupWait(notices::add);
            holdABackupAtItsGate();
            CompletableFuture<Object> write = insertAsync(st, 1);
            BackupWaitNotice n = notices.poll(60, TimeUnit.SECONDS);
            assertThat(n).as("the listener is told").isNotNull();
            assertThat(n.backupNumber()).isEqualTo(1);
            assertThat(n.progress().getPhase()).isNotEmpty();
            assertThat(n.queuePosition()).isEqualTo(1);
            assertThat(write).as("the calling thread blocks").isNotDone();
            st.cancel();
            assertBackupRefusal(write.get(60, TimeUnit.SECONDS));
            release.countDown();
            await().atMost(60, TimeUnit.SECONDS).until(() -> admin.admin().backupStatus().getState().equals("IDLE"));
            assertThat(count()).isZero();
            assertThat(st.executeUpdate("INSERT INTO T VALUES (2)")).as("the connection goes on").isEqualTo(1);
        }
    }

    @Test
    void theNoticesCancelEndsTheWriteToo() throws Exception {
        try (Connection c = JdbcServers.admin(server); Statement st = c.createStatement()) {
            c.unwrap(TetraConnection.class).onBackupWait(BackupWaitNotice::cancel);
            holdABackupAtItsGate();
            assertBackupRefusal(insertAsync(st, 1).get(60, TimeUnit.SECONDS));
        }
        assertThat(count()).isZero();
    }

    @Test
    void failFastInTheUrlRefusesAtOnceAndWaitAtMostAfterItsLimit() throws Exception {
        holdABackupAtItsGate();
        try (Connection c = DriverManager.getConnection(JdbcServers.url(server, "waitPolicy=fail-fast"), "admin",
                JdbcServers.ADMIN_PASSWORD); Statement st = c.createStatement()) {
            assertThat(c.unwrap(TetraConnection.class).waitPolicy()).isEqualTo(WaitPolicy.FAIL_FAST);
            assertBackupRefusal(insertAsync(st, 1).get(60, TimeUnit.SECONDS));
            try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM T")) {
                assertThat(rs.next()).as("reads go on during the backup").isTrue();
            }
            c.unwrap(TetraConnection.class).waitPolicy(WaitPolicy.waitAtMost(Duration.ofMillis(200)));
            assertBackupRefusal(insertAsync(st, 2).get(60, TimeUnit.SECONDS));
        }
        assertThat(count()).isZero();
    }

    @Test
    void aWaitingWriteRunsOnceWhenTheGateOpens() throws Exception {
        try (Connection c = JdbcServers.admin(server); Statement st = c.createStatement()) {
            BlockingQueue<BackupWaitNotice> notices = new LinkedBlockingQueue<>();
            c.unwrap(TetraConnection.class).onBackupWait(notices::add);
            holdABackupAtItsGate();
            CompletableFuture<Object> write = insertAsync(st, 1);
            assertThat(notices.poll(60, TimeUnit.SECONDS)).isNotNull();
            assertThat(write).isNotDone();
            release.countDown();
            assertThat(write.get(60, TimeUnit.SECONDS)).isEqualTo(1);
        }
        assertThat(count()).isEqualTo(1);
    }
}
