package io.tetradb.server.restore;

import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraException;
import io.tetradb.protocol.ReplacedEntry;
import io.tetradb.protocol.ReplacedFilesList;
import io.tetradb.protocol.ReplacedFilesRemoved;
import io.tetradb.protocol.ReplacedFolder;
import io.tetradb.server.DataLayout;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The {@code Replaced Files (...)} folders of a database (docs/database-folder.md, docs/restore-with-log.md): what an
 * in-place restore ({@code restore}), a rollback ({@code rollback}), the automatic restore
 * at start ({@code damaged}, in the database folder) and a conversion ({@code conversion}, in
 * {@code Data/}) keep of the files they replaced. {@link #list} tells each folder's kind, what
 * put it there, its entries (a restore's {@code <yyyyMMdd-HHmmss>} folders, a conversion's
 * files), their times, sizes and file counts; {@link #remove} deletes a folder, one entry or
 * all of them. Deleting stays inside those folders: symbolic links are removed as links and
 * never followed, and a folder that is itself a link is not listed.
 *
 * <p>Stateless; runs on the requesting admin session's worker task (the status's size too).
 * {@link RestoreService} keeps a removal from running beside an in-place restore.
 */
final class ReplacedFiles {
    static final String PREFIX = "Replaced Files (";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT);

    private final DataLayout layout;

    ReplacedFiles(DataLayout layout) {
        this.layout = layout;
    }

    /** What a folder of this kind holds, in words. */
    static String origin(String kind) {
        return switch (kind) {
            case "restore" -> "in-place restores (tetra-admin restore --in-place): the files each replaced";
            case "rollback" -> "rollbacks (tetra-admin rollback): the files each replaced";
            case "damaged" -> "the automatic restore at start: the damaged data files it replaced";
            case "conversion" -> "conversions of an older H2's data file: the originals";
            default -> "not made by this version of the server";
        };
    }

    /** A folder found: its path, its name from the database folder, its kind. */
    private record Found(Path path, String name, String kind) {
    }

    /** The Replaced Files folders in the database folder and in Data/, by name. */
    private List<Found> folders() throws IOException {
        List<Found> found = new ArrayList<>();
        for (Path parent : List.of(layout.root(), layout.dataDir())) {
            if (!Files.isDirectory(parent)) {
                continue;
            }
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(parent)) {
                for (Path p : ds) {
                    String n = p.getFileName().toString();
                    if (n.startsWith(PREFIX) && n.endsWith(")") && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                        found.add(new Found(p, layout.root().relativize(p).toString().replace('\\', '/'),
                                n.substring(PREFIX.length(), n.length() - 1)));
                    }
                }
            }
        }
        found.sort(Comparator.comparing(Found::name));
        return found;
    }

    /** Bytes and files under a path, links not followed (a link counts as a file of 0 bytes). */
    private record Size(long bytes, long files) {
    }

    private static Size size(Path p) throws IOException {
        long[] t = new long[2];
        Files.walkFileTree(p, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes a) {
                t[0] += a.isRegularFile() ? a.size() : 0;
                t[1]++;
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE;
            }
        });
        return new Size(t[0], t[1]);
    }

    /** A restore's entry is named after its time; other entries are dated by the file system. */
    private static long time(Path entry) throws IOException {
        String n = entry.getFileName().toString();
        if (n.length() >= 15) {
            try {
                return LocalDateTime.parse(n.substring(0, 15), STAMP).atZone(ZoneId.systemDefault()).toInstant()
                        .toEpochMilli();
            } catch (DateTimeParseException e) {
                // not a stamp
            }
        }
        return Files.getLastModifiedTime(entry, LinkOption.NOFOLLOW_LINKS).toMillis();
    }

    /** {@code tetra-admin replaced list}. */
    ReplacedFilesList list() throws IOException {
        ReplacedFilesList.Builder l = ReplacedFilesList.newBuilder();
        long total = 0;
        for (Found f : folders()) {
            ReplacedFolder.Builder b = ReplacedFolder.newBuilder().setName(f.name()).setKind(f.kind())
                    .setOrigin(origin(f.kind()));
            List<ReplacedEntry> entries = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(f.path())) {
                for (Path e : ds) {
                    Size s = size(e);
                    entries.add(ReplacedEntry.newBuilder().setName(e.getFileName().toString())
                            .setModifiedMillis(time(e)).setSizeBytes(s.bytes()).setFiles(s.files()).build());
                }
            }
            entries.sort(Comparator.comparingLong(ReplacedEntry::getModifiedMillis)
                    .thenComparing(ReplacedEntry::getName));
            long bytes = entries.stream().mapToLong(ReplacedEntry::getSizeBytes).sum();
            b.addAllEntries(entries).setSizeBytes(bytes)
                    .setFiles(entries.stream().mapToLong(ReplacedEntry::getFiles).sum());
            if (!entries.isEmpty()) {
                b.setOldestMillis(entries.get(0).getModifiedMillis())
                        .setNewestMillis(entries.get(entries.size() - 1).getModifiedMillis());
            }
            total += bytes;
            l.addFolders(b);
        }
        return l.setTotalBytes(total).build();
    }

    /** The size of every Replaced Files folder together (the status shows it). */
    long totalBytes() throws IOException {
        long total = 0;
        for (Found f : folders()) {
            total += size(f.path()).bytes();
        }
        return total;
    }

    /**
     * {@code tetra-admin replaced remove NAME | --all}: NAME is a folder as listed
     * ({@code Replaced Files (restore)}, {@code Data/Replaced Files (conversion)}), its kind
     * ({@code restore}), or either followed by {@code /ENTRY} for one entry.
     *
     * @throws TetraException 2010 for a name that names nothing (or several folders), 1409 when
     *                        something could not be deleted (what was freed until then is said)
     */
    ReplacedFilesRemoved remove(String name, boolean all) throws IOException {
        List<Found> folders = folders();
        List<Path> targets = new ArrayList<>();
        if (all) {
            if (name != null && !name.isBlank()) {
                throw new TetraException(ErrorCode.INVALID_ARGUMENT, "Name a folder or ask for all of them, not both.");
            }
            folders.forEach(f -> targets.add(f.path()));
        } else {
            targets.add(resolve(folders, name));
        }
        ReplacedFilesRemoved.Builder r = ReplacedFilesRemoved.newBuilder();
        for (Path t : targets) {
            Size s = size(t);
            try {
                io.tetradb.server.FileTrees.deleteTree(t);
            } catch (IOException e) {
                throw new TetraException(ErrorCode.BACKUP_IO, "Could not remove everything in "
                        + layout.root().relativize(t) + ": " + e.getMessage() + " (" + r.getFreedBytes()
                        + " bytes were freed before it).", e);
            }
            r.addRemoved(layout.root().relativize(t).toString().replace('\\', '/'))
                    .setFreedBytes(r.getFreedBytes() + s.bytes()).setFiles(r.getFiles() + s.files());
        }
        return r.build();
    }

    /** The folder or entry {@code name} names. */
    private Path resolve(List<Found> folders, String name) {
        String n = name == null ? "" : name.trim().replace('\\', '/');
        while (n.endsWith("/")) {
            n = n.substring(0, n.length() - 1);
        }
        if (n.isEmpty()) {
            throw new TetraException(ErrorCode.INVALID_ARGUMENT, "Name the Replaced Files folder to remove "
                    + "(tetra-admin replaced list shows them), or ask for all of them.");
        }
        List<Path> matches = new ArrayList<>();
        for (Found f : folders) {
            for (String alias : List.of(f.name(), f.kind(), f.path().getFileName().toString())) {
                if (n.equals(alias)) {
                    addOnce(matches, f.path());
                } else if (n.startsWith(alias + "/")) {
                    String entry = n.substring(alias.length() + 1);
                    Path p = f.path().resolve(entry);
                    if (isPlainName(entry) && Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                        addOnce(matches, p);
                    }
                }
            }
        }
        if (matches.size() > 1) {
            throw new TetraException(ErrorCode.INVALID_ARGUMENT, "'" + name + "' names several folders: "
                    + String.join(", ", matches.stream().map(p -> layout.root().relativize(p).toString()).toList())
                    + "; name one by its path.");
        }
        if (matches.isEmpty()) {
            throw new TetraException(ErrorCode.INVALID_ARGUMENT, "No Replaced Files folder or entry '" + name + "'"
                    + (folders.isEmpty() ? ": there are none." : "; there are: " + String.join(", ",
                    folders.stream().map(Found::name).toList()) + " (tetra-admin replaced list shows their entries)."));
        }
        return matches.get(0);
    }

    private static void addOnce(List<Path> l, Path p) {
        if (!l.contains(p)) {
            l.add(p);
        }
    }

    private static boolean isPlainName(String n) {
        return !n.isEmpty() && !n.contains("/") && !n.equals(".") && !n.equals("..");
    }
}
