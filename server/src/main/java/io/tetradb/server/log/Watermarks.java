package io.tetradb.server.log;

import org.h2.engine.SessionLocal;
import org.h2.mvstore.tx.TransactionMap;

import java.util.HashMap;
import java.util.Map;

/**
 * What the data file itself records about the log, in two maps of H2's transaction store
 * that no SQL can see: per slot, the last operation the data file holds
 * ({@code tetra.log.applied}), written in the same engine transaction as the changes
 * themselves, so that a data file written at any moment knows exactly which logged
 * transactions it holds; and the database's id ({@code tetra.log.meta}), which every log
 * segment names.
 *
 * <p>Stateless; called on the thread running the engine session it is given.
 */
final class Watermarks {
    static final String APPLIED = "tetra.log.applied";
    static final String META = "tetra.log.meta";
    private static final String DATABASE_ID = "databaseId";

    private Watermarks() {
    }

    /** Records, in {@code session}'s open transaction, that operations up to {@code operation} of {@code slot} are in. */
    static void record(SessionLocal session, int slot, long operation) {
        TransactionMap<Integer, Long> map = session.getTransaction().openMap(APPLIED);
        map.put(slot, operation);
    }

    /** The last operation the data file holds, per slot. */
    static Map<Integer, Long> read(SessionLocal session) {
        TransactionMap<Integer, Long> map = session.getTransaction().openMap(APPLIED);
        Map<Integer, Long> out = new HashMap<>();
        for (Map.Entry<Integer, Long> e : map.entrySet()) {
            out.put(e.getKey(), e.getValue());
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

    /** The database's id, made (in {@code session}'s transaction) when it has none yet. */
    static String databaseId(SessionLocal session) {
        TransactionMap<String, String> map = session.getTransaction().openMap(META);
        String id = map.get(DATABASE_ID);
        if (id == null) {
            id = java.util.UUID.randomUUID().toString();
            map.put(DATABASE_ID, id);
        }
        return id;
    }
}
