package io.tetradb.server.convert;

import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraException;

import java.util.List;

/**
 * Why a conversion did not happen or did not finish, with its code (1430 to 1436, 1435
 * for a newer format), what to do about it ({@link #advice()}), and the anomalies found
 * when the source check stopped it. Whatever the code, the original files are as they
 * were before the conversion started.
 *
 * <p>Immutable; any thread.
 */
public final class ConversionException extends TetraException {
    private static final long serialVersionUID = 1L;

    private final String advice;
    private final transient List<String> anomalies;

    public ConversionException(ErrorCode code, String message, String advice) {
        this(code, message, advice, List.of(), null);
    }

    public ConversionException(ErrorCode code, String message, String advice, List<String> anomalies,
                               Throwable cause) {
        super(code, message, cause);
        this.advice = advice;
        this.anomalies = List.copyOf(anomalies);
    }

    /** What the user can do next (a sentence, possibly naming a command), or null. */
    public String advice() {
        return advice;
    }

    /** The anomalies that stopped the conversion (empty for other failures). */
    public List<String> anomalies() {
        return anomalies;
    }
}
