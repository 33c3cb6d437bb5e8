package io.tetradb.admin;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * An aligned text table, as the SQL shell and the list commands print them:
 *
 * <pre>
 * ID | NAME
 * ---+------
 *  1 | Ada
 * </pre>
 *
 * Columns flagged numeric are aligned right. Widths come from the header and the rows
 * given so far; rows added after {@link #printHeader} keep those widths (a longer value
 * just sticks out), so a long result can be printed while it streams.
 *
 * <pre>{@code
 * TextTable t = new TextTable(List.of("ID", "NAME"), new boolean[] {true, false});
 * t.add(List.of("1", "Ada"));
 * t.print(out);
 * }</pre>
 *
 * <p>Not thread-safe; used on the command's thread.
 */
public final class TextTable {
    private static final String SEPARATOR = " | ";

    private final List<String> headers;
    private final boolean[] rightAligned;
    private final int[] widths;
    private final List<List<String>> rows = new ArrayList<>();

    public TextTable(List<String> headers, boolean[] rightAligned) {
        this.headers = List.copyOf(headers);
        this.rightAligned = rightAligned.clone();
        this.widths = new int[headers.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = headers.get(i).length();
        }
    }

    /** Adds a row (held until printed); widths grow to fit it. */
    public void add(List<String> row) {
        for (int i = 0; i < widths.length && i < row.size(); i++) {
            widths[i] = Math.max(widths[i], row.get(i).length());
        }
        rows.add(row);
    }

    /** Prints the header, the rule below it, and the rows held so far. */
    public void print(PrintStream out) {
        printHeader(out);
        flushRows(out);
    }

    /** Prints the header and its rule with the current widths. */
    public void printHeader(PrintStream out) {
        StringBuilder line = new StringBuilder();
        StringBuilder rule = new StringBuilder();
        for (int i = 0; i < widths.length; i++) {
            if (i > 0) {
                line.append(SEPARATOR);
                rule.append("-+-");
            }
            pad(line, headers.get(i), widths[i], false, i == widths.length - 1);
            rule.append("-".repeat(widths[i]));
        }
        out.println(line);
        out.println(rule);
    }

    /** Prints the rows held so far and forgets them. */
    public void flushRows(PrintStream out) {
        for (List<String> row : rows) {
            printRow(out, row);
        }
        rows.clear();
    }

    /** Prints one row at once with the widths known now. */
    public void printRow(PrintStream out, List<String> row) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < widths.length; i++) {
            if (i > 0) {
                line.append(SEPARATOR);
            }
            pad(line, i < row.size() ? row.get(i) : "", widths[i], rightAligned[i], i == widths.length - 1);
        }
        out.println(line);
    }

    private static void pad(StringBuilder sb, String s, int width, boolean right, boolean last) {
        int gap = Math.max(0, width - s.length());
        if (right) {
            sb.append(" ".repeat(gap)).append(s);
        } else {
            sb.append(s);
            if (!last) {
                sb.append(" ".repeat(gap));
            }
        }
    }
}
