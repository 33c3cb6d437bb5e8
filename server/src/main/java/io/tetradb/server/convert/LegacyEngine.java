package io.tetradb.server.convert;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.Properties;

/**
 * One H2 engine for reading (or, in tests, writing) databases: an older H2 loaded from its
 * jar in its own {@link URLClassLoader}, whose parent is the platform class loader so that
 * none of its classes meets the server's own H2 (they share only {@code java.sql}); or the
 * server's current engine. Used through {@link java.sql} interfaces only.
 *
 * <pre>{@code
 * try (LegacyEngine h2 = LegacyEngine.load(Path.of("legacy-engines/h2-1.4.200.jar"));
 *      Connection c = h2.connect("jdbc:h2:/data/old;ACCESS_MODE_DATA=r", "SA", "")) {
 *     ...
 * }
 * }</pre>
 *
 * <p>Thread-safe; connections follow JDBC's rules.
 */
public final class LegacyEngine implements AutoCloseable {
    private final String version;
    private final Driver driver;
    private final URLClassLoader loader;

    private LegacyEngine(String version, Driver driver, URLClassLoader loader) {
        this.version = version;
        this.driver = driver;
        this.loader = loader;
    }

    /** Loads the H2 engine in {@code jar} in a class loader of its own. */
    public static LegacyEngine load(Path jar) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IOException("The H2 engine " + jar + " is missing.");
        }
        URLClassLoader loader = new URLClassLoader("h2-" + jar.getFileName(), new URL[] {jar.toUri().toURL()},
                ClassLoader.getPlatformClassLoader());
        try {
            Driver driver = (Driver) loader.loadClass("org.h2.Driver").getDeclaredConstructor().newInstance();
            String version = driver.getMajorVersion() + "." + driver.getMinorVersion();
            try {
                Class<?> constants = loader.loadClass("org.h2.engine.Constants");
                Object full = constants.getField("FULL_VERSION").get(null);
                version = String.valueOf(full);
            } catch (ReflectiveOperationException ignored) {
                // the major.minor version is enough for messages
            }
            return new LegacyEngine(version, driver, loader);
        } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
            loader.close();
            throw new IOException("The H2 engine " + jar + " cannot be loaded: " + e, e);
        }
    }

    /** The server's own engine (for sources already in the current format). */
    public static LegacyEngine current() {
        return new LegacyEngine(org.h2.engine.Constants.FULL_VERSION, new org.h2.Driver(), null);
    }

    /** The engine's version, e.g. {@code 1.4.200 (2019-10-14)}. */
    public String version() {
        return version;
    }

    /** Whether this is the server's own engine. */
    public boolean isCurrent() {
        return loader == null;
    }

    /** A connection to {@code url} with these credentials. */
    public Connection connect(String url, String user, String password) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        Connection c = driver.connect(url, p);
        if (c == null) {
            throw new SQLException("H2 " + version + " does not accept the URL " + url);
        }
        return c;
    }

    /**
     * Unregisters the engine's driver (H2 registers itself with DriverManager when loaded;
     * only its own class may take itself off again) and closes its class loader.
     */
    @Override
    public void close() {
        if (loader == null) {
            return;
        }
        try {
            Method unload = loader.loadClass("org.h2.Driver").getMethod("unload");
            unload.invoke(null);
        } catch (ReflectiveOperationException | LinkageError ignored) {
            // an engine without unload() stays registered, unreachable from the server's classes
        }
        try {
            loader.close();
        } catch (IOException ignored) {
            // nothing more to free
        }
    }
}
