package io.tetradb.client;

import io.tetradb.protocol.Error;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The error-code catalogue: unique numbers, the codes docs/error-codes.md names, lookups. */
@Timeout(10)
class ErrorCodeTest {
    @Test
    void codesAreUnique() {
        Set<Integer> seen = new HashSet<>();
        for (ErrorCode c : ErrorCode.values()) {
            assertThat(seen.add(c.code())).as("code %d of %s used twice", c.code(), c).isTrue();
        }
    }

    @Test
    void everyCodeRoundTripsThroughFromCode() {
        for (ErrorCode c : ErrorCode.values()) {
            assertThat(ErrorCode.fromCode(c.code())).isSameAs(c);
            assertThat(ErrorCode.isKnown(c.code())).isTrue();
            assertThat(c.defaultMessage()).isNotBlank();
        }
    }

    @Test
    void catalogueHasTheDocumentedCodes() {
        int[] documented = {-9976, 1401, 1404, 1405, 1406, 1407, 1409, 1411, 1418, 1419,
                2001, 2002, 2003, 2004, 2005, 2006, 2007};
        int[] all = Arrays.stream(ErrorCode.values()).mapToInt(ErrorCode::code).toArray();
        assertThat(all).contains(documented);
        assertThat(ErrorCode.fromCode(-9976)).isEqualTo(ErrorCode.BACKUP_IN_PROGRESS);
        assertThat(ErrorCode.fromCode(1401)).isEqualTo(ErrorCode.BACKUP_MAX_ATTEMPTS);
        assertThat(ErrorCode.fromCode(1419)).isEqualTo(ErrorCode.BACKUP_ALREADY_RUNNING);
        assertThat(ErrorCode.fromCode(2002)).isEqualTo(ErrorCode.AUTH_FAILED);
        assertThat(ErrorCode.fromCode(2004)).isEqualTo(ErrorCode.PROTOCOL_ERROR);
        assertThat(ErrorCode.fromCode(2005)).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
        assertThat(ErrorCode.fromCode(2006)).isEqualTo(ErrorCode.SQL_ERROR);
        assertThat(ErrorCode.fromCode(2007)).isEqualTo(ErrorCode.NOT_ALLOWED_FOR_ROLE);
    }

    @Test
    void backupCodesStayInTheirRange() {
        for (ErrorCode c : ErrorCode.values()) {
            if (c.name().startsWith("BACKUP_") && c != ErrorCode.BACKUP_IN_PROGRESS) {
                assertThat(c.code()).as(c.name()).isBetween(1401, 1419);
            }
        }
    }

    @Test
    void unknownNumbersMapToInternalErrorButKeepTheirRawCode() {
        assertThat(ErrorCode.isKnown(4242)).isFalse();
        assertThat(ErrorCode.fromCode(4242)).isEqualTo(ErrorCode.INTERNAL_ERROR);
        TetraException e = TetraException.fromWire(Error.newBuilder().setCode(4242).setMessage("newer").build());
        assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL_ERROR);
        assertThat(e.rawCode()).isEqualTo(4242);
        assertThat(e.toWire().getCode()).isEqualTo(4242);
    }

    @Test
    void exceptionsRoundTripThroughTheWire() {
        TetraException sql = TetraException.sql("Syntax error", "42001", 42001, null).withInTransaction(true);
        TetraException back = TetraException.fromWire(sql.toWire());
        assertThat(back.code()).isEqualTo(ErrorCode.SQL_ERROR);
        assertThat(back.sqlState()).isEqualTo("42001");
        assertThat(back.vendorCode()).isEqualTo(42001);
        assertThat(back.inTransaction()).isTrue();
        assertThat(back.getMessage()).isEqualTo("Syntax error");

        TetraException plain = TetraException.fromWire(new TetraException(ErrorCode.BACKUP_IN_PROGRESS, "").toWire());
        assertThat(plain.code()).isEqualTo(ErrorCode.BACKUP_IN_PROGRESS);
        assertThat(plain.rawCode()).isEqualTo(-9976);
        assertThat(plain.sqlState()).isNull();
        assertThat(plain.getMessage()).isEqualTo(ErrorCode.BACKUP_IN_PROGRESS.defaultMessage());
    }
}
