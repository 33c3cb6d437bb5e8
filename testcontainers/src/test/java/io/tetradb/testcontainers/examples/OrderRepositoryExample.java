package io.tetradb.testcontainers.examples;

import io.tetradb.client.TetraClient;
import io.tetradb.testcontainers.TetraContainer;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The Testcontainers example of docs/docker.md, compiled with the tests. Its name is neither
 * a unit test's nor an integration test's: it needs a Docker engine and the image "tetra"
 * built beforehand, which TetraContainerIT replaces by building the image itself and
 * running the same steps where Docker runs.
 */
// docs:begin testcontainers
@Testcontainers(disabledWithoutDocker = true)
class OrderRepositoryExample {
    @Container
    static final TetraContainer TETRA = new TetraContainer("tetra").withAdminPassword("test-password");

    @Test
    void savesOrders() {
        try (TetraClient client = TETRA.client()) {            // connected as admin
            client.execute("CREATE TABLE ORDERS(ID INT PRIMARY KEY)");
            client.update("INSERT INTO ORDERS VALUES (?)", 1);
        }
    }
}
// docs:end
