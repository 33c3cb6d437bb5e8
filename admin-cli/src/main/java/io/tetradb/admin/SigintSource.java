package io.tetradb.admin;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGINT as an {@link InterruptSource}, through {@code sun.misc.Signal} (module
 * jdk.unsupported; the JDK has no supported API for catching a signal). While installed,
 * Ctrl-C calls the handler instead of starting the JVM's shutdown; closing the
 * registration puts the previous handler back. When the JVM does not let the signal be
 * handled (for example under {@code -Xrs}), nothing is installed and Ctrl-C ends the
 * process as usual.
 *
 * <p>{@link #install} on the command's thread; handlers run on the JVM's signal thread.
 */
final class SigintSource implements InterruptSource {
    static final SigintSource INSTANCE = new SigintSource();

    private SigintSource() {
    }

    @Override
    public Registration install(Runnable handler) {
        Signal sigint = new Signal("INT");
        SignalHandler previous;
        try {
            previous = Signal.handle(sigint, s -> handler.run());
        } catch (IllegalArgumentException e) {
            return () -> { };
        }
        return () -> Signal.handle(sigint, previous);
    }
}
