package io.tetradb.server.convert;

import org.h2.mvstore.DataUtils;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/**
 * Reads a data file's own header to tell which format it has ({@link DataFileFormat}),
 * whatever its name: an MVStore file starts with a text header {@code H:2,...,format:N,...},
 * a page store with {@code -- H2 0.5/B --}. Also checks, for a split file given as its
 * segments, that the newest chunk the header names and the chunk footer at the end of
 * the file are really there (a missing last segment would otherwise go unnoticed, and H2
 * would silently open an older version of the data).
 *
 * <p>Stateless; any thread.
 */
public final class FormatDetector {
    private static final String PAGE_STORE_MAGIC = "-- H2 0.5/B --";
    static final int BLOCK_SIZE = 4096;
    private static final int FOOTER_LENGTH = 128;

    private FormatDetector() {
    }

    /** The format of {@code file}. */
    public static DataFileFormat detect(Path file) throws IOException {
        return detect(List.of(file));
    }

    /** The format of a file given as its segments (the first one holds the header). */
    public static DataFileFormat detect(List<Path> segments) throws IOException {
        byte[] head = SegmentedFile.readAt(segments, 0, BLOCK_SIZE);
        String text = new String(head, StandardCharsets.ISO_8859_1);
        if (text.startsWith(PAGE_STORE_MAGIC)) {
            return DataFileFormat.pageStore();
        }
        Map<String, String> header = mvStoreHeader(head);
        if (header == null) {
            // The second copy of the header (block 1) when the first one is damaged.
            header = mvStoreHeader(SegmentedFile.readAt(segments, BLOCK_SIZE, BLOCK_SIZE));
        }
        if (header == null || !header.containsKey("format")) {
            return DataFileFormat.unknown();
        }
        try {
            return DataFileFormat.mvStore(Integer.parseInt(header.get("format"), 16));
        } catch (NumberFormatException e) {
            return DataFileFormat.unknown();
        }
    }

    /** The fields of an MVStore header block, or null when the block is not one (or its checksum is wrong). */
    static Map<String, String> mvStoreHeader(byte[] block) {
        String s = new String(block, StandardCharsets.ISO_8859_1);
        int end = s.indexOf('\n');
        if (!s.startsWith("H:") || end < 0) {
            return null;
        }
        s = s.substring(0, end).trim();
        return checkedMap(s);
    }

    /** Parses {@code key:value,...,fletcher:x} and checks its Fletcher-32 checksum as H2 1.4 and 2 do. */
    private static Map<String, String> checkedMap(String s) {
        try {
            Map<String, String> m = DataUtils.parseMap(s);
            String fletcher = m.get("fletcher");
            int at = s.lastIndexOf(",fletcher");
            if (fletcher == null || at < 0) {
                return null;
            }
            byte[] bytes = s.substring(0, at).getBytes(StandardCharsets.ISO_8859_1);
            int expected = (int) Long.parseLong(fletcher, 16);
            // H2 2 sums every byte (an odd one padded); H2 1.4 left an odd last byte out.
            return expected == DataUtils.getFletcher32(bytes, 0, bytes.length)
                    || expected == DataUtils.getFletcher32(bytes, 0, bytes.length / 2 * 2) ? m : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * Checks that an MVStore file given as its segments is complete: the chunk the header
     * names lies inside the file, and the file ends with a valid chunk footer. Returns
     * null when it is, otherwise what is wrong (a sentence).
     */
    public static String checkMvStoreComplete(List<Path> segments) throws IOException {
        long size = SegmentedFile.size(segments);
        Map<String, String> header = mvStoreHeader(SegmentedFile.readAt(segments, 0, BLOCK_SIZE));
        if (header == null) {
            header = mvStoreHeader(SegmentedFile.readAt(segments, BLOCK_SIZE, BLOCK_SIZE));
        }
        if (header == null) {
            return "the file header is damaged";
        }
        long blockSize = header.containsKey("blockSize") ? Long.parseLong(header.get("blockSize"), 16) : BLOCK_SIZE;
        long block = header.containsKey("block") ? Long.parseLong(header.get("block"), 16) : 0;
        if (block > 0) {
            if ((block + 1) * blockSize > size) {
                return "the file ends before the newest chunk its header names (block " + block + ")";
            }
            Map<String, String> chunk = parseChunkHeader(SegmentedFile.readAt(segments, block * blockSize, 1024));
            if (chunk != null && chunk.containsKey("len")) {
                long len = Long.parseLong(chunk.get("len"), 16);
                if ((block + len) * blockSize > size) {
                    return "the file ends inside the chunk at block " + block;
                }
            }
        }
        if (size < 2L * blockSize + FOOTER_LENGTH) {
            return null;
        }
        byte[] footer = SegmentedFile.readAt(segments, size - FOOTER_LENGTH, FOOTER_LENGTH);
        String f = new String(footer, StandardCharsets.ISO_8859_1).trim();
        if (!f.startsWith("chunk:") || checkedMap(f) == null) {
            return "the file does not end with a chunk footer (it was cut short)";
        }
        return null;
    }

    private static Map<String, String> parseChunkHeader(byte[] b) {
        String s = new String(b, StandardCharsets.ISO_8859_1);
        int end = s.indexOf('\n');
        if (!s.startsWith("chunk:") || end < 0) {
            return null;
        }
        try {
            return DataUtils.parseMap(s.substring(0, end).trim());
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Whether the MVStore header says the file was closed cleanly (true when it does not say). */
    public static boolean closedCleanly(Path file) throws IOException {
        Map<String, String> header = mvStoreHeader(SegmentedFile.readAt(List.of(file), 0, BLOCK_SIZE));
        return header == null || !"0".equals(header.getOrDefault("clean", "1"));
    }

    /** Random reads over the concatenation of a file's segments. */
    static final class SegmentedFile {
        private SegmentedFile() {
        }

        static long size(List<Path> segments) throws IOException {
            long n = 0;
            for (Path p : segments) {
                n += java.nio.file.Files.size(p);
            }
            return n;
        }

        /** Up to {@code length} bytes from {@code position} (fewer at the end of the file). */
        static byte[] readAt(List<Path> segments, long position, int length) throws IOException {
            ByteBuffer out = ByteBuffer.allocate(length);
            long start = 0;
            for (Path p : segments) {
                if (!out.hasRemaining()) {
                    break;
                }
                try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                    long size = ch.size();
                    long from = position + out.position();
                    if (from < start + size) {
                        long at = from - start;
                        while (out.hasRemaining() && at < size) {
                            int n = ch.read(out, at);
                            if (n < 0) {
                                break;
                            }
                            at += n;
                        }
                    }
                    start += size;
                }
            }
            byte[] b = new byte[out.position()];
            out.flip();
            out.get(b);
            return b;
        }
    }
}
