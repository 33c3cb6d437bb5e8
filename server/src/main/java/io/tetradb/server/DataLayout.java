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

    /**
     * Refuses a folder whose Data/ holds data files but none named after the folder (an
     * archive extracted into a folder of another name, say): the server would otherwise
     * create an empty database beside them. The message says what to rename.
     *
     * @throws IOException when Data/ cannot be listed, or with the refusal
     */
    public void checkDataFileName() throws IOException {
        Path data = dataDir();
        if (!Files.isDirectory(data) || Files.exists(dataFile()) || Files.exists(data.resolve(name + ".h2.db"))) {
            return;
        }
        java.util.List<String> found = new java.util.ArrayList<>();
        try (var ds = Files.newDirectoryStream(data, "*.{mv.db,h2.db}")) {
            for (Path f : ds) {
                if (Files.isRegularFile(f)) {
                    found.add(f.getFileName().toString());
                }
            }
        }
        if (found.isEmpty()) {
            return;
        }
        java.util.Collections.sort(found);
        String first = found.get(0);
        String base = first.substring(0, first.length() - ".mv.db".length());
        throw new IOException("The database folder " + root + " is the database '" + name + "' (a database is named"
                + " after its folder), so its data file is Data/" + name + ".mv.db, but Data/ holds "
                + String.join(", ", found) + " and no " + name + ".mv.db. Tetra does not create an empty database"
                + " beside existing data: rename the folder to '" + base + "', or rename Data/" + first + " to Data/"
                + name + first.substring(base.length()) + ".");
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
