package io.tetradb.server.backup;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(30)
class BackupJournalTest {
    @TempDir
    Path dir;

    @Test
    void linesAreTabSeparatedAndVerboseOffKeepsStartsAndErrors() throws Exception {
        BackupJournal j = new BackupJournal(dir);
        j.event(7, "start", true, false, BackupService.fields("origin", "manual", "archive", "/x y/z"));
        j.event(7, "gate-closed", false, false, Map.of("mode", "data"));
        j.event(7, "end", true, false, BackupService.fields("status", "FAILED", "message", "tab\there\nnewline"));
        j.event(8, "gate-closed", false, true, Map.of("mode", "data"));
        List<String> lines = Files.readAllLines(j.file());
        assertThat(lines).hasSize(3);
        String[] first = lines.get(0).split("\t");
        assertThat(first).hasSize(4);
        assertThat(first[1]).isEqualTo("7");
        assertThat(first[2]).isEqualTo("start");
        assertThat(first[3]).isEqualTo("origin=manual archive=\"/x y/z\"");
        assertThat(lines.get(1).split("\t")).hasSize(4);
        assertThat(lines.get(1)).contains("message=\"tab here newline\"");
        assertThat(lines.get(2)).contains("\t8\tgate-closed\t");
        assertThat(j.tail(1)).containsExactly(lines.get(2));
    }

    @Test
    void rotatesAtItsSize() throws Exception {
        BackupJournal j = new BackupJournal(dir, 1000);
        for (int i = 0; i < 50; i++) {
            j.event(i, "phase", false, true, Map.of("filler", "x".repeat(60)));
        }
        assertThat(dir.resolve("backup-journal.1.txt")).exists();
        assertThat(Files.size(j.file())).isLessThanOrEqualTo(1000 + 200);
        assertThat(j.tail(0)).isNotEmpty();
    }
}
