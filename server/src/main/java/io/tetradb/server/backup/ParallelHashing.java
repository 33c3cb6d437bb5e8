package io.tetradb.server.backup;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small pool that hashes file regions (an archive's segments, {@link SegmentDigests})
 * in parallel: at most {@link #defaultThreads()} threads, named {@code <prefix>-1},
 * {@code <prefix>-2}, ... and started on demand by the thread that submits (whose
 * priority they take: a backup's hashing runs at the backup's lower priority).
 *
 * <p>Memory is bounded without holding any copy of the data: a task reads its region
 * itself, with positional reads of the file (from the page cache when it was just written
 * or copied), through its thread's own {@link #BUFFER}-byte buffer. A {@link Run} keeps at
 * most {@link #maxInFlight()} regions queued or hashing and delivers their digests in the
 * order submitted.
 *
 * <p>Created and used by one thread (a {@link Run} too); the pool's threads only hash.
 */
public final class ParallelHashing implements AutoCloseable {
    /** Each hashing thread's read buffer. */
    static final int BUFFER = 1 << 20;
    /** At most this many threads, however many cores (never more than the cores). */
    private static final int MAX_THREADS = 4;

    /** Receives one region's digest, in submission order. */
    public interface Sink {
        void accept(long index, byte[] digest) throws IOException;
    }

    private final ExecutorService pool;
    private final int threads;
    private final ThreadLocal<ByteBuffer> buffers = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(BUFFER));

    /** A pool of {@link #defaultThreads()} threads named {@code prefix-N}. */
    public ParallelHashing(String prefix) {
        this(prefix, defaultThreads());
    }

    public ParallelHashing(String prefix, int threads) {
        this.threads = Math.max(1, threads);
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(this.threads, r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** The cores, at most {@value #MAX_THREADS}. */
    public static int defaultThreads() {
        return Math.max(1, Math.min(MAX_THREADS, Runtime.getRuntime().availableProcessors()));
    }

    public int threads() {
        return threads;
    }

    /** Regions a {@link Run} keeps queued or hashing at most: twice the threads. */
    public int maxInFlight() {
        return 2 * threads;
    }

    /** A new sequence of regions whose digests go to {@code sink} in order. */
    public Run run(Sink sink) {
        return new Run(sink);
    }

    /** One sequence of regions (one entry's segments). */
    public final class Run {
        private final Deque<Future<byte[]>> running = new ArrayDeque<>();
        private final Sink sink;
        private long delivered;

        private Run(Sink sink) {
            this.sink = sink;
        }

        /**
         * Queues the hashing of {@code length} bytes of {@code ch} from {@code at}, once
         * fewer than {@link #maxInFlight()} are unfinished: waits for the oldest first (and
         * delivers them, which may throw what the sink throws).
         */
        public void submit(FileChannel ch, long at, long length) throws IOException {
            while (running.size() >= maxInFlight()) {
                deliverOldest();
            }
            running.add(pool.submit(() -> SegmentDigests.hashRegion(ch, at, length, buffers.get())));
        }

        /** Waits for every region and delivers the rest. */
        public void finish() throws IOException {
            while (!running.isEmpty()) {
                deliverOldest();
            }
        }

        /**
         * Drops what is not hashed yet (after a failure or a stop). A region being hashed
         * finishes on its own: interrupting it would close the shared channel.
         */
        public void cancel() {
            running.forEach(f -> f.cancel(false));
            running.clear();
        }

        private void deliverOldest() throws IOException {
            byte[] d = await(running.removeFirst());
            sink.accept(delivered++, d);
        }
    }

    private static byte[] await(Future<byte[]> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while hashing.");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw new IOException(io.getMessage(), io);
            }
            throw new IOException("Hashing failed: " + c, c);
        }
    }

    /** Stops the threads; a region still being hashed ends on its own (nothing waits for it). */
    @Override
    public void close() {
        pool.shutdown();
    }
}
