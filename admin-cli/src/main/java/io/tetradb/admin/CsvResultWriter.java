package io.tetradb.admin;

import io.tetradb.client.ColumnInfo;
import io.tetradb.client.Row;
import io.tetradb.client.Rows;
import io.tetradb.client.TetraException;
import io.tetradb.protocol.StatementKind;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The SQL shell's CSV output ({@code --csv}), for scripts: each query as a header line of
 * column labels and one record per row, quoted as RFC 4180 says (a field holding a comma,
 * a double quote, a carriage return or a line feed is put in double quotes, and a double
 * quote inside is doubled). NULL is an empty field; an empty string is {@code ""}, so the
 * two stay apart. Records end with a line feed. Statements without rows print nothing;
 * the results of several queries are separated by an empty line. Values are written as
 * the text output shows them, except that strings keep their line breaks and binary
 * values are plain hexadecimal.
 *
 * <pre>
 * ID,NAME,NOTE
 * 1,Ada,"says ""hi"", twice"
 * 2,,""
 * </pre>
 *
 * <p>Used on the command's thread.
 */
public final class CsvResultWriter implements ResultWriter {
    private final PrintStream out;
    private boolean first = true;

    public CsvResultWriter(PrintStream out) {
        this.out = out;
    }

    @Override
    public long query(String sql, Rows rows) {
        if (!first) {
            out.print('\n');
        }
        first = false;
        List<ColumnInfo> columns = rows.columns();
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < columns.size(); i++) {
            if (i > 0) {
                line.append(',');
            }
            line.append(field(columns.get(i).label()));
        }
        out.print(line.append('\n'));
        long n = 0;
        for (Row r : rows) {
            line.setLength(0);
            for (int i = 0; i < r.size(); i++) {
                if (i > 0) {
                    line.append(',');
                }
                line.append(field(r.get(i)));
            }
            out.print(line.append('\n'));
            n++;
        }
        out.flush();
        return n;
    }

    @Override
    public void table(String command, List<String> headers, List<List<Object>> rows) {
        if (!first) {
            out.print('\n');
        }
        first = false;
        out.print(record(new ArrayList<>(headers)));
        for (List<Object> row : rows) {
            out.print(record(row));
        }
        out.flush();
    }

    private static String record(List<?> values) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                line.append(',');
            }
            line.append(field(values.get(i)));
        }
        return line.append('\n').toString();
    }

    @Override
    public void update(String sql, StatementKind kind, long updateCount) {
        // No rows, no CSV: the outcome of a write is only its exit code.
    }

    @Override
    public void error(String sql, TetraException e) {
        // The message goes to stderr; stdout keeps only results.
    }

    @Override
    public void close() {
        out.flush();
    }

    /** One value as a CSV field: NULL empty, an empty string {@code ""}, quoted where RFC 4180 asks for it. */
    public static String field(Object value) {
        if (value == null) {
            return "";
        }
        String s;
        if (value instanceof String str) {
            s = str;
        } else if (value instanceof byte[] bytes) {
            s = Display.hex(bytes);
        } else {
            s = Display.value(value);
        }
        if (s.isEmpty()) {
            return "\"\"";
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ',' || c == '"' || c == '\r' || c == '\n') {
                return '"' + s.replace("\"", "\"\"") + '"';
            }
        }
        return s;
    }
}
