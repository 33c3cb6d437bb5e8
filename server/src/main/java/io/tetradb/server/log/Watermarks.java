package io.tetradb.server.log;

import org.h2.engine.SessionLocal;
import org.h2.mvstore.tx.TransactionMap;
import org.h2.value.Value;
import org.h2.value.ValueBigint;
import org.h2.value.ValueInteger;
import org.h2.value.ValueVarchar;

import java.util.HashMap;
import java.util.Map;

/**
 * What the data file itself records about the log, in two maps of H2's transaction store
 * that no SQL can see: per slot, the last operation the data file holds
 * ({@code tetra.log.applied}), written in the same engine transaction as the changes
 * themselves, so that a data file written at any moment knows exactly which logged
 * transactions it holds; and the database's id ({@code tetra.log.meta}), which every log
 * segment names. Their keys and values are H2 values, the type H2's transaction store gives
 * every map it opens by itself (it does when it completes or rolls back a transaction after a
 * crash), so that it reads them as they were written.
 *
 * <p>Stateless; called on the thread running the engine session it is given.
 */
final class Watermarks {
    static final String APPLIED = "tetra.log.applied";
    static final String META = "tetra.log.meta";
    private static final String DATABASE_ID = "databaseId";

    private Watermarks() {
    }

    private static TransactionMap<Value, Value> applied(SessionLocal session) {
        return session.getTransaction().openMap(APPLIED);
    }

    private static TransactionMap<Value, Value> meta(SessionLocal session) {
        return session.getTransaction().openMap(META);
    }

    /** Records, in {@code session}'s open transaction, that operations up to {@code operation} of {@code slot} are in. */
    static void record(SessionLocal session, int slot, long operation) {
        TransactionMap<Value, Value> map = applied(session);
        map.put(ValueInteger.get(slot), ValueBigint.get(operation));
    }

    /** The last operation the data file holds, per slot. */
    static Map<Integer, Long> read(SessionLocal session) {
        TransactionMap<Value, Value> map = applied(session);
        Map<Integer, Long> out = new HashMap<>();
        for (Map.Entry<Value, Value> e : map.entrySet()) {
            out.put(e.getKey().getInt(), e.getValue().getLong());
        }
        return out;
    }

    /** The highest operation the data file holds (0 for none). */
    static long highest(Map<Integer, Long> applied) {
        long max = 0;
        for (long v : applied.values()) {
            max = Math.max(max, v);
        }
        return max;
    }

    /** Removes and returns a number kept in the meta map (null when absent). */
    static Long takeMeta(SessionLocal session, String key) {
        TransactionMap<Value, Value> map = meta(session);
        Value v = map.remove(ValueVarchar.get(key));
        return v == null ? null : v.getLong();
    }

    static void putMeta(SessionLocal session, String key, long value) {
        TransactionMap<Value, Value> map = meta(session);
        map.put(ValueVarchar.get(key), ValueBigint.get(value));
    }

    /** The database's id, made (in {@code session}'s transaction) when it has none yet. */
    static String databaseId(SessionLocal session) {
        TransactionMap<Value, Value> map = meta(session);
        Value v = map.get(ValueVarchar.get(DATABASE_ID));
        String id = v == null ? null : v.getString();
        if (id == null) {
            id = java.util.UUID.randomUUID().toString();
            map.put(ValueVarchar.get(DATABASE_ID), ValueVarchar.get(id));
        }
        return id;
    }
}
