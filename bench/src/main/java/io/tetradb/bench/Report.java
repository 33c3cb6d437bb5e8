package io.tetradb.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The results as Markdown tables (pasted as they are into BENCHMARKS.md). */
final class Report {
    private final StringBuilder sb = new StringBuilder();

    private Report() {
    }

    static String markdown(JsonNode r) {
        Report p = new Report();
        p.render(r);
        return p.sb.toString();
    }

    private void render(JsonNode r) {
        line("## Results (" + r.path("mode").asText() + " run, " + r.path("date").asText() + ")");
        line("");
        JsonNode m = r.path("machine");
        line("Machine: " + m.path("processors").asInt() + " processors (" + m.path("cpu").asText() + "), "
                + m.path("memTotalKiB").asLong() / 1024 / 1024 + " GiB memory, " + m.path("os").asText() + ", kernel "
                + m.path("kernel").asText() + ", " + m.path("java").asText() + ". Load average at start "
                + m.path("loadAverageAtStart").asText() + ", at end " + r.path("loadAverageAtEnd").asText() + ".");
        line("Command: `" + r.path("command").asText() + "` (" + r.path("elapsedSeconds").asLong() + " s). Tetra "
                + r.path("tetraVersion").asText() + ".");
        line("");
        backup(r);
        reads(r);
        gate(r);
        wire(r);
        memory(r);
        convert(r);
        commits(r);
        jdbc(r);
        crashCut(r);
        integrate(r);
        s3(r);
        goals(r);
        if (r.has("error")) {
            line("**The run failed:** " + r.path("error").asText().lines().findFirst().orElse(""));
        }
    }

    private void backup(JsonNode r) {
        if (!r.has("backup")) {
            return;
        }
        line("### 1. Backup throughput");
        line("");
        table(List.of("payload", "method", "seconds", "MB/s", "x plain copy", "x H2 BACKUP TO", "archive"));
        for (JsonNode b : r.path("backup")) {
            String payload = b.path("payload").asText() + " (" + Bench.mib(b.path("bytes").asLong()) + ")";
            JsonNode c = b.path("plainCopy");
            JsonNode h = b.path("h2BackupTo");
            row(payload, "plain copy (cp + sync)", f2(c.path("medianSeconds")), f0(c.path("mbPerSecond")), "1.00",
                    ratio(h.path("seconds").asDouble() / c.path("medianSeconds").asDouble()), "-");
            row(payload, "H2 BACKUP TO (zip)", f2(h.path("seconds")), f0(h.path("mbPerSecond")),
                    f2(c.path("medianSeconds").asDouble() / h.path("seconds").asDouble()), "1.0",
                    Bench.mib(h.path("archiveBytes").asLong()));
            for (String comp : BackupBench.COMPRESSIONS) {
                JsonNode t = b.path("tetra").path(comp);
                row(payload, "Tetra backup, " + comp, f2(t.path("medianSeconds")), f0(t.path("mbPerSecond")),
                        f2(t.path("ratioToPlainCopy")), f1(t.path("ratioToH2BackupTo")),
                        Bench.mib(t.path("archiveBytes").asLong()) + " (" + f2(t.path("compressionRatio")) + " : 1)");
            }
        }
        line("");
    }

    private void reads(JsonNode r) {
        JsonNode rd = r.path("readsDuringBackup");
        if (rd.isMissingNode()) {
            return;
        }
        line("### 2. Reads during a backup (" + rd.path("clients").asInt() + " clients, point selects)");
        line("");
        table(List.of("window", "reads/s", "p50 us", "p99 us", "reads x idle", "p99 x idle", "backups"));
        JsonNode idle = rd.path("idle");
        row("idle", f0(idle.path("readsPerSecond")), f0(idle.path("latency").path("p50Micros")),
                f0(idle.path("latency").path("p99Micros")), "1.00", "1.00", "-");
        for (String c : new String[]{"fast", "none"}) {
            JsonNode d = rd.path("duringBackup_" + c);
            if (d.isMissingNode()) {
                continue;
            }
            row("during backups (" + c + ")", f0(d.path("readsPerSecond")), f0(d.path("latency").path("p50Micros")),
                    f0(d.path("latency").path("p99Micros")), f2(d.path("readsRatioToIdle")),
                    f2(d.path("p99RatioToIdle")), Integer.toString(d.path("backups").size()));
        }
        line("");
    }

    private void gate(JsonNode r) {
        JsonNode gc = r.path("gateClose");
        JsonNode g = r.path("gate");
        if (g.isMissingNode() && gc.path("noOpenTransaction").path("closeToQuiet").path("count").asInt() == 0
                && gc.path("noOpenTransactionFirstBackupOfProcess").path("closeToQuiet").path("count").asInt() == 0) {
            return;
        }
        line("### 3. The write gate");
        line("");
        table(List.of("measure", "samples", "p50", "p99", "max"));
        gc.fields().forEachRemaining(e -> {
            if (e.getValue().isObject() && !e.getKey().startsWith("noOpenTransaction")) {
                JsonNode l = e.getValue().path("closeToQuiet");
                row("gate close -> closed and quiet (" + e.getKey() + ")", l.path("count").asText(),
                        ms(l.path("p50Micros")), ms(l.path("p99Micros")), ms(l.path("maxMicros")));
                l = e.getValue().path("fromStartRequest");
                row("backup start request -> gate closed and quiet (" + e.getKey() + ")", l.path("count").asText(),
                        ms(l.path("p50Micros")), ms(l.path("p99Micros")), ms(l.path("maxMicros")));
            }
        });
        for (String k : new String[]{"noOpenTransaction", "noOpenTransactionFirstBackupOfProcess"}) {
            JsonNode l = gc.path(k).path("closeToQuiet");
            if (l.path("count").asInt() > 0) {
                row("gate close -> closed and quiet, no open transaction, " + (k.endsWith("Process")
                                ? "first backup of a fresh server process" : "all other backups"),
                        l.path("count").asText(), ms(l.path("p50Micros")), ms(l.path("p99Micros")),
                        ms(l.path("maxMicros")));
            }
        }
        JsonNode c = g.path("cancel");
        if (!c.isMissingNode()) {
            JsonNode l = c.path("cancelToMinus9976");
            row("cancel sent -> -9976 received", l.path("count").asText(), ms(l.path("p50Micros")),
                    ms(l.path("p99Micros")), ms(l.path("maxMicros")));
            l = c.path("sendToBackupWait");
            row("write sent -> BackupWait received", l.path("count").asText(), ms(l.path("p50Micros")),
                    ms(l.path("p99Micros")), ms(l.path("maxMicros")));
        }
        line("");
        JsonNode d = g.path("drain");
        if (!d.isMissingNode()) {
            line(String.format(Locale.ROOT, "Drain: %d writes from %d clients queued behind a backup (all %d in flight"
                            + " on the server, %d answered early, %d held in the gate's queue itself); once the gate"
                            + " opened they were answered in **%.1f ms** (%d writes/s). Succeeded %d, failed %d, lost"
                            + " **%d**, ran twice **%d**, out of session order %d.",
                    d.path("writes").asInt(), d.path("clients").asInt(), d.path("inFlightBeforeOpen").asInt(),
                    d.path("answeredBeforeGateOpened").asInt(), d.path("heldInGateQueue").asInt(),
                    d.path("drainMillis").asDouble(), d.path("drainWritesPerSecond").asLong(),
                    d.path("succeeded").asLong(), d.path("failed").asLong(), d.path("lost").asLong(),
                    d.path("ranTwice").asLong(), d.path("outOfSessionOrder").asLong()));
            line("");
        }
    }

    private void wire(JsonNode r) {
        JsonNode t = r.path("wireTetra");
        JsonNode h = r.path("wireH2");
        JsonNode pg = r.path("postgres");
        if (t.isMissingNode() && h.isMissingNode()) {
            return;
        }
        line("### 4. The wire (loopback)");
        line("");
        boolean havePg = pg.path("installed").asBoolean(false);
        List<String> head = new ArrayList<>(List.of("test", "clients", "Tetra /s", "Tetra p50/p99 us", "H2 TCP /s",
                "H2 p50/p99 us", "Tetra / H2"));
        if (havePg) {
            head.addAll(List.of("PostgreSQL /s", "PG p50/p99 us", "Tetra / PG"));
        }
        table(head);
        wireRows("point select", t.path("pointSelect"), h.path("pointSelect"), pg.path("pointSelectResults"), havePg);
        wireRows("insert", t.path("insert"), h.path("insert"), pg.path("insertResults"), havePg);
        line("");
        JsonNode workers = r.path("wireTetraWorkers");
        if (!workers.isMissingNode()) {
            line("The same point selects on a server that runs every request on a worker (`limits.eventLoopReadTime=0`,"
                    + " the design before reads ran on the event loop; its own process, same data):");
            line("");
            table(List.of("clients", "Tetra /s", "Tetra p50/p99 us", "workers only /s", "workers p50/p99 us",
                    "Tetra / workers only", "workers only / H2"));
            for (int i = 0; i < workers.path("pointSelect").size(); i++) {
                JsonNode a = t.path("pointSelect").path(i);
                JsonNode b = workers.path("pointSelect").path(i);
                JsonNode c = h.path("pointSelect").path(i);
                row(b.path("clients").asText(), f0(a.path("perSecond")), lat(a), f0(b.path("perSecond")), lat(b),
                        ratio(a.path("perSecond").asDouble() / b.path("perSecond").asDouble()),
                        ratio(b.path("perSecond").asDouble() / c.path("perSecond").asDouble()));
            }
            line("");
        }
        JsonNode tls = r.path("wireTetraTls");
        if (tls.has("note")) {
            line("TLS: " + tls.path("note").asText() + ".");
            line("");
        } else if (!tls.isMissingNode()) {
            line("The same point selects on a second server with TLS on (its own process, same data):");
            line("");
            table(List.of("clients", "Tetra /s", "Tetra p50/p99 us", "Tetra TLS /s", "TLS p50/p99 us", "TLS / plain"));
            for (int i = 0; i < tls.path("pointSelect").size(); i++) {
                JsonNode a = t.path("pointSelect").path(i);
                JsonNode b = tls.path("pointSelect").path(i);
                row(b.path("clients").asText(), f0(a.path("perSecond")), lat(a), f0(b.path("perSecond")), lat(b),
                        ratio(b.path("perSecond").asDouble() / a.path("perSecond").asDouble()));
            }
            line("");
        }
        if (!havePg && !pg.isMissingNode()) {
            line("PostgreSQL: " + pg.path("note").asText() + ".");
            line("");
        }
    }

    private void wireRows(String test, JsonNode t, JsonNode h, JsonNode pg, boolean havePg) {
        int n = Math.max(t.size(), h.size());
        for (int i = 0; i < n; i++) {
            JsonNode a = t.path(i);
            JsonNode b = h.path(i);
            List<String> cells = new ArrayList<>(List.of(test, a.path("clients").asText(b.path("clients").asText()),
                    f0(a.path("perSecond")), lat(a), f0(b.path("perSecond")), lat(b),
                    ratio(a.path("perSecond").asDouble() / b.path("perSecond").asDouble())));
            if (havePg) {
                JsonNode c = pg.path(i);
                cells.addAll(List.of(f0(c.path("perSecond")), lat(c),
                        ratio(a.path("perSecond").asDouble() / c.path("perSecond").asDouble())));
            }
            row(cells.toArray(String[]::new));
        }
    }

    private void memory(JsonNode r) {
        JsonNode t = r.path("wireTetra");
        JsonNode h = r.path("wireH2");
        JsonNode s = r.path("streamedSelect");
        if (t.isMissingNode() && s.isMissingNode()) {
            return;
        }
        line("### 5. Memory (resident set, VmRSS)");
        line("");
        table(List.of("server", "heap", "RSS idle", "max RSS, 32 clients", "max RSS during a backup",
                "streamed 1M-row SELECT at -Xmx128m", "max RSS while streaming"));
        row("Tetra", r.path("options").path("heap").asText(), kib(t.path("rssIdleKiB")),
                kib(t.path("pointSelect").path(2).path("serverMaxRssKiB")), kib(maxRssDuringBackups(r)),
                stream(s.path("tetra")), kib(s.path("tetra").path("serverMaxRssKiB")));
        row("H2 TCP server", r.path("options").path("heap").asText(), kib(h.path("rssIdleKiB")),
                kib(h.path("pointSelect").path(2).path("serverMaxRssKiB")), "-", stream(s.path("h2")),
                kib(s.path("h2").path("serverMaxRssKiB")));
        line("");
    }

    /** The largest resident set sampled during the backups of parts backup and reads (missing when none ran). */
    static JsonNode maxRssDuringBackups(JsonNode r) {
        long max = 0;
        for (String part : List.of("backup", "readsDuringBackup")) {
            for (JsonNode v : r.path(part).findValues("serverMaxRssKiB")) {
                max = Math.max(max, v.asLong());
            }
        }
        return max > 0 ? JsonNodeFactory.instance.numberNode(max) : com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    private static String stream(JsonNode s) {
        if (s.isMissingNode()) {
            return "-";
        }
        if (!s.path("completed").asBoolean()) {
            return "FAILED: " + s.path("error").asText();
        }
        return String.format(Locale.ROOT, "%d rows in %.1f s (%d rows/s)", s.path("rows").asLong(),
                s.path("seconds").asDouble(), s.path("rowsPerSecond").asLong());
    }

    private void convert(JsonNode r) {
        JsonNode cv = r.path("convert");
        if (cv.isMissingNode()) {
            return;
        }
        JsonNode l = cv.path("legacy");
        JsonNode h = cv.path("byHand");
        JsonNode t = cv.path("tetra");
        line("### 6. Conversion of an " + l.path("engine").asText() + " database ("
                + Bench.mib(l.path("fileBytes").asLong()) + ")");
        line("");
        line(String.format(Locale.ROOT, "The legacy file: %d customers and %d orders in %s (%s; %s). Every program in"
                        + " its own JVM with -Xmx%s, by hand first, then Tetra; page cache %s. Load average before by"
                        + " hand %s, before Tetra %s, after %s.",
                l.path("customers").asLong(), l.path("orders").asLong(), Bench.mib(l.path("fileBytes").asLong()),
                l.path("reused").asBoolean() ? "made by an earlier run"
                        : String.format(Locale.ROOT, "made in %.0f s", l.path("loadSeconds").asDouble()
                        + l.path("compactSeconds").asDouble()), l.path("made").asText(), cv.path("heap").asText(),
                cv.path("caches").asText(), h.path("loadAverageBefore").asText(), t.path("loadAverageBefore").asText(),
                cv.path("loadAverageAfter").asText()));
        line("");
        table(List.of("method", "seconds", "by hand / this", "new file", "what it does"));
        row("by hand: Script (" + h.path("export").path("engine").asText() + ") + RunScript FROM_1X ("
                        + h.path("import").path("engine").asText() + ")", f1(h.path("totalSeconds")), "1.00",
                Bench.mib(h.path("newFileBytes").asLong()), "export to a SQL script ("
                        + Bench.mib(h.path("dumpBytes").asLong()) + "), import it into a new file; no check, no"
                        + " verification, not compacted" + (h.path("completed").asBoolean() ? ""
                        : "; ROWS MISSING: " + h.path("rows")));
        if (t.path("completed").asBoolean()) {
            boolean copies = !t.path("safetyCopyFolders").isEmpty();
            row("Tetra: tetra-admin convert --to", f1(t.path("seconds")), f2(cv.path("ratioByHandToTetra")),
                    Bench.mib(t.path("newFileBytes").asLong()), "the source checked (every row read and checksummed), "
                            + (copies ? "safety copies" : "no safety copy (--to leaves the source as it is)")
                            + ", export and import streamed side by side, every table verified (rows and checksums), "
                            + "the new file compacted; catalog.xml and the conversion log");
        } else {
            row("Tetra: tetra-admin convert --to", f1(t.path("seconds")), "-", "-", "FAILED: "
                    + t.path("error").path("message").asText(t.path("error").asText()).lines().findFirst().orElse(""));
        }
        line("");
        table(List.of("phase", "seconds"));
        row("by hand: export (Script)", f1(h.path("export").path("seconds")));
        row("by hand: import (RunScript FROM_1X)", f1(h.path("import").path("seconds")));
        double steps = 0;
        for (JsonNode s : t.path("steps")) {
            steps += s.path("millis").asDouble() / 1000;
            row("Tetra step " + s.path("step").asInt() + ": " + s.path("title").asText(),
                    f1(s.path("millis").asDouble() / 1000));
        }
        if (t.path("completed").asBoolean()) {
            row("Tetra: outside the steps (JVM start, plan, result)", f1(t.path("seconds").asDouble() - steps));
        }
        line("");
    }

    private void commits(JsonNode r) {
        JsonNode c = r.path("commits");
        if (c.isMissingNode()) {
            return;
        }
        line("### 7. Durable commits (log file)");
        line("");
        line("Tables of pgbench at scale " + c.path("scale").asInt() + " on every server. Tetra `log.sync: commit`"
                + " and PostgreSQL (fsync on, synchronous_commit on) are durable; H2's TCP server (write delay 500"
                + " ms) and Tetra `log.sync: everySecond` are **not durable**.");
        line("");
        JsonNode pg = c.path("postgres");
        JsonNode h2 = c.path("h2");
        table(List.of("workload", "clients", "Tetra commit /s", "p50/p99 us", "PostgreSQL /s", "p50/p99 us",
                "Tetra / PG", "H2 TCP (not durable) /s", "p50/p99 us", "Tetra / H2"));
        for (String w : new String[]{"insert", "tpcb"}) {
            JsonNode t = c.path("tetra").path("commit").path(w);
            for (int i = 0; i < t.size(); i++) {
                JsonNode a = t.path(i);
                JsonNode p = pg.path(w + "Results").path(i);
                JsonNode h = h2.path(w).path(i);
                row(w, a.path("clients").asText(), f0(a.path("perSecond")), lat(a), f0(p.path("perSecond")), lat(p),
                        ratio(a.path("perSecond").asDouble() / p.path("perSecond").asDouble()),
                        f0(h.path("perSecond")), lat(h),
                        ratio(a.path("perSecond").asDouble() / h.path("perSecond").asDouble()));
            }
        }
        line("");
        if (!pg.path("installed").asBoolean(false)) {
            line("PostgreSQL: " + pg.path("note").asText("not run (--no-postgres)") + ".");
            line("");
        }
        line("Tetra's log, from the server's counters over each point's process (warm-up and window):");
        line("");
        table(List.of("log.sync", "workload", "clients", "commits/s", "p50/p99 us", "operations / sync",
                "commits / sync", "log bytes / operation", "log bytes / commit", "errors"));
        for (String sync : new String[]{"commit", "everySecond"}) {
            for (String w : new String[]{"insert", "tpcb"}) {
                for (JsonNode a : c.path("tetra").path(sync).path(w)) {
                    JsonNode l = a.path("log");
                    row(sync, w, a.path("clients").asText(), f0(a.path("perSecond")), lat(a),
                            f2(l.path("operationsPerSync")), f2(l.path("transactionsPerSync")),
                            f1(l.path("bytesPerOperation")), f1(l.path("bytesPerTransaction")),
                            a.path("errors").asText());
                }
            }
        }
        line("");
        line("Recovery after kill -9 (the next start until it listens):");
        line("");
        table(List.of("load", "acknowledged (rows, or commits)", "redone operations", "redo ms",
                "ms per 100,000 operations", "restart s", "clean start s"));
        for (JsonNode x : c.path("recovery").path("runs")) {
            row(x.path("load").asText(), x.path("acknowledgedOperations").asText(),
                    x.path("redoneOperations").asText(x.path("note").asText("-")), x.path("redoMillis").asText("-"),
                    f1(x.path("redoMillisPer100kOperations")), f2(x.path("restartSeconds")),
                    f2(x.path("cleanStartSeconds")));
        }
        line("");
    }

    /**
     * The JDBC harness's figures (every peer through java.sql, the same code) beside the
     * native clients' (Tetra's client library, pgbench), one row per peer, with Tetra JDBC's
     * rate over each row's.
     */
    private void jdbc(JsonNode r) {
        JsonNode tj = r.path("wireTetraJdbc");
        JsonNode cj = r.path("commits").path("tetraJdbc");
        if (tj.isMissingNode() && cj.isMissingNode()) {
            return;
        }
        line("### JDBC against the native client");
        line("");
        line("Every \"(JDBC)\" row is the same harness (JdbcWorkload: plain java.sql, one connection per client,"
                + " PreparedStatements reused, setAutoCommit(false) + commit() for tpcb) given only a URL, a user and"
                + " a password; \"native\" is Tetra's client library, \"pgbench\" PostgreSQL's own client. The last"
                + " column is Tetra (JDBC)'s rate / the row's: against Tetra (native) it is what the driver costs.");
        line("");
        List<String> head = List.of("test", "clients", "peer (client)", "/s", "p50 / p99 us", "server CPU us/op",
                "client CPU us/op", "Tetra (JDBC) / this");
        JsonNode pg = r.path("postgres");
        if (!tj.isMissingNode()) {
            table(head);
            JsonNode t = r.path("wireTetra");
            JsonNode h = r.path("wireH2");
            for (String test : new String[]{"pointSelect", "insert"}) {
                String name = test.equals("insert") ? "insert" : "point select";
                for (int i = 0; i < tj.path(test).size(); i++) {
                    JsonNode base = tj.path(test).path(i);
                    jdbcRow(name, base, "Tetra (native)", t.path(test).path(i));
                    jdbcRow(name, base, "Tetra (JDBC)", base);
                    jdbcRow(name, base, "H2 TCP (JDBC)", h.path(test).path(i));
                    jdbcRow(name, base, "PostgreSQL (JDBC)", pg.path("jdbc").path(test).path(i));
                    jdbcRow(name, base, "PostgreSQL (pgbench)", pg.path(test + "Results").path(i));
                }
            }
            line("");
            if (!pg.path("installed").asBoolean(false)) {
                line("PostgreSQL: " + pg.path("note").asText("not run (part postgres not asked for, or --no-postgres)")
                        + ".");
                line("");
            }
        }
        if (!cj.isMissingNode()) {
            JsonNode c = r.path("commits");
            JsonNode cpg = c.path("postgres");
            line("Durable commits (part commits): Tetra `log.sync: commit` and PostgreSQL (fsync on) durable, H2 (write"
                    + " delay) not durable; pgbench's tables at scale " + c.path("scale").asInt() + ".");
            line("");
            table(head);
            for (String w : new String[]{"insert", "tpcb"}) {
                for (int i = 0; i < cj.path(w).size(); i++) {
                    JsonNode base = cj.path(w).path(i);
                    jdbcRow(w, base, "Tetra (native)", c.path("tetra").path("commit").path(w).path(i));
                    jdbcRow(w, base, "Tetra (JDBC)", base);
                    jdbcRow(w, base, "H2 TCP (JDBC, not durable)", c.path("h2").path(w).path(i));
                    jdbcRow(w, base, "PostgreSQL (JDBC)", cpg.path("jdbc").path(w).path(i));
                    jdbcRow(w, base, "PostgreSQL (pgbench)", cpg.path(w + "Results").path(i));
                }
            }
            line("");
            List<String> checks = new ArrayList<>();
            for (String[] p : new String[][]{{"Tetra (JDBC)", "tetraJdbc"}, {"H2", "h2"}}) {
                JsonNode k = c.path(p[1]).path("tpcbCheck");
                if (!k.isMissingNode()) {
                    checks.add(p[0] + " " + check(k));
                }
            }
            JsonNode k = cpg.path("jdbc").path("tpcbCheck");
            if (!k.isMissingNode()) {
                checks.add("PostgreSQL " + check(k));
            }
            if (!checks.isEmpty()) {
                line("tpcb check (sums of the accounts', tellers', branches' balances and of the history's deltas, read"
                        + " through each driver after its runs): " + String.join("; ", checks) + ".");
                line("");
            }
            if (!cpg.path("installed").asBoolean(false)) {
                line("PostgreSQL: " + cpg.path("note").asText("not run (--no-postgres)") + ".");
                line("");
            }
        }
    }

    private static String check(JsonNode k) {
        return (k.path("consistent").asBoolean() ? "equal" : "NOT EQUAL") + " (" + k.path("historyRows").asLong()
                + " history rows, sum " + k.path("sumHistoryDelta").asLong() + ")";
    }

    private void jdbcRow(String test, JsonNode tetraJdbc, String peer, JsonNode n) {
        if (n.isMissingNode()) {
            return;
        }
        row(test, n.path("clients").asText(), peer, f0(n.path("perSecond")), lat(n), f1(n.path("serverCpuMicrosPerOp")),
                f1(n.path("clientCpuMicrosPerOp")),
                ratio(tetraJdbc.path("perSecond").asDouble() / n.path("perSecond").asDouble()));
    }

    private void crashCut(JsonNode r) {
        JsonNode c = r.path("crashcut");
        if (c.isMissingNode()) {
            return;
        }
        line("### H2's file after a kill (crashcut)");
        line("");
        line(c.path("threads").asInt() + " threads, each committing an insert into T then an update of W; killed"
                + " with SIGKILL 1 to 2 s after the start; the file then holds one moment when W agrees with T.");
        line("");
        table(List.of("mode", "kills", "file holding no moment", "first findings"));
        for (String mode : new String[]{"h2", "quiet"}) {
            JsonNode m = c.path(mode);
            List<String> f = new java.util.ArrayList<>();
            m.path("findings").forEach(x -> f.add(x.asText()));
            row(mode.equals("h2") ? "H2's own writes" : "writes only while no thread is in the engine (Tetra)",
                    m.path("kills").asText(), m.path("inconsistent").asText(),
                    f.isEmpty() ? "-" : String.join("; ", f.subList(0, Math.min(2, f.size()))));
        }
        line("");
    }

    private void integrate(JsonNode r) {
        JsonNode g = r.path("integrate");
        if (g.isMissingNode()) {
            return;
        }
        line("### Integrating the log (restore --to, recovery) vs H2 executing the statements");
        line("");
        JsonNode w = g.path("writes");
        line(String.format(Locale.ROOT, "%,d operations (%,d logged) after backup %d: %s. Written through the wire in"
                + " %.1f s.", g.path("operations").asLong(), w.path("loggedOperations").asLong(),
                g.path("backupNumber").asLong(), g.path("workload").asText(), w.path("seconds").asDouble()));
        line("");
        table(List.of("what", "operations", "ms", "ms per 100,000 operations", "wall s", "x H2", "rows match"));
        JsonNode rs = g.path("restore");
        JsonNode h2 = g.path("h2");
        JsonNode all = g.path("recoveryOfAll");
        JsonNode kill = g.path("recoveryAfterKill");
        JsonNode ratios = g.path("ratios");
        row("restore " + g.path("backupNumber").asText() + " --to DIR: integration (report's integration_millis)",
                rs.path("operationsIntegrated").asText(), rs.path("integrationMillis").asText(),
                f1(rs.path("integrationMillisPer100kOperations")), f2(rs.path("wallSeconds")),
                f2(ratios.path("restoreIntegrationToH2")), rs.path("rowsMatch").asText());
        row("restore " + g.path("backupNumber").asText() + " --to DIR --no-log (the archive alone)", "0", "-", "-",
                f2(rs.path("noLogWallSeconds")), "-", "-");
        row("start on the data file of the backup: recovery of all (journal log-recovery)",
                all.path("operations").asText(), all.path("ms").asText(), f1(all.path("millisPer100kOperations")),
                f2(all.path("startSeconds")), f2(ratios.path("recoveryOfAllToH2")), all.path("rowsMatch").asText());
        row("start after kill -9 right after the writes (since the last checkpoint)",
                kill.path("operations").asText(), kill.path("ms").asText(), "-", f2(kill.path("startSeconds")), "-",
                kill.path("rowsMatch").asText());
        row("H2 TCP server executing the same statements (peer)", g.path("plannedOperations").asText(),
                String.format(Locale.ROOT, "%.0f", h2.path("seconds").asDouble() * 1000), "-", f2(h2.path("seconds")),
                "1.00", h2.path("rowsMatch").asText());
        line("");
    }

    private void s3(JsonNode r) {
        JsonNode g = r.path("s3");
        if (g.isMissingNode()) {
            return;
        }
        line("### Backups to an S3 bucket (s3proxy, same disk) vs a local folder");
        line("");
        line(String.format(Locale.ROOT, "The packaged server at -Xmx%s, the %s data set (%s backed up), archive.verify"
                + " false; the bucket: %s. Idle RSS %s.", g.path("serverHeap").asText(), g.path("payload").asText(),
                Bench.mib(g.path("bytes").asLong()), g.path("s3server").path("what").asText(),
                kib(g.path("serverRssIdleKiB"))));
        line("");
        table(List.of("compression", "destination", "seconds", "MB/s", "x local", "upload s", "upload MB/s",
                "max RSS", "max RSS uploading"));
        for (String c : S3Bench.COMPRESSIONS) {
            JsonNode x = g.path(c);
            if (x.isMissingNode()) {
                continue;
            }
            JsonNode l = x.path("local");
            JsonNode b = x.path("bucket");
            row(c, "local folder", f2(l.path("medianSeconds")), f0(l.path("mbPerSecond")), "1.00", "-", "-",
                    kib(l.path("serverMaxRssKiB")), "-");
            row(c, "bucket", f2(b.path("medianSeconds")), f0(b.path("mbPerSecond")), f2(x.path("ratioBucketToLocal")),
                    f2(b.path("uploadMedianSeconds")), f0(b.path("uploadMbPerSecond")), kib(b.path("serverMaxRssKiB")),
                    kib(b.path("serverMaxRssWhileUploadingKiB")));
        }
        line("");
    }

    private void goals(JsonNode r) {
        line("### Goals of BENCHMARKS.md");
        line("");
        table(List.of("goal", "target", "measured", "verdict"));
        for (JsonNode g : r.path("goals")) {
            row(g.path("goal").asText(), g.path("target").asText(), g.path("measured").asText(),
                    g.path("verdict").asText());
        }
        line("");
    }

    private void table(List<String> head) {
        line("| " + String.join(" | ", head) + " |");
        StringBuilder s = new StringBuilder("|");
        for (int i = 0; i < head.size(); i++) {
            s.append("---|");
        }
        line(s.toString());
    }

    private void row(String... cells) {
        line("| " + String.join(" | ", cells) + " |");
    }

    private void line(String s) {
        sb.append(s).append('\n');
    }

    private static String lat(JsonNode n) {
        JsonNode l = n.path("latency");
        if (l.isMissingNode()) {
            return "-";
        }
        return f0(l.path("p50Micros")) + " / " + f0(l.path("p99Micros"));
    }

    private static String kib(JsonNode n) {
        return n.isMissingNode() || n.asLong() <= 0 ? "-" : (n.asLong() / 1024) + " MiB";
    }

    private static String ms(JsonNode micros) {
        if (micros.isMissingNode()) {
            return "-";
        }
        double ms = micros.asDouble() / 1000;
        return String.format(Locale.ROOT, ms < 1 ? "%.3f ms" : "%.2f ms", ms);
    }

    private static String f0(JsonNode n) {
        return n.isMissingNode() ? "-" : String.format(Locale.ROOT, "%.0f", n.asDouble());
    }

    private static String f1(JsonNode n) {
        return n.isMissingNode() ? "-" : f1(n.asDouble());
    }

    private static String f1(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String f2(JsonNode n) {
        return n.isMissingNode() ? "-" : f2(n.asDouble());
    }

    private static String f2(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String ratio(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "-" : String.format(Locale.ROOT, "%.2f", v);
    }
}
