package io.tetradb.client;

import io.tetradb.protocol.ResultHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.LocalDate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link Row}'s getters as a program sees them: SQL NULL is null from every getter and a
 * clear INVALID_ARGUMENT (naming the column) when asked as a primitive, never a
 * NullPointerException from inside the row; labels case-insensitive; unknown labels and
 * indexes refused; {@code get(label, Class)} converting numbers only when exact.
 */
@Timeout(30)
class RowTest {
    private static final ResultHeader HEADER = WireRows.header("ID", "Name", "AGE", "BIG", "PRICE", "BORN", "ID");

    private static Row person(Object age) {
        return WireRows.row(HEADER, 7, "Ann", age, 1L << 40, new BigDecimal("12.50"), LocalDate.of(1990, 5, 17), 8);
    }

    private static void assertInvalid(Runnable r, String message) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(TetraException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            assertThat(e.getMessage()).contains(message);
        });
    }

    @Test
    void sqlNullIsNullFromEveryObjectGetter() {
        Row r = person(null);
        assertThat(r.get("AGE")).isNull();
        assertThat(r.get(2)).isNull();
        assertThat(r.getInt("AGE")).isNull();
        assertThat(r.getInt(2)).isNull();
        assertThat(r.getLong("AGE")).isNull();
        assertThat(r.getLong(2)).isNull();
        assertThat(r.getString("AGE")).isNull();
        assertThat(r.getString(2)).isNull();
        assertThat(r.getBigDecimal("AGE")).isNull();
        assertThat(r.get("AGE", Integer.class)).isNull();
        assertThat(r.get(2, LocalDate.class)).isNull();
        assertThat(r.values()[2]).isNull();
    }

    @Test
    void sqlNullAskedAsAPrimitiveFailsClearlyNamingTheColumn() {
        Row r = person(null);
        assertInvalid(() -> r.get("AGE", int.class), "Column 'AGE' is NULL");
        assertInvalid(() -> r.get(2, long.class), "Column 2 is NULL");
        assertInvalid(() -> r.get("age", boolean.class), "is NULL");
        // The class's own example: a NOT NULL column into a primitive, a nullable one into a box.
        long id = r.get("ID", long.class);
        Integer age = r.getInt("AGE");
        assertThat(id).isEqualTo(7L);
        assertThat(age).isNull();
        // And a value that is there unboxes as before.
        int known = person(41).getInt("AGE");
        assertThat(known).isEqualTo(41);
        assertThat(person(41).get("AGE", int.class)).isEqualTo(41);
    }

    @Test
    void labelsAreCaseInsensitiveAndTheFirstOfEqualLabelsWins() {
        Row r = person(41);
        assertThat(r.get("name")).isEqualTo("Ann");
        assertThat(r.get("NAME")).isEqualTo("Ann");
        assertThat(r.get("nAmE")).isEqualTo("Ann");
        assertThat(r.getString("Name")).isEqualTo("Ann");
        assertThat(r.getInt("age")).isEqualTo(41);
        assertThat(r.get("id")).isEqualTo(7);
        assertThat(r.get(6)).isEqualTo(8);
        assertThat(r.size()).isEqualTo(7);
        assertThat(r.columns()).extracting(ColumnInfo::label)
                .containsExactly("ID", "Name", "AGE", "BIG", "PRICE", "BORN", "ID");
    }

    @Test
    void unknownLabelsAndIndexesAreRefusedWithInvalidArgument() {
        Row r = person(41);
        assertInvalid(() -> r.get("NOPE"), "No column 'NOPE'");
        assertInvalid(() -> r.getInt("NOPE"), "No column 'NOPE'");
        assertInvalid(() -> r.getString("AGE "), "No column 'AGE '");
        assertInvalid(() -> r.get("NOPE", String.class), "No column 'NOPE'");
        assertInvalid(() -> r.get(7), "No column 7 (the row has 7)");
        assertInvalid(() -> r.get(-1), "No column -1");
        assertInvalid(() -> r.getLong(99), "No column 99");
        assertInvalid(() -> r.get(7, Integer.class), "No column 7");
    }

    @Test
    void getWithAClassConvertsNumbersExactlyAndRefusesWhatDoesNotFit() {
        Row r = person(41);
        assertThat(r.get("ID", Integer.class)).isEqualTo(7);
        assertThat(r.get("ID", Long.class)).isEqualTo(7L);
        assertThat(r.get("ID", BigDecimal.class)).isEqualByComparingTo("7");
        assertThat(r.get("ID", BigInteger.class)).isEqualTo(BigInteger.valueOf(7));
        assertThat(r.get("ID", Short.class)).isEqualTo((short) 7);
        assertThat(r.get("ID", Double.class)).isEqualTo(7.0);
        assertThat(r.get("ID", String.class)).isEqualTo("7");
        assertThat(r.get("ID", Number.class)).isEqualTo(7);
        assertThat(r.get("ID", Object.class)).isEqualTo(7);
        assertThat(r.get("BIG", Long.class)).isEqualTo(1L << 40);
        assertThat(r.getLong("BIG")).isEqualTo(1L << 40);
        assertThat(r.get("PRICE", BigDecimal.class)).isEqualTo(new BigDecimal("12.50"));
        assertThat(r.getBigDecimal("price")).isEqualTo(new BigDecimal("12.50"));
        assertThat(r.get("PRICE", Double.class)).isEqualTo(12.5);
        assertThat(r.get("BORN", LocalDate.class)).isEqualTo(LocalDate.of(1990, 5, 17));
        assertThat(r.get("BORN", String.class)).isEqualTo("1990-05-17");
        assertThat(WireRows.row(WireRows.header("X"), new BigDecimal("3.000")).get("X", Integer.class)).isEqualTo(3);
        // Not cut: too large, or a fraction, for the asked type.
        assertInvalid(() -> r.getInt("BIG"), "Column 'BIG' holds 1099511627776, which does not fit Integer exactly");
        assertInvalid(() -> r.get("BIG", int.class), "does not fit int exactly");
        assertInvalid(() -> r.getLong("PRICE"), "Column 'PRICE' holds 12.50, which does not fit Long exactly");
        assertInvalid(() -> r.get(4, Integer.class), "Column 4 holds 12.50");
        assertThat(r.get("AGE", Byte.class)).isEqualTo((byte) 41);
        assertInvalid(() -> WireRows.row(WireRows.header("X"), Double.NaN).get("X", Long.class), "does not fit");
        // Not a number at all.
        assertInvalid(() -> r.getInt("NAME"), "Column 'NAME' is of type String, which cannot be read as Integer");
        assertInvalid(() -> r.get("BORN", Long.class), "is of type LocalDate, which cannot be read as Long");
        assertInvalid(() -> r.get("ID", LocalDate.class), "is of type Integer, which cannot be read as LocalDate");
        assertInvalid(() -> r.getBigDecimal("NAME"), "which is no number");
    }
}
