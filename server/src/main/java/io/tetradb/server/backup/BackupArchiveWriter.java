package io.tetradb.server.backup;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.luben.zstd.EndDirective;
import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Writes one backup archive: a standard tar (see {@link TarHeaders}; zstd-compressed
 * unless compression is none) whose entries are laid out as the database folder, each
 * entry's SHA-256 computed while it is copied, and {@code MANIFEST.json} last. The
 * archive is written under a temporary name in the destination, owner-only ({@code 0600})
 * from its creation, fsynced, then renamed: a half-written archive never has its final name.
 *
 * <p>How the bytes travel. Without compression an entry's content goes from file to
 * archive inside the kernel ({@link FileChannel#transferTo}), chunk by chunk, and its
 * checksums are computed from the archive's own copy, read back (from the page cache)
 * while the next chunks are copied: the checksum is that of the bytes archived even when
 * the source changes under the copy (the data file may: see {@link DataFileSnapshot}).
 * Manifest format 2 ({@link SegmentDigests}): such an entry longer than one segment
 * (8 MiB) gets one SHA-256 per segment, each hashed as soon as the segment is in the
 * archive, in parallel on a small pool ({@link ParallelHashing}, "...-sha256-N", at most
 * one thread per core); no copy of the data is held, at most twice the pool's threads
 * segments wait or hash at a time, so the hashing trails the copy by at most that much.
 * With compression each chunk is read once into a direct buffer, which the helper thread
 * hashes as one SHA-256 stream per entry while zstd compresses it (with worker threads
 * when the data compresses, see {@link #chooseWorkers}). With compression fast ({@link Levels},
 * {@link AdaptiveLevel}) each chunk of data that compresses is instead an independent zstd frame
 * compressed on the frame threads ("...-zstd") at a level that adapts, written in order by the
 * backup thread (docs/backup-internals.md, "Compression levels"). Every chunk is
 * reported to {@link Progress}, which may throttle the copy or stop it. Write-back of the
 * archive starts on a second helper thread while the copy goes on, so that the final
 * fsync has little left to do.
 *
 * <p>Encrypted ({@code archive.encryption: aes-256-gcm}, {@link EncryptedFile}): every byte that
 * would go to the file (the tar, or zstd's output) goes through an {@link EncryptedFile.Writer}
 * on the backup thread, sealed in 64 KiB chunks as it is written. The file then holds no tar to
 * read back, so an encrypted archive without compression is copied like a compressed one
 * (each chunk read once into a direct buffer, hashed as one SHA-256 stream per entry on the
 * helper while the backup thread encrypts it) and records one checksum per entry.
 *
 * <p>Used by one backup thread, with helper threads of its own ("...-sha256" with
 * compression, "...-sha256-N" without, "...-writeback", and "...-zstd" with fast) and zstd's
 * native workers (fixed levels).
 */
final class BackupArchiveWriter implements AutoCloseable {
    /** Progress callback: bytes of content copied since the last call. */
    interface Progress {
        void copied(long bytes) throws IOException;
    }

    /**
     * The zstd level of each next chunk when it adapts (compression {@code fast}: {@link AdaptiveLevel}).
     * Asked after every chunk compressed as a frame of its own (entries that compress).
     */
    interface Levels {
        /** The level to begin with. */
        int level();

        /**
         * The level for the next chunk, given how long the chunk just copied took in all
         * ({@code chunkNanos}), how much of that the backup thread waited for the frame threads
         * ({@code compressWaitNanos}: every frame slot was in use) and for the hasher
         * ({@code hashWaitNanos}: the oldest chunk buffer was not hashed yet).
         */
        int next(long compressWaitNanos, long hashWaitNanos, long chunkNanos);
    }

    /**
     * One archived entry: its SHA-256 as MANIFEST.json records it, and for an entry recorded
     * by segment ({@code segmentSha256} not empty) the segment size and every segment's
     * SHA-256, {@code sha256} being then the digest of those ({@link SegmentDigests#ofSegments}).
     */
    record Entry(String path, long size, String sha256, int segmentSize, List<String> segmentSha256) {
        Entry {
            segmentSha256 = List.copyOf(segmentSha256);
        }
    }

    /**
     * Where an entry's bytes come from: {@code prefix} first (bytes read earlier, such as
     * a header read under a lock), then {@code channel} from position {@code prefix.length}
     * up to {@code length}. Past the channel's end come zeros when {@code zerosPastEnd},
     * otherwise the entry fails (a file that shrank while it was archived).
     */
    record Source(byte[] prefix, FileChannel channel, long length, boolean zerosPastEnd) {
    }

    /** Content bytes per chunk (one progress call, one hashing task) when no maxRate is set. */
    static final int CHUNK = 8 << 20;
    /** The smallest chunk, however low maxRate is. */
    static final int MIN_CHUNK = 64 << 10;
    /** Chunk buffers with compression: one being filled and compressed, the others still being hashed. */
    private static final int BUFFERS = 3;
    /** Entries up to this size are copied and hashed on the backup thread alone. */
    private static final int SMALL = 256 << 10;
    /** Entries from this size get their compressibility sampled to choose zstd's worker threads. */
    private static final long SAMPLED = 2L * CHUNK;
    /**
     * The highest zstd level at which data that hardly compresses goes through one thread
     * of zstd faster than through SHA-256 (measured on the 2-core machine, 1 GiB of random
     * bytes: levels 1 and 2 0.7 s, level 3 1.1 s, level 9 13 s; SHA-256 about 0.95 s).
     */
    private static final int SINGLE_THREAD_MAX_LEVEL = 2;
    private static final int SAMPLES = 8;
    private static final int SAMPLE_BYTES = 64 << 10;
    /** Write-back starts each time this many archive bytes were written since it last started. */
    private static final long WRITE_BACK_EVERY = 64L << 20;
    private static final int IO_BUFFER = 1 << 20;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 << 10);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path target;
    private final Path temp;
    private final FileChannel file;
    private final int chunk;
    /** Null without compression. */
    private final ZstdCompressCtx zstd;
    private final int zstdLevel;
    /** Null unless the level adapts: see {@link Levels}. */
    private final Levels levels;
    /** The level asked of zstd now. */
    private int level;
    /** The level of the streaming context's frames: with adaptive levels, {@link #level} when the frame began. */
    private int streamLevel;
    /** Content bytes compressed at each level asked (for the manifest's {@code zstdLevels}). */
    private final java.util.TreeMap<Integer, Long> levelBytes = new java.util.TreeMap<>();
    /** Nanoseconds the backup thread waited for a frame slot (compression behind). */
    private long waitNanos;
    /** Nanoseconds the backup thread waited for the hasher (hashing behind). */
    private long hashWaitNanos;
    /** zstd's worker threads for data that compresses; see {@link #chooseWorkers}. */
    private final int zstdWorkers;
    private int currentWorkers;
    /** Whether the streaming context ({@link #zstd}) has a frame begun and not ended. */
    private boolean streamOpen;
    private int frames;
    /**
     * With adaptive levels: the frames of the entry being copied (data that compresses),
     * each chunk one independent zstd frame compressed on {@link #frameThreads} at its own
     * level and written in order; the slots not in use are in {@link #freeSlots}.
     */
    private final Deque<FrameSlot> pendingFrames = new ArrayDeque<>();
    private final Deque<FrameSlot> freeSlots = new ArrayDeque<>();
    private final List<FrameSlot> allSlots = new ArrayList<>();
    private ExecutorService frameThreads;
    private final List<Entry> entries = new ArrayList<>();
    /** Bytes of tar written (before compression): without compression, also the archive file's length. */
    private long tarBytes;
    /** Bytes written to the archive file. */
    private long fileBytes;
    private long writeBackFrom;
    private Future<?> writeBack;
    private ExecutorService hasher;
    private ExecutorService flusher;
    /** The segment hashing pool (without compression), made on the first entry that needs it. */
    private ParallelHashing segmentPool;
    /**
     * The archive opened for reading back (hashing): positional reads only, from the backup
     * thread (small entries, through {@link #readBuffer}) and the segment pool's threads.
     */
    private FileChannel readBack;
    private FileChannel writeBackChannel;
    private ByteBuffer readBuffer;
    private ByteBuffer small;
    private ByteBuffer zstdOut;
    private ByteBuffer[] chunks;
    /** Null without encryption: the file's bytes are then the tar stream's (compressed or not). */
    private final EncryptedFile.Writer encryptor;
    private boolean zstdClosed;
    private boolean finished;

    /**
     * @param zstdLevel zstd level, 0 for no compression
     * @param maxRate   the backup's rate limit in bytes/s (0 = none): a throttled copy gets chunks of
     *                  about a tenth of a second, so that it is throttled smoothly
     */
    BackupArchiveWriter(Path target, int zstdLevel, long maxRate) throws IOException {
        this(target, zstdLevel, maxRate, null);
    }

    /** @param key the key to encrypt the archive with, or null for none */
    BackupArchiveWriter(Path target, int zstdLevel, long maxRate, BackupKey key) throws IOException {
        this(target, zstdLevel, maxRate, key, null);
    }

    /**
     * @param levels null for a fixed level ({@code zstdLevel}); otherwise the level of each chunk
     *               that zstd's workers compress, {@code zstdLevel} staying the level that
     *               judges whether data compresses ({@link #chooseWorkers})
     */
    BackupArchiveWriter(Path target, int zstdLevel, long maxRate, BackupKey key, Levels levels) throws IOException {
        this.target = target;
        this.temp = target.resolveSibling("." + target.getFileName() + ".partial");
        this.chunk = maxRate > 0 ? (int) Math.max(MIN_CHUNK, Math.min(CHUNK, maxRate / 10 / 4096 * 4096)) : CHUNK;
        Files.deleteIfExists(temp);
        // Owner-only from its creation (docs/security.md): the archive holds the engine key and the users.
        this.file = FileChannel.open(temp, java.util.EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                io.tetradb.server.DataLayout.ownerOnlyFile(temp));
        this.zstdLevel = zstdLevel;
        this.levels = zstdLevel > 0 ? levels : null;
        this.level = this.levels != null ? this.levels.level() : zstdLevel;
        this.streamLevel = level;
        this.zstdWorkers = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        // With adaptive levels the streaming context stays on this thread; data that compresses goes as frames.
        this.currentWorkers = this.levels != null ? 0 : zstdWorkers;
        ZstdCompressCtx z = null;
        if (zstdLevel > 0) {
            try {
                z = new ZstdCompressCtx();
                z.setLevel(level);
                z.setWorkers(currentWorkers);
            } catch (RuntimeException | Error e) {
                // An Error too (zstd-jni's UnsatisfiedLinkError when its library cannot be loaded): no file is left.
                if (z != null) {
                    z.close();
                }
                file.close();
                Files.deleteIfExists(temp);
                throw e;
            }
            zstdOut = ByteBuffer.allocateDirect(IO_BUFFER);
        }
        this.zstd = z;
        EncryptedFile.Writer enc = null;
        if (key != null) {
            try {
                enc = new EncryptedFile.Writer(key, this::writeRaw);
            } catch (IOException | RuntimeException e) {
                if (z != null) {
                    z.close();
                }
                file.close();
                Files.deleteIfExists(temp);
                throw e;
            }
        }
        this.encryptor = enc;
    }

    /** The temporary file being written. */
    Path tempFile() {
        return temp;
    }

    /** The zstd frames begun so far (for tests and diagnostics). */
    int zstdFrames() {
        return zstd == null ? 0 : frames;
    }

    /**
     * Content bytes compressed at each zstd level asked, lowest level first (empty without
     * compression). zstd applies a level change from its next job, so the split is that asked
     * for, to within a job (a few MiB) at each change.
     */
    java.util.SortedMap<Integer, Long> levelBytes() {
        return java.util.Collections.unmodifiableSortedMap(levelBytes);
    }

    /** The content bytes per chunk (progress call) of this writer. */
    int chunkBytes() {
        return chunk;
    }

    /** Copies {@code source} as entry {@code path}, hashing it on the way. */
    Entry add(String path, long modifiedMillis, Source source, Progress progress) throws IOException {
        long size = source.length();
        boolean framed = false;
        if (zstd != null && levels != null) {
            framed = size > SMALL && (size < SAMPLED || compresses(source));
        } else if (zstd != null && zstdLevel <= SINGLE_THREAD_MAX_LEVEL && size >= SAMPLED) {
            chooseWorkers(source);
        }
        writeHeap(TarHeaders.file(path, size, modifiedMillis));
        Entry entry = zstd == null && encryptor == null ? copyPlain(path, source, progress)
                : new Entry(path, size, copyStreamed(path, source, progress, framed), 0, List.of());
        writeZeros(TarHeaders.padding(size));
        entries.add(entry);
        return entry;
    }

    /** Adds a regular file from disk as entry {@code path}. */
    Entry addFile(String path, Path source, Progress progress) throws IOException {
        try (FileChannel ch = FileChannel.open(source, StandardOpenOption.READ)) {
            return add(path, Files.getLastModifiedTime(source).toMillis(),
                    new Source(new byte[0], ch, ch.size(), false), progress);
        }
    }

    /** Adds an empty folder entry (attachments keep their folder structure). */
    void addFolder(String path) throws IOException {
        writeHeap(TarHeaders.folder(path, System.currentTimeMillis()));
    }

    List<Entry> entries() {
        return entries;
    }

    /**
     * Without compression: kernel copy into the archive, each segment hashed from the
     * archive once it is all there (a small entry on the backup thread, otherwise on the
     * segment pool, trailing the copy by at most {@link ParallelHashing#maxInFlight()} segments).
     */
    private Entry copyPlain(String path, Source src, Progress progress) throws IOException {
        long size = src.length();
        long base = tarBytes;
        int segment = SegmentDigests.SEGMENT_SIZE;
        List<byte[]> digests = new ArrayList<>();
        boolean inline = size <= SMALL;
        ParallelHashing.Run hashing = inline ? null : segmentPool().run((i, d) -> digests.add(d));
        long done = 0;
        long hashed = 0;
        try {
            while (done < size) {
                int n = (int) Math.min(chunk, size - done);
                transfer(path, src, done, n);
                done += n;
                // Every segment now wholly in the archive (the last one when the entry is).
                while (hashed < size && (done - hashed >= segment || done == size)) {
                    int len = (int) Math.min(segment, size - hashed);
                    if (inline) {
                        digests.add(hashRange(base + hashed, len));
                    } else {
                        hashing.submit(readBack(), base + hashed, len);
                    }
                    hashed += len;
                }
                startWriteBack();
                progress.copied(n);
            }
            if (hashing != null) {
                hashing.finish();
            }
        } finally {
            if (hashing != null) {
                hashing.cancel();
            }
        }
        if (digests.size() <= 1) {
            byte[] d = digests.isEmpty() ? sha256().digest() : digests.get(0);
            return new Entry(path, size, HexFormat.of().formatHex(d), 0, List.of());
        }
        List<String> hex = digests.stream().map(SegmentDigests::hex).toList();
        return new Entry(path, size, SegmentDigests.hex(SegmentDigests.ofSegments(digests)), segment, hex);
    }

    /**
     * With compression or encryption: each chunk read once into a direct buffer, hashed on the
     * helper while zstd compresses it and/or the backup thread encrypts it.
     */
    private String copyStreamed(String path, Source src, Progress progress, boolean framed) throws IOException {
        MessageDigest sha = sha256();
        long size = src.length();
        ByteBuffer[] buffers = chunkBuffers();
        HashQueue hashing = new HashQueue(buffers.length, size <= SMALL);
        if (framed) {
            // The frames follow the streamed bytes (this entry's header among them) in the file.
            endStreamFrame();
        }
        long done = 0;
        int next = 0;
        try {
            while (done < size) {
                long started = framed ? System.nanoTime() : 0;
                long waited = waitNanos;
                long hashWaited = hashWaitNanos;
                int n = (int) Math.min(chunk, size - done);
                ByteBuffer buf;
                if (hashing.inline) {
                    buf = smallBuffer();
                } else {
                    // The buffer filled now was last hashed BUFFERS chunks ago: that task must be done.
                    hashing.makeRoom();
                    buf = buffers[next++ % buffers.length];
                }
                buf.clear().limit(n);
                fill(path, buf, src, done);
                buf.flip();
                ByteBuffer view = buf.duplicate();
                hashing.run(() -> sha.update(view));
                if (framed) {
                    submitFrame(buf);
                } else if (zstd != null) {
                    compress(buf, EndDirective.CONTINUE);
                    levelBytes.merge(levels != null ? streamLevel : level, (long) n, Long::sum);
                } else {
                    writeFile(buf);
                }
                tarBytes += n;
                done += n;
                startWriteBack();
                progress.copied(n);
                if (framed) {
                    level = levels.next(waitNanos - waited, hashWaitNanos - hashWaited, System.nanoTime() - started);
                }
            }
            if (framed) {
                drainFrames();
            }
            hashing.finish();
        } finally {
            hashing.cancel();
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /**
     * The hashing of one entry: on the backup thread itself for a small entry ({@code inline}),
     * otherwise tasks given to the helper thread, in order, at most {@code lag} of them
     * unfinished (backup thread).
     */
    private final class HashQueue {
        private final Deque<Future<?>> running = new ArrayDeque<>();
        private final int lag;
        final boolean inline;

        HashQueue(int lag, boolean inline) {
            this.lag = lag;
            this.inline = inline;
        }

        /** Hashes now (inline) or hands {@code task} to the helper once fewer than {@code lag} are unfinished. */
        void run(IoAction task) throws IOException {
            if (inline) {
                task.run();
                return;
            }
            makeRoom();
            running.add(helper(true).submit(call(task)));
        }

        /** Waits for the oldest tasks until fewer than {@code lag} are unfinished. */
        void makeRoom() throws IOException {
            if (running.size() < lag) {
                return;
            }
            long t = System.nanoTime();
            while (running.size() >= lag) {
                await(running.removeFirst());
            }
            hashWaitNanos += System.nanoTime() - t;
        }

        /** Waits for every task (a failure of one is thrown). */
        void finish() throws IOException {
            while (!running.isEmpty()) {
                await(running.removeFirst());
            }
        }

        /** Stops what is left (after a failure or a stop). */
        void cancel() {
            running.forEach(f -> f.cancel(true));
        }
    }

    /** Copies {@code n} bytes of {@code src} from {@code from} into the (uncompressed) archive. */
    private void transfer(String path, Source src, long from, int n) throws IOException {
        long pos = from;
        long end = from + n;
        byte[] prefix = src.prefix();
        if (pos < prefix.length) {
            int k = (int) Math.min(prefix.length - pos, n);
            writeHeap(ByteBuffer.wrap(prefix, (int) pos, k));
            pos += k;
        }
        int stalls = 0;
        while (pos < end) {
            long t = src.channel().transferTo(pos, end - pos, file);
            if (t > 0) {
                pos += t;
                tarBytes += t;
                fileBytes += t;
                stalls = 0;
                continue;
            }
            // transferTo moves nothing only at the end of the file (or when the file was cut meanwhile).
            if (pos < src.channel().size()) {
                if (++stalls >= 3) {
                    throw new IOException("Copying entry " + path + " made no progress at byte " + pos + ".");
                }
                continue;
            }
            pastEnd(path, src, pos);
            writeZeros(end - pos);
            pos = end;
        }
    }

    /** Reads {@code buf.remaining()} bytes of {@code src} from {@code from} into {@code buf}. */
    private static void fill(String path, ByteBuffer buf, Source src, long from) throws IOException {
        long pos = from;
        byte[] prefix = src.prefix();
        if (pos < prefix.length) {
            int k = (int) Math.min(prefix.length - pos, buf.remaining());
            buf.put(prefix, (int) pos, k);
            pos += k;
        }
        while (buf.hasRemaining()) {
            int r = src.channel().read(buf, pos);
            if (r > 0) {
                pos += r;
                continue;
            }
            pastEnd(path, src, pos);
            while (buf.hasRemaining()) {
                buf.put(ZEROS.duplicate().limit(Math.min(ZEROS.capacity(), buf.remaining())));
            }
        }
    }

    private static void pastEnd(String path, Source src, long pos) throws IOException {
        if (!src.zerosPastEnd()) {
            throw new IOException("Entry " + path + " ended after " + pos + " of " + src.length() + " bytes.");
        }
        // Otherwise the rest is free space of the data file: zeros keep the length.
    }

    /** The archive opened for reading back (backup thread). */
    private FileChannel readBack() throws IOException {
        if (readBack == null) {
            readBack = FileChannel.open(temp, StandardOpenOption.READ);
        }
        return readBack;
    }

    /** The SHA-256 of {@code n} bytes of the (uncompressed) archive from {@code at}, on the backup thread. */
    private byte[] hashRange(long at, int n) throws IOException {
        if (readBuffer == null) {
            readBuffer = ByteBuffer.allocateDirect(IO_BUFFER);
        }
        try {
            return SegmentDigests.hashRegion(readBack(), at, n, readBuffer);
        } catch (IOException e) {
            throw new IOException("The archive could not be read back for hashing: " + e.getMessage(), e);
        }
    }

    private ParallelHashing segmentPool() {
        if (segmentPool == null) {
            segmentPool = new ParallelHashing(Thread.currentThread().getName() + "-sha256");
        }
        return segmentPool;
    }

    private void writeHeap(byte[] bytes) throws IOException {
        writeHeap(ByteBuffer.wrap(bytes));
    }

    /** Writes a heap buffer to the tar stream. */
    private void writeHeap(ByteBuffer b) throws IOException {
        if (zstd == null) {
            int n = b.remaining();
            writeFile(b);
            tarBytes += n;
            return;
        }
        ByteBuffer stage = smallBuffer();
        while (b.hasRemaining()) {
            int k = Math.min(stage.capacity(), b.remaining());
            stage.clear();
            stage.put(b.slice().limit(k));
            b.position(b.position() + k);
            stage.flip();
            compress(stage, EndDirective.CONTINUE);
            tarBytes += k;
        }
    }

    private void writeZeros(long n) throws IOException {
        while (n > 0) {
            int k = (int) Math.min(ZEROS.capacity(), n);
            ByteBuffer z = ZEROS.duplicate().limit(k);
            if (zstd == null) {
                writeFile(z);
            } else {
                compress(z, EndDirective.CONTINUE);
            }
            tarBytes += k;
            n -= k;
        }
    }

    /**
     * At the fast levels, data that hardly compresses (random, encrypted, already
     * compressed) goes through one thread of zstd faster than through SHA-256: worker
     * threads would only take CPU from the hashing and add copies, so such an entry is
     * compressed on the backup thread itself. Data that compresses gets zstd's workers,
     * as does everything at the higher levels. Judged from samples spread over the
     * entry; the worker count changes only between zstd frames, so the current frame is
     * ended first (a zstd file may hold several frames; tar and zstd read them as one).
     */
    private void chooseWorkers(Source src) throws IOException {
        int want = compresses(src) ? zstdWorkers : 0;
        if (want == currentWorkers) {
            return;
        }
        endStreamFrame();
        zstd.setWorkers(want);
        currentWorkers = want;
    }

    /** Whether samples spread over {@code src} compress (at {@link #zstdLevel}) to less than 90 %. */
    private boolean compresses(Source src) throws IOException {
        long len = src.length();
        ByteBuffer sample = ByteBuffer.allocate(SAMPLES * SAMPLE_BYTES);
        for (int i = 0; i < SAMPLES; i++) {
            long at = len * (2L * i + 1) / (2L * SAMPLES);
            ByteBuffer part = sample.slice(sample.position(), SAMPLE_BYTES);
            int n = Math.max(0, src.channel().read(part, at));
            sample.position(sample.position() + n);
        }
        byte[] bytes = Arrays.copyOf(sample.array(), sample.position());
        return bytes.length > 0 && Zstd.compress(bytes, zstdLevel).length < bytes.length * 0.9;
    }

    /** One frame of an entry that compresses: its own zstd context, output buffer, and the task compressing into it. */
    private static final class FrameSlot {
        final ZstdCompressCtx ctx = new ZstdCompressCtx();
        final ByteBuffer out;
        Future<Integer> task;

        FrameSlot(int chunk) {
            out = ByteBuffer.allocateDirect((int) Zstd.compressBound(chunk));
        }
    }

    /**
     * Hands {@code buf}'s remaining bytes to a frame thread as one zstd frame at the current
     * level, after writing the frames already compressed. With every slot in use it first
     * waits for the oldest: the time waited is the signal that compression is the bottleneck.
     */
    private void submitFrame(ByteBuffer buf) throws IOException {
        writeDoneFrames();
        if (freeSlots.isEmpty() && allSlots.size() < frameSlots()) {
            FrameSlot slot = new FrameSlot(chunk);
            allSlots.add(slot);
            freeSlots.add(slot);
        }
        if (freeSlots.isEmpty()) {
            long t = System.nanoTime();
            awaitValue(pendingFrames.peekFirst().task);
            waitNanos += System.nanoTime() - t;
            writeDoneFrames();
        }
        FrameSlot slot = freeSlots.removeFirst();
        int lv = level;
        int n = buf.remaining();
        ByteBuffer in = buf.duplicate();
        levelBytes.merge(lv, (long) n, Long::sum);
        slot.task = frameThreads().submit(() -> {
            slot.ctx.setLevel(lv);
            return slot.ctx.compressDirectByteBuffer(slot.out, 0, slot.out.capacity(), in, in.position(), n);
        });
        pendingFrames.addLast(slot);
        frames++;
    }

    /** Writes the compressed frames at the head of the queue, in order, as long as they are done. */
    private void writeDoneFrames() throws IOException {
        while (!pendingFrames.isEmpty() && pendingFrames.peekFirst().task.isDone()) {
            writeFrame(pendingFrames.removeFirst());
        }
    }

    /** Writes every frame still queued, waiting for each in order. */
    private void drainFrames() throws IOException {
        while (!pendingFrames.isEmpty()) {
            writeFrame(pendingFrames.removeFirst());
        }
    }

    private void writeFrame(FrameSlot slot) throws IOException {
        int k = awaitValue(slot.task);
        slot.task = null;
        ByteBuffer out = slot.out.duplicate().clear().limit(k);
        writeFile(out);
        freeSlots.addLast(slot);
    }

    /** Frames in flight at most: one per frame thread plus one waiting, so that no thread waits for the next. */
    private int frameSlots() {
        return zstdWorkers + 1;
    }

    /** Ends the streaming context's frame, if one is begun. */
    private void endStreamFrame() throws IOException {
        if (streamOpen) {
            compress(ByteBuffer.allocateDirect(0), EndDirective.END);
        }
    }

    /**
     * Feeds a direct buffer to the streaming context; writes what comes out. With adaptive
     * levels a frame begun here takes the current level (without workers zstd applies a level
     * only from the next frame on).
     */
    private void compress(ByteBuffer src, EndDirective op) throws IOException {
        if (!streamOpen) {
            if (op == EndDirective.END && !src.hasRemaining()) {
                return;
            }
            if (levels != null && streamLevel != level) {
                zstd.setLevel(level);
                streamLevel = level;
            }
            streamOpen = true;
            frames++;
        }
        boolean done;
        do {
            done = zstd.compressDirectByteBufferStream(zstdOut, src, op);
            if (zstdOut.position() > 0) {
                zstdOut.flip();
                writeFile(zstdOut);
                zstdOut.clear();
            }
        } while (src.hasRemaining() || (op == EndDirective.END && !done));
        if (op == EndDirective.END) {
            streamOpen = false;
        }
    }

    /** Writes bytes of the (compressed) tar stream to the file, encrypting them when the archive is encrypted. */
    private void writeFile(ByteBuffer b) throws IOException {
        if (encryptor != null) {
            encryptor.write(b);
        } else {
            writeRaw(b);
        }
    }

    /** Writes bytes to the file as they are. */
    private void writeRaw(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            fileBytes += file.write(b);
        }
    }

    /** Starts write-back of what was written so far, on the helper, unless one still runs. */
    private void startWriteBack() throws IOException {
        if (fileBytes - writeBackFrom < WRITE_BACK_EVERY || writeBack != null && !writeBack.isDone()) {
            return;
        }
        await(writeBack);
        if (writeBackChannel == null) {
            writeBackChannel = FileChannel.open(temp, StandardOpenOption.WRITE);
        }
        FileChannel ch = writeBackChannel;
        writeBackFrom = fileBytes;
        writeBack = helper(false).submit(call(() -> ch.force(false)));
    }

    private ByteBuffer smallBuffer() {
        if (small == null) {
            small = ByteBuffer.allocateDirect(SMALL);
        }
        return small;
    }

    /**
     * The chunk buffers: {@link #BUFFERS}, or with adaptive levels one more than the frames in
     * flight, so that the buffer filled next is neither hashed nor compressed any more.
     */
    private ByteBuffer[] chunkBuffers() {
        if (chunks == null) {
            int count = levels != null ? Math.max(BUFFERS, frameSlots() + 1) : BUFFERS;
            chunks = new ByteBuffer[count];
            for (int i = 0; i < count; i++) {
                chunks[i] = ByteBuffer.allocateDirect(chunk);
            }
        }
        return chunks;
    }

    /** An action that may throw IOException, for the helpers. */
    private interface IoAction {
        void run() throws IOException;
    }

    private static Callable<Void> call(IoAction a) {
        return () -> {
            a.run();
            return null;
        };
    }

    private ExecutorService helper(boolean hashing) {
        if (hashing ? hasher == null : flusher == null) {
            String name = Thread.currentThread().getName() + (hashing ? "-sha256" : "-writeback");
            ExecutorService e = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
            });
            if (hashing) {
                hasher = e;
            } else {
                flusher = e;
            }
        }
        return hashing ? hasher : flusher;
    }

    /** The frame threads ("...-zstd"), one per core up to 4, made on the first frame. */
    private ExecutorService frameThreads() {
        if (frameThreads == null) {
            String name = Thread.currentThread().getName() + "-zstd";
            frameThreads = Executors.newFixedThreadPool(zstdWorkers, r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
            });
        }
        return frameThreads;
    }

    private static int awaitValue(Future<Integer> f) throws IOException {
        await(f);
        try {
            return f.get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e); // done and succeeded: await returned
        }
    }

    private static void await(Future<?> f) throws IOException {
        if (f == null) {
            return;
        }
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while archiving.");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw new IOException(io.getMessage(), io);
            }
            throw new IOException("Archiving failed: " + c, c);
        }
    }

    /**
     * Writes MANIFEST.json (with every entry) as the last entry, closes the archive,
     * fsyncs it, renames it to its final name and fsyncs the folder. Returns the size.
     */
    long finish(ObjectNode manifest) throws IOException {
        // The entries' checksums are of this format (a field already there keeps its place).
        manifest.put("format", SegmentDigests.FORMAT);
        ArrayNode arr = manifest.putArray("entries");
        for (Entry e : entries) {
            ObjectNode n = arr.addObject().put("path", e.path()).put("size", e.size()).put("sha256", e.sha256());
            if (!e.segmentSha256().isEmpty()) {
                n.put("segmentSize", e.segmentSize());
                ArrayNode segs = n.putArray("segmentSha256");
                e.segmentSha256().forEach(segs::add);
            }
        }
        if (zstd != null && !levelBytes.isEmpty()) {
            // The zstd levels asked for the entries' content: more than one when the level adapted (fast).
            ObjectNode lv = manifest.putObject("zstdLevels").put("min", levelBytes.firstKey())
                    .put("max", levelBytes.lastKey());
            ObjectNode by = lv.putObject("bytes");
            levelBytes.descendingMap().forEach((l, b) -> by.put(Integer.toString(l), b));
        }
        byte[] bytes = JSON.writeValueAsBytes(manifest);
        writeHeap(TarHeaders.file("MANIFEST.json", bytes.length, System.currentTimeMillis()));
        writeHeap(bytes);
        writeZeros(TarHeaders.padding(bytes.length));
        writeZeros(TarHeaders.trailer(tarBytes));
        if (zstd != null) {
            compress(ByteBuffer.allocateDirect(0), EndDirective.END);
        }
        if (encryptor != null) {
            encryptor.finish();
        }
        await(writeBack);
        if (file.position() != fileBytes) {
            throw new IOException("The archive is " + file.position() + " bytes long where " + fileBytes
                    + " were written.");
        }
        file.force(true);
        long size = file.size();
        file.close();
        stopHelpers();
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        fsyncFolder(target.getParent());
        finished = true;
        return size;
    }

    private static void fsyncFolder(Path folder) {
        try (FileChannel ch = FileChannel.open(folder, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // not every file system lets a folder be opened for fsync
        }
    }

    private void stopHelpers() {
        for (ExecutorService e : new ExecutorService[] {hasher, flusher}) {
            if (e != null) {
                e.shutdownNow();
            }
        }
        hasher = null;
        flusher = null;
        if (frameThreads != null) {
            // A frame thread may be inside zstd with its context: the contexts are closed only once it returned.
            frameThreads.shutdownNow();
            boolean ended = false;
            try {
                ended = frameThreads.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            frameThreads = null;
            if (ended) {
                allSlots.forEach(slot -> slot.ctx.close());
            }
            allSlots.clear();
            freeSlots.clear();
            pendingFrames.clear();
        }
        if (segmentPool != null) {
            segmentPool.close();
            segmentPool = null;
        }
        for (FileChannel ch : new FileChannel[] {readBack, writeBackChannel}) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // read-only use, or a write-back whose failure was already reported
                }
            }
        }
        readBack = null;
        writeBackChannel = null;
        if (zstd != null && !zstdClosed) {
            zstdClosed = true;
            zstd.close();
        }
    }

    /** Deletes the temporary file unless the archive was finished. */
    @Override
    public void close() {
        if (finished) {
            return;
        }
        stopHelpers();
        try {
            file.close();
        } catch (IOException ignored) {
            // the partial archive is deleted below
        }
        try {
            Files.deleteIfExists(temp);
        } catch (IOException ignored) {
            // a leftover .partial file never has the final name
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
