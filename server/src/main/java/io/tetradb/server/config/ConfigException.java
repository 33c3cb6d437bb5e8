package io.tetradb.server.config;

/**
 * A setting is unknown or has a bad value; the message names the key. The server does
 * not start.
 */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
