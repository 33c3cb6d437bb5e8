package io.tetradb.jdbc;

import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * A real server on loopback port 0 with its files under the test's temporary folder,
 * started before each test (before the subclass's own set-up) and closed after it (after
 * the subclass's own tear-down).
 */
abstract class ServerPerTest {
    @TempDir
    Path dir;
    TetraServer server;

    @BeforeEach
    void startServer() throws Exception {
        server = TestServers.start(dir);
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }
}
