package io.tetradb.server.backup;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An upload's memory does not grow with the archive: a 2 GiB archive (and one byte, so that
 * the last part is short) goes to a real S3 server (s3proxy, in this JVM) from a JVM of its
 * own running with a 64 MiB heap, through {@link S3ArchiveStore#put} as a backup uploads.
 */
@Timeout(600)
class S3UploadMemoryIT {
    static final long SIZE = (2L << 30) + 1;

    @TempDir
    Path dir;

    /** The child JVM: uploads args[5] as args[6] with endpoint args[0], bucket args[1], credentials file args[2]. */
    public static void main(String[] args) throws Exception {
        S3ArchiveStore.Location where = new S3ArchiveStore.Location(args[1], "big/", args[0], "us-east-1", true,
                Path.of(args[2]));
        S3ArchiveStore store = new S3ArchiveStore(where, Path.of(args[3]));
        store.put(args[4], Path.of(args[5]));
        System.out.println("uploaded " + store.location(args[4]) + " heap max " + Runtime.getRuntime().maxMemory());
    }

    @Test
    void aTwoGibArchiveIsUploadedByAJvmWithA64MibHeap() throws Exception {
        try (S3Servers s3 = S3Servers.start(Files.createDirectories(dir.resolve("s3-objects")))) {
            s3.createBucket("big-bucket");
            Path credentials = dir.resolve("credentials");
            Files.writeString(credentials, "aws_access_key_id=" + S3Servers.ACCESS_KEY + "\naws_secret_access_key="
                    + S3Servers.SECRET_KEY + "\n");
            Path staging = Files.createDirectories(dir.resolve("staging"));
            Path archive = staging.resolve("big-0001.tar");
            try (RandomAccessFile f = new RandomAccessFile(archive.toFile(), "rw")) {
                f.setLength(SIZE - 16);
                f.seek(SIZE - 16);
                f.write("the archive ends".getBytes(StandardCharsets.US_ASCII));
            }
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            Path out = dir.resolve("child.out");
            Process p = new ProcessBuilder(List.of(java.toString(), "-Xmx64m", "-XX:+ExitOnOutOfMemoryError",
                    "-cp", System.getProperty("java.class.path"), S3UploadMemoryIT.class.getName(), s3.endpoint(),
                    "big-bucket", credentials.toString(), staging.toString(), "big-0001.tar", archive.toString()))
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            assertThat(p.waitFor(500, TimeUnit.SECONDS)).as("the upload ended").isTrue();
            String output = Files.readString(out);
            assertThat(p.exitValue()).as(output).isZero();
            assertThat(output).contains("uploaded s3://big-bucket/big/big-0001.tar");
            assertThat(s3.size("big-bucket", "big/big-0001.tar")).isEqualTo(SIZE);
            assertThat(s3.tail("big-bucket", "big/big-0001.tar", 16)).isEqualTo("the archive ends");
            assertThat(archive).as("the staged copy is deleted once uploaded").doesNotExist();
        }
    }
}
