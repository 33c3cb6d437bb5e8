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
}
