package io.tetradb.server.log;

/**
 * When the log file is synced to disk ({@code log.sync} in tetra.yml, PRODUCT.md 4.10).
 *
 * <p>Immutable; any thread.
 */
public enum SyncMode {
    /** A transaction is durable once its frame is written and the file forced; the batch shares one force. */
    COMMIT,
    /** A transaction is acknowledged once written; the file is forced once a second (up to a second may be lost). */
    EVERY_SECOND
}
