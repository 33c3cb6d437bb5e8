package io.tetradb.server.log;

import io.tetradb.client.ClientConfig;
import io.tetradb.client.LogFilter;
import io.tetradb.client.TetraClient;
import io.tetradb.client.ErrorCode;
import io.tetradb.protocol.LogOperationInfo;
import io.tetradb.protocol.LogOperationKind;
import io.tetradb.protocol.LogShowReply;
import io.tetradb.protocol.LogShowRequest;
import io.tetradb.protocol.LogStatusReply;
import io.tetradb.protocol.LogSyncMode;
import io.tetradb.protocol.Role;
import io.tetradb.client.TetraException;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@code log status} and {@code log show} through the client library's admin API against a
 * real server: the counters as commits go on, every filter, paging across the frame budget,
 * bounded rendering of large values, reading while the writer appends, and the admin role.
 */
@Timeout(180)
class LogCommandsIT {
    @TempDir
    Path temp;

    @Test
    void statusFollowsTheCommits() throws Exception {
        try (TetraServer server = TestServers.start(temp);
             TetraClient admin = TestServers.admin(server)) {
            admin.execute("CREATE TABLE T(ID INT PRIMARY KEY, V VARCHAR(100))");
            LogStatusReply before = admin.admin().logStatus();
            for (int i = 0; i < 3; i++) {
                admin.update("INSERT INTO T VALUES (?, ?)", i, "v" + i);
            }
            LogStatusReply after = admin.admin().logStatus();

            assertThat(after.getFile()).isEqualTo("testdb.journal");
            assertThat(after.getSegment()).isEqualTo(1);
            assertThat(after.getFirstOperation()).isEqualTo(1);
            assertThat(after.getLastOperation()).isEqualTo(before.getLastOperation() + 3);
            assertThat(after.getTransactions()).isEqualTo(before.getTransactions() + 3);
            assertThat(after.getOperations()).isEqualTo(before.getOperations() + 3);
            assertThat(after.getSyncs()).isGreaterThan(before.getSyncs());
            assertThat(after.getOperationsPerSync()).isGreaterThan(0)
                    .isEqualTo((double) after.getOperations() / after.getSyncs());
            assertThat(after.getSizeBytes()).isGreaterThan(before.getSizeBytes());
            assertThat(after.getBytesWritten()).isGreaterThan(before.getBytesWritten());
            assertThat(after.getLastSyncMillis()).isPositive().isGreaterThanOrEqualTo(before.getLastSyncMillis());
            assertThat(after.getSyncMode()).isEqualTo("commit");
            assertThat(after.getSync()).isEqualTo(LogSyncMode.LOG_SYNC_COMMIT);
            assertThat(after.getWritable()).isTrue();
            assertThat(after.getFailure()).isEmpty();
            assertThat(after.getSegmentCreatedMillis()).isPositive();
            assertThat(after.getLargestBatch()).isPositive();
            // The status is what the log itself says.
            assertThat(after.getLastOperation()).isEqualTo(server.logs().log().lastOperation());
        }
    }

    @Test
    void showListsEveryOperationInOrderWithItsFields() throws Exception {
        try (TetraServer server = TestServers.start(temp);
             TetraClient admin = TestServers.admin(server)) {
            admin.execute("CREATE TABLE T(ID INT PRIMARY KEY, V VARCHAR(100))");
            admin.update("INSERT INTO T VALUES (1, 'one')");
            admin.update("UPDATE T SET V = 'uno' WHERE ID = 1");
            admin.update("DELETE FROM T WHERE ID = 1");
            admin.execute("CREATE SEQUENCE SEQ START WITH 40");
            admin.query("SELECT NEXT VALUE FOR SEQ").toList();

            List<LogOperationInfo> ops = admin.admin().logShow(LogFilter.all());
            assertThat(numbers(ops)).isEqualTo(range(1, server.logs().log().lastOperation()));
            LogOperationInfo create = ops.get(0);
            assertThat(create.getKind()).isEqualTo("CREATE TABLE");
            assertThat(create.getSummary()).startsWith("CREATE TABLE").contains("T");
            assertThat(create.getSchema()).isEqualTo("PUBLIC");
            assertThat(create.getUser()).isEqualTo("admin");
            assertThat(create.getClientAddress()).startsWith("127.0.0.1");
            assertThat(create.getSession()).isPositive();
            assertThat(create.getTimeMillis()).isPositive().isLessThanOrEqualTo(System.currentTimeMillis());
            LogOperationInfo insert = ops.get(1);
            assertThat(insert.getKind()).isEqualTo("INSERT");
            assertThat(insert.getOperationKind()).isEqualTo(LogOperationKind.LOG_INSERT);
            assertThat(create.getOperationKind()).isEqualTo(LogOperationKind.LOG_DDL);
            assertThat(insert.getSchema() + "." + insert.getTable()).isEqualTo("PUBLIC.T");
            assertThat(insert.getSummary()).isEqualTo("(1, 'one')");
            assertThat(ops.get(2).getKind()).isEqualTo("UPDATE");
            assertThat(ops.get(2).getSummary()).isEqualTo("key (1): #2='uno'");
            assertThat(ops.get(3).getKind()).isEqualTo("DELETE");
            assertThat(ops.get(3).getSummary()).isEqualTo("key (1)");
            assertThat(ops).anySatisfy(o -> {
                assertThat(o.getKind()).isEqualTo("SEQUENCE");
                assertThat(o.getSummary()).contains("SEQ").contains("next");
            });
        }
    }

    @Test
    void showFiltersByOperationNumbers() throws Exception {
        try (TetraServer server = TestServers.start(temp);
             TetraClient admin = TestServers.admin(server)) {
            TestServers.tableT(admin, 10);
            long last = server.logs().log().lastOperation();
            List<LogOperationInfo> mid = admin.admin().logShow(LogFilter.builder().fromOperation(4).toOperation(7)
                    .build());
            assertThat(numbers(mid)).containsExactly(4L, 5L, 6L, 7L);
            assertThat(numbers(admin.admin().logShow(LogFilter.builder().fromOperation(last - 1).build())))
                    .containsExactly(last - 1, last);
            assertThat(numbers(admin.admin().logShow(LogFilter.builder().toOperation(2).build())))
                    .containsExactly(1L, 2L);
            assertThat(admin.admin().logShow(LogFilter.builder().fromOperation(last + 1).build())).isEmpty();
            // A range that ends before it starts is refused by the server too.
            assertThatThrownBy(() -> admin.admin().logShowPage(LogShowRequest.newBuilder().setFromOperation(5)
                    .setToOperation(4).build())).isInstanceOfSatisfying(TetraException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
        }
    }

    @Test
    void showFiltersByCommitTime() throws Exception {
        try (TetraServer server = TestServers.start(temp);
             TetraClient admin = TestServers.admin(server)) {
            TestServers.tableT(admin, 5);
            List<LogOperationInfo> first = admin.admin().logShow(LogFilter.all());
            long mark = first.stream().mapToLong(LogOperationInfo::getTimeMillis).max().orElseThrow();
            await().atMost(Duration.ofSeconds(5)).until(() -> System.currentTimeMillis() > mark + 1);
            for (int i = 5; i < 8; i++) {
                admin.update("INSERT INTO T VALUES (?, ?)", i, "later " + i);
            }
            List<LogOperationInfo> later = admin.admin().logShow(LogFilter.builder()
                    .fromTime(Instant.ofEpochMilli(mark + 1)).build());
            assertThat(later).hasSize(3).allSatisfy(o -> assertThat(o.getSummary()).contains("later"));
            List<LogOperationInfo> earlier = admin.admin().logShow(LogFilter.builder()
                    .toTime(Instant.ofEpochMilli(mark)).build());
            assertThat(numbers(earlier)).isEqualTo(numbers(first));
            List<LogOperationInfo> none = admin.admin().logShow(LogFilter.builder()
                    .fromTime(Instant.ofEpochMilli(mark + 1)).toTime(Instant.ofEpochMilli(mark + 1)).build());
            assertThat(none).allSatisfy(o -> assertThat(o.getTimeMillis()).isEqualTo(mark + 1));
            assertThat(admin.admin().logShow(LogFilter.builder().fromTime(Instant.now().plusSeconds(3600))
                    .build())).isEmpty();
        }
    }

    @Test
    void showFiltersByTableWithOrWithoutSchemaIgnoringCase() throws Exception {
        try (TetraServer server = TestServers.start(temp);
             TetraClient admin = TestServers.admin(server)) {
            admin.execute("CREATE TABLE T(ID INT PRIMARY KEY, V VARCHAR(100))");
            admin.execute("CREATE TABLE U(ID INT PRIMARY KEY)");
            admin.execute("CREATE SCHEMA S");
            admin.execute("CREATE TABLE S.T(ID INT PRIMARY KEY)");
            admin.update("INSERT INTO T VALUES (1, 'a')");
            admin.update("INSERT INTO U VALUES (1)");
            admin.update("INSERT INTO S.T VALUES (2)");
            admin.execute("CREATE TABLE TT(ID INT PRIMARY KEY)");
            admin.update("INSERT INTO TT VALUES (3)");

            List<LogOperationInfo> t = admin.admin().logShow(LogFilter.builder().table("t").build());
            assertThat(t).extracting(o -> o.getKind() + " " + o.getSchema() + "." + o.getTable())
                    .containsExactly("CREATE TABLE PUBLIC.", "CREATE TABLE PUBLIC.", "INSERT PUBLIC.T",
                            "INSERT S.T");
            assertThat(t.get(0).getSummary()).startsWith("CREATE TABLE T");
            assertThat(t.get(1).getSummary()).startsWith("CREATE TABLE S.T");

            List<LogOperationInfo> st = admin.admin().logShow(LogFilter.builder().table("s.T").build());
            assertThat(st).extracting(o -> o.getKind() + " " + o.getTable())
                    .containsExactly("CREATE TABLE ", "INSERT T");
            assertThat(st.get(0).getSummary()).startsWith("CREATE TABLE S.T");
            assertThat(st.get(1).getSchema()).isEqualTo("S");

            List<LogOperationInfo> pt = admin.admin().logShow(LogFilter.builder().table("PUBLIC.t").build());
            assertThat(pt).extracting(LogOperationInfo::getKind).containsExactly("CREATE TABLE", "INSERT");
            assertThat(pt.get(0).getSummary()).startsWith("CREATE TABLE T(");
            assertThat(pt.get(1).getSummary()).isEqualTo("(1, 'a')");

            assertThat(admin.admin().logShow(LogFilter.builder().table("U").build()))
                    .extracting(LogOperationInfo::getKind).containsExactly("CREATE TABLE", "INSERT");
            assertThat(admin.admin().logShow(LogFilter.builder().table("NOSUCH").build())).isEmpty();
        }
    }

    @Test
    void showFiltersByUser() throws Exception {
        try (TetraServer server = TestServers.start(temp);
             TetraClient admin = TestServers.admin(server)) {
            admin.execute("CREATE TABLE T(ID INT PRIMARY KEY, V VARCHAR(100))");
            admin.admin().addUser("app", Role.USER, "app-password".toCharArray());
            try (TetraClient app = TestServers.connect(server, "app", "app-password")) {
                app.update("INSERT INTO T VALUES (1, 'by app')");
                app.update("INSERT INTO T VALUES (2, 'by app')");
            }
            admin.update("INSERT INTO T VALUES (3, 'by admin')");

            List<LogOperationInfo> byApp = admin.admin().logShow(LogFilter.builder().user("APP").build());
            assertThat(byApp).hasSize(2).allSatisfy(o -> {
                assertThat(o.getUser()).isEqualTo("app");
                assertThat(o.getSummary()).contains("by app");
            });
            assertThat(byApp.get(0).getSession()).isNotEqualTo(0);
            List<LogOperationInfo> byAdmin = admin.admin().logShow(LogFilter.builder().user("admin").table("T")
                    .build());
            assertThat(byAdmin).extracting(LogOperationInfo::getKind).containsExactly("CREATE TABLE", "INSERT");
            assertThat(admin.admin().logShow(LogFilter.builder().user("nobody").build())).isEmpty();
        }
    }

    @Test
    void limitStopsTheListAndSaysWhereToGoOn() throws Exception {
        try (TetraServer server = TestServers.start(temp);
             TetraClient admin = TestServers.admin(server)) {
            TestServers.tableT(admin, 10);
            List<LogOperationInfo> got = new ArrayList<>();
            long next = admin.admin().logShow(LogFilter.builder().fromOperation(2).limit(3).build(), got::add);
            assertThat(numbers(got)).containsExactly(2L, 3L, 4L);
            assertThat(next).isEqualTo(5);
            // Exactly as many as there are: nothing more to go on from.
            long last = server.logs().log().lastOperation();
            assertThat(admin.admin().logShow(LogFilter.builder().fromOperation(last - 2).limit(3).build(),
                    o -> { })).isZero();
            assertThat(admin.admin().logShow(LogFilter.builder().limit(1).build())).hasSize(1);
            assertThat(admin.admin().logShow(LogFilter.all())).hasSize((int) last);
            assertThatThrownBy(() -> admin.admin().logShowPage(LogShowRequest.newBuilder().setLimit(100_001).build()))
                    .isInstanceOfSatisfying(TetraException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
        }
    }

    @Test
    void repliesStayWithinTheFrameBudgetAndThePagesJoinUp() throws Exception {
        int frame = 64 * 1024;
        try (TetraServer server = TetraServer.start(TestServers.config(temp).maxFrameSize(frame).build());
             TetraClient admin = TetraClient.connect(ClientConfig.builder().host("127.0.0.1")
                     .port(server.boundPort()).user("admin").password(TestServers.ADMIN_PASSWORD)
                     .maxFrameSize(frame).connectTimeout(Duration.ofSeconds(20)).build())) {
            admin.execute("CREATE TABLE BIG(ID INT PRIMARY KEY, V VARCHAR(100000), W VARCHAR(100000))");
            // Big rows: 1,500 of them in one transaction of about 12 MB, far more than a frame.
            admin.update("INSERT INTO BIG SELECT X, REPEAT('v', 4000) || X, REPEAT('w', 4000)"
                    + " FROM SYSTEM_RANGE(1, 1500)");
            long last = server.logs().log().lastOperation();
            assertThat(last).isEqualTo(1501);

            LogShowReply page = admin.admin().logShowPage(LogShowRequest.newBuilder()
                    .setLimit(LogFilter.MAX_LIMIT).build());
            assertThat(page.getTruncated()).isTrue();
            assertThat(page.getOperationsCount()).isBetween(10, 1000);
            assertThat(page.getNextOperation()).isEqualTo(page.getOperationsCount() + 1L);
            assertThat(page.getSerializedSize()).isLessThan(frame - 64);
            assertThat(page.getOperations(1).getSummary()).startsWith("(1, 'vvvv").contains("(4001 chars)");

            List<LogOperationInfo> all = admin.admin().logShow(LogFilter.builder().limit(LogFilter.MAX_LIMIT).build());
            assertThat(numbers(all)).isEqualTo(range(1, last));
            assertThat(all).allSatisfy(o -> assertThat(o.getSummary().length()).isLessThanOrEqualTo(240));
            // A filter's range is kept across pages.
            List<LogOperationInfo> part = admin.admin().logShow(LogFilter.builder().fromOperation(100)
                    .toOperation(1400).limit(LogFilter.MAX_LIMIT).build());
            assertThat(numbers(part)).isEqualTo(range(100, 1400));
            // A client that asks for smaller replies gets them.
            LogShowReply small = admin.admin().logShowPage(LogShowRequest.newBuilder().setMaxReplyBytes(8 * 1024)
                    .build());
            assertThat(small.getTruncated()).isTrue();
            assertThat(small.getSerializedSize()).isLessThan(8 * 1024);
        }
    }

    @Test
    void largeObjectsAreShownByTheirSize() throws Exception {
        try (TetraServer server = TestServers.start(temp);
             TetraClient admin = TestServers.admin(server)) {
            admin.execute("CREATE TABLE L(ID INT PRIMARY KEY, B BLOB, C CLOB, S VARBINARY(8))");
            byte[] blob = new byte[1 << 20];
            Arrays.fill(blob, (byte) 7);
            admin.update("INSERT INTO L VALUES (?, ?, REPEAT('c', 200000), X'0102')", 1, blob);
            admin.update("UPDATE L SET B = X'00' WHERE ID = 1");
            List<LogOperationInfo> ops = admin.admin().logShow(LogFilter.builder().table("L").build());
            LogOperationInfo insert = ops.get(1);
            assertThat(insert.getKind()).isEqualTo("INSERT");
            assertThat(insert.getSummary()).contains("(1048576 bytes)").contains("(200000 chars)")
                    .contains("X'0102'").hasSizeLessThanOrEqualTo(240);
            assertThat(ops.get(2).getSummary()).isEqualTo("key (1): #2=X'00'");
        }
    }

    @Test
    void readingWhileTheWriterAppendsSeesWholeTransactionsInOrder() throws Exception {
        try (TetraServer server = TestServers.start(temp);
             TetraClient admin = TestServers.admin(server);
             TetraClient writer = TestServers.admin(server)) {
            admin.execute("CREATE TABLE T(ID INT PRIMARY KEY, V VARCHAR(100))");
            AtomicBoolean done = new AtomicBoolean();
            CompletableFuture<Void> writes = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < 300; i++) {
                        writer.update("INSERT INTO T VALUES (?, ?)", i, "row " + i);
                    }
                } finally {
                    done.set(true);
                }
            });
            int reads = 0;
            while (!done.get() || reads < 3) {
                List<LogOperationInfo> ops = admin.admin().logShow(LogFilter.builder().limit(LogFilter.MAX_LIMIT)
                        .build());
                assertThat(numbers(ops)).isEqualTo(range(1, ops.size()));
                reads++;
            }
            writes.get();
            assertThat(admin.admin().logShow(LogFilter.builder().table("T").build())).hasSize(301);
        }
    }

    @Test
    void readingWhileSegmentsRollListsTheCurrentSegmentWhole() throws Exception {
        try (TetraServer server = TestServers.start(temp);
             TetraClient admin = TestServers.admin(server);
             TetraClient writer = TestServers.admin(server)) {
            admin.execute("CREATE TABLE T(ID INT PRIMARY KEY, V VARCHAR(100))");
            OperationLog log = server.logs().log();
            AtomicBoolean done = new AtomicBoolean();
            CompletableFuture<Void> work = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < 200; i++) {
                        writer.update("INSERT INTO T VALUES (?, ?)", i, "row " + i);
                        if (i % 40 == 39) {
                            log.roll(temp.resolve("closed-" + i + ".journal"));
                        }
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                } finally {
                    done.set(true);
                }
            });
            int reads = 0;
            while (!done.get() || reads < 3) {
                LogShowReply page = admin.admin().logShowPage(LogShowRequest.newBuilder()
                        .setLimit(LogFilter.MAX_LIMIT).build());
                assertThat(page.getTruncated()).isFalse();
                long first = page.getSegmentFirstOperation();
                assertThat(numbers(page.getOperationsList())).isEqualTo(range(first, first
                        + page.getOperationsCount() - 1));
                assertThat(page.getLastOperation()).isGreaterThanOrEqualTo(first + page.getOperationsCount() - 1);
                reads++;
            }
            work.get();
            LogStatusReply status = admin.admin().logStatus();
            assertThat(status.getSegment()).isEqualTo(6);
            assertThat(status.getFirstOperation()).isEqualTo(202);
            assertThat(admin.admin().logShow(LogFilter.all())).isEmpty();
            // Operations of closed segments are not listed.
            assertThat(admin.admin().logShow(LogFilter.builder().toOperation(201).build())).isEmpty();
        }
    }

    @Test
    void nonAdminsAreRefusedWith2003() throws Exception {
        try (TetraServer server = TestServers.start(temp);
             TetraClient admin = TestServers.admin(server)) {
            admin.admin().addUser("app", Role.USER, "app-password".toCharArray());
            admin.admin().addUser("viewer", Role.READER, "viewer-password".toCharArray());
            for (String[] u : List.of(new String[]{"app", "app-password"}, new String[]{"viewer", "viewer-password"})) {
                try (TetraClient c = TestServers.connect(server, u[0], u[1])) {
                    assertThatThrownBy(() -> c.admin().logStatus()).isInstanceOfSatisfying(TetraException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION_DENIED));
                    assertThatThrownBy(() -> c.admin().logShow(LogFilter.all())).isInstanceOfSatisfying(
                            TetraException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION_DENIED));
                }
            }
        }
    }

    private static List<Long> numbers(List<LogOperationInfo> ops) {
        return ops.stream().map(LogOperationInfo::getOperation).toList();
    }

    private static List<Long> range(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            out.add(i);
        }
        return out;
    }
}
