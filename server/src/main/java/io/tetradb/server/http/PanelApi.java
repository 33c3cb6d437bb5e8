package io.tetradb.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraException;
import io.tetradb.protocol.AddUser;
import io.tetradb.protocol.AdminReply;
import io.tetradb.protocol.AdminRequest;
import io.tetradb.protocol.BackupHistoryRequest;
import io.tetradb.protocol.BackupJournalRequest;
import io.tetradb.protocol.BackupSettingsRequest;
import io.tetradb.protocol.BackupWindowRequest;
import io.tetradb.protocol.KillSession;
import io.tetradb.protocol.ListSessions;
import io.tetradb.protocol.ListUsers;
import io.tetradb.protocol.LogShowRequest;
import io.tetradb.protocol.LogStatusRequest;
import io.tetradb.protocol.RemoveUser;
import io.tetradb.protocol.RestoreBackup;
import io.tetradb.protocol.Role;
import io.tetradb.protocol.ScramCredentials;
import io.tetradb.protocol.SetBackupSettings;
import io.tetradb.protocol.SetPassword;
import io.tetradb.protocol.StartBackup;
import io.tetradb.protocol.StatusRequest;
import io.tetradb.protocol.StopBackup;
import io.tetradb.protocol.VerifyBackup;
import io.tetradb.protocol.scram.Scram;
import io.tetradb.server.DataLayout;
import io.tetradb.server.admin.AdminService;
import io.tetradb.server.auth.AuthThrottle;
import io.tetradb.server.auth.UserStore;
import io.tetradb.server.backup.BackupSettings;
import io.tetradb.server.gate.WriteGate;
import io.tetradb.server.net.LogText;
import io.tetradb.server.session.OrderedExecutor;
import io.tetradb.server.session.Session;
import io.tetradb.server.session.SessionRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The admin panel's JSON API under {@code /api/} (docs/admin-panel.md): login and logout, the
 * overview, backups (start, stop, history, restorable window, journal, verify, restore, the
 * settings), the writes queued behind a backup (list, cancel), the log file, sessions and
 * users. Each change is the admin request {@code tetra-admin} sends, answered by the same
 * {@link AdminService}, so that the panel and the CLI validate and act alike.
 *
 * <p>Security: every route but login refuses a request without a live login (401) and an
 * account that is no longer an admin (403); a login ends when its account is removed or its
 * password changed. Every POST needs the login's CSRF token in {@code X-CSRF-Token}, a JSON
 * body, and no foreign {@code Origin}. The password of a login is checked against the SCRAM
 * keys of users.json, through the login throttle the protocol port uses.
 *
 * <p>Threads: called on event loops, which only parse; password checks run on the server's
 * workers (at most {@link #LOGIN_CHECKS} at once), reads on the workers, and changes on the
 * login's own ordered queue (as a client session's admin requests run), at most
 * {@link #IN_FLIGHT_PER_LOGIN} requests of one login at once.
 */
final class PanelApi {
    private static final Logger LOG = LoggerFactory.getLogger(PanelApi.class);
    static final String COOKIE = "tetra_panel";
    static final String CSRF_HEADER = "X-CSRF-Token";
    static final int LOGIN_CHECKS = 4;
    static final int IN_FLIGHT_PER_LOGIN = 8;
    /** Every route of the API but login and the live-update stream (each refuses without a login). */
    static final List<String> ROUTES = List.of(
            "GET /api/session",
            "POST /api/logout",
            "GET /api/overview",
            "GET /api/queue",
            "POST /api/queue/cancel",
            "POST /api/backup/start",
            "POST /api/backup/stop",
            "GET /api/backups",
            "GET /api/journal",
            "POST /api/backup/verify",
            "POST /api/restore",
            "GET /api/settings",
            "POST /api/settings",
            "GET /api/log",
            "GET /api/log/operations",
            "GET /api/sessions",
            "POST /api/sessions/kill",
            "GET /api/users",
            "POST /api/users/add",
            "POST /api/users/remove",
            "POST /api/users/password");
    private static final Pattern SETTING_KEY = Pattern.compile("^Invalid backup setting ([A-Za-z0-9_.]+)");
    private static final byte[] FAKE_SALT = Scram.randomBytes(16);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** What a route answers: a status and a JSON body, and the cookie to set (null: none). */
    record Answer(HttpResponseStatus status, JsonNode body, String setCookie) {
        static Answer ok(JsonNode body) {
            return new Answer(HttpResponseStatus.OK, body, null);
        }
    }

    private final Panel.Services s;
    private final PanelLogins logins;
    private final Semaphore loginChecks = new Semaphore(LOGIN_CHECKS);
    /** Addresses with a password being checked now: one at a time each, so one address never takes every permit. */
    private final Map<String, Boolean> checking = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<PanelLogins.Login, java.util.concurrent.atomic.AtomicInteger> inFlight =
            new java.util.concurrent.ConcurrentHashMap<>();

    PanelApi(Panel.Services services) {
        this.s = services;
        this.logins = new PanelLogins(services.loginIdle(), System::nanoTime, this::ended);
    }

    PanelLogins logins() {
        return logins;
    }

    /** A login ended (logout, expiry, its account changed): its internal session lets go of anything it held. */
    private void ended(PanelLogins.Login l) {
        inFlight.remove(l);
        LOG.info("Admin panel login of {} from {} ended.", l.user, l.address);
        l.caller.executor().submit(OrderedExecutor.internal(() -> s.sessions().get().releaseConnection(l.caller)));
    }

    /** The login a request's cookie names, still live (its idle time restarted), or null. */
    PanelLogins.Login login(FullHttpRequest req) {
        return logins.touch(cookie(req, COOKIE));
    }

    /**
     * Answers one API request. {@code address} is the client's address as the throttle keys it;
     * {@code origin} what the request's Host says it was sent to ({@code scheme://host}).
     */
    CompletableFuture<Answer> handle(FullHttpRequest req, String path, String address, String origin) {
        try {
            boolean post = req.method().equals(HttpMethod.POST);
            if (!post && !req.method().equals(HttpMethod.GET)) {
                return done(error(HttpResponseStatus.METHOD_NOT_ALLOWED, ErrorCode.INVALID_ARGUMENT,
                        "Use GET to read and POST to change."));
            }
            if (post) {
                String o = req.headers().get("Origin");
                if (o != null && !o.equalsIgnoreCase(origin)) {
                    return done(error(HttpResponseStatus.FORBIDDEN, ErrorCode.PERMISSION_DENIED,
                            "Cross-site request refused (Origin " + o + ")."));
                }
                String type = req.headers().get("Content-Type");
                if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
                    return done(error(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, ErrorCode.INVALID_ARGUMENT,
                            "Send the request as application/json."));
                }
            }
            if (path.equals("/api/login")) {
                return post ? login(req, address) : done(error(HttpResponseStatus.METHOD_NOT_ALLOWED,
                        ErrorCode.INVALID_ARGUMENT, "Log in with POST."));
            }
            PanelLogins.Login l = login(req);
            Answer refused = refusal(l, req, post);
            if (refused != null) {
                return done(refused);
            }
            JsonNode body = post ? body(req) : F.objectNode();
            Map<String, List<String>> query = new QueryStringDecoder(req.uri()).parameters();
            return route(l, post, path, body, query);
        } catch (TetraException e) {
            return done(error(e));
        }
    }

    /**
     * Why a request may not be answered: no live login (401), an account no longer an admin
     * (403), a change without the login's CSRF token (403); null when it may.
     */
    Answer refusal(PanelLogins.Login l, FullHttpRequest req, boolean post) {
        if (l == null) {
            return error(HttpResponseStatus.UNAUTHORIZED, ErrorCode.AUTH_FAILED, "Log in first (no login, or it expired).");
        }
        UserStore.User u = s.users().find(l.user);
        if (u == null || !MessageDigest.isEqual(u.credentials().storedKey(), l.storedKey)) {
            logins.end(l);
            return error(HttpResponseStatus.UNAUTHORIZED, ErrorCode.AUTH_FAILED,
                    "Your login ended: the account was removed or its password changed. Log in again.");
        }
        if (u.role() != Role.ADMIN) {
            return error(HttpResponseStatus.FORBIDDEN, ErrorCode.PERMISSION_DENIED,
                    "The admin panel is for accounts with the admin role; " + l.user + " is "
                            + u.role().name().toLowerCase(Locale.ROOT) + ".");
        }
        if (post && !l.csrfMatches(req.headers().get(CSRF_HEADER))) {
            return error(HttpResponseStatus.FORBIDDEN, ErrorCode.PERMISSION_DENIED,
                    "Missing or wrong CSRF token (" + CSRF_HEADER + ").");
        }
        return null;
    }

    /** Whether the login's account still exists, is an admin and has the stored key it logged in with. */
    boolean accountValid(PanelLogins.Login l) {
        UserStore.User u = s.users().find(l.user);
        return u != null && u.role() == Role.ADMIN && MessageDigest.isEqual(u.credentials().storedKey(), l.storedKey);
    }

    /** Ends the expired logins and those whose account was removed, demoted or given a new password (tetra-panel). */
    void sweep() {
        logins.sweep();
        logins.endIf(l -> !accountValid(l));
    }

    private CompletableFuture<Answer> route(PanelLogins.Login l, boolean post, String path, JsonNode b,
                                            Map<String, List<String>> q) {
        String route = (post ? "POST " : "GET ") + path;
        switch (route) {
            case "GET /api/session":
                return done(Answer.ok(sessionJson(l)));
            case "POST /api/logout":
                logins.end(l);
                return done(new Answer(HttpResponseStatus.OK, F.objectNode().put("ok", true),
                        COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" + (s.tls() ? "; Secure" : "")));
            case "GET /api/overview":
                return read(l, () -> overview());
            case "GET /api/queue":
                return read(l, () -> F.objectNode().set("queue", queue()));
            case "POST /api/queue/cancel":
                return change(l, () -> cancelQueued(l, b));
            case "POST /api/backup/start":
                return admin(l, true, AdminRequest.newBuilder().setStartBackup(StartBackup.getDefaultInstance()));
            case "POST /api/backup/stop":
                return admin(l, true, AdminRequest.newBuilder().setStopBackup(StopBackup.getDefaultInstance()));
            case "GET /api/backups":
                return read(l, () -> {
                    ObjectNode o = F.objectNode();
                    o.set("history", reply(l, AdminRequest.newBuilder()
                            .setBackupHistory(BackupHistoryRequest.getDefaultInstance())));
                    o.set("window", reply(l, AdminRequest.newBuilder()
                            .setBackupWindow(BackupWindowRequest.getDefaultInstance())));
                    return o;
                });
            case "GET /api/journal":
                return admin(l, false, AdminRequest.newBuilder().setBackupJournal(BackupJournalRequest.newBuilder()
                        .setTail((int) Math.min(5000, Math.max(1, number(q, "tail", 500))))));
            case "POST /api/backup/verify":
                return admin(l, true, AdminRequest.newBuilder().setVerifyBackup(VerifyBackup.newBuilder()
                        .setNumber(positive(b, "number"))));
            case "POST /api/restore":
                return admin(l, true, AdminRequest.newBuilder().setRestoreBackup(restore(b)))
                        .whenComplete((a, t) -> l.caller.executor().submit(
                                OrderedExecutor.internal(() -> s.sessions().get().releaseConnection(l.caller))));
            case "GET /api/settings":
                return read(l, () -> {
                    ObjectNode o = (ObjectNode) reply(l, AdminRequest.newBuilder()
                            .setBackupSettings(BackupSettingsRequest.getDefaultInstance()));
                    ArrayNode keys = o.putArray("keys");
                    BackupSettings.keys().forEach(keys::add);
                    return o;
                });
            case "POST /api/settings":
                return admin(l, true, AdminRequest.newBuilder().setSetBackupSettings(assignments(b)));
            case "GET /api/log":
                return admin(l, false, AdminRequest.newBuilder().setLogStatus(LogStatusRequest.getDefaultInstance()));
            case "GET /api/log/operations":
                return admin(l, false, AdminRequest.newBuilder().setLogShow(LogShowRequest.newBuilder()
                        .setLimit((int) Math.min(1000, Math.max(1, number(q, "limit", 100))))
                        .setFromOperation(number(q, "from", 0)).setToOperation(number(q, "to", 0))
                        .setTable(text(q, "table")).setUser(text(q, "user"))));
            case "GET /api/sessions":
                return admin(l, false, AdminRequest.newBuilder().setListSessions(ListSessions.getDefaultInstance()));
            case "POST /api/sessions/kill":
                return admin(l, true, AdminRequest.newBuilder().setKillSession(KillSession.newBuilder()
                        .setSessionId(positive(b, "id"))));
            case "GET /api/users":
                return admin(l, false, AdminRequest.newBuilder().setListUsers(ListUsers.getDefaultInstance()));
            case "POST /api/users/add":
                // the keys are derived (PBKDF2) in the work, never on the event loop
                return change(l, () -> reply(l, AdminRequest.newBuilder().setAddUser(AddUser.newBuilder()
                        .setName(required(b, "name")).setRole(UserStore.parseRole(required(b, "role")))
                        .setCredentials(credentials(b)))));
            case "POST /api/users/remove": {
                String name = required(b, "name");
                if (name.equals(l.user)) {
                    return done(error(new TetraException(ErrorCode.INVALID_ARGUMENT,
                            "You cannot remove your own account while you are logged in with it.")));
                }
                return admin(l, true, AdminRequest.newBuilder().setRemoveUser(RemoveUser.newBuilder().setName(name)))
                        .thenApply(a -> {
                            logins.endUser(name, null);
                            return a;
                        });
            }
            case "POST /api/users/password": {
                String name = required(b, "name");
                return change(l, () -> {
                    ScramCredentials c = credentials(b);
                    JsonNode r = reply(l, AdminRequest.newBuilder().setSetPassword(SetPassword.newBuilder()
                            .setName(name).setCredentials(c)));
                    if (name.equals(l.user)) {
                        l.storedKey = c.getStoredKey().toByteArray();
                    }
                    logins.endUser(name, l);
                    return r;
                });
            }
            default:
                return done(error(HttpResponseStatus.NOT_FOUND, ErrorCode.INVALID_ARGUMENT, "No such API: " + route + "."));
        }
    }

    // ------------------------------------------------------------------------------------- login

    private CompletableFuture<Answer> login(FullHttpRequest req, String address) {
        JsonNode b = body(req);
        String user = required(b, "user");
        return checkPassword(user, required(b, "password").toCharArray(), address, "Admin panel login")
                .thenApply(u -> loggedIn(u, user, address));
    }

    /**
     * Whether HTTP basic credentials ({@code Authorization: Basic ...}, base64 of
     * {@code user:password}) are an admin's: the metrics' third way in, over TLS only. The same
     * check, throttle and limits as a login.
     */
    CompletableFuture<Boolean> basicAdmin(String base64, String address) {
        String pair;
        try {
            pair = new String(java.util.Base64.getDecoder().decode(base64.trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(false);
        }
        int colon = pair.indexOf(':');
        if (colon <= 0) {
            return CompletableFuture.completedFuture(false);
        }
        String user = pair.substring(0, colon);
        return checkPassword(user, pair.substring(colon + 1).toCharArray(), address, "Metrics login")
                .thenApply(a -> a.user() != null && a.user().role() == Role.ADMIN);
    }

    /** What a password check found: the account when the password was right, else the answer to send. */
    private record Checked(UserStore.User user, Answer refusal) {
    }

    /**
     * Checks a password on a worker (at most {@link #LOGIN_CHECKS} at once), through the login
     * throttle, and completes when the throttle says: with the account, or with the refusal
     * (401 wrong, 429 throttled, 503 busy).
     */
    private CompletableFuture<Checked> checkPassword(String user, char[] password, String address, String what) {
        if (s.throttle().refuses(address, user)) {
            // refused before the password costs anything (the throttle's rule)
            Arrays.fill(password, '\0');
            LOG.warn("{} for '{}' from {} refused: too many attempts.", what, LogText.of(user), address);
            return CompletableFuture.completedFuture(new Checked(null, error(HttpResponseStatus.TOO_MANY_REQUESTS,
                    ErrorCode.SERVER_BUSY, "Too many login attempts from this address or for this account; try again in"
                            + " a few seconds.")));
        }
        if (checking.putIfAbsent(address, Boolean.TRUE) != null) {
            Arrays.fill(password, '\0');
            return CompletableFuture.completedFuture(new Checked(null, error(HttpResponseStatus.SERVICE_UNAVAILABLE,
                    ErrorCode.SERVER_BUSY, "A login from this address is being checked; try again in a moment.")));
        }
        if (!loginChecks.tryAcquire()) {
            checking.remove(address);
            Arrays.fill(password, '\0');
            return CompletableFuture.completedFuture(new Checked(null, error(HttpResponseStatus.SERVICE_UNAVAILABLE,
                    ErrorCode.SERVER_BUSY, "Too many logins are being checked; try again in a moment.")));
        }
        CompletableFuture<Checked> answer = new CompletableFuture<>();
        try {
            s.workers().execute(() -> {
                UserStore.User u;
                boolean right;
                try {
                    u = s.users().find(user);
                    right = check(u, password);
                } finally {
                    Arrays.fill(password, '\0');
                    loginChecks.release();
                    checking.remove(address);
                }
                AuthThrottle.Decision d = s.throttle().attempt(address, user, right);
                if (d.refused()) {
                    LOG.warn("{} for '{}' from {} refused: too many attempts.", what, LogText.of(user), address);
                    answer.complete(new Checked(null, error(HttpResponseStatus.TOO_MANY_REQUESTS, ErrorCode.SERVER_BUSY,
                            "Too many login attempts from this address or for this account; try again in a few seconds.")));
                    return;
                }
                Runnable reply = () -> {
                    if (!right) {
                        LOG.warn("{} failed for '{}' from {}.", what, LogText.of(user), address);
                    }
                    answer.complete(right ? new Checked(u, null) : new Checked(null, error(HttpResponseStatus.UNAUTHORIZED,
                            ErrorCode.AUTH_FAILED, "Authentication failed: wrong user name or password.")));
                };
                if (d.delayNanos() <= 0) {
                    reply.run();
                } else {
                    s.timer().schedule(reply, d.delayNanos(), TimeUnit.NANOSECONDS);
                }
            });
        } catch (RejectedExecutionException e) {
            loginChecks.release();
            checking.remove(address);
            Arrays.fill(password, '\0');
            return CompletableFuture.completedFuture(new Checked(null, error(HttpResponseStatus.SERVICE_UNAVAILABLE,
                    ErrorCode.SERVER_BUSY, "The server is busy.")));
        }
        return answer;
    }

    /** The password against the account's stored key; for an unknown account the same work on a fake salt. */
    private static boolean check(UserStore.User u, char[] password) {
        byte[] salt = u != null ? u.credentials().salt() : FAKE_SALT;
        int iterations = u != null ? u.credentials().iterations() : Scram.DEFAULT_ITERATIONS;
        byte[] storedKey = Scram.sha256(Scram.clientKey(Scram.saltedPassword(password, salt, iterations)));
        return u != null && MessageDigest.isEqual(storedKey, u.credentials().storedKey());
    }

    private Answer loggedIn(Checked c, String user, String address) {
        if (c.refusal() != null) {
            return c.refusal();
        }
        UserStore.User u = c.user();
        if (u.role() != Role.ADMIN) {
            LOG.warn("Admin panel login of '{}' from {} refused: role {}.", LogText.of(user), address, u.role());
            return error(HttpResponseStatus.FORBIDDEN, ErrorCode.PERMISSION_DENIED,
                    "The admin panel is for accounts with the admin role; " + user + " is "
                            + u.role().name().toLowerCase(Locale.ROOT) + ".");
        }
        Session caller = s.sessions().get().internal(user, Role.ADMIN, address, "admin panel");
        PanelLogins.Login l = logins.create(user, address, caller, u.credentials().storedKey());
        if (l == null) {
            return error(HttpResponseStatus.SERVICE_UNAVAILABLE, ErrorCode.SERVER_BUSY,
                    "Too many admin panel logins (at most " + PanelLogins.MAX_LOGINS + "); log out elsewhere first.");
        }
        LOG.info("Admin panel login of {} from {}.", user, address);
        return new Answer(HttpResponseStatus.OK, sessionJson(l), COOKIE + "=" + l.token
                + "; Path=/; HttpOnly; SameSite=Strict" + (s.tls() ? "; Secure" : ""));
    }

    private static ObjectNode sessionJson(PanelLogins.Login l) {
        return F.objectNode().put("user", l.user).put("csrf", l.csrf).put("since", l.createdMillis);
    }

    // ---------------------------------------------------------------------------------- overview

    /** The overview: the server's status (the backup's progress in it), log, free space and the gate's queue. */
    ObjectNode overview() {
        ObjectNode o = F.objectNode();
        o.put("now", System.currentTimeMillis());
        o.set("status", ProtoJson.toJson(s.admin().status()));
        o.set("queue", queue());
        ObjectNode log = o.putObject("log");
        try {
            AdminReply r = s.admin().handle(null, AdminRequest.newBuilder()
                    .setLogStatus(LogStatusRequest.getDefaultInstance()).build());
            log.setAll(ProtoJson.toJson(r.getLogStatus()));
        } catch (IOException | RuntimeException e) {
            // no log (1403), or the log closed for a moment (an in-place restore swaps it)
            log.put("missing", String.valueOf(e.getMessage()));
        }
        log.put("folderBytes", folderBytes(s.layout().logsDir()));
        ObjectNode space = o.putObject("archives");
        try {
            BackupSettings st = BackupSettings.load(s.layout());
            Path dest = st.destination();
            space.put("destination", st.destinationText());
            if (st.s3() != null) {
                // A bucket has no free space to show; the space shown is the local staging folder's.
                space.put("remote", true).put("staging", dest.toString());
            }
            Path p = dest.toAbsolutePath();
            while (p != null && !Files.exists(p)) {
                p = p.getParent();
            }
            if (p != null) {
                FileStore fs = Files.getFileStore(p);
                space.put("usableBytes", fs.getUsableSpace()).put("totalBytes", fs.getTotalSpace());
            }
        } catch (IOException | RuntimeException e) {
            space.put("problem", e.getMessage());
        }
        return o;
    }

    /** The writes queued behind the backup now, oldest first, with their sessions' users. */
    ArrayNode queue() {
        ArrayNode a = F.arrayNode();
        long now = System.currentTimeMillis();
        SessionRegistry reg = s.sessions().get();
        for (WriteGate.QueuedWrite w : s.gate().queued()) {
            Session owner = reg.find(w.sessionId());
            a.addObject().put("sessionId", w.sessionId()).put("requestId", w.requestId())
                    .put("user", owner == null ? "" : owner.user())
                    .put("address", owner == null ? "" : owner.remoteAddress())
                    .put("client", owner == null ? "" : owner.clientName())
                    .put("kind", w.kind().name().equals("STRUCTURE_WRITE") ? "structure write" : "data write")
                    .put("queuedAtMillis", w.queuedAtMillis()).put("waitingMillis", Math.max(0, now - w.queuedAtMillis()))
                    .put("bytes", w.bytes()).put("inTransaction", w.inTransaction());
        }
        return a;
    }

    private JsonNode cancelQueued(PanelLogins.Login l, JsonNode b) {
        long session = positive(b, "sessionId");
        long request = positive(b, "requestId");
        if (!s.gate().cancel(session, request)) {
            throw new TetraException(ErrorCode.INVALID_ARGUMENT, "Request " + request + " of session " + session
                    + " is not queued (it ran, or was cancelled, or its session ended).");
        }
        LOG.info("Queued write {} of session {} cancelled from the admin panel by {}.", request, session, l.user);
        return F.objectNode().put("ok", true);
    }

    private static long folderBytes(Path dir) {
        long total = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    total += Files.size(p);
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return total;
    }

    // --------------------------------------------------------------------------------- requests

    private interface Work {
        JsonNode run() throws IOException;
    }

    private JsonNode reply(PanelLogins.Login l, AdminRequest.Builder req) throws IOException {
        AdminReply r = s.admin().handle(l.caller, req.build());
        com.google.protobuf.Descriptors.FieldDescriptor f = r.getDescriptorForType()
                .findFieldByNumber(r.getKindCase().getNumber());
        return f == null ? F.objectNode() : ProtoJson.toJson((com.google.protobuf.MessageOrBuilder) r.getField(f));
    }

    /** An admin request: a change on the login's ordered queue, a read on the workers. */
    private CompletableFuture<Answer> admin(PanelLogins.Login l, boolean change, AdminRequest.Builder req) {
        Work w = () -> reply(l, req);
        return change ? change(l, w) : read(l, w);
    }

    private CompletableFuture<Answer> read(PanelLogins.Login l, Work w) {
        CompletableFuture<Answer> f = new CompletableFuture<>();
        if (!enter(l)) {
            return done(busy());
        }
        try {
            s.workers().execute(() -> run(l, w, f));
        } catch (RejectedExecutionException e) {
            leave(l);
            return done(busy());
        }
        return f;
    }

    private CompletableFuture<Answer> change(PanelLogins.Login l, Work w) {
        CompletableFuture<Answer> f = new CompletableFuture<>();
        if (!enter(l)) {
            return done(busy());
        }
        l.caller.executor().submit(new OrderedExecutor.Task() {
            @Override
            public long requestId() {
                return 0;
            }

            @Override
            public OrderedExecutor.Outcome run() {
                PanelApi.this.run(l, w, f);
                return OrderedExecutor.Outcome.DONE;
            }

            @Override
            public void drop() {
                leave(l);
                f.complete(error(new TetraException(ErrorCode.SESSION_CLOSED, "The login ended.")));
            }
        });
        return f;
    }

    private void run(PanelLogins.Login l, Work w, CompletableFuture<Answer> f) {
        try {
            f.complete(Answer.ok(w.run()));
        } catch (TetraException e) {
            f.complete(error(e));
        } catch (io.tetradb.server.backup.ArchiveStore.DestinationException e) {
            // The backup destination (a bucket missing, refusing the credentials, an endpoint gone) while the
            // request read it (the history, the window): 1407 with what and where, as RequestDispatcher answers
            // the admin API's request, not an internal error.
            LOG.warn("Admin panel request of {} could not use the backup destination: {}", l.user, e.getMessage());
            f.complete(error(new TetraException(ErrorCode.BACKUP_DESTINATION, e.getMessage())));
        } catch (IOException | RuntimeException e) {
            LOG.warn("Admin panel request of {} failed: {}", l.user, e.toString());
            f.complete(error(HttpResponseStatus.INTERNAL_SERVER_ERROR, ErrorCode.INTERNAL_ERROR,
                    "The request failed: " + e.getMessage()));
        } finally {
            leave(l);
        }
    }

    private boolean enter(PanelLogins.Login l) {
        java.util.concurrent.atomic.AtomicInteger n = inFlight.computeIfAbsent(l,
                k -> new java.util.concurrent.atomic.AtomicInteger());
        if (n.incrementAndGet() > IN_FLIGHT_PER_LOGIN) {
            n.decrementAndGet();
            return false;
        }
        return true;
    }

    private void leave(PanelLogins.Login l) {
        java.util.concurrent.atomic.AtomicInteger n = inFlight.get(l);
        if (n != null) {
            n.decrementAndGet();
        }
    }

    private static Answer busy() {
        return error(HttpResponseStatus.SERVICE_UNAVAILABLE, ErrorCode.SERVER_BUSY,
                "Too many requests of this login at once (at most " + IN_FLIGHT_PER_LOGIN + ").");
    }

    // ---------------------------------------------------------------------------------- reading input

    private static JsonNode body(FullHttpRequest req) {
        try {
            JsonNode n = JSON.readTree(req.content().toString(StandardCharsets.UTF_8));
            if (n == null || !n.isObject()) {
                throw new TetraException(ErrorCode.INVALID_ARGUMENT, "The body must be a JSON object.");
            }
            return n;
        } catch (IOException e) {
            throw new TetraException(ErrorCode.INVALID_ARGUMENT, "The body is not valid JSON.");
        }
    }

    private static String required(JsonNode b, String field) {
        JsonNode n = b.get(field);
        if (n == null || !n.isTextual() || n.asText().isEmpty()) {
            throw new TetraException(ErrorCode.INVALID_ARGUMENT, "'" + field + "' is required (text).");
        }
        return n.asText();
    }

    private static long positive(JsonNode b, String field) {
        JsonNode n = b.get(field);
        if (n == null || !n.canConvertToLong() || n.asLong() <= 0) {
            throw new TetraException(ErrorCode.INVALID_ARGUMENT, "'" + field + "' must be a positive whole number.");
        }
        return n.asLong();
    }

    private static long optionalNumber(JsonNode b, String field) {
        JsonNode n = b.get(field);
        if (n == null || n.isNull() || (n.isTextual() && n.asText().isEmpty())) {
            return 0;
        }
        if (!n.canConvertToLong() || n.asLong() < 0) {
            throw new TetraException(ErrorCode.INVALID_ARGUMENT, "'" + field + "' must be a whole number, 0 or more.");
        }
        return n.asLong();
    }

    private static long number(Map<String, List<String>> q, String name, long dflt) {
        List<String> v = q.get(name);
        if (v == null || v.isEmpty() || v.get(0).isEmpty()) {
            return dflt;
        }
        try {
            return Math.max(0, Long.parseLong(v.get(0)));
        } catch (NumberFormatException e) {
            throw new TetraException(ErrorCode.INVALID_ARGUMENT, "'" + name + "' must be a whole number.");
        }
    }

    private static String text(Map<String, List<String>> q, String name) {
        List<String> v = q.get(name);
        return v == null || v.isEmpty() ? "" : v.get(0);
    }

    private static ScramCredentials credentials(JsonNode b) {
        String password = required(b, "password");
        if (password.length() < 8) {
            throw new TetraException(ErrorCode.INVALID_ARGUMENT, "The password must have at least 8 characters.");
        }
        Scram.Credentials c = Scram.newCredentials(password.toCharArray());
        return ScramCredentials.newBuilder().setSalt(ByteString.copyFrom(c.salt())).setIterations(c.iterations())
                .setStoredKey(ByteString.copyFrom(c.storedKey())).setServerKey(ByteString.copyFrom(c.serverKey()))
                .build();
    }

    private static SetBackupSettings assignments(JsonNode b) {
        JsonNode a = b.get("assignments");
        if (a == null || !a.isObject() || a.size() == 0) {
            throw new TetraException(ErrorCode.INVALID_ARGUMENT, "'assignments' must map setting keys to values.");
        }
        SetBackupSettings.Builder sb = SetBackupSettings.newBuilder();
        a.fields().forEachRemaining(e -> sb.addAssignments(e.getKey() + "="
                + (e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString())));
        return sb.build();
    }

    private static RestoreBackup restore(JsonNode b) {
        RestoreBackup.Builder r = RestoreBackup.newBuilder().setNumber(optionalNumber(b, "number"))
                .setInPlace(b.path("inPlace").asBoolean(false)).setNoLog(b.path("noLog").asBoolean(false))
                .setUntilOperation(optionalNumber(b, "untilOperation"))
                .setUntilTimeMillis(optionalNumber(b, "untilTimeMillis"))
                .setAtTimeMillis(optionalNumber(b, "atTimeMillis"))
                .setRestoreSettings(b.path("restoreSettings").asBoolean(false));
        String to = b.path("toDir").asText("");
        if (!to.isEmpty()) {
            if (!Path.of(to).isAbsolute()) {
                throw new TetraException(ErrorCode.INVALID_ARGUMENT, "The folder to restore to must be an absolute path "
                        + "on the server's machine, was '" + to + "'.");
            }
            r.setToDir(to);
        }
        return r.build();
    }

    // ---------------------------------------------------------------------------------- answers

    static Answer error(TetraException e) {
        HttpResponseStatus status = switch (e.code()) {
            case INVALID_ARGUMENT -> HttpResponseStatus.BAD_REQUEST;
            case PERMISSION_DENIED, NOT_ALLOWED_FOR_ROLE -> HttpResponseStatus.FORBIDDEN;
            case SERVER_BUSY -> HttpResponseStatus.SERVICE_UNAVAILABLE;
            case AUTH_FAILED -> HttpResponseStatus.UNAUTHORIZED;
            case INTERNAL_ERROR -> HttpResponseStatus.INTERNAL_SERVER_ERROR;
            default -> HttpResponseStatus.CONFLICT;
        };
        return error(status, e.code(), e.getMessage());
    }

    static Answer error(HttpResponseStatus status, ErrorCode code, String message) {
        ObjectNode err = F.objectNode();
        ObjectNode e = err.putObject("error").put("code", code.code()).put("name", code.name()).put("message", message);
        Matcher m = SETTING_KEY.matcher(message);
        if (m.find()) {
            e.put("key", m.group(1));
        }
        return new Answer(status, err, null);
    }

    private static CompletableFuture<Answer> done(Answer a) {
        return CompletableFuture.completedFuture(a);
    }

    /** The value of cookie {@code name} in the request, or null. */
    static String cookie(FullHttpRequest req, String name) {
        String header = req.headers().get("Cookie");
        if (header == null) {
            return null;
        }
        Map<String, String> found = new HashMap<>();
        for (String part : header.split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                found.putIfAbsent(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
            }
        }
        return found.get(name);
    }
}
