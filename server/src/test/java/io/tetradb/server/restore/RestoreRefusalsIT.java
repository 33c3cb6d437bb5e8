package io.tetradb.server.restore;

import io.tetradb.client.ErrorCode;
import io.tetradb.protocol.RestoreBackup;
import io.tetradb.protocol.RollbackRequest;
import io.tetradb.client.TetraException;
import io.tetradb.protocol.Value;
import io.tetradb.protocol.log.Operation;
import io.tetradb.protocol.log.RowChange;
import io.tetradb.protocol.log.TableRef;
import io.tetradb.protocol.log.Transaction;
import io.tetradb.server.log.LogOptions;
import io.tetradb.server.log.OperationLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.tetradb.server.restore.RestoreFixtures.backup;
import static io.tetradb.server.restore.RestoreFixtures.fails;
import static io.tetradb.server.restore.RestoreFixtures.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A restore's refusals that need the log to be wrong (docs/error-codes.md, 4.11): a segment of
 * another database (1416) and an operation that cannot be applied (1420, with its number), to
 * a folder and in place (where the running database stays as it was and open); a rollback
 * while a backup runs (1419).
 */
@Timeout(180)
class RestoreRefusalsIT extends RestoreTestServer {
    private static final String QUERY = "SELECT ID, V FROM T ORDER BY ID";

    RestoreRefusalsIT() {
        super(10, false);
    }

    /** A closed segment in Data/ that starts after the log's last operation, holding {@code tx}. */
    private Path closedSegment(String databaseId, Transaction.Builder tx) throws Exception {
        long next = server.logs().log().lastOperation() + 1;
        Path f = server.layout().dataDir().resolve("testdb-segment-000099.journal");
        try (OperationLog log = OperationLog.open(f, databaseId, LogOptions.builder().firstOperation(next)
                .firstSegment(99).build())) {
            log.append(tx).durable().get(30, TimeUnit.SECONDS);
        }
        return f;
    }

    private static Transaction.Builder insertInto(String table) {
        return Transaction.newBuilder().setCommitTimeMillis(System.currentTimeMillis()).setUser("forged").setSlot(99)
                .addOperations(Operation.newBuilder().setInsert(RowChange.newBuilder()
                        .setTable(TableRef.newBuilder().setSchema("PUBLIC").setTable(table))
                        .addNewValues(Value.newBuilder().setLongValue(1))));
    }

    @Test
    void aSegmentOfAnotherDatabaseIsRefusedWith1416() throws Exception {
        backup(admin);
        admin.update("INSERT INTO T VALUES (101, 'x')");
        admin.admin().logNew();
        Path foreign = closedSegment("another-database", insertInto("T"));
        TetraException e = fails(() -> admin.admin().restoreBackup(1, dir.resolve("copy").toString()));
        assertThat(e.code()).isEqualTo(ErrorCode.LOG_SEGMENT_FOREIGN);
        assertThat(e.getMessage()).contains(foreign.getFileName().toString());
        assertThat(dir.resolve("copy")).doesNotExist();
        Files.delete(foreign);
    }

    @Test
    void anOperationThatCannotBeAppliedStopsTheRestoreWith1420AndItsNumber() throws Exception {
        backup(admin);
        admin.update("INSERT INTO T VALUES (101, 'x')");
        admin.admin().logNew();
        String id = server.logs().log().header().getDatabaseId();
        long forged = server.logs().log().lastOperation() + 1;
        Path bad = closedSegment(id, insertInto("NO_SUCH_TABLE"));
        List<List<Object>> before = rows(admin, QUERY);

        TetraException toDir = fails(() -> admin.admin().restoreBackup(1, dir.resolve("copy").toString()));
        assertThat(toDir.code()).isEqualTo(ErrorCode.LOG_OPERATION_FAILED);
        assertThat(toDir.getMessage()).contains("Operation " + forged, "NO_SUCH_TABLE");
        assertThat(dir.resolve("copy")).doesNotExist();

        TetraException inPlace = fails(() -> admin.admin().restoreInPlace(1));
        assertThat(inPlace.code()).isEqualTo(ErrorCode.LOG_OPERATION_FAILED);
        // Nothing changed: the running database is as it was and serves.
        assertThat(rows(admin, QUERY)).isEqualTo(before);
        assertThat(server.state()).isEqualTo("RUNNING");
        assertThat(server.layout().root().resolve("Replaced Files (restore)")).doesNotExist();
        Files.delete(bad);
        admin.update("INSERT INTO T VALUES (102, 'still writable')");
    }

    /**
     * A copy of the uncompressed archive {@code tar} whose manifest records no position in the
     * log, as archives made before the log file were (the manifest carries no checksum of its own).
     */
    private static Path withoutLogPosition(Path tar, Path copy) throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        try (org.apache.commons.compress.archivers.tar.TarArchiveInputStream in =
                     new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(Files.newInputStream(tar));
             org.apache.commons.compress.archivers.tar.TarArchiveOutputStream out =
                     new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(Files.newOutputStream(copy))) {
            out.setLongFileMode(org.apache.commons.compress.archivers.tar.TarArchiveOutputStream.LONGFILE_POSIX);
            for (var e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                byte[] content = in.readAllBytes();
                if (e.getName().equals("MANIFEST.json")) {
                    var m = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(content);
                    m.remove("lastOperation");
                    m.remove("databaseId");
                    content = json.writeValueAsBytes(m);
                    e.setSize(content.length);
                }
                out.putArchiveEntry(e);
                out.write(content);
                out.closeArchiveEntry();
            }
        }
        return copy;
    }

    @Test
    void anArchiveWithNoPositionInTheLogIsRefusedWith1403UnlessRestoredAlone() throws Exception {
        Files.writeString(server.layout().settingsDir().resolve("backup.yml"), "archive:\n  compression: none\n");
        backup(admin);
        admin.update("INSERT INTO T VALUES (101, 'after the backup')");
        List<List<Object>> before = rows(admin, QUERY);
        Path old = withoutLogPosition(dir.resolve("testdb-backups").resolve("testdb-0001.tar"),
                dir.resolve("before-the-log.tar"));

        TetraException toDir = fails(() -> admin.admin().restoreBackup(old.toString(), dir.resolve("copy").toString()));
        assertThat(toDir.code()).isEqualTo(ErrorCode.LOG_MISSING);
        assertThat(toDir.getMessage()).contains("records no position in the log", "--no-log");
        TetraException inPlace = fails(() -> admin.admin().restoreInPlace(old.toString()));
        assertThat(inPlace.code()).isEqualTo(ErrorCode.LOG_MISSING);
        assertThat(rows(admin, QUERY)).isEqualTo(before);

        admin.admin().restore(RestoreBackup.newBuilder().setFile(old.toString()).setNoLog(true)
                .setToDir(dir.resolve("alone").toString()).build());
        assertThat(dir.resolve("alone").resolve("Data").resolve("alone.mv.db")).isRegularFile();
    }

    @Test
    void aRollbackWhileABackupRunsIsRefusedWith1419() throws Exception {
        backup(admin);
        admin.update("INSERT INTO T VALUES (101, 'x')");
        long point = server.logs().log().lastOperation();
        try (RestoreFixtures.GateHold hold = new RestoreFixtures.GateHold(server)) {
            admin.admin().startBackup();
            hold.awaitGateClosed();
            TetraException e = fails(() -> admin.admin().rollback(RollbackRequest.newBuilder()
                    .setToOperation(point).build()));
            assertThat(e.code()).isEqualTo(ErrorCode.BACKUP_ALREADY_RUNNING);
            TetraException r = fails(() -> admin.admin().restore(RestoreBackup.newBuilder().setNumber(1)
                    .setInPlace(true).setUntilOperation(point).build()));
            assertThat(r.code()).isEqualTo(ErrorCode.BACKUP_ALREADY_RUNNING);
        }
        await().atMost(120, TimeUnit.SECONDS).until(() -> admin.admin().backupStatus().getState().equals("IDLE"));
        assertThat(server.layout().root().resolve("Replaced Files (rollback)")).doesNotExist();
    }
}
