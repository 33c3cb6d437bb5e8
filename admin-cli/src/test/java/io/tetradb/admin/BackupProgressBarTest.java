package io.tetradb.admin;

import io.tetradb.protocol.BackupProgress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The backup progress line, redrawn at a terminal and printed sparingly elsewhere. */
@Timeout(30)
class BackupProgressBarTest {
    private static BackupProgress progress(String phase, long done, long total, double rate, long eta, int queued) {
        return BackupProgress.newBuilder().setBackupNumber(7).setPhase(phase).setBytesDone(done).setBytesTotal(total)
                .setBytesPerSecond(rate).setEtaMillis(eta).setQueuedWrites(queued)
                .setPercent(total == 0 ? 0 : 100.0 * done / total).setCurrentFile("Data/db.mv.db").build();
    }

    @Test
    void aLineShowsBarPercentPhaseBytesRateEtaAndQueuedWrites() {
        String line = BackupProgressBar.line(progress("copying data", 1024 * 1024, 4 * 1024 * 1024, 2 * 1024 * 1024,
                1500, 3));
        assertThat(line).isEqualTo("Backup 7 [######------------------]  25.0%  copying data  1.0 MiB / 4.0 MiB"
                + "  2.0 MiB/s  ETA 1s  3 writes queued");
    }

    @Test
    void theEtaIsUnknownUntilThereIsARateAndZeroAtTheEnd() {
        assertThat(BackupProgressBar.line(progress("waiting for transactions", 0, 100, 0, 0, 1)))
                .contains("[------------------------]   0.0%  waiting for transactions  0 B / 100 B  0 B/s  ETA --"
                        + "  1 write queued");
        assertThat(BackupProgressBar.line(progress("writing manifest", 100, 100, 50, 0, 0)))
                .contains("[########################] 100.0%").contains("ETA 0s").contains("0 writes queued");
    }

    @Test
    void atATerminalTheLineIsRedrawnInPlaceAndEndedOnce() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream to = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        BackupProgressBar bar = new BackupProgressBar(to, true);
        BackupProgress longer = progress("waiting for transactions", 0, 100, 0, 0, 12);
        BackupProgress shorter = progress("copying data", 50, 100, 10, 5000, 0);
        bar.update(longer);
        bar.update(shorter);
        bar.end();
        bar.end();
        String l1 = BackupProgressBar.line(longer);
        String l2 = BackupProgressBar.line(shorter);
        assertThat(l1.length()).isGreaterThan(l2.length());
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo("\r" + l1 + "\r" + l2
                + " ".repeat(l1.length() - l2.length()) + System.lineSeparator());
    }

    @Test
    void elsewhereALineIsPrintedPerPhaseAndPerTenth() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream to = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        BackupProgressBar bar = new BackupProgressBar(to, false);
        bar.update(progress("waiting for transactions", 0, 1000, 0, 0, 0));
        bar.update(progress("waiting for transactions", 0, 1000, 0, 0, 0));
        bar.update(progress("copying data", 10, 1000, 10, 0, 0));
        bar.update(progress("copying data", 50, 1000, 10, 0, 0));
        bar.update(progress("copying data", 120, 1000, 10, 0, 0));
        bar.update(progress("copying data", 150, 1000, 10, 0, 0));
        bar.update(progress("copying data", 1000, 1000, 10, 0, 0));
        bar.end();
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\\R");
        assertThat(lines).hasSize(4);
        assertThat(lines[0]).contains("0.0%  waiting for transactions");
        assertThat(lines[1]).contains("1.0%  copying data");
        assertThat(lines[2]).contains("12.0%  copying data");
        assertThat(lines[3]).contains("100.0%  copying data");
    }
}
