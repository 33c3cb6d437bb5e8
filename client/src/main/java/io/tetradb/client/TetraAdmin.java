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
 */
public final class TetraAdmin {
    private final TetraClient client;

    TetraAdmin(TetraClient client) {
        this.client = client;
    }

    private CompletableFuture<AdminReply> call(AdminRequest.Builder req) {
        return client.connection().send(ClientMessage.newBuilder().setAdmin(req)).thenApply(m -> m.getAdmin());
    }

    private AdminReply callSync(AdminRequest.Builder req) {
        return TetraClient.await(call(req));
    }

    /** Server, database and session figures. */
    public ServerStatus status() {
        return callSync(AdminRequest.newBuilder().setStatus(StatusRequest.getDefaultInstance())).getStatus();
    }

    public CompletableFuture<ServerStatus> statusAsync() {
        return call(AdminRequest.newBuilder().setStatus(StatusRequest.getDefaultInstance())).thenApply(AdminReply::getStatus);
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
        return call(AdminRequest.newBuilder().setStartBackup(StartBackup.newBuilder().setSubscribe(follow)))
                .thenApply(AdminReply::getBackupStarted);
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

    private static ScramCredentials credentials(char[] password) {
        if (password == null || password.length < 8) {
            throw new io.tetradb.protocol.TetraException(io.tetradb.protocol.ErrorCode.INVALID_ARGUMENT,
                    "Passwords need at least 8 characters.");
        }
        Scram.Credentials c = Scram.newCredentials(password);
        return ScramCredentials.newBuilder().setSalt(ByteString.copyFrom(c.salt())).setIterations(c.iterations())
                .setStoredKey(ByteString.copyFrom(c.storedKey())).setServerKey(ByteString.copyFrom(c.serverKey())).build();
    }
}
