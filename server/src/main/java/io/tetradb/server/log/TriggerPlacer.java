package io.tetradb.server.log;

import org.h2.schema.Schema;
import org.h2.schema.TriggerObject;
import org.h2.table.Table;
import org.h2.table.TableType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Places the log's row trigger ({@link CaptureTrigger}) on every kept table that lacks it:
 * at start, and after every structure change (a new table, a table H2 rebuilt). A trigger
 * dropped by SQL is placed again by the next structure change's run of this, before any
 * write can reach its table. Temporary tables and tables without persistent data are not
 * kept, so not logged.
 *
 * <p>Runs on the caller's thread with the server's own connection (H2's admin account,
 * which creating a trigger needs); the caller holds that connection's monitor.
 */
final class TriggerPlacer {
    private static final Logger LOG = LoggerFactory.getLogger(TriggerPlacer.class);
    private final Connection system;

    TriggerPlacer(Connection system) {
        this.system = system;
    }

    /** Takes the log's trigger off one table (before H2 rebuilds it); nothing when the table has none. */
    void remove(String schemaName, String tableName) throws SQLException {
        org.h2.engine.Database engine = LogCapture.engineSession(system).getDatabase();
        Schema schema = engine.findSchema(schemaName);
        if (schema == null) {
            return;
        }
        List<String> drops = new ArrayList<>();
        for (TriggerObject t : schema.getAllTriggers()) {
            if (CaptureTrigger.class.getName().equals(t.getTriggerClassName())
                    && t.getTable().getName().equals(tableName)) {
                drops.add("DROP TRIGGER " + LogCapture.quote(schemaName) + "." + LogCapture.quote(t.getName()));
            }
        }
        run(drops);
    }

    void place() throws SQLException {
        org.h2.engine.Database engine = LogCapture.engineSession(system).getDatabase();
        List<String> creates = new ArrayList<>();
        for (Schema schema : engine.getAllSchemasNoMeta()) {
            Set<Table> covered = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
            Set<String> names = new java.util.HashSet<>();
            for (TriggerObject t : schema.getAllTriggers()) {
                names.add(t.getName());
                if (CaptureTrigger.class.getName().equals(t.getTriggerClassName())) {
                    covered.add(t.getTable());
                }
            }
            for (Table t : schema.getAllTablesAndViews(null)) {
                if (t.getTableType() == TableType.TABLE && !t.isTemporary() && t.isPersistData()
                        && !covered.contains(t)) {
                    // Named after the table's id; a table H2 rebuilt under a new id keeps its trigger's old
                    // name, which a later table may then get as its id: another name is taken then.
                    String name = LogCapture.TRIGGER_PREFIX + t.getId();
                    for (int i = 2; names.contains(name); i++) {
                        name = LogCapture.TRIGGER_PREFIX + t.getId() + "_" + i;
                    }
                    names.add(name);
                    creates.add("CREATE TRIGGER " + LogCapture.quote(schema.getName()) + "."
                            + LogCapture.quote(name)
                            + " AFTER INSERT, UPDATE, DELETE ON " + LogCapture.quote(schema.getName()) + "."
                            + LogCapture.quote(t.getName()) + " FOR EACH ROW CALL '"
                            + CaptureTrigger.class.getName() + "'");
                }
            }
        }
        run(creates);
        if (!creates.isEmpty()) {
            LOG.debug("Placed the log's trigger on {} table(s).", creates.size());
        }
    }

    private void run(List<String> statements) throws SQLException {
        if (statements.isEmpty()) {
            return;
        }
        boolean auto = system.getAutoCommit();
        try (java.sql.Statement st = system.createStatement()) {
            for (String sql : statements) {
                st.execute(sql);
            }
        } finally {
            if (!auto) {
                system.commit();
            }
        }
    }
}
