package io.tetradb.server.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tetradb.server.restore.BackupArchiveReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Archives written by {@link BackupArchiveWriter}, with and without compression, opened
 * by the system's tar and by the restore side's reader; checksums against sha256sum.
 */
@Timeout(120)
class BackupArchiveWriterTest {
    private static final String LONG_PATH = "Attachments/" + "a-folder-whose-name-is-long/".repeat(5) + "notes.txt";

    @TempDir
    Path dir;

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @ParameterizedTest(name = "zstd level {0}")
    @ValueSource(ints = {0, 1})
    void anArchiveOpensWithTheSystemTarAndItsChecksumsAreThoseOfSha256sum(int level) throws Exception {
        // A data file of several chunks whose first bytes come from a header read apart and whose copy
        // is longer than the file (zeros past its end), as DataFileSnapshot gives it.
        int fileSize = 2 * BackupArchiveWriter.CHUNK + 12_345;
        byte[] file = random(fileSize, 1);
        Path src = Files.createDirectories(dir.resolve("src"));
        Path dataFile = src.resolve("testdb.mv.db");
        Files.write(dataFile, file);
        byte[] header = new byte[8192];
        Arrays.fill(header, (byte) 'H');
        long length = fileSize + 5000;
        byte[] expectedData = new byte[(int) length];
        System.arraycopy(file, 0, expectedData, 0, fileSize);
        System.arraycopy(header, 0, expectedData, 0, header.length);

        Path catalog = src.resolve("catalog.xml");
        Files.writeString(catalog, "<catalog/>");
        Path notes = src.resolve("notes.txt");
        Files.write(notes, random(300_000, 2));
        Path empty = src.resolve("empty.txt");
        Files.write(empty, new byte[0]);
        // Text after random bytes: with compression, zstd's workers go from none to some, in a new frame.
        Path text = src.resolve("text.txt");
        Files.writeString(text, "Some text that compresses well. ".repeat(2 * BackupArchiveWriter.CHUNK / 32 + 1));

        Path archive = Files.createDirectories(dir.resolve("dest")).resolve(level == 0 ? "testdb-0001.tar"
                : "testdb-0001.tar.zst");
        List<Long> reported = new ArrayList<>();
        try (BackupArchiveWriter w = new BackupArchiveWriter(archive, level, 0);
             FileChannel ch = FileChannel.open(dataFile, StandardOpenOption.READ)) {
            w.add("Data/testdb.mv.db", 1_700_000_000_000L, new BackupArchiveWriter.Source(header, ch, length, true),
                    reported::add);
            w.addFile("Structure/catalog.xml", catalog, n -> { });
            w.addFolder("Attachments/empty-folder");
            w.addFile(LONG_PATH, notes, n -> { });
            w.addFile("Attachments/empty.txt", empty, n -> { });
            w.addFile("Attachments/text.txt", text, n -> { });
            assertThat(w.zstdFrames()).isEqualTo(level == 0 ? 0 : 2);
            ObjectNode manifest = new ObjectMapper().createObjectNode().put("number", 1);
            long size = w.finish(manifest);
            assertThat(size).isEqualTo(Files.size(archive));
        }
        assertThat(reported).hasSizeGreaterThan(2).allMatch(n -> n > 0 && n <= BackupArchiveWriter.CHUNK);
        assertThat(reported.stream().mapToLong(Long::longValue).sum()).isEqualTo(length);
        try (Stream<Path> s = Files.list(archive.getParent())) {
            assertThat(s).containsExactly(archive);
        }

        // The system's tar: entries in the order written, MANIFEST.json last, contents as copied.
        String[] tar = level == 0 ? new String[] {"tar"} : new String[] {"tar", "--zstd"};
        List<String> listing = SystemTar.run(dir, concat(tar, "-tf", archive.toString())).lines().toList();
        assertThat(listing).containsExactly("Data/testdb.mv.db", "Structure/catalog.xml",
                "Attachments/empty-folder/", LONG_PATH, "Attachments/empty.txt", "Attachments/text.txt", "MANIFEST.json");
        Path out = Files.createDirectories(dir.resolve("extracted"));
        SystemTar.run(out, concat(tar, "-xf", archive.toString()));
        assertThat(Files.readAllBytes(out.resolve("Data/testdb.mv.db"))).isEqualTo(expectedData);
        assertThat(out.resolve("Structure/catalog.xml")).hasContent("<catalog/>");
        assertThat(Files.readAllBytes(out.resolve(LONG_PATH))).isEqualTo(Files.readAllBytes(notes));
        assertThat(out.resolve("Attachments/empty-folder")).isDirectory();
        assertThat(Files.size(out.resolve("Attachments/empty.txt"))).isZero();

        // Every checksum in the manifest is that of the extracted file (format 2): without compression the
        // entries longer than one segment by 8 MiB segment, every other one sha256sum's of the whole file.
        JsonNode manifest = new ObjectMapper().readTree(out.resolve("MANIFEST.json").toFile());
        assertThat(manifest.path("format").asInt()).isEqualTo(2);
        List<String> listed = new ArrayList<>();
        manifest.path("entries").forEach(e -> listed.add(e.path("path").asText()));
        assertThat(listed).containsExactly("Data/testdb.mv.db", "Structure/catalog.xml", LONG_PATH,
                "Attachments/empty.txt", "Attachments/text.txt");
        assertThat(out.resolve("Attachments/text.txt")).hasSameBinaryContentAs(text);
        List<String> segmented = ManifestChecks.assertMatches(out, manifest);
        if (level == 0) {
            assertThat(segmented).containsExactly("Data/testdb.mv.db", "Attachments/text.txt");
            assertThat(manifest.path("entries").get(0).path("segmentSha256")).hasSize(3);
        } else {
            assertThat(segmented).isEmpty();
        }
        assertThat(manifest.path("entries").get(0).path("size").asLong()).isEqualTo(length);

        // The restore side's reader checks every checksum and extracts the same files.
        Path restored = dir.resolve("restored");
        BackupArchiveReader.extract(archive, restored);
        assertThat(Files.readAllBytes(restored.resolve("Data/testdb.mv.db"))).isEqualTo(expectedData);
        assertThat(Files.readAllBytes(restored.resolve(LONG_PATH))).isEqualTo(Files.readAllBytes(notes));
    }

    @ParameterizedTest(name = "zstd level {0}")
    @ValueSource(ints = {0, 1})
    void aStopInTheMiddleOfTheCopyLeavesNoArchive(int level) throws Exception {
        Path dataFile = dir.resolve("data.bin");
        Files.write(dataFile, random(3 * BackupArchiveWriter.CHUNK, 3));
        Path dest = Files.createDirectories(dir.resolve("dest"));
        Path archive = dest.resolve("testdb-0002.tar");
        List<Long> reported = new ArrayList<>();
        try (BackupArchiveWriter w = new BackupArchiveWriter(archive, level, 0)) {
            assertThat(w.tempFile()).exists();
            assertThatThrownBy(() -> w.addFile("Data/testdb.mv.db", dataFile, n -> {
                reported.add(n);
                if (reported.size() == 2) {
                    throw new IOException("stop requested");
                }
            })).hasMessage("stop requested");
        }
        assertThat(reported).hasSize(2);
        try (Stream<Path> s = Files.list(dest)) {
            assertThat(s).isEmpty();
        }
    }

    @Test
    void aThrottledCopyReportsSmallChunks() throws Exception {
        Path dataFile = dir.resolve("data.bin");
        Files.write(dataFile, random(1_000_000, 4));
        Path archive = Files.createDirectories(dir.resolve("dest")).resolve("testdb-0003.tar");
        List<Long> reported = new ArrayList<>();
        try (BackupArchiveWriter w = new BackupArchiveWriter(archive, 0, 500_000)) {
            // About a tenth of a second at the rate, in whole pages, never below the minimum.
            assertThat(w.chunkBytes()).isEqualTo(BackupArchiveWriter.MIN_CHUNK);
            w.addFile("Data/testdb.mv.db", dataFile, reported::add);
            w.finish(new ObjectMapper().createObjectNode());
        }
        assertThat(reported).hasSize((1_000_000 + BackupArchiveWriter.MIN_CHUNK - 1) / BackupArchiveWriter.MIN_CHUNK)
                .allMatch(n -> n <= BackupArchiveWriter.MIN_CHUNK);
        try (BackupArchiveWriter w = new BackupArchiveWriter(dir.resolve("dest/x.tar"), 0, 40_000_000)) {
            assertThat(w.chunkBytes()).isEqualTo(4_000_000 / 4096 * 4096);
        }
        BackupArchiveReader.extract(archive, null);
    }

    @Test
    void segmentsAreHashedOnAPoolNamedAfterTheBackupThreadAndDoNotDependOnTheChunkSize() throws Exception {
        // 2.5 segments, copied in chunks of about 1 MB (a throttled copy): segments still of 8 MiB.
        int size = 5 * ManifestChecks.SEGMENT / 2;
        Path dataFile = dir.resolve("data.bin");
        Files.write(dataFile, random(size, 7));
        Path archive = Files.createDirectories(dir.resolve("dest")).resolve("testdb-0006.tar");
        java.util.Map<String, Integer> hashers = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.CompletableFuture<ObjectNode> written = new java.util.concurrent.CompletableFuture<>();
        Thread backup = new Thread(() -> {
            // As the backup thread runs: its hashing threads take its lower priority.
            Thread.currentThread().setPriority(Thread.MIN_PRIORITY);
            try (BackupArchiveWriter w = new BackupArchiveWriter(archive, 0, 10_000_000)) {
                assertThat(w.chunkBytes()).isLessThan(ManifestChecks.SEGMENT / 4);
                w.addFile("Data/testdb.mv.db", dataFile, n -> Thread.getAllStackTraces().keySet().stream()
                        .filter(t -> t.getName().startsWith("test-backup-sha256-"))
                        .forEach(t -> hashers.put(t.getName(), t.getPriority())));
                ObjectNode m = new ObjectMapper().createObjectNode();
                w.finish(m);
                written.complete(m);
            } catch (Throwable t) {
                written.completeExceptionally(t);
            }
        }, "test-backup");
        backup.start();
        ObjectNode m = written.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(hashers).isNotEmpty().hasSizeLessThanOrEqualTo(ParallelHashing.defaultThreads());
        assertThat(hashers.keySet()).allMatch(t -> t.matches("test-backup-sha256-[1-4]"));
        assertThat(hashers.values()).containsOnly(Thread.MIN_PRIORITY);
        assertThat(ParallelHashing.defaultThreads()).isLessThanOrEqualTo(Runtime.getRuntime().availableProcessors());

        JsonNode e = m.path("entries").get(0);
        assertThat(m.path("format").asInt()).isEqualTo(2);
        assertThat(e.path("segmentSize").asInt()).isEqualTo(ManifestChecks.SEGMENT);
        List<byte[]> expected = ManifestChecks.segmentDigests(dataFile, ManifestChecks.SEGMENT);
        assertThat(expected).hasSize(3);
        List<String> hex = expected.stream().map(java.util.HexFormat.of()::formatHex).toList();
        List<String> listed = new ArrayList<>();
        e.path("segmentSha256").forEach(h -> listed.add(h.asText()));
        assertThat(listed).isEqualTo(hex);
        java.security.MessageDigest all = java.security.MessageDigest.getInstance("SHA-256");
        expected.forEach(all::update);
        assertThat(e.path("sha256").asText()).isEqualTo(java.util.HexFormat.of().formatHex(all.digest()));
        BackupArchiveReader.extract(archive, null);
    }

    @Test
    void anEntryOfOneSegmentOrLessKeepsTheSha256OfItsContent() throws Exception {
        Path exact = dir.resolve("exact.bin");
        Files.write(exact, random(ManifestChecks.SEGMENT, 8));
        Path one = dir.resolve("one.bin");
        Files.write(one, random(ManifestChecks.SEGMENT + 1, 9));
        Path archive = Files.createDirectories(dir.resolve("dest")).resolve("testdb-0007.tar");
        ObjectNode m = new ObjectMapper().createObjectNode();
        try (BackupArchiveWriter w = new BackupArchiveWriter(archive, 0, 0)) {
            w.addFile("Attachments/exact.bin", exact, n -> { });
            w.addFile("Attachments/one.bin", one, n -> { });
            w.finish(m);
        }
        JsonNode first = m.path("entries").get(0);
        assertThat(first.has("segmentSha256")).isFalse();
        assertThat(first.path("sha256").asText()).isEqualTo(java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(exact))));
        // One byte more: two segments, the second of one byte.
        assertThat(m.path("entries").get(1).path("segmentSha256")).hasSize(2);
        BackupArchiveReader.extract(archive, dir.resolve("restored"));
        assertThat(dir.resolve("restored/Attachments/one.bin")).hasSameBinaryContentAs(one);
    }

    @Test
    void aFileThatShrinksWhileItIsArchivedFailsTheEntry() throws Exception {
        Path f = dir.resolve("shrinking.txt");
        Files.write(f, random(1000, 5));
        Path archive = Files.createDirectories(dir.resolve("dest")).resolve("testdb-0004.tar");
        try (BackupArchiveWriter w = new BackupArchiveWriter(archive, 0, 0);
             FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            assertThatThrownBy(() -> w.add("Attachments/shrinking.txt", 0,
                    new BackupArchiveWriter.Source(new byte[0], ch, 2000, false), n -> { }))
                    .isInstanceOf(IOException.class).hasMessageContaining("ended after 1000 of 2000 bytes");
        }
        assertThat(archive).doesNotExist();
    }

    @Test
    void atHigherLevelsIncompressibleDataKeepsTheWorkers() throws Exception {
        Path dataFile = dir.resolve("data.bin");
        Files.write(dataFile, random(2 * BackupArchiveWriter.CHUNK, 6));
        Path catalog = dir.resolve("catalog.xml");
        Files.writeString(catalog, "<catalog/>");
        Path archive = Files.createDirectories(dir.resolve("dest")).resolve("testdb-0005.tar.zst");
        try (BackupArchiveWriter w = new BackupArchiveWriter(archive, 3, 0)) {
            w.addFile("Structure/catalog.xml", catalog, n -> { });
            w.addFile("Data/testdb.mv.db", dataFile, n -> { });
            assertThat(w.zstdFrames()).isEqualTo(1);
            w.finish(new ObjectMapper().createObjectNode());
        }
        BackupArchiveReader.extract(archive, null);
    }

    /** Text of words drawn at random from a small vocabulary: compresses about 3 : 1 at level 1, much less at -30. */
    private static byte[] words(int n, long seed) {
        Random r = new Random(seed);
        String[] vocabulary = new String[2000];
        for (int i = 0; i < vocabulary.length; i++) {
            char[] w = new char[2 + r.nextInt(8)];
            for (int j = 0; j < w.length; j++) {
                w[j] = (char) ('a' + r.nextInt(26));
            }
            vocabulary[i] = new String(w);
        }
        StringBuilder sb = new StringBuilder(n + 16);
        while (sb.length() < n) {
            sb.append(vocabulary[r.nextInt(vocabulary.length)]).append(r.nextInt(12) == 0 ? ".\n" : " ");
        }
        return sb.substring(0, n).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** Levels given in advance: {@code levels[0]} to begin with, then one per chunk, the last one kept. */
    private static BackupArchiveWriter.Levels script(int... levels) {
        return new BackupArchiveWriter.Levels() {
            private int i;

            @Override
            public int level() {
                return levels[0];
            }

            @Override
            public int next(long compressWaitNanos, long hashWaitNanos, long chunkNanos) {
                assertThat(compressWaitNanos + hashWaitNanos).isBetween(0L, chunkNanos);
                i = Math.min(i + 1, levels.length - 1);
                return levels[i];
            }
        };
    }

    @Test
    void levelsChangedMidStreamMakeOneFrameAChunkAndTheArchiveReadsWithSystemZstdTarAndTheReaders() throws Exception {
        byte[] data = words(6 * BackupArchiveWriter.CHUNK + 12_345, 7);
        Path dataFile = dir.resolve("data.txt");
        Files.write(dataFile, data);
        Path catalog = dir.resolve("catalog.xml");
        Files.writeString(catalog, "<catalog/>");
        Path dest = Files.createDirectories(dir.resolve("dest"));
        byte[] k = new byte[32];
        new Random(8).nextBytes(k);
        BackupKey key = BackupKey.of(k);
        for (BackupKey withKey : new BackupKey[] {null, key}) {
            String name = withKey == null ? "testdb-0006.tar.zst" : "testdb-0007.tar.zst" + EncryptedFile.SUFFIX;
            Path archive = dest.resolve(name);
            try (BackupArchiveWriter w = new BackupArchiveWriter(archive, 1, 0, withKey, script(1, -30, -7, 1, -30))) {
                w.addFile("Structure/catalog.xml", catalog, n -> { });
                w.addFile("Data/testdb.mv.db", dataFile, n -> { });
                // The catalog and the data file's header in one frame, one frame per chunk of the data file,
                // then the frame that its padding began (the manifest and the tar's end go there too).
                assertThat(w.zstdFrames()).isEqualTo(1 + 7 + 1);
                assertThat(w.levelBytes()).containsOnlyKeys(-30, -7, 1);
                assertThat(w.levelBytes().values().stream().mapToLong(Long::longValue).sum())
                        .isEqualTo(data.length + "<catalog/>".length());
                assertThat(w.levelBytes().get(-30)).isEqualTo(data.length - 3L * BackupArchiveWriter.CHUNK);
                w.finish(new ObjectMapper().createObjectNode().put("number", 1));
            }

            // The reader that verify, restore and the automatic restore use checks every checksum.
            Path restored = dir.resolve("restored-" + name);
            BackupArchiveReader.extract(archive, restored, withKey == null ? BackupKey.Source.NONE
                    : BackupKey.Source.of(withKey));
            assertThat(restored.resolve("Data/testdb.mv.db")).hasSameBinaryContentAs(dataFile);

            // The system's zstd and tar read the same stream (decrypted first when it is encrypted).
            Path zst = archive;
            if (withKey != null) {
                zst = dir.resolve("decrypted.tar.zst");
                try (java.io.InputStream in = new EncryptedFile.Reader(Files.newInputStream(archive),
                        BackupKey.Source.of(withKey), "archive", io.tetradb.client.ErrorCode.BACKUP_VERIFY_FAILED)) {
                    Files.copy(in, zst);
                }
            }
            SystemTar.run(dir, "zstd", "-q", "-t", zst.toString());
            Path tarFile = dir.resolve("plain-" + (withKey == null ? 6 : 7) + ".tar");
            SystemTar.run(dir, "zstd", "-q", "-d", zst.toString(), "-o", tarFile.toString());
            Path out = Files.createDirectories(dir.resolve("extracted-" + name));
            SystemTar.run(out, "tar", "--zstd", "-xf", zst.toString());
            assertThat(out.resolve("Data/testdb.mv.db")).hasSameBinaryContentAs(dataFile);
            Path outTar = Files.createDirectories(dir.resolve("untarred-" + name));
            SystemTar.run(outTar, "tar", "-xf", tarFile.toString());
            assertThat(outTar.resolve("Data/testdb.mv.db")).hasSameBinaryContentAs(dataFile);
            JsonNode manifest = new ObjectMapper().readTree(out.resolve("MANIFEST.json").toFile());
            assertThat(ManifestChecks.assertMatches(out, manifest)).isEmpty();
            JsonNode levels = manifest.path("zstdLevels");
            assertThat(levels.path("min").asInt()).isEqualTo(-30);
            assertThat(levels.path("max").asInt()).isEqualTo(1);
            List<String> listed = new ArrayList<>();
            levels.path("bytes").fieldNames().forEachRemaining(listed::add);
            assertThat(listed).containsExactly("1", "-7", "-30");
            assertThat(levels.path("bytes").path("-7").asLong()).isEqualTo(BackupArchiveWriter.CHUNK);
            if (withKey != null) {
                Files.delete(zst);
            }
        }
    }

    @Test
    void theLevelAskedForAFrameTakesEffectAndAFixedLevelIsRecorded() throws Exception {
        byte[] data = words(4 * BackupArchiveWriter.CHUNK, 9);
        Path dataFile = dir.resolve("data.txt");
        Files.write(dataFile, data);
        Path dest = Files.createDirectories(dir.resolve("dest"));
        long[] sizes = new long[2];
        for (int i = 0; i < 2; i++) {
            Path archive = dest.resolve("testdb-000" + (8 + i) + ".tar.zst");
            // Level 1 throughout, then level 1 for the first chunk and -30 for the three others.
            BackupArchiveWriter.Levels levels = i == 0 ? null : script(1, -30);
            try (BackupArchiveWriter w = new BackupArchiveWriter(archive, 1, 0, null, levels)) {
                w.addFile("Data/testdb.mv.db", dataFile, n -> { });
                assertThat(w.levelBytes()).containsOnlyKeys(i == 0 ? List.of(1) : List.of(1, -30));
                sizes[i] = w.finish(new ObjectMapper().createObjectNode());
            }
            BackupArchiveReader.extract(archive, null);
        }
        // The frames after the first were compressed at -30: three quarters of the data compressed much less.
        assertThat(sizes[1]).isGreaterThan(sizes[0] * 3 / 2);
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
