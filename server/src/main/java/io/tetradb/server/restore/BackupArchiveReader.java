package io.tetradb.server.restore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.luben.zstd.ZstdInputStream;
import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraException;
import io.tetradb.server.DataLayout;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a backup archive: extracts it into a folder (or only hashes it), computing every
 * entry's SHA-256 on the way and checking them against {@code MANIFEST.json}, the last
 * entry. A mismatch, a missing or an unlisted entry is error 1411 naming the entry.
 * What it extracts is owner-only: folders {@code 0700}, files {@code 0600} (docs/security.md).
 *
 * <p>Stateless; any thread.
 */
public final class BackupArchiveReader {
    private BackupArchiveReader() {
    }

    /**
     * Extracts {@code archive} into {@code target} (created if missing) after checking
     * every checksum; returns the manifest. With {@code target} null, only checks.
     */
    public static JsonNode extract(Path archive, Path target) throws IOException {
        Map<String, String> hashes = new LinkedHashMap<>();
        Map<String, Long> sizes = new LinkedHashMap<>();
        JsonNode manifest = null;
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(archive), 256 * 1024);
             InputStream in = isZstd(archive) ? new ZstdInputStream(raw) : raw;
             TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            TarArchiveEntry e;
            byte[] buf = new byte[256 * 1024];
            while ((e = tar.getNextEntry()) != null) {
                String name = e.getName();
                if (name.contains("..") || name.startsWith("/")) {
                    throw new TetraException(ErrorCode.BACKUP_VERIFY_FAILED, "Archive entry " + name + " has an unsafe path.");
                }
                if (manifest != null) {
                    throw new TetraException(ErrorCode.BACKUP_VERIFY_FAILED, "Archive entry " + name + " follows MANIFEST.json.");
                }
                if (name.equals("MANIFEST.json")) {
                    manifest = new ObjectMapper().readTree(tar.readAllBytes());
                    if (target != null) {
                        DataLayout.createOwnerOnlyFolders(target);
                        try (OutputStream m = create(target.resolve("MANIFEST.json"))) {
                            m.write(new ObjectMapper().writeValueAsBytes(manifest));
                        }
                    }
                    continue;
                }
                if (e.isDirectory()) {
                    if (target != null) {
                        DataLayout.createOwnerOnlyFolders(target.resolve(name));
                    }
                    continue;
                }
                MessageDigest sha = sha256();
                long size = 0;
                OutputStream out = null;
                try {
                    if (target != null) {
                        Path p = target.resolve(name);
                        DataLayout.createOwnerOnlyFolders(p.getParent());
                        out = create(p);
                    }
                    int n;
                    while ((n = tar.read(buf)) > 0) {
                        sha.update(buf, 0, n);
                        size += n;
                        if (out != null) {
                            out.write(buf, 0, n);
                        }
                    }
                } finally {
                    if (out != null) {
                        out.close();
                    }
                }
                hashes.put(name, HexFormat.of().formatHex(sha.digest()));
                sizes.put(name, size);
            }
        } catch (TetraException e) {
            throw e;
        } catch (IOException e) {
            throw new TetraException(ErrorCode.BACKUP_VERIFY_FAILED, "The archive " + archive.getFileName()
                    + " cannot be read: " + e.getMessage(), e);
        }
        if (manifest == null) {
            throw new TetraException(ErrorCode.BACKUP_VERIFY_FAILED, "The archive " + archive.getFileName()
                    + " has no MANIFEST.json: it is incomplete.");
        }
        Map<String, String> listed = new LinkedHashMap<>();
        for (JsonNode en : manifest.path("entries")) {
            String path = en.path("path").asText();
            listed.put(path, en.path("sha256").asText());
            String actual = hashes.get(path);
            if (actual == null) {
                throw new TetraException(ErrorCode.BACKUP_VERIFY_FAILED, "Archive entry " + path + " is missing.");
            }
            if (!actual.equals(en.path("sha256").asText()) || sizes.get(path) != en.path("size").asLong()) {
                throw new TetraException(ErrorCode.BACKUP_VERIFY_FAILED, "Archive entry " + path
                        + " does not match its checksum.");
            }
        }
        for (String name : hashes.keySet()) {
            if (!listed.containsKey(name)) {
                throw new TetraException(ErrorCode.BACKUP_VERIFY_FAILED, "Archive entry " + name
                        + " is not in the manifest.");
            }
        }
        return manifest;
    }

    /** A file for an extracted entry, created owner-only (docs/security.md); an existing one is overwritten. */
    private static OutputStream create(Path p) throws IOException {
        return Channels.newOutputStream(Files.newByteChannel(p, EnumSet.of(StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING), DataLayout.ownerOnlyFile(p)));
    }

    private static boolean isZstd(Path archive) throws IOException {
        try (InputStream in = Files.newInputStream(archive)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && (magic[0] & 0xFF) == 0x28 && (magic[1] & 0xFF) == 0xB5
                    && (magic[2] & 0xFF) == 0x2F && (magic[3] & 0xFF) == 0xFD;
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
