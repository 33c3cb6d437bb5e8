package io.tetradb.server.restore;

import io.tetradb.client.TetraClient;
import io.tetradb.protocol.Role;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * The set-up the restore and verify tests share: before each test a real server under
 * {@code @TempDir} with table T of the subclass's number of rows, an admin client to it and,
 * when asked for, user {@code bob} (role USER, password {@code bob-secret-1}); then whatever
 * the subclass adds in {@link #prepare()}. Server and client are closed after each test.
 */
abstract class RestoreTestServer {
    @TempDir
    Path dir;
    TetraServer server;
    TetraClient admin;

    private final int rowsOfT;
    private final boolean withBob;

    /**
     * @param rowsOfT how many rows table T starts with
     * @param withBob whether user bob is added
     */
    RestoreTestServer(int rowsOfT, boolean withBob) {
        this.rowsOfT = rowsOfT;
        this.withBob = withBob;
    }

    /** More set-up after table T, through {@link #admin}; nothing by default. */
    void prepare() throws Exception {
    }

    @BeforeEach
    final void startServer() throws Exception {
        server = TestServers.start(dir);
        admin = TestServers.admin(server);
        TestServers.tableT(admin, rowsOfT);
        if (withBob) {
            admin.admin().addUser("bob", Role.USER, "bob-secret-1".toCharArray());
        }
        prepare();
    }

    @AfterEach
    final void stopServer() {
        admin.close();
        server.close();
    }
}
