package io.tetradb.examples;

// docs:begin client-tour
import io.tetradb.client.*;

import java.util.concurrent.TimeUnit;

public class ClientTour {
    static void run(String host, int port, String adminPassword) throws Exception {
        try (TetraClient client = TetraClient.connect(ClientConfig.builder()
                .host(host).port(port).user("admin").password(adminPassword).build())) {
            client.execute("CREATE TABLE NOTE(ID INT AUTO_INCREMENT PRIMARY KEY, TEXT VARCHAR(200))");

            Result inserted = client.statement("INSERT INTO NOTE(TEXT) VALUES (?)")
                    .parameters("first").returnGeneratedKeys(true).execute();
            System.out.println("key " + inserted.generatedKeys().get(0).getInt(0));

            // asynchronous calls; callbacks run on the client's callback threads and may block
            long count = client.executeAsync("SELECT COUNT(*) FROM NOTE")
                    .thenApply(r -> r.rows().get(0).getLong(0))
                    .get(30, TimeUnit.SECONDS);
            System.out.println("notes " + count);

            // a statement that runs too long is cancelled on the server (2009)
            try {
                client.statement("SELECT SUM(X) FROM SYSTEM_RANGE(1, 10000000000)")
                        .timeout(java.time.Duration.ofMillis(200)).execute();
            } catch (TetraException e) {
                System.out.println("cancelled " + (e.code() == ErrorCode.CANCELLED));
            }

            // the admin API (role admin): the server's state, backups, users, sessions
            var status = client.admin().status();
            System.out.println(status.getDatabaseName() + " " + status.getSessionCount() + " session(s)");
        }
    }
}
// docs:end
