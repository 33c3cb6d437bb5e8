package io.tetradb.server.backup;

import com.fasterxml.jackson.databind.JsonNode;
import io.tetradb.client.BackupWaitNotice;
import io.tetradb.client.Result;
import io.tetradb.client.TetraClient;
import io.tetradb.client.TetraFuture;
import io.tetradb.client.WaitPolicy;
import io.tetradb.protocol.BackupRecord;
import io.tetradb.protocol.BackupStarted;
import io.tetradb.client.ErrorCode;
import io.tetradb.protocol.Event;
import io.tetradb.client.TetraException;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import io.tetradb.server.restore.BackupArchiveReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Backups run by a real server while real clients read and write. */
@Timeout(180)
class BackupIT {
    @TempDir
    Path dir;
    TetraServer server;
    TetraClient admin;
    /** Holds the backup with its gate closed until released. */
    CountDownLatch release;
    CountDownLatch gateClosed;

    @BeforeEach
    void start() throws Exception {
        server = TestServers.start(dir);
        admin = TestServers.admin(server);
        TestServers.tableT(admin, 100);
    }

    @AfterEach
    void stop() {
        if (release != null) {
            release.countDown();
        }
        admin.close();
        server.close();
    }

    private void holdBackupAtGate() {
        release = new CountDownLatch(1);
        gateClosed = new CountDownLatch(1);
        server.backups().onGateClosed(n -> {
            gateClosed.countDown();
            try {
                release.await(120, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private BackupRecord awaitIdle() {
        await().atMost(120, TimeUnit.SECONDS).until(() -> admin.admin().backupStatus().getState().equals("IDLE"));
        return admin.admin().backupStatus().getLast();
    }

    private void writeSettings(String yaml) throws Exception {
        Files.writeString(server.layout().settingsDir().resolve("backup.yml"), yaml);
    }

    private Path destination() {
        return dir.resolve("testdb-backups");
    }

    @Test
    void aBackupProducesAVerifiedArchiveThatOpensAsADatabase() throws Exception {
        BackupStarted started = admin.admin().startBackup();
        assertThat(started.getBackupNumber()).isEqualTo(1);
        BackupRecord last = awaitIdle();
        assertThat(last.getStatus()).isEqualTo("SUCCESS");
        assertThat(last.getNumber()).isEqualTo(1);
        Path archive = destination().resolve("testdb-0001.tar.zst");
        assertThat(last.getArchive()).isEqualTo(archive.toString());
        assertThat(archive).isRegularFile();
        assertThat(last.getArchiveSize()).isEqualTo(Files.size(archive));
        try (Stream<Path> s = Files.list(destination())) {
            assertThat(s.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("testdb-0001.tar.zst", "testdb-0001.journal.zst", "backup-history.json");
        }

        Path restored = dir.resolve("restored").resolve("testdb");
        JsonNode manifest = BackupArchiveReader.extract(archive, restored);
        assertThat(manifest.path("number").asLong()).isEqualTo(1);
        assertThat(manifest.path("database").asText()).isEqualTo("testdb");
        assertThat(manifest.path("fileFormat").asInt()).isEqualTo(3);
        assertThat(manifest.path("h2Version").asText()).startsWith("2.");
        List<String> paths = new ArrayList<>();
        manifest.path("entries").forEach(e -> paths.add(e.path("path").asText()));
        assertThat(paths).contains("Data/testdb.mv.db", "Structure/catalog.xml", "Structure/users.json");
        assertThat(manifest.path("partial").asBoolean()).isFalse();

        try (TetraServer copy = TetraServer.start(TestServers.config(dir.resolve("restored")).build());
             TetraClient c = TestServers.admin(copy)) {
            assertThat(c.execute("SELECT COUNT(*), SUM(ID) FROM T").rows().get(0).values())
                    .containsExactly(100L, 4950L);
        }

        assertThat(admin.admin().startBackup().getBackupNumber()).isEqualTo(2);
        assertThat(awaitIdle().getStatus()).isEqualTo("SUCCESS");
    }

    @Test
    void theCopyRunsAtALowerPriorityThanTheSessions() throws Exception {
        CompletableFuture<int[]> whileCopying = new CompletableFuture<>();
        CompletableFuture<int[]> afterwards = new CompletableFuture<>();
        server.backups().onGateClosed(n -> whileCopying.complete(priorityAndNice()));
        server.backups().onFinished((r, o) -> afterwards.complete(priorityAndNice()));
        admin.admin().startBackup();
        assertThat(whileCopying.get(120, TimeUnit.SECONDS)[0]).isEqualTo(Thread.MIN_PRIORITY);
        assertThat(afterwards.get(120, TimeUnit.SECONDS)[0]).isEqualTo(Thread.NORM_PRIORITY);
        assertThat(awaitIdle().getStatus()).isEqualTo("SUCCESS");
        boolean policy = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()
                .contains("-XX:ThreadPriorityPolicy=1");
        if (policy && whileCopying.get()[1] != Integer.MIN_VALUE) {
            // The JVM maps Java priorities to Linux nice values (as bin/tetra-server starts it).
            assertThat(whileCopying.get()[1]).isEqualTo(4);
            assertThat(afterwards.get()[1]).isEqualTo(0);
        }
    }

    /** The current thread's Java priority and Linux nice value (MIN_VALUE where /proc has none). */
    private static int[] priorityAndNice() {
        int nice = Integer.MIN_VALUE;
        try {
            String stat = Files.readString(Path.of("/proc/thread-self/stat"));
            nice = Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[16]);
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux: the Java priority is all there is to see
        }
        return new int[]{Thread.currentThread().getPriority(), nice};
    }

    @Test
    void uncompressedArchivesArePlainTar() throws Exception {
        writeSettings("archive:\n  compression: none\n");
        admin.admin().startBackup();
        assertThat(awaitIdle().getStatus()).isEqualTo("SUCCESS");
        Path archive = destination().resolve("testdb-0001.tar");
        assertThat(archive).isRegularFile();
        BackupArchiveReader.extract(archive, null);
    }

    @ParameterizedTest(name = "compression {0}")
    @ValueSource(strings = {"none", "fast"})
    void archivesOpenWithTheSystemTarAndTheirChecksumsAreThoseOfSha256sum(String compression) throws Exception {
        admin.execute("CREATE TABLE B(ID INT PRIMARY KEY, DATA VARBINARY(10000))");
        Random rnd = new Random(7);
        for (int i = 0; i < 300; i++) {
            byte[] b = new byte[10000];
            rnd.nextBytes(b);
            admin.update("INSERT INTO B VALUES (?, ?)", i, b);
        }
        Path docs = Files.createDirectories(dir.resolve("attached").resolve("a-folder-whose-name-is-long/".repeat(4)));
        Files.writeString(docs.resolve("notes.txt"), "notes ".repeat(1000));
        // 10 MB/s: the copy goes in chunks of about 1 MB, so the data file (about 3 MB) takes several.
        admin.admin().setBackupSettings("content.attachments=[" + docs + "]", "archive.compression=" + compression,
                "archive.maxRate=10000000");
        admin.admin().startBackup();
        BackupRecord last = awaitIdle();
        assertThat(last.getStatus()).as(last.getErrorMessage()).isEqualTo("SUCCESS");
        Path archive = Path.of(last.getArchive());
        String attachment = "Attachments/" + docs.toString().substring(1) + "/notes.txt";
        assertThat(attachment.length()).isGreaterThan(100);

        String[] tar = compression.equals("none") ? new String[] {"tar"} : new String[] {"tar", "--zstd"};
        List<String> listing = SystemTar.run(dir, concat(tar, "-tf", archive.toString())).lines().toList();
        assertThat(listing.get(0)).isEqualTo("Data/testdb.mv.db");
        assertThat(listing).contains("Structure/catalog.xml", attachment);
        assertThat(listing.get(listing.size() - 1)).isEqualTo("MANIFEST.json");
        Path out = Files.createDirectories(dir.resolve("extracted"));
        SystemTar.run(out, concat(tar, "-xf", archive.toString()));
        assertThat(out.resolve(attachment)).hasContent("notes ".repeat(1000));
        JsonNode manifest = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                out.resolve("MANIFEST.json").toFile());
        assertThat(manifest.path("entries").get(0).path("path").asText()).isEqualTo("Data/testdb.mv.db");
        assertThat(manifest.path("entries").get(0).path("size").asLong()).isGreaterThan(2_000_000);
        for (JsonNode e : manifest.path("entries")) {
            String path = e.path("path").asText();
            assertThat(Files.size(out.resolve(path))).as(path).isEqualTo(e.path("size").asLong());
            assertThat(SystemTar.run(out, "sha256sum", path).substring(0, 64)).as(path)
                    .isEqualTo(e.path("sha256").asText());
        }

        Path restored = dir.resolve("restored").resolve("testdb");
        BackupArchiveReader.extract(archive, restored);
        try (TetraServer copy = TetraServer.start(TestServers.config(dir.resolve("restored")).build());
             TetraClient c = TestServers.admin(copy)) {
            assertThat(c.execute("SELECT COUNT(*) FROM B").rows().get(0).getLong(0)).isEqualTo(300L);
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @Test
    void writesQueueWhileReadsGoOnThenRunExactlyOnce() throws Exception {
        holdBackupAtGate();
        TetraClient writer = TestServers.admin(server);
        TetraClient reader = TestServers.admin(server);
        BlockingQueue<BackupWaitNotice> notices = new LinkedBlockingQueue<>();
        writer.onBackupWait(notices::add);
        try {
            long number = admin.admin().startBackup().getBackupNumber();
            assertThat(gateClosed.await(60, TimeUnit.SECONDS)).isTrue();

            TetraFuture<Result> insert = writer.executeAsync("INSERT INTO T VALUES (1000, 'queued')");
            BackupWaitNotice notice = notices.poll(60, TimeUnit.SECONDS);
            assertThat(notice).isNotNull();
            assertThat(notice.requestId()).isEqualTo(insert.requestId());
            assertThat(notice.backupNumber()).isEqualTo(number);
            assertThat(notice.queuePosition()).isEqualTo(1);
            assertThat(notice.inTransaction()).isFalse();

            // The writer's later read waits behind its queued write; other sessions read freely.
            TetraFuture<Result> writersRead = writer.executeAsync("SELECT COUNT(*) FROM T");
            assertThat(reader.execute("SELECT COUNT(*) FROM T").rows().get(0).getLong(0)).isEqualTo(100L);
            assertThat(reader.execute("SELECT V FROM T WHERE ID = 5").rows().get(0).getString(0)).isEqualTo("value 5");
            assertThat(admin.admin().backupStatus().getState()).isEqualTo("RUNNING");
            assertThat(admin.admin().backupStatus().getProgress().getQueuedWrites()).isEqualTo(1);
            assertThat(insert).isNotDone();
            assertThat(writersRead).isNotDone();

            release.countDown();
            assertThat(insert.get(60, TimeUnit.SECONDS).updateCount()).isEqualTo(1);
            assertThat(writersRead.get(60, TimeUnit.SECONDS).rows().get(0).getLong(0)).isEqualTo(101L);
            BackupRecord last = awaitIdle();
            assertThat(last.getStatus()).isEqualTo("SUCCESS");
            assertThat(last.getWritesQueued()).isEqualTo(1);
            assertThat(admin.execute("SELECT COUNT(*) FROM T WHERE ID = 1000").rows().get(0).getLong(0)).isEqualTo(1L);

            // The archive holds the state at gate close: without the queued row.
            Path restored = dir.resolve("r1").resolve("testdb");
            BackupArchiveReader.extract(destination().resolve("testdb-0001.tar.zst"), restored);
            try (TetraServer copy = TetraServer.start(TestServers.config(dir.resolve("r1")).build());
                 TetraClient c = TestServers.admin(copy)) {
                assertThat(c.execute("SELECT COUNT(*) FROM T").rows().get(0).getLong(0)).isEqualTo(100L);
            }
        } finally {
            writer.close();
            reader.close();
        }
    }

    @Test
    void aQueuedWriteCanBeCancelledWithMinus9976() throws Exception {
        holdBackupAtGate();
        TetraClient writer = TestServers.admin(server);
        BlockingQueue<BackupWaitNotice> notices = new LinkedBlockingQueue<>();
        writer.onBackupWait(notices::add);
        try {
            admin.admin().startBackup();
            assertThat(gateClosed.await(60, TimeUnit.SECONDS)).isTrue();
            TetraFuture<Result> insert = writer.executeAsync("INSERT INTO T VALUES (2000, 'cancelled')");
            TetraFuture<Result> next = writer.executeAsync("SELECT 1");
            BackupWaitNotice notice = notices.poll(60, TimeUnit.SECONDS);
            assertThat(notice).isNotNull();
            notice.cancel();
            assertThatThrownBy(insert::join).isInstanceOf(CompletionException.class).cause()
                    .isInstanceOfSatisfying(TetraException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.BACKUP_IN_PROGRESS);
                        assertThat(e.rawCode()).isEqualTo(-9976);
                        assertThat(e.getMessage()).startsWith(
                                "This command cannot be executed because the database backup is in progress.");
                    });
            // The session goes on with its next request at once.
            assertThat(next.get(60, TimeUnit.SECONDS).rows()).hasSize(1);
            release.countDown();
            BackupRecord last = awaitIdle();
            assertThat(last.getWritesCancelled()).isEqualTo(1);
            assertThat(admin.execute("SELECT COUNT(*) FROM T WHERE ID = 2000").rows().get(0).getLong(0)).isZero();
        } finally {
            writer.close();
        }
    }

    @Test
    void waitPoliciesFailFastAndWaitAtMost() throws Exception {
        holdBackupAtGate();
        TetraClient writer = TestServers.admin(server);
        try {
            admin.admin().startBackup();
            assertThat(gateClosed.await(60, TimeUnit.SECONDS)).isTrue();
            assertThatThrownBy(() -> writer.statement("INSERT INTO T VALUES (3000, 'x')")
                    .waitPolicy(WaitPolicy.FAIL_FAST).execute())
                    .isInstanceOfSatisfying(TetraException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.BACKUP_IN_PROGRESS));
            writer.waitPolicy(WaitPolicy.waitAtMost(Duration.ofMillis(200)));
            assertThatThrownBy(() -> writer.execute("INSERT INTO T VALUES (3001, 'x')"))
                    .isInstanceOfSatisfying(TetraException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.BACKUP_IN_PROGRESS));
            // Reads are never held back, whatever the policy.
            assertThat(writer.execute("SELECT COUNT(*) FROM T").rows().get(0).getLong(0)).isEqualTo(100L);
            release.countDown();
            awaitIdle();
            assertThat(admin.execute("SELECT COUNT(*) FROM T WHERE ID >= 3000").rows().get(0).getLong(0)).isZero();
        } finally {
            writer.close();
        }
    }

    @Test
    void manySessionsQueueAndEveryWriteRunsExactlyOnceInOrderPerSession() throws Exception {
        holdBackupAtGate();
        admin.execute("CREATE TABLE Q(SESSION_NO INT, SEQ INT, PRIMARY KEY (SESSION_NO, SEQ))");
        admin.execute("CREATE TABLE Q_ORDER(ID BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, SESSION_NO INT, SEQ INT)");
        List<TetraClient> writers = new ArrayList<>();
        List<CompletableFuture<Result>> all = new ArrayList<>();
        try {
            for (int s = 0; s < 5; s++) {
                writers.add(TestServers.admin(server));
            }
            admin.admin().startBackup();
            assertThat(gateClosed.await(60, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 20; i++) {
                for (int s = 0; s < writers.size(); s++) {
                    all.add(writers.get(s).executeAsync("INSERT INTO Q VALUES (?, ?)", s, i));
                    all.add(writers.get(s).executeAsync("INSERT INTO Q_ORDER(SESSION_NO, SEQ) VALUES (?, ?)", s, i));
                }
            }
            await().atMost(60, TimeUnit.SECONDS).until(
                    () -> admin.admin().backupStatus().getProgress().getQueuedWrites() == writers.size());
            release.countDown();
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
            assertThat(admin.execute("SELECT COUNT(*) FROM Q").rows().get(0).getLong(0)).isEqualTo(100L);
            for (int s = 0; s < writers.size(); s++) {
                List<Object> seqs = new ArrayList<>();
                admin.execute("SELECT SEQ FROM Q_ORDER WHERE SESSION_NO = ? ORDER BY ID", s).rows()
                        .forEach(r -> seqs.add(r.get(0)));
                assertThat(seqs).hasSize(20);
                for (int i = 0; i < 20; i++) {
                    assertThat(seqs.get(i)).isEqualTo(i);
                }
            }
            assertThat(awaitIdle().getStatus()).isEqualTo("SUCCESS");
        } finally {
            writers.forEach(TetraClient::close);
        }
    }

    @Test
    void openWriteTransactionsMayFinishAndTheBackupWaitsForThem() throws Exception {
        holdBackupAtGate();
        TetraClient tx = TestServers.admin(server);
        TetraClient other = TestServers.admin(server);
        BlockingQueue<BackupWaitNotice> txNotices = new LinkedBlockingQueue<>();
        BlockingQueue<BackupWaitNotice> otherNotices = new LinkedBlockingQueue<>();
        tx.onBackupWait(txNotices::add);
        other.onBackupWait(otherNotices::add);
        try {
            tx.begin();
            tx.execute("INSERT INTO T VALUES (4000, 'in tx')");
            admin.admin().startBackup();
            // The gate is closed: the backup waits for the open transaction, and a write of
            // another session is queued behind it.
            await().atMost(60, TimeUnit.SECONDS).until(() -> "waiting for transactions".equals(
                    admin.admin().backupStatus().getProgress().getPhase()));
            TetraFuture<Result> queued = other.executeAsync("INSERT INTO T VALUES (4002, 'after the gate')");
            BackupWaitNotice otherWait = otherNotices.poll(60, TimeUnit.SECONDS);
            assertThat(otherWait).as("another session's write is queued").isNotNull();
            assertThat(otherWait.requestId()).isEqualTo(queued.requestId());
            // The open transaction's further writes are let through the closed gate, not queued;
            // the gate stays shut for the backup's copy.
            assertThat(tx.execute("INSERT INTO T VALUES (4001, 'in tx too')").updateCount()).isEqualTo(1);
            assertThat(txNotices).as("the transaction's write was not queued").isEmpty();
            assertThat(admin.admin().backupStatus().getProgress().getPhase()).isEqualTo("waiting for transactions");
            assertThat(gateClosed.getCount()).isEqualTo(1);
            assertThat(queued).isNotDone();
            tx.commit();
            assertThat(gateClosed.await(60, TimeUnit.SECONDS)).isTrue();
            release.countDown();
            assertThat(awaitIdle().getStatus()).isEqualTo("SUCCESS");
            assertThat(queued.get(60, TimeUnit.SECONDS).updateCount()).isEqualTo(1);
            assertThat(txNotices).isEmpty();
            Path restored = dir.resolve("r2").resolve("testdb");
            BackupArchiveReader.extract(destination().resolve("testdb-0001.tar.zst"), restored);
            try (TetraServer copy = TetraServer.start(TestServers.config(dir.resolve("r2")).build());
                 TetraClient c = TestServers.admin(copy)) {
                // Both writes of the transaction, not the one queued behind the gate.
                assertThat(c.execute("SELECT ID FROM T WHERE ID >= 4000 ORDER BY ID").rows())
                        .extracting(r -> r.getLong(0)).containsExactly(4000L, 4001L);
            }
        } finally {
            tx.close();
            other.close();
        }
    }

    @Test
    void transactionsThatDoNotEndInTimeFailTheBackupWith1405AndTheGateReopens() throws Exception {
        writeSettings("onFailure:\n  waitForTransactions: 300ms\n");
        TetraClient tx = TestServers.admin(server);
        TetraClient other = TestServers.admin(server);
        try {
            tx.begin();
            tx.execute("INSERT INTO T VALUES (5000, 'open')");
            admin.admin().startBackup();
            TetraFuture<Result> queued = other.executeAsync("INSERT INTO T VALUES (5001, 'waits, then runs')");
            BackupRecord last = awaitIdle();
            assertThat(last.getStatus()).isEqualTo("FAILED");
            assertThat(last.getErrorCode()).isEqualTo(1405);
            assertThat(queued.get(60, TimeUnit.SECONDS).updateCount()).isEqualTo(1);
            tx.commit();
            assertThat(destination().resolve("testdb-0001.tar.zst")).doesNotExist();
            assertThat(admin.update("INSERT INTO T VALUES (5002, 'writable')")).isEqualTo(1);
        } finally {
            tx.close();
            other.close();
        }
    }

    @Test
    void aRequesterWithAnOpenWriteTransactionGets1404AndASecondBackupGets1419() throws Exception {
        admin.begin();
        admin.execute("INSERT INTO T VALUES (6000, 'mine')");
        assertThatThrownBy(() -> admin.admin().startBackup()).isInstanceOfSatisfying(TetraException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.BACKUP_OPEN_TRANSACTION));
        admin.rollback();

        holdBackupAtGate();
        admin.admin().startBackup();
        assertThat(gateClosed.await(60, TimeUnit.SECONDS)).isTrue();
        TetraClient other = TestServers.admin(server);
        try {
            assertThatThrownBy(() -> other.admin().startBackup()).isInstanceOfSatisfying(TetraException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.BACKUP_ALREADY_RUNNING));
        } finally {
            other.close();
        }
        release.countDown();
        assertThat(awaitIdle().getStatus()).isEqualTo("SUCCESS");
    }

    @Test
    void aStopEndsTheBackupWith1406RemovesThePartialArchiveAndReopensTheGate() throws Exception {
        holdBackupAtGate();
        TetraClient writer = TestServers.admin(server);
        TetraClient stopper = TestServers.admin(server);
        try {
            admin.admin().startBackup();
            assertThat(gateClosed.await(60, TimeUnit.SECONDS)).isTrue();
            TetraFuture<Result> queued = writer.executeAsync("INSERT INTO T VALUES (7000, 'after stop')");
            stopper.admin().stopBackup();
            release.countDown();
            BackupRecord last = awaitIdle();
            assertThat(last.getStatus()).isEqualTo("STOPPED");
            assertThat(last.getErrorCode()).isEqualTo(1406);
            assertThat(queued.get(60, TimeUnit.SECONDS).updateCount()).isEqualTo(1);
            try (Stream<Path> s = Files.list(destination())) {
                assertThat(s.map(p -> p.getFileName().toString())).containsExactly("backup-history.json");
            }
            assertThatThrownBy(() -> stopper.admin().stopBackup()).isInstanceOfSatisfying(TetraException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
        } finally {
            writer.close();
            stopper.close();
        }
    }

    @Test
    void aStructureOnlyBackupHoldsBackDdlButNotDataWrites() throws Exception {
        writeSettings("content:\n  data: false\n  structure: true\n");
        holdBackupAtGate();
        TetraClient writer = TestServers.admin(server);
        try {
            admin.admin().startBackup();
            assertThat(gateClosed.await(60, TimeUnit.SECONDS)).isTrue();
            assertThat(writer.update("INSERT INTO T VALUES (8000, 'data goes on')")).isEqualTo(1);
            TetraFuture<Result> ddl = writer.executeAsync("CREATE TABLE LATER(ID INT)");
            await().atMost(60, TimeUnit.SECONDS).until(
                    () -> admin.admin().backupStatus().getProgress().getQueuedWrites() == 1);
            assertThat(ddl).isNotDone();
            release.countDown();
            ddl.get(60, TimeUnit.SECONDS);
            assertThat(awaitIdle().getStatus()).isEqualTo("SUCCESS");
            JsonNode manifest = BackupArchiveReader.extract(destination().resolve("testdb-0001.tar.zst"), null);
            List<String> paths = new ArrayList<>();
            manifest.path("entries").forEach(e -> paths.add(e.path("path").asText()));
            assertThat(paths).contains("Structure/catalog.xml").doesNotContain("Data/testdb.mv.db");
        } finally {
            writer.close();
        }
    }

    @Test
    void badDestinationsFailWith1407AndLeaveTheDatabaseWritable() throws Exception {
        Path file = dir.resolve("not-a-folder");
        Files.writeString(file, "x");
        writeSettings("destination: " + file + "\n");
        assertThatThrownBy(() -> admin.admin().startBackup()).isInstanceOfSatisfying(TetraException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.BACKUP_DESTINATION));
        writeSettings("destination: " + dir.resolve("missing/deeper") + "\n");
        assertThatThrownBy(() -> admin.admin().startBackup()).isInstanceOfSatisfying(TetraException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.BACKUP_DESTINATION));
        BackupRecord last = admin.admin().backupStatus().getLast();
        assertThat(last.getStatus()).isEqualTo("FAILED");
        assertThat(last.getErrorCode()).isEqualTo(1407);
        assertThat(last.getNumber()).isEqualTo(2);
        assertThat(admin.update("INSERT INTO T VALUES (9000, 'still writable')")).isEqualTo(1);
    }

    @Test
    void progressAndTheEndArePushedToSubscribers() throws Exception {
        List<Event> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        admin.addEventListener(events::add);
        holdBackupAtGate();
        admin.admin().startBackup(true);
        assertThat(gateClosed.await(60, TimeUnit.SECONDS)).isTrue();
        await().atMost(60, TimeUnit.SECONDS).until(() -> events.stream().anyMatch(Event::hasBackupProgress));
        assertThat(events.stream().filter(Event::hasBackupProgress).findFirst().orElseThrow().getBackupProgress()
                .getPhase()).isEqualTo("waiting for transactions");
        release.countDown();
        await().atMost(60, TimeUnit.SECONDS).until(() -> events.stream().anyMatch(Event::hasBackupFinished));
        Event end = events.stream().filter(Event::hasBackupFinished).findFirst().orElseThrow();
        assertThat(end.getBackupFinished().getStatus()).isEqualTo("SUCCESS");
        assertThat(end.getBackupFinished().getBackupNumber()).isEqualTo(1);
    }

    @Test
    void aCancelledStatementOfATransactionLeavesTheTransactionOpenAndSaysSo() throws Exception {
        holdBackupAtGate();
        TetraClient tx = TestServers.admin(server);
        BlockingQueue<BackupWaitNotice> notices = new LinkedBlockingQueue<>();
        tx.onBackupWait(notices::add);
        try {
            tx.begin();
            admin.admin().startBackup();
            assertThat(gateClosed.await(60, TimeUnit.SECONDS)).isTrue();
            TetraFuture<Result> insert = tx.executeAsync("INSERT INTO T VALUES (10000, 'in a transaction')");
            BackupWaitNotice notice = notices.poll(60, TimeUnit.SECONDS);
            assertThat(notice).isNotNull();
            assertThat(notice.inTransaction()).isTrue();
            notice.cancel();
            assertThatThrownBy(insert::join).isInstanceOf(CompletionException.class).cause()
                    .isInstanceOfSatisfying(TetraException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.BACKUP_IN_PROGRESS);
                        assertThat(e.inTransaction()).isTrue();
                        assertThat(e.getMessage()).contains("transaction stays open");
                    });
            assertThat(tx.execute("SELECT 1").inTransaction()).isTrue();
            release.countDown();
            assertThat(awaitIdle().getStatus()).isEqualTo("SUCCESS");
            tx.execute("INSERT INTO T VALUES (10001, 'after the backup')");
            tx.commit();
            assertThat(admin.execute("SELECT COUNT(*) FROM T WHERE ID >= 10000").rows().get(0).getLong(0)).isEqualTo(1L);
        } finally {
            tx.close();
        }
    }

    @Test
    void theQueueIsBoundedAndAFullQueueAnswers2001() throws Exception {
        try (TetraServer small = TetraServer.start(TestServers.config(dir.resolve("bounded")).gateMaxQueuedWrites(2).build());
             TetraClient a = TestServers.admin(small)) {
            a.execute("CREATE TABLE B(ID INT)");
            CountDownLatch leave = new CountDownLatch(1);
            CountDownLatch at = new CountDownLatch(1);
            small.backups().onGateClosed(n -> {
                at.countDown();
                try {
                    leave.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            List<TetraClient> writers = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    writers.add(TestServers.admin(small));
                }
                a.admin().startBackup();
                assertThat(at.await(60, TimeUnit.SECONDS)).isTrue();
                TetraFuture<Result> first = writers.get(0).executeAsync("INSERT INTO B VALUES (1)");
                TetraFuture<Result> second = writers.get(1).executeAsync("INSERT INTO B VALUES (2)");
                await().atMost(60, TimeUnit.SECONDS).until(
                        () -> a.admin().backupStatus().getProgress().getQueuedWrites() == 2);
                assertThatThrownBy(() -> writers.get(2).execute("INSERT INTO B VALUES (3)"))
                        .isInstanceOfSatisfying(TetraException.class,
                                e -> assertThat(e.code()).isEqualTo(ErrorCode.SERVER_BUSY));
                leave.countDown();
                first.get(60, TimeUnit.SECONDS);
                second.get(60, TimeUnit.SECONDS);
                assertThat(a.execute("SELECT COUNT(*) FROM B").rows().get(0).getLong(0)).isEqualTo(2L);
            } finally {
                leave.countDown();
                writers.forEach(TetraClient::close);
            }
        }
    }
}
