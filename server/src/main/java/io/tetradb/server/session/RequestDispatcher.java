package io.tetradb.server.session;

import io.tetradb.protocol.AdminRequest;
import io.tetradb.protocol.Describe;
import io.tetradb.protocol.Description;
import io.tetradb.protocol.Parameter;
import io.tetradb.protocol.ClientMessage;
import io.tetradb.client.ErrorCode;
import io.tetradb.protocol.Execute;
import io.tetradb.protocol.ExecuteDone;
import io.tetradb.protocol.Ok;
import io.tetradb.protocol.ResultHeader;
import io.tetradb.protocol.Role;
import io.tetradb.protocol.Row;
import io.tetradb.protocol.RowBatch;
import io.tetradb.protocol.ServerMessage;
import io.tetradb.protocol.StatementKind;
import io.tetradb.client.TetraException;
import io.tetradb.protocol.Value;
import io.tetradb.protocol.InvalidValueException;
import io.tetradb.protocol.Values;
import io.tetradb.server.admin.AdminService;
import io.tetradb.server.gate.WriteGate;
import io.tetradb.server.log.Checkpoints;
import io.tetradb.server.log.LogCapture;
import io.tetradb.server.log.LogService;
import io.tetradb.server.log.SessionLog;
import io.tetradb.server.sql.CatalogWriter;
import io.tetradb.server.sql.Database;
import io.tetradb.server.sql.ResultEncoder;
import io.tetradb.server.sql.SqlErrors;
import io.tetradb.server.sql.StatementClassifier;
import io.tetradb.server.sql.StatementClassifier.Classification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;

/**
 * Executes one session's requests: SQL (classified by H2's parser, checked against the
 * role, passed through the write gate, executed, results streamed by credit),
 * transactions, cursors and admin requests. This is the one place on the server where
 * exceptions become wire error codes.
 *
 * <p>Resource limits ({@link ResourceLimits}) are applied here: a statement counts against
 * its account's statements running at once and is cancelled by its role's statement
 * timeout; a query beyond the session's open cursors is refused; a cursor produces rows
 * only while the client reads what it was sent (it stops when the channel is not writable
 * or too many rows wait, holding no thread, and {@link #resumeCursors} goes on once the
 * output drained).
 *
 * <p>Runs on worker threads, inside the session's {@link OrderedExecutor} task, so one
 * session's requests never run at the same time; a short cached read of an idle session runs
 * on its event loop instead ({@link #runsHere}, {@link InlineReads}).
 */
public final class RequestDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(RequestDispatcher.class);
    private static final int DEFAULT_CREDIT = 8;
    private static final int MAX_CREDIT = 64;
    /** How long CHECKPOINT waits for the engine calls under way. */
    private static final long CHECKPOINT_WAIT_MILLIS = 10_000;
    /** Room left in a frame for the envelope around a batch. */
    private static final int FRAME_OVERHEAD = 64;
    /** The longest statement Describe takes (as long as a frame may carry). */
    private static final int MAX_DESCRIBE_SQL = 16 * 1024 * 1024;

    private final Database database;
    private final CatalogWriter catalog;
    private final WriteGate gate;
    private final AdminService admin;
    private final int defaultFetchSize;
    private final int maxFrameSize;
    private final Runnable writeListener;
    private volatile Runnable afterWriteHook = () -> { };
    /** Told how long each request ran (metrics); null: nobody, and the clock is not read. */
    private volatile java.util.function.ObjLongConsumer<RequestKind> requestTimes;
    private final ResourceLimits limits;
    private final LogService logs;
    /** Reads run on the event loop that decoded them when short ({@link InlineReads}, limits.eventLoopReadTime). */
    private final InlineReads inline;
    private final java.util.concurrent.atomic.LongAdder readsRunHere = new java.util.concurrent.atomic.LongAdder();

    /**
     * @param writeListener told after every data or structure write that ran (the backup service
     *                      tracks whether data changed since the last backup)
     * @param logs          the log file: every commit is in it before it is acknowledged
     */
    public RequestDispatcher(Database database, CatalogWriter catalog, WriteGate gate, AdminService admin,
                             int defaultFetchSize, int maxFrameSize, Runnable writeListener, ResourceLimits limits,
                             LogService logs) {
        this.logs = logs;
        this.limits = limits;
        this.inline = new InlineReads(limits.eventLoopReadTime());
        this.writeListener = writeListener;
        this.database = database;
        this.catalog = catalog;
        this.gate = gate;
        this.admin = admin;
        this.defaultFetchSize = defaultFetchSize;
        this.maxFrameSize = maxFrameSize;
    }

    /**
     * For tests: runs on the worker after a write admitted by the gate has run (its reply
     * sent), before the gate is told it finished.
     */
    public void afterWriteHook(Runnable hook) {
        afterWriteHook = hook == null ? () -> { } : hook;
    }

    /**
     * What a request was, as the metrics count it (the label of {@code tetra_requests_seconds}):
     * an Execute by its statement's kind, FetchMore a read, Begin, Commit and Rollback (and
     * their SQL forms) a transaction, an admin request admin; the rest (Describe, CloseCursor,
     * a statement that could not be classified) other.
     */
    public enum RequestKind {
        READ("read"), DATA_WRITE("data_write"), STRUCTURE_WRITE("structure_write"), TRANSACTION("transaction"),
        ADMIN("admin"), OTHER("other");

        private final String label;

        RequestKind(String label) {
            this.label = label;
        }

        /** The label's value. */
        public String label() {
            return label;
        }
    }

    /**
     * Tells {@code listener} (on the worker, once the request is answered; it must be quick)
     * how many nanoseconds each request ran on its worker. A request held back by the write
     * gate or by its account's statements running at once is timed from its run once let
     * through: the wait is not in it.
     */
    public void requestTimes(java.util.function.ObjLongConsumer<RequestKind> listener) {
        requestTimes = listener;
    }

    private static RequestKind kindOf(ClientMessage m, SessionTask task) {
        switch (m.getBodyCase()) {
            case EXECUTE:
                Classification cl = task.classification();
                if (cl == null) {
                    return RequestKind.OTHER;
                }
                switch (cl.kind()) {
                    case READ:
                        return RequestKind.READ;
                    case DATA_WRITE:
                        return RequestKind.DATA_WRITE;
                    case STRUCTURE_WRITE:
                        return RequestKind.STRUCTURE_WRITE;
                    case TRANSACTION_CONTROL:
                        return RequestKind.TRANSACTION;
                    default:
                        return RequestKind.OTHER;
                }
            case FETCH_MORE:
                return RequestKind.READ;
            case BEGIN:
            case COMMIT:
            case ROLLBACK:
                return RequestKind.TRANSACTION;
            case ADMIN:
                return RequestKind.ADMIN;
            default:
                return RequestKind.OTHER;
        }
    }

    /**
     * Whether request {@code m} of {@code s} runs here, on the event loop that decoded it: a
     * cached read that has proved short, while no structure change waits or runs
     * ({@link InlineReads}). Asked on the event loop once the request holds the session's turn
     * (nothing else of the session runs, parks or waits); when true, {@link #ranHere} must
     * follow the run.
     */
    boolean runsHere(Session s, ClientMessage m) {
        if (!inline.enabled() || !m.hasExecute() || s.closedMessage() != null || s.connection() == null
                || !s.channel().eventLoop().inEventLoop()) {
            return false;
        }
        Execute ex = m.getExecute();
        if (s.cursors.containsKey(m.getRequestId())
                || !s.statements.provedShortRead(ex.getSql(), generatedKeys(ex), s.schemaVersion())) {
            return false;
        }
        return inline.enter();
    }

    /** A request {@link #runsHere} accepted has run. */
    void ranHere() {
        inline.exit();
        readsRunHere.increment();
    }

    /** Reads run on the event loop that decoded them since the server started ({@link #runsHere}). */
    public long readsRunHere() {
        return readsRunHere.sum();
    }

    /** Opens the session's H2 connection; returns false (and replies with an error) on failure. */
    boolean open(Session s, long requestId) {
        try {
            Connection c = database.connect(s.role());
            // The engine never commits by itself: the server commits once the log holds the transaction.
            c.setAutoCommit(false);
            s.connection(c);
            s.log(log().open(s.user(), s.id(), s.remoteAddress()));
            s.engineSession((org.h2.engine.SessionLocal) c.unwrap(org.h2.jdbc.JdbcConnection.class).getSession());
            return true;
        } catch (SQLException e) {
            LOG.warn("Could not open an engine connection for {}: {}", s, e.getMessage());
            s.sendError(requestId, new TetraException(ErrorCode.INTERNAL_ERROR,
                    "The server could not open a database connection."));
            return false;
        }
    }

    /** Runs one request; PARKED when the write gate holds it back. */
    OrderedExecutor.Outcome run(Session s, ClientMessage m, SessionTask task) {
        java.util.function.ObjLongConsumer<RequestKind> times = requestTimes;
        if (times == null) {
            return runUntimed(s, m, task);
        }
        long began = System.nanoTime();
        OrderedExecutor.Outcome o = runUntimed(s, m, task);
        if (o == OrderedExecutor.Outcome.DONE) {
            times.accept(kindOf(m, task), System.nanoTime() - began);
        }
        return o;
    }

    private OrderedExecutor.Outcome runUntimed(Session s, ClientMessage m, SessionTask task) {
        long id = m.getRequestId();
        try {
            String why = s.closedMessage();
            if (why != null) {
                // Held by a maintenance (queued before it began): answered with why, never run.
                throw new TetraException(ErrorCode.SESSION_CLOSED, why);
            }
            if (s.connection() == null) {
                throw new TetraException(ErrorCode.SESSION_CLOSED, "The session has no database connection.");
            }
            switch (m.getBodyCase()) {
                case EXECUTE:
                    s.started(id);
                    try {
                        if (execute(s, id, m.getExecute(), task) == OrderedExecutor.Outcome.PARKED) {
                            return OrderedExecutor.Outcome.PARKED;
                        }
                    } finally {
                        s.finished();
                    }
                    break;
                case FETCH_MORE:
                    fetchMore(s, id, m.getFetchMore().getBatches());
                    break;
                case CLOSE_CURSOR:
                    closeCursor(s, id, false);
                    break;
                case BEGIN:
                    begin(s, id, m.getBegin().getReadOnly());
                    break;
                case DESCRIBE:
                    describe(s, id, m.getDescribe());
                    break;
                case COMMIT:
                    endTransaction(s, id, true);
                    break;
                case ROLLBACK:
                    endTransaction(s, id, false);
                    break;
                case ADMIN:
                    admin(s, id, m.getAdmin());
                    break;
                default:
                    throw new TetraException(ErrorCode.PROTOCOL_ERROR, "Unexpected message " + m.getBodyCase() + ".");
            }
        } catch (Exception | Error e) {
            if (answerFailure(s, id, e)) {
                return OrderedExecutor.Outcome.DONE;
            }
        }
        afterRequest(s);
        return OrderedExecutor.Outcome.DONE;
    }

    /**
     * Answers request {@code id} with the wire error for {@code failure}: the one place where
     * exceptions become error codes. Returns true when the engine closed its database (a
     * statement ran out of memory while H2 executed it): the reopen has been asked for and the
     * session's engine state is not to be touched.
     */
    private boolean answerFailure(Session s, long id, Throwable failure) {
        String why = s.closedMessage();
        boolean engineOutOfMemory = failure instanceof SQLException se
                && se.getErrorCode() == org.h2.api.ErrorCode.OUT_OF_MEMORY;
        if (why != null && !engineOutOfMemory) {
            // A maintenance cancelled it: the client is told why, not that it was cancelled.
            s.sendError(id, new TetraException(ErrorCode.SESSION_CLOSED, why));
        } else if (failure instanceof TetraException e) {
            s.sendError(id, e.withInTransaction(inTransaction(s)));
        } else if (failure instanceof SQLException e && e.getErrorCode() == org.h2.api.ErrorCode.OUT_OF_MEMORY) {
            // H2 closes its database when a statement runs out of memory while executing.
            LOG.warn("Request {} of {} needed more memory than the server has: {}", id, s, e.getMessage());
            s.sendError(id, new TetraException(ErrorCode.INTERNAL_ERROR, "The statement needed more memory "
                    + "than the server has and was stopped; the database is reopened and sessions must connect "
                    + "again."));
            limits.engineOutOfMemory();
            return true;
        } else if (failure instanceof SQLException e) {
            s.sendError(id, SqlErrors.toTetra(e).withInTransaction(inTransaction(s)));
        } else if (failure instanceof io.tetradb.server.backup.ArchiveStore.DestinationException e) {
            // The backup destination (a bucket refusing the credentials, an endpoint gone) while an admin
            // request read or wrote it (history, window, log show): 1407 with what and where, as a backup says it.
            LOG.warn("Request {} of {} could not use the backup destination: {}", id, s, e.getMessage());
            s.sendError(id, new TetraException(ErrorCode.BACKUP_DESTINATION, e.getMessage()));
        } else if (failure instanceof java.io.IOException) {
            LOG.error("Request {} of {} could not write a file.", id, s, failure);
            s.sendError(id, new TetraException(ErrorCode.INTERNAL_ERROR, "The server could not write a file: "
                    + failure.getMessage()));
        } else if (failure instanceof OutOfMemoryError) {
            // One statement asked for more memory than the heap has (a single huge value fails
            // at its allocation, before the heap fills): it is answered, the server goes on.
            LOG.warn("Request {} of {} needed more memory than the server has: {}", id, s, failure.getMessage());
            s.sendError(id, new TetraException(ErrorCode.INTERNAL_ERROR, "The statement needed more memory than "
                    + "the server has and was stopped (" + failure.getMessage() + ")."));
        } else {
            // Answered, so the request's slot is freed and the client does not wait forever.
            LOG.error("Request {} of {} failed unexpectedly.", id, s, failure);
            s.sendError(id, new TetraException(ErrorCode.INTERNAL_ERROR, "Internal error: "
                    + failure.getClass().getSimpleName()));
        }
        return false;
    }

    private OrderedExecutor.Outcome execute(Session s, long id, Execute ex, SessionTask task) throws SQLException {
        if (s.cursors.containsKey(id)) {
            // A second cursor under the same id would replace the first in s.cursors, which then never ends or closes.
            throw new TetraException(ErrorCode.INVALID_ARGUMENT, "Request id " + Long.toUnsignedString(id)
                    + " names a query whose rows are still open: a request id must be unique among the requests in flight.");
        }
        Connection c = s.connection();
        Classification cl = task.classification();
        if (cl == null) {
            // A statement sent before (same text, no DDL since) is not parsed again.
            cl = s.statements.classification(ex.getSql(), generatedKeys(ex), s.schemaVersion());
            if (cl == null) {
                // H2 parses it against the schema: like a read, it must not meet a table half rebuilt.
                try (InlineReads.Change parse = schemaRead(s)) {
                    cl = StatementClassifier.classify(c, ex.getSql());
                } catch (StatementClassifier.MultipleStatementsException e) {
                    throw TetraException.sql(e.getMessage(), e.getSQLState(), 0, e);
                }
            }
            task.classification(cl);
            if (StatementClassifier.isShutdown(cl.commandType())) {
                throw SqlErrors.notAllowed("SHUTDOWN is not allowed: the server owns the database; "
                        + "stop the server instead (SIGTERM).");
            }
            if (StatementClassifier.isTwoPhaseCommit(cl.commandType())) {
                throw SqlErrors.notAllowed("Two-phase commit (PREPARE COMMIT, COMMIT TRANSACTION, ROLLBACK "
                        + "TRANSACTION) is not allowed: the server commits each transaction once its log holds it.");
            }
            if (cl.commandType() == org.h2.command.CommandInterface.EXECUTE_IMMEDIATELY) {
                throw SqlErrors.notAllowed("EXECUTE IMMEDIATE is not allowed: the statement it runs is only known "
                        + "when it runs, and the server must know what a statement is to log it. Send the "
                        + "statement itself.");
            }
            if (StatementClassifier.isAboutAccounts(cl.commandType())) {
                throw SqlErrors.notAllowed("Statements about engine accounts and rights (GRANT, REVOKE, "
                        + "CREATE / ALTER / DROP USER or ROLE, SET PASSWORD, DROP ALL OBJECTS) are not allowed: "
                        + "rights are Tetra's roles admin, user and reader, managed with `tetra-admin users`.");
            }
            if (s.role() == Role.READER && cl.isWrite()) {
                throw SqlErrors.notAllowed("Role reader may only read: " + cl.kind() + " refused.");
            }
            if (cl.exclusiveMode()) {
                throw SqlErrors.notAllowed("SET EXCLUSIVE is not allowed: it would stop every other session "
                        + "(and the server's own work) until it ends. The server owns the database; for a "
                        + "maintenance, use `tetra-admin` (restore, rollback) or stop the server.");
            }
            if (cl.writesDataFile() && database.runsOnEngineAdmin(s.role())) {
                throw SqlErrors.notAllowed("BACKUP TO and SET WRITE_DELAY are not allowed: the server decides when "
                        + "the engine writes its data file (log.checkpointInterval), so that the file always holds "
                        + "one moment of the database. Use `tetra-admin backup` for a copy.");
            }
            if (cl.callsFileOrCode() && !database.runsOnEngineAdmin(s.role())) {
                throw SqlErrors.notAllowed("A definition (view, default, generated column, constraint, domain) "
                        + "may not call file or code functions (FILE_READ, FILE_WRITE, CSVREAD, CSVWRITE, "
                        + "LINK_SCHEMA, user-defined Java functions, ...): it could run later with the engine's "
                        + "admin rights.");
            }
        }
        if (ex.getReadOnly() && cl.isWrite()) {
            throw SqlErrors.notAllowed("The connection is read-only: " + cl.kind() + " refused (a JDBC "
                    + "Connection.setReadOnly(true)).");
        }
        if (s.readOnlyTransaction() && cl.isWrite()) {
            throw SqlErrors.notAllowed("The transaction is read-only: " + cl.kind() + " refused (it was begun "
                    + "read-only; commit or roll it back first).");
        }
        if (StatementClassifier.isCheckpoint(cl.commandType()) && database.runsOnEngineAdmin(s.role())) {
            return checkpoint(s, id, cl);
        }
        boolean entered = false;
        if (cl.isWrite()) {
            WriteGate.Admission a = gate.enter(new ParkedRequest(s, task, inTransaction(s)), cl.kind(),
                    ex.getSerializedSize(), s.hasUncommittedChanges(), policy(ex), ex.getWaitAtMostMillis());
            if (a == WriteGate.Admission.PARKED) {
                return OrderedExecutor.Outcome.PARKED;
            }
            entered = true;
        }
        try {
            if (entered) {
                // Before the write runs (and is acknowledged): a backup scheduled with onlyIfModified
                // must never miss an acknowledged write. A write that then fails only costs a backup.
                writeListener.run();
            }
            // A read changes nothing in the engine: it never holds a checkpoint back.
            try (Checkpoints.Call call = cl.kind() == StatementKind.READ ? Checkpoints.Call.NONE : engineCall()) {
                return executeAdmitted(s, id, ex, cl, task);
            }
        } finally {
            if (entered) {
                afterWriteHook.run();
                // The session's flag first, then the gate: a backup that sees no write running must also
                // see the transaction this write left open, or it would copy while that transaction's later
                // writes (let through as its own) still run.
                if (s.connection() != null) {
                    s.refreshUncommittedChanges();
                }
                gate.exit();
            }
        }
    }

    /**
     * CHECKPOINT [SYNC] from an engine admin: the session's open transaction is committed
     * (as H2 does before it), then the server writes the data file at one of its own
     * checkpoints, never inside the session's engine call.
     */
    private OrderedExecutor.Outcome checkpoint(Session s, long id, Classification cl) throws SQLException {
        Checkpoints cp = logs.checkpoints();
        if (cp == null) {
            throw new TetraException(ErrorCode.SESSION_CLOSED, "The database is not open (it is being reopened).");
        }
        try (Checkpoints.Call call = cp.call()) {
            s.explicitTransaction(false);
            log().commit(s.log(), s.connection());
        }
        if (!cp.checkpointWithin(CHECKPOINT_WAIT_MILLIS)) {
            throw new TetraException(ErrorCode.SERVER_BUSY, "CHECKPOINT: the writes under way did not end within "
                    + CHECKPOINT_WAIT_MILLIS / 1000 + " s; nothing was written, try again.");
        }
        s.send(ServerMessage.newBuilder().setRequestId(id).setDone(ExecuteDone.newBuilder().setUpdateCount(0)
                .setKind(cl.kind()).setInTransaction(inTransaction(s))).build());
        return OrderedExecutor.Outcome.DONE;
    }

    /**
     * Which generated keys {@code ex} asks for, as the statement cache keys them: "" none,
     * "*" the engine's choice, "n:" and the column names, "i:" and the column indexes.
     */
    static String generatedKeys(Execute ex) {
        if (ex.getGeneratedKeyNamesCount() > 0) {
            return "n:" + String.join("\u0000", ex.getGeneratedKeyNamesList());
        }
        if (ex.getGeneratedKeyIndexesCount() > 0) {
            StringBuilder b = new StringBuilder("i:");
            for (int i : ex.getGeneratedKeyIndexesList()) {
                b.append(i).append(',');
            }
            return b.toString();
        }
        return ex.getReturnGeneratedKeys() ? "*" : "";
    }

    /** Prepares {@code ex}'s statement with the generated keys it asks for. */
    private static PreparedStatement prepare(Connection c, Execute ex) throws SQLException {
        if (ex.getGeneratedKeyNamesCount() > 0) {
            return c.prepareStatement(ex.getSql(), ex.getGeneratedKeyNamesList().toArray(new String[0]));
        }
        if (ex.getGeneratedKeyIndexesCount() > 0) {
            int[] indexes = new int[ex.getGeneratedKeyIndexesCount()];
            for (int i = 0; i < indexes.length; i++) {
                indexes[i] = ex.getGeneratedKeyIndexes(i);
            }
            return c.prepareStatement(ex.getSql(), indexes);
        }
        return ex.getReturnGeneratedKeys() ? c.prepareStatement(ex.getSql(), Statement.RETURN_GENERATED_KEYS)
                : c.prepareStatement(ex.getSql());
    }

    /**
     * Describes a statement without running it (JDBC's ParameterMetaData and a prepared
     * statement's result columns): H2 prepares it in the session, which neither executes
     * nor locks anything; nothing is logged or held back by a backup.
     */
    private void describe(Session s, long id, Describe d) throws SQLException {
        if (d.getSql().length() > MAX_DESCRIBE_SQL) {
            throw new TetraException(ErrorCode.INVALID_ARGUMENT, "The statement to describe is longer than "
                    + MAX_DESCRIBE_SQL + " characters.");
        }
        Description.Builder b = Description.newBuilder();
        try (InlineReads.Change parse = schemaRead(s);
             PreparedStatement ps = s.connection().prepareStatement(d.getSql())) {
            java.sql.ParameterMetaData pm = ps.getParameterMetaData();
            for (int i = 1; i <= pm.getParameterCount(); i++) {
                b.addParameters(Parameter.newBuilder().setJdbcType(pm.getParameterType(i))
                        .setSqlType(String.valueOf(pm.getParameterTypeName(i))).setPrecision(pm.getPrecision(i))
                        .setScale(pm.getScale(i)).setNullability(pm.isNullable(i)).setSigned(pm.isSigned(i)));
            }
            java.sql.ResultSetMetaData md = ps.getMetaData();
            if (md != null) {
                b.setIsQuery(true).setColumns(ResultEncoder.header(md));
            }
        } finally {
            keepEngineCommitting(s.connection());
        }
        s.send(ServerMessage.newBuilder().setRequestId(id).setDescription(b).build());
    }

    private static WriteGate.Policy policy(Execute ex) {
        switch (ex.getWaitPolicy()) {
            case FAIL_FAST:
                return WriteGate.Policy.FAIL_FAST;
            case WAIT_AT_MOST:
                return WriteGate.Policy.WAIT_AT_MOST;
            default:
                return WriteGate.Policy.WAIT;
        }
    }

    private OrderedExecutor.Outcome executeAdmitted(Session s, long id, Execute ex, Classification cl,
                                                    SessionTask task) throws SQLException {
        if (!limits.enterOrWait(s.user(), limits.waiter(s, task), s.hasUncommittedChanges())) {
            // The account has limits.statementsPerUser statements executing: this one waits, holding no
            // thread, until one of them ends (or a Cancel drops it); it then runs from the start again.
            if (s.takeCancelBeforeRun(id) && limits.cancelWaiting(s, id) != null) {
                // Cancelled while it was classified: it does not wait.
                throw new TetraException(ErrorCode.CANCELLED, "The request was cancelled before it ran.");
            }
            return OrderedExecutor.Outcome.PARKED;
        }
        try {
            for (int attempt = 1; ; attempt++) {
                boolean onWorker = cl.kind() == StatementKind.READ && !s.channel().eventLoop().inEventLoop();
                try (InlineReads.Change read = onWorker ? inline.workerRead(s.hasUncommittedChanges()) : NO_CHANGE) {
                    return executeCounted(s, id, ex, cl);
                } catch (ReplacedMeanwhile e) {
                    if (attempt == READ_ATTEMPTS) {
                        throw e.failure;
                    }
                    inline.awaitNoStructureChange(Duration.ofSeconds(10));
                }
            }
        } finally {
            limits.exitStatement(s.user());
        }
    }

    private static final InlineReads.Change NO_CHANGE = () -> { };

    /**
     * Guards a parse of {@code s}'s statement against structure changes, as a read on a worker is
     * ({@link InlineReads#workerRead}): H2 looks its tables and indexes up, and for a moment of an
     * ALTER TABLE that copies one, it has no table under that name. On an event loop nothing is guarded here:
     * only a cached statement runs there, and no structure change runs meanwhile.
     */
    private InlineReads.Change schemaRead(Session s) {
        return s.channel() != null && s.channel().eventLoop().inEventLoop() ? NO_CHANGE
                : inline.workerRead(s.hasUncommittedChanges());
    }
    /** Tries of a read whose table another session's structure change was replacing ({@link ReplacedMeanwhile}). */
    private static final int READ_ATTEMPTS = 3;
    /** H2's errors for a table, view or column not found. */
    private static final java.util.Set<Integer> NOT_FOUND = java.util.Set.of(
            org.h2.api.ErrorCode.TABLE_OR_VIEW_NOT_FOUND_1, org.h2.api.ErrorCode.TABLE_OR_VIEW_NOT_FOUND_WITH_CANDIDATES_2,
            org.h2.api.ErrorCode.TABLE_OR_VIEW_NOT_FOUND_DATABASE_EMPTY_1, org.h2.api.ErrorCode.COLUMN_NOT_FOUND_1);

    /**
     * A read found no table (or column) it names while another session's structure change
     * ran: H2 prepares a cached statement again once the schema changed, and ALTER TABLE
     * replaces its table by a copy, which for a moment does not exist under its name. The
     * read has sent nothing yet and changes nothing, so it is run again once the structure
     * change ended (at most {@link #READ_ATTEMPTS} times); the client never sees the moment.
     */
    private static final class ReplacedMeanwhile extends RuntimeException {
        final SQLException failure;

        ReplacedMeanwhile(SQLException failure) {
            super(failure.getMessage(), failure, false, false);
            this.failure = failure;
        }
    }

    private OrderedExecutor.Outcome executeCounted(Session s, long id, Execute ex, Classification cl) throws SQLException {
        long began = System.nanoTime();
        long beganCpu = cl.kind() == StatementKind.READ ? inline.cpuNow() : 0;
        Connection c = s.connection();
        int fetchSize = ex.getFetchSize() > 0 ? Math.min(ex.getFetchSize(), 100_000) : defaultFetchSize;
        int credit = ex.getInitialCredit() > 0 ? Math.min(ex.getInitialCredit(), MAX_CREDIT) : DEFAULT_CREDIT;
        long schemaVersion = s.schemaVersion();
        String keys = generatedKeys(ex);
        StatementCache.Entry entry = s.statements.acquire(ex.getSql(), keys, schemaVersion);
        if (entry == null) {
            entry = s.statements.add(ex.getSql(), keys, prepare(c, ex), cl, schemaVersion);
        }
        PreparedStatement ps = entry.statement;
        StatementCache.Entry used = entry;
        boolean keepOpen = false;
        try {
            int i = 1;
            for (Value v : ex.getParametersList()) {
                ps.setObject(i++, parameter(v));
            }
            // A cached statement keeps what the previous request set: every request sets its own.
            ps.setLargeMaxRows(Math.max(0, ex.getMaxRows()));
            if (s.cursors.size() >= limits.cursorsPerSession() && ps.getMetaData() != null) {
                throw limits.tooManyCursors();
            }
            // A query that writes produces its rows at once: its changes are all made, logged and committed
            // before the first row goes out, never later while the client reads.
            s.lazyResults(!cl.isWrite());
            if (cl.kind() == StatementKind.TRANSACTION_CONTROL && transactionControl(s, c, cl, ps)) {
                s.send(ServerMessage.newBuilder().setRequestId(id).setDone(ExecuteDone.newBuilder().setUpdateCount(0)
                        .setKind(cl.kind()).setInTransaction(inTransaction(s))).build());
                return OrderedExecutor.Outcome.DONE;
            }
            boolean hasResult;
            try {
                hasResult = timed(s, id, ex.getTimeoutMillis(), () -> runLogged(s, c, cl, ex.getSql(), ps));
            } catch (SQLException e) {
                if (cl.kind() == StatementKind.READ && NOT_FOUND.contains(e.getErrorCode())
                        && s.schemaVersion() != schemaVersion) {
                    // Nothing was sent yet, and the schema changed while it ran: see ReplacedMeanwhile.
                    throw new ReplacedMeanwhile(e);
                }
                throw e;
            }
            if (hasResult) {
                ResultSet rs = ps.getResultSet();
                var md = rs.getMetaData();
                ResultHeader header = ResultEncoder.header(md);
                Cursor cur = new Cursor(id, () -> s.statements.release(used), rs, ResultEncoder.jdbcTypes(md),
                        ResultEncoder.typeNames(md), fetchSize, credit, cl.kind());
                s.write(ServerMessage.newBuilder().setRequestId(id).setResultHeader(header).build());
                s.cursors.put(id, cur);
                keepOpen = true;
                pump(s, cur);
            } else {
                ExecuteDone.Builder done = ExecuteDone.newBuilder().setUpdateCount(ps.getLargeUpdateCount())
                        .setKind(cl.kind());
                if (!keys.isEmpty()) {
                    try (ResultSet generated = ps.getGeneratedKeys()) {
                        var md = generated.getMetaData();
                        done.setGeneratedKeyColumns(ResultEncoder.header(md));
                        int[] types = ResultEncoder.jdbcTypes(md);
                        String[] names = ResultEncoder.typeNames(md);
                        while (generated.next()) {
                            done.addGeneratedKeys(ResultEncoder.row(generated, types, names));
                        }
                    }
                }
                if (cl.kind() == StatementKind.STRUCTURE_WRITE) {
                    String warning = catalog.afterStructureWrite();
                    if (warning != null) {
                        done.setWarning(warning);
                    }
                }
                done.setInTransaction(inTransaction(s));
                s.send(ServerMessage.newBuilder().setRequestId(id).setDone(done).build());
            }
        } finally {
            // How long it took, and whether its rows all went out at once: may it run on the event loop next time?
            StatementCache.ran(used, inline.isShort(System.nanoTime() - began, beganCpu, !s.cursors.containsKey(id)));
            if (!keepOpen) {
                s.statements.release(used);
            }
            if (cl.kind() == StatementKind.OTHER || StatementClassifier.isSet(cl.commandType())) {
                // SET SCHEMA and other settings: what the cached texts mean may have changed
                // (DDL needs nothing here: it changes the schema version, which makes every entry stale).
                s.statements.clear();
            }
        }
        return OrderedExecutor.Outcome.DONE;
    }

    /**
     * Runs one statement and, in the client's autocommit, commits it through the log before
     * anything is answered. Structure changes (and TRUNCATE, which H2 also runs outside the
     * transaction) run alone among write transactions and are logged as statements; rows are
     * captured as the engine stores them ({@link io.tetradb.server.log.TransactionCapture}),
     * and a statement that fails takes back its rows, as the engine does.
     */
    private boolean runLogged(Session s, Connection c, Classification cl, String sql, PreparedStatement ps)
            throws SQLException {
        SessionLog sl = s.log();
        if (s.autoCommit() && s.cursors.isEmpty()) {
            // Nothing is pending between statements in autocommit: this ends the previous read's snapshot.
            c.commit();
        }
        boolean structure = cl.kind() == StatementKind.STRUCTURE_WRITE
                || (cl.kind() == StatementKind.DATA_WRITE && !cl.transactional());
        if (structure) {
            // It takes a table's exclusive lock: no read may then start on an event loop, and none still runs there.
            try (InlineReads.Change change = inline.structureChange(limits.structureWait().toMillis())) {
                return log().structureWrite(sl, c, sql, kindName(cl), cl.nonDeterministic(), cl.rebuilds(), ps::execute);
            } finally {
                keepEngineCommitting(c);
            }
        }
        if (!cl.transactional()) {
            // H2 commits the open transaction before such a statement (SET MODE, ...): the server does, logged.
            log().commit(sl, c);
        }
        boolean write = cl.isWrite();
        if (write) {
            log().beforeWrite(sl);
        }
        sl.capture().statementStarts();
        sl.capture().attach();
        boolean result;
        try {
            result = ps.execute();
        } catch (SQLException e) {
            if (e.getErrorCode() == org.h2.api.ErrorCode.DEADLOCK_1 || s.autoCommit()) {
                // A deadlock rolls the whole transaction back; in autocommit the statement was all of it.
                log().rollback(sl, c);
            } else {
                sl.capture().statementFailed();
            }
            throw e;
        } finally {
            io.tetradb.server.log.TransactionCapture.detach();
            keepEngineCommitting(c);
        }
        if (s.autoCommit() && (write || !sl.capture().isEmpty() || s.enginePending())) {
            // Also a statement that changed the engine's own settings inside the transaction (SET RETENTION_TIME).
            log().commit(sl, c);
        } else if (write) {
            // A transaction whose writes changed nothing yet (SELECT ... FOR UPDATE only locks rows, as
            // Flyway's lock of its history table does) leaves nothing for the log to order: a structure
            // change of another session need not wait for it.
            log().nothingWritten(sl);
        }
        return result;
    }

    /** An engine call that may change something, held against checkpoints (nothing while the database is closed). */
    private Checkpoints.Call engineCall() {
        Checkpoints cp = logs.checkpoints();
        return cp == null ? Checkpoints.Call.NONE : cp.call();
    }

    /** The log's capture of the open database. */
    private LogCapture log() {
        LogCapture c = logs.capture();
        if (c == null) {
            throw new TetraException(ErrorCode.SESSION_CLOSED, "The database is not open (it is being reopened).");
        }
        return c;
    }

    /** The engine connection stays without autocommit (a statement run by EXECUTE may have set it). */
    private static void keepEngineCommitting(Connection c) throws SQLException {
        if (c.getAutoCommit()) {
            c.setAutoCommit(false);
        }
    }

    /** What a structure change is, for the log ({@code log show}): "CREATE TABLE", "TRUNCATE", ... */
    private static String kindName(Classification cl) {
        return io.tetradb.server.sql.StatementClassifier.commandName(cl.commandType());
    }

    /**
     * Runs a transaction control statement the server handles itself (the engine must not
     * commit on its own): COMMIT, ROLLBACK, BEGIN, SET AUTOCOMMIT, and SAVEPOINT / ROLLBACK TO
     * SAVEPOINT (run by the engine, followed in the log's capture). False for any other.
     */
    private boolean transactionControl(Session s, Connection c, Classification cl, PreparedStatement ps)
            throws SQLException {
        SessionLog sl = s.log();
        switch (cl.commandType()) {
            case org.h2.command.CommandInterface.COMMIT:
                s.explicitTransaction(false);
                log().commit(sl, c);
                return true;
            case org.h2.command.CommandInterface.ROLLBACK:
                s.explicitTransaction(false);
                log().rollback(sl, c);
                return true;
            case org.h2.command.CommandInterface.BEGIN:
                s.explicitTransaction(true);
                return true;
            case org.h2.command.CommandInterface.SET_AUTOCOMMIT_TRUE:
                // As JDBC's setAutoCommit(true): the open transaction is committed.
                s.explicitTransaction(false);
                s.manualCommit(false);
                log().commit(sl, c);
                return true;
            case org.h2.command.CommandInterface.SET_AUTOCOMMIT_FALSE:
                s.manualCommit(true);
                return true;
            case org.h2.command.CommandInterface.SAVEPOINT:
                ps.execute();
                sl.capture().savepoint(cl.savepoint());
                return true;
            case org.h2.command.CommandInterface.ROLLBACK_TO_SAVEPOINT:
                ps.execute();
                sl.capture().rollbackTo(cl.savepoint());
                return true;
            default:
                return false;
        }
    }

    /** Refreshes the session's transaction state; a closed gate is told, as a backup may wait for it. */
    private void afterRequest(Session s) {
        if (s.connection() != null && s.refreshUncommittedChanges() && gate.isClosed()) {
            gate.signal();
        }
    }

    /**
     * Sends batches while the cursor has credit and the client reads; ends and closes it
     * after its last row. When the client's output is full it stops (the cursor keeps its
     * credit) and {@link #resumeCursors} goes on later.
     */
    private void pump(Session s, Cursor cur) throws SQLException {
        timed(s, cur.requestId, () -> {
            pumpBatches(s, cur);
            return null;
        });
    }

    /** Work against the engine that may throw an SQLException. */
    @FunctionalInterface
    private interface EngineWork<T> {
        T run() throws SQLException;
    }

    /**
     * Runs {@code work} as the session's running statement of {@code requestId}: a cancel
     * reaches it, and its role's statement timeout cancels it (answered as a timeout).
     */
    private <T> T timed(Session s, long requestId, EngineWork<T> work) throws SQLException {
        return timed(s, requestId, 0, work);
    }

    /** As {@link #timed(Session, long, EngineWork)}, cancelled after {@code requestedMillis} if that is shorter (0: the role's). */
    private <T> T timed(Session s, long requestId, long requestedMillis, EngineWork<T> work) throws SQLException {
        RunningStatement r = s.running(requestId);
        io.netty.util.Timeout timeout = limits.scheduleTimeout(s, r, requestedMillis);
        try {
            return work.run();
        } catch (SQLException e) {
            if (r.timedOut()) {
                throw limits.timeoutError(s, requestedMillis);
            }
            throw e;
        } finally {
            if (timeout != null) {
                timeout.cancel();
            }
            s.notRunning(r);
        }
    }

    private void pumpBatches(Session s, Cursor cur) throws SQLException {
        int budget = maxFrameSize - FRAME_OVERHEAD;
        try {
            while (cur.credit > 0) {
                if (s.outputFull() && s.stallOutput()) {
                    // The client does not read: stop producing; resumeCursors goes on once it did.
                    s.flush();
                    return;
                }
                RowBatch.Builder batch = RowBatch.newBuilder();
                int bytes = 0;
                boolean end = false;
                while (batch.getRowsCount() < cur.fetchSize) {
                    if (!cur.resultSet.next()) {
                        end = true;
                        break;
                    }
                    // A value that cannot fit in a frame is refused as it is read, before it is copied into a row.
                    Row row = ResultEncoder.row(cur.resultSet, cur.jdbcTypes, cur.typeNames, budget, maxFrameSize);
                    int size = row.getSerializedSize() + 5;
                    if (size > budget) {
                        throw new TetraException(ErrorCode.FRAME_TOO_LARGE, "A row of " + size
                                + " bytes exceeds the maximum frame size of " + maxFrameSize + " bytes.");
                    }
                    batch.addRows(row);
                    bytes += size;
                    if (bytes > budget / 2 || bytes > 1024 * 1024) {
                        break;
                    }
                }
                if (batch.getRowsCount() > 0) {
                    cur.rowsSent += batch.getRowsCount();
                    cur.credit--;
                    s.writeRows(ServerMessage.newBuilder().setRequestId(cur.requestId).setRowBatch(batch).build(),
                            batch.getRowsCount());
                    if (!end) {
                        // More rows follow: stream this batch now. A last batch goes out with the end.
                        s.flush();
                    }
                }
                if (end) {
                    finishCursor(s, cur);
                    return;
                }
            }
        } catch (SQLException | RuntimeException | Error e) {
            s.cursors.remove(cur.requestId);
            cur.close();
            throw e;
        }
    }

    /**
     * Produces more rows of an open cursor as one of its account's statements running at
     * once (rows may be computed as they are read, so this can be long work); when the
     * account is at its cap, the cursor keeps its credit and goes on once one of the
     * account's statements has ended. Returns false in that case.
     */
    private boolean pumpCounted(Session s, Cursor cur) throws SQLException {
        if (!limits.enterOrWait(s.user(), s::wakeCursors)) {
            return false;
        }
        try {
            pump(s, cur);
            return true;
        } finally {
            limits.exitStatement(s.user());
        }
    }

    /**
     * The client read what was waiting: cursors stopped for output go on, each as far as its
     * credit and the output limits allow (a task on the session's executor).
     */
    void resumeCursors(Session s) {
        for (Cursor cur : new ArrayList<>(s.cursors.values())) {
            if (s.cursors.get(cur.requestId) != cur || cur.credit <= 0) {
                continue;
            }
            if (s.outputFull() && s.stallOutput()) {
                s.flush();
                return;
            }
            try {
                if (!pumpCounted(s, cur)) {
                    return;
                }
            } catch (Exception | Error e) {
                answerFailure(s, cur.requestId, e);
            }
        }
    }

    private void finishCursor(Session s, Cursor cur) {
        s.cursors.remove(cur.requestId);
        cur.close();
        s.send(ServerMessage.newBuilder().setRequestId(cur.requestId).setDone(ExecuteDone.newBuilder()
                .setUpdateCount(-1).setIsQuery(true).setRowCount(cur.rowsSent).setKind(cur.kind)
                .setInTransaction(inTransaction(s))).build());
    }

    private void fetchMore(Session s, long id, int batches) throws SQLException {
        Cursor cur = s.cursors.get(id);
        if (cur == null) {
            return; // finished or closed meanwhile: nothing to send
        }
        // Clamped without overflow: a client may send any number.
        cur.credit = (int) Math.min(MAX_CREDIT, (long) cur.credit + Math.max(1, batches));
        pumpCounted(s, cur);
    }

    /** Closes a cursor before its end; the client gets an ExecuteDone (or 2009 when cancelled). */
    void closeCursor(Session s, long id, boolean cancelled) {
        Cursor cur = s.cursors.remove(id);
        if (cur == null) {
            return;
        }
        cur.close();
        if (cancelled) {
            s.sendError(id, new TetraException(ErrorCode.CANCELLED, "The query was cancelled."));
        } else {
            s.send(ServerMessage.newBuilder().setRequestId(id).setDone(ExecuteDone.newBuilder().setUpdateCount(-1)
                    .setIsQuery(true).setRowCount(cur.rowsSent).setKind(cur.kind)
                    .setInTransaction(inTransaction(s))).build());
        }
    }

    private void begin(Session s, long id, boolean readOnly) throws SQLException {
        if (!s.autoCommit()) {
            throw new TetraException(ErrorCode.INVALID_ARGUMENT, "A transaction is already open.");
        }
        if (s.cursors.isEmpty()) {
            s.connection().commit(); // ends the last read's snapshot: the transaction starts now
        }
        s.explicitTransaction(true);
        s.readOnlyTransaction(readOnly);
        s.inTransaction(true);
        ok(s, id);
    }

    private void endTransaction(Session s, long id, boolean commit) throws SQLException {
        Connection c = s.connection();
        boolean open = !s.autoCommit();
        s.explicitTransaction(false);
        if (open) {
            try (Checkpoints.Call call = engineCall()) {
                if (commit) {
                    log().commit(s.log(), c);
                } else {
                    log().rollback(s.log(), c);
                }
            }
        }
        s.inTransaction(!s.autoCommit());
        ok(s, id);
    }

    private void admin(Session s, long id, AdminRequest req) throws java.io.IOException {
        if (s.role() != Role.ADMIN) {
            throw new TetraException(ErrorCode.PERMISSION_DENIED, "Administration requires the admin role.");
        }
        s.send(ServerMessage.newBuilder().setRequestId(id).setAdmin(admin.handle(s, req)).build());
    }

    private static void ok(Session s, long id) {
        s.send(ServerMessage.newBuilder().setRequestId(id).setOk(Ok.getDefaultInstance()).build());
    }

    private static boolean inTransaction(Session s) {
        Connection c = s.connection();
        boolean open;
        try {
            open = c != null && !c.isClosed() && !s.autoCommit();
        } catch (SQLException e) {
            open = false;
        }
        s.inTransaction(open);
        return open;
    }

    /** Closes cursors, rolls back and closes the H2 connection (session ending). */
    void close(Session s) {
        for (Cursor cur : s.cursors.values()) {
            cur.close();
        }
        s.cursors.clear();
        s.statements.clear();
        Connection c = s.connection();
        if (c != null) {
            // The rollback and the close change the engine (the open transaction's undo, the session's
            // temporary tables): not while a checkpoint writes the data file.
            try (Checkpoints.Call call = engineCall()) {
                try {
                    c.rollback();
                } catch (SQLException ignored) {
                    // the connection is closed below either way
                }
                if (s.log() != null) {
                    s.log().close();
                    s.log(null);
                }
                try {
                    c.close();
                } catch (SQLException e) {
                    LOG.debug("Closing the connection of {} failed: {}", s, e.getMessage());
                }
            }
            s.connection(null);
        }
    }

    /** A parameter's Java form; a value that cannot be read is the client's error (1001). */
    private static Object parameter(Value v) {
        try {
            return Values.toJava(v);
        } catch (InvalidValueException e) {
            throw new TetraException(ErrorCode.INVALID_ARGUMENT, e.getMessage(), e);
        }
    }
}
