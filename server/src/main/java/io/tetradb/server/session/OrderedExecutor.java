package io.tetradb.server.session;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Runs one session's tasks one at a time, in the order they were submitted, on a shared
 * worker pool. A task may <em>park</em> the session (a write held back by the write
 * gate): the executor then stops taking tasks without holding a thread, and the parked
 * task is handed back with {@link #resume(Task)}, which runs it before every later one.
 * Sessions run in parallel; one session never holds a worker while it waits.
 *
 * <p>{@link #submit} is called on the session's event loop; tasks run on worker threads,
 * except a task {@link #submitHere} runs on the event loop itself; {@link #resume} from
 * whichever thread opens the gate. State is guarded by this object.
 */
public final class OrderedExecutor {
    private static final Logger LOG = LoggerFactory.getLogger(OrderedExecutor.class);
    /** What a task tells the executor when it returns. */
    public enum Outcome { DONE, PARKED }

    /** A unit of work: one request of the session. */
    public interface Task {
        /** The request id the task answers (0 for internal tasks). */
        long requestId();

        /** Runs the task on a worker thread. */
        Outcome run();

        /** Called instead of {@link #run} when the task is dropped (session closed, request cancelled). */
        void drop();

        /**
         * Whether a Cancel naming {@link #requestId} may remove this task from the queue.
         * Internal tasks (id 0: opening the engine connection, closing a cursor) never: a
         * Cancel of id 0 would otherwise drop the session's open, and it would never answer.
         */
        default boolean cancellable() {
            return requestId() != 0;
        }
    }

    /**
     * Internal work queued in a session's order (opening or closing its engine connection,
     * closing a cursor, releasing an internal caller's connection): request id 0, so never
     * removed by a Cancel; dropped silently, since it no longer matters once the session is gone.
     */
    public static Task internal(Runnable body) {
        return new Task() {
            @Override
            public long requestId() {
                return 0;
            }

            @Override
            public Outcome run() {
                body.run();
                return Outcome.DONE;
            }

            @Override
            public void drop() {
                // internal work that no longer matters once the session is gone
            }
        };
    }

    private static final int BURST = 32;

    private final Executor pool;
    private final ArrayDeque<Task> tasks = new ArrayDeque<>();
    private boolean running;
    private boolean parked;
    /**
     * The running task's park was already ended (resumed or unparked) before its run()
     * returned PARKED: the gate answers the client (BackupWait) while the task is still
     * returning, and a fast client can cancel it, or the gate open, in that window.
     */
    private boolean released;
    private Task current;
    private CompletableFuture<Void> idle;
    /**
     * The last task ran on the pool: its replies may still wait in the event loop's queue
     * ({@link #submitHere}).
     */
    private boolean ranOnPool;

    public OrderedExecutor(Executor pool) {
        this.pool = pool;
    }

    /** Queues a task behind every earlier one. */
    public void submit(Task task) {
        synchronized (this) {
            tasks.addLast(task);
            if (running || parked) {
                return;
            }
            running = true;
        }
        schedule();
    }

    /**
     * Runs {@code task} on the calling thread (the session's event loop {@code loop}) when the
     * session has nothing running, parked or queued and {@code enter} accepts it; otherwise
     * queues it as {@link #submit} does. {@code enter} is asked once the task holds the
     * session's turn, so it may read what only the session's running task may (its statement
     * cache); when it returns true, {@code exit} runs after the task, on the same thread. Tasks
     * submitted meanwhile (an internal task from another thread) run on the pool afterwards,
     * in order.
     *
     * <p>When the session's previous task ran on the pool, its replies were written from a
     * worker, so they wait in {@code loop}'s task queue until the loop gets to them; a reply
     * written here at once would overtake them. The task then runs as a task of {@code loop}
     * itself, behind those writes (the session keeps its turn meanwhile): replies leave in the
     * order of the requests.
     */
    public void submitHere(Task task, java.util.function.BooleanSupplier enter, Runnable exit, Executor loop) {
        boolean behindWorkerWrites;
        synchronized (this) {
            if (running || parked || !tasks.isEmpty()) {
                tasks.addLast(task);
                if (running || parked) {
                    return;
                }
                running = true;
                task = null;
            } else {
                running = true;
            }
            behindWorkerWrites = ranOnPool;
        }
        if (task == null) {
            schedule();
            return;
        }
        if (!behindWorkerWrites) {
            runHere(task, enter, exit);
            return;
        }
        // Queued first meanwhile, so that a Cancel (or the session's close) still finds it there.
        Task deferred = task;
        synchronized (this) {
            tasks.addFirst(deferred);
        }
        try {
            loop.execute(() -> runDeferred(deferred, enter, exit));
        } catch (RejectedExecutionException e) {
            // The event loop is shutting down: the task runs on the pool like any other.
            schedule();
        }
    }

    /** {@link #submitHere}'s task run behind the worker's writes, unless a Cancel or the close took it meanwhile. */
    private void runDeferred(Task task, java.util.function.BooleanSupplier enter, Runnable exit) {
        boolean mine;
        synchronized (this) {
            mine = tasks.peekFirst() == task;
            if (mine) {
                tasks.pollFirst();
            }
        }
        if (mine) {
            runHere(task, enter, exit);
        } else {
            passTurn();
        }
    }

    /** {@link #submitHere}'s run on the event loop; the session's turn is already this task's. */
    private void runHere(Task task, java.util.function.BooleanSupplier enter, Runnable exit) {
        boolean here;
        try {
            here = enter.getAsBoolean();
        } catch (RuntimeException e) {
            LOG.error("Deciding where request {} runs failed unexpectedly.", task.requestId(), e);
            here = false;
        }
        if (!here) {
            synchronized (this) {
                tasks.addFirst(task);
            }
            schedule();
            return;
        }
        boolean goOn;
        try {
            goOn = runOne(task);
        } finally {
            exit.run();
        }
        if (goOn) {
            passTurn();
        }
    }

    /**
     * The session's turn, held by a task run on the event loop (or one a Cancel took), goes on:
     * to the pool when tasks are queued, else the session is idle.
     */
    private void passTurn() {
        boolean more;
        synchronized (this) {
            more = !tasks.isEmpty() && !parked;
            if (!more) {
                running = false;
            }
        }
        if (more) {
            schedule();
        } else {
            signalIdleIfIdle();
        }
    }

    /** Hands back the parked task: it runs next, before every task queued after it. */
    public void resume(Task task) {
        synchronized (this) {
            parked = false;
            tasks.addFirst(task);
            if (running) {
                released = true;
                return;
            }
            running = true;
        }
        schedule();
    }

    /** Ends the park without handing a task back (the parked task was dropped): the next task runs. */
    public void unpark() {
        boolean start;
        synchronized (this) {
            parked = false;
            if (running) {
                released = true;
            }
            start = !running && !tasks.isEmpty();
            if (start) {
                running = true;
            }
        }
        if (start) {
            schedule();
        } else {
            signalIdleIfIdle();
        }
    }

    /**
     * Removes a queued (not running, not parked) {@link Task#cancellable} task; returns it, or
     * null when none is queued.
     */
    public synchronized Task remove(long requestId) {
        Iterator<Task> it = tasks.iterator();
        while (it.hasNext()) {
            Task t = it.next();
            if (t.requestId() == requestId && t.cancellable()) {
                it.remove();
                return t;
            }
        }
        return null;
    }

    /** Drops every queued task (the session is closing); returns them. */
    public List<Task> clear() {
        List<Task> dropped;
        synchronized (this) {
            dropped = new ArrayList<>(tasks);
            tasks.clear();
        }
        for (Task t : dropped) {
            t.drop();
        }
        return dropped;
    }

    /** The request id of the task running now, or 0. */
    public synchronized long currentRequestId() {
        return current == null ? 0 : current.requestId();
    }

    /** Tasks queued, not counting the one running. */
    public synchronized int queued() {
        return tasks.size();
    }

    /** Completes when no task runs or waits (a parked session is not idle). */
    public synchronized CompletableFuture<Void> whenIdle() {
        if (!running && !parked && tasks.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        if (idle == null) {
            idle = new CompletableFuture<>();
        }
        return idle;
    }

    private void schedule() {
        try {
            pool.execute(this::drain);
        } catch (RejectedExecutionException e) {
            synchronized (this) {
                running = false;
            }
            clear();
            signalIdleIfIdle();
        }
    }

    private void drain() {
        for (int i = 0; i < BURST; i++) {
            Task t;
            synchronized (this) {
                if (parked || tasks.isEmpty()) {
                    running = false;
                    current = null;
                    break;
                }
                t = tasks.pollFirst();
                current = t;
                released = false;
                ranOnPool = true;
            }
            if (!runTaken(t)) {
                return;
            }
            if (i == BURST - 1) {
                // Let other sessions' tasks run: hand the rest to the pool again.
                synchronized (this) {
                    if (tasks.isEmpty()) {
                        running = false;
                        break;
                    }
                }
                schedule();
                return;
            }
        }
        signalIdleIfIdle();
    }

    /** Takes {@code t} as the running task and runs it on the event loop; see {@link #runTaken}. */
    private boolean runOne(Task t) {
        synchronized (this) {
            current = t;
            released = false;
            // Its replies are written on the loop itself: the next read there need not wait behind them.
            ranOnPool = false;
        }
        return runTaken(t);
    }

    /**
     * Runs {@code t}, already the current task; returns false when it parked the session (the
     * executor then runs nothing more until it is resumed or unparked).
     */
    private boolean runTaken(Task t) {
        Outcome o;
        try {
            o = t.run();
        } catch (RuntimeException | Error e) {
            LOG.error("A task of request {} failed unexpectedly.", t.requestId(), e);
            o = Outcome.DONE;
        }
        synchronized (this) {
            current = null;
            if (o == Outcome.PARKED && released) {
                // Handed back (or dropped) already: go on as if it had not parked.
                released = false;
                o = Outcome.DONE;
            }
            if (o == Outcome.PARKED) {
                parked = true;
                running = false;
                return false;
            }
        }
        return true;
    }

    private void signalIdleIfIdle() {
        CompletableFuture<Void> f = null;
        synchronized (this) {
            if (!running && !parked && tasks.isEmpty() && idle != null) {
                f = idle;
                idle = null;
            }
        }
        if (f != null) {
            f.complete(null);
        }
    }
}
