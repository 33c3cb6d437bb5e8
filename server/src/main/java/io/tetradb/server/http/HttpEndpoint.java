package io.tetradb.server.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.tetradb.server.net.TlsContext;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The server's HTTP port ({@code http.port}, docs/http.md): {@code GET /health} (liveness),
 * {@code GET /ready} (the database open and not in maintenance) without login, and
 * {@code GET /metrics} in Prometheus text format from loopback, or with the bearer token
 * {@code http.metricsToken}. It listens where the main port does when the server has TLS (and
 * speaks TLS then), and on loopback only without TLS, so that no credential ever crosses the
 * network in clear.
 *
 * <p>Hostile clients are bounded: at most {@link #MAX_CONNECTIONS} connections, and
 * {@link #MAX_CONNECTIONS_PER_ADDRESS} of one address (more are closed at once), a whole request
 * within {@link HttpHandler#REQUEST_DEADLINE_SECONDS} s of the connection or its last answer, requests of at most {@link #MAX_REQUEST_BYTES} (larger: 413 and closed), a
 * connection silent for {@link #IDLE_SECONDS} seconds is closed.
 *
 * <p>Threads: it shares the main port's accept and I/O event loops ({@code tetra-accept},
 * {@code tetra-io}), which only parse and answer; the metrics are gathered on their own thread
 * ({@code tetra-metrics}, see {@link Metrics}), never on an event loop.
 */
public final class HttpEndpoint implements AutoCloseable {
    static final int MAX_CONNECTIONS = 64;
    /** Connections of one address at once: a stranger alone can never hold every one. */
    static final int MAX_CONNECTIONS_PER_ADDRESS = 16;
    static final int MAX_REQUEST_BYTES = 8 * 1024;
    static final int IDLE_SECONDS = 30;

    private final Channel channel;
    private final int port;
    private volatile HttpHandler.Routes routes;

    private final boolean tls;

    private HttpEndpoint(Channel channel, boolean tls) {
        this.channel = channel;
        this.tls = tls;
        this.port = ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /**
     * Binds the port, serving nothing yet ({@link #serve} starts). Returns the bind's failure
     * cause through {@link BindFailure} so that the server can name the setting.
     */
    public static HttpEndpoint bind(String mainHost, int port, TlsContext tls, EventLoopGroup boss,
                                    EventLoopGroup io, Class<? extends ServerChannel> channelClass) {
        String host = tls != null ? mainHost : InetAddress.getLoopbackAddress().getHostAddress();
        AtomicInteger open = new AtomicInteger();
        java.util.concurrent.ConcurrentHashMap<InetAddress, AtomicInteger> perAddress =
                new java.util.concurrent.ConcurrentHashMap<>();
        HttpEndpoint[] self = new HttpEndpoint[1];
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, io)
                .channel(channelClass)
                .option(ChannelOption.SO_BACKLOG, 64)
                .option(ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        InetAddress from = ch.remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
                        AtomicInteger mine = from == null ? new AtomicInteger()
                                : perAddress.computeIfAbsent(from, k -> new AtomicInteger());
                        if (mine.incrementAndGet() > MAX_CONNECTIONS_PER_ADDRESS
                                | open.incrementAndGet() > MAX_CONNECTIONS) {
                            release(open, perAddress, from, mine);
                            ch.close();
                            return;
                        }
                        ch.closeFuture().addListener(f -> release(open, perAddress, from, mine));
                        if (tls != null) {
                            ch.pipeline().addLast(tls.current().newHandler(ch.alloc()));
                        }
                        ch.pipeline().addLast(new ReadTimeoutHandler(IDLE_SECONDS),
                                new HttpServerCodec(4096, 8192, 8192),
                                new HttpObjectAggregator(MAX_REQUEST_BYTES),
                                new HttpHandler(() -> self[0].routes));
                    }
                });
        ChannelFuture bound = b.bind(host, port).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            throw new BindFailure(host, bound.cause());
        }
        self[0] = new HttpEndpoint(bound.channel(), tls != null);
        return self[0];
    }

    private static void release(AtomicInteger open, java.util.concurrent.ConcurrentHashMap<InetAddress, AtomicInteger> per,
                                InetAddress from, AtomicInteger mine) {
        open.decrementAndGet();
        if (from != null && mine.decrementAndGet() <= 0) {
            per.remove(from, mine);
        }
    }

    /**
     * Starts answering: health, readiness from {@code ready}, metrics from {@code metrics}, the
     * admin panel from {@code panel}.
     */
    public void serve(BooleanSupplier ready, Metrics metrics, String metricsToken, Panel panel) {
        routes = new HttpHandler.Routes(ready, metrics, metricsToken, panel, tls);
        channel.config().setAutoRead(true);
    }

    /** The port bound (the setting's, or the one chosen for 0). */
    public int port() {
        return port;
    }

    /** The address it listens on. */
    public String host() {
        return ((InetSocketAddress) channel.localAddress()).getAddress().getHostAddress();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }

    /** The HTTP port could not be bound; the server turns it into a message naming http.port. */
    public static final class BindFailure extends RuntimeException {
        private final String host;

        BindFailure(String host, Throwable cause) {
            super(cause == null ? "bind failed" : String.valueOf(cause.getMessage()), cause);
            this.host = host;
        }

        /** The address it tried. */
        public String host() {
            return host;
        }
    }
}
