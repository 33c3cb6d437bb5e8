package io.tetradb.admin;

import io.tetradb.admin.PackagedServers.ServerProcess;
import io.tetradb.client.ClientConfig;
import io.tetradb.client.Row;
import io.tetradb.client.Rows;
import io.tetradb.client.TetraClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The automatic restore at start on the packaged server (docs/restore-with-log.md, issue 14 part 5):
 * the server is killed with SIGKILL after its last acknowledged commit, its data file is
 * damaged (deleted, truncated, a chunk overwritten with garbage, its header destroyed), and
 * the next start serves exactly the rows acknowledged before the kill, from the last archive
 * brought forward with the log. And tetra-admin's backup window, rollback (dry run and real)
 * and in-place restore to a point against the packaged server.
 */
@Timeout(240)
class PackagedRestoreWithLogIT {
    private static final String ADMIN_PASSWORD = "admin-secret-1";
    private static final String QUERY = "SELECT ID, V FROM T ORDER BY ID";

    @TempDir
    Path temp;
    private PackagedServers servers;

    /** What happens to the data file while the server is down. */
    enum Damage {
        DELETED, TRUNCATED, CHUNK_GARBAGE, HEADER_DESTROYED
    }

    @BeforeEach
    void setUp() {
        servers = new PackagedServers(temp);
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        servers.killLeftovers();
    }

    private static TetraClient connect(int port) {
        return TetraClient.connect(ClientConfig.builder().host("127.0.0.1").port(port).user("admin")
                .password(ADMIN_PASSWORD).build());
    }

    private static List<String> rows(TetraClient c) {
        List<String> out = new ArrayList<>();
        try (Rows rows = c.query(QUERY)) {
            for (Row r : rows) {
                out.add(r.getLong(0) + "=" + r.getString(1));
            }
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(Damage.class)
    void afterAKillAndADamagedDataFileTheNextStartServesEveryAcknowledgedCommit(Damage damage) throws Exception {
        Path db = temp.resolve("shop");
        ServerProcess first = servers.start(db, Map.of("TETRA_ADMIN_PASSWORD", ADMIN_PASSWORD));
        List<String> acknowledged;
        try (TetraClient c = connect(first.port())) {
            c.execute("CREATE TABLE T(ID BIGINT PRIMARY KEY, V VARCHAR(100))");
            c.update("INSERT INTO T SELECT X, 'row ' || X FROM SYSTEM_RANGE(1, 2000)");
            long number = c.admin().startBackup().getBackupNumber();
            await().atMost(120, TimeUnit.SECONDS).until(() -> c.admin().backupStatus().getState().equals("IDLE"));
            assertThat(c.admin().backupStatus().getLast().getNumber()).isEqualTo(number);
            assertThat(c.admin().backupStatus().getLast().getStatus()).isEqualTo("SUCCESS");
            c.update("UPDATE T SET V = 'after the backup' WHERE ID <= 300");
            c.admin().logNew();
            c.update("DELETE FROM T WHERE ID > 1900");
            for (int i = 0; i < 50; i++) {
                c.update("INSERT INTO T VALUES (?, ?)", 5000 + i, "acknowledged " + i);
            }
            acknowledged = rows(c);
        }
        first.kill();
        damage(db.resolve("Data").resolve("shop.mv.db"), damage);

        ServerProcess second = servers.start(db, Map.of());
        try (TetraClient c = connect(second.port())) {
            assertThat(rows(c)).isEqualTo(acknowledged);
            c.update("INSERT INTO T VALUES (9999, 'after the restart')");
        }
        second.stop();
        String journal = Files.readString(db.resolve("Logs").resolve("backup-journal.txt"));
        if (damage != Damage.CHUNK_GARBAGE) {
            // (Garbage in a chunk H2 does not need, or in the newest one it falls back from, leaves the log to redo it.)
            assertThat(journal).contains("\tdamaged-data-file\t").contains("\tauto-restore-end\t");
            assertThat(db.resolve("Replaced Files (damaged)")).isDirectory();
        }
        ServerProcess third = servers.start(db, Map.of());
        try (TetraClient c = connect(third.port())) {
            assertThat(rows(c)).hasSize(acknowledged.size() + 1);
        }
        third.stop();
    }

    @org.junit.jupiter.api.Test
    void tetraAdminRollsThePackagedServerBackAndRestoresItInPlaceToAPoint() throws Exception {
        Path db = temp.resolve("shop");
        ServerProcess server = servers.start(db, Map.of("TETRA_ADMIN_PASSWORD", ADMIN_PASSWORD));
        int port = server.port();
        long point;
        List<String> atPoint;
        try (TetraClient c = connect(port)) {
            c.execute("CREATE TABLE T(ID BIGINT PRIMARY KEY, V VARCHAR(100))");
            c.update("INSERT INTO T SELECT X, 'row ' || X FROM SYSTEM_RANGE(1, 100)");
            assertThat(admin(port, "backup", "start", "--follow").exit).isZero();
            c.update("UPDATE T SET V = 'kept' WHERE ID <= 10");
            point = c.admin().logStatus().getLastOperation();
            atPoint = rows(c);
            c.update("DELETE FROM T WHERE ID > 50");
        }
        Run dry = admin(port, "rollback", "--to-op", Long.toString(point), "--dry-run", "--json");
        assertThat(dry.exit).as(dry.err).isZero();
        assertThat(dry.out).contains("\"operationsCancelled\" : 50").contains("\"dryRun\" : true");
        Run real = admin(port, "rollback", "--to-op", Long.toString(point));
        assertThat(real.exit).as(real.err).isZero();
        assertThat(real.out).contains("Rolled back: the database holds the operations up to " + point);
        try (TetraClient c = connect(port)) {
            assertThat(rows(c)).isEqualTo(atPoint);
            c.update("INSERT INTO T VALUES (500, 'new timeline')");
        }
        Run window = admin(port, "backup", "window");
        assertThat(window.exit).as(window.err).isZero();
        assertThat(window.out).contains("Cancelled: operations " + (point + 1));
        Run inPlace = admin(port, "restore", "1", "--in-place", "--until-op", Long.toString(point));
        assertThat(inPlace.exit).as(inPlace.err).isZero();
        try (TetraClient c = connect(port)) {
            assertThat(rows(c)).isEqualTo(atPoint);
        }
        // After a SIGKILL, recovery brings none of the cancelled operations back.
        server.kill();
        ServerProcess again = servers.start(db, Map.of());
        try (TetraClient c = connect(again.port())) {
            assertThat(rows(c)).isEqualTo(atPoint);
        }
        again.stop();
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run admin(int port, String... args) {
        InProcessCli.Result r = InProcessCli.run(port, ADMIN_PASSWORD, InterruptSource.none(), args);
        return new Run(r.exit(), r.out(), r.err());
    }

    private static void damage(Path f, Damage d) throws IOException {
        long size = Files.size(f);
        byte[] garbage = new byte[16384];
        new Random(11).nextBytes(garbage);
        try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
            switch (d) {
                case DELETED -> {
                    r.close();
                    Files.delete(f);
                }
                case TRUNCATED -> r.setLength(size / 2);
                case CHUNK_GARBAGE -> {
                    r.seek(Math.max(8192, size / 2));
                    r.write(garbage, 0, (int) Math.min(garbage.length, size - Math.max(8192, size / 2)));
                }
                case HEADER_DESTROYED -> r.write(garbage, 0, 8192);
                default -> throw new IllegalArgumentException(d.name());
            }
        }
    }
}
