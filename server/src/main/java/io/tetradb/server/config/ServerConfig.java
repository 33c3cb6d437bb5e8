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
            "conversion", "tlsCertificate", "tlsKey", "sql.engineAdmin");

    /**
     * What the server does at start with a data file an older H2 wrote (PRODUCT.md 5):
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
    private final boolean sqlEngineAdmin;

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
        this.sqlEngineAdmin = b.sqlEngineAdmin;
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
        b.sqlEngineAdmin = sqlEngineAdmin;
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

    /** Connections accepted at once; more are refused with 2001. Default 1000. */
    public int maxConnections() {
        return maxConnections;
    }

    /** Requests one session may have waiting or running; more are refused with 2001. Default 10000. */
    public int maxRequestsInFlight() {
        return maxRequestsInFlight;
    }

    /** Delay before a failed authentication is answered. Default 250 ms. */
    public Duration authFailureDelay() {
        return authFailureDelay;
    }

    /** Longest delay for repeated failures from one address (doubling each time). Default 5 s. */
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
     * {@code sql.engineAdmin}: whether SQL sessions of the admin role run with the engine's admin
     * rights (H2's file and code features: FILE_READ, CSVWRITE, CREATE ALIAS, SCRIPT TO, BACKUP,
     * LINK_SCHEMA, ...), which reach the server's files and run code as its OS user. Set only in
     * tetra.yml, a TETRA_SQL_ENGINE_ADMIN variable or a flag, never remotely. Default false: the admin
     * role has every right on every object but none of those features.
     */
    public boolean sqlEngineAdmin() {
        return sqlEngineAdmin;
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
        return "host=" + host + " port=" + port + " dataDir=" + dataDir.toAbsolutePath().normalize()
                + " maxFrameSize=" + maxFrameSize + " workerThreads=" + workerThreads + " fetchSize=" + fetchSize
                + " maxConnections=" + maxConnections + " maxRequestsInFlight=" + maxRequestsInFlight
                + " authFailureDelay=" + authFailureDelay.toMillis() + "ms"
                + " authFailureMaxDelay=" + authFailureMaxDelay.toMillis() + "ms"
                + " shutdownTimeout=" + shutdownTimeout.toMillis() + "ms"
                + " gateMaxQueuedWrites=" + gateMaxQueuedWrites + " gateMaxQueuedBytes=" + gateMaxQueuedBytes
                + " conversion=" + (conversion == null ? "null" : conversion.value())
                + " tls=" + (tls() ? tlsCertificate : "off") + " sql.engineAdmin=" + sqlEngineAdmin
                + " adminPassword=" + (adminPassword != null ? "(set)" : adminPasswordFile != null ? "(file)" : "(none)");
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
        private boolean sqlEngineAdmin;

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
                case "sql.engineAdmin" -> sqlEngineAdmin(parseBoolean(key, v));
                default -> throw new ConfigException("unknown setting '" + key + "' (known: "
                        + String.join(", ", KEYS) + ")");
            }
            return this;
        }

        public ServerConfig build() {
            return new ServerConfig(this);
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

    /** Durations: a number with ms, s, m, h or d (for example 250ms, 30s, 5m), or ISO-8601 (PT30S). */
    public static Duration parseDuration(String key, String v) {
        try {
            return Durations.parse(v);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key + ": '" + v + "' is not a duration (for example 250ms, 30s, 5m, 1h)");
        }
    }
}
