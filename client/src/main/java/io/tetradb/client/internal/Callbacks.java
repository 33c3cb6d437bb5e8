package io.tetradb.client.internal;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Where one client's user-visible futures complete and its listeners run, so that a
 * callback that blocks (even on a synchronous call of the same client) never stalls the
 * connection's reader thread, which alone can read the reply it waits for.
 *
 * <p>Threads: {@link #complete} and {@link #events()} are called on the reader thread (or on
 * a caller's thread when a request fails before it is sent); the work they hand on runs on
 * the client's callback executor. By default that is a pool of this client only, of
 * daemon threads named "tetra-client-callbacks-N", made on demand and ended after 30 s
 * idle, without bound: each completion is a task of its own, so a callback blocked on a
 * latch holds one thread and delays neither the reader nor the completion of other
 * requests. The price is that the callbacks of different requests may run concurrently
 * and in any order (chain the futures when one must follow another). Events, on the
 * other hand, are delivered through one serial lane: in the order they arrived, one at a
 * time, so a listener that blocks delays later events (not replies). {@link #shutdown}
 * stops the owned pool without waiting for a running callback; work handed on after it,
 * or refused by a caller-given executor, runs on the handing thread.
 */
public final class Callbacks {
    private static final AtomicLong THREADS = new AtomicLong();

    private final Executor executor;
    /** The default pool, shut down by {@link #shutdown}; null when the caller gave the executor. */
    private final ExecutorService owned;
    private final SerialLane events = new SerialLane();

    private Callbacks(Executor executor, ExecutorService owned) {
        this.executor = executor;
        this.owned = owned;
    }

    /** Callbacks run on {@code executor}, or on a pool of the client's own when it is null. */
    public static Callbacks on(Executor executor) {
        if (executor != null) {
            return new Callbacks(executor, null);
        }
        ThreadPoolExecutor pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "tetra-client-callbacks-" + THREADS.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        return new Callbacks(pool, pool);
    }

    /** Runs {@code task} on the callback executor (on this thread if the executor refuses it). */
    public void execute(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    /**
     * Completes {@code target} with {@code map} of {@code source}'s value, or with its
     * failure, on the callback executor; returns {@code target}.
     */
    public <S, T, F extends CompletableFuture<T>> F complete(CompletableFuture<S> source, F target,
                                                            Function<? super S, ? extends T> map) {
        source.whenComplete((v, err) -> execute(() -> {
            if (err != null) {
                target.completeExceptionally(err);
                return;
            }
            T value;
            try {
                value = map.apply(v);
            } catch (RuntimeException e) {
                target.completeExceptionally(e);
                return;
            }
            target.complete(value);
        }));
        return target;
    }

    /** The serial lane events are delivered on: in order, one at a time, on the callback executor. */
    public Executor events() {
        return events;
    }

    /** Stops the owned pool; a callback still running goes on (its thread is a daemon) and is not waited for. */
    public void shutdown() {
        if (owned != null) {
            owned.shutdown();
        }
    }

    /** Runs its tasks one after the other, in order, draining them in one task of the executor at a time. */
    private final class SerialLane implements Executor {
        /** Guarded by this lane. */
        private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
        /** Whether a drain is scheduled or running; guarded by this lane. */
        private boolean draining;

        @Override
        public void execute(Runnable task) {
            synchronized (this) {
                tasks.add(task);
                if (draining) {
                    return;
                }
                draining = true;
            }
            Callbacks.this.execute(this::drain);
        }

        private void drain() {
            while (true) {
                Runnable next;
                synchronized (this) {
                    next = tasks.poll();
                    if (next == null) {
                        draining = false;
                        return;
                    }
                }
                boolean ran = false;
                try {
                    next.run();
                    ran = true;
                } catch (RuntimeException ignored) {
                    // a listener's failure is its own
                    ran = true;
                } finally {
                    if (!ran) {
                        // an Error: the lane is not left stuck, the next event starts a new drain
                        synchronized (this) {
                            draining = false;
                        }
                    }
                }
            }
        }
    }
}
