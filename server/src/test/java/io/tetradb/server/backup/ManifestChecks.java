package io.tetradb.server.backup;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks a manifest's checksums against the files of an archive extracted by the system's
 * tar, computed here on their own (plain {@link MessageDigest}, not the server's code), as
 * docs/backups.md ("The manifest") defines them.
 */
public final class ManifestChecks {
    public static final int SEGMENT = 8 << 20;

    private ManifestChecks() {
    }

    /**
     * Every entry of {@code manifest} matches its file under {@code root}: an entry with
     * {@code segmentSha256} segment by segment (8 MiB each) and its {@code sha256} over the
     * segments' 32-byte digests; any other entry its SHA-256, also given by the system's
     * sha256sum. Returns the paths of the entries recorded by segment.
     */
    public static List<String> assertMatches(Path root, JsonNode manifest) throws Exception {
        List<String> segmented = new ArrayList<>();
        for (JsonNode e : manifest.path("entries")) {
            String path = e.path("path").asText();
            Path f = root.resolve(path);
            long size = Files.size(f);
            assertThat(size).as("size of %s", path).isEqualTo(e.path("size").asLong());
            if (e.has("segmentSha256")) {
                segmented.add(path);
                assertThat(e.path("segmentSize").asInt()).as(path).isEqualTo(SEGMENT);
                assertThat(size).as("%s is recorded by segment only when longer than one", path).isGreaterThan(SEGMENT);
                List<byte[]> digests = segmentDigests(f, SEGMENT);
                assertThat(e.path("segmentSha256").size()).as(path).isEqualTo(digests.size())
                        .isEqualTo((int) ((size + SEGMENT - 1) / SEGMENT));
                MessageDigest all = MessageDigest.getInstance("SHA-256");
                for (int i = 0; i < digests.size(); i++) {
                    assertThat(e.path("segmentSha256").get(i).asText()).as("%s segment %d", path, i)
                            .isEqualTo(HexFormat.of().formatHex(digests.get(i)));
                    all.update(digests.get(i));
                }
                assertThat(e.path("sha256").asText()).as(path).isEqualTo(HexFormat.of().formatHex(all.digest()));
            } else {
                assertThat(e.has("segmentSize")).as(path).isFalse();
                assertThat(SystemTar.run(root, "sha256sum", path).substring(0, 64)).as(path)
                        .isEqualTo(e.path("sha256").asText());
            }
        }
        return segmented;
    }

    /** Tests a .tar.zst with the system's zstd ({@code zstd -t}), then decompresses it ({@code zstd -d}) and lists it with tar. */
    public static void zstdTest(Path dir, Path archive) throws Exception {
        SystemTar.run(dir, "zstd", "-q", "-t", archive.toString());
        Path tar = Files.createTempFile(dir, "zstd-d", ".tar");
        Files.delete(tar);
        SystemTar.run(dir, "zstd", "-q", "-d", archive.toString(), "-o", tar.toString());
        assertThat(SystemTar.run(dir, "tar", "-tf", tar.toString()).lines()).contains("MANIFEST.json");
        Files.delete(tar);
    }

    /** Extracts {@code archive} into {@code out} with the system's tar ({@code --zstd} for a .tar.zst). */
    public static void extractWithSystemTar(Path archive, Path out) throws Exception {
        if (archive.getFileName().toString().endsWith(".zst")) {
            SystemTar.run(out, "tar", "--zstd", "-xf", archive.toString());
        } else {
            SystemTar.run(out, "tar", "-xf", archive.toString());
        }
    }

    /**
     * Runs docs/backups.md's shell check ("The manifest": the sh block that reads
     * {@code segmentSha256}) on {@code archive}, as an operator would, and returns what it
     * printed, its temporary files under {@code tmp}; skips the test where one of its tools
     * is missing.
     */
    public static String runDocsShellCheck(Path archive, Path tmp) throws Exception {
        Path page = Path.of("").toAbsolutePath().getParent().resolve("docs").resolve("backups.md");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("```sh\n(.*?)\n```", java.util.regex.Pattern.DOTALL)
                .matcher(Files.readString(page));
        String script = null;
        while (m.find()) {
            if (m.group(1).contains("segmentSha256")) {
                script = m.group(1);
            }
        }
        assertThat(script).as("docs/backups.md's shell check of an archive").isNotNull();
        String example = "/backups/shop/shop-0007.tar";
        assertThat(script).contains(example);
        String tools = "for t in tar sha256sum split basenc jq awk paste; do command -v $t >/dev/null || echo $t; done";
        String missing = SystemTar.run(archive.getParent(), "bash", "-c", tools).strip();
        org.junit.jupiter.api.Assumptions.assumeTrue(missing.isEmpty(), "not installed: " + missing);
        String tar = archive.getFileName().toString().endsWith(".zst") ? "tar --zstd -xf" : "tar -xf";
        Files.createDirectories(tmp);
        return SystemTar.run(archive.getParent(), "bash", "-c", "export TMPDIR='" + tmp + "'\n" +
                script.replace("tar -xf " + example, tar + " '" + archive + "'"));
    }

    /** The SHA-256 of each {@code segment}-byte piece of {@code f}, read here with a plain file. */
    public static List<byte[]> segmentDigests(Path f, int segment) throws IOException {
        List<byte[]> out = new ArrayList<>();
        byte[] buf = new byte[1 << 16];
        try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "r")) {
            long size = r.length();
            for (long at = 0; at < size; at += segment) {
                MessageDigest md;
                try {
                    md = MessageDigest.getInstance("SHA-256");
                } catch (java.security.NoSuchAlgorithmException ex) {
                    throw new IllegalStateException(ex);
                }
                long left = Math.min(segment, size - at);
                r.seek(at);
                while (left > 0) {
                    int n = r.read(buf, 0, (int) Math.min(buf.length, left));
                    md.update(buf, 0, n);
                    left -= n;
                }
                out.add(md.digest());
            }
        }
        return out;
    }
}
