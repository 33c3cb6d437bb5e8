package io.tetradb.server.restore;

import io.tetradb.client.TetraClient;
import io.tetradb.protocol.BackupRecord;
import io.tetradb.client.ErrorCode;
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

import static io.tetradb.server.restore.RestoreFixtures.assertOwnerOnlyTree;
import static io.tetradb.server.restore.RestoreFixtures.backup;
import static io.tetradb.server.restore.RestoreFixtures.fails;
import static io.tetradb.server.restore.RestoreFixtures.corruptEntry;
import static io.tetradb.server.restore.RestoreFixtures.journal;
import static io.tetradb.server.restore.RestoreFixtures.mode;
import static io.tetradb.server.restore.RestoreFixtures.rows;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code restore N|file --to DIR}: a new database folder that a server opens, through a real server. */
@Timeout(180)
class RestoreIT extends RestoreTestServer {
    private static final String QUERY = "SELECT ID, V FROM T ORDER BY ID";

    RestoreIT() {
        super(50, true);
    }

    /** Starts a server on {@code dataDir} and checks what a client sees there. */
    private static void assertServes(Path dataDir, String name, List<List<Object>> expected) throws Exception {
        try (TetraServer copy = TetraServer.start(TestServers.config(dataDir.getParent()).dataDir(dataDir).build());
             TetraClient c = TestServers.admin(copy);
             TetraClient bob = TestServers.connect(copy, "bob", "bob-secret-1")) {
            assertThat(c.databaseName()).isEqualTo(name);
            assertThat(rows(c, QUERY)).isEqualTo(expected);
            assertThat(rows(bob, "SELECT COUNT(*) FROM T")).containsExactly(List.of((long) expected.size()));
            c.update("INSERT INTO T VALUES (9999, 'written in the copy')");
            assertThat(copy.layout().catalogFile()).content().contains("database=\"" + name + "\"");
        }
    }

    @Test
    void restoreToAFolderGivesADatabaseThatAServerOpensWithTheBackupsDataBroughtForwardByTheLog() throws Exception {
        backup(admin);
        admin.update("INSERT INTO T VALUES (1000, 'after the backup')");
        // The log brings the archive to the last acknowledged commit (RestoreWithLogIT: points, --no-log).
        List<List<Object>> now = rows(admin, QUERY);

        Path to = dir.resolve("copies").resolve("testdb");
        RestoreReport r = admin.admin().restoreBackup(1, to.toString());
        assertThat(r.getNumber()).isEqualTo(1);
        assertThat(r.getInPlace()).isFalse();
        assertThat(Path.of(r.getDatabaseDir())).isEqualTo(to);
        assertThat(Path.of(r.getArchive())).isEqualTo(dir.resolve("testdb-backups").resolve("testdb-0001.tar.zst"));
        assertThat(r.getReplacedFilesDir()).isEmpty();
        assertThat(to.resolve("Data").resolve("testdb.mv.db")).isRegularFile();
        assertThat(to.resolve("Structure").resolve("engine.key")).isRegularFile();

        assertServes(to, "testdb", now);
        // The running database is untouched.
        assertThat(admin.execute("SELECT COUNT(*) FROM T").rows().get(0).getLong(0)).isEqualTo(51L);
        assertThat(journal(server.layout().logsDir(), "restore-start")).singleElement()
                .satisfies(l -> assertThat(l).contains("mode=to"));
        assertThat(journal(server.layout().logsDir(), "restore-end")).singleElement()
                .satisfies(l -> assertThat(l.split("\t")[1]).isEqualTo("1"));
        try (Stream<Path> s = Files.list(to.getParent())) {
            assertThat(s.map(p -> p.getFileName().toString())).as("no temporary folder left").containsExactly("testdb");
        }
    }

    @Test
    void theArchiveItsHistoryAndTheRestoredFolderAreOwnerOnly() throws Exception {
        BackupRecord b = backup(admin);
        Path archive = Path.of(b.getArchive());
        assertThat(mode(archive)).as("archive").isEqualTo("rw-------");
        assertThat(mode(archive.resolveSibling("backup-history.json"))).isEqualTo("rw-------");
        assertThat(mode(archive.getParent())).as("the destination the server created").isEqualTo("rwx------");
        assertThat(mode(server.layout().logsDir().resolve("backup-journal.txt"))).isEqualTo("rw-------");

        Path to = dir.resolve("copies").resolve("testdb");
        admin.admin().restoreBackup(1, to.toString());
        assertThat(mode(to)).isEqualTo("rwx------");
        assertThat(mode(to.resolve("Structure"))).isEqualTo("rwx------");
        assertThat(mode(to.resolve("Data"))).isEqualTo("rwx------");
        assertThat(mode(to.resolve("Structure").resolve("engine.key"))).isEqualTo("rw-------");
        assertThat(mode(to.resolve("Structure").resolve("users.json"))).isEqualTo("rw-------");
        assertThat(mode(to.resolve("Data").resolve("testdb.mv.db"))).isEqualTo("rw-------");
        assertOwnerOnlyTree(to);
    }

    @Test
    void aFolderWithAnotherNameGetsItsDataFileRenamed() throws Exception {
        backup(admin);
        List<List<Object>> atBackup = rows(admin, QUERY);

        Path to = dir.resolve("elsewhere").resolve("shop");
        admin.admin().restoreBackup("testdb-0001.tar.zst", to.toString());
        assertThat(to.resolve("Data").resolve("shop.mv.db")).isRegularFile();
        assertThat(to.resolve("Data").resolve("testdb.mv.db")).doesNotExist();
        assertServes(to, "shop", atBackup);
    }

    @Test
    void aRelativeFolderIsBesideTheDatabaseAndAnEmptyFolderIsAccepted() throws Exception {
        backup(admin);
        Path empty = Files.createDirectories(dir.resolve("empty-one"));
        assertThat(Path.of(admin.admin().restoreBackup(1, "empty-one").getDatabaseDir())).isEqualTo(empty);
        assertThat(empty.resolve("Data").resolve("empty-one.mv.db")).isRegularFile();
        assertServes(empty, "empty-one", rows(admin, QUERY));
    }

    @Test
    void aNonEmptyFolderOrTheLiveDatabaseIsRefusedWith2010() throws Exception {
        backup(admin);
        Path busy = Files.createDirectories(dir.resolve("busy"));
        Files.writeString(busy.resolve("keep.txt"), "mine");

        TetraException e = fails(() -> admin.admin().restoreBackup(1, busy.toString()));
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(e.getMessage()).contains("not empty");
        try (Stream<Path> s = Files.list(busy)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("keep.txt");
        }

        TetraException live = fails(() -> admin.admin().restoreBackup(1, server.layout().root().toString()));
        assertThat(live.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        TetraException inside = fails(() -> admin.admin().restoreBackup(1,
                server.layout().root().resolve("sub").toString()));
        assertThat(inside.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(server.layout().root().resolve("sub")).doesNotExist();

        TetraException missing = fails(() -> admin.admin().restoreBackup(9, dir.resolve("nine").toString()));
        assertThat(missing.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(dir.resolve("nine")).doesNotExist();
    }

    @Test
    void aCorruptedArchiveIsRefusedWith1411AndLeavesNothingBehind() throws Exception {
        Files.writeString(server.layout().settingsDir().resolve("backup.yml"), "archive:\n  compression: none\n");
        backup(admin);
        corruptEntry(dir.resolve("testdb-backups").resolve("testdb-0001.tar"), "Data/testdb.mv.db");
        Path parent = Files.createDirectories(dir.resolve("target-parent"));

        TetraException e = fails(() -> admin.admin().restoreBackup(1, parent.resolve("copy").toString()));
        assertThat(e.code()).isEqualTo(ErrorCode.BACKUP_VERIFY_FAILED);
        assertThat(e.getMessage()).contains("Data/testdb.mv.db");
        try (Stream<Path> s = Files.list(parent)) {
            assertThat(s).as("neither the folder nor a temporary one").isEmpty();
        }
        assertThat(journal(server.layout().logsDir(), "restore-failed")).singleElement()
                .satisfies(l -> assertThat(l).contains("code=1411"));
    }
}
