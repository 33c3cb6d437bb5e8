package io.tetradb.client.internal;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.tetradb.protocol.AuthChallenge;
import io.tetradb.protocol.AuthFinal;
import io.tetradb.protocol.AuthOk;
import io.tetradb.protocol.AuthStart;
import io.tetradb.protocol.ClientMessage;
import io.tetradb.client.ErrorCode;
import io.tetradb.protocol.Event;
import io.tetradb.protocol.Hello;
import io.tetradb.protocol.HelloReply;
import io.tetradb.protocol.ProtocolVersion;
import io.tetradb.protocol.ServerMessage;
import io.tetradb.client.TetraException;
import io.tetradb.protocol.scram.Scram;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One TCP connection to a server: the handshake, request ids, the table of requests in
 * flight, server events, and failure of every pending request when the connection goes.
 *
 * <p>Plain blocking sockets, as a JDBC driver has them: {@link #send} may be called from
 * any thread and writes the request itself (one system call, nothing to wake); one
 * reader thread per connection ("tetra-client-N", a daemon) reads replies and events and
 * runs the handlers, which only complete internal futures or queue batches and never
 * block. A synchronous call waits on such a future itself, so it costs the client two
 * thread wake-ups (the reader's, the caller's), where an event-loop client costs three;
 * the futures a user can chain callbacks to are completed from them on the client's
 * callback executor ({@link Callbacks}), and event listeners run on its serial lane
 * ({@code events}, given at {@link #open}), never on the reader.
 */
public final class ClientConnection {
    private static final AtomicLong READERS = new AtomicLong();
    private static final int READ_BUFFER = 64 * 1024;
    private static final int WRITE_BUFFER = 8 * 1024;

    private final ConcurrentHashMap<Long, ResponseHandler> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final List<Consumer<Event>> listeners = new CopyOnWriteArrayList<>();
    private final Socket socket;
    private final int maxFrameSize;
    /** Guards {@link #out} and {@link #writeBuffer}: one request's bytes at a time. */
    private final Object writeLock = new Object();
    private final OutputStream out;
    private final byte[] writeBuffer = new byte[WRITE_BUFFER];
    private final Thread reader;
    /** Runs event listeners, in order, off the reader thread. */
    private final Executor events;
    private volatile boolean connected = true;
    private volatile TetraException closedCause;
    private volatile String shutdownNotice;
    private HelloReply hello;
    private AuthOk authOk;

    private ClientConnection(Socket socket, int maxFrameSize, Executor events) throws IOException {
        this.socket = socket;
        this.events = events;
        this.maxFrameSize = maxFrameSize;
        this.out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        this.reader = new Thread(() -> readLoop(in), "tetra-client-" + READERS.incrementAndGet());
        reader.setDaemon(true);
    }

    /**
     * Connects, negotiates the protocol version and authenticates with SCRAM-SHA-256
     * (the password is used here, on the caller's thread, and never sent).
     * Over TLS when {@code tls} is given (null: plain TCP). Event listeners run on {@code events}
     * (an executor that runs tasks in order, off the reader thread).
     */
    public static ClientConnection open(String host, int port, javax.net.ssl.SSLSocketFactory tls, String user,
                                        char[] password, String clientName, int maxFrameSize, Duration timeout,
                                        Executor events) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int timeoutMillis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        Socket socket = new Socket();
        ClientConnection c;
        try {
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            socket.connect(new InetSocketAddress(host, port), timeoutMillis);
        } catch (IOException e) {
            closeQuietly(socket);
            throw new TetraException(ErrorCode.CONNECTION_LOST, "Cannot connect to " + host + ":" + port + ": "
                    + e.getMessage(), e);
        }
        try {
            c = new ClientConnection(tls == null ? socket : TlsSockets.handshake(tls, socket, host, port, timeoutMillis),
                    maxFrameSize, events);
        } catch (TetraException e) {
            closeQuietly(socket);
            throw e;
        } catch (IOException e) {
            closeQuietly(socket);
            throw new TetraException(ErrorCode.CONNECTION_LOST, "Cannot connect to " + host + ":" + port + ": "
                    + e.getMessage(), e);
        }
        c.reader.start();
        try {
            c.handshake(user, password, clientName, deadline, tls != null);
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    private void handshake(String user, char[] password, String clientName, long deadline, boolean tls) {
        ServerMessage m;
        try {
            m = await(send(ClientMessage.newBuilder().setHello(Hello.newBuilder()
                    .setMinVersion(ProtocolVersion.MIN).setMaxVersion(ProtocolVersion.MAX).setClientName(clientName))),
                    deadline);
        } catch (TetraException e) {
            if (e.code() == ErrorCode.CONNECTION_LOST && !tls) {
                // A server with TLS on closes a connection that does not begin with a TLS handshake.
                throw new TetraException(ErrorCode.CONNECTION_LOST, e.getMessage() + " The server closed the connection"
                        + " before answering; if it has TLS on, connect with TLS.", e);
            }
            throw e;
        }
        hello = m.getHello();
        String clientNonce = Scram.newNonce();
        m = await(send(ClientMessage.newBuilder().setAuthStart(AuthStart.newBuilder().setUser(user)
                .setClientNonce(clientNonce))), deadline);
        AuthChallenge ch = m.getAuthChallenge();
        if (!ch.getNonce().startsWith(clientNonce) || ch.getIterations() < 4096) {
            throw new TetraException(ErrorCode.AUTH_FAILED, "The server's SCRAM challenge is not valid.");
        }
        byte[] salt = ch.getSalt().toByteArray();
        byte[] salted = Scram.saltedPassword(password, salt, ch.getIterations());
        Arrays.fill(password, '\0');
        byte[] authMessage = Scram.authMessage(user, clientNonce, ch.getNonce(), salt, ch.getIterations());
        m = await(send(ClientMessage.newBuilder().setAuthFinal(AuthFinal.newBuilder().setNonce(ch.getNonce())
                .setClientProof(ByteString.copyFrom(Scram.clientProof(salted, authMessage))))), deadline);
        authOk = m.getAuthOk();
        byte[] expected = Scram.serverSignature(Scram.serverKey(salted), authMessage);
        if (!MessageDigest.isEqual(expected, authOk.getServerSignature().toByteArray())) {
            throw new TetraException(ErrorCode.AUTH_FAILED, "The server could not prove it knows the password.");
        }
    }

    private static ServerMessage await(CompletableFuture<ServerMessage> f, long deadline) {
        try {
            return f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new TetraException(ErrorCode.CONNECTION_LOST, "Timed out waiting for the server during login.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TetraException(ErrorCode.CONNECTION_LOST, "Interrupted during login.");
        } catch (ExecutionException e) {
            throw unwrap(e);
        }
    }

    /** The exception inside an ExecutionException, as a TetraException. */
    public static TetraException unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof ExecutionException || t instanceof java.util.concurrent.CompletionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof TetraException te) {
            return te;
        }
        return new TetraException(ErrorCode.INTERNAL_ERROR, String.valueOf(t.getMessage()), t);
    }

    /** Sends a request with a fresh id expecting one reply. */
    public CompletableFuture<ServerMessage> send(ClientMessage.Builder b) {
        SingleReply r = new SingleReply();
        send(b, r);
        return r.future();
    }

    /** Sends a request with a fresh id; {@code handler} gets its replies. Returns the id. */
    public long send(ClientMessage.Builder b, ResponseHandler handler) {
        long id = ids.incrementAndGet();
        pending.put(id, handler);
        TetraException closed = closedCause();
        if (closed != null) {
            pending.remove(id);
            handler.onFailure(closed);
            return id;
        }
        ClientMessage m = b.setRequestId(id).build();
        int size = m.getSerializedSize();
        if (size > maxFrameSize) {
            pending.remove(id);
            handler.onFailure(new TetraException(ErrorCode.FRAME_TOO_LARGE, "The request of " + size
                    + " bytes exceeds the maximum frame size of " + maxFrameSize + " bytes."));
            return id;
        }
        try {
            write(m, size);
        } catch (IOException e) {
            ResponseHandler h = pending.remove(id);
            if (h != null) {
                h.onFailure(new TetraException(ErrorCode.CONNECTION_LOST, "Could not send the request: "
                        + e.getMessage(), e));
            }
            lose(e);
        }
        return id;
    }

    /** Sends a message about an earlier request (FetchMore, CloseCursor, Cancel), expecting no reply of its own. */
    public void sendFollowUp(ClientMessage m) {
        if (!connected || closedCause != null) {
            return;
        }
        try {
            write(m, m.getSerializedSize());
        } catch (IOException e) {
            lose(e);
        }
    }

    /** Writes one frame (varint32 length, then the message) in one system call when it fits the buffer. */
    private void write(ClientMessage m, int size) throws IOException {
        int total = CodedOutputStream.computeUInt32SizeNoTag(size) + size;
        synchronized (writeLock) {
            byte[] buf = total <= writeBuffer.length ? writeBuffer : new byte[total];
            CodedOutputStream coded = CodedOutputStream.newInstance(buf, 0, total);
            coded.writeUInt32NoTag(size);
            m.writeTo(coded);
            out.write(buf, 0, total);
        }
    }

    /** Listens to events the server pushes; listeners run on the events executor given at {@link #open}. */
    public void addEventListener(Consumer<Event> l) {
        listeners.add(l);
    }

    public void removeEventListener(Consumer<Event> l) {
        listeners.remove(l);
    }

    /** Whether request {@code id} still waits for a reply. */
    public boolean isPending(long id) {
        return pending.containsKey(id);
    }

    /** The reply to Hello. */
    public HelloReply hello() {
        return hello;
    }

    /** The reply to a successful authentication. */
    public AuthOk authOk() {
        return authOk;
    }

    public boolean isOpen() {
        return connected && closedCause == null;
    }

    /** Why the connection is unusable, or null while it is open. */
    public TetraException closedCause() {
        TetraException cause = closedCause;
        if (cause != null) {
            return cause;
        }
        return connected ? null : lost();
    }

    private TetraException lost() {
        String notice = shutdownNotice;
        return new TetraException(ErrorCode.CONNECTION_LOST, notice != null
                ? "Connection to the server lost: " + notice : "Connection to the server lost.");
    }

    /** Closes the connection; pending requests fail with 2011. */
    public void close() {
        close(new TetraException(ErrorCode.CONNECTION_LOST, "The client is closed."));
    }

    /** Closes the connection at once (no goodbye); pending and later requests fail with {@code cause}. */
    public void close(TetraException cause) {
        if (closedCause == null) {
            closedCause = cause;
        }
        connected = false;
        closeQuietly(socket);
        if (Thread.currentThread() != reader) {
            try {
                reader.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        failAll();
    }

    /** The connection broke (a write or read failed): every pending request fails. */
    private void lose(IOException e) {
        if (connected && closedCause == null) {
            closedCause = new TetraException(ErrorCode.CONNECTION_LOST, "Connection to the server failed: "
                    + e.getMessage(), e);
        }
        connected = false;
        closeQuietly(socket);
        failAll();
    }

    private void failAll() {
        TetraException e = closedCause != null ? closedCause : lost();
        for (Long id : pending.keySet()) {
            ResponseHandler h = pending.remove(id);
            if (h != null) {
                h.onFailure(e);
            }
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** The reader thread: frames in, handlers called, until the socket ends. */
    private void readLoop(InputStream in) {
        FrameReader frames = new FrameReader(in, maxFrameSize);
        try {
            while (true) {
                ServerMessage m = ServerMessage.parseFrom(frames.next());
                dispatch(m);
            }
        } catch (EOFException e) {
            connected = false; // the server closed the connection; closedCause() tells lost()
        } catch (IOException e) {
            if (connected && closedCause == null) {
                closedCause = new TetraException(ErrorCode.CONNECTION_LOST, "Connection to the server failed: "
                        + e.getMessage(), e);
            }
            connected = false;
        } catch (RuntimeException e) {
            closedCause = new TetraException(ErrorCode.CONNECTION_LOST, "Connection to the server failed: " + e, e);
            connected = false;
        } finally {
            closeQuietly(socket);
            failAll();
        }
    }

    private void dispatch(ServerMessage m) {
        if (m.hasEvent()) {
            if (m.getEvent().hasNotice() && (m.getEvent().getNotice().getShuttingDown()
                    || m.getEvent().getNotice().getMessage().contains("ended by an administrator"))) {
                shutdownNotice = m.getEvent().getNotice().getMessage();
            }
            if (!listeners.isEmpty()) {
                Event event = m.getEvent();
                events.execute(() -> {
                    for (Consumer<Event> l : listeners) {
                        try {
                            l.accept(event);
                        } catch (RuntimeException ignored) {
                            // a listener's failure is its own
                        }
                    }
                });
            }
            if (m.getRequestId() == 0) {
                return;
            }
        }
        long id = m.getRequestId();
        if (id == 0 && m.hasError()) {
            // A connection-level error (bad frame, too many connections): the server closes.
            closedCause = TetraException.fromWire(m.getError());
            return;
        }
        ResponseHandler h = pending.get(id);
        if (h != null && h.onMessage(m)) {
            pending.remove(id);
        }
    }

    /**
     * Reads frames (varint32 length, then the body) from a stream through one buffer; a
     * length beyond the maximum or a malformed prefix is an error, as on the server.
     * Reader thread only.
     */
    private static final class FrameReader {
        private final InputStream in;
        private final int maxFrameSize;
        private final byte[] buf = new byte[READ_BUFFER];
        private int pos;
        private int limit;

        FrameReader(InputStream in, int maxFrameSize) {
            this.in = in;
            this.maxFrameSize = maxFrameSize;
        }

        /** The next frame's body; EOFException at a clean end between frames. */
        com.google.protobuf.CodedInputStream next() throws IOException {
            int length = 0;
            for (int shift = 0; ; shift += 7) {
                if (shift >= 35) {
                    throw new IOException("malformed frame length prefix");
                }
                if (pos == limit && !fill(shift == 0)) {
                    throw new EOFException();
                }
                byte b = buf[pos++];
                if (shift == 28 && (b & 0x70) != 0) {
                    throw new IOException("malformed frame length prefix: more than 32 bits");
                }
                length |= (b & 0x7F) << shift;
                if (b >= 0) {
                    break;
                }
            }
            if (length < 0 || length > maxFrameSize) {
                throw new IOException("frame of " + Integer.toUnsignedString(length)
                        + " bytes exceeds the maximum of " + maxFrameSize + " bytes");
            }
            if (length <= buf.length) {
                if (limit - pos < length) {
                    System.arraycopy(buf, pos, buf, 0, limit - pos);
                    limit -= pos;
                    pos = 0;
                    while (limit < length) {
                        int n = in.read(buf, limit, buf.length - limit);
                        if (n < 0) {
                            throw new EOFException("the connection ended inside a frame");
                        }
                        limit += n;
                    }
                }
                com.google.protobuf.CodedInputStream body =
                        com.google.protobuf.CodedInputStream.newInstance(buf, pos, length);
                pos += length;
                return body;
            }
            byte[] big = new byte[length];
            int have = limit - pos;
            System.arraycopy(buf, pos, big, 0, have);
            pos = limit;
            while (have < length) {
                int n = in.read(big, have, length - have);
                if (n < 0) {
                    throw new EOFException("the connection ended inside a frame");
                }
                have += n;
            }
            return com.google.protobuf.CodedInputStream.newInstance(big);
        }

        /** Reads more bytes into the (empty) buffer; false at the end of the stream. */
        private boolean fill(boolean betweenFrames) throws IOException {
            pos = 0;
            limit = 0;
            int n = in.read(buf, 0, buf.length);
            if (n < 0) {
                if (!betweenFrames) {
                    throw new EOFException("the connection ended inside a frame");
                }
                return false;
            }
            limit = n;
            return true;
        }
    }
}
