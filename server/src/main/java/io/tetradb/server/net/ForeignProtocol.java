package io.tetradb.server.net;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * What the first bytes of a connection look like: Tetra's own framing (or anything not
 * recognised, which Tetra's frame decoder then answers as it always has), a TLS
 * ClientHello, HTTP, PostgreSQL or H2's TCP protocol. Decides from at most
 * {@value #MAX_BYTES} bytes; with fewer it may answer {@link #NEED_MORE}.
 *
 * <p>Stateless; called on the connection's event loop.
 */
enum ForeignProtocol {
    NEED_MORE, OTHER, TLS, HTTP, POSTGRES_STARTUP, POSTGRES_SSL_REQUEST, POSTGRES_GSS_REQUEST, POSTGRES_CANCEL, H2;

    /** The most bytes {@link #guess} ever needs. */
    static final int MAX_BYTES = 8;
    static final int PG_SSL_REQUEST = 80877103;
    static final int PG_GSS_REQUEST = 80877104;
    static final int PG_CANCEL = 80877102;
    /** PostgreSQL accepts at most this many bytes in its startup packet. */
    private static final int PG_MAX_STARTUP = 10_000;
    private static final byte[][] HTTP_METHODS = methods("GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ",
            "PATCH ", "CONNECT ", "TRACE ", "PRI ");

    private static byte[][] methods(String... m) {
        byte[][] r = new byte[m.length][];
        for (int i = 0; i < m.length; i++) {
            r[i] = m[i].getBytes(StandardCharsets.US_ASCII);
        }
        return r;
    }

    /** Guesses from the readable bytes of {@code in}, which it does not consume. */
    static ForeignProtocol guess(ByteBuf in) {
        int n = in.readableBytes();
        if (n == 0) {
            return NEED_MORE;
        }
        int at = in.readerIndex();
        int b0 = in.getUnsignedByte(at);
        if (b0 == 0x00) {
            // A Tetra frame never starts with an empty frame; PostgreSQL and H2 start with a big-endian int.
            if (n < 8) {
                return NEED_MORE;
            }
            int a = in.getInt(at);
            int b = in.getInt(at + 4);
            if (a == 8 && b == PG_SSL_REQUEST) {
                return POSTGRES_SSL_REQUEST;
            }
            if (a == 8 && b == PG_GSS_REQUEST) {
                return POSTGRES_GSS_REQUEST;
            }
            if (a == 16 && b == PG_CANCEL) {
                return POSTGRES_CANCEL;
            }
            int major = b >>> 16;
            if (a >= 8 && a <= PG_MAX_STARTUP && (major == 2 || major == 3) && (b & 0xFFFF) < 100) {
                return POSTGRES_STARTUP;
            }
            // H2's client opens with its lowest and highest TCP protocol versions (6 and up, small numbers).
            if (a >= 6 && a <= b && b <= 1000) {
                return H2;
            }
            return OTHER;
        }
        if (b0 == 0x16) {
            // a TLS handshake record (content type 22, version 3.x); as a Tetra frame, 0x03 is no protobuf tag
            if (n < 2) {
                return NEED_MORE;
            }
            return in.getUnsignedByte(at + 1) == 0x03 ? TLS : OTHER;
        }
        boolean prefix = false;
        for (byte[] m : HTTP_METHODS) {
            int k = Math.min(n, m.length);
            boolean same = true;
            for (int i = 0; i < k && same; i++) {
                same = in.getByte(at + i) == m[i];
            }
            if (same) {
                if (k == m.length) {
                    return HTTP;
                }
                prefix = true;
            }
        }
        return prefix ? NEED_MORE : OTHER;
    }
}
