package io.tetradb.admin;

/**
 * Where the answers to the backup-wait prompt come from while the shell's statement
 * waits behind a backup ({@link BackupWaitPrompt}): the read-ahead queue of a plain
 * terminal ({@link ShellInput#readAhead}) or the JLine terminal ({@link TerminalShell}).
 * A line taken as an answer after the statement was answered belongs to the shell and is
 * given back with {@link #unread}.
 *
 * <p>{@link #takeAnswer} and {@link #unread} run on the prompt thread of
 * {@link BackupWaitPrompt}; the shell reads its own lines on the command's thread, never at
 * the same time as an answer is taken.
 */
public interface WaitAnswers {
    /** What {@link #takeAnswer} gives for Ctrl-C (a source that can read it): cancel, as {@code c} does. */
    String CTRL_C = "\u0003";

    /**
     * The next line typed, or null at the end of input; interruptible (the statement was
     * answered): an InterruptedException, or {@link #CTRL_C} from a source that cannot tell
     * an interrupt from Ctrl-C.
     */
    String takeAnswer() throws InterruptedException;

    /** Gives back a line taken as an answer too late: the shell reads it next. */
    void unread(String line);
}
