package io.tetradb.protocol.codec;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

import java.util.concurrent.ThreadFactory;

/**
 * The Netty transport both sides use: Linux's native epoll when Netty's native library
 * loads (Linux on x86-64; fewer system calls and cheaper wake-ups per request than the
 * JDK selector), Java NIO everywhere else. {@code -Dtetra.transport=nio} forces NIO
 * (for comparisons and as a way out should the native library misbehave).
 *
 * <pre>{@code
 * Transport t = Transport.best();
 * EventLoopGroup io = t.group(0, new DefaultThreadFactory("tetra-io", true));
 * new ServerBootstrap().group(boss, io).channel(t.serverChannel());
 * }</pre>
 *
 * <p>Stateless; any thread.
 */
public enum Transport {
    EPOLL, NIO;

    /** epoll when available and not switched off with {@code -Dtetra.transport=nio}, otherwise NIO. */
    public static Transport best() {
        if ("nio".equalsIgnoreCase(System.getProperty("tetra.transport", ""))) {
            return NIO;
        }
        return Epoll.isAvailable() ? EPOLL : NIO;
    }

    /** An event loop group of this transport ({@code threads} 0: Netty's default, twice the processors). */
    public EventLoopGroup group(int threads, ThreadFactory factory) {
        return this == EPOLL ? new EpollEventLoopGroup(threads, factory) : new NioEventLoopGroup(threads, factory);
    }

    /** The listening channel class. */
    public Class<? extends ServerChannel> serverChannel() {
        return this == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /** The connection channel class. */
    public Class<? extends SocketChannel> channel() {
        return this == EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }
}
