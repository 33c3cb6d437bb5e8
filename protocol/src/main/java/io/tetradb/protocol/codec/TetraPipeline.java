package io.tetradb.protocol.codec;

import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import io.netty.channel.ChannelPipeline;

/**
 * Installs the framing and protobuf codec, named, on a pipeline; both the server and the
 * client use it so that the two sides frame alike.
 *
 * <pre>{@code
 * TetraPipeline.addCodec(ch.pipeline(), ClientMessage.parser(), maxFrameSize);
 * ch.pipeline().addLast("session", handler);
 * }</pre>
 */
public final class TetraPipeline {
    private TetraPipeline() {
    }

    /** Adds frameDecoder, frameEncoder and protobufDecoder for inbound messages parsed by {@code parser}. */
    public static <M extends MessageLite> void addCodec(ChannelPipeline p, Parser<M> parser, int maxFrameSize) {
        addCodec(p, parser, maxFrameSize, maxFrameSize);
    }

    /**
     * Adds the codec with a separate limit for frames read ({@code maxInbound}, which the
     * frameDecoder can raise later, as a server does at login) and frames written.
     */
    public static <M extends MessageLite> void addCodec(ChannelPipeline p, Parser<M> parser, int maxInbound,
                                                        int maxOutbound) {
        p.addLast("frameDecoder", new TetraFrameDecoder(maxInbound));
        p.addLast("frameEncoder", new TetraFrameEncoder(maxOutbound));
        p.addLast("protobufDecoder", new TetraMessageDecoder<>(parser));
    }
}
