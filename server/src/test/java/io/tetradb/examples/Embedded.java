package io.tetradb.examples;

import io.tetradb.protocol.BackupRecord;
import io.tetradb.server.embedded.EmbeddedTetra;

import java.nio.file.Path;

/** The embedded-mode example of docs/backups.md, run by ExamplesIT. */
final class Embedded {
    private Embedded() {
    }

    static BackupRecord run(Path folder, String adminPassword) throws Exception {
        BackupRecord r;
        // docs:begin embedded
        try (EmbeddedTetra db = EmbeddedTetra.open(folder, adminPassword)) {     // folder: Path.of("data/app")
            db.run(c -> c.createStatement().executeUpdate("CREATE TABLE IF NOT EXISTS T(ID INT)"));
            db.run(c -> c.createStatement().executeUpdate("INSERT INTO T VALUES (1)"));
            r = db.backup();                                  // reads and writes wait until it ends
        }
        // docs:end
        return r;
    }
}
