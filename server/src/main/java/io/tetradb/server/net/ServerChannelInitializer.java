package io.tetradb.server.net;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.tetradb.protocol.ClientMessage;
import io.tetradb.protocol.codec.TetraPipeline;
import io.tetradb.server.auth.UserStore;
import io.tetradb.server.session.SessionRegistry;

/**
 * Builds each connection's pipeline: tls (when the server has a certificate), frameDecoder
 * (with the small pre-login frame limit), frameEncoder, protobufDecoder, then the
 * {@link LoginHandler}, which applies the {@link PreLoginLimits} and, at login, replaces
 * itself with the one thin {@link SessionHandler}.
 *
 * <p>Runs on the event loop of each new connection.
 */
public final class ServerChannelInitializer extends ChannelInitializer<SocketChannel> {
    private final SessionRegistry registry;
    private final UserStore users;
    private final PreLoginLimits limits;
    private final String serverVersion;
    private final String databaseName;
    private final TlsContext tls;

    /** @param tls the server's TLS certificate, or null for plain TCP */
    public ServerChannelInitializer(SessionRegistry registry, UserStore users, PreLoginLimits limits,
                                    String serverVersion, String databaseName, TlsContext tls) {
        this.tls = tls;
        this.registry = registry;
        this.users = users;
        this.limits = limits;
        this.serverVersion = serverVersion;
        this.databaseName = databaseName;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        if (tls != null) {
            ch.pipeline().addLast("tls", tls.current().newHandler(ch.alloc()));
        }
        TetraPipeline.addCodec(ch.pipeline(), ClientMessage.parser(), limits.handshakeFrameSize(),
                limits.maxFrameSize());
        ch.pipeline().addLast("login", new LoginHandler(registry, users, limits, serverVersion, databaseName));
    }
}
