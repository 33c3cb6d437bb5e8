package io.tetradb.server.restore;

import io.tetradb.client.Row;
import io.tetradb.client.TetraClient;
import io.tetradb.protocol.BackupRecord;
import io.tetradb.client.TetraException;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What the restore and verify tests share: taking a backup, damaging archives, reading tables and the journal. */
public final class RestoreFixtures {
    private RestoreFixtures() {
    }

    /** The TetraException {@code r} throws; an AssertionError when it succeeds. */
    static TetraException fails(Runnable r) {
        try {
            r.run();
        } catch (TetraException e) {
            return e;
        }
        throw new AssertionError("it succeeded");
    }

    /**
     * A time strictly after the last commit and strictly before the next one (it returns once
     * the clock has passed it): a point in time that separates the two.
     */
    static long separatingTime() {
        long t = System.currentTimeMillis();
        await().atMost(java.time.Duration.ofSeconds(5)).until(() -> System.currentTimeMillis() > t + 1);
        return t + 1;
    }

    /**
     * Holds the server's backups at their gate close until closed: what a test acts on while a
     * backup runs. Start the backup, then {@link #awaitGateClosed()}.
     */
    static final class GateHold implements AutoCloseable {
        private final java.util.concurrent.CountDownLatch gateClosed = new java.util.concurrent.CountDownLatch(1);
        private final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);

        GateHold(io.tetradb.server.TetraServer server) {
            server.backups().onGateClosed(n -> {
                gateClosed.countDown();
                try {
                    release.await(120, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }

        void awaitGateClosed() throws InterruptedException {
            assertThat(gateClosed.await(60, TimeUnit.SECONDS)).as("the backup closed its gate").isTrue();
        }

        @Override
        public void close() {
            release.countDown();
        }
    }

    /** Runs a backup through the admin API and waits for its end; asserts it succeeded. */
    public static BackupRecord backup(TetraClient admin) {
        long number = admin.admin().startBackup().getBackupNumber();
        await().atMost(120, TimeUnit.SECONDS).until(() -> admin.admin().backupStatus().getState().equals("IDLE"));
        BackupRecord last = admin.admin().backupStatus().getLast();
        assertThat(last.getNumber()).isEqualTo(number);
        assertThat(last.getStatus()).as(last.getErrorMessage()).isEqualTo("SUCCESS");
        return last;
    }

    /** Every row of a query, as lists of values. */
    static List<List<Object>> rows(TetraClient c, String sql) {
        List<List<Object>> out = new ArrayList<>();
        for (Row r : c.execute(sql).rows()) {
            out.add(Arrays.asList(r.values()));
        }
        return out;
    }

    /**
     * Flips 64 bytes in the middle of entry {@code entry}'s content in the uncompressed tar
     * {@code tar} (walking the 512-byte headers).
     */
    static void corruptEntry(Path tar, String entry) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(tar.toFile(), "rw")) {
            long off = 0;
            byte[] header = new byte[512];
            while (off + 512 <= f.length()) {
                f.seek(off);
                f.readFully(header);
                String name = cString(header, 0, 100);
                if (name.isEmpty()) {
                    break;
                }
                long size = Long.parseLong(cString(header, 124, 12).trim(), 8);
                if (name.equals(entry)) {
                    assertThat(size).as("size of %s", entry).isGreaterThan(128);
                    long at = off + 512 + size / 2;
                    byte[] b = new byte[64];
                    f.seek(at);
                    f.readFully(b);
                    for (int i = 0; i < b.length; i++) {
                        b[i] = (byte) ~b[i];
                    }
                    f.seek(at);
                    f.write(b);
                    return;
                }
                off += 512 + (size + 511) / 512 * 512;
            }
        }
        throw new AssertionError("entry " + entry + " not found in " + tar);
    }

    private static String cString(byte[] b, int from, int len) {
        int end = from;
        while (end < from + len && b[end] != 0) {
            end++;
        }
        return new String(b, from, end - from, StandardCharsets.US_ASCII);
    }

    /** A copy of {@code archive} cut to half its length, beside it, named {@code name}. */
    static Path truncatedCopy(Path archive, String name) throws IOException {
        Path copy = archive.resolveSibling(name);
        byte[] all = Files.readAllBytes(archive);
        Files.write(copy, Arrays.copyOf(all, all.length / 2));
        return copy;
    }

    /** The mode of {@code p}, as rwx text. */
    static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    /** {@code root} and every folder under it are 0700, every file 0600. */
    static void assertOwnerOnlyTree(Path root) throws IOException {
        List<Path> all;
        try (Stream<Path> s = Files.walk(root)) {
            all = s.toList();
        }
        assertThat(all).as("files under %s", root).hasSizeGreaterThan(1);
        for (Path p : all) {
            assertThat(mode(p)).as("mode of %s", p).isEqualTo(Files.isDirectory(p) ? "rwx------" : "rw-------");
        }
    }

    /** The lines of Logs/backup-journal.txt with event {@code event}. */
    static List<String> journal(Path logsDir, String event) throws IOException {
        Path f = logsDir.resolve("backup-journal.txt");
        if (!Files.exists(f)) {
            return List.of();
        }
        return Files.readAllLines(f, StandardCharsets.UTF_8).stream()
                .filter(l -> l.split("\t", -1).length > 2 && l.split("\t", -1)[2].equals(event)).toList();
    }
}
