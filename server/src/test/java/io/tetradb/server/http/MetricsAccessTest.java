package io.tetradb.server.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;

/** Who may read /metrics: loopback always, another address only with the configured bearer token. */
@Timeout(10)
class MetricsAccessTest {
    private static final String TOKEN = "a-token-of-sixteen-or-more";

    @Test
    void loopbackReadsWithoutAToken() throws Exception {
        assertThat(HttpHandler.allowed(InetAddress.getByName("127.0.0.1"), null, null)).isTrue();
        assertThat(HttpHandler.allowed(InetAddress.getByName("::1"), null, TOKEN)).isTrue();
    }

    @Test
    void anotherAddressNeedsTheExactBearerToken() throws Exception {
        InetAddress remote = InetAddress.getByName("192.0.2.7");   // TEST-NET-1: never contacted
        assertThat(HttpHandler.allowed(remote, null, null)).isFalse();
        assertThat(HttpHandler.allowed(remote, "Bearer " + TOKEN, null)).as("no token configured").isFalse();
        assertThat(HttpHandler.allowed(remote, null, TOKEN)).isFalse();
        assertThat(HttpHandler.allowed(remote, "Basic " + TOKEN, TOKEN)).isFalse();
        assertThat(HttpHandler.allowed(remote, "Bearer " + TOKEN + "x", TOKEN)).isFalse();
        assertThat(HttpHandler.allowed(remote, "Bearer " + TOKEN.substring(1), TOKEN)).isFalse();
        assertThat(HttpHandler.allowed(remote, "Bearer " + TOKEN, TOKEN)).isTrue();
    }
}
