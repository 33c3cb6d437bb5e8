package io.tetradb.server.sql;

import io.tetradb.client.ErrorCode;
import io.tetradb.protocol.Role;
import io.tetradb.client.TetraException;
import io.tetradb.protocol.scram.Scram;
import io.tetradb.server.DataLayout;
import org.h2.engine.Constants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;

/**
 * The H2 database the server hosts, opened embedded from {@code <db>/Data/<name>.mv.db}.
 *
 * <p>Tetra's roles run on H2 accounts: {@code TETRA_OWNER} for the admin role (no H2
 * admin rights, ALTER ANY SCHEMA: every right on every object), {@code TETRA_USER} for
 * the user role (the same rights) and {@code TETRA_READER} (no admin rights, SELECT on
 * every schema). H2 refuses features that touch the server's files or run code (CREATE
 * ALIAS, BACKUP, SCRIPT, RUNSCRIPT, CSVWRITE, FILE_READ, LINK_SCHEMA, ...) to non-admin
 * accounts. Only when the operator sets {@code sql.engineAdmin: true} do admin-role
 * sessions run on H2's admin account {@code TETRA_ADMIN}, which the server's own system
 * connection always uses. The admin account's password is a random secret kept in
 * {@code Structure/engine.key} (owner-only); the other accounts get fresh random
 * passwords at every start. A system connection stays open for the server's lifetime so
 * the engine stays open.
 *
 * <p>Opened and closed by {@code TetraServer} on the main thread; {@link #connect} is
 * called from worker threads.
 */
public final class Database implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Database.class);
    static final String ADMIN_ACCOUNT = "TETRA_ADMIN";
    static final String USER_ACCOUNT = "TETRA_USER";
    static final String READER_ACCOUNT = "TETRA_READER";
    static final String OWNER_ACCOUNT = "TETRA_OWNER";

    private final DataLayout layout;
    private final String url;
    private final org.h2.Driver driver = new org.h2.Driver();
    private String adminSecret;
    private String userSecret;
    private String readerSecret;
    private String ownerSecret;
    private final boolean engineAdmin;
    private Connection system;
    private org.h2.mvstore.db.Store store;
    private Lifecycle lifecycle;

    /** Told when the database has opened and when it is about to close (the log file follows it). */
    public interface Lifecycle {
        /**
         * H2 has just opened the data file, before the server changes anything in it (the
         * server's log takes over when H2 writes its file here).
         */
        default void engineStarted(org.h2.mvstore.db.Store store) {
        }

        /** The database opened; runs before anyone is served. A failure makes the open fail. */
        void opened(Connection system) throws IOException, SQLException;

        /** The database is about to close; {@code engineOpen} is false when the engine closed itself. */
        void closing(Connection system, boolean engineOpen);
    }

    /** Sets what follows the database's opens and closes (the server's log file); before {@link #open}. */
    public void lifecycle(Lifecycle l) {
        lifecycle = l;
    }

    /**
     * A database whose admin-role connections have H2's admin rights: for the server's own
     * tools (embedded use, conversion, restore), never for remote SQL sessions.
     */
    public Database(DataLayout layout) {
        this(layout, true);
    }

    /**
     * @param engineAdmin whether {@link #connect}{@code (Role.ADMIN)} gives H2's admin account
     *                    ({@code sql.engineAdmin}); when false it gives {@code TETRA_OWNER}
     */
    public Database(DataLayout layout, boolean engineAdmin) {
        this.layout = layout;
        this.engineAdmin = engineAdmin;
        this.url = "jdbc:h2:file:" + layout.dataFileBase().toAbsolutePath()
                + ";DB_CLOSE_ON_EXIT=FALSE;AUTO_SERVER=FALSE";
    }

    /** Opens the database, creating it and its accounts when the data file does not exist. */
    public void open() throws IOException, SQLException {
        boolean created = !Files.exists(layout.dataFile());
        Path keyFile = layout.engineKeyFile();
        if (created) {
            adminSecret = Base64.getUrlEncoder().withoutPadding().encodeToString(Scram.randomBytes(24));
            DataLayout.writeOwnerOnly(keyFile, adminSecret.getBytes(StandardCharsets.UTF_8));
        } else {
            if (!Files.isRegularFile(keyFile)) {
                throw new TetraException(ErrorCode.INTERNAL_ERROR, "The engine key " + keyFile
                        + " is missing: the database cannot be opened.");
            }
            adminSecret = Files.readString(keyFile, StandardCharsets.UTF_8).trim();
        }
        system = rawConnect(ADMIN_ACCOUNT, adminSecret);
        org.h2.engine.Database engine = ((org.h2.engine.SessionLocal) system.unwrap(org.h2.jdbc.JdbcConnection.class)
                .getSession()).getDatabase();
        store = engine.getStore();
        if (lifecycle != null) {
            lifecycle.engineStarted(store);
        }
        // Set on the open engine, not in the URL: H2 would run it as SQL on every connection, which
        // needs admin rights and is refused once tables exist. Nothing is deserialized (docs/protocol.md).
        engine.setJavaObjectSerializerName(BytesOnlyJavaObjects.class.getName());
        userSecret = Base64.getUrlEncoder().withoutPadding().encodeToString(Scram.randomBytes(24));
        readerSecret = Base64.getUrlEncoder().withoutPadding().encodeToString(Scram.randomBytes(24));
        ownerSecret = Base64.getUrlEncoder().withoutPadding().encodeToString(Scram.randomBytes(24));
        try (Statement st = system.createStatement()) {
            st.execute("CREATE USER IF NOT EXISTS " + OWNER_ACCOUNT + " PASSWORD '" + ownerSecret + "'");
            st.execute("ALTER USER " + OWNER_ACCOUNT + " SET PASSWORD '" + ownerSecret + "'");
            st.execute("ALTER USER " + OWNER_ACCOUNT + " ADMIN FALSE");
            st.execute("GRANT ALTER ANY SCHEMA TO " + OWNER_ACCOUNT);
            st.execute("CREATE USER IF NOT EXISTS " + USER_ACCOUNT + " PASSWORD '" + userSecret + "'");
            st.execute("ALTER USER " + USER_ACCOUNT + " SET PASSWORD '" + userSecret + "'");
            st.execute("GRANT ALTER ANY SCHEMA TO " + USER_ACCOUNT);
            // Undoes an admin flag set on these accounts by SQL before such statements were refused.
            st.execute("ALTER USER " + USER_ACCOUNT + " ADMIN FALSE");
            st.execute("CREATE USER IF NOT EXISTS " + READER_ACCOUNT + " PASSWORD '" + readerSecret + "'");
            st.execute("ALTER USER " + READER_ACCOUNT + " SET PASSWORD '" + readerSecret + "'");
            st.execute("ALTER USER " + READER_ACCOUNT + " ADMIN FALSE");
        }
        revokeGrantedRights();
        grantReaderSelect();
        LOG.info("Database {} {} (H2 {}).", layout.databaseName(), created ? "created" : "opened",
                Constants.FULL_VERSION);
        if (lifecycle != null) {
            try {
                lifecycle.opened(system);
            } catch (IOException | SQLException | RuntimeException e) {
                shutdown("SHUTDOWN");
                throw e;
            }
        }
    }

    /** Whether the data file was created by this start (no file before). */
    public static boolean exists(DataLayout layout) {
        return Files.exists(layout.dataFile());
    }

    /**
     * Takes back engine rights granted over SQL before such statements were refused (docs/protocol.md):
     * PUBLIC and the accounts Tetra's roles run on keep only the rights Tetra gives them (ALTER ANY
     * SCHEMA for the user and owner accounts, SELECT on every schema for the reader account).
     * Rights of other engine accounts (from a converted database) are left alone: no session runs on them.
     */
    private void revokeGrantedRights() throws SQLException {
        List<String> ours = List.of("PUBLIC", USER_ACCOUNT, READER_ACCOUNT, OWNER_ACCOUNT);
        List<String> revokes = new ArrayList<>();
        try (Statement st = system.createStatement();
             ResultSet rs = st.executeQuery("SELECT GRANTEE, GRANTEDROLE, RIGHTS, TABLE_SCHEMA, TABLE_NAME "
                     + "FROM INFORMATION_SCHEMA.RIGHTS")) {
            while (rs.next()) {
                String grantee = rs.getString(1);
                if (!ours.contains(grantee)) {
                    continue;
                }
                String role = rs.getString(2);
                String rights = rs.getString(3);
                String schema = rs.getString(4);
                String table = rs.getString(5);
                if (role != null) {
                    revokes.add("REVOKE " + quote(role) + " FROM " + quote(grantee));
                } else if (isBlank(schema) && isBlank(table)) {
                    if (!grantee.equals(USER_ACCOUNT) && !grantee.equals(OWNER_ACCOUNT)) {
                        revokes.add("REVOKE " + rights + " FROM " + quote(grantee));
                    }
                } else if (isBlank(table)) {
                    if (!(grantee.equals(READER_ACCOUNT) && "SELECT".equals(rights))) {
                        revokes.add("REVOKE " + rights + " ON SCHEMA " + quote(schema) + " FROM " + quote(grantee));
                    }
                } else {
                    revokes.add("REVOKE " + rights + " ON " + quote(schema) + "." + quote(table) + " FROM "
                            + quote(grantee));
                }
            }
        }
        if (revokes.isEmpty()) {
            return;
        }
        try (Statement st = system.createStatement()) {
            for (String revoke : revokes) {
                st.execute(revoke);
            }
        }
        LOG.warn("Took back {} engine rights granted over SQL to PUBLIC or Tetra's engine accounts: rights are "
                + "Tetra's roles.", revokes.size());
    }

    private static boolean isBlank(String s) {
        return s == null || s.isEmpty();
    }

    /** Gives the reader account SELECT on every schema (run after any DDL, as schemas may be new). */
    public synchronized void grantReaderSelect() throws SQLException {
        List<String> schemas = new ArrayList<>();
        try (Statement st = system.createStatement();
             ResultSet rs = st.executeQuery("SELECT SCHEMA_NAME FROM INFORMATION_SCHEMA.SCHEMATA "
                     + "WHERE SCHEMA_NAME <> 'INFORMATION_SCHEMA'")) {
            while (rs.next()) {
                schemas.add(rs.getString(1));
            }
        }
        try (Statement st = system.createStatement()) {
            for (String s : schemas) {
                st.execute("GRANT SELECT ON SCHEMA " + quote(s) + " TO " + READER_ACCOUNT);
            }
        }
    }

    /** A new H2 connection on the account of {@code role}, in autocommit mode. */
    public Connection connect(Role role) throws SQLException {
        switch (role) {
            case ADMIN:
                return engineAdmin ? rawConnect(ADMIN_ACCOUNT, adminSecret) : rawConnect(OWNER_ACCOUNT, ownerSecret);
            case USER:
                return rawConnect(USER_ACCOUNT, userSecret);
            case READER:
                return rawConnect(READER_ACCOUNT, readerSecret);
            default:
                throw new IllegalArgumentException("no account for role " + role);
        }
    }

    /** Whether sessions of {@code role} run on H2's admin account (only the admin role, with sql.engineAdmin). */
    public boolean runsOnEngineAdmin(Role role) {
        return engineAdmin && role == Role.ADMIN;
    }

    /** The connection the server itself uses (catalog, status); callers synchronize on this Database. */
    public Connection system() {
        return system;
    }

    /** H2's store of this database (for the backup's consistent copy of the data file). */
    public org.h2.mvstore.db.Store engineStore() {
        return store;
    }

    /**
     * Whether any transaction of the engine holds uncommitted changes, asked of H2's
     * transaction store itself (any thread: the store's list of open transactions is
     * thread-safe). The backup waits until this is false before it copies.
     */
    public boolean hasTransactionsWithChanges() {
        org.h2.mvstore.db.Store s = store;
        if (s == null) {
            return false;
        }
        for (org.h2.mvstore.tx.Transaction t : s.getTransactionStore().getOpenTransactions()) {
            if (t.hasChanges()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether H2 closed the open database by itself (it does so when a statement runs out
     * of memory); false before open and after {@link #close}.
     */
    public synchronized boolean isEngineClosed() {
        if (system == null) {
            return false;
        }
        try {
            return ((org.h2.engine.SessionLocal) system.unwrap(org.h2.jdbc.JdbcConnection.class).getSession())
                    .getDatabase().isClosing();
        } catch (SQLException e) {
            return true;
        }
    }

    /** The H2 version of the engine. */
    public static String h2Version() {
        return Constants.FULL_VERSION;
    }

    private Connection rawConnect(String user, String password) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        Connection c = driver.connect(url, p);
        if (c == null) {
            throw new SQLException("H2 refused the URL " + url);
        }
        return c;
    }

    static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /** Closes the engine cleanly (SHUTDOWN), after every session's connection is closed. */
    @Override
    public synchronized void close() {
        shutdown("SHUTDOWN");
    }

    /**
     * Closes the engine and compacts the data file ({@code SHUTDOWN COMPACT}): rewrites it
     * without the space old versions took (a conversion's import leaves a lot of it).
     */
    public synchronized void closeCompacted() {
        shutdown("SHUTDOWN COMPACT");
    }

    private void shutdown(String command) {
        if (system == null) {
            return;
        }
        if (lifecycle != null) {
            lifecycle.closing(system, !isEngineClosed());
        }
        try (Statement st = system.createStatement()) {
            st.execute(command);
        } catch (SQLException e) {
            LOG.warn("The database did not shut down cleanly: {}", e.getMessage());
        } finally {
            try {
                system.close();
            } catch (SQLException ignored) {
                // already closed by SHUTDOWN
            }
            system = null;
        }
        LOG.info("Database {} closed.", layout.databaseName());
    }
}
