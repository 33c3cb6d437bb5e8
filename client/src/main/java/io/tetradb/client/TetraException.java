package io.tetradb.client;

import io.tetradb.protocol.Error;

/**
 * The one exception type of Tetra, on both sides of the wire: an {@link ErrorCode}, a
 * message, and for SQL errors (2006) H2's SQLState and error code.
 *
 * <pre>{@code
 * try {
 *     client.execute("INSERT INTO T VALUES (1)");
 * } catch (TetraException e) {
 *     if (e.code() == ErrorCode.BACKUP_IN_PROGRESS) { ... }
 *     System.err.println(e.code().code() + " " + e.getMessage() + " " + e.sqlState());
 * }
 * }</pre>
 */
public class TetraException extends RuntimeException {
    private final ErrorCode code;
    private final int rawCode;
    private final String sqlState;
    private final int vendorCode;
    private final boolean inTransaction;
    private final boolean timedOut;

    /** An error with a code and a message. */
    public TetraException(ErrorCode code, String message) {
        this(code, code.code(), message, null, 0, false, null);
    }

    /** An error with a code, a message and its cause. */
    public TetraException(ErrorCode code, String message, Throwable cause) {
        this(code, code.code(), message, null, 0, false, cause);
    }

    /** A SQL error (2006) with H2's SQLState and error code. */
    public static TetraException sql(String message, String sqlState, int vendorCode, Throwable cause) {
        return new TetraException(ErrorCode.SQL_ERROR, ErrorCode.SQL_ERROR.code(), message, sqlState, vendorCode,
                false, cause);
    }

    /** Rebuilds an exception from an error that crossed the wire. */
    public static TetraException fromWire(Error error) {
        return new TetraException(ErrorCode.fromCode(error.getCode()), error.getCode(), error.getMessage(),
                error.getSqlState().isEmpty() ? null : error.getSqlState(), error.getVendorCode(),
                error.getInTransaction(), error.getTimedOut(), null);
    }

    /** A cancellation (2009) by the statement's timeout. */
    public static TetraException timedOut(String message) {
        return new TetraException(ErrorCode.CANCELLED, ErrorCode.CANCELLED.code(), message, null, 0, false, true, null);
    }

    protected TetraException(ErrorCode code, int rawCode, String message, String sqlState, int vendorCode,
                             boolean inTransaction, Throwable cause) {
        this(code, rawCode, message, sqlState, vendorCode, inTransaction, false, cause);
    }

    private TetraException(ErrorCode code, int rawCode, String message, String sqlState, int vendorCode,
                           boolean inTransaction, boolean timedOut, Throwable cause) {
        super(message == null || message.isEmpty() ? code.defaultMessage() : message, cause);
        this.code = code;
        this.rawCode = rawCode;
        this.sqlState = sqlState;
        this.vendorCode = vendorCode;
        this.inTransaction = inTransaction;
        this.timedOut = timedOut;
    }

    /** The error code. */
    public ErrorCode code() {
        return code;
    }

    /** The number that crossed the wire (equal to {@code code().code()} unless the server is newer). */
    public int rawCode() {
        return rawCode;
    }

    /** H2's SQLState for a SQL error, otherwise null. */
    public String sqlState() {
        return sqlState;
    }

    /** H2's error code for a SQL error, otherwise 0. */
    public int vendorCode() {
        return vendorCode;
    }

    /** Whether the session's transaction is still open after this error. */
    public boolean inTransaction() {
        return inTransaction;
    }

    /** Whether a statement timeout (the request's or the role's) cancelled the statement (2009). */
    public boolean timedOut() {
        return timedOut;
    }

    /** A copy of this error that says whether the session's transaction stays open. */
    public TetraException withInTransaction(boolean open) {
        return new TetraException(code, rawCode, getMessage(), sqlState, vendorCode, open, timedOut, getCause());
    }

    /** A copy with this exception as its cause, so that a rethrow shows where the caller waited. */
    public TetraException rethrown() {
        return new TetraException(code, rawCode, getMessage(), sqlState, vendorCode, inTransaction, timedOut, this);
    }

    /** The wire form of this error. */
    public Error toWire() {
        Error.Builder b = Error.newBuilder().setCode(rawCode).setMessage(getMessage())
                .setVendorCode(vendorCode).setInTransaction(inTransaction).setTimedOut(timedOut);
        if (sqlState != null) {
            b.setSqlState(sqlState);
        }
        return b.build();
    }

    @Override
    public String toString() {
        return "TetraException[" + rawCode + (sqlState != null ? "/" + sqlState : "") + "]: " + getMessage();
    }
}
