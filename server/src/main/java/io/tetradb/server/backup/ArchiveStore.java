package io.tetradb.server.backup;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * Where a database's archives, archived log segments and {@code backup-history.json} are
 * kept: the backup destination (docs/backups.md), a folder ({@link LocalArchiveStore}) or
 * an S3-compatible bucket and prefix ({@link S3ArchiveStore}, docs/s3-destinations.md).
 * Objects are named by their file name alone ({@code testdb-0001.tar.zst}); a store holds
 * them flat, as the folder always did.
 *
 * <p>Writing. An archive or a segment is written to a local file first (the writers need
 * random access to hash what they wrote, see {@link BackupArchiveWriter}), in
 * {@link #staging()}, then {@link #put} makes it an object: for a folder the staging folder
 * is the destination itself and the file is already in place (renamed there by its
 * writer); for a bucket the file is streamed with a multipart upload, each part with its
 * checksum, and becomes visible under its name only when the upload is completed, so a
 * half upload never looks like an archive. Only then does the history list it.
 *
 * <p>Reading is streamed ({@link #open}); {@link #localFile} gives the file itself where
 * there is one (a folder), for the readers that use random access.
 *
 * <p>Errors. A destination that cannot be used (missing, not writable, wrong credentials,
 * a missing bucket, an endpoint that does not answer) is {@link DestinationException}
 * (error 1407), naming the folder or the bucket and endpoint, never a secret.
 *
 * <p>Thread-safe: the backup thread, admin requests and restores use one at a time or
 * together.
 */
public interface ArchiveStore {
    /** An object of the store: its name and size in bytes. */
    record Item(String name, long size) {
    }

    /** A destination that cannot be used (error 1407); the message names it and says why. */
    final class DestinationException extends IOException {
        private static final long serialVersionUID = 1L;

        public DestinationException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The destination as set and shown: a folder path or {@code s3://bucket/prefix}. */
    String describe();

    /** Where object {@code name} is, as shown in records and messages (a path or an {@code s3://} URL). */
    String location(String name);

    /** Whether this is a bucket (objects are uploaded from {@link #staging()}), not a folder. */
    boolean remote();

    /**
     * Checks that the destination can be written (a folder is created when its parent
     * exists; a bucket must exist and accept the credentials).
     *
     * @throws DestinationException when it cannot, naming it and the reason
     */
    void check() throws DestinationException;

    /**
     * The local folder where archives and segments are written before {@link #put}: the
     * destination folder itself, or for a bucket a staging folder beside the database
     * (created owner-only when missing).
     */
    Path staging() throws IOException;

    /**
     * Makes the finished local file {@code file} (in {@link #staging()}) the object
     * {@code name}: nothing to do for a folder (the file is there); for a bucket it is
     * uploaded, completed, and the local file deleted. On failure nothing of it is visible
     * under {@code name} and the local file is deleted.
     */
    void put(String name, Path file) throws IOException;

    /** Every object of the store (the names in the folder, the keys under the prefix), unordered. */
    List<Item> list() throws IOException;

    /** Whether object {@code name} exists. */
    boolean exists(String name) throws IOException;

    /** Reads object {@code name} as a stream (from the start). */
    InputStream open(String name) throws IOException;

    /** The file holding object {@code name} for random access, or null (a bucket: use {@link #open}). */
    Path localFile(String name);

    /** The whole of a small object (the history), or null when it does not exist. */
    byte[] read(String name) throws IOException;

    /** Writes a small object (the history) whole, replacing it atomically. */
    void write(String name, byte[] bytes) throws IOException;

    /** Deletes object {@code name} when it exists. */
    void delete(String name) throws IOException;

    /** The names of every object. */
    default java.util.Set<String> names() throws IOException {
        java.util.Set<String> out = new java.util.HashSet<>();
        for (Item i : list()) {
            out.add(i.name());
        }
        return out;
    }

    /** The SHA-256 (lower-case hex) of object {@code name}, read as a stream. */
    default String sha256(String name) throws IOException {
        java.security.MessageDigest md = SegmentDigests.sha256();
        try (InputStream in = open(name)) {
            byte[] buf = new byte[256 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return java.util.HexFormat.of().formatHex(md.digest());
    }
}
