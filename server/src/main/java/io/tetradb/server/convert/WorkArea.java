package io.tetradb.server.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tetradb.client.ErrorCode;
import io.tetradb.server.DataLayout;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The folder a conversion works in ({@code .tetra-conversion-<name>} beside the new data
 * file): the export script and the new database are built there, so that the originals
 * are not touched until everything is verified. A lock file keeps a second conversion of
 * the same data file out. The switch to the new files is one journal ({@code install.json}:
 * moves, deletions, files emptied) written before any of it is done, so that a
 * conversion interrupted while switching is finished by the next attempt (or the next
 * server start), and one interrupted before leaves only this folder, which the next
 * attempt removes.
 *
 * <p>The conversion's thread (or the server's main thread at start).
 */
final class WorkArea implements AutoCloseable {
    static final String PREFIX = ".tetra-conversion-";
    private static final String JOURNAL = "install.json";
    private static final String LOCK = ".lock";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private WorkArea(Path dir, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Takes the work folder {@code dir}: finishes a switch an interrupted conversion
     * journaled, removes what an interrupted conversion left otherwise, and locks it.
     *
     * @param notes told what was found and done about leftovers
     */
    static WorkArea acquire(Path dir, List<String> notes) throws IOException {
        Files.createDirectories(dir);
        FileChannel ch = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock l;
        try {
            l = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null;
        }
        if (l == null) {
            ch.close();
            throw new ConversionException(ErrorCode.CONVERSION_FAILED, "Another conversion of this data file is "
                    + "running (" + dir + " is locked).", "Wait for it to end.");
        }
        WorkArea w = new WorkArea(dir, ch, l);
        if (Files.exists(dir.resolve(JOURNAL))) {
            notes.add("An interrupted conversion had verified its result and begun replacing the originals; "
                    + "its replacement was finished now.");
            w.runJournal();
            w.clear();
        } else if (w.hasLeftovers()) {
            notes.add("What an interrupted conversion left in " + dir + " was removed (the originals were never "
                    + "changed by it).");
            w.clear();
        }
        return w;
    }

    /** Finishes the journaled switch of every interrupted conversion in {@code dataDir}; returns what it did. */
    static List<String> resumePending(Path dataDir) throws IOException {
        List<String> notes = new ArrayList<>();
        if (!Files.isDirectory(dataDir)) {
            return notes;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dataDir, PREFIX + "*")) {
            for (Path d : ds) {
                if (Files.isDirectory(d) && Files.exists(d.resolve(JOURNAL))) {
                    try (WorkArea w = acquire(d, notes)) {
                        w.delete();
                    }
                }
            }
        }
        return notes;
    }

    /** Whether an interrupted conversion's work folder is in {@code dataDir} (journaled or not). */
    static boolean hasInterrupted(Path dataDir) throws IOException {
        if (!Files.isDirectory(dataDir)) {
            return false;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dataDir, PREFIX + "*")) {
            return ds.iterator().hasNext();
        }
    }

    Path dir() {
        return dir;
    }

    private boolean hasLeftovers() throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (!p.getFileName().toString().equals(LOCK)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Removes everything but the lock. */
    void clear() throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (!p.getFileName().toString().equals(LOCK)) {
                    deleteTree(p);
                }
            }
        }
    }

    /** One journal entry: move (from, to), delete (path), empty (path: an empty file). */
    record Op(String op, Path from, Path to) {
        static Op move(Path from, Path to) {
            return new Op("move", from, to);
        }

        static Op delete(Path p) {
            return new Op("delete", null, p);
        }

        static Op empty(Path p) {
            return new Op("empty", null, p);
        }
    }

    /** Writes the switch journal (durably), then carries it out. From here on the conversion is committed. */
    void install(List<Op> ops) throws IOException {
        ArrayNode arr = JSON.createArrayNode();
        for (Op o : ops) {
            ObjectNode n = arr.addObject();
            n.put("op", o.op());
            if (o.from() != null) {
                n.put("from", o.from().toString());
            }
            n.put("to", o.to().toString());
        }
        DataLayout.writeAtomically(dir.resolve(JOURNAL), JSON.writerWithDefaultPrettyPrinter()
                .writeValueAsBytes(arr), false);
        SafetyCopies.forceDirectory(dir);
        runJournal();
    }

    private void runJournal() throws IOException {
        JsonNode arr = JSON.readTree(Files.readString(dir.resolve(JOURNAL), StandardCharsets.UTF_8));
        for (JsonNode n : arr) {
            String op = n.get("op").asText();
            Path to = Path.of(n.get("to").asText());
            switch (op) {
                case "move" -> {
                    Path from = Path.of(n.get("from").asText());
                    if (Files.exists(from)) {
                        Files.createDirectories(to.getParent());
                        try {
                            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                        } catch (java.nio.file.AtomicMoveNotSupportedException e) {
                            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
                        }
                        SafetyCopies.forceDirectory(to.getParent());
                    }
                }
                case "delete" -> Files.deleteIfExists(to);
                case "empty" -> {
                    Files.createDirectories(to.getParent());
                    try (FileChannel ch = FileChannel.open(to, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                            StandardOpenOption.TRUNCATE_EXISTING)) {
                        ch.force(true);
                    }
                }
                default -> throw new IOException("Unknown step '" + op + "' in " + dir.resolve(JOURNAL));
            }
        }
    }

    /** Releases the lock and removes the folder. */
    void delete() throws IOException {
        close();
        deleteTree(dir);
    }

    @Override
    public void close() throws IOException {
        if (lock.isValid()) {
            lock.release();
        }
        lockChannel.close();
    }

    static void deleteTree(Path p) throws IOException {
        io.tetradb.server.FileTrees.deleteTree(p);
    }
}
