package io.tetradb.server;

import io.tetradb.client.Result;
import io.tetradb.client.TetraClient;
import io.tetradb.client.TetraFuture;
import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Transactions, autocommit and cancellation through a real server. */
@Timeout(120)
class TransactionsIT {
    @TempDir
    static Path dir;
    static TetraServer server;
    static TetraClient a;
    static TetraClient b;

    @BeforeAll
    static void start() throws Exception {
        server = TestServers.start(dir);
        a = TestServers.admin(server);
        b = TestServers.admin(server);
        a.execute("CREATE TABLE ACCOUNT(ID INT PRIMARY KEY, BALANCE INT)");
    }

    @AfterAll
    static void stop() {
        a.close();
        b.close();
        server.close();
    }

    private static long count(TetraClient c, String where) {
        return c.execute("SELECT COUNT(*) FROM ACCOUNT WHERE " + where).rows().get(0).getLong(0);
    }

    @Test
    void rollbackDiscardsAndCommitPublishes() {
        a.begin();
        Result r = a.execute("INSERT INTO ACCOUNT VALUES (1, 100)");
        assertThat(r.inTransaction()).isTrue();
        assertThat(count(a, "ID = 1")).isEqualTo(1);
        assertThat(count(b, "ID = 1")).isZero();
        a.rollback();
        assertThat(count(a, "ID = 1")).isZero();

        a.begin();
        a.execute("INSERT INTO ACCOUNT VALUES (2, 200)");
        a.execute("UPDATE ACCOUNT SET BALANCE = 250 WHERE ID = 2");
        a.commit();
        assertThat(b.execute("SELECT BALANCE FROM ACCOUNT WHERE ID = 2").rows().get(0).getInt(0)).isEqualTo(250);
        assertThat(a.execute("SELECT 1").inTransaction()).isFalse();
    }

    @Test
    void sqlTransactionControlIsTracked() {
        a.execute("SET AUTOCOMMIT FALSE");
        assertThat(a.execute("INSERT INTO ACCOUNT VALUES (3, 300)").inTransaction()).isTrue();
        assertThat(count(b, "ID = 3")).isZero();
        a.execute("COMMIT");
        a.execute("SET AUTOCOMMIT TRUE");
        assertThat(count(b, "ID = 3")).isEqualTo(1);
    }

    @Test
    void anErrorInsideATransactionKeepsItOpenAndSaysSo() {
        a.begin();
        a.execute("INSERT INTO ACCOUNT VALUES (10, 1)");
        assertThatThrownBy(() -> a.execute("INSERT INTO ACCOUNT VALUES (10, 2)"))
                .isInstanceOfSatisfying(TetraException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.SQL_ERROR);
                    assertThat(e.sqlState()).isEqualTo("23505");
                    assertThat(e.inTransaction()).isTrue();
                });
        a.commit();
        assertThat(count(b, "ID = 10")).isEqualTo(1);
    }

    @Test
    void beginTwiceIsRefused() {
        a.begin();
        try {
            assertThatThrownBy(a::begin).isInstanceOfSatisfying(TetraException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
        } finally {
            a.rollback();
        }
    }

    @Test
    void aRunningStatementCanBeCancelled() throws Exception {
        TetraClient c = TestServers.admin(server);
        try {
            String sum = "SELECT SUM(X) FROM SYSTEM_RANGE(1, ?)";
            TetraFuture<Result> f = c.executeAsync(sum, 100_000_000_000L);
            // Wait until the server runs it (the session has a request in flight), then cancel.
            await().atMost(30, TimeUnit.SECONDS).until(() -> a.admin().sessions().stream()
                    .anyMatch(s -> s.getId() == c.sessionId() && s.getRequestsInFlight() > 0));
            f.cancelRequest();
            assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOfSatisfying(TetraException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.CANCELLED));
            assertThat(c.execute("SELECT 7").rows().get(0).getInt(0)).isEqualTo(7);
            // The cancelled statement's text again (the server may reuse its prepared statement).
            assertThat(c.execute(sum, 10).rows().get(0).getLong(0)).isEqualTo(55L);
        } finally {
            c.close();
        }
    }

    @Test
    void aQueuedRequestCanBeCancelledBeforeItRuns() {
        TetraClient c = TestServers.admin(server);
        try {
            TetraFuture<Result> first = c.executeAsync("SELECT SUM(X) FROM SYSTEM_RANGE(1, 100000000000)");
            TetraFuture<Result> second = c.executeAsync("INSERT INTO ACCOUNT VALUES (77, 1)");
            second.cancelRequest();
            assertThatThrownBy(second::join).isInstanceOf(CompletionException.class)
                    .cause().isInstanceOfSatisfying(TetraException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.CANCELLED));
            first.cancelRequest();
            assertThatThrownBy(first::join).isInstanceOf(CompletionException.class);
            assertThat(count(b, "ID = 77")).isZero();
        } finally {
            c.close();
        }
    }

    @Test
    void closingAClientRollsBackItsOpenTransaction() {
        TetraClient c = TestServers.admin(server);
        c.begin();
        c.execute("INSERT INTO ACCOUNT VALUES (88, 1)");
        c.close();
        assertThat(count(b, "ID = 88")).isZero();
        await().atMost(30, TimeUnit.SECONDS).until(() -> a.admin().sessions().stream()
                .noneMatch(s -> s.getId() == c.sessionId()));
    }
}
