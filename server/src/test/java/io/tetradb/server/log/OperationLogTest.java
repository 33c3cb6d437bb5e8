package io.tetradb.server.log;

import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraException;
import io.tetradb.protocol.log.Transaction;
import io.tetradb.server.DataLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static io.tetradb.server.log.LogFixtures.DB;
import static io.tetradb.server.log.LogFixtures.readAll;
import static io.tetradb.server.log.LogFixtures.tx;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

@Timeout(120)
class OperationLogTest {
    @TempDir
    Path dir;

    private static LogOptions commit() {
        return LogOptions.builder().build();
    }

    private static LogOptions fastRetry() {
        return LogOptions.builder().retryInterval(Duration.ofMillis(20)).build();
    }

    @Test
    void createsAnOwnerOnlyFileWithItsHeader() throws IOException {
        Path f = dir.resolve("db.journal");
        try (OperationLog log = OperationLog.open(f, DB, LogOptions.builder().firstOperation(41)
                .serverVersion("0.1.0").build())) {
            assertThat(log.header().getSegment()).isEqualTo(1);
            assertThat(log.lastOperation()).isEqualTo(40);
            assertThat(log.append(tx("a", 2)).firstOperation()).isEqualTo(41);
        }
        assertThat(Files.getPosixFilePermissions(f)).isEqualTo(DataLayout.FILE_MODE);
        assertThat(Files.exists(dir.resolve("db.journal.new"))).isFalse();
        SegmentScan scan = SegmentReader.scan(f, DB, t -> { });
        assertThat(scan.header().getFirstOperation()).isEqualTo(41);
        assertThat(scan.header().getServerVersion()).isEqualTo("0.1.0");
        assertThat(scan.header().getFormatVersion()).isEqualTo(1);
        assertThat(scan.lastOperation()).isEqualTo(42);
        try (OperationLog log = OperationLog.open(f, DB, commit())) {
            assertThat(log.lastOperation()).isEqualTo(42);
            OperationLog.Appended a = log.append(tx("b", 1));
            assertThat(a.firstOperation()).isEqualTo(43);
            a.durable().join();
            assertThat(log.status().sizeBytes()).isEqualTo(Files.size(f));
        }
    }

    @Test
    void reopenedFromAPositionItReadsOnFromThereAndFromAWrongOneFromItsStart() throws Exception {
        Path f = dir.resolve("db.journal");
        OperationLog.Position middle;
        try (OperationLog log = OperationLog.open(f, DB, commit())) {
            for (int i = 0; i < 5; i++) {
                log.append(tx("a" + i, 2)).durable().get();
            }
            middle = log.position();
            for (int i = 0; i < 3; i++) {
                log.append(tx("b" + i, 3)).durable().get();
            }
        }
        assertThat(middle.lastOperation()).isEqualTo(10);
        // From the position: the end and the last operation are found reading only what follows it.
        try (OperationLog log = OperationLog.open(f, DB, LogOptions.builder()
                .resumeFrom(middle.segment(), middle.offset(), middle.lastOperation()).build())) {
            assertThat(log.lastOperation()).isEqualTo(19);
            assertThat(log.readableEnd()).isEqualTo(Files.size(f));
        }
        // A position that is not a frame's start (a file replaced since): read from the start, same end.
        try (OperationLog log = OperationLog.open(f, DB, LogOptions.builder()
                .resumeFrom(middle.segment(), middle.offset() + 3, middle.lastOperation()).build())) {
            assertThat(log.lastOperation()).isEqualTo(19);
        }
        try (OperationLog log = OperationLog.open(f, DB, LogOptions.builder()
                .resumeFrom(middle.segment(), Files.size(f) + 100, middle.lastOperation()).build())) {
            assertThat(log.lastOperation()).isEqualTo(19);
        }
        SegmentReader r = SegmentReader.open(f, DB);
        try (r) {
            r.skipTo(middle.offset(), middle.lastOperation());
            assertThat(r.next().getFirstOperation()).isEqualTo(11);
        }
    }

    @Test
    void numbersAreConsecutiveInCallOrderAcrossConcurrentAppenders() throws Exception {
        Path f = dir.resolve("db.journal");
        int threads = 8;
        int each = 1000;
        Map<String, OperationLog.Appended> handles = new java.util.concurrent.ConcurrentHashMap<>();
        try (OperationLog log = OperationLog.open(f, DB, commit())) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                CyclicBarrier start = new CyclicBarrier(threads);
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    done.add(pool.submit(() -> {
                        start.await();
                        long previous = 0;
                        List<CompletableFuture<Void>> mine = new ArrayList<>();
                        for (int i = 0; i < each; i++) {
                            String tag = thread + "-" + i;
                            OperationLog.Appended a = log.append(tx(tag, 1 + (thread + i) % 3));
                            assertThat(a.firstOperation()).isGreaterThan(previous);
                            previous = a.lastOperation();
                            handles.put(tag, a);
                            mine.add(a.durable());
                            if (i % 50 == 49) {
                                CompletableFuture.allOf(mine.toArray(CompletableFuture[]::new)).join();
                                mine.clear();
                            }
                        }
                        CompletableFuture.allOf(mine.toArray(CompletableFuture[]::new)).join();
                        return null;
                    }));
                }
                for (Future<?> d : done) {
                    d.get(100, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            LogStatus s = log.status();
            assertThat(s.transactions()).isEqualTo(threads * each);
            assertThat(s.syncs()).isBetween(1L, (long) threads * each);
            assertThat(s.lastOperation()).isEqualTo(s.operations());
        }
        List<Transaction> all = readAll(f);
        assertThat(all).hasSize(threads * each);
        assertThat(all).extracting(Transaction::getUser).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(handles.keySet());
        long next = 1;
        for (Transaction t : all) {
            // Order in the file is numbering order, without gaps.
            assertThat(t.getFirstOperation()).isEqualTo(next);
            OperationLog.Appended a = handles.get(t.getUser());
            assertThat(a.firstOperation()).isEqualTo(t.getFirstOperation());
            assertThat(a.lastOperation()).isEqualTo(t.getFirstOperation() + t.getOperationsCount() - 1);
            next += t.getOperationsCount();
        }
    }

    @Test
    void commitsQueuedTogetherShareOneSync() throws Exception {
        CountDownLatch writerHeld = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        LogWriterObserver hold = new LogWriterObserver() {
            @Override
            public void beforeWrite(long firstOperation, int transactions) {
                if (firstOperation == 1) {
                    writerHeld.countDown();
                    awaitLatch(release);
                }
            }
        };
        Path f = dir.resolve("db.journal");
        int appenders = 32;
        try (OperationLog log = OperationLog.open(f, DB, LogOptions.builder().observer(hold).build())) {
            CompletableFuture<Void> first = log.append(tx("first", 1)).durable();
            assertThat(writerHeld.await(30, TimeUnit.SECONDS)).isTrue();
            ExecutorService pool = Executors.newFixedThreadPool(appenders);
            ConcurrentLinkedQueue<CompletableFuture<Void>> queued = new ConcurrentLinkedQueue<>();
            try {
                CyclicBarrier start = new CyclicBarrier(appenders);
                List<Future<?>> calls = new ArrayList<>();
                for (int t = 0; t < appenders; t++) {
                    int thread = t;
                    calls.add(pool.submit(() -> {
                        start.await();
                        queued.add(log.append(tx("c" + thread, 2)).durable());
                        return null;
                    }));
                }
                for (Future<?> c : calls) {
                    c.get(30, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(queued).hasSize(appenders).noneMatch(CompletableFuture::isDone);
            assertThat(first).isNotDone();
            release.countDown();
            first.join();
            CompletableFuture.allOf(queued.toArray(CompletableFuture[]::new)).join();
            LogStatus s = log.status();
            assertThat(s.transactions()).isEqualTo(appenders + 1);
            assertThat(s.syncs()).isEqualTo(2).isLessThanOrEqualTo(s.transactions());
            assertThat(s.largestBatch()).isEqualTo(appenders);
            assertThat(s.operations()).isEqualTo(1 + 2L * appenders);
            assertThat(s.operationsPerSync()).isEqualTo((1 + 2.0 * appenders) / 2);
            assertThat(s.lastSyncMillis()).isPositive();
            assertThat(s.bytesWritten()).isEqualTo(Files.size(f) - LogFixtures.frameStarts(f).get(1));
        }
        assertThat(readAll(f)).hasSize(appenders + 1);
    }

    @Test
    void aCommitIsAcknowledgedOnlyAfterTheForceThatCoversIt() throws Exception {
        AtomicLong forcedUpTo = new AtomicLong();
        ConcurrentLinkedQueue<String> early = new ConcurrentLinkedQueue<>();
        LogWriterObserver watch = new LogWriterObserver() {
            @Override
            public void afterForce(long lastOperation) {
                forcedUpTo.set(lastOperation);
            }
        };
        Path f = dir.resolve("db.journal");
        try (OperationLog log = OperationLog.open(f, DB, LogOptions.builder().observer(watch).build())) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> calls = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    calls.add(pool.submit(() -> {
                        for (int i = 0; i < 100; i++) {
                            OperationLog.Appended a = log.append(tx("x", 1 + i % 4));
                            a.durable().thenRun(() -> {
                                if (forcedUpTo.get() < a.lastOperation()) {
                                    early.add(a.lastOperation() + " acknowledged, forced only to " + forcedUpTo.get());
                                }
                            }).join();
                        }
                        return null;
                    }));
                }
                for (Future<?> c : calls) {
                    c.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(forcedUpTo.get()).isEqualTo(log.lastOperation()).isPositive();
        }
        assertThat(early).isEmpty();
    }

    @Test
    void everySecondAcknowledgesOnWriteAndForcesSoonAfter() throws Exception {
        CountDownLatch forced = new CountDownLatch(1);
        LogWriterObserver watch = new LogWriterObserver() {
            @Override
            public void afterForce(long lastOperation) {
                forced.countDown();
            }
        };
        Path f = dir.resolve("db.journal");
        try (OperationLog log = OperationLog.open(f, DB, LogOptions.builder()
                .syncMode(SyncMode.EVERY_SECOND).forceInterval(Duration.ofMillis(50)).observer(watch).build())) {
            for (int i = 0; i < 20; i++) {
                log.append(tx("e" + i, 1)).durable().join();
            }
            assertThat(forced.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(log.status().syncs()).isPositive().isLessThan(20);
        }
        assertThat(readAll(f)).hasSize(20);
    }

    @Test
    void aTornTailIsCutOffAtOpenAndTheNumberingGoesOn() throws IOException {
        Path f = dir.resolve("db.journal");
        try (OperationLog log = OperationLog.open(f, DB, commit())) {
            for (int i = 0; i < 5; i++) {
                log.append(tx("t" + i, 2)).durable().join();
            }
        }
        byte[] whole = Files.readAllBytes(f);
        long lastStart = LogFixtures.frameStarts(f).get(5);
        List<byte[]> damaged = new ArrayList<>();
        for (int cut = (int) lastStart + 1; cut < whole.length; cut++) {
            damaged.add(Arrays.copyOf(whole, cut));
        }
        byte[] badCrc = whole.clone();
        badCrc[(int) lastStart + 6] ^= 1;
        damaged.add(badCrc);
        for (byte[] content : damaged) {
            Path c = dir.resolve("torn.journal");
            Files.write(c, content);
            try (LogFixtures.CapturedLog warnings = LogFixtures.CapturedLog.capture();
                 OperationLog log = OperationLog.open(c, DB, commit())) {
                long dropped = content.length - lastStart;
                assertThat(log.tornBytesDroppedAtOpen()).isEqualTo(dropped);
                assertThat(log.lastOperation()).isEqualTo(8);
                assertThat(Files.size(c)).isEqualTo(lastStart);
                assertThat(warnings.lines).singleElement().asString().startsWith("WARN")
                        .contains(dropped + " bytes were dropped from offset " + lastStart);
                OperationLog.Appended a = log.append(tx("after", 3));
                assertThat(a.firstOperation()).isEqualTo(9);
                a.durable().join();
            }
            List<Transaction> all = readAll(c);
            assertThat(all).extracting(Transaction::getUser).containsExactly("t0", "t1", "t2", "t3", "after");
            assertThat(all.get(4).getFirstOperation()).isEqualTo(9);
            Files.delete(c);
        }
    }

    @Test
    void damageOrAnotherDatabaseStopsTheOpen() throws IOException {
        Path f = dir.resolve("db.journal");
        try (OperationLog log = OperationLog.open(f, DB, commit())) {
            for (int i = 0; i < 4; i++) {
                log.append(tx("t" + i, 1)).durable().join();
            }
        }
        assertThatThrownBy(() -> OperationLog.open(f, "db-other", commit()))
                .isInstanceOfSatisfying(TetraException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.LOG_SEGMENT_FOREIGN));
        long second = LogFixtures.frameStarts(f).get(2);
        LogFixtures.flipByte(f, second + 20);
        long size = Files.size(f);
        assertThatThrownBy(() -> OperationLog.open(f, DB, commit()))
                .isInstanceOfSatisfying(TetraException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.LOG_SEGMENT_DAMAGED))
                .hasMessageContaining("offset " + second);
        assertThat(Files.size(f)).as("a damaged log is left as it is").isEqualTo(size);
    }

    @Test
    void aRemovedFolderRefusesWritesWith1274UntilItIsBack() throws IOException {
        Path folder = dir.resolve("Data");
        Files.createDirectory(folder);
        Path f = folder.resolve("db.journal");
        try (OperationLog log = OperationLog.open(f, DB, fastRetry())) {
            log.append(tx("before", 2)).durable().join();
            deleteTree(folder);

            OperationLog.Appended failed = log.append(tx("lost", 1));
            assertThat(failed.firstOperation()).isEqualTo(3);
            assertUnwritable(failed.durable());
            assertThatThrownBy(() -> failed.durable().join()).hasRootCauseInstanceOf(java.nio.file.NoSuchFileException.class)
                    .cause().hasMessageContaining("db.journal").hasMessageContaining("removed")
                    .hasMessageNotContaining(dir.toString());
            assertThat(log.isWritable()).isFalse();
            assertThat(log.failureReason()).contains("db.journal");
            for (int i = 0; i < 3; i++) {
                OperationLog.Appended refused = log.append(tx("refused", 1));
                assertThat(refused.durable()).isCompletedExceptionally();
                assertThat(refused.firstOperation()).isZero();
                assertUnwritable(refused.durable());
            }
            assertThat(log.status().writable()).isFalse();

            Files.createDirectory(folder);
            await().atMost(Duration.ofSeconds(30)).until(log::isWritable);
            OperationLog.Appended resumed = log.append(tx("resumed", 2));
            assertThat(resumed.firstOperation()).isEqualTo(3);
            resumed.durable().join();
            assertThat(log.status().firstOperation()).isEqualTo(3);
        }
        SegmentScan scan = SegmentReader.scan(f, DB, t -> { });
        assertThat(scan.header().getFirstOperation()).isEqualTo(3);
        assertThat(scan.header().getSegment()).isEqualTo(1);
        assertThat(readAll(f)).extracting(Transaction::getUser).containsExactly("resumed");
        assertThat(Files.getPosixFilePermissions(f)).isEqualTo(DataLayout.FILE_MODE);
    }

    @Test
    void aFolderReplacedByAFileRefusesWritesUntilItIsAFolderAgain() throws IOException {
        Path folder = dir.resolve("Data");
        Files.createDirectory(folder);
        Path f = folder.resolve("db.journal");
        try (OperationLog log = OperationLog.open(f, DB, fastRetry())) {
            log.append(tx("a", 1)).durable().join();
            deleteTree(folder);
            Files.writeString(folder, "not a folder");
            assertUnwritable(log.append(tx("b", 1)).durable());
            assertUnwritable(log.append(tx("c", 1)).durable());
            Files.delete(folder);
            Files.createDirectory(folder);
            await().atMost(Duration.ofSeconds(30)).until(log::isWritable);
            OperationLog.Appended d = log.append(tx("d", 1));
            assertThat(d.firstOperation()).isEqualTo(2);
            d.durable().join();
        }
        assertThat(readAll(f)).extracting(Transaction::getFirstOperation).containsExactly(2L);
    }

    @Test
    void aRemovedFileIsNoticedAtTheNextBatchAndCreatedAgain() throws IOException {
        Path f = dir.resolve("db.journal");
        try (OperationLog log = OperationLog.open(f, DB, fastRetry())) {
            log.append(tx("a", 3)).durable().join();
            Files.delete(f);
            assertUnwritable(log.append(tx("b", 1)).durable());
            await().atMost(Duration.ofSeconds(30)).until(log::isWritable);
            OperationLog.Appended c = log.append(tx("c", 1));
            assertThat(c.firstOperation()).isEqualTo(4);
            c.durable().join();
        }
        SegmentScan scan = SegmentReader.scan(f, DB, t -> { });
        assertThat(scan.header().getFirstOperation()).isEqualTo(4);
        assertThat(scan.lastOperation()).isEqualTo(4);
    }

    @Test
    void aFileAsACleanCloseLeftItIsNotReadThroughAtOpen() throws IOException {
        Path f = dir.resolve("db.journal");
        long end;
        long last;
        try (OperationLog log = OperationLog.open(f, DB, LogOptions.builder().build())) {
            for (int i = 0; i < 10; i++) {
                log.append(tx("t" + i, 2)).durable().join();
            }
            end = log.readableEnd();
            last = log.lastOperation();
        }
        assertThat(Files.size(f)).isEqualTo(end);
        // A byte flipped inside a middle frame: a read-through would find the damage (1413).
        byte[] bytes = Files.readAllBytes(f);
        bytes[(int) (end / 2)] ^= 0x55;
        Files.write(f, bytes);
        assertThatThrownBy(() -> OperationLog.open(f, DB, LogOptions.builder().build()).close())
                .isInstanceOf(io.tetradb.client.TetraException.class);
        try (OperationLog log = OperationLog.open(f, DB, LogOptions.builder().cleanClose(end, last).build())) {
            assertThat(log.lastOperation()).isEqualTo(last);
            OperationLog.Appended next = log.append(tx("after", 1));
            assertThat(next.firstOperation()).isEqualTo(last + 1);
            next.durable().join();
        }
        // Another length than the clean close left: read through as always.
        assertThatThrownBy(() -> OperationLog.open(f, DB, LogOptions.builder().cleanClose(end, last).build()).close())
                .isInstanceOfSatisfying(io.tetradb.client.TetraException.class,
                        e -> assertThat(e.code()).isEqualTo(io.tetradb.client.ErrorCode.LOG_SEGMENT_DAMAGED));
    }

    @Test
    void aFileReplacedByAnotherIsNoticed() throws IOException {
        Path f = dir.resolve("db.journal");
        try (OperationLog log = OperationLog.open(f, DB, fastRetry())) {
            log.append(tx("a", 1)).durable().join();
            Path other = dir.resolve("other");
            Files.write(other, Files.readAllBytes(f));
            Files.move(other, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            assertThatThrownBy(() -> log.append(tx("b", 1)).durable().join())
                    .cause().hasMessageContaining("replaced");
            await().atMost(Duration.ofSeconds(30)).until(log::isWritable);
            log.append(tx("c", 1)).durable().join();
        }
        // The replacement holds the same segment (a copy, as after a remount): the log goes on in it.
        assertThat(readAll(f)).extracting(Transaction::getUser).containsExactly("a", "c");
    }

    @Test
    void aFailedForceCutsTheBatchOffAndTheNumberingResumesAfterTheLastGoodFrame() throws IOException {
        java.util.concurrent.atomic.AtomicBoolean failNext = new java.util.concurrent.atomic.AtomicBoolean();
        LogWriterObserver failing = new LogWriterObserver() {
            @Override
            public void afterWrite(long lastOperation) throws IOException {
                if (failNext.getAndSet(false)) {
                    throw new IOException("Input/output error");
                }
            }
        };
        Path f = dir.resolve("db.journal");
        try (OperationLog log = OperationLog.open(f, DB, LogOptions.builder()
                .retryInterval(Duration.ofMillis(20)).observer(failing).build())) {
            log.append(tx("a", 2)).durable().join();
            long goodSize = Files.size(f);
            failNext.set(true);
            OperationLog.Appended lost = log.append(tx("lost", 5));
            assertThat(lost.firstOperation()).isEqualTo(3);
            assertUnwritable(lost.durable());
            assertThatThrownBy(() -> lost.durable().join()).cause()
                    .hasMessage("The log file db.journal cannot be written (Input/output error): writes are refused,"
                            + " reads go on; writes resume by themselves once it can be written again (the server tries"
                            + " every 20 ms).");
            await().atMost(Duration.ofSeconds(30)).until(log::isWritable);
            assertThat(Files.size(f)).as("the frames of the failed batch are cut off").isEqualTo(goodSize);
            OperationLog.Appended next = log.append(tx("next", 1));
            assertThat(next.firstOperation()).isEqualTo(3);
            next.durable().join();
            assertThat(log.status().failure()).isNull();
        }
        assertThat(readAll(f)).extracting(Transaction::getUser).containsExactly("a", "next");
    }

    @Test
    void closeWritesWhatIsQueuedThenRefuses() throws IOException {
        Path f = dir.resolve("db.journal");
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        OperationLog log = OperationLog.open(f, DB, commit());
        for (int i = 0; i < 200; i++) {
            futures.add(log.append(tx("q" + i, 1)).durable());
        }
        log.close();
        assertThat(futures).allMatch(fu -> fu.isDone() && !fu.isCompletedExceptionally());
        OperationLog.Appended late = log.append(tx("late", 1));
        assertThatThrownBy(() -> late.durable().join()).cause().isInstanceOfSatisfying(TetraException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.SESSION_CLOSED)).hasMessageContaining("closed");
        assertThat(log.isWritable()).isFalse();
        log.close();
        assertThat(readAll(f)).hasSize(200);
    }

    @Test
    void aTransactionWithoutOperationsIsRefused() throws IOException {
        try (OperationLog log = OperationLog.open(dir.resolve("db.journal"), DB, commit())) {
            assertThatThrownBy(() -> log.append(Transaction.newBuilder())).isInstanceOf(IllegalArgumentException.class);
            assertThat(log.append(tx("a", 1)).firstOperation()).isEqualTo(1);
        }
    }

    @Test
    void syncModesAreReadFromTheirSettingWords() {
        assertThat(SyncMode.fromWord("commit")).isEqualTo(SyncMode.COMMIT);
        assertThat(SyncMode.fromWord("everySecond")).isEqualTo(SyncMode.EVERY_SECOND);
        assertThat(SyncMode.fromWord("EVERYSECOND")).isEqualTo(SyncMode.EVERY_SECOND);
        assertThat(SyncMode.EVERY_SECOND.word()).isEqualTo("everySecond");
        assertThatThrownBy(() -> SyncMode.fromWord("always")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("log.sync").hasMessageContaining("always");
    }

    private static void assertUnwritable(CompletableFuture<Void> f) {
        assertThatThrownBy(f::join).isInstanceOf(CompletionException.class).cause()
                .isInstanceOfSatisfying(TetraException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.LOG_UNWRITABLE));
    }

    private static void awaitLatch(CountDownLatch l) {
        try {
            if (!l.await(60, TimeUnit.SECONDS)) {
                throw new AssertionError("not released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
