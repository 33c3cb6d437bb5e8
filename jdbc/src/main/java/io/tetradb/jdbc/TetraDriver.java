package io.tetradb.jdbc;

import io.tetradb.client.TetraClient;
import io.tetradb.client.TetraException;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * Tetra's JDBC driver: {@code jdbc:tetra://host[:port][/][?key=value&...]} (keys in
 * {@link JdbcUrl}). Registered with {@link DriverManager} when loaded, and found through
 * the {@code java.sql.Driver} service file, so no {@code Class.forName} is needed.
 *
 * <pre>{@code
 * try (Connection c = DriverManager.getConnection("jdbc:tetra://localhost:19813/", "app", pw)) {
 *     ...
 * }
 * }</pre>
 *
 * <p>Thread-safe; connecting runs on the calling thread.
 */
public final class TetraDriver implements Driver {
    /** The driver's version, as DatabaseMetaData reports it. */
    public static final int MAJOR_VERSION = 0;
    public static final int MINOR_VERSION = 1;

    static {
        try {
            DriverManager.registerDriver(new TetraDriver());
        } catch (SQLException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Override
    public Connection connect(String url, Properties info) throws SQLException {
        if (!acceptsURL(url)) {
            return null; // JDBC: another driver's URL
        }
        return open(JdbcUrl.parse(url, info), loginTimeout());
    }

    static TetraConnection open(JdbcUrl url, Duration loginTimeout) throws SQLException {
        TetraClient client;
        try {
            client = TetraClient.connect(url.clientConfig(loginTimeout));
        } catch (TetraException e) {
            throw JdbcErrors.connecting(e, url);
        }
        return new TetraConnection(client, url);
    }

    private static Duration loginTimeout() {
        int seconds = DriverManager.getLoginTimeout();
        return seconds > 0 ? Duration.ofSeconds(seconds) : null;
    }

    @Override
    public boolean acceptsURL(String url) {
        return JdbcUrl.accepts(url);
    }

    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
        String[] descriptions = {"the Tetra user", "the user's password", "connect with TLS (true/false)",
            "PEM file of the certificates to trust", "wait, fail-fast or wait-at-most=DURATION",
            "H2 (the default, so tools pick H2's dialect) or Tetra", "how long connecting may take (10s)",
            "rows per batch of a result", "the name the server shows for this client"};
        DriverPropertyInfo[] out = new DriverPropertyInfo[JdbcUrl.KEYS.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = new DriverPropertyInfo(JdbcUrl.KEYS[i], info == null ? null : info.getProperty(JdbcUrl.KEYS[i]));
            out[i].description = descriptions[i];
            out[i].required = i < 2;
        }
        out[2].choices = new String[]{"true", "false"};
        out[5].choices = new String[]{"H2", "Tetra"};
        return out;
    }

    @Override
    public int getMajorVersion() {
        return MAJOR_VERSION;
    }

    @Override
    public int getMinorVersion() {
        return MINOR_VERSION;
    }

    /** Not JDBC compliant in the strict sense (no SQL-92 entry level certification), as most drivers. */
    @Override
    public boolean jdbcCompliant() {
        return false;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("The Tetra driver logs through SLF4J, not java.util.logging.");
    }
}
