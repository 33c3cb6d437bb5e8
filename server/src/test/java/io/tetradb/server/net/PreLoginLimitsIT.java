package io.tetradb.server.net;

import io.tetradb.client.TetraClient;
import io.tetradb.client.ErrorCode;
import io.tetradb.protocol.ServerMessage;
import io.tetradb.client.TetraException;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import io.tetradb.server.config.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The limits before login (docs/protocol.md), through a real server and raw sockets from many
 * loopback addresses: strangers that never finish the handshake cannot keep a client from
 * logging in, are refused beyond the per-address cap and closed after the handshake
 * timeout; frames before login are small, after login large.
 */
@Timeout(120)
class PreLoginLimitsIT {
    @TempDir
    Path dir;

    private TetraServer start(ServerConfig.Builder b) throws IOException {
        return TetraServer.start(b.build());
    }

    @Test
    void aClientLogsInWhileHundredsOfStrangersHoldHalfOpenConnections() throws Exception {
        // maxConnections 100 is below the 300 strangers: it counts sessions, never handshakes
        try (TetraServer server = start(TestServers.config(dir).maxConnections(100).handshakes(32)
                .handshakesPerAddress(4).handshakeTimeout(Duration.ofMinutes(2)))) {
            List<RawLogin> strangers = new ArrayList<>();
            try {
                for (int a = 2; a < 62; a++) {
                    for (int i = 0; i < 5; i++) {
                        strangers.add(new RawLogin(server, "127.0.0." + a));
                    }
                }
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                        assertThat(server.preLoginLimits().handshakesNow()).isEqualTo(32));
                // every other stranger was refused or, to make room, closed: each was told 2001 first
                await().atMost(Duration.ofSeconds(30)).until(() -> strangers.stream().filter(RawLogin::hasData)
                        .count() == strangers.size() - 32);
                for (RawLogin s : strangers) {
                    if (s.hasData()) {
                        ServerMessage m = s.read();
                        assertThat(m.getError().getCode()).isEqualTo(ErrorCode.SERVER_BUSY.code());
                        assertThat(m.getError().getMessage()).contains("Too many connections that have not logged in");
                        assertThat(s.closedByServer()).isTrue();
                    }
                }

                try (TetraClient client = TestServers.admin(server)) {
                    assertThat(client.execute("SELECT 42").rows().get(0).getInt(0)).isEqualTo(42);
                    try (TetraClient second = TestServers.admin(server)) {
                        assertThat(second.execute("SELECT 43").rows().get(0).getInt(0)).isEqualTo(43);
                    }
                }
                assertThat(server.preLoginLimits().handshakesNow()).isLessThanOrEqualTo(32);
            } finally {
                for (RawLogin s : strangers) {
                    s.close();
                }
            }
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(server.preLoginLimits().handshakesNow()).isZero());
        }
    }

    @Test
    void aStrangerBeyondThePerAddressCapIsRefusedAndOtherAddressesAreNot() throws Exception {
        try (TetraServer server = start(TestServers.config(dir).handshakesPerAddress(3)
                .handshakeTimeout(Duration.ofMinutes(2)));
             RawLogin a1 = counted(server, "127.0.1.1", 1);
             RawLogin a2 = counted(server, "127.0.1.1", 2);
             RawLogin a3 = counted(server, "127.0.1.1", 3);
             RawLogin a4 = new RawLogin(server, "127.0.1.1");
             RawLogin b1 = new RawLogin(server, "127.0.1.2")) {
            ServerMessage refused = a4.read();
            assertThat(refused.getError().getCode()).isEqualTo(ErrorCode.SERVER_BUSY.code());
            assertThat(refused.getError().getMessage()).contains("at most 3");
            assertThat(a4.closedByServer()).isTrue();
            // the others of that address and another address still get through the handshake
            for (RawLogin r : List.of(a1, a2, a3, b1)) {
                r.send(RawLogin.hello(1, "PreLoginLimitsIT"));
                assertThat(r.read().hasHello()).isTrue();
            }
        }
    }

    @Test
    void theClientLibraryReportsARefusalAs2001WithTheReason() throws Exception {
        try (TetraServer server = start(TestServers.config(dir).handshakesPerAddress(2)
                .handshakeTimeout(Duration.ofMinutes(2)));
             RawLogin s1 = counted(server, "127.0.0.1", 1);
             RawLogin s2 = counted(server, "127.0.0.1", 2)) {
            assertThatThrownBy(() -> TestServers.admin(server)).isInstanceOfSatisfying(TetraException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.SERVER_BUSY);
                assertThat(e.getMessage()).contains("limits.handshakesPerAddress");
            });
            for (RawLogin stranger : List.of(s1, s2)) {     // the two it was refused for are still served
                stranger.send(RawLogin.hello(1, "PreLoginLimitsIT"));
                assertThat(stranger.read().hasHello()).isTrue();
            }
        }
    }

    @Test
    void aNewcomerClosesTheOldestHandshakeOfTheMostCrowdedAddress() throws Exception {
        try (TetraServer server = start(TestServers.config(dir).handshakes(3).handshakesPerAddress(2)
                .handshakeTimeout(Duration.ofMinutes(2)));
             RawLogin x1 = counted(server, "127.0.5.1", 1);     // one after the other: x1 is the oldest
             RawLogin x2 = counted(server, "127.0.5.1", 2);
             RawLogin y1 = counted(server, "127.0.5.2", 3)) {
            try (RawLogin z1 = new RawLogin(server, "127.0.5.3")) {
                ServerMessage evicted = x1.read();
                assertThat(evicted.getError().getCode()).isEqualTo(ErrorCode.SERVER_BUSY.code());
                assertThat(evicted.getError().getMessage()).contains("closed to make room");
                assertThat(x1.closedByServer()).isTrue();
                for (RawLogin r : List.of(x2, y1, z1)) {
                    r.send(RawLogin.hello(1, "PreLoginLimitsIT"));
                    assertThat(r.read().hasHello()).isTrue();
                }
                // now every address holds one: a second one from z's address is refused, nobody is closed
                try (RawLogin z2 = new RawLogin(server, "127.0.5.3")) {
                    ServerMessage refused = z2.read();
                    assertThat(refused.getError().getCode()).isEqualTo(ErrorCode.SERVER_BUSY.code());
                    assertThat(refused.getError().getMessage()).contains("limits.handshakes)");
                }
                assertThat(server.preLoginLimits().handshakesNow()).isEqualTo(3);
            }
        }
    }

    /** Connects from {@code address} and waits until the server counts {@code handshakes} handshakes. */
    private static RawLogin counted(TetraServer server, String address, int handshakes) throws IOException {
        RawLogin r = new RawLogin(server, address);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(server.preLoginLimits().handshakesNow()).isEqualTo(handshakes));
        return r;
    }

    @Test
    void aHalfOpenConnectionIsClosedAfterTheHandshakeTimeout() throws Exception {
        try (TetraServer server = start(TestServers.config(dir).handshakeTimeout(Duration.ofSeconds(1)));
             RawLogin silent = new RawLogin(server, "127.0.2.1");
             RawLogin helloOnly = new RawLogin(server, "127.0.2.1")) {
            helloOnly.send(RawLogin.hello(1, "PreLoginLimitsIT"));
            assertThat(helloOnly.read().hasHello()).isTrue();
            for (RawLogin r : List.of(silent, helloOnly)) {
                ServerMessage m = r.read();   // the server speaks first: after the timeout, well before 20 s
                assertThat(m.getError().getCode()).isEqualTo(ErrorCode.PROTOCOL_ERROR.code());
                assertThat(m.getError().getMessage()).contains("limits.handshakeTimeout");
                assertThat(r.closedByServer()).isTrue();
            }
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(server.preLoginLimits().handshakesNow()).isZero());
            try (TetraClient client = TestServers.admin(server)) {
                assertThat(client.execute("SELECT 1").rows().get(0).getInt(0)).isEqualTo(1);
            }
        }
    }

    @Test
    void aLargeFrameBeforeLoginIs2005AndSeveralMiBAfterLoginAreAccepted() throws Exception {
        try (TetraServer server = start(TestServers.config(dir))) {
            try (RawLogin r = new RawLogin(server, "127.0.3.1")) {
                // a whole Hello of 20 KiB: under the 16 MiB limit, over the 16 KiB one before login
                r.send(RawLogin.hello(1, "x".repeat(20 * 1024)));
                ServerMessage m = r.read();
                assertThat(m.getError().getCode()).isEqualTo(ErrorCode.FRAME_TOO_LARGE.code());
                assertThat(m.getError().getMessage()).contains("16384");
                assertThat(r.closedByServer()).isTrue();
            }
            try (RawLogin r = new RawLogin(server, "127.0.3.1")) {
                r.send(RawLogin.varint(16 * 1024 + 1));    // the prefix alone is refused
                assertThat(r.read().getError().getCode()).isEqualTo(ErrorCode.FRAME_TOO_LARGE.code());
                assertThat(r.closedByServer()).isTrue();
            }
            try (TetraClient client = TestServers.admin(server)) {
                String big = "y".repeat(6 * 1024 * 1024);
                assertThat(client.execute("SELECT LENGTH(?)", big).rows().get(0).getLong(0))
                        .isEqualTo(6L * 1024 * 1024);
            }
        }
    }

    @Test
    void maxConnectionsCountsSessions() throws Exception {
        try (TetraServer server = start(TestServers.config(dir).maxConnections(2));
             RawLogin stranger1 = new RawLogin(server, "127.0.4.1");
             RawLogin stranger2 = new RawLogin(server, "127.0.4.2");
             TetraClient one = TestServers.admin(server)) {
            TetraClient two = TestServers.admin(server);
            assertThat(one.execute("SELECT 1").rows()).hasSize(1);
            assertThat(two.execute("SELECT 2").rows()).hasSize(1);
            assertThatThrownBy(() -> TestServers.admin(server)).isInstanceOfSatisfying(TetraException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.SERVER_BUSY);
                assertThat(e.getMessage()).contains("Too many sessions").contains("at most 2");
            });
            two.close();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(server.preLoginLimits().sessionsNow()).isEqualTo(1));
            try (TetraClient three = TestServers.admin(server)) {
                assertThat(three.execute("SELECT 3").rows()).hasSize(1);
            }
            // the strangers were never counted as sessions, and still are in the handshake
            for (RawLogin stranger : List.of(stranger1, stranger2)) {
                stranger.send(RawLogin.hello(1, "PreLoginLimitsIT"));
                assertThat(stranger.read().hasHello()).isTrue();
            }
        }
    }

    /** One account's sessions are capped (limits.sessionsPerUser); other accounts log in as before. */
    @Test
    void sessionsOfOneAccountAreCappedAndOtherAccountsAreNot() throws Exception {
        try (TetraServer server = start(TestServers.config(dir).sessionsPerUser(2));
             TetraClient one = TestServers.admin(server)) {
            one.admin().addUser("app", io.tetradb.protocol.Role.USER, "app-password".toCharArray());
            TetraClient two = TestServers.admin(server);
            assertThatThrownBy(() -> TestServers.admin(server)).isInstanceOfSatisfying(TetraException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.SERVER_BUSY);
                assertThat(e.getMessage()).contains("Too many sessions of user 'admin'")
                        .contains("limits.sessionsPerUser");
            });
            try (TetraClient app = TestServers.connect(server, "app", "app-password")) {
                assertThat(app.execute("SELECT 1").rows()).hasSize(1);
            }
            two.close();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(server.preLoginLimits().sessionsNow()).isEqualTo(1));
            try (TetraClient three = TestServers.admin(server)) {
                assertThat(three.execute("SELECT 3").rows()).hasSize(1);
            }
        }
    }
}
