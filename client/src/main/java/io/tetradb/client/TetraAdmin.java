package io.tetradb.client;

import com.google.protobuf.ByteString;
import io.tetradb.protocol.AddUser;
import io.tetradb.protocol.AdminReply;
import io.tetradb.protocol.AdminRequest;
import io.tetradb.protocol.BackupStarted;
import io.tetradb.protocol.BackupStatus;
import io.tetradb.protocol.BackupStatusRequest;
import io.tetradb.protocol.StartBackup;
import io.tetradb.protocol.StopBackup;
import io.tetradb.protocol.SubscribeEvents;
import io.tetradb.protocol.ClientMessage;
import io.tetradb.protocol.KillSession;
import io.tetradb.protocol.ListSessions;
import io.tetradb.protocol.ListUsers;
import io.tetradb.protocol.RemoveUser;
import io.tetradb.protocol.Role;
import io.tetradb.protocol.ScramCredentials;
import io.tetradb.protocol.ServerStatus;
import io.tetradb.protocol.SessionInfo;
import io.tetradb.protocol.SetPassword;
import io.tetradb.protocol.StatusRequest;
import io.tetradb.protocol.UserInfo;
import io.tetradb.protocol.scram.Scram;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Remote administration, for users with the admin role (others get 2003): everything
 * {@code tetra-admin} does. New passwords are turned into SCRAM credentials here; the
 * password itself never crosses the wire.
 *
 * <pre>{@code
 * ServerStatus s = client.admin().status();
 * client.admin().addUser("app", Role.USER, password);
 * for (SessionInfo si : client.admin().sessions()) System.out.println(si.getId() + " " + si.getUser());
 * }</pre>
 *
 * <p>The futures of the {@code ...Async} calls complete on the client's callback executor
 * (see {@link TetraClient}), where a callback may block.
 */
public final class TetraAdmin {
    private final TetraClient client;

    TetraAdmin(TetraClient client) {
        this.client = client;
    }

    /** The reply, on the callback executor (for the {@code ...Async} calls). */
    private <T> CompletableFuture<T> call(AdminRequest.Builder req, java.util.function.Function<AdminReply, T> map) {
        return client.deliver(client.connection().send(ClientMessage.newBuilder().setAdmin(req)),
                m -> map.apply(m.getAdmin()));
    }

    /** The reply, waited for on the calling thread. */
    private AdminReply callSync(AdminRequest.Builder req) {
        return TetraClient.await(client.connection().send(ClientMessage.newBuilder().setAdmin(req))).getAdmin();
    }

    /** Server, database and session figures. */
    public ServerStatus status() {
        return callSync(AdminRequest.newBuilder().setStatus(StatusRequest.getDefaultInstance())).getStatus();
    }

    public CompletableFuture<ServerStatus> statusAsync() {
        return call(AdminRequest.newBuilder().setStatus(StatusRequest.getDefaultInstance()), AdminReply::getStatus);
    }

    /** The open sessions. */
    public List<SessionInfo> sessions() {
        return callSync(AdminRequest.newBuilder().setListSessions(ListSessions.getDefaultInstance()))
                .getSessions().getSessionsList();
    }

    /** Ends a session; its client is told and disconnected. */
    public void killSession(long id) {
        callSync(AdminRequest.newBuilder().setKillSession(KillSession.newBuilder().setSessionId(id)));
    }

    /** The users and their roles. */
    public List<UserInfo> users() {
        return callSync(AdminRequest.newBuilder().setListUsers(ListUsers.getDefaultInstance())).getUsers().getUsersList();
    }

    /** Adds a user. */
    public void addUser(String name, Role role, char[] password) {
        callSync(AdminRequest.newBuilder().setAddUser(AddUser.newBuilder().setName(name).setRole(role)
                .setCredentials(credentials(password))));
    }

    /** Removes a user (not the last admin). */
    public void removeUser(String name) {
        callSync(AdminRequest.newBuilder().setRemoveUser(RemoveUser.newBuilder().setName(name)));
    }

    /** Sets a user's password. */
    public void setPassword(String name, char[] password) {
        callSync(AdminRequest.newBuilder().setSetPassword(SetPassword.newBuilder().setName(name)
                .setCredentials(credentials(password))));
    }

    /** Starts a backup on the server; returns its number and archive path once it has them. */
    public BackupStarted startBackup() {
        return startBackup(false);
    }

    /** Starts a backup; with {@code follow} this client also receives its progress and end events. */
    public BackupStarted startBackup(boolean follow) {
        return callSync(AdminRequest.newBuilder().setStartBackup(StartBackup.newBuilder().setSubscribe(follow)))
                .getBackupStarted();
    }

    public CompletableFuture<BackupStarted> startBackupAsync(boolean follow) {
        return call(AdminRequest.newBuilder().setStartBackup(StartBackup.newBuilder().setSubscribe(follow)),
                AdminReply::getBackupStarted);
    }

    /** Stops the running backup (it ends with 1406); 2010 when none runs. */
    public void stopBackup() {
        callSync(AdminRequest.newBuilder().setStopBackup(StopBackup.getDefaultInstance()));
    }

    /** RUNNING with progress, or IDLE with the last backup's information. */
    public BackupStatus backupStatus() {
        return callSync(AdminRequest.newBuilder().setBackupStatus(BackupStatusRequest.getDefaultInstance()))
                .getBackupStatus();
    }

    /**
     * Subscribes this client to backup progress and end events (receive them with
     * {@link TetraClient#addEventListener}).
     */
    public void subscribeBackupEvents(boolean on) {
        callSync(AdminRequest.newBuilder().setSubscribeEvents(SubscribeEvents.newBuilder().setBackup(on)));
    }

    /** The backup settings: Settings/backup.yml as it is, and every setting's effective value (JSON). */
    public io.tetradb.protocol.BackupSettingsReply backupSettings() {
        return callSync(AdminRequest.newBuilder().setBackupSettings(
                io.tetradb.protocol.BackupSettingsRequest.getDefaultInstance())).getBackupSettings();
    }

    /**
     * Changes backup settings, all or none: each assignment is {@code KEY=VALUE} with a dotted
     * key, for example {@code archive.compression=compact} or {@code schedule.at=23:00}.
     * A bad key or value fails with 2010 naming it, and the file stays as it was.
     */
    public io.tetradb.protocol.BackupSettingsReply setBackupSettings(String... assignments) {
        return callSync(AdminRequest.newBuilder().setSetBackupSettings(
                io.tetradb.protocol.SetBackupSettings.newBuilder().addAllAssignments(java.util.List.of(assignments))))
                .getBackupSettings();
    }

    /**
     * {@code tetra-admin backup window}: per archive, the operation the unbroken log after it
     * reaches (to_current: the last commit), and every gap in the log (a segment missing or
     * failing its checksum).
     */
    public io.tetradb.protocol.BackupWindow backupWindow() {
        return callSync(AdminRequest.newBuilder().setBackupWindow(
                io.tetradb.protocol.BackupWindowRequest.getDefaultInstance())).getBackupWindow();
    }

    /** The archives kept in the destination (backup-history.json). */
    public io.tetradb.protocol.BackupHistory backupHistory() {
        return callSync(AdminRequest.newBuilder().setBackupHistory(
                io.tetradb.protocol.BackupHistoryRequest.getDefaultInstance())).getBackupHistory();
    }

    /**
     * {@code log new}: closes the log's current segment without a backup and archives it in the
     * backup destination as {@code <name>-NNNN-KK.journal.zst} (NNNN the newest archive's number,
     * KK 01, 02 ... after it). Fails with 1419 while a backup runs, 1408 when the segment cannot be
     * archived (it stays in the server's Data folder and the next backup or log new takes it).
     */
    public io.tetradb.protocol.LogSegmentFile logNew() {
        return callSync(AdminRequest.newBuilder().setLogNew(io.tetradb.protocol.LogNew.getDefaultInstance()))
                .getLogSegment();
    }

    /** The last {@code tail} lines of Logs/backup-journal.txt (all when 0). */
    public java.util.List<String> backupJournal(int tail) {
        return callSync(AdminRequest.newBuilder().setBackupJournal(
                io.tetradb.protocol.BackupJournalRequest.newBuilder().setTail(Math.max(0, tail))))
                .getBackupJournal().getLinesList();
    }

    /**
     * Verifies backup {@code number} (found in the server's backup destination): every
     * checksum, then the server opens the restored database and reads every table. A
     * damaged archive fails with 1411 naming the entry or the reason; a missing one with 2010.
     *
     * <pre>{@code
     * VerifyReport r = client.admin().verifyBackup(7);
     * System.out.println(r.getTables() + " tables, " + r.getRows() + " rows");
     * }</pre>
     */
    public io.tetradb.protocol.VerifyReport verifyBackup(long number) {
        return callSync(AdminRequest.newBuilder().setVerifyBackup(
                io.tetradb.protocol.VerifyBackup.newBuilder().setNumber(number))).getVerifyReport();
    }

    /** Verifies the archive {@code file} on the server (a relative path is taken from the backup destination). */
    public io.tetradb.protocol.VerifyReport verifyBackup(String file) {
        return callSync(AdminRequest.newBuilder().setVerifyBackup(
                io.tetradb.protocol.VerifyBackup.newBuilder().setFile(file))).getVerifyReport();
    }

    /**
     * Restores backup {@code number} into the folder {@code toDir} on the server, which
     * must not exist or be empty (a relative path is taken beside the database folder),
     * brought forward with the log to the last acknowledged commit;
     * {@code tetra-server --data-dir toDir} then opens it. The running database is not
     * touched.
     */
    public io.tetradb.protocol.RestoreReport restoreBackup(long number, String toDir) {
        return callSync(AdminRequest.newBuilder().setRestoreBackup(
                io.tetradb.protocol.RestoreBackup.newBuilder().setNumber(number).setToDir(toDir))).getRestoreReport();
    }

    /**
     * Any restore, as {@code tetra-admin restore} builds it: an archive by number or file (or
     * chosen by {@code at_time_millis}), to a folder or in place, and how far the log brings it
     * forward ({@code no_log}, {@code until_operation}, {@code until_time_millis}; by default to
     * the last acknowledged commit). The report says which segments were read and the last
     * operation the restored database holds; in place, the operations after the point are
     * cancelled (a new timeline) and the report names them.
     */
    public io.tetradb.protocol.RestoreReport restore(io.tetradb.protocol.RestoreBackup request) {
        return callSync(AdminRequest.newBuilder().setRestoreBackup(request)).getRestoreReport();
    }

    /** As {@link #restoreBackup(long, String)}, from the archive {@code file} on the server. */
    public io.tetradb.protocol.RestoreReport restoreBackup(String file, String toDir) {
        return callSync(AdminRequest.newBuilder().setRestoreBackup(
                io.tetradb.protocol.RestoreBackup.newBuilder().setFile(file).setToDir(toDir))).getRestoreReport();
    }

    /**
     * Restores backup {@code number} over the running database. The server goes into
     * maintenance: every other session's database connection is closed (its open transaction
     * rolled back) and its requests get 2008 "The server is in maintenance: a restore is in
     * progress."; once the database is open again those connections are closed with 2008
     * "The database was restored in place ...: connect again." and new connections work at
     * once. The current files move to {@code Replaced Files (restore)}, the archive's take
     * their place (but for {@code Settings/}: the current one is kept, see
     * {@link #restoreInPlace(long, boolean)}), brought forward with the log to the last
     * acknowledged commit, and the database reopens; this session stays connected. A damaged
     * archive changes nothing (1411); a running backup refuses it (1419).
     */
    public io.tetradb.protocol.RestoreReport restoreInPlace(long number) {
        return restoreInPlace(number, false);
    }

    /**
     * As {@link #restoreInPlace(long)}; with {@code restoreSettings} the archive's
     * {@code Settings/} (backup.yml, hooks) replaces the current one too, which then goes with
     * the replaced files. The report's {@code settings_restored} says which was done.
     */
    public io.tetradb.protocol.RestoreReport restoreInPlace(long number, boolean restoreSettings) {
        return callSync(AdminRequest.newBuilder().setRestoreBackup(io.tetradb.protocol.RestoreBackup.newBuilder()
                .setNumber(number).setInPlace(true).setRestoreSettings(restoreSettings))).getRestoreReport();
    }

    /**
     * {@code tetra-admin replaced list}: the {@code Replaced Files (...)} folders of the
     * database (in its folder and in its {@code Data/} folder) that restores, rollbacks, the
     * automatic restore at start and conversions leave, each with what put it there, its
     * entries, its size and its number of files.
     */
    public io.tetradb.protocol.ReplacedFilesList replacedFiles() {
        return callSync(AdminRequest.newBuilder().setListReplaced(io.tetradb.protocol.ListReplacedFiles
                .getDefaultInstance())).getReplacedFiles();
    }

    /**
     * {@code tetra-admin replaced remove NAME}: deletes one {@code Replaced Files (...)} folder
     * ({@code name} as {@link #replacedFiles()} lists it, or its kind: {@code restore}), or one
     * of its entries ({@code restore/20261201-101530}). Symbolic links inside are removed, never
     * followed. 1417 while an in-place restore or a rollback runs; 2010 for an unknown name.
     */
    public io.tetradb.protocol.ReplacedFilesRemoved removeReplacedFiles(String name) {
        return callSync(AdminRequest.newBuilder().setRemoveReplaced(io.tetradb.protocol.RemoveReplacedFiles
                .newBuilder().setName(name))).getReplacedRemoved();
    }

    /** As {@link #removeReplacedFiles(String)}, for every {@code Replaced Files (...)} folder. */
    public io.tetradb.protocol.ReplacedFilesRemoved removeAllReplacedFiles() {
        return callSync(AdminRequest.newBuilder().setRemoveReplaced(io.tetradb.protocol.RemoveReplacedFiles
                .newBuilder().setAll(true))).getReplacedRemoved();
    }

    /**
     * {@code tetra-admin rollback}: brings the running database back to a point (an operation
     * or a time): the last archive before it is restored in place and brought forward with
     * the log to it, the operations after it are cancelled (never integrated again), the
     * replaced files kept in {@code Replaced Files (rollback)}. With {@code dry_run} nothing
     * changes and the report lists the operations that would be cancelled.
     *
     * <pre>{@code
     * RollbackReport plan = client.admin().rollback(RollbackRequest.newBuilder()
     *         .setToTimeMillis(tenFourteen).setDryRun(true).build());
     * plan.getOperationsList().forEach(op -> System.out.println(op.getOperation() + " " + op.getKind()));
     * }</pre>
     */
    public io.tetradb.protocol.RollbackReport rollback(io.tetradb.protocol.RollbackRequest request) {
        return callSync(AdminRequest.newBuilder().setRollback(request)).getRollbackReport();
    }

    /** As {@link #restoreInPlace(long)}, from the archive {@code file} on the server. */
    public io.tetradb.protocol.RestoreReport restoreInPlace(String file) {
        return callSync(AdminRequest.newBuilder().setRestoreBackup(
                io.tetradb.protocol.RestoreBackup.newBuilder().setFile(file).setInPlace(true))).getRestoreReport();
    }

    /**
     * The log file's state ({@code tetra-admin log status}): its current segment (number,
     * file, first and last operation, size), the last sync and {@code log.sync}, whether it can
     * be written (else why: writes are refused with 1274 meanwhile), and the counters since the
     * server opened it (syncs, transactions, operations, operations per sync). 1403 when the
     * database is closed (an in-place restore).
     *
     * <pre>{@code
     * LogStatusReply s = client.admin().logStatus();
     * System.out.println("segment " + s.getSegment() + ": " + s.getFirstOperation() + " to " + s.getLastOperation());
     * }</pre>
     */
    public io.tetradb.protocol.LogStatusReply logStatus() {
        return callSync(AdminRequest.newBuilder().setLogStatus(
                io.tetradb.protocol.LogStatusRequest.getDefaultInstance())).getLogStatus();
    }

    /**
     * The operations of the log file's current segment that pass {@code filter}, in order, up
     * to its limit ({@code tetra-admin log show}). The server filters while it reads the file;
     * this fetches as many replies as needed (each stays within the client's frame limit).
     * Each operation carries its number, commit time, user, session, client address, kind
     * (INSERT, UPDATE, DELETE, SEQUENCE, CONTENT or the structure change's kind, for example
     * {@code CREATE TABLE}), table and a short summary of its key or values (at most a few hundred
     * characters; large values are shown by their size, {@code (70000 bytes)}).
     *
     * <pre>{@code
     * for (LogOperationInfo op : client.admin().logShow(LogFilter.builder().table("ORDERS").limit(20).build())) {
     *     System.out.println(op.getOperation() + " " + op.getKind() + " " + op.getSummary());
     * }
     * }</pre>
     *
     * @throws TetraException 2010 for a filter the server refuses, 1403 when the database is
     *                        closed, 1413 when the segment is damaged, 2003 without the admin role
     */
    public java.util.List<io.tetradb.protocol.LogOperationInfo> logShow(LogFilter filter) {
        java.util.List<io.tetradb.protocol.LogOperationInfo> out = new java.util.ArrayList<>();
        logShow(filter, out::add);
        return out;
    }

    /**
     * As {@link #logShow(LogFilter)}, giving each operation to {@code each} as its reply
     * arrives (on the calling thread), so that only one reply is held at a time.
     *
     * @return 0 when every operation that passes the filter was given; when the filter's limit
     *         stopped it while more pass, the number of the next one (to go on from)
     */
    public long logShow(LogFilter filter, java.util.function.Consumer<io.tetradb.protocol.LogOperationInfo> each) {
        java.util.Objects.requireNonNull(each);
        int remaining = filter.limit();
        LogFilter page = filter;
        while (true) {
            io.tetradb.protocol.LogShowReply r = logShowPage(page.toRequest(remaining,
                    client.config().maxFrameSize()));
            for (io.tetradb.protocol.LogOperationInfo op : r.getOperationsList()) {
                each.accept(op);
            }
            remaining -= r.getOperationsCount();
            if (!r.getTruncated()) {
                return 0;
            }
            if (remaining <= 0) {
                return r.getNextOperation();
            }
            if (r.getNextOperation() <= page.fromOperation() && r.getOperationsCount() == 0) {
                throw new TetraException(io.tetradb.client.ErrorCode.PROTOCOL_ERROR, "The server's log show reply "
                        + "made no progress (next operation " + r.getNextOperation() + ").");
            }
            page = page.from(r.getNextOperation(), remaining);
        }
    }

    /**
     * One reply of {@code log show}: at most {@code request.limit} operations and at most
     * {@code request.max_reply_bytes} (or the server's frame limit); {@code truncated} with
     * {@code next_operation} when more may follow. For callers that page themselves.
     */
    public io.tetradb.protocol.LogShowReply logShowPage(io.tetradb.protocol.LogShowRequest request) {
        return callSync(AdminRequest.newBuilder().setLogShow(request)).getLogShow();
    }

    private static ScramCredentials credentials(char[] password) {
        if (password == null || password.length < 8) {
            throw new io.tetradb.client.TetraException(io.tetradb.client.ErrorCode.INVALID_ARGUMENT,
                    "Passwords need at least 8 characters.");
        }
        Scram.Credentials c = Scram.newCredentials(password);
        return ScramCredentials.newBuilder().setSalt(ByteString.copyFrom(c.salt())).setIterations(c.iterations())
                .setStoredKey(ByteString.copyFrom(c.storedKey())).setServerKey(ByteString.copyFrom(c.serverKey())).build();
    }
}
