package io.tetradb.server.net;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.tetradb.client.TetraClient;
import io.tetradb.protocol.AddUser;
import io.tetradb.protocol.AdminRequest;
import io.tetradb.protocol.AuthChallenge;
import io.tetradb.protocol.AuthFinal;
import io.tetradb.protocol.AuthStart;
import io.tetradb.protocol.BackupHistoryRequest;
import io.tetradb.protocol.BackupJournalRequest;
import io.tetradb.protocol.BackupSettingsRequest;
import io.tetradb.protocol.BackupStatusRequest;
import io.tetradb.protocol.Begin;
import io.tetradb.protocol.Cancel;
import io.tetradb.protocol.ClientMessage;
import io.tetradb.protocol.CloseCursor;
import io.tetradb.protocol.Commit;
import io.tetradb.client.ErrorCode;
import io.tetradb.protocol.Execute;
import io.tetradb.protocol.FetchMore;
import io.tetradb.protocol.Goodbye;
import io.tetradb.protocol.Hello;
import io.tetradb.protocol.KillSession;
import io.tetradb.protocol.ListSessions;
import io.tetradb.protocol.ListUsers;
import io.tetradb.protocol.Ping;
import io.tetradb.protocol.ProtocolVersion;
import io.tetradb.protocol.RemoveUser;
import io.tetradb.protocol.RestoreBackup;
import io.tetradb.protocol.Role;
import io.tetradb.protocol.Rollback;
import io.tetradb.protocol.ScramCredentials;
import io.tetradb.protocol.ServerMessage;
import io.tetradb.protocol.SessionInfo;
import io.tetradb.protocol.SetBackupSettings;
import io.tetradb.protocol.SetPassword;
import io.tetradb.protocol.StartBackup;
import io.tetradb.protocol.StatusRequest;
import io.tetradb.protocol.StopBackup;
import io.tetradb.protocol.SubscribeEvents;
import io.tetradb.protocol.Value;
import io.tetradb.protocol.ValueList;
import io.tetradb.protocol.VerifyBackup;
import io.tetradb.protocol.WaitPolicy;
import io.tetradb.protocol.scram.Scram;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * Fuzzing past the handshake: connections that log in for real (SCRAM-SHA-256 over a raw
 * socket) as admin, user and reader, then send valid {@link ClientMessage} frames with
 * absurd field values, generated from a fixed seed: negative, huge, zero and duplicated
 * request ids; huge, zero and negative (above 2^31 as uint32) fetch sizes, credits and
 * batches; FetchMore, CloseCursor and Cancel for unknown cursors and for other sessions'
 * requests; absurd wait policies and wait_at_most values; huge parameter lists; every
 * Value kind with absurd content (huge decimals, malformed dates, uuids and numbers,
 * deeply nested and wide arrays); every admin request from roles that may not send them;
 * Begin, Commit and Rollback in any order; every other oneof body; Goodbye while cursors
 * stream; frames pipelined right behind AuthFinal.
 *
 * <p>Messages go out in small pipelined bursts, each followed by a barrier (an Execute
 * with an id of a reserved range, answered in session order after the burst), and every
 * wait is bounded. Checked after every burst: each request that must be answered got
 * exactly one final reply (Done, Error, Ok or AdminReply) or is a cursor still open; no
 * request was answered twice; no reply names a request this connection never sent; every
 * error is a code of ErrorCode, never 2000 and never a stack trace; the connection was not
 * closed by the server. At the end of a connection every cursor is closed and every
 * request must have been answered exactly once. At the end of the run: no ERROR logged by
 * the server, a client connected before the fuzz and a new one still read and write right
 * answers, the sessions list is what it was before, and the server JVM (this JVM) has not
 * grown threads beyond its pools.
 *
 * <p>Seed, message count and connections: system properties {@code tetra.fuzz.seed},
 * {@code tetra.fuzz.messages} and {@code tetra.fuzz.connections} (see docs/security-fuzzing.md).
 */
@Timeout(300)
class AuthenticatedFuzzIT {
    private static final long SEED = Long.getLong("tetra.fuzz.seed", 20_261_201L);
    private static final int MESSAGES = Integer.getInteger("tetra.fuzz.messages", 3000);
    private static final int CONNECTIONS = Integer.getInteger("tetra.fuzz.connections", 6);
    private static final int PARALLEL = 3;
    private static final int WORKER_THREADS = 8;
    /** No single reply takes this long; a wait this long is a hang. */
    private static final long REPLY_TIMEOUT_MILLIS = 20_000;
    /** Barrier request ids: never generated by the fuzzer. */
    private static final long BARRIER_BASE = 0x5A00_0000_0000_0000L;
    private static final int FUZZ_ROWS = 300;
    private static final String USER = "fz-user";
    private static final String READER = "fz-reader";
    private static final String PASSWORD = "fuzz-password-1";

    @TempDir
    static Path dir;
    static TetraServer server;
    /** Connected before the fuzz; must keep working throughout. */
    static TetraClient bystander;
    static ErrorLog errorLog;

    @BeforeAll
    static void start() throws Exception {
        errorLog = ErrorLog.install();
        org.slf4j.LoggerFactory.getLogger("io.tetradb.fuzz").error("AuthenticatedFuzzIT: a probe of the error capture.");
        assertThat(errorLog.errors).as("the capture of errors logged works").hasSize(1);
        errorLog.errors.clear();
        server = TetraServer.start(TestServers.config(dir).workerThreads(WORKER_THREADS).build());
        bystander = TestServers.admin(server);
        bystander.execute("CREATE TABLE FUZZ(ID INT PRIMARY KEY, V VARCHAR(100))");
        bystander.execute("INSERT INTO FUZZ SELECT X, 'value ' || X FROM SYSTEM_RANGE(1, " + FUZZ_ROWS + ")");
        bystander.execute("CREATE TABLE FUZZ_SCRATCH(ID BIGINT PRIMARY KEY, V VARCHAR(1000))");
        bystander.execute("CREATE TABLE HONEST(ID INT PRIMARY KEY, AMOUNT BIGINT)");
        bystander.admin().addUser(USER, Role.USER, PASSWORD.toCharArray());
        bystander.admin().addUser(READER, Role.READER, PASSWORD.toCharArray());
    }

    @AfterAll
    static void stop() {
        if (bystander != null) {
            bystander.close();
        }
        if (server != null) {
            server.close();
        }
        if (errorLog != null) {
            errorLog.remove();
        }
    }

    @Test
    void validFramesWithAbsurdValuesAreAnsweredAndHarmNoOne() throws Exception {
        Set<Long> sessionsBefore = new HashSet<>(sessionIds());
        int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
        int honestBefore = honestRound(0);

        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL);
        List<Future<Stats>> runs = new ArrayList<>();
        try {
            int perConnection = Math.max(1, MESSAGES / CONNECTIONS);
            for (int c = 0; c < CONNECTIONS; c++) {
                int index = c;
                runs.add(pool.submit(() -> new Fuzzer(index, new Random(SEED * 1_000_003L + index), perConnection).run()));
            }
            Stats total = new Stats();
            for (Future<Stats> f : runs) {
                total.add(f.get(240, TimeUnit.SECONDS));
            }
            System.out.printf("AuthenticatedFuzzIT seed %d: %d messages over %d connections (%d logins); bodies %s;"
                    + " error codes %s%n", SEED, total.messages, CONNECTIONS, total.logins, total.bodies, total.codes);
            assertThat(total.messages).isGreaterThanOrEqualTo(MESSAGES - CONNECTIONS);
            assertThat(total.bodies.keySet()).as("every oneof body was sent")
                    .containsAll(List.of(ClientMessage.BodyCase.values()));
        } finally {
            pool.shutdownNow();
        }

        // The server is healthy: a session from before and a new one read and write right answers.
        int honestAfter = honestRound(honestBefore);
        assertThat(honestAfter).isGreaterThan(honestBefore);
        assertThat(bystander.execute("SELECT COUNT(*), SUM(ID) FROM FUZZ").rows().get(0).getLong(1))
                .as("the fuzzed sessions' own writes never touched FUZZ").isEqualTo((long) FUZZ_ROWS * (FUZZ_ROWS + 1) / 2);
        // Every fuzz session is gone, nothing else was closed.
        // (Sessions of the class's earlier tests may still have been closing when the list was taken.)
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(new HashSet<>(sessionIds()))
                .contains(bystander.sessionId()).isSubsetOf(sessionsBefore));
        // Threads: the server's pools (workers, event loops, timers) are bounded; nothing per message or session.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                ManagementFactory.getThreadMXBean().getThreadCount())
                .as("threads of this JVM (before the fuzz: %d)", threadsBefore)
                .isLessThanOrEqualTo(threadsBefore + WORKER_THREADS + 2 * Runtime.getRuntime().availableProcessors() + 8));
        assertThat(errorLog.errors).as("errors logged by the server").isEmpty();
    }

    // ------------------------------------------------------------------------------------
    // What the fuzzer found, pinned one by one

    /**
     * A Cancel of request id 0 pipelined right behind AuthFinal removed the session's
     * internal task that opens its engine connection (internal tasks have id 0): AuthOk
     * never came and the session had no connection.
     */
    @Test
    void cancelOfIdZeroRightBehindAuthFinalLeavesTheLoginWhole() throws IOException {
        for (int i = 0; i < 20; i++) {
            try (Raw c = new Raw()) {
                c.login(USER, PASSWORD, List.of(
                        ClientMessage.newBuilder().setRequestId(5).setCancel(Cancel.newBuilder().setTargetRequestId(0)).build(),
                        ClientMessage.newBuilder().setRequestId(6).setExecute(Execute.newBuilder().setSql("SELECT 6 * 7"))
                                .build()));
                List<ServerMessage> replies = c.readUntil(6, ServerMessage::hasDone);
                assertThat(replies).as("round %d: %s", i, replies).noneMatch(ServerMessage::hasError);
                assertThat(replies).as("round %d: the Cancel answered Ok", i)
                        .anyMatch(m -> m.getRequestId() == 5 && m.hasOk());
                assertThat(replies).as("round %d: nothing for id 0", i).noneMatch(m -> m.getRequestId() == 0);
            }
        }
    }

    /**
     * An Execute reusing the id of a cursor still open replaced that cursor in the
     * session's map: the first query then never ended and its result stayed open until
     * the session closed. Now it is refused with 2010 and the first cursor goes on.
     */
    @Test
    void executeWithTheIdOfAnOpenCursorIsRefusedAndTheCursorGoesOn() throws IOException {
        try (Raw c = new Raw()) {
            c.login(USER, PASSWORD, List.of());
            ClientMessage query = ClientMessage.newBuilder().setRequestId(7).setExecute(Execute.newBuilder()
                    .setSql("SELECT ID FROM FUZZ ORDER BY ID").setFetchSize(1).setInitialCredit(1)).build();
            c.send(query);
            assertThat(c.read(0).hasResultHeader()).isTrue();
            assertThat(c.read(0).getRowBatch().getRowsCount()).isEqualTo(1);
            c.send(query);
            ServerMessage refused = c.read(0);
            assertThat(refused.getRequestId()).isEqualTo(7);
            assertThat(refused.hasError()).as("%s", refused).isTrue();
            assertThat(refused.getError().getCode()).isEqualTo(ErrorCode.INVALID_ARGUMENT.code());
            assertThat(refused.getError().getMessage()).contains("still open");
            // the first cursor is intact: one more row, then closing it ends it
            c.send(ClientMessage.newBuilder().setRequestId(7).setFetchMore(FetchMore.newBuilder().setBatches(1)).build());
            ServerMessage row = c.read(0);
            assertThat(row.getRowBatch().getRows(0).getValues(0).getIntValue()).isEqualTo(2);
            c.send(ClientMessage.newBuilder().setRequestId(7).setCloseCursor(CloseCursor.getDefaultInstance()).build());
            ServerMessage done = c.read(0);
            assertThat(done.hasDone()).as("%s", done).isTrue();
            assertThat(done.getDone().getRowCount()).isEqualTo(2);
        }
    }

    /**
     * A Cancel naming a cursor whose FetchMore was still queued dropped the FetchMore and
     * answered 2009, while the cursor itself stayed open (its rows came later, after the
     * client had been told the query was cancelled). Now the Cancel closes the cursor,
     * after the queued FetchMore, and the query gets exactly one end.
     */
    @Test
    void cancelOfACursorWhoseFetchMoreIsQueuedEndsTheCursorOnce() throws IOException {
        try (Raw c = new Raw()) {
            c.login(USER, PASSWORD, List.of());
            c.send(ClientMessage.newBuilder().setRequestId(8).setExecute(Execute.newBuilder()
                    .setSql("SELECT ID FROM FUZZ ORDER BY ID").setFetchSize(1).setInitialCredit(1)).build());
            assertThat(c.read(0).hasResultHeader()).isTrue();
            assertThat(c.read(0).hasRowBatch()).isTrue();
            // pipelined: a slow statement, the FetchMore queued behind it, the Cancel while both wait
            c.send(ClientMessage.newBuilder().setRequestId(9).setExecute(Execute.newBuilder()
                    .setSql("SELECT SUM(X) FROM SYSTEM_RANGE(1, 3000000)")).build());
            c.send(ClientMessage.newBuilder().setRequestId(8).setFetchMore(FetchMore.newBuilder().setBatches(1)).build());
            c.send(ClientMessage.newBuilder().setRequestId(10).setCancel(Cancel.newBuilder().setTargetRequestId(8)).build());
            c.send(ClientMessage.newBuilder().setRequestId(8).setCloseCursor(CloseCursor.getDefaultInstance()).build());
            c.send(ClientMessage.newBuilder().setRequestId(11).setExecute(Execute.newBuilder().setSql("SELECT 11")).build());
            List<ServerMessage> replies = c.readUntil(11, ServerMessage::hasDone);
            List<ServerMessage> ends = replies.stream().filter(m -> m.getRequestId() == 8)
                    .filter(m -> m.hasDone() || m.hasError()).toList();
            assertThat(ends).as("ends of query 8 among %s", replies).hasSize(1);
            assertThat(replies).anyMatch(m -> m.getRequestId() == 10 && m.hasOk());
            assertThat(replies).anyMatch(m -> m.getRequestId() == 9 && m.hasDone());
        }
    }

    /**
     * A double NaN or infinity in an array parameter beside a decimal becomes a DECFLOAT element, which
     * has no BigDecimal: encoding the row threw out of H2 (an internal error, logged as
     * unexpected), and a DECFLOAT NaN column was a 2006. Both are now sent as doubles.
     */
    @Test
    void decfloatNaNAndInfinitiesAreAnswered() throws IOException {
        try (Raw c = new Raw()) {
            c.login(USER, PASSWORD, List.of());
            c.send(ClientMessage.newBuilder().setRequestId(12).setExecute(Execute.newBuilder().setSql("SELECT ?")
                    .addParameters(Value.newBuilder().setArrayValue(ValueList.newBuilder()
                            .addValues(Value.newBuilder().setArrayValue(ValueList.newBuilder()
                                    .addValues(Value.newBuilder().setDoubleValue(Double.NaN))
                                    .addValues(Value.newBuilder().setDoubleValue(Double.NEGATIVE_INFINITY))
                                    .addValues(Value.newBuilder().setDecimalValue("1.5"))))))).build());
            List<ServerMessage> replies = c.readUntil(12, m -> m.hasDone() || m.hasError());
            assertThat(replies).as("%s", replies).noneMatch(ServerMessage::hasError);
            Value inner = replies.stream().filter(ServerMessage::hasRowBatch).findFirst().orElseThrow().getRowBatch()
                    .getRows(0).getValues(0).getArrayValue().getValues(0);
            assertThat(inner.getArrayValue().getValues(0).getDoubleValue()).isNaN();
            assertThat(inner.getArrayValue().getValues(1).getDoubleValue()).isEqualTo(Double.NEGATIVE_INFINITY);
            assertThat(new java.math.BigDecimal(inner.getArrayValue().getValues(2).getDecimalValue()))
                    .isEqualByComparingTo("1.5");

            c.send(ClientMessage.newBuilder().setRequestId(13).setExecute(Execute.newBuilder()
                    .setSql("SELECT CAST('NaN' AS DECFLOAT), CAST('Infinity' AS DECFLOAT), CAST(2.5 AS DECFLOAT)")).build());
            replies = c.readUntil(13, m -> m.hasDone() || m.hasError());
            assertThat(replies).as("%s", replies).noneMatch(ServerMessage::hasError);
            List<Value> row = replies.stream().filter(ServerMessage::hasRowBatch).findFirst().orElseThrow().getRowBatch()
                    .getRows(0).getValuesList();
            assertThat(row.get(0).getDoubleValue()).isNaN();
            assertThat(row.get(1).getDoubleValue()).isEqualTo(Double.POSITIVE_INFINITY);
            assertThat(new java.math.BigDecimal(row.get(2).getDecimalValue())).isEqualByComparingTo("2.5");
        }
        assertThat(errorLog.errors).as("errors logged by the server").isEmpty();
    }

    /**
     * The honest client's check: a new session writes rows in a transaction and reads back
     * exactly what it wrote and the bystander sees it. Returns the rows now in HONEST.
     */
    private static int honestRound(int rowsBefore) {
        try (TetraClient honest = TestServers.admin(server)) {
            honest.begin();
            for (int i = 1; i <= 10; i++) {
                assertThat(honest.update("INSERT INTO HONEST VALUES (?, ?)", rowsBefore + i, (long) i * 1000)).isEqualTo(1);
            }
            honest.commit();
            assertThat(honest.execute("SELECT COUNT(*) FROM HONEST").rows().get(0).getLong(0)).isEqualTo(rowsBefore + 10);
            assertThat(honest.execute("SELECT SUM(AMOUNT) FROM HONEST WHERE ID > ?", rowsBefore).rows().get(0).getLong(0))
                    .isEqualTo(55_000L);
            assertThat(honest.execute("SELECT V FROM FUZZ WHERE ID = 42").rows().get(0).getString(0)).isEqualTo("value 42");
        }
        assertThat(bystander.execute("SELECT MAX(ID) FROM HONEST").rows().get(0).getInt(0)).isEqualTo(rowsBefore + 10);
        return rowsBefore + 10;
    }

    private static List<Long> sessionIds() {
        return bystander.admin().sessions().stream().map(SessionInfo::getId).toList();
    }

    // ------------------------------------------------------------------------------------
    // The fuzzer

    /** What the connections sent and were told. */
    static final class Stats {
        int messages;
        int logins;
        final Map<ClientMessage.BodyCase, Integer> bodies = new EnumMap<>(ClientMessage.BodyCase.class);
        final Map<Integer, Integer> codes = new TreeMap<>();

        void add(Stats o) {
            messages += o.messages;
            logins += o.logins;
            o.bodies.forEach((k, v) -> bodies.merge(k, v, Integer::sum));
            o.codes.forEach((k, v) -> codes.merge(k, v, Integer::sum));
        }
    }

    /** One fuzzing connection (and its successors after a Goodbye or an abrupt close). */
    private static final class Fuzzer {
        private final int index;
        private final Random rnd;
        private final int budget;
        private final Role role;
        private final Stats stats = new Stats();
        private Raw conn;
        private long barrierCounter;
        /** Per request id: replies that must still come (one final reply per request). */
        private final Map<Long, Integer> expected = new HashMap<>();
        private final Map<Long, Integer> finals = new HashMap<>();
        private final Map<Long, Integer> headers = new HashMap<>();
        private final Set<Long> sent = new HashSet<>();
        private final List<Long> recentIds = new ArrayList<>();
        private int tables;
        /** What was sent and received, per request id, since the connection opened (for failure messages). */
        private final Map<Long, List<String>> trail = new HashMap<>();

        Fuzzer(int index, Random rnd, int budget) {
            this.index = index;
            this.rnd = rnd;
            this.budget = budget;
            this.role = switch (index % 3) {
                case 0 -> Role.USER;
                case 1 -> Role.READER;
                default -> Role.ADMIN;
            };
        }

        Stats run() throws IOException {
            connect();
            try {
                while (stats.messages < budget) {
                    int choice = rnd.nextInt(100);
                    if (choice < 2) {
                        goodbye(rnd.nextBoolean());
                    } else if (choice < 3) {
                        // abrupt close with cursors and requests in flight
                        conn.close();
                        connect();
                    } else {
                        burst(1 + rnd.nextInt(6));
                    }
                }
                goodbye(false);
            } finally {
                if (conn != null) {
                    conn.close();
                }
            }
            return stats;
        }

        private void connect() throws IOException {
            expected.clear();
            finals.clear();
            headers.clear();
            sent.clear();
            recentIds.clear();
            trail.clear();
            conn = new Raw();
            stats.logins++;
            String user = switch (role) {
                case ADMIN -> "admin";
                case READER -> READER;
                default -> USER;
            };
            String password = role == Role.ADMIN ? TestServers.ADMIN_PASSWORD : PASSWORD;
            List<ClientMessage> pipelined = new ArrayList<>();
            if (rnd.nextInt(3) == 0) {
                // Requests right behind AuthFinal, before AuthOk has come: Cancel of ids 0 and 1, a ping.
                pipelined.add(msg(1).setCancel(Cancel.newBuilder().setTargetRequestId(0)).build());
                pipelined.add(msg(2).setCancel(Cancel.newBuilder().setTargetRequestId(rnd.nextBoolean() ? 1 : -1)).build());
                pipelined.add(msg(3).setPing(Ping.getDefaultInstance()).build());
                pipelined.add(msg(4).setExecute(Execute.newBuilder().setSql("SELECT 1")).build());
            }
            conn.login(user, password, pipelined);
            for (ClientMessage m : pipelined) {
                note(m.getRequestId(), "pipelined behind AuthFinal: " + brief(m));
                expect(m);
            }
            barrier();
        }

        /** Goodbye: after closing every cursor and checking every answer, or in the middle of streaming rows. */
        private void goodbye(boolean midStream) throws IOException {
            if (!midStream) {
                drain();
            }
            long id = nextId();
            ClientMessage bye = msg(id).setGoodbye(Goodbye.getDefaultInstance()).build();
            conn.send(bye);
            count(bye);
            // Ok, then the server closes; rows of open cursors may come before the Ok.
            boolean ok = false;
            for (ServerMessage m; (m = conn.readOrNull()) != null; ) {
                check(m);
                if (m.getRequestId() == id && m.hasOk()) {
                    ok = true;
                }
            }
            assertThat(ok).as("connection %d: Goodbye answered Ok before the close", index).isTrue();
            conn.close();
            conn = null;
            if (stats.messages < budget) {
                connect();
            }
        }

        /** Closes every cursor that may be open, then checks that every request was answered exactly once. */
        private void drain() throws IOException {
            for (Map.Entry<Long, Integer> e : new ArrayList<>(expected.entrySet())) {
                long open = e.getValue() - finals.getOrDefault(e.getKey(), 0);
                for (long i = 0; i < open; i++) {
                    conn.send(msg(e.getKey()).setCloseCursor(CloseCursor.getDefaultInstance()).build());
                }
            }
            barrier();
            for (Map.Entry<Long, Integer> e : expected.entrySet()) {
                assertThat(finals.getOrDefault(e.getKey(), 0)).as("connection %d (%s): final replies to request %d"
                        + " after every cursor was closed (headers %d)", index, role, e.getKey(),
                        headers.getOrDefault(e.getKey(), 0)).isEqualTo(e.getValue());
            }
        }

        private void burst(int size) throws IOException {
            for (int i = 0; i < size && stats.messages < budget; i++) {
                ClientMessage m = next();
                if (m.hasGoodbye()) {
                    continue;   // Goodbye has its own step
                }
                conn.send(m);
                count(m);
                expect(m);
            }
            barrier();
            if (rnd.nextInt(25) == 0) {
                drain();
            }
        }

        private void note(long id, String what) {
            List<String> t = trail.computeIfAbsent(id, k -> new ArrayList<>());
            if (t.size() < 40) {
                t.add(what);
            }
        }

        private static String brief(ClientMessage m) {
            String s = m.getBodyCase() + (m.hasExecute() ? " " + m.getExecute().getSql() : m.hasCancel()
                    ? " of " + m.getCancel().getTargetRequestId() : m.hasAdmin() ? " " + m.getAdmin().getKindCase() : "");
            return "sent " + (s.length() > 80 ? s.substring(0, 80) + "..." : s);
        }

        private void count(ClientMessage m) {
            note(m.getRequestId(), brief(m));
            stats.messages++;
            stats.bodies.merge(m.getBodyCase(), 1, Integer::sum);
            sent.add(m.getRequestId());
        }

        /** Records the final reply the message must get (FetchMore and CloseCursor get none of their own). */
        private void expect(ClientMessage m) {
            sent.add(m.getRequestId());
            if (!m.hasFetchMore() && !m.hasCloseCursor()) {
                expected.merge(m.getRequestId(), 1, Integer::sum);
            }
        }

        /**
         * Sends a barrier and reads until its answer; then checks what came: no request
         * answered more often than sent, and every unanswered request is a cursor still open.
         */
        private void barrier() throws IOException {
            long id = BARRIER_BASE + (long) index * 1_000_000 + ++barrierCounter;
            conn.send(msg(id).setExecute(Execute.newBuilder().setSql("SELECT " + barrierCounter)).build());
            while (true) {
                ServerMessage m = conn.read(index);
                if (m.getRequestId() == id) {
                    if (m.hasError()) {
                        checkError(m);
                        return;
                    }
                    if (m.hasDone()) {
                        break;
                    }
                    continue;
                }
                check(m);
            }
            for (Map.Entry<Long, Integer> e : expected.entrySet()) {
                long reqId = e.getKey();
                int got = finals.getOrDefault(reqId, 0);
                assertThat(got).as("connection %d (%s): final replies to request %d (sent %d)", index, role, reqId,
                        e.getValue()).isLessThanOrEqualTo(e.getValue());
                assertThat(e.getValue() - got).as("connection %d (%s): requests %d unanswered at the barrier beyond its"
                        + " open cursors; its trail %s", index, role, reqId, trail.get(reqId))
                        .isLessThanOrEqualTo(headers.getOrDefault(reqId, 0));
            }
        }

        /** One reply to a fuzzed request. */
        private void check(ServerMessage m) {
            long id = m.getRequestId();
            if (m.hasEvent()) {
                return;   // pushed (an admin may subscribe to backup events)
            }
            assertThat(sent).as("connection %d: a reply to request %d, never sent here: %s", index, id, m).contains(id);
            note(id, "got " + m.getBodyCase() + (m.hasError() ? " " + m.getError().getCode() + " "
                    + m.getError().getMessage() : ""));
            switch (m.getBodyCase()) {
                case ERROR:
                    checkError(m);
                    finals.merge(id, 1, Integer::sum);
                    break;
                case DONE:
                case OK:
                case ADMIN:
                case DESCRIPTION:
                    finals.merge(id, 1, Integer::sum);
                    break;
                case RESULT_HEADER:
                    headers.merge(id, 1, Integer::sum);
                    break;
                case ROW_BATCH:
                    break;
                default:
                    fail("connection %d: unexpected reply %s", index, m);
            }
        }

        private void checkError(ServerMessage m) {
            int code = m.getError().getCode();
            stats.codes.merge(code, 1, Integer::sum);
            assertThat(ErrorCode.isKnown(code)).as("connection %d: error code of %s", index, m).isTrue();
            assertThat(code).as("connection %d: internal error for a valid frame: %s", index, m)
                    .isNotEqualTo(ErrorCode.INTERNAL_ERROR.code());
            assertThat(code).as("connection %d: the server refused a well-formed frame: %s", index, m)
                    .isNotIn(ErrorCode.FRAME_TOO_LARGE.code());
            assertThat(m.getError().getMessage()).as("connection %d: message of %s", index, m).isNotBlank()
                    .doesNotContain("\tat ");
        }

        // --------------------------------------------------------------------------------
        // Generators

        private ClientMessage next() {
            long id = nextId();
            ClientMessage.Builder b = msg(id);
            int k = rnd.nextInt(100);
            if (k < 37) {
                b.setExecute(execute());
            } else if (k < 40) {
                b.setDescribe(io.tetradb.protocol.Describe.newBuilder().setSql(execute().getSql()));
            } else if (k < 50) {
                b.setFetchMore(FetchMore.newBuilder().setBatches(absurdInt()));
                b.setRequestId(target());
            } else if (k < 55) {
                b.setCloseCursor(CloseCursor.getDefaultInstance());
                b.setRequestId(target());
            } else if (k < 62) {
                b.setCancel(Cancel.newBuilder().setTargetRequestId(target()));
            } else if (k < 66) {
                b.setBegin(Begin.newBuilder().setReadOnly(rnd.nextBoolean()));
            } else if (k < 70) {
                b.setCommit(Commit.getDefaultInstance());
            } else if (k < 74) {
                b.setRollback(Rollback.getDefaultInstance());
            } else if (k < 77) {
                b.setPing(Ping.getDefaultInstance());
            } else if (k < 90) {
                b.setAdmin(admin());
            } else if (k < 92) {
                b.setHello(Hello.newBuilder().setMinVersion(absurdInt()).setMaxVersion(absurdInt())
                        .setClientName(text(rnd.nextInt(3))));
            } else if (k < 94) {
                b.setAuthStart(AuthStart.newBuilder().setUser("admin").setClientNonce(text(rnd.nextInt(3))));
            } else if (k < 96) {
                b.setAuthFinal(AuthFinal.newBuilder().setNonce(text(1)).setClientProof(bytes(rnd.nextInt(3))));
            } else if (k < 98) {
                // no body; or only a field of a newer protocol
                if (rnd.nextBoolean()) {
                    b.setUnknownFields(UnknownFieldSet.newBuilder().addField(90 + rnd.nextInt(100),
                            UnknownFieldSet.Field.newBuilder().addVarint(rnd.nextLong()).build()).build());
                }
            } else {
                b.setGoodbye(Goodbye.getDefaultInstance());
            }
            return b.build();
        }

        private static ClientMessage.Builder msg(long id) {
            return ClientMessage.newBuilder().setRequestId(id);
        }

        /** A request id: often small (duplicates, collisions with other sessions), sometimes extreme. */
        private long nextId() {
            long id;
            int k = rnd.nextInt(20);
            if (k < 4 && !recentIds.isEmpty()) {
                id = recentIds.get(rnd.nextInt(recentIds.size()));          // duplicate
            } else if (k < 7) {
                id = 1 + rnd.nextInt(12);                                    // small: every session uses them
            } else if (k < 8) {
                id = new long[]{0, -1, Long.MIN_VALUE, Long.MAX_VALUE, BARRIER_BASE - 1}[rnd.nextInt(5)];
            } else {
                id = 1000L * (index + 1) + rnd.nextInt(1000);                // this connection's own range
            }
            recentIds.add(id);
            if (recentIds.size() > 16) {
                recentIds.remove(0);
            }
            return id;
        }

        /** A cursor or request to act on: one of ours, another connection's range, or nothing at all. */
        private long target() {
            int k = rnd.nextInt(10);
            if (k < 5 && !recentIds.isEmpty()) {
                return recentIds.get(rnd.nextInt(recentIds.size()));
            } else if (k < 7) {
                return 1000L * (rnd.nextInt(CONNECTIONS) + 1) + rnd.nextInt(1000);   // often another session's
            } else if (k < 8) {
                return rnd.nextLong();
            }
            return new long[]{0, -1, Long.MIN_VALUE, Long.MAX_VALUE, 1}[rnd.nextInt(5)];
        }

        private Execute execute() {
            Execute.Builder e = Execute.newBuilder();
            long ownKey = 1_000_000L * (index + 1) + rnd.nextInt(50);
            switch (rnd.nextInt(16)) {
                case 0, 1, 2 -> e.setSql("SELECT ID, V FROM FUZZ ORDER BY ID");            // a cursor of 300 rows
                case 3 -> e.setSql("SELECT ?").addParameters(value(0));
                case 4 -> e.setSql("SELECT ?, ?").addAllParameters(values(rnd.nextInt(4)));
                case 5 -> e.setSql(new String[]{"SELECT CAST(? AS DECIMAL(100, 10))", "SELECT CAST(? AS DATE)",
                        "SELECT CAST(? AS UUID)", "SELECT CAST(? AS INT ARRAY)", "SELECT CAST(? AS TIMESTAMP WITH TIME ZONE)",
                        "SELECT CAST(? AS VARCHAR)", "SELECT CAST(? AS BIGINT)", "SELECT CARDINALITY(?)"}[rnd.nextInt(8)])
                        .addParameters(value(0));
                case 6 -> e.setSql("INSERT INTO FUZZ_SCRATCH VALUES (?, ?)").addParameters(Value.newBuilder()
                        .setLongValue(ownKey)).addParameters(rnd.nextBoolean() ? value(0)
                        : Value.newBuilder().setStringValue(text(1)).build());
                case 7 -> e.setSql("UPDATE FUZZ_SCRATCH SET V = ? WHERE ID = ?").addParameters(value(0))
                        .addParameters(Value.newBuilder().setLongValue(ownKey));
                case 8 -> e.setSql("DELETE FROM FUZZ_SCRATCH WHERE ID = ?").addParameters(
                        Value.newBuilder().setLongValue(ownKey));
                case 9 -> {
                    // a huge parameter list, for one placeholder or for as many
                    int n = rnd.nextBoolean() ? 1000 : 20_000;
                    e.setSql(rnd.nextBoolean() ? "SELECT ?" : "SELECT " + "?, ".repeat(999) + "?");
                    for (int i = 0; i < n; i++) {
                        e.addParameters(Value.newBuilder().setIntValue(i));
                    }
                }
                case 10 -> e.setSql(new String[]{"", " ", ";", "SELEKT 1", "SELECT 1; SELECT 2", "SELECT ?",
                        "SELECT " + "1 + ".repeat(2000) + "1", "COMMIT", "ROLLBACK", "BEGIN", "SET AUTOCOMMIT FALSE",
                        "SELECT * FROM FUZZ WHERE ID = ?", "CALL 1", "VALUES (1), (2)", "SELECT X FROM SYSTEM_RANGE(1, 5000)",
                        "EXPLAIN SELECT * FROM FUZZ", "SHUTDOWN", "SELECT ID FROM FUZZ FOR UPDATE"}[rnd.nextInt(18)]);
                case 11 -> {
                    if (tables < 4) {
                        tables++;
                        e.setSql("CREATE TABLE IF NOT EXISTS FZ_" + index + "_" + tables + "(A INT)");
                    } else {
                        e.setSql("DROP TABLE IF EXISTS FZ_" + index + "_" + tables--);
                    }
                }
                case 12 -> e.setSql("SELECT COUNT(*) FROM FUZZ_SCRATCH WHERE ID BETWEEN ? AND ?")
                        .addParameters(value(0)).addParameters(value(0));
                case 13 -> e.setSql("SELECT X FROM SYSTEM_RANGE(1, ?)").addParameters(Value.newBuilder()
                        .setLongValue(1 + rnd.nextInt(3000)));
                default -> e.setSql("SELECT ?").addParameters(Value.newBuilder().setArrayValue(nested(1 + rnd.nextInt(40))));
            }
            e.setFetchSize(absurdInt());
            e.setInitialCredit(absurdInt());
            e.setReturnGeneratedKeys(rnd.nextInt(5) == 0);
            int policy = rnd.nextInt(6);
            if (policy < 4) {
                e.setWaitPolicy(WaitPolicy.forNumber(policy));
            } else {
                e.setWaitPolicyValue(policy == 4 ? 99 : -7);                                  // unknown policies
            }
            e.setWaitAtMostMillis(absurdLong());
            // The JDBC driver's fields: limits, a timeout, keys by name or index, read-only.
            if (rnd.nextInt(4) == 0) {
                e.setMaxRows(absurdLong());
            }
            if (rnd.nextInt(6) == 0) {
                e.setTimeoutMillis(rnd.nextBoolean() ? 1 + rnd.nextInt(50) : absurdLong());
            }
            if (rnd.nextInt(8) == 0) {
                e.addGeneratedKeyNames(rnd.nextBoolean() ? "ID" : text(1));
            } else if (rnd.nextInt(8) == 0) {
                e.addGeneratedKeyIndexes(absurdInt());
            }
            e.setReadOnly(rnd.nextInt(6) == 0);
            return e.build();
        }

        private AdminRequest admin() {
            AdminRequest.Builder a = AdminRequest.newBuilder();
            int k = rnd.nextInt(17);
            boolean dangerous = k >= 10;
            if (role == Role.ADMIN && dangerous) {
                // as admin, only what cannot end other sessions or start long work
                k = rnd.nextInt(10);
            }
            switch (k) {
                case 0 -> a.setStatus(StatusRequest.getDefaultInstance());
                case 1 -> a.setListSessions(ListSessions.getDefaultInstance());
                case 2 -> a.setListUsers(ListUsers.getDefaultInstance());
                case 3 -> a.setBackupStatus(BackupStatusRequest.getDefaultInstance());
                case 4 -> a.setBackupSettings(BackupSettingsRequest.getDefaultInstance());
                case 5 -> a.setBackupHistory(BackupHistoryRequest.getDefaultInstance());
                case 6 -> a.setBackupJournal(BackupJournalRequest.newBuilder().setTail(absurdInt()));
                case 7 -> a.setVerifyBackup(VerifyBackup.newBuilder().setNumber(absurdLong() | (1L << 50)));
                case 8 -> a.setKillSession(KillSession.newBuilder().setSessionId(rnd.nextBoolean() ? -1 : (1L << 45)
                        + rnd.nextInt(1000)));
                case 9 -> {
                    if (rnd.nextBoolean()) {
                        a.setAddUser(AddUser.newBuilder().setName(rnd.nextBoolean() ? "fz" + rnd.nextInt(5) : text(1))
                                .setRoleValue(rnd.nextInt(6)).setCredentials(ScramCredentials.newBuilder()
                                        .setSalt(bytes(rnd.nextInt(3))).setIterations(absurdInt())
                                        .setStoredKey(bytes(rnd.nextInt(3))).setServerKey(bytes(rnd.nextInt(3)))));
                    } else {
                        a.setRemoveUser(RemoveUser.newBuilder().setName("fz" + rnd.nextInt(5)));
                    }
                }
                // refused to every role but admin (never sent as admin here)
                case 10 -> a.setKillSession(KillSession.newBuilder().setSessionId(1 + rnd.nextInt(50)));
                case 11 -> a.setRemoveUser(RemoveUser.newBuilder().setName(rnd.nextBoolean() ? "admin" : USER));
                case 12 -> a.setSetPassword(SetPassword.newBuilder().setName("admin")
                        .setCredentials(ScramCredentials.newBuilder().setIterations(1)));
                case 13 -> a.setStartBackup(StartBackup.newBuilder().setSubscribe(rnd.nextBoolean()));
                case 14 -> a.setStopBackup(StopBackup.getDefaultInstance());
                case 15 -> a.setSetBackupSettings(SetBackupSettings.newBuilder().addAssignments("schedule=* * * * *")
                        .addAssignments(text(1)));
                default -> a.setRestoreBackup(RestoreBackup.newBuilder().setNumber(absurdLong()).setInPlace(rnd.nextBoolean())
                        .setToDir(text(1)));
            }
            if (rnd.nextInt(20) == 0) {
                a.clear().setSubscribeEvents(SubscribeEvents.newBuilder().setBackup(rnd.nextBoolean()));
            }
            if (rnd.nextInt(30) == 0) {
                a.clear();   // an admin request with no kind at all
            }
            return a.build();
        }

        private int absurdInt() {
            return switch (rnd.nextInt(10)) {
                case 0 -> 0;
                case 1 -> -1;                        // 2^32 - 1 as uint32
                case 2 -> Integer.MAX_VALUE;
                case 3 -> Integer.MIN_VALUE;         // 2^31 as uint32
                case 4 -> 1;
                case 5 -> 2 + rnd.nextInt(8);
                case 6 -> 100_000 + rnd.nextInt(1000);
                default -> rnd.nextInt(Integer.MAX_VALUE);
            };
        }

        private long absurdLong() {
            return switch (rnd.nextInt(8)) {
                case 0 -> 0;
                case 1 -> -1;
                case 2 -> Long.MAX_VALUE;
                case 3 -> Long.MIN_VALUE;
                case 4 -> 1 + rnd.nextInt(50);
                default -> rnd.nextLong();
            };
        }

        private List<Value> values(int n) {
            List<Value> l = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                l.add(value(0));
            }
            return l;
        }

        private ValueList nested(int depth) {
            ValueList.Builder l = ValueList.newBuilder().addValues(value(2));
            if (depth > 1) {
                l.addValues(Value.newBuilder().setArrayValue(nested(depth - 1)));
            }
            return l.build();
        }

        /**
         * A value of any kind with absurd content. At depth 0 texts may be huge (up to the
         * 200,003 characters a number may have); inside arrays they stay short, so that a
         * frame stays a valid one (below the 16 MiB frame limit).
         */
        private Value value(int depth) {
            if (depth > 0) {
                return smallValue(depth);
            }
            Value.Builder v = Value.newBuilder();
            switch (rnd.nextInt(depth >= 2 ? 18 : 20)) {
                case 0 -> v.setNullValue(rnd.nextBoolean());
                case 1 -> v.setBoolValue(rnd.nextBoolean());
                case 2 -> v.setLongValue(absurdLong());
                case 3 -> v.setDoubleValue(new double[]{Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
                        -0.0, Double.MIN_VALUE, Double.MAX_VALUE, rnd.nextDouble()}[rnd.nextInt(7)]);
                case 4 -> v.setDecimalValue(pick("1e999999999", "-1e-999999999", "1e2147483647", "9".repeat(100_001),
                        "1" + "0".repeat(200_003), "0." + "0".repeat(99_999) + "1", "NaN", "Infinity", "", "1.2.3", " 12 ",
                        "0x10", "\u0661\u0662", "-", "+.e", "1E+", "12345678901234567890.12345678901234567890"));
                case 5 -> v.setStringValue(text(rnd.nextInt(3)));
                case 6 -> v.setBytesValue(bytes(rnd.nextInt(3)));
                case 7 -> v.setDateValue(pick("2024-02-30", "+999999999-12-31", "-999999999-01-01", "", "tomorrow",
                        "2024-1-1", "0000-00-00", "2024-01-31T00:00", "99999-01-01"));
                case 8 -> v.setTimeValue(pick("25:00", "23:59:60", "00:00:00.0000000001", "", "12", "-01:00"));
                case 9 -> v.setTimestampValue(pick("2024-01-31T13:45", "+999999999-12-31T23:59:59.999999999",
                        "-999999999-01-01T00:00", "2024-01-31 13:45", "", "T"));
                case 10 -> v.setTimestampTzValue(pick("2024-01-31T13:45:00+18:00", "2024-01-31T13:45:00+19:00",
                        "+999999999-12-31T23:59:59.999999999-18:00", "2024-01-31T13:45:00Z[Mars/Olympus]", ""));
                case 11 -> v.setTimeTzValue(pick("13:45:00+01:00", "13:45:00+25:00", "24:00+00:00", ""));
                case 12 -> v.setUuidValue(pick("", "not-a-uuid", "00000000-0000-0000-0000-000000000000", "1-1-1-1-1",
                        "ffffffff-ffff-ffff-ffff-ffffffffffffff", "g0000000-0000-0000-0000-000000000000",
                        "-".repeat(36)));
                case 13 -> v.setFloatValue(new float[]{Float.NaN, Float.NEGATIVE_INFINITY, Float.MAX_VALUE,
                        Float.MIN_VALUE}[rnd.nextInt(4)]);
                case 14 -> v.setIntValue(absurdInt());
                case 15 -> v.setBigIntegerValue(pick("9".repeat(100_000), "-", "1e5", "", "-0", "١", "0x7f",
                        "1".repeat(200_004)));
                case 16 -> v.setOtherValue(pick("", "X'00'", "NULL", "'; DROP TABLE FUZZ; --", "{}", text(2)));
                case 17 -> v.setUnknownFields(UnknownFieldSet.newBuilder().addField(40 + rnd.nextInt(50),
                        UnknownFieldSet.Field.newBuilder().addVarint(1).build()).build());   // a kind from the future
                default -> {
                    if (rnd.nextBoolean()) {
                        v.setArrayValue(nested(1 + rnd.nextInt(40)));
                    } else {
                        ValueList.Builder wide = ValueList.newBuilder();
                        int n = rnd.nextBoolean() ? 5000 : 3;
                        for (int i = 0; i < n; i++) {
                            wide.addValues(value(depth + 1));
                        }
                        v.setArrayValue(wide);
                    }
                }
            }
            return v.build();
        }

        private Value smallValue(int depth) {
            Value.Builder v = Value.newBuilder();
            switch (rnd.nextInt(depth >= 2 ? 10 : 11)) {
                case 0 -> v.setNullValue(true);
                case 1 -> v.setLongValue(absurdLong());
                case 2 -> v.setDoubleValue(Double.NaN);
                case 3 -> v.setDecimalValue(pick("1e999999999", "NaN", "", "1.2.3", "-0.0"));
                case 4 -> v.setStringValue(text(1));
                case 5 -> v.setBytesValue(bytes(1));
                case 6 -> v.setDateValue(pick("2024-02-30", "+999999999-12-31", "2024-01-31"));
                case 7 -> v.setUuidValue(pick("", "1-1-1-1-1", "00000000-0000-0000-0000-000000000000"));
                case 8 -> v.setIntValue(absurdInt());
                case 9 -> v.setBigIntegerValue(pick("-", "123456789012345678901234567890", ""));
                default -> v.setArrayValue(nested(1 + rnd.nextInt(10)));
            }
            return v.build();
        }

        private String pick(String... options) {
            return options[rnd.nextInt(options.length)];
        }

        /** Empty, short with odd characters, or long. */
        private String text(int size) {
            return switch (size) {
                case 0 -> "";
                case 1 -> pick("x", "\u0000", "\uD83D\uDE00", "'\"\\;--", "n,,n=admin,r=", "../../etc/passwd",
                        "é".repeat(300));
                default -> "t".repeat(100_000 + rnd.nextInt(1000));
            };
        }

        private ByteString bytes(int size) {
            byte[] b = new byte[size == 0 ? 0 : size == 1 ? 16 : 64 * 1024];
            rnd.nextBytes(b);
            return ByteString.copyFrom(b);
        }
    }

    // ------------------------------------------------------------------------------------
    // The wire

    /** A plain socket speaking the frame format by hand; a reader thread hands every message over. */
    private static final class Raw implements AutoCloseable {
        private static final ServerMessage CLOSED = ServerMessage.newBuilder().setRequestId(-42).build();
        private final Socket socket;
        private final OutputStream out;
        private final BlockingQueue<ServerMessage> inbox = new LinkedBlockingQueue<>();
        /** Messages read during the login that came before AuthOk; handed out before the inbox. */
        private final java.util.ArrayDeque<ServerMessage> pending = new java.util.ArrayDeque<>();
        private final Thread reader;
        private volatile IOException readFailure;

        Raw() throws IOException {
            socket = new Socket("127.0.0.1", server.boundPort());
            socket.setTcpNoDelay(true);
            out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            reader = new Thread(() -> {
                try {
                    for (ServerMessage m; (m = ServerMessage.parseDelimitedFrom(in)) != null; ) {
                        inbox.add(m);
                    }
                } catch (SocketException closed) {
                    // closed by us or reset
                } catch (IOException e) {
                    readFailure = e;
                } finally {
                    inbox.add(CLOSED);
                }
            }, "fuzz-reader");
            reader.setDaemon(true);
            reader.start();
        }

        void send(ClientMessage m) throws IOException {
            m.writeDelimitedTo(out);
            out.flush();
        }

        /** The next message; fails on a close or when nothing comes in time (a hang). */
        ServerMessage read(int connection) throws IOException {
            ServerMessage m = poll();
            if (m == null) {
                fail("connection %d: no reply within %d ms", connection, REPLY_TIMEOUT_MILLIS);
            }
            if (m == CLOSED) {
                throw new EOFException("connection " + connection + ": closed by the server"
                        + (readFailure == null ? "" : ": " + readFailure));
            }
            return m;
        }

        /** Every message up to and including the first of request {@code id} that {@code last} accepts. */
        List<ServerMessage> readUntil(long id, java.util.function.Predicate<ServerMessage> last) throws IOException {
            List<ServerMessage> l = new ArrayList<>();
            while (true) {
                ServerMessage m = read(0);
                l.add(m);
                if (m.getRequestId() == id && last.test(m)) {
                    return l;
                }
            }
        }

        /** The next message, or null once the server has closed; fails when neither comes in time. */
        ServerMessage readOrNull() {
            ServerMessage m = poll();
            assertThat(m).as("the server answers or closes within %d ms", REPLY_TIMEOUT_MILLIS).isNotNull();
            return m == CLOSED ? null : m;
        }

        private ServerMessage poll() {
            if (!pending.isEmpty()) {
                return pending.removeFirst();
            }
            try {
                return inbox.poll(REPLY_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        /** Hello, AuthStart, AuthFinal (followed at once by {@code pipelined}); checks AuthOk and the signature. */
        void login(String user, String password, List<ClientMessage> pipelined) throws IOException {
            send(ClientMessage.newBuilder().setRequestId(1).setHello(Hello.newBuilder().setMinVersion(ProtocolVersion.MIN)
                    .setMaxVersion(ProtocolVersion.MAX).setClientName("AuthenticatedFuzzIT")).build());
            assertThat(read(-1).hasHello()).isTrue();
            String clientNonce = Scram.newNonce();
            send(ClientMessage.newBuilder().setRequestId(2).setAuthStart(AuthStart.newBuilder().setUser(user)
                    .setClientNonce(clientNonce)).build());
            ServerMessage chm = read(-1);
            assertThat(chm.hasAuthChallenge()).as("challenge: %s", chm).isTrue();
            AuthChallenge ch = chm.getAuthChallenge();
            byte[] salt = ch.getSalt().toByteArray();
            byte[] salted = Scram.saltedPassword(password.toCharArray(), salt, ch.getIterations());
            byte[] authMessage = Scram.authMessage(user, clientNonce, ch.getNonce(), salt, ch.getIterations());
            send(ClientMessage.newBuilder().setRequestId(3).setAuthFinal(AuthFinal.newBuilder().setNonce(ch.getNonce())
                    .setClientProof(ByteString.copyFrom(Scram.clientProof(salted, authMessage)))).build());
            for (ClientMessage m : pipelined) {
                send(m);
            }
            // Replies to pipelined Cancel and Ping come from the event loop and may precede AuthOk.
            List<ServerMessage> early = new ArrayList<>();
            while (true) {
                ServerMessage m = read(-1);
                if (m.getRequestId() == 3 && m.hasAuthOk()) {
                    assertThat(m.getAuthOk().getServerSignature().toByteArray())
                            .isEqualTo(Scram.serverSignature(Scram.serverKey(salted), authMessage));
                    break;
                }
                early.add(m);
            }
            pending.addAll(early);   // read first, before what came after AuthOk
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            try {
                reader.join(REPLY_TIMEOUT_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Collects ERROR events logged by the server's classes ({@link io.tetradb.server.TestLogAppender}). */
    private static final class ErrorLog {
        private static final String NAME = "fuzz-errors";
        final List<String> errors = new CopyOnWriteArrayList<>();
        private io.tetradb.server.TestLogAppender appender;

        static ErrorLog install() {
            ErrorLog log = new ErrorLog();
            log.appender = io.tetradb.server.TestLogAppender.install(NAME, "ERROR", e -> {
                if (e.logger() != null && e.logger().startsWith("io.tetradb")
                        && ("ERROR".equals(e.level()) || "FATAL".equals(e.level()))) {
                    log.errors.add(e.logger() + ": " + e.message() + (e.thrown() == null ? "" : " " + e.thrown()));
                }
            });
            return log;
        }

        void remove() {
            appender.close();
        }
    }
}
