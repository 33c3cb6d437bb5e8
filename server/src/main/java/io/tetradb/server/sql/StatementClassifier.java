package io.tetradb.server.sql;

import io.tetradb.protocol.StatementKind;
import org.h2.command.Command;
import org.h2.command.CommandContainer;
import org.h2.command.CommandInterface;
import org.h2.command.Prepared;
import org.h2.command.dml.Explain;
import org.h2.engine.Procedure;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.message.DbException;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Classifies one SQL statement as read, data write, structure write, transaction
 * control or other, with H2's own parser: the statement is prepared (not executed) in
 * the caller's H2 session, and its parsed tree decides, never its text. Reads and writes
 * are told apart by <em>effect</em> (docs/protocol.md): a SELECT, VALUES, CALL, {@code SET @v = ...},
 * EXPLAIN ANALYZE or EXECUTE whose tree changes data or sequences, takes row locks
 * ({@code FOR UPDATE}) or runs user code at any depth is a data write
 * ({@link CommandTree#hasWriteEffect}). The classification also records whether the statement
 * is about H2 accounts or rights (refused to every session) and, for DDL, whether what it
 * defines calls file or code functions ({@link CommandTree#callsFileOrCode}).
 *
 * <p>Runs on the session's worker thread, with that session's connection.
 */
public final class StatementClassifier {
    private StatementClassifier() {
    }

    /**
     * The classification of one statement.
     *
     * @param kind           read, data write, structure write, transaction control or other
     * @param commandType    H2's command type ({@link CommandInterface})
     * @param query          whether it returns rows
     * @param callsFileOrCode a structure write whose definitions (views, defaults, generated columns,
     *                       constraints, ...) call a file or code function
     * @param transactional  whether H2 runs it inside the session's transaction; H2 commits that
     *                       transaction before and after any other statement (DDL, TRUNCATE, SET, ...)
     * @param nonDeterministic a structure write whose definitions or queries may give other values
     *                       when run again ({@link CommandTree#isNonDeterministic})
     * @param savepoint      the savepoint a SAVEPOINT or ROLLBACK TO SAVEPOINT names, else null
     * @param rebuilds       the schema and name of the table an ALTER TABLE ... ADD / DROP / ALTER COLUMN
     *                       names (H2 may rebuild it, copying its triggers), else null
     */
    public record Classification(StatementKind kind, int commandType, boolean query, boolean callsFileOrCode,
                                 boolean transactional, boolean nonDeterministic, String savepoint,
                                 String[] rebuilds, boolean writesDataFile, boolean exclusiveMode) {
        /** A transactional classification whose statement defines no call of a file or code function. */
        public Classification(StatementKind kind, int commandType, boolean query) {
            this(kind, commandType, query, false, true, false, null, null, false, false);
        }

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
            Prepared prepared = prepared(container);
            int type = container.getCommandType();
            StatementKind kind = kindOf(type, prepared);
            boolean structure = kind == StatementKind.STRUCTURE_WRITE;
            boolean plants = structure && CommandTree.callsFileOrCode(prepared);
            boolean nonDeterministic = structure && CommandTree.isNonDeterministic(prepared);
            String savepoint = type == CommandInterface.SAVEPOINT || type == CommandInterface.ROLLBACK_TO_SAVEPOINT
                    ? savepointName(prepared) : null;
            String[] rebuilds = prepared instanceof org.h2.command.ddl.AlterTableAlterColumn ? alteredTable(prepared)
                    : null;
            // BACKUP TO and SET WRITE_DELAY make H2 write its data file when the server did not decide it
            // (io.tetradb.server.log.Checkpoints); only an engine admin could run them.
            boolean writesDataFile = type == CommandInterface.BACKUP
                    || prepared instanceof org.h2.command.dml.Set set && settingOf(set) == org.h2.command.dml.SetTypes.WRITE_DELAY;
            // SET EXCLUSIVE makes every other session's statements wait (H2 sleeps them in 100 ms steps).
            boolean exclusiveMode = prepared instanceof org.h2.command.dml.Set set
                    && settingOf(set) == org.h2.command.dml.SetTypes.EXCLUSIVE;
            return new Classification(kind, type, command.isQuery(), plants, prepared.isTransactional(),
                    nonDeterministic, savepoint, rebuilds, writesDataFile, exclusiveMode);
        } catch (DbException e) {
            throw e.getSQLException();
        } finally {
            command.close();
        }
    }

    /** The kind of a prepared statement, by its command type and, for those that may hide a write, its tree. */
    static StatementKind kindOf(int type, Prepared p) {
        switch (type) {
            case CommandInterface.SELECT:
            case CommandInterface.CALL:
                return p.isReadOnly() && !CommandTree.hasWriteEffect(p) ? StatementKind.READ : StatementKind.DATA_WRITE;
            case CommandInterface.EXPLAIN:
                // Plain EXPLAIN only shows the plan; nothing it names runs.
                return StatementKind.READ;
            case CommandInterface.EXPLAIN_ANALYZE: {
                // EXPLAIN ANALYZE runs its statement: it is what that statement is.
                Prepared inner = ((Explain) p).getCommand();
                return kindOf(inner.getType(), inner);
            }
            case CommandInterface.EXECUTE: {
                // A statement prepared earlier with PREPARE: what it is decides.
                Prepared inner = procedurePrepared(p);
                if (inner == null) {
                    return StatementKind.STRUCTURE_WRITE;
                }
                StatementKind k = kindOf(inner.getType(), inner);
                return k == StatementKind.READ || k == StatementKind.DATA_WRITE ? k : StatementKind.STRUCTURE_WRITE;
            }
            case CommandInterface.SET:
                // SET @v = (expression) evaluates its expression: NEXT VALUE FOR, a delta table or FOR UPDATE
                // there make it a write like any SELECT.
                return CommandTree.hasWriteEffect(p) ? StatementKind.DATA_WRITE : StatementKind.OTHER;
            default:
                return kindOf(type, p.isReadOnly());
        }
    }

    /** The kind of a command type whose tree need not be looked at; {@code readOnly} is H2's verdict. */
    private static StatementKind kindOf(int type, boolean readOnly) {
        switch (type) {
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

    /** Whether the command is CHECKPOINT or CHECKPOINT SYNC (the server writes the data file itself). */
    public static boolean isCheckpoint(int type) {
        return type == CommandInterface.CHECKPOINT || type == CommandInterface.CHECKPOINT_SYNC;
    }

    /** Whether the command shuts the engine down (refused for every role: the server owns its lifecycle). */
    public static boolean isShutdown(int type) {
        return type == CommandInterface.SHUTDOWN || type == CommandInterface.SHUTDOWN_IMMEDIATELY
                || type == CommandInterface.SHUTDOWN_COMPACT || type == CommandInterface.SHUTDOWN_DEFRAG;
    }

    /**
     * Whether the command is about H2 accounts or rights: CREATE / ALTER / DROP USER, SET PASSWORD,
     * CREATE / DROP ROLE, GRANT, REVOKE, and DROP ALL OBJECTS (which drops every other account).
     * Refused to every SQL session: rights are Tetra's roles.
     */
    public static boolean isAboutAccounts(int type) {
        switch (type) {
            case CommandInterface.CREATE_USER:
            case CommandInterface.ALTER_USER_ADMIN:
            case CommandInterface.ALTER_USER_RENAME:
            case CommandInterface.ALTER_USER_SET_PASSWORD:
            case CommandInterface.DROP_USER:
            case CommandInterface.CREATE_ROLE:
            case CommandInterface.DROP_ROLE:
            case CommandInterface.GRANT:
            case CommandInterface.REVOKE:
            case CommandInterface.DROP_ALL_OBJECTS:
                return true;
            default:
                return false;
        }
    }

    /** A short name of a command type for the log ("CREATE TABLE", "TRUNCATE TABLE", ...), from H2's constant's name. */
    public static String commandName(int type) {
        for (Field f : CommandInterface.class.getFields()) {
            try {
                if (f.getType() == int.class && f.getInt(null) == type) {
                    return f.getName().replace('_', ' ');
                }
            } catch (IllegalAccessException e) {
                break;
            }
        }
        return "STATEMENT " + type;
    }

    /** Whether the command is a SET statement (of a setting or a variable). */
    public static boolean isSet(int type) {
        return type == CommandInterface.SET;
    }

    /** The schema and table an ALTER TABLE ... COLUMN names (H2 keeps them in private fields). */
    private static String[] alteredTable(Prepared p) {
        String table = (String) declared(p, "tableName");
        Object schema = declared(p, "schema");
        return table == null || !(schema instanceof org.h2.schema.Schema s) ? null : new String[] {s.getName(), table};
    }

    private static Object declared(Object holder, String name) {
        for (Class<?> c = holder.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f.get(holder);
            } catch (NoSuchFieldException e) {
                // look in the superclass
            } catch (IllegalAccessException | RuntimeException e) {
                throw new IllegalStateException("H2's " + c.getName() + " cannot be read", e);
            }
        }
        return null;
    }

    /** The savepoint a transaction command names (H2 keeps it in a private field). */
    private static String savepointName(Prepared p) {
        return (String) declared(p, "savepointName");
    }

    /** Whether the command is a statement the server runs itself around the engine: 2PC is not. */
    public static boolean isTwoPhaseCommit(int type) {
        return type == CommandInterface.PREPARE_COMMIT || type == CommandInterface.COMMIT_TRANSACTION
                || type == CommandInterface.ROLLBACK_TRANSACTION;
    }

    /** The statement a CommandContainer holds (H2 keeps it in a private field). */
    /** Which setting a SET changes ({@code Set.getType()} answers the command type, SET, instead). */
    private static int settingOf(org.h2.command.dml.Set set) {
        try {
            Field f = org.h2.command.dml.Set.class.getDeclaredField("type");
            f.setAccessible(true);
            return f.getInt(set);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("This H2 version's SET does not say which setting it changes: " + e, e);
        }
    }

    private static Prepared prepared(CommandContainer container) {
        return (Prepared) fieldOfType(container, Prepared.class);
    }

    /** The statement an EXECUTE runs, or null when it cannot be told. */
    private static Prepared procedurePrepared(Prepared execute) {
        Object procedure = fieldOfType(execute, Procedure.class);
        return procedure == null ? null : ((Procedure) procedure).getPrepared();
    }

    private static Object fieldOfType(Object holder, Class<?> type) {
        for (Class<?> c = holder.getClass(); c != null; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (type.isAssignableFrom(f.getType()) && !Modifier.isStatic(f.getModifiers())) {
                    try {
                        f.setAccessible(true);
                        return f.get(holder);
                    } catch (IllegalAccessException | RuntimeException e) {
                        throw new IllegalStateException("H2's " + c.getName() + " cannot be read", e);
                    }
                }
            }
        }
        return null;
    }

    /** The text held more than one statement. */
    public static final class MultipleStatementsException extends SQLException {
        MultipleStatementsException() {
            super("Send one SQL statement per request (the text holds several).", "42000");
        }
    }
}
