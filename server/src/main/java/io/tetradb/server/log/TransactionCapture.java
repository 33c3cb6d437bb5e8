package io.tetradb.server.log;

import io.tetradb.protocol.log.Operation;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The operations one session's open transaction has done so far, in the order they were
 * done, waiting for its commit to be logged (docs/log-file.md). The row trigger adds rows as
 * the engine stores them; a statement that fails is taken back to where it started, a
 * {@code ROLLBACK TO SAVEPOINT} to where its savepoint was set, a rollback to nothing, as
 * the engine does with the rows themselves (its triggers are not called for any of these).
 *
 * <p>A transaction may hold at most {@code maxBytes} of operations (the setting
 * {@code limits.transactionLogBytes}): beyond, the statement fails, so that one session
 * cannot fill the server's memory with one transaction.
 *
 * <p>Confined to the session's worker (the task running its requests); the trigger runs
 * on that thread, inside the statement.
 */
public final class TransactionCapture {
    private static final ThreadLocal<TransactionCapture> CURRENT = new ThreadLocal<>();

    private final long maxBytes;
    private final List<Operation> operations = new ArrayList<>();
    /** Bytes of operations up to each index: sizes[i] = bytes of operations[0..i). */
    private final List<Long> sizes = new ArrayList<>(List.of(0L));
    private final Map<String, Integer> savepoints = new HashMap<>();
    private int statementStart;
    private long bytes;

    public TransactionCapture(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** The capture of the statement running on this thread, or null. */
    static TransactionCapture current() {
        return CURRENT.get();
    }

    /** Makes this the capture of the statements this thread runs until {@link #detach}. */
    public void attach() {
        CURRENT.set(this);
    }

    public static void detach() {
        CURRENT.remove();
    }

    void add(Operation op) throws SQLException {
        long size = op.getSerializedSize();
        if (bytes + size > maxBytes) {
            throw new SQLException("The transaction is too large for the log: its changes exceed "
                    + io.tetradb.protocol.ByteSizes.format(maxBytes) + " (limits.transactionLogBytes). Commit in "
                    + "smaller transactions.", "54000");
        }
        operations.add(op);
        bytes += size;
        sizes.add(bytes);
    }

    /** A statement starts: what it adds is taken back if it fails. */
    public void statementStarts() {
        statementStart = operations.size();
    }

    /** The statement failed: the engine took its changes back (to the statement's start). */
    public void statementFailed() {
        truncate(statementStart);
    }

    public void savepoint(String name) {
        savepoints.put(name, operations.size());
    }

    /** {@code ROLLBACK TO SAVEPOINT name} ran; an unknown name changes nothing (the engine refused it). */
    public void rollbackTo(String name) {
        Integer at = savepoints.get(name);
        if (at != null) {
            truncate(at);
            savepoints.values().removeIf(i -> i > at);
        }
    }

    private void truncate(int size) {
        if (size < operations.size()) {
            operations.subList(size, operations.size()).clear();
            sizes.subList(size + 1, sizes.size()).clear();
            bytes = sizes.get(size);
        }
        if (statementStart > size) {
            statementStart = size;
        }
    }

    /** The transaction ended (committed and logged, or rolled back). */
    public void clear() {
        operations.clear();
        sizes.clear();
        sizes.add(0L);
        savepoints.clear();
        statementStart = 0;
        bytes = 0;
    }

    public boolean isEmpty() {
        return operations.isEmpty();
    }

    public List<Operation> operations() {
        return operations;
    }

    public long bytes() {
        return bytes;
    }
}
