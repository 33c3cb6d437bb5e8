package io.tetradb.server.restore;

import io.tetradb.client.TetraClient;
import io.tetradb.client.ErrorCode;
import io.tetradb.protocol.RestoreBackup;
import io.tetradb.protocol.RestoreReport;
import io.tetradb.client.TetraException;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static io.tetradb.server.restore.RestoreFixtures.backup;
import static io.tetradb.server.restore.RestoreFixtures.fails;
import static io.tetradb.server.restore.RestoreFixtures.journal;
import static io.tetradb.server.restore.RestoreFixtures.rows;
import static io.tetradb.server.restore.RestoreFixtures.separatingTime;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code restore N --to DIR} brings the archive forward with the log (docs/restore-with-log.md): the
 * segments archived after it, those closed by {@code log new}, and the current log file, to
 * the last acknowledged commit or to a point ({@code --until-op}, {@code --until-time});
 * {@code --no-log} gives the archive alone. A gap or a damaged segment is refused.
 */
@Timeout(180)
class RestoreWithLogIT extends RestoreTestServer {
    private static final String QUERY = "SELECT ID, V FROM T ORDER BY ID";

    RestoreWithLogIT() {
        super(20, false);
    }

    /** What a server started on {@code dataDir} serves of table T. */
    private static List<List<Object>> served(Path dataDir) throws Exception {
        try (TetraServer copy = TetraServer.start(TestServers.config(dataDir.getParent()).dataDir(dataDir).build());
             TetraClient c = TestServers.admin(copy)) {
            List<List<Object>> rows = rows(c, QUERY);
            // The copy goes on writing after what it holds: its log numbers after the restored operations.
            c.update("INSERT INTO T(ID, V) VALUES (99999, 'written in the copy')");
            return rows;
        }
    }

    private long lastOperation() {
        return server.logs().log().lastOperation();
    }


    private RestoreReport restore(RestoreBackup.Builder b) {
        return admin.admin().restore(b.build());
    }

    @Test
    void toTheEndTheLaterSegmentsTheLogNewSegmentAndTheCurrentLogAreIntegrated() throws Exception {
        backup(admin);
        admin.update("INSERT INTO T VALUES (1001, 'after backup 1')");
        admin.update("UPDATE T SET V = 'changed after backup 1' WHERE ID = 3");
        backup(admin);
        admin.update("DELETE FROM T WHERE ID = 4");
        admin.execute("ALTER TABLE T ADD COLUMN W INT DEFAULT 7");
        admin.admin().logNew();
        admin.update("INSERT INTO T(ID, V, W) VALUES (1002, 'after log new', 8)");
        List<List<Object>> now = rows(admin, QUERY);
        long last = lastOperation();

        Path to = dir.resolve("copies").resolve("testdb");
        RestoreReport r = admin.admin().restoreBackup(1, to.toString());
        assertThat(r.getLogIntegrated()).isTrue();
        assertThat(r.getLogSegmentsList()).containsExactly("testdb-0002.journal.zst", "testdb-0002-01.journal.zst",
                "testdb.journal");
        assertThat(r.getLastOperation()).isEqualTo(last);
        assertThat(r.getTransactionsIntegrated()).isEqualTo(5);
        assertThat(r.getStoppedAtPoint()).isFalse();
        assertThat(served(to)).isEqualTo(now);
        assertThat(journal(server.layout().logsDir(), "restore-end")).singleElement()
                .satisfies(l -> assertThat(l).contains("lastOperation=" + last)
                        .contains("segments=testdb-0002.journal.zst,testdb-0002-01.journal.zst,testdb.journal"));
    }

    @Test
    void aTableRebuiltUnderANewIdAndATableCreatedAfterItAreRedone() throws Exception {
        backup(admin);
        admin.execute("CREATE TABLE N(ID INT PRIMARY KEY)");
        admin.update("INSERT INTO N VALUES (1), (2)");
        // H2 rebuilds N under a new id (a default it must compute for each row) and frees the old id,
        // which the next table gets: the log's trigger of the rebuilt N still bears the old id's name.
        admin.execute("ALTER TABLE N ADD COLUMN X UUID DEFAULT RANDOM_UUID()");
        admin.execute("CREATE TABLE D2(ID INT PRIMARY KEY)");
        admin.update("INSERT INTO D2 VALUES (7)");
        admin.update("INSERT INTO N(ID) VALUES (3)");
        List<List<Object>> n = rows(admin, "SELECT ID, X FROM N ORDER BY ID");
        Path to = dir.resolve("rebuilt").resolve("testdb");
        RestoreReport r = admin.admin().restoreBackup(1, to.toString());
        assertThat(r.getLastOperation()).isEqualTo(lastOperation());
        try (TetraServer copy = TetraServer.start(TestServers.config(to.getParent()).dataDir(to).build());
             TetraClient c = TestServers.admin(copy)) {
            assertThat(rows(c, "SELECT ID, X FROM N ORDER BY ID")).isEqualTo(n);
            assertThat(rows(c, "SELECT ID FROM D2")).containsExactly(List.of(7));
            c.update("INSERT INTO D2 VALUES (8)");
        }
    }

    @Test
    void untilAnOperationOrATimeTheRestoredDatabaseIsExactlyWhatItWasThen() throws Exception {
        backup(admin);
        admin.update("INSERT INTO T VALUES (2001, 'one')");
        long opOne = lastOperation();
        List<List<Object>> atOne = rows(admin, QUERY);
        long timeOne = separatingTime();
        backup(admin);
        admin.begin();
        admin.update("UPDATE T SET V = 'two' WHERE ID <= 5");
        admin.update("DELETE FROM T WHERE ID = 6");
        admin.commit();
        long opTwo = lastOperation();
        List<List<Object>> atTwo = rows(admin, QUERY);
        long timeTwo = separatingTime();
        admin.update("INSERT INTO T VALUES (2003, 'three')");

        RestoreReport one = restore(RestoreBackup.newBuilder().setNumber(1)
                .setToDir(dir.resolve("at-one").toString()).setUntilOperation(opOne));
        assertThat(one.getStoppedAtPoint()).isTrue();
        assertThat(one.getLastOperation()).isEqualTo(opOne);
        assertThat(served(dir.resolve("at-one"))).isEqualTo(atOne);

        RestoreReport two = restore(RestoreBackup.newBuilder().setNumber(1)
                .setToDir(dir.resolve("at-two").toString()).setUntilTimeMillis(timeTwo));
        assertThat(two.getLastOperation()).isEqualTo(opTwo);
        assertThat(served(dir.resolve("at-two"))).isEqualTo(atTwo);

        // A point inside the transaction of operation two: the whole transaction is after it.
        restore(RestoreBackup.newBuilder().setNumber(1).setToDir(dir.resolve("inside").toString())
                .setUntilOperation(opTwo - 1));
        assertThat(served(dir.resolve("inside"))).isEqualTo(atOne);

        restore(RestoreBackup.newBuilder().setNumber(1).setToDir(dir.resolve("time-one").toString())
                .setUntilTimeMillis(timeOne));
        assertThat(served(dir.resolve("time-one"))).isEqualTo(atOne);
    }

    @Test
    void whileARestoreIntegratesTheLogBackupsAndLogNewAreRefusedWith1417() throws Exception {
        backup(admin);
        admin.update("INSERT INTO T VALUES (5001, 'after the backup')");
        java.util.List<TetraException> refused = new java.util.ArrayList<>();
        server.restores().onIntegration(() -> {
            for (Runnable r : new Runnable[]{() -> server.backups().start(null, false),
                    () -> server.backups().logNew(null)}) {
                try {
                    r.run();
                } catch (TetraException e) {
                    refused.add(e);
                }
            }
        });
        restore(RestoreBackup.newBuilder().setNumber(1).setToDir(dir.resolve("busy").toString()));
        assertThat(refused).hasSize(2).allSatisfy(e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.LOG_INTEGRATION_RUNNING);
            assertThat(e.getMessage()).contains("integrating the log");
        });
        // Once it ended, backups start again.
        server.restores().onIntegration(null);
        assertThat(backup(admin).getStatus()).isEqualTo("SUCCESS");
    }

    @Test
    void atATimeTheLastArchiveMadeBeforeItIsChosenAndBroughtToIt() throws Exception {
        long beforeAny = separatingTime();
        backup(admin);
        admin.update("INSERT INTO T VALUES (6001, 'after archive 1')");
        List<List<Object>> atOne = rows(admin, QUERY);
        long timeOne = separatingTime();
        backup(admin);
        admin.update("INSERT INTO T VALUES (6002, 'after archive 2')");
        List<List<Object>> atTwo = rows(admin, QUERY);
        long timeTwo = separatingTime();
        admin.update("INSERT INTO T VALUES (6003, 'later')");

        RestoreReport two = restore(RestoreBackup.newBuilder().setAtTimeMillis(timeTwo)
                .setToDir(dir.resolve("at-two").toString()));
        assertThat(two.getNumber()).as("the last archive before the time").isEqualTo(2);
        assertThat(served(dir.resolve("at-two"))).isEqualTo(atTwo);
        RestoreReport one = restore(RestoreBackup.newBuilder().setAtTimeMillis(timeOne)
                .setToDir(dir.resolve("at-one").toString()));
        assertThat(one.getNumber()).isEqualTo(1);
        assertThat(served(dir.resolve("at-one"))).isEqualTo(atOne);

        TetraException none = fails(() -> restore(RestoreBackup.newBuilder().setAtTimeMillis(beforeAny)
                .setToDir(dir.resolve("none").toString())));
        assertThat(none.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(none.getMessage()).contains("No archive");
        TetraException both = fails(() -> restore(RestoreBackup.newBuilder().setAtTimeMillis(timeTwo).setNumber(1)
                .setToDir(dir.resolve("both").toString())));
        assertThat(both.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(dir.resolve("none")).doesNotExist();
        assertThat(dir.resolve("both")).doesNotExist();
    }

    @Test
    void withoutTheLogTheArchiveAloneIsRestored() throws Exception {
        backup(admin);
        List<List<Object>> atBackup = rows(admin, QUERY);
        admin.update("INSERT INTO T VALUES (3001, 'after the backup')");

        RestoreReport r = restore(RestoreBackup.newBuilder().setNumber(1)
                .setToDir(dir.resolve("alone").toString()).setNoLog(true));
        assertThat(r.getLogIntegrated()).isFalse();
        assertThat(r.getLogSegmentsList()).isEmpty();
        assertThat(r.getLastOperation()).isEqualTo(lastOperation() - 1);
        assertThat(served(dir.resolve("alone"))).isEqualTo(atBackup);
    }

    @Test
    void aMissingSegmentIs1412AndADamagedOne1413AndNothingIsLeftBehind() throws Exception {
        backup(admin);
        admin.update("INSERT INTO T VALUES (4001, 'in segment 2')");
        backup(admin);
        Path segment = dir.resolve("testdb-backups").resolve("testdb-0002.journal.zst");
        assertThat(segment).isRegularFile();
        Path parent = Files.createDirectories(dir.resolve("targets"));

        byte[] original = Files.readAllBytes(segment);
        byte[] damaged = original.clone();
        damaged[damaged.length / 2] ^= 0x40;
        Files.write(segment, damaged);
        TetraException bad = fails(() -> admin.admin().restoreBackup(1, parent.resolve("a").toString()));
        assertThat(bad.code()).isEqualTo(ErrorCode.LOG_SEGMENT_DAMAGED);
        assertThat(bad.getMessage()).contains("testdb-0002.journal.zst");

        Files.delete(segment);
        TetraException missing = fails(() -> admin.admin().restoreBackup(1, parent.resolve("b").toString()));
        assertThat(missing.code()).isEqualTo(ErrorCode.LOG_SEGMENT_MISSING);
        assertThat(missing.getMessage()).contains("testdb-0002.journal.zst");
        try (Stream<Path> s = Files.list(parent)) {
            assertThat(s).as("neither the folders nor a temporary one").isEmpty();
        }
        assertThat(journal(server.layout().logsDir(), "restore-failed")).hasSize(2);

        // The archive alone is still there for the asking.
        Files.write(segment, original);
        assertThat(restore(RestoreBackup.newBuilder().setNumber(1).setToDir(parent.resolve("c").toString())
                .setNoLog(true)).getLogIntegrated()).isFalse();
    }
}
