package io.tetradb.server.sql;

import io.tetradb.client.TetraClient;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** catalog.xml: a failed rewrite is reported, and table numbers never change silently (issue 12, 10d). */
@Timeout(120)
class CatalogIT {
    @TempDir
    Path dir;

    @Test
    void aCatalogThatCannotBeWrittenIsReportedAndNumbersAreKept() throws Exception {
        try (TetraServer server = TestServers.start(dir); TetraClient admin = TestServers.admin(server)) {
            Path catalog = server.layout().catalogFile();
            assertThat(admin.execute("CREATE TABLE A(ID INT)").warning()).isEmpty();
            // A folder where the rewrite puts its temporary file: the next rewrite fails (even as root).
            Path blocker = catalog.resolveSibling(catalog.getFileName() + ".tmp");
            Files.createDirectories(blocker.resolve("in-the-way"));

            String warning = admin.execute("CREATE TABLE B(ID INT)").warning();
            assertThat(warning).contains("catalog.xml could not be written");
            assertThat(admin.admin().status().getCatalogProblem()).isEqualTo(warning);
            assertThat(Files.readString(catalog)).contains("name=\"A\"").doesNotContain("name=\"B\"");

            Files.delete(blocker.resolve("in-the-way"));
            Files.delete(blocker);
            assertThat(admin.execute("CREATE TABLE C(ID INT)").warning()).isEmpty();
            assertThat(admin.admin().status().getCatalogProblem()).isEmpty();
            String xml = Files.readString(catalog);
            assertThat(number(xml, "A")).isEqualTo(1);
            assertThat(number(xml, "B")).isEqualTo(2);
            assertThat(number(xml, "C")).isEqualTo(3);
        }
    }

    @Test
    void aCatalogThatCannotBeReadStopsTheStartAndIsNotOverwritten() throws Exception {
        Path catalog;
        try (TetraServer server = TestServers.start(dir); TetraClient admin = TestServers.admin(server)) {
            admin.execute("CREATE TABLE A(ID INT)");
            catalog = server.layout().catalogFile();
        }
        Files.writeString(catalog, "<catalog><table number=\"x");
        assertThatThrownBy(() -> TestServers.start(dir))
                .hasMessageContaining("cannot be read")
                .hasMessageContaining("restore it from a backup, or move it away");
        assertThat(Files.readString(catalog)).isEqualTo("<catalog><table number=\"x");
        // Moved away by the operator: the server starts and numbers the tables anew, as it was told to.
        Files.move(catalog, catalog.resolveSibling("catalog.xml.damaged"));
        try (TetraServer server = TestServers.start(dir); TetraClient admin = TestServers.admin(server)) {
            assertThat(admin.admin().status().getCatalogProblem()).isEmpty();
            assertThat(number(Files.readString(catalog), "A")).isEqualTo(1);
        }
    }

    /** The number catalog.xml gives table {@code name}. */
    private static int number(String xml, String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("<table [^>]*name=\"" + name
                + "\"[^>]*number=\"(\\d+)\"").matcher(xml);
        assertThat(m.find()).as("table %s in %s", name, xml).isTrue();
        return Integer.parseInt(m.group(1));
    }
}
