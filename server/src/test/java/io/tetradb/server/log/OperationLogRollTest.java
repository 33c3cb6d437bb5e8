package io.tetradb.server.log;

import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraException;
import io.tetradb.protocol.log.Transaction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.tetradb.server.log.LogFixtures.DB;
import static io.tetradb.server.log.LogFixtures.readAll;
import static io.tetradb.server.log.LogFixtures.tx;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(120)
class OperationLogRollTest {
    @TempDir
    Path dir;

    @Test
    void rollClosesTheSegmentAndTheNextGoesOnFromItsLastOperation() throws Exception {
        Path f = dir.resolve("db.journal");
        Path closed = dir.resolve("db-0001.journal");
        try (OperationLog log = OperationLog.open(f, DB, LogOptions.builder().build())) {
            for (int i = 0; i < 3; i++) {
                log.append(tx("t" + i, 2)).durable().join();
            }
            OperationLog.ClosedSegment c = log.roll(closed);
            assertThat(c.file()).isEqualTo(closed);
            assertThat(c.segment()).isEqualTo(1);
            assertThat(c.firstOperation()).isEqualTo(1);
            assertThat(c.lastOperation()).isEqualTo(6);
            assertThat(c.sizeBytes()).isEqualTo(Files.size(closed));
            assertThat(c.sha256()).isEqualTo(HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(closed))));
            assertThat(log.header().getSegment()).isEqualTo(2);
            assertThat(log.status().firstOperation()).isEqualTo(7);
            assertThat(log.status().lastOperation()).isEqualTo(6);
            OperationLog.Appended a = log.append(tx("after", 1));
            assertThat(a.firstOperation()).isEqualTo(7);
            a.durable().join();
        }
        assertThat(readAll(closed)).extracting(Transaction::getUser).containsExactly("t0", "t1", "t2");
        SegmentScan next = SegmentReader.scan(f, DB, t -> { });
        assertThat(next.header().getSegment()).isEqualTo(2);
        assertThat(next.header().getFirstOperation()).isEqualTo(7);
        assertThat(next.lastOperation()).isEqualTo(7);
        try (OperationLog log = OperationLog.open(f, DB, LogOptions.builder().build())) {
            assertThat(log.lastOperation()).isEqualTo(7);
            assertThat(log.header().getSegment()).isEqualTo(2);
        }
    }

    @Test
    void rollsAmongConcurrentAppendsLeaveNoGapAcrossSegments() throws Exception {
        Path f = dir.resolve("db.journal");
        int threads = 4;
        int each = 300;
        int rolls = 5;
        List<Path> segments = new ArrayList<>();
        try (OperationLog log = OperationLog.open(f, DB, LogOptions.builder().build())) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> calls = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    calls.add(pool.submit(() -> {
                        List<CompletableFuture<Void>> mine = new ArrayList<>();
                        for (int i = 0; i < each; i++) {
                            mine.add(log.append(tx(thread + "-" + i, 1 + i % 2)).durable());
                        }
                        CompletableFuture.allOf(mine.toArray(CompletableFuture[]::new)).join();
                        return null;
                    }));
                }
                for (int r = 1; r <= rolls; r++) {
                    long reached = r * 200L;
                    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60))
                            .until(() -> log.lastOperation() >= reached);
                    Path closed = dir.resolve("db-000" + r + ".journal");
                    OperationLog.ClosedSegment c = log.roll(closed);
                    assertThat(c.segment()).isEqualTo(r);
                    segments.add(closed);
                }
                for (Future<?> c : calls) {
                    c.get(100, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
        }
        segments.add(f);
        long next = 1;
        long seen = 0;
        for (int s = 0; s < segments.size(); s++) {
            List<Transaction> txs = new ArrayList<>();
            SegmentScan scan = SegmentReader.scan(segments.get(s), DB, txs::add);
            assertThat(scan.header().getSegment()).isEqualTo(s + 1);
            assertThat(scan.header().getFirstOperation()).isEqualTo(next);
            for (Transaction t : txs) {
                assertThat(t.getFirstOperation()).isEqualTo(next);
                next += t.getOperationsCount();
            }
            seen += txs.size();
            if (s == 0) {
                assertThat(txs).hasSizeGreaterThanOrEqualTo(100);
            }
        }
        assertThat(seen).isEqualTo((long) threads * each);
    }

    @Test
    void rollOfAnEmptySegmentStartsTheNextAtTheSameOperation() throws Exception {
        Path f = dir.resolve("db.journal");
        try (OperationLog log = OperationLog.open(f, DB, LogOptions.builder().firstOperation(10).build())) {
            OperationLog.ClosedSegment c = log.roll(dir.resolve("db-0001.journal"));
            assertThat(c.firstOperation()).isEqualTo(10);
            assertThat(c.lastOperation()).isEqualTo(9);
            assertThat(log.append(tx("a", 1)).firstOperation()).isEqualTo(10);
        }
        assertThat(SegmentReader.scan(f, DB, t -> { }).header().getFirstOperation()).isEqualTo(10);
    }

    @Test
    void rollToAnExistingFileIsRefusedAndTheSegmentGoesOn() throws Exception {
        Path f = dir.resolve("db.journal");
        Path taken = dir.resolve("db-0001.journal");
        Files.writeString(taken, "someone else's");
        try (OperationLog log = OperationLog.open(f, DB, LogOptions.builder().build())) {
            log.append(tx("a", 1)).durable().join();
            assertThatThrownBy(() -> log.roll(taken)).isInstanceOfSatisfying(TetraException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.LOG_NOT_ARCHIVABLE))
                    .hasMessageContaining("db-0001.journal");
            assertThat(log.isWritable()).isTrue();
            log.append(tx("b", 1)).durable().join();
        }
        assertThat(Files.readString(taken)).isEqualTo("someone else's");
        assertThat(readAll(f)).extracting(Transaction::getUser).containsExactly("a", "b");
    }

    @Test
    void rollOfAClosedLogIsRefused() throws IOException {
        OperationLog log = OperationLog.open(dir.resolve("db.journal"), DB, LogOptions.builder().build());
        log.close();
        assertThatThrownBy(() -> log.roll(dir.resolve("x"))).isInstanceOfSatisfying(TetraException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.SESSION_CLOSED));
    }
}
