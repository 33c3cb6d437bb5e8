package io.tetradb.server.backup;

import io.tetradb.server.log.Checkpoints;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.message.DbException;
import org.h2.schema.Schema;
import org.h2.schema.Sequence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Puts every sequence's and identity column's exact position into the data file a backup is
 * about to copy (docs/backups.md: a restored database equals the state at the moment the gate
 * closed). H2 hands a sequence's values out of memory and writes its position to the data
 * file in use with its cache (32 values by default) of margin, and exactly only when the
 * database closes. A copy of the open file would hold positions up to 32 values ahead: the
 * restored database would skip them, and the log's replay, which only moves a position
 * forward, could not bring it back. So at gate close, while no write runs and no write
 * transaction is open, each sequence's margin is dropped (its next value is kept) and its
 * position is written; the checkpoint that follows puts it in the version copied. The running
 * database loses nothing: its next value taken writes a new margin, as H2 does every 32 values.
 *
 * <p>Dropping the margin goes through {@link Sequence#modify} (synchronized with H2's
 * {@code getNext}, so a value taken meanwhile is never written back behind), then
 * {@link Sequence#flush} through H2's system session, as H2 does itself. A sequence whose
 * position cannot be written keeps its margin (the state before this class: up to 32 values
 * skipped) and is logged; the backup goes on.
 *
 * <p>Runs on the backup thread, with the gate closed and quiet, inside a checkpoint call (it
 * changes the engine, as a session's call does); it holds no lock of its own.
 */
final class SequencePositions {
    private static final Logger LOG = LoggerFactory.getLogger(SequencePositions.class);

    private SequencePositions() {
    }

    /**
     * Writes the exact position of every sequence of {@code database}'s engine, inside a call of
     * {@code checkpoints} (null when the server has none: embedded mode); returns how many.
     */
    static int writeExact(io.tetradb.server.sql.Database database, Checkpoints checkpoints) throws SQLException {
        org.h2.engine.Database engine;
        synchronized (database) {
            // Released before the call is taken: a holder of this monitor may wait for a checkpoint.
            Connection system = database.system();
            engine = ((SessionLocal) system.unwrap(JdbcConnection.class).getSession()).getDatabase();
        }
        Checkpoints.Call call = checkpoints == null ? Checkpoints.Call.NONE : checkpoints.call();
        try {
            return writeExact(engine);
        } finally {
            call.close();
        }
    }

    private static int writeExact(org.h2.engine.Database engine) {
        int written = 0;
        for (Schema schema : engine.getAllSchemasNoMeta()) {
            for (Sequence s : schema.getAllSequences()) {
                if (s.isTemporary()) {
                    continue;
                }
                try {
                    // Same position, no margin: what H2 writes when the database closes.
                    s.modify(null, null, null, null, null, null, null);
                    s.flush(null);
                    written++;
                } catch (DbException e) {
                    LOG.warn("The position of sequence {}.{} could not be written exactly before the backup; the "
                            + "archive holds it with H2's margin.", schema.getName(), s.getName(), e);
                }
            }
        }
        return written;
    }
}
