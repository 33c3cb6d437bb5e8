package io.tetradb.server;

import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraClient;
import io.tetradb.client.TetraException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A transaction begun read-only (Begin.read_only, {@code TetraClient.begin(true)}) refuses
 * every write in it with 2007, by effect (a SELECT over a delta table, NEXT VALUE FOR
 * included), the statement only: it reads on, and once it ends writes run again.
 */
@Timeout(120)
class ReadOnlyTransactionIT {
    @TempDir
    Path dir;
    TetraServer server;

    @BeforeEach
    void start() throws Exception {
        server = TestServers.start(dir);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void writesInAReadOnlyTransactionAreRefusedUntilItEnds() {
        try (TetraClient c = TestServers.admin(server)) {
            TestServers.tableT(c, 3);
            c.execute("CREATE SEQUENCE S");
            c.begin(true);
            for (String write : new String[]{"INSERT INTO T VALUES (10, 'x')", "UPDATE T SET V = 'y'",
                "DELETE FROM T", "SELECT * FROM FINAL TABLE (INSERT INTO T VALUES (11, 'z'))",
                "SELECT NEXT VALUE FOR S", "CREATE TABLE U(ID INT)"}) {
                assertThatThrownBy(() -> c.execute(write)).as(write).isInstanceOfSatisfying(TetraException.class,
                        e -> {
                            assertThat(e.code()).isEqualTo(ErrorCode.NOT_ALLOWED_FOR_ROLE);
                            assertThat(e.getMessage()).contains("The transaction is read-only");
                        });
            }
            // it reads on, inside the same transaction
            assertThat(c.execute("SELECT COUNT(*) FROM T").rows().get(0).getLong(0)).isEqualTo(3);
            c.commit();
            assertThat(c.update("INSERT INTO T VALUES (10, 'after')")).isEqualTo(1L);
            // a transaction begun read-write is not read-only
            c.begin(false);
            assertThat(c.update("INSERT INTO T VALUES (12, 'rw')")).isEqualTo(1L);
            c.rollback();
            // and after a rollback of a read-only one, writes run again too
            c.begin(true);
            assertThatThrownBy(() -> c.update("INSERT INTO T VALUES (13, 'no')")).isInstanceOf(TetraException.class);
            c.rollback();
            assertThat(c.update("INSERT INTO T VALUES (13, 'yes')")).isEqualTo(1L);
            assertThat(c.execute("SELECT COUNT(*) FROM T").rows().get(0).getLong(0)).isEqualTo(5);
        }
    }
}
