package io.tetradb.server.backup;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The digest of segment digests (manifest format 2) and the pool that hashes segments in parallel. */
@Timeout(60)
class SegmentDigestsTest {
    @TempDir
    Path dir;

    private static byte[] sha(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }

    private static byte[] concat(byte[]... parts) {
        int n = Arrays.stream(parts).mapToInt(p -> p.length).sum();
        ByteBuffer b = ByteBuffer.allocate(n);
        Arrays.stream(parts).forEach(b::put);
        return b.array();
    }

    @Test
    void theEntryDigestIsTheSha256OfTheSegmentsBinaryDigestsInOrder() throws Exception {
        byte[] a = sha("first".getBytes(StandardCharsets.UTF_8));
        byte[] b = sha("second".getBytes(StandardCharsets.UTF_8));
        assertThat(SegmentDigests.ofSegments(List.of(a, b))).isEqualTo(sha(concat(a, b)));
        // Order matters, and it is not the SHA-256 of the hex.
        assertThat(SegmentDigests.ofSegments(List.of(b, a))).isNotEqualTo(SegmentDigests.ofSegments(List.of(a, b)));
        String hexA = HexFormat.of().formatHex(a);
        String hexB = HexFormat.of().formatHex(b);
        assertThat(SegmentDigests.ofSegmentsHex(List.of(hexA, hexB)))
                .isEqualTo(HexFormat.of().formatHex(sha(concat(a, b))))
                .isNotEqualTo(HexFormat.of().formatHex(sha((hexA + hexB).getBytes(StandardCharsets.US_ASCII))));
        // A known value: SHA-256 over the 32-byte digest of "" twice.
        byte[] empty = sha(new byte[0]);
        assertThat(HexFormat.of().formatHex(empty))
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assertThat(SegmentDigests.ofSegments(List.of(empty, empty))).isEqualTo(sha(concat(empty, empty)));
        assertThatThrownBy(() -> SegmentDigests.ofSegments(List.of(new byte[31])))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void segmentsAreCutFromTheFirstByteTheLastOneShorter() throws Exception {
        int seg = 10;
        assertThat(SegmentDigests.count(0, seg)).isZero();
        assertThat(SegmentDigests.count(1, seg)).isEqualTo(1);
        assertThat(SegmentDigests.count(10, seg)).isEqualTo(1);
        assertThat(SegmentDigests.count(11, seg)).isEqualTo(2);
        assertThat(SegmentDigests.count(25, seg)).isEqualTo(3);
        assertThat(SegmentDigests.length(25, seg, 0)).isEqualTo(10);
        assertThat(SegmentDigests.length(25, seg, 2)).isEqualTo(5);
        assertThat(SegmentDigests.segmented(10, seg)).isFalse();
        assertThat(SegmentDigests.segmented(11, seg)).isTrue();
        assertThat(SegmentDigests.count(5L * Integer.MAX_VALUE, SegmentDigests.SEGMENT_SIZE))
                .isEqualTo((5L * Integer.MAX_VALUE + SegmentDigests.SEGMENT_SIZE - 1) / SegmentDigests.SEGMENT_SIZE);
        assertThat(SegmentDigests.SEGMENT_SIZE).isEqualTo(8 * 1024 * 1024);

        byte[] data = new byte[25];
        new Random(1).nextBytes(data);
        List<byte[]> d = SegmentDigests.segments(data, seg);
        assertThat(d).hasSize(3);
        assertThat(d.get(0)).isEqualTo(sha(Arrays.copyOfRange(data, 0, 10)));
        assertThat(d.get(1)).isEqualTo(sha(Arrays.copyOfRange(data, 10, 20)));
        assertThat(d.get(2)).isEqualTo(sha(Arrays.copyOfRange(data, 20, 25)));
    }

    @Test
    void aRegionIsHashedWithPositionalReadsThroughASmallBuffer() throws Exception {
        byte[] data = new byte[100_000];
        new Random(2).nextBytes(data);
        Path f = dir.resolve("f.bin");
        Files.write(f, data);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            assertThat(SegmentDigests.hashRegion(ch, 1234, 50_000, ByteBuffer.allocate(4096)))
                    .isEqualTo(sha(Arrays.copyOfRange(data, 1234, 51_234)));
            assertThat(ch.position()).isZero();
            assertThatThrownBy(() -> SegmentDigests.hashRegion(ch, 90_000, 20_000, ByteBuffer.allocate(4096)))
                    .isInstanceOf(IOException.class).hasMessageContaining("ended at byte 100000");
        }
    }

    @Test
    void thePoolDeliversDigestsInOrderWithABoundOnRegionsInFlight() throws Exception {
        int seg = 64 * 1024;
        byte[] data = new byte[seg * 37 + 99];
        new Random(3).nextBytes(data);
        Path f = dir.resolve("g.bin");
        Files.write(f, data);
        List<byte[]> expected = SegmentDigests.segments(data, seg);
        Set<String> names = ConcurrentHashMap.newKeySet();
        List<byte[]> got = new ArrayList<>();
        List<Long> indexes = new ArrayList<>();
        try (ParallelHashing pool = new ParallelHashing("unit-hash", 2);
             FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            assertThat(pool.maxInFlight()).isEqualTo(4);
            int[] inFlight = {0};
            ParallelHashing.Run run = pool.run((i, d) -> {
                indexes.add(i);
                got.add(d);
                inFlight[0]--;
            });
            for (long i = 0; i < SegmentDigests.count(data.length, seg); i++) {
                run.submit(ch, i * seg, SegmentDigests.length(data.length, seg, i));
                inFlight[0]++;
                assertThat(inFlight[0]).isLessThanOrEqualTo(pool.maxInFlight());
                Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                        .filter(n -> n.startsWith("unit-hash-")).forEach(names::add);
            }
            run.finish();
            assertThat(inFlight[0]).isZero();
        }
        assertThat(indexes).isEqualTo(java.util.stream.LongStream.range(0, expected.size()).boxed().toList());
        for (int i = 0; i < expected.size(); i++) {
            assertThat(got.get(i)).as("segment %d", i).isEqualTo(expected.get(i));
        }
        assertThat(names).isNotEmpty().allMatch(n -> n.equals("unit-hash-1") || n.equals("unit-hash-2"));
    }

    @Test
    void aSinksFailureStopsTheRunAndATaskFailureIsAnIOException() throws Exception {
        Path f = dir.resolve("h.bin");
        Files.write(f, new byte[1000]);
        try (ParallelHashing pool = new ParallelHashing("unit-fail", 1);
             FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            ParallelHashing.Run bad = pool.run((i, d) -> {
                throw new IOException("segment " + i + " rejected");
            });
            bad.submit(ch, 0, 10);
            assertThatThrownBy(bad::finish).hasMessage("segment 0 rejected");
            ParallelHashing.Run past = pool.run((i, d) -> { });
            past.submit(ch, 990, 20);
            assertThatThrownBy(past::finish).isInstanceOf(IOException.class).hasMessageContaining("ended at byte 1000");
        }
    }
}
