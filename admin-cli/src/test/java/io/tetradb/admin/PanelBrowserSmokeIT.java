package io.tetradb.admin;

import io.tetradb.admin.PackagedServers.ServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The browser tests' whole chain: the packaged server's HTTP port read from its stdout, Debian's
 * headless Chromium through chromedriver (Browser), a page, a screenshot, the console and the
 * diagnostics a failed browser test leaves. Skipped, with the reason, where no browser is installed.
 */
@Timeout(300)
class PanelBrowserSmokeIT {
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @RegisterExtension
    final BrowserExtension browsers = new BrowserExtension();
    @TempDir
    Path temp;
    PackagedServers servers;

    @BeforeEach
    void setUp() {
        servers = new PackagedServers(temp);
    }

    @AfterEach
    void killLeftovers() throws InterruptedException {
        servers.killLeftovers();
    }

    @Test
    void chromiumShowsThePackagedServersHealthPageAndTakesItsScreenshot() throws Exception {
        ServerProcess server = servers.start(temp.resolve("db"), Map.of("TETRA_ADMIN_PASSWORD", "smoke-secret"));
        assertThat(server.port()).isPositive();
        String http = server.httpUrl();
        assertThat(http).isEqualTo("http://127.0.0.1:" + server.httpPort());
        assertThat(server.httpPort()).isNotEqualTo(server.port());

        Browser browser = browsers.start(temp);
        System.out.println("Chromium and chromedriver started in " + browser.startupTime().toMillis() + " ms");
        browser.open(http + "/health");
        browser.waitForText(By.tagName("body"), "ok");
        assertThat(browser.bodyText()).isEqualTo("ok");
        assertThat(browser.driver().getCurrentUrl()).isEqualTo(http + "/health");

        Path png = browser.screenshot("smoke-health");
        // kept in the test's own folder until the test has passed
        assertThat(png).startsWith(temp).hasFileName("smoke-health.png");
        byte[] bytes = Files.readAllBytes(png);
        assertThat(bytes).startsWith(PNG_SIGNATURE);
        // The window is the fixed 1280x900 the screenshots are meant to have.
        assertThat(browser.script("return [window.innerWidth, window.innerHeight];").toString())
                .isEqualTo("[1280, 900]");
        // a whole-page screenshot is at least the viewport's size
        Path page = browser.pageScreenshot("smoke-health-page");
        assertThat(Files.readAllBytes(page)).startsWith(PNG_SIGNATURE);
        java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(page.toFile());
        assertThat(image.getWidth()).isGreaterThanOrEqualTo(1280);
        assertThat(image.getHeight()).isGreaterThanOrEqualTo(900);
        // published as the extension does once a test has passed: under target/panel-screenshots/, in order
        assertThat(browser.publishScreenshots()).containsExactly(
                Browser.targetDir().resolve("panel-screenshots/smoke-health.png"),
                Browser.targetDir().resolve("panel-screenshots/smoke-health-page.png"));
        assertThat(Files.readAllBytes(Browser.targetDir().resolve("panel-screenshots/smoke-health.png")))
                .isEqualTo(bytes);
        assertThat(png).doesNotExist();
        server.stop();
    }

    @Test
    void theConsolePageSourceAndScreenshotOfAFailureAreSavedUnderTarget() throws Exception {
        Browser browser = browsers.start(temp);
        browser.open("data:text/html,<title>diag</title><p id=p>tetra diagnostics</p>");
        browser.waitForText(By.id("p"), "tetra diagnostics");
        browser.script("console.error('tetra-console-marker'); console.log('tetra-info-marker');");
        assertThat(browser.consoleLog()).anySatisfy(line -> assertThat(line).contains("tetra-console-marker"))
                .anySatisfy(line -> assertThat(line).contains("tetra-info-marker"));

        String name = "PanelBrowserSmokeIT.diagnosticsCheck";
        Files.deleteIfExists(Browser.targetDir().resolve("panel-failures").resolve(name + ".problems.txt"));
        Path dir = browser.saveDiagnostics(name);
        assertThat(dir).isEqualTo(Browser.targetDir().resolve("panel-failures"));
        assertThat(Files.readAllBytes(dir.resolve(name + ".png"))).startsWith(PNG_SIGNATURE);
        assertThat(dir.resolve(name + ".html")).content().contains("tetra diagnostics");
        assertThat(dir.resolve(name + ".console.log")).content().contains("tetra-console-marker");
        assertThat(dir.resolve(name + ".chromedriver.log")).isNotEmptyFile();
        assertThat(dir.resolve(name + ".problems.txt")).doesNotExist();
        // A passing run leaves no failure's files behind.
        for (String ext : new String[] {".png", ".html", ".console.log", ".chromedriver.log"}) {
            Files.delete(dir.resolve(name + ext));
        }
    }
}
