package io.tetradb.admin;

/**
 * Where a Ctrl-C comes from while a command wants to handle it itself ({@code backup
 * start --follow} asks whether to stop the backup instead of ending). The real one is
 * SIGINT ({@link #sigint()}); tests give their own and fire it without a signal.
 *
 * <pre>{@code
 * try (InterruptSource.Registration r = InterruptSource.sigint().install(() -> queue.add(CTRL_C))) {
 *     ... // Ctrl-C now calls the handler instead of ending the process
 * }   // the previous handling is back
 * }</pre>
 *
 * <p>{@link #install} and {@link Registration#close} are called on the command's thread;
 * the handler runs on whatever thread delivers the interrupt (the JVM's signal thread),
 * so it must only hand the interrupt on, never block.
 */
@FunctionalInterface
public interface InterruptSource {
    /** Calls {@code handler} on each interrupt until the registration is closed. */
    Registration install(Runnable handler);

    /** An installed handler; closing it restores what was there before. */
    @FunctionalInterface
    interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /** SIGINT (Ctrl-C at a terminal), for the real process. */
    static InterruptSource sigint() {
        return SigintSource.INSTANCE;
    }

    /** No interrupts at all (embedding applications keep their own Ctrl-C handling). */
    static InterruptSource none() {
        return handler -> () -> { };
    }
}
