package io.tetradb.server;

import io.tetradb.server.config.ConfigException;
import io.tetradb.server.config.ConfigLoader;
import io.tetradb.server.config.LoggingSetup;
import io.tetradb.server.config.ServerConfig;
import io.tetradb.server.convert.ConversionException;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code tetra-server [--config F] [--data-dir D] [--port P] [--host H] [--set KEY=VALUE]}:
 * loads the settings (tetra.yml, TETRA_* variables, flags), starts the server, and stops
 * it gracefully on SIGTERM or Ctrl-C. Exit code 2 for bad usage or settings (a port that
 * cannot be bound included), 1 when the server cannot start. {@code --help}, {@code --version}
 * and a start refused for a setting or the port create nothing: no database folder, no
 * password file, no log file (the log file is turned on once the port is bound).
 *
 * <p>Runs on the main thread; the stop runs on the JVM's shutdown-hook thread.
 */
public final class ServerMain {
    private ServerMain() {
    }

    /**
     * Netty's leak detector samples one buffer in 128 and records a stack trace for it: 0.5 us of
     * the server's 80 us per point select in a profile (async-profiler, 8 clients). The tests run
     * it at its strictest level ({@code -Dio.netty.leakDetection.level=paranoid}, the parent pom),
     * where a leak fails them; the packaged server turns it off unless the level is given.
     */
    static void quietLeakDetection() {
        if (System.getProperty("io.netty.leakDetection.level") == null
                && System.getProperty("io.netty.leakDetectionLevel") == null) {
            io.netty.util.ResourceLeakDetector.setLevel(io.netty.util.ResourceLeakDetector.Level.DISABLED);
        }
    }

    public static void main(String[] args) {
        quietLeakDetection();
        Path configFile = null;
        Map<String, String> flags = new LinkedHashMap<>();
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--help") || a.equals("-h")) {
                    usage();
                    System.exit(0);
                }
                if (a.equals("--version")) {
                    System.out.println("tetra-server " + TetraServer.version());
                    System.exit(0);
                }
                String value;
                String name = a;
                int eq = a.indexOf('=');
                if (a.startsWith("--") && eq > 0) {
                    name = a.substring(0, eq);
                    value = a.substring(eq + 1);
                } else {
                    if (i + 1 >= args.length) {
                        throw new ConfigException("missing value after " + a);
                    }
                    value = args[++i];
                }
                switch (name) {
                    case "--config" -> configFile = Path.of(value);
                    case "--set" -> {
                        int e = value.indexOf('=');
                        if (e <= 0) {
                            throw new ConfigException("--set expects KEY=VALUE, got '" + value + "'");
                        }
                        flags.put(value.substring(0, e), value.substring(e + 1));
                    }
                    case "--data-dir", "--port", "--host" -> flags.put(ConfigLoader.flagToKey(name), value);
                    default -> throw new ConfigException("unknown option " + name);
                }
            }
        } catch (ConfigException e) {
            System.err.println("tetra-server: " + e.getMessage());
            usage();
            System.exit(2);
            return;
        }

        ServerConfig config;
        try {
            config = ConfigLoader.load(configFile, System.getenv(), flags);
        } catch (ConfigException e) {
            System.err.println("tetra-server: invalid setting: " + e.getMessage());
            System.exit(2);
            return;
        }
        // Every setting, the files they name and the port, checked before anything is created.
        TetraServer server;
        try {
            server = TetraServer.bind(config);
        } catch (ConfigException e) {
            System.err.println("tetra-server: cannot start: " + e.getMessage());
            System.exit(2);
            return;
        } catch (RuntimeException e) {
            System.err.println("tetra-server: cannot start: " + e.getMessage());
            System.exit(1);
            return;
        }
        Path logs = new DataLayout(config.dataDir()).logsDir();
        try {
            // Before log4j makes it: the log names users and addresses (server.log itself is written 0600).
            DataLayout.createOwnerOnlyFolders(logs);
        } catch (java.io.IOException e) {
            // No folder yet: the server's start reports folder problems itself.
        }
        LoggingSetup.configure(logs);

        try {
            server.open();
        } catch (ConfigException e) {
            System.err.println("tetra-server: invalid setting: " + e.getMessage());
            LoggingSetup.shutdown();
            System.exit(2);
            return;
        } catch (ConversionException e) {
            // The data file needs converting (or cannot be): what and what to do, without a stack trace.
            System.err.println("tetra-server: could not start: error " + e.rawCode() + ": " + e.getMessage());
            if (e.advice() != null) {
                System.err.println("tetra-server: " + e.advice());
            }
            LoggingSetup.shutdown();
            System.exit(1);
            return;
        } catch (Exception e) {
            System.err.println("tetra-server: could not start: " + e.getMessage());
            LoggingSetup.shutdown();
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } finally {
                LoggingSetup.shutdown();
                stopped.countDown();
            }
        }, "tetra-shutdown"));
        System.out.println("Tetra " + TetraServer.version() + " is listening on " + config.host() + ":"
                + server.boundPort() + " (database " + server.layout().databaseName() + ", folder "
                + server.layout().root() + (config.tls() ? ", TLS" : "") + ").");
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void usage() {
        System.err.println("usage: tetra-server [--config tetra.yml] [--data-dir DIR] [--port PORT] [--host HOST] "
                + "[--set KEY=VALUE ...]");
        System.err.println("settings: " + String.join(", ", ServerConfig.KEYS)
                + " (tetra.yml keys, TETRA_<KEY> environment variables, or --set)");
    }
}
