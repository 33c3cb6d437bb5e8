package io.tetradb.server.embedded;

import io.tetradb.protocol.BackupRecord;
import io.tetradb.protocol.Role;
import io.tetradb.server.DataLayout;
import io.tetradb.server.TetraServer;
import io.tetradb.server.auth.UserStore;
import io.tetradb.server.backup.BackupService;
import io.tetradb.server.config.ServerConfig;
import io.tetradb.server.convert.LegacyEngines;
import io.tetradb.server.convert.StartupConversion;
import io.tetradb.server.gate.WriteGate;
import io.tetradb.server.sql.CatalogWriter;
import io.tetradb.server.sql.Database;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The engine inside an application's own process, without the network (single-user
 * mode): the same database folder, catalog and backups as the server, used through
 * JDBC. Here a backup blocks reads and writes: every unit of work holds a shared lock
 * for its whole duration, and a backup takes the lock exclusively, so it starts when
 * the work under way has ended and no work starts until it ends. The folder can later be
 * served by {@code tetra-server --data-dir}.
 *
 * <pre>{@code
 * try (EmbeddedTetra db = EmbeddedTetra.open(Path.of("data/app"), "admin-password")) {
 *     db.run(c -> c.createStatement().execute("CREATE TABLE T(ID INT)"));
 *     int n = db.run(c -> { ... return count; });
 *     BackupRecord r = db.backup();   // SUCCESS, archive in data/app-backups
 * }
 * }</pre>
 *
 * <p>Thread-safe: {@link #run} may be called from many threads (each call gets its own
 * connection); {@link #backup} blocks them all while it runs.
 */
public final class EmbeddedTetra implements AutoCloseable {
    /** A unit of work with a JDBC connection (autocommit on; commit or roll back before returning). */
    @FunctionalInterface
    public interface Work<T> {
        T apply(Connection connection) throws SQLException;
    }

    private final DataLayout layout;
    private final Database database;
    private final CatalogWriter catalog;
    private final BackupService backups;
    private final ScheduledExecutorService timer;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock(true);

    private EmbeddedTetra(DataLayout layout, Database database, CatalogWriter catalog, BackupService backups,
                          ScheduledExecutorService timer) {
        this.layout = layout;
        this.database = database;
        this.catalog = catalog;
        this.backups = backups;
        this.timer = timer;
    }

    /**
     * Opens (or creates) the database in {@code dataDir}. {@code adminPassword} is the
     * password of the user admin when the folder is new (null: generated, printed once
     * and stored owner-only), so that the server can open the folder later.
     */
    public static EmbeddedTetra open(Path dataDir, String adminPassword) throws IOException, SQLException {
        DataLayout layout = new DataLayout(dataDir);
        layout.createFolders();
        layout.checkDataFileName();
        // Hook settings that hold a command stop the open, saying what to do (as at a server's start).
        for (String warning : io.tetradb.server.backup.BackupSettings.checkHooksAtStart(layout)) {
            org.slf4j.LoggerFactory.getLogger(EmbeddedTetra.class).warn(warning);
        }
        // An older data file is not converted behind the application's back: it says which command does it.
        StartupConversion.prepare(layout, ServerConfig.Conversion.ASK, LegacyEngines.locate(null));
        StartupConversion.firstOpen(layout);
        UserStore users = new UserStore(layout.usersFile());
        users.load();
        if (users.isEmpty()) {
            TetraServer.createAdmin(users, layout, adminPassword);
        }
        Database database = new Database(layout);
        database.open();
        CatalogWriter catalog = new CatalogWriter(database, layout);
        catalog.rewrite();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tetra-embedded-timer");
            t.setDaemon(true);
            return t;
        });
        // Nothing passes the gate in embedded mode: the exclusive lock keeps all work out instead.
        WriteGate gate = new WriteGate(1, 1024, timer);
        BackupService backups = new BackupService(layout, database, gate, () -> true, TetraServer.version(), timer);
        return new EmbeddedTetra(layout, database, catalog, backups, timer);
    }

    /** Runs {@code work} with a fresh admin connection; waits while a backup runs. */
    public <T> T run(Work<T> work) throws SQLException {
        lock.readLock().lock();
        try (Connection c = database.connect(Role.ADMIN)) {
            T result = work.apply(c);
            if (!c.getAutoCommit()) {
                c.rollback();
            }
            return result;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Rewrites catalog.xml (call after changing the structure). */
    public void structureChanged() {
        catalog.afterStructureWrite();
    }

    /** Runs a backup with the folder's settings, blocking all work until it ends; returns its outcome. */
    public BackupRecord backup() {
        lock.writeLock().lock();
        try {
            return backups.runAndWait();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** The backup service (tests and diagnostics use its hooks). */
    public BackupService backups() {
        return backups;
    }

    /** The database folder. */
    public DataLayout layout() {
        return layout;
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            backups.close();
            catalog.rewrite();
            database.close();
            timer.shutdownNow();
        } finally {
            lock.writeLock().unlock();
        }
    }
}
