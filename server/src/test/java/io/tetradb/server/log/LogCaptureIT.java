package io.tetradb.server.log;

import io.tetradb.client.TetraClient;
import io.tetradb.protocol.log.Transaction;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What a served session's commits put in the log file, read back from the file itself. */
@Timeout(120)
class LogCaptureIT {
    @TempDir
    Path temp;

    @Test
    void autocommitRowsAreLoggedAsTheyWereStored() throws Exception {
        try (TetraServer server = TestServers.start(temp);
             TetraClient admin = TestServers.admin(server)) {
            admin.execute("CREATE TABLE T(ID INT PRIMARY KEY, V VARCHAR(100))");
            admin.update("INSERT INTO T VALUES (?, ?)", 1, "one");
            admin.update("UPDATE T SET V = 'uno' WHERE ID = 1");
            admin.update("DELETE FROM T WHERE ID = 1");
            List<Transaction> txs = read(server);
            assertThat(txs).hasSize(4);
            assertThat(txs.get(0).getOperations(0).getDdl().getSql()).contains("CREATE TABLE T");
            assertThat(txs.get(1).getOperations(0).getInsert().getNewValues(1).getStringValue()).isEqualTo("one");
            assertThat(txs.get(2).getOperations(0).getUpdate().getNewValues(1).getStringValue()).isEqualTo("uno");
            assertThat(txs.get(3).getOperations(0).hasDelete()).isTrue();
        }
    }

    static List<Transaction> read(TetraServer server) throws Exception {
        OperationLog log = server.logs().log();
        List<Transaction> out = new ArrayList<>();
        SegmentReader.scan(log.file(), log.header().getDatabaseId(), out::add);
        return out;
    }
}
