package io.tetradb.admin;

import io.tetradb.client.BackupWaitNotice;
import io.tetradb.client.TetraClient;
import io.tetradb.client.WaitPolicy;
import io.tetradb.protocol.BackupFinished;
import io.tetradb.protocol.BackupProgress;
import io.tetradb.protocol.Event;
import io.tetradb.protocol.WireStates;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * What the SQL shell shows while its statement is queued behind a backup (docs/backups.md
 *  and 6). At a terminal:
 *
 * <pre>
 * Database backup 3 in progress (42.0%) — your statement waits. Press c then Enter to cancel, Enter to keep waiting.
 * Backup 3 [##########--------------]  42.0%  copying data  ...
 * </pre>
 *
 * (both percentages are {@link Display#percent} of the same progress), the bar follows the backup live when the user is an admin (whose shell subscribes to
 * backup events), and {@code c} then Enter cancels the statement, which then fails with
 * -9976; any other line keeps waiting. In the line-editing shell Ctrl-C cancels it too
 * ({@link #cancelWaiting}, also -9976), and the prompt says so. In a script, with {@code -e} or {@code --json},
 * one line on stderr says that the statement waits. Either way the statement's own
 * outcome (its result, or -9976 when the wait policy gives up) is printed by the shell
 * as usual once the server answers.
 *
 * <pre>{@code
 * BackupWaitPrompt waits = new BackupWaitPrompt(out, err, input, policy, false);
 * waits.attach(client, liveProgress);
 * Rows rows = waits.during(() -> client.query(sql));
 * }</pre>
 *
 * <p>Threads: notices and events arrive on the client's callback thread and only hand work
 * on; everything printed while a statement waits is printed by one display thread
 * ("tetra-admin-wait"), answers are read by a prompt thread ("tetra-admin-answer"), and
 * {@link #during} runs on the command's thread, which, once the server has answered,
 * waits for the display to finish before the shell prints the result. State is guarded
 * by this object.
 */
public final class BackupWaitPrompt implements AutoCloseable {
    private final PrintStream out;
    private final PrintStream err;
    private final WaitAnswers answers;
    private final WaitPolicy policy;
    /** Whether Ctrl-C cancels the waiting statement (the line-editing shell): the prompt then says so. */
    private final boolean ctrlC;
    private final ExecutorService display = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "tetra-admin-wait");
        t.setDaemon(true);
        return t;
    });
    /** Drawn on the display thread only. */
    private final BackupProgressBar bar;
    /** The last percentage known, for messages, as the server sent it (display thread only). */
    private double percent;

    private boolean running;
    private BackupWaitNotice notice;
    /** The user cancelled the waiting statement: its answer (-9976) is on its way, the bar stops. */
    private boolean cancelled;
    private Thread prompt;

    /**
     * @param answers where answers come from at a terminal; null in a script,
     *                with {@code -e} or with {@code --json}: one line on stderr then
     * @param policy  the connection's wait policy (named in the script notice)
     * @param ctrlC   whether Ctrl-C cancels the waiting statement ({@link #cancelWaiting} is called on it)
     */
    public BackupWaitPrompt(PrintStream out, PrintStream err, WaitAnswers answers, WaitPolicy policy, boolean ctrlC) {
        this.out = out;
        this.err = err;
        this.answers = answers;
        this.policy = policy;
        this.ctrlC = ctrlC;
        this.bar = new BackupProgressBar(out, true);
    }

    /**
     * Listens to {@code client}'s backup waits; with {@code liveProgress} (the client is
     * subscribed to backup events) also follows the backup's progress while waiting.
     */
    public void attach(TetraClient client, boolean liveProgress) {
        client.onBackupWait(this::onNotice);
        if (liveProgress && answers != null) {
            client.addEventListener(this::onEvent);
        }
    }

    /** Runs one statement (on the command's thread), showing its wait behind a backup, if it has to wait. */
    public <T> T during(Supplier<T> statement) {
        synchronized (this) {
            running = true;
            notice = null;
            cancelled = false;
        }
        try {
            return statement.get();
        } finally {
            settle();
        }
    }

    /**
     * Ctrl-C while a statement runs (the signal thread; never blocks): when the statement
     * waits behind a backup it is cancelled as the answer {@code c} cancels it, and fails
     * with -9976. False when it does not wait (then the caller cancels it itself).
     */
    public boolean cancelWaiting() {
        synchronized (this) {
            if (!running || notice == null) {
                return false;
            }
            if (!cancelled) {
                cancelled = true;
                BackupWaitNotice n = notice;
                n.cancel();
                display.execute(() -> showCancelling(n));
            }
            return true;
        }
    }

    /** The statement was answered: stop asking, end the display, and wait until it is done. */
    private void settle() {
        BackupWaitNotice waited;
        Thread asking;
        synchronized (this) {
            running = false;
            waited = notice;
            notice = null;
            asking = prompt;
            prompt = null;
        }
        if (asking != null) {
            asking.interrupt();
            joinUninterruptibly(asking);
        }
        if (waited != null) {
            Runnable last = answers != null ? () -> bar.end() : () -> err.flush();
            try {
                display.submit(last).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                // nothing was left to print
            }
        }
    }

    /** Client callback thread: one of this client's writes is queued behind a backup. */
    private void onNotice(BackupWaitNotice n) {
        synchronized (this) {
            // The shell has one statement in flight: a notice while it runs is about it.
            if (!running || notice != null) {
                return;
            }
            notice = n;
            display.execute(() -> showWaiting(n));
            if (answers != null) {
                prompt = new Thread(() -> readAnswers(n), "tetra-admin-answer");
                prompt.setDaemon(true);
                prompt.start();
            }
        }
    }

    /** Client callback thread: a backup event (the shell of an admin is subscribed). */
    private void onEvent(Event e) {
        if (!e.hasBackupProgress() && !e.hasBackupFinished()) {
            return;
        }
        synchronized (this) {
            // Scheduled under the lock: settle() queues its last task behind every one scheduled here.
            if (!running || notice == null || cancelled) {
                return;
            }
            long number = notice.backupNumber();
            if (e.hasBackupProgress() && e.getBackupProgress().getBackupNumber() == number) {
                BackupProgress p = e.getBackupProgress();
                display.execute(() -> showProgress(p));
            } else if (e.hasBackupFinished() && e.getBackupFinished().getBackupNumber() == number) {
                BackupFinished f = e.getBackupFinished();
                display.execute(() -> showFinished(f));
            }
        }
    }

    /** Prompt thread: takes answers while the statement waits. */
    private void readAnswers(BackupWaitNotice n) {
        while (true) {
            String line;
            try {
                line = answers.takeAnswer();
            } catch (InterruptedException e) {
                return;
            }
            synchronized (this) {
                if (!running || notice != n || cancelled) {
                    // The statement was answered (or cancelled by Ctrl-C) meanwhile: the line is the shell's.
                    if (line != null && !WaitAnswers.CTRL_C.equals(line)) {
                        answers.unread(line);
                    }
                    return;
                }
                if (line == null) {
                    display.execute(() -> showEndOfInput(n));
                    return;
                }
                if (WaitAnswers.CTRL_C.equals(line) || line.strip().equalsIgnoreCase("c")) {
                    cancelled = true;
                    n.cancel();
                    display.execute(() -> showCancelling(n));
                    return;
                }
                display.execute(() -> showStillWaiting(n));
            }
        }
    }

    // ---------------------------------------------------------------- display thread

    private void showWaiting(BackupWaitNotice n) {
        percent = n.progress().getPercent();
        if (answers == null) {
            String limit = policy.kind() == WaitPolicy.Kind.WAIT_AT_MOST
                    ? ", or fails with -9976 after " + limit(policy.limit().toMillis()) : "";
            err.println("tetra-admin: the statement waits for database backup " + n.backupNumber() + " in progress ("
                    + Display.percent(percent) + "); it runs when the backup ends" + limit + ".");
            err.flush();
            return;
        }
        out.println(waitingMessage(n.backupNumber(), n.progress(), ctrlC));
        if (n.inTransaction()) {
            out.println("The statement belongs to an open transaction: cancelling it cancels only this statement,"
                    + " and the transaction stays open.");
        }
        out.flush();
    }

    private void showProgress(BackupProgress p) {
        percent = p.getPercent();
        bar.update(p);
    }

    private void showFinished(BackupFinished f) {
        bar.end();
        out.println("Backup " + f.getBackupNumber() + " ended (" + WireStates.word(WireStates.outcome(f)).toLowerCase(Locale.ROOT)
                + "): your statement runs now.");
        out.flush();
    }

    private void showStillWaiting(BackupWaitNotice n) {
        bar.lineEnded();
        out.println("Still waiting for backup " + n.backupNumber() + " (" + Display.percent(percent)
                + "). Press c then Enter" + (ctrlC ? " (or Ctrl-C)" : "") + " to cancel.");
        out.flush();
    }

    private void showCancelling(BackupWaitNotice n) {
        bar.lineEnded();
        out.println("Cancelling the statement.");
        out.flush();
    }

    private void showEndOfInput(BackupWaitNotice n) {
        bar.end();
        out.println("End of input: the statement waits for backup " + n.backupNumber() + " to end.");
        out.flush();
    }

    /** A wait limit as it was given: 500ms, 30s, 2m 30s. */
    private static String limit(long millis) {
        return millis % 1000 != 0 ? millis + "ms" : Display.duration(millis);
    }

    /**
     * The notice at a terminal when a statement starts to wait behind backup {@code number}
     * at {@code p}: its percentage is the progress bar's ({@link Display#percent}).
     */
    static String waitingMessage(long number, BackupProgress p) {
        return waitingMessage(number, p, false);
    }

    /** As {@link #waitingMessage(long, BackupProgress)}; {@code ctrlC}: it says that Ctrl-C cancels too. */
    static String waitingMessage(long number, BackupProgress p, boolean ctrlC) {
        return "Database backup " + number + " in progress (" + Display.percent(p.getPercent())
                + ") — your statement waits. Press c then Enter" + (ctrlC ? " (or Ctrl-C)" : "")
                + " to cancel, Enter to keep waiting.";
    }

    private static void joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the display thread. */
    @Override
    public void close() {
        display.shutdown();
    }
}
