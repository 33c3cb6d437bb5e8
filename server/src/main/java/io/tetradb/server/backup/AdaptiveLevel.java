package io.tetradb.server.backup;

/**
 * The zstd level of compression {@code fast}, chosen chunk by chunk from whether compression
 * is what the copy waits for, as zstd's own {@code --adapt} does: level 1 (the best ratio of
 * {@code fast}) while zstd keeps up with the reading, hashing and writing, zstd's negative
 * ("fast") levels, a step or two at a time down to {@link #FLOOR}, while the backup thread
 * waits for the frame threads; back up one step at a time once it waits for neither them nor
 * the hasher. Never above level 1. Judged every {@link #WINDOW} chunks (8 MiB each).
 *
 * <p>The signal ({@link BackupArchiveWriter} measures it): the share of the chunks' time
 * (reading, handing them to the hasher, compressing, writing, the progress calls) that the
 * backup thread spent waiting for a frame slot (every frame thread busy and one frame
 * queued) or for the hasher. On a 2-core machine zstd is the bottleneck at level 1 and the
 * level settles low; where there are cores enough, or the disk is slow, or the copy is
 * throttled ({@code archive.maxRate}), the backup thread does not wait for zstd and the
 * level stays at 1.
 *
 * <p>Each chunk of an entry that compresses is an independent zstd frame compressed at its
 * own level; concatenated frames are one zstd stream, which any zstd reads. Used by the
 * backup thread only.
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
    /** Chunks judged together: frames finish in bursts, so one chunk alone says little. */
    static final int WINDOW = 3;
    /** A window that waited on zstd for more than this share of its time: one step faster. */
    static final double BEHIND = 0.05;
    /** A window that waited on zstd for more than this share: two steps faster (far behind). */
    static final double FAR_BEHIND = 0.25;
    /** A window that waited on zstd and on the hasher for less than this share each: one step toward level 1. */
    static final double AHEAD = 0.01;

    private int step;
    private int chunks;
    private long compressWait;
    private long hashWait;
    private long total;

    @Override
    public int level() {
        return LADDER[step];
    }

    /**
     * Adds one chunk to the window; at the window's end, decides: waiting for zstd steps
     * down; waiting for neither zstd nor the hasher steps up (zstd waited for the reading,
     * the writing or the rate limit); waiting for the hasher alone keeps the level (a higher
     * one would take CPU from it where cores are few, a lower one would buy nothing).
     */
    @Override
    public int next(long compressWaitNanos, long hashWaitNanos, long chunkNanos) {
        compressWait += compressWaitNanos;
        hashWait += hashWaitNanos;
        total += chunkNanos;
        if (++chunks < WINDOW) {
            return level();
        }
        if (total > 0) {
            double compress = (double) compressWait / total;
            double hash = (double) hashWait / total;
            if (compress > BEHIND) {
                step = Math.min(step + (compress > FAR_BEHIND ? 2 : 1), LADDER.length - 1);
            } else if (compress < AHEAD && hash < AHEAD) {
                step = Math.max(step - 1, 0);
            }
        }
        chunks = 0;
        compressWait = 0;
        hashWait = 0;
        total = 0;
        return level();
    }
}
