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

    /** The levels after each of {@code windows} windows whose chunks waited {@code share} of their time for zstd. */
    private static List<Integer> feed(AdaptiveLevel a, double share, int windows) {
        return feed(a, share, 0, windows);
    }

    private static List<Integer> feed(AdaptiveLevel a, double compress, double hash, int windows) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < windows; i++) {
            int level = 0;
            for (int c = 0; c < AdaptiveLevel.WINDOW; c++) {
                level = a.next((long) (compress * CHUNK), (long) (hash * CHUNK), CHUNK);
                if (c < AdaptiveLevel.WINDOW - 1) {
                    // Within a window the level holds.
                    assertThat(level).isEqualTo(a.level());
                }
            }
            out.add(level);
        }
        return out;
    }

    @Test
    void whileCompressionIsBehindTheLevelStepsDownToTheFloorAndNoFurther() {
        AdaptiveLevel a = new AdaptiveLevel();
        assertThat(a.level()).isEqualTo(1);
        int steps = AdaptiveLevel.LADDER.length - 1;
        // Slightly behind: one step per window, each level lower than the one before, down to the floor.
        List<Integer> levels = feed(a, 0.1, steps + 5);
        for (int i = 0; i < steps; i++) {
            assertThat(levels.get(i)).isEqualTo(AdaptiveLevel.LADDER[i + 1]);
        }
        assertThat(levels.subList(steps, levels.size())).containsOnly(AdaptiveLevel.FLOOR);
        assertThat(AdaptiveLevel.FLOOR).isNegative();
        assertThat(AdaptiveLevel.LADDER).isSortedAccordingTo((x, y) -> Integer.compare(y, x)).startsWith(1);
    }

    @Test
    void farBehindItStepsTwiceAWindow() {
        AdaptiveLevel a = new AdaptiveLevel();
        assertThat(feed(a, 0.5, 2)).containsExactly(AdaptiveLevel.LADDER[2], AdaptiveLevel.LADDER[4]);
        feed(a, 0.9, AdaptiveLevel.LADDER.length);
        assertThat(a.level()).isEqualTo(AdaptiveLevel.FLOOR);
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
    void aShareBetweenTheThresholdsKeepsTheLevelAndSoDoesAnUnmeasuredWindow() {
        AdaptiveLevel a = new AdaptiveLevel();
        feed(a, 0.1, 3);
        int level = a.level();
        assertThat(level).isEqualTo(AdaptiveLevel.LADDER[3]);
        double between = (AdaptiveLevel.AHEAD + AdaptiveLevel.BEHIND) / 2;
        assertThat(feed(a, between, 10)).containsOnly(level);
        for (int c = 0; c < AdaptiveLevel.WINDOW; c++) {
            assertThat(a.next(0, 0, 0)).isEqualTo(level);
        }
    }

    @Test
    void waitingForTheHasherKeepsTheLevelAndWaitingForZstdStillStepsDown() {
        AdaptiveLevel a = new AdaptiveLevel();
        feed(a, 0.1, 4);
        int level = a.level();
        // The hasher is what the copy waits for: a higher level would take CPU from it, a lower one buys nothing.
        assertThat(feed(a, 0, 0.3, 10)).containsOnly(level);
        // Waiting for zstd steps down whatever the hasher does.
        assertThat(feed(a, 0.1, 0.3, 1)).containsExactly(AdaptiveLevel.LADDER[5]);
        // Neither waited for: zstd keeps up, one step back up.
        assertThat(feed(a, 0, 0, 1)).containsExactly(AdaptiveLevel.LADDER[4]);
    }

    @Test
    void aBurstOfWaitingWithinAWindowCountsAsTheWindowsShare() {
        AdaptiveLevel a = new AdaptiveLevel();
        // Frames finish in bursts: one chunk waits long, the next ones not at all; together: behind.
        a.next(CHUNK, 0, 2 * CHUNK);
        a.next(0, 0, CHUNK / 5);
        assertThat(a.next(0, 0, CHUNK / 5)).isEqualTo(AdaptiveLevel.LADDER[2]);
    }
}
