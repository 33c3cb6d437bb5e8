package io.tetradb.server.backup;

/**
 * The zstd level of compression {@code fast}, chosen chunk by chunk from whether compression
 * is what the copy waits for, as zstd's own {@code --adapt} does: level 1 (the best ratio of
 * {@code fast}) while zstd keeps up with the reading, hashing and writing, zstd's negative
 * ("fast") levels, one step at a time down to {@link #FLOOR}, while the backup thread waits
 * for zstd's workers; back up one step at a time once it no longer waits. Never above level 1.
 *
 * <p>The signal ({@link BackupArchiveWriter} measures it): the share of a chunk's time (reading,
 * handing it to the hasher, compressing, writing, the progress call) that the backup thread
 * spent in zstd calls that took no input because every worker's buffer was full. On a 2-core
 * machine that share stays high at level 1 (zstd is the bottleneck) and the level settles
 * near the floor; where there are cores enough, or the disk is slow, or the copy is throttled
 * ({@code archive.maxRate}), the backup thread rarely waits for zstd and the level stays at 1.
 *
 * <p>zstd applies a level asked of it mid-frame from its next job on (zstd's workers cut the
 * frame into jobs of a few MiB), so the archive stays one zstd frame per run of entries, as
 * before; any zstd reads it. Used by the backup thread only.
 */
final class AdaptiveLevel implements BackupArchiveWriter.Levels {
    /**
     * The levels, from the best ratio to the fastest. Measured on the 2-core machine
     * (bench/NOTES.md, "Adaptive fast"): per core on the bench's compressible data, level 1
     * about 245 MB/s at a ratio of 3.1, -5 about 310-380 MB/s at 2.0-2.1, -10 420-480 at
     * 1.5-1.65, -20 580-660 at 1.3-1.4, -30 about 860 at 1.22; -50 gives 1.13, hardly worth
     * the name compression, so the floor is -30.
     */
    static final int[] LADDER = {1, -2, -4, -7, -10, -14, -20, -30};
    /** The fastest level {@code fast} goes down to. */
    static final int FLOOR = LADDER[LADDER.length - 1];
    /** A chunk that waited on zstd for more than this share of its time: one step faster. */
    static final double BEHIND = 0.05;
    /** A chunk that waited on zstd for less than this share of its time: one step toward level 1. */
    static final double AHEAD = 0.01;

    private int step;

    @Override
    public int level() {
        return LADDER[step];
    }

    @Override
    public int next(long waitNanos, long chunkNanos) {
        if (chunkNanos > 0) {
            double share = (double) waitNanos / chunkNanos;
            if (share > BEHIND) {
                step = Math.min(step + 1, LADDER.length - 1);
            } else if (share < AHEAD) {
                step = Math.max(step - 1, 0);
            }
        }
        return level();
    }
}
