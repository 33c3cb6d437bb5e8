package io.tetradb.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * N clients, each on its own thread with its own connection, each sending its next
 * request as soon as the last one is answered (a closed loop), for a warm-up and then a
 * measured window. Reports operations per second over the window and the latency of
 * every operation in it. While it runs it samples a server's resident memory.
 */
final class ClosedLoop {
    /** One client: opens its connection when created, runs one operation per call. */
    interface Client extends AutoCloseable {
        void run(SplittableRandom random) throws Exception;

        @Override
        void close();
    }

    /** Makes the client of index i (called on that client's thread). */
    interface ClientFactory {
        Client open(int index) throws Exception;
    }

    /** The outcome of one run. */
    record Result(int clients, long operations, double seconds, long errors, String firstError, Latencies latencies,
                  long maxRssKiB, double serverCpuSeconds, double clientCpuSeconds) {
        double perSecond() {
            return operations / seconds;
        }

        ObjectNode toJson() {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("clients", clients);
            o.put("operations", operations);
            o.put("seconds", Math.round(seconds * 1000) / 1000.0);
            o.put("perSecond", Math.round(perSecond()));
            o.put("errors", errors);
            if (firstError != null) {
                o.put("firstError", firstError);
            }
            o.set("latency", latencies.toJson());
            if (maxRssKiB > 0) {
                o.put("serverMaxRssKiB", maxRssKiB);
            }
            if (serverCpuSeconds >= 0 && operations > 0) {
                // CPU per operation is far less disturbed by other load on the machine than latency is.
                o.put("serverCpuMicrosPerOp", Bench.round1(serverCpuSeconds * 1e6 / operations));
            }
            if (clientCpuSeconds >= 0 && operations > 0) {
                o.put("clientCpuMicrosPerOp", Bench.round1(clientCpuSeconds * 1e6 / operations));
            }
            return o;
        }
    }

    private ClosedLoop() {
    }

    /**
     * Runs {@code clients} clients for {@code warmupSeconds} (not counted), then
     * {@code seconds} (measured). {@code serverPid} > 0: its VmRSS is sampled every 100 ms.
     */
    static Result run(int clients, ClientFactory factory, double warmupSeconds, double seconds, long serverPid)
            throws Exception {
        CountDownLatch ready = new CountDownLatch(clients);
        CountDownLatch go = new CountDownLatch(1);
        AtomicLong startNanos = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        AtomicReference<Exception> openFailure = new AtomicReference<>();
        List<Latencies> parts = new ArrayList<>();
        long[] counts = new long[clients];
        List<Thread> threads = new ArrayList<>();
        long warmNanos = (long) (warmupSeconds * 1e9);
        long measureNanos = (long) (seconds * 1e9);
        for (int i = 0; i < clients; i++) {
            Latencies lat = new Latencies();
            parts.add(lat);
            int index = i;
            Thread t = new Thread(() -> {
                Client c;
                try {
                    c = factory.open(index);
                } catch (Exception e) {
                    openFailure.compareAndSet(null, e);
                    ready.countDown();
                    return;
                }
                ready.countDown();
                SplittableRandom random = new SplittableRandom(0x5eed + index);
                try (c) {
                    go.await();
                    long warmEnd = startNanos.get() + warmNanos;
                    long end = warmEnd + measureNanos;
                    long now = System.nanoTime();
                    while (now < warmEnd) {
                        try {
                            c.run(random);
                        } catch (Exception e) {
                            // warm-up errors count like any other
                            note(errors, firstError, e);
                        }
                        now = System.nanoTime();
                    }
                    long n = 0;
                    while (now < end) {
                        long t0 = now;
                        try {
                            c.run(random);
                        } catch (Exception e) {
                            note(errors, firstError, e);
                        }
                        now = System.nanoTime();
                        lat.add(now - t0);
                        n++;
                    }
                    counts[index] = n;
                } catch (Exception e) {
                    note(errors, firstError, e);
                }
            }, "bench-client-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        if (!ready.await(300, TimeUnit.SECONDS)) {
            throw new IllegalStateException("The clients did not connect within 300 s.");
        }
        if (openFailure.get() != null) {
            go.countDown();
            throw openFailure.get();
        }
        startNanos.set(System.nanoTime());
        go.countDown();
        long maxRss = 0;
        long measureStart = startNanos.get() + warmNanos;
        long deadline = measureStart + measureNanos;
        double serverCpu0 = -1;
        double clientCpu0 = -1;
        boolean sampled = false;
        while (System.nanoTime() < deadline) {
            // Once, at the window's start (a server without a pid keeps -1, and the client is still sampled once).
            if (!sampled && System.nanoTime() >= measureStart) {
                sampled = true;
                serverCpu0 = serverPid > 0 ? Machine.cpuSeconds(serverPid) : -1;
                clientCpu0 = Machine.cpuSeconds(ProcessHandle.current().pid());
            }
            if (serverPid > 0) {
                maxRss = Math.max(maxRss, Machine.rssKiB(serverPid));
            }
            Thread.sleep(Math.max(1, Math.min(100, (deadline - System.nanoTime()) / 1_000_000)));
        }
        double serverCpu = serverCpu0 < 0 ? -1 : Machine.cpuSeconds(serverPid) - serverCpu0;
        double clientCpu = clientCpu0 < 0 ? -1 : Machine.cpuSeconds(ProcessHandle.current().pid()) - clientCpu0;
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(120));
        }
        long ops = 0;
        for (long c : counts) {
            ops += c;
        }
        return new Result(clients, ops, seconds, errors.get(), firstError.get(), Latencies.merge(parts), maxRss,
                serverCpu, clientCpu);
    }

    private static void note(AtomicLong errors, AtomicReference<String> firstError, Exception e) {
        errors.incrementAndGet();
        firstError.compareAndSet(null, e.getClass().getSimpleName() + ": " + e.getMessage());
    }
}
