package io.tetradb.server.convert;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Copies each original a conversion replaces into {@code Replaced Files (conversion)}
 * beside it (docs/conversion.md, step 4): written under a temporary name, forced to disk, then
 * renamed, so a copy under its final name is always complete. A copy an interrupted
 * earlier attempt left, identical byte for byte, is kept rather than made again; a
 * different file of that name is never overwritten (the copy gets a numbered name).
 * {@link #undo} removes what this run made, so a failed conversion leaves nothing behind.
 *
 * <p>The conversion's thread.
 */
final class SafetyCopies {
    static final String PARTIAL = ".partial";
    private final List<Path> createdFiles = new ArrayList<>();
    private final List<Path> createdFolders = new ArrayList<>();
    private final List<Path> copies = new ArrayList<>();

    /**
     * Copies {@code original} into {@code folder}; {@code progress} is told the bytes copied
     * so far. Returns the copy.
     */
    Path copy(Path original, Path folder, LongConsumer progress) throws IOException {
        if (!Files.isDirectory(folder)) {
            Files.createDirectories(folder);
            createdFolders.add(folder);
        }
        removePartials(folder);
        String name = original.getFileName().toString();
        Path target = folder.resolve(name);
        for (int n = 2; Files.exists(target); n++) {
            if (Files.size(target) == Files.size(original) && Files.mismatch(target, original) == -1) {
                // Left by an interrupted attempt: already a complete, identical copy.
                progress.accept(Files.size(original));
                copies.add(target);
                return target;
            }
            target = folder.resolve(name + " (" + n + ")");
        }
        Path tmp = target.resolveSibling(target.getFileName() + PARTIAL);
        try (FileChannel in = FileChannel.open(original, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            createdFiles.add(tmp);
            long size = in.size();
            long done = 0;
            while (done < size) {
                long n = in.transferTo(done, Math.min(64L * 1024 * 1024, size - done), out);
                if (n <= 0) {
                    throw new IOException("The copy of " + original + " stopped at byte " + done + ".");
                }
                done += n;
                progress.accept(done);
                if (Thread.currentThread().isInterrupted()) {
                    throw new java.io.InterruptedIOException("The safety copy was interrupted.");
                }
            }
            out.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        createdFiles.remove(tmp);
        createdFiles.add(target);
        copies.add(target);
        forceDirectory(folder);
        return target;
    }

    /** The copies this run made or found. */
    List<Path> copies() {
        return copies;
    }

    /** Removes the copies this run made (not those an earlier attempt left) and the folders it created, if empty. */
    void undo() {
        for (Path p : createdFiles) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // best effort: a leftover copy is harmless
            }
        }
        for (Path f : createdFolders) {
            try {
                Files.deleteIfExists(f);
            } catch (IOException ignored) {
                // not empty (an earlier attempt's copies): kept
            }
        }
    }

    /** Deletes copies an interrupted run left unfinished (their temporary names). */
    static void removePartials(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(folder, "*" + PARTIAL)) {
            for (Path p : ds) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Makes a rename in {@code dir} durable (where the platform allows opening a folder). */
    static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // not supported here (Windows): the rename is as durable as the platform makes it
        }
    }
}
