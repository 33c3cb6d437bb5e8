package io.tetradb.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.tetradb.protocol.Role;
import io.tetradb.protocol.codec.Transport;
import io.tetradb.protocol.scram.Scram;
import io.tetradb.server.admin.AdminService;
import io.tetradb.server.auth.AuthThrottle;
import io.tetradb.server.auth.UserStore;
import io.tetradb.server.backup.BackupScheduler;
import io.tetradb.server.backup.BackupService;
import io.tetradb.server.backup.BackupSettings;
import io.tetradb.server.config.ConfigLoader;
import io.tetradb.server.config.ServerConfig;
import io.tetradb.server.convert.LegacyEngines;
import io.tetradb.server.convert.StartupConversion;
import io.tetradb.server.gate.WriteGate;
import io.tetradb.server.http.HttpEndpoint;
import io.tetradb.server.http.Metrics;
import io.tetradb.server.http.Panel;
import io.tetradb.server.http.ServerMeters;
import io.tetradb.server.log.LogService;
import io.tetradb.server.net.PreLoginLimits;
import io.tetradb.server.net.ServerChannelInitializer;
import io.tetradb.server.net.TlsContext;
import io.tetradb.server.restore.DataFileDamage;
import io.tetradb.server.restore.RestoreService;
import io.tetradb.server.session.RequestDispatcher;
import io.tetradb.server.session.ResourceLimits;
import io.tetradb.server.session.Session;
import io.tetradb.server.session.SessionRegistry;
import io.tetradb.server.sql.CatalogWriter;
import io.tetradb.server.sql.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Tetra server: one H2 database in its folder, served over TCP to the client library
 * and {@code tetra-admin}.
 *
 * <pre>{@code
 * try (TetraServer server = TetraServer.start(ServerConfig.builder()
 *         .dataDir(dir).port(0).host("127.0.0.1").adminPassword("secret-pw").build())) {
 *     int port = server.boundPort();
 * }
 * }</pre>
 *
 * <p>{@link #start} is {@link #bind} then {@link #open}: {@link #bind} checks every setting,
 * the admin password file of a new database and the TLS files, and binds the port, creating
 * nothing (no folder, no file); the bound channel accepts no connection until {@link #open}
 * has opened (or created) the database, so no other program can take the port in between
 * and no client is served early (a client that connects meanwhile waits in the backlog).
 *
 * <p>{@link #bind}, {@link #open} and {@link #close} run on the caller's thread (main, a
 * shutdown hook, a test); requests run on Netty event loops and the worker pool.
 */
public final class TetraServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TetraServer.class);

    private final ServerConfig config;
    private final DataLayout layout;
    private final Database database;
    private final UserStore users;
    private EventLoopGroup boss;
    private EventLoopGroup io;
    private ExecutorService workers;
    private SessionRegistry sessions;
    private ResourceLimits limits;
    private ScheduledExecutorService timer;
    /** Statement timeouts (ResourceLimits): a wheel of 10 ms ticks. */
    private io.netty.util.HashedWheelTimer statementTimer;
    private TlsContext tls;
    private PreLoginLimits preLogin;
    private WriteGate gate;
    private BackupService backups;
    private BackupScheduler scheduler;
    private RestoreService restores;
    private RequestDispatcher dispatcher;
    private LogService logs;
    private final java.time.Clock clock;
    private Channel serverChannel;
    /** What each accepted connection's pipeline is made of; set by {@link #open} before accepting begins. */
    private volatile ServerChannelInitializer children;
    private Transport transport;
    /** The admin password read at bind from adminPasswordFile, for a new database; else null. */
    private String passwordFromFile;
    private boolean opened;
    private volatile int boundPort;
    private String generatedAdminPassword;
    private boolean closed;
    private boolean startupHooksAllowed = true;
    /** The HTTP port (health, readiness, metrics); null with http.enabled: false. */
    private HttpEndpoint http;
    private Metrics metrics;
    private Panel panel;
    /** Open and not closing: what /ready reports, with the state. */
    private volatile boolean serving;

    private TetraServer(ServerConfig config, java.time.Clock clock) {
        this.config = config;
        this.clock = clock;
        this.layout = new DataLayout(config.dataDir());
        this.database = new Database(layout, config.sqlEngineAdmin());
        this.users = new UserStore(layout.usersFile());
    }

    /** {@link #bind} then {@link #open}: checks the settings, binds the port, opens (or creates) the database. */
    public static TetraServer start(ServerConfig config) throws IOException {
        return start(config, java.time.Clock.systemDefaultZone());
    }

    /** Starts a server whose backup scheduler reads time from {@code clock} (tests move it by hand). */
    public static TetraServer start(ServerConfig config, java.time.Clock clock) throws IOException {
        return bind(config, clock).open();
    }

    /**
     * Checks every setting and binds the port, creating nothing: a bad setting, an unreadable
     * admin password file (new database), unusable TLS files or a port that cannot be bound
     * throw {@link io.tetradb.server.config.ConfigException} naming the setting and how to
     * change it. {@link #open} then starts serving; {@link #close} releases the port.
     */
    public static TetraServer bind(ServerConfig config) {
        return bind(config, java.time.Clock.systemDefaultZone());
    }

    /** {@link #bind(ServerConfig)} with the backup scheduler's clock. */
    public static TetraServer bind(ServerConfig config, java.time.Clock clock) {
        config.validate();
        TetraServer s = new TetraServer(config, clock);
        try {
            s.doBind();
        } catch (RuntimeException | Error e) {
            s.close();
            throw e;
        }
        return s;
    }

    /** Opens (or creates) the database and serves it on the port {@link #bind} bound. */
    public TetraServer open() throws IOException {
        try {
            opened = true;
            doStart();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        } catch (Exception e) {
            close();
            throw new IOException("The server could not start: " + e.getMessage(), e);
        }
        return this;
    }

    /** Without writing anything: the settings read from files, then the port bound, accepting nothing yet. */
    private void doBind() {
        checkDataDir();
        if (config.adminPassword() == null && config.adminPasswordFile() != null && !Files.exists(layout.usersFile())) {
            passwordFromFile = readAdminPasswordFile(config.adminPasswordFile());
        }
        tls = TlsContext.forServer(config);
        transport = Transport.best();
        boss = transport.group(1, new DefaultThreadFactory("tetra-accept", true));
        io = transport.group(0, new DefaultThreadFactory("tetra-io", true));
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, io)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 256)
                // Nothing is accepted until open() has set the children's pipeline and turned this on.
                .option(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                // Above limits.sessionOutputBytes waiting for a client, its channel is not writable
                // and its cursors stop producing rows; they resume below half.
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(
                        (int) (config.sessionOutputBytes() / 2), (int) config.sessionOutputBytes()))
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(children);
                    }
                });
        ChannelFuture bound = b.bind(config.host(), config.port()).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            throw cannotListen(bound.cause());
        }
        serverChannel = bound.channel();
        boundPort = ((InetSocketAddress) serverChannel.localAddress()).getPort();
        if (config.httpEnabled()) {
            try {
                http = HttpEndpoint.bind(config.host(), config.httpPort(), tls, boss, io,
                        transport.serverChannel());
            } catch (HttpEndpoint.BindFailure e) {
                throw new io.tetradb.server.config.ConfigException("http.port " + config.httpPort() + " on "
                        + e.host() + " cannot be bound (" + e.getMessage() + "). Choose another with --set http.port=PORT,"
                        + " http: {port: PORT} in tetra.yml or " + ConfigLoader.envName("http.port")
                        + "=PORT, or turn it off with http.enabled: false.");
            }
        }
    }

    /**
     * The database folder can be opened or created: an existing one is a folder, a new one's
     * nearest existing parent is a folder this process may write. Otherwise the start stops
     * here, before anything is created, naming the setting.
     */
    private void checkDataDir() {
        Path dir = config.dataDir().toAbsolutePath().normalize();
        String choose = " Choose another with --data-dir DIR, dataDir: DIR in tetra.yml or "
                + ConfigLoader.envName("dataDir") + "=DIR.";
        if (Files.exists(dir)) {
            if (!Files.isDirectory(dir)) {
                throw new io.tetradb.server.config.ConfigException("dataDir: " + dir
                        + " exists and is not a folder." + choose);
            }
            if (!Files.isWritable(dir)) {
                throw new io.tetradb.server.config.ConfigException("dataDir: the folder " + dir
                        + " cannot be written by this process." + choose);
            }
            return;
        }
        Path parent = dir.getParent();
        while (parent != null && !Files.exists(parent)) {
            parent = parent.getParent();
        }
        if (parent == null || !Files.isDirectory(parent)) {
            throw new io.tetradb.server.config.ConfigException("dataDir: " + dir + " cannot be created: "
                    + (parent == null ? "no parent folder exists" : parent + " is not a folder") + "." + choose);
        }
        if (!Files.isWritable(parent)) {
            throw new io.tetradb.server.config.ConfigException("dataDir: " + dir + " cannot be created: "
                    + "the folder " + parent + " cannot be written by this process." + choose);
        }
    }

    /** Why the port could not be bound, and which setting chooses another (exit code 2 at the command line). */
    private io.tetradb.server.config.ConfigException cannotListen(Throwable cause) {
        String reason = cause == null || cause.getMessage() == null ? String.valueOf(cause) : cause.getMessage();
        String choosePort = "--port PORT, port: PORT in tetra.yml or " + ConfigLoader.envName("port") + "=PORT";
        if (reason.contains("Address already in use")) {
            return new io.tetradb.server.config.ConfigException("port " + config.port() + " on " + config.host()
                    + " is already in use (another server or program listens there). Choose another port with "
                    + choosePort + ", or stop what holds it.");
        }
        return new io.tetradb.server.config.ConfigException("cannot listen on " + config.host() + ":" + config.port()
                + " (" + reason + "). Choose another port with " + choosePort + ", or another address with --host HOST,"
                + " host: HOST in tetra.yml or " + ConfigLoader.envName("host") + "=HOST.");
    }

    /** The password in adminPasswordFile (read before anything is created); 8 characters at least. */
    private static String readAdminPasswordFile(java.nio.file.Path file) {
        String password;
        try {
            password = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new io.tetradb.server.config.ConfigException("adminPasswordFile: " + file + " cannot be read ("
                    + e.getMessage() + ")");
        }
        if (password.length() < 8) {
            throw new io.tetradb.server.config.ConfigException(
                    "adminPasswordFile: the password in " + file + " has fewer than 8 characters");
        }
        return password;
    }

    /** The server's version. */
    public static String version() {
        Properties p = new Properties();
        try (InputStream in = TetraServer.class.getResourceAsStream("/tetra-version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException ignored) {
            // reported as unknown
        }
        return p.getProperty("version", "unknown");
    }

    private void doStart() throws Exception {
        // An existing database keeps its users: the start line says that an admin password given now is ignored.
        LOG.info("Tetra {} starting: {}", version(), config.startLine(Files.exists(layout.usersFile())));
        layout.createFolders();
        layout.checkDataFileName();
        // Hook settings that hold a command (as earlier versions allowed) stop the start, saying what to do.
        for (String warning : BackupSettings.checkHooksAtStart(layout)) {
            LOG.warn(warning);
        }
        // A data file an older H2 wrote is converted first, or the start is refused (docs/conversion.md).
        String destroyedHeader = DataFileDamage.unreadableHeader(layout);
        if (destroyedHeader == null) {
            StartupConversion.prepare(layout, config.conversion(), LegacyEngines.locate(null));
        }
        startupHooksAllowed = StartupConversion.firstOpen(layout);
        users.load();
        if (users.isEmpty()) {
            createAdmin();
        }
        String version = version();
        // The log file follows every open and close of the database (docs/log-file.md): what the data
        // file lacks is redone from it before anyone is served.
        logs = new LogService(layout, config.logSync(), config.transactionLogBytes(),
                config.logStructureWait().toMillis(), config.logCheckpointInterval().toMillis(), version);
        database.lifecycle(logs);
        openOrRestore(destroyedHeader);
        // The start's check read every row: the heap grew to hold its garbage (750 of 1,024 MiB
        // committed after 2.1 M rows) and G1 gives nothing back while the server idles. One full
        // collection now returns it to the system (resident memory 915 -> 244 MiB measured),
        // before any client is served.
        System.gc();
        CatalogWriter catalog = new CatalogWriter(database, layout);
        catalog.checkReadable();
        catalog.rewrite();

        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(config.workerThreads(), config.workerThreads(), 60,
                TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "tetra-worker-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        workers = pool;
        java.util.concurrent.ScheduledThreadPoolExecutor timerPool = new java.util.concurrent.ScheduledThreadPoolExecutor(1,
                r -> {
                    Thread t = new Thread(r, "tetra-timer");
                    t.setDaemon(true);
                    return t;
                });
        // A cancelled task (a WAIT_AT_MOST write answered before its expiry) leaves the queue at once.
        timerPool.setRemoveOnCancelPolicy(true);
        timer = timerPool;
        statementTimer = new io.netty.util.HashedWheelTimer(r -> {
            Thread t = new Thread(r, "tetra-statement-timer");
            t.setDaemon(true);
            return t;
        }, 10, TimeUnit.MILLISECONDS, 512);
        gate = new WriteGate(config.gateMaxQueuedWrites(), config.gateMaxQueuedBytes(), timer);
        backups = new BackupService(layout, database, gate,
                // Each session's flag and the engine's own list of open transactions: either one alone
                // would do today; both keep the backup from copying while any transaction holds changes.
                () -> sessions.list().stream().noneMatch(Session::hasUncommittedChanges)
                        && !database.hasTransactionsWithChanges(),
                version, timer);
        LogService logService = logs;
        backups.logs(logService::log);
        backups.checkpoints(logService::checkpoints);
        scheduler = new BackupScheduler(backups, clock);
        AdminService admin = new AdminService(layout, users, () -> sessions, config.host(), () -> boundPort, version,
                () -> backups, () -> scheduler, config.tls());
        BackupService backupService = backups;
        limits = new ResourceLimits(config, statementTimer);
        dispatcher = new RequestDispatcher(database, catalog, gate, admin,
                config.fetchSize(), config.maxFrameSize(), backupService::noteWrite, limits, logs);
        sessions = new SessionRegistry(workers, dispatcher, config.maxRequestsInFlight(), gate, limits);
        EngineRecovery recovery = new EngineRecovery(database, catalog, sessions);
        limits.onEngineOutOfMemory(recovery::check);
        restores = new RestoreService(layout, database, catalog, users, sessions, backups);
        restores.logs(() -> logService);
        restores.maxReplyBytes(config.maxFrameSize());
        admin.restores(restores);
        admin.logCommands(new io.tetradb.server.log.LogCommands(() -> logService, config.maxFrameSize(), layout,
                backupService::history));
        admin.catalog(catalog);

        preLogin = new PreLoginLimits(config, new AuthThrottle(config.authFailureDelay(),
                config.authFailureMaxDelay(), config.authFailureHalfLife()));
        children = new ServerChannelInitializer(sessions, users, preLogin, version, layout.databaseName(), tls);
        // The port was bound by bind(): connections that waited in the backlog are accepted from now on.
        serverChannel.config().setAutoRead(true);
        scheduler.start(true);
        if (tls != null) {
            // Renewed certificate files are picked up without a restart.
            timer.scheduleWithFixedDelay(tls::reloadIfChanged, TlsContext.CHECK_SECONDS, TlsContext.CHECK_SECONDS,
                    TimeUnit.SECONDS);
        }
        LOG.info("Tetra is serving database {} on {}:{} ({} transport, {}).", layout.databaseName(), config.host(),
                boundPort, transport.name().toLowerCase(java.util.Locale.ROOT), tls != null ? "TLS" : "plain TCP");
        if (http != null) {
            metrics = serverMetrics();
            serving = true;
            panel = Panel.start(new Panel.Services(admin, () -> sessions, users, preLogin.throttle(), gate, layout,
                    workers, timer, tls != null, config.httpSessionTimeout()));
            http.serve(() -> serving && "RUNNING".equals(state()), metrics, config.httpMetricsToken(), panel);
            LOG.info("Admin panel on {}://{}:{}/ (and /health, /ready, /metrics).",
                    tls != null ? "https" : "http", http.host(), http.port());
        }
    }

    /**
     * Opens the database (docs/restore-with-log.md): when its data file is missing while its log is
     * there, cannot be opened, does not read back or is older than the log, and
     * {@code onStart.restoreIfDamaged} is on, the damaged files go to
     * {@code Replaced Files (damaged)}, the last archive that verifies is restored and brought
     * forward with the log ({@code onStart.integrateLog}), and the database opens on it.
     */
    private void openOrRestore(String knownDamage) throws IOException, java.sql.SQLException {
        String damage = knownDamage != null ? knownDamage : DataFileDamage.beforeOpen(layout);
        if (damage == null) {
            try {
                database.open();
                damage = DataFileDamage.afterOpen(database);
            } catch (java.sql.SQLException | RuntimeException e) {
                damage = DataFileDamage.ofFailure(e);
                if (damage == null) {
                    throw e;
                }
            }
            if (damage == null) {
                return;
            }
            database.close();
        }
        BackupSettings settings = BackupSettings.load(layout);
        if (!settings.restoreIfDamaged()) {
            throw new io.tetradb.server.config.ConfigException("The data file is damaged: " + damage + ". "
                    + "onStart.restoreIfDamaged is false in " + layout.settingsDir().resolve("backup.yml")
                    + ": set it to true for the server to restore the last archive that verifies, or put a good copy"
                    + " of the data file in place.");
        }
        String done = new io.tetradb.server.restore.StartupRestore(layout)
                .restore(damage, settings.integrateLogAtStart(), logs);
        LOG.warn("Automatic restore at start: {}.", done);
        database.open();
        String still = DataFileDamage.afterOpen(database);
        if (still != null) {
            throw new IOException("The restored data file does not read back either: " + still);
        }
    }

    private void createAdmin() throws IOException {
        String password = config.adminPassword();
        if (password == null && config.adminPasswordFile() != null) {
            password = passwordFromFile != null ? passwordFromFile : readAdminPasswordFile(config.adminPasswordFile());
        }
        generatedAdminPassword = createAdmin(users, layout, password);
    }

    /**
     * Creates the user admin of a new database with {@code password}, or with a generated
     * one (printed once on the console and stored owner-only); returns the generated
     * password, or null when one was given.
     */
    public static String createAdmin(UserStore users, DataLayout layout, String password) throws IOException {
        String generated = null;
        if (password == null) {
            password = Base64.getUrlEncoder().withoutPadding().encodeToString(Scram.randomBytes(15));
            generated = password;
            DataLayout.writeOwnerOnly(layout.initialAdminPasswordFile(),
                    (password + System.lineSeparator()).getBytes(StandardCharsets.UTF_8));
            // Printed once, on the console only (never to the log file).
            System.out.println("Tetra created the user 'admin' with the generated password: " + password);
            System.out.println("It is also stored, readable only by you, in " + layout.initialAdminPasswordFile());
        }
        users.add("admin", Role.ADMIN, Scram.newCredentials(password.toCharArray()));
        LOG.info("Created the admin user of the new database {}.", layout.databaseName());
        return generated;
    }

    /**
     * Loads the TLS certificate and key files again if they changed (the server also looks
     * every {@link TlsContext#CHECK_SECONDS} seconds); returns whether new connections now
     * get a new certificate. False when TLS is off or the new files cannot be used.
     */
    public boolean reloadTls() {
        return tls != null && tls.reloadIfChanged();
    }

    /**
     * The limits before login and the login throttle, shared by all connections (their
     * counts are read by tests and by whoever wants to watch them).
     */
    public PreLoginLimits preLoginLimits() {
        return preLogin;
    }

    /** The TCP port the server listens on (useful with port 0). */
    public int boundPort() {
        return boundPort;
    }

    /** The database folder's layout. */
    public DataLayout layout() {
        return layout;
    }

    /** The admin password generated on first start, or null when it was given. */
    public String generatedAdminPassword() {
        return generatedAdminPassword;
    }

    /**
     * Whether this start may run startup hooks: false at the first open after a conversion
     * made with {@code --no-startup-hooks}. (The server runs no hooks when it opens a
     * database yet; backup hooks run around backups only.)
     */
    public boolean startupHooksAllowed() {
        return startupHooksAllowed;
    }

    /** The accounts of Structure/users.json, as the admin requests change them (tests). */
    public UserStore users() {
        return users;
    }

    /** The hosted database (for diagnostics and tests). */
    public Database database() {
        return database;
    }

    /** The backup service (tests use its hooks). */
    public BackupService backups() {
        return backups;
    }

    /** The backup scheduler (tests call check() after moving their clock). */
    public BackupScheduler scheduler() {
        return scheduler;
    }

    /** The executor of every session's requests (tests use its hooks). */
    public RequestDispatcher requests() {
        return dispatcher;
    }

    /** The log file (status, tests). */
    public LogService logs() {
        return logs;
    }

    /** Restore and verify (tests use its hooks). */
    public RestoreService restores() {
        return restores;
    }

    /** RUNNING, MAINTENANCE (an in-place restore) or SHUTTING_DOWN, as the status shows it. */
    public String state() {
        return sessions == null ? "RUNNING" : sessions.serverState();
    }

    /** The open sessions (tests look at their limits' state). */
    SessionRegistry sessionRegistry() {
        return sessions;
    }

    /** The resource limits in force (tests look at statements running per user). */
    ResourceLimits limits() {
        return limits;
    }

    /** Admin panel logins live now (0 with http.enabled: false). */
    public int panelLogins() {
        return panel == null ? 0 : panel.logins();
    }

    /** The HTTP port bound (health, readiness, metrics), or -1 when http.enabled is false. */
    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    /** The server's own meters (docs/http.md); read on the metrics thread when scraped. */
    private Metrics serverMetrics() {
        Metrics m = new Metrics();
        m.gauge("tetra.sessions", null, "Sessions open now", this, TetraServer::sessionCount);
        m.gauge("tetra.backup.running", null, "1 while a backup runs", backups, b -> b.isRunning() ? 1 : 0);
        m.gauge("tetra.backup.last.number", null, "The last backup's number (0: none yet)", backups,
                b -> b.status().getLast().getNumber());
        m.gauge("tetra.backup.last.success", null, "1 when the last backup ended SUCCESS or PARTIAL", backups,
                b -> {
                    String st = b.status().getLast().getStatus();
                    return st.equals("SUCCESS") || st.equals("PARTIAL") ? 1 : 0;
                });
        m.gauge("tetra.backup.last.end.timestamp", "seconds", "When the last backup ended (epoch seconds)", backups,
                b -> b.status().getLast().getEndMillis() / 1000.0);
        m.gauge("tetra.backup.last.duration", "seconds", "How long the last backup took", backups,
                b -> b.status().getLast().getDurationMillis() / 1000.0);
        m.gauge("tetra.backup.last.size", "bytes", "The last backup's archive size", backups,
                b -> b.status().getLast().getArchiveSize());
        m.gauge("tetra.gate.queued.writes", null, "Writes waiting behind a backup now", gate,
                WriteGate::queuedWrites);
        m.gauge("tetra.log.last.operation", null, "The last operation number in the log file", this, s -> {
            LogService l = s.logs;
            return l == null || l.log() == null ? 0 : l.log().lastOperation();
        });
        m.gauge("tetra.data.file.size", "bytes", "The data file's size", layout, l -> {
            try {
                return java.nio.file.Files.size(l.dataFile());
            } catch (IOException e) {
                return Double.NaN;
            }
        });
        // The meters that backups, the gate, the log and requests move as they happen.
        ServerMeters.register(m, backups, gate, logs, dispatcher, layout);
        return m;
    }

    /** Sessions open now. */
    /**
     * Statement timeouts waiting on the server's wheel (diagnostics, tests): one per statement
     * running under a timeout; a statement that ended leaves its timeout for at most one tick.
     */
    public long pendingStatementTimeouts() {
        return statementTimer == null ? 0 : statementTimer.pendingTimeouts();
    }

    public int sessionCount() {
        return sessions == null ? 0 : sessions.count();
    }

    /**
     * Graceful stop: no new connections, requests in flight answered (up to
     * shutdownTimeout), sessions closed, the database closed cleanly.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        serving = false;
        if (opened) {
            LOG.info("Tetra is shutting down.");
        }
        if (http != null) {
            http.close();
        }
        if (panel != null) {
            panel.close();
        }
        if (metrics != null) {
            metrics.close();
        }
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        if (scheduler != null) {
            scheduler.close();
        }
        if (backups != null) {
            backups.close();
        }
        if (sessions != null) {
            sessions.shutdown(config.shutdownTimeout());
        }
        if (timer != null) {
            timer.shutdownNow();
        }
        if (statementTimer != null) {
            statementTimer.stop();
        }
        if (workers != null) {
            workers.shutdown();
            try {
                if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
                    workers.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        database.close();
        shutdownGroup(io);
        shutdownGroup(boss);
        if (opened) {
            LOG.info("Tetra stopped.");
        }
    }

    private static void shutdownGroup(EventLoopGroup g) {
        if (g != null) {
            g.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** For the main class: the configured shutdown timeout. */
    Duration shutdownTimeout() {
        return config.shutdownTimeout();
    }
}
