package com.example;

import io.tetradb.client.ClientConfig;
import io.tetradb.client.Row;
import io.tetradb.client.Rows;
import io.tetradb.client.TetraClient;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A small user of Tetra: a stock list in the table STOCK, filled with the client library
 * and updated through the JDBC driver. Run it against a server with
 * {@code java -cp <the jars> com.example.StockList HOST PORT USER PASSWORD}.
 */
public final class StockList {
    private StockList() {
    }

    public static void main(String[] args) throws SQLException {
        if (args.length != 4) {
            System.err.println("usage: StockList HOST PORT USER PASSWORD");
            System.exit(2);
        }
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        System.out.println("items: " + addItems(host, port, args[2], args[3], "tea", "coffee"));
        System.out.println("tea: " + addQuantity(jdbcUrl(host, port), args[2], args[3], "tea", 3));
    }

    /** The JDBC URL of the server at {@code host:port}. */
    public static String jdbcUrl(String host, int port) {
        return "jdbc:tetra://" + host + ":" + port + "/";
    }

    /**
     * With the client library: creates STOCK when it is missing, adds each item (quantity 0)
     * that it does not hold yet, and returns every item it holds, in order.
     */
    public static List<String> addItems(String host, int port, String user, String password, String... items) {
        ClientConfig config = ClientConfig.builder().host(host).port(port).user(user).password(password)
                .connectTimeout(Duration.ofSeconds(30)).build();
        try (TetraClient client = TetraClient.connect(config)) {
            client.execute("CREATE TABLE IF NOT EXISTS STOCK(ITEM VARCHAR(50) PRIMARY KEY, QUANTITY INT NOT NULL)");
            for (String item : items) {
                client.update("MERGE INTO STOCK USING (VALUES CAST(? AS VARCHAR(50))) S(ITEM) ON STOCK.ITEM = S.ITEM"
                        + " WHEN NOT MATCHED THEN INSERT VALUES (S.ITEM, 0)", item);
            }
            List<String> names = new ArrayList<>();
            try (Rows rows = client.query("SELECT ITEM FROM STOCK ORDER BY ITEM")) {
                for (Row row : rows) {
                    names.add(row.getString("ITEM"));
                }
            }
            return names;
        }
    }

    /** With the JDBC driver, in one transaction: adds {@code quantity} to the item's and returns the new quantity. */
    public static int addQuantity(String url, String user, String password, String item, int quantity)
            throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            c.setAutoCommit(false);
            try (PreparedStatement update = c.prepareStatement("UPDATE STOCK SET QUANTITY = QUANTITY + ? WHERE ITEM = ?")) {
                update.setInt(1, quantity);
                update.setString(2, item);
                if (update.executeUpdate() != 1) {
                    throw new SQLException("No such item: " + item);
                }
            }
            int now;
            try (PreparedStatement query = c.prepareStatement("SELECT QUANTITY FROM STOCK WHERE ITEM = ?")) {
                query.setString(1, item);
                try (ResultSet rs = query.executeQuery()) {
                    rs.next();
                    now = rs.getInt(1);
                }
            }
            c.commit();
            return now;
        }
    }
}
