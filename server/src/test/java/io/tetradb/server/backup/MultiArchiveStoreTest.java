package io.tetradb.server.backup;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link MultiArchiveStore#read} reads as a single store does: the object from the first
 * member that holds it and answers, null when the members that answer do not hold it (even
 * with another member failing), and the first member's error only when every member failed,
 * as {@link MultiArchiveStore#exists} and {@link MultiArchiveStore#list} do. The members are
 * real: folders, and a bucket whose credentials file is missing (it fails at once, with 1407's
 * DestinationException naming that file, without a request).
 */
class MultiArchiveStoreTest {
    private static final String HISTORY = BackupHistory.FILE;

    @TempDir
    Path dir;

    private LocalArchiveStore folder(String name, String history) throws IOException {
        Path f = Files.createDirectories(dir.resolve(name));
        if (history != null) {
            Files.writeString(f.resolve(HISTORY), history);
        }
        return new LocalArchiveStore(f);
    }

    /** A bucket that cannot be used: its credentials file does not exist. */
    private S3ArchiveStore unusable(String name) {
        return new S3ArchiveStore(new S3ArchiveStore.Location("tetra-backups", name + "/", "http://127.0.0.1:9",
                "us-east-1", true, dir.resolve(name + "-credentials-missing")), dir.resolve(name + "-staging"));
    }

    private static MultiArchiveStore multi(ArchiveStore... stores) {
        List<MultiArchiveStore.Member> members = new java.util.ArrayList<>();
        for (int i = 0; i < stores.length; i++) {
            members.add(new MultiArchiveStore.Member("member-" + i, stores[i]));
        }
        return new MultiArchiveStore(members);
    }

    private static String text(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void readsTheFirstMemberThatHoldsTheObject() throws IOException {
        assertThat(text(multi(folder("a", null), folder("b", "b's")).read(HISTORY))).isEqualTo("b's");
        assertThat(text(multi(folder("c", "c's"), folder("d", "d's")).read(HISTORY))).isEqualTo("c's");
        assertThat(text(multi(unusable("e"), folder("f", "f's")).read(HISTORY))).isEqualTo("f's");
        assertThat(text(multi(folder("g", "g's"), unusable("h")).read(HISTORY))).isEqualTo("g's");
    }

    @Test
    void missingWhereTheMembersThatAnswerDoNotHoldIt() throws IOException {
        // As a single folder says of a file it lacks: null.
        assertThat(folder("alone", null).read(HISTORY)).isNull();
        assertThat(multi(folder("a", null), folder("b", null)).read(HISTORY)).isNull();
        // One member failing does not make the object an error while another answers that it lacks it.
        MultiArchiveStore half = multi(unusable("c"), folder("d", null));
        assertThat(half.read(HISTORY)).isNull();
        assertThat(half.exists(HISTORY)).isFalse();
        assertThat(half.list()).isEmpty();
    }

    @Test
    void everyMemberFailingThrowsTheFirstMembersError() {
        MultiArchiveStore none = multi(unusable("first"), unusable("second"));
        for (org.assertj.core.api.ThrowableAssert.ThrowingCallable call : List.<org.assertj.core.api.ThrowableAssert.ThrowingCallable>of(
                () -> none.read(HISTORY), () -> none.exists(HISTORY), none::list)) {
            assertThatThrownBy(call).isInstanceOf(ArchiveStore.DestinationException.class)
                    .hasMessageContaining(dir.resolve("first-credentials-missing").toString())
                    .hasMessageNotContaining("second-credentials-missing");
        }
    }
}
