package io.tetradb.server.net;

import com.google.protobuf.ByteString;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.tetradb.protocol.AuthOk;
import io.tetradb.protocol.ClientMessage;
import io.tetradb.protocol.ErrorCode;
import io.tetradb.protocol.HelloReply;
import io.tetradb.protocol.Ok;
import io.tetradb.protocol.ProtocolVersion;
import io.tetradb.protocol.ServerMessage;
import io.tetradb.protocol.TetraException;
import io.tetradb.protocol.codec.TetraFrameDecoder;
import io.tetradb.server.auth.AuthThrottle;
import io.tetradb.server.auth.ScramAuthenticator;
import io.tetradb.server.auth.UserStore;
import io.tetradb.server.session.Session;
import io.tetradb.server.session.SessionRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The one inbound handler of a connection: walks the handshake (version negotiation,
 * SCRAM-SHA-256), then hands every request to the {@link SessionRegistry}. Bad frames
 * are answered with 2004 or 2005 and the connection is closed; nothing here touches the
 * database or blocks.
 *
 * <p>One instance per connection, run on that connection's event loop.
 */
public final class SessionHandler extends SimpleChannelInboundHandler<ClientMessage> {
    private static final Logger LOG = LoggerFactory.getLogger(SessionHandler.class);
    private static final long HANDSHAKE_TIMEOUT_SECONDS = 30;

    private enum State { AWAIT_HELLO, AWAIT_AUTH_START, AWAIT_AUTH_FINAL, AUTHENTICATED, CLOSING }

    private final SessionRegistry registry;
    private final UserStore users;
    private final AuthThrottle throttle;
    private final String serverVersion;
    private final String databaseName;
    private State state = State.AWAIT_HELLO;
    private ScramAuthenticator scram;
    private String clientName = "";
    private Session session;
    private ScheduledFuture<?> handshakeTimeout;

    public SessionHandler(SessionRegistry registry, UserStore users, AuthThrottle throttle, String serverVersion,
                          String databaseName) {
        super(ClientMessage.class);
        this.registry = registry;
        this.users = users;
        this.throttle = throttle;
        this.serverVersion = serverVersion;
        this.databaseName = databaseName;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        handshakeTimeout = ctx.executor().schedule(() -> {
            if (state != State.AUTHENTICATED && state != State.CLOSING) {
                fail(ctx, 0, new TetraException(ErrorCode.PROTOCOL_ERROR, "Handshake not completed in time."));
            }
        }, HANDSHAKE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        ctx.fireChannelActive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ClientMessage m) {
        long id = m.getRequestId();
        switch (state) {
            case AWAIT_HELLO:
                if (!m.hasHello()) {
                    fail(ctx, id, new TetraException(ErrorCode.PROTOCOL_ERROR, "Expected Hello first, got "
                            + m.getBodyCase() + "."));
                    return;
                }
                int version = ProtocolVersion.negotiate(m.getHello().getMinVersion(), m.getHello().getMaxVersion());
                if (version < 0) {
                    fail(ctx, id, new TetraException(ErrorCode.PROTOCOL_ERROR, "Unsupported protocol version: the client speaks "
                            + m.getHello().getMinVersion() + ".." + m.getHello().getMaxVersion() + ", this server speaks "
                            + ProtocolVersion.MIN + ".." + ProtocolVersion.MAX + "."));
                    return;
                }
                clientName = m.getHello().getClientName();
                state = State.AWAIT_AUTH_START;
                ctx.writeAndFlush(ServerMessage.newBuilder().setRequestId(id).setHello(HelloReply.newBuilder()
                        .setVersion(version).setServerVersion(serverVersion).setDatabaseName(databaseName)
                        .setAuthMechanism(ProtocolVersion.AUTH_MECHANISM)).build());
                return;
            case AWAIT_AUTH_START:
                if (!m.hasAuthStart()) {
                    fail(ctx, id, new TetraException(ErrorCode.PROTOCOL_ERROR, "Expected AuthStart, got " + m.getBodyCase() + "."));
                    return;
                }
                scram = new ScramAuthenticator(users);
                state = State.AWAIT_AUTH_FINAL;
                ctx.writeAndFlush(ServerMessage.newBuilder().setRequestId(id)
                        .setAuthChallenge(scram.start(m.getAuthStart())).build());
                return;
            case AWAIT_AUTH_FINAL:
                if (!m.hasAuthFinal()) {
                    fail(ctx, id, new TetraException(ErrorCode.PROTOCOL_ERROR, "Expected AuthFinal, got " + m.getBodyCase() + "."));
                    return;
                }
                authenticate(ctx, id, m);
                return;
            case AUTHENTICATED:
                request(ctx, m);
                return;
            default:
                // closing: ignore
        }
    }

    private void authenticate(ChannelHandlerContext ctx, long id, ClientMessage m) {
        String remote = remoteHost(ctx);
        byte[] signature = scram.finish(m.getAuthFinal());
        if (signature == null) {
            state = State.CLOSING;
            long delay = throttle.failureDelayMillis(remote);
            LOG.warn("Authentication failed for user '{}' from {}; answered after {} ms.", scram.userName(), remote, delay);
            ctx.executor().schedule(() -> fail(ctx, id, new TetraException(ErrorCode.AUTH_FAILED,
                    "Authentication failed: wrong user name or password.")), delay, TimeUnit.MILLISECONDS);
            return;
        }
        throttle.success(remote);
        cancelHandshakeTimeout();
        state = State.AUTHENTICATED;
        session = registry.create(scram.userName(), scram.role(), ctx.channel(), remoteAddress(ctx), clientName,
                (opening, opened) -> {
                    // Runs on a worker, possibly before create() has returned: use the session given.
                    if (opened) {
                        opening.send(ServerMessage.newBuilder().setRequestId(id).setAuthOk(AuthOk.newBuilder()
                                .setServerSignature(ByteString.copyFrom(signature)).setSessionId(opening.id())
                                .setRole(scram.role())).build());
                    } else {
                        ctx.channel().close();
                    }
                });
    }

    private void request(ChannelHandlerContext ctx, ClientMessage m) {
        long id = m.getRequestId();
        switch (m.getBodyCase()) {
            case PING:
                ctx.writeAndFlush(ServerMessage.newBuilder().setRequestId(id).setOk(Ok.getDefaultInstance()).build());
                return;
            case CANCEL:
                registry.cancel(session, id, m.getCancel().getTargetRequestId());
                return;
            case GOODBYE:
                state = State.CLOSING;
                ctx.writeAndFlush(ServerMessage.newBuilder().setRequestId(id).setOk(Ok.getDefaultInstance()).build())
                        .addListener(ChannelFutureListener.CLOSE);
                return;
            case HELLO:
            case AUTH_START:
            case AUTH_FINAL:
                reply(ctx, id, new TetraException(ErrorCode.PROTOCOL_ERROR, "The session is already authenticated."));
                return;
            case BODY_NOT_SET:
                reply(ctx, id, new TetraException(ErrorCode.PROTOCOL_ERROR,
                        "Unknown message: this server does not know the request (protocol version "
                                + ProtocolVersion.MAX + ")."));
                return;
            default:
                registry.submit(session, m);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // The client read what was waiting: cursors stopped for it go on (on the session's executor).
        if (session != null && ctx.channel().isWritable()) {
            session.outputDrained();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelHandshakeTimeout();
        if (session != null) {
            registry.channelClosed(session);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (state == State.CLOSING) {
            return;
        }
        Throwable tls = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (tls instanceof javax.net.ssl.SSLException) {
            // Not TLS at all (a plain client), or a handshake the client or the server refused: nothing to answer.
            // (Never the exception's message for a non-TLS record: Netty puts the bytes received in it.)
            LOG.info("Closing {}: {}", remoteAddress(ctx), tls instanceof io.netty.handler.ssl.NotSslRecordException
                    ? "not a TLS connection (a client without TLS?)" : "TLS handshake failed: " + tls.getMessage());
            ctx.close();
        } else if (cause instanceof TetraFrameDecoder.FrameTooLargeException || cause instanceof TooLongFrameException) {
            LOG.warn("Closing {}: {}", remoteAddress(ctx), cause.getMessage());
            fail(ctx, 0, new TetraException(ErrorCode.FRAME_TOO_LARGE, "Frame too large: " + cause.getMessage()));
        } else if (cause instanceof DecoderException) {
            LOG.warn("Closing {}: undecodable frame.", remoteAddress(ctx));
            fail(ctx, 0, new TetraException(ErrorCode.PROTOCOL_ERROR, "Protocol error: undecodable frame."));
        } else if (cause instanceof IOException) {
            LOG.debug("Connection {} failed: {}", remoteAddress(ctx), cause.getMessage());
            ctx.close();
        } else {
            LOG.error("Unexpected error on connection {}; closing it.", remoteAddress(ctx), cause);
            fail(ctx, 0, new TetraException(ErrorCode.INTERNAL_ERROR, "Internal error."));
        }
    }

    /** Sends the error and closes the connection. */
    private void fail(ChannelHandlerContext ctx, long id, TetraException e) {
        state = State.CLOSING;
        cancelHandshakeTimeout();
        if (ctx.channel().isActive()) {
            ctx.writeAndFlush(ServerMessage.newBuilder().setRequestId(id).setError(e.toWire()).build())
                    .addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static void reply(ChannelHandlerContext ctx, long id, TetraException e) {
        ctx.writeAndFlush(ServerMessage.newBuilder().setRequestId(id).setError(e.toWire()).build());
    }

    private void cancelHandshakeTimeout() {
        if (handshakeTimeout != null) {
            handshakeTimeout.cancel(false);
            handshakeTimeout = null;
        }
    }

    private static String remoteAddress(ChannelHandlerContext ctx) {
        return String.valueOf(ctx.channel().remoteAddress()).replaceFirst("^/", "");
    }

    private static String remoteHost(ChannelHandlerContext ctx) {
        if (ctx.channel().remoteAddress() instanceof InetSocketAddress a) {
            return a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
        }
        return remoteAddress(ctx);
    }
}
