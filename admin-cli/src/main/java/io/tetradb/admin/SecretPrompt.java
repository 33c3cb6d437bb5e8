package io.tetradb.admin;

import java.io.Console;

/**
 * Asks the person at the terminal for a secret without echoing it. The real one reads
 * from {@link System#console()}; tests give their own.
 *
 * <pre>{@code
 * char[] pw = SecretPrompt.console().read("Password: ");   // null when there is no console
 * }</pre>
 *
 * <p>Called on the command's thread (main).
 */
@FunctionalInterface
public interface SecretPrompt {
    /** The secret typed after {@code prompt}, or null when nobody can be asked (no console, end of input). */
    char[] read(String prompt);

    /** Whether someone can be asked at all. */
    default boolean available() {
        return true;
    }

    /** The system console, when the process has one. */
    static SecretPrompt console() {
        return new SecretPrompt() {
            @Override
            public char[] read(String prompt) {
                Console c = System.console();
                return c == null ? null : c.readPassword("%s", prompt);
            }

            @Override
            public boolean available() {
                return System.console() != null;
            }
        };
    }

    /** Nobody to ask (scripts, tests). */
    static SecretPrompt none() {
        return new SecretPrompt() {
            @Override
            public char[] read(String prompt) {
                return null;
            }

            @Override
            public boolean available() {
                return false;
            }
        };
    }
}
