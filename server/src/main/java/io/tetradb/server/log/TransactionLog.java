package io.tetradb.server.log;

import io.tetradb.protocol.log.Transaction;

import java.util.concurrent.CompletableFuture;

/**
 * Where committed transactions go: the log file ({@link OperationLog}). Numbers the
 * operations of each transaction in call order and says when they are durable.
 */
public interface TransactionLog {
    /**
     * Appends one transaction of {@code operations} operations, numbering them after those
     * appended before (in call order); its {@code first_operation} is set here.
     *
     * @throws io.tetradb.protocol.TetraException 1274 when the log cannot be written now
     */
    Appended append(Transaction.Builder transaction, int operations);

    /** Whether appends are accepted now (false while the log file cannot be written). */
    boolean isWritable();

    /**
     * One appended transaction.
     *
     * @param firstOperation its first operation's number
     * @param lastOperation  its last operation's number
     * @param durable        completes once it is as durable as {@code log.sync} asks (on disk for
     *                       {@code commit}); completes exceptionally with 1274 when it could not be written
     */
    record Appended(long firstOperation, long lastOperation, CompletableFuture<Void> durable) {
    }
}
