package io.tetradb.admin;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tetradb.client.ColumnInfo;
import io.tetradb.client.Row;
import io.tetradb.client.Rows;
import io.tetradb.protocol.StatementKind;
import io.tetradb.client.TetraException;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Locale;

/**
 * The SQL shell's JSON output: one array with an object per statement, written while
 * rows stream in:
 *
 * <pre>
 * [ {"statement": "SELECT ...", "kind": "read", "columns": [{"name": "ID", "label": "ID", "type": "INTEGER"}],
 *    "rows": [[1], [2]], "rowCount": 2},
 *   {"statement": "INSERT ...", "kind": "data_write", "updateCount": 1},
 *   {"statement": "SELEC ...", "error": {"code": 2006, "message": "...", "sqlState": "42001"}} ]
 * </pre>
 *
 * Numbers stay numbers (non-finite floating values become strings), binary values are
 * hexadecimal strings, arrays are arrays, dates and times ISO-8601 strings.
 *
 * <p>Used on the command's thread.
 */
public final class JsonResultWriter implements ResultWriter {
    private final PrintStream out;
    private final JsonGenerator g;

    public JsonResultWriter(ObjectMapper mapper, PrintStream out) {
        this.out = out;
        try {
            this.g = mapper.getFactory().createGenerator(out);
            g.useDefaultPrettyPrinter();
            g.writeStartArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public long query(String sql, Rows rows) {
        try {
            g.writeStartObject();
            g.writeStringField("statement", sql);
            g.writeArrayFieldStart("columns");
            for (ColumnInfo c : rows.columns()) {
                g.writeStartObject();
                g.writeStringField("name", c.name());
                g.writeStringField("label", c.label());
                g.writeStringField("type", c.sqlType());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("rows");
            long n = 0;
            for (Row r : rows) {
                g.writeStartArray();
                for (int i = 0; i < r.size(); i++) {
                    value(r.get(i));
                }
                g.writeEndArray();
                n++;
            }
            g.writeEndArray();
            g.writeNumberField("rowCount", n);
            g.writeStringField("kind", kind(rows.kind()));
            g.writeEndObject();
            g.flush();
            return n;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A backslash command's table: {@code {"statement": "\\d", "columns": [{"name": ..}], "rows": [..], "rowCount": n}}. */
    @Override
    public void table(String command, List<String> headers, List<List<Object>> rows) {
        try {
            g.writeStartObject();
            g.writeStringField("statement", command);
            g.writeArrayFieldStart("columns");
            for (String h : headers) {
                g.writeStartObject();
                g.writeStringField("name", h);
                g.writeStringField("label", h);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("rows");
            for (List<Object> row : rows) {
                g.writeStartArray();
                for (Object o : row) {
                    value(o);
                }
                g.writeEndArray();
            }
            g.writeEndArray();
            g.writeNumberField("rowCount", rows.size());
            g.writeEndObject();
            g.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void update(String sql, StatementKind kind, long updateCount) {
        try {
            g.writeStartObject();
            g.writeStringField("statement", sql);
            g.writeStringField("kind", kind(kind));
            g.writeNumberField("updateCount", updateCount);
            g.writeEndObject();
            g.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void error(String sql, TetraException e) {
        try {
            // A statement that failed while its rows streamed leaves a half-written result: end it.
            while (!(g.getOutputContext().inArray() && g.getOutputContext().getParent().inRoot())) {
                if (g.getOutputContext().inArray()) {
                    g.writeEndArray();
                } else {
                    g.writeEndObject();
                }
            }
            g.writeStartObject();
            g.writeStringField("statement", sql);
            g.writeObjectFieldStart("error");
            g.writeNumberField("code", e.rawCode());
            g.writeStringField("message", e.getMessage());
            if (e.sqlState() != null) {
                g.writeStringField("sqlState", e.sqlState());
            }
            g.writeEndObject();
            g.writeEndObject();
            g.flush();
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
    }

    @Override
    public void close() {
        try {
            g.writeEndArray();
            g.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.println();
        out.flush();
    }

    private void value(Object o) throws IOException {
        if (o == null) {
            g.writeNull();
        } else if (o instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (o instanceof Integer || o instanceof Long || o instanceof Short || o instanceof Byte) {
            g.writeNumber(((Number) o).longValue());
        } else if (o instanceof BigDecimal d) {
            g.writeNumber(d);
        } else if (o instanceof BigInteger i) {
            g.writeNumber(i);
        } else if (o instanceof Double || o instanceof Float) {
            double d = ((Number) o).doubleValue();
            if (Double.isFinite(d)) {
                if (o instanceof Float f) {
                    g.writeNumber(f);
                } else {
                    g.writeNumber(d);
                }
            } else {
                g.writeString(o.toString());
            }
        } else if (o instanceof byte[] bytes) {
            g.writeString(Display.hex(bytes));
        } else if (o instanceof Object[] arr) {
            g.writeStartArray();
            for (Object e : arr) {
                value(e);
            }
            g.writeEndArray();
        } else {
            g.writeString(o.toString());
        }
    }

    private static String kind(StatementKind k) {
        return k == StatementKind.STATEMENT_KIND_UNSPECIFIED || k == StatementKind.UNRECOGNIZED ? "unknown"
                : k.name().toLowerCase(Locale.ROOT);
    }
}
