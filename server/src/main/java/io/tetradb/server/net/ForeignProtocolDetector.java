package io.tetradb.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The first stage of a connection's pipeline, before the frame decoder (and, on a TLS
 * server, once more before the TLS handler): looks at the first few bytes
 * ({@link ForeignProtocol}, at most 8 held) and, when they are Tetra's (or TLS on a TLS
 * server, or anything not recognised), removes itself and passes them on unchanged. A
 * client that speaks another protocol is answered in that protocol, so that it shows a
 * clear message: HTTP gets 400 with a text body, PostgreSQL an ErrorResponse (after 'N'
 * to its SSLRequest or GSSENCRequest), H2's TCP client an H2 error, a TLS client at a
 * server without TLS nothing; then the connection is closed, and one line is logged
 * through the rate-limited {@link ForeignClientLog}. It never raises the pre-login limits:
 * the {@link LoginHandler}'s handshake timeout runs from the connection's start and still
 * closes a connection that sends nothing or stops half-way.
 *
 * <p>One instance per connection, run on its event loop; never blocks.
 */
final class ForeignProtocolDetector extends ByteToMessageDecoder {
    /** How long an answered connection may take to be closed by its client before the server closes it. */
    private static final long LINGER_MILLIS = 1000;
    private static final String USE = "use the Tetra client library, tetra-admin or the JDBC driver (jdbc:tetra://";

    private enum State { FIRST, PG_AFTER_N, DONE }

    private final ForeignClientLog log;
    private final boolean tlsPort;
    private final boolean behindTls;
    private State state = State.FIRST;

    /**
     * @param tlsPort   true on the stage before the TLS handler: a TLS ClientHello is then what is expected
     * @param behindTls true on the stage after the TLS handler (answers go through TLS)
     */
    ForeignProtocolDetector(ForeignClientLog log, boolean tlsPort, boolean behindTls) {
        this.log = log;
        this.tlsPort = tlsPort;
        this.behindTls = behindTls;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (state == State.DONE) {
            in.skipBytes(in.readableBytes());
            return;
        }
        ForeignProtocol p = ForeignProtocol.guess(in);
        if (p == ForeignProtocol.NEED_MORE) {
            return;
        }
        if (state == State.PG_AFTER_N) {
            in.skipBytes(in.readableBytes());
            if (p == ForeignProtocol.POSTGRES_STARTUP) {
                answer(ctx, postgresError(connectWith(ctx)));
            } else {
                state = State.DONE;
                ctx.close();
            }
            return;
        }
        String without = tlsPort ? " without TLS" : "";
        String target = tlsPort ? "not Tetra's protocol over TLS" : "not Tetra's protocol";
        String remote = ConnectionErrors.remoteAddress(ctx);
        String key = PreLoginLimits.addressKey(ctx.channel().remoteAddress());
        switch (p) {
            case OTHER -> ctx.pipeline().remove(this);
            case TLS -> {
                if (tlsPort) {
                    ctx.pipeline().remove(this);
                } else {
                    in.skipBytes(in.readableBytes());
                    log.log(key, remote, "speaks TLS, but this server has TLS off (no tlsCertificate): closed");
                    state = State.DONE;
                    ctx.close();
                }
            }
            case HTTP -> {
                in.skipBytes(in.readableBytes());
                log.log(key, remote, "speaks HTTP" + without + ", " + target + ": answered 400 and closed");
                answer(ctx, http400(connectWith(ctx)));
            }
            case POSTGRES_SSL_REQUEST, POSTGRES_GSS_REQUEST -> {
                in.skipBytes(in.readableBytes());
                log.log(key, remote, "speaks PostgreSQL's protocol" + without + ", " + target
                        + ": answered with a PostgreSQL error and closed");
                state = State.PG_AFTER_N;
                ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[]{'N'}));
            }
            case POSTGRES_STARTUP -> {
                in.skipBytes(in.readableBytes());
                log.log(key, remote, "speaks PostgreSQL's protocol" + without + ", " + target
                        + ": answered with a PostgreSQL error and closed");
                answer(ctx, postgresError(connectWith(ctx)));
            }
            case POSTGRES_CANCEL -> {
                in.skipBytes(in.readableBytes());
                log.log(key, remote, "sent a PostgreSQL cancel request" + without + ", " + target + ": closed");
                state = State.DONE;
                ctx.close();
            }
            case H2 -> {
                in.skipBytes(in.readableBytes());
                log.log(key, remote, "speaks H2's TCP protocol" + without + ", " + target
                        + ": answered with an H2 error and closed");
                answer(ctx, h2Error(connectWith(ctx)));
            }
            default -> throw new IllegalStateException(p.name());
        }
    }

    /**
     * Writes the answer, then stops sending and lets the client close (so that bytes it still
     * sends cannot turn the close into a reset that loses the answer); closes after a second at most.
     */
    private void answer(ChannelHandlerContext ctx, ByteBuf reply) {
        state = State.DONE;
        ctx.writeAndFlush(reply).addListener((ChannelFutureListener) f -> {
            if (!behindTls && f.isSuccess() && f.channel() instanceof DuplexChannel d) {
                d.shutdownOutput();
            } else {
                f.channel().close();
            }
        });
        ctx.executor().schedule(() -> {
            ctx.close();
        }, LINGER_MILLIS, TimeUnit.MILLISECONDS);
    }

    private static String connectWith(ChannelHandlerContext ctx) {
        int port = ctx.channel().localAddress() instanceof InetSocketAddress a ? a.getPort() : 0;
        return USE + "host:" + port + "/)";
    }

    static ByteBuf http400(String connectWith) {
        byte[] body = ("This port speaks Tetra's binary protocol, not HTTP: " + connectWith + ".\n")
                .getBytes(StandardCharsets.UTF_8);
        byte[] head = ("HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
                + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        return Unpooled.wrappedBuffer(head, body);
    }

    /** A PostgreSQL ErrorResponse: severity FATAL, SQLSTATE 08P01 (protocol violation). */
    static ByteBuf postgresError(String connectWith) {
        ByteBuf fields = Unpooled.buffer();
        field(fields, 'S', "FATAL");
        field(fields, 'V', "FATAL");
        field(fields, 'C', "08P01");
        field(fields, 'M', "this is a Tetra server, not PostgreSQL: " + connectWith);
        fields.writeByte(0);
        ByteBuf msg = Unpooled.buffer(5 + fields.readableBytes());
        msg.writeByte('E').writeInt(4 + fields.readableBytes()).writeBytes(fields);
        fields.release();
        return msg;
    }

    private static void field(ByteBuf b, char type, String value) {
        b.writeByte(type).writeBytes(value.getBytes(StandardCharsets.UTF_8)).writeByte(0);
    }

    /**
     * H2's answer to a connection it refuses: status 0 (error), then SQLState, message, SQL
     * (none), error code and trace, strings as an int length and UTF-16 characters. Error code
     * 8004 with SQLState 08004 (the server rejected the connection) makes H2's client throw an
     * SQLNonTransientConnectionException carrying the message.
     */
    static ByteBuf h2Error(String connectWith) {
        ByteBuf b = Unpooled.buffer();
        b.writeInt(0);
        h2String(b, "08004");
        h2String(b, "this is a Tetra server, not an H2 TCP server: " + connectWith);
        b.writeInt(-1);
        b.writeInt(8004);
        h2String(b, "");
        return b;
    }

    private static void h2String(ByteBuf b, String s) {
        b.writeInt(s.length());
        for (int i = 0; i < s.length(); i++) {
            b.writeChar(s.charAt(i));
        }
    }
}
