package io.tetradb.protocol.codec;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnknownFieldSet;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.EncoderException;
import io.tetradb.protocol.AuthFinal;
import io.tetradb.protocol.AuthStart;
import io.tetradb.protocol.ClientMessage;
import io.tetradb.protocol.Column;
import io.tetradb.protocol.Error;
import io.tetradb.protocol.Execute;
import io.tetradb.protocol.ExecuteDone;
import io.tetradb.protocol.Hello;
import io.tetradb.protocol.ProtocolVersion;
import io.tetradb.protocol.ResultHeader;
import io.tetradb.protocol.Row;
import io.tetradb.protocol.RowBatch;
import io.tetradb.protocol.ServerMessage;
import io.tetradb.protocol.Values;
import io.tetradb.protocol.codec.TetraFrameDecoder.FrameTooLargeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The frame codec through {@link EmbeddedChannel}s: encoder and decoders together, framing
 * across and within buffers, the size limit on both sides, malformed prefixes and bodies.
 * Every buffer comes from an instrumented allocator whose usage must be back to zero after
 * each test, so a leak fails the test deterministically (paranoid leak detection, set by
 * Surefire, reports any that escape this check).
 */
@Timeout(60)
class FrameCodecTest {
    /** A small maximum so that exact-size frames stay cheap. */
    private static final int MAX = 64 * 1024;

    private final UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false);
    private final List<EmbeddedChannel> channels = new ArrayList<>();

    @AfterEach
    void noBufferIsLeft() {
        for (EmbeddedChannel ch : channels) {
            assertThat(ch.finish()).as("messages left in a channel").isFalse();
        }
        assertThat(alloc.metric().usedHeapMemory()).as("heap bytes still allocated").isZero();
        assertThat(alloc.metric().usedDirectMemory()).as("direct bytes still allocated").isZero();
    }

    // ------------------------------------------------------------------------------------
    // Round trips

    @Test
    void pipelineHasTheNamedHandlersInOrder() {
        EmbeddedChannel ch = serverSide(MAX);
        assertThat(ch.pipeline().names()).containsSubsequence("frameDecoder", "frameEncoder", "protobufDecoder");
        assertThat(ch.pipeline().get("frameDecoder")).isInstanceOf(TetraFrameDecoder.class);
        assertThat(((TetraFrameDecoder) ch.pipeline().get("frameDecoder")).maxFrameSize()).isEqualTo(MAX);
    }

    @Test
    void clientMessagesRoundTrip() {
        EmbeddedChannel client = clientSide(MAX);
        EmbeddedChannel server = serverSide(MAX);
        for (ClientMessage m : sampleClientMessages()) {
            ByteBuf frame = encode(client, m);
            assertThat(server.writeInbound(frame)).isTrue();
            assertThat(frame.refCnt()).as("inbound frame released").isZero();
            assertThat(server.<Object>readInbound()).isEqualTo(m);
        }
    }

    @Test
    void serverMessagesRoundTrip() {
        EmbeddedChannel client = clientSide(MAX);
        EmbeddedChannel server = serverSide(MAX);
        List<ServerMessage> messages = List.of(
                ServerMessage.getDefaultInstance(),
                ServerMessage.newBuilder().setRequestId(7).setResultHeader(ResultHeader.newBuilder()
                        .addColumns(Column.newBuilder().setName("ID").setSqlType("INTEGER").setJdbcType(4))).build(),
                ServerMessage.newBuilder().setRequestId(7).setRowBatch(RowBatch.newBuilder()
                        .addRows(Row.newBuilder().addValues(Values.of(1)).addValues(Values.of("Grüße, 世界")))
                        .addRows(Row.newBuilder().addValues(Values.of(null)).addValues(Values.of(new byte[]{0, -1}))))
                        .build(),
                ServerMessage.newBuilder().setRequestId(7).setDone(ExecuteDone.newBuilder().setIsQuery(true)
                        .setUpdateCount(-1).setRowCount(2)).build(),
                ServerMessage.newBuilder().setRequestId(Long.MAX_VALUE).setError(Error.newBuilder().setCode(-9976)
                        .setMessage("backup in progress")).build());
        for (ServerMessage m : messages) {
            server.writeOutbound(m);
            ByteBuf frame = server.readOutbound();
            assertThat(client.writeInbound(frame)).isTrue();
            assertThat(client.<Object>readInbound()).isEqualTo(m);
        }
    }

    @Test
    void emptyMessageIsAOneByteFrame() {
        EmbeddedChannel client = clientSide(MAX);
        EmbeddedChannel server = serverSide(MAX);
        ByteBuf frame = encode(client, ClientMessage.getDefaultInstance());
        assertThat(frame.readableBytes()).isEqualTo(1);
        assertThat(frame.getByte(0)).isZero();
        server.writeInbound(frame);
        assertThat(server.<Object>readInbound()).isEqualTo(ClientMessage.getDefaultInstance());
    }

    @Test
    void encoderWritesAVarintLengthPrefix() throws IOException {
        EmbeddedChannel client = clientSide(MAX);
        ClientMessage m = messageOfSize(20_000);
        ByteBuf frame = encode(client, m);
        try {
            byte[] expected = withPrefix(m.toByteArray());
            assertThat(expected.length).isEqualTo(3 + 20_000);
            assertThat(bytes(frame)).isEqualTo(expected);
        } finally {
            frame.release();
        }
    }

    // ------------------------------------------------------------------------------------
    // Framing across and within buffers

    @Test
    void framesSplitByteByByteAreReassembled() {
        EmbeddedChannel client = clientSide(MAX);
        EmbeddedChannel server = serverSide(MAX);
        // one-, two- and three-byte length prefixes
        List<ClientMessage> messages = List.of(ping(1), messageOfSize(300), messageOfSize(20_000), ping(2));
        for (ClientMessage m : messages) {
            byte[] frame = bytesAndRelease(encode(client, m));
            for (int i = 0; i < frame.length; i++) {
                ByteBuf one = alloc.buffer(1).writeByte(frame[i]);
                boolean produced = server.writeInbound(one);
                assertThat(produced).as("a message after byte %d of %d", i + 1, frame.length)
                        .isEqualTo(i == frame.length - 1);
            }
            assertThat(server.<Object>readInbound()).isEqualTo(m);
        }
    }

    @Test
    void severalFramesInOneBufferAllArrive() {
        EmbeddedChannel client = clientSide(MAX);
        EmbeddedChannel server = serverSide(MAX);
        List<ClientMessage> messages = sampleClientMessages();
        ByteBuf all = alloc.buffer();
        for (ClientMessage m : messages) {
            ByteBuf frame = encode(client, m);
            all.writeBytes(frame);
            frame.release();
        }
        server.writeInbound(all);
        for (ClientMessage m : messages) {
            assertThat(server.<Object>readInbound()).isEqualTo(m);
        }
        assertThat(server.<Object>readInbound()).isNull();
    }

    @Test
    void framesStraddlingBufferBoundariesArrive() {
        EmbeddedChannel client = clientSide(MAX);
        EmbeddedChannel server = serverSide(MAX);
        List<ClientMessage> messages = List.of(messageOfSize(1000), ping(5), messageOfSize(200), hello());
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (ClientMessage m : messages) {
            stream.writeBytes(bytesAndRelease(encode(client, m)));
        }
        byte[] all = stream.toByteArray();
        // chunks of 7 bytes: boundaries fall inside prefixes and bodies
        for (int i = 0; i < all.length; i += 7) {
            server.writeInbound(alloc.buffer(7).writeBytes(all, i, Math.min(7, all.length - i)));
        }
        for (ClientMessage m : messages) {
            assertThat(server.<Object>readInbound()).isEqualTo(m);
        }
    }

    @Test
    void truncatedFrameProducesNothingAndIsReleasedOnClose() {
        EmbeddedChannel server = serverSide(MAX);
        ByteBuf partial = alloc.buffer().writeByte(100).writeBytes(new byte[10]);
        assertThat(server.writeInbound(partial)).isFalse();
        assertThat(server.finish()).isFalse();
    }

    // ------------------------------------------------------------------------------------
    // Size limits

    @Test
    void frameOfExactlyTheMaximumIsAccepted() {
        EmbeddedChannel client = clientSide(MAX);
        EmbeddedChannel server = serverSide(MAX);
        ClientMessage m = messageOfSize(MAX);
        ByteBuf frame = encode(client, m);
        assertThat(frame.readableBytes()).isEqualTo(3 + MAX);
        server.writeInbound(frame);
        assertThat(server.<Object>readInbound()).isEqualTo(m);
    }

    @Test
    void frameOneByteOverTheMaximumFailsBeforeItsBodyArrives() {
        EmbeddedChannel server = serverSide(MAX);
        ByteBuf prefixOnly = alloc.buffer().writeBytes(varint(MAX + 1));
        assertThatThrownBy(() -> server.writeInbound(prefixOnly))
                .isInstanceOfSatisfying(FrameTooLargeException.class, e -> {
                    assertThat(e.length()).isEqualTo(MAX + 1);
                    assertThat(e.max()).isEqualTo(MAX);
                });
        assertThat(prefixOnly.refCnt()).isZero();
        // the body that follows is discarded, without another exception
        assertThat(server.writeInbound(alloc.buffer().writeBytes(new byte[MAX + 1]))).isFalse();
        assertThat(server.writeInbound(alloc.buffer().writeBytes(withPrefix(ping(1).toByteArray())))).isFalse();
    }

    @Test
    void defaultMaximumIsSixteenMebibytesAndIsCheckedOnThePrefixAlone() {
        int max = ProtocolVersion.DEFAULT_MAX_FRAME_SIZE;
        assertThat(max).isEqualTo(16 * 1024 * 1024);
        EmbeddedChannel atMax = serverSide(max);
        // exactly the maximum: the decoder waits for the body
        assertThat(atMax.writeInbound(alloc.buffer().writeBytes(varint(max)).writeBytes(new byte[1000]))).isFalse();
        EmbeddedChannel overMax = serverSide(max);
        assertThatThrownBy(() -> overMax.writeInbound(alloc.buffer().writeBytes(varint(max + 1))))
                .isInstanceOf(FrameTooLargeException.class)
                .hasMessageContaining(String.valueOf(max + 1));
        EmbeddedChannel huge = serverSide(max);
        assertThatThrownBy(() -> huge.writeInbound(alloc.buffer().writeBytes(varint(Integer.MAX_VALUE))))
                .isInstanceOf(FrameTooLargeException.class);
    }

    @Test
    void encoderRefusesAMessageOverTheMaximum() {
        EmbeddedChannel client = clientSide(MAX);
        ClientMessage tooBig = messageOfSize(MAX + 1);
        assertThatThrownBy(() -> client.writeOutbound(tooBig))
                .isInstanceOf(EncoderException.class)
                .hasMessageContaining(String.valueOf(MAX + 1));
        assertThat(client.<Object>readOutbound()).isNull();
        // the channel still encodes messages within the limit
        ByteBuf ok = encode(client, messageOfSize(MAX));
        assertThat(ok.readableBytes()).isEqualTo(3 + MAX);
        ok.release();
    }

    // ------------------------------------------------------------------------------------
    // Malformed input

    @Test
    void prefixWithFiveContinuationBytesIsCorruptAndLaterBytesAreDiscarded() {
        EmbeddedChannel server = serverSide(MAX);
        ByteBuf bad = alloc.buffer().writeBytes(new byte[]{(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
                (byte) 0xFF}).writeBytes(withPrefix(ping(1).toByteArray()));
        assertThatThrownBy(() -> server.writeInbound(bad)).isInstanceOf(CorruptedFrameException.class)
                .hasMessageContaining("malformed");
        assertThat(bad.refCnt()).isZero();
        assertThat(server.<Object>readInbound()).as("the valid frame after the bad prefix").isNull();
        // everything that follows is discarded too, without another exception
        for (int i = 0; i < 3; i++) {
            assertThat(server.writeInbound(alloc.buffer().writeBytes(withPrefix(ping(2).toByteArray())))).isFalse();
        }
    }

    @Test
    void prefixCutAtFourContinuationBytesWaitsForMore() {
        EmbeddedChannel server = serverSide(MAX);
        assertThat(server.writeInbound(alloc.buffer().writeBytes(new byte[]{(byte) 0x80, (byte) 0x80, (byte) 0x80,
                (byte) 0x80}))).isFalse();
        // the fifth byte completes a length of 0 with redundant bytes: legal varint, empty message
        assertThat(server.writeInbound(alloc.buffer().writeByte(0))).isTrue();
        assertThat(server.<Object>readInbound()).isEqualTo(ClientMessage.getDefaultInstance());
    }

    @Test
    void negativeLengthIsCorrupt() {
        EmbeddedChannel server = serverSide(MAX);
        // 0xFFFFFFFF as an unsigned varint32: -1 as an int
        ByteBuf bad = alloc.buffer().writeBytes(new byte[]{(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F});
        assertThatThrownBy(() -> server.writeInbound(bad)).isInstanceOf(CorruptedFrameException.class);
        assertThat(server.writeInbound(alloc.buffer().writeBytes(withPrefix(ping(1).toByteArray())))).isFalse();
    }

    @Test
    void lengthBeyondThirtyTwoBitsIsCorruptNotTruncated() {
        // 2^32 in five bytes: truncating it to 32 bits would read it as an empty frame
        EmbeddedChannel server = serverSide(MAX);
        ByteBuf bad = alloc.buffer().writeBytes(new byte[]{(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x10});
        assertThatThrownBy(() -> server.writeInbound(bad)).isInstanceOf(CorruptedFrameException.class);
        assertThat(server.<Object>readInbound()).isNull();
        // 2^32 + 5: truncated it would be a five-byte frame
        EmbeddedChannel other = serverSide(MAX);
        ByteBuf bad2 = alloc.buffer().writeBytes(new byte[]{(byte) 0x85, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x10})
                .writeBytes(new byte[5]);
        assertThatThrownBy(() -> other.writeInbound(bad2)).isInstanceOf(CorruptedFrameException.class);
        assertThat(other.<Object>readInbound()).isNull();
    }

    @Test
    void framesBeforeACorruptPrefixInTheSameBufferAreDelivered() {
        EmbeddedChannel server = serverSide(MAX);
        ByteBuf buf = alloc.buffer().writeBytes(withPrefix(ping(1).toByteArray()))
                .writeBytes(withPrefix(ping(2).toByteArray()))
                .writeBytes(new byte[]{(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 1, 2, 3});
        assertThatThrownBy(() -> server.writeInbound(buf)).isInstanceOf(CorruptedFrameException.class);
        assertThat(server.<Object>readInbound()).isEqualTo(ping(1));
        assertThat(server.<Object>readInbound()).isEqualTo(ping(2));
        assertThat(server.<Object>readInbound()).isNull();
    }

    @Test
    void garbageBodyIsCorruptAndDoesNotLeak() {
        byte[][] bodies = {
                {0x00, 0x00},                       // field number 0
                {0x0F, 0x01},                       // wire type 7
                {0x52, 0x05, 0x01},                 // hello: 5 bytes announced, 1 present
                {0x08, (byte) 0xFF, (byte) 0xFF},   // request id: varint cut short
                {0x53},                             // start group never ended
        };
        for (byte[] body : bodies) {
            EmbeddedChannel server = serverSide(MAX);
            ByteBuf frame = alloc.buffer().writeBytes(withPrefix(body));
            assertThatThrownBy(() -> server.writeInbound(frame))
                    .isInstanceOf(CorruptedFrameException.class)
                    .hasMessageContaining("undecodable");
            assertThat(frame.refCnt()).isZero();
            assertThat(server.<Object>readInbound()).isNull();
        }
    }

    @Test
    void garbageBodyDoesNotDesynchroniseFraming() {
        EmbeddedChannel server = serverSide(MAX);
        assertThatThrownBy(() -> server.writeInbound(alloc.buffer().writeBytes(withPrefix(new byte[]{0x00}))))
                .isInstanceOf(CorruptedFrameException.class);
        server.writeInbound(alloc.buffer().writeBytes(withPrefix(ping(3).toByteArray())));
        assertThat(server.<Object>readInbound()).isEqualTo(ping(3));
    }

    @Test
    void unknownFieldsAreKeptNotRefused() {
        // a newer client's request: a body field this build does not know
        ClientMessage newer = ClientMessage.newBuilder().setRequestId(9).setUnknownFields(UnknownFieldSet.newBuilder()
                .addField(99, UnknownFieldSet.Field.newBuilder().addLengthDelimited(ByteString.copyFromUtf8("x"))
                        .build()).build()).build();
        EmbeddedChannel server = serverSide(MAX);
        server.writeInbound(alloc.buffer().writeBytes(withPrefix(newer.toByteArray())));
        ClientMessage got = server.readInbound();
        assertThat(got.getRequestId()).isEqualTo(9);
        assertThat(got.getBodyCase()).isEqualTo(ClientMessage.BodyCase.BODY_NOT_SET);
        assertThat(got.getUnknownFields().hasField(99)).isTrue();
    }

    @Test
    void aRaisedInboundMaximumAppliesFromTheNextFrameOn() {
        EmbeddedChannel server = new EmbeddedChannel();
        server.config().setAllocator(alloc);
        TetraPipeline.addCodec(server.pipeline(), ClientMessage.parser(), 1024, MAX);
        channels.add(server);
        EmbeddedChannel client = clientSide(MAX);
        ClientMessage small = messageOfSize(1024);
        server.writeInbound(encode(client, small));
        assertThat(server.<Object>readInbound()).isEqualTo(small);
        TetraFrameDecoder decoder = (TetraFrameDecoder) server.pipeline().get("frameDecoder");
        decoder.maxFrameSize(MAX);      // as the server does at login
        ClientMessage large = messageOfSize(MAX);
        server.writeInbound(encode(client, large));
        assertThat(server.<Object>readInbound()).isEqualTo(large);
        assertThatThrownBy(() -> decoder.maxFrameSize(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aSmallInboundMaximumRefusesALargerFrame() {
        EmbeddedChannel server = new EmbeddedChannel();
        server.config().setAllocator(alloc);
        TetraPipeline.addCodec(server.pipeline(), ClientMessage.parser(), 1024, MAX);
        channels.add(server);
        ByteBuf prefixOnly = alloc.buffer().writeBytes(varint(1025));
        assertThatThrownBy(() -> server.writeInbound(prefixOnly)).isInstanceOf(FrameTooLargeException.class);
        assertThat(prefixOnly.refCnt()).isZero();
    }

    @Test
    void decoderRefusesANonPositiveMaximum() {
        assertThatThrownBy(() -> new TetraFrameDecoder(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TetraFrameDecoder(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    // ------------------------------------------------------------------------------------
    // Helpers

    /**
     * The codec reads and writes a frame's memory in place: heap buffers through their array,
     * direct ones through their NIO buffer, a buffer of several parts through a stream. Every
     * kind round-trips the same messages (the encoder writes into an I/O buffer: direct
     * wherever the JVM allows it).
     */
    @Test
    void framesOfEveryKindOfBufferRoundTrip() {
        UnpooledByteBufAllocator direct = new UnpooledByteBufAllocator(true);
        for (boolean useDirect : new boolean[]{false, true}) {
            EmbeddedChannel client = new EmbeddedChannel();
            client.config().setAllocator(useDirect ? direct : alloc);
            TetraPipeline.addCodec(client.pipeline(), ServerMessage.parser(), MAX);
            channels.add(client);
            EmbeddedChannel server = new EmbeddedChannel();
            server.config().setAllocator(useDirect ? direct : alloc);
            TetraPipeline.addCodec(server.pipeline(), ClientMessage.parser(), MAX);
            channels.add(server);
            for (ClientMessage m : sampleClientMessages()) {
                // Encoded by the server's side of the codec (its allocator), as a client would write it.
                assertThat(server.writeOutbound(m)).isTrue();
                ByteBuf frame = server.readOutbound();
                ByteBuf expected = alloc.buffer();
                try {
                    expected.writeBytes(varint(m.getSerializedSize())).writeBytes(m.toByteArray());
                    assertThat(io.netty.buffer.ByteBufUtil.equals(frame, expected)).as("the frame of %s", m).isTrue();
                } finally {
                    expected.release();
                }
                // Decoded from the same bytes in a buffer of two parts.
                io.netty.buffer.CompositeByteBuf parts = alloc.compositeBuffer();
                int half = frame.readableBytes() / 2;
                parts.addComponent(true, frame.readRetainedSlice(half));
                parts.addComponent(true, frame.readRetainedSlice(frame.readableBytes()));
                frame.release();
                assertThat(server.writeInbound(parts)).isTrue();
                assertThat(server.<Object>readInbound()).isEqualTo(m);
                // And from a direct or heap frame as the decoder is given it.
                ByteBuf whole = (useDirect ? direct : alloc).buffer();
                whole.writeBytes(varint(m.getSerializedSize())).writeBytes(m.toByteArray());
                assertThat(server.writeInbound(whole)).isTrue();
                assertThat(server.<Object>readInbound()).isEqualTo(m);
            }
        }
    }

    private EmbeddedChannel serverSide(int max) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAllocator(alloc);
        TetraPipeline.addCodec(ch.pipeline(), ClientMessage.parser(), max);
        channels.add(ch);
        return ch;
    }

    private EmbeddedChannel clientSide(int max) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAllocator(alloc);
        TetraPipeline.addCodec(ch.pipeline(), ServerMessage.parser(), max);
        channels.add(ch);
        return ch;
    }

    private static ByteBuf encode(EmbeddedChannel ch, Object message) {
        assertThat(ch.writeOutbound(message)).isTrue();
        ByteBuf frame = ch.readOutbound();
        assertThat(frame).isNotNull();
        return frame;
    }

    private static List<ClientMessage> sampleClientMessages() {
        return List.of(
                hello(),
                ClientMessage.newBuilder().setRequestId(2).setAuthStart(AuthStart.newBuilder().setUser("Jürgen")
                        .setClientNonce("rOprNGfwEbeRWgbNEkqO")).build(),
                ClientMessage.newBuilder().setRequestId(3).setAuthFinal(AuthFinal.newBuilder().setNonce("abc")
                        .setClientProof(ByteString.copyFrom(new byte[32]))).build(),
                ClientMessage.newBuilder().setRequestId(4).setExecute(Execute.newBuilder()
                        .setSql("INSERT INTO T VALUES (?, ?, ?, ?, ?)")
                        .addParameters(Values.of(42)).addParameters(Values.of("naïve — 日本"))
                        .addParameters(Values.of(new BigDecimal("-12345.678900")))
                        .addParameters(Values.of(LocalDate.of(2024, 2, 29)))
                        .addParameters(Values.of(UUID.fromString("123e4567-e89b-12d3-a456-426614174000")))
                        .setFetchSize(500)).build(),
                ping(Long.MAX_VALUE),
                ClientMessage.getDefaultInstance());
    }

    private static ClientMessage hello() {
        return ClientMessage.newBuilder().setRequestId(1).setHello(Hello.newBuilder()
                .setMinVersion(ProtocolVersion.MIN).setMaxVersion(ProtocolVersion.MAX).setClientName("test")).build();
    }

    private static ClientMessage ping(long id) {
        return ClientMessage.newBuilder().setRequestId(id).setPing(io.tetradb.protocol.Ping.getDefaultInstance()).build();
    }

    /** An Execute whose serialized size is exactly {@code size} bytes. */
    static ClientMessage messageOfSize(int size) {
        for (long id : new long[]{1, 300}) {
            for (int n = size; n >= 0; n--) {
                ClientMessage m = ClientMessage.newBuilder().setRequestId(id)
                        .setExecute(Execute.newBuilder().setSql("x".repeat(n))).build();
                int s = m.getSerializedSize();
                if (s == size) {
                    return m;
                }
                if (s < size) {
                    break;
                }
            }
        }
        throw new IllegalArgumentException("no message of " + size + " bytes");
    }

    private static byte[] varint(int value) {
        byte[] out = new byte[CodedOutputStream.computeUInt32SizeNoTag(value)];
        try {
            CodedOutputStream.newInstance(out).writeUInt32NoTag(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    private static byte[] withPrefix(byte[] body) {
        byte[] prefix = varint(body.length);
        byte[] out = new byte[prefix.length + body.length];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        System.arraycopy(body, 0, out, prefix.length, body.length);
        return out;
    }

    private static byte[] bytes(ByteBuf buf) {
        byte[] out = new byte[buf.readableBytes()];
        buf.getBytes(buf.readerIndex(), out);
        return out;
    }

    private static byte[] bytesAndRelease(ByteBuf buf) {
        try {
            return bytes(buf);
        } finally {
            buf.release();
        }
    }
}
