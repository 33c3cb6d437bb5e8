package io.tetradb.server.log;

import org.h2.mvstore.FileStore;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Field;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * When H2 writes its data file: only here, at the server's checkpoints, while no session
 * changes anything in the engine.
 *
 * <p><b>Why.</b> H2's MVStore writes a new version of the file by taking each map's root
 * one after the other ({@code MVStore.collectChangedMapRoots}); a session that writes
 * meanwhile may have its change to one map in the version and its change to another map
 * not. After a kill the file then holds no moment of the database: measured with H2
 * 2.3.232 alone (docs/log-file-faults.md, "H2 writes its file"), a transaction's row was
 * lost while its second table's row, written after it, was kept, and a row was left with
 * the number of a transaction that no longer existed. A log replayed over such a file
 * cannot know what to redo. Here every version H2 writes is taken while no session is
 * inside the engine, so the file always holds one moment: all transactions committed
 * before it, none after, the open ones with their undo logs (rolled back when it opens).
 * The watermarks of the log ({@link Watermarks}) are in the same version as the rows they
 * count, so recovery redoes exactly what the file lacks.
 *
 * <p><b>How.</b> {@link #take} switches off H2's own writes of the open store: its
 * background writer (the write delay, set to the largest value, so the thread sleeps) and
 * the write it starts when unsaved pages pass its buffer (the store's
 * {@code autoCommitMemory}, which H2 does not let a URL set, is raised to the largest
 * value). Every engine call of a session that may change something holds
 * {@link #call} (shared, closed when the call ends); a checkpoint takes the same lock exclusively,
 * so it waits until the calls under way end and holds new ones back while it runs:
 * {@code MVStore.commit()} (the new version), a bounded step of compaction (what H2's
 * background writer would have done), then, without the lock, {@code sync}.
 *
 * <p><b>When.</b> Every {@code log.checkpointInterval} when something is unsaved, sooner
 * when H2 holds more than {@link #EARLY_BYTES} of unsaved pages. A checkpoint waits at
 * most {@link #WAIT_MILLIS} for the calls under way (holding new ones back meanwhile) and,
 * when they did not end, tries again a quarter interval later (at most a second): a long statement never holds
 * every other write back for long, nor often; past {@link #FORCE_BYTES} of unsaved pages it waits
 * up to {@link #FORCE_WAIT_MILLIS} each try, holding new writes back meanwhile (H2 holds
 * writers back at such a size too).
 *
 * <p><b>Where the log stands.</b> Each checkpoint records the log's position (segment,
 * offset, last operation) in the same version of the file, in map {@value #POSITION_MAP}:
 * after a crash, recovery reads the log from there, not from its segment's start.
 *
 * <p><b>Threads.</b> {@link #call}: worker threads, around engine calls;
 * the checkpoint thread {@code tetra-checkpoint}: the checkpoints; {@link #checkpoint}
 * may also be called by the server (CHECKPOINT from an engine admin, the clean close).
 */
public final class Checkpoints implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Checkpoints.class);
    /** Unsaved pages beyond which a checkpoint comes before its interval. */
    static final int EARLY_BYTES = 16 << 20;
    /** Unsaved pages beyond which a checkpoint holds new writes back until it gets in. */
    static final int FORCE_BYTES = 256 << 20;
    static final long WAIT_MILLIS = 20;
    static final long FORCE_WAIT_MILLIS = 1000;
    private static final long TICK_MILLIS = 100;
    /** The longest wait after a checkpoint that gave up (the interval may be an hour). */
    private static final long RETRY_MILLIS = 1000;
    /** Compaction per checkpoint: chunks under this fill rate are rewritten, this many bytes at most. */
    private static final int COMPACT_FILL_RATE = 50;
    private static final int COMPACT_WRITE_BYTES = 2 << 20;

    private final MVStore store;
    private final long intervalMillis;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final AtomicLong taken = new AtomicLong();
    private final AtomicLong deferred = new AtomicLong();
    private volatile long lastMillis = System.currentTimeMillis();
    /** No checkpoint of the thread's before this (after a deferred one: the calls under way may be long). */
    private long notBeforeMillis;
    private volatile long lastVersion;
    private volatile long longestPauseMicros;
    private volatile boolean running;
    private Thread thread;
    /** The log whose position each checkpoint records (null until the log is open). */
    private volatile OperationLog log;
    /** The last checkpoint's position in the log, in the same version of the file as the rows. */
    private final org.h2.mvstore.MVMap<String, Long> position;

    private Checkpoints(MVStore store, long intervalMillis) {
        this.store = store;
        this.intervalMillis = intervalMillis;
        this.lastVersion = store.getCurrentVersion();
        this.position = store.openMap(POSITION_MAP);
    }

    static final String POSITION_MAP = "tetra.log.checkpoint";

    /**
     * The log position the last checkpoint before a crash recorded in {@code store}: every
     * frame before it is in the data file. Null when none was recorded.
     */
    static OperationLog.Position recorded(MVStore store) {
        if (!store.hasMap(POSITION_MAP)) {
            return null;
        }
        org.h2.mvstore.MVMap<String, Long> m = store.openMap(POSITION_MAP);
        Long segment = m.get("segment");
        Long offset = m.get("offset");
        Long last = m.get("lastOperation");
        return segment == null || offset == null || last == null ? null
                : new OperationLog.Position(segment, offset, last);
    }

    /** From here on each checkpoint records where {@code l} stands. */
    void follow(OperationLog l) {
        log = l;
    }

    /**
     * Takes over the writes of {@code store}: from here on H2 writes its file only at
     * {@link #checkpoint}. Call right after the engine opened, before anything else
     * changes the database.
     */
    public static Checkpoints take(MVStore store, long intervalMillis) {
        store.setAutoCommitDelay(Integer.MAX_VALUE);
        raiseWriteBuffer(store);
        return new Checkpoints(store, intervalMillis);
    }

    /**
     * H2 2.3.232 keeps the size of unsaved pages that makes a writer store in a final
     * field set from a builder option its database engine never passes: set here.
     */
    private static void raiseWriteBuffer(MVStore store) {
        try {
            Field f = MVStore.class.getDeclaredField("autoCommitMemory");
            f.setAccessible(true);
            f.setInt(store, Integer.MAX_VALUE);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("This H2 version does not let the server decide when the data file is "
                    + "written (MVStore.autoCommitMemory): " + e, e);
        }
        if (store.getAutoCommitMemory() != Integer.MAX_VALUE) {
            throw new IllegalStateException("H2 did not take the server's write buffer size.");
        }
    }

    /** Starts the checkpoint thread. */
    public synchronized void start() {
        if (thread != null) {
            return;
        }
        running = true;
        thread = new Thread(this::loop, "tetra-checkpoint");
        thread.setDaemon(true);
        thread.start();
    }

    /** An engine call held by {@link #call}: closing it ends the call. */
    @FunctionalInterface
    public interface Call extends AutoCloseable {
        /** For calls that hold nothing (a read, or no checkpoints: the database is closed). */
        Call NONE = () -> { };

        @Override
        void close();
    }

    private final Call exitCall = this::exit;

    /** A session's engine call that may change something begins, shared with other calls; close it when it ends. */
    public Call call() {
        enter();
        return exitCall;
    }

    /** A session's engine call that may change something begins (shared with other calls). */
    private void enter() {
        lock.readLock().lock();
    }

    /** The call that {@link #enter} began ended. */
    private void exit() {
        lock.readLock().unlock();
    }

    /**
     * Writes a new version of the data file now, waiting up to {@code waitMillis} for the
     * engine calls under way; false when they did not end in time (nothing written).
     */
    public boolean checkpoint(long waitMillis) {
        boolean locked;
        try {
            locked = lock.writeLock().tryLock(waitMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        if (!locked) {
            deferred.incrementAndGet();
            return false;
        }
        long started = System.nanoTime();
        try {
            if (store.isClosed()) {
                return false;
            }
            OperationLog l = log;
            if (l != null) {
                // No commit is under way: every frame appended is written and its transaction is in this version.
                OperationLog.Position p = l.position();
                if (!Long.valueOf(p.offset()).equals(position.get("offset"))
                        || !Long.valueOf(p.segment()).equals(position.get("segment"))) {
                    position.put("segment", p.segment());
                    position.put("offset", p.offset());
                    position.put("lastOperation", p.lastOperation());
                }
            }
            store.commit();
            if (store.getFileStore().getChunksFillRate() < COMPACT_FILL_RATE
                    && store.compact(COMPACT_FILL_RATE, COMPACT_WRITE_BYTES)) {
                store.commit();
            }
            lastVersion = store.getCurrentVersion();
        } finally {
            lock.writeLock().unlock();
        }
        long pause = (System.nanoTime() - started) / 1000;
        if (pause > longestPauseMicros) {
            longestPauseMicros = pause;
        }
        FileStore<?> fs = store.getFileStore();
        if (!store.isClosed()) {
            fs.sync();
        }
        lastMillis = System.currentTimeMillis();
        taken.incrementAndGet();
        return true;
    }

    /** Tries checkpoints until one is written or {@code timeoutMillis} passed; whether one was. */
    public boolean checkpointWithin(long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        do {
            if (checkpoint(Math.min(FORCE_WAIT_MILLIS, Math.max(1, timeoutMillis)))) {
                return true;
            }
        } while (System.nanoTime() < deadline && !store.isClosed());
        return false;
    }

    /**
     * A checkpoint when H2 holds more than {@link #EARLY_BYTES} of unsaved pages, for a
     * thread that changes the engine alone and holds nothing (recovery between the
     * transactions it redoes, so that a long redo does not keep them all in memory).
     */
    void checkpointIfLarge() {
        if (store.getUnsavedMemory() >= EARLY_BYTES) {
            checkpoint(FORCE_WAIT_MILLIS);
        }
    }

    private void loop() {
        while (true) {
            synchronized (this) {
                if (!running) {
                    return;
                }
                try {
                    wait(TICK_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
                if (!running) {
                    return;
                }
            }
            try {
                if (store.isClosed()) {
                    return;
                }
                int unsaved = store.getUnsavedMemory();
                long now = System.currentTimeMillis();
                boolean due = now - lastMillis >= intervalMillis && store.hasUnsavedChanges();
                if (unsaved >= FORCE_BYTES) {
                    checkpoint(FORCE_WAIT_MILLIS);
                } else if ((due || unsaved >= EARLY_BYTES) && now >= notBeforeMillis
                        && !checkpoint(WAIT_MILLIS)) {
                    // Each try holds new calls back while it waits: after one that gave up, wait before the next.
                    notBeforeMillis = now + Math.min(RETRY_MILLIS, Math.max(TICK_MILLIS, intervalMillis / 4));
                }
            } catch (RuntimeException e) {
                // The store failed (disk full, closed under us): H2 reports it to the sessions; the next tick tries again.
                LOG.warn("A checkpoint of the data file failed: {}", e.toString());
            }
        }
    }

    MVStore store() {
        return store;
    }

    /** Checkpoints written since the database opened. */
    public long taken() {
        return taken.get();
    }

    /** Checkpoints that gave up because engine calls under way did not end within their wait. */
    public long deferred() {
        return deferred.get();
    }

    /** The store version the last checkpoint wrote: H2 writes no other (tests compare it with the store's). */
    public long lastVersion() {
        return lastVersion;
    }

    /** The longest time a checkpoint held engine calls back, in microseconds. */
    public long longestPauseMicros() {
        return longestPauseMicros;
    }

    /**
     * Stops the checkpoint thread, after the checkpoint it may be writing (never interrupted:
     * H2 closes its file when a thread writing it is interrupted). The engine's clean close
     * then writes the last version.
     */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            running = false;
            t = thread;
            thread = null;
            notifyAll();
        }
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
