package io.tetradb.admin.command;

import io.tetradb.admin.AdminMain;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * What every {@code tetra-admin} command shares: the top command with the global
 * options, streams and connection, reached through picocli's command tree.
 *
 * <p>Runs on the caller's thread (main).
 */
abstract class AdminCommand implements Callable<Integer> {
    static final int OK = 0;

    @Spec
    CommandSpec spec;

    /** The top command: global options, streams, connection. */
    AdminMain main() {
        return (AdminMain) spec.root().userObject();
    }

    /** A usage error (exit code 2) for this command. */
    ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
