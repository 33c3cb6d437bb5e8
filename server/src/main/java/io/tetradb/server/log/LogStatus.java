package io.tetradb.server.log;

/**
 * A snapshot of the log file's state and counters, for {@code tetra-admin log status} and the bench.
 *
 * <p>Immutable; any thread.
 *
 * @param file             the log file's name (no folder)
 * @param segment          the current segment's number
 * @param firstOperation   the first operation the current segment holds (or will hold)
 * @param lastOperation    the last operation written to it ({@code firstOperation - 1} when none)
 * @param sizeBytes        the file's size as the log knows it (the end of its last good frame)
 * @param lastSyncMillis   when the file was last forced to disk (epoch ms; 0 before the first force)
 * @param syncs            forces since the log was opened
 * @param transactions     transactions written since the log was opened
 * @param operations       operations written since the log was opened
 * @param bytesWritten     bytes written since the log was opened
 * @param largestBatch     the most transactions one write (and so one force, in COMMIT mode) carried
 * @param writable         false while the log is failed and refuses appends with 1274
 * @param failure          why it is failed, or null
 */
public record LogStatus(String file, long segment, long firstOperation, long lastOperation, long sizeBytes,
                        long lastSyncMillis, long syncs, long transactions, long operations, long bytesWritten,
                        long largestBatch, boolean writable, String failure) {
    /** Operations per force (0 before the first). */
    public double operationsPerSync() {
        return syncs == 0 ? 0 : (double) operations / syncs;
    }
}
