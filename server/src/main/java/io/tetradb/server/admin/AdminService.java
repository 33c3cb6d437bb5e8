package io.tetradb.server.admin;

import io.tetradb.protocol.AdminReply;
import io.tetradb.protocol.AdminRequest;
import io.tetradb.client.ErrorCode;
import io.tetradb.protocol.Ok;
import io.tetradb.protocol.ScramCredentials;
import io.tetradb.protocol.ServerStatus;
import io.tetradb.protocol.SessionInfo;
import io.tetradb.protocol.SessionList;
import io.tetradb.client.TetraException;
import io.tetradb.protocol.UserInfo;
import io.tetradb.protocol.UserList;
import io.tetradb.protocol.scram.Scram;
import io.tetradb.server.DataLayout;
import io.tetradb.server.auth.UserStore;
import io.tetradb.protocol.BackupJournal;
import io.tetradb.protocol.BackupSettingsReply;
import io.tetradb.protocol.WireStates;
import io.tetradb.server.backup.BackupScheduler;
import io.tetradb.server.backup.BackupService;
import io.tetradb.server.backup.BackupSettings;
import io.tetradb.server.session.Session;
import io.tetradb.server.session.SessionRegistry;
import io.tetradb.server.restore.RestoreService;
import io.tetradb.server.sql.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Answers admin requests (role admin only, checked by the dispatcher): server status,
 * sessions list and kill, users list, add, remove and password change, backups, restores, the
 * Replaced Files folders (list, remove) and the log file's status and operations.
 *
 * <p>Runs on the requesting session's worker task.
 */
public final class AdminService {
    private static final Logger LOG = LoggerFactory.getLogger(AdminService.class);

    private volatile io.tetradb.server.sql.CatalogWriter catalog;
    private final DataLayout layout;
    private final UserStore users;
    private final Supplier<SessionRegistry> sessions;
    private final String host;
    private final IntSupplier port;
    private final long startedAt = System.currentTimeMillis();
    private final String serverVersion;
    private final Supplier<BackupService> backups;
    private final Supplier<BackupScheduler> scheduler;
    private final boolean tls;

    public AdminService(DataLayout layout, UserStore users, Supplier<SessionRegistry> sessions, String host,
                        IntSupplier port, String serverVersion, Supplier<BackupService> backups,
                        Supplier<BackupScheduler> scheduler, boolean tls) {
        this.tls = tls;
        this.backups = backups;
        this.scheduler = scheduler;
        this.layout = layout;
        this.users = users;
        this.sessions = sessions;
        this.host = host;
        this.port = port;
        this.serverVersion = serverVersion;
    }

    private volatile RestoreService restores;

    private volatile io.tetradb.server.log.LogCommands logCommands;

    /** The log file's commands, log status and log show (set once by the server before it listens). */
    public void logCommands(io.tetradb.server.log.LogCommands c) {
        logCommands = c;
    }

    /** The restore and verify service (set once by the server before it listens). */
    public void restores(RestoreService r) {
        restores = r;
    }

    /** Handles one request. */
    public AdminReply handle(Session caller, AdminRequest req) throws IOException {
        switch (req.getKindCase()) {
            case STATUS:
                return AdminReply.newBuilder().setStatus(status()).build();
            case LIST_SESSIONS: {
                SessionList.Builder l = SessionList.newBuilder();
                for (Session s : sessions.get().list()) {
                    l.addSessions(SessionInfo.newBuilder().setId(s.id()).setUser(s.user()).setRole(s.role())
                            .setRemoteAddress(s.remoteAddress()).setConnectedAtMillis(s.connectedAt())
                            .setInTransaction(s.inTransaction()).setRequestsInFlight(Math.max(0, s.inFlight()))
                            .setClientName(s.clientName()).setRequestsDone(s.requestsDone()));
                }
                return AdminReply.newBuilder().setSessions(l).build();
            }
            case KILL_SESSION: {
                long id = req.getKillSession().getSessionId();
                if (id == caller.id()) {
                    throw new TetraException(ErrorCode.INVALID_ARGUMENT, "A session cannot kill itself; disconnect instead.");
                }
                if (!sessions.get().kill(id)) {
                    throw new TetraException(ErrorCode.INVALID_ARGUMENT, "No session " + id + ".");
                }
                LOG.info("Session {} killed by {} ({}).", id, caller.user(), caller.id());
                return ok();
            }
            case LIST_USERS: {
                UserList.Builder l = UserList.newBuilder();
                for (UserStore.User u : users.list()) {
                    l.addUsers(UserInfo.newBuilder().setName(u.name()).setRole(u.role()).setCreatedAtMillis(u.createdAt()));
                }
                return AdminReply.newBuilder().setUsers(l).build();
            }
            case ADD_USER:
                users.add(req.getAddUser().getName(), req.getAddUser().getRole(),
                        credentials(req.getAddUser().getCredentials()));
                LOG.info("User {} added by {}.", req.getAddUser().getName(), caller.user());
                return ok();
            case REMOVE_USER:
                users.remove(req.getRemoveUser().getName());
                LOG.info("User {} removed by {}.", req.getRemoveUser().getName(), caller.user());
                return ok();
            case SET_PASSWORD:
                users.setCredentials(req.getSetPassword().getName(), credentials(req.getSetPassword().getCredentials()));
                LOG.info("Password of {} changed by {}.", req.getSetPassword().getName(), caller.user());
                return ok();
            case START_BACKUP:
                return AdminReply.newBuilder().setBackupStarted(backups.get().start(caller,
                        req.getStartBackup().getSubscribe())).build();
            case STOP_BACKUP:
                if (!backups.get().stop(caller.user())) {
                    throw new TetraException(ErrorCode.INVALID_ARGUMENT, "No backup is running.");
                }
                LOG.info("Backup stop requested by {}.", caller.user());
                return ok();
            case BACKUP_STATUS:
                return AdminReply.newBuilder().setBackupStatus(backups.get().status()).build();
            case BACKUP_SETTINGS: {
                BackupSettings st = BackupSettings.load(layout);
                return AdminReply.newBuilder().setBackupSettings(BackupSettingsReply.newBuilder().setYaml(st.toYaml())
                        .setEffectiveJson(st.asJson().toPrettyString())).build();
            }
            case SET_BACKUP_SETTINGS: {
                java.util.List<String[]> pairs = new java.util.ArrayList<>();
                for (String a : req.getSetBackupSettings().getAssignmentsList()) {
                    int eq = a.indexOf('=');
                    if (eq <= 0) {
                        throw new TetraException(ErrorCode.INVALID_ARGUMENT, "Expected KEY=VALUE, got '" + a + "'.");
                    }
                    // The value as typed: a text setting keeps its spaces (BackupSettings.set).
                    pairs.add(new String[]{a.substring(0, eq).trim(), a.substring(eq + 1)});
                }
                BackupSettings st = BackupSettings.load(layout).setAll(pairs);
                st.save(layout);
                scheduler.get().reschedule();
                LOG.info("Backup settings changed by {}: {}", caller.user(), req.getSetBackupSettings().getAssignmentsList());
                return AdminReply.newBuilder().setBackupSettings(BackupSettingsReply.newBuilder().setYaml(st.toYaml())
                        .setEffectiveJson(st.asJson().toPrettyString())).build();
            }
            case BACKUP_HISTORY:
                return AdminReply.newBuilder().setBackupHistory(backups.get().history()).build();
            case BACKUP_JOURNAL:
                return AdminReply.newBuilder().setBackupJournal(BackupJournal.newBuilder()
                        .addAllLines(backups.get().journal().tail(req.getBackupJournal().getTail()))).build();
            case SUBSCRIBE_EVENTS:
                backups.get().subscribe(caller, req.getSubscribeEvents().getBackup());
                return ok();
            case VERIFY_BACKUP:
                return AdminReply.newBuilder().setVerifyReport(restores.verify(req.getVerifyBackup().getNumber(),
                        req.getVerifyBackup().getFile())).build();
            case BACKUP_WINDOW:
                return AdminReply.newBuilder().setBackupWindow(restores.window()).build();
            case RESTORE_BACKUP: {
                var r = req.getRestoreBackup();
                if (r.getInPlace() == !r.getToDir().isEmpty()) {
                    throw new TetraException(ErrorCode.INVALID_ARGUMENT, "Restore either to a folder or in place.");
                }
                if (r.getUntilOperation() < 0 || r.getUntilTimeMillis() < 0 || r.getAtTimeMillis() < 0) {
                    throw new TetraException(ErrorCode.INVALID_ARGUMENT, "until_operation, until_time_millis and "
                            + "at_time_millis must not be negative.");
                }
                if (r.getRestoreSettings() && !r.getInPlace()) {
                    throw new TetraException(ErrorCode.INVALID_ARGUMENT, "restore_settings is for an in-place restore: "
                            + "a restore to a folder always holds the archive's Settings/.");
                }
                if (r.getAtTimeMillis() != 0) {
                    if (r.getNumber() != 0 || !r.getFile().isEmpty() || r.getNoLog() || r.getUntilOperation() > 0
                            || r.getUntilTimeMillis() > 0) {
                        throw new TetraException(ErrorCode.INVALID_ARGUMENT, "at_time_millis chooses the archive and "
                                + "the point itself: it goes without a number, file or other point.");
                    }
                    return AdminReply.newBuilder().setRestoreReport(afterInPlace(r.getInPlace()
                            ? restores.restoreAtInPlace(r.getAtTimeMillis(), r.getRestoreSettings(), caller)
                            : restores.restoreAt(r.getAtTimeMillis(), java.nio.file.Path.of(r.getToDir())))).build();
                }
                if (r.getNoLog() && (r.getUntilOperation() > 0 || r.getUntilTimeMillis() > 0)) {
                    throw new TetraException(ErrorCode.INVALID_ARGUMENT, "no_log restores the archive alone: it goes "
                            + "without until_operation or until_time_millis.");
                }
                RestoreService.LogPoint point = new RestoreService.LogPoint(r.getNoLog(), r.getUntilOperation(),
                        r.getUntilTimeMillis() > 0 ? r.getUntilTimeMillis() : Long.MAX_VALUE);
                return AdminReply.newBuilder().setRestoreReport(afterInPlace(r.getInPlace()
                        ? restores.restoreInPlace(r.getNumber(), r.getFile(), point, r.getRestoreSettings(), caller)
                        : restores.restoreTo(r.getNumber(), r.getFile(), java.nio.file.Path.of(r.getToDir()), point)))
                        .build();
            }
            case LIST_REPLACED:
                return AdminReply.newBuilder().setReplacedFiles(restores.replacedFiles()).build();
            case REMOVE_REPLACED:
                return AdminReply.newBuilder().setReplacedRemoved(restores.removeReplacedFiles(
                        req.getRemoveReplaced().getName(), req.getRemoveReplaced().getAll(), caller)).build();
            case ROLLBACK:
                return AdminReply.newBuilder().setRollbackReport(restores.rollback(req.getRollback(), caller)).build();
            case LOG_STATUS:
                return AdminReply.newBuilder().setLogStatus(logCommands.status()).build();
            case LOG_SHOW:
                return AdminReply.newBuilder().setLogShow(logCommands.show(req.getLogShow())).build();
            case LOG_NEW:
                return AdminReply.newBuilder().setLogSegment(backups.get().logNew(caller)).build();
            default:
                throw new TetraException(ErrorCode.PROTOCOL_ERROR, "Unknown admin request.");
        }
    }

    /**
     * After a restore: one in place that took the archive's Settings/ has a new backup.yml,
     * whose schedule the scheduler now follows.
     */
    private io.tetradb.protocol.RestoreReport afterInPlace(io.tetradb.protocol.RestoreReport report) {
        if (report.getInPlace() && report.getSettingsRestored()) {
            scheduler.get().reschedule();
        }
        return report;
    }

    /** The server's status. */
    public ServerStatus status() {
        long size = 0;
        try {
            size = Files.size(layout.dataFile());
        } catch (IOException ignored) {
            // reported as 0
        }
        SessionRegistry reg = sessions.get();
        return ServerStatus.newBuilder().setServerVersion(serverVersion).setH2Version(Database.h2Version())
                .setDatabaseName(layout.databaseName()).setDataDir(layout.root().toString()).setHost(host)
                .setPort(port.getAsInt()).setStartedAtMillis(startedAt)
                .setUptimeMillis(System.currentTimeMillis() - startedAt).setSessionCount(reg.count())
                .setDataFileSize(size).setState(reg.serverState())
                .setServerState(WireStates.serverState(reg.serverState())).setTls(tls)
                .setBackup(backups.get().status())
                .setCatalogProblem(catalog == null || catalog.problem() == null ? "" : catalog.problem())
                .setReplacedFilesBytes(restores == null ? 0 : restores.replacedFilesBytes()).build();
    }

    /** The catalog writer, whose problems the status shows (set once at start). */
    public void catalog(io.tetradb.server.sql.CatalogWriter writer) {
        this.catalog = writer;
    }

    private static AdminReply ok() {
        return AdminReply.newBuilder().setOk(Ok.getDefaultInstance()).build();
    }

    private static Scram.Credentials credentials(ScramCredentials c) {
        return new Scram.Credentials(c.getSalt().toByteArray(), c.getIterations(), c.getStoredKey().toByteArray(),
                c.getServerKey().toByteArray());
    }
}
