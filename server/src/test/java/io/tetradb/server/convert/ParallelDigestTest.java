package io.tetradb.server.convert;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A table read in row id ranges on several threads sums up to the same digest as read
 * whole, in any order; and the digest tells contents apart: a table that differs from
 * another by one value, one row, two values swapped between rows, NULL for an empty
 * string or a value moved between columns has another digest, while a plain copy under
 * another name has the same one (so the differences are the content's, not the table's).
 */
@Timeout(60)
class ParallelDigestTest {
    private static final String URL = "jdbc:h2:mem:digest;DB_CLOSE_DELAY=-1";
    private static final String VARIANTS_URL = "jdbc:h2:mem:digestvariants;DB_CLOSE_DELAY=-1";

    @Test
    void partsAddUpToTheWholeTableAndRowOrderDoesNotMatter() throws Exception {
        try (LegacyEngine h2 = LegacyEngine.current()) {
            try (Connection c = h2.connect(URL, "SA", "")) {
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
                ParallelDigest.Result parts = ParallelDigest.run(c, () -> h2.connect(URL, "SA", ""), List.of(a, b),
                        Map.of(a.key(), 5000L, b.key(), 5000L), t -> null, 3, 400, n -> { });
                assertThat(parts.failures()).isEmpty();
                assertThat(parts.sums().get(a.key())).isEqualTo(whole);
                assertThat(parts.sums().get(b.key()).rows()).isEqualTo(5000);
                assertThat(parts.sums().get(b.key()).hex()).as("same rows, other keys and order").isEqualTo(whole.hex());
            }
        }
    }

    @Test
    void everySmallDifferenceInContentGivesAnotherDigestAndACopyTheSame() throws Exception {
        // Each variant is BASE with one change; rows 10 and 900 lie in different parts (400 rows each).
        Map<String, String> variants = new LinkedHashMap<>();
        variants.put("COPY", null);
        variants.put("ONE_STRING", "UPDATE V SET S = 'row 500!' WHERE ID = 500");
        variants.put("ONE_INTEGER", "UPDATE V SET N = N + 1 WHERE ID = 501");
        variants.put("ONE_DECIMAL", "UPDATE V SET D = D + 0.01 WHERE ID = 502");
        variants.put("ONE_BLOB_BYTE", "UPDATE V SET B = X'6162616263' WHERE ID = 503");
        variants.put("ONE_TIMESTAMP", "UPDATE V SET T = T + INTERVAL '1' SECOND WHERE ID = 504");
        variants.put("ROW_MISSING", "DELETE FROM V WHERE ID = 300");
        variants.put("ROW_EXTRA", "INSERT INTO V SELECT 2000, N, S, S2, D, B, T FROM V WHERE ID = 300");
        // Same row count: one row gone, another one there twice.
        variants.put("ROW_REPLACED_BY_A_COPY", "UPDATE V SET (N, S, S2, D, B, T) = "
                + "(SELECT N, S, S2, D, B, T FROM V WHERE ID = 11) WHERE ID = 12");
        variants.put("STRINGS_SWAPPED_BETWEEN_ROWS", "UPDATE V SET S = CASE ID WHEN 10 THEN 'row 900' ELSE 'row 10' END "
                + "WHERE ID IN (10, 900)");
        variants.put("INTEGERS_SWAPPED_BETWEEN_ROWS", "UPDATE V SET N = CASE ID WHEN 20 THEN 70 ELSE 20 END "
                + "WHERE ID IN (20, 70)");
        variants.put("EMPTY_STRING_MADE_NULL", "UPDATE V SET S = NULL WHERE ID = 1");
        variants.put("NULL_MADE_EMPTY_STRING", "UPDATE V SET S2 = '' WHERE ID = 2");
        variants.put("ZERO_MADE_NULL", "UPDATE V SET N = NULL WHERE ID = 3");
        variants.put("EMPTY_BLOB_MADE_NULL", "UPDATE V SET B = NULL WHERE ID = 50");
        // ('row 42', 'x') and ('row 4', '2x'): the same characters in the same order, split otherwise.
        variants.put("TEXT_MOVED_BETWEEN_COLUMNS", "UPDATE V SET S = 'row 4', S2 = '2x' WHERE ID = 42");
        variants.put("VALUES_SWAPPED_BETWEEN_COLUMNS", "UPDATE V SET S = S2, S2 = S WHERE ID = 43");

        try (LegacyEngine h2 = LegacyEngine.current();
             Connection c = h2.connect(VARIANTS_URL, "SA", "")) {
            // Row 1: S is ''; row 2: S2 is NULL; row 3: N is 0; row 50: B is empty; others plain values.
            LegacyDatabases.run(c, "CREATE TABLE BASE(ID BIGINT PRIMARY KEY, N INT, S VARCHAR, S2 VARCHAR, "
                            + "D DECIMAL(10,2), B BLOB, T TIMESTAMP)",
                    "INSERT INTO BASE SELECT X, X - 3, CASE X WHEN 1 THEN '' ELSE 'row ' || X END, "
                            + "CASE X WHEN 2 THEN NULL ELSE 'x' END, X / 3.0, "
                            + "CAST(REPEAT('ab', MOD(X, 50)) AS BLOB), TIMESTAMP '2024-01-01 00:00:00' + X * INTERVAL '1' MINUTE "
                            + "FROM SYSTEM_RANGE(1, 1000)");
            for (Map.Entry<String, String> v : variants.entrySet()) {
                LegacyDatabases.run(c, "CREATE TABLE " + v.getKey() + " AS SELECT * FROM BASE");
                if (v.getValue() != null) {
                    LegacyDatabases.run(c, v.getValue().replace(" V ", " " + v.getKey() + " "));
                }
            }
            List<SourceStructure.Table> tables = SourceStructure.read(c).tables();
            Map<String, SourceStructure.Table> byName = new HashMap<>();
            Map<String, Long> counts = new HashMap<>();
            for (SourceStructure.Table t : tables) {
                byName.put(t.ref().name(), t);
                counts.put(t.key(), 1000L);
            }
            assertThat(byName).containsKey("BASE").containsKeys(variants.keySet().toArray(String[]::new));
            // In parts of 400 rows on 3 threads, and each table whole on this thread: the same sums.
            ParallelDigest.Result parts = ParallelDigest.run(c, () -> h2.connect(VARIANTS_URL, "SA", ""), tables, counts,
                    t -> null, 3, 400, n -> { });
            assertThat(parts.failures()).isEmpty();
            Map<String, ContentDigest.TableSum> sums = new HashMap<>();
            for (SourceStructure.Table t : tables) {
                ContentDigest.TableSum whole = new ContentDigest().digest(c, t.ref(), t.columnNames(), t.kinds(), null,
                        n -> { });
                assertThat(parts.sums().get(t.key())).as("%s in parts", t.key()).isEqualTo(whole);
                sums.put(t.ref().name(), whole);
            }
            ContentDigest.TableSum base = sums.get("BASE");
            assertThat(base.rows()).isEqualTo(1000);
            assertThat(sums.get("COPY")).as("a plain copy").isEqualTo(base);
            Map<String, String> seen = new HashMap<>();
            seen.put(base.hex(), "BASE");
            for (String name : variants.keySet()) {
                if (name.equals("COPY")) {
                    continue;
                }
                ContentDigest.TableSum sum = sums.get(name);
                String earlier = seen.putIfAbsent(sum.hex(), name);
                assertThat(earlier).as("%s has the digest of %s", name, earlier).isNull();
            }
            assertThat(sums.get("ROW_MISSING").rows()).isEqualTo(999);
            assertThat(sums.get("ROW_EXTRA").rows()).isEqualTo(1001);
            assertThat(sums.get("ROW_REPLACED_BY_A_COPY").rows()).isEqualTo(1000);
            assertThat(sums.get("STRINGS_SWAPPED_BETWEEN_ROWS").rows()).isEqualTo(1000);
        }
    }
}
