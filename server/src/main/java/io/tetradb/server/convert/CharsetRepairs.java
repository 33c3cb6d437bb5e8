package io.tetradb.server.convert;

import io.tetradb.server.convert.ContentDigest.Kind;

import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which text columns are re-read in which character set (docs/conversion.md, step 6): the lines
 * of multilang.txt resolved against the source's tables and fields (by number as the
 * converted catalog.xml will give them, or by name), then {@code --default-charset} for
 * every other text column. Lines that address nothing are kept as remarks for the log.
 *
 * <p>Immutable once resolved; the conversion's thread.
 */
final class CharsetRepairs {
    /** One repaired column. */
    record Target(SourceStructure.Table table, int column, TextRepair repair, String origin) {
        String columnName() {
            return table.columns().get(column).name();
        }
    }

    private final Map<String, TextRepair[]> byTable = new LinkedHashMap<>();
    private final List<Target> targets = new ArrayList<>();
    private final List<String> remarks = new ArrayList<>();

    private CharsetRepairs() {
    }

    static CharsetRepairs none() {
        return new CharsetRepairs();
    }

    static CharsetRepairs resolve(MultilangMap map, Charset defaultCharset, SourceStructure structure,
                                  CatalogNumbers numbers) {
        CharsetRepairs r = new CharsetRepairs();
        r.remarks.addAll(map.problems());
        for (MultilangMap.Entry e : map.entries()) {
            String where = "multilang.txt line " + e.line() + " '" + e.text() + "'";
            SourceStructure.Table table = findTable(structure, numbers, e.table());
            if (table == null) {
                r.remarks.add(where + ": no table " + e.table() + "; the line is ignored.");
                continue;
            }
            if (!table.data()) {
                r.remarks.add(where + ": " + table.key() + " is a " + table.type() + ", not a table with rows; "
                        + "the line is ignored.");
                continue;
            }
            int column = findColumn(table, numbers, e.field());
            if (column < 0) {
                r.remarks.add(where + ": table " + table.key() + " has no field " + e.field() + "; the line is ignored.");
                continue;
            }
            Kind kind = table.columns().get(column).kind();
            int element = 0;
            if (e.subfield() != null) {
                if (!kind.isArray()) {
                    r.remarks.add(where + ": field " + table.columns().get(column).name() + " has no subfields (only "
                            + "ARRAY fields have: their elements 1, 2, ... or *); the line is ignored.");
                    continue;
                }
                if (!e.subfield().equals("*")) {
                    if (!e.subfield().matches("\\d+") || Integer.parseInt(e.subfield()) < 1) {
                        r.remarks.add(where + ": subfield " + e.subfield() + " addresses no element (1, 2, ... or *); "
                                + "the line is ignored.");
                        continue;
                    }
                    element = Integer.parseInt(e.subfield());
                }
            } else if (!kind.isText() && !kind.isArray()) {
                r.remarks.add(where + ": field " + table.columns().get(column).name() + " holds no text ("
                        + table.columns().get(column).typeName() + "); the line is ignored.");
                continue;
            }
            TextRepair[] cols = r.byTable.computeIfAbsent(table.key(), k -> new TextRepair[table.columns().size()]);
            if (cols[column] != null) {
                r.remarks.add(where + ": field " + table.columns().get(column).name() + " already has a charset; "
                        + "the line is ignored.");
                continue;
            }
            cols[column] = new TextRepair(e.charset(), element);
            r.targets.add(new Target(table, column, cols[column], "multilang.txt line " + e.line()));
        }
        if (defaultCharset != null) {
            for (SourceStructure.Table t : structure.tables()) {
                for (int i = 0; i < t.columns().size(); i++) {
                    if (!t.columns().get(i).kind().isText()) {
                        continue;
                    }
                    TextRepair[] cols = r.byTable.computeIfAbsent(t.key(), k -> new TextRepair[t.columns().size()]);
                    if (cols[i] == null) {
                        cols[i] = new TextRepair(defaultCharset, 0);
                        r.targets.add(new Target(t, i, cols[i], "--default-charset"));
                    }
                }
            }
        }
        return r;
    }

    private static SourceStructure.Table findTable(SourceStructure s, CatalogNumbers numbers, String token) {
        if (token.matches("\\d+")) {
            String key = numbers.tableOfNumber(Integer.parseInt(token));
            for (SourceStructure.Table t : s.all()) {
                if (t.key().equals(key)) {
                    return t;
                }
            }
            return null;
        }
        for (SourceStructure.Table t : s.all()) {
            if (t.key().equals(token)) {
                return t;
            }
        }
        List<SourceStructure.Table> byName = new ArrayList<>();
        for (SourceStructure.Table t : s.all()) {
            if (t.ref().name().equals(token)) {
                byName.add(t);
            }
        }
        if (byName.isEmpty()) {
            for (SourceStructure.Table t : s.all()) {
                if (t.ref().name().equalsIgnoreCase(token) || t.key().equalsIgnoreCase(token)) {
                    byName.add(t);
                }
            }
        }
        if (byName.size() > 1) {
            for (SourceStructure.Table t : byName) {
                if (t.ref().schema().equals("PUBLIC")) {
                    return t;
                }
            }
        }
        return byName.isEmpty() ? null : byName.get(0);
    }

    private static int findColumn(SourceStructure.Table t, CatalogNumbers numbers, String token) {
        String name = token;
        if (token.matches("\\d+")) {
            name = numbers.fieldOfNumber(t.key(), Integer.parseInt(token));
            if (name == null) {
                return -1;
            }
        }
        for (int i = 0; i < t.columns().size(); i++) {
            if (t.columns().get(i).name().equals(name)) {
                return i;
            }
        }
        for (int i = 0; i < t.columns().size(); i++) {
            if (t.columns().get(i).name().toUpperCase(Locale.ROOT).equals(name.toUpperCase(Locale.ROOT))) {
                return i;
            }
        }
        return -1;
    }

    /** The repairs of {@code table}'s columns (null entries: none), or null when it has none. */
    TextRepair[] forTable(SourceStructure.Table table) {
        return byTable.get(table.key());
    }

    List<Target> targets() {
        return targets;
    }

    /** Lines that addressed nothing or could not be read. */
    List<String> remarks() {
        return remarks;
    }

    boolean isEmpty() {
        return targets.isEmpty();
    }
}
