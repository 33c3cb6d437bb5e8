package io.tetradb.server.gate;

import io.tetradb.protocol.BackupProgress;
import io.tetradb.protocol.BackupWait;
import io.tetradb.client.ErrorCode;
import io.tetradb.protocol.StatementKind;
import io.tetradb.client.TetraException;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * The write gate. Every data and structure write of every session passes
 * {@link #enter} before it touches the engine, and {@link #exit} after. While a backup
 * copies the data file the gate is {@link Mode#CLOSED}: data writes and DDL are queued;
 * while it copies only the structure it is {@link Mode#STRUCTURE_CLOSED}: only DDL is
 * queued. Reads never pass here, so they never wait.
 *
 * <p>A queued write is a {@link ParkedWrite}: data, no thread, no engine lock; its
 * session stops taking requests behind it (session order), other sessions go on. Writes
 * of sessions that already hold uncommitted changes when the gate closes are let
 * through, so their transactions can finish (the backup waits for them, see
 * {@link #awaitQuiet}). When the gate opens, queued writes are handed back in arrival
 * order, each exactly once. The queue is bounded by count and bytes (2001 beyond).
 *
 * <p><b>Threads.</b>
 * <ul>
 *   <li>Worker threads, inside a session's ordered-executor task: {@link #enter},
 *       {@link #exit}, {@link #signal}.</li>
 *   <li>The backup thread: {@link #close}, {@link #awaitQuiet}, {@link #open}.</li>
 *   <li>Event loops: {@link #cancel} (a client's Cancel) and {@link #removeSession}
 *       (its connection closed; also the thread that ends every session for a shutdown
 *       or an in-place restore).</li>
 *   <li>The timer thread of the {@link ScheduledExecutorService} given: the expiry of a
 *       WAIT_AT_MOST wait, which is a {@link #cancel}.</li>
 *   <li>Any thread (the metrics thread when scraped): the counters' and the queue's readers.</li>
 * </ul>
 * All state (mode, queue, queued bytes, active count, counters) is guarded by this
 * object's monitor. {@link ParkedWrite}'s callbacks always run after the lock is
 * released, on the thread that decided them; so a write's {@code waiting} may come after
 * its {@code admitted} or {@code refused} when another thread opens or cancels at once
 * (the session's executor allows for that).
 *
 * <p><b>Invariants</b>, and how each is enforced:
 * <ol>
 *   <li><i>What a closed gate holds back does not run.</i> While the mode holds a kind
 *       back (CLOSED: data and structure writes; STRUCTURE_CLOSED: structure writes),
 *       {@link #enter} admits a write of that kind only when its session holds
 *       uncommitted changes. The mode test and the admission ({@code active++}) are one
 *       synchronized block, and {@link #close} sets the mode under the same lock: a write
 *       either was admitted before the close (and is counted as active) or sees the new
 *       mode.</li>
 *   <li><i>Quiet means quiet.</i> {@link #awaitQuiet} returns true only at a moment when
 *       no admitted write runs ({@code active == 0}) and {@code transactionsEnded} holds,
 *       both read under the lock. With 1, from then until {@link #open} only writes of
 *       sessions with uncommitted changes can pass, and there were none at that moment.
 *       This holds only if a caller refreshes its session's "uncommitted changes" flag
 *       <em>before</em> it calls {@link #exit} (RequestDispatcher does): a flag refreshed
 *       later lets a transaction's next write through a gate believed quiet.</li>
 *   <li><i>Admitted and exited pair up.</i> {@code active} counts writes admitted by
 *       {@link #enter} (RUN) that have not called {@link #exit}; the caller calls exit
 *       exactly once per RUN, in a finally block. A PARKED write is not active.</li>
 *   <li><i>Every queued write is answered exactly once.</i> A write accepted into the
 *       queue gets {@code waiting} once, then exactly one of {@code admitted} or
 *       {@code refused}. Every path that answers ({@link #open}, {@link #cancel} and the
 *       expiry that calls it, {@link #removeSession}) first removes the entry from the
 *       queue under the lock, and only the thread that removed it calls back; a removed
 *       entry's timer is cancelled, and an expiry or cancel that finds nothing does
 *       nothing and returns false.</li>
 *   <li><i>Arrival order.</i> {@link #open} hands writes back in the order {@link #enter}
 *       queued them: the queue is a {@link LinkedHashMap} in insertion order, copied and
 *       cleared under the lock before any callback runs.</li>
 *   <li><i>Bounded queue.</i> At all times the queue holds at most {@code maxQueuedWrites}
 *       writes and {@code queuedBytes} (the sum of their sizes) is at most
 *       {@code maxQueuedBytes}. {@link #enter} checks both before it adds (2001 beyond,
 *       nothing queued); every removal subtracts the entry's bytes, and {@link #open}
 *       resets the sum to 0 as it empties the queue.</li>
 *   <li><i>FAIL_FAST never queues.</i> It is refused with -9976 at once, by the exception
 *       from {@link #enter}; the write gets no callback.</li>
 *   <li><i>One queued write per session and request id.</i> The queue is keyed by both: a
 *       second write under the same key would replace the first, which would then never
 *       be answered. Callers keep this: a session's executor parks the session behind its
 *       parked write, so a session never has two writes queued.</li>
 *   <li><i>Counters.</i> {@link #queuedTotal} counts writes accepted into the queue and
 *       {@link #refusedTotal} the -9976 answers (fail-fast, cancel, expiry; not 2001, not
 *       a session gone), both since the last {@link #close}, which resets them;
 *       {@link #queuedEver} and {@link #refusedEver} count the same since the gate was made
 *       (metrics), and {@link #onHeld} is told, after the lock is released, how long each
 *       close held the gate until {@link #open}.</li>
 * </ol>
 */
public final class WriteGate {
    /** What the gate holds back. */
    public enum Mode { OPEN, STRUCTURE_CLOSED, CLOSED }

    /** What {@link #enter} decided. */
    public enum Admission { RUN, PARKED }

    /** How long a write may wait (from the client's wait policy). */
    public enum Policy { WAIT, FAIL_FAST, WAIT_AT_MOST }

    private record Key(long sessionId, long requestId) {
    }

    private static final class Entry {
        final ParkedWrite write;
        final long bytes;
        final StatementKind kind;
        final long queuedAtMillis = System.currentTimeMillis();
        /** When it was queued ({@link System#nanoTime}): the oldest one's age is a metric. */
        final long queuedAtNanos = System.nanoTime();
        ScheduledFuture<?> timer;

        Entry(ParkedWrite write, long bytes, StatementKind kind) {
            this.write = write;
            this.bytes = bytes;
            this.kind = kind;
        }
    }

    /** A write waiting in the queue now, as the admin panel lists it. */
    public record QueuedWrite(long sessionId, long requestId, StatementKind kind, long queuedAtMillis, long bytes,
                              boolean inTransaction) {
    }

    private final int maxQueuedWrites;
    private final long maxQueuedBytes;
    private final ScheduledExecutorService timers;
    private final LinkedHashMap<Key, Entry> queue = new LinkedHashMap<>();
    private Mode mode = Mode.OPEN;
    private long backupNumber;
    private long queuedBytes;
    private int active;
    private int queuedTotal;
    private int refusedTotal;
    private long queuedEver;
    private long refusedEver;
    /** When the gate last closed ({@link System#nanoTime}); meaningful while it is not OPEN. */
    private long closedAtNanos;
    private volatile LongConsumer heldListener = n -> { };
    private Supplier<BackupProgress> progress = BackupProgress::getDefaultInstance;

    public WriteGate(int maxQueuedWrites, long maxQueuedBytes, ScheduledExecutorService timers) {
        this.maxQueuedWrites = maxQueuedWrites;
        this.maxQueuedBytes = maxQueuedBytes;
        this.timers = timers;
    }

    /**
     * Asks to run a write. RUN: the caller runs it and calls {@link #exit} after.
     * PARKED: the gate keeps {@code write} and calls it back.
     *
     * @param hasUncommittedChanges whether the session holds uncommitted changes (its transaction may finish)
     * @throws TetraException -9976 for FAIL_FAST, 2001 when the queue is full
     */
    public Admission enter(ParkedWrite write, StatementKind kind, long bytes, boolean hasUncommittedChanges,
                           Policy policy, long waitAtMostMillis) {
        BackupWait wait;
        Entry entry;
        synchronized (this) {
            if (!holdsBack(kind) || hasUncommittedChanges) {
                active++;
                return Admission.RUN;
            }
            if (policy == Policy.FAIL_FAST) {
                refusedTotal++;
                refusedEver++;
                throw backupInProgress(write.inTransaction());
            }
            if (queue.size() >= maxQueuedWrites || queuedBytes + bytes > maxQueuedBytes) {
                throw new TetraException(ErrorCode.SERVER_BUSY, "Server busy: the queue of writes waiting for the backup is full ("
                        + queue.size() + " writes, " + queuedBytes + " bytes).");
            }
            entry = new Entry(write, bytes, kind);
            queue.put(new Key(write.sessionId(), write.requestId()), entry);
            queuedBytes += bytes;
            queuedTotal++;
            queuedEver++;
            wait = BackupWait.newBuilder().setRequestId(write.requestId()).setBackupNumber(backupNumber)
                    .setProgress(progress.get()).setQueuePosition(queue.size()).setInTransaction(write.inTransaction())
                    .build();
            if (policy == Policy.WAIT_AT_MOST) {
                long sessionId = write.sessionId();
                long requestId = write.requestId();
                entry.timer = timers.schedule(() -> expire(sessionId, requestId), Math.max(0, waitAtMostMillis),
                        TimeUnit.MILLISECONDS);
            }
        }
        write.waiting(wait);
        return Admission.PARKED;
    }

    private boolean holdsBack(StatementKind kind) {
        switch (mode) {
            case CLOSED:
                return kind == StatementKind.DATA_WRITE || kind == StatementKind.STRUCTURE_WRITE;
            case STRUCTURE_CLOSED:
                return kind == StatementKind.STRUCTURE_WRITE;
            default:
                return false;
        }
    }

    /** A write admitted by {@link #enter} has finished. */
    public synchronized void exit() {
        active--;
        notifyAll();
    }

    /** A session's transaction state changed (the backup may be waiting for it). */
    public synchronized void signal() {
        notifyAll();
    }

    /** Whether the gate holds anything back now (cheap, for callers that want to skip a signal). */
    public synchronized boolean isClosed() {
        return mode != Mode.OPEN;
    }

    /** The gate's mode. */
    public synchronized Mode mode() {
        return mode;
    }

    /**
     * Closes the gate for backup {@code number}: from now on writes of {@code closeMode}'s
     * kinds are queued (except those of sessions with uncommitted changes).
     */
    public synchronized void close(Mode closeMode, long number, Supplier<BackupProgress> progressSource) {
        if (mode == Mode.OPEN) {
            closedAtNanos = System.nanoTime();
        }
        mode = closeMode;
        backupNumber = number;
        progress = progressSource;
        queuedTotal = 0;
        refusedTotal = 0;
    }

    /**
     * Waits until no admitted write runs and {@code transactionsEnded} holds (no session
     * has uncommitted changes). Returns false when {@code timeoutMillis} passes first or
     * {@code stop} becomes true.
     */
    public synchronized boolean awaitQuiet(BooleanSupplier transactionsEnded, long timeoutMillis, BooleanSupplier stop)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (active > 0 || !transactionsEnded.getAsBoolean()) {
            if (stop.getAsBoolean()) {
                return false;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            // Woken by exit() and signal(); the bound covers a state change we were not told of.
            wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 100)));
        }
        return true;
    }

    /** Opens the gate and hands every queued write back, in arrival order. */
    public void open() {
        List<Entry> release;
        long held = -1;
        synchronized (this) {
            if (mode != Mode.OPEN) {
                held = System.nanoTime() - closedAtNanos;
            }
            mode = Mode.OPEN;
            release = new ArrayList<>(queue.values());
            queue.clear();
            queuedBytes = 0;
            progress = BackupProgress::getDefaultInstance;
            notifyAll();
        }
        if (held >= 0) {
            heldListener.accept(held);
        }
        for (Entry e : release) {
            if (e.timer != null) {
                e.timer.cancel(false);
            }
            e.write.admitted();
        }
    }

    /** Told (on the thread that opens the gate, no lock held) how many nanoseconds each close held it. */
    public void onHeld(LongConsumer listener) {
        heldListener = listener == null ? n -> { } : listener;
    }

    /**
     * Cancels a queued write: it is answered -9976 and never runs. Returns false when
     * the write is not queued (it ran or was never held).
     */
    public boolean cancel(long sessionId, long requestId) {
        Entry e;
        synchronized (this) {
            e = remove(new Key(sessionId, requestId));
            if (e == null) {
                return false;
            }
            refusedTotal++;
            refusedEver++;
        }
        e.write.refused(backupInProgress(e.write.inTransaction()));
        return true;
    }

    private void expire(long sessionId, long requestId) {
        cancel(sessionId, requestId);
    }

    /** Drops every queued write of a session that is gone. */
    public void removeSession(long sessionId) {
        List<Entry> dropped = new ArrayList<>();
        synchronized (this) {
            Iterator<Map.Entry<Key, Entry>> it = queue.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<Key, Entry> me = it.next();
                if (me.getKey().sessionId() == sessionId) {
                    it.remove();
                    queuedBytes -= me.getValue().bytes;
                    dropped.add(me.getValue());
                }
            }
        }
        for (Entry e : dropped) {
            if (e.timer != null) {
                e.timer.cancel(false);
            }
            e.write.refused(new TetraException(ErrorCode.SESSION_CLOSED, "The session closed while its write waited."));
        }
    }

    private Entry remove(Key key) {
        Entry e = queue.remove(key);
        if (e != null) {
            queuedBytes -= e.bytes;
            if (e.timer != null) {
                e.timer.cancel(false);
            }
        }
        return e;
    }

    /** The writes queued now, in arrival order (the order they will run in). */
    public synchronized List<QueuedWrite> queued() {
        List<QueuedWrite> l = new ArrayList<>(queue.size());
        for (Map.Entry<Key, Entry> me : queue.entrySet()) {
            Entry e = me.getValue();
            l.add(new QueuedWrite(me.getKey().sessionId(), me.getKey().requestId(), e.kind, e.queuedAtMillis, e.bytes,
                    e.write.inTransaction()));
        }
        return l;
    }

    /** Writes queued now. */
    public synchronized int queuedWrites() {
        return queue.size();
    }

    /** Writes queued since the gate last closed. */
    public synchronized int queuedTotal() {
        return queuedTotal;
    }

    /** Writes refused with -9976 (cancelled, fail-fast, expired) since the gate last closed. */
    public synchronized int refusedTotal() {
        return refusedTotal;
    }

    /** Writes accepted into the queue since the gate was made. */
    public synchronized long queuedEver() {
        return queuedEver;
    }

    /** Writes refused with -9976 (cancelled, fail-fast, expired) since the gate was made. */
    public synchronized long refusedEver() {
        return refusedEver;
    }

    /** How long the write queued first of those waiting now has waited, in nanoseconds; 0 when none waits. */
    public synchronized long oldestQueuedNanos() {
        Iterator<Entry> it = queue.values().iterator();
        return it.hasNext() ? Math.max(0, System.nanoTime() - it.next().queuedAtNanos) : 0;
    }

    /** The -9976 error. */
    public static TetraException backupInProgress(boolean inTransaction) {
        String msg = ErrorCode.BACKUP_IN_PROGRESS.defaultMessage();
        if (inTransaction) {
            msg += " Only this statement was cancelled: the transaction stays open, and a half-done unit of work"
                    + " can leave the data logically inconsistent.";
        }
        return new TetraException(ErrorCode.BACKUP_IN_PROGRESS, msg).withInTransaction(inTransaction);
    }
}
