package io.tetradb.server.auth;

import io.tetradb.protocol.AuthChallenge;
import io.tetradb.protocol.AuthFinal;
import io.tetradb.protocol.AuthStart;
import io.tetradb.protocol.Role;
import io.tetradb.protocol.scram.Scram;
import com.google.protobuf.ByteString;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The server side of one SCRAM-SHA-256 exchange. For an unknown user it answers with a
 * salt derived from a server secret and the name, so that an attacker cannot tell
 * unknown users from wrong passwords; the proof then fails like a wrong password.
 *
 * <p>One instance per connection, used on its event loop only (the checks are a few
 * hashes, no I/O).
 */
public final class ScramAuthenticator {
    private static final byte[] FAKE_SALT_SECRET = Scram.randomBytes(32);

    private final UserStore users;
    private String userName;
    private String clientNonce;
    private String nonce;
    private UserStore.User user;
    private byte[] salt;
    private int iterations;

    public ScramAuthenticator(UserStore users) {
        this.users = users;
    }

    /** The reply to client-first. */
    public AuthChallenge start(AuthStart start) {
        userName = start.getUser();
        clientNonce = start.getClientNonce();
        nonce = clientNonce + Scram.newNonce();
        user = users.find(userName);
        if (user != null) {
            salt = user.credentials().salt();
            iterations = user.credentials().iterations();
        } else {
            salt = Arrays.copyOf(Scram.hmac(FAKE_SALT_SECRET, userName.getBytes(StandardCharsets.UTF_8)), 16);
            iterations = Scram.DEFAULT_ITERATIONS;
        }
        return AuthChallenge.newBuilder().setNonce(nonce).setSalt(ByteString.copyFrom(salt))
                .setIterations(iterations).build();
    }

    /** The outcome of client-final: the server signature on success, null on failure. */
    public byte[] finish(AuthFinal fin) {
        if (user == null || !nonce.equals(fin.getNonce()) || clientNonce.isEmpty()) {
            return null;
        }
        byte[] authMessage = Scram.authMessage(userName, clientNonce, nonce, salt, iterations);
        if (!Scram.verifyClientProof(user.credentials().storedKey(), authMessage, fin.getClientProof().toByteArray())) {
            return null;
        }
        return Scram.serverSignature(user.credentials().serverKey(), authMessage);
    }

    /** The name the client gave. */
    public String userName() {
        return userName;
    }

    /** The authenticated user's role (valid after a successful finish). */
    public Role role() {
        return user.role();
    }
}
