package io.tetradb.server.session;

import io.tetradb.client.Result;
import io.tetradb.client.TetraClient;
import io.tetradb.client.TetraFuture;
import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraException;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A cancel sent right behind its statement is never lost: whether it finds the request
 * queued, being classified and prepared, or running in the engine, the statement ends
 * with 2009 (an endless query would otherwise run until the statement timeout).
 */
@Timeout(300)
class EarlyCancelIT {
    private static final String ENDLESS =
            "WITH RECURSIVE R(N) AS (SELECT 1 UNION ALL SELECT N + 1 FROM R) SELECT COUNT(*) FROM R";

    @TempDir
    Path dir;

    @Test
    void aCancelRightBehindItsStatementAlwaysEndsIt() throws Exception {
        try (TetraServer server = TestServers.start(dir); TetraClient admin = TestServers.admin(server)) {
            for (int i = 0; i < 40; i++) {
                // A text of its own each time: never cached, so the window before the engine is the widest.
                TetraFuture<Result> f = admin.executeAsync(ENDLESS + " WHERE " + i + " = " + i);
                f.cancelRequest();
                assertThatThrownBy(() -> f.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                        .cause().isInstanceOfSatisfying(TetraException.class,
                                e -> assertThat(e.code()).isEqualTo(ErrorCode.CANCELLED));
                assertThat(admin.execute("SELECT " + i).rows()).hasSize(1);
            }
        }
    }
}
