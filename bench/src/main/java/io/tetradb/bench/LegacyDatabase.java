package io.tetradb.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The database of part convert: an H2 1.4.200 data file shaped like an application's
 * (CUSTOMER with an index on CITY; ORDERS with a foreign key to CUSTOMER, an index on the
 * order date and notes of varying length), written by H2 1.4.200 itself in its own JVM
 * ({@code org.h2.tools.RunScript} of the 1.4.200 jar running a script of
 * {@code INSERT ... SELECT FROM SYSTEM_RANGE} in steps of 250,000 customers), then
 * compacted by {@code org.h2.mvstore.MVStoreTool -compact}. Not {@code SHUTDOWN COMPACT}:
 * in 1.4.200 that also LZF-compresses every page (to between a third and a quarter of the
 * size for data like this), while files that are only ever closed, as most are, are not.
 * Kept in the work folder by size for --reuse-data, as generating takes minutes.
 *
 * <p>Made and read on the benchmark's main thread.
 */
final class LegacyDatabase {
    static final String NAME = "legacy";
    /** What one customer and its three orders take in the compacted file, measured (about 990 bytes). */
    private static final long BYTES_PER_CUSTOMER = 990;
    private static final long CUSTOMERS_PER_STEP = 250_000;
    private static final int ORDERS_PER_CUSTOMER = 3;
    /** Where order notes are cut from: text of 0 to 599 characters, a fifth of them NULL. */
    private static final String NOTES = "Please deliver to the back door between nine and five and call the customer"
            + " before the delivery. The customer asked for a paper invoice and a copy of it by mail to the accounting"
            + " department. Fragile items must be packed separately, with extra padding around the glassware. Gift wrap"
            + " requested for two of the items, with a card that reads happy birthday and best wishes from all of us."
            + " Returned once because nobody was at home; the second attempt is planned for the following Monday"
            + " morning. A discount was applied after the complaint about the late delivery of the previous order, as"
            + " agreed on the phone. The customer prefers deliveries on weekdays; the building has no lift and the flat"
            + " is on the fourth floor. Payment by bank transfer within thirty days; a reminder was sent after forty"
            + " days. Replacement parts for the broken handle were sent separately under the same order number. Please"
            + " use the recycled packaging the customer sent back with the last parcel.";

    final Path dir;
    final long targetBytes;
    final long customers;
    final long orders;
    private final ObjectNode json;

    private LegacyDatabase(Path dir, long targetBytes, ObjectNode json) {
        this.dir = dir;
        this.targetBytes = targetBytes;
        this.json = json;
        this.customers = json.path("customers").asLong();
        this.orders = json.path("orders").asLong();
    }

    /** The data file, {@code legacy.mv.db}. */
    Path dataFile() {
        return dir.resolve(NAME + ".mv.db");
    }

    /** The database of about {@code size} bytes: the one an earlier run left (--reuse-data), or a new one. */
    static LegacyDatabase prepare(BenchContext ctx, long size, String heap) throws Exception {
        Path dir = ctx.options.workDir().resolve("legacy-h2-" + ctx.legacyH2Version() + "-" + size);
        Path marker = dir.resolve("made.json");
        Path file = dir.resolve(NAME + ".mv.db");
        if (ctx.options.reuseData() && Files.isRegularFile(marker) && Files.isRegularFile(file)) {
            ObjectNode json = (ObjectNode) new ObjectMapper().readTree(marker.toFile());
            json.put("reused", true);
            LegacyDatabase db = new LegacyDatabase(dir, size, json);
            Bench.log("Reusing the H2 %s database %s (%s).", ctx.legacyH2Version(), db.dataFile(),
                    Bench.mib(Files.size(db.dataFile())));
            return db;
        }
        Bench.deleteTree(dir);
        Files.createDirectories(dir);
        long customers = Math.max(CUSTOMERS_PER_STEP / 10, size / BYTES_PER_CUSTOMER);
        Path script = dir.resolve("generate.sql");
        Files.writeString(script, script(customers), StandardCharsets.UTF_8);
        Bench.log("Creating an H2 %s database of about %s (%d customers, %d orders) in %s.", ctx.legacyH2Version(),
                Bench.mib(size), customers, customers * ORDERS_PER_CUSTOMER, dir);
        String url = "jdbc:h2:file:" + dir.resolve(NAME).toAbsolutePath();
        List<String> load = new ArrayList<>(ServerProcess.javaCommand(heap, List.of()));
        load.addAll(List.of("-cp", ctx.legacyH2Jar().toString(), "org.h2.tools.RunScript", "-url", url, "-user", "sa",
                "-script", script.toString()));
        double loadSeconds = ConvertBench.execChecked(ctx, "legacy-load", load).seconds();
        long before = Files.size(file);
        List<String> compact = new ArrayList<>(ServerProcess.javaCommand(heap, List.of()));
        compact.addAll(List.of("-cp", ctx.legacyH2Jar().toString(), "org.h2.mvstore.MVStoreTool", "-compact",
                file.toString()));
        double compactSeconds = ConvertBench.execChecked(ctx, "legacy-compact", compact).seconds();

        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("engine", "H2 " + ctx.legacyH2Version());
        json.put("shape", "CUSTOMER(ID INT PK, NAME, EMAIL, CITY VARCHAR, CREATED TIMESTAMP, BALANCE DECIMAL; index on"
                + " CITY), ORDERS(ID BIGINT AUTO_INCREMENT PK, CUSTOMER_ID INT FK, ORDERED DATE, AMOUNT DECIMAL,"
                + " STATUS VARCHAR, NOTE VARCHAR of 0-599 characters or NULL; index on ORDERED)");
        json.put("made", "RunScript of the H2 " + ctx.legacyH2Version() + " jar (INSERT ... SELECT FROM SYSTEM_RANGE, "
                + CUSTOMERS_PER_STEP + " customers a step; indexes and foreign key after the data), then MVStoreTool"
                + " -compact (not compressed)");
        json.put("customers", customers);
        json.put("orders", customers * ORDERS_PER_CUSTOMER);
        json.put("loadSeconds", Bench.round1(loadSeconds));
        json.put("bytesBeforeCompaction", before);
        json.put("compactSeconds", Bench.round1(compactSeconds));
        new ObjectMapper().writeValue(marker.toFile(), json);
        json.put("reused", false);
        LegacyDatabase db = new LegacyDatabase(dir, size, json);
        Bench.log("Created %s: %s in %.0f s (load %.0f s, %s before compaction; compaction %.0f s).", db.dataFile(),
                Bench.mib(Files.size(db.dataFile())), loadSeconds + compactSeconds, loadSeconds, Bench.mib(before),
                compactSeconds);
        return db;
    }

    /** The generating script: tables, the data in steps, then the indexes and the foreign key. */
    private static String script(long customers) {
        StringBuilder s = new StringBuilder();
        s.append("CREATE TABLE CUSTOMER(ID INT PRIMARY KEY, NAME VARCHAR(100) NOT NULL, EMAIL VARCHAR(200),"
                + " CITY VARCHAR(50), CREATED TIMESTAMP NOT NULL, BALANCE DECIMAL(12, 2) NOT NULL);\n");
        s.append("CREATE TABLE ORDERS(ID BIGINT AUTO_INCREMENT PRIMARY KEY, CUSTOMER_ID INT NOT NULL,"
                + " ORDERED DATE NOT NULL, AMOUNT DECIMAL(12, 2) NOT NULL, STATUS VARCHAR(20) NOT NULL,"
                + " NOTE VARCHAR(1000));\n");
        for (long from = 1; from <= customers; from += CUSTOMERS_PER_STEP) {
            long to = Math.min(customers, from + CUSTOMERS_PER_STEP - 1);
            long n = to - from + 1;
            s.append("INSERT INTO CUSTOMER SELECT X, 'Customer ' || X,"
                    + " CASEWHEN(MOD(X, 10) = 0, NULL, 'customer' || X || '@example.com'), 'City ' || MOD(X * 31, 997),"
                    + " DATEADD('SECOND', X * 17, TIMESTAMP '2012-01-01 00:00:00'), MOD(X * 7919, 10000000) / 100.0"
                    + " FROM SYSTEM_RANGE(").append(from).append(", ").append(to).append(");\n");
            // Each step's orders belong to that step's customers, in no particular order.
            s.append("INSERT INTO ORDERS(CUSTOMER_ID, ORDERED, AMOUNT, STATUS, NOTE) SELECT ").append(from)
                    .append(" + MOD(X * 7, ").append(n).append("), DATEADD('DAY', MOD(X, 3650), DATE '2012-01-01'),"
                            + " MOD(X * 104729, 1000000) / 100.0, CASE MOD(X, 7) WHEN 0 THEN 'CANCELLED'"
                            + " WHEN 1 THEN 'OPEN' WHEN 2 THEN 'PAID' ELSE 'SHIPPED' END,"
                            + " CASEWHEN(MOD(X, 5) = 0, NULL, SUBSTRING('").append(NOTES)
                    .append("', 1 + MOD(X * 7, 300), MOD(X * 13, 600))) FROM SYSTEM_RANGE(")
                    .append((from - 1) * ORDERS_PER_CUSTOMER + 1).append(", ").append(to * ORDERS_PER_CUSTOMER)
                    .append(");\n");
        }
        s.append("CREATE INDEX CUSTOMER_CITY ON CUSTOMER(CITY);\n");
        s.append("ALTER TABLE ORDERS ADD CONSTRAINT ORDERS_CUSTOMER FOREIGN KEY(CUSTOMER_ID)"
                + " REFERENCES CUSTOMER(ID);\n");
        s.append("CREATE INDEX ORDERS_ORDERED ON ORDERS(ORDERED);\n");
        return s.toString();
    }

    /** What the database is, for the results (size, rows, how it was made, whether it was reused). */
    ObjectNode toJson() throws IOException {
        ObjectNode o = json.deepCopy();
        o.put("file", dataFile().toString());
        o.put("targetBytes", targetBytes);
        o.put("fileBytes", Files.size(dataFile()));
        return o;
    }

    /** The row count of each table as made. */
    Map<String, Long> expectedRows() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("CUSTOMER", customers);
        m.put("ORDERS", orders);
        return m;
    }
}
