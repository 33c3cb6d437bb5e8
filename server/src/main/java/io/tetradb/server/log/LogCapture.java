package io.tetradb.server.log;

import com.google.protobuf.ByteString;
import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraException;
import io.tetradb.protocol.ValueList;
import io.tetradb.protocol.log.Operation;
import io.tetradb.protocol.log.SequenceAdvance;
import io.tetradb.protocol.log.Statement;
import io.tetradb.protocol.log.TableContent;
import io.tetradb.protocol.log.TableRef;
import io.tetradb.protocol.log.Transaction;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.schema.Schema;
import org.h2.schema.Sequence;
import org.h2.table.Column;
import org.h2.table.Table;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * Records every committed change of the served database in the log before the commit is
 * acknowledged (docs/log-file.md), by effect: the rows the engine stored (its row trigger,
 * {@link CaptureTrigger}, on every table), structure changes as their statement, sequences
 * and identity columns as the value they moved to, and, for a structure change whose values
 * would differ if run again, the contents it produced.
 *
 * <p>A commit, {@link #commit}: the transaction's operations are appended to the log and
 * numbered, the data file's record of what it holds ({@link Watermarks}) is updated in the
 * same engine transaction, the commit waits until the log is durable, and only then does
 * the engine commit (so no session sees a change the log could still lose) and the client
 * hear of it. Write transactions that touch the same rows are logged in the order the
 * engine serialized them: the second waits for the first's row locks, which are held until
 * after its append. A structure change, {@link #structureWrite}, runs alone among write
 * transactions ({@link StructureBarrier}).
 *
 * <p>Called on session workers (one per session at a time) and, for start and recovery, on
 * the server's main thread. The sequence positions last logged are a concurrent map; slots
 * are allocated under this object's monitor (no I/O).
 */
public final class LogCapture {
    private static final Logger LOG = LoggerFactory.getLogger(LogCapture.class);
    private static final Set<org.h2.engine.Database> LOGGED = ConcurrentHashMap.newKeySet();
    private static final ThreadLocal<Boolean> REPLAYING = new ThreadLocal<>();
    static final String TRIGGER_PREFIX = "TETRA_LOG_";
    /** The slot of the server's own changes (recovery). */
    static final int SYSTEM_SLOT = 0;

    private final Connection system;
    private final org.h2.engine.Database engine;
    private final OperationLog log;
    private final long maxTransactionBytes;
    private final long structureWaitMillis;
    private final StructureBarrier barrier = new StructureBarrier();
    private final BitSet slots = new BitSet();
    /** Next value of each sequence as last logged (identity of H2's sequence objects). */
    private final Map<Sequence, Long> logged = java.util.Collections.synchronizedMap(new IdentityHashMap<>());
    /**
     * Held from reading the sequences' positions to appending the transaction that carries
     * them: a transaction that skips a position another one carries is logged after it, so a
     * crash between the two never leaves a redone row ahead of its sequence.
     */
    private final Object sequenceOrder = new Object();
    private volatile Map<Sequence, Column> identityColumns = Map.of();
    private volatile long identityColumnsMetaId = -1;

    /**
     * @param system the server's own connection (H2's admin account: it places the triggers)
     */
    public LogCapture(Connection system, OperationLog log, long maxTransactionBytes, long structureWaitMillis)
            throws SQLException {
        this.system = system;
        this.engine = engineSession(system).getDatabase();
        this.log = log;
        this.maxTransactionBytes = maxTransactionBytes;
        this.structureWaitMillis = structureWaitMillis;
    }

    /** Whether the rows of this engine are logged (it is served); triggers elsewhere do nothing. */
    static boolean isLogged(org.h2.engine.Database engine) {
        return LOGGED.contains(engine);
    }

    /** Whether this thread is redoing logged operations (the trigger then records nothing). */
    static boolean isReplaying() {
        return REPLAYING.get() != null;
    }

    static void replaying(boolean on) {
        if (on) {
            REPLAYING.set(Boolean.TRUE);
        } else {
            REPLAYING.remove();
        }
    }

    /** Places the triggers, notes where every sequence stands, and starts refusing unlogged rows. */
    public void start() throws SQLException {
        synchronized (system) {
            new TriggerPlacer(system).place();
        }
        for (Sequence s : allSequences()) {
            logged.put(s, s.getBaseValue());
        }
        LOGGED.add(engine);
    }

    public void stop() {
        LOGGED.remove(engine);
    }

    /** A session connects: its slot and its capture. */
    public synchronized SessionLog open(String user, long session, String address) {
        int slot = slots.nextClearBit(SYSTEM_SLOT + 1);
        slots.set(slot);
        return new SessionLog(this, slot, user, session, address, new TransactionCapture(maxTransactionBytes));
    }

    /** A session ended (its transaction rolled back): its slot is free again. */
    void close(SessionLog s) {
        s.capture.clear();
        releaseWrite(s);
        synchronized (this) {
            slots.clear(s.slot);
        }
    }

    /** Before a statement that may write runs in {@code s}'s transaction. */
    public void beforeWrite(SessionLog s) throws SQLException {
        if (!s.holdsWrite) {
            barrier.enterWrite(structureWaitMillis);
            s.holdsWrite = true;
        }
    }

    /**
     * After a write statement in {@code s}'s open transaction: when the transaction holds no
     * change for the log (the statement only locked rows, or changed none), it stops counting
     * as an open write transaction, so structure changes do not wait for it; its next write
     * counts it again.
     */
    public void nothingWritten(SessionLog s) {
        if (s.capture.isEmpty()) {
            releaseWrite(s);
        }
    }

    private void releaseWrite(SessionLog s) {
        if (s.holdsWrite) {
            s.holdsWrite = false;
            barrier.exitWrite();
        }
    }

    /**
     * Commits {@code s}'s transaction on {@code c}: logged and durable first, then committed
     * in the engine. When the log cannot be written the transaction is rolled back and 1274
     * thrown: nothing unlogged is committed.
     */
    public void commit(SessionLog s, Connection c) throws SQLException {
        try {
            OperationLog.Appended appended;
            synchronized (sequenceOrder) {
                List<Operation> ops = new ArrayList<>(s.capture.operations());
                ops.addAll(sequenceAdvances());
                if (ops.isEmpty()) {
                    c.commit();
                    return;
                }
                appended = log.append(transaction(s, ops));
            }
            Watermarks.record(engineSession(c), s.slot, appended.lastOperation());
            awaitDurable(appended, c);
            c.commit();
        } finally {
            s.capture.clear();
            releaseWrite(s);
        }
    }

    /** Rolls back {@code s}'s transaction on {@code c}: nothing of it is logged. */
    public void rollback(SessionLog s, Connection c) throws SQLException {
        try {
            c.rollback();
        } finally {
            s.capture.clear();
            releaseWrite(s);
        }
    }

    /** The work of one structure change (its statement run by the engine). */
    @FunctionalInterface
    public interface EngineWork<T> {
        T run() throws SQLException;
    }

    /**
     * Runs one structure change (DDL, or TRUNCATE, which H2 also runs outside the
     * transaction) of {@code s} alone among write transactions and logs it: {@code s}'s open
     * transaction is committed first (the engine would commit it anyway); the statement
     * is logged with the structure's digest before and after it, the contents of the
     * tables it changed when its values are not deterministic, and the sequences it moved.
     *
     * @param kind     what the statement is ({@code log show})
     * @param rebuilds the table the change may rebuild (schema, name), or null
     */
    public <T> T structureWrite(SessionLog s, Connection c, String sql, String kind, boolean nonDeterministic,
                                String[] rebuilds, EngineWork<T> work) throws SQLException {
        commit(s, c);
        if (!log.isWritable()) {
            // Refused before it runs: the engine cannot take a structure change back.
            String why = log.failureReason();
            throw new TetraException(ErrorCode.LOG_UNWRITABLE, why != null ? why
                    : ErrorCode.LOG_UNWRITABLE.defaultMessage());
        }
        barrier.close(structureWaitMillis);
        try {
            SessionLocal session = engineSession(c);
            String schema = session.getCurrentSchemaName();
            String[] path = session.getSchemaSearchPath();
            SchemaDigest before = SchemaDigest.of(engine);
            T result;
            try {
                if (rebuilds != null) {
                    // H2 rebuilds the table under the session's account, re-creating its triggers, which only
                    // its admin account may do: the log's trigger is taken off first and placed again below.
                    // No write transaction is open meanwhile (the barrier), so no row of it goes unlogged.
                    synchronized (system) {
                        new TriggerPlacer(system).remove(rebuilds[0], rebuilds[1]);
                    }
                }
                result = work.run();
                c.commit();
            } finally {
                synchronized (system) {
                    new TriggerPlacer(system).place();
                }
            }
            SchemaDigest after = SchemaDigest.of(engine);
            Statement.Builder st = Statement.newBuilder().setSql(sql).setSchema(schema).setKind(kind)
                    .setSchemaBefore(ByteString.copyFrom(before.hash()))
                    .setSchemaAfter(ByteString.copyFrom(after.hash()));
            if (path != null) {
                st.addAllSearchPath(List.of(path));
            }
            List<Operation> ops = new ArrayList<>();
            ops.add(Operation.newBuilder().setDdl(st).build());
            if (nonDeterministic) {
                for (String[] t : SchemaDigest.changedTables(engine, before)) {
                    ops.add(content(c, t[0], t[1]));
                }
            }
            OperationLog.Appended appended;
            synchronized (sequenceOrder) {
                ops.addAll(sequenceAdvances());
                appended = log.append(transaction(s, ops));
            }
            Watermarks.record(session, s.slot, appended.lastOperation());
            awaitDurable(appended, c);
            c.commit();
            return result;
        } finally {
            barrier.open();
        }
    }

    private Transaction.Builder transaction(SessionLog s, List<Operation> ops) {
        return Transaction.newBuilder().setCommitTimeMillis(System.currentTimeMillis()).setUser(s.user)
                .setSession(s.session).setClientAddress(s.address == null ? "" : s.address).setSlot(s.slot)
                .addAllOperations(ops);
    }

    private static void awaitDurable(OperationLog.Appended appended, Connection c) throws SQLException {
        try {
            appended.durable().get();
        } catch (ExecutionException e) {
            c.rollback();
            if (e.getCause() instanceof TetraException t) {
                throw t;
            }
            throw new TetraException(ErrorCode.LOG_UNWRITABLE, "The log file could not be written: "
                    + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            c.rollback();
            throw new TetraException(ErrorCode.LOG_UNWRITABLE, "Interrupted while the log was written; "
                    + "the transaction was rolled back.");
        }
    }

    /** The whole contents of one table, as the log records them. */
    private Operation content(Connection c, String schema, String table) throws SQLException {
        TableContent.Builder content = TableContent.newBuilder()
                .setTable(TableRef.newBuilder().setSchema(schema).setTable(table));
        long bytes = 0;
        try (java.sql.Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT * FROM " + quote(schema) + "." + quote(table))) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                ValueList.Builder row = ValueList.newBuilder();
                for (int i = 1; i <= n; i++) {
                    row.addValues(LogValues.of(rs.getObject(i)));
                }
                ValueList r = row.build();
                bytes += r.getSerializedSize();
                if (bytes > maxTransactionBytes) {
                    throw new TetraException(ErrorCode.LOG_OPERATION_FAILED, "The structure change gave values that "
                            + "would differ if run again (RAND(), NOW(), RANDOM_UUID(), ...), so the log keeps the "
                            + "contents it produced; those of " + schema + "." + table + " exceed "
                            + io.tetradb.protocol.ByteSizes.format(maxTransactionBytes)
                            + " (limits.transactionLogBytes). It ran; write the values in smaller steps next time.");
                }
                content.addRows(r);
            }
        }
        return Operation.newBuilder().setContent(content).build();
    }

    /** Every sequence and identity column whose position moved since it was last logged. */
    private List<Operation> sequenceAdvances() {
        List<Operation> out = new ArrayList<>();
        for (Sequence s : allSequences()) {
            long next = s.getBaseValue();
            Long before = logged.put(s, next);
            if (before != null && before == next) {
                continue;
            }
            SequenceAdvance.Builder a = SequenceAdvance.newBuilder().setNextValue(next);
            if (s.getBelongsToTable()) {
                Column col = identityColumns().get(s);
                if (col == null) {
                    continue; // its table is being dropped
                }
                a.setTable(ref(col.getTable())).setColumn(col.getName());
            } else {
                a.setSequence(TableRef.newBuilder().setSchema(s.getSchema().getName()).setTable(s.getName()));
            }
            out.add(Operation.newBuilder().setSequence(a).build());
        }
        return out;
    }

    private List<Sequence> allSequences() {
        List<Sequence> out = new ArrayList<>();
        for (Schema schema : engine.getAllSchemasNoMeta()) {
            out.addAll(schema.getAllSequences());
        }
        return out;
    }

    private Map<Sequence, Column> identityColumns() {
        long metaId = engine.getModificationMetaId();
        if (metaId != identityColumnsMetaId) {
            Map<Sequence, Column> m = new IdentityHashMap<>();
            for (Schema schema : engine.getAllSchemasNoMeta()) {
                for (Table t : schema.getAllTablesAndViews(null)) {
                    for (Column col : t.getColumns()) {
                        if (col.getSequence() != null) {
                            m.put(col.getSequence(), col);
                        }
                    }
                }
            }
            identityColumns = m;
            identityColumnsMetaId = metaId;
        }
        return identityColumns;
    }

    static TableRef ref(Table t) {
        return TableRef.newBuilder().setSchema(t.getSchema().getName()).setTable(t.getName()).build();
    }

    static SessionLocal engineSession(Connection c) throws SQLException {
        return (SessionLocal) c.unwrap(JdbcConnection.class).getSession();
    }

    static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }
}
