package io.tetradb.server.session;

import io.netty.channel.embedded.EmbeddedChannel;
import io.tetradb.protocol.Role;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/** A cancel reaches only the statement it names, and the statement's end says whether one came. */
@Timeout(60)
class SessionCancelTest {
    private ExecutorService workers;
    private Connection h2;
    private Session session;

    @BeforeEach
    void setUp() throws Exception {
        workers = Executors.newSingleThreadExecutor();
        h2 = DriverManager.getConnection("jdbc:h2:mem:cancel");
        session = new Session("u", Role.USER, new EmbeddedChannel(), "test", "test", new OrderedExecutor(workers));
    }

    @AfterEach
    void tearDown() throws Exception {
        h2.close();
        workers.shutdownNow();
    }

    @Test
    void aCancelForAnotherRequestReachesNothing() throws Exception {
        try (Statement a = h2.createStatement()) {
            session.running(1, a);
            assertThat(session.cancelRunning(2)).isFalse();
            assertThat(session.notRunning()).isFalse();
        }
    }

    @Test
    void aCancelDeliveredWhileTheStatementRunsIsReportedAtItsEnd() throws Exception {
        try (Statement a = h2.createStatement()) {
            session.running(1, a);
            assertThat(session.cancelRunning(1)).isTrue();
            assertThat(session.notRunning()).isTrue();
            // The next statement starts clean, and a late cancel for the first one finds nothing.
            session.running(2, a);
            assertThat(session.cancelRunning(1)).isFalse();
            assertThat(session.notRunning()).isFalse();
            assertThat(session.cancelRunning(2)).isFalse();
        }
    }

    @Test
    void aCancelThatArrivesAfterTheEndFindsNothingAndTheStatementStillWorks() throws Exception {
        try (Statement a = h2.createStatement()) {
            session.running(1, a);
            assertThat(session.notRunning()).isFalse();
            assertThat(session.cancelRunning(1)).isFalse();
            try (ResultSet rs = a.executeQuery("SELECT 1")) {
                assertThat(rs.next()).isTrue();
            }
        }
    }
}
