package io.tetradb.server.log;

import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraException;
import io.tetradb.protocol.Value;
import io.tetradb.protocol.ValueList;
import io.tetradb.protocol.log.Operation;
import io.tetradb.protocol.log.RowChange;
import io.tetradb.protocol.log.SequenceAdvance;
import io.tetradb.protocol.log.Statement;
import io.tetradb.protocol.log.TableContent;
import io.tetradb.protocol.log.TableRef;
import io.tetradb.protocol.log.Transaction;
import org.h2.engine.SessionLocal;
import org.h2.schema.Schema;
import org.h2.schema.Sequence;
import org.h2.table.Column;
import org.h2.table.Table;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Redoes logged transactions on a database (docs/log-file.md, recovery at start): each
 * transaction the data file does not hold yet (its last operation is beyond what the data
 * file records for its slot, {@link Watermarks}) is applied in log order, in one engine
 * transaction together with the new record of what the data file holds, so that a crash
 * during recovery leaves nothing half done. Rows are redone by their values and key
 * (referential actions are off while redoing: cascades were logged as the rows they
 * changed), structure changes by their statement in their schema, sequences by the value
 * they moved to, tables with logged contents by those contents.
 *
 * <p>A structure change the data file may already hold (the engine committed it by
 * itself, before the record of it) is recognized by the structure's digest: when the
 * structure already is what the change produced, it is not run again.
 *
 * <p>Runs on one thread (the server's main thread at start), with the server's own
 * connection, before any session is served.
 */
public final class LogReplay implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LogReplay.class);

    private final Connection c;
    private final SessionLocal session;
    private final Map<Integer, Long> applied;
    private final Map<String, PreparedStatement> statements = new HashMap<>();
    private final boolean autoCommit;
    private long transactions;
    private long operations;
    private long lastOperation;

    /** Prepares {@code c} (H2's admin account) for redoing: referential actions off, one transaction at a time. */
    public LogReplay(Connection c) throws SQLException {
        this.c = c;
        this.session = LogCapture.engineSession(c);
        this.autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        this.applied = Watermarks.read(session);
        c.commit();
        try (java.sql.Statement st = c.createStatement()) {
            st.execute("SET REFERENTIAL_INTEGRITY FALSE");
        }
    }

    /** The last operation the data file holds, per slot, as it was when replay began and as it goes on. */
    public Map<Integer, Long> applied() {
        return applied;
    }

    /** Redoes {@code tx} if the data file does not hold it yet; returns whether it did. */
    public boolean apply(Transaction tx) throws SQLException {
        long last = tx.getFirstOperation() + tx.getOperationsCount() - 1;
        if (tx.getOperationsCount() == 0 || last <= applied.getOrDefault(tx.getSlot(), 0L)) {
            return false;
        }
        LogCapture.replaying(true);
        try {
            long op = tx.getFirstOperation();
            for (Operation o : tx.getOperationsList()) {
                try {
                    apply(o);
                } catch (SQLException | RuntimeException e) {
                    c.rollback();
                    throw new TetraException(ErrorCode.LOG_OPERATION_FAILED, "Operation " + op + " (" + describe(o)
                            + ") could not be applied: " + e.getMessage(), e);
                }
                op++;
            }
            Watermarks.record(session, tx.getSlot(), last);
            c.commit();
        } finally {
            LogCapture.replaying(false);
        }
        applied.put(tx.getSlot(), last);
        transactions++;
        operations += tx.getOperationsCount();
        lastOperation = last;
        return true;
    }

    public long transactions() {
        return transactions;
    }

    public long operations() {
        return operations;
    }

    public long lastOperation() {
        return lastOperation;
    }

    private void apply(Operation o) throws SQLException {
        switch (o.getKindCase()) {
            case INSERT -> insert(o.getInsert().getTable(), o.getInsert().getNewValuesList());
            case UPDATE -> update(o.getUpdate());
            case DELETE -> delete(o.getDelete());
            case DDL -> ddl(o.getDdl());
            case SEQUENCE -> sequence(o.getSequence());
            case CONTENT -> content(o.getContent());
            default -> throw new SQLException("an operation of a kind this server does not know ("
                    + o.getKindCase() + ")");
        }
    }

    private Table table(TableRef ref) throws SQLException {
        Schema schema = session.getDatabase().findSchema(ref.getSchema());
        Table t = schema == null ? null : schema.findTableOrView(session, ref.getTable());
        if (t == null) {
            throw new SQLException("table " + ref.getSchema() + "." + ref.getTable() + " does not exist");
        }
        return t;
    }

    private static String name(Table t) {
        return LogCapture.quote(t.getSchema().getName()) + "." + LogCapture.quote(t.getName());
    }

    private void insert(TableRef ref, List<Value> values) throws SQLException {
        Table t = table(ref);
        Column[] cols = t.getColumns();
        check(t, values.size());
        StringBuilder sql = new StringBuilder("INSERT INTO ").append(name(t)).append('(');
        StringBuilder params = new StringBuilder();
        List<Object> args = new ArrayList<>();
        for (int i = 0; i < cols.length; i++) {
            if (cols[i].isGenerated()) {
                continue;
            }
            if (!args.isEmpty()) {
                sql.append(", ");
                params.append(", ");
            }
            sql.append(LogCapture.quote(cols[i].getName()));
            params.append('?');
            args.add(LogValues.toJava(values.get(i)));
        }
        sql.append(") OVERRIDING SYSTEM VALUE VALUES (").append(params).append(')');
        run(sql.toString(), args, 1);
    }

    private void update(RowChange r) throws SQLException {
        Table t = table(r.getTable());
        Column[] cols = t.getColumns();
        check(t, r.getOldValuesCount());
        check(t, r.getNewValuesCount());
        StringBuilder sql = new StringBuilder("UPDATE ").append(name(t)).append(" SET ");
        List<Object> args = new ArrayList<>();
        int set = 0;
        for (int i = 0; i < cols.length; i++) {
            if (cols[i].isGenerated() || r.getOldValues(i).equals(r.getNewValues(i))) {
                continue;
            }
            sql.append(set++ > 0 ? ", " : "").append(LogCapture.quote(cols[i].getName())).append(" = ?");
            args.add(LogValues.toJava(r.getNewValues(i)));
        }
        if (set == 0) {
            return; // the row got the values it had
        }
        where(sql, args, cols, r.getKeyColumnsList(), r.getOldValuesList());
        run(sql.toString(), args, 1);
    }

    private void delete(RowChange r) throws SQLException {
        Table t = table(r.getTable());
        check(t, r.getOldValuesCount());
        StringBuilder sql = new StringBuilder("DELETE FROM ").append(name(t));
        List<Object> args = new ArrayList<>();
        where(sql, args, t.getColumns(), r.getKeyColumnsList(), r.getOldValuesList());
        run(sql.toString(), args, 1);
    }

    /** WHERE on the key's columns, or on every column (one row of equal ones) when the table has no key. */
    private static void where(StringBuilder sql, List<Object> args, Column[] cols, List<Integer> key,
                              List<Value> old) {
        sql.append(" WHERE ");
        List<Integer> by = new ArrayList<>(key);
        if (by.isEmpty()) {
            for (int i = 0; i < cols.length; i++) {
                if (!cols[i].isGenerated()) {
                    by.add(i);
                }
            }
        }
        for (int j = 0; j < by.size(); j++) {
            int i = by.get(j);
            sql.append(j > 0 ? " AND " : "").append(LogCapture.quote(cols[i].getName())).append(" IS NOT DISTINCT FROM ?");
            args.add(LogValues.toJava(old.get(i)));
        }
        if (key.isEmpty()) {
            sql.append(" FETCH FIRST 1 ROW ONLY");
        }
    }

    private static void check(Table t, int values) throws SQLException {
        if (values != t.getColumns().length) {
            throw new SQLException("the row has " + values + " values and table " + t.getName() + " has "
                    + t.getColumns().length + " columns");
        }
    }

    private void run(String sql, List<Object> args, int expectedRows) throws SQLException {
        PreparedStatement ps = statements.get(sql);
        if (ps == null) {
            ps = c.prepareStatement(sql);
            statements.put(sql, ps);
        }
        for (int i = 0; i < args.size(); i++) {
            ps.setObject(i + 1, args.get(i));
        }
        int n = ps.executeUpdate();
        if (expectedRows >= 0 && n != expectedRows) {
            throw new SQLException("it changed " + n + " rows instead of " + expectedRows
                    + " (the data differs from what the log was written against)");
        }
    }

    private void ddl(Statement st) throws SQLException {
        statements.values().forEach(LogReplay::closeQuietly);
        statements.clear();
        byte[] now = SchemaDigest.of(session.getDatabase()).hash();
        boolean changesStructure = !st.getSchemaBefore().equals(st.getSchemaAfter());
        if (changesStructure && Arrays.equals(now, st.getSchemaAfter().toByteArray())) {
            LOG.info("The data file already holds the structure change \"{}\"; not run again.", abbreviate(st.getSql()));
            return;
        }
        try (java.sql.Statement s = c.createStatement()) {
            s.execute("SET SCHEMA " + LogCapture.quote(st.getSchema()));
            if (st.getSearchPathCount() > 0) {
                StringBuilder path = new StringBuilder("SET SCHEMA_SEARCH_PATH ");
                for (int i = 0; i < st.getSearchPathCount(); i++) {
                    path.append(i > 0 ? ", " : "").append(LogCapture.quote(st.getSearchPath(i)));
                }
                s.execute(path.toString());
            }
            try {
                s.execute(st.getSql());
            } finally {
                s.execute("SET SCHEMA PUBLIC");
                s.execute("SET SCHEMA_SEARCH_PATH PUBLIC");
            }
        }
        c.commit();
        synchronized (c) {
            new TriggerPlacer(c).place();
        }
        byte[] after = SchemaDigest.of(session.getDatabase()).hash();
        if (!Arrays.equals(after, st.getSchemaAfter().toByteArray())) {
            LOG.warn("The structure after redoing \"{}\" differs from the one the original run gave.",
                    abbreviate(st.getSql()));
        }
    }

    private void sequence(SequenceAdvance a) throws SQLException {
        Sequence s;
        if (a.hasSequence()) {
            Schema schema = session.getDatabase().findSchema(a.getSequence().getSchema());
            s = schema == null ? null : schema.findSequence(a.getSequence().getTable());
        } else {
            Column col = table(a.getTable()).findColumn(a.getColumn());
            s = col == null ? null : col.getSequence();
        }
        if (s == null) {
            throw new SQLException("the sequence or identity column does not exist");
        }
        long at = s.getBaseValue();
        if (s.getIncrement() > 0 ? at < a.getNextValue() : at > a.getNextValue()) {
            s.modify(a.getNextValue(), null, null, null, null, null, null);
            s.flush(null);
        }
    }

    private void content(TableContent content) throws SQLException {
        Table t = table(content.getTable());
        run("DELETE FROM " + name(t), List.of(), -1);
        for (ValueList row : content.getRowsList()) {
            insert(content.getTable(), row.getValuesList());
        }
    }

    private static String describe(Operation o) {
        return switch (o.getKindCase()) {
            case INSERT -> "insert into " + ref(o.getInsert().getTable());
            case UPDATE -> "update of " + ref(o.getUpdate().getTable());
            case DELETE -> "delete from " + ref(o.getDelete().getTable());
            case DDL -> "\"" + abbreviate(o.getDdl().getSql()) + "\"";
            case SEQUENCE -> "sequence";
            case CONTENT -> "contents of " + ref(o.getContent().getTable());
            default -> o.getKindCase().toString();
        };
    }

    private static String ref(TableRef r) {
        return r.getSchema() + "." + r.getTable();
    }

    private static String abbreviate(String sql) {
        return sql.length() > 80 ? sql.substring(0, 80) + "..." : sql;
    }

    private static void closeQuietly(PreparedStatement ps) {
        try {
            ps.close();
        } catch (SQLException ignored) {
            // a statement of a replay that goes on
        }
    }

    /** Referential actions back on; the connection as it was. */
    @Override
    public void close() throws SQLException {
        statements.values().forEach(LogReplay::closeQuietly);
        statements.clear();
        try (java.sql.Statement st = c.createStatement()) {
            st.execute("SET REFERENTIAL_INTEGRITY TRUE");
        }
        c.commit();
        c.setAutoCommit(autoCommit);
    }
}
