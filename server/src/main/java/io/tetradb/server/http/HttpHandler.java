package io.tetradb.server.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Answers one HTTP connection's requests (event-loop thread): the routes of
 * {@link HttpEndpoint}. Metrics are gathered on the metrics thread and written back from
 * there through the channel (Netty hands the write to the event loop).
 */
final class HttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    /** What the endpoint serves once the server is open; null before. */
    record Routes(BooleanSupplier ready, Metrics metrics, String metricsToken, Panel panel, boolean tls) {
    }

    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final Supplier<Routes> routes;

    /** Requests received while one is being answered (HTTP/1.1 pipelining): answered in order, after it. */
    static final int MAX_PIPELINED = 8;
    /** A connection must have sent a whole request within this many seconds of opening or of its last answer. */
    static final int REQUEST_DEADLINE_SECONDS = 10;

    // Event-loop confined.
    private final java.util.ArrayDeque<FullHttpRequest> waiting = new java.util.ArrayDeque<>();
    private boolean busy;
    private io.netty.util.concurrent.ScheduledFuture<?> deadline;

    HttpHandler(Supplier<Routes> routes) {
        this.routes = routes;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        armDeadline(ctx);
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancelDeadline();
        FullHttpRequest r;
        while ((r = waiting.poll()) != null) {
            r.release();
        }
        super.channelInactive(ctx);
    }

    /**
     * One request at a time per connection: a request that arrives while another is answered
     * (some answers come from a worker) waits, so that answers go out in the order of the
     * requests as HTTP/1.1 requires.
     */
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        cancelDeadline();
        if (busy) {
            if (waiting.size() >= MAX_PIPELINED) {
                ctx.close();
                return;
            }
            waiting.add(req.retain());
            return;
        }
        busy = true;
        handle(ctx, req);
    }

    /** The request's answer was written (its write queued on the loop): the next waiting one is handled. */
    private void answered(ChannelHandlerContext ctx) {
        busy = false;
        FullHttpRequest next = waiting.poll();
        if (next == null) {
            if (ctx.channel().isActive()) {
                armDeadline(ctx);
            }
            return;
        }
        busy = true;
        try {
            handle(ctx, next);
        } finally {
            next.release();
        }
    }

    private void armDeadline(ChannelHandlerContext ctx) {
        cancelDeadline();
        deadline = ctx.executor().schedule(() -> {
            if (!busy) {
                ctx.close();
            }
        }, REQUEST_DEADLINE_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
    }

    private void cancelDeadline() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    /** Whether a Host header names loopback (127.0.0.0/8, ::1 or localhost), the only names served without TLS. */
    static boolean loopbackHost(String host) {
        if (host == null) {
            return false;
        }
        String h = host.trim();
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            h = end < 0 ? "" : h.substring(1, end);
        } else if (h.indexOf(':') >= 0 && h.indexOf(':') == h.lastIndexOf(':')) {
            h = h.substring(0, h.indexOf(':'));
        }
        if (h.equalsIgnoreCase("localhost")) {
            return true;
        }
        byte[] ip = io.netty.util.NetUtil.createByteArrayFromIpAddressString(h);
        try {
            return ip != null && java.net.InetAddress.getByAddress(ip).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    private void handle(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (req.decoderResult().isFailure()) {
            send(ctx, req, HttpResponseStatus.BAD_REQUEST, "bad request\n", false);
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        String path = req.uri();
        int q = path.indexOf('?');
        if (q >= 0) {
            path = path.substring(0, q);
        }
        Routes rs = routes.get();
        if (rs != null && !rs.tls() && !path.equals("/health") && !path.equals("/ready")
                && !loopbackHost(req.headers().get(HttpHeaderNames.HOST))) {
            // Without TLS the port is on loopback: any other name is a foreign page that had its own
            // name resolve to 127.0.0.1 (DNS rebinding) to read the answers as its own origin.
            send(ctx, req, HttpResponseStatus.MISDIRECTED_REQUEST,
                    "this port answers for 127.0.0.1 and localhost only\n", false);
            return;
        }
        if (path.startsWith("/api/")) {
            api(ctx, req, path, rs, keepAlive);
            return;
        }
        if (!req.method().equals(HttpMethod.GET) && !req.method().equals(HttpMethod.HEAD)) {
            FullHttpResponse r = response(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed\n");
            r.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            write(ctx, req, r, keepAlive);
            return;
        }
        if (path.equals("/") || path.equals("/index.html") || path.startsWith("/panel/")) {
            file(ctx, req, path, rs, keepAlive);
            return;
        }
        switch (path) {
            case "/health" -> send(ctx, req, HttpResponseStatus.OK, "ok\n", keepAlive);
            case "/ready" -> {
                boolean ready = rs != null && rs.ready().getAsBoolean();
                send(ctx, req, ready ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                        ready ? "ready\n" : "not ready\n", keepAlive);
            }
            case "/metrics" -> metrics(ctx, req, rs, keepAlive);
            default -> send(ctx, req, HttpResponseStatus.NOT_FOUND, "not found\n", keepAlive);
        }
    }

    /** A file of the panel, from memory, with the headers that keep the page to itself. */
    private void file(ChannelHandlerContext ctx, FullHttpRequest req, String path, Routes rs, boolean keepAlive) {
        String name = path.equals("/") || path.equals("/index.html") ? "" : path.substring("/panel/".length());
        Panel.File f = rs == null || rs.panel() == null ? null : rs.panel().file(name);
        if (f == null) {
            send(ctx, req, HttpResponseStatus.NOT_FOUND, rs == null ? "not ready\n" : "not found\n", keepAlive);
            return;
        }
        FullHttpResponse r;
        if (f.etag().equals(req.headers().get(HttpHeaderNames.IF_NONE_MATCH))) {
            r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_MODIFIED);
        } else {
            r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(f.bytes()));
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, f.contentType());
        }
        r.headers().set(HttpHeaderNames.ETAG, f.etag());
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
        pageHeaders(r);
        write(ctx, req, r, keepAlive);
    }

    private static void pageHeaders(FullHttpResponse r) {
        r.headers().set("Content-Security-Policy", Panel.CONTENT_SECURITY_POLICY);
        r.headers().set("X-Frame-Options", "DENY");
        r.headers().set("Referrer-Policy", "no-referrer");
        r.headers().set("X-Content-Type-Options", "nosniff");
    }

    /** The panel's API: JSON, answered from the worker that did the work (Netty hands the write to the loop). */
    private void api(ChannelHandlerContext ctx, FullHttpRequest req, String path, Routes rs, boolean keepAlive) {
        if (rs == null || rs.panel() == null) {
            send(ctx, req, HttpResponseStatus.SERVICE_UNAVAILABLE, "not ready\n", keepAlive);
            return;
        }
        PanelApi api = rs.panel().api();
        String address = io.tetradb.server.net.PreLoginLimits.addressKey(ctx.channel().remoteAddress());
        String host = req.headers().get(HttpHeaderNames.HOST);
        String origin = (rs.tls() ? "https://" : "http://") + (host == null ? "" : host);
        if (path.equals("/api/events") && req.method().equals(HttpMethod.GET)) {
            PanelLogins.Login login = api.login(req);
            PanelApi.Answer refused = api.refusal(login, req, false);
            if (refused != null) {
                json(ctx, req, refused, keepAlive);
                return;
            }
            ctx.pipeline().remove(io.netty.handler.timeout.ReadTimeoutHandler.class);
            if (!rs.panel().events().open(ctx.channel(), login)) {
                json(ctx, req, PanelApi.error(HttpResponseStatus.SERVICE_UNAVAILABLE, io.tetradb.client.ErrorCode.SERVER_BUSY,
                        "Too many live-update streams open; close other panel tabs."), false);
            }
            return;
        }
        req.retain();
        api.handle(req, path, address, origin).whenComplete((a, failure) -> {
            try {
                json(ctx, req, a != null ? a : PanelApi.error(HttpResponseStatus.INTERNAL_SERVER_ERROR,
                        io.tetradb.client.ErrorCode.INTERNAL_ERROR, "The request failed."), keepAlive);
            } finally {
                req.release();
            }
        });
    }

    private void json(ChannelHandlerContext ctx, FullHttpRequest req, PanelApi.Answer a, boolean keepAlive) {
        FullHttpResponse r = response(a.status(), a.body().toString());
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
        if (a.setCookie() != null) {
            r.headers().set(HttpHeaderNames.SET_COOKIE, a.setCookie());
        }
        pageHeaders(r);
        write(ctx, req, r, keepAlive);
    }

    private void metrics(ChannelHandlerContext ctx, FullHttpRequest req, Routes rs, boolean keepAlive) {
        if (rs == null) {
            send(ctx, req, HttpResponseStatus.SERVICE_UNAVAILABLE, "not ready\n", keepAlive);
            return;
        }
        if (!allowed(ctx, req, rs.metricsToken())) {
            String auth = req.headers().get(HttpHeaderNames.AUTHORIZATION);
            if (rs.tls() && rs.panel() != null && auth != null && auth.regionMatches(true, 0, "Basic ", 0, 6)) {
                // an admin's credentials, over TLS: checked like a panel login (throttle included), off the loop
                req.retain();
                rs.panel().api().basicAdmin(auth.substring(6),
                        io.tetradb.server.net.PreLoginLimits.addressKey(ctx.channel().remoteAddress()))
                        .whenComplete((admin, failure) -> {
                            try {
                                if (Boolean.TRUE.equals(admin)) {
                                    scrape(ctx, req, rs, keepAlive);
                                } else {
                                    unauthorized(ctx, req, rs, keepAlive);
                                }
                            } finally {
                                req.release();
                            }
                        });
                return;
            }
            unauthorized(ctx, req, rs, keepAlive);
            return;
        }
        scrape(ctx, req, rs, keepAlive);
    }

    private void unauthorized(ChannelHandlerContext ctx, FullHttpRequest req, Routes rs, boolean keepAlive) {
        FullHttpResponse r = response(HttpResponseStatus.UNAUTHORIZED, rs.tls()
                ? "metrics are readable from loopback, with http.metricsToken as a bearer token, or with an admin's"
                        + " credentials (HTTP basic)\n"
                : "metrics are readable from loopback, or with http.metricsToken as a bearer token\n");
        r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"tetra\"");
        if (rs.tls()) {
            r.headers().add(HttpHeaderNames.WWW_AUTHENTICATE, "Basic realm=\"tetra\", charset=\"UTF-8\"");
        }
        write(ctx, req, r, keepAlive);
    }

    private void scrape(ChannelHandlerContext ctx, FullHttpRequest req, Routes rs, boolean keepAlive) {
        req.retain();
        try {
            rs.metrics().scrape().whenComplete((text, failure) -> {
                try {
                    if (failure != null) {
                        send(ctx, req, HttpResponseStatus.INTERNAL_SERVER_ERROR, "metrics failed\n", false);
                    } else {
                        FullHttpResponse r = response(HttpResponseStatus.OK, text);
                        r.headers().set(HttpHeaderNames.CONTENT_TYPE, PROMETHEUS_TEXT);
                        write(ctx, req, r, keepAlive);
                    }
                } finally {
                    req.release();
                }
            });
        } catch (RejectedExecutionException e) {
            req.release();
            send(ctx, req, HttpResponseStatus.SERVICE_UNAVAILABLE, "busy\n", false);
        }
    }

    /** From loopback, or with the configured bearer token (compared in constant time). */
    private static boolean allowed(ChannelHandlerContext ctx, FullHttpRequest req, String token) {
        java.net.InetAddress remote = ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
        return allowed(remote, req.headers().get(HttpHeaderNames.AUTHORIZATION), token);
    }

    /** Whether a scrape from {@code remote} with this Authorization header may read the metrics. */
    static boolean allowed(java.net.InetAddress remote, String authorization, String token) {
        if (remote != null && remote.isLoopbackAddress()) {
            return true;
        }
        if (token == null || authorization == null || !authorization.startsWith("Bearer ")) {
            return false;
        }
        return MessageDigest.isEqual(authorization.substring(7).trim().getBytes(StandardCharsets.UTF_8),
                token.getBytes(StandardCharsets.UTF_8));
    }

    private static FullHttpResponse response(HttpResponseStatus status, String body) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        r.headers().set("X-Content-Type-Options", "nosniff");
        return r;
    }

    private void send(ChannelHandlerContext ctx, FullHttpRequest req, HttpResponseStatus status, String body,
                             boolean keepAlive) {
        write(ctx, req, response(status, body), keepAlive);
    }

    private void write(ChannelHandlerContext ctx, FullHttpRequest req, FullHttpResponse r, boolean keepAlive) {
        HttpUtil.setContentLength(r, r.content().readableBytes());
        if (req.method().equals(HttpMethod.HEAD)) {
            r.content().clear();
        }
        if (keepAlive) {
            HttpUtil.setKeepAlive(r, true);
            ctx.writeAndFlush(r);
        } else {
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        }
        // Queued after the write from the same thread: runs once the write is on its way.
        ctx.executor().execute(() -> answered(ctx));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // a timed-out (ReadTimeoutException) or broken connection: nothing to answer, nothing to log per client
        ctx.close();
    }
}
