package io.tetradb.server.log;

import com.google.protobuf.ByteString;
import io.tetradb.protocol.LogOperationInfo;
import io.tetradb.protocol.LogOperationKind;
import io.tetradb.protocol.Value;
import io.tetradb.protocol.ValueList;
import io.tetradb.protocol.Values;
import io.tetradb.protocol.log.Operation;
import io.tetradb.protocol.log.RowChange;
import io.tetradb.protocol.log.TableContent;
import io.tetradb.protocol.log.TableRef;
import io.tetradb.protocol.log.Transaction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/** How {@code log show} renders values and operations: short, bounded, unambiguous. */
@Timeout(30)
class LogCommandsTest {
    private static final TableRef T = TableRef.newBuilder().setSchema("PUBLIC").setTable("T").build();

    @Test
    void valuesAreShortAndBounded() {
        assertThat(LogCommands.value(Values.of(null))).isEqualTo("NULL");
        assertThat(LogCommands.value(Values.of(42))).isEqualTo("42");
        assertThat(LogCommands.value(Values.of("it's"))).isEqualTo("'it''s'");
        assertThat(LogCommands.value(Values.of("a\nb"))).isEqualTo("'a\\nb'");
        assertThat(LogCommands.value(Values.of(new java.math.BigDecimal("12.50")))).isEqualTo("12.50");
        assertThat(LogCommands.value(Values.of(new byte[]{1, (byte) 0xAB}))).isEqualTo("X'01ab'");
        assertThat(LogCommands.value(Values.of(new byte[17]))).isEqualTo("(17 bytes)");
        String longText = "y".repeat(1_000_000);
        assertThat(LogCommands.value(Values.of(longText))).isEqualTo("'" + "y".repeat(48) + "'... (1000000 chars)");
        // A cut never splits a character outside the BMP.
        String emoji = "x".repeat(47) + "\uD83D\uDE00" + "z".repeat(10);
        assertThat(LogCommands.value(Values.of(emoji))).isEqualTo("'" + "x".repeat(47) + "'... (59 chars)");
        ValueList.Builder many = ValueList.newBuilder();
        for (int i = 0; i < 10_000; i++) {
            many.addValues(Values.of(i));
        }
        String array = LogCommands.value(Value.newBuilder().setArrayValue(many).build());
        assertThat(array).startsWith("[0, 1, 2").endsWith(", ... (10000 elements)]").hasSizeLessThan(100);
    }

    @Test
    void operationsAreRenderedByKind() {
        Transaction tx = Transaction.newBuilder().setFirstOperation(10).setCommitTimeMillis(1_000).setUser("app")
                .setSession(3).setClientAddress("10.0.0.5:5000").build();
        RowChange noKey = RowChange.newBuilder().setTable(T).addOldValues(Values.of(1)).addOldValues(Values.of("a"))
                .build();
        LogOperationInfo delete = LogCommands.info(tx, 11, Operation.newBuilder().setDelete(noKey).build());
        assertThat(delete.getOperationKind()).isEqualTo(LogOperationKind.LOG_DELETE);
        assertThat(delete.getSummary()).isEqualTo("(1, 'a')");
        assertThat(delete.getOperation()).isEqualTo(11);
        assertThat(delete.getTransactionFirstOperation()).isEqualTo(10);
        assertThat(delete.getUser()).isEqualTo("app");
        assertThat(delete.getClientAddress()).isEqualTo("10.0.0.5:5000");

        RowChange.Builder wide = RowChange.newBuilder().setTable(T).addKeyColumns(0);
        for (int i = 0; i < 1000; i++) {
            wide.addNewValues(Values.of("column value " + i));
        }
        LogOperationInfo insert = LogCommands.info(tx, 10, Operation.newBuilder().setInsert(wide).build());
        assertThat(insert.getSummary()).startsWith("('column value 0', 'column value 1'")
                .hasSizeLessThanOrEqualTo(LogCommands.MAX_SUMMARY);

        RowChange same = RowChange.newBuilder().setTable(T).addKeyColumns(0).addOldValues(Values.of(1))
                .addNewValues(Values.of(1)).addOldValues(Values.of(ByteString.copyFrom(new byte[100]).toByteArray()))
                .addNewValues(Values.of(new byte[200])).build();
        assertThat(LogCommands.info(tx, 12, Operation.newBuilder().setUpdate(same).build()).getSummary())
                .isEqualTo("key (1): #2=(200 bytes)");

        LogOperationInfo content = LogCommands.info(tx, 13, Operation.newBuilder().setContent(TableContent
                .newBuilder().setTable(T).addRows(ValueList.getDefaultInstance())).build());
        assertThat(content.getKind()).isEqualTo("CONTENT");
        assertThat(content.getSummary()).isEqualTo("1 row");
        assertThat(content.getTable()).isEqualTo("T");
    }
}
