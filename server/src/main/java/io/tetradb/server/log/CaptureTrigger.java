package io.tetradb.server.log;

import io.tetradb.protocol.log.Operation;
import io.tetradb.protocol.log.RowChange;
import io.tetradb.protocol.log.TableRef;
import org.h2.api.Trigger;
import org.h2.engine.SessionLocal;
import org.h2.index.Index;
import org.h2.jdbc.JdbcConnection;
import org.h2.table.IndexColumn;
import org.h2.table.Table;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * The row trigger the log places on every table ({@code AFTER INSERT, UPDATE, DELETE FOR
 * EACH ROW}): H2 calls it with each row as stored (after defaults, identity values and
 * generated columns were computed), for the statement's own rows and for those a foreign
 * key's cascade changes, inside the statement. It adds the row to the capture of the
 * session's transaction ({@link TransactionCapture}).
 *
 * <p>A row changed where no capture is attached fails its statement, unless the engine
 * is not logged (a database opened by the server's tools, not served) or the log itself is
 * redoing operations: nothing a served session writes can go unlogged.
 *
 * <p>H2 makes one instance per table; it runs on the thread of the statement that changed
 * the row (a session's worker).
 */
public final class CaptureTrigger implements Trigger {
    private Table table;
    private org.h2.engine.Database engine;

    @Override
    public void init(Connection conn, String schemaName, String triggerName, String tableName, boolean before,
                     int type) throws SQLException {
        SessionLocal session = (SessionLocal) conn.unwrap(JdbcConnection.class).getSession();
        engine = session.getDatabase();
        // The table itself, not its name: a renamed table keeps its trigger, and the name is read when a row comes.
        table = engine.getSchema(schemaName).findTableOrView(session, tableName);
        if (table == null) {
            throw new SQLException("The log's trigger " + triggerName + " names a table " + schemaName + "."
                    + tableName + " that does not exist.");
        }
    }

    @Override
    public void fire(Connection conn, Object[] oldRow, Object[] newRow) throws SQLException {
        TransactionCapture capture = TransactionCapture.current();
        if (capture == null) {
            if (LogCapture.isReplaying() || !LogCapture.isLogged(engine)) {
                return;
            }
            throw new SQLException("A row of " + table.getSQL(new StringBuilder(), 0)
                    + " was changed outside a logged statement; the change is refused.", "HY000");
        }
        RowChange.Builder change = RowChange.newBuilder().setTable(TableRef.newBuilder()
                .setSchema(table.getSchema().getName()).setTable(table.getName()));
        Index pk = table.findPrimaryKey();
        if (pk != null) {
            for (IndexColumn c : pk.getIndexColumns()) {
                change.addKeyColumns(c.column.getColumnId());
            }
        }
        Operation.Builder op = Operation.newBuilder();
        if (oldRow == null) {
            op.setInsert(change.addAllNewValues(LogValues.of(newRow)));
        } else if (newRow == null) {
            op.setDelete(change.addAllOldValues(LogValues.of(oldRow)));
        } else {
            op.setUpdate(change.addAllOldValues(LogValues.of(oldRow)).addAllNewValues(LogValues.of(newRow)));
        }
        capture.add(op.build());
    }
}
