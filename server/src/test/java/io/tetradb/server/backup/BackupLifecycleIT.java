package io.tetradb.server.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tetradb.client.TetraClient;
import io.tetradb.protocol.BackupFinished;
import io.tetradb.protocol.BackupHistoryEntry;
import io.tetradb.protocol.BackupRecord;
import io.tetradb.protocol.BackupStatus;
import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraException;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import io.tetradb.server.restore.BackupArchiveReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Settings, schedule, failure policy, retention, hooks, attachments and records, through a real server. */
@Timeout(180)
class BackupLifecycleIT {
    @TempDir
    Path dir;
    MutableClock clock = new MutableClock(LocalDateTime.parse("2026-03-04T10:00"));
    TetraServer server;
    TetraClient admin;

    private void start() throws Exception {
        server = TetraServer.start(TestServers.config(dir).build(), clock);
        admin = TestServers.admin(server);
    }

    @AfterEach
    void stop() {
        if (admin != null) {
            admin.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private BackupRecord awaitIdle() {
        await().atMost(120, TimeUnit.SECONDS).until(() -> admin.admin().backupStatus().getState().equals("IDLE"));
        return admin.admin().backupStatus().getLast();
    }

    private BackupRecord awaitLast(long number) {
        await().atMost(120, TimeUnit.SECONDS).until(() -> {
            BackupStatus s = admin.admin().backupStatus();
            return s.getState().equals("IDLE") && s.getLast().getNumber() >= number;
        });
        return admin.admin().backupStatus().getLast();
    }

    private static long millis(String t) {
        return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC).toEpochMilli();
    }

    private Path destination() {
        return dir.resolve("testdb-backups");
    }

    @Test
    void settingsAreShownAndChangedRemotelyAndABadValueLeavesTheFileAsItWas() throws Exception {
        start();
        var shown = admin.admin().backupSettings();
        JsonNode effective = new ObjectMapper().readTree(shown.getEffectiveJson());
        assertThat(effective.path("archive").path("compression").asText()).isEqualTo("fast");
        assertThat(effective.path("retention").path("keepLast").asInt()).isEqualTo(3);

        admin.admin().setBackupSettings("archive.compression=none", "retention.keepLast=2");
        Path file = server.layout().settingsDir().resolve("backup.yml");
        String before = Files.readString(file);
        assertThat(before).contains("compression: none");
        assertThatThrownBy(() -> admin.admin().setBackupSettings("retention.keepLast=7", "archive.compression=zip"))
                .isInstanceOfSatisfying(TetraException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                    assertThat(e.getMessage()).contains("archive.compression");
                });
        assertThatThrownBy(() -> admin.admin().setBackupSettings("archive.speed=1"))
                .isInstanceOfSatisfying(TetraException.class, e -> assertThat(e.getMessage()).contains("archive.speed"));
        assertThat(Files.readString(file)).isEqualTo(before);

        // Applied without a restart: the next backup is an uncompressed tar.
        admin.admin().startBackup();
        assertThat(awaitIdle().getArchive()).endsWith("testdb-0001.tar");
    }

    @Test
    void aDailyScheduleRunsWithNoClientAndStatusShowsTheNextTime() throws Exception {
        start();
        admin.admin().setBackupSettings("schedule.frequency=daily", "schedule.at=\"23:00\"");
        assertThat(admin.admin().backupStatus().getNextScheduledMillis()).isEqualTo(millis("2026-03-04T23:00"));
        assertThat(admin.admin().status().getBackup().getSchedule()).isEqualTo("every 1 day(s) at 23:00");
        admin.close();
        admin = null;

        clock.set(LocalDateTime.parse("2026-03-04T22:59"));
        server.scheduler().check();
        clock.set(LocalDateTime.parse("2026-03-04T23:00"));
        server.scheduler().check();
        admin = TestServers.admin(server);
        BackupRecord r = awaitLast(1);
        assertThat(r.getStatus()).isEqualTo("SUCCESS");
        await().atMost(60, TimeUnit.SECONDS).until(
                () -> admin.admin().backupStatus().getNextScheduledMillis() == millis("2026-03-05T23:00"));
        assertThat(admin.admin().backupStatus().getLast().getNextScheduledMillis()).isEqualTo(millis("2026-03-05T23:00"));
        List<String> journal = admin.admin().backupJournal(0);
        assertThat(journal).anyMatch(l -> l.contains("\t1\tstart\t") && l.contains("origin=scheduled"));
    }

    @Test
    void anErrorInsideABackupEndsItWith2000ReopensTheGateAndNeverStopsLaterBackupsOrTheScheduler() throws Exception {
        start();
        admin.execute("CREATE TABLE T(ID INT PRIMARY KEY)");
        // Thrown on the backup thread with the gate closed, as zstd-jni's would be when /tmp is noexec.
        server.backups().onGateClosed(n -> {
            throw new UnsatisfiedLinkError("no zstd-jni in java.library.path (injected by the test)");
        });
        BackupRecord failed = CompletableFuture.supplyAsync(server.backups()::runAndWait).get(60, TimeUnit.SECONDS);
        assertThat(failed.getStatus()).isEqualTo("FAILED");
        assertThat(failed.getErrorCode()).isEqualTo(ErrorCode.INTERNAL_ERROR.code());
        assertThat(failed.getErrorMessage()).contains("UnsatisfiedLinkError");
        assertThat(server.backups().isRunning()).isFalse();
        assertThat(admin.update("INSERT INTO T VALUES (1)")).as("the gate is open").isEqualTo(1);
        assertThat(admin.admin().backupStatus().getLast().getNumber()).isEqualTo(1);
        assertThat(admin.admin().backupJournal(0)).anyMatch(l -> l.contains("\tend\t") && l.contains("code=2000"));
        try (Stream<Path> files = Files.list(destination())) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(f -> f.contains("testdb-0001"));
        }

        // A scheduled backup hit by the same Error fails, is retried per policy, and the retry succeeds.
        admin.admin().setBackupSettings("schedule.frequency=hourly", "schedule.startingAt=\"00:00\"",
                "onFailure.retryAfter=10m", "onFailure.maxAttempts=3");
        clock.set(LocalDateTime.parse("2026-03-04T11:00"));
        server.scheduler().check();
        BackupRecord scheduled = awaitLast(2);
        assertThat(scheduled.getErrorCode()).isEqualTo(ErrorCode.INTERNAL_ERROR.code());
        await().atMost(60, TimeUnit.SECONDS).until(
                () -> admin.admin().backupStatus().getNextScheduledMillis() == millis("2026-03-04T11:10"));
        server.backups().onGateClosed(null);
        clock.set(LocalDateTime.parse("2026-03-04T11:10"));
        server.scheduler().check();
        BackupRecord retried = awaitLast(3);
        assertThat(retried.getStatus()).as(retried.getErrorMessage()).isEqualTo("SUCCESS");
        assertThat(admin.update("INSERT INTO T VALUES (2)")).isEqualTo(1);

        // And a manual backup after it.
        admin.admin().startBackup();
        assertThat(awaitLast(4).getStatus()).isEqualTo("SUCCESS");
    }

    @Test
    void failedAttemptsAreRetriedThenAutomaticBackupsPauseWith1401UntilAManualSuccess() throws Exception {
        start();
        Path notAFolder = dir.resolve("file");
        Files.writeString(notAFolder, "x");
        admin.admin().setBackupSettings("schedule.frequency=hourly", "schedule.startingAt=\"00:00\"",
                "onFailure.retryAfter=10m", "onFailure.maxAttempts=2", "destination=" + notAFolder);
        clock.set(LocalDateTime.parse("2026-03-04T11:00"));
        server.scheduler().check();
        BackupRecord first = awaitLast(1);
        assertThat(first.getErrorCode()).isEqualTo(1407);
        await().atMost(60, TimeUnit.SECONDS).until(
                () -> admin.admin().backupStatus().getNextScheduledMillis() == millis("2026-03-04T11:10"));
        assertThat(admin.admin().backupStatus().getFailedAttempts()).isEqualTo(1);

        clock.set(LocalDateTime.parse("2026-03-04T11:10"));
        server.scheduler().check();
        await().atMost(60, TimeUnit.SECONDS).until(() -> admin.admin().backupStatus().getAutomaticPaused());
        BackupRecord gaveUp = admin.admin().backupStatus().getLast();
        assertThat(gaveUp.getErrorCode()).isEqualTo(1401);
        assertThat(admin.admin().backupStatus().getNextScheduledMillis()).isZero();
        assertThat(admin.admin().backupJournal(0)).anyMatch(l -> l.contains("code=1401"));

        // Paused: the schedule does nothing.
        long before = admin.admin().backupStatus().getLast().getNumber();
        clock.set(LocalDateTime.parse("2026-03-04T13:00"));
        server.scheduler().check();
        assertThat(admin.admin().backupStatus().getLast().getNumber()).isEqualTo(before);

        // A successful manual backup resumes them.
        admin.admin().setBackupSettings("destination=");
        admin.admin().startBackup();
        assertThat(awaitIdle().getStatus()).isEqualTo("SUCCESS");
        await().atMost(60, TimeUnit.SECONDS).until(() -> !admin.admin().backupStatus().getAutomaticPaused());
        assertThat(admin.admin().backupStatus().getNextScheduledMillis()).isEqualTo(millis("2026-03-04T14:00"));
    }

    @Test
    void withRetryNextScheduledAFailureWaitsForTheNextRegularTime() throws Exception {
        start();
        Path notAFolder = dir.resolve("file");
        Files.writeString(notAFolder, "x");
        admin.admin().setBackupSettings("schedule.frequency=daily", "schedule.at=\"12:00\"", "onFailure.retry=nextScheduled",
                "onFailure.maxAttempts=3", "destination=" + notAFolder);
        clock.set(LocalDateTime.parse("2026-03-04T12:00"));
        server.scheduler().check();
        assertThat(awaitLast(1).getErrorCode()).isEqualTo(1407);
        await().atMost(60, TimeUnit.SECONDS).until(
                () -> admin.admin().backupStatus().getNextScheduledMillis() == millis("2026-03-05T12:00"));
    }

    @Test
    void onlyIfModifiedSkipsWhenNothingChanged() throws Exception {
        start();
        admin.execute("CREATE TABLE T(ID INT)");
        admin.admin().setBackupSettings("schedule.frequency=hourly", "onlyIfModified=true");
        clock.set(LocalDateTime.parse("2026-03-04T11:00"));
        server.scheduler().check();
        assertThat(awaitLast(1).getStatus()).isEqualTo("SUCCESS");
        clock.set(LocalDateTime.parse("2026-03-04T12:00"));
        server.scheduler().check();
        await().atMost(60, TimeUnit.SECONDS).until(() -> admin.admin().backupStatus().getLast().getStatus().equals("SKIPPED"));
        assertThat(admin.admin().backupStatus().getLast().getNumber()).isEqualTo(2);
        assertThat(admin.admin().backupJournal(0)).anyMatch(l -> l.contains("\tskipped\t"));
        admin.update("INSERT INTO T VALUES (1)");
        clock.set(LocalDateTime.parse("2026-03-04T13:00"));
        server.scheduler().check();
        BackupRecord r = awaitLast(3);
        assertThat(r.getStatus()).isEqualTo("SUCCESS");
    }

    @Test
    void aBackupMissedWhileTheServerWasDownCountsAsAFailedAttempt() throws Exception {
        start();
        admin.admin().setBackupSettings("schedule.frequency=daily", "schedule.at=\"23:00\"", "onFailure.retryAfter=5m");
        admin.close();
        admin = null;
        server.close();
        server = null;
        clock.set(LocalDateTime.parse("2026-03-05T08:00"));
        start();
        BackupRecord missed = admin.admin().backupStatus().getLast();
        assertThat(missed.getStatus()).isEqualTo("FAILED");
        assertThat(missed.getErrorMessage()).contains("missed");
        assertThat(admin.admin().backupStatus().getNextScheduledMillis()).isEqualTo(millis("2026-03-05T08:05"));
        assertThat(admin.admin().backupJournal(0)).anyMatch(l -> l.contains("missed"));
        clock.set(LocalDateTime.parse("2026-03-05T08:05"));
        server.scheduler().check();
        assertThat(awaitLast(missed.getNumber() + 1).getStatus()).isEqualTo("SUCCESS");
    }

    @Test
    void retentionKeepsTheLastNAndTheHistoryListsThem() throws Exception {
        start();
        admin.admin().setBackupSettings("retention.keepLast=2");
        for (int i = 1; i <= 4; i++) {
            admin.admin().startBackup();
            assertThat(awaitLast(i).getStatus()).isEqualTo("SUCCESS");
        }
        try (Stream<Path> s = Files.list(destination())) {
            assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".zst")).sorted())
                    .containsExactly("testdb-0003.journal.zst", "testdb-0003.tar.zst", "testdb-0004.journal.zst",
                            "testdb-0004.tar.zst");
        }
        List<BackupHistoryEntry> history = admin.admin().backupHistory().getEntriesList();
        assertThat(history).extracting(BackupHistoryEntry::getNumber).containsExactly(3L, 4L);
        assertThat(history.get(1).getStatus()).isEqualTo("SUCCESS");
        assertThat(history.get(1).getSize()).isPositive();
        JsonNode file = new ObjectMapper().readTree(destination().resolve("backup-history.json").toFile());
        assertThat(file.path("archives").size()).isEqualTo(2);

        // Deleting the history loses no numbering; deleting before keeps room for the new one.
        Files.delete(destination().resolve("backup-history.json"));
        admin.admin().setBackupSettings("retention.deleteOldest=before");
        admin.admin().startBackup();
        assertThat(awaitLast(5).getNumber()).isEqualTo(5);
        try (Stream<Path> s = Files.list(destination())) {
            // Without the history no archive is known to hold a log position: no segment is deleted.
            assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".zst")).sorted())
                    .containsExactly("testdb-0003.journal.zst", "testdb-0004.journal.zst", "testdb-0004.tar.zst",
                            "testdb-0005.journal.zst", "testdb-0005.tar.zst");
        }
    }

    /** Places an executable script in the database's Settings/hooks/ (as someone with access to its files would). */
    private Path hook(String name, String script) throws Exception {
        return BackupHooks.place(server, name, script);
    }

    @Test
    void aStartupHookVetoesAndTheShutdownHookGetsTheOutcome() throws Exception {
        start();
        Path out = dir.resolve("hook-out.txt");
        hook("veto.sh", "echo checking; exit 3");
        hook("report.sh", "echo \"$TETRA_BACKUP_STATUS $TETRA_BACKUP_NUMBER $TETRA_BACKUP_ERROR\" > " + out
                + "; echo \"$TETRA_BACKUP_FILE\" >> " + out + "; echo \"hook=$TETRA_BACKUP_HOOK_EXIT_CODE\" >> " + out);
        hook("slow.sh", "sleep 30");
        hook("ok.sh", "exit 0");
        admin.admin().setBackupSettings("hooks.onBackupStartup=veto.sh", "hooks.onBackupShutdown=report.sh");
        BlockingQueue<BackupFinished> finished = new LinkedBlockingQueue<>();
        admin.addEventListener(e -> {
            if (e.hasBackupFinished()) {
                finished.add(e.getBackupFinished());
            }
        });
        admin.admin().subscribeBackupEvents(true);
        admin.admin().startBackup();
        BackupRecord vetoed = awaitIdle();
        assertThat(vetoed.getStatus()).isEqualTo("VETOED");
        // The backup's code stays the hook's exit code (docs/error-codes.md); the exit code is also kept as its own field.
        assertThat(vetoed.getErrorCode()).isEqualTo(3);
        assertThat(vetoed.getHookExitCode()).isEqualTo(3);
        assertThat(vetoed.getHook()).isEqualTo("onBackupStartup");
        BackupFinished event = finished.poll(30, TimeUnit.SECONDS);
        assertThat(event).isNotNull();
        assertThat(event.getErrorCode()).isEqualTo(3);
        assertThat(event.getHookExitCode()).isEqualTo(3);
        assertThat(event.getHook()).isEqualTo("onBackupStartup");
        JsonNode last = new ObjectMapper().readTree(server.layout().root().resolve("backup-state.json").toFile())
                .path("last");
        assertThat(last.path("status").asText()).isEqualTo("VETOED");
        assertThat(last.path("errorCode").asInt()).isEqualTo(3);
        assertThat(last.path("hookExitCode").asInt()).isEqualTo(3);
        assertThat(last.path("hook").asText()).isEqualTo("onBackupStartup");
        assertThat(destination().resolve("testdb-0001.tar.zst")).doesNotExist();
        await().atMost(30, TimeUnit.SECONDS).until(() -> Files.exists(out) && Files.readAllLines(out).size() == 3);
        assertThat(Files.readString(out).strip()).startsWith("VETOED 1 3");
        assertThat(Files.readAllLines(out)).element(2).isEqualTo("hook=3");
        assertThat(admin.admin().backupJournal(0)).anyMatch(l -> l.contains("hook=onBackupStartup")
                && l.contains("file=veto.sh") && l.contains("checking"));
        assertThat(admin.admin().backupJournal(0)).anyMatch(l -> l.contains("\tend\t") && l.contains("status=VETOED")
                && l.contains(" code=3 ") && l.contains(" hook=onBackupStartup hookExitCode=3"));
        // The last backup's information, hook exit code included, survives a restart.
        admin.close();
        server.close();
        start();
        assertThat(admin.admin().backupStatus().getLast()).satisfies(r -> {
            assertThat(r.getNumber()).isEqualTo(1);
            assertThat(r.getErrorCode()).isEqualTo(3);
            assertThat(r.getHookExitCode()).isEqualTo(3);
            assertThat(r.getHook()).isEqualTo("onBackupStartup");
        });

        admin.admin().setBackupSettings("hooks.onBackupStartup=slow.sh", "hooks.timeout=300ms");
        admin.admin().startBackup();
        BackupRecord timedOut = awaitLast(2);
        assertThat(timedOut.getStatus()).isEqualTo("VETOED");
        assertThat(timedOut.getErrorCode()).isEqualTo(124);
        assertThat(timedOut.getHookExitCode()).isEqualTo(124);

        admin.admin().setBackupSettings("hooks.onBackupStartup=ok.sh");
        admin.admin().startBackup();
        BackupRecord ok = awaitLast(3);
        assertThat(ok.getStatus()).isEqualTo("SUCCESS");
        assertThat(ok.getErrorCode()).isZero();
        assertThat(ok.getHookExitCode()).isZero();
        assertThat(ok.getHook()).isEmpty();
        await().atMost(30, TimeUnit.SECONDS).until(() -> Files.readString(out).startsWith("SUCCESS 3")
                && Files.readAllLines(out).size() == 3);
        assertThat(Files.readAllLines(out)).element(1).isEqualTo(ok.getArchive());
        assertThat(Files.readAllLines(out)).element(2).isEqualTo("hook=");
    }

    @Test
    void hookSettingsNameAnExecutableInSettingsHooksAndNothingElse() throws Exception {
        start();
        Path marker = dir.resolve("ran.txt");
        hook("present.sh", "exit 0");
        Path notExecutable = hook("plain.sh", "exit 0");
        Files.setPosixFilePermissions(notExecutable, PosixFilePermissions.fromString("rw-------"));
        Files.createDirectories(server.layout().settingsDir().resolve("hooks").resolve("folder"));
        Path outside = dir.resolve("outside.sh");
        Files.writeString(outside, "#!/bin/sh\ntouch " + marker + "\n");
        Files.setPosixFilePermissions(outside, PosixFilePermissions.fromString("rwx------"));
        Files.createSymbolicLink(server.layout().settingsDir().resolve("hooks").resolve("link.sh"), outside);
        String before = admin.admin().backupSettings().getYaml();
        for (String value : List.of("\"touch " + marker + "\"", "\"present.sh --flag\"", outside.toString(),
                "../../outside.sh", "hooks/present.sh", "\"present.sh; touch " + marker + "\"", "\"$(touch x)\"",
                "..", "missing.sh", "plain.sh", "folder", "link.sh")) {
            for (String key : List.of("hooks.onBackupStartup", "hooks.onBackupShutdown")) {
                assertThatThrownBy(() -> admin.admin().setBackupSettings(key + "=" + value))
                        .as("%s=%s", key, value).isInstanceOfSatisfying(TetraException.class, e -> {
                            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                            assertThat(e.getMessage()).contains(key).contains("Settings/hooks");
                        });
            }
        }
        assertThat(admin.admin().backupSettings().getYaml()).as("the file is unchanged").isEqualTo(before);
        // A name that is there is accepted, and runs.
        admin.admin().setBackupSettings("hooks.onBackupStartup=present.sh");
        admin.admin().startBackup();
        assertThat(awaitIdle().getStatus()).isEqualTo("SUCCESS");
        assertThat(marker).doesNotExist();

        // A hook removed after it was named: that backup's startup hook fails with 127 (vetoed), and says why.
        Files.delete(server.layout().settingsDir().resolve("hooks").resolve("present.sh"));
        admin.admin().startBackup();
        BackupRecord gone = awaitLast(2);
        assertThat(gone.getStatus()).isEqualTo("VETOED");
        assertThat(gone.getErrorCode()).isEqualTo(127);
        assertThat(admin.admin().backupJournal(0)).anyMatch(l -> l.contains("file=present.sh")
                && l.contains("does not exist"));

        // A command written into backup.yml by hand is refused where a backup loads it.
        Files.writeString(server.layout().settingsDir().resolve("backup.yml"),
                "hooks:\n  onBackupShutdown: \"touch " + marker + "\"\n");
        assertThatThrownBy(() -> admin.admin().startBackup()).isInstanceOfSatisfying(TetraException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
        assertThat(marker).doesNotExist();
    }

    @Test
    void aCommandInBackupYmlStopsTheServerAtStartSayingWhatToDo() throws Exception {
        Path settings = dir.resolve("testdb").resolve("Settings");
        Files.createDirectories(settings);
        Path marker = dir.resolve("ran.txt");
        Files.writeString(settings.resolve("backup.yml"), "hooks:\n  onBackupStartup: \"touch " + marker + "\"\n");
        assertThatThrownBy(() -> TetraServer.start(TestServers.config(dir).build(), clock))
                .isInstanceOf(io.tetradb.server.config.ConfigException.class)
                .hasMessageContaining("hooks.onBackupStartup holds a command")
                .hasMessageContaining(settings.resolve("hooks").toString())
                .hasMessageContaining("chmod 700");
        assertThat(marker).doesNotExist();

        // Moved into a script and named: the server starts.
        Files.createDirectories(settings.resolve("hooks"));
        Path script = settings.resolve("hooks").resolve("onBackupStartup.sh");
        Files.writeString(script, "#!/bin/sh\ntouch " + marker + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        Files.writeString(settings.resolve("backup.yml"), "hooks:\n  onBackupStartup: onBackupStartup.sh\n");
        start();
        admin.admin().startBackup();
        assertThat(awaitIdle().getStatus()).isEqualTo("SUCCESS");
        assertThat(marker).exists();
    }

    @Test
    void attachmentsKeepTheirFoldersAndAMissingOneGivesAPartialBackupWith1418() throws Exception {
        start();
        Path docs = dir.resolve("docs");
        Files.createDirectories(docs.resolve("sub/empty"));
        Files.writeString(docs.resolve("a.txt"), "alpha");
        Files.writeString(docs.resolve("sub/b.txt"), "beta");
        Path single = dir.resolve("single.cfg");
        Files.writeString(single, "cfg");
        Path missing = dir.resolve("gone.txt");
        admin.admin().setBackupSettings("content.attachments=[" + docs + ", " + single + ", " + missing + "]");
        admin.admin().startBackup();
        BackupRecord r = awaitIdle();
        assertThat(r.getStatus()).isEqualTo("PARTIAL");
        assertThat(r.getErrorCode()).isEqualTo(1418);
        assertThat(r.getErrorMessage()).contains(missing.toString());
        Path out = dir.resolve("x");
        JsonNode manifest = BackupArchiveReader.extract(Path.of(r.getArchive()), out);
        assertThat(manifest.path("partial").asBoolean()).isTrue();
        assertThat(manifest.path("missingAttachments").get(0).asText()).isEqualTo(missing.toString());
        Path base = out.resolve("Attachments").resolve(dir.toString().substring(1));
        assertThat(Files.readString(base.resolve("docs/a.txt"))).isEqualTo("alpha");
        assertThat(Files.readString(base.resolve("docs/sub/b.txt"))).isEqualTo("beta");
        assertThat(base.resolve("docs/sub/empty")).isDirectory();
        assertThat(Files.readString(base.resolve("single.cfg"))).isEqualTo("cfg");
        assertThat(out.resolve("Data/testdb.mv.db")).isRegularFile();
        List<String> journal = new ArrayList<>(admin.admin().backupJournal(0));
        assertThat(journal).anyMatch(l -> l.contains("attachment-missing") && l.contains(missing.toString()));
    }

    @Test
    void theLastBackupInformationSurvivesARestartAndTheJournalCanBeQuiet() throws Exception {
        start();
        admin.admin().setBackupSettings("journal.verbose=false");
        admin.admin().startBackup();
        BackupRecord r = awaitIdle();
        List<String> quiet = admin.admin().backupJournal(0);
        assertThat(quiet).noneMatch(l -> l.contains("gate-closed"));
        assertThat(quiet).anyMatch(l -> l.contains("\tstart\t"));
        admin.close();
        admin = null;
        server.close();
        server = null;
        start();
        BackupRecord after = admin.admin().backupStatus().getLast();
        assertThat(after).isEqualTo(r);
        assertThat(admin.admin().backupJournal(2)).hasSizeLessThanOrEqualTo(2);
        admin.admin().startBackup();
        assertThat(awaitLast(2).getNumber()).isEqualTo(2);
    }

    @Test
    void aStoppedScheduledBackupIsNotRetried() throws Exception {
        start();
        admin.admin().setBackupSettings("schedule.frequency=hourly");
        java.util.concurrent.CountDownLatch at = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch leave = new java.util.concurrent.CountDownLatch(1);
        server.backups().onGateClosed(n -> {
            at.countDown();
            try {
                leave.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        clock.set(LocalDateTime.parse("2026-03-04T11:00"));
        server.scheduler().check();
        assertThat(at.await(60, TimeUnit.SECONDS)).isTrue();
        admin.admin().stopBackup();
        leave.countDown();
        assertThat(awaitLast(1).getErrorCode()).isEqualTo(1406);
        await().atMost(60, TimeUnit.SECONDS).until(
                () -> admin.admin().backupStatus().getNextScheduledMillis() == millis("2026-03-04T12:00"));
        assertThat(admin.admin().backupStatus().getFailedAttempts()).isZero();
        clock.advance(Duration.ofMinutes(5));
        server.scheduler().check();
        assertThat(admin.admin().backupStatus().getLast().getNumber()).isEqualTo(1);
    }
}
