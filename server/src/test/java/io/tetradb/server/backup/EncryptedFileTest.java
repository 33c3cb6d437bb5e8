package io.tetradb.server.backup;

import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** EncryptedFile's chunks: round trips and every tampering case of docs/backup-encryption.md. */
class EncryptedFileTest {
    private static final int CHUNK = EncryptedFile.CHUNK_SIZE + EncryptedFile.TAG;
    private final BackupKey key = BackupKey.of(bytes(32, 1));

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private byte[] seal(byte[] plain, BackupKey k) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (EncryptedFile.EncryptingStream s = new EncryptedFile.EncryptingStream(out, k)) {
            s.write(plain, 0, plain.length);
        }
        return out.toByteArray();
    }

    private byte[] open(byte[] sealed, BackupKey.Source keys) throws IOException {
        try (EncryptedFile.Reader r = new EncryptedFile.Reader(new ByteArrayInputStream(sealed), keys, "The archive x",
                ErrorCode.BACKUP_VERIFY_FAILED)) {
            return r.readAllBytes();
        }
    }

    @Test
    void roundTripsEveryLength() throws IOException {
        for (int n : new int[] {0, 1, EncryptedFile.CHUNK_SIZE - 1, EncryptedFile.CHUNK_SIZE,
                2 * EncryptedFile.CHUNK_SIZE + 5}) {
            byte[] plain = bytes(n, n);
            byte[] sealed = seal(plain, key);
            assertThat(sealed).hasSize(EncryptedFile.HEADER + n + (n / EncryptedFile.CHUNK_SIZE + 1) * EncryptedFile.TAG);
            assertThat(open(sealed, BackupKey.Source.of(key))).isEqualTo(plain);
        }
    }

    @Test
    void detectsTampering() throws IOException {
        byte[] plain = bytes(3 * EncryptedFile.CHUNK_SIZE + 100, 7);
        byte[] sealed = seal(plain, key);
        BackupKey.Source keys = BackupKey.Source.of(key);

        byte[] flipped = sealed.clone();
        flipped[EncryptedFile.HEADER + CHUNK + 10] ^= 1;
        assertThatThrownBy(() -> open(flipped, keys)).isInstanceOf(TetraException.class)
                .hasMessageContaining("fails authentication at its chunk 1");

        byte[] truncated = Arrays.copyOf(sealed, EncryptedFile.HEADER + 3 * CHUNK);
        assertThatThrownBy(() -> open(truncated, keys)).hasMessageContaining("without its final chunk");

        byte[] swapped = sealed.clone();
        System.arraycopy(sealed, EncryptedFile.HEADER, swapped, EncryptedFile.HEADER + CHUNK, CHUNK);
        System.arraycopy(sealed, EncryptedFile.HEADER + CHUNK, swapped, EncryptedFile.HEADER, CHUNK);
        assertThatThrownBy(() -> open(swapped, keys)).hasMessageContaining("fails authentication at its chunk 0");

        byte[] other = seal(plain, key);
        byte[] mixed = sealed.clone();
        System.arraycopy(other, EncryptedFile.HEADER + CHUNK, mixed, EncryptedFile.HEADER + CHUNK, CHUNK);
        assertThatThrownBy(() -> open(mixed, keys)).hasMessageContaining("fails authentication at its chunk 1");

        BackupKey wrong = BackupKey.of(bytes(32, 2));
        assertThatThrownBy(() -> open(sealed, BackupKey.Source.of(wrong)))
                .satisfies(e -> assertThat(((TetraException) e).code()).isEqualTo(ErrorCode.BACKUP_KEY))
                .hasMessageContaining(key.fingerprint()).hasMessageContaining(wrong.fingerprint());
        assertThatThrownBy(() -> open(sealed, BackupKey.Source.NONE))
                .hasMessageContaining(key.fingerprint()).hasMessageContaining("no key is set");
    }

    /** A one-off measure of the throughput (printed, never asserted). */
    @Test
    void throughput() throws IOException {
        byte[] plain = bytes(64 << 20, 3);
        for (int round = 0; round < 4; round++) {
        long t0 = System.nanoTime();
        byte[] sealed = seal(plain, key);
        long t1 = System.nanoTime();
        byte[] back = open(sealed, BackupKey.Source.of(key));
        long t2 = System.nanoTime();
        assertThat(back.length).isEqualTo(plain.length);
        System.out.printf("EncryptedFile 64 MiB (round, JIT warming up): encrypt %.0f MB/s, decrypt %.0f MB/s%n",
                plain.length / 1e6 / ((t1 - t0) / 1e9), plain.length / 1e6 / ((t2 - t1) / 1e9));
        }
    }
}
