package io.tetradb.server.convert;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/** H2 1.4 scripts write ENUM values as 0-based ordinals; the fix turns them into their labels. */
@Timeout(30)
class EnumFixTest {
    @Test
    void valuesAreSplitOutsideLiteralsArraysAndCalls() {
        assertThat(EnumFix.splitTop("1, 'a,b', ARRAY ['x', 'y'], FUNC(1, 2), \"q\"\"c,d\", NULL"))
                .containsExactly("1", " 'a,b'", " ARRAY ['x', 'y']", " FUNC(1, 2)", " \"q\"\"c,d\"", " NULL");
    }

    @Test
    void enumLabelsAreReadFromTheColumnType() {
        assertThat(SourceStructure.enumLabels("ENUM('NEW','it''s', 'C, D')")).containsExactly("NEW", "it's", "C, D");
    }
}
