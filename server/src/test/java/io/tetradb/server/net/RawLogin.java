package io.tetradb.server.net;

import com.google.protobuf.ByteString;
import io.tetradb.protocol.AuthChallenge;
import io.tetradb.protocol.AuthFinal;
import io.tetradb.protocol.AuthStart;
import io.tetradb.protocol.ClientMessage;
import io.tetradb.protocol.Hello;
import io.tetradb.protocol.ProtocolVersion;
import io.tetradb.protocol.ServerMessage;
import io.tetradb.protocol.scram.Scram;
import io.tetradb.server.TetraServer;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A plain socket speaking Tetra's handshake by hand, from a chosen loopback address
 * (127.0.0.2, 127.0.0.3, ... are all this machine), so that tests can be many strangers.
 */
final class RawLogin implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private String user;
    private String clientNonce;
    private AuthChallenge challenge;

    /** Connects to {@code server} from {@code localAddress} (for example "127.0.0.7"). */
    RawLogin(TetraServer server, String localAddress) throws IOException {
        socket = new Socket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
        socket.connect(new InetSocketAddress("127.0.0.1", server.boundPort()), 20_000);
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(20_000);   // a safety net; every read in the tests has an answer coming
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    void send(ClientMessage m) throws IOException {
        send(frame(m.toByteArray()));
    }

    /** The next message; fails when the connection closes first. */
    ServerMessage read() throws IOException {
        ServerMessage m = ServerMessage.parseDelimitedFrom(in);
        if (m == null) {
            throw new EOFException("the server closed the connection without a reply");
        }
        return m;
    }

    /** Whether something from the server is waiting to be read (never blocks). */
    boolean hasData() {
        try {
            return in.available() > 0;
        } catch (IOException e) {
            return true;
        }
    }

    /** Whether the server has closed the connection (waits for the end of the stream). */
    boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketException reset) {
            return true;
        }
    }

    static ClientMessage hello(long id, String clientName) {
        return ClientMessage.newBuilder().setRequestId(id).setHello(Hello.newBuilder()
                .setMinVersion(ProtocolVersion.MIN).setMaxVersion(ProtocolVersion.MAX).setClientName(clientName))
                .build();
    }

    /** Hello and AuthStart for {@code user}; keeps the challenge for {@link #authFinal}. */
    RawLogin start(String user) throws IOException {
        this.user = user;
        this.clientNonce = Scram.newNonce();
        send(hello(1, "RawLogin"));
        ServerMessage h = read();
        assertThat(h.hasHello()).as("hello reply: %s", h).isTrue();
        send(ClientMessage.newBuilder().setRequestId(2).setAuthStart(AuthStart.newBuilder().setUser(user)
                .setClientNonce(clientNonce)).build());
        ServerMessage ch = read();
        assertThat(ch.hasAuthChallenge()).as("challenge: %s", ch).isTrue();
        challenge = ch.getAuthChallenge();
        return this;
    }

    /** The AuthFinal frame proving {@code password} (the client's work, done before timing starts). */
    byte[] authFinal(String password) {
        byte[] salt = challenge.getSalt().toByteArray();
        byte[] salted = Scram.saltedPassword(password.toCharArray(), salt, challenge.getIterations());
        byte[] authMessage = Scram.authMessage(user, clientNonce, challenge.getNonce(), salt,
                challenge.getIterations());
        return frame(ClientMessage.newBuilder().setRequestId(3).setAuthFinal(AuthFinal.newBuilder()
                .setNonce(challenge.getNonce()).setClientProof(ByteString.copyFrom(Scram.clientProof(salted,
                        authMessage)))).build().toByteArray());
    }

    static byte[] varint(int value) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        long v = value & 0xFFFFFFFFL;
        while (v >= 0x80) {
            b.write((int) (v & 0x7F) | 0x80);
            v >>>= 7;
        }
        b.write((int) v);
        return b.toByteArray();
    }

    static byte[] frame(byte[] body) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(varint(body.length));
        b.writeBytes(body);
        return b.toByteArray();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
