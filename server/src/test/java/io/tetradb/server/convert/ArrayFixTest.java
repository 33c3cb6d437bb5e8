package io.tetradb.server.convert;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * H2 1.4 scripts write an untyped ARRAY value as {@code ARRAY [...]} of literals of any
 * type; the fix turns each element into a string literal of its H2 1.4 text.
 */
@Timeout(30)
class ArrayFixTest {
    @Test
    void everyElementBecomesItsTextNullsStayNull() {
        ArrayFix.Result r = ArrayFix.rewrite(" ARRAY [1, 'x1', NULL, TRUE, 2.5, -7, 1E+20, X'0A0b', DATE '2020-01-02', "
                + "TIMESTAMP WITH TIME ZONE '2020-01-01 10:00:00+01', SQRT(-1), 'it''s', INTERVAL '1' DAY]");
        assertThat(r.converted()).isTrue();
        assertThat(r.sql()).isEqualTo("ARRAY ['1', 'x1', NULL, 'TRUE', '2.5', '-7', '1E+20', '0a0b', '2020-01-02', "
                + "'2020-01-01 10:00:00+01', 'NaN', 'it''s', 'INTERVAL ''1'' DAY']");
    }

    @Test
    void nestedArraysAndRowsBecomeTheirTextAndUnknownFormsAreLeftToACast() {
        assertThat(ArrayFix.rewrite("ARRAY [ARRAY [1, 'a', NULL], ROW (2, 'b, c'), ARRAY []]").sql())
                .isEqualTo("ARRAY ['[1, a, null]', 'ROW (2, b, c)', '[]']");
        assertThat(ArrayFix.rewrite("ARRAY [CAST(X'00' AS OTHER)]").sql())
                .isEqualTo("ARRAY [CAST(CAST(X'00' AS OTHER) AS VARCHAR)]");
    }

    @Test
    void textOnlyEmptyAndNullValuesAreNotCountedAsConverted() {
        assertThat(ArrayFix.rewrite("ARRAY ['a', NULL]")).isEqualTo(new ArrayFix.Result("ARRAY ['a', NULL]", false));
        assertThat(ArrayFix.rewrite("ARRAY []")).isEqualTo(new ArrayFix.Result("ARRAY []", false));
        assertThat(ArrayFix.rewrite("NULL")).isEqualTo(new ArrayFix.Result("NULL", false));
        assertThat(ArrayFix.rewrite("'a' || 'b'").converted()).isFalse();
    }
}
