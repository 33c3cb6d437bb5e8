package io.tetradb.server.net;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.tetradb.protocol.ClientMessage;
import io.tetradb.client.ErrorCode;
import io.tetradb.protocol.Ok;
import io.tetradb.protocol.ProtocolVersion;
import io.tetradb.protocol.ServerMessage;
import io.tetradb.client.TetraException;
import io.tetradb.server.session.Session;
import io.tetradb.server.session.SessionRegistry;

/**
 * The last stage of a logged-in connection's pipeline, put there by the
 * {@link LoginHandler}: hands every request of its session to the {@link SessionRegistry}
 * and answers ping, cancel and goodbye itself. Bad frames are answered with 2004 or 2005
 * and the connection is closed ({@link ConnectionErrors}); nothing here touches the
 * database or blocks.
 *
 * <p>One instance per session, run on that connection's event loop.
 */
public final class SessionHandler extends SimpleChannelInboundHandler<ClientMessage> {
    private final SessionRegistry registry;
    private final Session session;
    private boolean closing;

    public SessionHandler(SessionRegistry registry, Session session) {
        super(ClientMessage.class);
        this.registry = registry;
        this.session = session;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ClientMessage m) {
        if (closing) {
            return;
        }
        long id = m.getRequestId();
        switch (m.getBodyCase()) {
            case PING -> ctx.writeAndFlush(ServerMessage.newBuilder().setRequestId(id).setOk(Ok.getDefaultInstance())
                    .build());
            case CANCEL -> registry.cancel(session, id, m.getCancel().getTargetRequestId());
            case GOODBYE -> {
                closing = true;
                ctx.writeAndFlush(ServerMessage.newBuilder().setRequestId(id).setOk(Ok.getDefaultInstance()).build())
                        .addListener(ChannelFutureListener.CLOSE);
            }
            case HELLO, AUTH_START, AUTH_FINAL -> ConnectionErrors.reply(ctx, id,
                    new TetraException(ErrorCode.PROTOCOL_ERROR, "The session is already authenticated."));
            case BODY_NOT_SET -> ConnectionErrors.reply(ctx, id, new TetraException(ErrorCode.PROTOCOL_ERROR,
                    "Unknown message: this server does not know the request (protocol version "
                            + ProtocolVersion.MAX + ")."));
            default -> registry.submit(session, m);
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
        registry.channelClosed(session);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (closing) {
            return;
        }
        closing = true;
        ConnectionErrors.caught(ctx, cause);
    }
}
