package io.tetradb.server.net;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.tetradb.protocol.ClientMessage;
import io.tetradb.protocol.ErrorCode;
import io.tetradb.protocol.ServerMessage;
import io.tetradb.protocol.TetraException;
import io.tetradb.protocol.codec.TetraPipeline;
import io.tetradb.server.auth.AuthThrottle;
import io.tetradb.server.auth.UserStore;
import io.tetradb.server.session.SessionRegistry;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Builds each connection's pipeline: tls (when the server has a certificate), frameDecoder,
 * frameEncoder, protobufDecoder, then the one thin {@link SessionHandler}. Connections
 * beyond maxConnections are answered 2001 and closed.
 *
 * <p>Runs on the event loop of each new connection.
 */
public final class ServerChannelInitializer extends ChannelInitializer<SocketChannel> {
    private final SessionRegistry registry;
    private final UserStore users;
    private final AuthThrottle throttle;
    private final int maxFrameSize;
    private final int maxConnections;
    private final String serverVersion;
    private final String databaseName;
    private final AtomicInteger connections = new AtomicInteger();
    private final TlsContext tls;

    /** @param tls the server's TLS certificate, or null for plain TCP */
    public ServerChannelInitializer(SessionRegistry registry, UserStore users, AuthThrottle throttle, int maxFrameSize,
                                    int maxConnections, String serverVersion, String databaseName, TlsContext tls) {
        this.tls = tls;
        this.registry = registry;
        this.users = users;
        this.throttle = throttle;
        this.maxFrameSize = maxFrameSize;
        this.maxConnections = maxConnections;
        this.serverVersion = serverVersion;
        this.databaseName = databaseName;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        if (tls != null) {
            ch.pipeline().addLast("tls", tls.current().newHandler(ch.alloc()));
        }
        TetraPipeline.addCodec(ch.pipeline(), ClientMessage.parser(), maxFrameSize);
        int n = connections.incrementAndGet();
        ch.closeFuture().addListener(f -> connections.decrementAndGet());
        if (n > maxConnections || registry.isShuttingDown()) {
            TetraException e = registry.isShuttingDown()
                    ? new TetraException(ErrorCode.SESSION_CLOSED, "The server is shutting down.")
                    : new TetraException(ErrorCode.SERVER_BUSY, "Too many connections (at most " + maxConnections + ").");
            ch.writeAndFlush(ServerMessage.newBuilder().setError(e.toWire()).build())
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ch.pipeline().addLast("session", new SessionHandler(registry, users, throttle, serverVersion, databaseName));
    }
}
