package io.tetradb.protocol.codec;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The transport choice, and a loopback round trip over each transport this machine has. */
class TransportTest {
    @Test
    void epollOnLinuxX86UnlessSwitchedOff() {
        boolean linuxX86 = System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("linux")
                && System.getProperty("os.arch").matches("amd64|x86_64");
        String before = System.getProperty("tetra.transport");
        try {
            System.clearProperty("tetra.transport");
            if (linuxX86) {
                assertThat(Transport.best()).isEqualTo(Transport.EPOLL);
            }
            System.setProperty("tetra.transport", "nio");
            assertThat(Transport.best()).isEqualTo(Transport.NIO);
        } finally {
            if (before == null) {
                System.clearProperty("tetra.transport");
            } else {
                System.setProperty("tetra.transport", before);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void echoesOverLoopback(Transport t) throws Exception {
        if (t == Transport.EPOLL && !io.netty.channel.epoll.Epoll.isAvailable()) {
            return; // not this machine's transport
        }
        EventLoopGroup group = t.group(1, new DefaultThreadFactory("transport-test", true));
        try {
            Channel server = new ServerBootstrap().group(group).channel(t.serverChannel())
                    .childHandler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ctx.writeAndFlush(msg);
                        }
                    }).bind("127.0.0.1", 0).sync().channel();
            CompletableFuture<String> echoed = new CompletableFuture<>();
            Channel client = new Bootstrap().group(group).channel(t.channel())
                    .handler(new SimpleChannelInboundHandler<ByteBuf>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                            echoed.complete(msg.toString(StandardCharsets.UTF_8));
                        }
                    }).connect((InetSocketAddress) server.localAddress()).sync().channel();
            client.writeAndFlush(Unpooled.copiedBuffer("ping", StandardCharsets.UTF_8));
            assertThat(echoed.get(30, TimeUnit.SECONDS)).isEqualTo("ping");
            client.close().sync();
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
