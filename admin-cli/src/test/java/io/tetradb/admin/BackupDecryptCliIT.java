package io.tetradb.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.luben.zstd.ZstdInputStream;
import io.tetradb.client.ClientConfig;
import io.tetradb.client.TetraClient;
import io.tetradb.server.TetraServer;
import io.tetradb.server.backup.BackupKey;
import io.tetradb.server.backup.EncryptedFile;
import io.tetradb.server.config.ServerConfig;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code tetra-admin backup decrypt} (docs/backup-encryption.md) on the archives and log
 * segments a real server (in-process, loopback port 0) encrypted: the plain tar it writes
 * holds every entry with the bytes MANIFEST.json records, and the server verifies it as an
 * unencrypted archive (the database opens with every row); a compressed archive gives its
 * zstd stream, a segment the segment the history records. A wrong key (1414 naming both
 * fingerprints), no key, a tampered or truncated file (1411; 1413 for a segment), Ctrl-C
 * (2009), an existing --to without --force (2010) each exit 1 and leave no --to file and no
 * temporary file. Also {@code backup history} and {@code backup status}, text and JSON, name
 * the key fingerprint of the encrypted archives only.
 */
@Timeout(180)
class BackupDecryptCliIT {
    private static final String ADMIN_PASSWORD = "admin-secret-1";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ROWS = 2000;

    @TempDir
    static Path temp;
    private static TetraServer server;
    private static Path keyFile;
    private static String fingerprint;
    private static Path backups;
    /** The history as {@code backup history --json} printed it after the three backups. */
    private static JsonNode history;

    @BeforeAll
    static void threeBackupsPlainThenEncrypted() throws IOException {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        fingerprint = BackupKey.fingerprintOf(key);
        keyFile = ownerOnly(temp.resolve("keys").resolve("shop-backup.key"), HexFormat.of().formatHex(key) + "\n");
        server = TetraServer.start(ServerConfig.builder().dataDir(temp.resolve("db")).host("127.0.0.1").port(0)
                .adminPassword(ADMIN_PASSWORD).build());
        backups = temp.resolve("db-backups");
        try (TetraClient c = TetraClient.connect(ClientConfig.builder().host("127.0.0.1").port(server.boundPort())
                .user("admin").password(ADMIN_PASSWORD).connectTimeout(Duration.ofSeconds(20)).build())) {
            c.execute("CREATE TABLE T(ID INT PRIMARY KEY, V VARCHAR(1000))");
            Random random = new Random(19);
            for (int i = 1; i <= ROWS; i++) {
                // Text that hardly compresses, so that even the compressed archive has several chunks.
                c.update("INSERT INTO T VALUES (?, ?)", i, HexFormat.of().formatHex(bytes(random, 200)));
            }
            backup(c);                                                       // 1: db-0001.tar.zst
            c.admin().setBackupSettings("archive.encryption=aes-256-gcm", "archive.keyFile=" + keyFile,
                    "archive.compression=none");
            c.update("INSERT INTO T VALUES (?, ?)", ROWS + 1, "between backups 1 and 2");
            backup(c);                                                       // 2: db-0002.tar.enc
            c.admin().setBackupSettings("archive.compression=fast");
            c.update("INSERT INTO T VALUES (?, ?)", ROWS + 2, "between backups 2 and 3");
            backup(c);                                                       // 3: db-0003.tar.zst.enc
        }
        assertThat(backups.resolve("db-0002.tar.enc")).isRegularFile();
        assertThat(backups.resolve("db-0003.tar.zst.enc")).isRegularFile();
        Run h = admin("--json", "backup", "history");
        assertThat(h.exit).as(h.err).isZero();
        history = h.json();
    }

    private static void backup(TetraClient c) {
        long before = c.admin().backupStatus().getLast().getNumber();
        c.admin().startBackup();
        await().atMost(120, TimeUnit.SECONDS).until(() -> c.admin().backupStatus().getState().equals("IDLE")
                && c.admin().backupStatus().getLast().getNumber() > before);
        assertThat(c.admin().backupStatus().getLast().getStatus()).as(c.admin().backupStatus().getLast()
                .getErrorMessage()).isEqualTo("SUCCESS");
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static Path ownerOnly(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    /** A fresh empty folder for the files one test writes. */
    private static Path folder(String name) throws IOException {
        return Files.createDirectories(temp.resolve("out").resolve(name));
    }

    private static List<String> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    // ------------------------------------------------------------------ decrypting

    @Test
    void anUncompressedArchiveDecryptsToAPlainTarWhoseEntriesMatchTheirManifestAndThatTheServerVerifies()
            throws Exception {
        Path out = folder("plain-tar");
        Path tar = out.resolve("db-0002.tar");
        Run r = admin("backup", "decrypt", backups.resolve("db-0002.tar.enc").toString(), "--to", tar.toString(),
                "--key-file", keyFile.toString());
        assertThat(r.exit).as(r.err).isZero();
        assertThat(r.err).isEmpty();
        assertThat(r.out.strip()).isEqualTo("Decrypted archive db-0002.tar.enc (key fingerprint " + fingerprint
                + ") to " + tar + ": " + Display.bytes(Files.size(tar)) + " (" + Files.size(tar)
                + " bytes), every chunk authenticated.");
        assertThat(files(out)).containsExactly("db-0002.tar");
        assertThat(Files.getPosixFilePermissions(tar)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        // The encrypted file is the header and the plain file's bytes in sealed chunks: exactly its size.
        long chunks = Files.size(tar) / EncryptedFile.CHUNK_SIZE + 1;
        assertThat(Files.size(backups.resolve("db-0002.tar.enc"))).isEqualTo(48 + Files.size(tar) + 16 * chunks);

        JsonNode manifest = checkAgainstManifest(Files.newInputStream(tar));
        assertThat(manifest.path("number").asLong()).isEqualTo(2);
        assertThat(manifest.at("/encryption/keyFingerprint").asText()).isEqualTo(fingerprint);

        // The server reads the decrypted file as the unencrypted archive it is: every checksum, then every row.
        Run verify = admin("backup", "verify", tar.toString());
        assertThat(verify.exit).as(verify.err).isZero();
        assertThat(verify.out).startsWith("Backup 2 verified: ").contains("(1 tables, " + (ROWS + 1) + " rows)");
    }

    @Test
    void aCompressedArchiveDecryptsToItsZstdStreamAndJsonSaysWhatWasWritten() throws Exception {
        Path out = folder("zstd");
        Path zst = out.resolve("db-0003.tar.zst");
        Run r = admin("--json", "backup", "decrypt", backups.resolve("db-0003.tar.zst.enc").toString(), "--to",
                zst.toString(), "--key-file", keyFile.toString());
        assertThat(r.exit).as(r.err).isZero();
        JsonNode n = r.json();
        assertThat(n.get("file").asText()).isEqualTo(backups.resolve("db-0003.tar.zst.enc").toString());
        assertThat(n.get("to").asText()).isEqualTo(zst.toString());
        assertThat(n.get("kind").asText()).isEqualTo("archive");
        assertThat(n.get("keyFingerprint").asText()).isEqualTo(fingerprint);
        assertThat(n.get("bytes").asLong()).isEqualTo(Files.size(zst));
        try (InputStream in = Files.newInputStream(zst)) {
            assertThat(in.readNBytes(4)).isEqualTo(new byte[] {0x28, (byte) 0xB5, 0x2F, (byte) 0xFD});
        }
        JsonNode manifest = checkAgainstManifest(new ZstdInputStream(Files.newInputStream(zst)));
        assertThat(manifest.path("number").asLong()).isEqualTo(3);
        Run verify = admin("backup", "verify", zst.toString());
        assertThat(verify.exit).as(verify.err).isZero();
        assertThat(verify.out).startsWith("Backup 3 verified: ");
    }

    @Test
    void aLogSegmentDecryptsToTheCompressedSegmentTheHistoryRecords() throws Exception {
        JsonNode segment = segment("db-0002.journal.zst.enc");
        Path out = folder("segment");
        Path zst = out.resolve("db-0002.journal.zst");
        Run r = admin("--json", "backup", "decrypt", backups.resolve("db-0002.journal.zst.enc").toString(), "--to",
                zst.toString(), "--key-file", keyFile.toString());
        assertThat(r.exit).as(r.err).isZero();
        assertThat(r.json().get("kind").asText()).isEqualTo("logSegment");
        byte[] content;
        try (InputStream in = new ZstdInputStream(Files.newInputStream(zst))) {
            content = in.readAllBytes();
        }
        assertThat((long) content.length).isEqualTo(segment.get("contentSize").asLong());
        assertThat(sha256(content)).isEqualTo(segment.get("contentSha256").asText());
    }

    @Test
    void theKeyFileOfABackupYmlServesToo() throws Exception {
        Path out = folder("settings");
        Path tar = out.resolve("db-0002.tar");
        Path settings = server.layout().settingsDir().resolve("backup.yml");
        assertThat(Files.readString(settings)).contains(keyFile.toString());
        Run r = admin("backup", "decrypt", backups.resolve("db-0002.tar.enc").toString(), "--to", tar.toString(),
                "--settings", settings.toString());
        assertThat(r.exit).as(r.err).isZero();
        checkAgainstManifest(Files.newInputStream(tar));

        // A relative archive.keyFile is from the database folder (the one above Settings/), as the server reads it.
        Path db = Files.createDirectories(temp.resolve("elsewhere").resolve("shop").resolve("Settings"));
        Path relative = db.resolve("backup.yml");
        Files.writeString(relative, "archive:\n  encryption: aes-256-gcm\n  keyFile: ../../keys/shop-backup.key\n");
        Path second = out.resolve("again.tar");
        Run rel = admin("backup", "decrypt", backups.resolve("db-0002.tar.enc").toString(), "--to", second.toString(),
                "--settings", relative.toString());
        assertThat(rel.exit).as(rel.err).isZero();
        assertThat(Files.readAllBytes(second)).isEqualTo(Files.readAllBytes(tar));

        Path none = db.resolve("none.yml");
        Files.writeString(none, "archive:\n  compression: fast\n");
        Run missing = admin("backup", "decrypt", backups.resolve("db-0002.tar.enc").toString(), "--to",
                out.resolve("never.tar").toString(), "--settings", none.toString());
        assertThat(missing.exit).isEqualTo(1);
        assertThat(missing.err).startsWith("tetra-admin: error 1414: ").contains(fingerprint)
                .contains("set archive.keyFile of " + none);
        assertThat(files(out)).containsExactly("again.tar", "db-0002.tar");
    }

    /**
     * docs/backup-encryption.md's example ("Decrypting a file by hand"), as written, on archive
     * 3: the tetra-admin line in-process, then the tar line with the system's tar (skipped
     * where tar or zstd is missing), which lists the archive's entries.
     */
    @Test
    void theDocsExampleRunsAsWritten() throws Exception {
        Path page = Path.of("").toAbsolutePath().getParent().resolve("docs").resolve("backup-encryption.md");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("```sh\n(.*?)\n```", java.util.regex.Pattern.DOTALL)
                .matcher(Files.readString(page));
        String block = null;
        while (m.find()) {
            if (m.group(1).contains("tetra-admin backup decrypt")) {
                block = m.group(1);
            }
        }
        assertThat(block).as("docs/backup-encryption.md's decrypt example").isNotNull();
        Path out = folder("docs-example");
        String script = block.replace("\\\n", " ")
                .replace("/backups/shop/shop-0007.tar.zst.enc", backups.resolve("db-0003.tar.zst.enc").toString())
                .replace("/restore/shop-0007.tar.zst", out.resolve("db-0003.tar.zst").toString())
                .replace("/etc/tetra/shop-backup.key", keyFile.toString());
        List<String> lines = script.lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).startsWith("tetra-admin backup decrypt ");
        Run r = admin(lines.get(0).substring("tetra-admin ".length()).trim().split("\\s+"));
        assertThat(r.exit).as(r.err).isZero();
        assertThat(r.out).startsWith("Decrypted archive db-0003.tar.zst.enc (key fingerprint " + fingerprint + ")");
        checkAgainstManifest(new ZstdInputStream(Files.newInputStream(out.resolve("db-0003.tar.zst"))));

        String tools = shell("bash", "-c", "for t in tar zstd; do command -v $t >/dev/null || echo $t; done").strip();
        org.junit.jupiter.api.Assumptions.assumeTrue(tools.isEmpty(), "not installed: " + tools);
        assertThat(lines.get(1)).startsWith("tar ");
        assertThat(shell("bash", "-c", lines.get(1))).contains("MANIFEST.json").contains("Data/db.mv.db");
    }

    /** Runs a command, returns its output (stdout and stderr); fails on a non-zero exit. */
    private static String shell(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        return output;
    }

    // ------------------------------------------------------------------ refusals

    @Test
    void aWrongKeyOrNoKeyIs1414NamingTheFingerprintNeededAndWritesNothing() throws Exception {
        byte[] other = new byte[32];
        new SecureRandom().nextBytes(other);
        Path otherKey = ownerOnly(temp.resolve("keys").resolve("other.key"), HexFormat.of().formatHex(other));
        Path out = folder("wrong-key");
        Path tar = out.resolve("db-0002.tar");
        String archive = backups.resolve("db-0002.tar.enc").toString();

        Run wrong = admin("backup", "decrypt", archive, "--to", tar.toString(), "--key-file", otherKey.toString());
        assertThat(wrong.exit).isEqualTo(1);
        assertThat(wrong.out).isEmpty();
        assertThat(wrong.err.strip()).isEqualTo("tetra-admin: error 1414: The archive db-0002.tar.enc is encrypted "
                + "with the key of fingerprint " + fingerprint + ", but --key-file (" + otherKey + ") holds the key of "
                + "fingerprint " + BackupKey.fingerprintOf(other) + ": set it to the key the file was encrypted with.");

        Run none = admin("backup", "decrypt", archive, "--to", tar.toString());
        assertThat(none.exit).isEqualTo(1);
        assertThat(none.err).startsWith("tetra-admin: error 1414: ").contains("fingerprint " + fingerprint)
                .contains("no key is set").contains("--key-file");

        Path open = temp.resolve("keys").resolve("open.key");
        Files.copy(keyFile, open);
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
        Run readable = admin("backup", "decrypt", archive, "--to", tar.toString(), "--key-file", open.toString());
        assertThat(readable.exit).isEqualTo(1);
        assertThat(readable.err).startsWith("tetra-admin: error 1414: ").contains(fingerprint)
                .contains("may be used by others than its owner");

        Run segment = admin("backup", "decrypt", backups.resolve("db-0003.journal.zst.enc").toString(), "--to",
                tar.toString(), "--key-file", otherKey.toString());
        assertThat(segment.exit).isEqualTo(1);
        assertThat(segment.err).startsWith("tetra-admin: error 1414: The log segment db-0003.journal.zst.enc is "
                + "encrypted with the key of fingerprint " + fingerprint);
        assertThat(files(out)).isEmpty();
    }

    @Test
    void aTamperedOrTruncatedFileIs1411Or1413AndLeavesNoPlainOutput() throws Exception {
        Path work = folder("tampered-in");
        Path out = folder("tampered-out");
        byte[] sealed = Files.readAllBytes(backups.resolve("db-0002.tar.enc"));
        assertThat(sealed.length).as("several chunks").isGreaterThan(3 * EncryptedFile.CHUNK_SIZE);
        int chunk = EncryptedFile.CHUNK_SIZE + 16;
        List<Map.Entry<String, byte[]>> cases = new java.util.ArrayList<>();
        // A byte near the end changed: every chunk before its own was decrypted (into the temporary file) first.
        byte[] flipped = sealed.clone();
        flipped[sealed.length - 20] ^= 1;
        cases.add(Map.entry("fails authentication at its chunk " + (sealed.length - 20 - 48) / chunk, flipped));
        cases.add(Map.entry("is cut short: it ends after its chunk 1", Arrays.copyOf(sealed, 48 + 2 * chunk)));
        cases.add(Map.entry("fails authentication at its chunk 2", Arrays.copyOf(sealed, 48 + 2 * chunk + 999)));
        byte[] swapped = sealed.clone();
        System.arraycopy(sealed, 48, swapped, 48 + chunk, chunk);
        System.arraycopy(sealed, 48 + chunk, swapped, 48, chunk);
        cases.add(Map.entry("fails authentication at its chunk 0", swapped));
        byte[] fileId = sealed.clone();
        fileId[40] ^= 1;
        cases.add(Map.entry("fails authentication at its chunk 0", fileId));
        byte[] other = Files.readAllBytes(backups.resolve("db-0003.tar.zst.enc"));
        byte[] mixed = sealed.clone();
        System.arraycopy(other, 48, mixed, 48, chunk);
        cases.add(Map.entry("fails authentication at its chunk 0", mixed));
        int i = 0;
        for (Map.Entry<String, byte[]> c : cases) {
            Path damaged = Files.write(work.resolve("db-0002-" + i++ + ".tar.enc"), c.getValue());
            Path tar = out.resolve("db-0002.tar");
            Run r = admin("backup", "decrypt", damaged.toString(), "--to", tar.toString(), "--key-file",
                    keyFile.toString());
            assertThat(r.exit).as(c.getKey()).isEqualTo(1);
            assertThat(r.out).isEmpty();
            assertThat(r.err).startsWith("tetra-admin: error 1411: The archive " + damaged.getFileName() + " ")
                    .contains(c.getKey());
            assertThat(files(out)).as("nothing written for: %s", c.getKey()).isEmpty();
        }
        // A segment: 1413.
        byte[] seg = Files.readAllBytes(backups.resolve("db-0003.journal.zst.enc"));
        seg[seg.length - 1] ^= 1;
        Path damaged = Files.write(work.resolve("db-0003.journal.zst.enc"), seg);
        Run r = admin("backup", "decrypt", damaged.toString(), "--to", out.resolve("seg.zst").toString(),
                "--key-file", keyFile.toString());
        assertThat(r.exit).isEqualTo(1);
        assertThat(r.err).startsWith("tetra-admin: error 1413: The log segment db-0003.journal.zst.enc fails "
                + "authentication at its chunk ");
        assertThat(files(out)).isEmpty();
    }

    @Test
    void anExistingFileIsReplacedOnlyWithForceAndOnlyByACompleteDecryption() throws Exception {
        Path out = folder("existing");
        Path tar = Files.writeString(out.resolve("db-0002.tar"), "what was there");
        String archive = backups.resolve("db-0002.tar.enc").toString();
        Run refused = admin("backup", "decrypt", archive, "--to", tar.toString(), "--key-file", keyFile.toString());
        assertThat(refused.exit).isEqualTo(1);
        assertThat(refused.err.strip()).isEqualTo("tetra-admin: error 2010: " + tar
                + " exists: give --force to replace it, or another --to.");
        assertThat(Files.readString(tar)).isEqualTo("what was there");

        byte[] sealed = Files.readAllBytes(backups.resolve("db-0002.tar.enc"));
        Path cut = Files.write(folder("existing-in").resolve("db-0002.tar.enc"), Arrays.copyOf(sealed,
                sealed.length - 1));
        Run damaged = admin("backup", "decrypt", cut.toString(), "--to", tar.toString(), "--key-file",
                keyFile.toString(), "--force");
        assertThat(damaged.exit).isEqualTo(1);
        assertThat(damaged.err).startsWith("tetra-admin: error 1411: ");
        assertThat(Files.readString(tar)).isEqualTo("what was there");
        assertThat(files(out)).containsExactly("db-0002.tar");

        Run forced = admin("backup", "decrypt", archive, "--to", tar.toString(), "--key-file", keyFile.toString(),
                "--force");
        assertThat(forced.exit).as(forced.err).isZero();
        checkAgainstManifest(Files.newInputStream(tar));
        assertThat(files(out)).containsExactly("db-0002.tar");
    }

    @Test
    void ctrlCStopsItAndLeavesNothing() throws Exception {
        Path out = folder("ctrl-c");
        // Ctrl-C at once: the handler runs as it is installed, when the decryption begins.
        InterruptSource atOnce = handler -> {
            handler.run();
            return () -> { };
        };
        Run r = run(atOnce, "backup", "decrypt", backups.resolve("db-0002.tar.enc").toString(), "--to",
                out.resolve("db-0002.tar").toString(), "--key-file", keyFile.toString());
        assertThat(r.exit).isEqualTo(1);
        assertThat(r.err).startsWith("tetra-admin: error 2009: ").contains("was not written");
        assertThat(files(out)).isEmpty();
        assertThat(Thread.interrupted()).as("the interrupt is not left behind").isFalse();
    }

    @Test
    void usageAndInputsThatAreNotEncryptedFiles() throws Exception {
        Path out = folder("usage");
        Run noTo = admin("backup", "decrypt", backups.resolve("db-0002.tar.enc").toString());
        assertThat(noTo.exit).isEqualTo(2);
        assertThat(noTo.err).contains("--to");
        Run both = admin("backup", "decrypt", backups.resolve("db-0002.tar.enc").toString(), "--to",
                out.resolve("x").toString(), "--key-file", keyFile.toString(), "--settings", "backup.yml");
        assertThat(both.exit).isEqualTo(2);
        assertThat(both.err).contains("--key-file or --settings, not both");
        Run plain = admin("backup", "decrypt", backups.resolve("db-0001.tar.zst").toString(), "--to",
                out.resolve("x").toString(), "--key-file", keyFile.toString());
        assertThat(plain.exit).isEqualTo(1);
        assertThat(plain.err).startsWith("tetra-admin: error 2010: ").contains("is not an encrypted file");
        Run missing = admin("backup", "decrypt", backups.resolve("db-0009.tar.enc").toString(), "--to",
                out.resolve("x").toString(), "--key-file", keyFile.toString());
        assertThat(missing.exit).isEqualTo(1);
        assertThat(missing.err).startsWith("tetra-admin: error 2010: ").contains("does not exist");
        Run itself = admin("backup", "decrypt", backups.resolve("db-0002.tar.enc").toString(), "--to",
                backups.resolve("db-0002.tar.enc").toString(), "--key-file", keyFile.toString(), "--force");
        assertThat(itself.exit).isEqualTo(1);
        assertThat(itself.err).startsWith("tetra-admin: error 2010: ");
        assertThat(EncryptedFile.isEncrypted(backups.resolve("db-0002.tar.enc"))).isTrue();
        assertThat(files(out)).isEmpty();
    }

    // ------------------------------------------------------------------ history and status

    @Test
    void historyAndStatusNameTheKeyOfEncryptedArchivesOnly() throws Exception {
        JsonNode archives = history.get("archives");
        assertThat(archives).hasSize(3);
        assertThat(archives.get(0).get("file").asText()).isEqualTo("db-0001.tar.zst");
        assertThat(archives.get(0).get("keyFingerprint").isNull()).isTrue();
        assertThat(archives.get(1).get("file").asText()).isEqualTo("db-0002.tar.enc");
        assertThat(archives.get(1).get("keyFingerprint").asText()).isEqualTo(fingerprint);
        assertThat(archives.get(2).get("keyFingerprint").asText()).isEqualTo(fingerprint);

        Run text = admin("backup", "history");
        assertThat(text.exit).as(text.err).isZero();
        List<String> lines = text.out.lines().toList();
        assertThat(lines.get(1)).contains("VERIFIED").endsWith("KEY FINGERPRINT");
        assertThat(lines.stream().filter(l -> l.contains("db-0001.tar.zst ")).findFirst().orElseThrow())
                .doesNotContain(fingerprint).endsWith("-");
        assertThat(lines.stream().filter(l -> l.contains("db-0002.tar.enc ")).findFirst().orElseThrow())
                .endsWith(fingerprint);

        Run status = admin("backup", "status");
        assertThat(status.exit).as(status.err).isZero();
        assertThat(status.out).contains("Archive:          " + backups.resolve("db-0003.tar.zst.enc"))
                .contains("Encrypted:        with the key of fingerprint " + fingerprint);
        JsonNode st = admin("--json", "backup", "status").json();
        assertThat(st.at("/last/keyFingerprint").asText()).isEqualTo(fingerprint);
    }

    // ------------------------------------------------------------------ helpers

    private static JsonNode segment(String file) {
        for (JsonNode a : history.get("archives")) {
            for (JsonNode s : a.get("logSegments")) {
                if (s.get("file").asText().equals(file)) {
                    return s;
                }
            }
        }
        throw new AssertionError(file + " is not in the history: " + history);
    }

    /**
     * Reads the tar in {@code in} and checks it is what an unencrypted archive holds: entries
     * then MANIFEST.json last, every entry the manifest lists there with the size and SHA-256
     * it records, and no other. Returns the manifest.
     */
    private static JsonNode checkAgainstManifest(InputStream in) throws IOException {
        Map<String, String> sha = new LinkedHashMap<>();
        Map<String, Long> size = new LinkedHashMap<>();
        JsonNode manifest = null;
        try (TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                assertThat(manifest).as("MANIFEST.json is the last entry").isNull();
                byte[] data = tar.readAllBytes();
                if (e.getName().equals("MANIFEST.json")) {
                    manifest = JSON.readTree(data);
                } else if (!e.isDirectory()) {
                    sha.put(e.getName(), sha256(data));
                    size.put(e.getName(), (long) data.length);
                }
            }
        }
        assertThat(manifest).as("MANIFEST.json").isNotNull();
        Map<String, String> listed = new LinkedHashMap<>();
        for (JsonNode en : manifest.get("entries")) {
            String path = en.get("path").asText();
            listed.put(path, en.get("sha256").asText());
            assertThat(size.get(path)).as(path).isEqualTo(en.get("size").asLong());
        }
        assertThat(sha).isEqualTo(listed);
        assertThat(sha.keySet()).anyMatch(p -> p.startsWith("Data/") && p.endsWith(".mv.db"));
        return manifest;
    }

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private record Run(int exit, String out, String err) {
        JsonNode json() throws IOException {
            assertThat(out).as("stdout (stderr: %s)", err).isNotBlank();
            return JSON.readTree(out);
        }
    }

    private static Run admin(String... args) {
        return run(InterruptSource.none(), args);
    }

    private static Run run(InterruptSource interrupts, String... args) {
        InProcessCli.Result r = InProcessCli.run(server.boundPort(), ADMIN_PASSWORD, interrupts, args);
        return new Run(r.exit(), r.out(), r.err());
    }
}
