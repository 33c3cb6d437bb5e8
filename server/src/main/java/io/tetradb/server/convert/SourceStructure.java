package io.tetradb.server.convert;

import io.tetradb.server.convert.ContentDigest.Kind;
import io.tetradb.server.convert.ContentDigest.TableRef;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The structure of the source database as its own engine reports it (H2 1.4's and 2.x's
 * INFORMATION_SCHEMA differ; only what both have is read): every table and view in
 * catalog order (schema, name), each with its columns in order; for base tables, the
 * kind of each column (an H2 1.4 ARRAY, which has no element type, is
 * {@link Kind#ARRAY_TEXT}: verified by its elements' text) and, for H2 1.4 ENUM columns,
 * their labels.
 *
 * <p>Immutable once read; the conversion's thread.
 */
final class SourceStructure {
    /** A column: name, SQL type as the engine names it, how it is digested, ENUM labels (H2 1.4). */
    record Column(String name, String typeName, Kind kind, List<String> enumLabels) {
    }

    /** A table or view; {@code data} for base tables (whose rows are converted and checked). */
    record Table(TableRef ref, String type, boolean data, List<Column> columns) {
        String key() {
            return ref.schema() + "." + ref.name();
        }

        List<String> columnNames() {
            List<String> out = new ArrayList<>();
            for (Column c : columns) {
                out.add(c.name());
            }
            return out;
        }

        Kind[] kinds() {
            Kind[] k = new Kind[columns.size()];
            for (int i = 0; i < k.length; i++) {
                k[i] = columns.get(i).kind();
            }
            return k;
        }

        boolean hasEnums() {
            for (Column c : columns) {
                if (c.enumLabels() != null) {
                    return true;
                }
            }
            return false;
        }
    }

    private final List<Table> all;
    private final List<String> notes;

    private SourceStructure(List<Table> all, List<String> notes) {
        this.all = List.copyOf(all);
        this.notes = List.copyOf(notes);
    }

    /** Every table and view, in catalog order. */
    List<Table> all() {
        return all;
    }

    /** Base tables (with rows), in catalog order. */
    List<Table> tables() {
        List<Table> out = new ArrayList<>();
        for (Table t : all) {
            if (t.data()) {
                out.add(t);
            }
        }
        return out;
    }

    /** Non-critical remarks about the structure (linked tables, temporary tables). */
    List<String> notes() {
        return notes;
    }

    boolean hasEnums() {
        for (Table t : all) {
            if (t.data() && t.hasEnums()) {
                return true;
            }
        }
        return false;
    }

    /** Reads the structure through {@code c}. */
    static SourceStructure read(Connection c) throws SQLException {
        List<String> notes = new ArrayList<>();
        Map<String, TableRef> refs = new LinkedHashMap<>();
        Map<String, String> types = new LinkedHashMap<>();
        Set<String> withData = new HashSet<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT * FROM INFORMATION_SCHEMA.TABLES "
                     + "WHERE TABLE_SCHEMA <> 'INFORMATION_SCHEMA'")) {
            boolean hasStorage = hasColumn(rs.getMetaData(), "STORAGE_TYPE");
            while (rs.next()) {
                String schema = rs.getString("TABLE_SCHEMA");
                String name = rs.getString("TABLE_NAME");
                String type = rs.getString("TABLE_TYPE");
                String storage = hasStorage ? rs.getString("STORAGE_TYPE") : null;
                String key = schema + "." + name;
                types.put(key, type);
                refs.put(key, new TableRef(schema, name));
                boolean temporary = (storage != null && storage.toUpperCase(Locale.ROOT).contains("TEMPORARY"))
                        || (type != null && type.toUpperCase(Locale.ROOT).contains("TEMPORARY"));
                boolean base = "TABLE".equals(type) || "BASE TABLE".equals(type);
                if (base && !temporary) {
                    withData.add(key);
                } else if (temporary) {
                    notes.add("Temporary table " + key + ": its definition is converted, it holds no data.");
                } else if (type != null && type.contains("LINK")) {
                    notes.add("Linked table " + key + ": its definition is converted, its data stays where it is.");
                }
            }
        }
        Map<String, List<Column>> columns = new LinkedHashMap<>();
        Set<String> untypedArrays = new HashSet<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT * FROM INFORMATION_SCHEMA.COLUMNS "
                     + "WHERE TABLE_SCHEMA <> 'INFORMATION_SCHEMA' ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION")) {
            ResultSetMetaData md = rs.getMetaData();
            boolean v1 = hasColumn(md, "TYPE_NAME") && hasColumn(md, "COLUMN_TYPE");
            while (rs.next()) {
                String key = rs.getString("TABLE_SCHEMA") + "." + rs.getString("TABLE_NAME");
                String typeName = v1 ? rs.getString("TYPE_NAME") : rs.getString("DATA_TYPE");
                List<String> labels = null;
                if (v1 && "ENUM".equalsIgnoreCase(typeName)) {
                    labels = enumLabels(rs.getString("COLUMN_TYPE"));
                }
                if (v1 && "ARRAY".equalsIgnoreCase(typeName)) {
                    // H2 1.4's ARRAY has no element type: any value can be an element.
                    untypedArrays.add(key + "." + rs.getString("COLUMN_NAME"));
                }
                columns.computeIfAbsent(key, k -> new ArrayList<>())
                        .add(new Column(rs.getString("COLUMN_NAME"), typeName, null, labels));
            }
        }
        List<Table> all = new ArrayList<>();
        for (Map.Entry<String, TableRef> e : refs.entrySet()) {
            String key = e.getKey();
            all.add(new Table(e.getValue(), types.get(key), withData.contains(key), columns.getOrDefault(key, List.of())));
        }
        all.sort(Comparator.comparing((Table t) -> t.ref().schema()).thenComparing(t -> t.ref().name()));
        // Base tables: the kinds of their columns from the engine's own result metadata.
        List<Table> withKinds = new ArrayList<>();
        for (Table t : all) {
            if (t.data() && !t.columns().isEmpty()) {
                Kind[] kinds = ContentDigest.kinds(c, t.ref(), t.columnNames());
                List<Column> cols = new ArrayList<>();
                for (int i = 0; i < kinds.length; i++) {
                    Column col = t.columns().get(i);
                    Kind kind = untypedArrays.contains(t.key() + "." + col.name()) ? Kind.ARRAY_TEXT : kinds[i];
                    cols.add(new Column(col.name(), col.typeName(), kind, col.enumLabels()));
                }
                withKinds.add(new Table(t.ref(), t.type(), true, cols));
            } else {
                withKinds.add(t);
            }
        }
        return new SourceStructure(withKinds, notes);
    }

    private static boolean hasColumn(ResultSetMetaData md, String name) throws SQLException {
        for (int i = 1; i <= md.getColumnCount(); i++) {
            if (name.equalsIgnoreCase(md.getColumnLabel(i))) {
                return true;
            }
        }
        return false;
    }

    /** The labels of {@code ENUM('a','b')} as H2 1.4 writes the column type. */
    static List<String> enumLabels(String columnType) {
        List<String> out = new ArrayList<>();
        if (columnType == null) {
            return out;
        }
        int i = columnType.indexOf('(');
        while (i >= 0 && i < columnType.length()) {
            int q = columnType.indexOf('\'', i);
            if (q < 0) {
                break;
            }
            StringBuilder sb = new StringBuilder();
            int j = q + 1;
            while (j < columnType.length()) {
                char ch = columnType.charAt(j);
                if (ch == '\'') {
                    if (j + 1 < columnType.length() && columnType.charAt(j + 1) == '\'') {
                        sb.append('\'');
                        j += 2;
                        continue;
                    }
                    break;
                }
                sb.append(ch);
                j++;
            }
            out.add(sb.toString());
            i = j + 1;
        }
        return out;
    }
}
