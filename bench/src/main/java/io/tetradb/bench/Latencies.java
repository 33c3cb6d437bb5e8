package io.tetradb.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Arrays;
import java.util.List;

/**
 * Latency samples in nanoseconds, kept whole (a run has at most a few million) and
 * sorted once for percentiles. Not thread-safe: one instance per thread, merged after.
 */
final class Latencies {
    private long[] values = new long[1 << 14];
    private int size;
    private boolean sorted;

    void add(long nanos) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = nanos;
        sorted = false;
    }

    int count() {
        return size;
    }

    static Latencies merge(List<Latencies> parts) {
        Latencies all = new Latencies();
        int total = 0;
        for (Latencies p : parts) {
            total += p.size;
        }
        all.values = new long[Math.max(1, total)];
        for (Latencies p : parts) {
            System.arraycopy(p.values, 0, all.values, all.size, p.size);
            all.size += p.size;
        }
        return all;
    }

    private void sort() {
        if (!sorted) {
            Arrays.sort(values, 0, size);
            sorted = true;
        }
    }

    /** The q-quantile (0..1) in nanoseconds, nearest rank; -1 without samples. */
    long quantile(double q) {
        if (size == 0) {
            return -1;
        }
        sort();
        int rank = (int) Math.ceil(q * size);
        return values[Math.min(size - 1, Math.max(0, rank - 1))];
    }

    long max() {
        return quantile(1.0);
    }

    double meanNanos() {
        if (size == 0) {
            return -1;
        }
        double sum = 0;
        for (int i = 0; i < size; i++) {
            sum += values[i];
        }
        return sum / size;
    }

    /** count, p50/p90/p99/p99.9/max and mean in microseconds. */
    ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("count", size);
        o.put("p50Micros", micros(quantile(0.50)));
        o.put("p90Micros", micros(quantile(0.90)));
        o.put("p99Micros", micros(quantile(0.99)));
        o.put("p999Micros", micros(quantile(0.999)));
        o.put("maxMicros", micros(max()));
        o.put("meanMicros", size == 0 ? -1 : Math.round(meanNanos() / 100.0) / 10.0);
        return o;
    }

    static double micros(long nanos) {
        return nanos < 0 ? -1 : Math.round(nanos / 100.0) / 10.0;
    }
}
