package com.example;

import io.tetradb.client.ClientConfig;
import io.tetradb.client.TetraClient;
import io.tetradb.client.TetraException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * StockList against a running Tetra server, named by system properties:
 * {@code mvn verify -Dtetra.host=HOST -Dtetra.port=PORT -Dtetra.user=USER -Dtetra.password=PASSWORD}.
 */
@Timeout(60)
class StockListTest {
    static final String HOST = System.getProperty("tetra.host", "127.0.0.1");
    static final int PORT = Integer.getInteger("tetra.port", 19813);
    static final String USER = System.getProperty("tetra.user", "admin");
    static final String PASSWORD = System.getProperty("tetra.password", "");

    @Test
    void clientLibraryConnectsAndQueries() {
        List<String> items = StockList.addItems(HOST, PORT, USER, PASSWORD, "tea", "coffee");
        assertTrue(items.containsAll(List.of("coffee", "tea")), items::toString);
        assertEquals(items.stream().sorted().toList(), items);
    }

    @Test
    void clientLibraryReportsErrorsWithTheirCode() {
        ClientConfig config = ClientConfig.builder().host(HOST).port(PORT).user(USER).password(PASSWORD).build();
        try (TetraClient client = TetraClient.connect(config)) {
            TetraException e = assertThrows(TetraException.class, () -> client.query("SELECT * FROM NO_SUCH_TABLE"));
            assertEquals("42S02", e.sqlState(), e::getMessage);
        }
    }

    @Test
    void jdbcDriverThroughDriverManager() throws SQLException {
        StockList.addItems(HOST, PORT, USER, PASSWORD, "sugar");
        String url = StockList.jdbcUrl(HOST, PORT);
        assertEquals(4, StockList.addQuantity(url, USER, PASSWORD, "sugar", 4));
        assertEquals(5, StockList.addQuantity(url, USER, PASSWORD, "sugar", 1));
        try (Connection c = DriverManager.getConnection(url, USER, PASSWORD)) {
            DatabaseMetaData meta = c.getMetaData();
            assertEquals(url, meta.getURL());
            assertEquals(USER, meta.getUserName());
        }
    }
}
