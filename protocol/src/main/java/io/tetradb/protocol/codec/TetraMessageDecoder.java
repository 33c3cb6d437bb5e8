package io.tetradb.protocol.codec;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.MessageToMessageDecoder;

import java.io.IOException;
import java.util.List;

/**
 * Turns one frame into one protobuf message of the expected type. A frame that does
 * not parse raises {@link CorruptedFrameException}.
 *
 * <pre>{@code
 * pipeline.addLast("protobufDecoder", new TetraMessageDecoder<>(ClientMessage.parser()));
 * }</pre>
 *
 * <p>Runs on the channel's event loop; stateless and shareable.
 *
 * @param <M> the message type
 */
@ChannelHandler.Sharable
public final class TetraMessageDecoder<M extends MessageLite> extends MessageToMessageDecoder<ByteBuf> {
    private final Parser<M> parser;

    /** A decoder parsing frames with {@code parser}. */
    public TetraMessageDecoder(Parser<M> parser) {
        super(ByteBuf.class);
        this.parser = parser;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) throws IOException {
        try {
            // From the frame's memory itself: a stream would give each message a 4 KiB buffer and a copy.
            int length = frame.readableBytes();
            if (frame.hasArray()) {
                out.add(parser.parseFrom(frame.array(), frame.arrayOffset() + frame.readerIndex(), length));
            } else if (frame.nioBufferCount() == 1) {
                out.add(parser.parseFrom(frame.nioBuffer(frame.readerIndex(), length)));
            } else {
                try (ByteBufInputStream in = new ByteBufInputStream(frame)) {
                    out.add(parser.parseFrom(in));
                }
            }
        } catch (InvalidProtocolBufferException e) {
            throw new CorruptedFrameException("undecodable frame: " + e.getMessage(), e);
        }
    }
}
