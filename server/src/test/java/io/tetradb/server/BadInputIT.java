package io.tetradb.server;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnknownFieldSet;
import io.tetradb.client.TetraClient;
import io.tetradb.protocol.AddUser;
import io.tetradb.protocol.AdminRequest;
import io.tetradb.protocol.AuthChallenge;
import io.tetradb.protocol.AuthFinal;
import io.tetradb.protocol.AuthStart;
import io.tetradb.protocol.ClientMessage;
import io.tetradb.client.ErrorCode;
import io.tetradb.protocol.Execute;
import io.tetradb.protocol.Hello;
import io.tetradb.protocol.Ping;
import io.tetradb.protocol.ProtocolVersion;
import io.tetradb.protocol.Role;
import io.tetradb.protocol.ServerMessage;
import io.tetradb.protocol.SessionInfo;
import io.tetradb.client.TetraException;
import io.tetradb.protocol.Value;
import io.tetradb.protocol.Values;
import io.tetradb.protocol.scram.Scram;
import io.tetradb.server.auth.AuthThrottle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Bad input from the network, sent by hand over raw sockets to a real server: random
 * bytes, truncated, oversized and undecodable frames, messages out of order or unknown,
 * wrong versions and passwords, forbidden and malformed SQL. Each case checks what the
 * offender is told, whether its connection is closed or kept as docs/protocol.md and docs/error-codes.md
 * say, and that a client connected before the bad input and a client connecting after
 * it both still work (docs/security.md).
 */
@Timeout(120)
class BadInputIT {
    private static final int READ_TIMEOUT_MILLIS = 20_000;

    @TempDir
    static Path dir;
    static TetraServer server;
    /** Connected before any bad input; must keep working throughout. */
    static TetraClient bystander;
    static final AtomicInteger bystanderRows = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        server = TestServers.start(dir);
        bystander = TestServers.admin(server);
        bystander.execute("CREATE TABLE BYSTANDER(ID INT PRIMARY KEY)");
        bystander.admin().addUser("bob", Role.USER, "password-1".toCharArray());
    }

    @AfterAll
    static void stop() {
        if (bystander != null) {
            bystander.close();
        }
        if (server != null) {
            server.close();
        }
    }

    // ------------------------------------------------------------------------------------
    // Garbage on the wire

    @Test
    void randomBytesBeforeTheHandshake() throws IOException {
        for (long seed = 1; seed <= 5; seed++) {
            byte[] garbage = new byte[64 * 1024];
            new Random(seed).nextBytes(garbage);
            try (RawConnection c = new RawConnection()) {
                c.sendAllowingClose(garbage);
                c.shutdownOutput();
                assertOnlyErrorsThenClosed(c.readUntilClosed(), seed);
            }
        }
        assertOthersUnaffected();
    }

    @Test
    void randomBytesAfterAuthentication() throws IOException {
        try (RawConnection c = new RawConnection()) {
            long sessionId = c.login("admin", TestServers.ADMIN_PASSWORD).getAuthOk().getSessionId();
            assertThat(sessionIds()).contains(sessionId);
            byte[] garbage = new byte[64 * 1024];
            new Random(42).nextBytes(garbage);
            c.sendAllowingClose(garbage);
            c.shutdownOutput();
            assertOnlyErrorsThenClosed(c.readUntilClosed(), 42);
            // the server forgets the session
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(sessionIds()).doesNotContain(sessionId));
        }
        assertOthersUnaffected();
    }

    @Test
    void truncatedFrameThenHalfClose() throws IOException {
        try (RawConnection c = new RawConnection()) {
            c.send(new byte[]{100});             // length 100 ...
            c.send(new byte[10]);                // ... but 10 bytes
            c.shutdownOutput();
            assertThat(c.readUntilClosed()).as("nothing to answer to").isEmpty();
        }
        assertOthersUnaffected();
    }

    @Test
    void truncatedFrameThenCloseAfterAuthentication() throws IOException {
        long sessionId;
        try (RawConnection c = new RawConnection()) {
            sessionId = c.login("admin", TestServers.ADMIN_PASSWORD).getAuthOk().getSessionId();
            byte[] execute = frame(ClientMessage.newBuilder().setRequestId(10)
                    .setExecute(Execute.newBuilder().setSql("SELECT 1")).build().toByteArray());
            c.send(Arrays.copyOf(execute, execute.length - 3));
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(sessionIds()).doesNotContain(sessionId));
        assertOthersUnaffected();
    }

    @Test
    void oversizedFrameIsRefusedBeforeItsBody() throws IOException {
        for (int announced : new int[]{ProtocolVersion.DEFAULT_MAX_FRAME_SIZE + 1, Integer.MAX_VALUE}) {
            try (RawConnection c = new RawConnection()) {
                c.send(varint(announced));       // the prefix alone: the body never comes
                ServerMessage reply = c.read();
                assertError(reply, ErrorCode.FRAME_TOO_LARGE, 0);
                assertThat(reply.getError().getMessage()).contains(String.valueOf(announced));
                c.assertClosedByServer();
            }
        }
        assertOthersUnaffected();
    }

    @Test
    void oversizedFrameAfterAuthentication() throws IOException {
        try (RawConnection c = new RawConnection()) {
            c.login("admin", TestServers.ADMIN_PASSWORD);
            c.send(varint(ProtocolVersion.DEFAULT_MAX_FRAME_SIZE + 1));
            assertError(c.read(), ErrorCode.FRAME_TOO_LARGE, 0);
            c.assertClosedByServer();
        }
        assertOthersUnaffected();
    }

    @Test
    void malformedLengthPrefix() throws IOException {
        try (RawConnection c = new RawConnection()) {
            c.send(new byte[]{(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 1, 2, 3});
            assertError(c.read(), ErrorCode.PROTOCOL_ERROR, 0);
            c.assertClosedByServer();
        }
        assertOthersUnaffected();
    }

    @Test
    void undecodableBodyBeforeTheHandshake() throws IOException {
        try (RawConnection c = new RawConnection()) {
            c.send(frame(new byte[]{0x00, 0x00}));   // field number 0: not protobuf
            assertError(c.read(), ErrorCode.PROTOCOL_ERROR, 0);
            c.assertClosedByServer();
        }
        assertOthersUnaffected();
    }

    @Test
    void undecodableBodyAfterAuthentication() throws IOException {
        try (RawConnection c = new RawConnection()) {
            c.login("admin", TestServers.ADMIN_PASSWORD);
            c.send(frame(new byte[]{0x6A, 0x05, 0x0A}));   // execute: 5 bytes announced, 1 present
            assertError(c.read(), ErrorCode.PROTOCOL_ERROR, 0);
            c.assertClosedByServer();
        }
        assertOthersUnaffected();
    }

    // ------------------------------------------------------------------------------------
    // Well-formed frames the server does not expect

    @Test
    void unknownMessagesAfterAuthenticationAreAnsweredAndTheConnectionKept() throws IOException {
        try (RawConnection c = new RawConnection()) {
            c.login("admin", TestServers.ADMIN_PASSWORD);

            c.send(ClientMessage.newBuilder().setRequestId(77).build());     // no body at all
            ServerMessage noBody = c.read();
            assertError(noBody, ErrorCode.PROTOCOL_ERROR, 77);
            assertThat(noBody.getError().getMessage()).containsIgnoringCase("unknown");

            c.send(ClientMessage.newBuilder().setRequestId(78).build().toBuilder()   // a newer client's request
                    .setUnknownFields(UnknownFieldSet.newBuilder().addField(99, UnknownFieldSet.Field.newBuilder()
                            .addLengthDelimited(ByteString.copyFromUtf8("from the future")).build()).build())
                    .build());
            assertError(c.read(), ErrorCode.PROTOCOL_ERROR, 78);

            c.send(ClientMessage.newBuilder().setRequestId(79).setHello(Hello.newBuilder()
                    .setMinVersion(ProtocolVersion.MIN).setMaxVersion(ProtocolVersion.MAX)).build());
            assertError(c.read(), ErrorCode.PROTOCOL_ERROR, 79);

            // the same connection still works
            c.send(ClientMessage.newBuilder().setRequestId(80).setPing(Ping.getDefaultInstance()).build());
            ServerMessage pong = c.read();
            assertThat(pong.getRequestId()).isEqualTo(80);
            assertThat(pong.hasOk()).isTrue();
            assertThat(c.query(81, "SELECT 6 * 7")).isEqualTo(42);
        }
        assertOthersUnaffected();
    }

    @Test
    void firstMessageNotHelloIsRefusedAndClosed() throws IOException {
        List<ClientMessage> firsts = List.of(
                ClientMessage.newBuilder().setRequestId(5).setPing(Ping.getDefaultInstance()).build(),
                ClientMessage.newBuilder().setRequestId(6).setAuthStart(AuthStart.newBuilder().setUser("admin")
                        .setClientNonce("abc")).build(),
                ClientMessage.newBuilder().setRequestId(7).setExecute(Execute.newBuilder().setSql("SELECT 1")).build(),
                ClientMessage.newBuilder().setRequestId(8).build());
        for (ClientMessage first : firsts) {
            try (RawConnection c = new RawConnection()) {
                c.send(first);
                ServerMessage reply = c.read();
                assertError(reply, ErrorCode.PROTOCOL_ERROR, first.getRequestId());
                assertThat(reply.getError().getMessage()).contains("Hello");
                c.assertClosedByServer();
            }
        }
        assertOthersUnaffected();
    }

    @Test
    void messagesOutOfOrderDuringTheHandshakeAreRefusedAndClosed() throws IOException {
        try (RawConnection c = new RawConnection()) {
            c.send(c.hello(1));
            assertThat(c.read().hasHello()).isTrue();
            c.send(ClientMessage.newBuilder().setRequestId(2).setExecute(Execute.newBuilder().setSql("SELECT 1")).build());
            ServerMessage reply = c.read();
            assertError(reply, ErrorCode.PROTOCOL_ERROR, 2);
            assertThat(reply.getError().getMessage()).contains("AuthStart");
            c.assertClosedByServer();
        }
        assertOthersUnaffected();
    }

    @Test
    void unsupportedProtocolVersionIsRefusedAndClosed() throws IOException {
        try (RawConnection c = new RawConnection()) {
            c.send(ClientMessage.newBuilder().setRequestId(1).setHello(Hello.newBuilder().setMinVersion(99)
                    .setMaxVersion(99).setClientName("from the future")).build());
            ServerMessage reply = c.read();
            assertError(reply, ErrorCode.PROTOCOL_ERROR, 1);
            assertThat(reply.getError().getMessage()).contains("99..99")
                    .contains(ProtocolVersion.MIN + ".." + ProtocolVersion.MAX);
            c.assertClosedByServer();
        }
        try (RawConnection c = new RawConnection()) {
            c.send(ClientMessage.newBuilder().setRequestId(1).setHello(Hello.getDefaultInstance()).build());  // 0..0
            assertError(c.read(), ErrorCode.PROTOCOL_ERROR, 1);
            c.assertClosedByServer();
        }
        assertOthersUnaffected();
    }

    @Test
    void wellFormedButInvalidRequestsAreAnsweredAndTheConnectionKept() throws IOException {
        try (RawConnection c = new RawConnection()) {
            c.login("admin", TestServers.ADMIN_PASSWORD);
            c.send(ClientMessage.newBuilder().setRequestId(40).setAdmin(AdminRequest.getDefaultInstance()).build());
            assertError(c.read(), ErrorCode.PROTOCOL_ERROR, 40);
            c.send(ClientMessage.newBuilder().setRequestId(41).setExecute(Execute.newBuilder().setSql("SELECT 1")
                    .addParameters(Values.of(1))).build());
            assertError(c.read(), ErrorCode.SQL_ERROR, 41);
            c.send(ClientMessage.newBuilder().setRequestId(42).setExecute(Execute.newBuilder()
                    .setSql("SELECT 1; DROP TABLE BYSTANDER")).build());
            assertError(c.read(), ErrorCode.SQL_ERROR, 42);
            c.send(ClientMessage.newBuilder().setRequestId(43).setAdmin(AdminRequest.newBuilder()
                    .setAddUser(AddUser.newBuilder().setName("no-credentials").setRole(Role.USER))).build());
            assertError(c.read(), ErrorCode.INVALID_ARGUMENT, 43);
            assertThat(c.query(44, "SELECT 42")).isEqualTo(42);
        }
        assertOthersUnaffected();
    }

    @Test
    void manyBadConnectionsAtOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<List<ServerMessage>>> offenders = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                long seed = 1000 + i;
                offenders.add(pool.submit(() -> {
                    byte[] garbage = new byte[16 * 1024];
                    new Random(seed).nextBytes(garbage);
                    try (RawConnection c = new RawConnection()) {
                        if (seed % 2 == 0) {
                            c.login("admin", TestServers.ADMIN_PASSWORD);
                        }
                        c.sendAllowingClose(garbage);
                        c.shutdownOutput();
                        return c.readUntilClosed();
                    }
                }));
            }
            // while they run, the bystander goes on
            for (int i = 0; i < 20; i++) {
                assertThat(bystander.execute("SELECT ?", i).rows().get(0).getInt(0)).isEqualTo(i);
            }
            for (int i = 0; i < offenders.size(); i++) {
                assertOnlyErrorsThenClosed(offenders.get(i).get(60, TimeUnit.SECONDS), 1000 + i);
            }
        } finally {
            pool.shutdownNow();
        }
        assertOthersUnaffected();
    }

    // ------------------------------------------------------------------------------------
    // Authentication

    @Test
    void wrongPasswordThroughTheClient() {
        assertThatThrownBy(() -> TestServers.connect(server, "admin", "not-the-password"))
                .isInstanceOfSatisfying(TetraException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.AUTH_FAILED));
        assertOthersUnaffected();
    }

    @Test
    void unknownUserFailsLikeAWrongPassword() throws IOException {
        assertThatThrownBy(() -> TestServers.connect(server, "nobody-by-this-name", "whatever"))
                .isInstanceOfSatisfying(TetraException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.AUTH_FAILED);
                    assertThat(e.getMessage()).doesNotContainIgnoringCase("unknown");
                });
        // the challenge for an unknown user looks like a real one, and the same each time
        AuthChallenge first;
        AuthChallenge second;
        try (RawConnection c = new RawConnection()) {
            first = c.startAuth("nobody-by-this-name", Scram.newNonce());
        }
        try (RawConnection c = new RawConnection()) {
            second = c.startAuth("nobody-by-this-name", Scram.newNonce());
        }
        assertThat(first.getSalt().size()).isEqualTo(16);
        assertThat(first.getIterations()).isEqualTo(Scram.DEFAULT_ITERATIONS);
        assertThat(second.getSalt()).isEqualTo(first.getSalt());
        assertOthersUnaffected();
    }

    /**
     * Wrong passwords from one address, sent without waiting for the answers, are answered
     * in the order the server took them (an unknown user's like a known one's), and their
     * delays stack: an attempt that would wait longer than the maximum delay behind them is
     * refused at once (2001) while the second and third failures are still unanswered.
     * Without delays the refusal could not happen and every answer would be there at once.
     * Ordering only, no time measured: the delays' lengths are AuthThrottleTest's, on a fake
     * clock. A server of its own, with delays long enough to keep these orders by seconds
     * (base 500 ms, at most 2 s: answers due about 0.5, 1.5 and 3.5 s after the first
     * attempt; the fourth is refused when it arrives within 1.5 s).
     */
    @Test
    void failedAuthenticationsAreAnsweredInTurnAndTooManyAreRefusedBeforeTheEarlierOnes(@TempDir Path own)
            throws Exception {
        String address = "127.0.20.1";
        List<String> users = List.of("admin", "admin", "nobody-by-this-name", "admin");
        List<RawConnection> cs = new ArrayList<>();
        try (TetraServer slow = TetraServer.start(TestServers.config(own).authFailureDelay(Duration.ofMillis(500))
                .authFailureMaxDelay(Duration.ofSeconds(2)).build())) {
            AuthThrottle throttle = slow.preLoginLimits().throttle();
            try {
                List<ClientMessage> finals = new ArrayList<>();
                for (String user : users) {
                    RawConnection c = new RawConnection(slow, address);
                    cs.add(c);
                    String clientNonce = Scram.newNonce();
                    AuthChallenge ch = c.startAuth(user, clientNonce);
                    finals.add(c.authFinal(3, user, clientNonce, ch, "wrong-password".toCharArray()));
                }
                // Three failures, each taken by the server (its address's count grows) before the next is sent.
                for (int i = 0; i < 3; i++) {
                    double before = throttle.addressFailures(address);
                    cs.get(i).send(finals.get(i));
                    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(2))
                            .until(() -> throttle.addressFailures(address) > before + 0.5);
                }
                cs.get(3).send(finals.get(3));
                assertError(cs.get(3).read(), ErrorCode.SERVER_BUSY, 3);
                // (The first answer is due 0.5 s after the first attempt; the second's and third's, 1.5 and 3.5 s.)
                assertThat(cs.get(1).hasUnread()).as("second failure answered before the refusal").isFalse();
                assertThat(cs.get(2).hasUnread()).as("third failure answered before the refusal").isFalse();
                cs.get(3).assertClosedByServer();
                // The last failure's answer read: the earlier ones have come already.
                assertError(cs.get(2).read(), ErrorCode.AUTH_FAILED, 3);
                assertThat(cs.get(0).hasUnread()).as("first failure answered before the third").isTrue();
                assertThat(cs.get(1).hasUnread()).as("second failure answered before the third").isTrue();
                for (int i = 0; i < 3; i++) {
                    if (i < 2) {
                        assertError(cs.get(i).read(), ErrorCode.AUTH_FAILED, 3);
                    }
                    cs.get(i).assertClosedByServer();
                }
                // The refused attempt was not counted as a failure.
                assertThat(throttle.addressFailures(address)).isGreaterThan(2.5).isLessThan(3.5);
            } finally {
                for (RawConnection c : cs) {
                    c.close();
                }
            }
        }
        assertOthersUnaffected();
    }

    @Test
    void handshakeThatNeverCompletesDisturbsNoOne() throws IOException {
        try (RawConnection silent = new RawConnection();
             RawConnection helloOnly = new RawConnection();
             RawConnection challenged = new RawConnection()) {
            helloOnly.send(helloOnly.hello(1));
            assertThat(helloOnly.read().hasHello()).isTrue();
            challenged.startAuth("admin", Scram.newNonce());
            // while all three hang in the handshake
            assertOthersUnaffected();
            assertThat(silent.isOpen()).isTrue();
        }
        assertOthersUnaffected();
    }

    // ------------------------------------------------------------------------------------
    // SQL

    @Test
    void forbiddenStatementForRoleUser() {
        try (TetraClient bob = TestServers.connect(server, "bob", "password-1")) {
            assertThat(bob.role()).isEqualTo(Role.USER);
            assertThatThrownBy(() -> bob.execute("CREATE ALIAS MY_EXIT FOR \"java.lang.System.exit\""))
                    .isInstanceOfSatisfying(TetraException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_ALLOWED_FOR_ROLE));
            // the session goes on
            assertThat(bob.execute("SELECT 1").rows().get(0).getInt(0)).isEqualTo(1);
        }
        assertOthersUnaffected();
    }

    @Test
    void malformedSqlIsASqlErrorWithSqlState() throws IOException {
        assertThatThrownBy(() -> bystander.execute("SELEKT 1 FROM"))
                .isInstanceOfSatisfying(TetraException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.SQL_ERROR);
                    assertThat(e.sqlState()).isEqualTo("42001");
                    assertThat(e.vendorCode()).isEqualTo(42001);
                });
        // on the wire too
        try (RawConnection c = new RawConnection()) {
            c.login("bob", "password-1");
            c.send(ClientMessage.newBuilder().setRequestId(20).setExecute(Execute.newBuilder().setSql("SELEKT 1")).build());
            ServerMessage reply = c.read();
            assertError(reply, ErrorCode.SQL_ERROR, 20);
            assertThat(reply.getError().getSqlState()).isEqualTo("42001");
            assertThat(c.query(21, "SELECT 42")).isEqualTo(42);
        }
        assertOthersUnaffected();
    }

    @Test
    void unparsableParameterIsAnInvalidArgumentAndTheConnectionIsKept() throws IOException {
        try (RawConnection c = new RawConnection()) {
            c.login("bob", "password-1");
            c.send(ClientMessage.newBuilder().setRequestId(30).setExecute(Execute.newBuilder().setSql("SELECT ?")
                    .addParameters(Value.newBuilder().setDateValue("the day after tomorrow"))).build());
            ServerMessage reply = c.read();
            assertError(reply, ErrorCode.INVALID_ARGUMENT, 30);
            assertThat(reply.getError().getMessage()).contains("date");
            c.send(ClientMessage.newBuilder().setRequestId(31).setExecute(Execute.newBuilder()
                    .setSql("INSERT INTO BYSTANDER VALUES (?)")
                    .addParameters(Value.newBuilder().setDecimalValue("1" + "0".repeat(Values.MAX_NUMBER_TEXT)))).build());
            assertError(c.read(), ErrorCode.INVALID_ARGUMENT, 31);
            assertThat(c.query(32, "SELECT 42")).isEqualTo(42);
        }
        assertOthersUnaffected();
    }

    // ------------------------------------------------------------------------------------
    // Helpers

    /** The bystander connected before the bad input still reads and writes; a new client can log in. */
    private static void assertOthersUnaffected() {
        int id = bystanderRows.incrementAndGet();
        assertThat(bystander.update("INSERT INTO BYSTANDER VALUES (?)", id)).isEqualTo(1);
        assertThat(bystander.execute("SELECT COUNT(*) FROM BYSTANDER").rows().get(0).getLong(0)).isEqualTo(id);
        try (TetraClient fresh = TestServers.admin(server)) {
            assertThat(fresh.execute("SELECT MAX(ID) FROM BYSTANDER").rows().get(0).getInt(0)).isEqualTo(id);
        }
    }

    private static List<Long> sessionIds() {
        return bystander.admin().sessions().stream().map(SessionInfo::getId).toList();
    }

    private static void assertError(ServerMessage reply, ErrorCode code, long requestId) {
        assertThat(reply).as("a reply before the connection closed").isNotNull();
        assertThat(reply.hasError()).as("an error reply: %s", reply).isTrue();
        assertThat(reply.getError().getCode()).as("error code of %s", reply).isEqualTo(code.code());
        assertThat(reply.getRequestId()).isEqualTo(requestId);
        assertThat(reply.getError().getMessage()).isNotBlank().doesNotContain("Exception").doesNotContain("\tat ");
    }

    private static void assertOnlyErrorsThenClosed(List<ServerMessage> replies, long seed) {
        assertThat(replies).as("replies to seed %d", seed).hasSizeLessThanOrEqualTo(1);
        for (ServerMessage m : replies) {
            assertThat(m.hasError()).as("seed %d: %s", seed, m).isTrue();
            assertThat(m.getError().getCode()).as("seed %d", seed)
                    .isIn(ErrorCode.PROTOCOL_ERROR.code(), ErrorCode.FRAME_TOO_LARGE.code());
        }
    }

    private static byte[] varint(int value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            CodedOutputStream coded = CodedOutputStream.newInstance(out);
            coded.writeUInt32NoTag(value);
            coded.flush();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    private static byte[] frame(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(varint(body.length));
        out.writeBytes(body);
        return out.toByteArray();
    }

    /** A plain socket speaking the frame format by hand. */
    private static final class RawConnection implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        RawConnection() throws IOException {
            this(server, "127.0.0.1");
        }

        /** To {@code target}, from local address {@code localAddress} (any of 127.0.0.0/8). */
        RawConnection(TetraServer target, String localAddress) throws IOException {
            socket = new Socket();
            socket.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
            socket.connect(new InetSocketAddress("127.0.0.1", target.boundPort()), READ_TIMEOUT_MILLIS);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);   // a safety net: replies come at once
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        void send(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        void send(ClientMessage m) throws IOException {
            send(frame(m.toByteArray()));
        }

        /** Sends bytes the server may stop reading at any point (it closes on the first bad frame). */
        void sendAllowingClose(byte[] bytes) {
            try {
                send(bytes);
            } catch (IOException closedMeanwhile) {
                // the replies read next show why
            }
        }

        void shutdownOutput() {
            try {
                socket.shutdownOutput();
            } catch (IOException closedMeanwhile) {
                // already closed by the server
            }
        }

        /** Whether bytes from the server have arrived that were not read yet (does not wait). */
        boolean hasUnread() throws IOException {
            return in.available() > 0;
        }

        boolean isOpen() {
            return !socket.isClosed() && socket.isConnected();
        }

        /** The next message; fails if the connection closes first. */
        ServerMessage read() throws IOException {
            ServerMessage m = ServerMessage.parseDelimitedFrom(in);
            if (m == null) {
                throw new EOFException("the server closed the connection without a reply");
            }
            return m;
        }

        /** Every message until the server closes the connection. */
        List<ServerMessage> readUntilClosed() throws IOException {
            List<ServerMessage> messages = new ArrayList<>();
            try {
                for (ServerMessage m; (m = ServerMessage.parseDelimitedFrom(in)) != null; ) {
                    messages.add(m);
                }
            } catch (SocketException reset) {
                // closed with our bytes unread: a reset instead of an orderly end
            }
            return messages;
        }

        void assertClosedByServer() throws IOException {
            assertThat(readUntilClosed()).as("messages after the last expected one").isEmpty();
        }

        ClientMessage hello(long id) {
            return ClientMessage.newBuilder().setRequestId(id).setHello(Hello.newBuilder()
                    .setMinVersion(ProtocolVersion.MIN).setMaxVersion(ProtocolVersion.MAX).setClientName("BadInputIT"))
                    .build();
        }

        /** Hello and AuthStart; returns the server's challenge. */
        AuthChallenge startAuth(String user, String clientNonce) throws IOException {
            send(hello(1));
            ServerMessage h = read();
            assertThat(h.hasHello()).as("hello reply: %s", h).isTrue();
            assertThat(h.getHello().getAuthMechanism()).isEqualTo("SCRAM-SHA-256");
            send(ClientMessage.newBuilder().setRequestId(2).setAuthStart(AuthStart.newBuilder().setUser(user)
                    .setClientNonce(clientNonce)).build());
            ServerMessage ch = read();
            assertThat(ch.hasAuthChallenge()).as("challenge: %s", ch).isTrue();
            assertThat(ch.getAuthChallenge().getNonce()).startsWith(clientNonce);
            return ch.getAuthChallenge();
        }

        ClientMessage authFinal(long id, String user, String clientNonce, AuthChallenge ch, char[] password) {
            byte[] salt = ch.getSalt().toByteArray();
            byte[] salted = Scram.saltedPassword(password, salt, ch.getIterations());
            byte[] authMessage = Scram.authMessage(user, clientNonce, ch.getNonce(), salt, ch.getIterations());
            return ClientMessage.newBuilder().setRequestId(id).setAuthFinal(AuthFinal.newBuilder()
                    .setNonce(ch.getNonce()).setClientProof(ByteString.copyFrom(Scram.clientProof(salted, authMessage))))
                    .build();
        }

        /** The whole handshake; returns the AuthOk message after checking the server's signature. */
        ServerMessage login(String user, String password) throws IOException {
            String clientNonce = Scram.newNonce();
            AuthChallenge ch = startAuth(user, clientNonce);
            send(authFinal(3, user, clientNonce, ch, password.toCharArray()));
            ServerMessage ok = read();
            assertThat(ok.hasAuthOk()).as("auth reply: %s", ok).isTrue();
            byte[] salt = ch.getSalt().toByteArray();
            byte[] salted = Scram.saltedPassword(password.toCharArray(), salt, ch.getIterations());
            assertThat(ok.getAuthOk().getServerSignature().toByteArray()).isEqualTo(Scram.serverSignature(
                    Scram.serverKey(salted), Scram.authMessage(user, clientNonce, ch.getNonce(), salt, ch.getIterations())));
            return ok;
        }

        /** Runs a one-row, one-column integer query; returns its value. */
        int query(long id, String sql) throws IOException {
            send(ClientMessage.newBuilder().setRequestId(id).setExecute(Execute.newBuilder().setSql(sql)).build());
            Integer value = null;
            while (true) {
                ServerMessage m = read();
                assertThat(m.getRequestId()).isEqualTo(id);
                assertThat(m.hasError()).as("%s", m).isFalse();
                if (m.hasRowBatch()) {
                    value = ((Number) Values.toJava(m.getRowBatch().getRows(0).getValues(0))).intValue();
                }
                if (m.hasDone()) {
                    assertThat(value).as("a row before the end").isNotNull();
                    return value;
                }
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

}
