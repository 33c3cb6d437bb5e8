package io.tetradb.examples;

import io.tetradb.client.*;

import java.time.Duration;

/** The backup-wait example of docs/backups.md, run by ExamplesIT while a backup holds writes. */
final class BackupWaits {
    private BackupWaits() {
    }

    /** Returns the error code the fail-fast update ended with, or 0 if it ran. */
    static int run(TetraClient client) {
        int code = 0;
        // docs:begin backup-wait
        client.onBackupWait(n -> System.out.printf("waiting for backup %d (%.0f%%)%n",
                n.backupNumber(), n.progress().getPercent()));            // n.cancel() gives up the write
        client.waitPolicy(WaitPolicy.waitAtMost(Duration.ofSeconds(30)));   // or WAIT (default), FAIL_FAST
        try {
            client.statement("UPDATE ITEM SET NAME = ? WHERE ID = ?").parameters("green tea", 1)
                  .waitPolicy(WaitPolicy.FAIL_FAST).execute();              // this statement only
        } catch (TetraException e) {
            // -9976, ErrorCode.BACKUP_IN_PROGRESS: a backup holds writes back; the update did not run
            System.out.println(e.code().code() + " " + e.getMessage());
            code = e.code().code();
        }
        // docs:end
        return code;
    }
}
