package io.tetradb.server.sql;

import org.h2.api.JavaObjectSerializer;

import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;

/**
 * The engine's Java object serializer: it never deserializes. H2 would otherwise turn
 * the bytes of a {@code JAVA_OBJECT} value into an object of any class on the server's
 * classpath whenever it converts one to Java (an ARRAY element read through JDBC, a
 * {@code getObject}), which lets a client make the server run the code of a class it
 * chooses. {@link Database} installs it on the engine at every open, so it holds for every
 * session; such a conversion fails with H2's "deserialization failed" error instead.
 * Tetra itself sends {@code JAVA_OBJECT} values as their bytes (docs/protocol.md).
 *
 * <p>Stateless; called by H2 on whichever thread converts a value (workers).
 */
public final class BytesOnlyJavaObjects implements JavaObjectSerializer {
    /** What a refused conversion says. */
    static final String REFUSAL = "Tetra never deserializes Java objects: JAVA_OBJECT values travel as their bytes.";

    @Override
    public byte[] serialize(Object obj) throws Exception {
        // Objects made on the server (never by a client) may still be stored as JAVA_OBJECT.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ObjectOutputStream os = new ObjectOutputStream(out)) {
            os.writeObject(obj);
        }
        return out.toByteArray();
    }

    @Override
    public Object deserialize(byte[] bytes) {
        throw new UnsupportedOperationException(REFUSAL);
    }
}
