package io.tetradb.server.net;

/**
 * Text a client sent (a user name, a client name) as a log line may carry it: control and
 * line-separator characters escaped as {@code \\uXXXX} and at most {@link #MAX} characters, so
 * that no client can write what looks like a line of the server's own. Stateless.
 */
public final class LogText {
    public static final int MAX = 64;

    private LogText() {
    }

    public static String of(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String piece = c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029
                    ? String.format("\\u%04x", (int) c) : String.valueOf(c);
            if (b.length() + piece.length() > MAX) {
                return b + "...";
            }
            b.append(piece);
        }
        return b.toString();
    }
}
