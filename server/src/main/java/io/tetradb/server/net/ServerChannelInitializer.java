package io.tetradb.server.net;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.tetradb.protocol.ClientMessage;
import io.tetradb.protocol.codec.TetraPipeline;
import io.tetradb.server.auth.UserStore;
import io.tetradb.server.session.SessionRegistry;

/**
 * Builds each connection's pipeline: tlsSniff and tls (when the server has a certificate),
 * sniff (the {@link ForeignProtocolDetector}s, which answer clients of other protocols and
 * remove themselves for Tetra's), frameDecoder
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
    private final ForeignClientLog foreignLog = new ForeignClientLog();

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
            ch.pipeline().addLast("tlsSniff", new ForeignProtocolDetector(foreignLog, true, false));
            ch.pipeline().addLast("tls", tls.current().newHandler(ch.alloc()));
        }
        ch.pipeline().addLast("sniff", new ForeignProtocolDetector(foreignLog, false, tls != null));
        TetraPipeline.addCodec(ch.pipeline(), ClientMessage.parser(), limits.handshakeFrameSize(),
                limits.maxFrameSize());
        ch.pipeline().addLast("login", new LoginHandler(registry, users, limits, serverVersion, databaseName));
    }
}
