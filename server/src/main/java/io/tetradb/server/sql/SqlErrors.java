package io.tetradb.server.sql;


import io.tetradb.client.TetraException;
import org.h2.api.ErrorCode;

import java.sql.SQLException;

/**
 * Turns H2's SQLExceptions into Tetra errors: rights errors become 2007 (H2 refusing a
 * feature that needs its admin rights says so and names {@code sql.engineAdmin}), a cancelled
 * statement 2009, everything else 2006 with H2's SQLState and error code.
 *
 * <p>Stateless; called on worker threads by the request dispatcher.
 */
public final class SqlErrors {
    private SqlErrors() {
    }

    /** The Tetra error for an H2 failure. */
    public static TetraException toTetra(SQLException e) {
        int vendor = e.getErrorCode();
        String message = firstLine(e.getMessage());
        if (vendor == ErrorCode.ADMIN_RIGHTS_REQUIRED) {
            return new TetraException(io.tetradb.client.ErrorCode.NOT_ALLOWED_FOR_ROLE,
                    "Statement not allowed for this role: it needs the engine's admin rights (file and code "
                            + "features such as FILE_READ, CSVWRITE, CREATE ALIAS, SCRIPT TO, BACKUP TO, engine "
                            + "settings), which only the admin role has, and only when the server's tetra.yml sets "
                            + "sql.engineAdmin: true.", e);
        }
        if (vendor == ErrorCode.NOT_ENOUGH_RIGHTS_FOR_1) {
            return new TetraException(io.tetradb.client.ErrorCode.NOT_ALLOWED_FOR_ROLE,
                    "Statement not allowed for this role: " + message, e);
        }
        if (vendor == ErrorCode.STATEMENT_WAS_CANCELED) {
            return new TetraException(io.tetradb.client.ErrorCode.CANCELLED,
                    "The statement was cancelled.", e);
        }
        return TetraException.sql(message, e.getSQLState(), vendor, e);
    }

    /** Whether this code means the session's work is gone (connection closed). */
    public static boolean isConnectionGone(SQLException e) {
        return e.getErrorCode() == ErrorCode.OBJECT_CLOSED || e.getErrorCode() == ErrorCode.DATABASE_IS_CLOSED;
    }

    private static String firstLine(String m) {
        if (m == null) {
            return io.tetradb.client.ErrorCode.SQL_ERROR.defaultMessage();
        }
        return m.strip();
    }

    /** A convenience for the not-allowed refusals decided by Tetra itself. */
    public static TetraException notAllowed(String why) {
        return new TetraException(io.tetradb.client.ErrorCode.NOT_ALLOWED_FOR_ROLE, why);
    }
}
