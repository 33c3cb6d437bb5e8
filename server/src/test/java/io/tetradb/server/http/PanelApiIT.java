package io.tetradb.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraClient;
import io.tetradb.client.TetraException;
import io.tetradb.protocol.Role;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The admin panel's API through the real server and the JDK's HTTP client, as the page calls
 * it: every route refuses a stranger (401) and a change without the CSRF token (403); the
 * cookie's flags; wrong passwords, non-admins and the shared login throttle; logins that
 * expire, log out, or end with their account; the write queued behind a held backup listed
 * and cancelled (-9976 to its client); the settings editor's refusals; live updates; restore,
 * verify, sessions and users.
 */
@Timeout(180)
class PanelApiIT {
    @TempDir
    Path dir;
    TetraServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private PanelHttp start() throws Exception {
        server = TestServers.start(dir.resolve("db"));
        return new PanelHttp(server.httpPort());
    }

    private PanelHttp admin() throws Exception {
        PanelHttp p = start();
        p.login("admin", TestServers.ADMIN_PASSWORD);
        return p;
    }

    @Test
    void everyRouteRefusesAStrangerAndEveryChangeWithoutTheCsrfToken() throws Exception {
        PanelHttp stranger = start();
        List<String> routes = new ArrayList<>(PanelApi.ROUTES);
        routes.add("GET /api/events");
        for (String route : routes) {
            String path = route.substring(route.indexOf(' ') + 1);
            HttpResponse<String> r = route.startsWith("GET ") ? stranger.get(path) : stranger.post(path, Map.of());
            assertThat(PanelHttp.error(r, 401).get("code").asInt()).as(route).isEqualTo(ErrorCode.AUTH_FAILED.code());
        }
        PanelHttp admin = new PanelHttp(server.httpPort());
        admin.login("admin", TestServers.ADMIN_PASSWORD);
        for (String route : PanelApi.ROUTES) {
            if (!route.startsWith("POST ")) {
                continue;
            }
            String path = route.substring(5);
            // no token, a wrong one: refused before anything is read or done
            for (String token : new String[]{null, "not-the-token"}) {
                HttpResponse<String> r = admin.post(path, Map.of(), token, "application/json", null);
                assertThat(PanelHttp.error(r, 403).get("message").asText()).as(route).contains("CSRF");
            }
        }
        // a form post (what another site can send without CORS) and a foreign Origin are refused too
        assertThat(PanelHttp.error(admin.post("/api/backup/start", Map.of(), admin.csrf,
                "application/x-www-form-urlencoded", null), 415).get("code").asInt()).isEqualTo(2010);
        assertThat(PanelHttp.error(admin.post("/api/backup/start", Map.of(), admin.csrf, "application/json",
                "http://evil.example"), 403).get("message").asText()).contains("Cross-site");
        // nothing of that ran: no backup, the admin is still there, the login still works
        try (TetraClient c = TestServers.admin(server)) {
            assertThat(c.admin().backupHistory().getEntriesCount()).isZero();
            assertThat(c.admin().users()).extracting(u -> u.getName()).containsExactly("admin");
        }
        assertThat(admin.ok(admin.get("/api/session")).get("user").asText()).isEqualTo("admin");
        // and every route is there for the admin (none answers 404)
        for (String route : PanelApi.ROUTES) {
            if (route.startsWith("GET ")) {
                assertThat(admin.get(route.substring(4)).statusCode()).as(route).isEqualTo(200);
            }
        }
        assertThat(admin.get("/api/nothing").statusCode()).isEqualTo(404);
    }

    /**
     * A non-admin never gets a login (403 at login: the test below), so the one way a non-admin
     * holds a panel cookie is an admin's login whose account is then made a user: with the same
     * keys, so that only the role says no. Every route, the live-update stream and logout too,
     * then answers 403 (2003) naming the role, a POST with the right CSRF token too, and nothing
     * runs. The panel's sweep (every 5 s) ends such a login, after which the answer is 401: a
     * round that meets the sweep is done again with a new login, until one round got 403 from
     * every route.
     */
    @Test
    void everyRouteRefusesALoginWhoseAccountIsNoLongerAnAdmin() throws Exception {
        start();
        String password = "ops-password";
        io.tetradb.protocol.scram.Scram.Credentials keys =
                io.tetradb.protocol.scram.Scram.newCredentials(password.toCharArray());
        List<String> routes = new ArrayList<>(PanelApi.ROUTES);
        routes.add("GET /api/events");
        boolean everyRoute403 = false;
        for (int round = 0; round < 10 && !everyRoute403; round++) {
            server.users().add("ops", Role.ADMIN, keys);
            PanelHttp ops = new PanelHttp(server.httpPort());
            ops.login("ops", password);
            ops.ok(ops.get("/api/overview"));
            // made a user, with the very keys it logged in with
            server.users().remove("ops");
            server.users().add("ops", Role.USER, keys);
            everyRoute403 = true;
            for (String route : routes) {
                String path = route.substring(route.indexOf(' ') + 1);
                HttpResponse<String> r = route.startsWith("GET ") ? ops.get(path)
                        : ops.post(path, Map.of(), ops.csrf, "application/json", null);
                if (r.statusCode() == 401) {
                    // the sweep ended the login first: this round proves nothing, do it again
                    assertThat(PanelHttp.error(r, 401).get("code").asInt()).as(route)
                            .isEqualTo(ErrorCode.AUTH_FAILED.code());
                    everyRoute403 = false;
                    break;
                }
                JsonNode e = PanelHttp.error(r, 403);
                assertThat(e.get("code").asInt()).as(route).isEqualTo(ErrorCode.PERMISSION_DENIED.code());
                assertThat(e.get("message").asText()).as(route)
                        .isEqualTo("The admin panel is for accounts with the admin role; ops is user.");
            }
            server.users().remove("ops");
        }
        assertThat(everyRoute403).as("a round in which every route answered 403").isTrue();
        // none of the refused changes ran: no backup, no user, no session killed
        try (TetraClient c = TestServers.admin(server)) {
            assertThat(c.admin().backupHistory().getEntriesCount()).isZero();
            assertThat(c.admin().users()).extracting(u -> u.getName()).containsExactly("admin");
        }
    }

    @Test
    void theCookieIsHttpOnlyStrictAndTheWrongPasswordOrANonAdminIsRefused() throws Exception {
        PanelHttp p = start();
        String setCookie = p.login("admin", TestServers.ADMIN_PASSWORD);
        assertThat(setCookie).startsWith(PanelApi.COOKIE + "=").contains("; HttpOnly").contains("; SameSite=Strict")
                .contains("; Path=/").doesNotContain("Secure");   // Secure under TLS only (PanelTlsIT)
        assertThat(p.cookie.substring(p.cookie.indexOf('=') + 1)).hasSizeGreaterThanOrEqualTo(43);   // 256 bits
        JsonNode me = p.ok(p.get("/api/session"));
        assertThat(me.get("csrf").asText()).isEqualTo(p.csrf).isNotEqualTo(p.cookie.substring(p.cookie.indexOf('=') + 1));

        PanelHttp other = new PanelHttp(server.httpPort());
        assertThat(PanelHttp.error(other.loginAttempt("admin", "wrong-password"), 401).get("message").asText())
                .isEqualTo("Authentication failed: wrong user name or password.");
        assertThat(PanelHttp.error(other.loginAttempt("nobody", "wrong-password"), 401).get("message").asText())
                .isEqualTo("Authentication failed: wrong user name or password.");
        try (TetraClient c = TestServers.admin(server)) {
            c.admin().addUser("app", Role.USER, "app-password".toCharArray());
        }
        HttpResponse<String> user = other.loginAttempt("app", "app-password");
        assertThat(PanelHttp.error(user, 403).get("code").asInt()).isEqualTo(ErrorCode.PERMISSION_DENIED.code());
        assertThat(user.headers().firstValue("set-cookie")).isEmpty();
        assertThat(PanelHttp.error(other.loginAttempt("admin", ""), 400).get("message").asText()).contains("password");
    }

    @Test
    void underTlsThePanelIsHttpsAndItsCookieSecure() throws Exception {
        io.tetradb.server.net.TestCertificates.Pem pem = io.tetradb.server.net.TestCertificates.make(
                Files.createDirectories(dir.resolve("certs")), "localhost", "dns:localhost,ip:127.0.0.1");
        javax.net.ssl.SSLContext ssl = io.tetradb.server.net.TestCertificates.trusting(pem.certificate());
        server = TetraServer.start(TestServers.config(dir).dataDir(dir.resolve("tls"))
                .tlsCertificate(pem.certificate()).tlsKey(pem.key()).build());
        PanelHttp p = new PanelHttp("https://localhost:" + server.httpPort(), java.net.http.HttpClient.newBuilder()
                .sslContext(ssl).connectTimeout(Duration.ofSeconds(10)).build());
        assertThat(p.login("admin", TestServers.ADMIN_PASSWORD)).contains("; HttpOnly").contains("; SameSite=Strict")
                .endsWith("; Secure");
        assertThat(p.ok(p.get("/api/overview")).at("/status/tls").asBoolean()).isTrue();
        // the page's own origin under TLS is https: a change sent from it passes, from http:// it does not
        p.ok(p.post("/api/backup/start", Map.of(), p.csrf, "application/json", "https://localhost:" + server.httpPort()));
        PanelHttp.error(p.post("/api/backup/stop", Map.of(), p.csrf, "application/json",
                "http://localhost:" + server.httpPort()), 403);
    }

    /**
     * From another address (this machine's own non-loopback one: the connection never leaves the
     * machine), /metrics under TLS takes an admin's credentials by HTTP basic, checked like a login.
     */
    @Test
    void underTlsMetricsFromAnotherAddressTakeAnAdminsBasicCredentials() throws Exception {
        java.net.InetAddress own = null;
        for (java.net.NetworkInterface ni : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
            if (ni.isUp() && !ni.isLoopback()) {
                for (java.net.InetAddress a : java.util.Collections.list(ni.getInetAddresses())) {
                    if (a instanceof java.net.Inet4Address) {
                        own = a;
                    }
                }
            }
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(own != null, "this machine has no non-loopback IPv4 address");
        String ip = own.getHostAddress();
        io.tetradb.server.net.TestCertificates.Pem pem = io.tetradb.server.net.TestCertificates.make(
                Files.createDirectories(dir.resolve("certs")), "localhost", "dns:localhost,ip:127.0.0.1,ip:" + ip);
        javax.net.ssl.SSLContext ssl = io.tetradb.server.net.TestCertificates.trusting(pem.certificate());
        server = TetraServer.start(TestServers.config(dir).dataDir(dir.resolve("tls")).host(ip)
                .tlsCertificate(pem.certificate()).tlsKey(pem.key()).build());
        java.net.http.HttpClient https = java.net.http.HttpClient.newBuilder().sslContext(ssl)
                .connectTimeout(Duration.ofSeconds(10)).build();
        try (TetraClient c = TetraClient.connect(io.tetradb.client.ClientConfig.builder().host(ip)
                .port(server.boundPort()).user("admin").password(TestServers.ADMIN_PASSWORD).tls(true)
                .tlsTrustedCertificates(pem.certificate()).connectTimeout(Duration.ofSeconds(20)).build())) {
            c.admin().addUser("app", Role.USER, "app-password".toCharArray());
        }
        java.util.function.Function<String, HttpResponse<String>> scrape = auth -> {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://" + ip + ":" + server.httpPort()
                    + "/metrics")).timeout(Duration.ofSeconds(60));
            if (auth != null) {
                b.header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                        auth.getBytes(StandardCharsets.UTF_8)));
            }
            try {
                return https.send(b.build(), HttpResponse.BodyHandlers.ofString());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        HttpResponse<String> none = scrape.apply(null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().allValues("www-authenticate")).anySatisfy(h -> assertThat(h).startsWith("Basic"));
        assertThat(scrape.apply("admin:wrong-password").statusCode()).isEqualTo(401);
        assertThat(scrape.apply("app:app-password").statusCode()).isEqualTo(401);   // right password, not an admin
        HttpResponse<String> admin = scrape.apply("admin:" + TestServers.ADMIN_PASSWORD);
        assertThat(admin.statusCode()).isEqualTo(200);
        assertThat(admin.body()).contains("tetra_sessions");
    }

    @Test
    void failedLoginsAreThrottledWithTheProtocolPortsCounts() throws Exception {
        PanelHttp p = start();
        // parallel guesses for one account are answered one after the other, and beyond the maximum delay refused
        // six clients (fewer than the 16 connections one address may hold), three guesses each that reach the
        // throttle: a 503 (another guess from this address is being hashed) is not one, and is asked again at once
        List<CompletableFuture<List<Integer>>> answers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            answers.add(CompletableFuture.supplyAsync(() -> {
                PanelHttp guesser = new PanelHttp(server.httpPort());
                List<Integer> mine = new ArrayList<>();
                try {
                    int counted = 0;
                    for (int tries = 0; counted < 3 && tries < 2_000; tries++) {
                        int code = guesser.loginAttempt("admin", "guess").statusCode();
                        mine.add(code);
                        if (code != 503) {
                            counted++;
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return mine;
            }));
        }
        List<Integer> codes = new ArrayList<>();
        for (CompletableFuture<List<Integer>> a : answers) {
            codes.addAll(a.get(120, TimeUnit.SECONDS));
        }
        // 503: a second check from the same address while one is hashed is turned away before the password
        assertThat(codes).allMatch(c -> c == 401 || c == 429 || c == 503).contains(429);
        // the protocol port's throttle holds the same counts: a guess there is refused too, at once
        assertThatThrownBy(() -> TestServers.connect(server, "admin", "guess").close())
                .isInstanceOfSatisfying(TetraException.class, e -> assertThat(e.code()).isIn(ErrorCode.SERVER_BUSY,
                        ErrorCode.AUTH_FAILED));
        // the right password is let in once the failures have aged (half-life), never refused for ever
        await().atMost(90, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(500))
                .until(() -> p.loginAttempt("admin", TestServers.ADMIN_PASSWORD).statusCode() == 200);
    }

    @Test
    void aLoginEndsWhenIdleAtLogoutAndWhenItsAccountGoes() throws Exception {
        server = TetraServer.start(TestServers.config(dir.resolve("db")).httpSessionTimeout(Duration.ofSeconds(1))
                .build());
        PanelHttp p = new PanelHttp(server.httpPort());
        p.login("admin", TestServers.ADMIN_PASSWORD);
        // watched without a request of its own (each would restart its idle time): the sweep ends it
        await().atMost(30, TimeUnit.SECONDS).until(() -> server.panelLogins() == 0);
        assertThat(PanelHttp.error(p.get("/api/session"), 401).get("message").asText()).contains("expired");

        server.close();
        server = TestServers.start(dir.resolve("db2"));
        PanelHttp a = new PanelHttp(server.httpPort());
        a.login("admin", TestServers.ADMIN_PASSWORD);
        a.ok(a.post("/api/logout", Map.of()));
        PanelHttp.error(a.get("/api/overview"), 401);

        // a second admin logs in; the first changes the second's password: the second's login ends
        a.login("admin", TestServers.ADMIN_PASSWORD);
        a.ok(a.post("/api/users/add", Map.of("name", "ops", "role", "admin", "password", "ops-password")));
        PanelHttp ops = new PanelHttp(server.httpPort());
        ops.login("ops", "ops-password");
        a.ok(a.post("/api/users/password", Map.of("name", "ops", "password", "ops-password-2")));
        assertThat(PanelHttp.error(ops.get("/api/overview"), 401).get("code").asInt()).isEqualTo(2002);
        ops.login("ops", "ops-password-2");
        // changing one's own password keeps one's own login
        ops.ok(ops.post("/api/users/password", Map.of("name", "ops", "password", "ops-password-3")));
        ops.ok(ops.get("/api/overview"));
        // removed: the login ends at once
        a.ok(a.post("/api/users/remove", Map.of("name", "ops")));
        PanelHttp.error(ops.get("/api/overview"), 401);
        // one cannot remove oneself
        assertThat(PanelHttp.error(a.post("/api/users/remove", Map.of("name", "admin")), 400).get("message").asText())
                .contains("your own account");
    }

    @Test
    void aWriteQueuedBehindTheBackupIsListedAndItsCancelGivesItsClientMinus9976() throws Exception {
        PanelHttp p = admin();
        io.tetradb.server.GateHold hold = io.tetradb.server.GateHold.on(server);
        try (TetraClient admin = TestServers.admin(server)) {
            admin.admin().addUser("app", Role.USER, "app-password".toCharArray());
            admin.execute("CREATE TABLE ITEM(ID INT PRIMARY KEY, NAME VARCHAR(20))");
            try (TetraClient app = TestServers.connect(server, "app", "app-password")) {
                JsonNode started = p.ok(p.post("/api/backup/start", Map.of()));
                assertThat(started.get("backupNumber").asLong()).isEqualTo(1);
                hold.awaitClosed();
                CompletableFuture<Long> first = CompletableFuture.supplyAsync(
                        () -> app.update("INSERT INTO ITEM VALUES (1, 'cancelled')"));
                AtomicReference<JsonNode> row = new AtomicReference<>();
                await().atMost(60, TimeUnit.SECONDS).until(() -> {
                    JsonNode q = p.ok(p.get("/api/overview")).get("queue");
                    row.set(q.size() == 1 ? q.get(0) : null);
                    return row.get() != null;
                });
                assertThat(row.get().get("user").asText()).isEqualTo("app");
                assertThat(row.get().get("kind").asText()).isEqualTo("data write");
                assertThat(row.get().get("waitingMillis").asLong()).isGreaterThanOrEqualTo(0);
                assertThat(p.ok(p.get("/api/overview")).at("/status/backup/state").asText()).isEqualTo("RUNNING");

                p.ok(p.post("/api/queue/cancel", Map.of("sessionId", row.get().get("sessionId").asLong(),
                        "requestId", row.get().get("requestId").asLong())));
                assertThatThrownBy(() -> first.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                        .cause().isInstanceOfSatisfying(TetraException.class,
                                e -> assertThat(e.code()).isEqualTo(ErrorCode.BACKUP_IN_PROGRESS));
                assertThat(p.ok(p.get("/api/queue")).get("queue").size()).isZero();
                // a second cancel of the same write: it is not queued any more
                assertThat(PanelHttp.error(p.post("/api/queue/cancel", Map.of("sessionId",
                        row.get().get("sessionId").asLong(), "requestId", row.get().get("requestId").asLong())), 400)
                        .get("message").asText()).contains("is not queued");

                // another write waits and runs once the gate opens: nothing else was lost
                CompletableFuture<Long> second = CompletableFuture.supplyAsync(
                        () -> app.update("INSERT INTO ITEM VALUES (2, 'ran')"));
                await().atMost(60, TimeUnit.SECONDS).until(() -> p.ok(p.get("/api/queue")).get("queue").size() == 1);
                hold.release();
                assertThat(second.get(60, TimeUnit.SECONDS)).isEqualTo(1L);
            }
            assertThat(admin.execute("SELECT NAME FROM ITEM ORDER BY ID").rows()).extracting(r -> r.getString(0))
                    .containsExactly("ran");
        }
        await().atMost(60, TimeUnit.SECONDS).until(() ->
                p.ok(p.get("/api/overview")).at("/status/backup/state").asText().equals("IDLE"));
        JsonNode last = p.ok(p.get("/api/overview")).at("/status/backup/last");
        assertThat(last.get("status").asText()).isEqualTo("SUCCESS");
        assertThat(last.get("writesCancelled").asInt()).isEqualTo(1);
    }

    @Test
    void aBadSettingIsRefusedWithItsKeyAndChangesNothing() throws Exception {
        PanelHttp p = admin();
        JsonNode before = p.ok(p.get("/api/settings"));
        assertThat(before.get("keys")).extracting(JsonNode::asText).contains("archive.compression", "retention.keepLast");
        JsonNode e = PanelHttp.error(p.post("/api/settings", Map.of("assignments",
                Map.of("retention.keepLast", "5", "archive.compression", "bogus"))), 400);
        assertThat(e.get("code").asInt()).isEqualTo(2010);
        assertThat(e.get("key").asText()).isEqualTo("archive.compression");
        assertThat(p.ok(p.get("/api/settings")).get("yaml").asText()).isEqualTo(before.get("yaml").asText());
        // the CLI's own check: the same request through the admin API gives the same message
        try (TetraClient c = TestServers.admin(server)) {
            assertThatThrownBy(() -> c.admin().setBackupSettings("retention.keepLast=5", "archive.compression=bogus"))
                    .hasMessage(e.get("message").asText());
        }
        JsonNode saved = p.ok(p.post("/api/settings", Map.of("assignments", Map.of("retention.keepLast", "5"))));
        assertThat(PanelHttp.JSON.readTree(saved.get("effectiveJson").asText()).at("/retention/keepLast").asInt())
                .isEqualTo(5);
    }

    @Test
    void liveUpdatesFollowABackupToItsEnd() throws Exception {
        PanelHttp p = admin();
        try (TetraClient c = TestServers.admin(server)) {
            TestServers.tableT(c, 200);
        }
        HttpResponse<InputStream> stream = p.client().send(HttpRequest.newBuilder(URI.create(p.base() + "/api/events"))
                .header("Cookie", p.cookie).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        assertThat(stream.headers().firstValue("content-type")).hasValueSatisfying(t ->
                assertThat(t).startsWith("text/event-stream"));
        try (BufferedReader r = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
            JsonNode first = next(r);
            assertThat(first.at("/overview/status/backup/state").asText()).isEqualTo("IDLE");
            p.ok(p.post("/api/backup/start", Map.of()));
            JsonNode n;
            do {
                n = next(r);
            } while (n.at("/overview/status/backup/last/number").asLong() != 1
                    || !n.at("/overview/status/backup/state").asText().equals("IDLE"));
            assertThat(n.at("/overview/status/backup/last/status").asText()).isEqualTo("SUCCESS");
            assertThat(n.get("serverMillis").asLong()).isPositive();
        }
    }

    /** The next overview event's data. */
    private static JsonNode next(BufferedReader r) throws Exception {
        String line;
        String event = null;
        while ((line = r.readLine()) != null) {
            if (line.startsWith("event: ")) {
                event = line.substring(7);
            } else if (line.startsWith("data: ") && "overview".equals(event)) {
                return PanelHttp.JSON.readTree(line.substring(6));
            }
        }
        throw new AssertionError("the stream ended");
    }

    @Test
    void verifyRestoreToAFolderSessionsAndUsersWorkFromThePanel() throws Exception {
        PanelHttp p = admin();
        try (TetraClient c = TestServers.admin(server)) {
            TestServers.tableT(c, 10);
            c.admin().startBackup(true);
            await().atMost(60, TimeUnit.SECONDS).until(() -> c.admin().backupStatus().getState().equals("IDLE"));
        }
        JsonNode history = p.ok(p.get("/api/backups")).get("history").get("entries");
        assertThat(history).hasSize(1);
        assertThat(history.get(0).get("verification").asText()).isEqualTo("ARCHIVE_VERIFIED");
        JsonNode verified = p.ok(p.post("/api/backup/verify", Map.of("number", 1)));
        assertThat(verified.get("rows").asLong()).isGreaterThanOrEqualTo(10);
        assertThat(PanelHttp.error(p.post("/api/backup/verify", Map.of("number", 9)), 400).get("message").asText())
                .contains("Backup 9 not found");

        Path target = dir.resolve("restored");
        JsonNode restored = p.ok(p.post("/api/restore", Map.of("number", 1, "toDir", target.toString())));
        assertThat(restored.get("databaseDir").asText()).isEqualTo(target.toString());
        assertThat(Files.list(target)).isNotEmpty();
        assertThat(PanelHttp.error(p.post("/api/restore", Map.of("number", 1, "toDir", "relative/dir")), 400)
                .get("message").asText()).contains("absolute");

        try (TetraClient victim = TestServers.admin(server)) {
            JsonNode sessions = p.ok(p.get("/api/sessions")).get("sessions");
            assertThat(sessions).hasSize(1);
            long id = sessions.get(0).get("id").asLong();
            p.ok(p.post("/api/sessions/kill", Map.of("id", id)));
            await().atMost(30, TimeUnit.SECONDS).until(() -> p.ok(p.get("/api/sessions")).get("sessions").size() == 0);
            assertThatThrownBy(() -> victim.execute("SELECT 1")).isInstanceOf(TetraException.class);
        }
        assertThat(PanelHttp.error(p.post("/api/sessions/kill", Map.of("id", 999_999)), 400).get("message").asText())
                .contains("No session");

        p.ok(p.post("/api/users/add", Map.of("name", "reporter", "role", "reader", "password", "reader-password")));
        assertThat(p.ok(p.get("/api/users")).get("users")).extracting(u -> u.get("name").asText() + ":"
                + u.get("role").asText()).containsExactly("admin:ADMIN", "reporter:READER");
        try (TetraClient reader = TestServers.connect(server, "reporter", "reader-password")) {
            assertThat(reader.execute("SELECT COUNT(*) FROM T").rows().get(0).getLong(0)).isEqualTo(10);
        }
        assertThat(PanelHttp.error(p.post("/api/users/add", Map.of("name", "x", "role", "root", "password",
                "long-enough")), 400).get("code").asInt()).isEqualTo(2010);
        assertThat(PanelHttp.error(p.post("/api/users/add", Map.of("name", "x", "role", "user", "password", "short")),
                400).get("message").asText()).contains("8 characters");
    }

    @Test
    void aRestoreInPlaceAndOneToAPointInTimeRunFromThePanel() throws Exception {
        PanelHttp p = admin();
        long beforeSecondRow;
        try (TetraClient c = TestServers.admin(server)) {
            c.execute("CREATE TABLE ITEM(ID INT PRIMARY KEY, NAME VARCHAR(20))");
            c.execute("INSERT INTO ITEM VALUES (1, 'archived')");
            c.admin().startBackup(true);
            await().atMost(60, TimeUnit.SECONDS).until(() -> c.admin().backupStatus().getState().equals("IDLE"));
            c.execute("INSERT INTO ITEM VALUES (2, 'logged')");
            // the commit time of row 2 is after this instant: a point before it leaves row 2 out
            beforeSecondRow = c.admin().logShow(io.tetradb.client.LogFilter.all()).stream()
                    .filter(o -> o.getSummary().contains("logged")).findFirst().orElseThrow().getTimeMillis() - 1;
        }
        try (TetraClient other = TestServers.admin(server)) {
            // in place, with the log: both rows; every other session is ended (2008), the panel's login stays
            JsonNode r = p.ok(p.post("/api/restore", Map.of("number", 1, "inPlace", true)));
            assertThat(r.get("inPlace").asBoolean()).isTrue();
            assertThat(r.get("replacedFilesDir").asText()).isNotEmpty();
            assertThatThrownBy(() -> other.execute("SELECT 1")).isInstanceOfSatisfying(TetraException.class,
                    e -> assertThat(e.code()).isIn(ErrorCode.SESSION_CLOSED, ErrorCode.CONNECTION_LOST));
        }
        assertThat(p.ok(p.get("/api/overview")).at("/status/state").asText()).isEqualTo("RUNNING");
        try (TetraClient c = TestServers.admin(server)) {
            assertThat(c.execute("SELECT COUNT(*) FROM ITEM").rows().get(0).getLong(0)).isEqualTo(2);
        }
        // to a point in time before row 2: the archive alone is brought there
        JsonNode at = p.ok(p.post("/api/restore", Map.of("atTimeMillis", beforeSecondRow, "inPlace", true)));
        assertThat(at.get("number").asLong()).isEqualTo(1);
        try (TetraClient c = TestServers.admin(server)) {
            assertThat(c.execute("SELECT NAME FROM ITEM ORDER BY ID").rows()).extracting(row -> row.getString(0))
                    .containsExactly("archived");
        }
        // neither restore left the panel's login holding an engine connection: the panel's sessions are not listed
        assertThat(p.ok(p.get("/api/sessions")).get("sessions")).isEmpty();
        assertThat(PanelHttp.error(p.post("/api/restore", Map.of("number", 1)), 400).get("message").asText())
                .contains("Restore either to a folder or in place");
    }

    @Test
    void thePagesAreServedFromTheJarWithHeadersThatKeepThemToThemselves() throws Exception {
        PanelHttp p = start();
        HttpResponse<String> index = p.get("/");
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.body()).contains("<script type=\"module\" src=\"/panel/panel.js\">");
        assertThat(index.headers().firstValue("content-security-policy")).hasValue(Panel.CONTENT_SECURITY_POLICY);
        assertThat(index.headers().firstValue("x-frame-options")).hasValue("DENY");
        for (String f : Panel.FILES) {
            HttpResponse<String> r = p.get("/panel/" + f);
            assertThat(r.statusCode()).as(f).isEqualTo(200);
            // nothing is fetched from anywhere else
            assertThat(r.body()).as(f).doesNotContainPattern("https?://(?!www\\.w3\\.org/2000/svg)");
        }
        assertThat(p.get("/panel/../../etc/passwd").statusCode()).isEqualTo(404);
        assertThat(p.get("/panel/missing.js").statusCode()).isEqualTo(404);
        String etag = p.get("/panel/panel.js").headers().firstValue("etag").orElseThrow();
        HttpResponse<String> again = p.client().send(HttpRequest.newBuilder(URI.create(p.base() + "/panel/panel.js"))
                .header("If-None-Match", etag).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(again.statusCode()).isEqualTo(304);
    }
}
