package io.tetradb.server.convert;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Rewrites the INSERTs of an H2 1.4 export script for tables with ENUM columns or untyped
 * ARRAY columns. H2 1.4's SCRIPT writes an ENUM value as its 0-based ordinal ({@code 0}
 * for the first label), which H2 2 reads as a 1-based ordinal, so each ordinal is
 * replaced by its label as a string literal. An untyped ARRAY value has each element
 * replaced by its text ({@link ArrayFix}), so that elements of mixed types import into
 * the {@code CHARACTER VARYING ARRAY} column H2 2 makes of it. Values are found by a
 * small scanner that knows SQL string literals, quoted identifiers and nested parentheses
 * and brackets (arrays, function calls).
 *
 * <p>Used by one importing thread; the counters are thread-safe.
 */
final class EnumFix {
    private record TableEnums(List<String> columns, Map<Integer, List<String>> labels, Map<Integer, String> arrays) {
    }

    private final Map<String, TableEnums> byInsert = new HashMap<>();
    private final AtomicLong unknown = new AtomicLong();
    /** Per untyped ARRAY column ({@code TABLE.COLUMN}), the values that had elements other than text. */
    private final Map<String, AtomicLong> convertedArrays = new LinkedHashMap<>();

    private EnumFix() {
    }

    /** The fix for the ENUM and untyped ARRAY columns of {@code structure}, or null when it has none. */
    static EnumFix of(SourceStructure structure) {
        EnumFix f = new EnumFix();
        for (SourceStructure.Table t : structure.tables()) {
            Map<Integer, List<String>> labels = new HashMap<>();
            Map<Integer, String> arrays = new HashMap<>();
            for (int i = 0; i < t.columns().size(); i++) {
                SourceStructure.Column c = t.columns().get(i);
                if (c.enumLabels() != null) {
                    labels.put(i, c.enumLabels());
                } else if (c.kind() == ContentDigest.Kind.ARRAY_TEXT) {
                    String name = t.ref().display() + "." + c.name();
                    arrays.put(i, name);
                    f.convertedArrays.put(name, new AtomicLong());
                }
            }
            if (!labels.isEmpty() || !arrays.isEmpty()) {
                f.byInsert.put("INSERT INTO " + t.ref().qualified(), new TableEnums(t.columnNames(), labels, arrays));
            }
        }
        return f.byInsert.isEmpty() ? null : f;
    }

    /**
     * Per untyped ARRAY column ({@code TABLE.COLUMN}, in catalog order), how many of its
     * values had elements that are not text (and were converted to their text).
     */
    Map<String, Long> convertedArrays() {
        Map<String, Long> out = new LinkedHashMap<>();
        convertedArrays.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    /** ENUM ordinals that named no label (left as they were; the import then refuses them). */
    long unknownOrdinals() {
        return unknown.get();
    }

    /** The statement, its ENUM ordinals replaced by labels when it is an INSERT into an ENUM table. */
    String rewrite(String stmt) {
        int i = skipSpaceAndComments(stmt, 0);
        if (!stmt.startsWith("INSERT INTO ", i)) {
            return stmt;
        }
        for (Map.Entry<String, TableEnums> e : byInsert.entrySet()) {
            String prefix = e.getKey();
            if (stmt.startsWith(prefix, i)) {
                int after = i + prefix.length();
                if (after < stmt.length() && (stmt.charAt(after) == '(' || Character.isWhitespace(stmt.charAt(after)))) {
                    return rewriteInsert(stmt, after, e.getValue());
                }
            }
        }
        return stmt;
    }

    private String rewriteInsert(String s, int at, TableEnums t) {
        int i = skipSpaceAndComments(s, at);
        List<Integer> positions = new ArrayList<>();
        if (i < s.length() && s.charAt(i) == '(') {
            // A column list: which value is which column.
            int close = scanTo(s, i + 1, ')');
            for (String name : splitTop(s.substring(i + 1, close))) {
                String n = name.strip();
                if (n.startsWith("\"") && n.endsWith("\"") && n.length() >= 2) {
                    n = n.substring(1, n.length() - 1).replace("\"\"", "\"");
                }
                positions.add(t.columns().indexOf(n));
            }
            i = skipSpaceAndComments(s, close + 1);
        }
        if (!s.regionMatches(true, i, "VALUES", 0, 6)) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length() + 64).append(s, 0, i + 6);
        i += 6;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != '(') {
                out.append(c);
                i++;
                continue;
            }
            int close = scanTo(s, i + 1, ')');
            List<String> values = splitTop(s.substring(i + 1, close));
            out.append('(');
            for (int v = 0; v < values.size(); v++) {
                if (v > 0) {
                    out.append(',');
                }
                int column = positions.isEmpty() ? v : (v < positions.size() ? positions.get(v) : -1);
                List<String> labels = t.labels().get(column);
                String array = t.arrays().get(column);
                if (labels != null) {
                    out.append(label(values.get(v), labels));
                } else if (array != null) {
                    ArrayFix.Result r = ArrayFix.rewrite(values.get(v));
                    if (r.converted()) {
                        convertedArrays.get(array).incrementAndGet();
                    }
                    out.append(r.sql());
                } else {
                    out.append(values.get(v));
                }
            }
            out.append(')');
            i = close + 1;
        }
        return out.toString();
    }

    private String label(String value, List<String> labels) {
        String v = value.strip();
        if (!v.matches("-?\\d+")) {
            return value;
        }
        int ordinal;
        try {
            ordinal = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            unknown.incrementAndGet();
            return value;
        }
        if (ordinal < 0 || ordinal >= labels.size()) {
            unknown.incrementAndGet();
            return value;
        }
        String lead = value.substring(0, value.indexOf(v.charAt(0)));
        return lead + "'" + labels.get(ordinal).replace("'", "''") + "'";
    }

    /** Splits at commas that are outside literals, identifiers, parentheses and brackets. */
    static List<String> splitTop(String s) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'' || c == '"') {
                i = skipQuoted(s, i, c) - 1;
            } else if (c == '(' || c == '[') {
                depth++;
            } else if (c == ')' || c == ']') {
                depth--;
            } else if (c == ',' && depth == 0) {
                out.add(s.substring(start, i));
                start = i + 1;
            }
        }
        out.add(s.substring(start));
        return out;
    }

    /** The index of the {@code close} that ends the group opened just before {@code from}. */
    private static int scanTo(String s, int from, char close) {
        int depth = 0;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'' || c == '"') {
                i = skipQuoted(s, i, c) - 1;
            } else if (c == '(' || c == '[') {
                depth++;
            } else if (c == ')' || c == ']') {
                if (depth == 0 && c == close) {
                    return i;
                }
                depth--;
            }
        }
        return s.length() - 1;
    }

    /** The index just after the literal or identifier that starts at {@code i} (doubled quotes inside). */
    private static int skipQuoted(String s, int i, char q) {
        int j = i + 1;
        while (j < s.length()) {
            if (s.charAt(j) == q) {
                if (j + 1 < s.length() && s.charAt(j + 1) == q) {
                    j += 2;
                    continue;
                }
                return j + 1;
            }
            j++;
        }
        return s.length();
    }

    private static int skipSpaceAndComments(String s, int i) {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (s.startsWith("--", i) || s.startsWith("//", i)) {
                int nl = s.indexOf('\n', i);
                i = nl < 0 ? s.length() : nl + 1;
            } else if (s.startsWith("/*", i)) {
                int end = s.indexOf("*/", i + 2);
                i = end < 0 ? s.length() : end + 2;
            } else {
                break;
            }
        }
        return i;
    }
}
