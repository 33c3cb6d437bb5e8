package io.tetradb.admin.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tetradb.admin.AdminMain;
import io.tetradb.admin.Display;
import io.tetradb.admin.InterruptSource;
import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraException;
import io.tetradb.server.DataLayout;
import io.tetradb.server.backup.BackupKey;
import io.tetradb.server.backup.EncryptedFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * {@code tetra-admin backup decrypt FILE --to F} (docs/backup-encryption.md): decrypts an
 * encrypted archive ({@code shop-0007.tar.zst.enc}) or archived log segment
 * ({@code shop-0007.journal.zst.enc}) where the files are, without a server: F receives the
 * bytes the unencrypted file would hold (the tar, the zstd-compressed tar, the compressed
 * segment), byte for byte, each chunk authenticated before it is written.
 *
 * <p>The key: {@code --key-file PATH}, or {@code --settings backup.yml} for the
 * {@code archive.keyFile} set there (a relative path is from the database folder, the
 * folder above the Settings folder, as the server reads it); the key file must be
 * owner-only, as the server requires. Without either, the command fails with 1414 naming
 * the fingerprint of the key the file needs.
 *
 * <p>F is written owner-only (0600) under a temporary name beside it, forced to disk and
 * renamed to F only once every chunk authenticated: a decryption that fails (a wrong key:
 * 1414 naming the fingerprint expected and the key file's; a changed, truncated or
 * reordered file: 1411 for an archive, 1413 for a segment, naming the chunk; Ctrl-C: 2009)
 * leaves no F and no temporary file. An existing F is replaced only with {@code --force}
 * (else 2010), and then only by a complete decryption.
 *
 * <p>JSON ({@code --json}): {@code {"file", "to", "kind": "archive"|"logSegment",
 * "keyFingerprint", "bytes"}}.
 *
 * <p>Runs on the caller's thread (main); Ctrl-C arrives on the JVM's signal thread and only
 * interrupts it.
 */
@Command(name = "decrypt", description = "Decrypt an encrypted archive (.tar.zst.enc, .tar.enc) or log segment "
        + "(.journal.zst.enc) where it is, without a server: every chunk is authenticated and F gets the "
        + "unencrypted file's bytes (written under a temporary name, renamed when complete).")
public final class BackupDecryptCommand extends AdminCommand {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Parameters(index = "0", paramLabel = "FILE", description = "The encrypted archive or log segment.")
    private Path file;

    @Option(names = "--to", paramLabel = "F", required = true,
            description = "The file to write the decrypted bytes to (refused when it exists, unless --force).")
    private Path to;

    @Option(names = "--key-file", paramLabel = "PATH",
            description = "The key file (as archive.keyFile: 32 bytes, 64 hex digits or base64; owner-only).")
    private Path keyFile;

    @Option(names = "--settings", paramLabel = "BACKUP_YML",
            description = "Take the key file from archive.keyFile of this backup.yml instead of --key-file.")
    private Path settings;

    @Option(names = "--force", description = "Replace F when it exists (only once the decryption is complete).")
    private boolean force;

    @Override
    @SuppressWarnings("try") // ctrlC is only held open while decrypting
    public Integer call() {
        AdminMain main = main();
        if (keyFile != null && settings != null) {
            throw usage("Give --key-file or --settings, not both.");
        }
        BackupKey.Source keys = keys();
        Path source = file.toAbsolutePath().normalize();
        Path target = to.toAbsolutePath().normalize();
        if (!Files.isRegularFile(source)) {
            throw invalid(file + " does not exist or is not a regular file.");
        }
        if (target.equals(source)) {
            throw invalid("--to names the encrypted file itself: write the decrypted bytes to another file.");
        }
        if (Files.isDirectory(target)) {
            throw invalid("--to " + to + " is a folder: name the file to write.");
        }
        if (Files.exists(target) && !force) {
            throw invalid(to + " exists: give --force to replace it, or another --to.");
        }
        Path folder = target.getParent();
        if (folder == null || !Files.isDirectory(folder)) {
            throw invalid("The folder of --to " + to + " does not exist.");
        }
        String name = source.getFileName().toString();
        boolean segment = name.matches(".*\\.journal\\.zst" + java.util.regex.Pattern.quote(EncryptedFile.SUFFIX));
        String what = (segment ? "The log segment " : "The archive ") + name;
        ErrorCode damage = segment ? ErrorCode.LOG_SEGMENT_DAMAGED : ErrorCode.BACKUP_VERIFY_FAILED;
        try {
            if (!EncryptedFile.isEncrypted(source)) {
                throw invalid(file + " is not an encrypted file (it does not start with TETRAENC): there is nothing "
                        + "to decrypt; an unencrypted archive or segment is read as it is.");
            }
        } catch (IOException e) {
            throw new TetraException(ErrorCode.BACKUP_IO, file + " cannot be read: " + e.getMessage(), e);
        }

        Path temp = null;
        long bytes = 0;
        String fingerprint;
        Thread self = Thread.currentThread();
        try (InterruptSource.Registration ctrlC = main.interrupts().install(self::interrupt)) {
            temp = Files.createTempFile(folder, "." + target.getFileName() + ".", ".decrypting",
                    DataLayout.ownerOnlyFile(folder));
            try (InputStream in = Files.newInputStream(source);
                 EncryptedFile.Reader reader = new EncryptedFile.Reader(in, keys, what, damage);
                 FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                fingerprint = reader.fingerprint();
                OutputStream out = Channels.newOutputStream(ch);
                byte[] buf = new byte[256 * 1024];
                int n;
                while ((n = reader.read(buf, 0, buf.length)) >= 0) {
                    if (Thread.interrupted()) {
                        throw new TetraException(ErrorCode.CANCELLED, "The decryption of " + file + " was stopped "
                                + "(Ctrl-C); " + to + " was not written.");
                    }
                    out.write(buf, 0, n);
                    bytes += n;
                }
                ch.force(true);
            }
            if (force) {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } else {
                Files.move(temp, target);
            }
            temp = null;
        } catch (FileAlreadyExistsException e) {
            throw invalid(to + " exists: give --force to replace it, or another --to.");
        } catch (java.nio.channels.ClosedByInterruptException e) {
            throw new TetraException(ErrorCode.CANCELLED, "The decryption of " + file + " was stopped (Ctrl-C); " + to
                    + " was not written.");
        } catch (IOException e) {
            throw new TetraException(ErrorCode.BACKUP_IO, "The decryption of " + file + " to " + to + " failed: "
                    + e.getMessage(), e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException e) {
                    main.err().println("tetra-admin: the temporary file " + temp + " could not be removed: "
                            + e.getMessage());
                }
            }
            Thread.interrupted();
        }
        if (main.json()) {
            ObjectNode n = main.mapper().createObjectNode();
            n.put("file", source.toString());
            n.put("to", target.toString());
            n.put("kind", segment ? "logSegment" : "archive");
            n.put("keyFingerprint", fingerprint);
            n.put("bytes", bytes);
            main.printJson(n);
        } else {
            main.out().println("Decrypted " + (segment ? "log segment " : "archive ") + name + " (key fingerprint "
                    + fingerprint + ") to " + target
                    + ": " + Display.bytes(bytes) + " (" + bytes + " bytes), every chunk authenticated.");
            main.out().flush();
        }
        return OK;
    }

    /** Where the key comes from: --key-file, archive.keyFile of --settings, or none (1414 naming the fingerprint). */
    private BackupKey.Source keys() {
        if (keyFile != null) {
            return BackupKey.Source.file(keyFile.toAbsolutePath().normalize(), "--key-file");
        }
        if (settings == null) {
            return BackupKey.Source.file(null, "--key-file (or --settings backup.yml)");
        }
        JsonNode root;
        try {
            root = YAML.readTree(settings.toFile());
        } catch (IOException e) {
            throw invalid("--settings " + settings + " cannot be read as YAML: " + e.getMessage());
        }
        String setting = "archive.keyFile of " + settings;
        JsonNode kf = root == null ? null : root.path("archive").path("keyFile");
        if (kf == null || !kf.isTextual() || kf.asText().isBlank()) {
            return BackupKey.Source.file(null, setting);
        }
        Path p = Path.of(kf.asText());
        if (!p.isAbsolute()) {
            // As the server reads it: from the database folder, which holds Settings/backup.yml.
            Path settingsFolder = settings.toAbsolutePath().normalize().getParent();
            Path database = settingsFolder == null || settingsFolder.getParent() == null ? settingsFolder
                    : settingsFolder.getParent();
            p = database.resolve(p);
        }
        return BackupKey.Source.file(p.toAbsolutePath().normalize(), setting);
    }

    private static TetraException invalid(String message) {
        return new TetraException(ErrorCode.INVALID_ARGUMENT, message);
    }
}
