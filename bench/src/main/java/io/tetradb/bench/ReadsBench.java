package io.tetradb.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tetradb.client.TetraClient;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Part 2: reads during a backup. Eight clients run point selects without pause; their
 * reads are counted while the server is idle, then while backups run back to back
 * (compression fast, the default, then none). Only reads that start and end inside a
 * window count; the gaps between two backups count for nothing.
 */
final class ReadsBench {
    static final int CLIENTS = 8;

    /** The reads of one window, one recorder per client. */
    private static final class Bucket {
        final Latencies[] perClient = new Latencies[CLIENTS];
        long activeNanos;

        Bucket() {
            for (int i = 0; i < CLIENTS; i++) {
                perClient[i] = new Latencies();
            }
        }

        ObjectNode toJson() {
            Latencies all = Latencies.merge(List.of(perClient));
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            double s = activeNanos / 1e9;
            o.put("seconds", Bench.round2(s));
            o.put("reads", all.count());
            o.put("readsPerSecond", Math.round(all.count() / s));
            o.set("latency", all.toJson());
            return o;
        }
    }

    private ReadsBench() {
    }

    static ObjectNode run(BenchContext ctx, TetraProcess server, Backups backups) throws Exception {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("clients", CLIENTS);
        out.put("query", WireBench.POINT_SELECT);
        out.put("loadAverageBefore", Machine.loadAverage());
        AtomicReference<Bucket> current = new AtomicReference<>();
        AtomicLong errors = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        CountDownLatch ready = new CountDownLatch(CLIENTS);
        CountDownLatch done = new CountDownLatch(CLIENTS);
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            int index = i;
            Thread t = new Thread(() -> {
                try (TetraClient c = server.connect()) {
                    ready.countDown();
                    SplittableRandom r = new SplittableRandom(77 + index);
                    while (!stop.get()) {
                        Bucket b = current.get();
                        long t0 = System.nanoTime();
                        try {
                            c.execute(WireBench.POINT_SELECT, 1 + r.nextInt(DataSet.ACCOUNTS));
                        } catch (RuntimeException e) {
                            errors.incrementAndGet();
                            firstError.compareAndSet(null, e.toString());
                        }
                        long t1 = System.nanoTime();
                        if (b != null && current.get() == b) {
                            b.perClient[index].add(t1 - t0);
                        }
                    }
                } catch (RuntimeException e) {
                    firstError.compareAndSet(null, e.toString());
                    ready.countDown();
                } finally {
                    done.countDown();
                }
            }, "bench-reader-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        ready.await(120, TimeUnit.SECONDS);
        long window = (long) (ctx.options.seconds() * 1e9);
        try {
            Thread.sleep((long) (ctx.options.warmup() * 1000));
            Bucket idle = new Bucket();
            long t0 = System.nanoTime();
            current.set(idle);
            Thread.sleep(window / 1_000_000);
            current.set(null);
            idle.activeNanos = System.nanoTime() - t0;
            out.set("idle", idle.toJson());
            backups.condition = "8 readers";
            for (String compression : List.of("fast", "none")) {
                backups.settings(compression, 0, "30s");
                Bucket during = new Bucket();
                ArrayNode runs = JsonNodeFactory.instance.arrayNode();
                long deadline = System.nanoTime() + window;
                do {
                    long s0 = System.nanoTime();
                    long n = backups.start();
                    long mark = System.nanoTime();
                    current.set(during);
                    Backups.Outcome o = backups.await(n, s0);
                    current.set(null);
                    during.activeNanos += System.nanoTime() - mark;
                    runs.add(o.toJson());
                    backups.deleteArchives();
                } while (System.nanoTime() < deadline);
                ObjectNode d = during.toJson();
                d.set("backups", runs);
                ObjectNode idleJson = (ObjectNode) out.get("idle");
                d.put("readsRatioToIdle", Bench.round2(d.get("readsPerSecond").asDouble()
                        / idleJson.get("readsPerSecond").asDouble()));
                d.put("p99RatioToIdle", Bench.round2(d.get("latency").get("p99Micros").asDouble()
                        / idleJson.get("latency").get("p99Micros").asDouble()));
                out.set("duringBackup_" + compression, d);
                Bench.log("Reads during %s backups: %d/s (idle %d/s), p99 %.0f us (idle %.0f us).", compression,
                        d.get("readsPerSecond").asLong(), idleJson.get("readsPerSecond").asLong(),
                        d.get("latency").get("p99Micros").asDouble(), idleJson.get("latency").get("p99Micros").asDouble());
            }
        } finally {
            backups.condition = "idle";
            stop.set(true);
            done.await(120, TimeUnit.SECONDS);
        }
        out.put("errors", errors.get());
        if (firstError.get() != null) {
            out.put("firstError", firstError.get());
        }
        out.put("loadAverageAfter", Machine.loadAverage());
        return out;
    }
}
