package io.tetradb.admin.command;

import picocli.CommandLine.Command;

/**
 * {@code tetra-admin log ...}: the log file (PRODUCT.md 4.10). Admin role. Subcommands:
 * {@code new} ({@link LogNewCommand}).
 *
 * <p>Runs on the caller's thread (main).
 */
@Command(name = "log", description = "The log file: close a segment without a backup.",
        subcommands = {LogNewCommand.class})
public final class LogCommand extends AdminCommand {
    @Override
    public Integer call() {
        throw usage("Missing subcommand: new.");
    }
}
