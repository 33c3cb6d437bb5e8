package io.tetradb.server.restore;

import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraClient;
import io.tetradb.client.TetraException;
import io.tetradb.protocol.ReplacedEntry;
import io.tetradb.protocol.ReplacedFilesList;
import io.tetradb.protocol.ReplacedFilesRemoved;
import io.tetradb.protocol.ReplacedFolder;
import io.tetradb.protocol.RestoreBackup;
import io.tetradb.protocol.RestoreReport;
import io.tetradb.server.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.tetradb.server.restore.RestoreFixtures.backup;
import static io.tetradb.server.restore.RestoreFixtures.fails;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code tetra-admin replaced list | remove}: the {@code Replaced Files (...)} folders that
 * in-place restores, rollbacks, the automatic restore and conversions leave are listed with
 * what put them there, their entries, sizes and file counts, and removed (a folder, an entry,
 * or all) without following a symbolic link out; never beside an in-place restore; admin only.
 */
@Timeout(180)
class ReplacedFilesIT extends RestoreTestServer {
    private static final RestoreBackup ARCHIVE_ALONE = RestoreBackup.newBuilder().setNumber(1).setInPlace(true)
            .setNoLog(true).build();

    ReplacedFilesIT() {
        super(200, true);
    }

    /** Bytes and files under {@code p}, links not followed (as the server counts them). */
    private static long[] measure(Path p) throws IOException {
        long[] t = new long[2];
        try (Stream<Path> s = Files.walk(p)) {
            for (Path f : s.toList()) {
                if (!Files.isDirectory(f, LinkOption.NOFOLLOW_LINKS)) {
                    t[0] += Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS) ? Files.size(f) : 0;
                    t[1]++;
                }
            }
        }
        return t;
    }

    private static ReplacedFolder folder(ReplacedFilesList l, String name) {
        return l.getFoldersList().stream().filter(f -> f.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no folder " + name + " in " + l));
    }

    @Test
    void listsEveryReplacedFilesFolderAndRemovesAnEntryAFolderAndAll() throws Exception {
        backup(admin);
        RestoreReport first = admin.admin().restore(ARCHIVE_ALONE);
        RestoreReport second = admin.admin().restore(ARCHIVE_ALONE);
        Path root = server.layout().root();
        // What a conversion (in Data/) and the automatic restore at start leave.
        Path conversion = Files.createDirectories(root.resolve("Data").resolve("Replaced Files (conversion)"));
        Files.write(conversion.resolve("old.h2.db"), new byte[4096]);
        Path damaged = Files.createDirectories(root.resolve("Replaced Files (damaged)").resolve("20261201-101530")
                .resolve("Data"));
        Files.write(damaged.resolve("testdb.mv.db"), new byte[1000]);

        ReplacedFilesList l = admin.admin().replacedFiles();
        assertThat(l.getFoldersList()).extracting(ReplacedFolder::getName).containsExactlyInAnyOrder(
                "Replaced Files (restore)", "Replaced Files (damaged)", "Data/Replaced Files (conversion)");
        ReplacedFolder restore = folder(l, "Replaced Files (restore)");
        assertThat(restore.getKind()).isEqualTo("restore");
        assertThat(restore.getOrigin()).contains("in-place restore");
        assertThat(restore.getEntriesList()).extracting(ReplacedEntry::getName).containsExactly(
                Path.of(first.getReplacedFilesDir()).getFileName().toString(),
                Path.of(second.getReplacedFilesDir()).getFileName().toString());
        long[] restoreSize = measure(root.resolve("Replaced Files (restore)"));
        assertThat(restore.getSizeBytes()).isEqualTo(restoreSize[0]).isPositive();
        assertThat(restore.getFiles()).isEqualTo(restoreSize[1]);
        assertThat(restore.getOldestMillis()).isPositive().isLessThanOrEqualTo(restore.getNewestMillis());
        assertThat(folder(l, "Data/Replaced Files (conversion)").getOrigin()).contains("conversion");
        assertThat(folder(l, "Data/Replaced Files (conversion)").getSizeBytes()).isEqualTo(4096);
        assertThat(folder(l, "Replaced Files (damaged)").getOrigin()).contains("automatic restore");
        assertThat(folder(l, "Replaced Files (damaged)").getEntries(0).getFiles()).isEqualTo(1);
        assertThat(l.getTotalBytes()).isEqualTo(restoreSize[0] + 4096 + 1000);
        assertThat(admin.admin().status().getReplacedFilesBytes()).isEqualTo(l.getTotalBytes());

        // One entry, by the folder's kind.
        String oldest = restore.getEntries(0).getName();
        ReplacedFilesRemoved one = admin.admin().removeReplacedFiles("restore/" + oldest);
        assertThat(one.getRemovedList()).containsExactly("Replaced Files (restore)/" + oldest);
        assertThat(one.getFreedBytes()).isEqualTo(restore.getEntries(0).getSizeBytes());
        assertThat(one.getFiles()).isEqualTo(restore.getEntries(0).getFiles());
        assertThat(Path.of(first.getReplacedFilesDir())).doesNotExist();
        assertThat(Path.of(second.getReplacedFilesDir())).isDirectory();

        // A folder, by its name.
        ReplacedFilesRemoved folder = admin.admin().removeReplacedFiles("Data/Replaced Files (conversion)");
        assertThat(folder.getRemovedList()).containsExactly("Data/Replaced Files (conversion)");
        assertThat(folder.getFreedBytes()).isEqualTo(4096);
        assertThat(conversion).doesNotExist();

        // All the rest.
        long rest = admin.admin().replacedFiles().getTotalBytes();
        ReplacedFilesRemoved all = admin.admin().removeAllReplacedFiles();
        assertThat(all.getRemovedList()).containsExactlyInAnyOrder("Replaced Files (restore)",
                "Replaced Files (damaged)");
        assertThat(all.getFreedBytes()).isEqualTo(rest);
        assertThat(admin.admin().replacedFiles().getFoldersList()).isEmpty();
        assertThat(admin.admin().status().getReplacedFilesBytes()).isZero();
        // The database itself is untouched.
        assertThat(admin.execute("SELECT COUNT(*) FROM T").rows().get(0).getLong(0)).isEqualTo(200L);
    }

    @Test
    void removingNeverFollowsASymbolicLinkOutOfTheFolder() throws Exception {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(outside.resolve("keep.txt"), "not the server's to delete");
        Path entry = Files.createDirectories(server.layout().root().resolve("Replaced Files (restore)")
                .resolve("20261201-101530"));
        Files.writeString(entry.resolve("a.txt"), "12345");
        Files.createSymbolicLink(entry.resolve("to-folder"), outside);
        Files.createSymbolicLink(entry.resolve("to-file"), outside.resolve("keep.txt"));
        // A Replaced Files folder that is itself a link is not one of the database's.
        Files.createSymbolicLink(server.layout().root().resolve("Replaced Files (rollback)"), outside);

        ReplacedFilesList l = admin.admin().replacedFiles();
        assertThat(l.getFoldersList()).extracting(ReplacedFolder::getName).containsExactly("Replaced Files (restore)");
        assertThat(l.getTotalBytes()).isEqualTo(5);
        assertThat(l.getFolders(0).getFiles()).isEqualTo(3);

        // A name that climbs out is no entry.
        for (String climbing : new String[] {"restore/..", "restore/../../outside", "restore/../Data"}) {
            TetraException e = fails(() -> admin.admin().removeReplacedFiles(climbing));
            assertThat(e.code()).as(climbing).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        }
        assertThat(server.layout().dataDir()).isDirectory();

        ReplacedFilesRemoved r = admin.admin().removeAllReplacedFiles();
        assertThat(r.getFreedBytes()).isEqualTo(5);
        assertThat(server.layout().root().resolve("Replaced Files (restore)")).doesNotExist();
        assertThat(outside.resolve("keep.txt")).content().isEqualTo("not the server's to delete");
        assertThat(server.layout().root().resolve("Replaced Files (rollback)")).isSymbolicLink();
        assertThat(outside).isDirectory();
    }

    @Test
    void unknownNamesNonAdminsAndARunningRestoreAreRefused() throws Exception {
        backup(admin);
        admin.admin().restore(ARCHIVE_ALONE);
        TetraException unknown = fails(() -> admin.admin().removeReplacedFiles("conversion"));
        assertThat(unknown.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(unknown.getMessage()).contains("Replaced Files (restore)");

        try (TetraClient bob = TestServers.connect(server, "bob", "bob-secret-1")) {
            assertThat(fails(() -> bob.admin().replacedFiles()).code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
            assertThat(fails(() -> bob.admin().removeAllReplacedFiles()).code())
                    .isEqualTo(ErrorCode.PERMISSION_DENIED);
        }

        // While an in-place restore runs (here: bringing the archive forward, before the maintenance).
        CompletableFuture<Throwable> duringRestore = new CompletableFuture<>();
        try (TetraClient other = TestServers.admin(server)) {
            server.restores().onServingPassDone(() -> {
                try {
                    other.admin().removeReplacedFiles("restore");
                    duringRestore.complete(new AssertionError("removed during the restore"));
                } catch (Throwable t) {
                    duringRestore.complete(t);
                }
            });
            admin.admin().restoreInPlace(1);
        }
        assertThat(duringRestore.get(10, TimeUnit.SECONDS)).isInstanceOfSatisfying(TetraException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.LOG_INTEGRATION_RUNNING);
            assertThat(e.getMessage()).contains("in-place restore");
        });
        assertThat(admin.admin().replacedFiles().getFolders(0).getEntriesCount()).isEqualTo(2);
    }
}
