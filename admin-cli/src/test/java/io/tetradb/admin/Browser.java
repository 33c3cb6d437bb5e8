package io.tetradb.admin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Headless Chromium driven through Selenium WebDriver, for the admin panel's browser tests:
 * Debian's {@code /usr/bin/chromium} through Debian's {@code /usr/bin/chromedriver} (never a
 * driver or browser downloaded at run time), a fresh profile in the test's temporary folder, a
 * 1280x900 viewport, and the page's console kept for diagnosis. Waits are WebDriverWaits with
 * generous timeouts (CI has 2 cores), never sleeps. Screenshots ({@link #screenshot}: the
 * viewport; {@link #pageScreenshot}: the whole page) are kept beside the profile until the test
 * ends: {@link BrowserExtension} publishes them to {@code target/panel-screenshots/NAME.png}
 * when the test passed ({@link #publishScreenshots}), and to {@code target/panel-failures/}
 * when it failed, so that {@code target/panel-screenshots/} only ever holds screenshots of
 * passing tests; {@link #saveDiagnostics} (called by {@link BrowserExtension} when a test fails)
 * writes a screenshot, the page source, the console log and chromedriver's log to
 * {@code target/panel-failures/}. Used by the test's own thread only.
 */
final class Browser implements AutoCloseable {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final String SKIPPED = "browser tests skipped: /usr/bin/chromium and /usr/bin/chromedriver not installed"
            + " (apt-get install chromium chromium-driver)";
    /** How long {@link #waitFor} and {@link #waitForText} wait by default. */
    static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration DRIVER_START = Duration.ofSeconds(90);
    private static final Duration PAGE_LOAD = Duration.ofSeconds(60);
    /** The page's viewport (what screenshots show), whatever the window's frame takes. */
    static final int WIDTH = 1280;
    static final int HEIGHT = 900;
    /**
     * Selenium warns at each start that it has no DevTools (CDP) classes for this Chromium; the
     * tests use WebDriver only, so that warning is noise. Kept here so that the level sticks.
     */
    private static final Logger CDP_LOG = Logger.getLogger("org.openqa.selenium.devtools");

    private final ChromeDriverService service;
    private final ChromeDriver driver;
    private final Path driverLog;
    private final List<String> console = new ArrayList<>();
    private final Duration startup;
    /** Where this test's screenshots wait until the test has ended (beside the profile, in the test's temp folder). */
    private final Path pending;
    /** This test's screenshots not yet published, in the order taken (names are unique: a later one replaces). */
    private final java.util.LinkedHashMap<String, Path> shots = new java.util.LinkedHashMap<>();

    private Browser(ChromeDriverService service, ChromeDriver driver, Path driverLog, Duration startup, Path pending) {
        this.service = service;
        this.driver = driver;
        this.driverLog = driverLog;
        this.startup = startup;
        this.pending = pending;
    }

    /** Whether Debian's chromium and chromedriver are installed. */
    static boolean available() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    /** Skips the calling test (JUnit assumption) with {@link #SKIPPED} when no browser is installed. */
    static void assumeAvailable() {
        assumeTrue(available(), SKIPPED);
    }

    /**
     * Starts chromedriver and a headless Chromium whose profile is a new folder under {@code temp}
     * (chromedriver's log goes there too). Skips the test when no browser is installed.
     */
    static Browser start(Path temp) throws IOException {
        assumeAvailable();
        CDP_LOG.setLevel(Level.SEVERE);
        Path profile = Files.createTempDirectory(temp, "chromium-profile-");
        Path driverLog = profile.resolveSibling(profile.getFileName() + "-chromedriver.log");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=" + WIDTH + "," + HEIGHT, "--user-data-dir=" + profile,
                "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
                "--disable-component-update", "--disable-default-apps", "--disable-sync", "--lang=en-US");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withTimeout(DRIVER_START)
                .withLogFile(driverLog.toFile())
                .build();
        Instant begin = Instant.now();
        ChromeDriver driver;
        try {
            driver = new ChromeDriver(service, options);
        } catch (RuntimeException e) {
            service.stop();
            throw new AssertionError("Chromium did not start; chromedriver's log: " + readQuietly(driverLog), e);
        }
        Duration startup = Duration.between(begin, Instant.now());
        driver.manage().timeouts().pageLoadTimeout(PAGE_LOAD);
        driver.manage().timeouts().scriptTimeout(WAIT);
        Browser browser = new Browser(service, driver, driverLog, startup,
                profile.resolveSibling(profile.getFileName() + "-screenshots"));
        browser.sizeViewport();
        return browser;
    }

    /** Makes the page's viewport WIDTH x HEIGHT: the window is that plus what its frame takes. */
    private void sizeViewport() {
        Object frame = script("return [window.outerWidth - window.innerWidth, window.outerHeight - window.innerHeight];");
        List<?> wh = (List<?>) frame;
        int dw = ((Number) wh.get(0)).intValue();
        int dh = ((Number) wh.get(1)).intValue();
        driver.manage().window().setSize(new Dimension(WIDTH + dw, HEIGHT + dh));
    }

    /** The WebDriver itself, for what the helpers below do not cover. */
    WebDriver driver() {
        return driver;
    }

    /** How long chromedriver and Chromium took to start (the constructor of the driver). */
    Duration startupTime() {
        return startup;
    }

    /** Loads {@code url} and waits until its document has loaded. */
    void open(String url) {
        driver.get(url);
    }

    /** Waits up to {@link #WAIT} for an element matching {@code by} to be visible, and returns it. */
    WebElement waitFor(By by) {
        return waitFor(by, WAIT);
    }

    /** Waits up to {@code timeout} for an element matching {@code by} to be visible, and returns it. */
    WebElement waitFor(By by, Duration timeout) {
        return new WebDriverWait(driver, timeout).until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    /** Waits up to {@link #WAIT} until the element matching {@code by} contains {@code text}, and returns it. */
    WebElement waitForText(By by, String text) {
        return waitForText(by, text, WAIT);
    }

    /** Waits up to {@code timeout} until the element matching {@code by} contains {@code text}, and returns it. */
    WebElement waitForText(By by, String text, Duration timeout) {
        new WebDriverWait(driver, timeout).until(ExpectedConditions.textToBePresentInElementLocated(by, text));
        return driver.findElement(by);
    }

    /** Waits up to {@link #WAIT} until no element matching {@code by} is visible (absent or hidden). */
    void waitForAbsent(By by) {
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.invisibilityOfElementLocated(by));
    }

    /** Waits for {@code by} to be clickable, then clicks it. */
    void click(By by) {
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.elementToBeClickable(by)).click();
    }

    /** Waits for the field {@code by}, clears it and types {@code text} into it. */
    void type(By by, String text) {
        WebElement field = waitFor(by);
        field.clear();
        field.sendKeys(text);
    }

    /** The visible text of the page's body. */
    String bodyText() {
        return driver.findElement(By.tagName("body")).getText();
    }

    /** Runs {@code script} in the page (JavaScript, {@code arguments[i]} are {@code args}) and returns its result. */
    Object script(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /**
     * Takes a PNG of the window (the 1280x900 viewport) named {@code NAME}, published to
     * {@code target/panel-screenshots/NAME.png} if the test passes; returns where it waits until then.
     */
    Path screenshot(String name) throws IOException {
        Path file = Files.createDirectories(pending).resolve(name + ".png");
        savePng(file);
        shots.put(name, file);
        return file;
    }

    /**
     * Takes a PNG of the whole page, as tall as its content (at least the viewport), named
     * {@code NAME} like {@link #screenshot}: Chromium's own capture (DevTools'
     * {@code Page.captureScreenshot} beyond the viewport, through chromedriver), the window left as it is.
     */
    Path pageScreenshot(String name) throws IOException {
        Map<String, Object> metrics = driver.executeCdpCommand("Page.getLayoutMetrics", Map.of());
        Map<?, ?> size = (Map<?, ?>) metrics.get("cssContentSize");
        double width = Math.max(WIDTH, ((Number) size.get("width")).doubleValue());
        double height = Math.max(HEIGHT, ((Number) size.get("height")).doubleValue());
        Map<String, Object> shot = driver.executeCdpCommand("Page.captureScreenshot", Map.of("format", "png",
                "captureBeyondViewport", true, "clip", Map.of("x", 0, "y", 0, "width", width, "height", height,
                        "scale", 1)));
        Path file = Files.createDirectories(pending).resolve(name + ".png");
        Files.write(file, Base64.getDecoder().decode((String) shot.get("data")));
        shots.put(name, file);
        return file;
    }

    /**
     * The test passed: moves its screenshots to {@code target/panel-screenshots/NAME.png}
     * (replacing those of an earlier run) and returns their new paths, in the order taken.
     */
    List<Path> publishScreenshots() throws IOException {
        return moveScreenshots(Files.createDirectories(targetDir().resolve("panel-screenshots")), "");
    }

    /**
     * The test failed: moves the screenshots it took to {@code target/panel-failures/PREFIX.NAME.png}
     * (what the page looked like at each step it reached) and removes {@code target/panel-screenshots/NAME.png}
     * of an earlier run, so that a screenshot there always comes from a passing test.
     */
    List<Path> keepScreenshotsOfFailure(String prefix) throws IOException {
        for (String name : shots.keySet()) {
            Files.deleteIfExists(targetDir().resolve("panel-screenshots").resolve(name + ".png"));
        }
        return moveScreenshots(Files.createDirectories(targetDir().resolve("panel-failures")), prefix + ".");
    }

    private List<Path> moveScreenshots(Path dir, String prefix) throws IOException {
        List<Path> moved = new ArrayList<>();
        for (Map.Entry<String, Path> e : shots.entrySet()) {
            moved.add(Files.move(e.getValue(), dir.resolve(prefix + e.getKey() + ".png"),
                    StandardCopyOption.REPLACE_EXISTING));
        }
        shots.clear();
        return moved;
    }

    /**
     * The browser's console so far (every level), one line per entry: "LEVEL message". Chromium
     * hands each entry out once, so the entries are kept here as they are read.
     */
    List<String> consoleLog() {
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
            console.add(e.getLevel() + " " + e.getMessage());
        }
        return List.copyOf(console);
    }

    /**
     * Writes, for a failed test named {@code name}, {@code target/panel-failures/NAME.png} (the
     * window), {@code NAME.html} (the page source), {@code NAME.console.log} (the browser's
     * console) and {@code NAME.chromedriver.log}; returns the folder. Each part is written even
     * when another fails (a crashed browser still leaves chromedriver's log).
     */
    Path saveDiagnostics(String name) throws IOException {
        Path dir = Files.createDirectories(targetDir().resolve("panel-failures"));
        StringBuilder problems = new StringBuilder();
        try {
            savePng(dir.resolve(name + ".png"));
        } catch (RuntimeException | IOException e) {
            problems.append("screenshot: ").append(e).append('\n');
        }
        try {
            Files.writeString(dir.resolve(name + ".html"),
                    "<!-- " + driver.getCurrentUrl() + " -->\n" + driver.getPageSource(), StandardCharsets.UTF_8);
        } catch (RuntimeException e) {
            problems.append("page source: ").append(e).append('\n');
        }
        try {
            Files.write(dir.resolve(name + ".console.log"), consoleLog(), StandardCharsets.UTF_8);
        } catch (RuntimeException e) {
            problems.append("console log: ").append(e).append('\n');
        }
        if (Files.exists(driverLog)) {
            Files.copy(driverLog, dir.resolve(name + ".chromedriver.log"), StandardCopyOption.REPLACE_EXISTING);
        }
        if (problems.length() > 0) {
            Files.writeString(dir.resolve(name + ".problems.txt"), problems, StandardCharsets.UTF_8);
        }
        return dir;
    }

    /** Quits Chromium and stops chromedriver. */
    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
        }
    }

    private Path savePng(Path file) throws IOException {
        byte[] png = driver.getScreenshotAs(OutputType.BYTES);
        Files.write(file, png);
        return file;
    }

    /** The module's target folder: failsafe runs in the module's folder (admin-cli). */
    static Path targetDir() {
        return Path.of("").toAbsolutePath().resolve("target");
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(" + e.getMessage() + ")";
        }
    }
}
