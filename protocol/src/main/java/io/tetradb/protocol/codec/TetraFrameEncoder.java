package io.tetradb.protocol.codec;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.MessageToByteEncoder;

import java.io.IOException;

/**
 * Writes one protobuf message as a frame: varint32 length prefix, then the message,
 * refusing to send a frame longer than the configured maximum (the peer would refuse
 * it anyway).
 *
 * <pre>{@code
 * pipeline.addLast("frameEncoder", new TetraFrameEncoder(16 * 1024 * 1024));
 * }</pre>
 *
 * <p>Runs on the channel's event loop; stateless and shareable.
 */
@ChannelHandler.Sharable
public final class TetraFrameEncoder extends MessageToByteEncoder<MessageLite> {
    private final int maxFrameSize;

    /** An encoder refusing messages longer than {@code maxFrameSize} bytes. */
    public TetraFrameEncoder(int maxFrameSize) {
        super(MessageLite.class);
        this.maxFrameSize = maxFrameSize;
    }

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, MessageLite msg, boolean preferDirect) {
        int size = msg.getSerializedSize();
        int total = CodedOutputStream.computeUInt32SizeNoTag(size) + size;
        return preferDirect ? ctx.alloc().ioBuffer(total) : ctx.alloc().heapBuffer(total);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, MessageLite msg, ByteBuf out) throws IOException {
        int size = msg.getSerializedSize();
        if (size > maxFrameSize) {
            throw new EncoderException("message of " + size + " bytes exceeds the maximum frame size of "
                    + maxFrameSize + " bytes");
        }
        int total = CodedOutputStream.computeUInt32SizeNoTag(size) + size;
        out.ensureWritable(total);
        int at = out.writerIndex();
        CodedOutputStream coded;
        // Into the buffer's memory itself: a stream would copy through a buffer of its own.
        if (out.hasArray()) {
            coded = CodedOutputStream.newInstance(out.array(), out.arrayOffset() + at, total);
        } else if (out.nioBufferCount() == 1) {
            coded = CodedOutputStream.newInstance(out.nioBuffer(at, total));
        } else {
            try (ByteBufOutputStream stream = new ByteBufOutputStream(out)) {
                CodedOutputStream streamed = CodedOutputStream.newInstance(stream, Math.min(4096, size + 5));
                streamed.writeUInt32NoTag(size);
                msg.writeTo(streamed);
                streamed.flush();
            }
            return;
        }
        coded.writeUInt32NoTag(size);
        msg.writeTo(coded);
        coded.checkNoSpaceLeft();
        out.writerIndex(at + total);
    }
}
