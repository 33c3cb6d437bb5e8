package io.tetradb.jdbc;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A {@link DataSource} for Tetra, configured with setters (as pools and frameworks
 * configure data sources) or with a URL; each {@link #getConnection()} opens a new
 * session. For pooling, give it (or the URL) to a pool such as HikariCP.
 *
 * <pre>{@code
 * TetraDataSource ds = new TetraDataSource();
 * ds.setServerName("db.example");
 * ds.setPortNumber(19813);
 * ds.setUser("app");
 * ds.setPassword(pw);
 * ds.setWaitPolicy("wait-at-most=30s");
 * try (Connection c = ds.getConnection()) { ... }
 * }</pre>
 *
 * <p>Setters and getConnection may be called from any thread; a connection is opened on
 * the calling thread.
 */
public class TetraDataSource implements DataSource {
    private volatile String url;
    private volatile String serverName = "localhost";
    private volatile int portNumber = io.tetradb.protocol.ProtocolVersion.DEFAULT_PORT;
    private final Properties properties = new Properties();
    private volatile int loginTimeout;
    private volatile PrintWriter logWriter;

    /** A whole URL (jdbc:tetra://...); when set, serverName and portNumber are not used. */
    public void setUrl(String url) {
        this.url = url;
    }

    public String getUrl() {
        return url;
    }

    /** The same as {@link #setUrl} (the name some frameworks look for). */
    public void setURL(String url) {
        setUrl(url);
    }

    public String getURL() {
        return getUrl();
    }

    public void setServerName(String host) {
        serverName = host;
    }

    public String getServerName() {
        return serverName;
    }

    public void setPortNumber(int port) {
        portNumber = port;
    }

    public int getPortNumber() {
        return portNumber;
    }

    public void setUser(String user) {
        set("user", user);
    }

    public String getUser() {
        return properties.getProperty("user");
    }

    public void setPassword(String password) {
        set("password", password);
    }

    public void setTls(boolean tls) {
        set("tls", Boolean.toString(tls));
    }

    public void setTlsTrustedCertificates(String pemFile) {
        set("tlsTrustedCertificates", pemFile);
    }

    /** wait, fail-fast or wait-at-most=DURATION. */
    public void setWaitPolicy(String policy) {
        set("waitPolicy", policy);
    }

    /** H2 (the default) or Tetra: the product name DatabaseMetaData reports. */
    public void setProductName(String name) {
        set("productName", name);
    }

    public void setFetchSize(int rows) {
        set("fetchSize", Integer.toString(rows));
    }

    public void setClientName(String name) {
        set("clientName", name);
    }

    private void set(String key, String value) {
        synchronized (properties) {
            if (value == null) {
                properties.remove(key);
            } else {
                properties.setProperty(key, value);
            }
        }
    }

    private Properties properties() {
        synchronized (properties) {
            Properties p = new Properties();
            p.putAll(properties);
            return p;
        }
    }

    private String effectiveUrl() {
        String u = url;
        if (u != null) {
            return u;
        }
        String host = serverName.contains(":") ? "[" + serverName + "]" : serverName;
        return JdbcUrl.PREFIX + host + ":" + portNumber + "/";
    }

    @Override
    public Connection getConnection() throws SQLException {
        return TetraDriver.open(JdbcUrl.parse(effectiveUrl(), properties()), timeout());
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
        Properties p = properties();
        p.setProperty("user", user == null ? "" : user);
        p.setProperty("password", password == null ? "" : password);
        return TetraDriver.open(JdbcUrl.parse(effectiveUrl(), p), timeout());
    }

    private Duration timeout() {
        return loginTimeout > 0 ? Duration.ofSeconds(loginTimeout) : null;
    }

    @Override
    public PrintWriter getLogWriter() {
        return logWriter;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        logWriter = out;
    }

    @Override
    public void setLoginTimeout(int seconds) {
        loginTimeout = seconds;
    }

    @Override
    public int getLoginTimeout() {
        return loginTimeout;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("The Tetra driver logs through SLF4J, not java.util.logging.");
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("A TetraDataSource is not a " + iface.getName() + ".", "HY000");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }
}
