package io.tetradb.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tetradb.client.TetraClient;
import io.tetradb.protocol.BackupHistoryEntry;
import io.tetradb.protocol.BackupOutcome;
import io.tetradb.protocol.BackupRecord;
import io.tetradb.protocol.BackupRunState;
import io.tetradb.protocol.BackupStatus;
import io.tetradb.client.ErrorCode;
import io.tetradb.protocol.Role;
import io.tetradb.protocol.ServerState;
import io.tetradb.protocol.ServerStatus;
import io.tetradb.protocol.SessionInfo;
import io.tetradb.client.TetraException;
import io.tetradb.protocol.WireStates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The admin API (status, sessions, users) through a real server. */
@Timeout(120)
class AdminIT {
    @TempDir
    static Path dir;
    static TetraServer server;
    static TetraClient admin;

    @BeforeAll
    static void start() throws Exception {
        server = TestServers.start(dir);
        admin = TestServers.admin(server);
    }

    @AfterAll
    static void stop() {
        admin.close();
        server.close();
    }

    @Test
    void statusDescribesTheServer() {
        ServerStatus s = admin.admin().status();
        assertThat(s.getDatabaseName()).isEqualTo("testdb");
        assertThat(s.getPort()).isEqualTo(server.boundPort());
        assertThat(s.getH2Version()).startsWith("2.");
        assertThat(s.getSessionCount()).isGreaterThanOrEqualTo(1);
        assertThat(s.getDataFileSize()).isPositive();
        assertThat(s.getState()).isEqualTo("RUNNING");
        assertThat(admin.databaseName()).isEqualTo("testdb");
    }

    @Test
    void statesAndOutcomesTravelAsEnumsBesideTheirWords() {
        ServerStatus s = admin.admin().status();
        assertThat(s.getServerState()).isEqualTo(ServerState.SERVER_RUNNING);
        assertThat(WireStates.word(s.getServerState())).isEqualTo(s.getState());

        long n = admin.admin().startBackup().getBackupNumber();
        await().atMost(java.time.Duration.ofSeconds(60)).until(() -> {
            BackupStatus b = admin.admin().backupStatus();
            return b.getRunState() == BackupRunState.BACKUP_IDLE && b.getLast().getNumber() == n;
        });
        BackupStatus b = admin.admin().backupStatus();
        assertThat(b.getState()).isEqualTo("IDLE");
        BackupRecord last = b.getLast();
        assertThat(last.getStatus()).isEqualTo("SUCCESS");
        assertThat(last.getOutcome()).isEqualTo(BackupOutcome.BACKUP_SUCCESS);
        assertThat(admin.admin().status().getBackup().getLast().getOutcome()).isEqualTo(BackupOutcome.BACKUP_SUCCESS);
        BackupHistoryEntry entry = admin.admin().backupHistory().getEntriesList().stream()
                .filter(e -> e.getNumber() == n).findFirst().orElseThrow();
        assertThat(entry.getStatus()).isEqualTo("SUCCESS");
        assertThat(entry.getOutcome()).isEqualTo(BackupOutcome.BACKUP_SUCCESS);
    }

    @Test
    void sessionsAreListedAndCanBeKilled() {
        TetraClient victim = TestServers.admin(server);
        try {
            assertThat(admin.admin().sessions()).extracting(SessionInfo::getId).contains(victim.sessionId(), admin.sessionId());
            SessionInfo mine = admin.admin().sessions().stream().filter(x -> x.getId() == victim.sessionId())
                    .findFirst().orElseThrow();
            assertThat(mine.getUser()).isEqualTo("admin");
            assertThat(mine.getRemoteAddress()).contains("127.0.0.1");
            admin.admin().killSession(victim.sessionId());
            await().atMost(30, TimeUnit.SECONDS).until(() -> !victim.isOpen());
            assertThatThrownBy(() -> victim.execute("SELECT 1")).isInstanceOfSatisfying(TetraException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.CONNECTION_LOST));
            await().atMost(30, TimeUnit.SECONDS).until(() -> admin.admin().sessions().stream()
                    .noneMatch(x -> x.getId() == victim.sessionId()));
            assertThatThrownBy(() -> admin.admin().killSession(999_999)).isInstanceOfSatisfying(TetraException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
        } finally {
            victim.close();
        }
    }

    @Test
    void usersAreAddedChangedAndRemoved() throws Exception {
        admin.admin().addUser("carol", Role.USER, "carol-password".toCharArray());
        assertThat(admin.admin().users()).anySatisfy(u -> {
            assertThat(u.getName()).isEqualTo("carol");
            assertThat(u.getRole()).isEqualTo(Role.USER);
        });
        try (TetraClient carol = TestServers.connect(server, "carol", "carol-password")) {
            assertThat(carol.role()).isEqualTo(Role.USER);
        }
        assertThatThrownBy(() -> admin.admin().addUser("carol", Role.USER, "other-password".toCharArray()))
                .isInstanceOfSatisfying(TetraException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));

        admin.admin().setPassword("carol", "carol-new-password".toCharArray());
        assertThatThrownBy(() -> TestServers.connect(server, "carol", "carol-password"))
                .isInstanceOfSatisfying(TetraException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.AUTH_FAILED));
        try (TetraClient carol = TestServers.connect(server, "carol", "carol-new-password")) {
            assertThat(carol.execute("SELECT 1").rows()).hasSize(1);
        }

        Path users = server.layout().usersFile();
        String json = Files.readString(users, StandardCharsets.UTF_8);
        assertThat(json).doesNotContain("carol-new-password").doesNotContain("carol-password")
                .doesNotContain(TestServers.ADMIN_PASSWORD);
        JsonNode root = new ObjectMapper().readTree(json);
        assertThat(root.path("users").findValuesAsText("name")).contains("admin", "carol");
        assertThat(root.path("users").get(0).has("storedKey")).isTrue();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(users))).isEqualTo("rw-------");

        admin.admin().removeUser("carol");
        assertThat(admin.admin().users()).noneMatch(u -> u.getName().equals("carol"));
        assertThatThrownBy(() -> TestServers.connect(server, "carol", "carol-new-password"))
                .isInstanceOfSatisfying(TetraException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.AUTH_FAILED));
    }

    @Test
    void theLastAdminCannotBeRemovedAndBadInputIsRefused() {
        assertThatThrownBy(() -> admin.admin().removeUser("admin"))
                .isInstanceOfSatisfying(TetraException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
        assertThatThrownBy(() -> admin.admin().removeUser("nobody"))
                .isInstanceOfSatisfying(TetraException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
        assertThatThrownBy(() -> admin.admin().addUser("bad name;", Role.USER, "password-1".toCharArray()))
                .isInstanceOfSatisfying(TetraException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
        assertThatThrownBy(() -> admin.admin().addUser("short", Role.USER, "pw".toCharArray()))
                .isInstanceOfSatisfying(TetraException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
        assertThat(admin.admin().users()).extracting(u -> u.getName()).contains("admin").doesNotContain("bad name;", "short");
    }
}
