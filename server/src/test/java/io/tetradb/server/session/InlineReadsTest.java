package io.tetradb.server.session;

import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The guard between reads on event loops and structure changes, and the proof a statement needs. */
class InlineReadsTest {
    @Test
    void aStructureChangeWaitsForTheReadsRunningAndNoneStartsMeanwhile() throws Exception {
        InlineReads r = new InlineReads(Duration.ofMillis(1));
        assertThat(r.enter()).isTrue();
        CountDownLatch announced = new CountDownLatch(1);
        CompletableFuture<Void> change = CompletableFuture.runAsync(() -> {
            announced.countDown();
            try (InlineReads.Change c = r.structureChange(0)) {
                // while it runs, no read may start on an event loop
                assertThat(r.enter()).isFalse();
            }
        });
        assertThat(announced.await(10, TimeUnit.SECONDS)).isTrue();
        // the change cannot finish while the read that entered before it still runs
        assertThat(change).isNotDone();
        r.exit();
        change.get(10, TimeUnit.SECONDS);
        assertThat(r.enter()).isTrue();
        r.exit();
    }

    @Test
    void aStructureChangeWaitsForWorkerReadsHoldsNewOnesBackAndGivesUpAfterItsWait() throws Exception {
        InlineReads r = new InlineReads(Duration.ofMillis(1));
        InlineReads.Change read = r.workerRead(false);
        // a read that does not end: the change gives up after its wait, with 2001, and changes nothing
        assertThatThrownBy(() -> r.structureChange(50))
                .isInstanceOfSatisfying(TetraException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SERVER_BUSY));
        assertThat(r.enter()).isTrue();
        r.exit();
        read.close();
        // a change running: a worker read waits for its end; a read inside a write transaction does not
        InlineReads.Change change = r.structureChange(50);
        CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> r.workerRead(false).close());
        r.workerRead(true).close();
        assertThat(waiting).isNotDone();
        change.close();
        waiting.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aStatementThatRanLongNeedsTwiceAsManyShortRunsEachTime() {
        assertThat(InlineReads.proved(0, 0)).isFalse();
        assertThat(InlineReads.proved(1, 0)).isTrue();
        assertThat(InlineReads.proved(1, 1)).isFalse();
        assertThat(InlineReads.proved(2, 1)).isTrue();
        assertThat(InlineReads.proved(7, 3)).isFalse();
        assertThat(InlineReads.proved(8, 3)).isTrue();
        assertThat(InlineReads.proved(1023, 40)).isFalse();
        assertThat(InlineReads.proved(1024, 40)).isTrue();
        InlineReads r = new InlineReads(Duration.ofNanos(250_000));
        assertThat(r.isShort(250_000, 0, true)).isTrue();
        assertThat(r.isShort(250_001, 0, true)).as("long, and no CPU time known").isFalse();
        assertThat(r.isShort(10, 0, false)).isFalse();
        assertThat(new InlineReads(Duration.ZERO).enabled()).isFalse();
    }

    /**
     * A statement long once in 1,000 runs (a collection pause, a slow page read) keeps running
     * on the event loop; one long once in 50 runs goes back to the workers for good but for
     * rare tries. Each run is simulated as the dispatcher counts it: on the event loop when
     * the record says proved, long every {@code period}-th run.
     */
    @Test
    void rareLongRunsAreForgottenFrequentOnesAreNot() {
        assertThat(inlineShare(1_000)).as("long once in 1,000 runs").isGreaterThan(0.99);
        assertThat(inlineShare(300)).as("long once in 300 runs").isGreaterThan(0.95);
        assertThat(inlineShare(50)).as("long once in 50 runs").isLessThan(0.10);
        assertThat(inlineShare(2)).as("long every other run").isLessThan(0.01);
        InlineReads.RunRecord r = new InlineReads.RunRecord();
        assertThat(r.proved()).as("never ran").isFalse();
        r.ran(true);
        assertThat(r.proved()).isTrue();
        r.ran(false);
        r.ran(false);
        assertThat(r.proved()).as("two long runs: four short ones needed").isFalse();
        for (int i = 0; i < 3; i++) {
            r.ran(true);
        }
        assertThat(r.proved()).isFalse();
        r.ran(true);
        assertThat(r.proved()).isTrue();
    }

    /** The share of 1,000,000 runs that ran on the event loop, when every {@code period}-th run is long. */
    private static double inlineShare(int period) {
        InlineReads.RunRecord r = new InlineReads.RunRecord();
        int inline = 0;
        int runs = 1_000_000;
        for (int i = 1; i <= runs; i++) {
            if (r.proved()) {
                inline++;
            }
            r.ran(i % period != 0);
        }
        return inline / (double) runs;
    }

    /**
     * A run over the limit still counts as short when it used little CPU and waited no more
     * than 20 times the limit (its thread waited for a CPU); one that burnt the CPU does not,
     * nor one that took longer in all (a disk, a lock).
     */
    @Test
    void aRunThatOnlyWaitedForTheCpuCountsAsShort() {
        InlineReads r = new InlineReads(Duration.ofNanos(250_000));
        assertThat(r.cpuNow()).as("this JVM measures a thread's CPU time").isPositive();
        long before = r.cpuNow();
        boolean waitedOnly = r.isShort(1_000_000, before, true);
        assertThat(waitedOnly).as("1 ms of wall time, a few us of CPU").isTrue();
        assertThat(r.isShort(20 * 250_000 + 1, before, true)).as("more than 20 times the limit in all").isFalse();
        assertThat(r.isShort(1_000_000, before, false)).as("rows left for another batch").isFalse();
        long spin = r.cpuNow();
        long x = 0;
        while (r.cpuNow() - spin < 1_000_000) {
            x += spin % 7;
        }
        assertThat(x).isNotNegative();
        assertThat(r.isShort(2_000_000, spin, true)).as("1 ms of CPU").isFalse();
        assertThat(new InlineReads(Duration.ZERO).cpuNow()).isZero();
    }
}
