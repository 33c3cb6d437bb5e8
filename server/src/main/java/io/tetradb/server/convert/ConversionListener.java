package io.tetradb.server.convert;

/**
 * What a conversion tells while it runs: each step as it starts (number, count, title),
 * its progress, how it ended, and remarks (non-critical anomalies, decisions). Every
 * method has a default that ignores the event.
 *
 * <p>Called on the thread that runs {@link DatabaseConverter#convert}, never on two
 * threads at once.
 */
public interface ConversionListener {
    /** Steps of a conversion that runs to the end. */
    int STEPS = 7;

    /** Step {@code number} of {@link #STEPS} starts. */
    default void step(int number, String title) {
    }

    /**
     * Progress of the current step.
     *
     * @param total -1 when not known
     * @param unit  {@code bytes} or {@code rows}
     */
    default void progress(long done, long total, String unit) {
    }

    /** The current step ended; {@code summary} says what it did. */
    default void stepDone(String summary) {
    }

    /** A remark: a non-critical anomaly (also written to DataConversion_Log.log) or a decision. */
    default void note(String message) {
    }

    /** A listener that ignores everything. */
    static ConversionListener none() {
        return new ConversionListener() {
        };
    }
}
