package io.tetradb.server.log;

import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraException;
import io.tetradb.protocol.Value;
import io.tetradb.protocol.InvalidValueException;
import io.tetradb.protocol.Values;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Values of rows as the log records them: the wire's {@link Value}, from the Java objects
 * H2 hands its row triggers (the stored values: {@code java.time} types, {@code byte[]},
 * {@code BigDecimal}, arrays as {@code Object[]}). Large objects are read whole; intervals
 * and geometries keep H2's text form, which H2 converts back into the column's type.
 *
 * <p>Stateless; any thread.
 */
final class LogValues {
    private LogValues() {
    }

    static List<Value> of(Object[] row) throws SQLException {
        List<Value> out = new ArrayList<>(row.length);
        for (Object o : row) {
            out.add(of(o));
        }
        return out;
    }

    static Value of(Object o) throws SQLException {
        if (o instanceof Blob b) {
            try (InputStream in = b.getBinaryStream()) {
                return Values.of(in.readAllBytes());
            } catch (IOException e) {
                throw new SQLException("A BLOB value could not be read for the log: " + e.getMessage(), e);
            }
        }
        if (o instanceof Clob c) {
            try (Reader r = c.getCharacterStream()) {
                StringBuilder sb = new StringBuilder();
                char[] buf = new char[8192];
                for (int n; (n = r.read(buf)) > 0; ) {
                    sb.append(buf, 0, n);
                }
                return Values.of(sb.toString());
            } catch (IOException e) {
                throw new SQLException("A CLOB value could not be read for the log: " + e.getMessage(), e);
            }
        }
        if (o instanceof Object[] a) {
            io.tetradb.protocol.ValueList.Builder list = io.tetradb.protocol.ValueList.newBuilder();
            for (Object e : a) {
                list.addValues(of(e));
            }
            return Value.newBuilder().setArrayValue(list).build();
        }
        return Values.of(o);
    }

    /** The Java objects to bind when a row is redone. */
    static Object toJava(Value v) {
        try {
            return Values.toJava(v);
        } catch (InvalidValueException e) {
            throw new TetraException(ErrorCode.INVALID_ARGUMENT, e.getMessage(), e);
        }
    }
}
