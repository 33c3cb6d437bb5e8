package io.tetradb.server.restore;

import io.tetradb.client.TetraClient;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static io.tetradb.server.restore.RestoreFixtures.backup;
import static io.tetradb.server.restore.RestoreFixtures.journal;
import static io.tetradb.server.restore.RestoreFixtures.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The automatic restore at start (docs/restore-with-log.md, {@code onStart.restoreIfDamaged},
 * {@code onStart.integrateLog}): a data file that is missing while its log is there, that H2
 * cannot open or that does not read back is replaced by the last archive that verifies,
 * brought forward with the log to the last acknowledged commit; the damaged files are kept in
 * {@code Replaced Files (damaged)}; every step is journaled.
 */
@Timeout(180)
class AutomaticRestoreIT {
    private static final String QUERY = "SELECT ID, V FROM T ORDER BY ID";

    @TempDir
    Path dir;

    /** The ways the tests damage the data file of a stopped server. */
    enum Damage {
        DELETED, TRUNCATED, HEADER_DESTROYED, LAST_CHUNK_GARBAGE
    }

    /** Table T, a backup, then writes in two segments: returns what the server served last. */
    private List<List<Object>> workload() throws Exception {
        TetraServer server = TestServers.start(dir);
        try (TetraClient admin = TestServers.admin(server)) {
            TestServers.tableT(admin, 200);
            backup(admin);
            admin.update("INSERT INTO T VALUES (1001, 'after backup 1')");
            admin.update("UPDATE T SET V = 'changed' WHERE ID <= 50");
            admin.admin().logNew();
            admin.update("DELETE FROM T WHERE ID BETWEEN 60 AND 70");
            admin.execute("CREATE TABLE U(ID INT PRIMARY KEY)");
            admin.update("INSERT INTO U VALUES (1), (2)");
            return rows(admin, QUERY);
        } finally {
            server.close();
        }
    }

    private Path dataFile() {
        return dir.resolve("testdb").resolve("Data").resolve("testdb.mv.db");
    }

    private void damage(Damage d) throws IOException {
        Path f = dataFile();
        long size = Files.size(f);
        byte[] garbage = new byte[16384];
        new Random(7).nextBytes(garbage);
        switch (d) {
            case DELETED -> Files.delete(f);
            case TRUNCATED -> {
                try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
                    r.setLength(size / 2);
                }
            }
            case HEADER_DESTROYED -> {
                try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
                    r.write(garbage, 0, 8192);
                }
            }
            case LAST_CHUNK_GARBAGE -> {
                try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
                    r.seek(Math.max(8192, size - garbage.length));
                    r.write(garbage, 0, (int) Math.min(garbage.length, size - 8192));
                }
            }
            default -> throw new IllegalArgumentException(d.name());
        }
    }

    private List<String> journalOf(String event) throws IOException {
        return journal(dir.resolve("testdb").resolve("Logs"), event);
    }

    @ParameterizedTest
    @EnumSource(Damage.class)
    void aDamagedDataFileIsReplacedByTheLastArchiveBroughtToTheLastCommit(Damage d) throws Exception {
        List<List<Object>> last = workload();
        damage(d);
        try (TetraServer server = TestServers.start(dir); TetraClient admin = TestServers.admin(server)) {
            assertThat(rows(admin, QUERY)).isEqualTo(last);
            assertThat(admin.execute("SELECT COUNT(*) FROM U").rows().get(0).getLong(0)).isEqualTo(2);
            // Writes go on, logged after what was restored.
            admin.update("INSERT INTO T VALUES (1002, 'after the automatic restore')");
        }
        if (d != Damage.LAST_CHUNK_GARBAGE) {
            // (H2 may fall back to the chunk before a garbled last one: then the log alone brings it forward.)
            assertThat(journalOf("damaged-data-file")).singleElement().satisfies(l -> assertThat(l)
                    .contains(d == Damage.DELETED ? "is missing" : "H2 cannot"));
            assertThat(journalOf("auto-restore-end")).singleElement().satisfies(l -> assertThat(l)
                    .contains("testdb-0001.tar.zst", "segments=testdb-0001-01.journal.zst,testdb.journal"));
            Path replaced = dir.resolve("testdb").resolve("Replaced Files (damaged)");
            try (Stream<Path> s = Files.list(replaced)) {
                Path stamp = s.findFirst().orElseThrow();
                if (d != Damage.DELETED) {
                    assertThat(stamp.resolve("Data").resolve("testdb.mv.db")).isRegularFile();
                }
            }
        }
        // And the next start is an ordinary one.
        try (TetraServer server = TestServers.start(dir); TetraClient admin = TestServers.admin(server)) {
            assertThat(rows(admin, QUERY)).hasSize(last.size() + 1);
        }
    }

    @Test
    void withoutTheLogTheArchiveAloneOpensAndTheLaterOperationsAreCancelled() throws Exception {
        workload();
        Path settings = dir.resolve("testdb").resolve("Settings").resolve("backup.yml");
        Files.writeString(settings, "onStart:\n  integrateLog: false\n");
        damage(Damage.DELETED);
        List<List<Object>> atBackup;
        try (TetraServer server = TestServers.start(dir); TetraClient admin = TestServers.admin(server)) {
            atBackup = rows(admin, QUERY);
            assertThat(atBackup).hasSize(200);
            assertThat(server.logs().log().header().getCancelledCount()).isEqualTo(1);
        }
        // Recovery at the next start does not bring the cancelled operations back.
        try (TetraServer server = TestServers.start(dir); TetraClient admin = TestServers.admin(server)) {
            assertThat(rows(admin, QUERY)).isEqualTo(atBackup);
        }
    }

    @Test
    void withRestoreIfDamagedOffTheStartIsRefusedNamingTheSettingAndNothingMoves() throws Exception {
        workload();
        Path settings = dir.resolve("testdb").resolve("Settings").resolve("backup.yml");
        Files.writeString(settings, "onStart:\n  restoreIfDamaged: false\n");
        damage(Damage.HEADER_DESTROYED);
        long size = Files.size(dataFile());
        assertThatThrownBy(() -> TestServers.start(dir)).hasMessageContaining("onStart.restoreIfDamaged")
                .hasMessageContaining("damaged");
        assertThat(Files.size(dataFile())).isEqualTo(size);
        assertThat(dir.resolve("testdb").resolve("Replaced Files (damaged)")).doesNotExist();
    }

    @Test
    void withNoArchiveTheStartIsRefusedAndTheFilesStayAsTheyWere() throws Exception {
        TetraServer server = TestServers.start(dir);
        try (TetraClient admin = TestServers.admin(server)) {
            TestServers.tableT(admin, 10);
        } finally {
            server.close();
        }
        damage(Damage.HEADER_DESTROYED);
        byte[] before = Files.readAllBytes(dataFile());
        assertThatThrownBy(() -> TestServers.start(dir)).hasMessageContaining("no archive")
                .hasMessageContaining("damaged");
        assertThat(Files.readAllBytes(dataFile())).isEqualTo(before);
        assertThat(journalOf("auto-restore-failed")).hasSize(1);
    }
}
