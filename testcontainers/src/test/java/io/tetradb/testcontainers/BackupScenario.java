package io.tetradb.testcontainers;

import io.tetradb.client.BackupWaitNotice;
import io.tetradb.client.Result;
import io.tetradb.client.TetraClient;
import io.tetradb.client.TetraFuture;
import io.tetradb.protocol.BackupHistoryEntry;
import io.tetradb.protocol.BackupProgress;
import io.tetradb.protocol.BackupRecord;
import io.tetradb.protocol.BackupStatus;
import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraException;

import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The steps that the container tests ({@link TetraContainerIT}, where Docker runs) and
 * the process tests ({@link ImageEntrypointIT}, everywhere) share, through the client
 * library only, so that both check the same things: a backup started by a remote client
 * while another reads, a queued write cancelled with -9976, a backup running when the
 * server is told to stop, and what a restart finds.
 */
final class BackupScenario {
    /** Rows of 20 kB: about 2 MB of data, copied in about 8 s at {@link #SLOW_RATE}. */
    static final int ROWS = 100;
    /** archive.maxRate of a backup slow enough to be caught while it copies, in bytes/s. */
    static final int SLOW_RATE = 250_000;
    static final int CANCELLED_ID = 100_000;
    static final int QUEUED_ID = 100_001;

    private BackupScenario() {
    }

    /** A table of {@link #ROWS} rows of random bytes, and slow backups. */
    static void fill(TetraClient admin) {
        admin.execute("CREATE TABLE DATA(ID INT PRIMARY KEY, PAYLOAD VARBINARY(20000))");
        Random rnd = new Random(42);
        for (int i = 0; i < ROWS; i++) {
            byte[] b = new byte[20_000];
            rnd.nextBytes(b);
            assertThat(admin.update("INSERT INTO DATA VALUES (?, ?)", i, b)).isEqualTo(1);
        }
        admin.admin().setBackupSettings("archive.maxRate=" + SLOW_RATE);
    }

    /** Waits until the running backup copies the data file (the write gate is closed). */
    static void awaitCopyingData(TetraClient admin) {
        await().atMost(120, TimeUnit.SECONDS).until(() -> {
            BackupStatus s = admin.admin().backupStatus();
            BackupProgress p = s.getProgress();
            return s.getState().equals("RUNNING") && p.getPhase().equals("copying data") && p.getBytesDone() > 0;
        });
    }

    static BackupRecord awaitIdle(TetraClient admin) {
        await().atMost(180, TimeUnit.SECONDS).until(() -> admin.admin().backupStatus().getState().equals("IDLE"));
        return admin.admin().backupStatus().getLast();
    }

    /**
     * Backup 1, started by {@code admin} (a remote client): {@code reader} reads while it
     * copies, {@code writer}'s INSERT is queued and cancelled (-9976); the backup then
     * succeeds. Returns its record.
     */
    static BackupRecord backupWhileReadingWithACancelledWrite(TetraClient admin, TetraClient reader,
                                                            TetraClient writer) throws Exception {
        long number = admin.admin().startBackup().getBackupNumber();
        assertThat(number).isEqualTo(1);
        awaitCopyingData(admin);

        for (int i = 0; i < 3; i++) {
            assertThat(reader.execute("SELECT COUNT(*), SUM(LENGTH(PAYLOAD)) FROM DATA").rows().get(0).getLong(0))
                    .isEqualTo(ROWS);
        }
        assertThat(admin.admin().backupStatus().getState()).as("the reads ran during the backup").isEqualTo("RUNNING");

        // The writer is told at once that its INSERT waits for backup 1, and gives it up.
        BlockingQueue<BackupWaitNotice> notices = new LinkedBlockingQueue<>();
        writer.onBackupWait(notices::add);
        TetraFuture<Result> insert = writer.executeAsync("INSERT INTO DATA VALUES (?, X'00')", CANCELLED_ID);
        BackupWaitNotice notice = notices.poll(60, TimeUnit.SECONDS);
        assertThat(notice).as("BackupWait for the queued INSERT").isNotNull();
        assertThat(notice.requestId()).isEqualTo(insert.requestId());
        assertThat(notice.backupNumber()).isEqualTo(number);
        notice.cancel();
        assertThatThrownBy(() -> insert.get(60, TimeUnit.SECONDS)).cause()
                .isInstanceOfSatisfying(TetraException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BACKUP_IN_PROGRESS);
                    assertThat(e.rawCode()).isEqualTo(-9976);
                });
        assertThat(admin.admin().backupStatus().getState()).isEqualTo("RUNNING");

        BackupRecord last = awaitIdle(admin);
        assertThat(last.getNumber()).isEqualTo(number);
        assertThat(last.getStatus()).as(last.getErrorMessage()).isEqualTo("SUCCESS");
        assertThat(last.getWritesCancelled()).isEqualTo(1);
        assertThat(admin.execute("SELECT COUNT(*) FROM DATA WHERE ID = ?", CANCELLED_ID).rows().get(0).getLong(0))
                .isZero();
        return last;
    }

    /**
     * Backup 2 (after {@code previous}), caught while it copies, with {@code writer}'s
     * INSERT queued behind it. Returns the queued write; its backup number is previous + 1.
     */
    static TetraFuture<Result> startABackupAndQueueAWrite(TetraClient admin, TetraClient writer, long previous) {
        assertThat(admin.admin().startBackup().getBackupNumber()).isEqualTo(previous + 1);
        awaitCopyingData(admin);
        TetraFuture<Result> queued = writer.executeAsync("INSERT INTO DATA VALUES (?, X'01')", QUEUED_ID);
        await().atMost(60, TimeUnit.SECONDS).until(() -> admin.admin().backupStatus().getProgress().getQueuedWrites() == 1);
        assertThat(queued).isNotDone();
        return queued;
    }

    /**
     * After a graceful stop during backup {@code stopped}: the write that was queued was
     * answered before the server went away (it ran once the backup stopped).
     */
    static void theQueuedWriteWasAnswered(TetraFuture<Result> queued) throws Exception {
        assertThat(queued.get(60, TimeUnit.SECONDS).updateCount()).isEqualTo(1);
    }

    /**
     * What a restarted server on the same folders shows: every row, backup
     * {@code stopped} recorded STOPPED with 1406 and journaled, archive 1 still listed,
     * and the next backup gets the next number.
     */
    static void afterTheRestart(TetraClient admin, BackupRecord first, long stopped) {
        assertThat(admin.execute("SELECT COUNT(*) FROM DATA WHERE ID < ?", ROWS).rows().get(0).getLong(0))
                .isEqualTo(ROWS);
        assertThat(admin.execute("SELECT COUNT(*) FROM DATA WHERE ID = ?", QUEUED_ID).rows().get(0).getLong(0))
                .as("the write answered during the stop is kept").isEqualTo(1);
        assertThat(admin.execute("SELECT COUNT(*) FROM DATA WHERE ID = ?", CANCELLED_ID).rows().get(0).getLong(0))
                .isZero();

        BackupStatus status = admin.admin().backupStatus();
        assertThat(status.getState()).isEqualTo("IDLE");
        BackupRecord last = status.getLast();
        assertThat(last.getNumber()).isEqualTo(stopped);
        assertThat(last.getStatus()).isEqualTo("STOPPED");
        assertThat(last.getErrorCode()).isEqualTo(ErrorCode.BACKUP_STOPPED.code());
        assertThat(last.getErrorMessage()).contains("server shutdown");
        assertThat(last.getArchive()).isEmpty();

        assertThat(admin.admin().backupJournal(0)).anyMatch(l -> l.contains("\t" + stopped + "\tend\t")
                && l.contains("status=STOPPED") && l.contains("code=1406"));

        List<BackupHistoryEntry> kept = admin.admin().backupHistory().getEntriesList().stream()
                .filter(e -> !e.getFile().isEmpty()).toList();
        assertThat(kept).singleElement().satisfies(e -> {
            assertThat(e.getNumber()).isEqualTo(first.getNumber());
            assertThat(e.getFile()).endsWith(fileName(first.getArchive()));
            assertThat(e.getSize()).isEqualTo(first.getArchiveSize());
        });

        admin.admin().setBackupSettings("archive.maxRate=0");
        assertThat(admin.admin().startBackup().getBackupNumber()).isEqualTo(stopped + 1);
        BackupRecord next = awaitIdle(admin);
        assertThat(next.getNumber()).isEqualTo(stopped + 1);
        assertThat(next.getStatus()).as(next.getErrorMessage()).isEqualTo("SUCCESS");
    }

    static String fileName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
