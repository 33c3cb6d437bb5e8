package io.tetradb.server.http;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The Host names served without TLS: loopback ones only (DNS rebinding). */
class LoopbackHostTest {
    @Test
    void onlyLoopbackNamesAreServed() {
        for (String h : new String[]{"127.0.0.1", "127.0.0.1:19814", "localhost", "LOCALHOST:1", "[::1]", "[::1]:19814",
            "127.1.2.3:80"}) {
            assertThat(HttpHandler.loopbackHost(h)).as(h).isTrue();
        }
        for (String h : new String[]{null, "", "rebind.attacker.example:19814", "10.0.0.1", "localhost.attacker.example",
            "127.0.0.1.nip.io", "[::2]", "0.0.0.0"}) {
            assertThat(HttpHandler.loopbackHost(h)).as(String.valueOf(h)).isFalse();
        }
    }
}
