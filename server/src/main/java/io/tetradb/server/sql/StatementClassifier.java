package io.tetradb.server.sql;

import io.tetradb.protocol.StatementKind;
import org.h2.command.Command;
import org.h2.command.CommandContainer;
import org.h2.command.CommandInterface;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.message.DbException;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Classifies one SQL statement as read, data write, structure write, transaction
 * control or other, with H2's own parser: the statement is prepared (not executed) in
 * the caller's H2 session, and its command type and read-only flag decide. A SELECT
 * that increments a sequence ({@code SELECT NEXT VALUE FOR s}) is not read-only for H2,
 * so it is a data write. No regular expressions.
 *
 * <p>Runs on the session's worker thread, with that session's connection.
 */
public final class StatementClassifier {
    private StatementClassifier() {
    }

    /** The classification of one statement. */
    public record Classification(StatementKind kind, int commandType, boolean query) {
        /** Whether the statement changes data or structure. */
        public boolean isWrite() {
            return kind == StatementKind.DATA_WRITE || kind == StatementKind.STRUCTURE_WRITE;
        }
    }

    /**
     * Prepares {@code sql} in the H2 session of {@code connection} and classifies it.
     *
     * @throws SQLException when H2 cannot parse it (the error H2 gives)
     * @throws MultipleStatementsException when the text holds more than one statement
     */
    public static Classification classify(Connection connection, String sql) throws SQLException {
        SessionLocal session = (SessionLocal) connection.unwrap(JdbcConnection.class).getSession();
        Command command;
        try {
            command = session.prepareLocal(sql);
        } catch (DbException e) {
            throw e.getSQLException();
        }
        try {
            if (!(command instanceof CommandContainer container)) {
                throw new MultipleStatementsException();
            }
            int type = container.getCommandType();
            return new Classification(kindOf(type, command.isReadOnly()), type, command.isQuery());
        } finally {
            command.close();
        }
    }

    /** The kind of an H2 command type; {@code readOnly} is H2's verdict for queries and calls. */
    static StatementKind kindOf(int type, boolean readOnly) {
        switch (type) {
            case CommandInterface.SELECT:
            case CommandInterface.CALL:
            case CommandInterface.EXPLAIN:
            case CommandInterface.EXPLAIN_ANALYZE:
                return readOnly ? StatementKind.READ : StatementKind.DATA_WRITE;
            case CommandInterface.EXECUTE:
            case CommandInterface.EXECUTE_IMMEDIATELY:
                // The statement run is only known when it runs: it may be DDL, so it is held back
                // by every backup and the catalog is rewritten after it.
                return readOnly ? StatementKind.READ : StatementKind.STRUCTURE_WRITE;
            case CommandInterface.HELP:
            case CommandInterface.SCRIPT:
            case CommandInterface.BACKUP:
                return StatementKind.READ;
            case CommandInterface.INSERT:
            case CommandInterface.UPDATE:
            case CommandInterface.DELETE:
            case CommandInterface.MERGE:
            case CommandInterface.TRUNCATE_TABLE:
            case CommandInterface.REFRESH_MATERIALIZED_VIEW:
                return StatementKind.DATA_WRITE;
            case CommandInterface.COMMIT:
            case CommandInterface.ROLLBACK:
            case CommandInterface.SAVEPOINT:
            case CommandInterface.ROLLBACK_TO_SAVEPOINT:
            case CommandInterface.SET_AUTOCOMMIT_TRUE:
            case CommandInterface.SET_AUTOCOMMIT_FALSE:
            case CommandInterface.BEGIN:
            case CommandInterface.PREPARE_COMMIT:
            case CommandInterface.COMMIT_TRANSACTION:
            case CommandInterface.ROLLBACK_TRANSACTION:
                return StatementKind.TRANSACTION_CONTROL;
            case CommandInterface.SET:
            case CommandInterface.CHECKPOINT:
            case CommandInterface.CHECKPOINT_SYNC:
            case CommandInterface.PREPARE:
            case CommandInterface.DEALLOCATE:
            case CommandInterface.NO_OPERATION:
            case CommandInterface.SHUTDOWN:
            case CommandInterface.SHUTDOWN_IMMEDIATELY:
            case CommandInterface.SHUTDOWN_COMPACT:
            case CommandInterface.SHUTDOWN_DEFRAG:
                return StatementKind.OTHER;
            default:
                // CREATE / ALTER / DROP of every object, COMMENT, GRANT, REVOKE, ANALYZE, RUNSCRIPT
                return StatementKind.STRUCTURE_WRITE;
        }
    }

    /** Whether the command shuts the engine down (refused for every role: the server owns its lifecycle). */
    public static boolean isShutdown(int type) {
        return type == CommandInterface.SHUTDOWN || type == CommandInterface.SHUTDOWN_IMMEDIATELY
                || type == CommandInterface.SHUTDOWN_COMPACT || type == CommandInterface.SHUTDOWN_DEFRAG;
    }

    /** The text held more than one statement. */
    public static final class MultipleStatementsException extends SQLException {
        MultipleStatementsException() {
            super("Send one SQL statement per request (the text holds several).", "42000");
        }
    }
}
