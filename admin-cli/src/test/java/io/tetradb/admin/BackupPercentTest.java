package io.tetradb.admin;

import io.tetradb.protocol.BackupProgress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shell's wait notice and the backup progress bar, given the same progress, show the
 * same percentage (both are {@link Display#percent}).
 */
@Timeout(30)
class BackupPercentTest {
    private static final Pattern PERCENT = Pattern.compile("(\\d+\\.\\d%)");

    private static String percentIn(String text) {
        Matcher m = PERCENT.matcher(text);
        assertThat(m.find()).as(text).isTrue();
        return m.group(1);
    }

    private static BackupProgress progress(long done, long total) {
        return BackupProgress.newBuilder().setBackupNumber(4).setPhase("copying data").setBytesDone(done)
                .setBytesTotal(total).setPercent(total == 0 ? 0 : 100.0 * done / total).build();
    }

    @Test
    void theWaitNoticeAndTheBarAgree() {
        long[][] cases = {{0, 1000}, {4196, 10000}, {9996, 10000}, {413, 1000}, {1, 3}, {2, 3}, {1000, 1000},
                {0, 0}, {123_456_789, 987_654_321}};
        for (long[] c : cases) {
            BackupProgress p = progress(c[0], c[1]);
            String notice = percentIn(BackupWaitPrompt.waitingMessage(4, p));
            String bar = percentIn(BackupProgressBar.line(p));
            assertThat(notice).as("%d of %d", c[0], c[1]).isEqualTo(bar);
        }
    }

    @Test
    void aPercentIsCutToATenthSoThatOnlyTheEndShows100() {
        assertThat(Display.percent(41.96)).isEqualTo("41.9%");
        assertThat(Display.percent(99.96)).isEqualTo("99.9%");
        assertThat(Display.percent(100.0 * 413 / 1000)).isEqualTo("41.3%");
        assertThat(Display.percent(100)).isEqualTo("100.0%");
        assertThat(Display.percent(Double.NaN)).isEqualTo("0.0%");
        assertThat(Display.percent(-3)).isEqualTo("0.0%");
        assertThat(Display.percent(140)).isEqualTo("100.0%");
        assertThat(BackupWaitPrompt.waitingMessage(4, progress(4196, 10000)))
                .isEqualTo("Database backup 4 in progress (41.9%) — your statement waits. Press c then Enter to cancel,"
                        + " Enter to keep waiting.");
    }
}
