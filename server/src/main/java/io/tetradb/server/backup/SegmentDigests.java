package io.tetradb.server.backup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The checksums of an archive's entries (docs/backups.md, "The manifest"). Format 1 gives
 * every entry the SHA-256 of its content. Format 2 does the same for an entry of a
 * compressed archive and for an entry of at most one segment; an entry of an uncompressed
 * archive that is longer than one segment ({@link #SEGMENT_SIZE}) is cut into segments of
 * that size from its first byte (the last one shorter), each with its own SHA-256
 * ({@code segmentSha256}), and its {@code sha256} is the SHA-256 of the segments' 32-byte
 * digests one after the other ({@link #ofSegments}). Segments hash and verify in parallel
 * ({@link ParallelHashing}); a damaged one is named.
 *
 * <p>Stateless; any thread.
 */
public final class SegmentDigests {
    /** The manifest format this server writes (MANIFEST.json's {@code format}). */
    public static final int FORMAT = 2;
    /** The formats this server reads. */
    public static final int OLDEST_FORMAT = 1;
    /** The segment size format 2 writes (8 MiB); a reader takes each entry's {@code segmentSize}. */
    public static final int SEGMENT_SIZE = 8 << 20;
    /** The largest {@code segmentSize} a reader accepts. */
    public static final int MAX_SEGMENT_SIZE = 1 << 30;

    private SegmentDigests() {
    }

    /** Whether format 2 records an uncompressed entry of {@code size} bytes by segment: it is longer than one. */
    public static boolean segmented(long size, int segmentSize) {
        return size > segmentSize;
    }

    /** The segments of an entry of {@code size} bytes: its size divided by the segment size, rounded up. */
    public static long count(long size, int segmentSize) {
        if (segmentSize <= 0) {
            throw new IllegalArgumentException("segment size " + segmentSize);
        }
        return size == 0 ? 0 : (size - 1) / segmentSize + 1;
    }

    /** The length of segment {@code index} of an entry of {@code size} bytes (the last one may be shorter). */
    public static int length(long size, int segmentSize, long index) {
        return (int) Math.min(segmentSize, size - index * segmentSize);
    }

    /**
     * An entry's digest in format 2 when it is recorded by segment: the SHA-256 of its
     * segments' SHA-256 digests (32 bytes each, not their hex), concatenated in order.
     */
    public static byte[] ofSegments(List<byte[]> segmentDigests) {
        MessageDigest md = sha256();
        for (byte[] d : segmentDigests) {
            if (d.length != 32) {
                throw new IllegalArgumentException("a SHA-256 digest has 32 bytes, not " + d.length);
            }
            md.update(d);
        }
        return md.digest();
    }

    /** {@link #ofSegments} of digests given in lower-case hex, as the manifest lists them; the result in hex. */
    public static String ofSegmentsHex(List<String> segmentDigests) {
        List<byte[]> raw = new ArrayList<>(segmentDigests.size());
        for (String h : segmentDigests) {
            raw.add(HexFormat.of().parseHex(h));
        }
        return hex(ofSegments(raw));
    }

    /** The SHA-256 digests of the consecutive segments of {@code data} (an in-memory entry). */
    public static List<byte[]> segments(byte[] data, int segmentSize) {
        List<byte[]> out = new ArrayList<>();
        for (long i = 0; i < count(data.length, segmentSize); i++) {
            MessageDigest md = sha256();
            md.update(data, (int) (i * segmentSize), length(data.length, segmentSize, i));
            out.add(md.digest());
        }
        return out;
    }

    /**
     * The SHA-256 of {@code length} bytes of {@code ch} from {@code at}, read with
     * positional reads (which several threads may make at once on one channel) through
     * {@code buffer}.
     */
    public static byte[] hashRegion(FileChannel ch, long at, long length, ByteBuffer buffer) throws IOException {
        MessageDigest md = sha256();
        long pos = at;
        long end = at + length;
        while (pos < end) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), end - pos));
            int r = ch.read(buffer, pos);
            if (r < 0) {
                throw new IOException("The file ended at byte " + pos + " where " + end + " bytes were expected.");
            }
            pos += r;
            buffer.flip();
            md.update(buffer);
        }
        return md.digest();
    }

    public static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
