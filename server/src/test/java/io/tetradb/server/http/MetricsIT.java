package io.tetradb.server.http;

import io.tetradb.client.BackupWaitNotice;
import io.tetradb.client.ErrorCode;
import io.tetradb.client.Result;
import io.tetradb.client.TetraClient;
import io.tetradb.client.TetraException;
import io.tetradb.client.TetraFuture;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The metrics that events move (docs/http.md), read as Prometheus reads them: a real server,
 * {@code GET /metrics} from loopback with the JDK's HTTP client, the text parsed line by line.
 * A backup counts its status, bytes, duration and the time it held the gate; a stop counts as
 * stopped with its code; a queued write shows its age and, cancelled, counts as cancelled;
 * requests are timed by kind; a commit moves the log's operations, bytes and syncs.
 */
@Timeout(180)
class MetricsIT {
    private static final Pattern SAMPLE = Pattern.compile(
            "^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})? (-?[0-9.eE+-]+|NaN|[+-]Inf)$");

    @TempDir
    Path dir;
    TetraServer server;
    TetraClient admin;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    io.tetradb.server.GateHold hold;

    @BeforeEach
    void start() throws Exception {
        server = TestServers.start(dir.resolve("db"));
        admin = TestServers.admin(server);
        TestServers.tableT(admin, 50);
    }

    @AfterEach
    void stop() {
        if (hold != null) {
            hold.release();
        }
        admin.close();
        server.close();
    }

    /** Every sample of a scrape, keyed by name and labels as the text writes them; every line parses. */
    static Map<String, Double> scrape(HttpClient http, int port) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue(HttpHandler.PROMETHEUS_TEXT);
        Map<String, Double> out = new HashMap<>();
        for (String line : r.body().split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertThat(m.matches()).as("a Prometheus sample line: %s", line).isTrue();
            out.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(3)
                    .replace("+Inf", "Infinity").replace("-Inf", "-Infinity")));
        }
        return out;
    }

    private Map<String, Double> metrics() throws Exception {
        return scrape(http, server.httpPort());
    }

    /** A sample's value; 0 when the scrape does not have it (a labelled counter never moved). */
    private static double v(Map<String, Double> m, String key) {
        return m.getOrDefault(key, 0.0);
    }

    private void holdBackupAtGate() {
        hold = io.tetradb.server.GateHold.on(server);
    }

    private void awaitIdle() {
        await().atMost(120, TimeUnit.SECONDS).until(() -> admin.admin().backupStatus().getState().equals("IDLE"));
    }

    @Test
    void aBackupCountsItsStatusBytesDurationAndTheTimeItHeldTheGate() throws Exception {
        Map<String, Double> before = metrics();
        for (String status : ServerMeters.STATUSES) {
            String key = "tetra_backups_total{status=\"" + status.toLowerCase(java.util.Locale.ROOT) + "\"}";
            assertThat(before).as(key).containsEntry(key, 0.0);
        }
        assertThat(before).containsEntry("tetra_backup_bytes_total", 0.0)
                .containsEntry("tetra_backup_duration_seconds_count", 0.0)
                .containsEntry("tetra_gate_held_seconds_count", 0.0);
        double segment = before.get("tetra_log_current_segment");

        admin.admin().startBackup();
        awaitIdle();
        Map<String, Double> after = metrics();
        assertThat(after).containsEntry("tetra_backups_total{status=\"success\"}", 1.0)
                .containsEntry("tetra_backups_total{status=\"failed\"}", 0.0)
                .containsEntry("tetra_backup_duration_seconds_count", 1.0)
                .containsEntry("tetra_backup_duration_seconds_bucket{le=\"+Inf\"}", 1.0)
                .containsEntry("tetra_gate_held_seconds_count", 1.0)
                .containsEntry("tetra_gate_held_seconds_bucket{le=\"+Inf\"}", 1.0);
        io.tetradb.protocol.BackupRecord last = admin.admin().backupStatus().getLast();
        assertThat(after.get("tetra_backup_bytes_total")).isEqualTo(last.getArchiveSize()).isPositive();
        assertThat(before).containsEntry("tetra_backup_last_success_timestamp_seconds", 0.0);
        assertThat(after).containsEntry("tetra_backup_last_success_timestamp_seconds", last.getEndMillis() / 1000.0);
        assertThat(after.get("tetra_gate_held_seconds_sum")).isPositive();
        // The data backup closed the segment at gate close and archived it.
        assertThat(after.get("tetra_log_current_segment")).isEqualTo(segment + 1);
        assertThat(after).containsEntry("tetra_log_closed_segments", 0.0);
    }

    @Test
    void aStoppedBackupCountsAsStoppedWithCode1406() throws Exception {
        holdBackupAtGate();
        admin.admin().startBackup();
        hold.awaitClosed();
        try (TetraClient stopper = TestServers.admin(server)) {
            stopper.admin().stopBackup();
        }
        hold.release();
        awaitIdle();
        Map<String, Double> m = metrics();
        assertThat(m).containsEntry("tetra_backups_total{status=\"stopped\"}", 1.0)
                .containsEntry("tetra_backups_total{status=\"success\"}", 0.0)
                .containsEntry("tetra_backup_failures_total{code=\"1406\"}", 1.0)
                .containsEntry("tetra_backup_bytes_total", 0.0)
                .containsEntry("tetra_gate_held_seconds_count", 1.0);
    }

    /**
     * docs/http.md documents each metric one by one: every {@code tetra_} family a server exports
     * (after a backup and a stopped one, so that the labelled failure counter has a series) has
     * its row in the table, and every row names a family the server exports. A histogram's
     * {@code _bucket}, {@code _count}, {@code _sum} and {@code _max} series are its one row.
     */
    @Test
    void everyExportedTetraMetricHasItsRowInDocsHttpAndEveryRowIsExported() throws Exception {
        admin.admin().startBackup();
        awaitIdle();
        holdBackupAtGate();
        admin.admin().startBackup();
        hold.awaitClosed();
        try (TetraClient stopper = TestServers.admin(server)) {
            stopper.admin().stopBackup();
        }
        hold.release();
        awaitIdle();
        Map<String, Double> m = metrics();
        assertThat(m).containsKey("tetra_backup_failures_total{code=\"1406\"}");
        java.util.Set<String> names = new java.util.TreeSet<>();
        for (String k : m.keySet()) {
            names.add(k.replaceFirst("\\{.*", ""));
        }
        java.util.Set<String> exported = new java.util.TreeSet<>();
        for (String n : names) {
            if (!n.startsWith("tetra_")) {
                continue;
            }
            String family = n.replaceFirst("_(bucket|count|sum|max)$", "");
            // only a histogram's parts are folded into their family (it has a _bucket series)
            exported.add(!family.equals(n) && names.contains(family + "_bucket") ? family : n);
        }
        java.util.Set<String> documented = new java.util.TreeSet<>();
        Matcher row = Pattern.compile("(?m)^\\| `(tetra_[a-z0-9_]+)` \\|").matcher(
                java.nio.file.Files.readString(PrometheusFilesIT.docs().resolve("http.md")));
        while (row.find()) {
            documented.add(row.group(1));
        }
        assertThat(exported).as("tetra_ metrics the server exports").hasSizeGreaterThan(20);
        assertThat(documented).as("metrics documented in docs/http.md").containsExactlyInAnyOrderElementsOf(exported);
    }

    @Test
    void theLastSuccessTimeComesFromTheHistoryAfterARestartWhenTheLastBackupFailed() throws Exception {
        admin.admin().startBackup();
        awaitIdle();
        long success = admin.admin().backupStatus().getLast().getEndMillis();
        holdBackupAtGate();
        admin.admin().startBackup();
        hold.awaitClosed();
        admin.admin().stopBackup();
        hold.release();
        awaitIdle();
        assertThat(admin.admin().backupStatus().getLast().getStatus()).isEqualTo("STOPPED");
        assertThat(metrics()).containsEntry("tetra_backup_last_success_timestamp_seconds", success / 1000.0)
                .containsEntry("tetra_backup_last_success", 0.0);

        admin.close();
        server.close();
        server = TestServers.start(dir.resolve("db"));
        admin = TestServers.admin(server);
        // The history's end of backup 1 is written just before its record's end.
        assertThat(metrics().get("tetra_backup_last_success_timestamp_seconds"))
                .isBetween(success / 1000.0 - 60, success / 1000.0);
        assertThat(metrics()).containsEntry("tetra_backups_total{status=\"stopped\"}", 0.0);
    }

    @Test
    void aQueuedWriteShowsItsAgeAndCountsAsCancelledWhenCancelled() throws Exception {
        holdBackupAtGate();
        try (TetraClient writer = TestServers.admin(server)) {
            BlockingQueue<BackupWaitNotice> notices = new LinkedBlockingQueue<>();
            writer.onBackupWait(notices::add);
            Map<String, Double> before = metrics();
            assertThat(before).containsEntry("tetra_gate_writes_queued_total", 0.0)
                    .containsEntry("tetra_gate_writes_cancelled_total", 0.0)
                    .containsEntry("tetra_gate_oldest_queued_write_seconds", 0.0);
            admin.admin().startBackup();
            hold.awaitClosed();
            TetraFuture<Result> insert = writer.executeAsync("INSERT INTO T VALUES (5000, 'queued')");
            BackupWaitNotice notice = notices.poll(60, TimeUnit.SECONDS);
            assertThat(notice).isNotNull();
            Map<String, Double> queued = metrics();
            assertThat(queued).containsEntry("tetra_gate_queued_writes", 1.0)
                    .containsEntry("tetra_gate_writes_queued_total", 1.0)
                    .containsEntry("tetra_backup_running", 1.0);
            // The age of the oldest queued write grows while it waits.
            double age = queued.get("tetra_gate_oldest_queued_write_seconds");
            assertThat(age).isPositive();
            await().atMost(60, TimeUnit.SECONDS).until(() -> metrics().get("tetra_gate_oldest_queued_write_seconds") > age);

            notice.cancel();
            assertThatThrownBy(insert::join).isInstanceOf(CompletionException.class).cause()
                    .isInstanceOfSatisfying(TetraException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.BACKUP_IN_PROGRESS));
            Map<String, Double> cancelled = metrics();
            assertThat(cancelled).containsEntry("tetra_gate_writes_cancelled_total", 1.0)
                    .containsEntry("tetra_gate_queued_writes", 0.0)
                    .containsEntry("tetra_gate_oldest_queued_write_seconds", 0.0);
            hold.release();
            awaitIdle();
        }
        assertThat(metrics()).containsEntry("tetra_backups_total{status=\"success\"}", 1.0)
                .containsEntry("tetra_gate_writes_cancelled_total", 1.0);
    }

    @Test
    void requestsAreTimedByKind() throws Exception {
        Map<String, Double> before = metrics();
        for (String kind : new String[] {"read", "data_write", "structure_write", "transaction", "admin", "other"}) {
            assertThat(before).containsKey("tetra_requests_seconds_count{kind=\"" + kind + "\"}");
        }
        for (int i = 0; i < 5; i++) {
            admin.query("SELECT V FROM T WHERE ID = ?", i);
        }
        admin.update("UPDATE T SET V = 'x' WHERE ID = 1");
        admin.execute("CREATE TABLE U(ID INT)");
        admin.begin();
        admin.update("INSERT INTO U VALUES (1)");
        admin.commit();
        admin.admin().backupStatus();
        Map<String, Double> after = metrics();
        assertThat(v(after, "tetra_requests_seconds_count{kind=\"read\"}") - v(before,
                "tetra_requests_seconds_count{kind=\"read\"}")).isGreaterThanOrEqualTo(5);
        assertThat(v(after, "tetra_requests_seconds_count{kind=\"data_write\"}") - v(before,
                "tetra_requests_seconds_count{kind=\"data_write\"}")).isGreaterThanOrEqualTo(2);
        assertThat(v(after, "tetra_requests_seconds_count{kind=\"structure_write\"}") - v(before,
                "tetra_requests_seconds_count{kind=\"structure_write\"}")).isGreaterThanOrEqualTo(1);
        assertThat(v(after, "tetra_requests_seconds_count{kind=\"transaction\"}") - v(before,
                "tetra_requests_seconds_count{kind=\"transaction\"}")).isGreaterThanOrEqualTo(2);
        assertThat(v(after, "tetra_requests_seconds_count{kind=\"admin\"}") - v(before,
                "tetra_requests_seconds_count{kind=\"admin\"}")).isGreaterThanOrEqualTo(1);
        assertThat(after.get("tetra_requests_seconds_sum{kind=\"read\"}")).isPositive();
        // A histogram with a bounded set of buckets: the last holds every request counted.
        assertThat(after.get("tetra_requests_seconds_bucket{kind=\"read\",le=\"+Inf\"}"))
                .isEqualTo(after.get("tetra_requests_seconds_count{kind=\"read\"}"));
        assertThat(after.keySet().stream().filter(k -> k.startsWith("tetra_requests_seconds_bucket{kind=\"read\"")))
                .hasSize(16);
    }

    @Test
    void aCommittedInsertMovesTheLogsOperationsBytesAndSyncs() throws Exception {
        Map<String, Double> before = metrics();
        assertThat(before.get("tetra_log_operations_total")).isPositive();
        admin.update("INSERT INTO T VALUES (9000, 'logged')");
        Map<String, Double> after = metrics();
        assertThat(after.get("tetra_log_operations_total")).isEqualTo(before.get("tetra_log_operations_total") + 1);
        assertThat(after.get("tetra_log_bytes_total")).isGreaterThan(before.get("tetra_log_bytes_total"));
        assertThat(after.get("tetra_log_sync_seconds_count")).isGreaterThan(before.get("tetra_log_sync_seconds_count"));
        assertThat(after.get("tetra_log_sync_seconds_bucket{le=\"+Inf\"}"))
                .isEqualTo(after.get("tetra_log_sync_seconds_count"));
        assertThat(after.get("tetra_log_last_operation")).isEqualTo(before.get("tetra_log_last_operation") + 1);
    }
}
