package io.tetradb.server.net;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.tetradb.client.ErrorCode;
import io.tetradb.protocol.ServerMessage;
import io.tetradb.client.TetraException;
import io.tetradb.protocol.codec.TetraFrameDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * What a connection's handlers (the {@link LoginHandler} before login, the
 * {@link SessionHandler} after) do with an exception from the pipeline, and how they
 * close a connection with an error: answer what can be answered (2004 for an undecodable
 * frame, 2005 for one too large), close, never a stack trace or the bytes received on the
 * wire.
 *
 * <p>Stateless; runs on the connection's event loop.
 */
final class ConnectionErrors {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionErrors.class);
    /** How long a closing connection may take to send its error (a TLS handshake may not be done yet). */
    private static final long FORCED_CLOSE_MILLIS = 1000;

    private ConnectionErrors() {
    }

    /** Answers and closes after an exception; the caller has not closed the connection yet. */
    static void caught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable tls = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (tls instanceof javax.net.ssl.SSLException) {
            // Not TLS at all (a plain client), or a handshake the client or the server refused: nothing to answer.
            // (Never the exception's message for a non-TLS record: Netty puts the bytes received in it.)
            LOG.info("Closing {}: {}", remoteAddress(ctx), tls instanceof io.netty.handler.ssl.NotSslRecordException
                    ? "not a TLS connection (a client without TLS?)" : "TLS handshake failed: " + tls.getMessage());
            ctx.close();
        } else if (cause instanceof TetraFrameDecoder.FrameTooLargeException || cause instanceof TooLongFrameException) {
            LOG.warn("Closing {}: {}", remoteAddress(ctx), cause.getMessage());
            closeWith(ctx, 0, new TetraException(ErrorCode.FRAME_TOO_LARGE, "Frame too large: " + cause.getMessage()));
        } else if (cause instanceof DecoderException) {
            LOG.warn("Closing {}: undecodable frame.", remoteAddress(ctx));
            closeWith(ctx, 0, new TetraException(ErrorCode.PROTOCOL_ERROR, "Protocol error: undecodable frame."));
        } else if (cause instanceof IOException) {
            LOG.debug("Connection {} failed: {}", remoteAddress(ctx), cause.getMessage());
            ctx.close();
        } else {
            LOG.error("Unexpected error on connection {}; closing it.", remoteAddress(ctx), cause);
            closeWith(ctx, 0, new TetraException(ErrorCode.INTERNAL_ERROR, "Internal error."));
        }
    }

    /**
     * Sends the error and closes the connection once it is written, or after a second at
     * most (a connection whose TLS handshake never completes cannot be written to).
     */
    static void closeWith(ChannelHandlerContext ctx, long id, TetraException e) {
        if (!ctx.channel().isActive()) {
            ctx.close();
            return;
        }
        ctx.writeAndFlush(ServerMessage.newBuilder().setRequestId(id).setError(e.toWire()).build())
                .addListener(ChannelFutureListener.CLOSE);
        ctx.executor().schedule(() -> {
            ctx.close();
        }, FORCED_CLOSE_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Sends an error reply; the connection stays open. */
    static void reply(ChannelHandlerContext ctx, long id, TetraException e) {
        ctx.writeAndFlush(ServerMessage.newBuilder().setRequestId(id).setError(e.toWire()).build());
    }

    static String remoteAddress(ChannelHandlerContext ctx) {
        return String.valueOf(ctx.channel().remoteAddress()).replaceFirst("^/", "");
    }
}
