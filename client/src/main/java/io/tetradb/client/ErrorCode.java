package io.tetradb.client;

import java.util.HashMap;
import java.util.Map;

/**
 * The one catalogue of error codes that cross the wire (docs/error-codes.md), shared by the
 * server, the client library and {@code tetra-admin}.
 *
 * <pre>{@code
 * ErrorCode code = ErrorCode.fromCode(error.getCode());
 * if (code == ErrorCode.BACKUP_IN_PROGRESS) { ... }   // -9976
 * }</pre>
 *
 * <p>Only add codes; never renumber or reuse one.
 */
public enum ErrorCode {
    /** An unexpected failure inside the server; the message says what failed. */
    INTERNAL_ERROR(2000, "Internal server error."),
    BACKUP_MAX_ATTEMPTS(1401, "Maximum backup attempts reached; automatic backups are paused."),
    BACKUP_OPEN_TRANSACTION(1404, "The backup cannot start: this session has an open write transaction."),
    BACKUP_TRANSACTION_TIMEOUT(1405, "Timed out waiting for other sessions' transactions to end."),
    BACKUP_STOPPED(1406, "The backup was stopped by a user."),
    BACKUP_DESTINATION(1407, "The backup destination is missing, not a folder, or not writable (a bucket: missing,"
            + " refusing the credentials, or not answering)."),
    BACKUP_IO(1409, "Read or write error during the backup."),
    BACKUP_VERIFY_FAILED(1411, "Archive verification failed."),
    /**
     * The key of encrypted archives and log segments is missing, cannot be read or used, or is
     * not the one a file was encrypted with (the message names the fingerprint expected).
     */
    BACKUP_KEY(1414, "The backup key is missing, unusable, or not the one the archive was encrypted with."),
    BACKUP_ATTACHMENT_MISSING(1418, "Attachment not found: a partial backup was made."),
    BACKUP_ALREADY_RUNNING(1419, "A backup is already running."),
    /** An operation needs the log file and there is none (docs/log-file.md). */
    LOG_MISSING(1403, "There is no log file: this operation needs one."),
    /** The log file could not be archived with the backup. */
    LOG_NOT_ARCHIVABLE(1408, "The log file could not be archived."),
    /** A log segment needed is missing. */
    LOG_SEGMENT_MISSING(1412, "A log segment needed is missing."),
    /** A log segment needed fails its checksum. */
    LOG_SEGMENT_DAMAGED(1413, "A log segment needed fails its checksum."),
    /** A log segment belongs to another database. */
    LOG_SEGMENT_FOREIGN(1416, "A log segment does not belong to this database."),
    /** A log integration or rollback is running. */
    LOG_INTEGRATION_RUNNING(1417, "A log integration or rollback is running."),
    /** Integrating the log stopped at an operation that could not be applied (its number in the message). */
    LOG_OPERATION_FAILED(1420, "Integration stopped: an operation could not be applied."),
    /** The log file cannot be written (disk full, removed, read-only): writes are refused, reads go on. */
    LOG_UNWRITABLE(1274, "The log file cannot be written: writes are refused until it can be."),
    /** The data file was written by an older H2 and must be converted first (docs/conversion.md). */
    CONVERSION_REQUIRED(1430, "The data file must be converted before the database can be opened."),
    /** The check of the source found anomalies; nothing was changed. */
    CONVERSION_ANOMALY(1431, "The source database has anomalies; nothing was changed."),
    /** Too little free disk space for the safety copy and the new file; nothing was changed. */
    CONVERSION_DISK_SPACE(1432, "Not enough free disk space for the conversion; nothing was changed."),
    /** A segment of a split data file is missing; nothing was changed. */
    CONVERSION_SEGMENT_MISSING(1433, "A segment of the split data file is missing; nothing was changed."),
    /** The conversion failed or was interrupted; the original files are as they were. */
    CONVERSION_FAILED(1434, "The conversion failed; the original files are unchanged."),
    /** The data file has a newer file format than this server knows. */
    DATA_FILE_TOO_NEW(1435, "The data file has a newer format than this server knows."),
    /** The conversion was not confirmed (no --yes, or the answer was no); nothing was changed. */
    CONVERSION_NOT_CONFIRMED(1436, "The conversion was not confirmed; nothing was changed."),
    BACKUP_IN_PROGRESS(-9976, "This command cannot be executed because the database backup is in progress."),
    SERVER_BUSY(2001, "Server busy: the write queue is full."),
    AUTH_FAILED(2002, "Authentication failed."),
    PERMISSION_DENIED(2003, "Permission denied."),
    PROTOCOL_ERROR(2004, "Protocol error."),
    FRAME_TOO_LARGE(2005, "Frame too large."),
    SQL_ERROR(2006, "SQL error."),
    NOT_ALLOWED_FOR_ROLE(2007, "Statement not allowed for this role."),
    /** The session was ended: killed by an admin, or the server is shutting down. */
    SESSION_CLOSED(2008, "The session is closed."),
    /** The request was cancelled by the client before or while it ran. */
    CANCELLED(2009, "The request was cancelled."),
    /** A request named something that does not exist or is not valid (a user, a session, a value). */
    INVALID_ARGUMENT(2010, "Invalid argument."),
    /** Client side only: the connection to the server was lost or could not be made. */
    CONNECTION_LOST(2011, "Connection to the server lost.");

    private static final Map<Integer, ErrorCode> BY_CODE = new HashMap<>();

    static {
        for (ErrorCode c : values()) {
            BY_CODE.put(c.code, c);
        }
    }

    private final int code;
    private final String defaultMessage;

    ErrorCode(int code, String defaultMessage) {
        this.code = code;
        this.defaultMessage = defaultMessage;
    }

    /** The number on the wire and in exit messages. */
    public int code() {
        return code;
    }

    /** The standard sentence for this code. */
    public String defaultMessage() {
        return defaultMessage;
    }

    /** The code for a number, or {@link #INTERNAL_ERROR} for an unknown number. */
    public static ErrorCode fromCode(int code) {
        ErrorCode c = BY_CODE.get(code);
        return c == null ? INTERNAL_ERROR : c;
    }

    /** Whether the number is a known code. */
    public static boolean isKnown(int code) {
        return BY_CODE.containsKey(code);
    }
}
