package io.tetradb.server.session;

import io.tetradb.server.sql.StatementClassifier.Classification;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A session's prepared statements, kept by SQL text (and which generated keys are
 * asked for), so that a statement a client sends again is neither classified nor
 * prepared again: the second and later runs only bind and execute. Bounded (least
 * recently used goes); an entry is valid while H2's modification meta id is the one
 * it was prepared under (any DDL, of any session, makes every entry stale), and the
 * whole cache is dropped after a statement that may change how SQL text resolves in
 * this session (SET SCHEMA and the other SET statements).
 *
 * <p>A statement whose result a cursor still streams is <em>busy</em>: a second request
 * with the same text gets a statement of its own, and an entry dropped while busy is
 * closed when its cursor ends.
 *
 * <p>Confined to the session's running task, like the session's connection: on a worker, or
 * on the session's event loop for a read run there ({@link InlineReads}).
 */
final class StatementCache {
    /** One prepared statement and what the server knows about it. */
    static final class Entry {
        private final Key key;
        final PreparedStatement statement;
        final Classification classification;
        private final long metaId;
        private boolean busy;
        /** Not (or no longer) in the cache: closed when released. */
        private boolean detached;
        /** Its runs, short and long ({@link InlineReads}). */
        private final InlineReads.RunRecord runs = new InlineReads.RunRecord();

        private Entry(Key key, PreparedStatement statement, Classification classification, long metaId) {
            this.key = key;
            this.statement = statement;
            this.classification = classification;
            this.metaId = metaId;
        }
    }

    /**
     * Counts one run of the statement: short (it may then run on the event loop, see
     * {@link InlineReads}) or not.
     */
    static void ran(Entry e, boolean isShort) {
        e.runs.ran(isShort);
    }

    /**
     * Whether the valid, idle cached statement for this text is a read that has proved short,
     * so that it may run on the event loop ({@link InlineReads}).
     */
    boolean provedShortRead(String sql, String generatedKeys, long metaId) {
        Entry e = valid(new Key(sql, generatedKeys), metaId);
        if (e == null || e.busy) {
            return false;
        }
        Classification c = e.classification;
        return c.kind() == io.tetradb.protocol.StatementKind.READ && !c.nonDeterministic() && !c.callsFileOrCode()
                && e.runs.proved();
    }

    /** The text and which generated keys are asked for ({@link RequestDispatcher#generatedKeys}: "", "*", names or indexes). */
    private record Key(String sql, String generatedKeys) {
    }

    private final int capacity;
    private final Map<Key, Entry> entries;

    StatementCache(int capacity) {
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(16, 0.75f, true);
    }

    /** The classification of a valid cached statement for this text, or null. */
    Classification classification(String sql, String generatedKeys, long metaId) {
        Entry e = valid(new Key(sql, generatedKeys), metaId);
        return e == null ? null : e.classification;
    }

    /** Takes the valid, idle cached statement for this text (now busy), or returns null. */
    Entry acquire(String sql, String generatedKeys, long metaId) throws SQLException {
        Entry e = valid(new Key(sql, generatedKeys), metaId);
        if (e == null || e.busy) {
            return null;
        }
        e.statement.clearParameters();
        e.busy = true;
        return e;
    }

    /**
     * Registers a statement just prepared, busy. It is cached when its text has no entry
     * yet (or only a stale one); otherwise it lives for this one request.
     */
    Entry add(String sql, String generatedKeys, PreparedStatement statement, Classification classification,
              long metaId) {
        Key key = new Key(sql, generatedKeys);
        Entry e = new Entry(key, statement, classification, metaId);
        e.busy = true;
        Entry old = entries.get(key);
        if (old != null && old.metaId == metaId) {
            e.detached = true;
            return e;
        }
        if (old != null) {
            drop(old);
        }
        entries.put(key, e);
        if (entries.size() > capacity) {
            Iterator<Entry> it = entries.values().iterator();
            Entry eldest = it.next();
            it.remove();
            detach(eldest);
        }
        return e;
    }

    /** The request (or the cursor) is done with the statement. */
    void release(Entry e) {
        e.busy = false;
        if (e.detached) {
            close(e);
        }
    }

    /** Drops every entry: idle statements are closed now, busy ones when released. */
    void clear() {
        List<Entry> all = new ArrayList<>(entries.values());
        entries.clear();
        for (Entry e : all) {
            detach(e);
        }
    }

    /** Entries cached now. */
    int size() {
        return entries.size();
    }

    private Entry valid(Key key, long metaId) {
        Entry e = entries.get(key);
        if (e != null && e.metaId != metaId) {
            drop(e);
            return null;
        }
        return e;
    }

    private void drop(Entry e) {
        entries.remove(e.key);
        detach(e);
    }

    private static void detach(Entry e) {
        e.detached = true;
        if (!e.busy) {
            close(e);
        }
    }

    private static void close(Entry e) {
        try {
            e.statement.close();
        } catch (SQLException ignored) {
            // a statement of a closed connection
        }
    }
}
