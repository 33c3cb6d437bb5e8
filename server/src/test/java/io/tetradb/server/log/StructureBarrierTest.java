package io.tetradb.server.log;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

@Timeout(30)
class StructureBarrierTest {
    @Test
    void aStructureChangeWaitsForOpenWritesAndHoldsBackNewOnes() throws Exception {
        StructureBarrier b = new StructureBarrier();
        b.enterWrite(1000);
        CompletableFuture<Void> change = CompletableFuture.runAsync(() -> {
            try {
                b.close(20_000);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        CompletableFuture<Void> write = new CompletableFuture<>();
        // The second write starts only once the change holds the barrier (closed, waiting for the first).
        await().atMost(10, TimeUnit.SECONDS).until(b::isClosed);
        CompletableFuture.runAsync(() -> {
            try {
                b.enterWrite(20_000);
                write.complete(null);
            } catch (SQLException e) {
                write.completeExceptionally(e);
            }
        });
        assertThat(change).isNotDone();
        b.exitWrite();
        change.get(10, TimeUnit.SECONDS);
        assertThat(write).isNotDone();
        b.open();
        write.get(10, TimeUnit.SECONDS);
        assertThat(b.openWrites()).isEqualTo(1);
    }

    @Test
    void bothWaitsEndWithHYT00AndATimedOutChangeLetsWritesThrough() throws Exception {
        StructureBarrier b = new StructureBarrier();
        b.enterWrite(1000);
        assertThatThrownBy(() -> b.close(50)).isInstanceOf(SQLException.class)
                .hasMessageContaining("open write transaction").extracting(e -> ((SQLException) e).getSQLState())
                .isEqualTo("HYT00");
        b.enterWrite(50); // the change that timed out gave the barrier up
        b.exitWrite();
        b.exitWrite();
        b.close(1000);
        assertThatThrownBy(() -> b.enterWrite(50)).isInstanceOf(SQLException.class)
                .hasMessageContaining("structure change").extracting(e -> ((SQLException) e).getSQLState())
                .isEqualTo("HYT00");
        b.open();
        b.enterWrite(50);
        assertThat(b.openWrites()).isEqualTo(1);
    }
}
