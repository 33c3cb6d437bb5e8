package io.tetradb.server.net;

import io.tetradb.client.TetraClient;
import io.tetradb.client.ErrorCode;
import io.tetradb.protocol.Role;
import io.tetradb.protocol.ServerMessage;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import io.tetradb.server.auth.AuthThrottle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The login throttle through a real server (docs/protocol.md): wrong passwords sent in
 * parallel are answered one after the other, per address and per account, each later
 * than the sum of the delays before it (a lower bound the server's schedule guarantees,
 * not a measured speed); a success resets only its own account's count.
 */
@Timeout(120)
class LoginThrottleIT {
    private static final long BASE_MS = 50;     // TestServers: authFailureDelay 50 ms, authFailureMaxDelay 400 ms
    private static final long MAX_MS = 400;

    @TempDir
    static Path dir;
    static TetraServer server;

    @BeforeAll
    static void start() throws IOException {
        server = TetraServer.start(TestServers.config(dir).handshakesPerAddress(32)
                .authFailureHalfLife(Duration.ofHours(1)).build());
        try (TetraClient admin = TestServers.admin(server)) {
            for (String name : List.of("victim", "a", "b")) {
                admin.admin().addUser(name, Role.USER, ("password-of-" + name).toCharArray());
            }
        }
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static AuthThrottle throttle() {
        return server.preLoginLimits().throttle();
    }

    @Test
    void parallelWrongPasswordsFromOneAddressAreAnsweredOneAfterTheOther() throws Exception {
        List<RawLogin> logins = new ArrayList<>();
        List<byte[]> finals = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            RawLogin r = new RawLogin(server, "127.0.9.1").start(i % 2 == 0 ? "victim" + i : "nobody" + i);
            logins.add(r);
            finals.add(r.authFinal("wrong-password"));
        }
        assertParallelAttemptsAreSerialized(logins, finals);
        assertThat(throttle().addressFailures("127.0.9.1")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void parallelWrongPasswordsForOneAccountFromManyAddressesAreAnsweredOneAfterTheOther() throws Exception {
        List<RawLogin> logins = new ArrayList<>();
        List<byte[]> finals = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            RawLogin r = new RawLogin(server, "127.0.10." + (i + 1)).start("victim");
            logins.add(r);
            finals.add(r.authFinal("wrong-password"));
        }
        assertParallelAttemptsAreSerialized(logins, finals);
        assertThat(throttle().accountFailures("victim")).isGreaterThanOrEqualTo(1);
        // the right password is then accepted: the earlier answers are all out, so it waits for none
        try (RawLogin r = new RawLogin(server, "127.0.10.100").start("victim")) {
            r.send(r.authFinal("password-of-victim"));
            ServerMessage m = r.read();
            assertThat(m.hasAuthOk()).as("%s", m).isTrue();
        }
        assertThat(throttle().accountFailures("victim")).isZero();
    }

    /**
     * Sends all AuthFinals at once; every reply is a refusal (2001, "too many attempts") or
     * a verdict (2002), and the k-th verdict comes no earlier than the sum of the first k
     * delays after the sending began.
     */
    private static void assertParallelAttemptsAreSerialized(List<RawLogin> logins, List<byte[]> finals)
            throws IOException {
        long t0 = System.nanoTime();
        for (int i = 0; i < logins.size(); i++) {
            logins.get(i).send(finals.get(i));
        }
        List<Long> verdictsAfterMs = new ArrayList<>();
        int refused = 0;
        for (RawLogin r : logins) {
            ServerMessage m = r.read();
            long after = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(m.hasError()).as("%s", m).isTrue();
            if (m.getError().getCode() == ErrorCode.SERVER_BUSY.code()) {
                assertThat(m.getError().getMessage()).contains("Too many login attempts");
                refused++;
            } else {
                assertThat(m.getError().getCode()).isEqualTo(ErrorCode.AUTH_FAILED.code());
                verdictsAfterMs.add(after);
            }
            assertThat(r.closedByServer()).isTrue();
            r.close();
        }
        assertThat(verdictsAfterMs.size() + refused).isEqualTo(logins.size());
        Collections.sort(verdictsAfterMs);
        double cumulative = 0;
        for (int k = 0; k < verdictsAfterMs.size(); k++) {
            // the k-th failure's own delay is at least base * 2^k (earlier failures only raise it), at most max;
            // 0.9: the counts fade a little (half-life 1 h) between attempts
            cumulative += 0.9 * Math.min(BASE_MS * Math.pow(2, k), MAX_MS);
            assertThat(verdictsAfterMs.get(k)).as("verdict %d of %s answered after (ms)", k + 1, verdictsAfterMs)
                    .isGreaterThanOrEqualTo((long) cumulative);
        }
    }

    @Test
    void aSuccessfulLoginOfAccountADoesNotResetAccountBFromTheSameAddress() throws Exception {
        String address = "127.0.11.1";
        failOnce(address, "b");
        failOnce(address, "b");
        failOnce(address, "a");
        double addressBefore = throttle().addressFailures(address);
        try (RawLogin r = new RawLogin(server, address).start("a")) {
            r.send(r.authFinal("password-of-a"));
            assertThat(r.read().hasAuthOk()).isTrue();
        }
        assertThat(throttle().accountFailures("a")).isZero();
        assertThat(throttle().accountFailures("b")).isCloseTo(2, within(0.01));
        assertThat(throttle().addressFailures(address)).isCloseTo(addressBefore, within(0.01))
                .isGreaterThanOrEqualTo(2.9);
        // so b's next wrong password from there waits the grown delay (fourth failure: base * 8), not the base one
        long after = failOnce(address, "b");
        assertThat(after).isGreaterThanOrEqualTo((long) (0.9 * Math.min(BASE_MS * 8, MAX_MS)));
    }

    /** One wrong password for {@code user} from {@code address}; returns how long its answer took (ms). */
    private static long failOnce(String address, String user) throws IOException {
        try (RawLogin r = new RawLogin(server, address).start(user)) {
            byte[] fin = r.authFinal("wrong-password");
            long t0 = System.nanoTime();
            r.send(fin);
            ServerMessage m = r.read();
            long after = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(m.getError().getCode()).isEqualTo(ErrorCode.AUTH_FAILED.code());
            assertThat(r.closedByServer()).isTrue();
            return after;
        }
    }
}
