package io.tetradb.protocol;

import java.util.Locale;

/**
 * The one map between the words and the enums of server states, backup states and backup
 * outcomes: {@code ServerStatus.state}/{@code server_state}, {@code BackupStatus.state}/{@code
 * run_state}, and {@code status}/{@code outcome} of BackupRecord, BackupFinished and
 * BackupHistoryEntry. The server fills both forms (the words for older clients); readers take the
 * enum, falling back to the word when an older server left the enum unspecified.
 *
 * <pre>{@code
 * WireStates.outcome("partial");                               // BACKUP_PARTIAL
 * WireStates.word(BackupOutcome.BACKUP_SUCCESS);               // "SUCCESS"
 * WireStates.outcome(record.getOutcome(), record.getStatus()); // the enum, or from the word
 * }</pre>
 *
 * <p>Stateless; any thread.
 */
public final class WireStates {
    private static final String UNKNOWN = "UNKNOWN";

    private WireStates() {
    }

    /** The outcome {@code word} names (SUCCESS, PARTIAL, ..., any case); BACKUP_OUTCOME_UNKNOWN when none. */
    public static BackupOutcome outcome(String word) {
        return fromWord(BackupOutcome.values(), word, BackupOutcome.BACKUP_OUTCOME_UNKNOWN,
                BackupOutcome.BACKUP_OUTCOME_UNSPECIFIED, BackupOutcome.BACKUP_OUTCOME_UNKNOWN);
    }

    /** {@code sent}, or the outcome {@code word} names when an older server left it unspecified. */
    public static BackupOutcome outcome(BackupOutcome sent, String word) {
        return sent == BackupOutcome.BACKUP_OUTCOME_UNSPECIFIED || sent == BackupOutcome.UNRECOGNIZED
                ? outcome(word) : sent;
    }

    /** The word of {@code o}: SUCCESS, PARTIAL, FAILED, STOPPED, SKIPPED, VETOED or UNKNOWN. */
    public static String word(BackupOutcome o) {
        return wordOf(o, BackupOutcome.BACKUP_OUTCOME_UNSPECIFIED, BackupOutcome.BACKUP_OUTCOME_UNKNOWN);
    }

    /** True for the outcomes that kept an archive (SUCCESS, PARTIAL). */
    public static boolean archived(BackupOutcome o) {
        return o == BackupOutcome.BACKUP_SUCCESS || o == BackupOutcome.BACKUP_PARTIAL;
    }

    /** The server state {@code word} names (RUNNING, MAINTENANCE, SHUTTING_DOWN); unspecified when none. */
    public static ServerState serverState(String word) {
        return fromWord(ServerState.values(), word, ServerState.SERVER_STATE_UNSPECIFIED,
                ServerState.SERVER_STATE_UNSPECIFIED);
    }

    /** {@code sent}, or the state {@code word} names when an older server left it unspecified. */
    public static ServerState serverState(ServerState sent, String word) {
        return sent == ServerState.SERVER_STATE_UNSPECIFIED || sent == ServerState.UNRECOGNIZED
                ? serverState(word) : sent;
    }

    /** The word of {@code s}: RUNNING, MAINTENANCE, SHUTTING_DOWN, or UNKNOWN. */
    public static String word(ServerState s) {
        return wordOf(s, ServerState.SERVER_STATE_UNSPECIFIED);
    }

    /** The backup state {@code word} names (RUNNING, IDLE); unspecified when none. */
    public static BackupRunState runState(String word) {
        return fromWord(BackupRunState.values(), word, BackupRunState.BACKUP_RUN_STATE_UNSPECIFIED,
                BackupRunState.BACKUP_RUN_STATE_UNSPECIFIED);
    }

    /** {@code sent}, or the state {@code word} names when an older server left it unspecified. */
    public static BackupRunState runState(BackupRunState sent, String word) {
        return sent == BackupRunState.BACKUP_RUN_STATE_UNSPECIFIED || sent == BackupRunState.UNRECOGNIZED
                ? runState(word) : sent;
    }

    /** The word of {@code s}: RUNNING, IDLE, or UNKNOWN. */
    public static String word(BackupRunState s) {
        return wordOf(s, BackupRunState.BACKUP_RUN_STATE_UNSPECIFIED);
    }

    /**
     * The word of an enum value: its name after the first underscore (SERVER_RUNNING is
     * RUNNING, BACKUP_SUCCESS is SUCCESS); UNKNOWN for UNRECOGNIZED and for {@code none}.
     */
    private static String wordOf(Enum<?> value, Enum<?>... none) {
        for (Enum<?> n : none) {
            if (value == n) {
                return UNKNOWN;
            }
        }
        String name = value.name();
        return name.equals("UNRECOGNIZED") ? UNKNOWN : name.substring(name.indexOf('_') + 1);
    }

    /** The value whose word is {@code word} (any case), or {@code fallback}. */
    @SafeVarargs
    private static <E extends Enum<E>> E fromWord(E[] values, String word, E fallback, E... none) {
        String w = word.toUpperCase(Locale.ROOT);
        for (E v : values) {
            String vw = wordOf(v, none);
            if (!vw.equals(UNKNOWN) && vw.equals(w)) {
                return v;
            }
        }
        return fallback;
    }

    /** True when {@code s} says a backup is running (the enum, or the word from an older server). */
    public static boolean running(BackupStatus s) {
        return runState(s.getRunState(), s.getState()) == BackupRunState.BACKUP_RUNNING;
    }

    /** The backup state of {@code s} (the enum, or the word from an older server). */
    public static BackupRunState runState(BackupStatus s) {
        return runState(s.getRunState(), s.getState());
    }

    /** How the backup of {@code r} ended (the enum, or the word from an older server). */
    public static BackupOutcome outcome(BackupRecord r) {
        return outcome(r.getOutcome(), r.getStatus());
    }

    /** How the backup of {@code f} ended (the enum, or the word from an older server). */
    public static BackupOutcome outcome(BackupFinished f) {
        return outcome(f.getOutcome(), f.getStatus());
    }

    /** How the backup of {@code e} ended (the enum, or the word from an older server). */
    public static BackupOutcome outcome(BackupHistoryEntry e) {
        return outcome(e.getOutcome(), e.getStatus());
    }

    /** The state of {@code s} (the enum, or the word from an older server). */
    public static ServerState serverState(ServerStatus s) {
        return serverState(s.getServerState(), s.getState());
    }
}
