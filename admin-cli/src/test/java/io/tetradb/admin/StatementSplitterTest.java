package io.tetradb.admin;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(10)
class StatementSplitterTest {

    @Test
    void splitsOnSemicolons() {
        assertThat(StatementSplitter.split("SELECT 1; SELECT 2;\nSELECT 3"))
                .containsExactly("SELECT 1", "SELECT 2", "SELECT 3");
    }

    @Test
    void emptyStatementsAndBlankTextGiveNothing() {
        assertThat(StatementSplitter.split("")).isEmpty();
        assertThat(StatementSplitter.split("  ;;\n ; \t")).isEmpty();
        assertThat(StatementSplitter.split(";SELECT 1;;")).containsExactly("SELECT 1");
    }

    @Test
    void semicolonInsideSingleQuotesStays() {
        assertThat(StatementSplitter.split("INSERT INTO T VALUES ('a;b', 'it''s; ok'); SELECT 2"))
                .containsExactly("INSERT INTO T VALUES ('a;b', 'it''s; ok')", "SELECT 2");
    }

    @Test
    void semicolonInsideDoubleQuotesStays() {
        assertThat(StatementSplitter.split("CREATE TABLE \"a;b\"(\"x\"\"; y\" INT);DROP TABLE \"a;b\""))
                .containsExactly("CREATE TABLE \"a;b\"(\"x\"\"; y\" INT)", "DROP TABLE \"a;b\"");
    }

    @Test
    void quotesOfTheOtherKindDoNotCloseAString() {
        assertThat(StatementSplitter.split("SELECT 'say \"hi; there' ; SELECT \"it's;\" FROM T"))
                .containsExactly("SELECT 'say \"hi; there'", "SELECT \"it's;\" FROM T");
    }

    @Test
    void semicolonInLineCommentsStays() {
        assertThat(StatementSplitter.split("SELECT 1 -- one; two\n, 2; // three; four\nSELECT 3"))
                .containsExactly("SELECT 1 -- one; two\n, 2", "// three; four\nSELECT 3");
    }

    @Test
    void lineCommentEndsAtCarriageReturnToo() {
        assertThat(StatementSplitter.split("SELECT 1 -- x\r; SELECT 2"))
                .containsExactly("SELECT 1 -- x", "SELECT 2");
    }

    @Test
    void semicolonInBlockCommentsStays() {
        assertThat(StatementSplitter.split("/* a; b */ SELECT /* ; */ 1; SELECT 2 /* ;\n; */"))
                .containsExactly("/* a; b */ SELECT /* ; */ 1", "SELECT 2 /* ;\n; */");
    }

    @Test
    void blockCommentsNestAsInH2() {
        assertThat(StatementSplitter.split("SELECT /* outer /* inner; */ still; comment */ 1; SELECT 2"))
                .containsExactly("SELECT /* outer /* inner; */ still; comment */ 1", "SELECT 2");
    }

    @Test
    void quotesInsideCommentsAreIgnored() {
        assertThat(StatementSplitter.split("SELECT 1 -- it's\n; /* \"x */ SELECT 2"))
                .containsExactly("SELECT 1 -- it's", "/* \"x */ SELECT 2");
    }

    @Test
    void commentsInsideQuotesAreText() {
        assertThat(StatementSplitter.split("SELECT '-- not; a comment', '/* nor; this'; SELECT 2"))
                .containsExactly("SELECT '-- not; a comment', '/* nor; this'", "SELECT 2");
    }

    @Test
    void commentOnlyTextIsNoStatement() {
        assertThat(StatementSplitter.split("-- just a comment; really\n/* and; this */ ; // more")).isEmpty();
    }

    @Test
    void operatorsThatLookLikeCommentStartsAreCode() {
        assertThat(StatementSplitter.split("SELECT 4 - 1; SELECT 8 / 2;-")).containsExactly("SELECT 4 - 1",
                "SELECT 8 / 2", "-");
    }

    @Test
    void dollarQuotedStringsKeepSemicolons() {
        String alias = "CREATE ALIAS F AS $$ String f(String s) { return s + \";\"; } $$";
        assertThat(StatementSplitter.split(alias + "; CALL F('x')")).containsExactly(alias, "CALL F('x')");
    }

    @Test
    void dollarsInsideIdentifiersAreNoString() {
        assertThat(StatementSplitter.split("SELECT A$$B FROM T; SELECT 2")).containsExactly("SELECT A$$B FROM T",
                "SELECT 2");
    }

    @Test
    void unterminatedStringIsReturnedAtTheEnd() {
        assertThat(StatementSplitter.split("SELECT 'abc; def")).containsExactly("SELECT 'abc; def");
    }

    @Test
    void feedingLineByLineWaitsForTheSemicolon() {
        StatementSplitter s = new StatementSplitter();
        assertThat(s.hasPartialStatement()).isFalse();
        assertThat(s.feed("SELECT 'a\n")).isEmpty();
        assertThat(s.hasPartialStatement()).isTrue();
        assertThat(s.feed("b;c' -- x;\n")).isEmpty();
        assertThat(s.feed(", 2; SELECT 3;\n")).containsExactly("SELECT 'a\nb;c' -- x;\n, 2", "SELECT 3");
        assertThat(s.hasPartialStatement()).isFalse();
        assertThat(s.finish()).isEmpty();
    }

    @Test
    void twoCharacterTokensMaySpanPieces() {
        StatementSplitter s = new StatementSplitter();
        List<String> out = new ArrayList<>();
        for (char c : "SELECT 1 -- a;\n/* b; */;SELECT $$x;y$$;".toCharArray()) {
            out.addAll(s.feed(String.valueOf(c)));
        }
        assertThat(out).containsExactly("SELECT 1 -- a;\n/* b; */", "SELECT $$x;y$$");
    }

    @Test
    void aCommentOnlyLineLeavesNoPartialStatement() {
        StatementSplitter s = new StatementSplitter();
        assertThat(s.feed("-- hello\n")).isEmpty();
        assertThat(s.hasPartialStatement()).isFalse();
        assertThat(s.feed("/* open\n")).isEmpty();
        assertThat(s.hasPartialStatement()).isTrue();
        assertThat(s.feed("closed */\n")).isEmpty();
        assertThat(s.hasPartialStatement()).isFalse();
    }

    @Test
    void finishReturnsTheLastStatementWithoutSemicolon() {
        StatementSplitter s = new StatementSplitter();
        assertThat(s.feed("SELECT 1; SELECT 2")).containsExactly("SELECT 1");
        assertThat(s.finish()).contains("SELECT 2");
        assertThat(s.finish()).isEmpty();
    }
}
