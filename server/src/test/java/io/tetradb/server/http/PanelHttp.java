package io.tetradb.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin panel's API as a browser's page calls it, through the JDK's HTTP client: a login
 * keeps its cookie and CSRF token and sends them as the page does. Used by one test thread.
 */
final class PanelHttp {
    static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http;
    private final String base;
    String cookie;
    String csrf;

    PanelHttp(int port) {
        this("http://127.0.0.1:" + port, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build());
    }

    PanelHttp(String base, HttpClient http) {
        this.base = base;
        this.http = http;
    }

    /** Logs in; asserts it succeeded and keeps the cookie and token. Returns the Set-Cookie header. */
    String login(String user, String password) throws Exception {
        HttpResponse<String> r = loginAttempt(user, password);
        assertThat(r.statusCode()).as("login of %s: %s", user, r.body()).isEqualTo(200);
        String setCookie = r.headers().firstValue("set-cookie").orElseThrow();
        cookie = setCookie.substring(0, setCookie.indexOf(';'));
        csrf = JSON.readTree(r.body()).get("csrf").asText();
        return setCookie;
    }

    HttpResponse<String> loginAttempt(String user, String password) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + "/api/login")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("user", user,
                        "password", password)))));
    }

    HttpResponse<String> get(String path) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return send(b.GET());
    }

    /** A POST with the login's cookie and CSRF token, as the page sends it. */
    HttpResponse<String> post(String path, Object body) throws Exception {
        return post(path, body, csrf, "application/json", null);
    }

    HttpResponse<String> post(String path, Object body, String token, String contentType, String origin) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        if (token != null) {
            b.header("X-CSRF-Token", token);
        }
        if (origin != null) {
            b.header("Origin", origin);
        }
        return send(b);
    }

    /** The JSON of a 200 answer (asserted). */
    JsonNode ok(HttpResponse<String> r) throws IOException {
        assertThat(r.statusCode()).as("answer: %s", r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    /** The error of an answer with this status (asserted): its code and message. */
    static JsonNode error(HttpResponse<String> r, int status) throws IOException {
        assertThat(r.statusCode()).as("answer: %s", r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        return JSON.readTree(r.body()).get("error");
    }

    HttpClient client() {
        return http;
    }

    String base() {
        return base;
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
