package io.tetradb.client;

import io.tetradb.protocol.ProtocolVersion;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * How to reach and log in to a Tetra server.
 *
 * <pre>{@code
 * ClientConfig cfg = ClientConfig.builder()
 *     .host("db.example.com").port(19813)
 *     .user("app").password(System.getenv("TETRA_PASSWORD").toCharArray())
 *     .build();
 * try (TetraClient client = TetraClient.connect(cfg)) { ... }
 * }</pre>
 */
public final class ClientConfig {
    private final String host;
    private final int port;
    private final String user;
    private final char[] password;
    private final Duration connectTimeout;
    private final int fetchSize;
    private final int maxFrameSize;
    private final String clientName;
    private final WaitPolicy waitPolicy;
    private final boolean tls;
    private final Path tlsTrustedCertificates;
    private final Executor callbackExecutor;

    private ClientConfig(Builder b) {
        this.callbackExecutor = b.callbackExecutor;
        this.tls = b.tls || b.tlsTrustedCertificates != null;
        this.tlsTrustedCertificates = b.tlsTrustedCertificates;
        this.waitPolicy = b.waitPolicy;
        this.host = b.host;
        this.port = b.port;
        this.user = b.user;
        this.password = b.password == null ? new char[0] : b.password.clone();
        this.connectTimeout = b.connectTimeout;
        this.fetchSize = b.fetchSize;
        this.maxFrameSize = b.maxFrameSize;
        this.clientName = b.clientName;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Server host. Default {@code localhost}. */
    public String host() {
        return host;
    }

    /** Server port. Default 19813. */
    public int port() {
        return port;
    }

    /** User name. Default {@code admin}. */
    public String user() {
        return user;
    }

    char[] password() {
        return password.clone();
    }

    /** Time allowed to connect and log in. Default 30 s. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** Rows per batch asked of the server for queries; 0 = the server's default. */
    public int fetchSize() {
        return fetchSize;
    }

    /** Largest frame accepted or sent. Default 16 MiB. */
    public int maxFrameSize() {
        return maxFrameSize;
    }

    /** A name shown in the server's session list. Default {@code tetra-client}. */
    public String clientName() {
        return clientName;
    }

    /** What writes do while a backup holds them back. Default {@link WaitPolicy#WAIT}. */
    public WaitPolicy waitPolicy() {
        return waitPolicy;
    }

    /** Whether the connection uses TLS (the server must have a certificate). Default false. */
    public boolean tls() {
        return tls;
    }

    /**
     * PEM file of the certificates trusted to sign the server's (its authority, or the
     * server's own self-signed one); null: the JVM's default trust store. Setting it turns
     * TLS on. The server's name must match its certificate either way.
     */
    public Path tlsTrustedCertificates() {
        return tlsTrustedCertificates;
    }

    /**
     * Where the futures of asynchronous calls complete and event and backup-wait listeners
     * run; null (the default): a pool of the client's own daemon threads
     * ("tetra-client-callbacks-N", made on demand, unbounded, ended at close). A given
     * executor is not shut down by the client. It must not run tasks on the calling thread
     * (as {@code Runnable::run} does): that thread can be the one that reads the
     * connection, and a blocking callback would then stall every reply of the client.
     */
    public Executor callbackExecutor() {
        return callbackExecutor;
    }

    @Override
    public String toString() {
        return "ClientConfig[" + user + "@" + host + ":" + port + "]";
    }

    /** Builder of {@link ClientConfig}. */
    public static final class Builder {
        private String host = "localhost";
        private int port = ProtocolVersion.DEFAULT_PORT;
        private String user = "admin";
        private char[] password;
        private Duration connectTimeout = Duration.ofSeconds(30);
        private int fetchSize;
        private int maxFrameSize = ProtocolVersion.DEFAULT_MAX_FRAME_SIZE;
        private String clientName = "tetra-client";
        private WaitPolicy waitPolicy = WaitPolicy.WAIT;
        private boolean tls;
        private Path tlsTrustedCertificates;
        private Executor callbackExecutor;

        private Builder() {
        }

        /** Runs completions and listeners on {@code v} (null: the client's own pool); see {@link ClientConfig#callbackExecutor()}. */
        public Builder callbackExecutor(Executor v) {
            callbackExecutor = v;
            return this;
        }

        /** Connects with TLS (1.3 or 1.2), verifying the server's certificate and name. */
        public Builder tls(boolean v) {
            tls = v;
            return this;
        }

        /** Trusts the certificates of this PEM file for the server's (turns TLS on); null: the JVM's defaults. */
        public Builder tlsTrustedCertificates(Path v) {
            tlsTrustedCertificates = v;
            return this;
        }

        public Builder waitPolicy(WaitPolicy v) {
            waitPolicy = Objects.requireNonNull(v, "waitPolicy");
            return this;
        }

        public Builder host(String v) {
            host = Objects.requireNonNull(v, "host");
            return this;
        }

        public Builder port(int v) {
            if (v <= 0 || v > 65535) {
                throw new IllegalArgumentException("port must be between 1 and 65535: " + v);
            }
            port = v;
            return this;
        }

        public Builder user(String v) {
            user = Objects.requireNonNull(v, "user");
            return this;
        }

        /** The password; the array is copied, the caller may clear its own. */
        public Builder password(char[] v) {
            password = v == null ? null : Arrays.copyOf(v, v.length);
            return this;
        }

        public Builder password(String v) {
            return password(v == null ? null : v.toCharArray());
        }

        public Builder connectTimeout(Duration v) {
            connectTimeout = Objects.requireNonNull(v, "connectTimeout");
            return this;
        }

        public Builder fetchSize(int v) {
            if (v < 0) {
                throw new IllegalArgumentException("fetchSize must not be negative: " + v);
            }
            fetchSize = v;
            return this;
        }

        public Builder maxFrameSize(int v) {
            if (v < 1024) {
                throw new IllegalArgumentException("maxFrameSize must be at least 1024: " + v);
            }
            maxFrameSize = v;
            return this;
        }

        public Builder clientName(String v) {
            clientName = Objects.requireNonNull(v, "clientName");
            return this;
        }

        public ClientConfig build() {
            return new ClientConfig(this);
        }
    }
}
