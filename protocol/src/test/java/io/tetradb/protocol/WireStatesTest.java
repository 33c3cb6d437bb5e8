package io.tetradb.protocol;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/** The one map between the state and status words and their enums. */
@Timeout(30)
class WireStatesTest {
    @Test
    void everyOutcomeWordMapsToItsEnumAndBack() {
        for (String w : new String[]{"SUCCESS", "PARTIAL", "FAILED", "STOPPED", "SKIPPED", "VETOED"}) {
            BackupOutcome o = WireStates.outcome(w);
            assertThat(o).as(w).isNotIn(BackupOutcome.BACKUP_OUTCOME_UNKNOWN, BackupOutcome.BACKUP_OUTCOME_UNSPECIFIED);
            assertThat(WireStates.word(o)).isEqualTo(w);
            assertThat(WireStates.outcome(w.toLowerCase(java.util.Locale.ROOT))).isEqualTo(o);
        }
        assertThat(WireStates.outcome("UNKNOWN")).isEqualTo(BackupOutcome.BACKUP_OUTCOME_UNKNOWN);
        assertThat(WireStates.outcome("nonsense")).isEqualTo(BackupOutcome.BACKUP_OUTCOME_UNKNOWN);
        assertThat(WireStates.archived(BackupOutcome.BACKUP_PARTIAL)).isTrue();
        assertThat(WireStates.archived(BackupOutcome.BACKUP_STOPPED)).isFalse();
    }

    @Test
    void everyStateWordMapsToItsEnumAndBack() {
        for (String w : new String[]{"RUNNING", "MAINTENANCE", "SHUTTING_DOWN"}) {
            assertThat(WireStates.word(WireStates.serverState(w))).isEqualTo(w);
        }
        assertThat(WireStates.serverState("x")).isEqualTo(ServerState.SERVER_STATE_UNSPECIFIED);
        assertThat(WireStates.word(WireStates.runState("RUNNING"))).isEqualTo("RUNNING");
        assertThat(WireStates.word(WireStates.runState("IDLE"))).isEqualTo("IDLE");
    }

    @Test
    void anOlderServersWordIsReadWhenTheEnumIsUnspecified() {
        BackupRecord old = BackupRecord.newBuilder().setStatus("STOPPED").build();
        assertThat(WireStates.outcome(old)).isEqualTo(BackupOutcome.BACKUP_STOPPED);
        BackupRecord now = old.toBuilder().setOutcome(BackupOutcome.BACKUP_STOPPED).build();
        assertThat(WireStates.outcome(now)).isEqualTo(BackupOutcome.BACKUP_STOPPED);
        assertThat(WireStates.running(BackupStatus.newBuilder().setState("RUNNING").build())).isTrue();
        assertThat(WireStates.running(BackupStatus.newBuilder().setState("IDLE")
                .setRunState(BackupRunState.BACKUP_IDLE).build())).isFalse();
        assertThat(WireStates.serverState(ServerStatus.newBuilder().setState("MAINTENANCE").build()))
                .isEqualTo(ServerState.SERVER_MAINTENANCE);
    }
}
