package io.tetradb.admin;

import io.tetradb.client.ColumnInfo;
import io.tetradb.client.Row;
import io.tetradb.client.Rows;
import io.tetradb.protocol.StatementKind;
import io.tetradb.client.TetraException;

import java.io.PrintStream;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

/**
 * The SQL shell's text output: a query as an aligned table followed by its row count,
 * a data write as {@code N row(s) affected}, anything else as {@code OK}. The first
 * {@value #ALIGN_ROWS} rows of a result set the column widths; later rows are printed
 * as they stream in, so a result of millions of rows is never held in memory.
 *
 * <p>Used on the command's thread.
 */
public final class TextResultWriter implements ResultWriter {
    static final int ALIGN_ROWS = 1000;

    private final PrintStream out;
    private boolean first = true;

    public TextResultWriter(PrintStream out) {
        this.out = out;
    }

    @Override
    public long query(String sql, Rows rows) {
        separate();
        List<ColumnInfo> columns = rows.columns();
        List<String> headers = new ArrayList<>(columns.size());
        boolean[] numeric = new boolean[columns.size()];
        for (int i = 0; i < columns.size(); i++) {
            headers.add(columns.get(i).label());
            numeric[i] = isNumeric(columns.get(i).jdbcType());
        }
        TextTable table = new TextTable(headers, numeric);
        long n = 0;
        boolean headerPrinted = false;
        for (Row r : rows) {
            List<String> cells = new ArrayList<>(r.size());
            for (int i = 0; i < r.size(); i++) {
                cells.add(Display.value(r.get(i)));
            }
            n++;
            if (n <= ALIGN_ROWS) {
                table.add(cells);
            } else {
                if (!headerPrinted) {
                    table.print(out);
                    headerPrinted = true;
                }
                table.printRow(out, cells);
            }
        }
        if (!headerPrinted) {
            table.print(out);
        }
        out.println("(" + n + (n == 1 ? " row)" : " rows)"));
        out.flush();
        return n;
    }

    /** A backslash command's table; a null cell is left empty (a column without a default). */
    @Override
    public void table(String command, List<String> headers, List<List<Object>> rows) {
        separate();
        TextTable table = new TextTable(headers, new boolean[headers.size()]);
        for (List<Object> row : rows) {
            List<String> cells = new ArrayList<>(row.size());
            for (Object o : row) {
                cells.add(o == null ? "" : Display.value(o));
            }
            table.add(cells);
        }
        table.print(out);
        out.println("(" + rows.size() + (rows.size() == 1 ? " row)" : " rows)"));
        out.flush();
    }

    /** A line of its own, as psql prints a table's title before describing it. */
    public void title(String text) {
        separate();
        out.println(text);
        first = true;
    }

    @Override
    public void update(String sql, StatementKind kind, long updateCount) {
        separate();
        if (kind == StatementKind.DATA_WRITE || kind == StatementKind.STATEMENT_KIND_UNSPECIFIED && updateCount > 0) {
            out.println(updateCount + " row(s) affected");
        } else {
            out.println("OK");
        }
        out.flush();
    }

    @Override
    public void error(String sql, TetraException e) {
        // The message goes to stderr; stdout keeps only results.
    }

    @Override
    public void close() {
        out.flush();
    }

    private void separate() {
        if (!first) {
            out.println();
        }
        first = false;
    }

    private static boolean isNumeric(int jdbcType) {
        switch (jdbcType) {
            case Types.TINYINT:
            case Types.SMALLINT:
            case Types.INTEGER:
            case Types.BIGINT:
            case Types.REAL:
            case Types.FLOAT:
            case Types.DOUBLE:
            case Types.NUMERIC:
            case Types.DECIMAL:
                return true;
            default:
                return false;
        }
    }
}
