package io.tetradb.server.config;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;

import java.nio.file.Path;

/**
 * Points the server log at {@code <db>/Logs/server.log} once the start may go ahead (its
 * arguments and settings checked, its port bound), and stops Log4j after the server has
 * closed (its own shutdown hook is off, so the last lines of a graceful stop are not lost).
 * Until {@link #configure} log4j2.xml writes to the console only, so that
 * {@code tetra-server --version}, {@code --help} and a refused start create no file.
 *
 * <p>Main thread and shutdown hook.
 */
public final class LoggingSetup {
    private LoggingSetup() {
    }

    /** Sets the log folder for log4j2.xml (${sys:tetra.logDir}) and turns its file appender on. */
    public static void configure(Path logsDir) {
        System.setProperty("tetra.logDir", logsDir.toAbsolutePath().toString());
        System.setProperty("log4j.shutdownHookEnabled", "false");
        System.setProperty("log4j2.shutdownHookEnabled", "false");
        // Netty or a check may have started Log4j already (console only): it reads log4j2.xml again.
        if (LogManager.getContext(false) instanceof LoggerContext context) {
            context.reconfigure();
        }
    }

    /** Flushes and stops logging. */
    public static void shutdown() {
        LogManager.shutdown();
    }
}
