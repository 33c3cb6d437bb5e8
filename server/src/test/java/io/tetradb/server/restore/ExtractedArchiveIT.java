package io.tetradb.server.restore;

import io.tetradb.client.TetraClient;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An archive extracted into a folder named otherwise than its database (docs/backups.md):
 * the server never creates an empty database beside the data it finds; it says what to
 * rename, and opens the data once renamed (issue 12, 10e).
 */
@Timeout(120)
class ExtractedArchiveIT {
    @TempDir
    Path dir;

    @Test
    void aFolderOfAnotherNameIsRefusedWithWhatToRenameThenOpensOnceRenamed() throws Exception {
        try (TetraServer server = TestServers.start(dir); TetraClient admin = TestServers.admin(server)) {
            TestServers.tableT(admin, 10);
            assertThat(server.backups().runAndWait().getStatus()).isEqualTo("SUCCESS");
        }
        Path archive = dir.resolve("testdb-backups").resolve("testdb-0001.tar.zst");
        Path other = dir.resolve("elsewhere").resolve("shop-copy");
        BackupArchiveReader.extract(archive, other);

        assertThatThrownBy(() -> TetraServer.start(TestServers.config(dir).dataDir(other).build()))
                .hasMessageContaining("Data/ holds testdb.mv.db and no shop-copy.mv.db")
                .hasMessageContaining("rename the folder to 'testdb', or rename Data/testdb.mv.db to Data/shop-copy.mv.db");
        try (Stream<Path> files = Files.list(other.resolve("Data"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("testdb.mv.db");
        }

        Files.move(other.resolve("Data/testdb.mv.db"), other.resolve("Data/shop-copy.mv.db"));
        try (TetraServer copy = TetraServer.start(TestServers.config(dir).dataDir(other).build());
             TetraClient c = TestServers.admin(copy)) {
            assertThat(c.execute("SELECT COUNT(*) FROM T").rows().get(0).getLong(0)).isEqualTo(10L);
        }
    }
}
