package io.tetradb.server.log;

/**
 * When the log file is synced to disk ({@code log.sync} in tetra.yml, docs/log-file.md).
 *
 * <p>Immutable; any thread.
 */
public enum SyncMode {
    /** A transaction is durable once its frame is written and the file forced; the batch shares one force. */
    COMMIT("commit"),
    /** A transaction is acknowledged once written; the file is forced once a second (up to a second may be lost). */
    EVERY_SECOND("everySecond");

    private final String word;

    SyncMode(String word) {
        this.word = word;
    }

    /** The setting's value in tetra.yml: {@code commit} or {@code everySecond}. */
    public String word() {
        return word;
    }

    /**
     * The mode for a setting's value (as written in tetra.yml, case ignored).
     *
     * @throws IllegalArgumentException naming the values allowed
     */
    public static SyncMode fromWord(String value) {
        for (SyncMode m : values()) {
            if (m.word.equalsIgnoreCase(value)) {
                return m;
            }
        }
        throw new IllegalArgumentException("log.sync must be commit or everySecond, not '" + value + "'.");
    }
}
