package io.tetradb.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import java.util.Locale;

/** The goals of BENCHMARKS.md, each with its measured figure and a verdict. */
final class Goals {
    private Goals() {
    }

    static ArrayNode evaluate(JsonNode r) {
        ArrayNode goals = JsonNodeFactory.instance.arrayNode();
        for (JsonNode b : r.path("backup")) {
            String payload = b.path("payload").asText();
            double none = b.path("tetra").path("none").path("ratioToPlainCopy").asDouble(Double.NaN);
            double fast = b.path("tetra").path("fast").path("ratioToPlainCopy").asDouble(Double.NaN);
            add(goals, "Backup throughput, compression none, " + payload, ">= 0.9 x plain copy",
                    fmt("%.2f x", none), none >= 0.9);
            add(goals, "Backup throughput, compression fast, " + payload, ">= 0.7 x plain copy",
                    fmt("%.2f x", fast), fast >= 0.7);
        }
        for (String c : new String[]{"fast", "none"}) {
            JsonNode d = r.path("readsDuringBackup").path("duringBackup_" + c);
            if (!d.isMissingNode()) {
                double reads = d.path("readsRatioToIdle").asDouble();
                double p99 = d.path("p99RatioToIdle").asDouble();
                add(goals, "Reads per second during a backup (" + c + ")", ">= 0.8 x idle", fmt("%.2f x", reads),
                        reads >= 0.8);
                add(goals, "p99 read latency during a backup (" + c + ")", "<= 2 x idle", fmt("%.2f x", p99), p99 <= 2);
            }
        }
        JsonNode all = r.path("gateClose").path("noOpenTransaction").path("closeToQuiet");
        JsonNode first = r.path("gateClose").path("noOpenTransactionFirstBackupOfProcess").path("closeToQuiet");
        if (all.path("count").asInt() > 0) {
            double max = all.path("maxMicros").asDouble() / 1000;
            add(goals, "Gate close with no open transactions", "< 10 ms",
                    fmt("max %.2f ms, p50 %.3f ms over %d backups (first backup of each fresh server process,"
                                    + " %d of them: max %.2f ms)", max, all.path("p50Micros").asDouble() / 1000,
                            all.path("count").asInt(), first.path("count").asInt(),
                            first.path("maxMicros").asDouble() / 1000), max < 10);
        }
        JsonNode cancel = r.path("gate").path("cancel").path("cancelToMinus9976");
        if (cancel.path("count").asInt() > 0) {
            double p99 = cancel.path("p99Micros").asDouble() / 1000;
            add(goals, "Cancel -> -9976 reply", "< 10 ms p99", fmt("p99 %.2f ms", p99), p99 < 10);
        }
        JsonNode drain = r.path("gate").path("drain");
        if (!drain.isMissingNode()) {
            boolean ok = drain.path("lost").asLong() == 0 && drain.path("ranTwice").asLong() == 0
                    && drain.path("failed").asLong() == 0 && drain.path("succeeded").asLong() == 10_000;
            add(goals, "10,000 queued writes drained after the backup", "none lost",
                    fmt("%.0f ms; lost %d, twice %d, failed %d", drain.path("drainMillis").asDouble(),
                            drain.path("lost").asLong(), drain.path("ranTwice").asLong(), drain.path("failed").asLong()),
                    ok);
        }
        JsonNode t = r.path("wireTetra").path("pointSelect");
        JsonNode h = r.path("wireH2").path("pointSelect");
        for (int i = 0; i < t.size() && i < h.size(); i++) {
            double ratio = t.get(i).path("perSecond").asDouble() / h.get(i).path("perSecond").asDouble();
            goals.addObject().put("goal", "Point selects/s, " + t.get(i).path("clients").asInt() + " client(s)")
                    .put("target", ">= 1.0 x H2 TCP server (goal 1.5 x)")
                    .put("measured", fmt("%.2f x", ratio))
                    .put("verdict", ratio >= 1.5 ? "met (goal 1.5 x too)" : ratio >= 1.0 ? "met (not the 1.5 x goal)"
                            : "missed");
        }
        JsonNode cm = r.path("commits");
        for (String w : new String[]{"insert", "tpcb"}) {
            JsonNode t2 = cm.path("tetra").path("commit").path(w);
            JsonNode pg = cm.path("postgres").path(w + "Results");
            for (int i = 0; i < t2.size() && i < pg.size(); i++) {
                double ratio = t2.get(i).path("perSecond").asDouble() / pg.get(i).path("perSecond").asDouble();
                int clients = t2.get(i).path("clients").asInt();
                String vs = " x PostgreSQL (fsync on, synchronous_commit on)";
                if (w.equals("insert")) {
                    // BENCHMARKS.md: 2 x with group commit (8 and 32 clients); 1 x with one client (one flush each).
                    double target = clients == 1 ? 1 : 2;
                    add(goals, "Durable autocommit inserts/s (log.sync: commit), " + clients + " client(s)",
                            ">= " + (int) target + vs, fmt("%.2f x", ratio), ratio >= target);
                } else {
                    goals.addObject().put("goal", "Durable TPC-B-like transactions/s, " + clients + " client(s)")
                            .put("target", "reported, no target (Tetra / PostgreSQL, both durable)")
                            .put("measured", fmt("%.2f x", ratio)).put("verdict", "reported");
                }
            }
        }
        JsonNode s3 = r.path("s3").path("none");
        if (!s3.isMissingNode()) {
            JsonNode b = s3.path("bucket");
            goals.addObject().put("goal", "Backup to an S3 bucket (s3proxy, same disk), compression none, "
                            + Bench.mib(r.path("s3").path("bytes").asLong()) + ", server -Xmx"
                            + r.path("s3").path("serverHeap").asText())
                    .put("target", "reported, no target (bucket / local folder; the server's RSS while uploading)")
                    .put("measured", fmt("%.0f MB/s vs local %.0f MB/s: %.2f x; upload alone %.0f MB/s; max RSS %d MiB"
                                    + " (while uploading %d MiB)", b.path("mbPerSecond").asDouble(),
                            s3.path("local").path("mbPerSecond").asDouble(), s3.path("ratioBucketToLocal").asDouble(),
                            b.path("uploadMbPerSecond").asDouble(), b.path("serverMaxRssKiB").asLong() / 1024,
                            b.path("serverMaxRssWhileUploadingKiB").asLong() / 1024))
                    .put("verdict", "reported");
        }
        JsonNode cv = r.path("convert");
        String conversion = "Conversion of a 1 GiB H2 1.4 database";
        String byHand = "faster than export + import by hand";
        if (cv.isMissingNode()) {
            goals.addObject().put("goal", conversion).put("target", byHand)
                    .put("measured", "not measured in this run (--parts convert)").put("verdict", "not measured");
        } else {
            JsonNode ct = cv.path("tetra");
            double tetra = ct.path("seconds").asDouble();
            double hand = cv.path("byHand").path("totalSeconds").asDouble();
            String file = Bench.mib(cv.path("legacy").path("fileBytes").asLong()) + " file";
            if (ct.path("completed").asBoolean()) {
                add(goals, conversion, byHand, fmt("%s: Tetra %.1f s, by hand %.1f s (by hand / Tetra %.2f x)", file,
                        tetra, hand, cv.path("ratioByHandToTetra").asDouble()), tetra < hand);
            } else {
                String why = ct.path("error").path("message").asText(ct.path("error").asText()).lines().findFirst()
                        .orElse("");
                add(goals, conversion, byHand, fmt("%s: the conversion FAILED after %.1f s (by hand %.1f s): %s", file,
                        tetra, hand, why.length() > 300 ? why.substring(0, 300) + "..." : why), false);
            }
        }
        return goals;
    }

    private static void add(ArrayNode goals, String goal, String target, String measured, boolean met) {
        goals.addObject().put("goal", goal).put("target", target).put("measured", measured)
                .put("verdict", met ? "met" : "missed");
    }

    private static String fmt(String f, Object... a) {
        return String.format(Locale.ROOT, f, a);
    }
}
