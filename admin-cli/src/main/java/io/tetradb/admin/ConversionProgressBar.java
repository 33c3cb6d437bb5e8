package io.tetradb.admin;

import io.tetradb.server.convert.ConversionListener;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The steps of {@code tetra-admin convert}, each with a progress bar:
 *
 * <pre>
 * Step 4/7  Exporting with H2 1.4.200 and importing with H2 2.3.232
 *           [##########--------------]  42.0%  1.2 MiB / 2.8 MiB
 *           export script of 2.8 MiB streamed into shop.mv.db; indexes built anew (1.9 s)
 * </pre>
 *
 * At a terminal the bar is redrawn in place ({@code \r}); elsewhere a bar line is printed
 * only when another tenth of the step is done. Remarks (non-critical anomalies) get a line
 * of their own.
 *
 * <p>Called on the conversion's thread only.
 */
public final class ConversionProgressBar implements ConversionListener {
    static final int WIDTH = 24;
    private static final String INDENT = "          ";

    private final PrintStream to;
    private final ProgressLine bar;
    private int lastTenth = -1;
    private long stepStarted;

    public ConversionProgressBar(PrintStream to, boolean redraw) {
        this.to = to;
        this.bar = new ProgressLine(to, redraw);
    }

    @Override
    public void step(int number, String title) {
        end();
        lastTenth = -1;
        stepStarted = System.nanoTime();
        to.println(String.format(Locale.ROOT, "Step %d/%d  %s", number, STEPS, title));
        to.flush();
    }

    @Override
    public void progress(long done, long total, String unit) {
        int tenth = total > 0 ? (int) Math.min(10, done * 10 / total) : -1;
        boolean news = tenth > lastTenth;
        if (news) {
            lastTenth = tenth;
        }
        bar.show(INDENT + line(done, total, unit), news);
    }

    @Override
    public void stepDone(String summary) {
        end();
        to.println(INDENT + summary + " (" + Display.duration((System.nanoTime() - stepStarted) / 1_000_000) + ")");
        to.flush();
    }

    @Override
    public void note(String message) {
        end();
        to.println(INDENT + "note: " + message);
        to.flush();
    }

    /** Ends a bar line being redrawn, so that what follows starts on a line of its own. */
    public void end() {
        bar.end();
    }

    /** The bar: filled part, percentage, amounts ({@code bytes} as sizes; a total of -1 is not known yet). */
    static String line(long done, long total, String unit) {
        double percent = total > 0 ? Math.min(100.0, 100.0 * done / total) : -1;
        StringBuilder sb = new StringBuilder(Display.bar(percent, WIDTH));
        sb.append("  ").append(amount(done, unit));
        if (total >= 0) {
            sb.append(" / ").append(amount(total, unit));
        }
        return sb.toString();
    }

    private static String amount(long n, String unit) {
        return "bytes".equals(unit) ? Display.bytes(n) : n + " " + unit;
    }
}
