package io.tetradb.server;

import io.tetradb.client.Result;
import io.tetradb.client.Row;
import io.tetradb.client.Rows;
import io.tetradb.client.TetraClient;
import io.tetradb.client.ErrorCode;
import io.tetradb.protocol.StatementKind;
import io.tetradb.client.TetraException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** SQL over the wire through a real server and the real client. */
@Timeout(120)
class SqlIT {
    @TempDir
    static Path dir;
    static TetraServer server;
    static TetraClient client;

    @BeforeAll
    static void start() throws Exception {
        server = TestServers.start(dir);
        client = TestServers.admin(server);
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void createInsertSelectWithParameters() {
        client.execute("CREATE TABLE PERSON(ID INT PRIMARY KEY, NAME VARCHAR(100))");
        assertThat(client.update("INSERT INTO PERSON VALUES (?, ?), (?, ?)", 1, "Ada", 2, "Grace")).isEqualTo(2);
        Result r = client.execute("SELECT NAME FROM PERSON WHERE ID = ?", 2);
        assertThat(r.query()).isTrue();
        assertThat(r.rows()).hasSize(1);
        assertThat(r.rows().get(0).getString("NAME")).isEqualTo("Grace");
        assertThat(r.kind()).isEqualTo(StatementKind.READ);
    }

    @Test
    void typedValuesRoundTrip() {
        client.execute("CREATE TABLE TYPES(I INT, B BIGINT, D DECIMAL(20,4), F DOUBLE PRECISION, BO BOOLEAN, "
                + "S VARCHAR(50), DT DATE, TM TIME, TS TIMESTAMP, TZ TIMESTAMP WITH TIME ZONE, U UUID, BIN VARBINARY(10), "
                + "ARR INTEGER ARRAY, N VARCHAR(5))");
        UUID u = UUID.randomUUID();
        OffsetDateTime tz = OffsetDateTime.of(2024, 1, 31, 13, 45, 0, 0, ZoneOffset.ofHours(2));
        client.update("INSERT INTO TYPES VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", 7, 9_000_000_000L,
                new BigDecimal("12345.6789"), 2.5, true, "Привет", LocalDate.of(2024, 2, 29), LocalTime.of(23, 59, 1),
                LocalDateTime.of(2020, 5, 6, 7, 8, 9), tz, u, new byte[]{1, 2, 3}, new Object[]{1, 2, 3}, null);
        Row r = client.execute("SELECT * FROM TYPES").rows().get(0);
        assertThat(r.get("I")).isEqualTo(7);
        assertThat(r.get("B")).isEqualTo(9_000_000_000L);
        assertThat(r.get("D")).isEqualTo(new BigDecimal("12345.6789"));
        assertThat(r.get("F")).isEqualTo(2.5);
        assertThat(r.get("BO")).isEqualTo(true);
        assertThat(r.get("S")).isEqualTo("Привет");
        assertThat(r.get("DT")).isEqualTo(LocalDate.of(2024, 2, 29));
        assertThat(r.get("TM")).isEqualTo(LocalTime.of(23, 59, 1));
        assertThat(r.get("TS")).isEqualTo(LocalDateTime.of(2020, 5, 6, 7, 8, 9));
        assertThat(r.get("TZ")).isEqualTo(tz);
        assertThat(r.get("U")).isEqualTo(u);
        assertThat((byte[]) r.get("BIN")).containsExactly(1, 2, 3);
        assertThat((Object[]) r.get("ARR")).containsExactly(1, 2, 3);
        assertThat(r.get("N")).isNull();
    }

    @Test
    void streamsLargeResultsInBatches() {
        long sum = 0;
        long n = 0;
        try (Rows rows = client.statement("SELECT X FROM SYSTEM_RANGE(1, 200000)").fetchSize(500).query()) {
            for (Row r : rows) {
                sum += r.getLong(0);
                n++;
            }
        }
        assertThat(n).isEqualTo(200_000);
        assertThat(sum).isEqualTo(200_000L * 200_001 / 2);
    }

    @Test
    void collectsResultsOfManyMoreBatchesThanTheInitialCredit() {
        // 1,000 batches of 7 rows: the client must keep granting credit while it collects.
        Result r = client.statement("SELECT X FROM SYSTEM_RANGE(1, 7000)").fetchSize(7).execute();
        assertThat(r.rows()).hasSize(7000);
        assertThat(r.rows().get(6999).getLong(0)).isEqualTo(7000L);
        // A result of one to a few batches completes too (no credit needed beyond the initial).
        for (int n = 1; n <= 40; n++) {
            assertThat(client.statement("SELECT X FROM SYSTEM_RANGE(1, " + n + ")").fetchSize(5).execute().rows())
                    .hasSize(n);
        }
    }

    @Test
    void aStatementSentAgainSeesTheSchemaAsItIsNow() {
        // The server keeps the session's statements by text: DDL of another session, SET SCHEMA
        // and two open results of the same text must all give what a fresh statement would.
        client.execute("CREATE TABLE RE(ID INT PRIMARY KEY, A INT)");
        client.execute("INSERT INTO RE VALUES (1, 10), (2, 20)");
        String select = "SELECT * FROM RE WHERE ID = ?";
        assertThat(client.execute(select, 1).rows().get(0).getInt(1)).isEqualTo(10);
        assertThat(client.execute(select, 2).rows().get(0).getInt(1)).isEqualTo(20);
        try (TetraClient other = TestServers.admin(server)) {
            other.execute("ALTER TABLE RE ADD COLUMN B VARCHAR(10) DEFAULT 'new'");
        }
        Result widened = client.execute(select, 2);
        assertThat(widened.columns()).hasSize(3);
        assertThat(widened.rows().get(0).get("B")).isEqualTo("new");

        client.execute("CREATE SCHEMA OTHER_S");
        client.execute("CREATE TABLE OTHER_S.RE(ID INT PRIMARY KEY, A INT)");
        client.execute("INSERT INTO OTHER_S.RE VALUES (2, 99)");
        client.execute("SET SCHEMA OTHER_S");
        try {
            assertThat(client.execute("SELECT A FROM RE WHERE ID = ?", 2).rows().get(0).getInt(0)).isEqualTo(99);
        } finally {
            client.execute("SET SCHEMA PUBLIC");
        }
        assertThat(client.execute("SELECT A FROM RE WHERE ID = ?", 2).rows().get(0).getInt(0)).isEqualTo(20);

        // A write classified once stays a write when its statement is reused.
        String nextValue = "SELECT NEXT VALUE FOR RE_SEQ";
        client.execute("CREATE SEQUENCE RE_SEQ");
        assertThat(client.execute(nextValue).kind()).isEqualTo(StatementKind.DATA_WRITE);
        assertThat(client.execute(nextValue).kind()).isEqualTo(StatementKind.DATA_WRITE);
    }

    @Test
    void twoOpenResultsOfTheSameTextAreIndependent() {
        String sql = "SELECT X FROM SYSTEM_RANGE(1, ?)";
        try (Rows first = client.statement(sql).parameters(3000).fetchSize(100).query()) {
            List<Long> a = new ArrayList<>();
            java.util.Iterator<Row> it = first.iterator();
            for (int i = 0; i < 150; i++) {
                a.add(it.next().getLong(0));
            }
            // Same text while the first result is still open (its statement is busy).
            assertThat(client.execute(sql, 5).rows()).hasSize(5);
            try (Rows second = client.statement(sql).parameters(2500).fetchSize(100).query()) {
                long n = 0;
                for (Row r : second) {
                    n++;
                }
                assertThat(n).isEqualTo(2500);
            }
            while (it.hasNext()) {
                a.add(it.next().getLong(0));
            }
            assertThat(a).hasSize(3000);
            assertThat(a.get(2999)).isEqualTo(3000L);
        }
        assertThat(client.execute(sql, 4).rows()).hasSize(4);
    }

    @Test
    void aRequestLargerThanTheFrameLimitIsRefusedByTheClientAndTheConnectionStays() {
        try (TetraClient small = TetraClient.connect(io.tetradb.client.ClientConfig.builder().host("127.0.0.1")
                .port(server.boundPort()).user("admin").password(TestServers.ADMIN_PASSWORD).maxFrameSize(1024)
                .build())) {
            String big = "SELECT '" + "x".repeat(2000) + "'";
            assertThatThrownBy(() -> small.execute(big)).isInstanceOfSatisfying(TetraException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE));
            assertThat(small.execute("SELECT 3").rows().get(0).getInt(0)).isEqualTo(3);
        }
    }

    @Test
    void closingAStreamEarlyLeavesTheSessionUsable() {
        try (Rows rows = client.statement("SELECT X FROM SYSTEM_RANGE(1, 100000)").fetchSize(100).query()) {
            int i = 0;
            for (Row r : rows) {
                if (++i == 250) {
                    break;
                }
            }
        }
        assertThat(client.execute("SELECT 42").rows().get(0).getInt(0)).isEqualTo(42);
    }

    @Test
    void generatedKeys() {
        client.execute("CREATE TABLE GK(ID BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, V VARCHAR(10))");
        Result r = client.statement("INSERT INTO GK(V) VALUES (?)").parameters("a").returnGeneratedKeys(true).execute();
        assertThat(r.updateCount()).isEqualTo(1);
        assertThat(r.generatedKeys()).hasSize(1);
        assertThat(r.generatedKeys().get(0).getLong(0)).isEqualTo(1L);
    }

    @Test
    void manyRequestsInFlightRunInOrder() {
        client.execute("CREATE TABLE SEQ_ORDER(ID BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, N INT)");
        List<CompletableFuture<Result>> fs = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            fs.add(client.executeAsync("INSERT INTO SEQ_ORDER(N) VALUES (?)", i));
        }
        CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).join();
        List<Row> rows = client.execute("SELECT ID, N FROM SEQ_ORDER ORDER BY ID").rows();
        assertThat(rows).hasSize(300);
        for (int i = 0; i < 300; i++) {
            assertThat(rows.get(i).getInt("N")).isEqualTo(i);
        }
    }

    @Test
    void malformedSqlIsASqlErrorWithSqlState() {
        assertThatThrownBy(() -> client.execute("SELEKT 1"))
                .isInstanceOfSatisfying(TetraException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.SQL_ERROR);
                    assertThat(e.sqlState()).isEqualTo("42001");
                });
        assertThat(client.execute("SELECT 1").rows()).hasSize(1);
    }

    @Test
    void sequenceIncrementIsAWrite() {
        client.execute("CREATE SEQUENCE S1");
        Result r = client.execute("SELECT NEXT VALUE FOR S1");
        assertThat(r.kind()).isEqualTo(StatementKind.DATA_WRITE);
        assertThat(client.execute("SELECT 1 FROM DUAL").kind()).isEqualTo(StatementKind.READ);
        assertThat(client.execute("CREATE TABLE KINDS(A INT)").kind()).isEqualTo(StatementKind.STRUCTURE_WRITE);
        assertThat(client.execute("INSERT INTO KINDS VALUES 1").kind()).isEqualTo(StatementKind.DATA_WRITE);
        // Its statement is only known when it runs: the log could not record it by effect.
        assertThatThrownBy(() -> client.execute("EXECUTE IMMEDIATE 'CREATE TABLE KINDS2(A INT)'"))
                .isInstanceOfSatisfying(TetraException.class,
                        e -> assertThat(e.code()).isEqualTo(io.tetradb.client.ErrorCode.NOT_ALLOWED_FOR_ROLE));
        assertThat(client.execute("CALL 1 + 1").kind()).isEqualTo(StatementKind.READ);
    }
}
