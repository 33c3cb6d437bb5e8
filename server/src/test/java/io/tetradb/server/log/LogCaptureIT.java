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

    @Test
    void aTornTailLeftByACrashIsDroppedAndTheNumberingGoesOn() throws Exception {
        long last;
        java.nio.file.Path journal;
        try (TetraServer server = TestServers.start(temp);
             TetraClient admin = TestServers.admin(server)) {
            admin.execute("CREATE TABLE T(ID INT PRIMARY KEY)");
            admin.update("INSERT INTO T VALUES (1)");
            last = server.logs().log().lastOperation();
            journal = server.layout().logFile();
        }
        // Half a frame, as a kill during a write leaves: a length that promises more than follows.
        java.nio.file.Files.write(journal, new byte[] {0, 0, 1, 0, 1, 2, 3, 4, 5}, java.nio.file.StandardOpenOption.APPEND);
        try (TetraServer server = TestServers.start(temp);
             TetraClient admin = TestServers.admin(server)) {
            assertThat(server.logs().log().tornBytesDroppedAtOpen()).isEqualTo(9);
            admin.update("INSERT INTO T VALUES (2)");
            List<Transaction> txs = read(server);
            assertThat(txs.get(txs.size() - 1).getFirstOperation()).isGreaterThan(last);
            assertThat(admin.execute("SELECT COUNT(*) FROM T").rows().get(0).getLong(0)).isEqualTo(2);
        }
    }

    @Test
    void transactionsSavepointsAndFailedStatementsLogOnlyWhatWasCommitted() throws Exception {
        try (TetraServer server = TestServers.start(temp);
             TetraClient admin = TestServers.admin(server)) {
            admin.execute("CREATE TABLE T(ID INT PRIMARY KEY)");
            int before = read(server).size();
            admin.begin();
            admin.update("INSERT INTO T VALUES (1)");
            admin.execute("SAVEPOINT A");
            admin.update("INSERT INTO T VALUES (2)");
            admin.execute("ROLLBACK TO SAVEPOINT A");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> admin.update("INSERT INTO T VALUES (3), (1)"))
                    .isInstanceOf(io.tetradb.client.TetraException.class);
            admin.update("INSERT INTO T VALUES (4)");
            admin.commit();
            admin.begin();
            admin.update("INSERT INTO T VALUES (5)");
            admin.rollback();
            List<Transaction> txs = read(server);
            assertThat(txs).hasSize(before + 1);
            Transaction t = txs.get(txs.size() - 1);
            assertThat(t.getOperationsList()).extracting(o -> o.getInsert().getNewValues(0).getIntValue())
                    .containsExactly(1, 4);
            assertThat(t.getUser()).isEqualTo("admin");
            assertThat(t.getClientAddress()).contains("127.0.0.1");
        }
    }

    static List<Transaction> read(TetraServer server) throws Exception {
        OperationLog log = server.logs().log();
        List<Transaction> out = new ArrayList<>();
        SegmentReader.scan(log.file(), log.header().getDatabaseId(), out::add);
        return out;
    }
}
