package io.tetradb.server.restore;

import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraException;
import io.tetradb.protocol.VerifyReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.tetradb.server.restore.RestoreFixtures.backup;
import static io.tetradb.server.restore.RestoreFixtures.fails;
import static io.tetradb.server.restore.RestoreFixtures.journal;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code backup verify} also checks the log after the archive (docs/restore-with-log.md): every
 * segment's checksum and that the log is unbroken from the archive to the current log.
 */
@Timeout(120)
class VerifyLogIT extends RestoreTestServer {
    VerifyLogIT() {
        super(10, false);
    }

    @Test
    void theLogAfterTheArchiveIsCheckedToTheCurrentLogsEnd() throws Exception {
        backup(admin);
        admin.update("INSERT INTO T VALUES (101, 'in segment 2')");
        backup(admin);
        admin.update("INSERT INTO T VALUES (102, 'in the current log')");
        long last = server.logs().log().lastOperation();

        VerifyReport one = admin.admin().verifyBackup(1);
        assertThat(one.getLogChecked()).isTrue();
        assertThat(one.getLogSegmentsList()).containsExactly("testdb-0002.journal.zst", "testdb.journal");
        assertThat(one.getLogLastOperation()).isEqualTo(last);
        VerifyReport two = admin.admin().verifyBackup(2);
        assertThat(two.getLogSegmentsList()).containsExactly("testdb.journal");
        assertThat(two.getLogLastOperation()).isEqualTo(last);
        assertThat(journal(server.layout().logsDir(), "verify")).last()
                .satisfies(l -> assertThat(l).contains("logLastOperation=" + last));
    }

    @Test
    void aDamagedOrMissingSegmentAfterTheArchiveFailsItsVerificationWithTheSegmentsCode() throws Exception {
        backup(admin);
        admin.update("INSERT INTO T VALUES (201, 'in segment 2')");
        backup(admin);
        Path segment = dir.resolve("testdb-backups").resolve("testdb-0002.journal.zst");
        byte[] original = Files.readAllBytes(segment);
        byte[] damaged = original.clone();
        damaged[damaged.length - 9] ^= 0x01;
        Files.write(segment, damaged);

        TetraException bad = fails(() -> admin.admin().verifyBackup(1));
        assertThat(bad.code()).isEqualTo(ErrorCode.LOG_SEGMENT_DAMAGED);
        assertThat(bad.getMessage()).contains("verified (1 tables, 10 rows), but the log after it does not")
                .contains("testdb-0002.journal.zst");
        // Archive 2 needs none of segment 2.
        assertThat(admin.admin().verifyBackup(2).getLogChecked()).isTrue();

        Files.delete(segment);
        TetraException missing = fails(() -> admin.admin().verifyBackup(1));
        assertThat(missing.code()).isEqualTo(ErrorCode.LOG_SEGMENT_MISSING);
        assertThat(missing.getMessage()).contains("testdb-0002.journal.zst (backup 2");
        assertThat(journal(server.layout().logsDir(), "verify-failed")).hasSize(2);
    }
}
