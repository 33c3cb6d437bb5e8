package com.example;

import io.tetradb.testcontainers.TetraContainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Setting up a TetraContainer. Starting it needs Docker and Tetra's image
 * ({@code docker build -f docker/Dockerfile -t tetra .} in Tetra's clone); then, in a test:
 * <pre>{@code
 * @Container
 * static final TetraContainer TETRA = new TetraContainer("tetra").withAdminPassword("test-password");
 * ...
 * try (TetraClient client = TETRA.client()) { ... }
 * String url = StockList.jdbcUrl(TETRA.getHost(), TETRA.getPort());
 * }</pre>
 * This test only configures one (no Docker needed).
 */
@Timeout(60)
class TetraContainerSetupTest {
    @Test
    void configuresTheContainer() {
        TetraContainer tetra = new TetraContainer("tetra").withAdminPassword("test-password").withDatabaseName("shop");
        assertEquals("test-password", tetra.getAdminPassword());
        assertEquals("/var/lib/tetra/shop", tetra.getDatabasePath());
        assertTrue(tetra.getExposedPorts().contains(TetraContainer.TETRA_PORT), tetra.getExposedPorts()::toString);
    }

    @Test
    void refusesAShortAdminPassword() {
        assertThrows(IllegalArgumentException.class, () -> new TetraContainer("tetra").withAdminPassword("short"));
    }
}
