package io.tetradb.server.restore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tetradb.client.TetraClient;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import io.tetradb.server.backup.ManifestChecks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.tetradb.server.restore.RestoreFixtures.backup;
import static io.tetradb.server.restore.RestoreFixtures.rows;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Compression fast through a real server (docs/backups.md, "Compression"): its zstd level
 * adapts between 1 and -30, the manifest records the levels used, and the archive verifies,
 * opens with the system's tar and zstd and restores whatever levels were used; a throttled
 * backup, which never waits for zstd, keeps level 1.
 */
@Timeout(300)
class AdaptiveFastIT extends RestoreTestServer {
    private static final String SUMMARY = "SELECT COUNT(*), SUM(LENGTH(S)), SUM(ORA_HASH(S)) FROM TXT";
    private static final int FLOOR = -30;

    AdaptiveFastIT() {
        super(100, false);
    }

    @Override
    void prepare() {
        // About 48 MB of hex text: it compresses (about 2 : 1 at level 1), less at the negative levels.
        admin.execute("CREATE TABLE TXT(ID INT PRIMARY KEY, S VARCHAR(65536))");
        for (int i = 0; i < 12; i++) {
            admin.update("INSERT INTO TXT SELECT X, RAWTOHEX(SECURE_RAND(2000)) || REPEAT('row ' || X || ' ', 100) FROM "
                    + "SYSTEM_RANGE(" + (i * 700 + 1) + ", " + (i * 700 + 700) + ")");
        }
    }

    private Path archive(long n) {
        return dir.resolve("testdb-backups").resolve(String.format("testdb-%04d.tar.zst", n));
    }

    /** The manifest of {@code archive}, extracted with the system's tar into {@code folder}, checked against the files. */
    private JsonNode extractAndCheck(Path archive, String folder) throws Exception {
        Path out = Files.createDirectories(dir.resolve(folder));
        ManifestChecks.extractWithSystemTar(archive, out);
        JsonNode manifest = new ObjectMapper().readTree(out.resolve("MANIFEST.json").toFile());
        assertThat(ManifestChecks.assertMatches(out, manifest)).isEmpty();
        long content = 0;
        for (JsonNode e : manifest.path("entries")) {
            content += e.path("size").asLong();
        }
        JsonNode levels = manifest.path("zstdLevels");
        long perLevel = 0;
        for (var it = levels.path("bytes").fields(); it.hasNext(); ) {
            var f = it.next();
            assertThat(Integer.parseInt(f.getKey())).isBetween(FLOOR, 1);
            perLevel += f.getValue().asLong();
        }
        assertThat(perLevel).isEqualTo(content);
        assertThat(levels.path("min").asInt()).isBetween(FLOOR, levels.path("max").asInt());
        assertThat(levels.path("max").asInt()).isLessThanOrEqualTo(1);
        return manifest;
    }

    @Test
    void aFastArchiveRecordsItsLevelsVerifiesOpensWithTheSystemZstdAndRestores() throws Exception {
        List<List<Object>> atBackup = rows(admin, SUMMARY);
        // fast is the default; the backup's own verification (archive.verify) read it back already.
        long n = backup(admin).getNumber();
        Path archive = archive(n);
        assertThat(archive).isRegularFile();
        JsonNode manifest = extractAndCheck(archive, "extracted");
        assertThat(manifest.path("settings").toString()).contains("fast");
        ManifestChecks.zstdTest(dir, archive);

        admin.admin().verifyBackup(n);
        Path to = dir.resolve("copies").resolve("testdb");
        admin.admin().restoreBackup(n, to.toString());
        try (TetraServer copy = TetraServer.start(TestServers.config(to.getParent()).dataDir(to).build());
             TetraClient c = TestServers.admin(copy)) {
            assertThat(rows(c, SUMMARY)).isEqualTo(atBackup);
        }
    }

    @Test
    void aThrottledFastBackupNeverWaitsForZstdAndKeepsLevel1() throws Exception {
        admin.admin().setBackupSettings("archive.maxRate=40m");
        long n = backup(admin).getNumber();
        JsonNode levels = extractAndCheck(archive(n), "extracted").path("zstdLevels");
        assertThat(levels.path("max").asInt()).isEqualTo(1);
        // The copy waits for the rate limit, not for zstd: at most a stray step away from 1.
        long total = 0;
        for (JsonNode b : levels.path("bytes")) {
            total += b.asLong();
        }
        assertThat(levels.path("bytes").path("1").asLong()).isGreaterThan(total / 2);
        admin.admin().verifyBackup(n);
    }
}
