package io.tetradb.protocol;

/**
 * A wire value that cannot be read: its text does not parse as its kind, or its kind is newer than
 * this build. Whoever decodes the value answers it as error 1001 (invalid argument); the protocol
 * module has no error codes of its own, they belong to the client API ({@code io.tetradb.client}).
 */
public final class InvalidValueException extends IllegalArgumentException {
    public InvalidValueException(String message) {
        super(message);
    }

    public InvalidValueException(String message, Throwable cause) {
        super(message, cause);
    }
}
