package io.tetradb.server.backup;

import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;

/**
 * The key of encrypted archives and log segments ({@code archive.keyFile}, docs/backup-encryption.md):
 * 32 bytes, read from a file outside the database folder that only its owner may read or write
 * (POSIX mode 0600 or 0400; a file that its group or others may use is refused). The file holds
 * the key as 32 raw bytes, as 64 hexadecimal digits, or as the base64 of the 32 bytes (44
 * characters); spaces and line ends around the text are ignored. Its fingerprint, which the
 * encrypted files' headers, the manifest and {@code backup-history.json} name, is the first 16
 * bytes of the SHA-256 of the 32 raw bytes, in lower-case hex (what {@code sha256sum} of a raw key
 * file starts with). The key itself never enters an archive, a log or a message.
 *
 * <p>Immutable; any thread.
 */
public final class BackupKey {
    /** Bytes of an AES-256 key. */
    public static final int LENGTH = 32;
    /** Bytes of the fingerprint (shown as twice as many hex digits). */
    public static final int FINGERPRINT_LENGTH = 16;
    /** A key file longer than this is not a key file. */
    private static final int MAX_FILE = 4096;
    private static final Set<PosixFilePermission> NOT_OWNER = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private final byte[] bytes;
    private final String fingerprint;
    private final Path file;

    private BackupKey(byte[] bytes, Path file) {
        this.bytes = bytes;
        this.fingerprint = fingerprintOf(bytes);
        this.file = file;
    }

    /** A key from its 32 bytes (tests, and the tools that already hold one). */
    public static BackupKey of(byte[] key) {
        if (key.length != LENGTH) {
            throw new IllegalArgumentException("A backup key has " + LENGTH + " bytes, not " + key.length + ".");
        }
        return new BackupKey(key.clone(), null);
    }

    /** The fingerprint of a 32-byte key: the first 16 bytes of its SHA-256, lower-case hex. */
    public static String fingerprintOf(byte[] key) {
        return HexFormat.of().formatHex(Arrays.copyOf(BackupArchiveWriter.sha256().digest(key), FINGERPRINT_LENGTH));
    }

    /**
     * Reads the key in {@code file}.
     *
     * @throws TetraException 1414 naming the file and what is wrong with it
     */
    public static BackupKey load(Path file) {
        try {
            return read(file);
        } catch (Problem p) {
            throw new TetraException(ErrorCode.BACKUP_KEY, "The archive key file " + file + " " + p.getMessage() + ".");
        }
    }

    /** What is wrong with key file {@code file} ("is readable by others ..."), or null when it holds a usable key. */
    static String problem(Path file) {
        try {
            read(file);
            return null;
        } catch (Problem p) {
            return p.getMessage();
        }
    }

    private static BackupKey read(Path file) throws Problem {
        if (!Files.exists(file)) {
            throw new Problem("does not exist");
        }
        if (!Files.isRegularFile(file)) {
            throw new Problem("is not a regular file");
        }
        PosixFileAttributeView posix = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (posix != null) {
            Set<PosixFilePermission> perms;
            try {
                perms = posix.readAttributes().permissions();
            } catch (IOException e) {
                throw new Problem("cannot be read (" + e.getMessage() + ")");
            }
            Set<PosixFilePermission> open = EnumSet.copyOf(perms);
            open.retainAll(NOT_OWNER);
            if (!open.isEmpty()) {
                throw new Problem("may be used by others than its owner (mode " + PosixFilePermissions.toString(perms)
                        + "): a key file must be owner-only; chmod 600 it (or 400)");
            }
        }
        byte[] content;
        try (InputStream in = Files.newInputStream(file)) {
            content = in.readNBytes(MAX_FILE + 1);
        } catch (IOException e) {
            throw new Problem("cannot be read (" + e.getMessage() + ")");
        }
        try {
            byte[] key = parse(content);
            if (key == null) {
                throw new Problem("does not hold a key: it must hold 32 raw bytes, 64 hexadecimal digits or the base64"
                        + " of 32 bytes (for example made with: openssl rand -hex 32)");
            }
            return new BackupKey(key, file);
        } finally {
            Arrays.fill(content, (byte) 0);
        }
    }

    /** The 32 bytes a key file's content holds, or null. */
    static byte[] parse(byte[] content) {
        if (content.length == LENGTH) {
            return content.clone();
        }
        if (content.length > MAX_FILE) {
            return null;
        }
        String text = new String(content, StandardCharsets.US_ASCII).strip();
        if (text.matches("[0-9a-fA-F]{64}")) {
            return HexFormat.of().parseHex(text);
        }
        if (text.matches("[A-Za-z0-9+/]{43}=")) {
            byte[] b = Base64.getDecoder().decode(text);
            return b.length == LENGTH ? b : null;
        }
        return null;
    }

    /** The key's fingerprint (32 hex digits). */
    public String fingerprint() {
        return fingerprint;
    }

    /** The file it was read from, or null. */
    public Path file() {
        return file;
    }

    /** The key's bytes (a copy). */
    byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public String toString() {
        return "BackupKey[" + fingerprint + "]";
    }

    private static final class Problem extends Exception {
        private static final long serialVersionUID = 1L;

        Problem(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Where a reader of encrypted files finds the key a file names by its fingerprint: a
     * key file (the settings' {@code archive.keyFile}, or the {@code --key-file} of
     * {@code tetra-admin backup decrypt}), loaded once, on the first encrypted file.
     */
    public static final class Source {
        /** No key: an encrypted file is refused (1414) with the fingerprint it needs. */
        public static final Source NONE = new Source(null, null, "archive.keyFile");

        private final Path file;
        private final String setting;
        private BackupKey loaded;

        private Source(Path file, BackupKey loaded, String setting) {
            this.file = file;
            this.loaded = loaded;
            this.setting = setting;
        }

        /** The key in {@code file} (null: none), named {@code setting} in messages ("archive.keyFile"). */
        public static Source file(Path file, String setting) {
            return new Source(file, null, setting);
        }

        /** A key already loaded. */
        public static Source of(BackupKey key) {
            return new Source(key.file(), key, "archive.keyFile");
        }

        /** The settings' key file ({@code archive.keyFile}), whether or not encryption is on. */
        public static Source of(BackupSettings settings) {
            return settings.keyFile() == null ? NONE : file(settings.keyFile(), "archive.keyFile");
        }

        /**
         * The key of fingerprint {@code fingerprint} for the encrypted file {@code what}
         * ("The archive shop-0007.tar.zst.enc").
         *
         * @throws TetraException 1414 when there is no key, it cannot be read, or it is another key
         */
        public synchronized BackupKey key(String fingerprint, String what) {
            if (loaded == null) {
                if (file == null) {
                    throw new TetraException(ErrorCode.BACKUP_KEY, what + " is encrypted with the key of fingerprint "
                            + fingerprint + ", and no key is set: set " + setting + " to that key's file.");
                }
                try {
                    loaded = load(file);
                } catch (TetraException e) {
                    throw new TetraException(ErrorCode.BACKUP_KEY, what + " is encrypted with the key of fingerprint "
                            + fingerprint + ", which cannot be read: " + e.getMessage());
                }
            }
            if (!loaded.fingerprint().equals(fingerprint)) {
                throw new TetraException(ErrorCode.BACKUP_KEY, what + " is encrypted with the key of fingerprint "
                        + fingerprint + ", but " + setting + (file != null ? " (" + file + ")" : "")
                        + " holds the key of fingerprint " + loaded.fingerprint()
                        + ": set it to the key the file was encrypted with.");
            }
            return loaded;
        }
    }
}
