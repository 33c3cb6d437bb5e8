package io.tetradb.server.convert;

import org.h2.mvstore.DataUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** Format detection from the header alone, whatever the file is called. */
@Timeout(30)
class FormatDetectorTest {
    @TempDir
    Path dir;

    /** A block with an MVStore header as H2 writes it (checksum over every byte, as H2 2 does). */
    static byte[] mvHeader(int format) {
        String s = "H:2,block:2,blockSize:1000,chunk:1,clean:1,created:18a0b1c2d3e,format:" + Integer.toHexString(format)
                + ",version:1";
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        String full = s + ",fletcher:" + Integer.toHexString(DataUtils.getFletcher32(b, 0, b.length)) + "\n";
        byte[] block = Arrays.copyOf(full.getBytes(StandardCharsets.ISO_8859_1), 2 * 4096);
        System.arraycopy(block, 0, block, 4096, 4096);
        return block;
    }

    @Test
    void mvStoreFormatsAreReadFromTheHeader() throws Exception {
        for (int f = 1; f <= 4; f++) {
            Path p = dir.resolve("f" + f + ".data");
            Files.write(p, mvHeader(f));
            assertThat(FormatDetector.detect(p)).isEqualTo(DataFileFormat.mvStore(f));
        }
        assertThat(DataFileFormat.mvStore(1).needsConversion()).isTrue();
        assertThat(DataFileFormat.mvStore(2).needsConversion()).isTrue();
        assertThat(DataFileFormat.mvStore(3).isCurrent()).isTrue();
        assertThat(DataFileFormat.mvStore(4).isNewer()).isTrue();
        assertThat(DataFileFormat.mvStore(4).describe()).contains("newer than this server knows");
    }

    @Test
    void aDamagedFirstHeaderFallsBackToTheSecondCopy() throws Exception {
        byte[] b = mvHeader(1);
        b[20] = 'X';
        Path p = dir.resolve("damaged.mv.db");
        Files.write(p, b);
        assertThat(FormatDetector.detect(p)).isEqualTo(DataFileFormat.mvStore(1));
    }

    @Test
    void pageStoreAndForeignFilesAreRecognized() throws Exception {
        Path ps = dir.resolve("old.h2.db");
        Files.write(ps, Arrays.copyOf("-- H2 0.5/B -- \n-- H2 0.5/B -- \n-- H2 0.5/B -- \n"
                .getBytes(StandardCharsets.ISO_8859_1), 4096));
        assertThat(FormatDetector.detect(ps)).isEqualTo(DataFileFormat.pageStore());
        assertThat(DataFileFormat.pageStore().needsConversion()).isTrue();
        assertThat(DataFileFormat.pageStore().readerVersion()).isEqualTo(LegacyEngines.FORMAT1_VERSION);

        Path text = dir.resolve("notes.mv.db");
        Files.writeString(text, "hello, this is not a database");
        assertThat(FormatDetector.detect(text).kind()).isEqualTo(DataFileFormat.Kind.UNKNOWN);
        Path empty = dir.resolve("empty.mv.db");
        Files.createFile(empty);
        assertThat(FormatDetector.detect(empty).kind()).isEqualTo(DataFileFormat.Kind.UNKNOWN);
    }
}
