package io.tetradb.server;

import com.google.protobuf.ByteString;
import io.tetradb.client.Result;
import io.tetradb.client.Rows;
import io.tetradb.client.TetraClient;
import io.tetradb.client.TetraFuture;
import io.tetradb.protocol.AuthChallenge;
import io.tetradb.protocol.AuthFinal;
import io.tetradb.protocol.AuthStart;
import io.tetradb.protocol.ClientMessage;
import io.tetradb.client.ErrorCode;
import io.tetradb.protocol.Execute;
import io.tetradb.protocol.Hello;
import io.tetradb.protocol.ProtocolVersion;
import io.tetradb.protocol.Role;
import io.tetradb.protocol.ServerMessage;
import io.tetradb.client.TetraException;
import io.tetradb.protocol.scram.Scram;
import io.tetradb.server.config.ServerConfig;
import io.tetradb.server.session.Session;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The resource limits of docs/protocol.md ("Limits"), each through a real server and as a
 * hostile {@code user} would attack it: statement timeouts, output backpressure for a
 * client that never reads, the open-cursor cap, request bytes in flight, the per-user
 * cap on statements running at once, a prompt cancel, and a single huge value.
 */
@Timeout(180)
class ResourceLimitsIT {
    /** 10^10 rows: never finishes within a test. */
    private static final String CROSS_JOIN_ORDER_BY =
            "SELECT A.X, B.X FROM SYSTEM_RANGE(1, 100000) A, SYSTEM_RANGE(1, 100000) B ORDER BY A.X + B.X DESC";
    private static final String CROSS_JOIN_COUNT =
            "SELECT COUNT(*) FROM SYSTEM_RANGE(1, 100000) A, SYSTEM_RANGE(1, 100000) B";
    /** Scans 10^10 rows as its first row is read, and finds none. */
    private static final String CROSS_JOIN_NO_ROW =
            "SELECT A.X FROM SYSTEM_RANGE(1, 100000) A, SYSTEM_RANGE(1, 100000) B WHERE A.X + B.X < 0";
    private static final String ENDLESS_CTE =
            "WITH RECURSIVE R(N) AS (SELECT 1 UNION ALL SELECT N + 1 FROM R) SELECT COUNT(*) FROM R";

    @TempDir
    Path dir;
    private TetraServer server;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : toClose) {
            try {
                c.close();
            } catch (RuntimeException ignored) {
                // a connection the test broke on purpose
            }
        }
        if (server != null) {
            server.close();
        }
    }

    private void start(Function<ServerConfig.Builder, ServerConfig.Builder> settings, String... users)
            throws IOException {
        server = TetraServer.start(settings.apply(TestServers.config(dir)).build());
        try (TetraClient admin = TestServers.admin(server)) {
            TestServers.tableT(admin, 50);
            for (String u : users) {
                admin.admin().addUser(u, Role.USER, (u + "-password").toCharArray());
            }
        }
    }

    private TetraClient connect(String user) {
        TetraClient c = TestServers.connect(server, user, user + "-password");
        toClose.add(c);
        return c;
    }

    private static TetraException failure(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        assertThat(c).isInstanceOf(TetraException.class);
        return (TetraException) c;
    }

    private static TetraException failureOf(TetraFuture<Result> f) {
        try {
            f.get(120, TimeUnit.SECONDS);
        } catch (Exception e) {
            return failure(e);
        }
        throw new AssertionError("the statement succeeded");
    }

    private Session sessionOf(String user) {
        return server.sessionRegistry().list().stream().filter(s -> s.user().equals(user)).findFirst().orElseThrow();
    }

    // ------------------------------------------------------------------------------------
    // Statement timeouts

    @Test
    void theStatementTimeoutStopsAnEndlessRecursiveQueryAndAHugeSortedCrossJoin() throws IOException {
        start(b -> b.statementTimeout(Role.USER, Duration.ofSeconds(1)), "app");
        TetraClient app = connect("app");

        for (String sql : List.of(ENDLESS_CTE, CROSS_JOIN_ORDER_BY)) {
            assertThatThrownBy(() -> app.execute(sql)).as(sql).isInstanceOfSatisfying(TetraException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.CANCELLED);
                assertThat(e.getMessage()).contains("statement timeout").contains("limits.statementTimeout.user");
            });
            // The session goes on, and the next statement is not cancelled in its place.
            assertThat(app.execute("SELECT COUNT(*) FROM T").rows().get(0).getLong(0)).isEqualTo(50);
        }
    }

    /**
     * Every statement of a user or reader runs under a timeout (5 minutes by default); one that
     * ended must not leave its timeout waiting until the deadline (the timer used before kept
     * each one for the 5 minutes, about 80 bytes a statement: 0.45 GiB at 20,000 a second).
     */
    @Test
    void statementsThatEndedLeaveNoTimeoutBehind() throws IOException {
        start(b -> b, "app");
        TetraClient app = connect("app");
        for (int i = 0; i < 5_000; i++) {
            assertThat(app.execute("SELECT COUNT(*) FROM T WHERE ID > ?", i % 50).rows()).hasSize(1);
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(server.pendingStatementTimeouts())
                .as("statement timeouts still waiting after 5,000 statements ended").isZero());
        // And one still running has its timeout waiting, and cancelled when it ends.
        TetraFuture<Result> f = app.executeAsync(ENDLESS_CTE);
        await().atMost(Duration.ofSeconds(60)).until(() -> server.limits().statementsRunning("app") == 1);
        assertThat(server.pendingStatementTimeouts()).isEqualTo(1);
        f.cancelRequest();
        assertThat(failureOf(f).code()).isEqualTo(ErrorCode.CANCELLED);
        await().atMost(Duration.ofSeconds(10)).until(() -> server.pendingStatementTimeouts() == 0);
    }

    @Test
    void aCancelOfARunningCrossJoinIsAnsweredAndTheSessionGoesOn() throws Exception {
        start(b -> b, "app");
        TetraClient app = connect("app");
        for (String sql : List.of(CROSS_JOIN_ORDER_BY, CROSS_JOIN_COUNT)) {
            TetraFuture<Result> f = app.executeAsync(sql);
            await().atMost(Duration.ofSeconds(60)).until(() -> server.limits().statementsRunning("app") == 1);
            long t0 = System.nanoTime();
            f.cancelRequest();
            TetraException e = failureOf(f);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            System.out.println("ResourceLimitsIT: cancel of [" + sql + "] answered after " + ms + " ms");
            assertThat(e.code()).isEqualTo(ErrorCode.CANCELLED);
            assertThat(app.execute("SELECT COUNT(*) FROM T").rows().get(0).getLong(0)).isEqualTo(50);
        }
    }

    // ------------------------------------------------------------------------------------
    // Output backpressure

    @Test
    void aClientThatNeverReadsItsCursorsHoldsABoundedOutput() throws Exception {
        int outputLimit = 1024 * 1024;
        int frame = 2 * 1024 * 1024;
        start(b -> b.sessionOutputBytes(outputLimit).maxFrameSize(frame), "bulk");
        try (TetraClient admin = TestServers.admin(server)) {
            admin.execute("CREATE TABLE BIG(ID INT PRIMARY KEY, V VARCHAR(1000000))");
            for (int i = 0; i < 40; i++) {
                admin.update("INSERT INTO BIG VALUES (?, REPEAT(?, 200000))", i, String.valueOf((char) ('a' + i % 26)));
            }
        }
        int cursors = 16;
        try (RawConnection raw = new RawConnection(server.boundPort(), 16 * 1024)) {
            raw.login("bulk", "bulk-password");
            for (int i = 0; i < cursors; i++) {
                // One 200 KB row per batch and as much credit as the client may ask for.
                raw.send(ClientMessage.newBuilder().setRequestId(100 + i).setExecute(Execute.newBuilder()
                        .setSql("SELECT V FROM BIG ORDER BY ID").setFetchSize(1).setInitialCredit(1_000_000)).build());
            }
            Session s = sessionOf("bulk");
            // Every Execute ran and its cursor stopped: nothing runs or waits for a worker.
            await().atMost(Duration.ofSeconds(60)).until(() -> s.inFlight() == 0 && s.isOutputStalled());
            long total = 40L * cursors;
            assertThat(s.rowsProduced()).as("rows produced for a client that reads nothing").isLessThan(total / 4);
            assertThat(s.bufferedBytes()).as("bytes of rows waiting for the client")
                    .isLessThanOrEqualTo(outputLimit + frame);
            assertThat(s.pendingOutputBytes()).as("bytes waiting in the channel")
                    .isLessThanOrEqualTo(outputLimit + frame);
            System.out.println("ResourceLimitsIT: a client reading nothing has " + s.pendingOutputBytes()
                    + " bytes waiting in the channel, " + s.bufferedBytes() + " bytes of rows, writable "
                    + s.channel().isWritable() + ", after " + s.rowsProduced() + " of " + total + " rows");

            // Once the client reads, every cursor goes on to its end.
            Map<Long, Long> rows = new HashMap<>();
            int done = 0;
            while (done < cursors) {
                ServerMessage m = raw.read();
                assertThat(m.hasError()).as("reply %s", m.getError()).isFalse();
                if (m.hasRowBatch()) {
                    rows.merge(m.getRequestId(), (long) m.getRowBatch().getRowsCount(), Long::sum);
                } else if (m.hasDone()) {
                    assertThat(m.getDone().getRowCount()).isEqualTo(40);
                    done++;
                }
            }
            assertThat(rows).hasSize(cursors).allSatisfy((id, n) -> assertThat(n).isEqualTo(40));
            assertThat(s.rowsProduced()).isEqualTo(total);
        }
    }

    @Test
    void requestsBeyondTheBytesInFlightBudgetAreNotReadUntilEarlierOnesAreAnswered() throws Exception {
        long budget = 64 * 1024;
        start(b -> b.requestBytesInFlight(budget).statementTimeout(Role.USER, Duration.ofSeconds(5)), "bulk");
        String literal = "x".repeat(16 * 1024);
        int requests = 40;
        try (RawConnection raw = new RawConnection(server.boundPort(), 0)) {
            raw.login("bulk", "bulk-password");
            // Holds the session's worker until the statement timeout stops it.
            raw.send(ClientMessage.newBuilder().setRequestId(10).setExecute(Execute.newBuilder()
                    .setSql(CROSS_JOIN_COUNT)).build());
            Session s = sessionOf("bulk");
            await().atMost(Duration.ofSeconds(30)).until(() -> server.limits().statementsRunning("bulk") == 1);
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 0; i < requests; i++) {
                        raw.send(ClientMessage.newBuilder().setRequestId(100 + i).setExecute(Execute.newBuilder()
                                .setSql("SELECT LENGTH('" + literal + "')")).build());
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }, "ResourceLimitsIT-writer");
            writer.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> !s.channel().config().isAutoRead());
            // Beyond the budget the server holds at most what one read of the socket brought in.
            assertThat(s.requestBytesInFlight()).isGreaterThan(budget).isLessThan(budget + 128 * 1024);
            assertThat(s.inFlight()).isLessThan(requests);

            int answered = 0;
            boolean timedOut = false;
            while (answered < requests || !timedOut) {
                ServerMessage m = raw.read();
                if (m.getRequestId() == 10 && m.hasError()) {
                    assertThat(m.getError().getCode()).isEqualTo(ErrorCode.CANCELLED.code());
                    timedOut = true;
                } else if (m.hasDone()) {
                    answered++;
                }
            }
            writer.join();
            // A worker counts its request answered just after writing the reply: the client
            // can read the last reply a moment before the count comes back to zero.
            await().atMost(Duration.ofSeconds(30)).until(() -> s.requestBytesInFlight() == 0);
            await().atMost(Duration.ofSeconds(30)).until(() -> s.channel().config().isAutoRead());
        }
    }

    @Test
    void aHugeCreditIsClampedAndTheCursorGoesOnToItsEnd() throws Exception {
        start(b -> b, "bulk");
        try (RawConnection raw = new RawConnection(server.boundPort(), 0)) {
            raw.login("bulk", "bulk-password");
            raw.send(ClientMessage.newBuilder().setRequestId(10).setExecute(Execute.newBuilder()
                    .setSql("SELECT ID FROM T ORDER BY ID").setFetchSize(1).setInitialCredit(1)).build());
            assertThat(raw.read().hasResultHeader()).isTrue();
            assertThat(raw.read().getRowBatch().getRowsCount()).isEqualTo(1);
            // The largest credit a client can send: it must not overflow into no credit at all.
            raw.send(ClientMessage.newBuilder().setRequestId(10).setFetchMore(io.tetradb.protocol.FetchMore
                    .newBuilder().setBatches(Integer.MAX_VALUE)).build());
            long rows = 1;
            for (ServerMessage m = raw.read(); !m.hasDone(); m = raw.read()) {
                assertThat(m.hasError()).as("reply %s", m.getError()).isFalse();
                rows += m.getRowBatch().getRowsCount();
                if (rows % 64 == 0) {
                    raw.send(ClientMessage.newBuilder().setRequestId(10).setFetchMore(io.tetradb.protocol.FetchMore
                            .newBuilder().setBatches(Integer.MAX_VALUE)).build());
                }
            }
            assertThat(rows).isEqualTo(50);
        }
    }

    // ------------------------------------------------------------------------------------
    // Cursors per session

    @Test
    void openCursorsPerSessionAreCapped() throws IOException {
        start(b -> b.cursorsPerSession(3), "app");
        TetraClient app = connect("app");
        try (TetraClient admin = TestServers.admin(server)) {
            admin.execute("INSERT INTO T SELECT X, 'more' FROM SYSTEM_RANGE(50, 4999)");
        }
        List<Rows> open = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Rows r = app.statement("SELECT * FROM T ORDER BY ID").fetchSize(10).query();
            assertThat(r.iterator().next().getInt(0)).isZero();
            open.add(r);
        }
        assertThatThrownBy(() -> app.statement("SELECT * FROM T").fetchSize(10).query())
                .isInstanceOfSatisfying(TetraException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.SERVER_BUSY);
                    assertThat(e.getMessage()).contains("open cursors").contains("limits.cursorsPerSession");
                });
        // Statements without a result are not cursors: they still run.
        assertThat(app.update("UPDATE T SET V = 'changed' WHERE ID = 1")).isEqualTo(1);
        open.remove(0).close();
        try (Rows r = app.statement("SELECT * FROM T ORDER BY ID").fetchSize(10).query()) {
            assertThat(r.iterator().next().getInt(0)).isZero();
        }
        open.forEach(Rows::close);
    }

    // ------------------------------------------------------------------------------------
    // Statements per user

    @Test
    void oneAccountsManyHeavyStatementsLeaveAnotherAccountServed() throws Exception {
        int perUser = 2;
        int connections = 6;
        start(b -> b.workerThreads(4).statementsPerUser(perUser), "mallory", "alice");
        List<TetraFuture<Result>> heavy = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            // Half of them produce their rows as they are read (a lazy result): that counts as running too.
            heavy.add(connect("mallory").executeAsync(i % 2 == 0 ? CROSS_JOIN_COUNT : CROSS_JOIN_NO_ROW));
        }
        // Every statement beyond the cap waits, holding no thread; the others run.
        await().atMost(Duration.ofSeconds(60)).until(() -> server.limits().statementsRunning("mallory") == perUser);
        assertThat(heavy).as("none refused, none done").noneMatch(java.util.concurrent.CompletableFuture::isDone);
        // With mallory's statements all running, alice is answered.
        TetraClient alice = connect("alice");
        long t0 = System.nanoTime();
        assertThat(alice.execute("SELECT COUNT(*) FROM T").rows().get(0).getLong(0)).isEqualTo(50);
        System.out.println("ResourceLimitsIT: alice answered after "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms while mallory's statements ran");
        assertThat(server.limits().statementsRunning("mallory")).isEqualTo(perUser);
        // Waiting or running, each is cancelled (a waiting one never runs; each cancel of a running one
        // lets a waiting one start, which its own cancel then stops).
        for (TetraFuture<Result> f : heavy) {
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                f.cancelRequest();
                return f.isDone();
            });
            assertThat(failureOf(f).code()).isEqualTo(ErrorCode.CANCELLED);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> server.limits().statementsRunning("mallory") == 0);
    }

    @Test
    void aStatementBeyondTheAccountsCapWaitsAndRunsWhenOneEnds() throws Exception {
        start(b -> b.statementsPerUser(1), "mallory");
        TetraFuture<Result> heavy = connect("mallory").executeAsync(CROSS_JOIN_COUNT);
        await().atMost(Duration.ofSeconds(60)).until(() -> server.limits().statementsRunning("mallory") == 1);
        TetraClient second = connect("mallory");
        TetraFuture<Result> light = second.executeAsync("SELECT COUNT(*) FROM T");
        TetraFuture<Result> dropped = second.executeAsync("SELECT 2");
        // Queued behind the waiting one in its session: cancelled before it ran.
        dropped.cancelRequest();
        assertThat(failureOf(dropped).code()).isEqualTo(ErrorCode.CANCELLED);
        assertThat(light).as("waits for mallory's running statement").isNotDone();
        heavy.cancelRequest();
        assertThat(failureOf(heavy).code()).isEqualTo(ErrorCode.CANCELLED);
        assertThat(light.get(60, TimeUnit.SECONDS).rows().get(0).getLong(0)).isEqualTo(50);
        // A waiting statement's Cancel takes it out of the wait: it is answered 2009 and never runs.
        TetraFuture<Result> again = connect("mallory").executeAsync(CROSS_JOIN_COUNT);
        await().atMost(Duration.ofSeconds(60)).until(() -> server.limits().statementsRunning("mallory") == 1);
        TetraFuture<Result> waiting = second.executeAsync("INSERT INTO T VALUES (1000, 'never')");
        waiting.cancelRequest();
        assertThat(failureOf(waiting).code()).isEqualTo(ErrorCode.CANCELLED);
        again.cancelRequest();
        assertThat(failureOf(again).code()).isEqualTo(ErrorCode.CANCELLED);
        assertThat(second.execute("SELECT COUNT(*) FROM T WHERE ID = 1000").rows().get(0).getLong(0)).isZero();
    }

    // ------------------------------------------------------------------------------------
    // A single huge value

    @Test
    void aHugeRepeatIsAnsweredWithAnErrorAndTheServerGoesOnWithItsData() throws IOException {
        start(b -> b, "app");
        TetraClient app = connect("app");
        // A constant: H2 evaluates it while preparing; the allocation fails at once and is answered.
        assertThatThrownBy(() -> app.execute("SELECT REPEAT('x', 1000000000)"))
                .isInstanceOfSatisfying(TetraException.class, e -> assertThat(e.getMessage()).contains("memory"));
        assertThat(app.execute("SELECT COUNT(*) FROM T").rows().get(0).getLong(0)).isEqualTo(50);

        // A parameter, the row produced as it is read: it fails while the row is read, and is answered.
        TetraClient bystander = connect("app");
        assertThatThrownBy(() -> app.execute("SELECT REPEAT('x', ?)", 1_000_000_000))
                .isInstanceOfSatisfying(TetraException.class, e -> assertThat(e.getMessage()).contains("memory"));
        assertThat(bystander.execute("SELECT COUNT(*) FROM T").rows().get(0).getLong(0)).isEqualTo(50);

        // A parameter in a query H2 computes whole (DISTINCT): it fails while H2 executes, and H2 then
        // closes its database at once; the server reopens it. H2 writes its data file lazily (its write
        // delay), so what was committed in the last half second before such a close is lost until the
        // log file of docs/log-file.md exists: the table is made durable first, as it is in any older database.
        synchronized (server.database()) {
            try (java.sql.Statement st = server.database().system().createStatement()) {
                st.execute("CHECKPOINT");
            } catch (java.sql.SQLException e) {
                throw new IOException(e);
            }
        }
        assertThatThrownBy(() -> app.execute("SELECT DISTINCT REPEAT('x', ?)", 1_000_000_000))
                .isInstanceOfSatisfying(TetraException.class, e -> assertThat(e.getMessage()).contains("memory"));
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
            try (TetraClient again = TestServers.connect(server, "app", "app-password")) {
                return again.execute("SELECT COUNT(*) FROM T").rows().get(0).getLong(0) == 50
                        && again.update("INSERT INTO T VALUES (1000, 'after')") == 1;
            }
        });
        // The sessions open before were told why they were closed.
        assertThatThrownBy(() -> bystander.execute("SELECT 1")).isInstanceOfSatisfying(TetraException.class,
                e -> assertThat(e.code()).isIn(ErrorCode.SESSION_CLOSED, ErrorCode.CONNECTION_LOST));
        assertThat(server.state()).isEqualTo("RUNNING");
    }

    @Test
    void aValueLargerThanAFrameIsRefusedWithTheFrameLimit() throws IOException {
        start(b -> b.maxFrameSize(1024 * 1024), "app");
        TetraClient app = connect("app");
        assertThatThrownBy(() -> app.execute("SELECT REPEAT('x', 2000000)"))
                .isInstanceOfSatisfying(TetraException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
                    assertThat(e.getMessage()).contains("2000000 characters").contains("1048576");
                });
        assertThat(app.execute("SELECT COUNT(*) FROM T").rows().get(0).getLong(0)).isEqualTo(50);
    }

    // ------------------------------------------------------------------------------------

    /** A client that speaks the frame format by hand and reads only when the test says so. */
    private static final class RawConnection implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        RawConnection(int port, int receiveBuffer) throws IOException {
            socket = new Socket();
            if (receiveBuffer > 0) {
                socket.setReceiveBufferSize(receiveBuffer);
            }
            socket.connect(new InetSocketAddress("127.0.0.1", port));
            socket.setSoTimeout(60_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        synchronized void send(ClientMessage m) throws IOException {
            m.writeDelimitedTo(out);
            out.flush();
        }

        ServerMessage read() throws IOException {
            ServerMessage m = ServerMessage.parseDelimitedFrom(in);
            if (m == null) {
                throw new EOFException("the server closed the connection");
            }
            return m;
        }

        void login(String user, String password) throws IOException {
            send(ClientMessage.newBuilder().setRequestId(1).setHello(Hello.newBuilder()
                    .setMinVersion(ProtocolVersion.MIN).setMaxVersion(ProtocolVersion.MAX)
                    .setClientName("ResourceLimitsIT")).build());
            assertThat(read().hasHello()).isTrue();
            String nonce = Scram.newNonce();
            send(ClientMessage.newBuilder().setRequestId(2).setAuthStart(AuthStart.newBuilder().setUser(user)
                    .setClientNonce(nonce)).build());
            AuthChallenge ch = read().getAuthChallenge();
            byte[] salt = ch.getSalt().toByteArray();
            byte[] salted = Scram.saltedPassword(password.toCharArray(), salt, ch.getIterations());
            byte[] authMessage = Scram.authMessage(user, nonce, ch.getNonce(), salt, ch.getIterations());
            send(ClientMessage.newBuilder().setRequestId(3).setAuthFinal(AuthFinal.newBuilder()
                    .setNonce(ch.getNonce()).setClientProof(ByteString.copyFrom(Scram.clientProof(salted, authMessage))))
                    .build());
            ServerMessage ok = read();
            assertThat(ok.hasAuthOk()).as("auth reply: %s", ok).isTrue();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
