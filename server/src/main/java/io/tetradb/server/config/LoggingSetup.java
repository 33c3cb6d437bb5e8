package io.tetradb.server.config;

import org.apache.logging.log4j.LogManager;

import java.nio.file.Path;

/**
 * Points the server log at {@code <db>/Logs/server.log} before the first logger is
 * created, and stops Log4j after the server has closed (its own shutdown hook is off,
 * so the last lines of a graceful stop are not lost).
 *
 * <p>Main thread and shutdown hook.
 */
public final class LoggingSetup {
    private LoggingSetup() {
    }

    /** Sets the log folder for log4j2.xml (${sys:tetra.logDir}). */
    public static void configure(Path logsDir) {
        System.setProperty("tetra.logDir", logsDir.toAbsolutePath().toString());
        System.setProperty("log4j.shutdownHookEnabled", "false");
        System.setProperty("log4j2.shutdownHookEnabled", "false");
    }

    /** Flushes and stops logging. */
    public static void shutdown() {
        LogManager.shutdown();
    }
}
