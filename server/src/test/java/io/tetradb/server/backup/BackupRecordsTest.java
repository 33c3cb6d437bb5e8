package io.tetradb.server.backup;

import io.tetradb.protocol.BackupRecord;
import io.tetradb.server.DataLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * backup-state.json across a stop that did not end the running backup (a kill): the next
 * start records that backup with the time it started, not the time of the restart.
 */
@Timeout(30)
class BackupRecordsTest {
    @TempDir
    Path dir;

    @Test
    void anInterruptedBackupKeepsItsStartTime() throws Exception {
        DataLayout layout = new DataLayout(dir.resolve("db"));
        Files.createDirectories(layout.root());
        Files.createDirectories(layout.logsDir());
        BackupRecords before = new BackupRecords(layout, new BackupJournal(layout.logsDir()));
        long number = before.takeNumber();
        long started = System.currentTimeMillis() - 3_600_000;
        before.running(number, dir.resolve("db-backups").resolve("db-0001.tar"), false, started);
        // The process dies here: nothing else is written. The next start reads the file.
        long restart = System.currentTimeMillis();
        BackupRecord last = new BackupRecords(layout, new BackupJournal(layout.logsDir())).last();
        assertThat(last.getNumber()).isEqualTo(number);
        assertThat(last.getStatus()).isEqualTo("FAILED");
        assertThat(last.getStartMillis()).as("the backup's own start").isEqualTo(started);
        assertThat(last.getEndMillis()).as("when the stop was noticed").isGreaterThanOrEqualTo(restart);
    }
}
