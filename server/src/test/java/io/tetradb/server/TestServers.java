package io.tetradb.server;

import io.tetradb.client.ClientConfig;
import io.tetradb.client.TetraClient;
import io.tetradb.server.config.ServerConfig;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/** Starts real servers on loopback port 0 under a temp folder, and real clients to them. */
public final class TestServers {
    public static final String ADMIN_PASSWORD = "admin-secret-1";

    private TestServers() {
    }

    public static ServerConfig.Builder config(Path dir) {
        return ServerConfig.builder().dataDir(dir.resolve("testdb")).host("127.0.0.1").port(0)
                .adminPassword(ADMIN_PASSWORD).authFailureDelay(Duration.ofMillis(50))
                .authFailureMaxDelay(Duration.ofMillis(400)).shutdownTimeout(Duration.ofSeconds(20))
                // every test client connects from 127.0.0.1, many of them at once
                .handshakes(256).handshakesPerAddress(256);
    }

    public static TetraServer start(Path dir) throws IOException {
        return TetraServer.start(config(dir).build());
    }

    public static TetraClient admin(TetraServer server) {
        return connect(server, "admin", ADMIN_PASSWORD);
    }

    /** Starts a backup and waits (at most 120 s) until it ended; returns its record. */
    public static io.tetradb.protocol.BackupRecord backup(TetraClient admin) {
        long number = admin.admin().startBackup().getBackupNumber();
        org.awaitility.Awaitility.await().atMost(120, java.util.concurrent.TimeUnit.SECONDS).until(() -> {
            var s = admin.admin().backupStatus();
            return s.getState().equals("IDLE") && s.getLast().getNumber() == number;
        });
        return admin.admin().backupStatus().getLast();
    }

    /** Creates table T(ID INT PRIMARY KEY, V VARCHAR(100)) holding (i, 'value i') for i from 0 to rows - 1. */
    public static void tableT(TetraClient admin, int rows) {
        admin.execute("CREATE TABLE T(ID INT PRIMARY KEY, V VARCHAR(100))");
        for (int i = 0; i < rows; i++) {
            admin.update("INSERT INTO T VALUES (?, ?)", i, "value " + i);
        }
    }

    public static TetraClient connect(TetraServer server, String user, String password) {
        return TetraClient.connect(ClientConfig.builder().host("127.0.0.1").port(server.boundPort()).user(user)
                .password(password).connectTimeout(Duration.ofSeconds(20)).build());
    }

    /**
     * Waits until no session of {@code server} runs, queues or parks a request (a worker that
     * sent its answer may still be ending its task when the client already has it).
     */
    public static void awaitSessionsIdle(TetraServer server) throws Exception {
        for (io.tetradb.server.session.Session s : server.sessionRegistry().list()) {
            s.executor().whenIdle().get(30, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
