package io.tetradb.admin.command;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tetradb.admin.AdminMain;
import io.tetradb.admin.BackupProgressBar;
import io.tetradb.admin.Display;
import io.tetradb.admin.InterruptSource;
import io.tetradb.client.TetraClient;
import io.tetradb.protocol.ArchiveVerification;
import io.tetradb.protocol.BackupFinished;
import io.tetradb.protocol.BackupOutcome;
import io.tetradb.protocol.BackupProgress;
import io.tetradb.protocol.BackupRecord;
import io.tetradb.protocol.BackupStarted;
import io.tetradb.protocol.BackupStatus;
import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraException;
import io.tetradb.protocol.WireStates;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * {@code tetra-admin backup start [--follow] | stop | status}: backups run on the server
 * (docs/backups.md). Admin role.
 *
 * <p>JSON shapes ({@code --json}): a backup record (the last backup's information) is
 * {@code {"number", "status", "errorCode", "errorMessage", "start", "end", "durationMillis",
 * "archive", "archiveSize", "keyFingerprint", "verification", "writesQueued", "writesCancelled",
 * "nextScheduled", "hookExitCode", "hook"}}; {@code backup status --json} adds {@code "copies":
 * [{"destination", "holds", "error"}]}, which of several destinations hold the last archive (empty
 * with one) ({@code keyFingerprint}: the fingerprint of the key an encrypted archive is encrypted
 * with, null for an unencrypted one; {@code verification}: VERIFIED, NOT_VERIFIED, VERIFICATION_INTERRUPTED or null;
 * {@code hookExitCode} and {@code hook}: the vetoing hook's exit code, also the errorCode,
 * and its name onBackupStartup, or null), times as
 * ISO-8601 UTC, and {@code null} for what does not apply (no error, no archive, nothing
 * scheduled); progress is {@code {"backupNumber", "phase", "bytesDone", "bytesTotal",
 * "currentFile", "bytesPerSecond", "etaMillis", "queuedWrites", "percent"}}.
 *
 * <p>Runs on the caller's thread (main).
 */
@Command(name = "backup", description = "Start, stop and watch backups (they run on the server).",
        subcommands = {BackupCommand.Start.class, BackupCommand.Stop.class, BackupCommand.Status.class,
                BackupSettingsCommand.class, BackupHistoryCommand.class, BackupWindowCommand.class,
                BackupJournalCommand.class,
                BackupVerifyCommand.class, BackupDecryptCommand.class})
public final class BackupCommand extends AdminCommand {
    static final int FAILED = 1;
    private static final String LABEL = "%-18s%s";

    @Override
    public Integer call() {
        throw usage("Missing subcommand: start, stop or status.");
    }

    /**
     * {@code backup start [--follow]}. With {@code --follow} the command stays with the
     * backup: a progress bar on stderr (text output), then its outcome; exit code 0 for
     * SUCCESS and PARTIAL, 1 with the backup's error code otherwise. Ctrl-C asks whether to
     * stop the backup; on {@code y} it is stopped (1406), on anything else it goes on.
     */
    @Command(name = "start", description = "Start a backup on the server. With --follow, show its progress until it "
            + "ends; Ctrl-C then offers to stop it.")
    public static final class Start extends AdminCommand {
        @Option(names = "--follow", description = "Follow the backup: progress bar, then its outcome "
                + "(exit code 1 unless it succeeded).")
        private boolean follow;

        @Override
        public Integer call() {
            AdminMain main = main();
            try (TetraClient client = main.connect()) {
                if (follow) {
                    return follow(main, client);
                }
                BackupStarted started = client.admin().startBackup(false);
                if (main.json()) {
                    ObjectNode n = main.mapper().createObjectNode();
                    n.put("number", started.getBackupNumber());
                    n.put("archive", started.getArchive());
                    main.printJson(n);
                } else {
                    printStarted(main.out(), started);
                }
                return OK;
            }
        }

        @SuppressWarnings("try") // ctrlC is only held open while following
        private int follow(AdminMain main, TetraClient client) {
            PrintStream err = main.err();
            BackupProgressBar bar = main.json() ? null : new BackupProgressBar(err, main.interactive());
            // Events first (none is missed after the start), then Ctrl-C, which needs them.
            try (BackupEvents events = new BackupEvents(client);
                 InterruptSource.Registration ctrlC = main.interrupts().install(events::interrupt)) {
                BackupStarted started = client.admin().startBackup(true);
                long number = started.getBackupNumber();
                if (!main.json()) {
                    printStarted(main.out(), started);
                }
                BufferedReader answers = null;
                boolean stopping = false;
                while (true) {
                    Object e = events.next(number);
                    if (e instanceof BackupProgress p) {
                        if (bar != null) {
                            bar.update(p);
                        }
                    } else if (e instanceof BackupFinished f) {
                        if (bar != null) {
                            bar.end();
                        }
                        return finished(main, client, f);
                    } else if (e == BackupEvents.INTERRUPT) {
                        if (bar != null) {
                            bar.end();
                        }
                        if (stopping) {
                            err.println("Backup " + number + " is stopping.");
                        } else {
                            if (answers == null) {
                                answers = new BufferedReader(new InputStreamReader(main.in(), StandardCharsets.UTF_8));
                            }
                            stopping = askAndStop(err, answers, client, number);
                        }
                        err.flush();
                        events.dropInterrupts();
                    }
                }
            }
        }

        /** Asks whether to stop the backup; on yes stops it. Returns whether it was stopped. */
        private static boolean askAndStop(PrintStream err, BufferedReader answers, TetraClient client, long number) {
            err.print("Stop backup " + number + "? [y/N] ");
            err.flush();
            String answer;
            try {
                answer = answers.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (answer == null) {
                err.println();
                err.println("No answer (end of input): backup " + number + " goes on. Stop it with: tetra-admin backup stop");
                return false;
            }
            String a = answer.strip().toLowerCase(Locale.ROOT);
            if (!a.equals("y") && !a.equals("yes")) {
                err.println("Backup " + number + " goes on.");
                return false;
            }
            try {
                client.admin().stopBackup();
            } catch (TetraException e) {
                if (e.code() == ErrorCode.INVALID_ARGUMENT) {
                    // It ended before the stop arrived: its end event is on its way.
                    err.println("Backup " + number + " already ended.");
                    return false;
                }
                throw e;
            }
            err.println("Stopping backup " + number + "...");
            return true;
        }

        private static void printStarted(PrintStream out, BackupStarted started) {
            out.println("Backup " + started.getBackupNumber() + " started; archive: " + started.getArchive());
            out.flush();
        }

        /** Prints the outcome; 0 for SUCCESS and PARTIAL, otherwise 1 with the backup's error. */
        private static int finished(AdminMain main, TetraClient client, BackupFinished f) {
            BackupRecord r = lastRecord(client, f.getBackupNumber());
            if (main.json()) {
                ObjectNode n = main.mapper().createObjectNode();
                if (r != null) {
                    record(n, r);
                } else {
                    n.put("number", f.getBackupNumber());
                    n.put("status", WireStates.word(WireStates.outcome(f)));
                    putError(n, f.getErrorCode(), f.getErrorMessage());
                    n.put("archive", f.getArchive().isEmpty() ? null : f.getArchive());
                    putHook(n, f.getHookExitCode(), f.getHook());
                }
                main.printJson(n);
            } else {
                StringBuilder sb = new StringBuilder("Backup ").append(f.getBackupNumber()).append(' ')
                        .append(succeeded(f) ? "finished: " : "ended: ").append(WireStates.word(WireStates.outcome(f)));
                if (r != null) {
                    sb.append(" in ").append(Display.duration(r.getDurationMillis()));
                }
                if (!f.getArchive().isEmpty()) {
                    sb.append("; archive: ").append(f.getArchive());
                    if (r != null) {
                        sb.append(" (").append(Display.bytes(r.getArchiveSize())).append(')');
                    }
                }
                main.out().println(sb.append('.'));
                main.out().flush();
            }
            if (succeeded(f)) {
                if (f.getErrorCode() != 0) {
                    main.err().println("tetra-admin: warning " + f.getErrorCode() + ": " + f.getErrorMessage());
                    main.err().flush();
                }
                return OK;
            }
            main.printError(error(f));
            return FAILED;
        }

        private static boolean succeeded(BackupFinished f) {
            return WireStates.archived(WireStates.outcome(f));
        }
    }

    /**
     * {@code backup stop}: stops the running backup and waits for its end (1406, the
     * partial archive removed, the write gate open). Exit code 1 with 2010 when none runs.
     */
    @Command(name = "stop", description = "Stop the running backup and wait for its end.")
    public static final class Stop extends AdminCommand {
        @Override
        public Integer call() {
            AdminMain main = main();
            try (TetraClient client = main.connect(); BackupEvents events = new BackupEvents(client)) {
                client.admin().subscribeBackupEvents(true);
                client.admin().stopBackup();
                BackupStatus s = client.admin().backupStatus();
                long number = WireStates.running(s) ? s.getProgress().getBackupNumber()
                        : s.getLast().getNumber();
                if (!main.json()) {
                    main.out().println("Stop requested for backup " + number + "; waiting for it to end.");
                    main.out().flush();
                }
                Object e;
                do {
                    e = events.next(number);
                } while (!(e instanceof BackupFinished));
                BackupFinished f = (BackupFinished) e;
                boolean stopped = WireStates.outcome(f) == BackupOutcome.BACKUP_STOPPED;
                if (main.json()) {
                    ObjectNode n = main.mapper().createObjectNode();
                    BackupRecord r = lastRecord(client, number);
                    if (r != null) {
                        record(n, r);
                    } else {
                        n.put("number", number);
                        n.put("status", WireStates.word(WireStates.outcome(f)));
                        putError(n, f.getErrorCode(), f.getErrorMessage());
                    }
                    n.put("stopped", stopped);
                    main.printJson(n);
                } else if (stopped) {
                    main.out().println("Backup " + number + " stopped.");
                } else {
                    main.out().println("Backup " + number + " ended before the stop took effect: " + WireStates.word(WireStates.outcome(f)) + ".");
                }
                main.out().flush();
                return OK;
            }
        }
    }

    /** {@code backup status}: RUNNING with phase and progress, or IDLE; and the last backup's information. */
    @Command(name = "status", description = "Show the running backup's progress, or IDLE, and the last backup.")
    public static final class Status extends AdminCommand {
        @Override
        public Integer call() {
            AdminMain main = main();
            BackupStatus s;
            try (TetraClient client = main.connect()) {
                s = client.admin().backupStatus();
            }
            boolean running = WireStates.running(s);
            if (main.json()) {
                ObjectNode n = main.mapper().createObjectNode();
                n.put("state", WireStates.word(WireStates.runState(s)));
                if (running) {
                    progress(n.putObject("progress"), s.getProgress());
                } else {
                    n.putNull("progress");
                }
                if (s.hasLast()) {
                    record(n.putObject("last"), s.getLast());
                } else {
                    n.putNull("last");
                }
                copies(n.putArray("copies"), s.getLastCopiesList());
                main.printJson(n);
                return OK;
            }
            PrintStream out = main.out();
            out.println(line("State:", WireStates.word(WireStates.runState(s))));
            if (running) {
                BackupProgress p = s.getProgress();
                out.println(line("Backup:", p.getBackupNumber()));
                out.println(line("Phase:", p.getPhase()));
                out.println(line("Progress:", Display.percent(p.getPercent()) + " (" + Display.bytes(p.getBytesDone())
                        + " of " + Display.bytes(p.getBytesTotal()) + ")"));
                out.println(line("Current file:", p.getCurrentFile().isEmpty() ? "-" : p.getCurrentFile()));
                out.println(line("Rate:", Display.rate(p.getBytesPerSecond())));
                out.println(line("ETA:", BackupProgressBar.eta(p)));
                out.println(line("Queued writes:", p.getQueuedWrites()));
                out.println();
            }
            if (!s.hasLast()) {
                out.println(line("Last backup:", "none"));
            } else {
                BackupRecord r = s.getLast();
                out.println(line("Last backup:", r.getNumber()));
                out.println(line("Status:", WireStates.word(WireStates.outcome(r))));
                out.println(line("Error:", r.getErrorCode() == 0 ? "none" : r.getErrorCode() + ": " + r.getErrorMessage()));
                if (r.getHookExitCode() != 0) {
                    out.println(line("Hook exit code:", r.getHookExitCode() + " (" + r.getHook() + ")"));
                }
                out.println(line("Started:", Display.time(r.getStartMillis())));
                out.println(line("Ended:", Display.time(r.getEndMillis())));
                out.println(line("Duration:", Display.duration(r.getDurationMillis())));
                out.println(line("Archive:", r.getArchive().isEmpty() ? "none" : r.getArchive()));
                out.println(line("Archive size:", Display.bytes(r.getArchiveSize()) + " (" + r.getArchiveSize()
                        + " bytes)"));
                if (r.hasKeyFingerprint()) {
                    out.println(line("Encrypted:", "with the key of fingerprint " + r.getKeyFingerprint()));
                }
                out.println(line("Verified:", verificationText(r.getVerification(), r.getNumber())));
                for (io.tetradb.protocol.DestinationCopy c : s.getLastCopiesList()) {
                    out.println(line("Copy:", copyText(c)));
                }
                if (r.getErrorCode() == 0 && !r.getErrorMessage().isEmpty()) {
                    out.println(line("Note:", r.getErrorMessage()));
                }
                out.println(line("Writes queued:", r.getWritesQueued()));
                out.println(line("Writes cancelled:", r.getWritesCancelled()));
                out.println(line("Next scheduled:", r.getNextScheduledMillis() > 0
                        ? Display.time(r.getNextScheduledMillis()) : "none"));
            }
            out.flush();
            return OK;
        }

        private static String line(String label, Object value) {
            return String.format(Locale.ROOT, LABEL, label, value);
        }
    }

    // ------------------------------------------------------------------ shared

    /** The last backup's record when it is backup {@code number}, else null. */
    static BackupRecord lastRecord(TetraClient client, long number) {
        BackupStatus s = client.admin().backupStatus();
        return s.hasLast() && s.getLast().getNumber() == number ? s.getLast() : null;
    }

    /** A backup record as JSON (see the class comment). */
    static void record(ObjectNode n, BackupRecord r) {
        n.put("number", r.getNumber());
        n.put("status", WireStates.word(WireStates.outcome(r)));
        putError(n, r.getErrorCode(), r.getErrorMessage());
        n.put("start", Display.isoTime(r.getStartMillis()));
        n.put("end", Display.isoTime(r.getEndMillis()));
        n.put("durationMillis", r.getDurationMillis());
        n.put("archive", r.getArchive().isEmpty() ? null : r.getArchive());
        n.put("archiveSize", r.getArchiveSize());
        n.put("keyFingerprint", r.hasKeyFingerprint() ? r.getKeyFingerprint() : null);
        n.put("verification", verification(r.getVerification()));
        n.put("writesQueued", r.getWritesQueued());
        n.put("writesCancelled", r.getWritesCancelled());
        n.put("nextScheduled", r.getNextScheduledMillis() > 0 ? Display.isoTime(r.getNextScheduledMillis()) : null);
        putHook(n, r.getHookExitCode(), r.getHook());
    }

    /** The exit code of the hook that ended a backup and that hook's name, or nulls when none did. */
    private static void putHook(ObjectNode n, int exitCode, String hook) {
        if (exitCode == 0) {
            n.putNull("hookExitCode");
            n.putNull("hook");
        } else {
            n.put("hookExitCode", exitCode);
            n.put("hook", hook.isEmpty() ? null : hook);
        }
    }

    /**
     * An archive's verification for JSON: {@code VERIFIED}, {@code NOT_VERIFIED},
     * {@code VERIFICATION_INTERRUPTED}, or null (no archive, or not recorded).
     */
    static String verification(ArchiveVerification v) {
        return switch (v) {
            case ARCHIVE_VERIFIED -> "VERIFIED";
            case ARCHIVE_NOT_VERIFIED -> "NOT_VERIFIED";
            case ARCHIVE_VERIFICATION_INTERRUPTED -> "VERIFICATION_INTERRUPTED";
            default -> null;
        };
    }

    /** An archive's verification in words, for the text output. */
    static String verificationText(ArchiveVerification v, long number) {
        return switch (v) {
            case ARCHIVE_VERIFIED -> "yes (every checksum re-read)";
            case ARCHIVE_NOT_VERIFIED -> "no (check it with: backup verify " + number + ")";
            case ARCHIVE_VERIFICATION_INTERRUPTED -> "interrupted: the server stopped during it (check it with: "
                    + "backup verify " + number + ")";
            default -> "-";
        };
    }

    /** Progress as JSON (see the class comment). */
    static void progress(ObjectNode n, BackupProgress p) {
        n.put("backupNumber", p.getBackupNumber());
        n.put("phase", p.getPhase());
        n.put("bytesDone", p.getBytesDone());
        n.put("bytesTotal", p.getBytesTotal());
        n.put("currentFile", p.getCurrentFile());
        n.put("bytesPerSecond", p.getBytesPerSecond());
        n.put("etaMillis", p.getEtaMillis());
        n.put("queuedWrites", p.getQueuedWrites());
        n.put("percent", p.getPercent());
    }

    private static void putError(ObjectNode n, int code, String message) {
        if (code == 0) {
            n.putNull("errorCode");
        } else {
            n.put("errorCode", code);
        }
        n.put("errorMessage", message.isEmpty() ? null : message);
    }

    /** A backup's error as the one exception type, keeping its number (a hook's exit code is no ErrorCode). */
    static TetraException error(BackupFinished f) {
        int code = f.getErrorCode() != 0 ? f.getErrorCode() : ErrorCode.INTERNAL_ERROR.code();
        String message = f.getErrorMessage().isEmpty() ? "Backup " + f.getBackupNumber() + " ended "
                + WireStates.word(WireStates.outcome(f)) + "." : f.getErrorMessage();
        return TetraException.fromWire(io.tetradb.protocol.Error.newBuilder().setCode(code).setMessage(message).build());
    }

    /** One destination of several: "DEST: holds it" or "DEST: missing (why)". */
    static String copyText(io.tetradb.protocol.DestinationCopy c) {
        return c.getDestination() + ": " + (c.getHolds() ? "holds it" : "missing" + (c.getError().isEmpty() ? ""
                : " (" + c.getError() + ")"));
    }

    /** {@code [{"destination", "holds", "error"}]}, error null when it holds the archive. */
    static void copies(com.fasterxml.jackson.databind.node.ArrayNode arr, java.util.List<io.tetradb.protocol.DestinationCopy> copies) {
        for (io.tetradb.protocol.DestinationCopy c : copies) {
            ObjectNode o = arr.addObject();
            o.put("destination", c.getDestination());
            o.put("holds", c.getHolds());
            o.put("error", c.getHolds() ? null : c.getError());
        }
    }
}
