package io.tetradb.server.backup;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The tar headers the archive writer writes, read back by Commons Compress (the restore side) and GNU tar. */
@Timeout(60)
class TarHeadersTest {
    @TempDir
    Path dir;

    private static List<TarArchiveEntry> read(byte[] archive) throws Exception {
        List<TarArchiveEntry> out = new ArrayList<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(archive))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                out.add(e);
            }
        }
        return out;
    }

    private static void entry(ByteArrayOutputStream out, byte[] header, byte[] content) {
        out.writeBytes(header);
        out.writeBytes(content);
        out.writeBytes(new byte[TarHeaders.padding(content.length)]);
    }

    @Test
    void shortLongAndNonAsciiPathsFoldersAndTheTrailer() throws Exception {
        String longPath = "Attachments/" + "folder-with-a-long-name/".repeat(6) + "file.txt";
        String unicode = "Attachments/données/файл.txt";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        entry(out, TarHeaders.file("Data/testdb.mv.db", 3, 1_700_000_000_000L), new byte[] {1, 2, 3});
        entry(out, TarHeaders.file(longPath, 5, 1_700_000_000_000L), "hello".getBytes(StandardCharsets.US_ASCII));
        entry(out, TarHeaders.file(unicode, 0, 1_700_000_000_000L), new byte[0]);
        entry(out, TarHeaders.folder("Attachments/empty", 1_700_000_000_000L), new byte[0]);
        out.writeBytes(new byte[TarHeaders.trailer(out.size())]);
        byte[] archive = out.toByteArray();
        assertThat(archive.length % TarHeaders.BLOCK).isZero();
        assertThat(longPath.length()).isGreaterThan(100);

        List<TarArchiveEntry> entries = read(archive);
        assertThat(entries).extracting(TarArchiveEntry::getName)
                .containsExactly("Data/testdb.mv.db", longPath, unicode, "Attachments/empty/");
        assertThat(entries.get(0).getSize()).isEqualTo(3);
        assertThat(entries.get(0).getMode() & 0777).isEqualTo(0600);
        assertThat(entries.get(0).getModTime().getTime()).isEqualTo(1_700_000_000_000L);
        assertThat(entries.get(1).getSize()).isEqualTo(5);
        assertThat(entries.get(3).isDirectory()).isTrue();

        Path tar = dir.resolve("a.tar");
        Files.write(tar, archive);
        String listing = SystemTar.run(dir, "tar", "-tf", tar.toString());
        assertThat(listing.lines().toList())
                .containsExactly("Data/testdb.mv.db", longPath, unicode, "Attachments/empty/");
    }

    @Test
    void aSizeOver8GiBGoesInAPaxHeader() throws Exception {
        long size = (9L << 30) + 7;
        assertThat(size).isGreaterThan(TarHeaders.MAX_USTAR_SIZE);
        byte[] header = TarHeaders.file("Data/big.mv.db", size, 1_700_000_000_000L);
        // A sparse file: the header, a hole as long as the content, the trailer.
        Path tar = dir.resolve("big.tar");
        long contentEnd = header.length + size + TarHeaders.padding(size);
        try (RandomAccessFile f = new RandomAccessFile(tar.toFile(), "rw")) {
            f.write(header);
            f.setLength(contentEnd + TarHeaders.trailer(contentEnd));
        }
        try (InputStream in = Files.newInputStream(tar); TarArchiveInputStream t = new TarArchiveInputStream(in)) {
            TarArchiveEntry e = t.getNextEntry();
            assertThat(e.getName()).isEqualTo("Data/big.mv.db");
            assertThat(e.getSize()).isEqualTo(size);
        }
        assertThat(SystemTar.run(dir, "tar", "-tvf", tar.toString())).contains(Long.toString(size))
                .contains("Data/big.mv.db");
    }

    @Test
    void paddingAndTrailer() {
        assertThat(TarHeaders.padding(0)).isZero();
        assertThat(TarHeaders.padding(1)).isEqualTo(511);
        assertThat(TarHeaders.padding(512)).isZero();
        assertThat(TarHeaders.padding(513)).isEqualTo(511);
        assertThat(TarHeaders.trailer(0)).isEqualTo(TarHeaders.BLOCK);
        assertThat(TarHeaders.trailer(TarHeaders.BLOCK - 1024)).isEqualTo(1024);
        assertThat(TarHeaders.trailer(TarHeaders.BLOCK - 512)).isEqualTo(1024 + TarHeaders.BLOCK - 512);
    }
}
