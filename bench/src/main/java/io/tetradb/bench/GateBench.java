package io.tetradb.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tetradb.client.Result;
import io.tetradb.client.Row;
import io.tetradb.client.TetraClient;
import io.tetradb.client.TetraFuture;
import io.tetradb.client.ErrorCode;
import io.tetradb.protocol.SessionInfo;
import io.tetradb.client.TetraException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Part 3: the write gate. (a) How long closing it takes, as the server measures it on
 * the backup thread: idle (every backup of parts 1 and 2) and while 8 clients insert
 * without pause. (b) Cancel to -9976: a client's write is queued behind a (throttled)
 * backup; as soon as its BackupWait arrives the client cancels it and times the -9976
 * reply. (c) Drain: 10,000 writes from 32 clients queue behind a backup (held at the
 * gate by a transaction left open until all are queued), then the time from the first
 * to the last reply once the gate opens, and a check that each ran exactly once, in
 * each session's order.
 */
final class GateBench {
    static final int QUEUED_WRITES = 10_000;
    static final int QUEUED_CLIENTS = 32;
    static final String INSERT = "INSERT INTO INSERTS(CLIENT, V) VALUES (?, ?)";
    /** The gate sample of the drain test: closed while a transaction is held open on purpose. */
    static final String HELD_OPEN = "transaction held open on purpose";

    private GateBench() {
    }

    static ObjectNode run(BenchContext ctx, TetraProcess server, TetraClient admin, Backups backups, DataSet ds)
            throws Exception {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("loadAverageBefore", Machine.loadAverage());
        out.set("closeUnderWrites", closeUnderWrites(ctx, server, backups));
        out.set("cancel", cancelLatency(ctx, server, admin, backups, ds));
        out.set("drain", drain(server, admin, backups));
        out.put("loadAverageAfter", Machine.loadAverage());
        return out;
    }

    /** Backups (compression none) while 8 clients insert in autocommit without pause. */
    private static ObjectNode closeUnderWrites(BenchContext ctx, TetraProcess server, Backups backups) throws Exception {
        int writers = 8;
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong writes = new AtomicLong();
        AtomicReference<String> error = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            int index = i;
            Thread t = new Thread(() -> {
                try (TetraClient c = server.connect()) {
                    while (!stop.get()) {
                        c.execute(INSERT, index, "gate");
                        writes.incrementAndGet();
                    }
                } catch (RuntimeException e) {
                    error.compareAndSet(null, e.toString());
                }
            }, "bench-writer-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        ArrayNode runs = JsonNodeFactory.instance.arrayNode();
        try {
            Bench.sleep((long) (ctx.options.warmup() * 1000));
            backups.settings("none", 0, "30s");
            backups.condition = "8 writers";
            for (int i = 0; i < (ctx.options.quick() ? 3 : 5); i++) {
                runs.add(backups.run().toJson());
            }
        } finally {
            backups.condition = "idle";
            stop.set(true);
            for (Thread t : threads) {
                t.join(60_000);
            }
        }
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("writers", writers);
        o.put("writes", writes.get());
        if (error.get() != null) {
            o.put("error", error.get());
        }
        o.set("backups", runs);
        return o;
    }

    /** Writes queued behind a throttled backup, each cancelled as soon as its BackupWait arrives. */
    private static ObjectNode cancelLatency(BenchContext ctx, TetraProcess server, TetraClient admin, Backups backups,
                                            DataSet ds) throws Exception {
        int target = ctx.options.quick() ? 500 : 2000;
        // Throttled so that the gate stays closed far longer than the samples take; stopped after.
        long maxRate = Math.max(1 << 20, ds.backedUpBytes() / 60);
        backups.settings("none", maxRate, "30s");
        Latencies cancelToReply = new Latencies();
        Latencies sendToNotice = new Latencies();
        Map<Long, Long> cancelSentAt = new ConcurrentHashMap<>();
        int ran = 0;
        int otherErrors = 0;
        String firstOther = null;
        try (TetraClient c = server.connect()) {
            c.onBackupWait(n -> {
                cancelSentAt.put(n.requestId(), System.nanoTime());
                n.cancel();
            });
            long t0 = System.nanoTime();
            long number = backups.start();
            awaitGate(server, number);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(50);
            while (cancelToReply.count() < target && System.nanoTime() < deadline) {
                long sent = System.nanoTime();
                TetraFuture<Result> f = c.executeAsync(INSERT, -1, "cancelled");
                AtomicLong doneAt = new AtomicLong();
                f.whenComplete((r, e) -> doneAt.set(System.nanoTime()));
                try {
                    f.get(30, TimeUnit.SECONDS);
                    ran++;
                    break; // the gate is open again: this write ran
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    Long cancelled = cancelSentAt.remove(f.requestId());
                    if (cause instanceof TetraException te && te.code() == ErrorCode.BACKUP_IN_PROGRESS
                            && cancelled != null) {
                        cancelToReply.add(doneAt.get() - cancelled);
                        sendToNotice.add(cancelled - sent);
                    } else {
                        otherErrors++;
                        if (firstOther == null) {
                            firstOther = String.valueOf(cause);
                        }
                    }
                } catch (TimeoutException e) {
                    throw new IllegalStateException("A queued write was neither cancelled nor run within 30 s.", e);
                }
            }
            admin.admin().stopBackup();
            backups.condition = "idle (throttled backup)";
            Backups.Outcome o;
            try {
                o = backups.await(number, t0);
            } finally {
                backups.condition = "idle";
            }
            backups.deleteArchives();
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            out.put("samples", cancelToReply.count());
            out.set("cancelToMinus9976", cancelToReply.toJson());
            out.set("sendToBackupWait", sendToNotice.toJson());
            out.put("writesThatRan", ran);
            out.put("otherErrors", otherErrors);
            if (firstOther != null) {
                out.put("firstOtherError", firstOther);
            }
            out.put("backupMaxRate", maxRate);
            out.set("backup", o.toJson());
            Bench.log("Cancel to -9976: p50 %.0f us, p99 %.0f us over %d samples.",
                    Latencies.micros(cancelToReply.quantile(0.5)), Latencies.micros(cancelToReply.quantile(0.99)),
                    cancelToReply.count());
            return out;
        }
    }

    private static void awaitGate(TetraProcess server, long number) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!server.gateCloses.containsKey(number)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("The gate of backup " + number + " did not close within 60 s.");
            }
            Bench.sleep(1);
        }
    }

    /** 10,000 writes from 32 clients queued behind a backup held at the gate, then drained. */
    private static ObjectNode drain(TetraProcess server, TetraClient admin, Backups backups) throws Exception {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        admin.execute("DELETE FROM QUEUED");
        backups.settings("none", 0, "300s");
        List<TetraClient> clients = new ArrayList<>();
        try (TetraClient holder = server.connect()) {
            for (int i = 0; i < QUEUED_CLIENTS; i++) {
                clients.add(server.connect("tetra-bench-queued"));
            }
            // An open transaction with a change: the backup closes the gate, then waits for it.
            holder.begin();
            holder.execute(INSERT, -2, "holder");
            long s0 = System.nanoTime();
            long number = backups.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!admin.admin().backupStatus().getProgress().getPhase().equals("waiting for transactions")) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Backup " + number + " did not reach the gate.");
                }
                Bench.sleep(5);
            }
            long[] doneAt = new long[QUEUED_WRITES];
            List<TetraFuture<Result>> futures = new ArrayList<>(QUEUED_WRITES);
            AtomicLong notices = new AtomicLong();
            for (TetraClient c : clients) {
                c.onBackupWait(n -> notices.incrementAndGet());
            }
            long q0 = System.nanoTime();
            for (int k = 0; k < QUEUED_WRITES; k++) {
                int client = k % QUEUED_CLIENTS;
                int key = k;
                TetraFuture<Result> f = clients.get(client).executeAsync("INSERT INTO QUEUED(CLIENT, K) VALUES (?, ?)",
                        client, key);
                f.whenComplete((r, e) -> doneAt[key] = System.nanoTime());
                futures.add(f);
            }
            // Every write has reached the server and waits (none answered) before the gate may open.
            int inFlight = 0;
            while (System.nanoTime() < deadline) {
                inFlight = 0;
                for (SessionInfo si : admin.admin().sessions()) {
                    if (si.getClientName().equals("tetra-bench-queued")) {
                        inFlight += si.getRequestsInFlight();
                    }
                }
                if (inFlight >= QUEUED_WRITES) {
                    break;
                }
                Bench.sleep(5);
            }
            double queueSeconds = (System.nanoTime() - q0) / 1e9;
            long answeredEarly = futures.stream().filter(java.util.concurrent.CompletableFuture::isDone).count();
            int gateQueue = admin.admin().backupStatus().getProgress().getQueuedWrites();
            long commitAt = System.nanoTime();
            holder.commit();
            long ok = 0;
            long failed = 0;
            String firstError = null;
            for (TetraFuture<Result> f : futures) {
                try {
                    if (f.get(300, TimeUnit.SECONDS).updateCount() == 1) {
                        ok++;
                    } else {
                        failed++;
                    }
                } catch (ExecutionException e) {
                    failed++;
                    if (firstError == null) {
                        firstError = String.valueOf(e.getCause());
                    }
                }
            }
            long first = Long.MAX_VALUE;
            long last = Long.MIN_VALUE;
            for (long t : doneAt) {
                first = Math.min(first, t);
                last = Math.max(last, t);
            }
            // Held at the gate on purpose: not a sample of closing it with no open transaction.
            backups.condition = HELD_OPEN;
            Backups.Outcome o;
            try {
                o = backups.await(number, s0);
            } finally {
                backups.condition = "idle";
            }
            backups.deleteArchives();

            Row counts = admin.execute("SELECT COUNT(*), COUNT(DISTINCT K) FROM QUEUED").rows().get(0);
            long rows = counts.getLong(0);
            long distinct = counts.getLong(1);
            Map<Integer, Integer> lastKey = new HashMap<>();
            long outOfOrder = 0;
            for (Row r : admin.execute("SELECT CLIENT, K FROM QUEUED ORDER BY ID").rows()) {
                int client = r.getInt(0);
                int k = r.getInt(1);
                Integer before = lastKey.put(client, k);
                if (before != null && before >= k) {
                    outOfOrder++;
                }
            }
            out.put("writes", QUEUED_WRITES);
            out.put("clients", QUEUED_CLIENTS);
            out.put("queueingSeconds", Bench.round2(queueSeconds));
            out.put("inFlightBeforeOpen", inFlight);
            out.put("answeredBeforeGateOpened", answeredEarly);
            out.put("heldInGateQueue", gateQueue);
            out.put("backupWaitNotices", notices.get());
            out.put("commitToFirstReplyMillis", Bench.round1((first - commitAt) / 1e6));
            out.put("drainMillis", Bench.round1((last - first) / 1e6));
            out.put("drainWritesPerSecond", Math.round(QUEUED_WRITES / ((last - first) / 1e9)));
            out.put("succeeded", ok);
            out.put("failed", failed);
            if (firstError != null) {
                out.put("firstError", firstError);
            }
            out.put("rows", rows);
            out.put("lost", QUEUED_WRITES - distinct);
            out.put("ranTwice", rows - distinct);
            out.put("outOfSessionOrder", outOfOrder);
            out.set("backup", o.toJson());
            Bench.log("Drain: %d writes in %.1f ms after the gate opened; %d lost, %d twice, %d out of order.",
                    QUEUED_WRITES, (last - first) / 1e6, QUEUED_WRITES - distinct, rows - distinct, outOfOrder);
        } finally {
            for (TetraClient c : clients) {
                c.close();
            }
        }
        return out;
    }
}
