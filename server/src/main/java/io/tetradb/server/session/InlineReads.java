package io.tetradb.server.session;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Which reads run on the event loop that decoded them instead of on a worker, and the
 * guard that keeps those reads clear of structure changes (ARCHITECTURE.md, "Reads on the
 * event loop").
 *
 * <p>A read runs on its event loop only when its session is idle (nothing running, parked or
 * queued: it never overtakes the session's own parked write) and its statement is cached and
 * has proved short: its last runs (on any thread) each took at most the limit (or, having
 * waited for the CPU, used at most the limit of it: {@link #isShort}) and ended its result in
 * the first batch. A run over the limit sends the statement back to the workers
 * until twice as many short runs in a row as before have passed there (at most 1,024), so
 * a statement that is often long runs on the event loop ever more rarely; every 256 short
 * runs in a row forget one long run ({@link RunRecord}).
 *
 * <p>The only engine lock an H2 read can wait for is a table's exclusive lock, which
 * structure changes (and TRUNCATE) take. Such a change announces itself here first and waits
 * until no read runs on an event loop; a read that would start while one is announced goes to
 * a worker instead. So no event loop ever waits for an engine lock.
 *
 * <p>The same guard keeps every read on a worker clear of structure changes: H2's reads take
 * no table lock, and its structure changes are not made for readers running beside them. An
 * ALTER TABLE that copies a table drops the old one and renames the copy (a read meanwhile
 * finds the table missing or empty); CREATE INDEX adds to the list of indexes a read's plan
 * walks (which then fails with a ConcurrentModificationException). So a structure change
 * waits for the reads running on workers to end, and reads wait for it, as MySQL's metadata
 * locks make DDL and queries wait for each other.
 *
 * <p>Thread-safe: {@link #enter} and {@link #exit} run on event loops; {@link #workerRead},
 * {@link #structureChange} and {@link #awaitNoStructureChange} on workers.
 */
final class InlineReads {
    /** Runs in a row (at most) before a statement that was once long runs on the event loop again. */
    private static final int MAX_STREAK = 1024;

    private final long limitNanos;
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger structureChanges = new AtomicInteger();
    /** Reads running on workers. */
    private final AtomicInteger workerReads = new AtomicInteger();

    /** @param limit the longest run of a statement that counts as short; 0 runs every request on a worker */
    InlineReads(java.time.Duration limit) {
        this.limitNanos = limit.toNanos();
    }

    /** Whether reads may run on event loops at all. */
    boolean enabled() {
        return limitNanos > 0;
    }

    /** How many times the limit a run may take, waiting for the CPU, and still count as short. */
    static final int WAIT_FACTOR = 20;
    private static final java.lang.management.ThreadMXBean THREADS =
            java.lang.management.ManagementFactory.getThreadMXBean();

    /**
     * The calling thread's CPU time so far, in ns (about half a microsecond: one system call),
     * for {@link #isShort}; 0 when reads never run on event loops, or the JVM cannot tell.
     */
    long cpuNow() {
        if (limitNanos <= 0) {
            return 0;
        }
        long t = THREADS.getCurrentThreadCpuTime();
        return t < 0 ? 0 : t;
    }

    /**
     * Whether a run counts as short: its result (if any) ended in the first batch, and it took
     * at most the limit, or, when it took longer, it used at most the limit of CPU and took
     * no more than {@link #WAIT_FACTOR} times the limit in all. So a run that waited for the
     * CPU (two vCPUs shared with a backup or a build: its thread preempted) is not counted
     * against its statement, while one that is long by itself, or waited long for a disk or a
     * lock, is. Measured on a loaded machine before this: about 1 % of point selects took over
     * 250 us of wall time for want of a CPU, which kept them on workers for good (98 % of them
     * there; {@link #proved} then asks for 1,024 short runs in a row).
     *
     * @param nanos the run's wall time
     * @param cpuBefore {@link #cpuNow} when it began (on the same thread)
     */
    boolean isShort(long nanos, long cpuBefore, boolean endedAtOnce) {
        if (!endedAtOnce) {
            return false;
        }
        if (nanos <= limitNanos) {
            return true;
        }
        if (nanos > WAIT_FACTOR * limitNanos || cpuBefore <= 0) {
            return false;
        }
        return cpuNow() - cpuBefore <= limitNanos;
    }

    /** Whether a statement with these counts of runs may run on the event loop. */
    static boolean proved(int shortRunsInARow, int longRuns) {
        return shortRunsInARow >= Math.min(1 << Math.min(longRuns, 10), MAX_STREAK);
    }

    /** Short runs in a row after which one long run of a statement is forgotten. */
    static final int FORGET_AFTER = 256;

    /**
     * One statement's record of its runs (not thread-safe: a cached statement runs in its
     * session's turn only). A long run resets the short runs in a row and counts; every
     * {@link #FORGET_AFTER} short runs in a row forget one long run. So a statement that is
     * long at most about once in 300 runs (a collection pause, a page read by chance slow, a
     * preemption longer than {@link #WAIT_FACTOR} times the limit) keeps running on the event
     * loop after two or four runs on workers, while one that is long more often soon needs
     * 1,024 short runs in a row each time and runs there ever more rarely. Without forgetting,
     * those rare runs added up: measured with {@code perf stat} on the loaded 2-core machine, 8
     * sessions after 300,000 point selects, 0.4-0.55 event-loop wake-ups by a worker per select
     * (about half of them on workers again; 0.00-0.01 with forgetting).
     */
    static final class RunRecord {
        private int shortRuns;
        private int longRuns;

        /** Counts one run of the statement. */
        void ran(boolean isShort) {
            if (isShort) {
                shortRuns = Math.min(shortRuns + 1, 1 << 20);
                if (shortRuns % FORGET_AFTER == 0 && longRuns > 0) {
                    longRuns--;
                }
            } else {
                shortRuns = 0;
                longRuns = Math.min(longRuns + 1, 1 << 20);
            }
        }

        /** Whether the statement may run on the event loop next. */
        boolean proved() {
            return InlineReads.proved(shortRuns, longRuns);
        }
    }

    /** Counts a read that is to run on an event loop; false (nothing counted) while a structure change waits or runs. */
    boolean enter() {
        running.incrementAndGet();
        if (structureChanges.get() > 0) {
            running.decrementAndGet();
            return false;
        }
        return true;
    }

    /** The read counted by {@link #enter} ended. */
    void exit() {
        running.decrementAndGet();
    }

    /**
     * Counts a read (or a parse) about to run on a worker; while a structure change runs or
     * waits, it first waits for its end; closing the result ends the read.
     *
     * @param inWriteTransaction whether the session has uncommitted changes: such a session never
     *                           meets a structure change, which first waits for its transaction to end
     *                           (LogCapture's barrier), and which waiting here would keep from ending
     */
    Change workerRead(boolean inWriteTransaction) {
        workerReads.incrementAndGet();
        while (!inWriteTransaction && structureChanges.get() > 0) {
            workerReads.decrementAndGet();
            while (structureChanges.get() > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(200_000);
            }
            workerReads.incrementAndGet();
        }
        return workerReads::decrementAndGet;
    }

    /**
     * Announces a structure change and waits (on its worker) until no read runs, on an event loop
     * or on a worker; until closing the result ends the change, reads wait for it (on workers) or
     * go to a worker (from event loops). When the reads on workers have not ended within
     * {@code waitMillis}, nothing runs and it fails with 2001.
     */
    Change structureChange(long waitMillis) {
        structureChanges.incrementAndGet();
        long end = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(waitMillis);
        while (workerReads.get() > 0) {
            if (System.nanoTime() > end) {
                structureChanges.decrementAndGet();
                throw new io.tetradb.client.TetraException(io.tetradb.client.ErrorCode.SERVER_BUSY,
                        "The structure change waited " + waitMillis / 1000.0 + " s (log.structureWait) for reads "
                                + "of other sessions to end, and did not run; try again.");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(200_000);
        }
        // Reads on event loops are short: so is this wait.
        for (int spins = 0; running.get() > 0; spins++) {
            if (spins < 1_000) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
        return structureChanges::decrementAndGet;
    }

    /**
     * Waits (on a worker) until no structure change runs or waits, at most {@code atMost}: a read
     * that found its table replaced meanwhile runs again once the change ended.
     */
    void awaitNoStructureChange(java.time.Duration atMost) {
        long end = System.nanoTime() + atMost.toNanos();
        while (structureChanges.get() > 0 && System.nanoTime() < end) {
            java.util.concurrent.locks.LockSupport.parkNanos(200_000);
        }
    }

    /** An announced structure change; closing it ends it. */
    interface Change extends AutoCloseable {
        @Override
        void close();
    }
}
