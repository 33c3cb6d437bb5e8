package io.tetradb.server.backup;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The level of compression fast from the bottleneck signal: waiting for zstd's workers steps
 * it down toward the floor, not waiting steps it back toward 1, neither beyond.
 */
class AdaptiveLevelTest {
    private static final long CHUNK = 10_000_000; // 10 ms per chunk

    /** The levels after each of {@code chunks} chunks that waited {@code share} of their time for zstd. */
    private static List<Integer> feed(AdaptiveLevel a, double share, int chunks) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < chunks; i++) {
            out.add(a.next((long) (share * CHUNK), CHUNK));
        }
        return out;
    }

    @Test
    void whileCompressionIsTheBottleneckTheLevelStepsDownToTheFloorAndNoFurther() {
        AdaptiveLevel a = new AdaptiveLevel();
        assertThat(a.level()).isEqualTo(1);
        int steps = AdaptiveLevel.LADDER.length - 1;
        List<Integer> levels = feed(a, 0.5, steps + 5);
        // One step per chunk, each level lower than the one before, down to the floor.
        for (int i = 0; i < steps; i++) {
            assertThat(levels.get(i)).isEqualTo(AdaptiveLevel.LADDER[i + 1]);
        }
        assertThat(levels.subList(steps, levels.size())).containsOnly(AdaptiveLevel.FLOOR);
        assertThat(AdaptiveLevel.FLOOR).isNegative();
        assertThat(AdaptiveLevel.LADDER).isSortedAccordingTo((x, y) -> Integer.compare(y, x)).startsWith(1);
    }

    @Test
    void onceZstdWaitsForTheRestTheLevelStepsBackUpToOneAndNeverAbove() {
        AdaptiveLevel a = new AdaptiveLevel();
        feed(a, 0.9, AdaptiveLevel.LADDER.length);
        assertThat(a.level()).isEqualTo(AdaptiveLevel.FLOOR);
        List<Integer> levels = feed(a, 0.0, AdaptiveLevel.LADDER.length + 5);
        assertThat(levels.get(0)).isEqualTo(AdaptiveLevel.LADDER[AdaptiveLevel.LADDER.length - 2]);
        assertThat(levels).isSortedAccordingTo(Integer::compare).endsWith(1, 1, 1, 1, 1);
        assertThat(levels).allMatch(l -> l <= 1);
    }

    @Test
    void aShareBetweenTheThresholdsKeepsTheLevelAndSoDoesAnUnmeasuredChunk() {
        AdaptiveLevel a = new AdaptiveLevel();
        feed(a, 0.5, 3);
        int level = a.level();
        assertThat(level).isEqualTo(AdaptiveLevel.LADDER[3]);
        double between = (AdaptiveLevel.AHEAD + AdaptiveLevel.BEHIND) / 2;
        assertThat(feed(a, between, 10)).containsOnly(level);
        assertThat(a.next(0, 0)).isEqualTo(level);
    }

    @Test
    void alternatingSignalsMoveOneStepEachWay() {
        AdaptiveLevel a = new AdaptiveLevel();
        feed(a, 0.5, 4);
        int down = a.next(CHUNK / 2, CHUNK);
        int up = a.next(0, CHUNK);
        assertThat(down).isEqualTo(AdaptiveLevel.LADDER[5]);
        assertThat(up).isEqualTo(AdaptiveLevel.LADDER[4]);
    }
}
