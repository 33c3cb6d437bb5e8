package io.tetradb.server.log;

import com.google.protobuf.InvalidProtocolBufferException;
import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraException;
import io.tetradb.protocol.log.LogRecord;
import io.tetradb.protocol.log.SegmentHeader;
import io.tetradb.protocol.log.Transaction;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * Reads one log segment file (the current {@code Data/<name>.journal} or a closed segment):
 * checks its magic and header, then gives its transactions one at a time, in file order.
 *
 * <p>Invariants:
 * <ol>
 * <li>At most one record is in memory at a time, and no frame longer than
 *     {@link LogFrames#MAX_PAYLOAD} is ever read (a longer stated length is a bad frame).</li>
 * <li>A bad frame (cut short by the end of the file, a length of 0 or above the limit, or a
 *     checksum that fails) after which no valid transaction frame starts anywhere in the file
 *     is a <b>torn tail</b>: reading ends there, {@link #goodEnd()} is the end of the last good
 *     frame and {@link #droppedBytes()} what follows it.</li>
 * <li>A bad frame followed by a valid transaction frame, a frame whose checksum holds but
 *     whose content is not a transaction, and a transaction whose first operation is not the
 *     one after the previous transaction's last are <b>damage</b>: {@link TetraException} 1413
 *     naming the byte offset.</li>
 * <li>A header of another database is refused with 1416; a missing magic or an unreadable
 *     header is damage (1413).</li>
 * </ol>
 * Telling a torn tail from damage searches the rest of the file for the start of a valid
 * transaction frame: one pass over it with a cheap filter (the payload must begin with the
 * transaction's tag and a length that matches the frame's), a checksum only for the rare
 * candidates; only done once a bad frame was met.
 *
 * <p>Not thread-safe: one thread reads a reader.
 */
public final class SegmentReader implements Closeable {
    private static final int WINDOW = 64 * 1024;

    private final Path file;
    private final FileChannel channel;
    private final long size;
    private final SegmentHeader header;
    private final ByteBuffer frameHead = ByteBuffer.allocate(LogFrames.FRAME_OVERHEAD);
    private long position;
    private long nextOperation;
    private long transactions;
    private boolean ended;
    private long dropped;

    private SegmentReader(Path file, FileChannel channel, String expectedDatabaseId, long end) throws IOException {
        this.file = file;
        this.channel = channel;
        this.size = Math.min(channel.size(), end);
        byte[] magic = new byte[LogFrames.MAGIC.length];
        if (size < magic.length || readFully(ByteBuffer.wrap(magic), 0) < magic.length
                || !Arrays.equals(magic, LogFrames.MAGIC)) {
            throw damaged("it is not a Tetra log file (it does not start with TETRALG1)");
        }
        position = LogFrames.MAGIC.length;
        Frame f = readFrame(position);
        if (f.record == null || f.record.getKindCase() != LogRecord.KindCase.HEADER) {
            throw damaged("its segment header at offset " + position + " is unreadable");
        }
        header = f.record.getHeader();
        if (header.getFormatVersion() != 1) {
            throw damaged("its format version " + header.getFormatVersion() + " is not known to this server");
        }
        if (expectedDatabaseId != null && !expectedDatabaseId.equals(header.getDatabaseId())) {
            throw new TetraException(ErrorCode.LOG_SEGMENT_FOREIGN, "The log segment " + file.getFileName()
                    + " belongs to the database with id " + header.getDatabaseId() + ", not to this one ("
                    + expectedDatabaseId + ").");
        }
        position = f.end;
        nextOperation = header.getFirstOperation();
    }

    /**
     * Opens a segment and reads its header.
     *
     * @param expectedDatabaseId the database id the header must carry, or null to accept any
     * @throws TetraException 1413 when it is not a readable segment, 1416 when it is another database's
     */
    public static SegmentReader open(Path file, String expectedDatabaseId) throws IOException {
        return open(file, expectedDatabaseId, Long.MAX_VALUE);
    }

    /**
     * Opens a segment that may be being written, reading it only up to {@code end} (the
     * writer's {@link OperationLog#readableEnd()}): what lies after it, a frame being written,
     * is not looked at.
     *
     * @throws TetraException as {@link #open(Path, String)}
     */
    public static SegmentReader open(Path file, String expectedDatabaseId, long end) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        try {
            return new SegmentReader(file, ch, expectedDatabaseId, end);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * Reads a whole segment, giving each transaction to {@code each} in order.
     *
     * @throws TetraException 1413 or 1416 as {@link #next()} and {@link #open} do
     */
    public static SegmentScan scan(Path file, String expectedDatabaseId, Consumer<Transaction> each)
            throws IOException {
        try (SegmentReader r = open(file, expectedDatabaseId)) {
            for (Transaction t = r.next(); t != null; t = r.next()) {
                each.accept(t);
            }
            return new SegmentScan(r.header, r.transactions, r.nextOperation - 1, r.position, r.dropped, r.size);
        }
    }

    /**
     * Goes on reading at {@code offset}, where a frame starts whose first operation follows
     * {@code lastOperation} (a position a checkpoint recorded, {@link OperationLog#position()}):
     * what lies before it is not read. The frame there is checked as any other.
     *
     * @throws IllegalArgumentException when {@code offset} is before the first frame or past the end
     */
    public void skipTo(long offset, long lastOperation) {
        if (offset < position || offset > size || lastOperation < nextOperation - 1) {
            throw new IllegalArgumentException("offset " + offset + " (operation " + lastOperation + ") is not in "
                    + file.getFileName() + " (frames from " + position + " to " + size + ")");
        }
        position = offset;
        nextOperation = lastOperation + 1;
    }

    /**
     * As {@link #scan}, from a recorded position when {@code file} is segment {@code segment};
     * null when it is another segment.
     */
    public static SegmentScan scanFrom(Path file, String expectedDatabaseId, long segment, long offset,
                                       long lastOperation) throws IOException {
        try (SegmentReader r = open(file, expectedDatabaseId)) {
            if (r.header.getSegment() != segment) {
                return null;
            }
            r.skipTo(offset, lastOperation);
            for (Transaction t = r.next(); t != null; t = r.next()) {
                // read through to the end: its frames are checked
            }
            return new SegmentScan(r.header, r.transactions, r.nextOperation - 1, r.position, r.dropped, r.size);
        }
    }

    /** The segment's header. */
    public SegmentHeader header() {
        return header;
    }

    /**
     * The next transaction, or null at the end of the good frames (the end of the file, or a
     * torn tail: then {@link #droppedBytes()} is above 0).
     *
     * @throws TetraException 1413 on damage
     */
    public Transaction next() throws IOException {
        if (ended) {
            return null;
        }
        if (position == size) {
            ended = true;
            return null;
        }
        Frame f = readFrame(position);
        if (f.record == null) {
            if (validFrameAfter(position + 1)) {
                throw damaged("the frame at offset " + position + " " + f.problem + ", and valid frames follow it");
            }
            ended = true;
            dropped = size - position;
            return null;
        }
        if (f.record.getKindCase() != LogRecord.KindCase.TRANSACTION) {
            throw damaged("the frame at offset " + position + " holds a " + f.record.getKindCase()
                    + " where a transaction belongs");
        }
        Transaction t = f.record.getTransaction();
        if (t.getFirstOperation() != nextOperation) {
            throw damaged("the transaction at offset " + position + " starts at operation " + t.getFirstOperation()
                    + " where operation " + nextOperation + " was due");
        }
        nextOperation += t.getOperationsCount();
        transactions++;
        position = f.end;
        return t;
    }

    /** The end of the last good frame read so far (after the header at first). */
    public long goodEnd() {
        return position;
    }

    /** The bytes after {@link #goodEnd()} that a torn tail left; 0 unless reading ended at one. */
    public long droppedBytes() {
        return dropped;
    }

    /** The number of the last operation read so far (the header's first operation - 1 before any). */
    public long lastOperation() {
        return nextOperation - 1;
    }

    /** The file's size when it was opened (at most the end it was opened with). */
    public long fileSize() {
        return size;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private record Frame(LogRecord record, long end, String problem) {
    }

    private Frame readFrame(long at) throws IOException {
        if (at + LogFrames.FRAME_OVERHEAD > size) {
            return new Frame(null, 0, "is cut short");
        }
        frameHead.clear();
        readFully(frameHead, at);
        frameHead.flip();
        long length = Integer.toUnsignedLong(frameHead.getInt());
        int crc = frameHead.getInt();
        if (length == 0 || length > LogFrames.MAX_PAYLOAD) {
            return new Frame(null, 0, "states a length of " + length + " bytes");
        }
        if (at + LogFrames.FRAME_OVERHEAD + length > size) {
            return new Frame(null, 0, "is cut short");
        }
        byte[] payload = new byte[(int) length];
        readFully(ByteBuffer.wrap(payload), at + LogFrames.FRAME_OVERHEAD);
        if (LogFrames.crc(payload, 0, payload.length) != crc) {
            return new Frame(null, 0, "fails its checksum");
        }
        LogRecord r;
        try {
            r = LogRecord.parseFrom(payload);
        } catch (InvalidProtocolBufferException e) {
            throw damaged("the frame at offset " + at + " passes its checksum but cannot be decoded");
        }
        if (r.getKindCase() == LogRecord.KindCase.KIND_NOT_SET) {
            throw damaged("the frame at offset " + at + " passes its checksum but holds no record");
        }
        return new Frame(r, at + LogFrames.FRAME_OVERHEAD + length, null);
    }

    /** Whether a valid transaction frame starts at some offset from {@code from} on. */
    private boolean validFrameAfter(long from) throws IOException {
        ByteBuffer w = ByteBuffer.allocate(WINDOW + 16);
        for (long start = from; start + LogFrames.FRAME_OVERHEAD + 2 <= size; start += WINDOW) {
            w.clear();
            int n = readFully(w, start);
            byte[] b = w.array();
            for (int i = 0; i < WINDOW && i + LogFrames.FRAME_OVERHEAD + 2 <= n; i++) {
                long length = ((b[i] & 0xFFL) << 24) | ((b[i + 1] & 0xFF) << 16) | ((b[i + 2] & 0xFF) << 8)
                        | (b[i + 3] & 0xFF);
                long at = start + i;
                if (length < 2 || length > LogFrames.MAX_PAYLOAD
                        || at + LogFrames.FRAME_OVERHEAD + length > size
                        || b[i + 8] != 0x12 || !innerLengthMatches(b, i + 9, n, length)) {
                    continue;
                }
                int crc = ((b[i + 4] & 0xFF) << 24) | ((b[i + 5] & 0xFF) << 16) | ((b[i + 6] & 0xFF) << 8)
                        | (b[i + 7] & 0xFF);
                if (crcOf(at + LogFrames.FRAME_OVERHEAD, length) == crc) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether the varint at {@code b[off]} is the frame's length less the tag and the varint itself. */
    private static boolean innerLengthMatches(byte[] b, int off, int n, long frameLength) {
        long v = 0;
        for (int k = 0; k < 5 && off + k < n; k++) {
            v |= (long) (b[off + k] & 0x7F) << (7 * k);
            if ((b[off + k] & 0x80) == 0) {
                return v == frameLength - 1 - (k + 1);
            }
        }
        return false;
    }

    private int crcOf(long at, long length) throws IOException {
        CRC32C c = new CRC32C();
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(length, WINDOW));
        long done = 0;
        while (done < length) {
            buf.clear();
            buf.limit((int) Math.min(buf.capacity(), length - done));
            int n = readFully(buf, at + done);
            if (n <= 0) {
                return ~0;
            }
            buf.flip();
            c.update(buf);
            done += n;
        }
        return (int) c.getValue();
    }

    private int readFully(ByteBuffer b, long at) throws IOException {
        int total = 0;
        while (b.hasRemaining()) {
            int n = channel.read(b, at + total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    private TetraException damaged(String what) {
        return new TetraException(ErrorCode.LOG_SEGMENT_DAMAGED, "The log segment " + file.getFileName()
                + " is damaged: " + what + ".");
    }
}
