package io.tetradb.server.backup;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tetradb.server.DataLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code backup settings set KEY=VALUE}: a text setting takes its value as typed, whatever
 * YAML would make of it (an alias, an anchor, a tag, a reserved character, a comment, a
 * mapping, a list, a boolean, a number, null, surrounding spaces), and backup.yml gives the
 * same value back when it is read again.
 */
@Timeout(30)
class BackupSettingsValuesTest {
    private static final DataLayout LAYOUT = new DataLayout(Path.of("/tmp/does-not-matter/db"));

    private static BackupSettings empty() {
        return BackupSettings.parse(null, LAYOUT);
    }

    /** The settings as the next load reads them from the backup.yml that {@code s} would save. */
    private static BackupSettings reloaded(BackupSettings s) throws Exception {
        return BackupSettings.parse(new ObjectMapper(new YAMLFactory()).readTree(s.toYaml()), LAYOUT);
    }

    /** {@code destination=VALUE} holds VALUE itself: a folder of that name, relative to the database folder. */
    private static void assertDestinationAsTyped(String value) throws Exception {
        BackupSettings s = empty().set("destination", value);
        Path expected = LAYOUT.root().resolve(value).normalize();
        assertThat(s.destination()).as(value).isEqualTo(expected);
        assertThat(reloaded(s).destination()).as(value + " read back from backup.yml").isEqualTo(expected);
    }

    @Test
    void aCronExpressionOfStarsIsNotAYamlAlias() throws Exception {
        BackupSettings s = empty().set("schedule.cron", "* * * * *");
        assertThat(s.frequency()).isEqualTo(BackupSettings.Frequency.CRON);
        assertThat(s.cron().toString()).isEqualTo("* * * * *");
        assertThat(reloaded(s).cron().toString()).isEqualTo("* * * * *");
        assertThat(empty().set("schedule.cron", "*/15 3 * * MON-FRI").cron().toString()).isEqualTo("*/15 3 * * MON-FRI");
    }

    @Test
    void theQuotedFormOfEarlierVersionsStillWorks() {
        assertThat(empty().set("schedule.cron", "\"* * * * *\"").cron().toString()).isEqualTo("* * * * *");
        assertThat(empty().set("schedule.cron", "'0 3 * * *'").cron().toString()).isEqualTo("0 3 * * *");
        assertThat(empty().set("schedule.weekdays.monday", "\"23:00\"").set("schedule.frequency", "weekly")
                .weekdays()).hasSize(1);
    }

    @Test
    void anchorsTagsAndReservedCharactersAreText() throws Exception {
        assertDestinationAsTyped("&backups");
        assertDestinationAsTyped("*backups");
        assertDestinationAsTyped("!backups");
        assertDestinationAsTyped("!!int");
        assertDestinationAsTyped("@backups");
        assertDestinationAsTyped("`backups`");
        assertDestinationAsTyped("%backups");
        assertDestinationAsTyped("|backups");
        assertDestinationAsTyped(">backups");
    }

    @Test
    void commentsMappingsAndListsAreText() throws Exception {
        assertDestinationAsTyped("backups #2");
        assertDestinationAsTyped("#backups");
        assertDestinationAsTyped("a: b");
        assertDestinationAsTyped("[backups]");
        assertDestinationAsTyped("{backups}");
        assertDestinationAsTyped("- backups");
        assertDestinationAsTyped("backups, old");
    }

    @Test
    void booleansNumbersAndNullAreText() throws Exception {
        for (String v : new String[]{"yes", "no", "on", "off", "true", "False", "y", "n", "123", "0x1F", "1e3", "1_000",
                "0b101", "null", "~", ".inf", ".NaN", "2026-01-01", "12:30:00"}) {
            assertDestinationAsTyped(v);
        }
        // A number where a duration is expected is still the duration's text.
        assertThat(empty().set("onFailure.retryAfter", "90s").retryAfter()).hasSeconds(90);
    }

    @Test
    void surroundingSpacesAreKeptInAPathAndIgnoredAroundAWord() throws Exception {
        assertDestinationAsTyped(" my backups ");
        BackupSettings s = empty().set("archive.compression", " compact ").set("schedule.frequency", "daily ")
                .set("schedule.at", " 23:30").set("hooks.timeout", " 2m ");
        assertThat(s.compression()).isEqualTo(BackupSettings.Compression.COMPACT);
        assertThat(s.frequency()).isEqualTo(BackupSettings.Frequency.DAILY);
        assertThat(s.at()).hasHour(23).hasMinute(30);
        assertThat(s.hookTimeout()).hasMinutes(2);
        assertThat(reloaded(s).compression()).isEqualTo(BackupSettings.Compression.COMPACT);
        assertThat(empty().set("schedule.cron", " 0 3 * * * ").cron().toString()).isEqualTo("0 3 * * *");
    }

    @Test
    void settingsThatAreNotTextStillReadYaml() {
        BackupSettings s = empty().set("content.attachments", "[/a, /b]").set("retention.keepLast", "5")
                .set("onlyIfModified", "true").set("archive.maxRate", "50m");
        assertThat(s.attachments()).containsExactly("/a", "/b");
        assertThat(s.keepLast()).isEqualTo(5);
        assertThat(s.onlyIfModified()).isTrue();
        assertThat(s.maxRate()).isEqualTo(50L * 1024 * 1024);
        assertThat(BackupSettings.isTextKey("schedule.weekdays.friday")).isTrue();
        assertThat(BackupSettings.isTextKey("retention.keepLast")).isFalse();
    }
}
