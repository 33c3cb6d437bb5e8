package io.tetradb.server.log;

import io.tetradb.protocol.log.CancelledSpan;
import io.tetradb.protocol.log.SegmentHeader;
import io.tetradb.protocol.log.Transaction;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The database's history as it now is (docs/restore-with-log.md): the spans of operations that a
 * rollback or an in-place restore to a point cancelled. They stay in the segments that hold
 * them, readable by {@code log show}, but recovery, restores, {@code backup window} and
 * {@code backup verify} pass over them (a new timeline, as PostgreSQL calls it). Every
 * segment header carries all the spans cancelled before it was created, so the newest
 * segment a reader meets tells it the whole history; readers take the union of the headers
 * they open.
 *
 * <p>Immutable; any thread.
 */
public final class Timeline {
    private static final Timeline NONE = new Timeline(List.of());

    private final List<CancelledSpan> spans;

    private Timeline(List<CancelledSpan> spans) {
        this.spans = spans;
    }

    /** No operation cancelled. */
    public static Timeline none() {
        return NONE;
    }

    /** The spans {@code header} carries. */
    public static Timeline of(SegmentHeader header) {
        return header == null || header.getCancelledCount() == 0 ? NONE : new Timeline(sorted(header.getCancelledList()));
    }

    /** The spans of both (a span in both counts once). */
    public Timeline union(Timeline other) {
        if (other.spans.isEmpty()) {
            return this;
        }
        if (spans.isEmpty()) {
            return other;
        }
        List<CancelledSpan> all = new ArrayList<>(spans);
        for (CancelledSpan s : other.spans) {
            if (all.stream().noneMatch(a -> same(a, s))) {
                all.add(s);
            }
        }
        return new Timeline(sorted(all));
    }

    /** This history with operations {@code first..last} cancelled too (unchanged when first > last). */
    public Timeline with(long first, long last, long atMillis, String reason) {
        if (first > last) {
            return this;
        }
        return union(new Timeline(List.of(CancelledSpan.newBuilder().setFirstOperation(first).setLastOperation(last)
                .setAtMillis(atMillis).setReason(reason).build())));
    }

    /** Whether operation {@code operation} was cancelled. */
    public boolean cancels(long operation) {
        for (CancelledSpan s : spans) {
            if (operation >= s.getFirstOperation() && operation <= s.getLastOperation()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code tx} was cancelled. A cut is always made between two transactions, so a
     * transaction is either wholly in a span or wholly outside; its first operation decides.
     */
    public boolean cancels(Transaction tx) {
        return !spans.isEmpty() && tx.getOperationsCount() > 0 && cancels(tx.getFirstOperation());
    }

    /** How many of the operations {@code first..last} no span cancels. */
    public long notCancelled(long first, long last) {
        long count = 0;
        long next = first;
        for (CancelledSpan s : spans) { // by first operation
            if (s.getLastOperation() < next) {
                continue;
            }
            if (s.getFirstOperation() > last) {
                break;
            }
            count += Math.max(0, s.getFirstOperation() - next);
            next = Math.max(next, s.getLastOperation() + 1);
        }
        return count + Math.max(0, last - next + 1);
    }

    /** The spans, by first operation. */
    public List<CancelledSpan> spans() {
        return spans;
    }

    public boolean isEmpty() {
        return spans.isEmpty();
    }

    private static boolean same(CancelledSpan a, CancelledSpan b) {
        return a.getFirstOperation() == b.getFirstOperation() && a.getLastOperation() == b.getLastOperation();
    }

    private static List<CancelledSpan> sorted(List<CancelledSpan> in) {
        List<CancelledSpan> out = new ArrayList<>(in);
        out.sort(Comparator.comparingLong(CancelledSpan::getFirstOperation)
                .thenComparingLong(CancelledSpan::getLastOperation));
        return List.copyOf(out);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (CancelledSpan s : spans) {
            b.append(b.length() == 0 ? "" : ", ").append(s.getFirstOperation()).append('-').append(s.getLastOperation());
        }
        return b.length() == 0 ? "no operation cancelled" : "cancelled " + b;
    }
}
