package io.tetradb.protocol.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;

import java.util.List;

/**
 * Splits the byte stream into frames: a varint32 length prefix, then that many bytes.
 * A frame longer than the configured maximum raises {@link FrameTooLargeException}
 * before its body is read (a server starts with a small maximum and raises it with
 * {@link #maxFrameSize(int)} at login); a malformed or negative length raises
 * {@link CorruptedFrameException}. After either, the stream cannot be trusted: the
 * decoder discards everything that follows, and the handler closes the connection.
 *
 * <pre>{@code
 * pipeline.addLast("frameDecoder", new TetraFrameDecoder(16 * 1024 * 1024));
 * }</pre>
 *
 * <p>Runs on the channel's event loop.
 */
public final class TetraFrameDecoder extends ByteToMessageDecoder {
    private int maxFrameSize;
    private boolean failed;

    /** A decoder refusing frames longer than {@code maxFrameSize} bytes. */
    public TetraFrameDecoder(int maxFrameSize) {
        if (maxFrameSize <= 0) {
            throw new IllegalArgumentException("maxFrameSize must be positive: " + maxFrameSize);
        }
        this.maxFrameSize = maxFrameSize;
    }

    /** The largest frame body accepted, in bytes. */
    public int maxFrameSize() {
        return maxFrameSize;
    }

    /** Changes the largest frame body accepted from the next frame on; call on the channel's event loop. */
    public void maxFrameSize(int max) {
        if (max <= 0) {
            throw new IllegalArgumentException("maxFrameSize must be positive: " + max);
        }
        this.maxFrameSize = max;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        in.markReaderIndex();
        int length = 0;
        int shift = 0;
        while (true) {
            if (!in.isReadable()) {
                in.resetReaderIndex();
                return;
            }
            byte b = in.readByte();
            if (shift == 28 && (b & 0x70) != 0) {
                // bits beyond the 32nd: shifting them out would silently truncate the length
                fail(in);
                throw new CorruptedFrameException("malformed frame length prefix: more than 32 bits");
            }
            length |= (b & 0x7F) << shift;
            if (b >= 0) {
                break;
            }
            shift += 7;
            if (shift >= 35) {
                fail(in);
                throw new CorruptedFrameException("malformed frame length prefix");
            }
        }
        if (length < 0) {
            fail(in);
            throw new CorruptedFrameException("negative frame length: " + length);
        }
        if (length > maxFrameSize) {
            fail(in);
            throw new FrameTooLargeException(length, maxFrameSize);
        }
        if (in.readableBytes() < length) {
            in.resetReaderIndex();
            return;
        }
        out.add(in.readRetainedSlice(length));
    }

    private void fail(ByteBuf in) {
        failed = true;
        in.skipBytes(in.readableBytes());
    }

    /** A frame announced a length beyond the maximum. */
    public static final class FrameTooLargeException extends TooLongFrameException {
        private final long length;
        private final int max;

        public FrameTooLargeException(long length, int max) {
            super("frame of " + length + " bytes exceeds the maximum of " + max + " bytes");
            this.length = length;
            this.max = max;
        }

        /** The announced length. */
        public long length() {
            return length;
        }

        /** The configured maximum. */
        public int max() {
            return max;
        }
    }
}
