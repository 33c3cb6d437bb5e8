package io.tetradb.server.log;

import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraException;
import io.tetradb.protocol.log.Transaction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.tetradb.server.log.LogFixtures.DB;
import static io.tetradb.server.log.LogFixtures.readAll;
import static io.tetradb.server.log.LogFixtures.tx;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The log on a small tmpfs that fills up (needs root to mount; skipped otherwise). A read-only
 * remount cannot be provoked here: the kernel refuses it (EBUSY) while the log is open for writing.
 */
@Timeout(120)
class OperationLogFullDiskTest {
    @TempDir
    Path dir;
    private Path mount;

    @AfterEach
    void unmount() throws Exception {
        if (mount != null) {
            run("umount", mount.toString());
        }
    }

    private boolean mountTmpfs(Path where, String options) throws Exception {
        Files.createDirectories(where);
        if (run("mount", "-t", "tmpfs", "-o", options, "tmpfs", where.toString()) != 0) {
            return false;
        }
        mount = where;
        return true;
    }

    private static int run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }

    /** A transaction of about {@code kib} KiB, so that it needs new pages of the file system. */
    private static Transaction.Builder big(String tag, int kib) {
        Transaction.Builder b = tx(tag, 1);
        b.setClientAddress("x".repeat(kib * 1024));
        return b;
    }

    @Test
    void aFullDiskRefusesWritesWith1274UntilSpaceIsFreed() throws Exception {
        Path small = dir.resolve("small");
        assumeTrue(mountTmpfs(small, "size=256k"), "mounting a tmpfs needs root");
        Path f = small.resolve("db.journal");
        try (OperationLog log = OperationLog.open(f, DB, LogOptions.builder()
                .retryInterval(Duration.ofMillis(20)).build())) {
            log.append(tx("a", 2)).durable().join();
            long goodSize = Files.size(f);
            Path filler = small.resolve("filler");
            try (OutputStream out = Files.newOutputStream(filler)) {
                byte[] block = new byte[4096];
                while (true) {
                    out.write(block);
                    out.flush();
                }
            } catch (IOException full) {
                assertThat(full).hasMessageContaining("No space left on device");
            }
            CompletableFuture<Void> failed = log.append(big("b", 32)).durable();
            assertThatThrownBy(failed::join).cause().isInstanceOfSatisfying(TetraException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.LOG_UNWRITABLE))
                    .hasMessageContaining("db.journal").hasMessageContaining("No space left on device")
                    .hasMessageNotContaining(small.toString());
            assertThat(log.append(tx("c", 1)).durable()).isCompletedExceptionally();
            assertThat(log.isWritable()).isFalse();

            Files.delete(filler);
            await().atMost(Duration.ofSeconds(30)).until(log::isWritable);
            assertThat(Files.size(f)).isEqualTo(goodSize);
            OperationLog.Appended d = log.append(big("d", 32));
            assertThat(d.firstOperation()).isEqualTo(3);
            d.durable().join();
        }
        assertThat(readAll(f)).extracting(Transaction::getUser).containsExactly("a", "d");
    }
}
