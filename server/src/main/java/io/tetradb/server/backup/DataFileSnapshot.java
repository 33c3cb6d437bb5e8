package io.tetradb.server.backup;

import org.h2.mvstore.FileStore;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.db.Store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A consistent copy of H2's MVStore data file taken while the server keeps running.
 *
 * <p>The method, taken once the write gate is closed and no transaction holds
 * uncommitted changes (so the store holds exactly the state at gate close):
 * <ol>
 *   <li>A checkpoint of the server ({@code MVStore.commit()} while no session changes the
 *       engine) writes every committed change to the file, and the file is synced (the closed log segment leaves {@code Data/} after the copy).</li>
 *   <li>Inside {@code FileStore.executeFileStoreOperation} — which waits for H2's
 *       background writer to finish and keeps it out meanwhile — free-space reuse is
 *       switched off (as H2's own BACKUP does: new chunks then only go after the used
 *       part of the file, never over a chunk of this version), the current version is
 *       registered as in use (so no chunk it needs is freed, and the file is never
 *       truncated below it, whatever compaction does), the file's length is noted, and
 *       the two header blocks are read. The header read here matches the chunks below
 *       that length.</li>
 *   <li>The rest of the file, up to that length, is read afterwards without any lock.
 *       No chunk of the noted version changes meanwhile, but the new chunks H2 writes
 *       (compaction, background commits) go after the version's chunks and may fall
 *       inside the copied length; such a chunk is either complete in the copy (and
 *       holds the same logical data) or rejected by H2's chunk checksums when the copy is
 *       opened, which then reads the noted version. The archive's checksum is of the
 *       bytes archived, whatever they are.</li>
 *   <li>{@link #close} deregisters the version and restores space reuse.</li>
 * </ol>
 * Readers are never blocked: H2's readers need none of these locks.
 *
 * <p>Used on the backup thread.
 */
final class DataFileSnapshot implements AutoCloseable {
    private static final int HEADER_BYTES = 2 * 4096;
    private static final Pattern FORMAT = Pattern.compile("format:([0-9a-f]+)");

    private final MVStore store;
    private final FileStore<?> fileStore;
    private final FileChannel channel;
    private final boolean reuseBefore;
    private final MVStore.TxCounter versionUsage;
    private final long length;
    private final byte[] header;

    private DataFileSnapshot(MVStore store, FileStore<?> fileStore, FileChannel channel, boolean reuseBefore,
                             MVStore.TxCounter versionUsage, long length, byte[] header) {
        this.store = store;
        this.fileStore = fileStore;
        this.channel = channel;
        this.reuseBefore = reuseBefore;
        this.versionUsage = versionUsage;
        this.length = length;
        this.header = header;
    }

    /** Takes the snapshot of {@code file}, the data file of {@code engineStore}. */
    /** What writes every committed change to the data file (the server's checkpoint). */
    @FunctionalInterface
    interface Writer {
        void write() throws IOException;
    }

    static DataFileSnapshot take(Store engineStore, Path file, Writer writeChanges) throws IOException {
        MVStore mv = engineStore.getMvStore();
        FileStore<?> fs = mv.getFileStore();
        writeChanges.write();
        // On disk before the backup moves the log segment it just closed out of Data/: after a power
        // loss the data file must still hold that segment's operations, which recovery no longer reads.
        fs.sync();
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        try {
            Object[] taken = new Object[4];
            IOException[] failure = new IOException[1];
            fs.executeFileStoreOperation(() -> {
                taken[0] = fs.isSpaceReused();
                fs.setReuseSpace(false);
                taken[1] = mv.registerVersionUsage();
                try {
                    long len = ch.size();
                    byte[] head = new byte[(int) Math.min(HEADER_BYTES, len)];
                    readFully(ch, ByteBuffer.wrap(head), 0);
                    taken[2] = len;
                    taken[3] = head;
                } catch (IOException e) {
                    failure[0] = e;
                }
            });
            if (failure[0] != null) {
                mv.deregisterVersionUsage((MVStore.TxCounter) taken[1]);
                fs.setReuseSpace((Boolean) taken[0]);
                throw failure[0];
            }
            return new DataFileSnapshot(mv, fs, ch, (Boolean) taken[0], (MVStore.TxCounter) taken[1],
                    (Long) taken[2], (byte[]) taken[3]);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                // the file ends early: the rest is free space; zeros keep the length
                while (buf.hasRemaining()) {
                    buf.put((byte) 0);
                }
                return;
            }
            pos += n;
        }
    }

    /** The length of the copy in bytes. */
    long length() {
        return length;
    }

    /** H2's file format number from the header (3 for H2 2.2 and later), or -1. */
    int fileFormat() {
        Matcher m = FORMAT.matcher(new String(header, StandardCharsets.ISO_8859_1));
        return m.find() ? Integer.parseInt(m.group(1), 16) : -1;
    }

    /**
     * The copy's bytes for the archive: the header read under the store's lock, then the
     * file up to {@link #length()} (zeros past its end, should it be shorter).
     */
    BackupArchiveWriter.Source source() {
        return new BackupArchiveWriter.Source(header, channel, length, true);
    }

    @Override
    public void close() throws IOException {
        try {
            store.deregisterVersionUsage(versionUsage);
            fileStore.setReuseSpace(reuseBefore);
        } finally {
            channel.close();
        }
    }
}
