package io.tetradb.protocol;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/** The shared text forms: role names as read by server and command line, byte counts for people. */
@Timeout(10)
class TextFormsTest {
    @Test
    void rolesParseInAnyCaseAndNothingElseIsARole() {
        assertThat(Roles.parse("admin")).contains(Role.ADMIN);
        assertThat(Roles.parse("User")).contains(Role.USER);
        assertThat(Roles.parse("READER")).contains(Role.READER);
        assertThat(Roles.parse("boss")).isEmpty();
        assertThat(Roles.parse("")).isEmpty();
        assertThat(Roles.parse("ROLE_UNSPECIFIED")).isEmpty();
        for (String name : Roles.NAMES) {
            assertThat(Roles.parse(name)).isPresent();
        }
        assertThat(Roles.NAMES).containsExactly("admin", "user", "reader");
    }

    @Test
    void byteCountsUseBinaryUnitsWithOneDecimal() {
        assertThat(ByteSizes.format(0)).isEqualTo("0 B");
        assertThat(ByteSizes.format(1023)).isEqualTo("1023 B");
        assertThat(ByteSizes.format(1024)).isEqualTo("1.0 KiB");
        assertThat(ByteSizes.format(1_572_864)).isEqualTo("1.5 MiB");
        assertThat(ByteSizes.format(3L << 30)).isEqualTo("3.0 GiB");
        assertThat(ByteSizes.format(5L << 40)).isEqualTo("5.0 TiB");
        assertThat(ByteSizes.format(2L << 50)).isEqualTo("2.0 PiB");
        assertThat(ByteSizes.format(2048L << 50)).isEqualTo("2048.0 PiB");
    }
}
