package io.tetradb.server.log;

import java.io.IOException;

/**
 * Test hook of {@link OperationLog}: the writer thread ({@code tetra-log-writer}) calls it at
 * each step of a batch, so that tests can hold the writer, see the order of write, force and
 * acknowledgement, or make a force fail.
 */
interface LogWriterObserver {
    LogWriterObserver NONE = new LogWriterObserver() {
    };

    /** Before a batch of {@code transactions} from {@code firstOperation} on is written. */
    default void beforeWrite(long firstOperation, int transactions) {
    }

    /** After a batch's frames were written, before they are forced; may throw to act as a failed force. */
    default void afterWrite(long lastOperation) throws IOException {
    }

    /** After a force that made every operation up to {@code lastOperation} durable. */
    default void afterForce(long lastOperation) {
    }
}
