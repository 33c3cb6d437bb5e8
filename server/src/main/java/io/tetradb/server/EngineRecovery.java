package io.tetradb.server;

import io.tetradb.server.session.SessionRegistry;
import io.tetradb.server.sql.CatalogWriter;
import io.tetradb.server.sql.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reopens the database when H2 closed it by itself. H2 closes its database at once when
 * a statement runs out of memory while it executes (its Command catches the
 * OutOfMemoryError and calls shutdownImmediately, as the transaction may be half
 * applied): one user's {@code SELECT REPEAT('x', ?)} with a huge count would otherwise
 * leave the server running without a database. The recovery puts the server in
 * maintenance (every session is told why with 2008, its engine connection closed and, once
 * the database is open again, its connection closed with {@link #REOPENED}), reopens the data
 * file (H2 opens it as after a crash, and the reopening redoes from the log file every logged
 * commit the file lacks, {@code LogService.opened}, so no acknowledged commit is lost),
 * rewrites the catalog and accepts connections again.
 *
 * <p>{@link #check()} is called on a worker thread after a request failed; the recovery
 * itself runs on its own thread ("tetra-engine-recovery"), at most one at a time.
 */
final class EngineRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(EngineRecovery.class);
    private static final Duration SESSIONS_TIMEOUT = Duration.ofSeconds(10);
    static final String MESSAGE = "The database is being reopened: a statement needed more memory than the "
            + "server has and the engine closed the database. Connect again in a few seconds.";
    /** What the sessions held during the reopen are told as their connections close once it has ended. */
    static final String REOPENED = "The database was reopened after the engine closed it: this connection was "
            + "closed; connect again.";

    private final Database database;
    private final CatalogWriter catalog;
    private final SessionRegistry sessions;
    private final AtomicBoolean recovering = new AtomicBoolean();

    EngineRecovery(Database database, CatalogWriter catalog, SessionRegistry sessions) {
        this.database = database;
        this.catalog = catalog;
        this.sessions = sessions;
    }

    /** Starts a recovery when the engine closed the database by itself (any thread). */
    void check() {
        if (sessions.isShuttingDown() || !database.isEngineClosed() || !recovering.compareAndSet(false, true)) {
            return;
        }
        Thread t = new Thread(this::recover, "tetra-engine-recovery");
        t.setDaemon(true);
        t.start();
    }

    private void recover() {
        LOG.error("The engine closed the database (a statement ran out of memory); reopening it.");
        try {
            sessions.enterMaintenance(MESSAGE, null, SESSIONS_TIMEOUT);
            synchronized (database) {
                database.close();
                database.open();
            }
            catalog.rewrite();
            LOG.info("The database was reopened after the engine closed it.");
        } catch (Exception e) {
            LOG.error("The database could not be reopened; the server must be restarted.", e);
        } finally {
            sessions.exitMaintenance(REOPENED);
            recovering.set(false);
        }
    }
}
