package io.tetradb.server.restore;

import io.tetradb.protocol.ArchiveWindow;
import io.tetradb.protocol.BackupWindow;
import io.tetradb.protocol.LogGap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.tetradb.server.restore.RestoreFixtures.backup;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code backup window} (docs/restore-with-log.md): what each archive can be brought to, and the gaps. */
@Timeout(120)
class BackupWindowIT extends RestoreTestServer {
    BackupWindowIT() {
        super(10, false);
    }

    @Test
    void everyArchiveReachesTheLastCommitWhileTheLogIsUnbrokenAndAGapStopsThoseBeforeIt() throws Exception {
        long first = backup(admin).getNumber();
        long held1 = server.logs().log().lastOperation();
        admin.update("INSERT INTO T VALUES (101, 'segment 2')");
        backup(admin);
        long held2 = server.logs().log().lastOperation();
        admin.update("INSERT INTO T VALUES (102, 'segment 3')");
        backup(admin);
        admin.update("INSERT INTO T VALUES (103, 'current log')");
        long last = server.logs().log().lastOperation();

        BackupWindow w = admin.admin().backupWindow();
        assertThat(w.getLogLastOperation()).isEqualTo(last);
        assertThat(w.getGapsList()).isEmpty();
        assertThat(w.getArchivesList()).extracting(ArchiveWindow::getNumber).containsExactly(first, 2L, 3L);
        ArchiveWindow a1 = w.getArchives(0);
        assertThat(a1.getLogPosition()).isTrue();
        assertThat(a1.getFromOperation()).isEqualTo(held1);
        assertThat(a1.getToOperation()).isEqualTo(last);
        assertThat(a1.getToCurrent()).isTrue();

        // Segment 3 (the operations between archives 2 and 3) damaged: archives 1 and 2 stop before it.
        Path seg3 = dir.resolve("testdb-backups").resolve("testdb-0003.journal.zst");
        byte[] b = Files.readAllBytes(seg3);
        b[b.length - 9] ^= 0x01;
        Files.write(seg3, b);
        BackupWindow broken = admin.admin().backupWindow();
        assertThat(broken.getArchives(0).getToOperation()).isEqualTo(held2);
        assertThat(broken.getArchives(0).getToCurrent()).isFalse();
        assertThat(broken.getArchives(1).getToOperation()).isEqualTo(held2);
        assertThat(broken.getArchives(2).getToCurrent()).isTrue();
        assertThat(broken.getGapsList()).singleElement().satisfies(g -> {
            assertThat(g.getFirstOperation()).isEqualTo(held2 + 1);
            assertThat(g.getSegment()).isEqualTo("testdb-0003.journal.zst");
            assertThat(g.getReason()).startsWith("damaged");
        });

        Files.delete(seg3);
        LogGap missing = admin.admin().backupWindow().getGaps(0);
        assertThat(missing.getReason()).isEqualTo("missing");
        assertThat(missing.getSegment()).isEqualTo("testdb-0003.journal.zst");
        assertThat(missing.getFirstOperation()).isEqualTo(held2 + 1);
    }
}
