package io.tetradb.server.log;

import org.h2.engine.SessionLocal;
import org.h2.mvstore.tx.TransactionMap;
import org.h2.mvstore.type.ObjectDataType;

import java.util.HashMap;
import java.util.Map;

/**
 * What the data file itself records about the log, in two maps of H2's transaction store
 * that no SQL can see: per slot, the last operation the data file holds
 * ({@code tetra.log.applied}), written in the same engine transaction as the changes
 * themselves, so that a data file written at any moment knows exactly which logged
 * transactions it holds; and the database's id ({@code tetra.log.meta}), which every log
 * segment names. Their keys and values are plain Java objects ({@link ObjectDataType}: the
 * type every opener of these maps must give; H2's own tools copy maps they do not know as bytes).
 *
 * <p>Stateless; called on the thread running the engine session it is given.
 */
final class Watermarks {
    static final String APPLIED = "tetra.log.applied";
    static final String META = "tetra.log.meta";
    private static final String DATABASE_ID = "databaseId";

    private Watermarks() {
    }

    private static TransactionMap<Object, Object> applied(SessionLocal session) {
        return session.getTransaction().openMap(APPLIED, new ObjectDataType(), new ObjectDataType());
    }

    private static TransactionMap<Object, Object> meta(SessionLocal session) {
        return session.getTransaction().openMap(META, new ObjectDataType(), new ObjectDataType());
    }

    /** Records, in {@code session}'s open transaction, that operations up to {@code operation} of {@code slot} are in. */
    static void record(SessionLocal session, int slot, long operation) {
        TransactionMap<Object, Object> map = applied(session);
        map.put(slot, operation);
    }

    /** The last operation the data file holds, per slot. */
    static Map<Integer, Long> read(SessionLocal session) {
        TransactionMap<Object, Object> map = applied(session);
        Map<Integer, Long> out = new HashMap<>();
        for (Map.Entry<Object, Object> e : map.entrySet()) {
            out.put((Integer) e.getKey(), (Long) e.getValue());
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
        TransactionMap<Object, Object> map = meta(session);
        Object v = map.remove(key);
        return v instanceof Long l ? l : null;
    }

    static void putMeta(SessionLocal session, String key, long value) {
        TransactionMap<Object, Object> map = meta(session);
        map.put(key, value);
    }

    /** The database's id, made (in {@code session}'s transaction) when it has none yet. */
    static String databaseId(SessionLocal session) {
        TransactionMap<Object, Object> map = meta(session);
        String id = (String) map.get(DATABASE_ID);
        if (id == null) {
            id = java.util.UUID.randomUUID().toString();
            map.put(DATABASE_ID, id);
        }
        return id;
    }
}
