package io.tetradb.server.backup;

import io.tetradb.server.TetraServer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Test hooks: executable scripts placed in a server's Settings/hooks/. */
final class BackupHooks {
    private BackupHooks() {
    }

    /** Places an executable script in the database's Settings/hooks/ (as someone with access to its files would). */
    static Path place(TetraServer server, String name, String script) throws IOException {
        Path hooks = server.layout().settingsDir().resolve("hooks");
        Files.createDirectories(hooks);
        Path p = hooks.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + script + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }
}
