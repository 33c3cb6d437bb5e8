package io.tetradb.server.net;

import com.google.protobuf.ByteString;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.tetradb.protocol.AuthOk;
import io.tetradb.protocol.ClientMessage;
import io.tetradb.client.ErrorCode;
import io.tetradb.protocol.HelloReply;
import io.tetradb.protocol.ProtocolVersion;
import io.tetradb.protocol.ServerMessage;
import io.tetradb.client.TetraException;
import io.tetradb.protocol.codec.TetraFrameDecoder;
import io.tetradb.server.auth.AuthThrottle;
import io.tetradb.server.auth.ScramAuthenticator;
import io.tetradb.server.auth.UserStore;
import io.tetradb.server.session.Session;
import io.tetradb.server.session.SessionRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The login stage of a connection's pipeline: takes a place among the handshakes
 * ({@link PreLoginLimits}), walks the handshake (version negotiation, SCRAM-SHA-256)
 * under the handshake timeout and the small pre-login frame limit, has every attempt
 * answered when the login throttle says, and on success counts the session, raises the
 * frame limit to maxFrameSize, puts the {@link SessionHandler} in its place and removes
 * itself (as BookKeeper's AuthHandler.ServerSideHandler does). Whatever goes wrong before
 * login is answered (2001, 2002, 2004, 2005) and the connection closed.
 *
 * <p>One instance per connection, run on that connection's event loop; it never blocks:
 * the throttle's delays are scheduled on the event loop, and reading stops while an
 * attempt waits for its answer.
 */
public final class LoginHandler extends SimpleChannelInboundHandler<ClientMessage> {
    private static final Logger LOG = LoggerFactory.getLogger(LoginHandler.class);

    private enum State { AWAIT_HELLO, AWAIT_AUTH_START, AWAIT_AUTH_FINAL, ANSWERING, CLOSING, LOGGED_IN }

    private final SessionRegistry registry;
    private final UserStore users;
    private final PreLoginLimits limits;
    private final String serverVersion;
    private final String databaseName;
    private State state = State.AWAIT_HELLO;
    private ScramAuthenticator scram;
    private String clientName = "";
    private String address;
    private PreLoginLimits.Ticket ticket;
    private ScheduledFuture<?> handshakeTimeout;

    public LoginHandler(SessionRegistry registry, UserStore users, PreLoginLimits limits, String serverVersion,
                        String databaseName) {
        super(ClientMessage.class);
        this.registry = registry;
        this.users = users;
        this.limits = limits;
        this.serverVersion = serverVersion;
        this.databaseName = databaseName;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        address = PreLoginLimits.addressKey(ctx.channel().remoteAddress());
        if (registry.isShuttingDown()) {
            close(ctx, 0, new TetraException(ErrorCode.SESSION_CLOSED, "The server is shutting down."));
            return;
        }
        try {
            ticket = limits.enter(address, () -> ctx.executor().execute(() -> evicted(ctx)));
        } catch (TetraException busy) {
            LOG.debug("Connection from {} refused: {}", address, busy.getMessage());
            close(ctx, 0, busy);
            return;
        }
        handshakeTimeout = ctx.executor().schedule(() -> {
            if (state.compareTo(State.ANSWERING) < 0) {
                close(ctx, 0, new TetraException(ErrorCode.PROTOCOL_ERROR, "Handshake not completed in time ("
                        + limits.handshakeTimeout().toMillis() + " ms, limits.handshakeTimeout)."));
            }
        }, limits.handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS);
        ctx.fireChannelActive();
    }

    private void evicted(ChannelHandlerContext ctx) {
        if (state != State.LOGGED_IN && state != State.CLOSING) {
            close(ctx, 0, new TetraException(ErrorCode.SERVER_BUSY, "Too many connections that have not logged in: "
                    + "this one was closed to make room (limits.handshakes)."));
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ClientMessage m) {
        long id = m.getRequestId();
        switch (state) {
            case AWAIT_HELLO -> {
                if (!m.hasHello()) {
                    close(ctx, id, new TetraException(ErrorCode.PROTOCOL_ERROR, "Expected Hello first, got "
                            + m.getBodyCase() + "."));
                    return;
                }
                int version = ProtocolVersion.negotiate(m.getHello().getMinVersion(), m.getHello().getMaxVersion());
                if (version < 0) {
                    close(ctx, id, new TetraException(ErrorCode.PROTOCOL_ERROR, "Unsupported protocol version: the "
                            + "client speaks " + m.getHello().getMinVersion() + ".." + m.getHello().getMaxVersion()
                            + ", this server speaks " + ProtocolVersion.MIN + ".." + ProtocolVersion.MAX + "."));
                    return;
                }
                clientName = m.getHello().getClientName();
                state = State.AWAIT_AUTH_START;
                ctx.writeAndFlush(ServerMessage.newBuilder().setRequestId(id).setHello(HelloReply.newBuilder()
                        .setVersion(version).setServerVersion(serverVersion).setDatabaseName(databaseName)
                        .setAuthMechanism(ProtocolVersion.AUTH_MECHANISM).setEngineVersion(org.h2.engine.Constants.FULL_VERSION))
                        .build());
            }
            case AWAIT_AUTH_START -> {
                if (!m.hasAuthStart()) {
                    close(ctx, id, new TetraException(ErrorCode.PROTOCOL_ERROR, "Expected AuthStart, got "
                            + m.getBodyCase() + "."));
                    return;
                }
                scram = new ScramAuthenticator(users);
                state = State.AWAIT_AUTH_FINAL;
                ctx.writeAndFlush(ServerMessage.newBuilder().setRequestId(id)
                        .setAuthChallenge(scram.start(m.getAuthStart())).build());
            }
            case AWAIT_AUTH_FINAL -> {
                if (!m.hasAuthFinal()) {
                    close(ctx, id, new TetraException(ErrorCode.PROTOCOL_ERROR, "Expected AuthFinal, got "
                            + m.getBodyCase() + "."));
                    return;
                }
                authenticate(ctx, id, m);
            }
            case ANSWERING -> close(ctx, id, new TetraException(ErrorCode.PROTOCOL_ERROR,
                    "Requests must wait for the answer to AuthFinal."));
            default -> {
                // closing: ignore
            }
        }
    }

    private void authenticate(ChannelHandlerContext ctx, long id, ClientMessage m) {
        // The client has done its part: the throttle, not the handshake timeout, decides when it is answered.
        state = State.ANSWERING;
        cancelHandshakeTimeout();
        ctx.channel().config().setAutoRead(false);
        byte[] signature = scram.finish(m.getAuthFinal());
        AuthThrottle.Decision d = limits.throttle().attempt(address, scram.userName(), signature != null);
        if (d.refused()) {
            LOG.warn("Login attempt for user '{}' from {} refused: too many attempts.", LogText.of(scram.userName()),
                    address);
            close(ctx, id, new TetraException(ErrorCode.SERVER_BUSY, "Too many login attempts from this address or "
                    + "for this account; try again in a few seconds."));
            return;
        }
        Runnable answer;
        if (signature == null) {
            LOG.warn("Authentication failed for user '{}' from {}; answered after {} ms.", LogText.of(scram.userName()),
                    address,
                    TimeUnit.NANOSECONDS.toMillis(d.delayNanos()));
            answer = () -> close(ctx, id, new TetraException(ErrorCode.AUTH_FAILED,
                    "Authentication failed: wrong user name or password."));
        } else {
            answer = () -> loggedIn(ctx, id, signature);
        }
        if (d.delayNanos() <= 0) {
            answer.run();
        } else {
            ctx.executor().schedule(answer, d.delayNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void loggedIn(ChannelHandlerContext ctx, long id, byte[] signature) {
        if (state != State.ANSWERING || !ctx.channel().isActive()) {
            return;     // evicted or closed meanwhile
        }
        if (!limits.openSession()) {
            close(ctx, id, new TetraException(ErrorCode.SERVER_BUSY, "Too many sessions (at most "
                    + limits.maxSessions() + ", maxConnections)."));
            return;
        }
        String user = scram.userName();
        if (!limits.openSessionOf(user)) {
            limits.closeSession();
            close(ctx, id, new TetraException(ErrorCode.SERVER_BUSY, "Too many sessions of user '" + user
                    + "' (at most " + limits.maxSessionsPerUser() + ", limits.sessionsPerUser)."));
            return;
        }
        state = State.LOGGED_IN;
        limits.leave(ticket);
        ctx.channel().closeFuture().addListener(f -> {
            limits.closeSession();
            limits.closeSessionOf(user);
        });
        ((TetraFrameDecoder) ctx.pipeline().get("frameDecoder")).maxFrameSize(limits.maxFrameSize());
        Session session = registry.create(scram.userName(), scram.role(), ctx.channel(),
                ConnectionErrors.remoteAddress(ctx), clientName, (opening, opened) -> {
                    // Runs on a worker, possibly before create() has returned: use the session given.
                    if (opened) {
                        opening.send(ServerMessage.newBuilder().setRequestId(id).setAuthOk(AuthOk.newBuilder()
                                .setServerSignature(ByteString.copyFrom(signature)).setSessionId(opening.id())
                                .setRole(scram.role())).build());
                    } else {
                        opening.channel().close();
                    }
                });
        ctx.pipeline().addAfter(ctx.name(), "session", new SessionHandler(registry, session));
        ctx.pipeline().remove(this);
        ctx.channel().config().setAutoRead(true);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelHandshakeTimeout();
        limits.leave(ticket);
        if (state != State.LOGGED_IN) {
            state = State.CLOSING;
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (state == State.CLOSING) {
            return;
        }
        state = State.CLOSING;
        cancelHandshakeTimeout();
        ConnectionErrors.caught(ctx, cause);
    }

    /** Sends the error and closes the connection. */
    private void close(ChannelHandlerContext ctx, long id, TetraException e) {
        if (state == State.CLOSING) {
            return;
        }
        state = State.CLOSING;
        cancelHandshakeTimeout();
        ConnectionErrors.closeWith(ctx, id, e);
    }

    private void cancelHandshakeTimeout() {
        if (handshakeTimeout != null) {
            handshakeTimeout.cancel(false);
            handshakeTimeout = null;
        }
    }
}
