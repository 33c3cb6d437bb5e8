package io.tetradb.server.log;

import io.tetradb.protocol.log.SegmentHeader;

/**
 * What reading a whole segment found: its header, how many transactions it holds, the last
 * operation, the end of its last good frame and the bytes of a torn tail after it.
 *
 * <p>Immutable; any thread.
 *
 * @param header        the segment's header
 * @param transactions  transactions read
 * @param lastOperation the last operation read ({@code header.first_operation - 1} when none)
 * @param goodEnd       the byte offset where the last good frame ends
 * @param droppedBytes  the bytes of a torn tail after {@code goodEnd} (0 when none)
 * @param fileSize      the file's size when read
 */
public record SegmentScan(SegmentHeader header, long transactions, long lastOperation, long goodEnd,
                          long droppedBytes, long fileSize) {
    /** Whether the file ended with a torn tail. */
    public boolean tornTail() {
        return droppedBytes > 0;
    }
}
