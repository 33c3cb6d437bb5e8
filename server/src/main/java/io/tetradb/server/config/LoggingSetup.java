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

    /**
     * Sets the log folder for log4j2.xml (${sys:tetra.logDir}); a folder that does not exist
     * yet is created owner-only (0700), with the database folder above it when that is new,
     * as the log names users and addresses (server.log itself is written 0600).
     */
    public static void configure(Path logsDir) {
        try {
            java.nio.file.Files.createDirectories(logsDir, java.nio.file.attribute.PosixFilePermissions
                    .asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException | java.io.IOException e) {
            // Not a POSIX file system, or no folder yet: the server's start reports folder problems itself.
        }
        System.setProperty("tetra.logDir", logsDir.toAbsolutePath().toString());
        System.setProperty("log4j.shutdownHookEnabled", "false");
        System.setProperty("log4j2.shutdownHookEnabled", "false");
    }

    /** Flushes and stops logging. */
    public static void shutdown() {
        LogManager.shutdown();
    }
}
