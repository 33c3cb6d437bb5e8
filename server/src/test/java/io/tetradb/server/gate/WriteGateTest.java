package io.tetradb.server.gate;

import io.tetradb.protocol.BackupProgress;
import io.tetradb.protocol.BackupWait;
import io.tetradb.client.ErrorCode;
import io.tetradb.protocol.StatementKind;
import io.tetradb.client.TetraException;
import io.tetradb.server.gate.WriteGate.Admission;
import io.tetradb.server.gate.WriteGate.Mode;
import io.tetradb.server.gate.WriteGate.Policy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The write gate on its own: what an open, a closed and a structure-closed gate let
 * through, the three wait policies, the queue's bounds, the order and uniqueness of what
 * {@link WriteGate#open} hands back, cancel, removeSession, awaitQuiet and the counters,
 * and many threads entering and leaving while the gate closes and opens. A real
 * scheduled executor runs the WAIT_AT_MOST timers; waits are on futures, never sleeps.
 */
@Timeout(60)
class WriteGateTest {
    private static final long FOREVER = TimeUnit.SECONDS.toMillis(30);
    private ScheduledExecutorService timers;
    /** Every write's callbacks, in the order they happened. */
    private final List<String> events = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void timers() {
        timers = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterEach
    void stopTimers() {
        timers.shutdownNow();
    }

    private WriteGate gate() {
        return new WriteGate(100, 1 << 20, timers);
    }

    private static WriteGate closed(WriteGate gate, Mode mode) {
        gate.close(mode, 7, () -> BackupProgress.newBuilder().setBackupNumber(7).setPhase("copy").build());
        return gate;
    }

    // ------------------------------------------------------------------------------------
    // What passes

    @Test
    void openGateLetsEveryKindRun() throws InterruptedException {
        WriteGate gate = gate();
        assertThat(gate.mode()).isEqualTo(Mode.OPEN);
        assertThat(gate.isClosed()).isFalse();
        for (StatementKind kind : StatementKind.values()) {
            if (kind == StatementKind.UNRECOGNIZED) {
                continue;
            }
            Write w = new Write(1, 10 + kind.getNumber());
            assertThat(gate.enter(w, kind, 10, false, Policy.WAIT, 0)).as("%s", kind).isEqualTo(Admission.RUN);
            gate.exit();
            assertThat(w.calls()).as("an admitted write is never called back").isZero();
        }
        assertThat(gate.queuedWrites()).isZero();
        assertThat(gate.awaitQuiet(() -> true, FOREVER, () -> false)).isTrue();
    }

    @Test
    void closedGateParksDataAndStructureWritesOnly() {
        WriteGate gate = closed(gate(), Mode.CLOSED);
        assertThat(gate.isClosed()).isTrue();
        Write data = new Write(1, 11);
        Write ddl = new Write(2, 21, true);
        assertThat(gate.enter(data, StatementKind.DATA_WRITE, 10, false, Policy.WAIT, 0)).isEqualTo(Admission.PARKED);
        assertThat(gate.enter(ddl, StatementKind.STRUCTURE_WRITE, 10, false, Policy.WAIT, 0)).isEqualTo(Admission.PARKED);
        for (StatementKind kind : List.of(StatementKind.READ, StatementKind.TRANSACTION_CONTROL, StatementKind.OTHER)) {
            assertThat(gate.enter(new Write(3, kind.getNumber()), kind, 10, false, Policy.WAIT, 0)).as("%s", kind)
                    .isEqualTo(Admission.RUN);
            gate.exit();
        }
        assertThat(gate.queuedWrites()).isEqualTo(2);
        // each parked write was told at once, with its place in the queue
        BackupWait first = data.waiting.getNow(null);
        assertThat(first).isNotNull();
        assertThat(first.getRequestId()).isEqualTo(11);
        assertThat(first.getBackupNumber()).isEqualTo(7);
        assertThat(first.getQueuePosition()).isEqualTo(1);
        assertThat(first.getInTransaction()).isFalse();
        assertThat(first.getProgress().getPhase()).isEqualTo("copy");
        BackupWait second = ddl.waiting.getNow(null);
        assertThat(second.getQueuePosition()).isEqualTo(2);
        assertThat(second.getInTransaction()).isTrue();
        assertThat(data.admittedCount.get() + ddl.admittedCount.get()).as("not run while closed").isZero();
    }

    @Test
    void structureClosedGateParksOnlyStructureWrites() {
        WriteGate gate = closed(gate(), Mode.STRUCTURE_CLOSED);
        assertThat(gate.isClosed()).isTrue();
        assertThat(gate.enter(new Write(1, 1), StatementKind.DATA_WRITE, 10, false, Policy.WAIT, 0))
                .isEqualTo(Admission.RUN);
        gate.exit();
        Write ddl = new Write(1, 2);
        assertThat(gate.enter(ddl, StatementKind.STRUCTURE_WRITE, 10, false, Policy.WAIT, 0)).isEqualTo(Admission.PARKED);
        assertThat(gate.queuedWrites()).isEqualTo(1);
        assertThat(ddl.waiting).isDone();
    }

    @Test
    void sessionsWithUncommittedChangesPassAClosedGate() {
        WriteGate gate = closed(gate(), Mode.CLOSED);
        Write data = new Write(1, 1, true);
        Write ddl = new Write(1, 2, true);
        assertThat(gate.enter(data, StatementKind.DATA_WRITE, 10, true, Policy.FAIL_FAST, 0)).isEqualTo(Admission.RUN);
        assertThat(gate.enter(ddl, StatementKind.STRUCTURE_WRITE, 10, true, Policy.WAIT, 0)).isEqualTo(Admission.RUN);
        gate.exit();
        gate.exit();
        assertThat(gate.queuedWrites()).isZero();
        assertThat(data.calls() + ddl.calls()).isZero();
    }

    // ------------------------------------------------------------------------------------
    // Wait policies

    @Test
    void failFastIsRefusedAtOnceWith9976() {
        WriteGate gate = closed(gate(), Mode.CLOSED);
        Write w = new Write(1, 5);
        assertThatThrownBy(() -> gate.enter(w, StatementKind.DATA_WRITE, 10, false, Policy.FAIL_FAST, 0))
                .isInstanceOfSatisfying(TetraException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BACKUP_IN_PROGRESS);
                    assertThat(e.rawCode()).isEqualTo(-9976);
                    assertThat(e.inTransaction()).isFalse();
                });
        Write inTx = new Write(1, 6, true);
        assertThatThrownBy(() -> gate.enter(inTx, StatementKind.STRUCTURE_WRITE, 10, false, Policy.FAIL_FAST, 0))
                .isInstanceOfSatisfying(TetraException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BACKUP_IN_PROGRESS);
                    assertThat(e.inTransaction()).isTrue();
                    assertThat(e.getMessage()).contains("transaction stays open");
                });
        assertThat(gate.queuedWrites()).isZero();
        assertThat(gate.refusedTotal()).isEqualTo(2);
        assertThat(gate.queuedTotal()).isZero();
        assertThat(w.calls() + inTx.calls()).as("a refused write is not called back").isZero();
        gate.open();
        assertThat(w.calls() + inTx.calls()).isZero();
    }

    @Test
    void waitAtMostExpiresWith9976AndNeverRuns() throws Exception {
        WriteGate gate = closed(gate(), Mode.CLOSED);
        Write w = new Write(1, 8, true);
        assertThat(gate.enter(w, StatementKind.DATA_WRITE, 10, false, Policy.WAIT_AT_MOST, 20)).isEqualTo(Admission.PARKED);
        assertThat(w.waiting).isDone();
        TetraException e = w.refused.get(10, TimeUnit.SECONDS);
        assertThat(e.code()).isEqualTo(ErrorCode.BACKUP_IN_PROGRESS);
        assertThat(e.inTransaction()).isTrue();
        assertThat(gate.queuedWrites()).isZero();
        assertThat(gate.refusedTotal()).isEqualTo(1);
        assertThat(gate.cancel(1, 8)).as("expired already").isFalse();
        gate.open();
        assertThat(w.admittedCount.get()).isZero();
        assertThat(w.refusedCount.get()).isEqualTo(1);
    }

    @Test
    void waitAtMostOfZeroOrAbsurdValuesIsBounded() throws Exception {
        WriteGate gate = closed(gate(), Mode.CLOSED);
        Write zero = new Write(1, 1);
        Write negative = new Write(2, 1);   // a uint64 above Long.MAX_VALUE arrives negative
        Write huge = new Write(3, 1);
        gate.enter(zero, StatementKind.DATA_WRITE, 1, false, Policy.WAIT_AT_MOST, 0);
        gate.enter(negative, StatementKind.DATA_WRITE, 1, false, Policy.WAIT_AT_MOST, -1);
        gate.enter(huge, StatementKind.DATA_WRITE, 1, false, Policy.WAIT_AT_MOST, Long.MAX_VALUE);
        assertThat(zero.refused.get(10, TimeUnit.SECONDS).code()).isEqualTo(ErrorCode.BACKUP_IN_PROGRESS);
        assertThat(negative.refused.get(10, TimeUnit.SECONDS).code()).isEqualTo(ErrorCode.BACKUP_IN_PROGRESS);
        assertThat(gate.queuedWrites()).as("the huge wait is still queued").isEqualTo(1);
        gate.open();
        assertThat(huge.admitted).isDone();
        assertThat(huge.calls()).isEqualTo(1);
    }

    @Test
    void waitingWriteRunsWhenTheGateOpensBeforeItsDeadline() {
        WriteGate gate = closed(gate(), Mode.CLOSED);
        Write w = new Write(1, 3);
        gate.enter(w, StatementKind.DATA_WRITE, 1, false, Policy.WAIT_AT_MOST, FOREVER);
        gate.open();
        assertThat(w.admitted).isDone();
        assertThat(gate.cancel(1, 3)).as("its timer finds nothing to expire").isFalse();
        assertThat(w.calls()).isEqualTo(1);
    }

    // ------------------------------------------------------------------------------------
    // Queue bounds

    @Test
    void queueBoundByCountIsServerBusy() {
        WriteGate gate = closed(new WriteGate(2, 1 << 20, timers), Mode.CLOSED);
        gate.enter(new Write(1, 1), StatementKind.DATA_WRITE, 1, false, Policy.WAIT, 0);
        gate.enter(new Write(2, 1), StatementKind.DATA_WRITE, 1, false, Policy.WAIT, 0);
        Write third = new Write(3, 1);
        assertThatThrownBy(() -> gate.enter(third, StatementKind.DATA_WRITE, 1, false, Policy.WAIT, 0))
                .isInstanceOfSatisfying(TetraException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SERVER_BUSY));
        assertThat(third.calls()).isZero();
        assertThat(gate.queuedWrites()).isEqualTo(2);
        assertThat(gate.refusedTotal()).as("2001 is not a -9976 refusal").isZero();
        // a place freed by a cancel is free again
        assertThat(gate.cancel(1, 1)).isTrue();
        assertThat(gate.enter(third, StatementKind.DATA_WRITE, 1, false, Policy.WAIT, 0)).isEqualTo(Admission.PARKED);
    }

    @Test
    void queueBoundByBytesIsServerBusy() {
        WriteGate gate = closed(new WriteGate(100, 100, timers), Mode.CLOSED);
        gate.enter(new Write(1, 1), StatementKind.DATA_WRITE, 60, false, Policy.WAIT, 0);
        assertThatThrownBy(() -> gate.enter(new Write(2, 1), StatementKind.DATA_WRITE, 41, false, Policy.WAIT, 0))
                .isInstanceOfSatisfying(TetraException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.SERVER_BUSY);
                    assertThat(e.getMessage()).contains("60 bytes");
                });
        assertThat(gate.enter(new Write(3, 1), StatementKind.DATA_WRITE, 40, false, Policy.WAIT, 0))
                .as("exactly at the bound").isEqualTo(Admission.PARKED);
        // bytes are given back by removeSession and by open
        gate.removeSession(1);
        assertThat(gate.enter(new Write(4, 1), StatementKind.DATA_WRITE, 60, false, Policy.WAIT, 0))
                .isEqualTo(Admission.PARKED);
        gate.open();
        closed(gate, Mode.CLOSED);
        assertThat(gate.enter(new Write(5, 1), StatementKind.DATA_WRITE, 100, false, Policy.WAIT, 0))
                .isEqualTo(Admission.PARKED);
    }

    // ------------------------------------------------------------------------------------
    // Open, cancel, removeSession

    @Test
    void openHandsQueuedWritesBackInArrivalOrderEachOnce() {
        WriteGate gate = closed(gate(), Mode.CLOSED);
        List<Write> writes = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Write w = new Write(10 - i, 100 + i);   // session ids in the opposite order
            writes.add(w);
            gate.enter(w, i % 2 == 0 ? StatementKind.DATA_WRITE : StatementKind.STRUCTURE_WRITE, 5, false,
                    i % 3 == 0 ? Policy.WAIT_AT_MOST : Policy.WAIT, FOREVER);
        }
        events.clear();
        gate.open();
        assertThat(gate.mode()).isEqualTo(Mode.OPEN);
        assertThat(gate.queuedWrites()).isZero();
        assertThat(events).containsExactlyElementsOf(writes.stream().map(w -> "admitted " + w).toList());
        gate.open();   // a second open hands nothing back again
        assertThat(gate.cancel(10, 100)).isFalse();
        for (Write w : writes) {
            assertThat(w.admittedCount.get()).as("%s", w).isEqualTo(1);
            assertThat(w.refusedCount.get()).as("%s", w).isZero();
        }
    }

    @Test
    void cancelRefusesAQueuedWriteOnce() {
        WriteGate gate = closed(gate(), Mode.CLOSED);
        Write a = new Write(1, 1, true);
        Write b = new Write(2, 1);
        gate.enter(a, StatementKind.DATA_WRITE, 5, false, Policy.WAIT, 0);
        gate.enter(b, StatementKind.DATA_WRITE, 5, false, Policy.WAIT, 0);
        assertThat(gate.cancel(1, 1)).isTrue();
        TetraException e = a.refused.getNow(null);
        assertThat(e).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.BACKUP_IN_PROGRESS);
        assertThat(e.inTransaction()).isTrue();
        assertThat(gate.cancel(1, 1)).as("a second cancel").isFalse();
        assertThat(gate.cancel(1, 2)).as("unknown request").isFalse();
        assertThat(gate.cancel(3, 1)).as("unknown session").isFalse();
        assertThat(gate.cancel(2, 2)).as("another request of a queued session").isFalse();
        assertThat(gate.refusedTotal()).isEqualTo(1);
        gate.open();
        assertThat(a.refusedCount.get()).isEqualTo(1);
        assertThat(a.admittedCount.get()).isZero();
        assertThat(b.admittedCount.get()).isEqualTo(1);
        assertThat(gate.cancel(2, 1)).as("ran already").isFalse();
    }

    @Test
    void removeSessionDropsOnlyThatSessionsWrites() {
        WriteGate gate = closed(gate(), Mode.CLOSED);
        Write gone1 = new Write(1, 1);
        Write other = new Write(2, 1);
        Write gone2 = new Write(1, 2);
        gate.enter(gone1, StatementKind.DATA_WRITE, 5, false, Policy.WAIT_AT_MOST, FOREVER);
        gate.enter(other, StatementKind.DATA_WRITE, 5, false, Policy.WAIT, 0);
        gate.enter(gone2, StatementKind.STRUCTURE_WRITE, 5, false, Policy.WAIT, 0);
        gate.removeSession(1);
        assertThat(gone1.refused.getNow(null).code()).isEqualTo(ErrorCode.SESSION_CLOSED);
        assertThat(gone2.refused.getNow(null).code()).isEqualTo(ErrorCode.SESSION_CLOSED);
        assertThat(gate.queuedWrites()).isEqualTo(1);
        assertThat(other.calls()).isZero();
        gate.removeSession(99);   // unknown: nothing happens
        assertThat(gate.queuedWrites()).isEqualTo(1);
        gate.open();
        assertThat(other.admittedCount.get()).isEqualTo(1);
        assertThat(gone1.calls()).isEqualTo(1);
        assertThat(gone2.calls()).isEqualTo(1);
    }

    // ------------------------------------------------------------------------------------
    // awaitQuiet

    @Test
    void awaitQuietWaitsForActiveWrites() throws Exception {
        WriteGate gate = gate();
        assertThat(gate.enter(new Write(1, 1), StatementKind.DATA_WRITE, 5, false, Policy.WAIT, 0)).isEqualTo(Admission.RUN);
        closed(gate, Mode.CLOSED);
        CountDownLatch waiting = new CountDownLatch(1);
        CompletableFuture<Boolean> quiet = CompletableFuture.supplyAsync(() -> {
            waiting.countDown();
            return awaitQuiet(gate, () -> true, FOREVER, () -> false);
        });
        assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(quiet).as("a write still runs").isNotDone();
        gate.exit();
        assertThat(quiet.get(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void awaitQuietWaitsForTransactionsToEnd() throws Exception {
        WriteGate gate = closed(gate(), Mode.CLOSED);
        AtomicBoolean ended = new AtomicBoolean(false);
        AtomicInteger asked = new AtomicInteger();
        CompletableFuture<Boolean> quiet = CompletableFuture.supplyAsync(() -> awaitQuiet(gate, () -> {
            asked.incrementAndGet();
            return ended.get();
        }, FOREVER, () -> false));
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> asked.get() > 0);
        assertThat(quiet).as("a transaction is open").isNotDone();
        ended.set(true);
        gate.signal();
        assertThat(quiet.get(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void awaitQuietReturnsFalseOnTimeoutAndOnStop() throws Exception {
        WriteGate gate = gate();
        gate.enter(new Write(1, 1), StatementKind.DATA_WRITE, 5, false, Policy.WAIT, 0);
        closed(gate, Mode.CLOSED);
        assertThat(gate.awaitQuiet(() -> true, 20, () -> false)).as("timeout, write active").isFalse();
        gate.exit();
        assertThat(gate.awaitQuiet(() -> false, 20, () -> false)).as("timeout, transaction open").isFalse();
        assertThat(gate.awaitQuiet(() -> false, 0, () -> false)).as("no time at all").isFalse();

        AtomicBoolean stop = new AtomicBoolean(false);
        CompletableFuture<Boolean> quiet = CompletableFuture.supplyAsync(() -> awaitQuiet(gate, () -> false, FOREVER,
                stop::get));
        stop.set(true);
        gate.signal();
        assertThat(quiet.get(10, TimeUnit.SECONDS)).as("stopped").isFalse();
        assertThat(gate.awaitQuiet(() -> true, 0, () -> true)).as("quiet already: true even when stopping").isTrue();
    }

    // ------------------------------------------------------------------------------------
    // Counters

    @Test
    void countersCountSinceTheGateLastClosed() throws Exception {
        WriteGate gate = closed(gate(), Mode.CLOSED);
        gate.enter(new Write(1, 1), StatementKind.DATA_WRITE, 5, false, Policy.WAIT, 0);
        gate.enter(new Write(2, 1), StatementKind.DATA_WRITE, 5, false, Policy.WAIT, 0);
        Write expiring = new Write(3, 1);
        gate.enter(expiring, StatementKind.DATA_WRITE, 5, false, Policy.WAIT_AT_MOST, 1);
        assertThatThrownBy(() -> gate.enter(new Write(4, 1), StatementKind.DATA_WRITE, 5, false, Policy.FAIL_FAST, 0))
                .isInstanceOf(TetraException.class);
        gate.cancel(1, 1);
        expiring.refused.get(10, TimeUnit.SECONDS);
        assertThat(gate.queuedTotal()).isEqualTo(3);
        assertThat(gate.refusedTotal()).as("fail-fast, cancel, expiry").isEqualTo(3);
        gate.removeSession(2);
        assertThat(gate.refusedTotal()).as("a session gone is not a -9976 refusal").isEqualTo(3);
        gate.open();
        assertThat(gate.queuedTotal()).as("kept after open, for the backup's record").isEqualTo(3);
        closed(gate, Mode.STRUCTURE_CLOSED);
        assertThat(gate.queuedTotal()).isZero();
        assertThat(gate.refusedTotal()).isZero();
    }

    // ------------------------------------------------------------------------------------
    // Concurrency

    /**
     * Sessions on their own threads send writes one after another (as a session's order
     * does: the next only once the previous ran or was refused) while the test thread
     * closes and opens the gate. Every write runs exactly once, none is lost, and at the
     * end nothing is active or queued.
     */
    @Test
    void manyThreadsWhileTheGateClosesAndOpens() throws Exception {
        int sessions = 8;
        int writesPerSession = 400;
        WriteGate gate = new WriteGate(sessions, 1 << 20, timers);
        // Set by the test thread between a quiet close and the next open: nothing it holds back may run then.
        java.util.concurrent.atomic.AtomicReference<Mode> quietlyClosed = new java.util.concurrent.atomic.AtomicReference<>();
        AtomicInteger violations = new AtomicInteger();
        List<Write> all = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(sessions);
        CountDownLatch started = new CountDownLatch(sessions);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        try {
            for (int s = 1; s <= sessions; s++) {
                long sessionId = s;
                done.add(pool.submit(() -> {
                    started.countDown();
                    go.await();
                    for (int r = 1; r <= writesPerSession; r++) {
                        Write w = new Write(sessionId, r);
                        all.add(w);
                        StatementKind kind = r % 5 == 0 ? StatementKind.STRUCTURE_WRITE : StatementKind.DATA_WRITE;
                        boolean inTx = r % 7 == 0;
                        Admission a = gate.enter(w, kind, 10, inTx, Policy.WAIT, 0);
                        if (a == Admission.RUN) {
                            w.ranDirectly.incrementAndGet();
                            Mode m = quietlyClosed.get();
                            boolean heldBack = m == Mode.CLOSED || (m == Mode.STRUCTURE_CLOSED
                                    && kind == StatementKind.STRUCTURE_WRITE);
                            if (heldBack && !inTx) {
                                violations.incrementAndGet();
                            }
                            gate.exit();
                        } else {
                            w.admitted.get(30, TimeUnit.SECONDS);
                        }
                    }
                    return null;
                }));
            }
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            // First cycle: every session's first write (a data write outside a transaction) is parked.
            gate.close(Mode.CLOSED, 0, BackupProgress::getDefaultInstance);
            go.countDown();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                    .until(() -> gate.queuedWrites() == sessions);
            gate.open();
            int cycles = 1;
            while (cycles < 200 || done.stream().anyMatch(f -> !f.isDone())) {
                Mode mode = cycles % 2 == 0 ? Mode.CLOSED : Mode.STRUCTURE_CLOSED;
                gate.close(mode, cycles, BackupProgress::getDefaultInstance);
                assertThat(gate.awaitQuiet(() -> true, FOREVER, () -> false)).isTrue();
                quietlyClosed.set(mode);
                Thread.yield();
                quietlyClosed.set(null);
                gate.open();
                cycles++;
            }
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            gate.open();
            pool.shutdownNow();
        }
        assertThat(all).hasSize(sessions * writesPerSession);
        for (Write w : all) {
            int runs = w.ranDirectly.get() + w.admittedCount.get();
            assertThat(runs).as("%s ran (directly %d, admitted %d)", w, w.ranDirectly.get(), w.admittedCount.get())
                    .isEqualTo(1);
            assertThat(w.refusedCount.get()).as("%s refused", w).isZero();
            assertThat(w.waitingCount.get()).as("%s told it waits", w).isEqualTo(w.admittedCount.get());
        }
        assertThat(violations.get()).as("held-back writes admitted while the gate was closed and quiet").isZero();
        assertThat(gate.queuedWrites()).isZero();
        assertThat(gate.awaitQuiet(() -> true, 0, () -> false)).as("no write left active").isTrue();
    }

    /** Parked writes that the test then cancels, expires or lets in, from several threads at once. */
    @Test
    void cancelExpiryAndOpenRacingNeverAnswerAWriteTwice() throws Exception {
        int rounds = 200;
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            for (int round = 0; round < rounds; round++) {
                WriteGate gate = closed(gate(), Mode.CLOSED);
                List<Write> writes = new ArrayList<>();
                for (int s = 1; s <= 6; s++) {
                    Write w = new Write(s, round + 1);
                    writes.add(w);
                    gate.enter(w, StatementKind.DATA_WRITE, 1, false, s % 2 == 0 ? Policy.WAIT_AT_MOST : Policy.WAIT,
                            s % 4 == 0 ? 0 : FOREVER);
                }
                CountDownLatch go = new CountDownLatch(1);
                int r = round;
                Future<?> opener = pool.submit(() -> {
                    go.await();
                    gate.open();
                    return null;
                });
                Future<?> canceller = pool.submit(() -> {
                    go.await();
                    for (int s = 1; s <= 6; s += 2) {
                        gate.cancel(s, r + 1);
                    }
                    return null;
                });
                Future<?> remover = pool.submit(() -> {
                    go.await();
                    gate.removeSession(6);
                    return null;
                });
                go.countDown();
                opener.get(10, TimeUnit.SECONDS);
                canceller.get(10, TimeUnit.SECONDS);
                remover.get(10, TimeUnit.SECONDS);
                for (Write w : writes) {
                    CompletableFuture.anyOf(w.admitted, w.refused).get(10, TimeUnit.SECONDS);
                }
                gate.open();
                for (Write w : writes) {
                    assertThat(w.calls()).as("round %d, %s: admitted %d, refused %d", round, w, w.admittedCount.get(),
                            w.refusedCount.get()).isEqualTo(1);
                }
                assertThat(gate.queuedWrites()).isZero();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static boolean awaitQuiet(WriteGate gate, java.util.function.BooleanSupplier ended, long timeout,
                                      java.util.function.BooleanSupplier stop) {
        try {
            return gate.awaitQuiet(ended, timeout, stop);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A parked write that records its callbacks. */
    private final class Write implements ParkedWrite {
        final long sessionId;
        final long requestId;
        final boolean inTransaction;
        final CompletableFuture<BackupWait> waiting = new CompletableFuture<>();
        final CompletableFuture<Void> admitted = new CompletableFuture<>();
        final CompletableFuture<TetraException> refused = new CompletableFuture<>();
        final AtomicInteger waitingCount = new AtomicInteger();
        final AtomicInteger admittedCount = new AtomicInteger();
        final AtomicInteger refusedCount = new AtomicInteger();
        final AtomicInteger ranDirectly = new AtomicInteger();

        Write(long sessionId, long requestId) {
            this(sessionId, requestId, false);
        }

        Write(long sessionId, long requestId, boolean inTransaction) {
            this.sessionId = sessionId;
            this.requestId = requestId;
            this.inTransaction = inTransaction;
        }

        @Override
        public long sessionId() {
            return sessionId;
        }

        @Override
        public long requestId() {
            return requestId;
        }

        @Override
        public boolean inTransaction() {
            return inTransaction;
        }

        @Override
        public void waiting(BackupWait wait) {
            waitingCount.incrementAndGet();
            waiting.complete(wait);
        }

        @Override
        public void admitted() {
            admittedCount.incrementAndGet();
            events.add("admitted " + this);
            admitted.complete(null);
        }

        @Override
        public void refused(TetraException e) {
            refusedCount.incrementAndGet();
            events.add("refused " + this);
            refused.complete(e);
        }

        /** Callbacks after the first notice: admitted or refused. */
        int calls() {
            return admittedCount.get() + refusedCount.get();
        }

        @Override
        public String toString() {
            return "write " + sessionId + "/" + requestId;
        }
    }
}
