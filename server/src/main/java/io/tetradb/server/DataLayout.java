package io.tetradb.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The files of one database folder (docs/database-folder.md): where each lives, and the
 * folders created on first start; and the owner-only file modes (docs/security.md) that the
 * server gives what holds secrets or data: files {@code 0600} ({@code rw-------}), folders
 * {@code 0700} ({@code rwx------}). On a file system without POSIX permissions these
 * helpers create files and folders with that file system's defaults.
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

    /** Owner-only mode of files that hold secrets or data. */
    public static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    /** Owner-only mode of folders that hold such files. */
    public static final Set<PosixFilePermission> FOLDER_MODE = PosixFilePermissions.fromString("rwx------");

    /**
     * Creates the folders of the layout that are missing: the database folder and its
     * folders owner-only (an existing folder keeps its mode, the operator's choice).
     */
    public void createFolders() throws IOException {
        if (root.getParent() != null) {
            Files.createDirectories(root.getParent());
        }
        for (Path p : List.of(root, structureDir(), dataDir(), settingsDir(), logsDir())) {
            if (!Files.isDirectory(p)) {
                createOwnerOnlyFolder(p);
            }
        }
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
        List<String> found = new java.util.ArrayList<>();
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

    /** The log file: every committed operation since the last data backup (docs/log-file.md). */
    public Path logFile() {
        return dataDir().resolve(name + ".journal");
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

    /** Creates {@code dir} and its missing parents up to an existing folder, each created one owner-only. */
    public static void createOwnerOnlyFolders(Path dir) throws IOException {
        Deque<Path> missing = new ArrayDeque<>();
        for (Path p = dir.toAbsolutePath().normalize(); p != null && !Files.isDirectory(p); p = p.getParent()) {
            missing.push(p);
        }
        while (!missing.isEmpty()) {
            Path p = missing.pop();
            try {
                createOwnerOnlyFolder(p);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                if (!Files.isDirectory(p)) {
                    throw e;
                }
            }
        }
    }

    private static void createOwnerOnlyFolder(Path p) throws IOException {
        try {
            Files.createDirectory(p, PosixFilePermissions.asFileAttribute(FOLDER_MODE));
        } catch (UnsupportedOperationException e) {
            Files.createDirectory(p);
        }
    }

    /** The attribute that creates a file owner-only ({@code 0600}), for {@code Files.newByteChannel} and the like. */
    public static FileAttribute<?>[] ownerOnlyFile(Path where) {
        return supportsPosix(where) ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE_MODE)}
                : new FileAttribute<?>[0];
    }

    private static boolean supportsPosix(Path where) {
        Path p = where.toAbsolutePath();
        return p.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    /**
     * Makes {@code root} and everything under it owner-only: folders {@code 0700}, files
     * {@code 0600} (an executable bit is not kept). Symbolic links are not followed.
     */
    public static void restrictTree(Path root) throws IOException {
        if (root == null || !Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS) || !supportsPosix(root)) {
            return;
        }
        List<Path> all;
        try (Stream<Path> s = Files.walk(root)) {
            all = s.toList();
        }
        for (Path p : all) {
            if (Files.isSymbolicLink(p)) {
                continue;
            }
            Files.setPosixFilePermissions(p, Files.isDirectory(p) ? FOLDER_MODE : FILE_MODE);
        }
    }

    /** Writes a file readable only by its owner, atomically (temporary file, then rename). */
    public static void writeOwnerOnly(Path file, byte[] content) throws IOException {
        writeAtomically(file, content, true);
    }

    /**
     * Writes a file atomically: a temporary file beside it, fsynced, then renamed over it.
     * {@code ownerOnly} makes it {@code 0600}; otherwise a file that existed keeps its mode
     * (an owner-only restored file stays owner-only when the server rewrites it).
     */
    public static void writeAtomically(Path file, byte[] content, boolean ownerOnly) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Set<PosixFilePermission> keep = null;
        if (!ownerOnly && Files.isRegularFile(file) && supportsPosix(file)) {
            keep = Files.getPosixFilePermissions(file);
        }
        if (keep != null) {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(keep));
            // The umask may have narrowed the mode given at creation.
            Files.setPosixFilePermissions(tmp, keep);
        } else if (ownerOnly) {
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
