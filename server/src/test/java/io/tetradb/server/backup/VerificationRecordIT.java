package io.tetradb.server.backup;

import io.tetradb.client.TetraClient;
import io.tetradb.protocol.ArchiveVerification;
import io.tetradb.protocol.BackupHistoryEntry;
import io.tetradb.protocol.BackupRecord;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What was verified of an archive is recorded (issue 12 item 10g): in the last backup's
 * information and in backup-history.json, and a server stopped during a verification says
 * so at its next start instead of recording the archive as verified.
 */
@Timeout(180)
class VerificationRecordIT {
    @TempDir
    Path dir;

    private static BackupHistoryEntry historyEntry(TetraClient admin, long number) {
        return admin.admin().backupHistory().getEntriesList().stream().filter(e -> e.getNumber() == number)
                .findFirst().orElseThrow();
    }

    @Test
    void aVerifiedArchiveIsRecordedVerifiedAndOneMadeWithoutVerificationNotVerified() throws Exception {
        try (TetraServer server = TestServers.start(dir); TetraClient admin = TestServers.admin(server)) {
            TestServers.tableT(admin, 20);
            BackupRecord verified = TestServers.backup(admin);
            assertThat(verified.getStatus()).isEqualTo("SUCCESS");
            assertThat(verified.getVerification()).isEqualTo(ArchiveVerification.ARCHIVE_VERIFIED);
            assertThat(historyEntry(admin, verified.getNumber()).getVerification())
                    .isEqualTo(ArchiveVerification.ARCHIVE_VERIFIED);

            admin.admin().setBackupSettings("archive.verify=false");
            BackupRecord unverified = TestServers.backup(admin);
            assertThat(unverified.getStatus()).isEqualTo("SUCCESS");
            assertThat(unverified.getVerification()).isEqualTo(ArchiveVerification.ARCHIVE_NOT_VERIFIED);
            assertThat(historyEntry(admin, unverified.getNumber()).getVerification())
                    .isEqualTo(ArchiveVerification.ARCHIVE_NOT_VERIFIED);
            assertThat(historyEntry(admin, verified.getNumber()).getVerification())
                    .as("the earlier entry keeps its record").isEqualTo(ArchiveVerification.ARCHIVE_VERIFIED);
        }
        // The record survives a restart.
        try (TetraServer again = TestServers.start(dir); TetraClient admin = TestServers.admin(again)) {
            assertThat(admin.admin().backupStatus().getLast().getVerification())
                    .isEqualTo(ArchiveVerification.ARCHIVE_NOT_VERIFIED);
        }
    }

    /**
     * A kill during the verification, as the files show it: at the moment the verification
     * begins (the test hook), the backup's records on disk (backup-state.json and the
     * destination's backup-history.json) are what a kill -9 then would leave, beside the
     * archive under its final name. They are put back after the server stopped, and the
     * next start must report the verification as interrupted, never as done.
     */
    @Test
    void aServerStoppedDuringTheVerificationReportsItInterruptedAtTheNextStart() throws Exception {
        Path db = dir.resolve("testdb");
        Path stateFile = db.resolve("backup-state.json");
        Path historyFile = dir.resolve("testdb-backups").resolve("backup-history.json");
        Path savedState = dir.resolve("state-at-verification.json");
        Path savedHistory = dir.resolve("history-at-verification.json");
        long number;
        try (TetraServer server = TestServers.start(dir); TetraClient admin = TestServers.admin(server)) {
            TestServers.tableT(admin, 20);
            CompletableFuture<Boolean> historyExisted = new CompletableFuture<>();
            server.backups().onVerifying(n -> {
                try {
                    Files.copy(stateFile, savedState, StandardCopyOption.REPLACE_EXISTING);
                    boolean had = Files.exists(historyFile);
                    if (had) {
                        Files.copy(historyFile, savedHistory, StandardCopyOption.REPLACE_EXISTING);
                    }
                    historyExisted.complete(had);
                } catch (Exception e) {
                    historyExisted.completeExceptionally(e);
                }
            });
            BackupRecord done = TestServers.backup(admin);
            number = done.getNumber();
            assertThat(done.getVerification()).isEqualTo(ArchiveVerification.ARCHIVE_VERIFIED);
            assertThat(historyExisted.get(10, TimeUnit.SECONDS)).isFalse();
            assertThat(Files.readString(savedState)).contains("\"stage\" : \"VERIFYING\"");
        }
        // The files as the kill would have left them.
        Files.copy(savedState, stateFile, StandardCopyOption.REPLACE_EXISTING);
        Files.delete(historyFile);

        try (TetraServer again = TestServers.start(dir); TetraClient admin = TestServers.admin(again)) {
            BackupRecord last = admin.admin().backupStatus().getLast();
            assertThat(last.getNumber()).isEqualTo(number);
            assertThat(last.getStatus()).isEqualTo("SUCCESS");
            assertThat(last.getVerification()).isEqualTo(ArchiveVerification.ARCHIVE_VERIFICATION_INTERRUPTED);
            assertThat(last.getErrorMessage()).contains("while verifying backup " + number)
                    .contains("tetra-admin backup verify " + number);
            assertThat(Path.of(last.getArchive())).isRegularFile();
            assertThat(historyEntry(admin, number).getVerification())
                    .isEqualTo(ArchiveVerification.ARCHIVE_VERIFICATION_INTERRUPTED);
            assertThat(admin.admin().backupJournal(0)).anyMatch(l -> l.contains("\tinterrupted\t")
                    && l.contains("verification=ARCHIVE_VERIFICATION_INTERRUPTED"));
            // The archive itself is complete: a verification now passes, and backups go on.
            assertThat(admin.admin().verifyBackup(number).getRows()).isEqualTo(20);
            assertThat(TestServers.backup(admin).getVerification()).isEqualTo(ArchiveVerification.ARCHIVE_VERIFIED);
        }
    }
}
