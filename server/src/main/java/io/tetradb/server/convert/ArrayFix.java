package io.tetradb.server.convert;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Rewrites the values of an untyped H2 1.4 {@code ARRAY} column in an export script so
 * that H2 2 can import them as {@code CHARACTER VARYING ARRAY} (the type its
 * {@code FROM_1X} mode gives such a column). H2 1.4 writes such a value as
 * {@code ARRAY [1, 'x1', TRUE]}; H2 2 gives an array constructor the common type of its
 * elements (here INTEGER) and so refuses {@code 'x1'}. Each element is replaced by a
 * string literal of its text as H2 1.4 shows it ({@code CAST(e AS VARCHAR)} in H2 1.4:
 * {@code 1}, {@code x1}, {@code TRUE}, {@code 2020-01-02}, {@code 0102} for bytes,
 * {@code [1, a, null]} for a nested array, {@code ROW (1, a)} for a row); NULL elements
 * stay NULL. An element of a form this class does not know is left to H2 2 as
 * {@code CAST(e AS VARCHAR)}; the verification then shows any difference.
 *
 * <p>Stateless and thread-safe; used by the importing thread through {@link EnumFix}.
 */
final class ArrayFix {
    private static final Pattern NUMBER = Pattern.compile("[-+]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][-+]?\\d+)?");
    private static final Pattern TYPED = Pattern.compile("(?i)(DATE|TIME|TIMESTAMP|TIME WITH TIME ZONE"
            + "|TIMESTAMP WITH TIME ZONE|JSON|UUID|GEOMETRY) *'.*'", Pattern.DOTALL);
    private static final Pattern BYTES = Pattern.compile("(?i)X'[0-9a-f]*'");

    /** What became of one value. */
    record Result(String sql, boolean converted) {
    }

    /** An element this class cannot turn into text itself. */
    private static final class Unknown extends Exception {
        private static final long serialVersionUID = 1L;

        Unknown() {
            super(null, null, false, false);
        }
    }

    private ArrayFix() {
    }

    /**
     * The value {@code sql} (as H2 1.4's SCRIPT wrote it) with every element a string
     * literal; {@code converted} when some element was not a string or NULL already.
     */
    static Result rewrite(String sql) {
        String v = sql.strip();
        List<String> elements = arrayElements(v);
        if (elements == null) {
            return new Result(sql, false);
        }
        StringBuilder out = new StringBuilder(v.length() + 16).append("ARRAY [");
        boolean converted = false;
        for (int i = 0; i < elements.size(); i++) {
            String e = elements.get(i).strip();
            if (i > 0) {
                out.append(", ");
            }
            if (e.equalsIgnoreCase("NULL") || isString(e)) {
                out.append(e);
                continue;
            }
            converted = true;
            try {
                out.append(DatabaseConverter.literal(text(e)));
            } catch (Unknown u) {
                out.append("CAST(").append(e).append(" AS VARCHAR)");
            }
        }
        return new Result(out.append(']').toString(), converted);
    }

    /** The elements of {@code ARRAY [...]}, or null when {@code v} is not an array constructor. */
    private static List<String> arrayElements(String v) {
        return group(v, "ARRAY", '[', ']');
    }

    private static List<String> group(String v, String word, char open, char close) {
        if (!v.regionMatches(true, 0, word, 0, word.length())) {
            return null;
        }
        int i = word.length();
        while (i < v.length() && v.charAt(i) == ' ') {
            i++;
        }
        if (i >= v.length() || v.charAt(i) != open || v.charAt(v.length() - 1) != close) {
            return null;
        }
        String inside = v.substring(i + 1, v.length() - 1);
        return inside.isBlank() ? List.of() : EnumFix.splitTop(inside);
    }

    private static boolean isString(String e) {
        return e.length() >= 2 && e.charAt(0) == '\'' && e.charAt(e.length() - 1) == '\''
                && EnumFix.splitTop(e).size() == 1 && closesAtEnd(e);
    }

    /** Whether the literal that opens at 0 ends at the last character (not {@code 'a' || 'b'}). */
    private static boolean closesAtEnd(String e) {
        int j = 1;
        while (j < e.length()) {
            if (e.charAt(j) == '\'') {
                if (j + 1 < e.length() && e.charAt(j + 1) == '\'') {
                    j += 2;
                    continue;
                }
                return j == e.length() - 1;
            }
            j++;
        }
        return false;
    }

    private static String unquote(String e) {
        return e.substring(1, e.length() - 1).replace("''", "'");
    }

    /** The text H2 1.4 shows for the element literal {@code e}; null for NULL. */
    private static String text(String e) throws Unknown {
        if (e.equalsIgnoreCase("NULL")) {
            return null;
        }
        if (isString(e)) {
            return unquote(e);
        }
        if (e.equalsIgnoreCase("TRUE") || e.equalsIgnoreCase("FALSE")) {
            return e.toUpperCase(Locale.ROOT);
        }
        if (NUMBER.matcher(e).matches()) {
            return e;
        }
        if (BYTES.matcher(e).matches()) {
            return e.substring(2, e.length() - 1).toLowerCase(Locale.ROOT);
        }
        switch (e.toUpperCase(Locale.ROOT).replace(" ", "")) {
            case "SQRT(-1)":
                return "NaN";
            case "POWER(0,-1)":
                return "Infinity";
            case "(-POWER(0,-1))":
                return "-Infinity";
            default:
                break;
        }
        if (e.regionMatches(true, 0, "INTERVAL ", 0, 9)) {
            return e;
        }
        if (TYPED.matcher(e).matches()) {
            String literal = e.substring(e.indexOf('\''));
            if (isString(literal)) {
                return unquote(literal);
            }
        }
        List<String> nested = arrayElements(e);
        if (nested != null) {
            return "[" + texts(nested) + "]";
        }
        List<String> row = group(e, "ROW", '(', ')');
        if (row != null) {
            return "ROW (" + texts(row) + ")";
        }
        throw new Unknown();
    }

    private static String texts(List<String> elements) throws Unknown {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < elements.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(text(elements.get(i).strip()));
        }
        return sb.toString();
    }
}
