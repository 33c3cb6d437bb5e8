package io.tetradb.server.log;

import io.tetradb.client.TetraClient;
import io.tetradb.client.TetraException;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A structure change waits for the open write transactions of other sessions, but not for
 * one whose writes changed nothing (SELECT ... FOR UPDATE only locks rows, as Flyway's lock
 * of its history table): that one leaves nothing for the log to order.
 */
@Timeout(60)
class StructureWaitIT {
    @TempDir
    Path dir;

    @Test
    void aTransactionThatOnlyLockedRowsDoesNotHoldAStructureChangeBackOneWithChangesDoes() throws Exception {
        try (TetraServer server = TetraServer.start(TestServers.config(dir).logStructureWait(Duration.ofSeconds(1))
                .build());
             TetraClient a = TestServers.admin(server);
             TetraClient b = TestServers.admin(server)) {
            a.execute("CREATE TABLE LOCKS(ID INT PRIMARY KEY)");
            a.execute("INSERT INTO LOCKS VALUES (1)");
            a.begin();
            assertThat(a.execute("SELECT * FROM LOCKS FOR UPDATE").rows()).hasSize(1);
            b.execute("CREATE TABLE OTHER(ID INT)");
            a.execute("UPDATE LOCKS SET ID = 2");
            assertThatThrownBy(() -> b.execute("CREATE TABLE THIRD(ID INT)"))
                    .isInstanceOfSatisfying(TetraException.class, e -> {
                        assertThat(e.sqlState()).isEqualTo("HYT00");
                        assertThat(e.getMessage()).contains("log.structureWait");
                    });
            a.commit();
            b.execute("CREATE TABLE THIRD(ID INT)");
            assertThat(b.execute("SELECT ID FROM LOCKS").rows().get(0).getInt(0)).isEqualTo(2);
        }
    }
}
