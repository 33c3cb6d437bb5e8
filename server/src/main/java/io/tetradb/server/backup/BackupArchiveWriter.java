package io.tetradb.server.backup;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.luben.zstd.ZstdOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Writes one backup archive: a standard tar (zstd-compressed unless compression is
 * none) whose entries are laid out as the database folder, each entry's SHA-256
 * computed while it is copied, and {@code MANIFEST.json} last. The archive is written
 * under a temporary name in the destination, fsynced, then renamed: a half-written
 * archive never has its final name.
 *
 * <p>Used by one backup thread; a large entry's SHA-256 is computed on a helper thread
 * ("...-sha256") while the backup thread copies it.
 */
final class BackupArchiveWriter implements AutoCloseable {
    /** Progress callback: bytes of content copied since the last call. */
    interface Progress {
        void copied(long bytes) throws IOException;
    }

    /** One archived entry. */
    record Entry(String path, long size, String sha256) {
    }

    private static final int BUFFER = 256 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path target;
    private final Path temp;
    private final FileChannel file;
    private final TarArchiveOutputStream tar;
    private final List<Entry> entries = new ArrayList<>();
    private ExecutorService hasher;
    private boolean finished;

    BackupArchiveWriter(Path target, int zstdLevel) throws IOException {
        this.target = target;
        this.temp = target.resolveSibling("." + target.getFileName() + ".partial");
        Files.deleteIfExists(temp);
        this.file = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        OutputStream out = new BufferedOutputStream(Channels.newOutputStream(file), BUFFER);
        if (zstdLevel > 0) {
            ZstdOutputStream z = new ZstdOutputStream(out, zstdLevel);
            z.setWorkers(Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())));
            out = z;
        }
        tar = new TarArchiveOutputStream(out, BUFFER);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    }

    /** The temporary file being written. */
    Path tempFile() {
        return temp;
    }

    /** Copies {@code size} bytes of {@code in} as entry {@code path}, hashing them on the way. */
    Entry add(String path, long size, long modifiedMillis, InputStream in, Progress progress) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(path);
        e.setSize(size);
        e.setModTime(modifiedMillis);
        e.setMode(0600);
        tar.putArchiveEntry(e);
        MessageDigest sha = sha256();
        long left = size;
        if (size <= BUFFER) {
            byte[] buf = new byte[BUFFER];
            while (left > 0) {
                int n = read(in, buf, left, path, size);
                sha.update(buf, 0, n);
                tar.write(buf, 0, n);
                left -= n;
                progress.copied(n);
            }
        } else {
            // Two buffers: the hasher thread digests one while this thread writes it (both only read it) and
            // then reads the next chunk into the other, so hashing costs no time on a machine with a spare core.
            byte[][] bufs = {new byte[BUFFER], new byte[BUFFER]};
            Future<?> hashing = null;
            int cur = 0;
            while (left > 0) {
                byte[] buf = bufs[cur];
                int n = read(in, buf, left, path, size);
                await(hashing);
                hashing = hasher().submit(() -> sha.update(buf, 0, n));
                tar.write(buf, 0, n);
                left -= n;
                progress.copied(n);
                cur ^= 1;
            }
            await(hashing);
        }
        tar.closeArchiveEntry();
        Entry entry = new Entry(path, size, HexFormat.of().formatHex(sha.digest()));
        entries.add(entry);
        return entry;
    }

    private static int read(InputStream in, byte[] buf, long left, String path, long size) throws IOException {
        int n = in.read(buf, 0, (int) Math.min(buf.length, left));
        if (n < 0) {
            throw new IOException("Entry " + path + " ended after " + (size - left) + " of " + size + " bytes.");
        }
        return n;
    }

    private ExecutorService hasher() {
        if (hasher == null) {
            hasher = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, Thread.currentThread().getName() + "-sha256");
                t.setDaemon(true);
                return t;
            });
        }
        return hasher;
    }

    private static void await(Future<?> f) throws IOException {
        if (f == null) {
            return;
        }
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while hashing.");
        } catch (ExecutionException e) {
            throw new IOException("Hashing failed: " + e.getCause(), e.getCause());
        }
    }

    /** Adds a regular file from disk as entry {@code path}. */
    Entry addFile(String path, Path source, Progress progress) throws IOException {
        long size = Files.size(source);
        try (InputStream in = Files.newInputStream(source)) {
            return add(path, size, Files.getLastModifiedTime(source).toMillis(), in, progress);
        }
    }

    /** Adds an empty folder entry (attachments keep their folder structure). */
    void addFolder(String path) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(path.endsWith("/") ? path : path + "/");
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
    }

    List<Entry> entries() {
        return entries;
    }

    /**
     * Writes MANIFEST.json (with every entry) as the last entry, closes the archive,
     * fsyncs it, renames it to its final name and fsyncs the folder. Returns the size.
     */
    long finish(ObjectNode manifest) throws IOException {
        ArrayNode arr = manifest.putArray("entries");
        for (Entry e : entries) {
            arr.addObject().put("path", e.path()).put("size", e.size()).put("sha256", e.sha256());
        }
        byte[] bytes = JSON.writeValueAsBytes(manifest);
        TarArchiveEntry e = new TarArchiveEntry("MANIFEST.json");
        e.setSize(bytes.length);
        e.setModTime(System.currentTimeMillis());
        e.setMode(0600);
        tar.putArchiveEntry(e);
        tar.write(bytes);
        tar.closeArchiveEntry();
        tar.finish();
        tar.close();
        stopHasher();
        long size;
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            ch.force(true);
            size = ch.size();
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        fsyncFolder(target.getParent());
        finished = true;
        return size;
    }

    private static void fsyncFolder(Path folder) {
        try (FileChannel ch = FileChannel.open(folder, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // not every file system lets a folder be opened for fsync
        }
    }

    /** Deletes the temporary file unless the archive was finished. */
    private void stopHasher() {
        if (hasher != null) {
            hasher.shutdownNow();
            hasher = null;
        }
    }

    @Override
    public void close() {
        stopHasher();
        if (finished) {
            return;
        }
        try {
            tar.close();
        } catch (IOException | RuntimeException ignored) {
            // the partial archive is deleted below
        }
        try {
            file.close();
        } catch (IOException ignored) {
            // idem
        }
        try {
            Files.deleteIfExists(temp);
        } catch (IOException ignored) {
            // a leftover .partial file never has the final name
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
