package io.tetradb.server.net;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Client text in log lines: control characters escaped, cut at 64 characters, never a line break. */
class LogTextTest {
    @Test
    void controlCharactersAreEscapedAndLongTextCut() {
        assertThat(LogText.of("admin")).isEqualTo("admin");
        assertThat(LogText.of("a\nb\r\tc\u2028")).isEqualTo("a\\u000ab\\u000d\\u0009c\\u2028");
        assertThat(LogText.of("x".repeat(64))).isEqualTo("x".repeat(64));
        assertThat(LogText.of("x".repeat(65))).isEqualTo("x".repeat(64) + "...");
        assertThat(LogText.of("x".repeat(60) + "\n\n")).isEqualTo("x".repeat(60) + "...");
        assertThat(LogText.of(null)).isEqualTo("null");
    }
}
