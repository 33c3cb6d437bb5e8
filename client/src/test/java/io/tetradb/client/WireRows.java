package io.tetradb.client;

import com.google.protobuf.InvalidProtocolBufferException;
import io.tetradb.protocol.Column;
import io.tetradb.protocol.ResultHeader;
import io.tetradb.protocol.Values;

import java.util.List;
import java.util.Map;

/** Rows as the client makes them from the wire: Java values encoded, sent as bytes, decoded. */
final class WireRows {
    private WireRows() {
    }

    /** A header of columns {@code labels} (INTEGER, nullable: the type does not matter to the client's Row). */
    static ResultHeader header(String... labels) {
        ResultHeader.Builder h = ResultHeader.newBuilder();
        for (String l : labels) {
            h.addColumns(Column.newBuilder().setName(l).setLabel(l).setSqlType("INTEGER").setJdbcType(4)
                    .setNullable(true));
        }
        return h.build();
    }

    /** One row of {@code values} under {@code header}, through the bytes of the wire message. */
    static Row row(ResultHeader header, Object... values) {
        io.tetradb.protocol.Row.Builder r = io.tetradb.protocol.Row.newBuilder();
        for (Object v : values) {
            r.addValues(Values.of(v));
        }
        io.tetradb.protocol.Row received;
        ResultHeader receivedHeader;
        try {
            received = io.tetradb.protocol.Row.parseFrom(r.build().toByteArray());
            receivedHeader = ResultHeader.parseFrom(header.toByteArray());
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
        List<ColumnInfo> columns = TetraClient.columns(receivedHeader);
        Map<String, Integer> index = TetraClient.indexOf(columns);
        return TetraClient.toRow(columns, index, received);
    }

    /** One value sent alone, as the client reads it back. */
    static Object roundTrip(Object value) {
        return row(header("V"), value).get(0);
    }
}
