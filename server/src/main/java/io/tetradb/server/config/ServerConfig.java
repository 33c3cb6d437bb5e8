package io.tetradb.server.config;

import io.tetradb.protocol.Durations;
import io.tetradb.protocol.ProtocolVersion;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The server's effective settings: immutable, built with {@link #builder()}, checked by
 * {@link #validate()} at start. {@link ConfigLoader} fills a builder from tetra.yml, then
 * TETRA_* environment variables, then command-line flags.
 *
 * <p>Read from any thread.
 */
public final class ServerConfig {
    /** Every key a tetra.yml, a TETRA_* variable or a --set flag may name. */
    public static final List<String> KEYS = List.of("host", "port", "dataDir", "maxFrameSize", "workerThreads",
            "fetchSize", "maxConnections", "maxRequestsInFlight", "authFailureDelay", "authFailureMaxDelay",
            "shutdownTimeout", "adminPassword", "adminPasswordFile", "gateMaxQueuedWrites", "gateMaxQueuedBytes",
            "conversion", "tlsCertificate", "tlsKey", "limits.handshakes", "limits.handshakesPerAddress",
            "limits.handshakeTimeout", "limits.handshakeFrameSize", "limits.authFailureHalfLife", "limits.eventLoopReadTime",
            "limits.statementTimeout.admin", "limits.statementTimeout.user",
            "limits.statementTimeout.reader", "limits.sessionOutputBytes", "limits.sessionOutputRows",
            "limits.cursorsPerSession", "limits.requestBytesInFlight", "limits.statementsPerUser", "limits.sessionsPerUser",
            "sql.engineAdmin", "log.sync", "log.structureWait", "log.checkpointInterval", "limits.transactionLogBytes", "http.enabled", "http.port",
            "http.metricsToken", "http.sessionTimeout");


    /**
     * What the server does at start with a data file an older H2 wrote (docs/conversion.md):
     * refuse and name the command that converts it ({@code ask}), convert it
     * ({@code auto}), or refuse and say that conversion at start is off ({@code never}).
     */
    public enum Conversion {
        ASK, AUTO, NEVER;

        /** The setting's value as tetra.yml writes it. */
        public String value() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final String host;
    private final int port;
    private final Path dataDir;
    private final int maxFrameSize;
    private final int workerThreads;
    private final int fetchSize;
    private final int maxConnections;
    private final int maxRequestsInFlight;
    private final Duration authFailureDelay;
    private final Duration authFailureMaxDelay;
    private final Duration shutdownTimeout;
    private final String adminPassword;
    private final Path adminPasswordFile;
    private final int gateMaxQueuedWrites;
    private final long gateMaxQueuedBytes;
    private final Conversion conversion;
    private final Path tlsCertificate;
    private final Path tlsKey;
    private final int handshakes;
    private final int handshakesPerAddress;
    private final Duration handshakeTimeout;
    private final int handshakeFrameSize;
    private final Duration authFailureHalfLife;
    private final Duration eventLoopReadTime;
    private final Duration statementTimeoutAdmin;
    private final Duration statementTimeoutUser;
    private final Duration statementTimeoutReader;
    private final long sessionOutputBytes;
    private final int sessionOutputRows;
    private final int cursorsPerSession;
    private final long requestBytesInFlight;
    private final int statementsPerUser;
    private final int sessionsPerUser;
    private final boolean sqlEngineAdmin;
    private final boolean httpEnabled;
    private final Integer httpPort;
    private final String httpMetricsToken;
    private final Duration httpSessionTimeout;
    private final io.tetradb.server.log.SyncMode logSync;
    private final Duration logStructureWait;
    private final Duration logCheckpointInterval;
    private final long transactionLogBytes;

    private ServerConfig(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.dataDir = b.dataDir;
        this.maxFrameSize = b.maxFrameSize;
        this.workerThreads = b.workerThreads;
        this.fetchSize = b.fetchSize;
        this.maxConnections = b.maxConnections;
        this.maxRequestsInFlight = b.maxRequestsInFlight;
        this.authFailureDelay = b.authFailureDelay;
        this.authFailureMaxDelay = b.authFailureMaxDelay;
        this.shutdownTimeout = b.shutdownTimeout;
        this.adminPassword = b.adminPassword;
        this.adminPasswordFile = b.adminPasswordFile;
        this.gateMaxQueuedWrites = b.gateMaxQueuedWrites;
        this.gateMaxQueuedBytes = b.gateMaxQueuedBytes;
        this.conversion = b.conversion;
        this.tlsCertificate = b.tlsCertificate;
        this.tlsKey = b.tlsKey;
        this.handshakes = b.handshakes;
        this.handshakesPerAddress = b.handshakesPerAddress;
        this.handshakeTimeout = b.handshakeTimeout;
        this.handshakeFrameSize = b.handshakeFrameSize;
        this.authFailureHalfLife = b.authFailureHalfLife;
        this.eventLoopReadTime = b.eventLoopReadTime;
        this.statementTimeoutAdmin = b.statementTimeoutAdmin;
        this.statementTimeoutUser = b.statementTimeoutUser;
        this.statementTimeoutReader = b.statementTimeoutReader;
        this.sessionOutputBytes = b.sessionOutputBytes;
        this.sessionOutputRows = b.sessionOutputRows;
        this.cursorsPerSession = b.cursorsPerSession;
        this.requestBytesInFlight = b.requestBytesInFlight;
        this.statementsPerUser = b.statementsPerUser;
        this.sessionsPerUser = b.sessionsPerUser;
        this.sqlEngineAdmin = b.sqlEngineAdmin;
        this.httpEnabled = b.httpEnabled;
        this.httpPort = b.httpPort;
        this.httpMetricsToken = b.httpMetricsToken;
        this.httpSessionTimeout = b.httpSessionTimeout;
        this.logSync = b.logSync;
        this.logStructureWait = b.logStructureWait;
        this.logCheckpointInterval = b.logCheckpointInterval;
        this.transactionLogBytes = b.transactionLogBytes;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this config's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.host = host;
        b.port = port;
        b.dataDir = dataDir;
        b.maxFrameSize = maxFrameSize;
        b.workerThreads = workerThreads;
        b.fetchSize = fetchSize;
        b.maxConnections = maxConnections;
        b.maxRequestsInFlight = maxRequestsInFlight;
        b.authFailureDelay = authFailureDelay;
        b.authFailureMaxDelay = authFailureMaxDelay;
        b.shutdownTimeout = shutdownTimeout;
        b.adminPassword = adminPassword;
        b.adminPasswordFile = adminPasswordFile;
        b.gateMaxQueuedWrites = gateMaxQueuedWrites;
        b.gateMaxQueuedBytes = gateMaxQueuedBytes;
        b.conversion = conversion;
        b.tlsCertificate = tlsCertificate;
        b.tlsKey = tlsKey;
        b.handshakes = handshakes;
        b.handshakesPerAddress = handshakesPerAddress;
        b.handshakeTimeout = handshakeTimeout;
        b.handshakeFrameSize = handshakeFrameSize;
        b.authFailureHalfLife = authFailureHalfLife;
        b.eventLoopReadTime = eventLoopReadTime;
        b.statementTimeoutAdmin = statementTimeoutAdmin;
        b.statementTimeoutUser = statementTimeoutUser;
        b.statementTimeoutReader = statementTimeoutReader;
        b.sessionOutputBytes = sessionOutputBytes;
        b.sessionOutputRows = sessionOutputRows;
        b.cursorsPerSession = cursorsPerSession;
        b.requestBytesInFlight = requestBytesInFlight;
        b.statementsPerUser = statementsPerUser;
        b.sessionsPerUser = sessionsPerUser;
        b.sqlEngineAdmin = sqlEngineAdmin;
        b.httpEnabled = httpEnabled;
        b.httpPort = httpPort;
        b.httpMetricsToken = httpMetricsToken;
        b.httpSessionTimeout = httpSessionTimeout;
        b.logSync = logSync;
        b.logStructureWait = logStructureWait;
        b.logCheckpointInterval = logCheckpointInterval;
        b.transactionLogBytes = transactionLogBytes;
        return b;
    }

    /** Address to listen on. Default {@code 0.0.0.0} (every interface). */
    public String host() {
        return host;
    }

    /** TCP port; 0 picks a free one. Default 19813. */
    public int port() {
        return port;
    }

    /** The database folder; its name is the database's name. Default {@code ./data/tetra}. */
    public Path dataDir() {
        return dataDir;
    }

    /** Largest frame accepted or sent, in bytes. Default 16 MiB. */
    public int maxFrameSize() {
        return maxFrameSize;
    }

    /** Threads that execute sessions' requests. Default 32. */
    public int workerThreads() {
        return workerThreads;
    }

    /**
     * PEM file with the server's certificate (then the chain up to its authority). Set
     * together with {@link #tlsKey()}: every connection must then use TLS (1.3 or 1.2).
     * Default none: plain TCP.
     */
    public Path tlsCertificate() {
        return tlsCertificate;
    }

    /** PEM file with the private key of {@link #tlsCertificate()} (PKCS#8, not encrypted). Default none. */
    public Path tlsKey() {
        return tlsKey;
    }

    /** Whether connections use TLS (both TLS files are set). */
    public boolean tls() {
        return tlsCertificate != null && tlsKey != null;
    }

    /** Rows per result batch when the client does not say. Default 1000. */
    public int fetchSize() {
        return fetchSize;
    }

    /**
     * Sessions (connections that have logged in) at once; a login beyond it is refused with
     * 2001. Connections still in the handshake count against {@link #handshakes()} instead.
     * Default 1000.
     */
    public int maxConnections() {
        return maxConnections;
    }

    /** Requests one session may have waiting or running; more are refused with 2001. Default 10000. */
    public int maxRequestsInFlight() {
        return maxRequestsInFlight;
    }

    /**
     * Connections that have not logged in yet, in total ({@code limits.handshakes}). When full,
     * a newcomer closes the oldest handshake of the address holding the most (answered 2001),
     * or is itself refused with 2001 when its address holds as many. Default 128.
     */
    public int handshakes() {
        return handshakes;
    }

    /**
     * Connections that have not logged in yet from one address ({@code limits.handshakesPerAddress};
     * IPv6: one /64); more are refused with 2001. Default 32 (a pool opening its
     * connections at once from one host).
     */
    public int handshakesPerAddress() {
        return handshakesPerAddress;
    }

    /**
     * Time from connect (TLS included) to the client's last login message
     * ({@code limits.handshakeTimeout}); then the connection is answered 2004 and closed. Default 5 s.
     */
    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    /**
     * Largest frame accepted before login ({@code limits.handshakeFrameSize}); larger ones get 2005
     * and the connection is closed. Raised to {@link #maxFrameSize()} at login. Default 16 KiB.
     */
    public int handshakeFrameSize() {
        return handshakeFrameSize;
    }

    /**
     * How fast the failed-login counts of an address and of an account fade
     * ({@code limits.authFailureHalfLife}): each count halves in this time. Default 1 min.
     */
    public Duration authFailureHalfLife() {
        return authFailureHalfLife;
    }

    /**
     * The longest run of a cached read that lets it run on the event loop that received it,
     * without a hand-off to a worker ({@code limits.eventLoopReadTime}, default 250 us; 0 runs
     * every request on a worker). See ARCHITECTURE.md, "Reads on the event loop".
     */
    public Duration eventLoopReadTime() {
        return eventLoopReadTime;
    }

    /** Delay before a failed authentication is answered. Default 250 ms. */
    public Duration authFailureDelay() {
        return authFailureDelay;
    }

    /**
     * Longest delay for repeated failures from one address or for one account (doubling each
     * time); also the longest a login attempt waits behind earlier ones of the same address or
     * account before it is refused with 2001. Default 5 s.
     */
    public Duration authFailureMaxDelay() {
        return authFailureMaxDelay;
    }

    /** How long a graceful shutdown waits for in-flight requests. Default 30 s. */
    public Duration shutdownTimeout() {
        return shutdownTimeout;
    }

    /** The admin password used when the database is created; null means generate one. */
    public String adminPassword() {
        return adminPassword;
    }

    /** A file holding the admin password for the first start (a container secret); null if none. */
    public Path adminPasswordFile() {
        return adminPasswordFile;
    }

    /** Writes that may wait for a backup at once; more are refused with 2001. Default 100000. */
    public int gateMaxQueuedWrites() {
        return gateMaxQueuedWrites;
    }

    /** Bytes of writes that may wait for a backup at once; more are refused with 2001. Default 64 MiB. */
    public long gateMaxQueuedBytes() {
        return gateMaxQueuedBytes;
    }

    /**
     * What happens at start when the data file was written by an older H2: {@code ask}
     * (refuse to start and name the {@code tetra-admin convert} command), {@code auto}
     * (convert it, then open) or {@code never}. Default {@code ask}.
     */
    public Conversion conversion() {
        return conversion;
    }

    /**
     * Longest a statement of a session of {@code role} may run (executing, and producing the
     * rows of its result) before it is cancelled and answered 2009; {@link Duration#ZERO}
     * means no limit. Keys {@code limits.statementTimeout.admin|user|reader}; defaults:
     * none for admin, 5 minutes for user and reader.
     */
    public Duration statementTimeout(io.tetradb.protocol.Role role) {
        switch (role) {
            case ADMIN:
                return statementTimeoutAdmin;
            case READER:
                return statementTimeoutReader;
            default:
                return statementTimeoutUser;
        }
    }

    /**
     * Bytes of replies one session may have waiting to be sent to its client
     * ({@code limits.sessionOutputBytes}): beyond it the server stops producing rows for
     * that session until the client reads (the channel's high write-buffer water mark; it
     * resumes below half). Default 4 MiB.
     */
    public long sessionOutputBytes() {
        return sessionOutputBytes;
    }

    /**
     * Rows one session may have waiting to be sent to its client
     * ({@code limits.sessionOutputRows}); beyond it the server stops producing rows until
     * the client reads. Default 100000.
     */
    public int sessionOutputRows() {
        return sessionOutputRows;
    }

    /** Open cursors (unfinished query results) per session ({@code limits.cursorsPerSession}); more get 2001. Default 64. */
    public int cursorsPerSession() {
        return cursorsPerSession;
    }

    /**
     * Bytes of requests one session may have received and not yet answered
     * ({@code limits.requestBytesInFlight}): beyond it the server stops reading that
     * connection until requests are answered. A single request is always taken. Default 32 MiB.
     */
    public long requestBytesInFlight() {
        return requestBytesInFlight;
    }

    /**
     * Statements of one account (all its sessions) that may execute at once
     * ({@code limits.statementsPerUser}); a statement beyond it waits, holding no thread,
     * until one ends (a session whose transaction holds changes may go to twice it), so one
     * account cannot take every worker thread. Default 8.
     */
    public int statementsPerUser() {
        return statementsPerUser;
    }

    /**
     * Sessions one account may have open at once ({@code limits.sessionsPerUser}); a login
     * beyond it is refused with 2001, so that one account's sessions, each within its own
     * output and cursor budgets, cannot together take the server's memory. Default 64.
     */
    public int sessionsPerUser() {
        return sessionsPerUser;
    }

    /**
     * {@code sql.engineAdmin}: whether SQL sessions of the admin role run with the engine's admin
     * rights (H2's file and code features: FILE_READ, CSVWRITE, CREATE ALIAS, SCRIPT TO, BACKUP,
     * LINK_SCHEMA, ...), which reach the server's files and run code as its OS user. Set only in
     * tetra.yml, a TETRA_SQL_ENGINE_ADMIN variable or a flag, never remotely. Default false: the admin
     * role has every right on every object but none of those features.
     */
    public boolean sqlEngineAdmin() {
        return sqlEngineAdmin;
    }

    /** Whether the HTTP endpoint (health, readiness, metrics) is served ({@code http.enabled}, default true). */
    public boolean httpEnabled() {
        return httpEnabled;
    }

    /**
     * The HTTP endpoint's port ({@code http.port}): by default the one after {@code port}
     * (19814 beside the default 19813), and 0 (any free port) when {@code port} is 0 or 65535,
     * so that two servers given different ports, or any free port, never contend for it.
     */
    public int httpPort() {
        return httpPort != null ? httpPort : port == 0 || port == 65535 ? 0 : port + 1;
    }

    /**
     * The bearer token that lets {@code GET /metrics} be read from another machine
     * ({@code http.metricsToken}); null (default): metrics only from loopback.
     */
    public String httpMetricsToken() {
        return httpMetricsToken;
    }

    /**
     * How long an admin panel login lasts without a request ({@code http.sessionTimeout},
     * default 30 minutes; at least 1 second); a login ends after 12 hours in any case.
     */
    public Duration httpSessionTimeout() {
        return httpSessionTimeout;
    }

    /** When a commit is acknowledged ({@code log.sync}): {@code commit} (default) or {@code everySecond}. */
    public io.tetradb.server.log.SyncMode logSync() {
        return logSync;
    }

    /**
     * How long a structure change waits for other sessions' open write transactions to end,
     * and a write for a structure change to end ({@code log.structureWait}). Default 10 s.
     */
    public Duration logStructureWait() {
        return logStructureWait;
    }

    /**
     * How often the engine writes its data file, at a moment when no session changes
     * anything ({@code log.checkpointInterval}, docs/log-file.md); after a crash the log
     * redoes what came after the last one. Default 1 s.
     */
    public Duration logCheckpointInterval() {
        return logCheckpointInterval;
    }

    /**
     * Bytes of changes one transaction may hold before its commit is logged
     * ({@code limits.transactionLogBytes}); beyond, the statement fails (SQL error 54000).
     * Default 64 MiB.
     */
    public long transactionLogBytes() {
        return transactionLogBytes;
    }

    /** The database's name: the data folder's name. */
    public String databaseName() {
        Path name = dataDir.toAbsolutePath().normalize().getFileName();
        return name == null ? "tetra" : name.toString();
    }

    /**
     * Checks every value; throws {@link ConfigException} naming the first bad key.
     */
    public ServerConfig validate() {
        List<String> problems = new ArrayList<>();
        if (host == null || host.isBlank()) {
            problems.add("host: must not be empty");
        }
        if (httpPort != null && (httpPort < 0 || httpPort > 65535)) {
            problems.add("http.port: must be between 0 and 65535, was " + httpPort);
        }
        if (httpEnabled && httpPort() != 0 && httpPort() == port) {
            problems.add("http.port: must differ from port (" + port + ")");
        }
        if (httpSessionTimeout.compareTo(Duration.ofSeconds(1)) < 0 || httpSessionTimeout.compareTo(Duration.ofHours(12)) > 0) {
            problems.add("http.sessionTimeout: must be between 1s and 12h, was " + httpSessionTimeout);
        }
        if (httpMetricsToken != null && httpMetricsToken.length() < 16) {
            problems.add("http.metricsToken: must be at least 16 characters");
        }
        if (port < 0 || port > 65535) {
            problems.add("port: must be between 0 and 65535, was " + port);
        }
        if (dataDir == null || dataDir.toString().isBlank()) {
            problems.add("dataDir: must not be empty");
        } else if (!databaseName().matches("[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}")) {
            problems.add("dataDir: the folder name '" + databaseName()
                    + "' is the database name and must be letters, digits, '_', '.', '-' (at most 64)");
        }
        if (maxFrameSize < 1024 || maxFrameSize > 512 * 1024 * 1024) {
            problems.add("maxFrameSize: must be between 1024 and 536870912 bytes, was " + maxFrameSize);
        }
        if (workerThreads < 1 || workerThreads > 4096) {
            problems.add("workerThreads: must be between 1 and 4096, was " + workerThreads);
        }
        if (fetchSize < 1 || fetchSize > 1_000_000) {
            problems.add("fetchSize: must be between 1 and 1000000, was " + fetchSize);
        }
        if (maxConnections < 1) {
            problems.add("maxConnections: must be at least 1, was " + maxConnections);
        }
        if (maxRequestsInFlight < 1) {
            problems.add("maxRequestsInFlight: must be at least 1, was " + maxRequestsInFlight);
        }
        if (authFailureDelay.isNegative()) {
            problems.add("authFailureDelay: must not be negative");
        }
        if (authFailureMaxDelay.compareTo(authFailureDelay) < 0) {
            problems.add("authFailureMaxDelay: must not be shorter than authFailureDelay");
        }
        if (handshakes < 1) {
            problems.add("limits.handshakes: must be at least 1, was " + handshakes);
        }
        if (handshakesPerAddress < 1 || handshakesPerAddress > handshakes) {
            problems.add("limits.handshakesPerAddress: must be between 1 and limits.handshakes (" + handshakes
                    + "), was " + handshakesPerAddress);
        }
        if (handshakeTimeout.compareTo(Duration.ofMillis(100)) < 0) {
            problems.add("limits.handshakeTimeout: must be at least 100ms");
        }
        if (handshakeFrameSize < 1024 || handshakeFrameSize > maxFrameSize) {
            problems.add("limits.handshakeFrameSize: must be between 1024 and maxFrameSize (" + maxFrameSize
                    + ") bytes, was " + handshakeFrameSize);
        }
        if (eventLoopReadTime.isNegative() || eventLoopReadTime.compareTo(Duration.ofSeconds(1)) > 0) {
            problems.add("limits.eventLoopReadTime: must be between 0 (off) and 1s, was "
                    + eventLoopReadTime.toNanos() / 1000 + "us");
        }
        if (authFailureHalfLife.compareTo(Duration.ofSeconds(1)) < 0) {
            problems.add("limits.authFailureHalfLife: must be at least 1s");
        }
        if (shutdownTimeout.isNegative()) {
            problems.add("shutdownTimeout: must not be negative");
        }
        if (gateMaxQueuedWrites < 1) {
            problems.add("gateMaxQueuedWrites: must be at least 1, was " + gateMaxQueuedWrites);
        }
        if (gateMaxQueuedBytes < 1024) {
            problems.add("gateMaxQueuedBytes: must be at least 1024, was " + gateMaxQueuedBytes);
        }
        if (conversion == null) {
            problems.add("conversion: must be ask, auto or never");
        }
        if ((tlsCertificate == null) != (tlsKey == null)) {
            problems.add(tlsCertificate == null ? "tlsCertificate: must be set with tlsKey"
                    : "tlsKey: must be set with tlsCertificate");
        }
        readable("tlsCertificate", tlsCertificate, problems);
        readable("tlsKey", tlsKey, problems);
        for (io.tetradb.protocol.Role r : List.of(io.tetradb.protocol.Role.ADMIN, io.tetradb.protocol.Role.USER,
                io.tetradb.protocol.Role.READER)) {
            if (statementTimeout(r).isNegative()) {
                problems.add("limits.statementTimeout." + r.name().toLowerCase(java.util.Locale.ROOT)
                        + ": must not be negative (0 means no limit)");
            }
        }
        if (logStructureWait.isNegative() || logStructureWait.isZero()) {
            problems.add("log.structureWait: must be more than 0, was " + logStructureWait);
        }
        if (logCheckpointInterval.compareTo(Duration.ofMillis(100)) < 0
                || logCheckpointInterval.compareTo(Duration.ofHours(1)) > 0) {
            problems.add("log.checkpointInterval: must be between 100ms and 1h, was " + logCheckpointInterval);
        }
        if (transactionLogBytes < 64 * 1024) {
            problems.add("limits.transactionLogBytes: must be at least 65536, was " + transactionLogBytes);
        }
        if (sessionOutputBytes < 64 * 1024) {
            problems.add("limits.sessionOutputBytes: must be at least 65536, was " + sessionOutputBytes);
        } else if (sessionOutputBytes > Integer.MAX_VALUE) {
            problems.add("limits.sessionOutputBytes: must be at most 2147483647, was " + sessionOutputBytes);
        }
        if (sessionOutputRows < 1) {
            problems.add("limits.sessionOutputRows: must be at least 1, was " + sessionOutputRows);
        }
        if (cursorsPerSession < 1) {
            problems.add("limits.cursorsPerSession: must be at least 1, was " + cursorsPerSession);
        }
        if (requestBytesInFlight < 1024) {
            problems.add("limits.requestBytesInFlight: must be at least 1024, was " + requestBytesInFlight);
        }
        if (sessionsPerUser < 1) {
            problems.add("limits.sessionsPerUser: must be at least 1, was " + sessionsPerUser);
        }
        if (statementsPerUser < 1) {
            problems.add("limits.statementsPerUser: must be at least 1, was " + statementsPerUser);
        }
        if (adminPassword != null && adminPassword.length() < 8) {
            problems.add("adminPassword: must have at least 8 characters");
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(String.join("; ", problems));
        }
        return this;
    }

    private static void readable(String key, Path file, List<String> problems) {
        if (file != null && !(java.nio.file.Files.isRegularFile(file) && java.nio.file.Files.isReadable(file))) {
            problems.add(key + ": " + file + " is not a readable file");
        }
    }

    /** The settings as one log line, the password left out. */
    @Override
    public String toString() {
        return startLine(false);
    }

    /**
     * The settings as the server's start line, the password left out. For a database that
     * exists already ({@code existingDatabase}), a set adminPassword or adminPasswordFile is
     * said to be ignored: it only applies when the database is created, and the line says how
     * to change a password instead.
     */
    public String startLine(boolean existingDatabase) {
        String given = adminPassword != null ? "(set" : adminPasswordFile != null ? "(file" : null;
        String admin = given == null ? "(none)" : !existingDatabase ? given + ")"
                : given + ", ignored: " + ConfigLoader.envName("adminPassword") + " and " + ConfigLoader.envName(
                        "adminPasswordFile") + " (adminPassword, adminPasswordFile) only apply when the database is"
                        + " created, and this one exists; change a password with: tetra-admin users passwd admin)";
        return "host=" + host + " port=" + port + " dataDir=" + dataDir.toAbsolutePath().normalize()
                + " maxFrameSize=" + maxFrameSize + " workerThreads=" + workerThreads + " fetchSize=" + fetchSize
                + " maxConnections=" + maxConnections + " maxRequestsInFlight=" + maxRequestsInFlight
                + " authFailureDelay=" + authFailureDelay.toMillis() + "ms"
                + " authFailureMaxDelay=" + authFailureMaxDelay.toMillis() + "ms"
                + " shutdownTimeout=" + shutdownTimeout.toMillis() + "ms"
                + " limits.handshakes=" + handshakes + " limits.handshakesPerAddress=" + handshakesPerAddress
                + " limits.handshakeTimeout=" + handshakeTimeout.toMillis() + "ms"
                + " limits.handshakeFrameSize=" + handshakeFrameSize
                + " limits.authFailureHalfLife=" + authFailureHalfLife.toMillis() + "ms"
                + " limits.eventLoopReadTime=" + eventLoopReadTime.toNanos() / 1000 + "us"
                + " gateMaxQueuedWrites=" + gateMaxQueuedWrites + " gateMaxQueuedBytes=" + gateMaxQueuedBytes
                + " conversion=" + (conversion == null ? "null" : conversion.value())
                + " tls=" + (tls() ? tlsCertificate : "off")
                + " limits.statementTimeout.admin=" + statementTimeoutAdmin.toMillis() + "ms"
                + " limits.statementTimeout.user=" + statementTimeoutUser.toMillis() + "ms"
                + " limits.statementTimeout.reader=" + statementTimeoutReader.toMillis() + "ms"
                + " limits.sessionOutputBytes=" + sessionOutputBytes + " limits.sessionOutputRows=" + sessionOutputRows
                + " limits.cursorsPerSession=" + cursorsPerSession
                + " limits.requestBytesInFlight=" + requestBytesInFlight
                + " limits.statementsPerUser=" + statementsPerUser + " limits.sessionsPerUser=" + sessionsPerUser
                + " sql.engineAdmin=" + sqlEngineAdmin + " log.sync=" + logSync.word()
                + " log.structureWait=" + logStructureWait.toMillis() + "ms"
                + " log.checkpointInterval=" + logCheckpointInterval.toMillis() + "ms"
                + " limits.transactionLogBytes=" + transactionLogBytes
                + " http=" + (httpEnabled ? String.valueOf(httpPort()) : "off")
                + " http.metricsToken=" + (httpMetricsToken == null ? "(none)" : "(set)")
                + " http.sessionTimeout=" + httpSessionTimeout
                + " adminPassword=" + admin;
    }

    /** Mutable builder; {@link #build()} does not validate, {@link ServerConfig#validate()} does. */
    public static final class Builder {
        private String host = "0.0.0.0";
        private int port = ProtocolVersion.DEFAULT_PORT;
        private Path dataDir = Path.of("data", "tetra");
        private int maxFrameSize = ProtocolVersion.DEFAULT_MAX_FRAME_SIZE;
        private int workerThreads = 32;
        private int fetchSize = 1000;
        private int maxConnections = 1000;
        private int maxRequestsInFlight = 10_000;
        private Duration authFailureDelay = Duration.ofMillis(250);
        private Duration authFailureMaxDelay = Duration.ofSeconds(5);
        private Duration shutdownTimeout = Duration.ofSeconds(30);
        private String adminPassword;
        private Path adminPasswordFile;
        private int gateMaxQueuedWrites = 100_000;
        private long gateMaxQueuedBytes = 64L * 1024 * 1024;
        private Conversion conversion = Conversion.ASK;
        private Path tlsCertificate;
        private Path tlsKey;
        private int handshakes = 128;
        private int handshakesPerAddress = 32;
        private Duration handshakeTimeout = Duration.ofSeconds(5);
        private int handshakeFrameSize = 16 * 1024;
        private Duration authFailureHalfLife = Duration.ofMinutes(1);
        private Duration eventLoopReadTime = Duration.ofNanos(250_000);
        private Duration statementTimeoutAdmin = Duration.ZERO;
        private Duration statementTimeoutUser = Duration.ofMinutes(5);
        private Duration statementTimeoutReader = Duration.ofMinutes(5);
        private long sessionOutputBytes = 4L * 1024 * 1024;
        private int sessionOutputRows = 100_000;
        private int cursorsPerSession = 64;
        private long requestBytesInFlight = 32L * 1024 * 1024;
        private int statementsPerUser = 8;
        private int sessionsPerUser = 64;
        private boolean sqlEngineAdmin;
        private boolean httpEnabled = true;
        private Integer httpPort;
        private String httpMetricsToken;
        private Duration httpSessionTimeout = Duration.ofMinutes(30);
        private io.tetradb.server.log.SyncMode logSync = io.tetradb.server.log.SyncMode.COMMIT;
        private Duration logStructureWait = Duration.ofSeconds(10);
        private Duration logCheckpointInterval = Duration.ofSeconds(1);
        private long transactionLogBytes = 64L * 1024 * 1024;

        private Builder() {
        }

        public Builder host(String v) {
            host = v;
            return this;
        }

        public Builder port(int v) {
            port = v;
            return this;
        }

        public Builder dataDir(Path v) {
            dataDir = Objects.requireNonNull(v, "dataDir");
            return this;
        }

        public Builder maxFrameSize(int v) {
            maxFrameSize = v;
            return this;
        }

        public Builder workerThreads(int v) {
            workerThreads = v;
            return this;
        }

        public Builder fetchSize(int v) {
            fetchSize = v;
            return this;
        }

        public Builder maxConnections(int v) {
            maxConnections = v;
            return this;
        }

        public Builder maxRequestsInFlight(int v) {
            maxRequestsInFlight = v;
            return this;
        }

        public Builder authFailureDelay(Duration v) {
            authFailureDelay = Objects.requireNonNull(v, "authFailureDelay");
            return this;
        }

        public Builder authFailureMaxDelay(Duration v) {
            authFailureMaxDelay = Objects.requireNonNull(v, "authFailureMaxDelay");
            return this;
        }

        public Builder shutdownTimeout(Duration v) {
            shutdownTimeout = Objects.requireNonNull(v, "shutdownTimeout");
            return this;
        }

        public Builder adminPassword(String v) {
            adminPassword = v;
            return this;
        }

        public Builder adminPasswordFile(Path v) {
            adminPasswordFile = v;
            return this;
        }

        public Builder gateMaxQueuedWrites(int v) {
            gateMaxQueuedWrites = v;
            return this;
        }

        public Builder conversion(Conversion v) {
            conversion = v;
            return this;
        }

        public Builder tlsCertificate(Path v) {
            tlsCertificate = v;
            return this;
        }

        public Builder tlsKey(Path v) {
            tlsKey = v;
            return this;
        }

        public Builder handshakes(int v) {
            handshakes = v;
            return this;
        }

        public Builder handshakesPerAddress(int v) {
            handshakesPerAddress = v;
            return this;
        }

        public Builder handshakeTimeout(Duration v) {
            handshakeTimeout = Objects.requireNonNull(v, "limits.handshakeTimeout");
            return this;
        }

        public Builder handshakeFrameSize(int v) {
            handshakeFrameSize = v;
            return this;
        }

        public Builder authFailureHalfLife(Duration v) {
            authFailureHalfLife = Objects.requireNonNull(v, "limits.authFailureHalfLife");
            return this;
        }

        public Builder eventLoopReadTime(Duration v) {
            eventLoopReadTime = Objects.requireNonNull(v, "limits.eventLoopReadTime");
            return this;
        }

        /** Sets {@code limits.statementTimeout.<role>}; {@link Duration#ZERO} means no limit. */
        public Builder statementTimeout(io.tetradb.protocol.Role role, Duration v) {
            Objects.requireNonNull(v, "statementTimeout");
            switch (role) {
                case ADMIN -> statementTimeoutAdmin = v;
                case READER -> statementTimeoutReader = v;
                default -> statementTimeoutUser = v;
            }
            return this;
        }

        public Builder sessionOutputBytes(long v) {
            sessionOutputBytes = v;
            return this;
        }

        public Builder sessionOutputRows(int v) {
            sessionOutputRows = v;
            return this;
        }

        public Builder cursorsPerSession(int v) {
            cursorsPerSession = v;
            return this;
        }

        public Builder requestBytesInFlight(long v) {
            requestBytesInFlight = v;
            return this;
        }

        public Builder statementsPerUser(int v) {
            statementsPerUser = v;
            return this;
        }

        public Builder sessionsPerUser(int v) {
            sessionsPerUser = v;
            return this;
        }

        public Builder logSync(io.tetradb.server.log.SyncMode v) {
            logSync = v;
            return this;
        }

        public Builder logStructureWait(Duration v) {
            logStructureWait = v;
            return this;
        }

        public Builder logCheckpointInterval(Duration v) {
            logCheckpointInterval = v;
            return this;
        }

        public Builder transactionLogBytes(long v) {
            transactionLogBytes = v;
            return this;
        }

        public Builder httpEnabled(boolean v) {
            httpEnabled = v;
            return this;
        }

        public Builder httpPort(int v) {
            httpPort = v;
            return this;
        }

        public Builder httpSessionTimeout(Duration v) {
            httpSessionTimeout = v;
            return this;
        }

        public Builder httpMetricsToken(String v) {
            httpMetricsToken = v == null || v.isEmpty() ? null : v;
            return this;
        }

        public Builder sqlEngineAdmin(boolean v) {
            sqlEngineAdmin = v;
            return this;
        }

        public Builder gateMaxQueuedBytes(long v) {
            gateMaxQueuedBytes = v;
            return this;
        }

        /**
         * Sets one key from its text form, as tetra.yml, TETRA_* variables and flags give it.
         *
         * @throws ConfigException naming the key when the key is unknown or the value bad
         */
        public Builder set(String key, String value) {
            String v = value == null ? "" : value.trim();
            switch (key) {
                case "host" -> host(v);
                case "port" -> port(parseInt(key, v));
                case "dataDir" -> dataDir(Path.of(v));
                case "maxFrameSize" -> maxFrameSize((int) Math.min(Integer.MAX_VALUE, parseSize(key, v)));
                case "workerThreads" -> workerThreads(parseInt(key, v));
                case "fetchSize" -> fetchSize(parseInt(key, v));
                case "maxConnections" -> maxConnections(parseInt(key, v));
                case "maxRequestsInFlight" -> maxRequestsInFlight(parseInt(key, v));
                case "authFailureDelay" -> authFailureDelay(parseDuration(key, v));
                case "authFailureMaxDelay" -> authFailureMaxDelay(parseDuration(key, v));
                case "shutdownTimeout" -> shutdownTimeout(parseDuration(key, v));
                case "adminPassword" -> adminPassword(v.isEmpty() ? null : value);
                case "adminPasswordFile" -> adminPasswordFile(v.isEmpty() ? null : Path.of(v));
                case "gateMaxQueuedWrites" -> gateMaxQueuedWrites(parseInt(key, v));
                case "gateMaxQueuedBytes" -> gateMaxQueuedBytes(parseSize(key, v));
                case "conversion" -> conversion(parseConversion(key, v));
                case "tlsCertificate" -> tlsCertificate(v.isEmpty() ? null : Path.of(v));
                case "tlsKey" -> tlsKey(v.isEmpty() ? null : Path.of(v));
                case "limits.handshakes" -> handshakes(parseInt(key, v));
                case "limits.handshakesPerAddress" -> handshakesPerAddress(parseInt(key, v));
                case "limits.handshakeTimeout" -> handshakeTimeout(parseDuration(key, v));
                case "limits.handshakeFrameSize" -> handshakeFrameSize((int) Math.min(Integer.MAX_VALUE, parseSize(key, v)));
                case "limits.authFailureHalfLife" -> authFailureHalfLife(parseDuration(key, v));
                case "limits.eventLoopReadTime" -> eventLoopReadTime(parseDuration(key, v));
                case "limits.statementTimeout.admin" -> statementTimeout(io.tetradb.protocol.Role.ADMIN,
                        parseTimeout(key, v));
                case "limits.statementTimeout.user" -> statementTimeout(io.tetradb.protocol.Role.USER,
                        parseTimeout(key, v));
                case "limits.statementTimeout.reader" -> statementTimeout(io.tetradb.protocol.Role.READER,
                        parseTimeout(key, v));
                case "limits.sessionOutputBytes" -> sessionOutputBytes(parseSize(key, v));
                case "limits.sessionOutputRows" -> sessionOutputRows(parseInt(key, v));
                case "limits.cursorsPerSession" -> cursorsPerSession(parseInt(key, v));
                case "limits.requestBytesInFlight" -> requestBytesInFlight(parseSize(key, v));
                case "limits.statementsPerUser" -> statementsPerUser(parseInt(key, v));
                case "limits.sessionsPerUser" -> sessionsPerUser(parseInt(key, v));
                case "sql.engineAdmin" -> sqlEngineAdmin(parseBoolean(key, v));
                case "http.enabled" -> httpEnabled(parseBoolean(key, v));
                case "http.port" -> httpPort(parseInt(key, v));
                case "http.metricsToken" -> httpMetricsToken(v);
                case "http.sessionTimeout" -> httpSessionTimeout(parseDuration(key, v));
                case "log.sync" -> logSync(parseLogSync(key, v));
                case "log.structureWait" -> logStructureWait(parseDuration(key, v));
                case "log.checkpointInterval" -> logCheckpointInterval(parseDuration(key, v));
                case "limits.transactionLogBytes" -> transactionLogBytes(parseSize(key, v));
                default -> throw new ConfigException("unknown setting '" + key + "' (known: "
                        + String.join(", ", KEYS) + ")");
            }
            return this;
        }

        public ServerConfig build() {
            return new ServerConfig(this);
        }
    }

    static io.tetradb.server.log.SyncMode parseLogSync(String key, String v) {
        try {
            return io.tetradb.server.log.SyncMode.fromWord(v);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key + ": '" + v + "' is not one of commit, everySecond");
        }
    }

    static Conversion parseConversion(String key, String v) {
        for (Conversion c : Conversion.values()) {
            if (c.value().equals(v.toLowerCase(java.util.Locale.ROOT))) {
                return c;
            }
        }
        throw new ConfigException(key + ": '" + v + "' is not one of ask, auto, never");
    }

    static boolean parseBoolean(String key, String v) {
        switch (v.toLowerCase(java.util.Locale.ROOT)) {
            case "true":
                return true;
            case "false":
                return false;
            default:
                throw new ConfigException(key + ": '" + v + "' is not true or false");
        }
    }

    static int parseInt(String key, String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new ConfigException(key + ": '" + v + "' is not a whole number");
        }
    }

    /** Sizes: plain bytes, or with a suffix k, m, g (powers of 1024). */
    public static long parseSize(String key, String v) {
        String s = v.toLowerCase().replace("ib", "").replace("b", "");
        long mult = 1;
        if (s.endsWith("k")) {
            mult = 1024;
        } else if (s.endsWith("m")) {
            mult = 1024 * 1024;
        } else if (s.endsWith("g")) {
            mult = 1024L * 1024 * 1024;
        }
        if (mult != 1) {
            s = s.substring(0, s.length() - 1);
        }
        try {
            return Math.multiplyExact(Long.parseLong(s.trim()), mult);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new ConfigException(key + ": '" + v + "' is not a size (for example 16777216, 512k, 16m)");
        }
    }

    /** A timeout: a duration, or 0 / none for no limit. */
    static Duration parseTimeout(String key, String v) {
        if (v.equals("0") || v.equalsIgnoreCase("none")) {
            return Duration.ZERO;
        }
        return parseDuration(key, v);
    }

    /** Durations: a number with ms, s, m, h or d (for example 250ms, 30s, 5m), or ISO-8601 (PT30S). */
    public static Duration parseDuration(String key, String v) {
        try {
            return Durations.parse(v);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key + ": '" + v + "' is not a duration (for example 250ms, 30s, 5m, 1h)");
        }
    }
}
