package io.tetradb.server.log;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.tetradb.protocol.log.LogRecord;
import io.tetradb.protocol.log.SegmentHeader;
import io.tetradb.protocol.log.Transaction;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The framing of a log segment (tetra_log.proto's header comment): the magic, and frames of
 * a 4-byte big-endian length, a 4-byte big-endian CRC-32C of the payload, and the payload (one
 * {@link LogRecord}). A transaction's frame is built from its bytes serialized without
 * {@code first_operation} and a prefix that adds that field, so that the appending thread
 * serializes and the writer thread only numbers, frames and writes.
 *
 * <p>Stateless; any thread.
 */
final class LogFrames {
    /** The 8 bytes at the start of every segment file. */
    static final byte[] MAGIC = "TETRALG1".getBytes(StandardCharsets.US_ASCII);
    /** Frame length prefix plus checksum. */
    static final int FRAME_OVERHEAD = 8;
    /** The largest payload a frame may have (256 MiB); a longer stated length is damage or a torn tail. */
    static final int MAX_PAYLOAD = 256 << 20;

    private static final int TRANSACTION_TAG = (LogRecord.TRANSACTION_FIELD_NUMBER << 3)
            | WireFormat.WIRETYPE_LENGTH_DELIMITED;

    private LogFrames() {
    }

    /** The magic and the header's frame: the whole content of a new, empty segment. */
    static byte[] newSegment(SegmentHeader header) {
        byte[] payload = LogRecord.newBuilder().setHeader(header).build().toByteArray();
        ByteBuffer b = ByteBuffer.allocate(MAGIC.length + FRAME_OVERHEAD + payload.length);
        b.put(MAGIC).putInt(payload.length).putInt(crc(payload, 0, payload.length)).put(payload);
        return b.array();
    }

    /**
     * The payload bytes that come before a transaction's own bytes ({@code txBytes}, serialized
     * without first_operation): the LogRecord's field tag and length, then first_operation.
     * Protobuf reads fields in any order, so prefix + txBytes parses as the numbered transaction.
     */
    static byte[] transactionPrefix(long firstOperation, int txBytesLength) {
        int inner = CodedOutputStream.computeInt64Size(Transaction.FIRST_OPERATION_FIELD_NUMBER, firstOperation)
                + txBytesLength;
        byte[] prefix = new byte[CodedOutputStream.computeUInt32SizeNoTag(TRANSACTION_TAG)
                + CodedOutputStream.computeUInt32SizeNoTag(inner)
                + CodedOutputStream.computeInt64Size(Transaction.FIRST_OPERATION_FIELD_NUMBER, firstOperation)];
        CodedOutputStream out = CodedOutputStream.newInstance(prefix);
        try {
            out.writeUInt32NoTag(TRANSACTION_TAG);
            out.writeUInt32NoTag(inner);
            out.writeInt64(Transaction.FIRST_OPERATION_FIELD_NUMBER, firstOperation);
            out.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return prefix;
    }

    /** The size of a transaction's whole frame. */
    static long transactionFrameSize(long firstOperation, int txBytesLength) {
        return FRAME_OVERHEAD + (long) transactionPrefix(firstOperation, txBytesLength).length + txBytesLength;
    }

    static int crc(byte[] b, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(b, off, len);
        return (int) c.getValue();
    }
}
