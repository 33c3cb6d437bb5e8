package io.tetradb.server.convert;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.Charset;

import static org.assertj.core.api.Assertions.assertThat;

/** multilang.txt lines, line ends, codes; and re-reading 8-bit text in its charset. */
@Timeout(30)
class MultilangMapTest {
    @Test
    void linesWithAnyLineEndSpacesAndBlankLinesAreRead() {
        MultilangMap m = MultilangMap.parse("1;2;1049\r\n\r\n  CUSTOMER ; NAME ; 1032 \r# a comment\n"
                + "3;4;2;windows-1250\n\n   \nITEM;TAGS;*;ISO-8859-5", "multilang.txt");
        assertThat(m.problems()).isEmpty();
        assertThat(m.entries()).hasSize(4);
        MultilangMap.Entry first = m.entries().get(0);
        assertThat(first.table()).isEqualTo("1");
        assertThat(first.field()).isEqualTo("2");
        assertThat(first.subfield()).isNull();
        assertThat(first.charset()).isEqualTo(Charset.forName("windows-1251"));
        assertThat(m.entries().get(1).table()).isEqualTo("CUSTOMER");
        assertThat(m.entries().get(1).charset()).isEqualTo(Charset.forName("windows-1253"));
        assertThat(m.entries().get(1).line()).isEqualTo(3);
        assertThat(m.entries().get(2).subfield()).isEqualTo("2");
        assertThat(m.entries().get(3).subfield()).isEqualTo("*");
    }

    @Test
    void unreadableLinesAreReportedNotFatal() {
        MultilangMap m = MultilangMap.parse("A;B\nA;B;99999\nA;B;no-such-charset\n;B;1049\nA;B;C;D;1049\nT;F;1049",
                "multilang.txt");
        assertThat(m.entries()).hasSize(1);
        assertThat(m.problems()).hasSize(5).allMatch(p -> p.startsWith("multilang.txt line "));
    }

    @Test
    void windowsLanguageIdsNameTheirCodePages() {
        assertThat(MultilangMap.charset("1049")).isEqualTo(Charset.forName("windows-1251"));
        assertThat(MultilangMap.charset("1032")).isEqualTo(Charset.forName("windows-1253"));
        assertThat(MultilangMap.charset("1029")).isEqualTo(Charset.forName("windows-1250"));
        assertThat(MultilangMap.charset("1055")).isEqualTo(Charset.forName("windows-1254"));
        assertThat(MultilangMap.charset("1037")).isEqualTo(Charset.forName("windows-1255"));
        assertThat(MultilangMap.charset("1025")).isEqualTo(Charset.forName("windows-1256"));
        assertThat(MultilangMap.charset("1041")).isEqualTo(Charset.forName("windows-31j"));
        assertThat(MultilangMap.charset("1033")).isEqualTo(Charset.forName("windows-1252"));
        assertThat(MultilangMap.charset("KOI8-R")).isEqualTo(Charset.forName("KOI8-R"));
        assertThat(MultilangMap.charset("4242")).isNull();
    }

    @Test
    void legacyTextIsReReadAndEverythingElseKept() {
        Charset cp1251 = Charset.forName("windows-1251");
        TextRepair r = new TextRepair(cp1251, 0);
        String legacy = LegacyDatabases.asLegacy8bit("Привет", cp1251);
        assertThat(legacy).isEqualTo("Ïðèâåò");
        assertThat(r.repairCounted(legacy)).isEqualTo("Привет");
        assertThat(r.repairCounted("plain ascii")).isEqualTo("plain ascii");
        assertThat(r.repairCounted("Уже Unicode")).isEqualTo("Уже Unicode");
        // 0x98 is not a character in windows-1251: the value is kept as it was, and counted.
        assertThat(r.repairCounted("a\u0098b")).isEqualTo("a\u0098b");
        assertThat(r.changed()).isEqualTo(1);
        assertThat(r.undecodable()).isEqualTo(1);

        TextRepair second = new TextRepair(Charset.forName("windows-1253"), 2);
        Object[] arr = {"x", LegacyDatabases.asLegacy8bit("Γειά", Charset.forName("windows-1253")), null};
        assertThat(second.array(arr, true)).containsExactly("x", "Γειά", null);
    }
}
