package io.tetradb.server.log;

import io.tetradb.client.Row;
import io.tetradb.client.Rows;
import io.tetradb.client.TetraClient;
import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraException;
import io.tetradb.protocol.log.Operation;
import io.tetradb.protocol.log.Transaction;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The log file cannot be written (docs/log-file.md): writes are refused with 1274, reads go
 * on, nothing unlogged is acknowledged, and writes resume by themselves once the log can be
 * written again; after each fault a restart finds every acknowledged row.
 *
 * <p>The log is put on a small file system of its own by making {@code Data/testdb.journal} a
 * symbolic link into it (the way an operator gives the log its own disk): the data file stays
 * on the test's folder, so the fault hits the log and nothing else, and what the test shows is
 * the log's behaviour rather than H2's on a full disk. A full disk is a tmpfs filled up. A
 * read-only one is an ext4 image on a loop device turned read-only by the kernel under the open
 * log (its errors=remount-ro reaction to a disk error): a tmpfs cannot be remounted read-only
 * while a file on it is open for writing (the kernel answers "busy"), so that is how a log's file
 * system really becomes read-only. Mounting needs root; elsewhere these tests are skipped.
 */
@Timeout(180)
class LogFaultsIT {
    private static final String PAYLOAD = "x".repeat(900);

    @TempDir
    Path dir;
    private final Deque<Path> mounts = new ArrayDeque<>();
    /** Rows the client was told are committed. */
    private final Set<Long> acknowledged = new TreeSet<>();
    private long nextId = 1;

    @AfterEach
    void unmount() throws Exception {
        while (!mounts.isEmpty()) {
            run("umount", mounts.pop().toString());
        }
    }

    @Test
    void aFullDiskRefusesWritesWith1274WhileReadsGoOnAndWritesResumeByThemselves() throws Exception {
        Path disk = dir.resolve("log-disk");
        assumeTrue(mount(disk, "-t", "tmpfs", "-o", "size=256k", "tmpfs"), "mounting a tmpfs needs root");
        Path journal = logOn(disk);
        String databaseId;
        try (TetraServer server = TestServers.start(dir); TetraClient c = TestServers.admin(server);
             TetraClient reader = TestServers.admin(server)) {
            databaseId = server.logs().log().header().getDatabaseId();
            c.execute("CREATE TABLE T(ID BIGINT PRIMARY KEY, V VARCHAR(1000))");
            for (int i = 0; i < 10; i++) {
                assertThat(insert(c)).isTrue();
            }
            assertThat(Files.size(journal)).as("the server writes its log through the link").isGreaterThan(5000);

            Path filler = disk.resolve("filler");
            fill(filler);
            // The log's last page may still take a few frames: write until the log is refused.
            int accepted = 0;
            while (insert(c)) {
                accepted++;
                assertThat(accepted).as("a full disk refuses the log within a few pages").isLessThan(200);
            }
            assertUnwritable(() -> c.update("INSERT INTO T VALUES (?, ?)", 100_000L, PAYLOAD), "No space left");
            assertThat(server.logs().log().isWritable()).isFalse();

            // A transaction: its statements run, its COMMIT is refused and it is rolled back.
            c.begin();
            c.update("INSERT INTO T VALUES (?, ?)", 200_000L, "in a transaction");
            c.update("UPDATE T SET V = 'changed' WHERE ID = 1");
            assertUnwritable(c::commit, "No space left");
            assertThat(count(c, "SELECT COUNT(*) FROM T WHERE ID = 200000 OR V = 'changed'"))
                    .as("the refused transaction was rolled back").isZero();

            // A structure change is refused before it runs.
            assertUnwritable(() -> c.execute("CREATE TABLE U(ID INT)"), "No space left");
            assertUnwritable(() -> c.execute("TRUNCATE TABLE T"), "No space left");
            assertThat(tableExists(reader, "U")).isFalse();

            // Reads go on, on this session and on another.
            assertThat(ids(c)).containsExactlyElementsOf(acknowledged);
            assertThat(ids(reader)).containsExactlyElementsOf(acknowledged);

            // Room again: writes resume by themselves.
            Files.delete(filler);
            awaitWritesResume(c);
            c.begin();
            c.update("INSERT INTO T VALUES (?, ?)", 300_000L, "after");
            c.update("INSERT INTO T VALUES (?, ?)", 300_001L, "after");
            c.commit();
            acknowledged.add(300_000L);
            acknowledged.add(300_001L);
            c.execute("CREATE TABLE U(ID INT)");
            assertThat(insert(c)).isTrue();
            assertThat(ids(reader)).containsExactlyElementsOf(acknowledged);
        }
        LogContents log = read(journal, databaseId);
        assertThat(log.firstOperation()).isEqualTo(1);
        assertThat(log.insertedIds()).as("every acknowledged row is logged, and nothing refused")
                .containsExactlyInAnyOrderElementsOf(acknowledged);
        restartAndCheck();
    }

    @Test
    void aServerStoppedWhileTheDiskIsFullStartsRefusingWritesAndResumesOnceThereIsRoom() throws Exception {
        Path disk = dir.resolve("log-disk");
        assumeTrue(mount(disk, "-t", "tmpfs", "-o", "size=256k", "tmpfs"), "mounting a tmpfs needs root");
        Path journal = logOn(disk);
        Path filler = disk.resolve("filler");
        String databaseId;
        try (TetraServer server = TestServers.start(dir); TetraClient c = TestServers.admin(server)) {
            databaseId = server.logs().log().header().getDatabaseId();
            c.execute("CREATE TABLE T(ID BIGINT PRIMARY KEY, V VARCHAR(1000))");
            for (int i = 0; i < 10; i++) {
                assertThat(insert(c)).isTrue();
            }
            fill(filler);
            int accepted = 0;
            while (insert(c)) {
                accepted++;
                assertThat(accepted).as("a full disk refuses the log within a few pages").isLessThan(200);
            }
        }
        // Started again on the still full disk: it serves reads and refuses writes.
        try (TetraServer server = TestServers.start(dir); TetraClient c = TestServers.admin(server)) {
            assertThat(ids(c)).containsExactlyElementsOf(acknowledged);
            int accepted = 0;
            while (insert(c)) {
                accepted++;
                assertThat(accepted).as("a full disk refuses the log within a few pages").isLessThan(200);
            }
            assertUnwritable(() -> c.update("INSERT INTO T VALUES (?, ?)", 100_000L, PAYLOAD), "No space left");
            assertThat(ids(c)).containsExactlyElementsOf(acknowledged);
            Files.delete(filler);
            awaitWritesResume(c);
            assertThat(ids(c)).containsExactlyElementsOf(acknowledged);
        }
        LogContents log = read(journal, databaseId);
        assertThat(log.firstOperation()).isEqualTo(1);
        assertThat(log.insertedIds()).containsExactlyInAnyOrderElementsOf(acknowledged);
        restartAndCheck();
    }

    @Test
    void aRemovedLogFileIsCreatedAgainAndNumberingGoesOn() throws Exception {
        Path journal = dir.resolve("testdb").resolve("Data").resolve("testdb.journal");
        String databaseId;
        long lastBefore;
        try (TetraServer server = TestServers.start(dir); TetraClient c = TestServers.admin(server)) {
            databaseId = server.logs().log().header().getDatabaseId();
            c.execute("CREATE TABLE T(ID BIGINT PRIMARY KEY, V VARCHAR(1000))");
            for (int i = 0; i < 10; i++) {
                assertThat(insert(c)).isTrue();
            }
            lastBefore = server.logs().log().lastOperation();
            Files.delete(journal);

            assertUnwritable(() -> c.update("INSERT INTO T VALUES (?, ?)", 100_000L, PAYLOAD), "removed");
            assertThat(ids(c)).containsExactlyElementsOf(acknowledged);

            awaitWritesResume(c);
            assertThat(journal).exists();
            for (int i = 0; i < 5; i++) {
                assertThat(insert(c)).isTrue();
            }
            assertThat(ids(c)).containsExactlyElementsOf(acknowledged);
        }
        LogContents log = read(journal, databaseId);
        assertThat(log.firstOperation()).as("numbering goes on after the removed file's last operation")
                .isEqualTo(lastBefore + 1);
        assertThat(log.insertedIds()).hasSize(6).allMatch(acknowledged::contains);
        restartAndCheck();
    }

    @Test
    void aReadOnlyFileSystemRefusesWritesWith1274AndWritesResumeOnceItIsMountedAgain() throws Exception {
        Path image = dir.resolve("log-disk.img");
        try (var f = java.nio.channels.FileChannel.open(image, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            f.write(java.nio.ByteBuffer.allocate(1), (16L << 20) - 1);
        }
        assumeTrue(run("mkfs.ext4", "-q", "-F", "-O", "^has_journal", image.toString()), "mkfs.ext4 is needed");
        Path disk = dir.resolve("log-disk");
        assumeTrue(mount(disk, "-o", "loop,errors=remount-ro", image.toString()), "a loop mount needs root");
        // The log lives in a folder of that disk: while it is unmounted the folder is not there either.
        Files.createDirectory(disk.resolve("log"));
        Path journal = logOn(disk.resolve("log"));
        String databaseId;
        try (TetraServer server = TestServers.start(dir); TetraClient c = TestServers.admin(server)) {
            databaseId = server.logs().log().header().getDatabaseId();
            c.execute("CREATE TABLE T(ID BIGINT PRIMARY KEY, V VARCHAR(1000))");
            for (int i = 0; i < 10; i++) {
                assertThat(insert(c)).isTrue();
            }
            diskError(disk);
            assertUnwritable(() -> c.update("INSERT INTO T VALUES (?, ?)", 100_000L, PAYLOAD),
                    "Read-only file system");
            c.begin();
            c.update("INSERT INTO T VALUES (?, ?)", 200_000L, "in a transaction");
            assertUnwritable(c::commit, "Read-only file system");
            assertThat(count(c, "SELECT COUNT(*) FROM T WHERE ID = 200000")).isZero();
            assertUnwritable(() -> c.execute("CREATE TABLE U(ID INT)"), "Read-only file system");
            assertThat(ids(c)).containsExactlyElementsOf(acknowledged);

            // The operator unmounts the disk (the server does not hold the log open while it
            // cannot write it), checks it, and mounts it again: writes resume by themselves.
            unmountCheckAndMount(c, disk, image);
            awaitWritesResume(c);
            c.execute("CREATE TABLE U(ID INT)");
            assertThat(insert(c)).isTrue();

            diskError(disk);
            assertUnwritable(() -> c.update("INSERT INTO T VALUES (?, ?)", 100_002L, PAYLOAD),
                    "Read-only file system");
        }
        // Started again while the log's disk is read-only: it serves reads and refuses writes.
        try (TetraServer server = TestServers.start(dir); TetraClient c = TestServers.admin(server)) {
            assertThat(ids(c)).containsExactlyElementsOf(acknowledged);
            assertUnwritable(() -> c.update("INSERT INTO T VALUES (?, ?)", 100_003L, PAYLOAD),
                    "Read-only file system");
            unmountCheckAndMount(c, disk, image);
            awaitWritesResume(c);
            c.execute("CREATE TABLE V(ID INT)");
            assertThat(insert(c)).isTrue();
            assertThat(ids(c)).containsExactlyElementsOf(acknowledged);
        }
        LogContents log = read(journal, databaseId);
        assertThat(log.firstOperation()).as("the same log goes on").isEqualTo(1);
        assertThat(log.insertedIds()).containsExactlyInAnyOrderElementsOf(acknowledged);
        restartAndCheck();
    }

    // ---- helpers ----

    /** A disk error on the ext4 file system at {@code disk}: the kernel turns it read-only under open files. */
    private static void diskError(Path disk) throws Exception {
        String device = Path.of(output("findmnt", "-no", "SOURCE", disk.toString()).strip()).getFileName()
                .toString();
        Path trigger = Path.of("/sys/fs/ext4", device, "trigger_fs_error");
        assumeTrue(Files.exists(trigger), "this kernel's ext4 has no trigger_fs_error");
        Files.writeString(trigger, "test");
    }

    /** What an operator does after a disk error: unmount, check, mount again; meanwhile writes stay refused. */
    private void unmountCheckAndMount(TetraClient c, Path disk, Path image) throws Exception {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> run("umount", disk.toString()));
        mounts.pop();
        // The message tells the latest try's reason: the log's folder is not there now.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).untilAsserted(
                () -> assertUnwritable(() -> c.update("INSERT INTO T VALUES (?, ?)", 100_001L, PAYLOAD),
                        "it or its folder was removed"));
        assertThat(ids(c)).containsExactlyElementsOf(acknowledged);
        run("e2fsck", "-fy", image.toString());
        assertThat(mount(disk, "-o", "loop,errors=remount-ro", image.toString())).isTrue();
    }

    /** Makes {@code Data/testdb.journal} a link to {@code testdb.journal} in {@code folder}; returns that file. */
    private Path logOn(Path folder) throws IOException {
        Path data = Files.createDirectories(dir.resolve("testdb").resolve("Data"));
        Path target = folder.resolve("testdb.journal");
        Files.createSymbolicLink(data.resolve("testdb.journal"), target);
        return target;
    }

    /** Inserts the next row in autocommit: true when acknowledged, false when refused with 1274. */
    private boolean insert(TetraClient c) {
        long id = nextId++;
        try {
            assertThat(c.update("INSERT INTO T VALUES (?, ?)", id, PAYLOAD)).isEqualTo(1);
        } catch (TetraException e) {
            assertThat(e.code()).isEqualTo(ErrorCode.LOG_UNWRITABLE);
            return false;
        }
        acknowledged.add(id);
        return true;
    }

    private void awaitWritesResume(TetraClient c) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> insert(c));
    }

    private static void assertUnwritable(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String why) {
        assertThatThrownBy(call).isInstanceOfSatisfying(TetraException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.LOG_UNWRITABLE);
            assertThat(e.getMessage()).contains("testdb.journal").contains(why)
                    .contains("resume by themselves once it can be written again");
        });
    }

    private static List<Long> ids(TetraClient c) {
        List<Long> out = new ArrayList<>();
        try (Rows rows = c.query("SELECT ID FROM T ORDER BY ID")) {
            for (Row r : rows) {
                out.add(r.getLong(0));
            }
        }
        return out;
    }

    private static long count(TetraClient c, String sql, Object... params) {
        try (Rows rows = c.query(sql, params)) {
            return rows.toList().get(0).getLong(0);
        }
    }

    private static boolean tableExists(TetraClient c, String name) {
        return count(c, "SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_NAME = ?", name) > 0;
    }

    /** Restarts the server on the same folder: every acknowledged row is there, and it takes writes. */
    private void restartAndCheck() throws IOException {
        try (TetraServer server = TestServers.start(dir); TetraClient c = TestServers.admin(server)) {
            assertThat(ids(c)).containsExactlyElementsOf(acknowledged);
            assertThat(insert(c)).isTrue();
        }
    }

    /** What a log file holds, read back: it must have no torn tail and no gap or repeat in its numbering. */
    private record LogContents(long firstOperation, List<Long> insertedIds) {
    }

    private static LogContents read(Path file, String databaseId) throws IOException {
        List<Transaction> all = new ArrayList<>();
        SegmentScan scan = SegmentReader.scan(file, databaseId, all::add);
        assertThat(scan.droppedBytes()).as("no torn tail").isZero();
        assertThat(scan.goodEnd()).isEqualTo(scan.fileSize());
        long expected = scan.header().getFirstOperation();
        List<Long> inserted = new ArrayList<>();
        for (Transaction t : all) {
            assertThat(t.getFirstOperation()).as("operation numbers without gap or repeat").isEqualTo(expected);
            expected += t.getOperationsCount();
            for (Operation op : t.getOperationsList()) {
                if (op.hasInsert() && op.getInsert().getTable().getTable().equals("T")) {
                    inserted.add(((Number) LogValues.toJava(op.getInsert().getNewValues(0))).longValue());
                }
            }
        }
        assertThat(scan.lastOperation()).isEqualTo(expected - 1);
        return new LogContents(scan.header().getFirstOperation(), inserted);
    }

    /** Writes zeros to {@code filler} until its file system is full. */
    private static void fill(Path filler) throws IOException {
        byte[] chunk = new byte[4096];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(chunk);
                out.flush();
            }
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left")) {
                throw e;
            }
        }
    }

    private boolean mount(Path where, String... args) throws Exception {
        Files.createDirectories(where);
        List<String> cmd = new ArrayList<>(List.of("mount"));
        cmd.addAll(List.of(args));
        cmd.add(where.toString());
        boolean ok = run(cmd.toArray(String[]::new));
        if (ok) {
            mounts.push(where);
        }
        return ok;
    }

    private static boolean run(String... cmd) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            return false; // not installed
        }
        return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    private static String output(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out;
    }
}
