package io.tetradb.client.internal;

import com.google.protobuf.ByteString;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.tetradb.protocol.AuthChallenge;
import io.tetradb.protocol.AuthFinal;
import io.tetradb.protocol.AuthOk;
import io.tetradb.protocol.AuthStart;
import io.tetradb.protocol.ClientMessage;
import io.tetradb.protocol.ErrorCode;
import io.tetradb.protocol.Event;
import io.tetradb.protocol.Hello;
import io.tetradb.protocol.HelloReply;
import io.tetradb.protocol.ProtocolVersion;
import io.tetradb.protocol.ServerMessage;
import io.tetradb.protocol.TetraException;
import io.tetradb.protocol.codec.TetraPipeline;
import io.tetradb.protocol.codec.Transport;
import io.tetradb.protocol.scram.Scram;

import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One TCP connection to a server: the handshake, request ids, the table of requests in
 * flight, server events, and failure of every pending request when the connection goes.
 *
 * <p>{@link #send} may be called from any thread; replies and events are handled on the
 * connection's event loop (one shared, daemon event loop group for all connections).
 */
public final class ClientConnection {
    private static final Object GROUP_LOCK = new Object();
    private static final Transport TRANSPORT = Transport.best();
    private static EventLoopGroup group;

    private final ConcurrentHashMap<Long, ResponseHandler> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final List<Consumer<Event>> listeners = new CopyOnWriteArrayList<>();
    private volatile Channel channel;
    private volatile TetraException closedCause;
    private volatile String shutdownNotice;
    private HelloReply hello;
    private AuthOk authOk;

    private ClientConnection() {
    }

    private static EventLoopGroup group() {
        synchronized (GROUP_LOCK) {
            if (group == null) {
                group = TRANSPORT.group(0, new DefaultThreadFactory("tetra-client", true));
            }
            return group;
        }
    }

    /**
     * Connects, negotiates the protocol version and authenticates with SCRAM-SHA-256
     * (the password is used here, on the caller's thread, and never sent).
     */
    public static ClientConnection open(String host, int port, String user, char[] password, String clientName,
                                        int maxFrameSize, Duration timeout) {
        ClientConnection c = new ClientConnection();
        long deadline = System.nanoTime() + timeout.toNanos();
        Bootstrap b = new Bootstrap().group(group()).channel(TRANSPORT.channel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        TetraPipeline.addCodec(ch.pipeline(), ServerMessage.parser(), maxFrameSize);
                        ch.pipeline().addLast("client", c.new Inbound());
                    }
                });
        ChannelFuture f = b.connect(host, port);
        try {
            if (!f.await(timeout.toMillis())) {
                f.cancel(true);
                throw new TetraException(ErrorCode.CONNECTION_LOST, "Timed out connecting to " + host + ":" + port + ".");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TetraException(ErrorCode.CONNECTION_LOST, "Interrupted while connecting.");
        }
        if (!f.isSuccess()) {
            throw new TetraException(ErrorCode.CONNECTION_LOST, "Cannot connect to " + host + ":" + port + ": "
                    + f.cause().getMessage(), f.cause());
        }
        c.channel = f.channel();
        c.channel.closeFuture().addListener(x -> c.failAll());
        try {
            c.handshake(user, password, clientName, deadline);
        } catch (RuntimeException e) {
            c.channel.close();
            throw e;
        }
        return c;
    }

    private void handshake(String user, char[] password, String clientName, long deadline) {
        ServerMessage m = await(send(ClientMessage.newBuilder().setHello(Hello.newBuilder()
                .setMinVersion(ProtocolVersion.MIN).setMaxVersion(ProtocolVersion.MAX).setClientName(clientName))), deadline);
        hello = m.getHello();
        String clientNonce = Scram.newNonce();
        m = await(send(ClientMessage.newBuilder().setAuthStart(AuthStart.newBuilder().setUser(user)
                .setClientNonce(clientNonce))), deadline);
        AuthChallenge ch = m.getAuthChallenge();
        if (!ch.getNonce().startsWith(clientNonce) || ch.getIterations() < 4096) {
            throw new TetraException(ErrorCode.AUTH_FAILED, "The server's SCRAM challenge is not valid.");
        }
        byte[] salt = ch.getSalt().toByteArray();
        byte[] salted = Scram.saltedPassword(password, salt, ch.getIterations());
        Arrays.fill(password, '\0');
        byte[] authMessage = Scram.authMessage(user, clientNonce, ch.getNonce(), salt, ch.getIterations());
        m = await(send(ClientMessage.newBuilder().setAuthFinal(AuthFinal.newBuilder().setNonce(ch.getNonce())
                .setClientProof(ByteString.copyFrom(Scram.clientProof(salted, authMessage))))), deadline);
        authOk = m.getAuthOk();
        byte[] expected = Scram.serverSignature(Scram.serverKey(salted), authMessage);
        if (!MessageDigest.isEqual(expected, authOk.getServerSignature().toByteArray())) {
            throw new TetraException(ErrorCode.AUTH_FAILED, "The server could not prove it knows the password.");
        }
    }

    private static ServerMessage await(CompletableFuture<ServerMessage> f, long deadline) {
        try {
            return f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new TetraException(ErrorCode.CONNECTION_LOST, "Timed out waiting for the server during login.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TetraException(ErrorCode.CONNECTION_LOST, "Interrupted during login.");
        } catch (ExecutionException e) {
            throw unwrap(e);
        }
    }

    /** The exception inside an ExecutionException, as a TetraException. */
    public static TetraException unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof ExecutionException || t instanceof java.util.concurrent.CompletionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof TetraException te) {
            return te;
        }
        return new TetraException(ErrorCode.INTERNAL_ERROR, String.valueOf(t.getMessage()), t);
    }

    /** Sends a request with a fresh id expecting one reply. */
    public CompletableFuture<ServerMessage> send(ClientMessage.Builder b) {
        SingleReply r = new SingleReply();
        send(b, r);
        return r.future();
    }

    /** Sends a request with a fresh id; {@code handler} gets its replies. Returns the id. */
    public long send(ClientMessage.Builder b, ResponseHandler handler) {
        long id = ids.incrementAndGet();
        pending.put(id, handler);
        TetraException closed = closedCause();
        if (closed != null) {
            pending.remove(id);
            handler.onFailure(closed);
            return id;
        }
        channel.writeAndFlush(b.setRequestId(id).build()).addListener(f -> {
            if (!f.isSuccess()) {
                ResponseHandler h = pending.remove(id);
                if (h != null) {
                    h.onFailure(new TetraException(ErrorCode.CONNECTION_LOST, "Could not send the request: "
                            + f.cause().getMessage(), f.cause()));
                }
            }
        });
        return id;
    }

    /** Sends a message about an earlier request (FetchMore, CloseCursor), expecting no reply of its own. */
    public void sendFollowUp(ClientMessage m) {
        Channel ch = channel;
        if (ch != null && ch.isActive()) {
            ch.writeAndFlush(m, ch.voidPromise());
        }
    }

    /** Listens to events the server pushes. */
    public void addEventListener(Consumer<Event> l) {
        listeners.add(l);
    }

    public void removeEventListener(Consumer<Event> l) {
        listeners.remove(l);
    }

    /** The reply to Hello. */
    public HelloReply hello() {
        return hello;
    }

    /** The reply to a successful authentication. */
    public AuthOk authOk() {
        return authOk;
    }

    public boolean isOpen() {
        Channel ch = channel;
        return ch != null && ch.isActive() && closedCause == null;
    }

    /** Why the connection is unusable, or null while it is open. */
    public TetraException closedCause() {
        Channel ch = channel;
        if (closedCause != null) {
            return closedCause;
        }
        if (ch != null && !ch.isActive()) {
            return lost();
        }
        return null;
    }

    private TetraException lost() {
        String notice = shutdownNotice;
        return new TetraException(ErrorCode.CONNECTION_LOST, notice != null
                ? "Connection to the server lost: " + notice : "Connection to the server lost.");
    }

    /** Closes the connection; pending requests fail with 2011. */
    public void close() {
        if (closedCause == null) {
            closedCause = new TetraException(ErrorCode.CONNECTION_LOST, "The client is closed.");
        }
        Channel ch = channel;
        if (ch != null) {
            ch.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        failAll();
    }

    private void failAll() {
        TetraException e = closedCause != null ? closedCause : lost();
        for (Long id : pending.keySet()) {
            ResponseHandler h = pending.remove(id);
            if (h != null) {
                h.onFailure(e);
            }
        }
    }

    private final class Inbound extends SimpleChannelInboundHandler<ServerMessage> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ServerMessage m) {
            if (m.hasEvent()) {
                if (m.getEvent().hasNotice() && (m.getEvent().getNotice().getShuttingDown()
                        || m.getEvent().getNotice().getMessage().contains("ended by an administrator"))) {
                    shutdownNotice = m.getEvent().getNotice().getMessage();
                }
                for (Consumer<Event> l : listeners) {
                    try {
                        l.accept(m.getEvent());
                    } catch (RuntimeException ignored) {
                        // a listener's failure is its own
                    }
                }
                if (m.getRequestId() == 0) {
                    return;
                }
            }
            long id = m.getRequestId();
            if (id == 0 && m.hasError()) {
                // A connection-level error (bad frame, too many connections): the server closes.
                closedCause = TetraException.fromWire(m.getError());
                return;
            }
            ResponseHandler h = pending.get(id);
            if (h != null && h.onMessage(m)) {
                pending.remove(id);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            closedCause = new TetraException(ErrorCode.CONNECTION_LOST, "Connection to the server failed: "
                    + cause.getMessage(), cause);
            ctx.close();
        }
    }
}
