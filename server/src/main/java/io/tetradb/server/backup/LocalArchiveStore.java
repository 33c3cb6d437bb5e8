package io.tetradb.server.backup;

import io.tetradb.server.DataLayout;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A backup destination that is a folder (docs/backups.md): objects are its regular files;
 * writers write into it directly (under a temporary name, renamed when complete), so
 * {@link #put} has nothing left to do. Stateless beyond its folder; thread-safe.
 */
public final class LocalArchiveStore implements ArchiveStore {
    private final Path folder;

    public LocalArchiveStore(Path folder) {
        this.folder = folder;
    }

    /** The folder. */
    public Path folder() {
        return folder;
    }

    @Override
    public String describe() {
        return folder.toString();
    }

    @Override
    public String location(String name) {
        return folder.resolve(name).toString();
    }

    @Override
    public boolean remote() {
        return false;
    }

    /** Checks (and creates when its parent exists) the folder, and that it is writable (1407). */
    @Override
    public void check() throws DestinationException {
        Path dest = folder;
        if (!Files.exists(dest)) {
            Path parent = dest.toAbsolutePath().getParent();
            try {
                if (parent != null && Files.isDirectory(parent)) {
                    DataLayout.createOwnerOnlyFolders(dest);
                }
            } catch (IOException e) {
                throw new DestinationException("The backup destination " + dest
                        + " is missing and cannot be created: " + e.getMessage(), e);
            }
            if (!Files.isDirectory(dest)) {
                throw new DestinationException("The backup destination " + dest + " is missing.", null);
            }
        }
        if (!Files.isDirectory(dest)) {
            throw new DestinationException("The backup destination " + dest + " is not a folder.", null);
        }
        Path probe = dest.resolve(".tetra-write-probe");
        try {
            Files.deleteIfExists(probe);
            Files.createFile(probe);
            Files.delete(probe);
        } catch (IOException e) {
            throw new DestinationException("The backup destination " + dest + " is not writable: " + e.getMessage(), e);
        }
    }

    @Override
    public Path staging() {
        return folder;
    }

    @Override
    public void put(String name, Path file) throws IOException {
        Path target = folder.resolve(name);
        if (!file.toAbsolutePath().normalize().equals(target.toAbsolutePath().normalize())) {
            Files.move(file, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
    }

    @Override
    public List<Item> list() throws IOException {
        List<Item> out = new ArrayList<>();
        if (!Files.isDirectory(folder)) {
            return out;
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(folder)) {
            files = s.toList();
        }
        for (Path p : files) {
            try {
                if (Files.isRegularFile(p)) {
                    out.add(new Item(p.getFileName().toString(), Files.size(p)));
                }
            } catch (NoSuchFileException gone) {
                // deleted meanwhile (retention)
            }
        }
        return out;
    }

    @Override
    public boolean exists(String name) {
        return Files.isRegularFile(folder.resolve(name));
    }

    @Override
    public InputStream open(String name) throws IOException {
        return Files.newInputStream(folder.resolve(name));
    }

    @Override
    public Path localFile(String name) {
        return folder.resolve(name);
    }

    @Override
    public byte[] read(String name) throws IOException {
        Path p = folder.resolve(name);
        return Files.isRegularFile(p) ? Files.readAllBytes(p) : null;
    }

    @Override
    public void write(String name, byte[] bytes) throws IOException {
        DataLayout.writeAtomically(folder.resolve(name), bytes, true);
    }

    @Override
    public void delete(String name) throws IOException {
        Files.deleteIfExists(folder.resolve(name));
    }
}
