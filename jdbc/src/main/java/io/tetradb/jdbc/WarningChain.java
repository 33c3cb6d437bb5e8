package io.tetradb.jdbc;

import java.sql.SQLWarning;

/**
 * The warnings of a connection or a statement (JDBC's getWarnings / clearWarnings): a
 * chain the driver adds to, read and cleared by the user.
 *
 * <p>Thread-safe: a warning may be added by one thread while another reads the chain.
 */
final class WarningChain {
    private SQLWarning first;

    synchronized SQLWarning get() {
        return first;
    }

    synchronized void clear() {
        first = null;
    }

    synchronized void add(SQLWarning w) {
        if (first == null) {
            first = w;
        } else {
            first.setNextWarning(w);
        }
    }
}
