package io.tetradb.server.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.luben.zstd.ZstdInputStream;
import io.tetradb.client.BackupWaitNotice;
import io.tetradb.client.Result;
import io.tetradb.client.TetraClient;
import io.tetradb.client.TetraFuture;
import io.tetradb.protocol.BackupHistory;
import io.tetradb.protocol.BackupHistoryEntry;
import io.tetradb.protocol.BackupRecord;
import io.tetradb.client.ErrorCode;
import io.tetradb.protocol.LogSegmentFile;
import io.tetradb.protocol.log.Operation;
import io.tetradb.protocol.log.SegmentHeader;
import io.tetradb.protocol.log.Transaction;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import io.tetradb.server.log.SegmentReader;
import io.tetradb.server.log.SegmentScan;
import io.tetradb.server.restore.BackupArchiveReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Log segments and backups (docs/log-file.md, "Segments"): each data backup closes the log at
 * its gate close and archives the closed segment beside its archive; {@code log new}; retention;
 * a segment that cannot be archived; numbering across a restart. A real server, real clients;
 * the archived segments are read back (decompressed, then scanned).
 */
@Timeout(180)
class LogSegmentsIT {
    @TempDir
    Path dir;
    TetraServer server;
    TetraClient admin;
    CountDownLatch release;

    @BeforeEach
    void start() throws Exception {
        server = TestServers.start(dir);
        admin = TestServers.admin(server);
        TestServers.tableT(admin, 20);
    }

    @AfterEach
    void stop() {
        if (release != null) {
            release.countDown();
        }
        admin.close();
        server.close();
    }

    private Path destination() {
        return dir.resolve("testdb-backups");
    }

    private BackupRecord backup() {
        return server.backups().runAndWait();
    }

    private JsonNode manifest(long number) throws IOException {
        Path to = dir.resolve("extracted-" + number + "-" + System.nanoTime()).resolve("testdb");
        return BackupArchiveReader.extract(destination().resolve(String.format("testdb-%04d.tar.zst", number)), to);
    }

    /** A segment read back: its header and transactions, from the decompressed .zst. */
    private record Read(SegmentHeader header, List<Transaction> transactions, SegmentScan scan, byte[] content) {
        List<Long> insertedIds() {
            List<Long> ids = new ArrayList<>();
            for (Transaction t : transactions) {
                for (Operation o : t.getOperationsList()) {
                    if (o.hasInsert()) {
                        ids.add(o.getInsert().getNewValues(0).getIntValue() != 0
                                ? o.getInsert().getNewValues(0).getIntValue()
                                : o.getInsert().getNewValues(0).getLongValue());
                    }
                }
            }
            return ids;
        }
    }

    private Read read(String file) throws Exception {
        Path zst = destination().resolve(file);
        byte[] content;
        try (InputStream in = new ZstdInputStream(Files.newInputStream(zst))) {
            content = in.readAllBytes();
        }
        Path plain = dir.resolve(file + "-" + System.nanoTime() + ".journal");
        Files.write(plain, content);
        List<Transaction> txs = new ArrayList<>();
        SegmentScan scan = SegmentReader.scan(plain, null, txs::add);
        assertThat(scan.tornTail()).isFalse();
        return new Read(scan.header(), txs, scan, content);
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private void insert(int from, int to) {
        for (int i = from; i < to; i++) {
            admin.update("INSERT INTO T VALUES (?, ?)", i, "value " + i);
        }
    }

    private List<String> closedInData() throws IOException {
        try (Stream<Path> s = Files.list(server.layout().dataDir())) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.contains("-segment-")).sorted().toList();
        }
    }

    private List<String> segmentFiles() throws IOException {
        try (Stream<Path> s = Files.list(destination())) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".journal.zst")).sorted().toList();
        }
    }

    private BackupHistoryEntry entry(BackupHistory h, long number) {
        return h.getEntriesList().stream().filter(e -> e.getNumber() == number).findFirst().orElseThrow();
    }

    @Test
    void eachDataBackupArchivesExactlyTheOperationsSinceThePreviousGateClose() throws Exception {
        assertThat(backup().getStatus()).isEqualTo("SUCCESS");
        JsonNode m1 = manifest(1);
        long last1 = m1.path("lastOperation").asLong();
        assertThat(last1).isPositive();
        assertThat(m1.path("databaseId").asText()).isEqualTo(server.logs().log().header().getDatabaseId());
        Read s1 = read("testdb-0001.journal.zst");
        assertThat(s1.header().getFirstOperation()).isEqualTo(1);
        assertThat(s1.scan().lastOperation()).isEqualTo(last1);
        assertThat(s1.insertedIds()).hasSize(20);

        insert(100, 110);
        assertThat(backup().getStatus()).isEqualTo("SUCCESS");
        JsonNode m2 = manifest(2);
        long last2 = m2.path("lastOperation").asLong();
        Read s2 = read("testdb-0002.journal.zst");
        assertThat(s2.header().getFirstOperation()).isEqualTo(last1 + 1);
        assertThat(s2.scan().lastOperation()).isEqualTo(last2);
        assertThat(s2.insertedIds()).containsExactly(100L, 101L, 102L, 103L, 104L, 105L, 106L, 107L, 108L, 109L);
        assertThat(s2.header().getSegment()).isEqualTo(s1.header().getSegment() + 1);
        // The next segment goes on after it; nothing closed is left in Data/.
        assertThat(server.logs().log().header().getFirstOperation()).isEqualTo(last2 + 1);
        assertThat(closedInData()).isEmpty();

        BackupHistory h = admin.admin().backupHistory();
        BackupHistoryEntry e2 = entry(h, 2);
        assertThat(e2.getLastOperation()).isEqualTo(last2);
        assertThat(e2.getLogSegmentsList()).hasSize(1);
        LogSegmentFile f2 = e2.getLogSegments(0);
        assertThat(f2.getFile()).isEqualTo("testdb-0002.journal.zst");
        assertThat(f2.getFirstOperation()).isEqualTo(last1 + 1);
        assertThat(f2.getLastOperation()).isEqualTo(last2);
        assertThat(f2.getSize()).isEqualTo(Files.size(destination().resolve(f2.getFile())));
        assertThat(f2.getSha256()).isEqualTo(sha256(Files.readAllBytes(destination().resolve(f2.getFile()))));
        assertThat(f2.getContentSha256()).isEqualTo(sha256(s2.content()));
        assertThat(f2.getSegmentsList()).containsExactly(s2.header().getSegment());
        // Also in the file itself, for readers of backup-history.json.
        JsonNode file = new ObjectMapper().readTree(destination().resolve("backup-history.json").toFile());
        assertThat(file.path("archives").get(1).path("logSegments").get(0).path("sha256").asText())
                .isEqualTo(f2.getSha256());
        assertThat(Files.getPosixFilePermissions(destination().resolve(f2.getFile())))
                .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    }

    @Test
    void aStructureOnlyBackupDoesNotCloseTheLog() throws Exception {
        Files.writeString(server.layout().settingsDir().resolve("backup.yml"),
                "content:\n  data: false\n  structure: true\n");
        long segment = server.logs().log().header().getSegment();
        assertThat(backup().getStatus()).isEqualTo("SUCCESS");
        assertThat(manifest(1).has("lastOperation")).isFalse();
        assertThat(segmentFiles()).isEmpty();
        assertThat(server.logs().log().header().getSegment()).isEqualTo(segment);
    }

    @Test
    void writesQueuedBehindTheGateLandInTheNextSegment() throws Exception {
        release = new CountDownLatch(1);
        CountDownLatch gateClosed = new CountDownLatch(1);
        server.backups().onGateClosed(n -> {
            gateClosed.countDown();
            try {
                release.await(120, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        BlockingQueue<BackupWaitNotice> notices = new LinkedBlockingQueue<>();
        try (TetraClient writer = TestServers.admin(server)) {
            writer.onBackupWait(notices::add);
            admin.admin().startBackup();
            assertThat(gateClosed.await(60, TimeUnit.SECONDS)).isTrue();
            TetraFuture<Result> queued = writer.executeAsync("INSERT INTO T VALUES (500, 'queued')");
            assertThat(notices.poll(60, TimeUnit.SECONDS)).isNotNull();
            release.countDown();
            assertThat(queued.get(60, TimeUnit.SECONDS).updateCount()).isEqualTo(1);
        }
        org.awaitility.Awaitility.await().atMost(120, TimeUnit.SECONDS)
                .until(() -> admin.admin().backupStatus().getState().equals("IDLE"));
        assertThat(admin.admin().backupStatus().getLast().getStatus()).isEqualTo("SUCCESS");
        server.backups().onGateClosed(null);
        Read s1 = read("testdb-0001.journal.zst");
        assertThat(s1.insertedIds()).doesNotContain(500L);
        assertThat(s1.scan().lastOperation()).isEqualTo(manifest(1).path("lastOperation").asLong());

        assertThat(backup().getStatus()).isEqualTo("SUCCESS");
        Read s2 = read("testdb-0002.journal.zst");
        assertThat(s2.insertedIds()).containsExactly(500L);
        assertThat(s2.header().getFirstOperation()).isEqualTo(s1.scan().lastOperation() + 1);
    }

    @Test
    void logNewArchivesNumberedSegmentsAfterTheLastBackup() throws Exception {
        assertThat(backup().getStatus()).isEqualTo("SUCCESS");
        long last1 = manifest(1).path("lastOperation").asLong();
        insert(100, 103);
        LogSegmentFile k1 = admin.admin().logNew();
        assertThat(k1.getFile()).isEqualTo("testdb-0001-01.journal.zst");
        assertThat(k1.getBackup()).isEqualTo(1);
        assertThat(k1.getSequence()).isEqualTo(1);
        assertThat(k1.getFirstOperation()).isEqualTo(last1 + 1);
        Read r1 = read(k1.getFile());
        assertThat(r1.insertedIds()).containsExactly(100L, 101L, 102L);
        assertThat(r1.scan().lastOperation()).isEqualTo(k1.getLastOperation());

        insert(200, 202);
        LogSegmentFile k2 = admin.admin().logNew();
        assertThat(k2.getFile()).isEqualTo("testdb-0001-02.journal.zst");
        assertThat(k2.getFirstOperation()).isEqualTo(k1.getLastOperation() + 1);
        assertThat(read(k2.getFile()).insertedIds()).containsExactly(200L, 201L);
        assertThat(closedInData()).isEmpty();

        BackupHistoryEntry e1 = entry(admin.admin().backupHistory(), 1);
        assertThat(e1.getLogSegmentsList()).extracting(LogSegmentFile::getFile)
                .containsExactly("testdb-0001.journal.zst", "testdb-0001-01.journal.zst", "testdb-0001-02.journal.zst");

        insert(300, 301);
        assertThat(backup().getStatus()).isEqualTo("SUCCESS");
        Read s2 = read("testdb-0002.journal.zst");
        assertThat(s2.header().getFirstOperation()).isEqualTo(k2.getLastOperation() + 1);
        assertThat(s2.insertedIds()).containsExactly(300L);
    }

    @Test
    void logNewIsForAdminsOnly() {
        admin.admin().addUser("plain", io.tetradb.protocol.Role.USER, "plain-secret-1".toCharArray());
        try (TetraClient user = TestServers.connect(server, "plain", "plain-secret-1")) {
            assertThatThrownBy(() -> user.admin().logNew()).isInstanceOfSatisfying(
                    io.tetradb.client.TetraException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION_DENIED));
        }
    }

    @Test
    void retentionKeepsTheSegmentsAKeptArchiveNeedsAndRemovesOlderOnes() throws Exception {
        Files.writeString(server.layout().settingsDir().resolve("backup.yml"), "retention:\n  keepLast: 2\n");
        assertThat(backup().getStatus()).isEqualTo("SUCCESS");
        insert(100, 102);
        assertThat(admin.admin().logNew().getFile()).isEqualTo("testdb-0001-01.journal.zst");
        insert(102, 104);
        assertThat(backup().getStatus()).isEqualTo("SUCCESS");
        insert(104, 106);
        assertThat(admin.admin().logNew().getFile()).isEqualTo("testdb-0002-01.journal.zst");
        assertThat(segmentFiles()).containsExactly("testdb-0001-01.journal.zst", "testdb-0001.journal.zst",
                "testdb-0002-01.journal.zst", "testdb-0002.journal.zst");
        insert(106, 108);
        assertThat(backup().getStatus()).isEqualTo("SUCCESS");
        // Archives 2 and 3 are kept: archive 2 holds everything up to its gate close, so it needs
        // 0002-01 and 0003 to be brought forward; 0001 and 0001-01 are all inside it and go with
        // archive 1; 0002 (what led to archive 2) stays with its archive.
        try (Stream<Path> s = Files.list(destination())) {
            assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tar.zst")).sorted())
                    .containsExactly("testdb-0002.tar.zst", "testdb-0003.tar.zst");
        }
        assertThat(segmentFiles()).containsExactly("testdb-0002-01.journal.zst", "testdb-0002.journal.zst",
                "testdb-0003.journal.zst");
        long last2 = manifest(2).path("lastOperation").asLong();
        assertThat(read("testdb-0002-01.journal.zst").header().getFirstOperation()).isEqualTo(last2 + 1);
        BackupHistory h = admin.admin().backupHistory();
        assertThat(entry(h, 2).getLogSegmentsList()).extracting(LogSegmentFile::getFile)
                .containsExactly("testdb-0002.journal.zst", "testdb-0002-01.journal.zst");
        assertThat(entry(h, 3).getLogSegmentsList()).extracting(LogSegmentFile::getFile)
                .containsExactly("testdb-0003.journal.zst");
        assertThat(h.getLogSegmentsList()).isEmpty();

        // keepLast 1: archive 4 alone; every segment before it goes, its own stays.
        Files.writeString(server.layout().settingsDir().resolve("backup.yml"), "retention:\n  keepLast: 1\n");
        insert(108, 109);
        assertThat(backup().getStatus()).isEqualTo("SUCCESS");
        assertThat(segmentFiles()).containsExactly("testdb-0004.journal.zst");
    }

    @Test
    void aSegmentThatCannotBeArchivedFailsTheBackupWith1408AndGoesWithTheNextBackup() throws Exception {
        assertThat(backup().getStatus()).isEqualTo("SUCCESS");
        long last1 = manifest(1).path("lastOperation").asLong();
        insert(100, 103);
        // A folder (not empty) where segment 2's archive belongs: the rename into place fails.
        Path obstacle = destination().resolve("testdb-0002.journal.zst");
        Files.createDirectories(obstacle);
        Files.writeString(obstacle.resolve("x"), "x");
        BackupRecord failed = backup();
        assertThat(failed.getStatus()).isEqualTo("FAILED");
        assertThat(failed.getErrorCode()).isEqualTo(ErrorCode.LOG_NOT_ARCHIVABLE.code());
        assertThat(destination().resolve("testdb-0002.tar.zst")).doesNotExist();
        assertThat(closedInData()).hasSize(1);
        try (Stream<Path> s = Files.list(destination())) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".partial"));
        }

        Files.delete(obstacle.resolve("x"));
        Files.delete(obstacle);
        insert(200, 202);
        BackupRecord ok = backup();
        assertThat(ok.getStatus()).isEqualTo("SUCCESS");
        assertThat(ok.getNumber()).isEqualTo(3);
        Read s3 = read("testdb-0003.journal.zst");
        // Both segments, as one: from backup 1's gate close to backup 3's.
        assertThat(s3.header().getFirstOperation()).isEqualTo(last1 + 1);
        assertThat(s3.scan().lastOperation()).isEqualTo(manifest(3).path("lastOperation").asLong());
        assertThat(s3.insertedIds()).containsExactly(100L, 101L, 102L, 200L, 201L);
        assertThat(closedInData()).isEmpty();
        LogSegmentFile f3 = entry(admin.admin().backupHistory(), 3).getLogSegments(0);
        assertThat(f3.getSegmentsCount()).isEqualTo(2);
        assertThat(f3.getFirstOperation()).isEqualTo(last1 + 1);
    }

    @Test
    void recoveryRedoesTheClosedSegmentsWaitingInDataBeforeTheCurrentOne() throws Exception {
        assertThat(backup().getStatus()).isEqualTo("SUCCESS");
        insert(100, 103);
        // Backup 2 closes the log at its gate and fails to archive the segment: it stays in Data/.
        Path obstacle = destination().resolve("testdb-0002.journal.zst");
        Files.createDirectories(obstacle);
        Files.writeString(obstacle.resolve("x"), "x");
        assertThat(backup().getErrorCode()).isEqualTo(ErrorCode.LOG_NOT_ARCHIVABLE.code());
        assertThat(closedInData()).hasSize(1);
        insert(200, 203);
        // A crash's data file: backup 1's (before both inserts), with the server's Data/ logs beside it.
        Path copy = dir.resolve("copy").resolve("testdb");
        admin.admin().restore(io.tetradb.protocol.RestoreBackup.newBuilder().setNumber(1).setToDir(copy.toString())
                .setNoLog(true).build());
        admin.close();
        server.close();
        try (Stream<Path> logs = Files.list(server.layout().dataDir())) {
            for (Path f : logs.filter(p -> p.getFileName().toString().endsWith(".journal")).toList()) {
                Files.copy(f, copy.resolve("Data").resolve(f.getFileName()));
            }
        }
        server = TetraServer.start(TestServers.config(copy.getParent()).dataDir(copy).build());
        admin = TestServers.admin(server);
        List<Long> ids = new ArrayList<>();
        for (var r : admin.execute("SELECT ID FROM T WHERE ID >= 100 ORDER BY ID").rows()) {
            ids.add(r.getLong(0));
        }
        assertThat(ids).as("the closed segment's rows and the current log's").containsExactly(100L, 101L, 102L,
                200L, 201L, 202L);
    }

    @Test
    void backupsStoppedAfterClosingTheirSegmentLeaveItForTheNextOne() throws Exception {
        assertThat(backup().getStatus()).isEqualTo("SUCCESS");
        long last1 = manifest(1).path("lastOperation").asLong();
        // Stopped at the gate, after the segment was closed: no write in between, so both are empty.
        server.backups().onGateClosed(n -> server.backups().stop("test"));
        assertThat(backup().getStatus()).isEqualTo("STOPPED");
        assertThat(backup().getStatus()).isEqualTo("STOPPED");
        server.backups().onGateClosed(null);
        assertThat(closedInData()).hasSize(2);
        insert(100, 101);
        assertThat(backup().getStatus()).isEqualTo("SUCCESS");
        Read s4 = read("testdb-0004.journal.zst");
        assertThat(s4.header().getFirstOperation()).isEqualTo(last1 + 1);
        assertThat(s4.insertedIds()).containsExactly(100L);
        assertThat(s4.scan().lastOperation()).isEqualTo(manifest(4).path("lastOperation").asLong());
        assertThat(entry(admin.admin().backupHistory(), 4).getLogSegments(0).getSegmentsCount()).isEqualTo(3);
        assertThat(closedInData()).isEmpty();
    }

    @Test
    void afterARestartTheNumberingGoesOn() throws Exception {
        assertThat(backup().getStatus()).isEqualTo("SUCCESS");
        Read s1 = read("testdb-0001.journal.zst");
        insert(100, 102);
        admin.close();
        server.close();
        server = TestServers.start(dir);
        admin = TestServers.admin(server);
        insert(102, 104);
        BackupRecord r = backup();
        assertThat(r.getNumber()).isEqualTo(2);
        Read s2 = read("testdb-0002.journal.zst");
        assertThat(s2.header().getSegment()).isEqualTo(s1.header().getSegment() + 1);
        assertThat(s2.header().getFirstOperation()).isEqualTo(s1.scan().lastOperation() + 1);
        assertThat(s2.insertedIds()).containsExactly(100L, 101L, 102L, 103L);
        assertThat(s2.scan().lastOperation()).isEqualTo(manifest(2).path("lastOperation").asLong());
        insert(104, 105);
        assertThat(admin.admin().logNew().getFile()).isEqualTo("testdb-0002-01.journal.zst");
        admin.close();
        server.close();
        server = TestServers.start(dir);
        admin = TestServers.admin(server);
        assertThat(admin.admin().logNew().getFile()).isEqualTo("testdb-0002-02.journal.zst");
        assertThat(server.logs().log().header().getSegment()).isEqualTo(s2.header().getSegment() + 3);
    }
}
