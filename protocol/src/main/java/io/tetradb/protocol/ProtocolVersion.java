package io.tetradb.protocol;

/**
 * Protocol versions and wire defaults.
 *
 * <pre>{@code
 * Hello hello = Hello.newBuilder()
 *     .setMinVersion(ProtocolVersion.MIN).setMaxVersion(ProtocolVersion.MAX).build();
 * }</pre>
 */
public final class ProtocolVersion {
    /** The oldest protocol version this build speaks. */
    public static final int MIN = 1;
    /** The newest protocol version this build speaks. */
    public static final int MAX = 1;
    /** The default TCP port of a Tetra server. */
    public static final int DEFAULT_PORT = 19813;
    /** The default maximum frame size, 16 MiB. */
    public static final int DEFAULT_MAX_FRAME_SIZE = 16 * 1024 * 1024;
    /** The authentication mechanism. */
    public static final String AUTH_MECHANISM = "SCRAM-SHA-256";

    private ProtocolVersion() {
    }

    /**
     * The highest version both sides speak, or -1 when the ranges do not meet.
     */
    public static int negotiate(int clientMin, int clientMax) {
        int high = Math.min(clientMax, MAX);
        int low = Math.max(clientMin, MIN);
        return high >= low ? high : -1;
    }
}
