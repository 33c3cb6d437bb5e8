package io.tetradb.server.log;

import io.tetradb.client.TetraClient;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The line the server logs when it closes the log file: the log's counters, which bench/ reads. */
@Timeout(120)
class LogCloseLineIT {
    @TempDir
    Path temp;

    @Test
    void closingTheServerLogsTheLogsCounters() throws Exception {
        LogStatus before;
        try (LogFixtures.CapturedLog info = LogFixtures.CapturedLog.capture("INFO")) {
            try (TetraServer server = TestServers.start(temp)) {
                try (TetraClient admin = TestServers.admin(server)) {
                    TestServers.tableT(admin, 3);
                    admin.update("INSERT INTO T(ID, V) VALUES (?, ?)", 100, "x");
                }
                before = server.logs().log().status();
            }
            assertThat(before.transactions()).isPositive();
            assertThat(before.syncs()).isPositive();
            assertThat(info.lines).anySatisfy(line -> assertThat(line).startsWith("INFO Log file ")
                    .contains(" closed: " + before.transactions() + " transaction(s), " + before.operations()
                            + " operation(s), " + before.bytesWritten() + " bytes written, " + before.syncs()
                            + " sync(s), largest batch " + before.largestBatch() + " transaction(s)"));
        }
    }
}
