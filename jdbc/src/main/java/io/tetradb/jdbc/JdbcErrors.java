package io.tetradb.jdbc;

import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraException;

import java.sql.BatchUpdateException;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLInvalidAuthorizationSpecException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLNonTransientException;
import java.sql.SQLSyntaxErrorException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransactionRollbackException;
import java.sql.SQLTransientConnectionException;
import java.sql.SQLTransientException;

/**
 * The one place where the client library's {@link TetraException}s become
 * {@link SQLException}s. The vendor code is H2's error code for an SQL error (2006), so
 * tools that know H2's codes (Spring's translation, Flyway) read them unchanged, and
 * Tetra's code for every other error (-9976 for a write held back by a backup). The
 * SQLState is H2's for an SQL error, and otherwise (docs/jdbc.md):
 * <ul>
 *   <li>-9976 (a write cancelled or refused because of a backup): {@value #BACKUP_SQLSTATE},
 *       an {@link SQLTransientException};</li>
 *   <li>2009 cancelled: 57014, an {@link SQLTimeoutException} when a timeout cancelled it;</li>
 *   <li>2008, 2011 (session closed, connection lost): 08003 / 08006, non-transient connection errors;</li>
 *   <li>2002 authentication failed: 28000; 2003 and 2007 (permission, role): 42501;</li>
 *   <li>2001 busy: 53000 (transient); 2005 frame too large: 54000; 2010 invalid argument: 22023;
 *       2004 protocol error: 08P01; any other: HY000.</li>
 * </ul>
 */
final class JdbcErrors {
    /** The SQLState of a write held back by a backup and cancelled, or refused by fail-fast (-9976). */
    static final String BACKUP_SQLSTATE = "57T76";

    private JdbcErrors() {
    }

    /** The SQLException for {@code e}. */
    static SQLException of(TetraException e) {
        String m = e.getMessage();
        int code = e.rawCode();
        if (e.code() == ErrorCode.SQL_ERROR) {
            String state = e.sqlState() == null ? "HY000" : e.sqlState();
            return bySqlState(m, state, e.vendorCode(), e);
        }
        switch (e.code()) {
            case BACKUP_IN_PROGRESS:
                return new SQLTransientException(m, BACKUP_SQLSTATE, code, e);
            case CANCELLED:
                return e.timedOut() ? new SQLTimeoutException(m, "57014", code, e) : new SQLException(m, "57014", code, e);
            case SESSION_CLOSED:
                return new SQLNonTransientConnectionException(m, "08003", code, e);
            case CONNECTION_LOST:
                return new SQLNonTransientConnectionException(m, "08006", code, e);
            case AUTH_FAILED:
                return new SQLInvalidAuthorizationSpecException(m, "28000", code, e);
            case PERMISSION_DENIED:
            case NOT_ALLOWED_FOR_ROLE:
                return new SQLSyntaxErrorException(m, "42501", code, e);
            case SERVER_BUSY:
                return new SQLTransientException(m, "53000", code, e);
            case FRAME_TOO_LARGE:
                return new SQLNonTransientException(m, "54000", code, e);
            case INVALID_ARGUMENT:
                return new SQLDataException(m, "22023", code, e);
            case PROTOCOL_ERROR:
                return new SQLNonTransientConnectionException(m, "08P01", code, e);
            default:
                return new SQLException(m, "HY000", code, e);
        }
    }

    /** A connection that could not be made: 08001 unless the password was wrong (28000). */
    static SQLException connecting(TetraException e, JdbcUrl url) {
        if (e.code() == ErrorCode.CONNECTION_LOST) {
            return new SQLTransientConnectionException("Cannot connect to the Tetra server at " + url.host() + ":"
                    + url.port() + ": " + e.getMessage(), "08001", e.rawCode(), e);
        }
        return of(e);
    }

    /** The subclass JDBC names for an SQLState's class. */
    static SQLException bySqlState(String m, String state, int vendorCode, Throwable cause) {
        String cls = state.length() >= 2 ? state.substring(0, 2) : "";
        switch (cls) {
            case "23":
                return new SQLIntegrityConstraintViolationException(m, state, vendorCode, cause);
            case "42":
                return new SQLSyntaxErrorException(m, state, vendorCode, cause);
            case "22":
                return new SQLDataException(m, state, vendorCode, cause);
            case "40":
                return new SQLTransactionRollbackException(m, state, vendorCode, cause);
            case "08":
                return new SQLNonTransientConnectionException(m, state, vendorCode, cause);
            case "0A":
                return new SQLFeatureNotSupportedException(m, state, vendorCode, cause);
            default:
                return new SQLException(m, state, vendorCode, cause);
        }
    }

    /** A call on a closed object (08003 for a connection, HY010-like for statements and results). */
    static SQLException closed(String what) {
        return what.equals("connection") ? new SQLNonTransientConnectionException("The connection is closed.", "08003")
                : new SQLException("The " + what + " is closed.", "HY010");
    }

    /** A batch that failed part way: the counts of the statements that ran (EXECUTE_FAILED for those that failed). */
    static BatchUpdateException batch(SQLException first, long[] counts) {
        return new BatchUpdateException(first.getMessage(), first.getSQLState(), first.getErrorCode(), counts, first);
    }

    /** A JDBC feature this driver does not offer. */
    static SQLFeatureNotSupportedException unsupported(String what) {
        return new SQLFeatureNotSupportedException(what + " is not supported by the Tetra driver.", "0A000");
    }
}
