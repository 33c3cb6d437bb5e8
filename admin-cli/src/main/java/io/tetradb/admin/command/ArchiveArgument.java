package io.tetradb.admin.command;

import picocli.CommandLine.Parameters;

/**
 * The {@code <N|file>} parameter that {@code backup verify} and {@code restore} share, as a
 * picocli mixin; {@link #ref()} reads it as an {@link ArchiveRef}.
 *
 * <p>Filled by picocli, then read on the caller's thread (main).
 */
final class ArchiveArgument {
    @Parameters(index = "0", paramLabel = "N|FILE", description = "A backup number, or an archive file on the server "
            + "(relative to the backup destination).")
    private String archive;

    /** The parameter as a backup number or an archive file. */
    ArchiveRef ref() {
        return ArchiveRef.parse(archive);
    }
}
