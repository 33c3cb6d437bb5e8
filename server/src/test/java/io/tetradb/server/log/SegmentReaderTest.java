package io.tetradb.server.log;

import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraException;
import io.tetradb.protocol.log.Transaction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static io.tetradb.server.log.LogFixtures.DB;
import static io.tetradb.server.log.LogFixtures.tx;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(60)
class SegmentReaderTest {
    @TempDir
    Path dir;

    private Path writeLog(int transactions) throws IOException {
        Path f = dir.resolve("db.journal");
        try (OperationLog log = OperationLog.open(f, DB, LogOptions.builder().build())) {
            for (int i = 0; i < transactions; i++) {
                log.append(tx("t" + i, 1 + i % 3)).durable().join();
            }
        }
        return f;
    }

    @Test
    void readsHeaderAndTransactionsInOrder() throws IOException {
        Path f = writeLog(5);
        List<Transaction> all = new ArrayList<>();
        SegmentScan scan = SegmentReader.scan(f, DB, all::add);
        assertThat(scan.header().getDatabaseId()).isEqualTo(DB);
        assertThat(scan.header().getSegment()).isEqualTo(1);
        assertThat(scan.header().getFirstOperation()).isEqualTo(1);
        assertThat(scan.transactions()).isEqualTo(5);
        assertThat(all).extracting(Transaction::getUser).containsExactly("t0", "t1", "t2", "t3", "t4");
        assertThat(all).extracting(Transaction::getFirstOperation).containsExactly(1L, 2L, 4L, 7L, 8L);
        assertThat(scan.lastOperation()).isEqualTo(9);
        assertThat(scan.goodEnd()).isEqualTo(Files.size(f));
        assertThat(scan.tornTail()).isFalse();
        assertThat(all.get(2).getOperations(2).getInsert().getNewValues(1).getStringValue()).isEqualTo("t2/2");
    }

    @Test
    void anyCutInsideTheLastFrameIsATornTail() throws IOException {
        Path f = writeLog(4);
        byte[] whole = Files.readAllBytes(f);
        long lastStart = LogFixtures.frameStarts(f).get(4);
        for (int cut = (int) lastStart + 1; cut < whole.length; cut++) {
            Path c = dir.resolve("cut-" + cut);
            Files.write(c, java.util.Arrays.copyOf(whole, cut));
            SegmentScan scan = SegmentReader.scan(c, DB, t -> { });
            assertThat(scan.transactions()).as("cut at %d", cut).isEqualTo(3);
            assertThat(scan.goodEnd()).isEqualTo(lastStart);
            assertThat(scan.droppedBytes()).isEqualTo(cut - lastStart);
        }
    }

    @Test
    void aFailingChecksumInTheLastFrameIsATornTail() throws IOException {
        Path f = writeLog(4);
        long lastStart = LogFixtures.frameStarts(f).get(4);
        for (long at : new long[] {lastStart + 4, lastStart + 7, lastStart + 8, Files.size(f) - 1}) {
            Path c = dir.resolve("flip-" + at);
            Files.copy(f, c);
            LogFixtures.flipByte(c, at);
            SegmentScan scan = SegmentReader.scan(c, DB, t -> { });
            assertThat(scan.transactions()).as("byte %d flipped", at).isEqualTo(3);
            assertThat(scan.droppedBytes()).isEqualTo(Files.size(c) - lastStart);
        }
    }

    @Test
    void zerosOrAnOversizedLengthAtTheEndAreATornTail() throws IOException {
        Path f = writeLog(3);
        long size = Files.size(f);
        Files.write(f, new byte[4096], StandardOpenOption.APPEND);
        assertThat(SegmentReader.scan(f, DB, t -> { }).droppedBytes()).isEqualTo(4096);
        Path g = writeLogTo("big.journal", 3);
        ByteBuffer frame = ByteBuffer.allocate(16).putInt(300 << 20).putInt(0).putLong(0);
        Files.write(g, frame.array(), StandardOpenOption.APPEND);
        SegmentScan scan = SegmentReader.scan(g, DB, t -> { });
        assertThat(scan.transactions()).isEqualTo(3);
        assertThat(scan.goodEnd()).isEqualTo(size);
        assertThat(scan.droppedBytes()).isEqualTo(16);
    }

    private Path writeLogTo(String name, int transactions) throws IOException {
        Path f = dir.resolve(name);
        try (OperationLog log = OperationLog.open(f, DB, LogOptions.builder().build())) {
            for (int i = 0; i < transactions; i++) {
                log.append(tx("t" + i, 1 + i % 3)).durable().join();
            }
        }
        return f;
    }

    @Test
    void aFailingChecksumFollowedByValidFramesIsDamage() throws IOException {
        Path f = writeLog(5);
        long second = LogFixtures.frameStarts(f).get(2);
        LogFixtures.flipByte(f, second + 5);
        assertThatThrownBy(() -> SegmentReader.scan(f, DB, t -> { }))
                .isInstanceOfSatisfying(TetraException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.LOG_SEGMENT_DAMAGED))
                .hasMessageContaining("offset " + second).hasMessageContaining("checksum");
    }

    @Test
    void aBrokenLengthFollowedByValidFramesIsDamage() throws IOException {
        Path f = writeLog(5);
        long second = LogFixtures.frameStarts(f).get(2);
        byte[] b = Files.readAllBytes(f);
        b[(int) second] = (byte) 0xFF;
        Files.write(f, b);
        assertThatThrownBy(() -> SegmentReader.scan(f, DB, t -> { }))
                .isInstanceOfSatisfying(TetraException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.LOG_SEGMENT_DAMAGED))
                .hasMessageContaining("offset " + second);
    }

    @Test
    void aSegmentOfAnotherDatabaseIsForeign() throws IOException {
        Path f = writeLog(1);
        assertThatThrownBy(() -> SegmentReader.open(f, "db-22222222"))
                .isInstanceOfSatisfying(TetraException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.LOG_SEGMENT_FOREIGN))
                .hasMessageContaining(DB).hasMessageContaining("db-22222222");
        try (SegmentReader r = SegmentReader.open(f, null)) {
            assertThat(r.header().getDatabaseId()).isEqualTo(DB);
        }
    }

    @Test
    void aFileWithoutTheMagicOrHeaderIsDamage() throws IOException {
        Path f = dir.resolve("x.journal");
        Files.write(f, "TETRALG0 and more".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> SegmentReader.open(f, DB)).isInstanceOfSatisfying(TetraException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.LOG_SEGMENT_DAMAGED)).hasMessageContaining("TETRALG1");
        Files.write(f, "TETRALG1".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> SegmentReader.open(f, DB)).isInstanceOfSatisfying(TetraException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.LOG_SEGMENT_DAMAGED)).hasMessageContaining("header");
    }

    @Test
    void readsOneRecordAtATimeThroughTheIterator() throws IOException {
        Path f = writeLog(3);
        try (SegmentReader r = SegmentReader.open(f, DB)) {
            assertThat(r.lastOperation()).isZero();
            assertThat(r.next().getUser()).isEqualTo("t0");
            assertThat(r.lastOperation()).isEqualTo(1);
            assertThat(r.next().getUser()).isEqualTo("t1");
            assertThat(r.next().getUser()).isEqualTo("t2");
            assertThat(r.next()).isNull();
            assertThat(r.next()).isNull();
            assertThat(r.goodEnd()).isEqualTo(r.fileSize());
        }
    }
}
