package io.tetradb.admin;

import io.tetradb.protocol.BackupProgress;

import java.io.PrintStream;

/**
 * A backup's progress as one line of text, fed with the server's progress events:
 *
 * <pre>
 * Backup 3 [##########--------------]  42.0%  copying data  1.2 MiB / 2.8 MiB  3.1 MiB/s  ETA 1s  2 writes queued
 * </pre>
 *
 * At a terminal the line is redrawn in place ({@code \r}); elsewhere (a pipe, a log file)
 * a new line is printed only when the phase changes or another tenth of the work is done,
 * so that a log does not fill with ten lines a second.
 *
 * <pre>{@code
 * BackupProgressBar bar = new BackupProgressBar(System.err, true);
 * bar.update(progress);   // for each progress event
 * bar.end();              // before anything else is printed
 * }</pre>
 *
 * <p>Not thread-safe: one thread draws (the command's thread, or the SQL shell's display
 * thread).
 */
public final class BackupProgressBar {
    static final int WIDTH = 24;

    private final ProgressLine out;
    private String lastPhase;
    private int lastTenth = -1;

    /**
     * @param to     where the bar goes
     * @param redraw whether {@code to} is a terminal, where the line can be redrawn in place
     */
    public BackupProgressBar(PrintStream to, boolean redraw) {
        this.out = new ProgressLine(to, redraw);
    }

    /** Shows {@code p}. */
    public void update(BackupProgress p) {
        int tenth = (int) Math.floor(clampPercent(p.getPercent()) / 10);
        boolean news = !p.getPhase().equals(lastPhase) || tenth > lastTenth;
        if (news) {
            lastPhase = p.getPhase();
            lastTenth = tenth;
        }
        out.show(line(p), news);
    }

    /** Ends the bar's line, so that what is printed next starts on a line of its own. */
    public void end() {
        out.end();
    }

    /** Forgets the open line: something else (the user's Enter) already ended it. */
    public void lineEnded() {
        out.lineEnded();
    }

    /** The progress as one line: bar, percentage, phase, bytes, rate, ETA and queued writes. */
    public static String line(BackupProgress p) {
        double percent = clampPercent(p.getPercent());
        StringBuilder sb = new StringBuilder("Backup ").append(p.getBackupNumber()).append(' ');
        sb.append(Display.bar(percent, WIDTH))
                .append("  ").append(p.getPhase().isEmpty() ? "starting" : p.getPhase())
                .append("  ").append(Display.bytes(p.getBytesDone())).append(" / ").append(Display.bytes(p.getBytesTotal()))
                .append("  ").append(Display.rate(p.getBytesPerSecond()))
                .append("  ETA ").append(eta(p))
                .append("  ").append(p.getQueuedWrites()).append(p.getQueuedWrites() == 1 ? " write" : " writes")
                .append(" queued");
        return sb.toString();
    }

    /** The time left: a duration, or {@code --} while the rate is not known yet. */
    public static String eta(BackupProgress p) {
        if (p.getEtaMillis() > 0) {
            return Display.duration(p.getEtaMillis());
        }
        return p.getBytesTotal() > 0 && p.getBytesDone() >= p.getBytesTotal() ? "0s" : "--";
    }

    private static double clampPercent(double p) {
        return Double.isNaN(p) ? 0 : Math.max(0, Math.min(100, p));
    }
}
