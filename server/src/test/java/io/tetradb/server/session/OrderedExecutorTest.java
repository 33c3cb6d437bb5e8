package io.tetradb.server.session;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ordered executor on a direct (same-thread) pool, so that every interleaving is
 * deterministic: in particular a park that is ended (cancelled or handed back) before
 * the parking task has even returned, as happens when a client cancels a write as soon
 * as its BackupWait arrives.
 */
@Timeout(30)
class OrderedExecutorTest {
    private final OrderedExecutor executor = new OrderedExecutor(Runnable::run);
    private final List<String> ran = new ArrayList<>();

    private OrderedExecutor.Task task(String name, long id, Supplier<OrderedExecutor.Outcome> body) {
        return new OrderedExecutor.Task() {
            @Override
            public long requestId() {
                return id;
            }

            @Override
            public OrderedExecutor.Outcome run() {
                ran.add(name);
                return body.get();
            }

            @Override
            public void drop() {
                ran.add(name + " dropped");
            }
        };
    }

    @Test
    void tasksRunInOrderAndAParkedTaskHoldsTheOnesBehindIt() {
        OrderedExecutor.Task parking = task("write", 1, () -> OrderedExecutor.Outcome.PARKED);
        executor.submit(parking);
        executor.submit(task("read", 2, () -> OrderedExecutor.Outcome.DONE));
        assertThat(ran).containsExactly("write");
        assertThat(executor.whenIdle()).isNotDone();

        executor.resume(task("write again", 1, () -> OrderedExecutor.Outcome.DONE));
        assertThat(ran).containsExactly("write", "write again", "read");
        assertThat(executor.whenIdle()).isDone();
    }

    @Test
    void aParkEndedBeforeTheTaskReturnedDoesNotStopTheSession() {
        // The write is refused (-9976) while its task is still returning PARKED.
        executor.submit(task("write", 1, () -> {
            executor.unpark();
            return OrderedExecutor.Outcome.PARKED;
        }));
        executor.submit(task("next", 2, () -> OrderedExecutor.Outcome.DONE));
        assertThat(ran).containsExactly("write", "next");
        assertThat(executor.whenIdle()).isDone();
    }

    @Test
    void aTaskHandedBackBeforeItReturnedRunsAgainBeforeTheNextOne() {
        // The gate opens while the parking task is still returning PARKED.
        OrderedExecutor.Task again = task("write again", 1, () -> OrderedExecutor.Outcome.DONE);
        executor.submit(task("write", 1, () -> {
            executor.resume(again);
            return OrderedExecutor.Outcome.PARKED;
        }));
        executor.submit(task("next", 2, () -> OrderedExecutor.Outcome.DONE));
        assertThat(ran).containsExactly("write", "write again", "next");
        assertThat(executor.whenIdle()).isDone();
    }

    /**
     * A reply written by a worker waits in the event loop's queue; a request run on the event
     * loop right after must not write its reply ahead of it. Found by AuthenticatedFuzzIT: a
     * pipelined "SELECT 1" ran on a worker, the next "SELECT 1" (proved short by then) ran on
     * the event loop, and its ExecuteDone reached the client before the first one's rows.
     */
    @Test
    void aRequestRunOnTheEventLoopWritesBehindTheRepliesAWorkerQueuedThere() {
        java.util.ArrayDeque<Runnable> loopQueue = new java.util.ArrayDeque<>();
        List<String> wire = new ArrayList<>();
        // On the pool: the write goes to the event loop's queue, as Netty does for a write off the loop.
        executor.submit(task("first", 1, () -> {
            loopQueue.add(() -> wire.add("reply 1"));
            return OrderedExecutor.Outcome.DONE;
        }));
        // On the event loop: a write there goes straight to the wire.
        executor.submitHere(task("second", 2, () -> {
            wire.add("reply 2");
            return OrderedExecutor.Outcome.DONE;
        }), () -> true, () -> ran.add("exit"), loopQueue::add);
        while (!loopQueue.isEmpty()) {
            loopQueue.poll().run();
        }
        assertThat(wire).containsExactly("reply 1", "reply 2");
        assertThat(ran).containsExactly("first", "second", "exit");
        assertThat(executor.whenIdle()).isDone();

        // Once a task ran on the event loop, the next one there runs at once (nothing of the session waits in the queue).
        executor.submitHere(task("third", 3, () -> {
            wire.add("reply 3");
            return OrderedExecutor.Outcome.DONE;
        }), () -> true, () -> { }, loopQueue::add);
        assertThat(loopQueue).isEmpty();
        assertThat(wire).containsExactly("reply 1", "reply 2", "reply 3");
    }

    /** A Cancel that comes while such a request waits for its turn on the event loop still finds it queued. */
    @Test
    void aRequestWaitingToRunBehindAWorkersRepliesCanStillBeCancelled() {
        java.util.ArrayDeque<Runnable> loopQueue = new java.util.ArrayDeque<>();
        executor.submit(task("first", 1, () -> OrderedExecutor.Outcome.DONE));
        executor.submitHere(task("endless", 2, () -> OrderedExecutor.Outcome.DONE), () -> true, () -> { },
                loopQueue::add);
        assertThat(loopQueue).hasSize(1);
        assertThat(executor.remove(2)).as("the Cancel finds the request").isNotNull();
        executor.submit(task("next", 3, () -> OrderedExecutor.Outcome.DONE));
        while (!loopQueue.isEmpty()) {
            loopQueue.poll().run();
        }
        assertThat(ran).containsExactly("first", "next");
        assertThat(executor.whenIdle()).isDone();
    }
}
