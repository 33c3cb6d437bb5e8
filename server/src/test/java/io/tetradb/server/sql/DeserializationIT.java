package io.tetradb.server.sql;

import io.tetradb.client.Row;
import io.tetradb.client.Rows;
import io.tetradb.client.TetraClient;
import io.tetradb.client.ErrorCode;
import io.tetradb.protocol.Role;
import io.tetradb.client.TetraException;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * No statement of any role makes the server deserialize bytes a client sent (docs/protocol.md):
 * the serialized {@link Canary} counts every time it is read back into an object, and the
 * server shares this JVM, so a deserialization on the server would show in the count.
 */
@Timeout(120)
class DeserializationIT {
    /** A class whose deserialization is seen. */
    static final class Canary implements Serializable {
        private static final long serialVersionUID = 1L;
        static final AtomicInteger READS = new AtomicInteger();
        final String payload = "canary";

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            READS.incrementAndGet();
        }
    }

    @TempDir
    static Path dir;
    static TetraServer server;
    static TetraClient admin;
    static TetraClient reader;
    static byte[] canary;
    static String hex;

    @BeforeAll
    static void start() throws Exception {
        server = TestServers.start(dir);
        admin = TestServers.admin(server);
        admin.admin().addUser("viewer", Role.READER, "viewer-password".toCharArray());
        reader = TestServers.connect(server, "viewer", "viewer-password");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ObjectOutputStream os = new ObjectOutputStream(out)) {
            os.writeObject(new Canary());
        }
        canary = out.toByteArray();
        hex = HexFormat.of().formatHex(canary);
        admin.execute("CREATE TABLE OBJ(ID INT PRIMARY KEY, O JAVA_OBJECT, OS JAVA_OBJECT ARRAY)");
        admin.update("INSERT INTO OBJ VALUES (1, CAST(? AS JAVA_OBJECT), ARRAY[CAST(? AS JAVA_OBJECT)])", canary, canary);
    }

    @AfterAll
    static void stop() {
        if (reader != null) {
            reader.close();
        }
        if (admin != null) {
            admin.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void reset() {
        Canary.READS.set(0);
    }

    /** Every value of every row of the query, as the client got it. */
    private static List<Object> values(TetraClient c, String sql) {
        List<Object> all = new ArrayList<>();
        try (Rows rows = c.query(sql)) {
            for (Row r : rows) {
                for (int i = 0; i < r.size(); i++) {
                    all.add(r.get(i));
                }
            }
        }
        return all;
    }

    @Test
    void anArrayOfJavaObjectsTravelsAsBytes() {
        // Today's main read it through H2's JDBC array, which deserialized the element.
        List<Object> got = values(reader, "SELECT ARRAY[CAST(X'" + hex + "' AS JAVA_OBJECT)]");
        assertThat(Canary.READS).hasValue(0);
        assertThat(got).hasSize(1);
        assertThat((Object[]) got.get(0)).hasSize(1);
        assertThat((byte[]) ((Object[]) got.get(0))[0]).isEqualTo(canary);
    }

    @Test
    void aJavaObjectColumnTravelsAsItsBytes() {
        List<Object> got = values(reader, "SELECT O FROM OBJ");
        assertThat(Canary.READS).hasValue(0);
        assertThat((byte[]) got.get(0)).isEqualTo(canary);
    }

    @Test
    void storedArraysRowsSortingAndAggregatesNeverDeserialize() {
        for (TetraClient c : new TetraClient[]{reader, admin}) {
            values(c, "SELECT OS FROM OBJ");
            values(c, "SELECT ARRAY_AGG(O) FROM OBJ");
            values(c, "SELECT ROW(O, 1) FROM OBJ");
            values(c, "SELECT DISTINCT O FROM OBJ ORDER BY O");
            values(c, "SELECT CAST(O AS VARBINARY) FROM OBJ WHERE O = CAST(X'" + hex + "' AS JAVA_OBJECT)");
        }
        assertThat(Canary.READS).hasValue(0);
        Object[] stored = (Object[]) values(reader, "SELECT OS FROM OBJ").get(0);
        assertThat((byte[]) stored[0]).isEqualTo(canary);
    }

    @Test
    void noSessionCanPutBackADeserializingSerializer() {
        for (TetraClient c : new TetraClient[]{reader, admin}) {
            assertThatThrownBy(() -> c.execute("SET JAVA_OBJECT_SERIALIZER NULL"))
                    .isInstanceOfSatisfying(TetraException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_ALLOWED_FOR_ROLE));
        }
        values(reader, "SELECT ARRAY[CAST(X'" + hex + "' AS JAVA_OBJECT)]");
        assertThat(Canary.READS).hasValue(0);
    }

    @Test
    void aConversionThatWouldDeserializeFailsInsteadOfRunningTheClassCode() {
        // Converting a JAVA_OBJECT to a character string would need the object: refused, the session goes on.
        for (String sql : new String[]{"SELECT CAST(O AS VARCHAR) FROM OBJ", "SELECT O || 'x' FROM OBJ"}) {
            try {
                values(admin, sql);
            } catch (RuntimeException refused) {
                // an SQL error is a fine answer; what matters is that no object was made
            }
        }
        assertThat(Canary.READS).hasValue(0);
        assertThat(values(admin, "SELECT COUNT(*) FROM OBJ")).containsExactly(1L);
    }
}
