package io.tetradb.admin;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/** The line-editing shell's rules: when an input is whole, what counts as quitting, what the history never keeps. */
@Timeout(30)
class TerminalShellTest {
    @Test
    void anInputIsWholeAtASemicolonOutsideQuotesAndComments() {
        assertThat(TerminalShell.isComplete("SELECT 1;")).isTrue();
        assertThat(TerminalShell.isComplete("SELECT\n1;")).isTrue();
        assertThat(TerminalShell.isComplete("SELECT 1; -- done")).isTrue();
        assertThat(TerminalShell.isComplete("")).isTrue();
        assertThat(TerminalShell.isComplete("SELECT 1")).isFalse();
        assertThat(TerminalShell.isComplete("SELECT ';")).isFalse();
        assertThat(TerminalShell.isComplete("SELECT 1 /* ; */")).isFalse();
        assertThat(TerminalShell.isComplete("SELECT 1; SELECT 2")).isFalse();
    }

    @Test
    void backslashCommandsAndExitNeedNoSemicolon() {
        assertThat(TerminalShell.isComplete("\\d ITEM")).isTrue();
        assertThat(TerminalShell.isComplete("  \\q")).isTrue();
        assertThat(TerminalShell.isComplete("exit")).isTrue();
        assertThat(TerminalShell.isQuit("QUIT;")).isTrue();
        assertThat(TerminalShell.isQuit("exit now")).isFalse();
    }

    @Test
    void inputsNamingAPasswordAreSecret() {
        assertThat(TerminalShell.isSecret("CREATE USER BOB PASSWORD 'x';")).isTrue();
        assertThat(TerminalShell.isSecret("alter user bob set password 'x';")).isTrue();
        assertThat(TerminalShell.isSecret("CREATE USER BOB SALT '00' HASH '00';")).isTrue();
        assertThat(TerminalShell.isSecret("UPDATE ACCOUNTS\nSET PASSWORD = 'x';")).isTrue();
        assertThat(TerminalShell.isSecret("SELECT * FROM ITEM;")).isFalse();
        assertThat(TerminalShell.isSecret("SELECT PASSWORDS_SEEN FROM T;")).isFalse();
    }
}
