package io.tetradb.server.backup;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraException;
import io.tetradb.server.restore.BackupArchiveReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** An encrypted archive written by BackupArchiveWriter reads back through BackupArchiveReader (and only with its key). */
class EncryptedArchiveTest {
    @TempDir
    Path dir;

    @Test
    void encryptedArchivesRoundTripWithAndWithoutCompression() throws Exception {
        byte[] k = new byte[32];
        new Random(5).nextBytes(k);
        BackupKey key = BackupKey.of(k);
        byte[] data = new byte[20 << 20];
        new Random(6).nextBytes(data);
        Path src = dir.resolve("data.bin");
        Files.write(src, data);
        for (int level : new int[] {0, 1}) {
            Path archive = dir.resolve("a" + level + ".tar" + (level > 0 ? ".zst" : "") + EncryptedFile.SUFFIX);
            try (BackupArchiveWriter w = new BackupArchiveWriter(archive, level, 0, key)) {
                w.addFile("Data/testdb.mv.db", src, n -> { });
                w.finish(new ObjectMapper().createObjectNode().put("number", 1));
            }
            assertThat(EncryptedFile.isEncrypted(archive)).isTrue();
            assertThat(EncryptedFile.fingerprint(archive)).isEqualTo(key.fingerprint());
            Path out = dir.resolve("out" + level);
            BackupArchiveReader.extract(archive, out, BackupKey.Source.of(key));
            assertThat(Files.readAllBytes(out.resolve("Data/testdb.mv.db"))).isEqualTo(data);
            assertThatThrownBy(() -> BackupArchiveReader.extract(archive, null))
                    .satisfies(e -> assertThat(((TetraException) e).code()).isEqualTo(ErrorCode.BACKUP_KEY))
                    .hasMessageContaining(key.fingerprint());
            byte[] bytes = Files.readAllBytes(archive);
            bytes[bytes.length / 2] ^= 1;
            Path damaged = dir.resolve("damaged" + level + EncryptedFile.SUFFIX);
            Files.write(damaged, bytes);
            assertThatThrownBy(() -> BackupArchiveReader.extract(damaged, null, BackupKey.Source.of(key)))
                    .satisfies(e -> assertThat(((TetraException) e).code()).isEqualTo(ErrorCode.BACKUP_VERIFY_FAILED))
                    .hasMessageContaining("fails authentication");
        }
    }
}
