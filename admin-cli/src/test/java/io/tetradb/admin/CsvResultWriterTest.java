package io.tetradb.admin;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code --csv}: RFC 4180 quoting, NULL as an empty field, an empty string as {@code ""}. */
@Timeout(30)
class CsvResultWriterTest {
    @Test
    void fieldsAreQuotedOnlyWhereRfc4180AsksForIt() {
        assertThat(CsvResultWriter.field("plain")).isEqualTo("plain");
        assertThat(CsvResultWriter.field("a,b")).isEqualTo("\"a,b\"");
        assertThat(CsvResultWriter.field("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
        assertThat(CsvResultWriter.field("two\nlines")).isEqualTo("\"two\nlines\"");
        assertThat(CsvResultWriter.field("cr\rhere")).isEqualTo("\"cr\rhere\"");
        assertThat(CsvResultWriter.field(" spaced ")).isEqualTo(" spaced ");
        assertThat(CsvResultWriter.field("it's")).isEqualTo("it's");
    }

    @Test
    void nullIsAnEmptyFieldAndAnEmptyStringIsQuoted() {
        assertThat(CsvResultWriter.field(null)).isEmpty();
        assertThat(CsvResultWriter.field("")).isEqualTo("\"\"");
    }

    @Test
    void numbersAndBinaryValuesAreWrittenPlainly() {
        assertThat(CsvResultWriter.field(42)).isEqualTo("42");
        assertThat(CsvResultWriter.field(new BigDecimal("1E+3"))).isEqualTo("1000");
        assertThat(CsvResultWriter.field(new byte[] {(byte) 0xCA, (byte) 0xFE})).isEqualToIgnoringCase("cafe");
        assertThat(CsvResultWriter.field(true)).isEqualTo("true");
    }

    @Test
    void aTableIsAHeaderLineAndOneRecordPerRowAndTablesAreSeparatedByAnEmptyLine() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (CsvResultWriter w = new CsvResultWriter(new PrintStream(bytes, true, StandardCharsets.UTF_8))) {
            w.table("\\d", List.of("Name", "Note"), List.of(Arrays.asList("a", "x, y"), Arrays.asList("b", null)));
            w.update("INSERT", io.tetradb.protocol.StatementKind.DATA_WRITE, 1);
            w.table("\\du", List.of("Name"), List.of(List.<Object>of("admin")));
        }
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo("Name,Note\na,\"x, y\"\nb,\n\nName\nadmin\n");
    }
}
