package io.tetradb.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The files of one database folder (PRODUCT.md section 2): where each lives, and the
 * folders created on first start.
 *
 * <p>Immutable; any thread.
 */
public final class DataLayout {
    private final Path root;
    private final String name;

    public DataLayout(Path dataDir) {
        this.root = dataDir.toAbsolutePath().normalize();
        this.name = root.getFileName().toString();
    }

    /** Creates the folders of the layout that are missing. */
    public void createFolders() throws IOException {
        Files.createDirectories(structureDir());
        Files.createDirectories(dataDir());
        Files.createDirectories(settingsDir());
        Files.createDirectories(logsDir());
    }

    public Path root() {
        return root;
    }

    public String databaseName() {
        return name;
    }

    public Path structureDir() {
        return root.resolve("Structure");
    }

    public Path dataDir() {
        return root.resolve("Data");
    }

    public Path settingsDir() {
        return root.resolve("Settings");
    }

    public Path logsDir() {
        return root.resolve("Logs");
    }

    /** {@code Data/<name>}: the path H2 is given (it adds .mv.db). */
    public Path dataFileBase() {
        return dataDir().resolve(name);
    }

    /** {@code Data/<name>.mv.db}. */
    public Path dataFile() {
        return dataDir().resolve(name + ".mv.db");
    }

    public Path catalogFile() {
        return structureDir().resolve("catalog.xml");
    }

    public Path usersFile() {
        return structureDir().resolve("users.json");
    }

    /** The random secret of the engine's admin account (owner-only). */
    public Path engineKeyFile() {
        return structureDir().resolve("engine.key");
    }

    /** Where a generated admin password is stored on first start (owner-only). */
    public Path initialAdminPasswordFile() {
        return root.resolve("initial-admin-password.txt");
    }

    /** Writes a file readable only by its owner, atomically (temporary file, then rename). */
    public static void writeOwnerOnly(Path file, byte[] content) throws IOException {
        writeAtomically(file, content, true);
    }

    /** Writes a file atomically: a temporary file beside it, fsynced, then renamed over it. */
    public static void writeAtomically(Path file, byte[] content, boolean ownerOnly) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        if (ownerOnly) {
            try {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(tmp);
            }
        }
        try (var ch = java.nio.channels.FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(content));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
