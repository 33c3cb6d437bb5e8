package io.tetradb.server.restore;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tetradb.client.TetraClient;
import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraException;
import io.tetradb.protocol.VerifyReport;
import io.tetradb.server.TestServers;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static io.tetradb.server.restore.RestoreFixtures.backup;
import static io.tetradb.server.restore.RestoreFixtures.corruptEntry;
import static io.tetradb.server.restore.RestoreFixtures.journal;
import static io.tetradb.server.restore.RestoreFixtures.truncatedCopy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code backup verify}: checksums, then the archive's database opens and reads back, through a real server. */
@Timeout(180)
class VerifyIT extends RestoreTestServer {
    VerifyIT() {
        super(100, false);
    }

    @Override
    void prepare() {
        admin.execute("CREATE TABLE L(ID INT PRIMARY KEY, C CLOB, B BLOB)");
        admin.update("INSERT INTO L VALUES (1, REPEAT('large text ', 20000), X'DEADBEEF')");
        admin.update("INSERT INTO L VALUES (2, 'small', NULL)");
        admin.update("INSERT INTO L VALUES (3, NULL, X'00')");
        admin.execute("CREATE SCHEMA S");
        admin.execute("CREATE TABLE S.X(ID INT)");
        admin.update("INSERT INTO S.X VALUES (1), (2)");
    }

    private Path destination() {
        return dir.resolve("testdb-backups");
    }

    private static TetraException verifyFails(Runnable r) {
        try {
            r.run();
        } catch (TetraException e) {
            return e;
        }
        throw new AssertionError("verify succeeded");
    }

    @Test
    void verifyReportsEntriesTablesAndRowsAndLeavesNoTemporaryFiles() throws Exception {
        backup(admin);
        Path archive = destination().resolve("testdb-0001.tar.zst");
        int entries = BackupArchiveReader.extract(archive, null).path("entries").size();

        VerifyReport r = admin.admin().verifyBackup(1);
        assertThat(r.getNumber()).isEqualTo(1);
        assertThat(Path.of(r.getArchive())).isEqualTo(archive);
        assertThat(r.getEntries()).isEqualTo(entries).isGreaterThanOrEqualTo(3);
        assertThat(r.getTables()).isEqualTo(3);
        assertThat(r.getRows()).isEqualTo(105);

        // By file: relative to the destination, or absolute.
        assertThat(admin.admin().verifyBackup("testdb-0001.tar.zst").getRows()).isEqualTo(105);
        assertThat(admin.admin().verifyBackup(archive.toString()).getTables()).isEqualTo(3);

        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("testdb", "testdb-backups");
        }
        assertThat(journal(server.layout().logsDir(), "verify")).hasSize(3)
                .allSatisfy(l -> assertThat(l).contains("result=ok", "tables=3", "rows=105"));
        // The server goes on as before.
        assertThat(admin.execute("SELECT COUNT(*) FROM T").rows().get(0).getLong(0)).isEqualTo(100L);
    }

    @Test
    void aCorruptedDataEntryFailsWith1411NamingTheEntry() throws Exception {
        Files.writeString(server.layout().settingsDir().resolve("backup.yml"), "archive:\n  compression: none\n");
        backup(admin);
        Path archive = destination().resolve("testdb-0001.tar");
        corruptEntry(archive, "Data/testdb.mv.db");

        TetraException e = verifyFails(() -> admin.admin().verifyBackup(1));
        assertThat(e.code()).isEqualTo(ErrorCode.BACKUP_VERIFY_FAILED);
        assertThat(e.getMessage()).contains("Data/testdb.mv.db");
        assertThat(journal(server.layout().logsDir(), "verify-failed")).singleElement()
                .satisfies(l -> assertThat(l).contains("code=1411", "Data/testdb.mv.db"));
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("testdb", "testdb-backups");
        }
    }

    @Test
    void aTruncatedArchiveFailsWith1411() throws Exception {
        backup(admin);
        truncatedCopy(destination().resolve("testdb-0001.tar.zst"), "truncated.tar.zst");
        TetraException e = verifyFails(() -> admin.admin().verifyBackup("truncated.tar.zst"));
        assertThat(e.code()).isEqualTo(ErrorCode.BACKUP_VERIFY_FAILED);
        assertThat(e.getMessage()).contains("truncated.tar.zst");
    }

    @Test
    void anArchiveWhoseChecksumsMatchButWhoseDatabaseDoesNotOpenFailsWith1411() throws Exception {
        // A forged archive: consistent manifest, but the data file is noise.
        byte[] noise = new byte[64 * 1024];
        new Random(42).nextBytes(noise);
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("Data/testdb.mv.db", noise);
        files.put("Structure/engine.key", Files.readAllBytes(server.layout().engineKeyFile()));
        Files.createDirectories(destination());
        Path forged = destination().resolve("forged-0077.tar");
        writeArchive(forged, 77, files);

        TetraException e = verifyFails(() -> admin.admin().verifyBackup("forged-0077.tar"));
        assertThat(e.code()).isEqualTo(ErrorCode.BACKUP_VERIFY_FAILED);
        assertThat(e.getMessage()).contains("does not open or read back");
        assertThat(journal(server.layout().logsDir(), "verify-failed")).singleElement()
                .satisfies(l -> assertThat(l.split("\t")[1]).isEqualTo("77"));
    }

    @Test
    void aMissingArchiveIs2010() {
        TetraException byNumber = verifyFails(() -> admin.admin().verifyBackup(42));
        assertThat(byNumber.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(byNumber.getMessage()).contains("Backup 42 not found").contains("testdb-0042.tar");
        TetraException byFile = verifyFails(() -> admin.admin().verifyBackup("nope.tar"));
        assertThat(byFile.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(byFile.getMessage()).contains("nope.tar");
    }

    @Test
    void onlyAdminsVerify() throws Exception {
        backup(admin);
        admin.admin().addUser("bob", io.tetradb.protocol.Role.USER, "bob-secret-1".toCharArray());
        try (TetraClient bob = TestServers.connect(server, "bob", "bob-secret-1")) {
            assertThatThrownBy(() -> bob.admin().verifyBackup(1)).isInstanceOfSatisfying(TetraException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION_DENIED));
        }
    }

    /** A tar with {@code files} and a MANIFEST.json listing them with their SHA-256. */
    private static void writeArchive(Path tar, long number, Map<String, byte[]> files) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode manifest = json.createObjectNode();
        manifest.put("format", 1);
        manifest.put("number", number);
        manifest.put("database", "testdb");
        ArrayNode entries = manifest.putArray("entries");
        try (OutputStream out = Files.newOutputStream(tar);
             TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                TarArchiveEntry e = new TarArchiveEntry(f.getKey());
                e.setSize(f.getValue().length);
                t.putArchiveEntry(e);
                t.write(f.getValue());
                t.closeArchiveEntry();
                ObjectNode n = entries.addObject();
                n.put("path", f.getKey());
                n.put("size", f.getValue().length);
                n.put("sha256", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(f.getValue())));
            }
            byte[] m = json.writeValueAsBytes(manifest);
            TarArchiveEntry e = new TarArchiveEntry("MANIFEST.json");
            e.setSize(m.length);
            t.putArchiveEntry(e);
            t.write(m);
            t.closeArchiveEntry();
        }
    }
}
