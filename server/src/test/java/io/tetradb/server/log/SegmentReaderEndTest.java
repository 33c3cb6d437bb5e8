package io.tetradb.server.log;

import io.tetradb.protocol.log.Transaction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.tetradb.server.log.LogFixtures.DB;
import static io.tetradb.server.log.LogFixtures.tx;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A segment read while it is written ({@code log show}): opened with the writer's readable
 * end, the reader never looks past it, whatever the bytes after it are.
 */
@Timeout(30)
class SegmentReaderEndTest {
    @TempDir
    Path dir;

    @Test
    void nothingPastTheEndIsRead() throws IOException {
        Path f = dir.resolve("db.journal");
        long endAfterTwo;
        try (OperationLog log = OperationLog.open(f, DB, LogOptions.builder().build())) {
            log.append(tx("t0", 1)).durable().join();
            log.append(tx("t1", 2)).durable().join();
            endAfterTwo = log.readableEnd();
            assertThat(endAfterTwo).isEqualTo(Files.size(f));
            log.append(tx("t2", 1)).durable().join();
            log.append(tx("t3", 1)).durable().join();
            assertThat(log.readableEnd()).isEqualTo(Files.size(f));
        }
        // The third frame half written and garbage after it, as a reader may meet a frame being
        // appended: bounded by the end, the read is the first two transactions, with no damage.
        List<Long> starts = LogFixtures.frameStarts(f);
        LogFixtures.flipByte(f, starts.get(3) + 9);
        try (SegmentReader r = SegmentReader.open(f, DB, endAfterTwo)) {
            Transaction a = r.next();
            Transaction b = r.next();
            assertThat(r.next()).isNull();
            assertThat(a.getUser()).isEqualTo("t0");
            assertThat(b.getUser()).isEqualTo("t1");
            assertThat(r.lastOperation()).isEqualTo(3);
            assertThat(r.droppedBytes()).isZero();
            assertThat(r.goodEnd()).isEqualTo(endAfterTwo);
            assertThat(r.fileSize()).isEqualTo(endAfterTwo);
        }
        // An end inside a frame: that frame is not read (it is being written), and nothing fails.
        try (SegmentReader r = SegmentReader.open(f, DB, endAfterTwo - 3)) {
            assertThat(r.next().getUser()).isEqualTo("t0");
            assertThat(r.next()).isNull();
        }
    }
}
