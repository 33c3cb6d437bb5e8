package io.tetradb.admin;

import java.io.PrintStream;

/**
 * The one line a progress bar draws on, shared by the backup and the conversion bars: at a
 * terminal the line is redrawn in place ({@code \r}, padded over what was longer before);
 * elsewhere (a pipe, a log file) a line is printed only when the bar says it is news, so
 * that a log does not fill with ten lines a second.
 *
 * <p>Not thread-safe: the thread of the bar that owns it.
 */
final class ProgressLine {
    private final PrintStream to;
    private final boolean redraw;
    /** Redraw: characters on the current line (0 when no bar line is open). */
    private int drawn;

    /**
     * @param to     where the line goes
     * @param redraw whether {@code to} is a terminal, where the line can be redrawn in place
     */
    ProgressLine(PrintStream to, boolean redraw) {
        this.to = to;
        this.redraw = redraw;
    }

    /** Shows {@code line}: redrawn at a terminal, else printed on a line of its own when {@code news}. */
    void show(String line, boolean news) {
        if (redraw) {
            StringBuilder sb = new StringBuilder("\r").append(line);
            for (int i = line.length(); i < drawn; i++) {
                sb.append(' ');
            }
            to.print(sb);
            drawn = line.length();
        } else if (news) {
            to.println(line);
        }
        to.flush();
    }

    /** Ends a line being redrawn, so that what is printed next starts on a line of its own. */
    void end() {
        if (drawn > 0) {
            to.println();
            drawn = 0;
        }
        to.flush();
    }

    /** Forgets the open line: something else (the user's Enter) already ended it. */
    void lineEnded() {
        drawn = 0;
    }
}
