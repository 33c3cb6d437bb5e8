package io.tetradb.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tetradb.client.ClientConfig;
import io.tetradb.client.TetraClient;
import io.tetradb.protocol.Role;
import io.tetradb.server.TetraServer;
import io.tetradb.server.config.ServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code tetra-admin restore --in-place [--restore-settings]}, {@code rollback
 * [--restore-settings]}, {@code replaced list | remove NAME | remove --all} and the status's
 * line about the Replaced Files folders, in-process against a real server on port 0, as text
 * and as JSON.
 */
@Timeout(300)
class ReplacedFilesCliIT {
    private static final String ADMIN_PASSWORD = "admin-secret-1";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;
    private TetraServer server;
    private TetraClient client;
    private Path yml;

    @BeforeEach
    void startServerWithABackup() throws IOException {
        server = TetraServer.start(ServerConfig.builder().dataDir(temp.resolve("db")).host("127.0.0.1").port(0)
                .adminPassword(ADMIN_PASSWORD).build());
        client = TetraClient.connect(ClientConfig.builder().host("127.0.0.1").port(server.boundPort()).user("admin")
                .password(ADMIN_PASSWORD).build());
        client.execute("CREATE TABLE T(ID INT PRIMARY KEY, V VARCHAR(50))");
        for (int i = 1; i <= 20; i++) {
            client.update("INSERT INTO T VALUES (?, ?)", i, "row " + i);
        }
        client.admin().addUser("bob", Role.USER, "bob-secret-1".toCharArray());
        client.admin().setBackupSettings("retention.keepLast=4");
        client.admin().startBackup();
        await().atMost(120, TimeUnit.SECONDS).until(() -> client.admin().backupStatus().getState().equals("IDLE"));
        assertThat(client.admin().backupStatus().getLast().getStatus()).isEqualTo("SUCCESS");
        client.admin().setBackupSettings("retention.keepLast=8");
        yml = server.layout().settingsDir().resolve("backup.yml");
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    @Test
    void restoreKeepsTheCurrentSettingsUnlessAskedAndSaysWhichItDid() throws IOException {
        String current = Files.readString(yml);
        Run kept = admin("restore", "1", "--in-place", "--no-log");
        assertThat(kept.exit).as(kept.err).isZero();
        assertThat(kept.out).contains("restored in place")
                .contains("Settings: kept: the current Settings/ (--restore-settings takes the archive's).");
        assertThat(yml).content().isEqualTo(current);

        Run restored = admin("restore", "1", "--in-place", "--no-log", "--restore-settings", "--json");
        assertThat(restored.exit).as(restored.err).isZero();
        assertThat(restored.json().get("settingsRestored").asBoolean()).isTrue();
        assertThat(yml).content().contains("keepLast: 4").isNotEqualTo(current);

        Run text = admin("restore", "1", "--in-place", "--no-log", "--restore-settings");
        assertThat(text.out).contains("Settings: restored from the archive");

        Run toFolder = admin("restore", "1", "--to", temp.resolve("copy").toString(), "--restore-settings");
        assertThat(toFolder.exit).isEqualTo(2);
        assertThat(toFolder.err).contains("--restore-settings goes with --in-place");

        // A rollback keeps them too, and says so. (This client was connected during the restores: it connects again.)
        reconnect();
        client.admin().setBackupSettings("retention.keepLast=6");
        String beforeRollback = Files.readString(yml);
        client.update("INSERT INTO T VALUES (100, 'kept by the rollback')");
        long op = client.admin().logStatus().getLastOperation();
        Run rollback = admin("rollback", "--to-op", String.valueOf(op));
        assertThat(rollback.exit).as(rollback.err).isZero();
        assertThat(rollback.out).contains("Settings: kept: the current Settings/");
        assertThat(yml).content().isEqualTo(beforeRollback);
    }

    @Test
    void replacedListRemoveAndTheStatusLine() throws IOException {
        assertThat(admin("replaced", "list").out).contains("No 'Replaced Files' folders.");
        assertThat(admin("status").out).doesNotContain("Replaced:");
        assertThat(admin("restore", "1", "--in-place", "--no-log").exit).isZero();
        assertThat(admin("restore", "1", "--in-place", "--no-log").exit).isZero();

        Run json = admin("replaced", "list", "--json");
        assertThat(json.exit).as(json.err).isZero();
        JsonNode l = json.json();
        JsonNode folder = l.get("folders").get(0);
        assertThat(folder.get("name").asText()).isEqualTo("Replaced Files (restore)");
        assertThat(folder.get("kind").asText()).isEqualTo("restore");
        assertThat(folder.get("origin").asText()).contains("in-place restore");
        assertThat(folder.get("entries")).hasSize(2);
        assertThat(folder.get("files").asLong()).isPositive();
        assertThat(folder.get("sizeBytes").asLong()).isPositive();
        long total = l.get("totalBytes").asLong();
        assertThat(total).isEqualTo(folder.get("sizeBytes").asLong());
        String oldest = folder.get("entries").get(0).get("name").asText();

        Run text = admin("replaced", "list");
        assertThat(text.out).contains("NAME", "PUT THERE BY", "Replaced Files (restore)", "  " + oldest,
                "Total: ", "tetra-admin replaced remove");
        assertThat(admin("status").out).contains("Replaced:   ").contains("(tetra-admin replaced list)");
        assertThat(admin("status", "--json").json().get("replacedFilesBytes").asLong()).isEqualTo(total);

        Run one = admin("replaced", "remove", "restore/" + oldest);
        assertThat(one.exit).as(one.err).isZero();
        assertThat(one.out).contains("Removed Replaced Files (restore)/" + oldest).contains("Freed ");
        assertThat(server.layout().root().resolve("Replaced Files (restore)").resolve(oldest)).doesNotExist();

        Run unknown = admin("replaced", "remove", "conversion");
        assertThat(unknown.exit).isEqualTo(1);
        assertThat(unknown.err).contains("2010").contains("Replaced Files (restore)");

        Run notAdmin = run(Map.of(AdminMain.PASSWORD_ENV, "bob-secret-1"), "--user", "bob", "replaced", "list");
        assertThat(notAdmin.exit).isEqualTo(1);
        assertThat(notAdmin.err).contains("2003");

        Run usage = admin("replaced", "remove");
        assertThat(usage.exit).isEqualTo(2);

        Run all = admin("replaced", "remove", "--all", "--json");
        assertThat(all.exit).as(all.err).isZero();
        assertThat(all.json().get("removed").get(0).asText()).isEqualTo("Replaced Files (restore)");
        assertThat(server.layout().root().resolve("Replaced Files (restore)")).doesNotExist();
        assertThat(admin("replaced", "list").out).contains("No 'Replaced Files' folders.");
    }

    /** The client's connection was held by the restores and closed after them: a new one. */
    private void reconnect() {
        await().atMost(30, TimeUnit.SECONDS).until(() -> !client.isOpen());
        client.close();
        client = TetraClient.connect(ClientConfig.builder().host("127.0.0.1").port(server.boundPort()).user("admin")
                .password(ADMIN_PASSWORD).build());
    }

    private record Run(int exit, String out, String err) {
        JsonNode json() throws IOException {
            assertThat(out).as("stdout (stderr: %s)", err).isNotBlank();
            return JSON.readTree(out);
        }
    }

    private Run admin(String... args) {
        return run(Map.of(AdminMain.PASSWORD_ENV, ADMIN_PASSWORD), args);
    }

    private Run run(Map<String, String> env, String... args) {
        String[] all = new String[args.length + 4];
        all[0] = "--host";
        all[1] = "127.0.0.1";
        all[2] = "--port";
        all[3] = String.valueOf(server.boundPort());
        System.arraycopy(args, 0, all, 4, args.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            exit = AdminMain.run(all, o, e, new ByteArrayInputStream(new byte[0]), env);
        }
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
