package io.tetradb.server.restore;

import io.tetradb.client.TetraClient;
import io.tetradb.protocol.BackupWindow;
import io.tetradb.client.ErrorCode;
import io.tetradb.protocol.LogOperationInfo;
import io.tetradb.protocol.RestoreBackup;
import io.tetradb.protocol.RestoreReport;
import io.tetradb.protocol.RollbackReport;
import io.tetradb.protocol.RollbackRequest;
import io.tetradb.client.TetraException;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static io.tetradb.server.restore.RestoreFixtures.backup;
import static io.tetradb.server.restore.RestoreFixtures.fails;
import static io.tetradb.server.restore.RestoreFixtures.journal;
import static io.tetradb.server.restore.RestoreFixtures.rows;
import static io.tetradb.server.restore.RestoreFixtures.separatingTime;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * In-place restores with the log and the rollback (docs/restore-with-log.md): the running database
 * brought to the last commit or back to a point; the operations after the point cancelled
 * (a new timeline) and never integrated again, neither by recovery at the next start nor by
 * a later restore; the dry run lists exactly those operations.
 */
@Timeout(180)
class RollbackIT extends RestoreTestServer {
    private static final String QUERY = "SELECT ID, V FROM T ORDER BY ID";

    RollbackIT() {
        super(10, false);
    }

    private long lastOperation() {
        return server.logs().log().lastOperation();
    }

    private RestoreReport restore(RestoreBackup.Builder b) {
        return admin.admin().restore(b.build());
    }

    private RollbackReport rollback(RollbackRequest.Builder b) {
        return admin.admin().rollback(b.build());
    }

    /** Stops the server (cleanly or not) and starts it again on the same folder. */
    private void restart() throws Exception {
        admin.close();
        server.close();
        server = TestServers.start(dir);
        admin = TestServers.admin(server);
    }


    @Test
    void inPlaceToTheEndKeepsEveryCommitAndTheLogGoesOn() throws Exception {
        backup(admin);
        admin.update("INSERT INTO T VALUES (101, 'after the backup')");
        admin.admin().logNew();
        admin.update("UPDATE T SET V = 'changed' WHERE ID = 2");
        List<List<Object>> now = rows(admin, QUERY);
        long last = lastOperation();

        RestoreReport r = admin.admin().restoreInPlace(1);
        assertThat(r.getLogIntegrated()).isTrue();
        assertThat(r.getLastOperation()).isEqualTo(last);
        assertThat(r.getCancelledLastOperation()).isZero();
        assertThat(rows(admin, QUERY)).isEqualTo(now);
        // The log is the same log: numbering goes on after it, in its file.
        admin.update("INSERT INTO T VALUES (102, 'after the restore')");
        assertThat(lastOperation()).isEqualTo(last + 1);
        List<List<Object>> after = rows(admin, QUERY);
        restart();
        assertThat(rows(admin, QUERY)).isEqualTo(after);
        // The archive can still be brought to the end: no segment went with the replaced files.
        RestoreReport copy = restore(RestoreBackup.newBuilder().setNumber(1).setToDir(dir.resolve("copy").toString()));
        assertThat(copy.getLastOperation()).isEqualTo(last + 1);
    }

    @Test
    void whatIsCommittedWhileTheArchiveIsBroughtForwardIsIntegratedWithTheDatabaseClosed() throws Exception {
        backup(admin);
        admin.update("INSERT INTO T VALUES (151, 'before the restore')");
        try (TetraClient other = TestServers.admin(server)) {
            server.restores().onServingPassDone(() -> other.update("INSERT INTO T VALUES (152, 'meanwhile')"));
            RestoreReport r = admin.admin().restoreInPlace(1);
            assertThat(r.getLastOperation()).isEqualTo(lastOperation());
        } finally {
            server.restores().onServingPassDone(null);
        }
        assertThat(rows(admin, "SELECT ID FROM T WHERE ID > 150 ORDER BY ID")).containsExactly(List.of(151),
                List.of(152));
    }

    @Test
    void inPlaceToAPointCancelsTheRestAndNeitherRecoveryNorALaterRestoreBringsItBack() throws Exception {
        backup(admin);
        admin.update("INSERT INTO T VALUES (201, 'kept')");
        long point = lastOperation();
        List<List<Object>> atPoint = rows(admin, QUERY);
        admin.update("DELETE FROM T WHERE ID <= 5");
        admin.update("INSERT INTO T VALUES (202, 'cancelled')");
        long cancelledEnd = lastOperation();

        RestoreReport r = restore(RestoreBackup.newBuilder().setNumber(1).setInPlace(true).setUntilOperation(point));
        assertThat(r.getLastOperation()).isEqualTo(point);
        assertThat(r.getStoppedAtPoint()).isTrue();
        assertThat(r.getCancelledFirstOperation()).isEqualTo(point + 1);
        assertThat(r.getCancelledLastOperation()).isEqualTo(cancelledEnd);
        assertThat(rows(admin, QUERY)).isEqualTo(atPoint);

        // Numbers are never reused: the new timeline goes on after the cancelled operations.
        admin.update("INSERT INTO T VALUES (203, 'new timeline')");
        assertThat(lastOperation()).isEqualTo(cancelledEnd + 1);
        List<List<Object>> now = rows(admin, QUERY);
        assertThat(server.logs().log().header().getCancelledList()).singleElement().satisfies(c -> {
            assertThat(c.getFirstOperation()).isEqualTo(point + 1);
            assertThat(c.getLastOperation()).isEqualTo(cancelledEnd);
        });

        restart();
        assertThat(rows(admin, QUERY)).isEqualTo(now);

        // Recovery after a crash redoes nothing cancelled: archive 1's data file (no clean close recorded)
        // with the log files of the live database is what a kill -9 leaves when the data file lags.
        Path crash = dir.resolve("crash");
        restore(RestoreBackup.newBuilder().setNumber(1).setNoLog(true).setToDir(crash.toString()));
        try (Stream<Path> s = Files.list(server.layout().dataDir())) {
            for (Path f : s.filter(f -> f.getFileName().toString().endsWith(".journal")).toList()) {
                Files.copy(f, crash.resolve("Data").resolve(f.getFileName().toString().replace("testdb", "crash")));
            }
        }
        try (TetraServer s = TetraServer.start(TestServers.config(dir).dataDir(crash).build());
             TetraClient c = TestServers.admin(s)) {
            assertThat(rows(c, QUERY)).isEqualTo(now);
        }
        assertThat(journal(crash.resolve("Logs"), "log-recovery")).last()
                .satisfies(l -> assertThat(l).contains("lastOperation=" + (cancelledEnd + 1)));

        // A later restore of the same archive to the end follows the history as it now is.
        RestoreReport copy = restore(RestoreBackup.newBuilder().setNumber(1).setToDir(dir.resolve("copy").toString()));
        assertThat(copy.getLastOperation()).isEqualTo(cancelledEnd + 1);
        try (TetraServer s = TetraServer.start(TestServers.config(dir).dataDir(dir.resolve("copy")).build());
             TetraClient c = TestServers.admin(s)) {
            assertThat(rows(c, QUERY)).isEqualTo(now);
        }
        // And through a backup, which archives the closed segment holding the cancelled operations.
        backup(admin);
        RestoreReport copy2 = restore(RestoreBackup.newBuilder().setNumber(1).setToDir(dir.resolve("copy2").toString()));
        assertThat(copy2.getLogSegmentsList()).contains("testdb-0002.journal.zst");
        try (TetraServer s = TetraServer.start(TestServers.config(dir).dataDir(dir.resolve("copy2")).build());
             TetraClient c = TestServers.admin(s)) {
            assertThat(rows(c, QUERY)).isEqualTo(now);
        }
        // The cancelled operations stay readable: log show from before the cut lists them, marked,
        // from the archived segments (backup 2 archived the segment that holds them).
        List<LogOperationInfo> shown = admin.admin().logShow(io.tetradb.client.LogFilter.builder()
                .fromOperation(point).limit(1000).build());
        assertThat(shown).extracting(LogOperationInfo::getOperation).startsWith(point);
        assertThat(shown).filteredOn(LogOperationInfo::getCancelled).extracting(LogOperationInfo::getOperation)
                .containsExactlyElementsOf(range(point + 1, cancelledEnd));
        assertThat(shown).filteredOn(o -> o.getOperation() == cancelledEnd + 1).singleElement()
                .satisfies(o -> assertThat(o.getCancelled()).isFalse());
        BackupWindow w = admin.admin().backupWindow();
        assertThat(w.getCancelledList()).singleElement().satisfies(c -> {
            assertThat(c.getFirstOperation()).isEqualTo(point + 1);
            assertThat(c.getLastOperation()).isEqualTo(cancelledEnd);
        });
    }

    @Test
    void theDryRunListsExactlyTheOperationsAfterThePointAndChangesNothing() throws Exception {
        backup(admin);
        admin.update("INSERT INTO T VALUES (301, 'kept')");
        long point = lastOperation();
        long time = separatingTime();
        admin.begin();
        admin.update("UPDATE T SET V = 'x' WHERE ID IN (1, 2)");
        admin.update("DELETE FROM T WHERE ID = 3");
        admin.commit();
        admin.execute("CREATE TABLE U(ID INT PRIMARY KEY)");
        admin.update("INSERT INTO U VALUES (1)");
        long last = lastOperation();
        List<List<Object>> now = rows(admin, QUERY);

        for (RollbackRequest.Builder req : List.of(RollbackRequest.newBuilder().setToOperation(point),
                RollbackRequest.newBuilder().setToTimeMillis(time))) {
            RollbackReport plan = rollback(req.setDryRun(true));
            assertThat(plan.getDryRun()).isTrue();
            assertThat(plan.getNumber()).isEqualTo(1);
            assertThat(plan.getLastOperationKept()).isEqualTo(point);
            assertThat(plan.getOperationsList()).extracting(LogOperationInfo::getOperation)
                    .containsExactlyElementsOf(range(point + 1, last));
            assertThat(plan.getOperationsList()).extracting(LogOperationInfo::getKind)
                    .containsExactly("UPDATE", "UPDATE", "DELETE", "CREATE TABLE", "INSERT");
            assertThat(plan.getOperationsList()).allSatisfy(o -> assertThat(o.getUser()).isEqualTo("admin"));
            assertThat(plan.getOperationsCancelled()).isEqualTo(last - point);
            assertThat(plan.getTransactionsCancelled()).isEqualTo(3);
            assertThat(plan.getTruncated()).isFalse();
        }
        RollbackReport limited = rollback(RollbackRequest.newBuilder().setToOperation(point).setDryRun(true).setLimit(2));
        assertThat(limited.getOperationsList()).hasSize(2);
        assertThat(limited.getTruncated()).isTrue();
        assertThat(limited.getOperationsCancelled()).isEqualTo(last - point);
        assertThat(rows(admin, QUERY)).isEqualTo(now);
        assertThat(lastOperation()).isEqualTo(last);
    }

    @Test
    void aRollbackKeepsTheReplacedFilesAndJournalsItself() throws Exception {
        backup(admin);
        admin.update("INSERT INTO T VALUES (401, 'kept')");
        long time = separatingTime();
        List<List<Object>> atTime = rows(admin, QUERY);
        admin.update("DELETE FROM T");
        long last = lastOperation();

        RollbackReport r = rollback(RollbackRequest.newBuilder().setToTimeMillis(time));
        assertThat(r.getDryRun()).isFalse();
        assertThat(r.getOperationsCancelled()).isEqualTo(last - r.getLastOperationKept());
        assertThat(r.getOperationsCancelled()).isEqualTo(11);
        assertThat(rows(admin, QUERY)).isEqualTo(atTime);
        Path replaced = Path.of(r.getRestore().getReplacedFilesDir());
        assertThat(replaced.getParent()).isEqualTo(server.layout().root().resolve("Replaced Files (rollback)"));
        assertThat(replaced.resolve("Data").resolve("testdb.mv.db")).isRegularFile();
        assertThat(journal(server.layout().logsDir(), "rollback-end")).singleElement()
                .satisfies(l -> assertThat(l).contains("cancelled=" + (r.getLastOperationKept() + 1) + "-" + last));
        // The cancelled operations stay readable in their segment.
        try (Stream<Path> s = Files.list(server.layout().dataDir())) {
            assertThat(s.map(p -> p.getFileName().toString())).contains("testdb-segment-000002.journal");
        }
    }

    @Test
    void anArchiveMadeOnACancelledHistoryIsNotBroughtForward() throws Exception {
        backup(admin);
        admin.update("INSERT INTO T VALUES (501, 'kept')");
        long point = lastOperation();
        admin.update("INSERT INTO T VALUES (502, 'cancelled later')");
        backup(admin); // holds 502, which the rollback cancels
        admin.update("INSERT INTO T VALUES (503, 'cancelled too')");
        rollback(RollbackRequest.newBuilder().setToOperation(point));
        admin.update("INSERT INTO T VALUES (504, 'new timeline')");

        TetraException e = fails(() -> restore(RestoreBackup.newBuilder().setNumber(2)
                .setToDir(dir.resolve("copy").toString())));
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(e.getMessage()).contains("cancelled", "--no-log");
        // Alone, to a folder, it can be looked at.
        restore(RestoreBackup.newBuilder().setNumber(2).setNoLog(true).setToDir(dir.resolve("alone").toString()));
        // A rollback to a later point chooses archive 1, not 2.
        RollbackReport plan = rollback(RollbackRequest.newBuilder().setToOperation(lastOperation()).setDryRun(true));
        assertThat(plan.getNumber()).isEqualTo(1);
        assertThat(admin.admin().backupWindow().getArchivesList()).filteredOn(a -> a.getNumber() == 2)
                .singleElement().satisfies(a -> assertThat(a.getCancelledTimeline()).isTrue());
    }

    @Test
    void whileARollbackRunsBackupsAreRefusedWith1417AndBadPointsWith2010() throws Exception {
        backup(admin);
        admin.update("INSERT INTO T VALUES (601, 'x')");
        long point = lastOperation();
        admin.update("INSERT INTO T VALUES (602, 'y')");
        List<TetraException> refused = new ArrayList<>();
        server.restores().onIntegration(() -> {
            try {
                server.backups().start(null, false);
            } catch (TetraException e) {
                refused.add(e);
            }
        });
        rollback(RollbackRequest.newBuilder().setToOperation(point));
        server.restores().onIntegration(null);
        assertThat(refused).singleElement().satisfies(e -> assertThat(e.code())
                .isEqualTo(ErrorCode.LOG_INTEGRATION_RUNNING));

        TetraException both = fails(() -> rollback(RollbackRequest.newBuilder().setToOperation(point)
                .setToTimeMillis(System.currentTimeMillis())));
        assertThat(both.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        TetraException none = fails(() -> rollback(RollbackRequest.newBuilder()));
        assertThat(none.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        TetraException negative = fails(() -> rollback(RollbackRequest.newBuilder().setToOperation(-5)));
        assertThat(negative.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        TetraException negativeRestore = fails(() -> restore(RestoreBackup.newBuilder().setNumber(1).setInPlace(true)
                .setUntilOperation(-1)));
        assertThat(negativeRestore.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        TetraException early = fails(() -> rollback(RollbackRequest.newBuilder().setToTimeMillis(1000)));
        assertThat(early.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(early.getMessage()).contains("No archive");
    }

    private static List<Long> range(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            out.add(i);
        }
        return out;
    }
}
