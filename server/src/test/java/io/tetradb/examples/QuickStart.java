package io.tetradb.examples;

// docs:begin quickstart
import io.tetradb.client.*;

public class QuickStart {
    public static void main(String[] args) {
        run("localhost", 19813, System.getenv("APP_PASSWORD"));
    }

    static void run(String host, int port, String password) {
        ClientConfig config = ClientConfig.builder()
                .host(host).port(port).user("app").password(password).build();
        try (TetraClient client = TetraClient.connect(config)) {
            client.execute("CREATE TABLE PERSON(ID INT PRIMARY KEY, NAME VARCHAR(100))");
            client.update("INSERT INTO PERSON VALUES (?, ?)", 1, "Ada");

            try (Rows rows = client.query("SELECT ID, NAME FROM PERSON WHERE ID > ?", 0)) {
                for (Row r : rows) {                          // streamed in batches, any size
                    System.out.println(r.getInt("ID") + " " + r.getString("NAME"));
                }
            }

            client.begin();                                   // an explicit transaction
            client.update("UPDATE PERSON SET NAME = ? WHERE ID = ?", "Ada L.", 1);
            client.commit();
        } catch (TetraException e) {
            System.err.println(e.code().code() + " " + e.getMessage());
            if (e.code() == ErrorCode.BACKUP_IN_PROGRESS) {
                System.err.println("a backup held the write back and it was cancelled");
            }
        }
    }
}
// docs:end
