package io.tetradb.jdbc;

import io.tetradb.client.ClientConfig;
import io.tetradb.client.WaitPolicy;
import io.tetradb.protocol.Durations;
import io.tetradb.protocol.ProtocolVersion;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * A parsed {@code jdbc:tetra://host[:port][/][?key=value&...]} URL with the connection
 * properties given beside it: what {@link TetraDriver} and {@link TetraDataSource}
 * connect with. The keys, in the URL or as properties (properties given to
 * {@code DriverManager.getConnection} win over the URL's):
 * {@code user}, {@code password}, {@code tls} (true/false), {@code tlsTrustedCertificates}
 * (a PEM file), {@code waitPolicy} ({@code wait}, {@code fail-fast},
 * {@code wait-at-most=DURATION}), {@code productName} ({@code H2}, the default, or
 * {@code Tetra}), {@code connectTimeout} (a duration such as 10s), {@code fetchSize}
 * (rows per batch) and {@code clientName}. An unknown key in the URL is refused (a typo
 * must not be ignored); an unknown property is ignored, as tools add their own.
 *
 * <pre>{@code
 * JdbcUrl u = JdbcUrl.parse("jdbc:tetra://db.example:19813/?tls=true&waitPolicy=fail-fast", new Properties());
 * }</pre>
 */
public final class JdbcUrl {
    /** The prefix every Tetra URL starts with. */
    public static final String PREFIX = "jdbc:tetra://";
    /** The keys this driver knows. */
    static final String[] KEYS = {"user", "password", "tls", "tlsTrustedCertificates", "waitPolicy", "productName",
        "connectTimeout", "fetchSize", "clientName"};

    private final String host;
    private final int port;
    private final Map<String, String> values;

    private JdbcUrl(String host, int port, Map<String, String> values) {
        this.host = host;
        this.port = port;
        this.values = values;
    }

    /** Whether {@code url} is one of this driver's. */
    public static boolean accepts(String url) {
        return url != null && url.regionMatches(true, 0, PREFIX, 0, PREFIX.length());
    }

    /**
     * Parses {@code url} and merges {@code info} into it.
     *
     * @throws SQLException (SQLState 08001) naming what is wrong: a bad host or port, an unknown key, a bad value
     */
    public static JdbcUrl parse(String url, Properties info) throws SQLException {
        if (!accepts(url)) {
            throw invalid("A Tetra JDBC URL starts with " + PREFIX + ": " + url);
        }
        String rest = url.substring(PREFIX.length());
        String query = "";
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        if (rest.endsWith("/")) {
            rest = rest.substring(0, rest.length() - 1);
        }
        if (rest.contains("/")) {
            throw invalid("A Tetra server hosts one database: the URL has no database name after the host (" + url
                    + ").");
        }
        String host = rest;
        int port = ProtocolVersion.DEFAULT_PORT;
        int colon = rest.lastIndexOf(':');
        if (rest.startsWith("[")) {
            int end = rest.indexOf(']');
            if (end < 0) {
                throw invalid("Unclosed [ in the host of " + url + ".");
            }
            host = rest.substring(1, end);
            colon = rest.indexOf(':', end);
        } else if (colon >= 0) {
            host = rest.substring(0, colon);
        }
        if (colon >= 0) {
            String p = rest.substring(colon + 1);
            try {
                port = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw invalid("The port '" + p + "' of " + url + " is not a number.");
            }
            if (port < 1 || port > 65535) {
                throw invalid("The port " + port + " of " + url + " is not between 1 and 65535.");
            }
        }
        if (host.isEmpty()) {
            host = "localhost";
        }
        Map<String, String> values = new LinkedHashMap<>();
        if (!query.isEmpty()) {
            for (String pair : query.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String key = decode(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                values.put(known(key, url), value);
            }
        }
        if (info != null) {
            for (String name : info.stringPropertyNames()) {
                String key = canonical(name);
                if (key != null) {
                    values.put(key, info.getProperty(name));
                }
            }
        }
        JdbcUrl u = new JdbcUrl(host, port, values);
        u.check();
        return u;
    }

    private void check() throws SQLException {
        productName();
        waitPolicy();
        connectTimeout();
        fetchSize();
        String tls = values.get("tls");
        if (tls != null && !tls.equalsIgnoreCase("true") && !tls.equalsIgnoreCase("false")) {
            throw invalid("tls must be true or false, not '" + tls + "'.");
        }
    }

    private static String known(String key, String url) throws SQLException {
        String k = canonical(key);
        if (k == null) {
            throw invalid("Unknown key '" + key + "' in " + url + "; the keys are " + String.join(", ", KEYS) + ".");
        }
        return k;
    }

    private static String canonical(String key) {
        for (String k : KEYS) {
            if (k.equalsIgnoreCase(key)) {
                return k;
            }
        }
        return null;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static SQLException invalid(String message) {
        return new SQLException(message, "08001", 0);
    }

    /** The server's host. */
    public String host() {
        return host;
    }

    /** The server's port (19813 unless given). */
    public int port() {
        return port;
    }

    /** A key's value, or null. */
    public String get(String key) {
        return values.get(key);
    }

    /** The product name DatabaseMetaData reports: "H2" (so tools pick H2's dialect) or "Tetra". */
    public String productName() throws SQLException {
        String p = values.getOrDefault("productName", "H2");
        if (p.equalsIgnoreCase("H2")) {
            return "H2";
        }
        if (p.equalsIgnoreCase("Tetra")) {
            return "Tetra";
        }
        throw invalid("productName must be H2 or Tetra, not '" + p + "'.");
    }

    /** The connection's wait policy for writes held back by a backup. */
    public WaitPolicy waitPolicy() throws SQLException {
        String w = values.get("waitPolicy");
        if (w == null || w.isEmpty()) {
            return WaitPolicy.WAIT;
        }
        try {
            return WaitPolicy.parse(w);
        } catch (IllegalArgumentException e) {
            throw invalid("waitPolicy: " + e.getMessage() + ".");
        }
    }

    private Duration connectTimeout() throws SQLException {
        String t = values.get("connectTimeout");
        if (t == null || t.isEmpty()) {
            return Duration.ofSeconds(30);
        }
        try {
            return Durations.parse(t);
        } catch (IllegalArgumentException e) {
            throw invalid("connectTimeout '" + t + "' is not a duration (500ms, 10s, 1m, PT10S).");
        }
    }

    private int fetchSize() throws SQLException {
        String f = values.get("fetchSize");
        if (f == null || f.isEmpty()) {
            return 0;
        }
        try {
            int n = Integer.parseInt(f);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw invalid("fetchSize must be a number of rows, 0 or more, not '" + f + "'.");
        }
    }

    /** The client library's configuration for this URL. */
    ClientConfig clientConfig(Duration loginTimeout) throws SQLException {
        ClientConfig.Builder b = ClientConfig.builder().host(host).port(port)
                .user(values.getOrDefault("user", ""))
                .password(values.getOrDefault("password", ""))
                .waitPolicy(waitPolicy())
                .connectTimeout(loginTimeout != null && !loginTimeout.isZero() ? loginTimeout : connectTimeout())
                .clientName(values.getOrDefault("clientName", "tetra-jdbc"))
                .tls(Boolean.parseBoolean(values.getOrDefault("tls", "false")));
        String certs = values.get("tlsTrustedCertificates");
        if (certs != null && !certs.isEmpty()) {
            b.tlsTrustedCertificates(Path.of(certs));
        }
        int fetch = fetchSize();
        if (fetch > 0) {
            b.fetchSize(fetch);
        }
        return b.build();
    }

    /** The URL without its password, as DatabaseMetaData.getURL reports it. */
    String display() {
        StringBuilder b = new StringBuilder(PREFIX).append(host.contains(":") ? "[" + host + "]" : host)
                .append(':').append(port).append('/');
        String sep = "?";
        for (Map.Entry<String, String> e : values.entrySet()) {
            if (e.getKey().equals("password") || e.getKey().equals("user")) {
                continue;
            }
            b.append(sep).append(e.getKey()).append('=').append(e.getValue());
            sep = "&";
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return display();
    }
}
