package io.tetradb.client;

import io.tetradb.protocol.Value;
import io.tetradb.protocol.Values;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every Java type the client maps survives the wire: encoded by {@link Values#of}, sent as
 * the bytes of a row message, decoded into a {@link Row} as the client does; equal value
 * and same type, edge values included (extremes, scale and trailing zeros, nanoseconds,
 * offsets, empty and non-ASCII text, empty and nested arrays, NULL inside arrays).
 */
@Timeout(30)
class ValuesRoundTripTest {
    private static void assertSame(Object value) {
        Object back = WireRows.roundTrip(value);
        assertThat(back).as("%s", value).isEqualTo(value);
        assertThat(back.getClass()).as("type of %s", value).isEqualTo(value.getClass());
    }

    @Test
    void integersAndLongsKeepTheirTypeAndExtremes() {
        for (int v : new int[] {0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
            assertSame(v);
        }
        for (long v : new long[] {0L, -1L, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 40}) {
            assertSame(v);
        }
        assertThat(Values.of(7).getKindCase()).isEqualTo(Value.KindCase.INT_VALUE);
        assertThat(Values.of(7L).getKindCase()).isEqualTo(Value.KindCase.LONG_VALUE);
    }

    @Test
    void booleansFloatingPointAndBigIntegersKeepTheirType() {
        assertSame(true);
        assertSame(false);
        assertSame(1.5d);
        assertSame(-0.0d);
        assertSame(Double.NaN);
        assertSame(Double.MAX_VALUE);
        assertSame(1.25f);
        assertSame(new BigInteger("123456789012345678901234567890"));
    }

    @Test
    void decimalsKeepTheirScaleAndDigits() {
        for (String d : List.of("0", "1.50", "-0.001", "12345678901234567890.123456789", "0.000", "1E-20")) {
            BigDecimal v = new BigDecimal(d);
            BigDecimal back = (BigDecimal) WireRows.roundTrip(v);
            assertThat(back).as(d).isEqualTo(v);   // equals: value and scale
            assertThat(back.scale()).isEqualTo(v.scale());
        }
        // A negative scale (a DECFLOAT's 1E+3) travels as plain digits: the same value, scale 0.
        BigDecimal back = (BigDecimal) WireRows.roundTrip(new BigDecimal("1E+3"));
        assertThat(back).isEqualByComparingTo("1000");
        assertThat(back.scale()).isZero();
    }

    @Test
    void stringsAndBytesComeBackExactly() {
        for (String s : List.of("", " ", "plain", "Zoë Ångström", "日本語", "emoji \uD83D\uDE00", "tab\tnew\nline", "\u0000")) {
            assertSame(s);
        }
        byte[] bytes = {0, 1, -1, 127, -128};
        assertThat((byte[]) WireRows.roundTrip(bytes)).containsExactly(bytes);
        assertThat((byte[]) WireRows.roundTrip(new byte[0])).isEmpty();
    }

    @Test
    void datesAndTimesKeepEveryFieldAndOffset() {
        assertSame(LocalDate.of(2024, 2, 29));
        assertSame(LocalDate.of(1, 1, 1));
        assertSame(LocalTime.of(0, 0));                       // prints as "00:00"
        assertSame(LocalTime.of(23, 59, 59, 999_999_999));
        assertSame(LocalDateTime.of(2024, 1, 31, 10, 15));      // no seconds in its text
        assertSame(LocalDateTime.of(1999, 12, 31, 23, 59, 59, 123_456_789));
        assertSame(OffsetDateTime.of(2024, 6, 1, 12, 0, 0, 1000, ZoneOffset.ofHoursMinutes(5, 30)));
        assertSame(OffsetDateTime.of(2024, 6, 1, 12, 0, 0, 0, ZoneOffset.UTC));
        assertSame(OffsetTime.of(8, 30, 0, 0, ZoneOffset.ofHours(-8)));
        assertSame(OffsetTime.of(8, 30, 15, 500, ZoneOffset.UTC));
    }

    @Test
    void uuidsComeBackAsUuids() {
        assertSame(UUID.fromString("123e4567-e89b-12d3-a456-426614174000"));
        assertSame(new UUID(0, 0));
        assertSame(new UUID(-1, -1));
    }

    @Test
    void arraysComeBackElementByElementWithNullsAndNesting() {
        Object[] mixed = {1, 2L, "three", null, new BigDecimal("4.0"), LocalDate.of(2024, 1, 1)};
        Object back = WireRows.roundTrip(mixed);
        assertThat(back).isInstanceOf(Object[].class);
        assertThat((Object[]) back).containsExactly(mixed);
        assertThat((Object[]) WireRows.roundTrip(new Object[0])).isEmpty();
        Object[] nested = (Object[]) WireRows.roundTrip(new Object[] {new Object[] {1, 2}, new Object[] {}, null});
        assertThat(nested).hasSize(3);
        assertThat((Object[]) nested[0]).containsExactly(1, 2);
        assertThat((Object[]) nested[1]).isEmpty();
        assertThat(nested[2]).isNull();
        // Primitive arrays and collections travel as SQL arrays too.
        assertThat((Object[]) WireRows.roundTrip(new int[] {3, 4})).containsExactly(3, 4);
        assertThat((Object[]) WireRows.roundTrip(List.of("a", "b"))).containsExactly("a", "b");
    }

    @Test
    void nullIsNullAndDiffersFromEveryEmptyValue() {
        assertThat(WireRows.roundTrip(null)).isNull();
        assertThat(Values.of(null).getKindCase()).isEqualTo(Value.KindCase.NULL_VALUE);
        assertThat(WireRows.roundTrip("")).isEqualTo("");
        assertThat(WireRows.roundTrip(0)).isEqualTo(0);
        assertThat(WireRows.roundTrip(new Object[0])).isNotNull();
        Row r = WireRows.row(WireRows.header("A", "B", "C"), null, "", null);
        assertThat(r.values()).containsExactly(null, "", null);
    }
}
