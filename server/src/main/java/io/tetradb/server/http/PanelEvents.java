package io.tetradb.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The admin panel's live updates: a server-sent event stream ({@code GET /api/events}) per open
 * page, each sent the overview (server status, the backup's progress, the writes queued behind
 * the gate, the log, free space) whenever it changes, checked every {@link #TICK_MILLIS} ms, so
 * at most about ten a second, the rate the server publishes backup progress at; otherwise a
 * comment every {@link #KEEPALIVE_SECONDS} s keeps the stream open. A stream whose client does
 * not read is skipped (nothing piles up in memory), and one whose login ended is told so
 * ({@code event: ended}) and closed.
 *
 * <p>Threads: streams are opened on an event loop; the overview is gathered and sent on the
 * panel's own thread ({@code tetra-panel}), never on an event loop.
 */
final class PanelEvents {
    private static final Logger LOG = LoggerFactory.getLogger(PanelEvents.class);
    static final int MAX_STREAMS = 16;
    static final int STREAMS_PER_LOGIN = 4;
    static final long TICK_MILLIS = 100;
    static final long KEEPALIVE_SECONDS = 15;

    private record Stream(Channel channel, PanelLogins.Login login) {
    }

    private final Set<Stream> streams = new CopyOnWriteArraySet<>();
    private final PanelApi api;
    private final ScheduledExecutorService thread;
    private String last = "";
    private long lastSentNanos;

    PanelEvents(PanelApi api, ScheduledExecutorService thread) {
        this.api = api;
        this.thread = thread;
        thread.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Opens a stream on {@code ch} for {@code login} (event loop); false when too many are open. */
    boolean open(Channel ch, PanelLogins.Login login) {
        if (streams.size() >= MAX_STREAMS
                || streams.stream().filter(s -> s.login() == login).count() >= STREAMS_PER_LOGIN) {
            return false;
        }
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        r.headers().set("X-Content-Type-Options", "nosniff");
        HttpUtil.setTransferEncodingChunked(r, true);
        ch.writeAndFlush(r);
        Stream s = new Stream(ch, login);
        streams.add(s);
        ch.closeFuture().addListener(f -> streams.remove(s));
        // The first overview at once, from the panel's thread.
        thread.execute(() -> send(s, snapshot(), "overview"));
        return true;
    }

    int size() {
        return streams.size();
    }

    private void tick() {
        if (streams.isEmpty()) {
            return;
        }
        try {
            for (Stream s : streams) {
                if (!api.logins().isLive(s.login()) || !api.accountValid(s.login())) {
                    // expired, logged out, or its account removed or given a new password (by anyone, CLI too)
                    api.logins().end(s.login());
                    streams.remove(s);
                    s.channel().writeAndFlush(chunk("event: ended\ndata: {}\n\n"));
                    s.channel().writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
                }
            }
            String now = snapshot();
            long t = System.nanoTime();
            if (!now.equals(last)) {
                last = now;
                lastSentNanos = t;
                for (Stream s : streams) {
                    send(s, now, "overview");
                }
            } else if (t - lastSentNanos >= TimeUnit.SECONDS.toNanos(KEEPALIVE_SECONDS)) {
                lastSentNanos = t;
                for (Stream s : streams) {
                    if (s.channel().isWritable()) {
                        s.channel().writeAndFlush(chunk(": keepalive\n\n"));
                    }
                }
            }
        } catch (RuntimeException e) {
            // one bad tick must not end the updates (the scheduler would stop the task)
            LOG.warn("Admin panel update failed: {}", e.toString());
        }
    }

    /** The overview without what changes by itself (uptime, clocks), so that equal means unchanged. */
    private String snapshot() {
        ObjectNode o = api.overview();
        o.remove("now");
        ((ObjectNode) o.get("status")).remove("uptimeMillis");
        o.get("queue").forEach(q -> ((ObjectNode) q).remove("waitingMillis"));
        return o.toString();
    }

    private static void send(Stream s, String json, String event) {
        if (s.channel().isActive() && s.channel().isWritable()) {
            s.channel().writeAndFlush(chunk("event: " + event + "\ndata: {\"serverMillis\":"
                    + System.currentTimeMillis() + ",\"overview\":" + json + "}\n\n"));
        }
    }

    private static DefaultHttpContent chunk(String text) {
        return new DefaultHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    }
}
