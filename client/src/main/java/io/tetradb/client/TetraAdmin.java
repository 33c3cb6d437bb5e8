package io.tetradb.client;

import com.google.protobuf.ByteString;
import io.tetradb.protocol.AddUser;
import io.tetradb.protocol.AdminReply;
import io.tetradb.protocol.AdminRequest;
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
