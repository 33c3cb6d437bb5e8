package io.tetradb.server.convert;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A table read in row id ranges on several threads sums up to the same digest as read whole, in any order. */
@Timeout(60)
class ParallelDigestTest {
    @Test
    void partsAddUpToTheWholeTableAndRowOrderDoesNotMatter() throws Exception {
        try (LegacyEngine h2 = LegacyEngine.current()) {
            String url = "jdbc:h2:mem:digest;DB_CLOSE_DELAY=-1";
            try (Connection c = h2.connect(url, "SA", "")) {
                LegacyDatabases.run(c, "CREATE TABLE A(ID BIGINT PRIMARY KEY, S VARCHAR, D DECIMAL(10,2), B BLOB)",
                        "INSERT INTO A SELECT X * 7, 'row ' || X, X / 3.0, CAST(REPEAT('ab', MOD(X, 50)) AS BLOB) "
                                + "FROM SYSTEM_RANGE(1, 5000)",
                        // The same rows stored the other way round, under other row ids (no primary key).
                        "CREATE TABLE B(ID BIGINT, S VARCHAR, D DECIMAL(10,2), B BLOB)",
                        "INSERT INTO B SELECT * FROM A ORDER BY ID DESC");
                SourceStructure s = SourceStructure.read(c);
                SourceStructure.Table a = s.tables().get(0);
                SourceStructure.Table b = s.tables().get(1);
                ContentDigest.TableSum whole = new ContentDigest().digest(c, a.ref(), a.columnNames(), a.kinds(), null,
                        n -> { });
                ParallelDigest.Result parts = ParallelDigest.run(c, () -> h2.connect(url, "SA", ""), List.of(a, b),
                        Map.of(a.key(), 5000L, b.key(), 5000L), t -> null, 3, 400, n -> { });
                assertThat(parts.failures()).isEmpty();
                assertThat(parts.sums().get(a.key())).isEqualTo(whole);
                assertThat(parts.sums().get(b.key()).rows()).isEqualTo(5000);
                assertThat(parts.sums().get(b.key()).hex()).as("same rows, other keys and order").isEqualTo(whole.hex());
            }
        }
    }
}
