package io.tetradb.server.log;

import org.h2.engine.Database;
import org.h2.schema.Schema;
import org.h2.schema.SchemaObject;
import org.h2.schema.Sequence;
import org.h2.schema.TriggerObject;
import org.h2.table.Table;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The structure of a database as text, object by object (H2's own {@code CREATE} statement
 * of each table, view, index, constraint, sequence, domain, ... in every schema), and its
 * SHA-256. A structure change records the digest before and after it ran: replay checks it
 * reached the same structure, and recovery tells from it whether the data file already
 * holds the change.
 *
 * <p>What differs between two runs of the same statements is left out: the log's own
 * triggers, the position of sequences and identity columns ({@code RESTART WITH n}), and the
 * names H2 makes up for unnamed constraints, their indexes and identity sequences. Temporary
 * tables are left out (they are not kept).
 *
 * <p>Computed on the thread of the structure change (a session's worker) or of recovery,
 * while no other structure change runs.
 */
final class SchemaDigest {
    private static final Pattern RESTART = Pattern.compile(" RESTART WITH -?[0-9]+");
    private static final Pattern MADE_UP_NAME = Pattern.compile(
            "\"(PRIMARY_KEY_|CONSTRAINT_|SYSTEM_SEQUENCE_|[A-Z0-9_]*_INDEX_)[0-9A-F_]+\"");

    private final Map<String, String> objects;

    private SchemaDigest(Map<String, String> objects) {
        this.objects = objects;
    }

    static SchemaDigest of(Database engine) {
        Map<String, String> out = new TreeMap<>();
        for (Schema schema : engine.getAllSchemasNoMeta()) {
            out.put("schema " + schema.getName(), normalize(schema.getCreateSQL()) + comment(schema.getComment()));
            for (SchemaObject o : schema.getAll(new ArrayList<>())) {
                if (o instanceof TriggerObject t && CaptureTrigger.class.getName().equals(t.getTriggerClassName())) {
                    continue;
                }
                if (o instanceof Table t && t.isTemporary()) {
                    continue;
                }
                String sql = o.getCreateSQL();
                if (sql == null) {
                    continue;
                }
                String key = o instanceof Sequence s && s.getBelongsToTable() ? "identity" : o.getName();
                out.merge(schema.getName() + "." + o.getType() + "." + normalizeName(key) + "." + normalize(sql),
                        normalize(sql) + comment(o.getComment()), (a, b) -> a + "\n" + b);
            }
        }
        return new SchemaDigest(out);
    }

    private static String normalizeName(String name) {
        return MADE_UP_NAME.matcher('"' + name + '"').replaceAll("\"*\"");
    }

    private static String normalize(String sql) {
        if (sql == null) {
            return "";
        }
        return MADE_UP_NAME.matcher(RESTART.matcher(sql).replaceAll("")).replaceAll("\"*\"");
    }

    private static String comment(String c) {
        return c == null ? "" : " COMMENT " + c;
    }

    /** The SHA-256 of the whole structure. */
    byte[] hash() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Map.Entry<String, String> e : objects.entrySet()) {
                md.update(e.getKey().getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
                md.update(e.getValue().getBytes(StandardCharsets.UTF_8));
                md.update((byte) '\n');
            }
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The tables (schema and name) whose definition is new or different in {@code after}. */
    static java.util.List<String[]> changedTables(Database engine, SchemaDigest before) {
        java.util.List<String[]> out = new ArrayList<>();
        for (Schema schema : engine.getAllSchemasNoMeta()) {
            for (Table t : schema.getAllTablesAndViews(null)) {
                if (t.isTemporary() || t.getTableType() != org.h2.table.TableType.TABLE) {
                    continue;
                }
                String sql = normalize(t.getCreateSQL());
                String key = schema.getName() + "." + t.getType() + "." + normalizeName(t.getName()) + "." + sql;
                if (!before.objects.containsKey(key)) {
                    out.add(new String[] {schema.getName(), t.getName()});
                }
            }
        }
        return out;
    }
}
