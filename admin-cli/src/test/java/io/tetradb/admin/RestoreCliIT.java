package io.tetradb.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tetradb.client.ClientConfig;
import io.tetradb.client.Row;
import io.tetradb.client.TetraClient;
import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraException;
import io.tetradb.server.TetraServer;
import io.tetradb.server.config.ServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@code tetra-admin backup verify} and {@code tetra-admin restore} run in-process against a
 * real server on port 0, as text and as JSON; and a restored folder opened by the packaged
 * server ({@code server/target/tetra-server.jar}, what {@code bin/tetra-server} runs) as a
 * separate process.
 */
@Timeout(300)
class RestoreCliIT {
    private static final String ADMIN_PASSWORD = "admin-secret-1";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String QUERY = "SELECT ID, V FROM T ORDER BY ID";
    private static final Pattern LISTENING =
            Pattern.compile("^Tetra \\S+ is listening on 127\\.0\\.0\\.1:(\\d+) \\(database ");

    @TempDir
    Path temp;
    private TetraServer server;
    private TetraClient client;
    private List<List<Object>> atBackup;
    /** The rows after the write that follows the backup: what a restore brought forward by the log holds. */
    private List<List<Object>> afterBackup;

    @BeforeEach
    void startServerWithABackup() throws IOException {
        server = TetraServer.start(ServerConfig.builder().dataDir(temp.resolve("db")).host("127.0.0.1").port(0)
                .adminPassword(ADMIN_PASSWORD).build());
        client = connect(server.boundPort());
        client.execute("CREATE TABLE T(ID INT PRIMARY KEY, V VARCHAR(50))");
        for (int i = 1; i <= 20; i++) {
            client.update("INSERT INTO T VALUES (?, ?)", i, "row " + i);
        }
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    /** Backup 1 of the 20 rows (with {@code yaml} as backup.yml first when not null), then one more row. */
    private void backup(String yaml) throws IOException {
        if (yaml != null) {
            Files.writeString(server.layout().settingsDir().resolve("backup.yml"), yaml);
        }
        client.admin().startBackup();
        await().atMost(120, TimeUnit.SECONDS).until(() -> client.admin().backupStatus().getState().equals("IDLE"));
        assertThat(client.admin().backupStatus().getLast().getStatus()).isEqualTo("SUCCESS");
        atBackup = rows(client, QUERY);
        client.update("INSERT INTO T VALUES (100, 'after the backup')");
        afterBackup = rows(client, QUERY);
    }

    // ------------------------------------------------------------------ backup verify

    @Test
    void verifyAsTextAndJson() throws IOException {
        backup(null);
        Run text = admin("backup", "verify", "1");
        assertThat(text.exit).as(text.err).isZero();
        assertThat(text.err).isEmpty();
        assertThat(text.out).startsWith("Backup 1 verified: ")
                .contains("entries match their checksums; the database opens and reads back (1 tables, 20 rows).")
                .contains("Archive: " + temp.resolve("db-backups").resolve("db-0001.tar.zst"));

        Run json = admin("backup", "verify", "db-0001.tar.zst", "--json");
        assertThat(json.exit).as(json.err).isZero();
        JsonNode n = json.json();
        assertThat(n.get("number").asLong()).isEqualTo(1);
        assertThat(n.get("archive").asText()).endsWith("db-0001.tar.zst");
        assertThat(n.get("entries").asInt()).isGreaterThanOrEqualTo(3);
        assertThat(n.get("tables").asInt()).isEqualTo(1);
        assertThat(n.get("rows").asLong()).isEqualTo(20);
        assertThat(n.get("verified").asBoolean()).isTrue();
        assertThat(n.get("logChecked").asBoolean()).isTrue();
        assertThat(n.get("logSegments")).extracting(JsonNode::asText).containsExactly("db.journal");
        assertThat(text.out).contains("Log: unbroken from the archive to operation "
                + n.get("logLastOperation").asLong() + " (db.journal, every checksum matches).");
    }

    @Test
    void verifyOfACorruptedArchiveExits1With1411NamingTheEntry() throws IOException {
        backup("archive:\n  compression: none\n");
        corruptEntry(temp.resolve("db-backups").resolve("db-0001.tar"), "Data/db.mv.db");
        Run r = admin("backup", "verify", "1");
        assertThat(r.exit).isEqualTo(1);
        assertThat(r.out).isEmpty();
        assertThat(r.err).startsWith("tetra-admin: error 1411: ").contains("Data/db.mv.db");

        Run missing = admin("--json", "backup", "verify", "7");
        assertThat(missing.exit).isEqualTo(1);
        assertThat(missing.err).startsWith("tetra-admin: error 2010: ").contains("Backup 7 not found");
    }

    // ------------------------------------------------------------------ restore

    @Test
    void restoreToAFolderAsTextAndJson() throws IOException {
        backup(null);
        Path copy = temp.resolve("copies").resolve("db");
        Run text = admin("restore", "1", "--to", copy.toString());
        assertThat(text.exit).as(text.err).isZero();
        List<String> lines = text.out.lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).isEqualTo("Backup 1 restored into " + copy + ".");
        assertThat(lines.get(1)).matches("Log: 1 transaction\\(s\\), 1 operation\\(s\\) integrated from db\\.journal "
                + "in \\d+ ms; the database holds operations up to \\d+\\.");
        assertThat(lines.get(2)).isEqualTo("Open it with: tetra-server --data-dir " + copy);
        assertServes(copy, "db");

        Path other = temp.resolve("copies").resolve("shop");
        Run json = admin("restore", "db-0001.tar.zst", "--to", other.toString(), "--json");
        assertThat(json.exit).as(json.err).isZero();
        JsonNode n = json.json();
        assertThat(n.get("number").asLong()).isEqualTo(1);
        assertThat(n.get("archive").asText()).endsWith("db-0001.tar.zst");
        assertThat(Path.of(n.get("databaseDir").asText())).isEqualTo(other);
        assertThat(n.get("inPlace").asBoolean()).isFalse();
        assertThat(n.get("replacedFilesDir").isNull()).isTrue();
        assertThat(n.get("logIntegrated").asBoolean()).isTrue();
        assertThat(n.get("logSegments")).extracting(JsonNode::asText).containsExactly("db.journal");
        assertThat(n.get("stoppedAtPoint").asBoolean()).isFalse();
        assertThat(other.resolve("Data").resolve("shop.mv.db")).isRegularFile();
        assertServes(other, "shop");

        Run again = admin("restore", "1", "--to", copy.toString());
        assertThat(again.exit).isEqualTo(1);
        assertThat(again.err).startsWith("tetra-admin: error 2010: ").contains("not empty");
    }

    @Test
    void backupWindowAsTextAndJson() throws IOException {
        backup(null);
        Run text = admin("backup", "window");
        assertThat(text.exit).as(text.err).isZero();
        assertThat(text.out).contains("NUMBER").contains("db-0001.tar.zst").contains("the last commit")
                .contains("No gap in the log after the oldest archive.");
        Run json = admin("backup", "window", "--json");
        assertThat(json.exit).as(json.err).isZero();
        JsonNode n = json.json();
        assertThat(n.get("archives")).hasSize(1);
        JsonNode a = n.get("archives").get(0);
        assertThat(a.get("number").asLong()).isEqualTo(1);
        assertThat(a.get("logPosition").asBoolean()).isTrue();
        assertThat(a.get("toOperation").asLong()).isEqualTo(n.get("logLastOperation").asLong())
                .isEqualTo(a.get("fromOperation").asLong() + 1);
        assertThat(a.get("toCurrent").asBoolean()).isTrue();
        assertThat(n.get("gaps")).isEmpty();
    }

    @Test
    void theLogOptionsGoWithToAndWithEachOtherAsTheySay() throws IOException {
        backup(null);
        Run alone = admin("restore", "1", "--to", temp.resolve("alone").toString(), "--no-log", "--json");
        assertThat(alone.exit).as(alone.err).isZero();
        assertThat(alone.json().get("logIntegrated").asBoolean()).isFalse();
        assertThat(alone.json().get("logSegments")).isEmpty();
        long held = alone.json().get("lastOperation").asLong();
        Run point = admin("restore", "1", "--to", temp.resolve("point").toString(), "--until-op",
                Long.toString(held + 1000), "--json");
        assertThat(point.exit).as(point.err).isZero();
        assertThat(point.json().get("logIntegrated").asBoolean()).isTrue();
        assertThat(point.json().get("lastOperation").asLong()).as("the write after the backup").isEqualTo(held + 1);
        // Points before the archive: it holds more already.
        Run early = admin("restore", "1", "--to", temp.resolve("early").toString(), "--until-op", "1");
        assertThat(early.exit).isEqualTo(1);
        assertThat(early.err).startsWith("tetra-admin: error 2010: ").contains("restore an earlier archive");
        Run time = admin("restore", "1", "--to", temp.resolve("time").toString(), "--until-time", "2000-01-01");
        assertThat(time.exit).isEqualTo(1);
        assertThat(time.err).startsWith("tetra-admin: error 2010: ").contains("restore an earlier archive");

        Run at = admin("restore", "--at", "2999-01-01", "--to", temp.resolve("at").toString(), "--json");
        assertThat(at.exit).as(at.err).isZero();
        assertThat(at.json().get("number").asLong()).isEqualTo(1);
        assertThat(at.json().get("at").asText()).isEqualTo("2999-01-01");
        for (String[] bad : new String[][]{
                {"restore", "--to", temp.resolve("w").toString()},
                {"restore", "1", "--at", "2999-01-01", "--to", temp.resolve("v").toString()},
                {"restore", "--at", "2999-01-01", "--to", temp.resolve("u").toString(), "--no-log"},
                {"restore", "--at", "2999-01-01", "--in-place", "--until-op", "5"},
                {"restore", "1", "--in-place", "--no-log", "--until-op", "5"},
                {"restore", "1", "--to", temp.resolve("x").toString(), "--no-log", "--until-op", "5"},
                {"restore", "1", "--to", temp.resolve("y").toString(), "--until-op", "0"},
                {"restore", "1", "--to", temp.resolve("z").toString(), "--until-time", "soon"}}) {
            Run r = admin(bad);
            assertThat(r.exit).as(String.join(" ", bad) + ": " + r.err).isEqualTo(2);
        }
        assertThat(temp.resolve("x")).doesNotExist();
    }

    @Test
    void restoreNeedsExactlyOneOfToAndInPlace() throws IOException {
        Run neither = admin("restore", "1");
        assertThat(neither.exit).isEqualTo(2);
        assertThat(neither.err).contains("--to").contains("--in-place");
        Run both = admin("restore", "1", "--to", temp.resolve("x").toString(), "--in-place");
        assertThat(both.exit).isEqualTo(2);
        assertThat(both.err).contains("mutually exclusive");
        assertThat(temp.resolve("x")).doesNotExist();
    }

    @Test
    void restoreInPlaceDisconnectsOtherClientsAndReopensWithTheBackupsData() throws IOException {
        backup(null);
        try (TetraClient other = connect(server.boundPort())) {
            Run r = admin("restore", "1", "--in-place", "--json");
            assertThat(r.exit).as(r.err).isZero();
            JsonNode n = r.json();
            assertThat(n.get("number").asLong()).isEqualTo(1);
            assertThat(n.get("inPlace").asBoolean()).isTrue();
            assertThat(Path.of(n.get("databaseDir").asText())).isEqualTo(server.layout().root());
            Path replaced = Path.of(n.get("replacedFilesDir").asText());
            assertThat(replaced.getParent().getFileName().toString()).isEqualTo("Replaced Files (restore)");
            assertThat(replaced.resolve("Data").resolve("db.mv.db")).isRegularFile();

            await().atMost(30, TimeUnit.SECONDS).until(() -> !other.isOpen());
            assertThatThrownBy(() -> other.execute("SELECT 1")).isInstanceOfSatisfying(TetraException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.SESSION_CLOSED);
                assertThat(e.getMessage()).isEqualTo("The database was restored in place: this connection was "
                        + "closed; connect again.");
            });
        }
        client.close();
        client = connect(server.boundPort());
        // Brought forward with the log: the write after the backup is there.
        assertThat(rows(client, QUERY)).isEqualTo(afterBackup);

        Run text = admin("restore", "1", "--in-place", "--no-log");
        assertThat(text.exit).as(text.err).isZero();
        assertThat(text.out).startsWith("Backup 1 restored in place; the database is open again."
                + System.lineSeparator() + "Previous files: "
                + server.layout().root().resolve("Replaced Files (restore)"))
                .contains("Without the log: the state when the backup closed its gate")
                .containsPattern("Cancelled: operations \\d+ to \\d+ \\(a new timeline");
        client.close();
        client = connect(server.boundPort());
        assertThat(rows(client, QUERY)).isEqualTo(atBackup);
    }

    @Test
    void rollbackDryRunListsTheOperationsThenTheRollbackCancelsThem() throws IOException {
        backup(null);
        long point = server.logs().log().lastOperation();
        client.update("DELETE FROM T WHERE ID <= 3");
        long last = server.logs().log().lastOperation();

        Run dry = admin("rollback", "--to-op", Long.toString(point), "--dry-run");
        assertThat(dry.exit).as(dry.err).isZero();
        assertThat(dry.out).startsWith("Dry run: nothing changed. A rollback would restore backup 1 in place, keep "
                + "the operations up to " + point + " and cancel 3 operation(s) in 1 transaction(s):")
                .contains(point + 1 + "  ").contains("DELETE");
        Run json = admin("rollback", "--to-op", Long.toString(point), "--dry-run", "--json");
        assertThat(json.exit).as(json.err).isZero();
        JsonNode n = json.json();
        assertThat(n.get("dryRun").asBoolean()).isTrue();
        assertThat(n.get("operationsCancelled").asLong()).isEqualTo(last - point);
        assertThat(n.get("operations")).hasSize(3);
        assertThat(n.get("operations").get(0).get("operation").asLong()).isEqualTo(point + 1);
        assertThat(rows(client, QUERY)).hasSize(18);

        Run real = admin("rollback", "--to-op", Long.toString(point));
        assertThat(real.exit).as(real.err).isZero();
        assertThat(real.out).contains("Rolled back: the database holds the operations up to " + point + "; 3 "
                + "operation(s) cancelled.").contains("Replaced Files (rollback)");
        client.close();
        client = connect(server.boundPort());
        assertThat(rows(client, QUERY)).isEqualTo(afterBackup);

        Run window = admin("backup", "window");
        assertThat(window.exit).as(window.err).isZero();
        assertThat(window.out).contains("Cancelled: operations " + (point + 1) + " to " + last);
        for (String[] bad : new String[][]{{"rollback"}, {"rollback", "--to-op", "1", "--to-time", "2026-01-01"},
                {"rollback", "--to-op", "0"}, {"rollback", "--to-time", "later"},
                {"rollback", "--to-op", "1", "--dry-run", "--limit", "0"}}) {
            Run r = admin(bad);
            assertThat(r.exit).as(String.join(" ", bad) + ": " + r.err).isEqualTo(2);
        }
        Run early = admin("rollback", "--to-time", "2000-01-01", "--dry-run");
        assertThat(early.exit).isEqualTo(1);
        assertThat(early.err).startsWith("tetra-admin: error 2010: ").contains("No archive");
    }

    @Test
    void theRestoredFolderOpensWithThePackagedServer() throws Exception {
        Path serverJar = Path.of("").toAbsolutePath().getParent().resolve("server/target/tetra-server.jar");
        assertThat(serverJar).as("the packaged server (mvn package -pl server)").isRegularFile();
        backup(null);
        Path copy = temp.resolve("restored").resolve("packaged");
        Run r = admin("restore", "1", "--to", copy.toString());
        assertThat(r.exit).as(r.err).isZero();

        Path err = temp.resolve("server.err");
        Path empty = Files.createFile(temp.resolve("empty.txt"));
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-jar", serverJar.toString(), "--data-dir", copy.toString(), "--port", "0",
                "--host", "127.0.0.1");
        pb.environment().remove("TETRA_ADMIN_PASSWORD");
        pb.redirectError(err.toFile());
        pb.redirectInput(ProcessBuilder.Redirect.from(empty.toFile()));
        Process p = pb.start();
        try {
            CompletableFuture<Integer> port = new CompletableFuture<>();
            List<String> lines = new ArrayList<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        lines.add(line);
                        Matcher m = LISTENING.matcher(line);
                        if (m.find()) {
                            port.complete(Integer.parseInt(m.group(1)));
                        }
                    }
                } catch (IOException ignored) {
                    // the process ended
                }
                port.completeExceptionally(new AssertionError("The server ended without listening: " + lines));
            }, "restore-it-server-stdout");
            reader.setDaemon(true);
            reader.start();
            // The backup's users came with it: the same admin password logs in, no new one is generated.
            try (TetraClient c = connect(port.get(120, TimeUnit.SECONDS))) {
                assertThat(c.databaseName()).isEqualTo("packaged");
                assertThat(rows(c, QUERY)).as("brought forward by the log").isEqualTo(afterBackup);
            }
            assertThat(lines).noneMatch(l -> l.contains("generated password"));
        } finally {
            p.destroy();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    private void assertServes(Path dataDir, String name) throws IOException {
        try (TetraServer copy = TetraServer.start(ServerConfig.builder().dataDir(dataDir).host("127.0.0.1").port(0)
                .adminPassword("unused-password").build());
             TetraClient c = connect(copy.boundPort())) {
            assertThat(c.databaseName()).isEqualTo(name);
            assertThat(rows(c, QUERY)).as("brought forward by the log").isEqualTo(afterBackup);
        }
    }

    private static List<List<Object>> rows(TetraClient c, String sql) {
        List<List<Object>> out = new ArrayList<>();
        for (Row r : c.execute(sql).rows()) {
            out.add(Arrays.asList(r.values()));
        }
        return out;
    }

    /** Flips 64 bytes in the middle of entry {@code entry} of the uncompressed tar {@code tar}. */
    private static void corruptEntry(Path tar, String entry) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(tar.toFile(), "rw")) {
            byte[] header = new byte[512];
            for (long off = 0; off + 512 <= f.length(); ) {
                f.seek(off);
                f.readFully(header);
                String name = new String(header, 0, 100, StandardCharsets.US_ASCII).replaceAll("\u0000.*", "");
                long size = Long.parseLong(new String(header, 124, 11, StandardCharsets.US_ASCII).trim(), 8);
                if (name.equals(entry)) {
                    byte[] b = new byte[64];
                    f.seek(off + 512 + size / 2);
                    f.readFully(b);
                    for (int i = 0; i < b.length; i++) {
                        b[i] = (byte) ~b[i];
                    }
                    f.seek(off + 512 + size / 2);
                    f.write(b);
                    return;
                }
                off += 512 + (size + 511) / 512 * 512;
            }
        }
        throw new AssertionError("entry " + entry + " not found in " + tar);
    }

    private record Run(int exit, String out, String err) {
        JsonNode json() throws IOException {
            assertThat(out).as("stdout (stderr: %s)", err).isNotBlank();
            return JSON.readTree(out);
        }
    }

    private Run admin(String... args) {
        InProcessCli.Result r = InProcessCli.run(server.boundPort(), ADMIN_PASSWORD, InterruptSource.none(), args);
        return new Run(r.exit(), r.out(), r.err());
    }

    private static TetraClient connect(int port) {
        return TetraClient.connect(ClientConfig.builder().host("127.0.0.1").port(port).user("admin")
                .password(ADMIN_PASSWORD).clientName("restore-it").connectTimeout(Duration.ofSeconds(20)).build());
    }
}
