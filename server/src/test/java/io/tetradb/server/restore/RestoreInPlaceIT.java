package io.tetradb.server.restore;

import io.tetradb.client.Row;
import io.tetradb.client.Rows;
import io.tetradb.client.TetraClient;
import io.tetradb.client.ErrorCode;
import io.tetradb.protocol.RestoreBackup;
import io.tetradb.protocol.RestoreReport;
import io.tetradb.client.TetraException;
import io.tetradb.server.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static io.tetradb.server.restore.RestoreFixtures.assertOwnerOnlyTree;
import static io.tetradb.server.restore.RestoreFixtures.backup;
import static io.tetradb.server.restore.RestoreFixtures.fails;
import static io.tetradb.server.restore.RestoreFixtures.corruptEntry;
import static io.tetradb.server.restore.RestoreFixtures.journal;
import static io.tetradb.server.restore.RestoreFixtures.mode;
import static io.tetradb.server.restore.RestoreFixtures.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@code restore N|file --in-place}: maintenance mode, other clients told and ended, the
 * previous files kept in {@code Replaced Files (restore)}, the database reopened with the
 * backup's data; a damaged archive or a running backup changes nothing.
 */
@Timeout(180)
class RestoreInPlaceIT extends RestoreTestServer {
    private static final String QUERY = "SELECT ID, V FROM T ORDER BY ID";
    /** Backup 1 in place, the archive alone (what these tests look at; RollbackIT covers the log). */
    private static final RestoreBackup ARCHIVE_ALONE = RestoreBackup.newBuilder().setNumber(1).setInPlace(true)
            .setNoLog(true).build();

    RestoreInPlaceIT() {
        super(100, true);
    }

    private TetraClient bob() {
        return TestServers.connect(server, "bob", "bob-secret-1");
    }

    @Test
    void inPlaceRestoreEndsOtherSessionsKeepsThePreviousFilesAndReopensWithTheBackupsData() throws Exception {
        Files.writeString(server.layout().settingsDir().resolve("backup.yml"), "journal:\n  verbose: true\n");
        backup(admin);
        List<List<Object>> atBackup = rows(admin, QUERY);
        admin.update("DELETE FROM T WHERE ID < 10");
        admin.update("INSERT INTO T VALUES (500, 'after the backup')");
        admin.execute("CREATE TABLE AFTER_BACKUP(ID INT)");
        assertThat(server.layout().catalogFile()).content().contains("AFTER_BACKUP");

        TetraClient other = bob();
        BlockingQueue<String> notices = new LinkedBlockingQueue<>();
        other.addEventListener(e -> {
            if (e.hasNotice()) {
                notices.add(e.getNotice().getMessage());
            }
        });
        other.begin();
        other.update("INSERT INTO T VALUES (600, 'uncommitted')");

        CompletableFuture<String> stateDuring = new CompletableFuture<>();
        CompletableFuture<Throwable> newClientDuring = new CompletableFuture<>();
        server.restores().onMaintenance(() -> {
            stateDuring.complete(server.state());
            try (TetraClient late = bob()) {
                newClientDuring.complete(new AssertionError("connected during maintenance as session "
                        + late.sessionId()));
            } catch (Throwable t) {
                newClientDuring.complete(t);
            }
        });

        RestoreReport r = admin.admin().restore(ARCHIVE_ALONE);

        // The report.
        assertThat(r.getInPlace()).isTrue();
        assertThat(r.getNumber()).isEqualTo(1);
        assertThat(Path.of(r.getDatabaseDir())).isEqualTo(server.layout().root());
        Path replaced = Path.of(r.getReplacedFilesDir());
        assertThat(replaced.getParent()).isEqualTo(server.layout().root().resolve("Replaced Files (restore)"));
        assertThat(replaced.getFileName().toString()).matches("[0-9]{8}-[0-9]{6}");

        // During maintenance: MAINTENANCE, and a new client was refused with the reason.
        assertThat(stateDuring.get(10, TimeUnit.SECONDS)).isEqualTo("MAINTENANCE");
        assertThat(newClientDuring.get(10, TimeUnit.SECONDS)).isInstanceOfSatisfying(TetraException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.SESSION_CLOSED);
            assertThat(e.getMessage()).isEqualTo(RestoreService.MAINTENANCE_MESSAGE);
        });

        // The other client was told, and once the restore ended disconnected; its requests say what happened.
        await().atMost(30, TimeUnit.SECONDS).until(() -> !other.isOpen());
        assertThat(notices.poll(10, TimeUnit.SECONDS)).isEqualTo(RestoreService.MAINTENANCE_MESSAGE);
        assertThat(notices.poll(10, TimeUnit.SECONDS)).isEqualTo(RestoreService.RESTORED_MESSAGE);
        TetraException lost = fails(other::commit);
        assertThat(lost.code()).isEqualTo(ErrorCode.SESSION_CLOSED);
        assertThat(lost.getMessage()).isEqualTo(RestoreService.RESTORED_MESSAGE);
        other.close();

        // The requester's session goes on, on the restored data.
        assertThat(rows(admin, QUERY)).isEqualTo(atBackup);
        assertThat(admin.execute("SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_NAME = 'AFTER_BACKUP'")
                .rows().get(0).getLong(0)).isZero();
        assertThat(server.layout().catalogFile()).content().doesNotContain("AFTER_BACKUP").contains("\"T\"");
        assertThat(server.state()).isEqualTo("RUNNING");
        assertThat(admin.admin().status().getState()).isEqualTo("RUNNING");

        // The previous files, as they were.
        assertThat(replaced.resolve("Data").resolve("testdb.mv.db")).isRegularFile();
        assertThat(replaced.resolve("Structure").resolve("catalog.xml")).content().contains("AFTER_BACKUP");
        assertThat(replaced.resolve("Structure").resolve("users.json")).isRegularFile();
        assertThat(replaced.resolve("Settings").resolve("backup.yml")).isRegularFile();
        try (Stream<Path> s = Files.list(server.layout().root())) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".restore-"));
        }

        // The journal.
        assertThat(journal(server.layout().logsDir(), "restore-start")).singleElement()
                .satisfies(l -> assertThat(l).contains("mode=in-place", "by=admin"));
        assertThat(journal(server.layout().logsDir(), "restore-end")).singleElement()
                .satisfies(l -> assertThat(l).contains("mode=in-place", "replacedFiles="));

        // New clients connect again; writes and backups work on the reopened database.
        try (TetraClient again = bob()) {
            assertThat(rows(again, QUERY)).isEqualTo(atBackup);
            again.update("INSERT INTO T VALUES (700, 'after the restore')");
        }
        assertThat(backup(admin).getNumber()).isEqualTo(2);
        assertThat(admin.admin().verifyBackup(2).getRows()).isEqualTo(101);
    }

    @Test
    void aClientConnectedBeforeTheRestoreIsToldTheTruthAndReconnectsAtOnce() throws Exception {
        backup(admin);
        List<List<Object>> atBackup = rows(admin, QUERY);
        admin.update("INSERT INTO T VALUES (500, 'after the backup')");
        // An idle client (a shell at its prompt) and one that asks during the restore.
        TetraClient idle = bob();
        TetraClient asking = bob();
        CompletableFuture<Throwable> askedDuring = new CompletableFuture<>();
        CompletableFuture<Boolean> openDuring = new CompletableFuture<>();
        server.restores().onMaintenance(() -> {
            try {
                asking.execute("SELECT COUNT(*) FROM T");
                askedDuring.complete(new AssertionError("a query ran during the restore"));
            } catch (Throwable t) {
                askedDuring.complete(t);
            }
            openDuring.complete(asking.isOpen());
        });

        RestoreReport r = admin.admin().restore(ARCHIVE_ALONE);
        assertThat(r.getInPlace()).isTrue();

        // During the restore: the restore is in progress (and the connection was still there).
        assertThat(askedDuring.get(10, TimeUnit.SECONDS)).isInstanceOfSatisfying(TetraException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.SESSION_CLOSED);
            assertThat(e.getMessage()).isEqualTo(RestoreService.MAINTENANCE_MESSAGE);
        });
        assertThat(openDuring.get(10, TimeUnit.SECONDS)).isTrue();

        // After it: both are told that the database was restored, never that a restore is in progress.
        for (TetraClient c : List.of(idle, asking)) {
            await().atMost(30, TimeUnit.SECONDS).until(() -> !c.isOpen());
            TetraException after = fails(() -> c.execute("SELECT COUNT(*) FROM T"));
            assertThat(after.code()).isEqualTo(ErrorCode.SESSION_CLOSED);
            assertThat(after.getMessage()).isEqualTo(RestoreService.RESTORED_MESSAGE)
                    .doesNotContain("in progress");
            c.close();
        }
        // A new connection works at once, on the restored data.
        try (TetraClient again = bob()) {
            assertThat(rows(again, QUERY)).isEqualTo(atBackup);
        }
        assertThat(server.state()).isEqualTo("RUNNING");
    }

    @Test
    void theCurrentSettingsAreKeptUnlessTheArchivesAreAskedFor() throws Exception {
        Path yml = server.layout().settingsDir().resolve("backup.yml");
        admin.admin().setBackupSettings("retention.keepLast=3", "schedule.frequency=daily", "schedule.at=02:30");
        String archived = Files.readString(yml);
        backup(admin);
        admin.admin().setBackupSettings("retention.keepLast=9", "schedule.frequency=never");
        assertThat(admin.admin().backupStatus().getNextScheduledMillis()).isZero();
        String current = Files.readString(yml);
        assertThat(current).isNotEqualTo(archived);

        // By default the current Settings/ stays; a copy goes with the replaced files.
        RestoreReport kept = admin.admin().restore(ARCHIVE_ALONE);
        assertThat(kept.getSettingsRestored()).isFalse();
        assertThat(yml).content().isEqualTo(current);
        assertThat(Path.of(kept.getReplacedFilesDir()).resolve("Settings").resolve("backup.yml")).content()
                .isEqualTo(current);
        assertThat(admin.admin().backupSettings().getYaml()).contains("keepLast: 9");
        assertThat(journal(server.layout().logsDir(), "restore-end")).last()
                .satisfies(l -> assertThat(l).contains("settings=kept"));

        // --restore-settings: the archive's, the current one kept with the replaced files.
        RestoreReport restored = admin.admin().restore(ARCHIVE_ALONE.toBuilder().setRestoreSettings(true).build());
        assertThat(restored.getSettingsRestored()).isTrue();
        assertThat(yml).content().isEqualTo(archived);
        assertThat(Path.of(restored.getReplacedFilesDir()).resolve("Settings").resolve("backup.yml")).content()
                .isEqualTo(current);
        assertThat(journal(server.layout().logsDir(), "restore-end")).last()
                .satisfies(l -> assertThat(l).contains("settings=restored"));
        // and the scheduler follows the archive's schedule at once
        assertThat(admin.admin().backupStatus().getNextScheduledMillis()).isPositive();

        // A rollback keeps them too.
        admin.admin().setBackupSettings("retention.keepLast=5");
        admin.update("INSERT INTO T VALUES (900, 'kept by the rollback')");
        String beforeRollback = Files.readString(yml);
        io.tetradb.protocol.RollbackReport rb = admin.admin().rollback(io.tetradb.protocol.RollbackRequest
                .newBuilder().setToOperation(server.logs().log().lastOperation()).build());
        assertThat(rb.getRestore().getSettingsRestored()).isFalse();
        assertThat(yml).content().isEqualTo(beforeRollback);

        // A restore to a folder always holds the archive's: the option is refused there.
        TetraException e = fails(() -> admin.admin().restore(RestoreBackup.newBuilder().setNumber(1)
                .setToDir(dir.resolve("copy").toString()).setRestoreSettings(true).build()));
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    void theRestoredFoldersAndTheReplacedFilesAreOwnerOnly() throws Exception {
        admin.admin().setBackupSettings("journal.verbose=true");
        backup(admin);
        RestoreReport r = admin.admin().restoreInPlace(1);
        Path root = server.layout().root();
        for (String folder : List.of("Data", "Structure", "Settings")) {
            assertThat(mode(root.resolve(folder))).as(folder).isEqualTo("rwx------");
        }
        assertThat(mode(server.layout().engineKeyFile())).isEqualTo("rw-------");
        assertThat(mode(server.layout().usersFile())).isEqualTo("rw-------");
        assertThat(mode(server.layout().dataFile())).isEqualTo("rw-------");
        for (String folder : List.of("Data", "Structure", "Settings")) {
            assertOwnerOnlyTree(root.resolve(folder));
        }
        Path replaced = Path.of(r.getReplacedFilesDir());
        assertThat(mode(replaced.getParent())).isEqualTo("rwx------");
        assertThat(mode(replaced.resolve("Structure").resolve("users.json"))).isEqualTo("rw-------");
        assertThat(mode(replaced.resolve("Data").resolve("testdb.mv.db"))).isEqualTo("rw-------");
        assertOwnerOnlyTree(replaced);
        // The database reopened on those files: writes and backups go on.
        admin.update("INSERT INTO T VALUES (800, 'after the restore')");
        assertThat(backup(admin).getNumber()).isEqualTo(2);
    }

    @Test
    void aQueryInFlightOfAnotherSessionEndsWithTheMaintenanceMessage() throws Exception {
        backup(admin);
        admin.execute("CREATE TABLE BIG(ID INT PRIMARY KEY)");
        admin.update("INSERT INTO BIG SELECT X FROM SYSTEM_RANGE(1, 20000)");
        try (TetraClient other = bob()) {
            // A cursor left open on the server (only the first batches are sent).
            Rows inFlight = other.statement("SELECT * FROM BIG").fetchSize(10).query();
            Iterator<Row> cursor = inFlight.iterator();
            assertThat(cursor.next().getInt(0)).isEqualTo(1);
            CountDownLatch atMaintenance = new CountDownLatch(1);
            server.restores().onMaintenance(atMaintenance::countDown);
            admin.admin().restore(ARCHIVE_ALONE);
            assertThat(atMaintenance.getCount()).isZero();
            await().atMost(30, TimeUnit.SECONDS).until(() -> !other.isOpen());
            assertThatThrownBy(() -> other.execute("SELECT 1")).isInstanceOfSatisfying(TetraException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.SESSION_CLOSED);
                assertThat(e.getMessage()).isEqualTo(RestoreService.RESTORED_MESSAGE);
            });
            // The cursor open when the maintenance began ended with its reason.
            assertThatThrownBy(() -> cursor.forEachRemaining(row -> { })).isInstanceOfSatisfying(
                    TetraException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.SESSION_CLOSED);
                        assertThat(e.getMessage()).isEqualTo(RestoreService.MAINTENANCE_MESSAGE);
                    });
        }
        assertThat(admin.execute("SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_NAME = 'BIG'")
                .rows().get(0).getLong(0)).isZero();
    }

    @Test
    void aCorruptedArchiveChangesNothing() throws Exception {
        Files.writeString(server.layout().settingsDir().resolve("backup.yml"), "archive:\n  compression: none\n");
        backup(admin);
        corruptEntry(dir.resolve("testdb-backups").resolve("testdb-0001.tar"), "Data/testdb.mv.db");
        admin.update("INSERT INTO T VALUES (800, 'kept')");
        List<List<Object>> before = rows(admin, QUERY);
        AtomicBoolean maintenance = new AtomicBoolean();
        server.restores().onMaintenance(() -> maintenance.set(true));

        try (TetraClient other = bob()) {
            other.begin();
            other.update("INSERT INTO T VALUES (801, 'in an open transaction')");

            TetraException e = fails(() -> admin.admin().restoreInPlace(1));
            assertThat(e.code()).isEqualTo(ErrorCode.BACKUP_VERIFY_FAILED);
            assertThat(e.getMessage()).contains("Data/testdb.mv.db");

            assertThat(maintenance).isFalse();
            assertThat(other.isOpen()).isTrue();
            other.commit();
            assertThat(other.execute("SELECT COUNT(*) FROM T").rows().get(0).getLong(0)).isEqualTo(102L);
        }
        assertThat(rows(admin, "SELECT ID, V FROM T WHERE ID <> 801 ORDER BY ID")).isEqualTo(before);
        assertThat(server.layout().root().resolve("Replaced Files (restore)")).doesNotExist();
        try (Stream<Path> s = Files.list(server.layout().root())) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".restore-"));
        }
        assertThat(journal(server.layout().logsDir(), "restore-failed")).singleElement()
                .satisfies(l -> assertThat(l).contains("code=1411", "mode=in-place"));
    }

    @Test
    void aRunningBackupRefusesItWith1419() throws Exception {
        backup(admin);
        try (RestoreFixtures.GateHold hold = new RestoreFixtures.GateHold(server)) {
            admin.admin().startBackup();
            hold.awaitGateClosed();
            TetraException e = fails(() -> admin.admin().restoreInPlace(1));
            assertThat(e.code()).isEqualTo(ErrorCode.BACKUP_ALREADY_RUNNING);
            assertThat(server.state()).isEqualTo("RUNNING");
        }
        await().atMost(120, TimeUnit.SECONDS).until(() -> admin.admin().backupStatus().getState().equals("IDLE"));
        assertThat(server.layout().root().resolve("Replaced Files (restore)")).doesNotExist();
    }

    @Test
    void theRequesterMustNotHaveAnOpenTransaction() throws Exception {
        backup(admin);
        admin.begin();
        admin.update("INSERT INTO T VALUES (900, 'open')");
        TetraException e = fails(() -> admin.admin().restoreInPlace(1));
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(e.getMessage()).contains("open transaction");
        admin.commit();
        assertThat(admin.execute("SELECT COUNT(*) FROM T").rows().get(0).getLong(0)).isEqualTo(101L);
    }
}
