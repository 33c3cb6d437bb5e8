package io.tetradb.server.log;

import io.tetradb.protocol.Values;
import io.tetradb.protocol.log.Operation;
import io.tetradb.protocol.log.RowChange;
import io.tetradb.protocol.log.TableRef;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TransactionCaptureTest {
    private static Operation row(int id) {
        return Operation.newBuilder().setInsert(RowChange.newBuilder()
                .setTable(TableRef.newBuilder().setSchema("PUBLIC").setTable("T")).addNewValues(Values.of(id))).build();
    }

    private static List<Integer> ids(TransactionCapture c) {
        return c.operations().stream().map(o -> o.getInsert().getNewValues(0).getIntValue()).toList();
    }

    @Test
    void aFailedStatementTakesBackOnlyItsOwnRows() throws SQLException {
        TransactionCapture c = new TransactionCapture(1 << 20);
        c.statementStarts();
        c.add(row(1));
        c.statementStarts();
        c.add(row(2));
        c.add(row(3));
        c.statementFailed();
        assertThat(ids(c)).containsExactly(1);
    }

    @Test
    void rollbackToASavepointTakesBackWhatCameAfterItAndKeepsTheSavepoint() throws SQLException {
        TransactionCapture c = new TransactionCapture(1 << 20);
        c.add(row(1));
        c.savepoint("A");
        c.add(row(2));
        c.savepoint("B");
        c.add(row(3));
        c.rollbackTo("A");
        assertThat(ids(c)).containsExactly(1);
        c.add(row(4));
        c.rollbackTo("B"); // set after A: gone with the rollback to A
        assertThat(ids(c)).containsExactly(1, 4);
        c.rollbackTo("A");
        assertThat(ids(c)).containsExactly(1);
        c.rollbackTo("UNKNOWN");
        assertThat(ids(c)).containsExactly(1);
    }

    @Test
    void aTransactionBeyondItsByteLimitFailsTheStatementAndItsSizeIsKeptExact() throws SQLException {
        long one = row(1).getSerializedSize();
        TransactionCapture c = new TransactionCapture(3 * one);
        c.add(row(1));
        c.statementStarts();
        c.add(row(2));
        c.add(row(3));
        assertThatThrownBy(() -> c.add(row(4))).isInstanceOf(SQLException.class)
                .hasMessageContaining("limits.transactionLogBytes").extracting(e -> ((SQLException) e).getSQLState())
                .isEqualTo("54000");
        c.statementFailed();
        assertThat(c.bytes()).isEqualTo(one);
        c.add(row(5));
        c.add(row(6));
        assertThat(ids(c)).containsExactly(1, 5, 6);
        c.clear();
        assertThat(c.isEmpty()).isTrue();
        assertThat(c.bytes()).isZero();
    }
}
