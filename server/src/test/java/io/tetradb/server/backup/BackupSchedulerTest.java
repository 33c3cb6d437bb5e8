package io.tetradb.server.backup;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraException;
import io.tetradb.server.DataLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.LocalDateTime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The calendar of schedules, cron expressions and settings validation. */
@Timeout(30)
class BackupSchedulerTest {
    private static final DataLayout LAYOUT = new DataLayout(Path.of("/tmp/does-not-matter/db"));

    private static BackupSettings settings(String yaml) throws Exception {
        return BackupSettings.parse(new ObjectMapper(new YAMLFactory()).readTree(yaml), LAYOUT);
    }

    private static LocalDateTime t(String s) {
        return LocalDateTime.parse(s);
    }

    @Test
    void never() throws Exception {
        assertThat(BackupScheduler.nextRun(settings("{}"), t("2026-03-04T10:00"))).isNull();
    }

    @Test
    void everyNHoursStartingAt() throws Exception {
        BackupSettings s = settings("schedule: {frequency: hourly, every: 5, startingAt: \"01:30\"}");
        assertThat(BackupScheduler.nextRun(s, t("2026-03-04T00:00"))).isEqualTo(t("2026-03-04T01:30"));
        assertThat(BackupScheduler.nextRun(s, t("2026-03-04T01:30"))).isEqualTo(t("2026-03-04T06:30"));
        assertThat(BackupScheduler.nextRun(s, t("2026-03-04T21:31"))).isEqualTo(t("2026-03-05T01:30"));
    }

    @Test
    void everyNDaysAt() throws Exception {
        BackupSettings daily = settings("schedule: {frequency: daily, at: \"23:15\"}");
        assertThat(BackupScheduler.nextRun(daily, t("2026-03-04T10:00"))).isEqualTo(t("2026-03-04T23:15"));
        assertThat(BackupScheduler.nextRun(daily, t("2026-03-04T23:15"))).isEqualTo(t("2026-03-05T23:15"));
        BackupSettings every3 = settings("schedule: {frequency: daily, every: 3, at: \"02:00\"}");
        LocalDateTime first = BackupScheduler.nextRun(every3, t("2026-03-04T10:00"));
        LocalDateTime second = BackupScheduler.nextRun(every3, first);
        assertThat(second).isEqualTo(first.plusDays(3));
        assertThat(first.toLocalDate().toEpochDay() % 3).isZero();
    }

    @Test
    void everyNWeeksOnChosenDaysEachWithItsTime() throws Exception {
        BackupSettings s = settings("schedule: {frequency: weekly, weekdays: {monday: \"23:00\", friday: \"06:30\"}}");
        // 2026-03-04 is a Wednesday
        assertThat(BackupScheduler.nextRun(s, t("2026-03-04T10:00"))).isEqualTo(t("2026-03-06T06:30"));
        assertThat(BackupScheduler.nextRun(s, t("2026-03-06T06:30"))).isEqualTo(t("2026-03-09T23:00"));
        BackupSettings biweekly = settings("schedule: {frequency: weekly, every: 2, weekdays: {monday: \"01:00\"}}");
        LocalDateTime a = BackupScheduler.nextRun(biweekly, t("2026-03-04T10:00"));
        assertThat(BackupScheduler.nextRun(biweekly, a)).isEqualTo(a.plusWeeks(2));
    }

    @Test
    void everyNMonthsOnDayD() throws Exception {
        BackupSettings s = settings("schedule: {frequency: monthly, dayOfMonth: 31, at: \"04:00\"}");
        assertThat(BackupScheduler.nextRun(s, t("2026-02-01T00:00"))).isEqualTo(t("2026-02-28T04:00"));
        assertThat(BackupScheduler.nextRun(s, t("2026-02-28T04:00"))).isEqualTo(t("2026-03-31T04:00"));
        BackupSettings quarterly = settings("schedule: {frequency: monthly, every: 3, dayOfMonth: 1, at: \"00:30\"}");
        LocalDateTime q = BackupScheduler.nextRun(quarterly, t("2026-02-10T00:00"));
        assertThat(BackupScheduler.nextRun(quarterly, q)).isEqualTo(q.plusMonths(3));
    }

    @Test
    void cron() throws Exception {
        BackupSettings s = settings("schedule: {cron: \"30 2 * * 1-5\"}");
        assertThat(s.frequency()).isEqualTo(BackupSettings.Frequency.CRON);
        // Friday 2026-03-06 02:30, then Monday
        assertThat(BackupScheduler.nextRun(s, t("2026-03-06T02:00"))).isEqualTo(t("2026-03-06T02:30"));
        assertThat(BackupScheduler.nextRun(s, t("2026-03-06T02:30"))).isEqualTo(t("2026-03-09T02:30"));
        assertThat(CronExpression.parse("*/15 * * * *").next(t("2026-03-06T10:07"))).isEqualTo(t("2026-03-06T10:15"));
        assertThat(CronExpression.parse("0 0 1 JAN *").next(t("2026-03-06T10:07"))).isEqualTo(t("2027-01-01T00:00"));
        assertThat(CronExpression.parse("0 12 13 * FRI").next(t("2026-03-06T13:00"))).isEqualTo(t("2026-03-13T12:00"));
        assertThatThrownBy(() -> CronExpression.parse("61 * * * *")).hasMessageContaining("minute");
        assertThatThrownBy(() -> CronExpression.parse("* * *")).hasMessageContaining("5 fields");
    }

    @Test
    void everyKeyIsValidatedAndNamed() {
        String[][] bad = {
                {"archive:\n  compression: huge\n", "archive.compression"},
                {"archive:\n  maxRate: -1\n", "archive.maxRate"},
                {"archive:\n  verify: maybe\n", "archive.verify"},
                {"schedule:\n  frequency: yearly\n", "schedule.frequency"},
                {"schedule:\n  frequency: daily\n  at: \"25:00\"\n", "schedule.at"},
                {"schedule:\n  frequency: weekly\n", "schedule.weekdays"},
                {"schedule:\n  weekdays:\n    funday: \"10:00\"\n", "schedule.weekdays.funday"},
                {"schedule:\n  cron: \"* *\"\n", "schedule.cron"},
                {"retention:\n  keepLast: -2\n", "retention.keepLast"},
                {"retention:\n  deleteOldest: sometimes\n", "retention.deleteOldest"},
                {"onFailure:\n  retry: never\n", "onFailure.retry"},
                {"onFailure:\n  retryAfter: soon\n", "onFailure.retryAfter"},
                {"onFailure:\n  maxAttempts: 0\n", "onFailure.maxAttempts"},
                {"onlyIfModified: 3\n", "onlyIfModified"},
                {"hooks:\n  timeout: forever\n", "hooks.timeout"},
                {"journal:\n  verbose: loud\n", "journal.verbose"},
                {"onStart:\n  restoreIfDamaged: sometimes\n", "onStart.restoreIfDamaged"},
                {"onStart:\n  integrateLog: 2\n", "onStart.integrateLog"},
                {"onStart:\n  restoreAlways: true\n", "onStart.restoreAlways"},
                {"content:\n  attachments: /not/a/list\n", "content.attachments"},
                {"colour: blue\n", "colour"}};
        for (String[] b : bad) {
            assertThatThrownBy(() -> settings(b[0])).as(b[1]).isInstanceOfSatisfying(TetraException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                assertThat(e.getMessage()).contains(b[1]);
            });
        }
    }

    @Test
    void setChangesOneKeyAndValidatesTheResult() throws Exception {
        BackupSettings s = settings("{}");
        assertThatThrownBy(() -> s.set("schedule.frequency", "weekly")).hasMessageContaining("schedule.weekdays");
        BackupSettings t = s.set("archive.compression", "compact").setAll(java.util.List.of(
                new String[]{"schedule.frequency", "weekly"}, new String[]{"schedule.weekdays.monday", "\"23:00\""}))
                .set("content.attachments", "[/a, /b]").set("retention.keepLast", "5");
        assertThat(t.compression()).isEqualTo(BackupSettings.Compression.COMPACT);
        assertThat(t.weekdays()).hasSize(1);
        assertThat(t.attachments()).containsExactly("/a", "/b");
        assertThat(t.keepLast()).isEqualTo(5);
        assertThat(t.toYaml()).contains("compression: compact");
        assertThat(s.compression()).isEqualTo(BackupSettings.Compression.FAST);
        assertThat(s.restoreIfDamaged()).isTrue();
        assertThat(s.integrateLogAtStart()).isTrue();
        assertThat(s.set("onStart.integrateLog", "false").integrateLogAtStart()).isFalse();
        assertThat(s.set("onStart.restoreIfDamaged", "false").restoreIfDamaged()).isFalse();
        assertThatThrownBy(() -> s.set("archive.level", "3")).hasMessageContaining("archive.level");
        assertThatThrownBy(() -> s.set("retention.keepLast", "lots")).hasMessageContaining("retention.keepLast");
        assertThat(s.set("schedule.at", "23:00").at()).hasToString("23:00");
        assertThat(s.set("archive.maxRate", "40m").maxRate()).isEqualTo(40L * 1024 * 1024);
        assertThatThrownBy(() -> s.set("archive.maxRate", "fast")).hasMessageContaining("archive.maxRate");
    }
}
