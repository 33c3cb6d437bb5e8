package io.tetradb.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.tetradb.protocol.ClientMessage;
import io.tetradb.protocol.Hello;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The byte-level decisions of {@link ForeignProtocolDetector} and {@link ForeignProtocol},
 * through an {@code EmbeddedChannel}, every input fed one byte at a time: Tetra's first
 * frame passes unchanged and the detector leaves the pipeline; HTTP, PostgreSQL (startup,
 * SSLRequest then startup) and H2 are answered in their own framing and closed; a TLS
 * ClientHello at a plain port is closed; at a TLS port it passes. Also the log's rate limit.
 */
@Timeout(30)
class ForeignProtocolDetectorTest {
    private static EmbeddedChannel channel(boolean tlsPort) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline().addLast("sniff", new ForeignProtocolDetector(new ForeignClientLog(), tlsPort, false));
        return ch;
    }

    /** Feeds {@code bytes} one at a time until the channel closes; returns what passed the detector. */
    private static byte[] feedByteByByte(EmbeddedChannel ch, byte[] bytes) {
        for (byte b : bytes) {
            if (!ch.isOpen()) {
                break;
            }
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[]{b}));
        }
        ByteBuf all = Unpooled.buffer();
        for (ByteBuf m; (m = ch.readInbound()) != null; ) {
            all.writeBytes(m);
            m.release();
        }
        byte[] r = new byte[all.readableBytes()];
        all.readBytes(r);
        all.release();
        return r;
    }

    private static byte[] written(EmbeddedChannel ch) {
        ByteBuf all = Unpooled.buffer();
        for (ByteBuf m; (m = ch.readOutbound()) != null; ) {
            all.writeBytes(m);
            m.release();
        }
        byte[] r = new byte[all.readableBytes()];
        all.readBytes(r);
        all.release();
        return r;
    }

    private static byte[] tetraHello(long requestId) {
        byte[] body = ClientMessage.newBuilder().setRequestId(requestId).setHello(Hello.newBuilder().setMinVersion(1)
                .setMaxVersion(1).setClientName("test")).build().toByteArray();
        byte[] frame = new byte[body.length + 1];
        frame[0] = (byte) body.length;
        System.arraycopy(body, 0, frame, 1, body.length);
        return frame;
    }

    private static byte[] ints(int... v) {
        ByteBuf b = Unpooled.buffer();
        for (int i : v) {
            b.writeInt(i);
        }
        byte[] r = new byte[b.readableBytes()];
        b.readBytes(r);
        return r;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @Test
    void aTetraHelloPassesUnchangedAndTheDetectorLeaves() {
        for (long id : new long[]{0, 1, 300}) {
            EmbeddedChannel ch = channel(false);
            byte[] hello = tetraHello(id);
            assertThat(feedByteByByte(ch, hello)).isEqualTo(hello);
            assertThat(ch.pipeline().get("sniff")).isNull();
            assertThat(ch.isOpen()).isTrue();
            assertThat(written(ch)).isEmpty();
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void bytesNotRecognisedPassOnForTetrasDecoderToAnswer() {
        EmbeddedChannel ch = channel(false);
        byte[] odd = {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02};   // no PostgreSQL, no H2
        assertThat(feedByteByByte(ch, odd)).isEqualTo(odd);
        assertThat(ch.pipeline().get("sniff")).isNull();
        ch.finishAndReleaseAll();
    }

    @Test
    void httpIsAnswered400AndClosed() {
        EmbeddedChannel ch = channel(false);
        assertThat(feedByteByByte(ch, "OPTIONS * HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII))).isEmpty();
        String reply = new String(written(ch), StandardCharsets.UTF_8);
        assertThat(reply).startsWith("HTTP/1.1 400 Bad Request\r\n").contains("Connection: close\r\n")
                .contains("Content-Type: text/plain").contains("Tetra's binary protocol").contains("jdbc:tetra://");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void postgresStartupIsAnsweredWithAnErrorResponse() {
        EmbeddedChannel ch = channel(false);
        assertThat(feedByteByByte(ch, concat(ints(23, 196608), "user\0u\0\0\0\0\0\0\0".getBytes(
                StandardCharsets.US_ASCII)))).isEmpty();
        assertPostgresError(written(ch));
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void postgresSslRequestGetsNThenTheStartupAnErrorResponse() {
        for (int request : new int[]{ForeignProtocol.PG_SSL_REQUEST, ForeignProtocol.PG_GSS_REQUEST}) {
            EmbeddedChannel ch = channel(false);
            assertThat(feedByteByByte(ch, ints(8, request))).isEmpty();
            assertThat(written(ch)).containsExactly('N');
            assertThat(ch.isOpen()).isTrue();
            assertThat(feedByteByByte(ch, ints(8, 196608))).isEmpty();
            assertPostgresError(written(ch));
            assertThat(ch.isOpen()).isFalse();
        }
    }

    private static void assertPostgresError(byte[] reply) {
        ByteBuf b = Unpooled.wrappedBuffer(reply);
        assertThat(b.readByte()).isEqualTo((byte) 'E');
        assertThat(b.readInt()).isEqualTo(reply.length - 1);
        String fields = b.toString(StandardCharsets.UTF_8);
        assertThat(fields).contains("SFATAL\0").contains("C08P01\0").contains("Mthis is a Tetra server, not PostgreSQL")
                .endsWith("\0\0");
    }

    @Test
    void h2IsAnsweredWithAnH2Error() {
        EmbeddedChannel ch = channel(false);
        assertThat(feedByteByByte(ch, concat(ints(17, 21), ints(1, 'x' << 16)))).isEmpty();
        ByteBuf b = Unpooled.wrappedBuffer(written(ch));
        assertThat(b.readInt()).as("STATUS_ERROR").isZero();
        assertThat(h2String(b)).isEqualTo("08004");
        assertThat(h2String(b)).startsWith("this is a Tetra server, not an H2 TCP server").contains("jdbc:tetra://");
        assertThat(b.readInt()).as("no SQL").isEqualTo(-1);
        assertThat(b.readInt()).isEqualTo(8004);
        assertThat(h2String(b)).isEmpty();
        assertThat(b.isReadable()).isFalse();
        assertThat(ch.isOpen()).isFalse();
    }

    private static String h2String(ByteBuf b) {
        int n = b.readInt();
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.append(b.readChar());
        }
        return s.toString();
    }

    @Test
    void aTlsClientHelloIsClosedAtAPlainPortAndPassesAtATlsPort() {
        byte[] hello = {0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00};
        EmbeddedChannel plain = channel(false);
        assertThat(feedByteByByte(plain, hello)).isEmpty();
        assertThat(written(plain)).isEmpty();
        assertThat(plain.isOpen()).isFalse();

        EmbeddedChannel tls = channel(true);
        assertThat(feedByteByByte(tls, hello)).isEqualTo(hello);
        assertThat(tls.pipeline().get("sniff")).isNull();
        tls.finishAndReleaseAll();
    }

    @Test
    void neverHoldsMoreThanEightBytes() {
        // however the bytes arrive, a decision is made by the 8th
        byte[][] inputs = {ints(0, 0), "GET /".getBytes(StandardCharsets.US_ASCII), "CONNECT x".getBytes(
                StandardCharsets.US_ASCII), ints(8, 0)};
        for (byte[] in : inputs) {
            assertThat(ForeignProtocol.guess(Unpooled.wrappedBuffer(in, 0, Math.min(in.length, 8))))
                    .isNotEqualTo(ForeignProtocol.NEED_MORE);
        }
        assertThat(ForeignProtocol.guess(Unpooled.wrappedBuffer(new byte[]{'C', 'O', 'N', 'N'})))
                .isEqualTo(ForeignProtocol.NEED_MORE);
        assertThat(ForeignProtocol.guess(Unpooled.wrappedBuffer(new byte[]{'G', 'R'})))
                .isEqualTo(ForeignProtocol.OTHER);
    }

    @Test
    void theLogAllowsOneLinePerAddressPerMinuteAndCountsTheRest() {
        AtomicLong now = new AtomicLong();
        ForeignClientLog log = new ForeignClientLog(now::get);
        assertThat(log.admit("10.0.0.1")).isZero();
        assertThat(log.admit("10.0.0.1")).isEqualTo(-1);
        assertThat(log.admit("10.0.0.1")).isEqualTo(-1);
        assertThat(log.admit("10.0.0.2")).as("another address").isZero();
        now.addAndGet(java.util.concurrent.TimeUnit.SECONDS.toNanos(61));
        assertThat(log.admit("10.0.0.1")).as("a minute later: the two not logged").isEqualTo(2);
        assertThat(log.admit("10.0.0.1")).isEqualTo(-1);
        for (int i = 0; i < ForeignClientLog.MAX_ADDRESSES + 10; i++) {
            log.admit("10.1." + (i / 256) + "." + (i % 256));
        }
        assertThat(log.admit("10.9.9.9")).as("beyond the remembered addresses, one shared allowance").isEqualTo(-1);
    }
}
