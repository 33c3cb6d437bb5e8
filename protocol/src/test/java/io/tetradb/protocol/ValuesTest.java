package io.tetradb.protocol;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Java values to wire values and back, through the serialized bytes. */
@Timeout(10)
class ValuesTest {
    /** Converts to the wire form, serializes, parses and converts back. */
    private static Object roundTrip(Object o) {
        try {
            return Values.toJava(Value.parseFrom(Values.of(o).toByteArray()));
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void nullTravelsAsNull() {
        assertThat(Values.of(null).getKindCase()).isEqualTo(Value.KindCase.NULL_VALUE);
        assertThat(roundTrip(null)).isNull();
        assertThat(Values.toJava(Value.getDefaultInstance())).isNull();
        assertThat(Values.toDisplay(Values.of(null))).isEqualTo("NULL");
    }

    @Test
    void booleans() {
        assertThat(roundTrip(true)).isEqualTo(true);
        assertThat(roundTrip(false)).isEqualTo(false);
        assertThat(Values.of(false).getKindCase()).isEqualTo(Value.KindCase.BOOL_VALUE);
    }

    @Test
    void integersKeepTheirType() {
        for (int i : new int[]{0, 1, -1, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
            assertThat(roundTrip(i)).isInstanceOf(Integer.class).isEqualTo(i);
        }
        for (long l : new long[]{0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, 9_000_000_000L}) {
            assertThat(roundTrip(l)).isInstanceOf(Long.class).isEqualTo(l);
        }
        // TINYINT and SMALLINT travel as long values
        assertThat(roundTrip((short) -7)).isEqualTo(-7L);
        assertThat(roundTrip((byte) 127)).isEqualTo(127L);
    }

    @Test
    void floatingPoint() {
        for (double d : new double[]{0.0, -0.0, 2.5, Double.MIN_VALUE, Double.MAX_VALUE, Double.NaN,
                Double.NEGATIVE_INFINITY}) {
            assertThat(roundTrip(d)).isInstanceOf(Double.class).isEqualTo(d);
        }
        for (float f : new float[]{0f, 1.1f, -3.4e38f, Float.NaN, Float.POSITIVE_INFINITY}) {
            assertThat(roundTrip(f)).isInstanceOf(Float.class).isEqualTo(f);
        }
    }

    @Test
    void bigNumbersKeepEveryDigitAndTheirScale() {
        for (String s : new String[]{"0", "12345.6789", "-0.000000000000000000001", "1.500",
                "123456789012345678901234567890.123456789"}) {
            assertThat(roundTrip(new BigDecimal(s))).isEqualTo(new BigDecimal(s));
        }
        // a negative scale travels as plain text: same value, scale 0
        assertThat((BigDecimal) roundTrip(new BigDecimal("1E+10"))).isEqualByComparingTo("10000000000");
        BigInteger big = BigInteger.TWO.pow(200).negate();
        assertThat(roundTrip(big)).isInstanceOf(BigInteger.class).isEqualTo(big);
    }

    @Test
    void stringsWithNonAsciiText() {
        for (String s : new String[]{"", "plain", "Grüße", "Привет", "日本語", "emoji 😀 and NUL \u0000 inside",
                "\uD83D\uDE00\uD83C\uDDE9\uD83C\uDDEA"}) {
            assertThat(roundTrip(s)).isEqualTo(s);
        }
        assertThat(roundTrip('é')).isEqualTo("é");
    }

    @Test
    void bytes() {
        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        assertThat((byte[]) roundTrip(all)).isEqualTo(all);
        assertThat((byte[]) roundTrip(new byte[0])).isEmpty();
        assertThat(Values.toDisplay(Values.of(new byte[]{0x0A, (byte) 0xFF}))).isEqualTo("X'0aff'");
    }

    @Test
    void datesAndTimes() {
        List<Object> values = List.of(
                LocalDate.of(2024, 2, 29), LocalDate.of(1, 1, 1), LocalDate.of(-44, 3, 15), LocalDate.of(10000, 1, 1),
                LocalTime.MIDNIGHT, LocalTime.of(13, 45), LocalTime.of(23, 59, 59, 999_999_999),
                LocalDateTime.of(2020, 5, 6, 7, 8, 9), LocalDateTime.of(2020, 5, 6, 7, 8, 9, 123_000_000),
                OffsetDateTime.of(2024, 1, 31, 13, 45, 0, 123_456_789, ZoneOffset.ofHours(1)),
                OffsetDateTime.of(2024, 1, 31, 13, 45, 0, 0, ZoneOffset.UTC),
                OffsetDateTime.of(1999, 12, 31, 23, 59, 59, 0, ZoneOffset.ofHoursMinutes(-9, -30)),
                OffsetTime.of(13, 45, 0, 0, ZoneOffset.ofHours(1)),
                OffsetTime.of(0, 0, 0, 1, ZoneOffset.ofHours(-14)));
        for (Object v : values) {
            assertThat(roundTrip(v)).as("%s", v).isEqualTo(v);
        }
        assertThat(Values.of(LocalDate.of(2024, 1, 31)).getDateValue()).isEqualTo("2024-01-31");
    }

    @Test
    void instantsAndZonedTimesBecomeOffsetDateTimes() {
        Instant i = Instant.parse("2024-01-31T12:45:00.123Z");
        assertThat(roundTrip(i)).isEqualTo(OffsetDateTime.of(2024, 1, 31, 12, 45, 0, 123_000_000, ZoneOffset.UTC));
        ZonedDateTime z = ZonedDateTime.of(2024, 7, 1, 10, 0, 0, 0, ZoneId.of("Europe/Berlin"));
        assertThat(roundTrip(z)).isEqualTo(z.toOffsetDateTime());
    }

    @Test
    void legacySqlTypesBecomeJavaTime() {
        assertThat(roundTrip(java.sql.Date.valueOf("2024-02-29"))).isEqualTo(LocalDate.of(2024, 2, 29));
        assertThat(roundTrip(java.sql.Time.valueOf("13:45:01"))).isEqualTo(LocalTime.of(13, 45, 1));
        assertThat(roundTrip(java.sql.Timestamp.valueOf("2020-05-06 07:08:09.5")))
                .isEqualTo(LocalDateTime.of(2020, 5, 6, 7, 8, 9, 500_000_000));
    }

    @Test
    void uuids() {
        UUID u = UUID.randomUUID();
        assertThat(roundTrip(u)).isEqualTo(u);
        assertThat(roundTrip(new UUID(0, 0))).isEqualTo(new UUID(0, 0));
    }

    @Test
    void arraysOfMixedAndNestedValues() {
        Object[] mixed = {1, null, "zwei", 3L, new BigDecimal("4.50"), LocalDate.of(2024, 1, 1)};
        assertThat((Object[]) roundTrip(mixed)).containsExactly(mixed);
        Object[] nested = (Object[]) roundTrip(new Object[]{new Object[]{1, 2}, new Object[]{}});
        assertThat((Object[]) nested[0]).containsExactly(1, 2);
        assertThat((Object[]) nested[1]).isEmpty();
        assertThat((Object[]) roundTrip(new Object[0])).isEmpty();
        assertThat((Object[]) roundTrip(new String[]{"a", "b"})).containsExactly("a", "b");
        assertThat((Object[]) roundTrip(List.of(1, 2, 3))).containsExactly(1, 2, 3);
        assertThat(Values.toDisplay(Values.of(new Object[]{1, null, "x"}))).isEqualTo("[1, NULL, x]");
    }

    @Test
    void primitiveArraysBecomeSqlArrays() {
        assertThat((Object[]) roundTrip(new int[]{1, 2, 3})).containsExactly(1, 2, 3);
        assertThat((Object[]) roundTrip(new long[]{-1L, 9_000_000_000L})).containsExactly(-1L, 9_000_000_000L);
        assertThat((Object[]) roundTrip(new double[]{0.5, -2.0})).containsExactly(0.5, -2.0);
        assertThat((Object[]) roundTrip(new boolean[]{true, false})).containsExactly(true, false);
        assertThat((Object[]) roundTrip(new float[]{1.5f})).containsExactly(1.5f);
    }

    @Test
    void otherTypesTravelAsText() {
        Object other = new StringBuilder("some text");
        assertThat(Values.of(other).getKindCase()).isEqualTo(Value.KindCase.OTHER_VALUE);
        assertThat(roundTrip(other)).isEqualTo("some text");
    }

    @Test
    void unparsableTextIsAnInvalidArgumentNamingTheKind() {
        Value[] bad = {
                Value.newBuilder().setDateValue("tomorrow").build(),
                Value.newBuilder().setTimeValue("25:00").build(),
                Value.newBuilder().setTimestampValue("2024-13-01T00:00").build(),
                Value.newBuilder().setTimestampTzValue("2024-01-01T00:00").build(),
                Value.newBuilder().setTimeTzValue("12:00+99:00").build(),
                Value.newBuilder().setUuidValue("not-a-uuid").build(),
                Value.newBuilder().setDecimalValue("12,5").build(),
                Value.newBuilder().setDecimalValue("NaN").build(),
                Value.newBuilder().setBigIntegerValue("0x10").build(),
        };
        for (Value v : bad) {
            assertThatThrownBy(() -> Values.toJava(v)).as("%s", v)
                    .isInstanceOf(InvalidValueException.class)
                    .hasMessageStartingWith("Invalid ");
        }
        assertThatThrownBy(() -> Values.toJava(Value.newBuilder().setDateValue("x".repeat(10_000)).build()))
                .hasMessageContaining("date")
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(200));
        Value inArray = Values.of(new Object[]{1, "ok"}).toBuilder()
                .setArrayValue(ValueList.newBuilder().addValues(Values.of(1))
                        .addValues(Value.newBuilder().setUuidValue("zz"))).build();
        assertThatThrownBy(() -> Values.toJava(inArray)).isInstanceOf(InvalidValueException.class).hasMessageContaining("uuid");
    }

    @Test
    void numbersTooLongToParseQuicklyAreRefused() {
        String huge = "7".repeat(Values.MAX_NUMBER_TEXT + 1);
        for (Value v : new Value[]{Value.newBuilder().setDecimalValue(huge).build(),
                Value.newBuilder().setBigIntegerValue(huge).build()}) {
            assertThatThrownBy(() -> Values.toJava(v)).isInstanceOf(InvalidValueException.class)
                    .hasMessageContaining(String.valueOf(Values.MAX_NUMBER_TEXT));
        }
        // H2's widest NUMERIC still travels
        BigDecimal widest = new BigDecimal(new BigInteger("9".repeat(100_000)), 100_000).negate();
        assertThat(Values.of(widest).getDecimalValue().length()).isLessThanOrEqualTo(Values.MAX_NUMBER_TEXT);
        assertThat(roundTrip(widest)).isEqualTo(widest);
        BigDecimal tiny = new BigDecimal(BigInteger.ONE.negate(), 100_000);
        assertThat(roundTrip(tiny)).isEqualTo(tiny);
    }

    @Test
    void aValueOfAKindFromANewerBuildIsRefusedNotReadAsNull() {
        Value newer = Value.newBuilder().setUnknownFields(UnknownFieldSet.newBuilder()
                .addField(99, UnknownFieldSet.Field.newBuilder().addVarint(1).build()).build()).build();
        assertThatThrownBy(() -> Values.toJava(newer)).isInstanceOf(InvalidValueException.class).hasMessageContaining("99");
    }
}
