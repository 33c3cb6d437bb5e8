package io.tetradb.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tetradb.client.TetraClient;
import io.tetradb.protocol.BackupFinished;
import io.tetradb.protocol.BackupOutcome;
import io.tetradb.protocol.BackupRecord;
import io.tetradb.protocol.WireStates;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Drives backups of the Tetra server under test through the client library's admin API,
 * as a user's program would: writes {@code Settings/backup.yml} (read by the server when
 * a backup starts), starts the backup with follow, waits for its end event and reads the
 * last-backup information the server recorded (its own start/end/duration).
 */
final class Backups {
    /** One finished backup. */
    record Outcome(long number, BackupRecord record, double clientSeconds, TetraProcess.GateClose gate,
                   long serverMaxRssKiB) {
        double seconds() {
            return record.getDurationMillis() / 1000.0;
        }

        ObjectNode toJson() {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("number", number);
            o.put("status", WireStates.word(WireStates.outcome(record)));
            o.put("serverDurationMillis", record.getDurationMillis());
            o.put("clientSeconds", Bench.round2(clientSeconds));
            o.put("archiveBytes", record.getArchiveSize());
            // the server's resident memory, sampled every 50 ms while the backup ran
            o.put("serverMaxRssKiB", serverMaxRssKiB);
            o.put("writesQueued", record.getWritesQueued());
            o.put("writesCancelled", record.getWritesCancelled());
            if (gate != null) {
                o.put("gateClosedMicrosAfterStart", gate.fromStartMicros());
                o.put("gateWaitMicros", gate.waitingMicros());
            }
            if (record.getErrorCode() != 0) {
                o.put("error", record.getErrorCode() + " " + record.getErrorMessage());
            }
            return o;
        }
    }

    private final BenchContext ctx;
    private final TetraClient admin;
    private final TetraProcess server;
    private final DataSet ds;
    private final Map<Long, CompletableFuture<BackupFinished>> finished = new ConcurrentHashMap<>();

    /** What else runs on the server while the next backups run (labels the gate samples). */
    volatile String condition = "idle";

    Backups(BenchContext ctx, TetraClient admin, TetraProcess server, DataSet ds) {
        this.ctx = ctx;
        this.admin = admin;
        this.server = server;
        this.ds = ds;
        admin.addEventListener(e -> {
            if (e.hasBackupFinished()) {
                future(e.getBackupFinished().getBackupNumber()).complete(e.getBackupFinished());
            }
        });
    }

    private CompletableFuture<BackupFinished> future(long number) {
        return finished.computeIfAbsent(number, n -> new CompletableFuture<>());
    }

    Path destination() {
        return ds.root.resolveSibling(DataSet.NAME + "-backups");
    }

    /** Writes Settings/backup.yml: compression, maxRate (bytes/s, 0 = none), waitForTransactions, no verify. */
    void settings(String compression, long maxRate, String waitForTransactions) throws IOException {
        settings(compression, maxRate, waitForTransactions, List.of("destination: " + destination()));
    }

    /** As {@link #settings(String, long, String)}, the destination given as backup.yml's lines (a bucket's, say). */
    void settings(String compression, long maxRate, String waitForTransactions, List<String> destinationLines)
            throws IOException {
        List<String> lines = new java.util.ArrayList<>();
        lines.add("content: { data: true, structure: true, attachments: [] }");
        lines.addAll(destinationLines);
        lines.addAll(List.of(
                "retention: { keepLast: 1, deleteOldest: after }",
                "onFailure:",
                "  waitForTransactions: " + waitForTransactions,
                "archive:",
                "  compression: " + compression,
                "  maxRate: " + maxRate,
                "  # a plain copy does not re-read what it wrote either",
                "  verify: false",
                ""));
        Files.writeString(ds.root.resolve("Settings/backup.yml"), String.join("\n", lines));
    }

    /** Starts a backup (this client follows it); returns its number. */
    long start() {
        return admin.admin().startBackup(true).getBackupNumber();
    }

    /** Waits for backup {@code number} to end and returns what the server recorded. */
    Outcome await(long number, long startNanos) throws Exception {
        CompletableFuture<BackupFinished> end = future(number);
        long maxRss = server.rssKiB();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
        BackupFinished f = null;
        while (f == null) {
            try {
                f = end.get(50, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                maxRss = Math.max(maxRss, server.rssKiB());
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
        }
        double client = (System.nanoTime() - startNanos) / 1e9;
        BackupRecord r = admin.admin().backupStatus().getLast();
        if (r.getNumber() != number) {
            throw new IllegalStateException("The last backup is " + r.getNumber() + ", not " + number);
        }
        TetraProcess.GateClose g = null;
        for (int i = 0; i < 50 && g == null; i++) {
            g = server.gateCloses.get(number);
            if (g == null && WireStates.outcome(f) != BackupOutcome.BACKUP_SUCCESS) {
                break;
            }
            if (g == null) {
                Bench.sleep(20);
            }
        }
        if (g != null) {
            ctx.gateSample(condition, g);
        }
        return new Outcome(number, r, client, g, maxRss);
    }

    /** Runs one backup to its end, then deletes its archive (the disk is the one measured). */
    Outcome run() throws Exception {
        long t0 = System.nanoTime();
        long n = start();
        Outcome o = await(n, t0);
        if (WireStates.outcome(o.record()) != BackupOutcome.BACKUP_SUCCESS) {
            throw new IllegalStateException("Backup " + n + " ended " + WireStates.word(WireStates.outcome(o.record())) + ": "
                    + o.record().getErrorCode() + " " + o.record().getErrorMessage());
        }
        deleteArchives();
        return o;
    }

    void deleteArchives() throws IOException {
        Path d = destination();
        if (!Files.isDirectory(d)) {
            return;
        }
        try (Stream<Path> s = Files.list(d)) {
            for (Path p : s.toList()) {
                String f = p.getFileName().toString();
                if (f.endsWith(".tar") || f.endsWith(".tar.zst") || f.endsWith(".partial")) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
