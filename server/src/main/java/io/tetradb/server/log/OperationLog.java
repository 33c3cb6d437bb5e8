package io.tetradb.server.log;

import io.tetradb.protocol.ErrorCode;
import io.tetradb.protocol.TetraException;
import io.tetradb.protocol.log.SegmentHeader;
import io.tetradb.protocol.log.Transaction;
import io.tetradb.server.DataLayout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;

/**
 * The log file being written ({@code Data/<name>.journal}, PRODUCT.md 4.10): numbers each
 * committed transaction's operations, appends its frame, and tells the committer through a
 * future when the frame is durable. Commits that arrive together share one write and one
 * force (group commit).
 *
 * <p>Threads: any thread calls {@link #append}, {@link #status()}, {@link #isWritable()};
 * one thread, {@code tetra-log-writer}, owns the file: it writes, forces, detects a removed
 * file, and while the log is failed retries every {@code retryInterval} to make it writable
 * again. {@link #close()} is called once, by the thread that stops the server.
 *
 * <p>Invariants, and how they are kept:
 * <ol>
 * <li>Operation numbers are consecutive and given in call order: {@link #append} takes the
 *     next number and queues the transaction under one lock, so the queue's order is the
 *     numbering order, and the writer writes the queue in that order.</li>
 * <li>In the file, numbering has no gap: a transaction that is refused gets no number; when
 *     a batch fails, its transactions and every queued one fail, appends are refused while
 *     the log is failed, and on recovery numbering goes on after the last operation whose
 *     frame was written ({@code lastGoodOperation}).</li>
 * <li>In {@link SyncMode#COMMIT}, a future completes only after the force that covers its
 *     frame; one force covers everything drained in one batch. In
 *     {@link SyncMode#EVERY_SECOND} it completes once written, and the writer forces within
 *     {@code forceInterval} after the first unforced write.</li>
 * <li>Nothing is acknowledged on a file that was removed or replaced: before each batch the
 *     writer compares the path's file key (device and inode) with the one it opened; the cost
 *     is one {@code stat} per batch, not per transaction.</li>
 * <li>While failed, appends fail at once with 1274 (nothing queues); the file is cut back to
 *     its last good frame (or created again with a header if it was removed) and probed with
 *     a write and a force before appends are accepted again.</li>
 * <li>Appenders serialize their own transaction, outside the lock; the writer only adds the
 *     number, the frame's length and checksum.</li>
 * </ol>
 */
public final class OperationLog implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(OperationLog.class);
    private static final int PROBE_BYTES = 4096;
    private static final int MIN_BUFFER = 64 * 1024;
    private static final int MAX_BUFFER = 4 << 20;

    /**
     * How a log is opened.
     *
     * <p>Immutable; any thread.
     */
    public static final class Options {
        private final SyncMode syncMode;
        private final long firstOperation;
        private final Duration retryInterval;
        private final Duration forceInterval;
        private final String serverVersion;
        private final WriterObserver observer;

        private Options(Builder b) {
            this.syncMode = b.syncMode;
            this.firstOperation = b.firstOperation;
            this.retryInterval = b.retryInterval;
            this.forceInterval = b.forceInterval;
            this.serverVersion = b.serverVersion;
            this.observer = b.observer;
        }

        public static Builder builder() {
            return new Builder();
        }

        /** When the file is forced. Default {@link SyncMode#COMMIT}. */
        public SyncMode syncMode() {
            return syncMode;
        }

        /** The first operation of a log created by {@link #open}. Default 1. */
        public long firstOperation() {
            return firstOperation;
        }

        /** How often a failed log tries to become writable again. Default 1 s. */
        public Duration retryInterval() {
            return retryInterval;
        }

        /** In {@link SyncMode#EVERY_SECOND}, the longest a write stays unforced. Default 1 s. */
        public Duration forceInterval() {
            return forceInterval;
        }

        /** Written into the header of a segment the log creates. Default empty. */
        public String serverVersion() {
            return serverVersion;
        }

        /** Builds {@link Options}. */
        public static final class Builder {
            private SyncMode syncMode = SyncMode.COMMIT;
            private long firstOperation = 1;
            private Duration retryInterval = Duration.ofSeconds(1);
            private Duration forceInterval = Duration.ofSeconds(1);
            private String serverVersion = "";
            private WriterObserver observer = WriterObserver.NONE;

            private Builder() {
            }

            public Builder syncMode(SyncMode v) {
                syncMode = Objects.requireNonNull(v);
                return this;
            }

            public Builder firstOperation(long v) {
                if (v < 1) {
                    throw new IllegalArgumentException("firstOperation must be at least 1: " + v);
                }
                firstOperation = v;
                return this;
            }

            public Builder retryInterval(Duration v) {
                retryInterval = positive(v, "retryInterval");
                return this;
            }

            public Builder forceInterval(Duration v) {
                forceInterval = positive(v, "forceInterval");
                return this;
            }

            public Builder serverVersion(String v) {
                serverVersion = Objects.requireNonNull(v);
                return this;
            }

            /** Test hook: sees each step of the writer. */
            Builder observer(WriterObserver v) {
                observer = Objects.requireNonNull(v);
                return this;
            }

            public Options build() {
                return new Options(this);
            }

            private static Duration positive(Duration v, String name) {
                if (v.isNegative() || v.isZero()) {
                    throw new IllegalArgumentException(name + " must be positive: " + v);
                }
                return v;
            }
        }
    }

    /** Test hook: the writer thread calls it at each step of a batch. */
    interface WriterObserver {
        WriterObserver NONE = new WriterObserver() {
        };

        /** Before a batch of {@code transactions} from {@code firstOperation} on is written. */
        default void beforeWrite(long firstOperation, int transactions) {
        }

        /** After a force that made every operation up to {@code lastOperation} durable. */
        default void afterForce(long lastOperation) {
        }
    }

    /**
     * A transaction handed to the log.
     *
     * @param firstOperation its first operation's number (0 when it was refused)
     * @param lastOperation  its last operation's number (0 when it was refused)
     * @param durable        completes when it is on disk ({@link SyncMode#COMMIT}) or written
     *                       ({@link SyncMode#EVERY_SECOND}); fails with a {@link TetraException}
     *                       1274 when the log cannot be written, 2008 when the log is closed
     */
    public record Appended(long firstOperation, long lastOperation, CompletableFuture<Void> durable) {
    }

    private record Pending(long first, int count, byte[] bytes, CompletableFuture<Void> future) {
    }

    private final Path file;
    private final Options options;
    private final long tornBytesDroppedAtOpen;
    private final Thread writer;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    // Guarded by lock.
    private ArrayDeque<Pending> queue = new ArrayDeque<>();
    private long nextOperation;
    private boolean closed;
    // Written under lock, read anywhere.
    private volatile TetraException failure;

    // The writer thread's own (and open()'s before it starts); volatile where status() reads them.
    private FileChannel channel;
    private Object fileKey;
    private volatile SegmentHeader header;
    private volatile long goodEnd;
    private volatile long lastGoodOperation;
    private boolean unforced;
    private long forceDueNanos;
    private long nextRetryNanos;
    private ByteBuffer buffer = ByteBuffer.allocate(MIN_BUFFER);

    // Counters, written by the writer thread only.
    private volatile long syncs;
    private volatile long transactions;
    private volatile long operations;
    private volatile long bytesWritten;
    private volatile long lastSyncMillis;
    private volatile long largestBatch;

    private OperationLog(Path file, Options options, FileChannel channel, SegmentHeader header, long goodEnd,
                         long lastOperation, long dropped) throws IOException {
        this.file = file;
        this.options = options;
        this.channel = channel;
        this.header = header;
        this.goodEnd = goodEnd;
        this.lastGoodOperation = lastOperation;
        this.nextOperation = lastOperation + 1;
        this.tornBytesDroppedAtOpen = dropped;
        this.fileKey = fileKeyOf(file);
        this.writer = new Thread(this::runWriter, "tetra-log-writer");
        writer.setDaemon(true);
    }

    /**
     * Opens the log file, creating it when it does not exist: owner-only, with a header of
     * segment 1 from {@code options.firstOperation()}, forced with its folder. An existing file
     * is read through; a torn tail is cut off (one WARN line with its offset and size).
     *
     * @throws TetraException 1413 when the file is damaged, 1416 when it is another database's
     * @throws IOException    when it cannot be read or created
     */
    public static OperationLog open(Path file, String databaseId, Options options) throws IOException {
        Objects.requireNonNull(databaseId);
        Path f = file.toAbsolutePath().normalize();
        SegmentHeader header;
        long goodEnd;
        long last;
        long dropped = 0;
        FileChannel ch;
        if (Files.exists(f)) {
            SegmentScan scan = SegmentReader.scan(f, databaseId, t -> {
            });
            header = scan.header();
            goodEnd = scan.goodEnd();
            last = scan.lastOperation();
            ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE);
            if (scan.tornTail()) {
                dropped = scan.droppedBytes();
                try {
                    ch.truncate(goodEnd);
                    ch.force(false);
                } catch (IOException e) {
                    ch.close();
                    throw e;
                }
                LOG.warn("The log file {} ended with a torn frame (a write cut short): {} bytes were dropped from"
                        + " offset {} on; the log goes on after operation {}.", f, dropped, goodEnd, last);
            }
        } else {
            header = SegmentHeader.newBuilder().setFormatVersion(1).setDatabaseId(databaseId).setSegment(1)
                    .setFirstOperation(options.firstOperation()).setCreatedAtMillis(System.currentTimeMillis())
                    .setServerVersion(options.serverVersion()).build();
            createSegmentFile(f, header);
            ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE);
            goodEnd = ch.size();
            last = header.getFirstOperation() - 1;
        }
        OperationLog log;
        try {
            log = new OperationLog(f, options, ch, header, goodEnd, last, dropped);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        log.writer.start();
        return log;
    }

    /**
     * Numbers a committed transaction's operations and queues it to be written. The builder is
     * serialized at once (it may be reused when this returns) and gets its first_operation set.
     *
     * @param tx a transaction with at least one operation; its first_operation is assigned here
     * @return its numbers and the future that completes when it is durable; a refused transaction
     *         (log failed or closed) gets numbers 0 and an already failed future
     */
    public Appended append(Transaction.Builder tx) {
        int count = tx.getOperationsCount();
        if (count < 1) {
            throw new IllegalArgumentException("A transaction in the log holds at least one operation.");
        }
        byte[] bytes = tx.clearFirstOperation().build().toByteArray();
        if (bytes.length > LogFrames.MAX_PAYLOAD - 32) {
            return refused(new TetraException(ErrorCode.LOG_UNWRITABLE, "A transaction of " + bytes.length
                    + " bytes is larger than the log file's limit of 256 MiB per transaction: it was not logged."));
        }
        CompletableFuture<Void> future = new CompletableFuture<>();
        long first;
        lock.lock();
        try {
            if (closed) {
                return refused(closedError());
            }
            TetraException failed = failure;
            if (failed != null) {
                return refused(failed);
            }
            first = nextOperation;
            nextOperation += count;
            queue.add(new Pending(first, count, bytes, future));
            if (queue.size() == 1) {
                work.signal();
            }
        } finally {
            lock.unlock();
        }
        tx.setFirstOperation(first);
        return new Appended(first, first + count - 1, future);
    }

    /** Whether appends are accepted (false while the log is failed, and once closed). */
    public boolean isWritable() {
        lock.lock();
        try {
            return !closed && failure == null;
        } finally {
            lock.unlock();
        }
    }

    /** Why the log cannot be written (the 1274 message), or null while it can. */
    public String failureReason() {
        TetraException f = failure;
        return f == null ? null : f.getMessage();
    }

    /** The log file. */
    public Path file() {
        return file;
    }

    /** The current segment's header. */
    public SegmentHeader header() {
        return header;
    }

    /** The last operation whose frame was written. */
    public long lastOperation() {
        return lastGoodOperation;
    }

    /**
     * The end of the last frame written whole: a reader of the file while it is appended to
     * reads up to here ({@link SegmentReader#open(Path, String, long)}) and never meets a frame
     * being written.
     */
    public long readableEnd() {
        return goodEnd;
    }

    /** When the file is forced ({@code log.sync}). */
    public SyncMode syncMode() {
        return options.syncMode;
    }

    /** The bytes of a torn tail that {@link #open} cut off (0 when there was none). */
    public long tornBytesDroppedAtOpen() {
        return tornBytesDroppedAtOpen;
    }

    /** A snapshot of the log's state and counters. */
    public LogStatus status() {
        SegmentHeader h = header;
        TetraException f = failure;
        return new LogStatus(file.getFileName().toString(), h.getSegment(), h.getFirstOperation(), lastGoodOperation,
                goodEnd, lastSyncMillis, syncs, transactions, operations, bytesWritten, largestBatch,
                isWritable(), f == null ? null : f.getMessage());
    }

    /**
     * Writes and forces what is queued, then stops the writer. Later appends are refused with
     * 2008. Waits for the writer to finish.
     */
    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            work.signalAll();
        } finally {
            lock.unlock();
        }
        boolean interrupted = false;
        while (writer.isAlive()) {
            try {
                writer.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (channel != null) {
            channel.close();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- the writer thread ----

    private void runWriter() {
        try {
            while (true) {
                ArrayDeque<Pending> batch = null;
                boolean recover = false;
                boolean force = false;
                lock.lock();
                try {
                    while (true) {
                        if (failure != null) {
                            if (closed) {
                                break;
                            }
                            long wait = nextRetryNanos - System.nanoTime();
                            if (wait <= 0) {
                                recover = true;
                                break;
                            }
                            work.awaitNanos(wait);
                        } else if (!queue.isEmpty()) {
                            batch = queue;
                            queue = new ArrayDeque<>();
                            break;
                        } else if (closed) {
                            break;
                        } else if (unforced) {
                            long wait = forceDueNanos - System.nanoTime();
                            if (wait <= 0) {
                                force = true;
                                break;
                            }
                            work.awaitNanos(wait);
                        } else {
                            work.await();
                        }
                    }
                } finally {
                    lock.unlock();
                }
                if (recover) {
                    tryRecover();
                } else if (batch != null) {
                    writeBatch(batch);
                } else if (force) {
                    forceNow();
                } else {
                    if (failure == null && unforced) {
                        forceNow();
                    }
                    return;
                }
            }
        } catch (InterruptedException e) {
            fail(e, List.of());
        } catch (RuntimeException | Error e) {
            LOG.error("The log writer stopped on an unexpected error; writes are refused until the server restarts.",
                    e);
            fail(e, List.of());
        }
    }

    private void writeBatch(ArrayDeque<Pending> batch) {
        Pending last = batch.peekLast();
        long lastOp = last.first() + last.count() - 1;
        long written;
        try {
            checkSameFile();
            options.observer.beforeWrite(batch.peekFirst().first(), batch.size());
            written = writeFrames(batch);
            if (options.syncMode == SyncMode.COMMIT) {
                channel.force(false);
                noteSync();
                options.observer.afterForce(lastOp);
            } else if (!unforced) {
                unforced = true;
                forceDueNanos = System.nanoTime() + options.forceInterval.toNanos();
            }
        } catch (IOException | RuntimeException e) {
            fail(e, batch);
            return;
        }
        long ops = lastOp - batch.peekFirst().first() + 1;
        goodEnd += written;
        lastGoodOperation = lastOp;
        transactions += batch.size();
        operations += ops;
        bytesWritten += written;
        if (batch.size() > largestBatch) {
            largestBatch = batch.size();
        }
        for (Pending p : batch) {
            p.future().complete(null);
        }
    }

    private long writeFrames(Collection<Pending> batch) throws IOException {
        long total = 0;
        for (Pending p : batch) {
            total += LogFrames.transactionFrameSize(p.first(), p.bytes().length);
        }
        if (buffer.capacity() < Math.min(total, MAX_BUFFER)) {
            buffer = ByteBuffer.allocate((int) Math.min(MAX_BUFFER, Long.highestOneBit(total - 1) << 1));
        }
        ByteBuffer b = buffer;
        b.clear();
        long at = goodEnd;
        for (Pending p : batch) {
            byte[] prefix = LogFrames.transactionPrefix(p.first(), p.bytes().length);
            CRC32C crc = new CRC32C();
            crc.update(prefix);
            crc.update(p.bytes());
            int payload = prefix.length + p.bytes().length;
            int frame = LogFrames.FRAME_OVERHEAD + payload;
            if (frame > b.remaining()) {
                at += flush(b, at);
            }
            if (frame > b.remaining()) {
                b.putInt(payload).putInt((int) crc.getValue()).put(prefix);
                at += flush(b, at);
                at += writeFully(ByteBuffer.wrap(p.bytes()), at);
            } else {
                b.putInt(payload).putInt((int) crc.getValue()).put(prefix).put(p.bytes());
            }
        }
        at += flush(b, at);
        return at - goodEnd;
    }

    private long flush(ByteBuffer b, long at) throws IOException {
        b.flip();
        long n = writeFully(b, at);
        b.clear();
        return n;
    }

    private long writeFully(ByteBuffer b, long at) throws IOException {
        long n = 0;
        while (b.hasRemaining()) {
            n += channel.write(b, at + n);
        }
        return n;
    }

    private void forceNow() {
        try {
            checkSameFile();
            channel.force(false);
            noteSync();
            unforced = false;
            options.observer.afterForce(lastGoodOperation);
        } catch (IOException | RuntimeException e) {
            fail(e, List.of());
        }
    }

    private void noteSync() {
        syncs++;
        lastSyncMillis = System.currentTimeMillis();
    }

    private void fail(Throwable cause, Collection<Pending> batch) {
        TetraException err = new TetraException(ErrorCode.LOG_UNWRITABLE, "The log file " + file.getFileName()
                + " cannot be written (" + describe(cause) + "): writes are refused until it can be written again;"
                + " the server retries by itself.", cause);
        ArrayDeque<Pending> queued;
        boolean first;
        lock.lock();
        try {
            first = failure == null;
            failure = err;
            queued = queue;
            queue = new ArrayDeque<>();
        } finally {
            lock.unlock();
        }
        nextRetryNanos = System.nanoTime() + options.retryInterval.toNanos();
        if (first) {
            LOG.warn("The log file {} cannot be written: writes are refused with 1274 until it can be; retrying every"
                    + " {} ms.", file, options.retryInterval.toMillis(), cause);
        }
        for (Pending p : batch) {
            p.future().completeExceptionally(err);
        }
        for (Pending p : queued) {
            p.future().completeExceptionally(err);
        }
    }

    private void tryRecover() {
        try {
            if (!sameFile()) {
                closeChannel();
                SegmentHeader h = header.toBuilder().setFirstOperation(lastGoodOperation + 1)
                        .setCreatedAtMillis(System.currentTimeMillis()).build();
                createSegmentFile(file, h);
                channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                fileKey = fileKeyOf(file);
                header = h;
                goodEnd = channel.size();
                LOG.warn("The log file {} was gone: it was created again (segment {}, from operation {}); the"
                        + " operations it held are no longer in the log.", file, h.getSegment(), h.getFirstOperation());
            } else {
                channel.truncate(goodEnd);
                writeFully(ByteBuffer.allocate(PROBE_BYTES), goodEnd);
                channel.force(false);
                channel.truncate(goodEnd);
                channel.force(false);
            }
        } catch (IOException | RuntimeException e) {
            nextRetryNanos = System.nanoTime() + options.retryInterval.toNanos();
            LOG.debug("The log file {} is still not writable: {}", file, describe(e));
            return;
        }
        unforced = false;
        lock.lock();
        try {
            nextOperation = lastGoodOperation + 1;
            failure = null;
        } finally {
            lock.unlock();
        }
        LOG.info("The log file {} can be written again; writes resume from operation {}.", file,
                lastGoodOperation + 1);
    }

    private void closeChannel() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.debug("Closing the log file {} failed.", file, e);
            }
            channel = null;
        }
    }

    private void checkSameFile() throws IOException {
        if (channel == null) {
            throw new ClosedChannelException();
        }
        Object key = fileKeyOf(file);
        if (fileKey != null && !fileKey.equals(key)) {
            throw new IOException("it was replaced by another file");
        }
    }

    private boolean sameFile() {
        try {
            checkSameFile();
            return channel.isOpen();
        } catch (IOException e) {
            return false;
        }
    }

    private static Object fileKeyOf(Path f) throws IOException {
        return Files.readAttributes(f, BasicFileAttributes.class).fileKey();
    }

    /** Why a write failed, in words that name no folder (the message crosses the wire). */
    private String describe(Throwable e) {
        if (e instanceof NoSuchFileException) {
            return "it or its folder was removed";
        }
        if (e instanceof ClosedChannelException) {
            return "it was closed";
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            return e.getClass().getSimpleName();
        }
        return m.replace(file.toString(), file.getFileName().toString());
    }

    private TetraException closedError() {
        return new TetraException(ErrorCode.SESSION_CLOSED, "The log file " + file.getFileName()
                + " is closed (the server is stopping): the transaction was not logged.");
    }

    private static Appended refused(TetraException e) {
        return new Appended(0, 0, CompletableFuture.failedFuture(e));
    }

    /**
     * Creates a segment file holding only the magic and {@code header}: written to a temporary
     * file beside it, owner-only, forced, renamed into place, and the folder forced.
     */
    static void createSegmentFile(Path file, SegmentHeader header) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".new");
        Files.deleteIfExists(tmp);
        try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                DataLayout.ownerOnlyFile(tmp))) {
            ByteBuffer b = ByteBuffer.wrap(LogFrames.newSegment(header));
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
    }
}
