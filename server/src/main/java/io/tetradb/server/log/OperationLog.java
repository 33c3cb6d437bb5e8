package io.tetradb.server.log;

import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraException;
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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;

/**
 * The log file being written ({@code Data/<name>.journal}, docs/log-file.md): numbers each
 * committed transaction's operations, appends its frame, and tells the committer through a
 * future when the frame is durable. Commits that arrive together share one write and one
 * force (group commit).
 *
 * <p>Threads: any thread calls {@link #append}, {@link #status()}, {@link #isWritable()};
 * one thread, {@code tetra-log-writer}, owns the file: it writes, forces, detects a removed
 * file, renames a segment that is rolled and creates the next, and while the log is failed
 * retries every {@code retryInterval} to make it writable again. {@link #roll} blocks its
 * caller (a backup's or {@code log new}'s thread) until the writer has rolled, then hashes the
 * closed segment on that thread. {@link #close()} is called once, by the thread that stops the
 * server.
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
 * <li>While failed, appends fail at once with 1274 (nothing queues) and the writer does not
 *     hold the file open, so that an operator can unmount, check and mount its file system
 *     again (Linux refuses to unmount or remount read-only a file system with a file open for
 *     writing). Each retry opens the file by its path: the same log (same file, or the same
 *     segment header after a remount) is cut back to its last good frame, a removed one is
 *     created again with a header going on after the last good operation; either is probed
 *     with a write and a force before appends are accepted again. The 1274 message says why
 *     the latest try failed.</li>
 * <li>A log file that is a symbolic link is followed: a segment the log creates is created
 *     where the link points (the log kept on a disk of its own), not over the link.</li>
 * <li>Appenders serialize their own transaction, outside the lock; the writer only adds the
 *     number, the frame's length and checksum.</li>
 * <li>{@link #roll} is a marker in the same queue: what was appended before it is written and
 *     forced into the closed segment, what after goes into the next segment, whose header's
 *     first operation is the closed one's last + 1.</li>
 * </ol>
 */
public final class OperationLog implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(OperationLog.class);
    private static final int PROBE_BYTES = 4096;
    private static final int MIN_BUFFER = 64 * 1024;
    private static final int MAX_BUFFER = 4 << 20;

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

    /**
     * A segment that {@link #roll} closed.
     *
     * @param file           where it now is
     * @param segment        its number
     * @param firstOperation the first operation it holds (or would hold, when empty)
     * @param lastOperation  its last operation ({@code firstOperation - 1} when empty)
     * @param sizeBytes      its size
     * @param sha256         the SHA-256 of its bytes, lower-case hex
     */
    public record ClosedSegment(Path file, long segment, long firstOperation, long lastOperation, long sizeBytes,
                                String sha256) {
    }

    /** A queued transaction, or (rollTo set) a request to close the segment at this point of the queue. */
    private record Pending(long first, int count, byte[] bytes, CompletableFuture<Void> future, Path rollTo,
                           CompletableFuture<ClosedSegment> rolled) {
        static Pending transaction(long first, int count, byte[] bytes, CompletableFuture<Void> future) {
            return new Pending(first, count, bytes, future, null, null);
        }

        void fail(Throwable e) {
            if (future != null) {
                future.completeExceptionally(e);
            } else {
                rolled.completeExceptionally(e);
            }
        }
    }

    private final Path file;
    private final LogOptions options;
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
    /** {@link #header}, {@link #goodEnd} and {@link #lastGoodOperation} as one, for readers ({@link #position()}). */
    private volatile Position position;
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

    private OperationLog(Path file, LogOptions options, FileChannel channel, SegmentHeader header, long goodEnd,
                         long lastOperation, long dropped) throws IOException {
        this.file = file;
        this.options = options;
        this.channel = channel;
        this.header = header;
        this.goodEnd = goodEnd;
        this.lastGoodOperation = lastOperation;
        this.nextOperation = lastOperation + 1;
        publishPosition();
        this.tornBytesDroppedAtOpen = dropped;
        this.fileKey = Files.exists(file) ? fileKeyOf(file) : null;
        this.writer = new Thread(this::runWriter, "tetra-log-writer");
        writer.setDaemon(true);
    }

    /**
     * Opens the log file, creating it when it does not exist: owner-only, with a header of
     * segment {@code options.firstSegment()} from {@code options.firstOperation()}, carrying
     * {@code options.timeline()}, forced with its folder. An existing file is read through; a
     * torn tail is cut off (one WARN line with its offset and size). When the file can be read
     * but not written, or cannot be created (a full or read-only disk), the log opens failed:
     * appends are refused with 1274 and the writer retries, as after a failed write (it cuts a
     * torn tail once it can).
     *
     * @throws TetraException 1413 when the file is damaged, 1416 when it is another database's
     * @throws IOException    when it cannot be read
     */
    public static OperationLog open(Path file, String databaseId, LogOptions options) throws IOException {
        Objects.requireNonNull(databaseId);
        Path f = file.toAbsolutePath().normalize();
        SegmentHeader header;
        long goodEnd;
        long last;
        long dropped = 0;
        FileChannel ch = null;
        IOException unwritable = null;
        if (Files.exists(f) && Files.size(f) == 0) {
            // An empty file (a conversion starts the log so; a crash before its header was written) holds nothing.
            Files.delete(f);
        }
        if (Files.exists(f) && options.cleanEnd() > 0 && Files.size(f) == options.cleanEnd()) {
            // As a clean close left it: the header is checked, the frames are not read through again.
            try (SegmentReader r = SegmentReader.open(f, databaseId, options.cleanEnd())) {
                header = r.header();
            }
            goodEnd = options.cleanEnd();
            last = options.cleanLastOperation();
            try {
                ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE);
            } catch (IOException e) {
                unwritable = e;
            }
        } else if (Files.exists(f)) {
            SegmentScan scan = null;
            if (options.resumeSegment() > 0) {
                try {
                    // After a crash: the frames before the last checkpoint's position are not read again.
                    scan = SegmentReader.scanFrom(f, databaseId, options.resumeSegment(), options.resumeOffset(),
                            options.resumeLastOperation());
                } catch (IOException | RuntimeException e) {
                    LOG.warn("The log file {} could not be read from the last checkpoint's position (offset {}): {};"
                            + " it is read from its start.", f, options.resumeOffset(), e.getMessage());
                }
            }
            if (scan == null) {
                scan = SegmentReader.scan(f, databaseId, t -> {
                });
            }
            header = scan.header();
            goodEnd = scan.goodEnd();
            last = scan.lastOperation();
            dropped = scan.droppedBytes();
            try {
                ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE);
                if (scan.tornTail()) {
                    ch.truncate(goodEnd);
                    ch.force(false);
                }
            } catch (IOException e) {
                unwritable = e;
            }
            if (scan.tornTail()) {
                LOG.warn("The log file {} ended with a torn frame (a write cut short): {} bytes were dropped from"
                        + " offset {} on; the log goes on after operation {}.", f, dropped, goodEnd, last);
            }
        } else {
            header = SegmentHeader.newBuilder().setFormatVersion(1).setDatabaseId(databaseId)
                    .setSegment(options.firstSegment()).setFirstOperation(options.firstOperation())
                    .setCreatedAtMillis(System.currentTimeMillis()).setServerVersion(options.serverVersion())
                    .addAllCancelled(options.timeline().spans()).build();
            goodEnd = LogFrames.newSegment(header).length;
            last = header.getFirstOperation() - 1;
            try {
                createSegmentFile(f, header);
                ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE);
                goodEnd = ch.size();
            } catch (IOException e) {
                unwritable = e;
            }
        }
        if (unwritable != null && ch != null) {
            ch.close();
            ch = null;
        }
        OperationLog log;
        try {
            log = new OperationLog(f, options, ch, header, goodEnd, last, dropped);
        } catch (IOException | RuntimeException e) {
            if (ch != null) {
                ch.close();
            }
            throw e;
        }
        if (unwritable != null) {
            log.failure = log.unwritable(unwritable);
            log.nextRetryNanos = System.nanoTime() + options.retryInterval().toNanos();
            LOG.warn("The log file {} cannot be written ({}): writes are refused with 1274 until it can be; retrying"
                    + " every {} ms.", f, log.describe(unwritable), options.retryInterval().toMillis());
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
            queue.add(Pending.transaction(first, count, bytes, future));
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

    /**
     * Where the log stands: its segment, the end of its last frame written whole, and that
     * frame's last operation. A checkpoint records it while no commit is under way (every frame
     * appended is then written, and its transaction in the data file), so that recovery reads
     * from there ({@link LogOptions.Builder#resumeFrom}).
     */
    public record Position(long segment, long offset, long lastOperation) {
    }

    /**
     * Where the log stands now (see {@link Position}): the three as the writer published them
     * together, never a segment, end and last operation of different moments.
     */
    public Position position() {
        return position;
    }

    /** The writer thread (and the constructor): publishes the segment, end and last operation as one. */
    private void publishPosition() {
        position = new Position(header.getSegment(), goodEnd, lastGoodOperation);
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
        return options.syncMode();
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
     * Closes the current segment and starts the next: every transaction appended before this
     * call is written and forced into the current segment, which is then renamed to
     * {@code closedFile}; a new segment file (number + 1, first operation = the closed one's
     * last + 1) takes its place. Transactions appended meanwhile go to the new segment, with no
     * gap in the numbering. Waits until done, then hashes the closed segment on the caller's
     * thread (the writer goes on meanwhile).
     *
     * @param closedFile where the closed segment goes (must not exist; the same file system)
     * @throws TetraException 1408 when it cannot be renamed (the log goes on in the current
     *                        segment), 1274 when the log is failed, 2008 when it is closed
     */
    public ClosedSegment roll(Path closedFile) throws IOException {
        Path target = closedFile.toAbsolutePath().normalize();
        if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new TetraException(ErrorCode.LOG_NOT_ARCHIVABLE, "The log segment cannot be closed as "
                    + target.getFileName() + ": that file exists already.");
        }
        CompletableFuture<ClosedSegment> rolled = new CompletableFuture<>();
        lock.lock();
        try {
            if (closed) {
                throw closedError();
            }
            if (failure != null) {
                throw failure.rethrown();
            }
            queue.add(new Pending(0, 0, null, null, target, rolled));
            if (queue.size() == 1) {
                work.signal();
            }
        } finally {
            lock.unlock();
        }
        ClosedSegment c;
        try {
            c = rolled.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof TetraException te) {
                throw te.rethrown();
            }
            throw new TetraException(ErrorCode.LOG_NOT_ARCHIVABLE, "The log segment could not be closed.", e.getCause());
        }
        return new ClosedSegment(c.file(), c.segment(), c.firstOperation(), c.lastOperation(), Files.size(c.file()),
                sha256(c.file()));
    }

    /** The magic and {@code header}'s frame: how a segment file starts (a merged archive writes its own). */
    public static byte[] segmentStart(SegmentHeader header) {
        return LogFrames.newSegment(header);
    }

    /** The SHA-256 of file {@code f}, lower-case hex (segments in the history, and their checks). */
    public static String sha256(Path f) throws IOException {
        java.security.MessageDigest md;
        try {
            md = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(MIN_BUFFER);
            while (ch.read(b) >= 0) {
                b.flip();
                md.update(b);
                b.clear();
            }
        }
        return java.util.HexFormat.of().formatHex(md.digest());
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
                    process(new ArrayList<>(batch));
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

    /** Writes a drained queue: its transactions in runs between requests to roll. */
    private void process(List<Pending> drained) {
        int from = 0;
        for (int i = 0; i <= drained.size(); i++) {
            if (i < drained.size() && drained.get(i).rollTo() == null) {
                continue;
            }
            if (i > from && !writeBatch(drained.subList(from, i), drained.subList(i, drained.size()))) {
                return;
            }
            if (i < drained.size() && !roll(drained.get(i), drained.subList(i + 1, drained.size()))) {
                return;
            }
            from = i + 1;
        }
    }

    /** Writes and (in COMMIT) forces a run of transactions; on failure fails it and {@code rest}. */
    private boolean writeBatch(List<Pending> batch, List<Pending> rest) {
        Pending last = batch.get(batch.size() - 1);
        long firstOp = batch.get(0).first();
        long lastOp = last.first() + last.count() - 1;
        long written;
        try {
            checkSameFile();
            options.observer().beforeWrite(firstOp, batch.size());
            written = writeFrames(batch);
            options.observer().afterWrite(lastOp);
            if (options.syncMode() == SyncMode.COMMIT) {
                long forcing = System.nanoTime();
                channel.force(false);
                noteSync(forcing);
                options.observer().afterForce(lastOp);
            } else if (!unforced) {
                unforced = true;
                forceDueNanos = System.nanoTime() + options.forceInterval().toNanos();
            }
        } catch (IOException | RuntimeException e) {
            fail(e, batch, rest);
            return false;
        }
        long ops = lastOp - firstOp + 1;
        goodEnd += written;
        lastGoodOperation = lastOp;
        publishPosition();
        transactions += batch.size();
        operations += ops;
        bytesWritten += written;
        if (batch.size() > largestBatch) {
            largestBatch = batch.size();
        }
        for (Pending p : batch) {
            p.future().complete(null);
        }
        return true;
    }

    /**
     * Closes the segment at this point of the queue (what came before is written): forces it,
     * renames it, creates the next. On a failed rename the log goes on in the current segment
     * and only the request fails; a failure to create the next fails the log (and
     * {@code rest}), which then creates it as it recovers.
     */
    private boolean roll(Pending request, List<Pending> rest) {
        SegmentHeader old = header;
        long last = lastGoodOperation;
        try {
            checkSameFile();
            long forcing = System.nanoTime();
            channel.force(false);
            noteSync(forcing);
            unforced = false;
            if (Files.exists(request.rollTo(), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw new java.nio.file.FileAlreadyExistsException(request.rollTo().getFileName().toString());
            }
            Files.move(file, request.rollTo(), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            request.rolled().completeExceptionally(new TetraException(ErrorCode.LOG_NOT_ARCHIVABLE,
                    "The log segment " + file.getFileName() + " could not be closed as "
                            + request.rollTo().getFileName() + " (" + describe(e) + ").", e));
            if (!sameFile()) {
                fail(e, List.of(), rest);
                return false;
            }
            return true;
        }
        closeChannel();
        SegmentHeader next = old.toBuilder().setSegment(old.getSegment() + 1).setFirstOperation(last + 1)
                .setCreatedAtMillis(System.currentTimeMillis()).build();
        header = next;
        request.rolled().complete(new ClosedSegment(request.rollTo(), old.getSegment(), old.getFirstOperation(), last,
                0, null));
        try {
            createSegmentFile(file, next);
            if (!request.rollTo().getParent().equals(file.getParent())) {
                forceFolder(request.rollTo().getParent());
            }
            channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            fileKey = fileKeyOf(file);
            goodEnd = channel.size();
            publishPosition();
        } catch (IOException | RuntimeException e) {
            fail(e, List.of(), rest);
            return false;
        }
        LOG.info("The log segment {} was closed as {} (operations {} to {}); segment {} starts at operation {}.",
                old.getSegment(), request.rollTo(), old.getFirstOperation(), last, next.getSegment(), last + 1);
        return true;
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
        return writeFully(channel, b, at);
    }

    private static long writeFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
        long n = 0;
        while (b.hasRemaining()) {
            n += ch.write(b, at + n);
        }
        return n;
    }

    private void forceNow() {
        try {
            checkSameFile();
            long forcing = System.nanoTime();
            channel.force(false);
            noteSync(forcing);
            unforced = false;
            options.observer().afterForce(lastGoodOperation);
        } catch (IOException | RuntimeException e) {
            fail(e, List.of());
        }
    }

    /** A force that began at {@code forcingNanos} ({@link System#nanoTime}) has returned. */
    private void noteSync(long forcingNanos) {
        options.syncTimes().accept(System.nanoTime() - forcingNanos);
        syncs++;
        lastSyncMillis = System.currentTimeMillis();
    }

    private void fail(Throwable cause, Collection<Pending> batch) {
        fail(cause, batch, List.of());
    }

    /** Fails the log: {@code batch}, {@code rest} (drained, not yet written) and everything queued. */
    private void fail(Throwable cause, Collection<Pending> batch, Collection<Pending> rest) {
        TetraException err = unwritable(cause);
        // Frames of the failed batch past the last good one are cut off where the disk allows
        // it (a stop before the next retry must not find them), and the file is let go.
        if (channel != null && channel.isOpen()) {
            try {
                channel.truncate(goodEnd);
            } catch (IOException | RuntimeException e) {
                LOG.debug("Cutting the log file {} back to its last good frame failed: {}", file, describe(e));
            }
        }
        closeChannel();
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
        nextRetryNanos = System.nanoTime() + options.retryInterval().toNanos();
        if (first) {
            LOG.warn("The log file {} cannot be written ({}): writes are refused with 1274 until it can be; retrying"
                    + " every {} ms.", file, describe(cause), options.retryInterval().toMillis(), cause);
        }
        for (Pending p : batch) {
            p.fail(err);
        }
        for (Pending p : rest) {
            p.fail(err);
        }
        for (Pending p : queued) {
            p.fail(err);
        }
    }

    private TetraException unwritable(Throwable cause) {
        return new TetraException(ErrorCode.LOG_UNWRITABLE, "The log file " + file.getFileName()
                + " cannot be written (" + describe(cause) + "): writes are refused, reads go on; writes resume by"
                + " themselves once it can be written again (the server tries every "
                + options.retryInterval().toMillis() + " ms).", cause);
    }

    private void tryRecover() {
        FileChannel ch = null;
        boolean created = false;
        try {
            if (Files.exists(file)) {
                ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                if (!isThisSegment(ch)) {
                    ch.close();
                    ch = null;
                }
            }
            if (ch == null) {
                SegmentHeader h = header.toBuilder().setFirstOperation(lastGoodOperation + 1)
                        .setCreatedAtMillis(System.currentTimeMillis()).build();
                createSegmentFile(file, h);
                ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                header = h;
                goodEnd = ch.size();
                publishPosition();
                created = true;
            } else {
                ch.truncate(goodEnd);
                writeFully(ch, ByteBuffer.allocate(PROBE_BYTES), goodEnd);
                ch.force(false);
                ch.truncate(goodEnd);
                ch.force(false);
            }
            fileKey = fileKeyOf(file);
        } catch (IOException | RuntimeException e) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // it is being given up anyway
                }
            }
            nextRetryNanos = System.nanoTime() + options.retryInterval().toNanos();
            TetraException err = unwritable(e);
            lock.lock();
            try {
                if (failure != null && !closed) {
                    failure = err;
                }
            } finally {
                lock.unlock();
            }
            LOG.debug("The log file {} is still not writable: {}", file, describe(e));
            return;
        }
        channel = ch;
        if (created) {
            LOG.warn("The log file {} was gone or replaced: it was created again (segment {}, from operation {}); the"
                    + " operations it held are no longer in the log.", file, header.getSegment(),
                    header.getFirstOperation());
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

    /**
     * Whether {@code ch} is this log's current segment: the file it had open (same file key),
     * or, after its file system was mounted again, a file beginning with the same magic and
     * header and at least as long as its good frames.
     */
    private boolean isThisSegment(FileChannel ch) throws IOException {
        if (fileKey != null && fileKey.equals(fileKeyOf(file))) {
            return true;
        }
        byte[] start = LogFrames.newSegment(header);
        if (ch.size() < Math.max(goodEnd, start.length)) {
            return false;
        }
        ByteBuffer b = ByteBuffer.allocate(start.length);
        while (b.hasRemaining()) {
            if (ch.read(b, b.position()) < 0) {
                return false;
            }
        }
        return java.util.Arrays.equals(b.array(), start);
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
        if (e instanceof java.io.UncheckedIOException u && u.getCause() != null) {
            return describe(u.getCause());
        }
        if (e instanceof NoSuchFileException) {
            return "it or its folder was removed";
        }
        if (e instanceof ClosedChannelException) {
            return "it was closed";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
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
     * file beside it, owner-only, forced, renamed into place, and the folder forced. When
     * {@code path} is a symbolic link, the file is created where it points.
     */
    static void createSegmentFile(Path path, SegmentHeader header) throws IOException {
        Path file = followLinks(path);
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
        forceFolder(file.getParent());
    }

    private static void forceFolder(Path folder) throws IOException {
        try (FileChannel dir = FileChannel.open(folder, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    /** Where {@code path} leads through its symbolic links (it need not exist at the end). */
    static Path followLinks(Path path) throws IOException {
        Path p = path;
        for (int i = 0; Files.isSymbolicLink(p); i++) {
            if (i == 40) {
                throw new FileSystemException(path.toString(), null, "too many levels of symbolic links");
            }
            p = p.resolveSibling(Files.readSymbolicLink(p)).toAbsolutePath().normalize();
        }
        return p;
    }
}
