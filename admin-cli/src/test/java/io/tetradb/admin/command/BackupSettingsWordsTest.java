package io.tetradb.admin.command;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** How {@code backup settings set} makes assignments of the words the shell passed. */
@Timeout(30)
class BackupSettingsWordsTest {
    @Test
    void wordsAfterAnAssignmentContinueItsValue() {
        assertThat(BackupSettingsCommand.assignments(List.of("schedule.cron=*", "*", "*", "*", "*")))
                .containsExactly("schedule.cron=* * * * *");
        assertThat(BackupSettingsCommand.assignments(List.of("schedule.cron=0", "3", "*", "*", "MON-FRI",
                "archive.compression=compact", "destination=/backups/my", "folder")))
                .containsExactly("schedule.cron=0 3 * * MON-FRI", "archive.compression=compact",
                        "destination=/backups/my folder");
    }

    @Test
    void oneWordIsTakenAsTyped() {
        assertThat(BackupSettingsCommand.assignments(List.of("schedule.cron=* * * * *", "destination= a=b ")))
                .containsExactly("schedule.cron=* * * * *", "destination= a=b ");
        assertThat(BackupSettingsCommand.assignments(List.of("schedule.cron=\"* * * * *\"")))
                .containsExactly("schedule.cron=\"* * * * *\"");
        assertThat(BackupSettingsCommand.assignments(List.of("retention.keepLast=")))
                .containsExactly("retention.keepLast=");
    }

    @Test
    void aWordThatIsNotAnAssignmentCannotComeFirst() {
        assertThat(BackupSettingsCommand.assignments(List.of("*", "schedule.cron=*"))).isNull();
        assertThat(BackupSettingsCommand.assignments(List.of("=x"))).isNull();
    }
}
