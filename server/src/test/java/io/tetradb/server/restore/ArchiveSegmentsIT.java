package io.tetradb.server.restore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraClient;
import io.tetradb.client.TetraException;
import io.tetradb.protocol.VerifyReport;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import io.tetradb.server.backup.ManifestChecks;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

import static io.tetradb.server.restore.RestoreFixtures.backup;
import static io.tetradb.server.restore.RestoreFixtures.fails;
import static io.tetradb.server.restore.RestoreFixtures.journal;
import static io.tetradb.server.restore.RestoreFixtures.rows;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Manifest format 2 through a real server (docs/backups.md, "The manifest"): an
 * uncompressed archive records its large entries by 8 MiB segment, verify and restore check
 * them segment by segment and name a damaged one; archives of format 1 still verify and
 * restore.
 */
@Timeout(300)
class ArchiveSegmentsIT extends RestoreTestServer {
    private static final int SEGMENT = ManifestChecks.SEGMENT;
    private static final String DATA = "Data/testdb.mv.db";
    private static final String SUMMARY = "SELECT COUNT(*), SUM(LENGTH(B)) FROM BIG";

    ArchiveSegmentsIT() {
        super(100, false);
    }

    @Override
    void prepare() {
        // About 24 MB of bytes that do not compress: a data file of at least three segments.
        admin.execute("CREATE TABLE BIG(ID INT PRIMARY KEY, B VARBINARY(65536))");
        for (int i = 0; i < 12; i++) {
            admin.update("INSERT INTO BIG SELECT X, SECURE_RAND(65536) FROM SYSTEM_RANGE(" + (i * 32 + 1) + ", "
                    + (i * 32 + 32) + ")");
        }
    }

    private Path destination() {
        return dir.resolve("testdb-backups");
    }

    private Path uncompressedBackup() throws Exception {
        Files.writeString(server.layout().settingsDir().resolve("backup.yml"), "archive:\n  compression: none\n");
        long n = backup(admin).getNumber();
        return destination().resolve(String.format("testdb-%04d.tar", n));
    }

    private Path extractWithSystemTar(Path archive, String folder) throws Exception {
        Path out = Files.createDirectories(dir.resolve(folder));
        ManifestChecks.extractWithSystemTar(archive, out);
        return out;
    }

    private static JsonNode manifest(Path extracted) throws Exception {
        return new ObjectMapper().readTree(extracted.resolve("MANIFEST.json").toFile());
    }

    @Test
    void anUncompressedArchiveIsFormat2WithSegmentDigestsOfTheDataAndTheDocsShellCheckAgrees() throws Exception {
        Path archive = uncompressedBackup();
        Path out = extractWithSystemTar(archive, "extracted");
        JsonNode manifest = manifest(out);
        assertThat(manifest.path("format").asInt()).isEqualTo(2);
        JsonNode data = manifest.path("entries").get(0);
        assertThat(data.path("path").asText()).isEqualTo(DATA);
        assertThat(data.path("size").asLong()).isGreaterThan(2L * SEGMENT);
        assertThat(data.path("segmentSha256").size()).isGreaterThanOrEqualTo(3);
        // Every digest computed here on its own from the extracted files: by segment and over the segments.
        assertThat(ManifestChecks.assertMatches(out, manifest)).containsExactly(DATA);

        String printed = ManifestChecks.runDocsShellCheck(archive, dir.resolve("tmp"));
        assertThat(printed).doesNotContain("FAILED")
                .contains(DATA + ": " + data.path("segmentSha256").size() + " segments OK", DATA + ": sha256 OK",
                        "Structure/catalog.xml: OK");

        // A compressed archive of format 2 keeps one SHA-256 of the content per entry.
        admin.admin().setBackupSettings("archive.compression=fast");
        long n = backup(admin).getNumber();
        Path zst = destination().resolve(String.format("testdb-%04d.tar.zst", n));
        Path outZst = extractWithSystemTar(zst, "extracted-zst");
        JsonNode m2 = manifest(outZst);
        assertThat(m2.path("format").asInt()).isEqualTo(2);
        assertThat(ManifestChecks.assertMatches(outZst, m2)).isEmpty();
        assertThat(ManifestChecks.runDocsShellCheck(zst, dir.resolve("tmp"))).doesNotContain("FAILED")
                .contains(DATA + ": OK");
    }

    @Test
    void oneFlippedByteInTheMiddleOfTheDataFileFailsVerifyAndRestoreNamingItsSegment() throws Exception {
        Path archive = uncompressedBackup();
        long size;
        long dataOffset;
        try (TarFile tar = new TarFile(archive)) {
            TarArchiveEntry e = tar.getEntries().stream().filter(x -> x.getName().equals(DATA)).findFirst().orElseThrow();
            size = e.getSize();
            dataOffset = e.getDataOffset();
        }
        long segments = (size + SEGMENT - 1) / SEGMENT;
        long k = segments / 2;
        assertThat(k).isPositive().isLessThan(segments - 1);
        flipByte(archive, dataOffset + k * SEGMENT + 12_345);
        String named = "its segment at bytes " + k * SEGMENT + " to " + ((k + 1) * SEGMENT - 1) + " (segment " + k
                + ", counted from 0, of " + segments + ") is damaged";

        TetraException verify = fails(() -> admin.admin().verifyBackup(1));
        assertThat(verify.code()).isEqualTo(ErrorCode.BACKUP_VERIFY_FAILED);
        assertThat(verify.getMessage()).contains("Archive entry " + DATA + " does not match its checksum: " + named);
        assertThat(journal(server.layout().logsDir(), "verify-failed")).singleElement()
                .satisfies(l -> assertThat(l).contains("code=1411", named));

        // Checking alone (as the backup's own verification does) finds the same segment.
        TetraException check = fails(() -> {
            try {
                BackupArchiveReader.extract(archive, null);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertThat(check.getMessage()).contains(named);

        Path to = dir.resolve("copies").resolve("testdb");
        TetraException restore = fails(() -> admin.admin().restoreBackup(1, to.toString()));
        assertThat(restore.code()).isEqualTo(ErrorCode.BACKUP_VERIFY_FAILED);
        assertThat(restore.getMessage()).contains(named);
        assertThat(to).doesNotExist();

        // The docs' shell check names the same segment.
        String printed = ManifestChecks.runDocsShellCheck(archive, dir.resolve("tmp"));
        assertThat(printed).contains(DATA + ": segment " + k + " at byte " + k * SEGMENT + " FAILED",
                DATA + ": sha256 FAILED");
        assertThat(printed.lines().filter(l -> l.contains("segment ") && l.contains("FAILED"))).hasSize(1);
    }

    @Test
    void aFormat2ArchiveRestoresToAFolderAndInPlace() throws Exception {
        List<List<Object>> atBackup = rows(admin, SUMMARY);
        Path archive = uncompressedBackup();
        admin.update("INSERT INTO BIG VALUES (5000, X'0102')");
        List<List<Object>> now = rows(admin, SUMMARY);
        List<List<Object>> ids = rows(admin, "SELECT ID FROM BIG ORDER BY ID");

        VerifyReport v = admin.admin().verifyBackup(1);
        assertThat(v.getTables()).isEqualTo(2);
        assertThat(v.getRows()).isEqualTo(100 + 384);

        Path to = dir.resolve("copies").resolve("testdb");
        admin.admin().restoreBackup(1, to.toString());
        try (TetraServer copy = TetraServer.start(TestServers.config(to.getParent()).dataDir(to).build());
             TetraClient c = TestServers.admin(copy)) {
            assertThat(rows(c, SUMMARY)).isEqualTo(now);
            assertThat(rows(c, "SELECT ID FROM BIG ORDER BY ID")).isEqualTo(ids);
        }
        // The restored data file is the archive's, brought forward by the log.
        assertThat(Files.size(to.resolve("Data").resolve("testdb.mv.db"))).isPositive();
        RestoreFixtures.assertOwnerOnlyTree(to);

        admin.admin().restoreInPlace(1);
        try (TetraClient again = TestServers.admin(server)) {
            assertThat(rows(again, SUMMARY)).isEqualTo(now).isNotEqualTo(atBackup);
        }
        assertThat(archive).isRegularFile();
    }

    @Test
    void aFormat1ArchiveStillVerifiesAndRestoresAndItsDamageIsFoundAsBefore() throws Exception {
        Path archive = uncompressedBackup();
        Path out = extractWithSystemTar(archive, "extracted");
        // The archive as a server before format 2 wrote it: the same files, every sha256 of the whole content.
        Path old = destination().resolve("old-format-0001.tar");
        writeFormat1(out, manifest(out), old);
        try (TarFile tar = new TarFile(old)) {
            assertThat(new ObjectMapper().readTree(tar.getInputStream(tar.getEntries().stream()
                    .filter(e -> e.getName().equals("MANIFEST.json")).findFirst().orElseThrow()))
                    .path("format").asInt()).isEqualTo(1);
        }

        VerifyReport v = admin.admin().verifyBackup("old-format-0001.tar");
        assertThat(v.getNumber()).isEqualTo(1);
        assertThat(v.getRows()).isEqualTo(100 + 384);
        assertThat(BackupArchiveReader.extract(old, null).path("format").asInt()).isEqualTo(1);

        List<List<Object>> now = rows(admin, SUMMARY);
        Path to = dir.resolve("copies").resolve("testdb");
        admin.admin().restoreBackup("old-format-0001.tar", to.toString());
        try (TetraServer copy = TetraServer.start(TestServers.config(to.getParent()).dataDir(to).build());
             TetraClient c = TestServers.admin(copy)) {
            assertThat(rows(c, SUMMARY)).isEqualTo(now);
        }

        // Damage in a format-1 archive: the entry is named, with format 1's message (one checksum, no segment).
        Path damaged = Files.copy(old, destination().resolve("old-damaged-0001.tar"));
        RestoreFixtures.corruptEntry(damaged, DATA);
        TetraException e = fails(() -> admin.admin().verifyBackup("old-damaged-0001.tar"));
        assertThat(e.code()).isEqualTo(ErrorCode.BACKUP_VERIFY_FAILED);
        assertThat(e.getMessage()).endsWith("Archive entry " + DATA + " does not match its checksum.")
                .doesNotContain("segment");
    }

    /** A tar of the files of {@code extracted}, with {@code manifest} made format 1: one SHA-256 per entry. */
    private static void writeFormat1(Path extracted, JsonNode manifest, Path tar) throws Exception {
        ObjectNode m = manifest.deepCopy();
        m.put("format", 1);
        ArrayNode entries = m.putArray("entries");
        try (OutputStream os = Files.newOutputStream(tar);
             TarArchiveOutputStream t = new TarArchiveOutputStream(os)) {
            t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            t.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (JsonNode e : manifest.path("entries")) {
                String path = e.path("path").asText();
                Path f = extracted.resolve(path);
                TarArchiveEntry te = new TarArchiveEntry(path);
                te.setSize(Files.size(f));
                t.putArchiveEntry(te);
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                try (var in = Files.newInputStream(f)) {
                    byte[] buf = new byte[1 << 16];
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        t.write(buf, 0, n);
                        md.update(buf, 0, n);
                    }
                }
                t.closeArchiveEntry();
                entries.addObject().put("path", path).put("size", Files.size(f))
                        .put("sha256", HexFormat.of().formatHex(md.digest()));
            }
            byte[] bytes = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(m);
            TarArchiveEntry me = new TarArchiveEntry("MANIFEST.json");
            me.setSize(bytes.length);
            t.putArchiveEntry(me);
            t.write(bytes);
            t.closeArchiveEntry();
        }
    }

    private static void flipByte(Path file, long at) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(~b & 0xFF);
        }
    }
}
