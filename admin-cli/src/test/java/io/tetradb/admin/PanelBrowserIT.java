package io.tetradb.admin;

import io.tetradb.admin.PackagedServers.ServerProcess;
import io.tetradb.client.ClientConfig;
import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraClient;
import io.tetradb.client.TetraException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Alert;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The admin panel in headless Chromium against the packaged server, as an administrator uses
 * it: log in and out, a wrong password, a backup started from the page and its bar followed to
 * the end, a client's write queued behind a slow backup shown in the queue and cancelled there
 * (its client gets -9976, the row goes), a bad setting shown beside its field with nothing
 * changed, a session killed, an archive restored to a folder and in place to a point in time,
 * an encrypted archive's key fingerprint in the history and overview, users added, given a new
 * password and removed. Each test's screenshots are published to
 * {@code target/panel-screenshots/} once it has passed (BrowserExtension), and the last test
 * photographs every page whole, with data in it ({@code page-overview.png}, {@code page-backups.png},
 * {@code page-log.png}, {@code page-sessions.png}, {@code page-users.png}).
 */
@Timeout(300)
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class PanelBrowserIT {
    private static final String PASSWORD = "panel-secret-1";
    private static final Duration LONG = Duration.ofSeconds(90);

    @RegisterExtension
    final BrowserExtension browsers = new BrowserExtension();
    @TempDir
    Path temp;
    PackagedServers servers;
    ServerProcess server;
    Browser browser;

    @BeforeEach
    void setUp() throws Exception {
        servers = new PackagedServers(temp);
        server = servers.start(temp.resolve("db"), Map.of("TETRA_ADMIN_PASSWORD", PASSWORD));
        server.port();
        browser = browsers.start(temp);
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        servers.killLeftovers();
    }

    private TetraClient client(String user, String password) throws Exception {
        return TetraClient.connect(ClientConfig.builder().host("127.0.0.1").port(server.port()).user(user)
                .password(password).connectTimeout(Duration.ofSeconds(30)).build());
    }

    private void logIn() throws Exception {
        browser.open(server.httpUrl() + "/");
        browser.type(By.id("login-user"), "admin");
        browser.type(By.id("login-password"), PASSWORD);
        browser.click(By.id("login-submit"));
        browser.waitForText(By.id("who"), "admin");
        browser.waitFor(By.cssSelector("#live.on"), LONG);
    }

    private void acceptConfirm() {
        Alert a = new WebDriverWait(browser.driver(), Browser.WAIT).until(ExpectedConditions.alertIsPresent());
        a.accept();
    }

    /** A table of about 4 MB that compresses to nothing, and backups limited to {@code rate} bytes a second. */
    private void slowBackups(String rate) throws Exception {
        try (TetraClient admin = client("admin", PASSWORD)) {
            admin.execute("CREATE TABLE BULK(ID INT PRIMARY KEY, V VARCHAR(1000))");
            admin.execute("INSERT INTO BULK SELECT X, REPEAT('x', 1000) FROM SYSTEM_RANGE(1, 4000)");
            admin.execute("CREATE TABLE ITEM(ID INT PRIMARY KEY, NAME VARCHAR(20))");
            admin.admin().setBackupSettings("archive.compression=none", "archive.maxRate=" + rate);
        }
    }

    @Test
    void anAdminLogsInAndOutAndAWrongPasswordIsShown() throws Exception {
        browser.open(server.httpUrl() + "/");
        browser.waitFor(By.id("login-form"));
        browser.screenshot("login");
        browser.type(By.id("login-user"), "admin");
        browser.type(By.id("login-password"), "not-the-password");
        browser.click(By.id("login-submit"));
        browser.waitForText(By.id("login-error"), "Authentication failed: wrong user name or password.", LONG);
        assertThat(browser.driver().findElement(By.id("app-view")).isDisplayed()).isFalse();

        browser.type(By.id("login-password"), PASSWORD);
        browser.click(By.id("login-submit"));
        browser.waitForText(By.id("who"), "admin");
        browser.waitForText(By.cssSelector("#ov-server [data-key=database]"), "db");
        // the cookie is out of the page's reach (HttpOnly)
        assertThat(browser.script("return document.cookie;")).isEqualTo("");
        browser.screenshot("overview");

        for (String page : List.of("backups", "log", "sessions", "users")) {
            browser.click(By.cssSelector("a[data-page=" + page + "]"));
            browser.waitFor(By.cssSelector("#page-" + page + " h1"));
        }
        browser.waitFor(By.cssSelector("#users-table tr[data-name=admin]"));
        browser.screenshot("users");
        browser.click(By.cssSelector("a[data-page=log]"));
        browser.waitFor(By.id("log-status"));
        browser.screenshot("log");

        browser.click(By.id("logout"));
        browser.waitForText(By.id("login-error"), "You are logged out.");
        // the page reloaded shows the login again: the login ended on the server, not only in the page
        browser.open(server.httpUrl() + "/");
        browser.waitFor(By.id("login-form"));
        assertThat(browser.driver().findElement(By.id("app-view")).isDisplayed()).isFalse();
    }

    @Test
    void aBackupStartedFromThePageIsFollowedToItsEnd() throws Exception {
        slowBackups("1m");
        logIn();
        browser.script("window.seen = [];"
                + "new MutationObserver(() => { const e = document.getElementById('backup-percent');"
                + " if (e) window.seen.push(parseFloat(e.textContent)); })"
                + ".observe(document.body, {subtree: true, childList: true, characterData: true});");
        browser.click(By.id("backup-start"));
        browser.waitForText(By.id("backup-state"), "RUNNING", LONG);
        browser.waitFor(By.id("backup-progress"));
        browser.screenshot("overview-backup-running");
        browser.waitForText(By.id("backup-state"), "IDLE", LONG);
        browser.waitForText(By.cssSelector("#ov-last-backup [data-key=status]"), "SUCCESS");
        browser.waitForText(By.cssSelector("#ov-last-backup [data-key=number]"), "1");
        @SuppressWarnings("unchecked")
        List<Number> seen = (List<Number>) browser.script("return window.seen;");
        List<Double> percents = seen.stream().map(Number::doubleValue).toList();
        // the bar moved while the backup ran and got past half way before it ended
        assertThat(percents).isNotEmpty();
        assertThat(percents.stream().mapToDouble(Double::doubleValue).max().orElse(0)).isGreaterThan(50.0);
        assertThat(percents.stream().distinct().count()).isGreaterThan(1);
        browser.screenshot("overview-after-backup");

        browser.click(By.cssSelector("a[data-page=backups]"));
        browser.waitForText(By.cssSelector("#history-table tr[data-number='1'] .verification"), "verified");
        browser.screenshot("backups");
    }

    @Test
    void withSeveralDestinationsTheHistoryAndOverviewSayWhichHoldsTheArchive() throws Exception {
        Path here = temp.resolve("here");
        Path away = Files.writeString(temp.resolve("blocker"), "a file, not a folder").resolve("away");
        try (TetraClient admin = client("admin", PASSWORD)) {
            admin.execute("CREATE TABLE ITEM(ID INT PRIMARY KEY, NAME VARCHAR(20))");
            admin.admin().setBackupSettings("destinations=[" + here + ", " + away + "]", "onFailure.retryAfter=1h");
            admin.admin().startBackup();
        }
        logIn();
        browser.waitForText(By.cssSelector("#ov-last-backup [data-key=status]"), "PARTIAL", LONG);
        browser.waitForText(By.cssSelector("#ov-last-backup [data-key=copies] .copy.missing"), away.toString());
        browser.click(By.cssSelector("a[data-page=backups]"));
        browser.waitForText(By.cssSelector("#history-table tr[data-number='1'] .copies .copy.holds"), here.toString());
        browser.waitForText(By.cssSelector("#history-table tr[data-number='1'] .copies .copy.missing"), "missing");
        browser.screenshot("backups-several-destinations");
    }

    @Test
    void anEncryptedArchiveShowsTheFingerprintOfItsKeyInTheHistoryAndOverview() throws Exception {
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        Path keyFile = Files.writeString(temp.resolve("backup.key"), java.util.HexFormat.of().formatHex(key));
        Files.setPosixFilePermissions(keyFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        // docs/backup-encryption.md: the first 16 bytes of the SHA-256 of the key's 32 bytes, in hex.
        String fingerprint = java.util.HexFormat.of().formatHex(java.util.Arrays.copyOf(
                java.security.MessageDigest.getInstance("SHA-256").digest(key), 16));
        try (TetraClient admin = client("admin", PASSWORD)) {
            admin.execute("CREATE TABLE ITEM(ID INT PRIMARY KEY, NAME VARCHAR(20))");
            admin.admin().startBackup(true);
            await().atMost(60, TimeUnit.SECONDS).until(() -> admin.admin().backupStatus().getState().equals("IDLE"));
        }
        logIn();
        // Nothing encrypted yet: no key shown anywhere.
        browser.waitForText(By.cssSelector("#ov-last-backup [data-key=status]"), "SUCCESS");
        assertThat(browser.driver().findElements(By.cssSelector("#ov-last-backup [data-key=key]"))).isEmpty();
        browser.click(By.cssSelector("a[data-page=backups]"));
        browser.waitForText(By.cssSelector("#history-table tr[data-number='1'] .verification"), "verified");
        assertThat(browser.driver().findElements(By.cssSelector("#history-table td.key"))).isEmpty();
        assertThat(browser.driver().findElement(By.id("history-table")).getText()).doesNotContain("Key fingerprint");

        try (TetraClient admin = client("admin", PASSWORD)) {
            admin.admin().setBackupSettings("archive.encryption=aes-256-gcm", "archive.keyFile=" + keyFile);
            admin.admin().startBackup(true);
            await().atMost(60, TimeUnit.SECONDS).until(() -> admin.admin().backupStatus().getState().equals("IDLE"));
        }
        // The history reloads when the live update names a new last backup.
        browser.waitForText(By.cssSelector("#history-table tr[data-number='2'] td.key"), fingerprint, LONG);
        assertThat(browser.driver().findElement(By.cssSelector("#history-table tr[data-number='2'] td.file")).getText())
                .endsWith(".tar.zst.enc");
        assertThat(browser.driver().findElement(By.cssSelector("#history-table tr[data-number='1'] td.key")).getText())
                .isEqualTo("—");
        assertThat(browser.driver().findElements(By.cssSelector("#history-table th")))
                .extracting(org.openqa.selenium.WebElement::getText).contains("Key fingerprint");
        browser.screenshot("backups-encrypted");
        browser.click(By.cssSelector("a[data-page=overview]"));
        browser.waitForText(By.cssSelector("#ov-last-backup [data-key=number]"), "2");
        browser.waitForText(By.cssSelector("#ov-last-backup [data-key=key]"), "with the key of fingerprint " + fingerprint);
        browser.screenshot("overview-encrypted");
    }

    @Test
    void aWriteQueuedBehindASlowBackupIsCancelledFromThePageAndItsClientGetsMinus9976() throws Exception {
        slowBackups("200k");
        logIn();
        try (TetraClient admin = client("admin", PASSWORD)) {
            admin.admin().addUser("app", io.tetradb.protocol.Role.USER, "app-password".toCharArray());
        }
        try (TetraClient app = client("app", "app-password")) {
            browser.click(By.id("backup-start"));
            browser.waitForText(By.id("backup-state"), "RUNNING", LONG);
            // wait until the gate holds writes: the data file is being copied
            browser.waitForText(By.id("backup-phase"), "copying data", LONG);
            CompletableFuture<Long> write = CompletableFuture.supplyAsync(
                    () -> app.update("INSERT INTO ITEM VALUES (1, 'queued')"));
            By row = By.cssSelector("#queue-table tbody tr");
            browser.waitFor(row, LONG);
            String text = browser.driver().findElement(row).getText();
            assertThat(text).contains("app").contains("data write");
            browser.screenshot("overview-queue");
            String session = browser.driver().findElement(row).getAttribute("data-session");

            browser.click(By.cssSelector("#queue-table tr[data-session='" + session + "'] button.cancel"));
            assertThatThrownBy(() -> write.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class).cause()
                    .isInstanceOfSatisfying(TetraException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.BACKUP_IN_PROGRESS));
            browser.waitForAbsent(By.cssSelector("#queue-table tr[data-session='" + session + "']"));
            browser.waitFor(By.id("queue-empty"));

            browser.click(By.id("backup-stop"));
            acceptConfirm();
            browser.waitForText(By.id("backup-state"), "IDLE", LONG);
            browser.waitForText(By.cssSelector("#ov-last-backup [data-key=status]"), "STOPPED");
            assertThat(app.execute("SELECT COUNT(*) FROM ITEM").rows().get(0).getLong(0)).isZero();
            // the client's session goes on
            assertThat(app.update("INSERT INTO ITEM VALUES (2, 'after')")).isEqualTo(1L);
        }
    }

    @Test
    void aBadSettingShowsItsErrorBesideTheFieldAndChangesNothing() throws Exception {
        String before;
        try (TetraClient admin = client("admin", PASSWORD)) {
            before = admin.admin().backupSettings().getYaml();
        }
        logIn();
        browser.click(By.cssSelector("a[data-page=backups]"));
        By compression = By.cssSelector("input[data-key='archive.compression']");
        browser.waitFor(compression);
        browser.type(compression, "bogus");
        browser.type(By.cssSelector("input[data-key='retention.keepLast']"), "3");
        browser.click(By.id("settings-save"));
        browser.waitForText(By.cssSelector("tr[data-key='archive.compression'] .field-error"),
                "Invalid backup setting archive.compression");
        browser.waitForText(By.id("settings-message"), "Nothing was changed.");
        browser.script("arguments[0].scrollIntoView({block: 'center'});",
                browser.driver().findElement(By.cssSelector("tr[data-key='archive.compression']")));
        browser.screenshot("backups-settings-error");
        try (TetraClient admin = client("admin", PASSWORD)) {
            assertThat(admin.admin().backupSettings().getYaml()).isEqualTo(before);
        }
        browser.type(compression, "compact");
        browser.click(By.id("settings-save"));
        browser.waitForText(By.id("settings-message"), "Saved");
        try (TetraClient admin = client("admin", PASSWORD)) {
            assertThat(admin.admin().backupSettings().getEffectiveJson()).contains("\"compression\" : \"compact\"")
                    .contains("\"keepLast\" : 3");
        }
    }

    @Test
    void aSessionIsKilledAndAnArchiveRestoredToAFolderFromThePage() throws Exception {
        try (TetraClient admin = client("admin", PASSWORD)) {
            admin.execute("CREATE TABLE ITEM(ID INT PRIMARY KEY, NAME VARCHAR(20))");
            admin.execute("INSERT INTO ITEM VALUES (1, 'kept')");
            admin.admin().startBackup(true);
            await().atMost(60, TimeUnit.SECONDS).until(() -> admin.admin().backupStatus().getState().equals("IDLE"));
        }
        logIn();
        try (TetraClient victim = client("admin", PASSWORD)) {
            long id = victim.admin().sessions().get(0).getId();
            browser.click(By.cssSelector("a[data-page=sessions]"));
            By row = By.cssSelector("#sessions-table tr[data-id='" + id + "']");
            browser.waitFor(row);
            browser.screenshot("sessions");
            browser.click(By.cssSelector("#sessions-table tr[data-id='" + id + "'] button.kill"));
            acceptConfirm();
            browser.waitForAbsent(row);
            assertThatThrownBy(() -> victim.execute("SELECT 1")).isInstanceOf(TetraException.class);
        }

        Path target = temp.resolve("restored");
        browser.click(By.cssSelector("a[data-page=backups]"));
        browser.waitFor(By.cssSelector("#restore-number option[value='1']"));
        browser.type(By.id("restore-dir"), target.toString());
        browser.click(By.id("restore-submit"));
        browser.waitForText(By.id("restore-result"), "Restored backup 1 to " + target, LONG);
        browser.screenshot("backups-restored");
        assertThat(target).isDirectory();
        try (var files = Files.list(target)) {
            assertThat(files).isNotEmpty();
        }

        // verify from the history, the journal filtered, then a restore in place
        browser.click(By.cssSelector("#history-table tr[data-number='1'] button.verify"));
        browser.waitForText(By.id("verify-result"), "Backup 1 verified", LONG);
        int all = browser.driver().findElements(By.cssSelector("#journal-table tbody tr")).size();
        new org.openqa.selenium.support.ui.Select(browser.driver().findElement(By.id("journal-kind")))
                .selectByValue("start");
        new WebDriverWait(browser.driver(), Browser.WAIT).until(d -> {
            List<org.openqa.selenium.WebElement> rows = d.findElements(By.cssSelector("#journal-table tbody tr"));
            return !rows.isEmpty() && rows.size() < all && rows.stream().allMatch(
                    r -> r.findElements(By.tagName("td")).get(2).getText().equals("start"));
        });
        try (TetraClient admin = client("admin", PASSWORD)) {
            admin.execute("INSERT INTO ITEM VALUES (2, 'logged')");
        }
        new org.openqa.selenium.support.ui.Select(browser.driver().findElement(By.id("restore-mode")))
                .selectByValue("inplace");
        browser.driver().findElement(By.id("restore-nolog")).click();
        browser.click(By.id("restore-submit"));
        acceptConfirm();
        browser.waitForText(By.id("restore-result"), "Restored backup 1 in place; without the log", LONG);
        try (TetraClient admin = client("admin", PASSWORD)) {
            assertThat(admin.execute("SELECT NAME FROM ITEM ORDER BY ID").rows()).extracting(r -> r.getString(0))
                    .containsExactly("kept");
        }
    }

    @Test
    void anArchiveIsRestoredInPlaceToAPointInTimeFromThePage() throws Exception {
        long point;
        try (TetraClient admin = client("admin", PASSWORD)) {
            admin.execute("CREATE TABLE ITEM(ID INT PRIMARY KEY, NAME VARCHAR(20))");
            admin.execute("INSERT INTO ITEM VALUES (1, 'archived')");
            admin.admin().startBackup(true);
            await().atMost(60, TimeUnit.SECONDS).until(() -> admin.admin().backupStatus().getState().equals("IDLE"));
            long ended = admin.admin().backupStatus().getLast().getEndMillis();
            // the page's point in time has whole seconds: row 2 comes two seconds after the archive at least,
            // so that the whole second before its commit is after the archive
            await().atMost(10, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(50))
                    .until(() -> System.currentTimeMillis() / 1000 > ended / 1000 + 1);
            admin.execute("INSERT INTO ITEM VALUES (2, 'logged')");
            long committed = admin.admin().logShow(io.tetradb.client.LogFilter.all()).stream()
                    .filter(o -> o.getSummary().contains("logged")).findFirst().orElseThrow().getTimeMillis();
            point = committed / 1000 * 1000 == committed ? committed - 1000 : committed / 1000 * 1000;
            assertThat(point).isGreaterThan(ended).isLessThan(committed);
        }
        logIn();
        browser.click(By.cssSelector("a[data-page=backups]"));
        browser.waitFor(By.cssSelector("#restore-number option[value='1']"));
        new org.openqa.selenium.support.ui.Select(browser.driver().findElement(By.id("restore-mode")))
                .selectByValue("point");
        browser.waitFor(By.id("restore-at"));
        // the datetime-local field takes the browser's local time, as a person would type it
        browser.script("const d = new Date(arguments[0]); const p = (n) => String(n).padStart(2, '0');"
                + "const e = document.getElementById('restore-at');"
                + "e.value = d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + 'T' + p(d.getHours())"
                + " + ':' + p(d.getMinutes()) + ':' + p(d.getSeconds());"
                + "e.dispatchEvent(new Event('input', {bubbles: true})); e.dispatchEvent(new Event('change', {bubbles: true}));",
                point);
        browser.click(By.id("restore-submit"));
        acceptConfirm();
        browser.waitForText(By.id("restore-result"), "Restored backup 1 in place", LONG);
        browser.screenshot("backups-restored-to-a-point");
        try (TetraClient admin = client("admin", PASSWORD)) {
            assertThat(admin.execute("SELECT NAME FROM ITEM ORDER BY ID").rows()).extracting(r -> r.getString(0))
                    .containsExactly("archived");
        }
    }

    /**
     * Users added, given a new password and removed from the Users page; then, with a backup, log
     * operations and client sessions in place, every page photographed whole: the screenshots of
     * each page at the end of a passing run. Ordered last so that they are the run's last pictures.
     */
    @Test
    @org.junit.jupiter.api.Order(Integer.MAX_VALUE)
    void usersAreChangedFromThePageAndEveryPageIsPhotographedAtTheEnd() throws Exception {
        try (TetraClient admin = client("admin", PASSWORD)) {
            admin.execute("CREATE TABLE ITEM(ID INT PRIMARY KEY, NAME VARCHAR(20))");
            admin.execute("INSERT INTO ITEM VALUES (1, 'first')");
            admin.admin().addUser("app", io.tetradb.protocol.Role.USER, "app-password".toCharArray());
            admin.admin().startBackup(true);
            await().atMost(60, TimeUnit.SECONDS).until(() -> admin.admin().backupStatus().getState().equals("IDLE"));
            admin.execute("INSERT INTO ITEM VALUES (2, 'second')");
            admin.execute("UPDATE ITEM SET NAME = 'changed' WHERE ID = 1");
        }
        logIn();
        browser.click(By.cssSelector("a[data-page=users]"));
        browser.waitFor(By.cssSelector("#users-table tr[data-name=app]"));
        // add
        browser.type(By.id("user-name"), "reporter");
        new org.openqa.selenium.support.ui.Select(browser.driver().findElement(By.id("user-role"))).selectByValue("reader");
        browser.type(By.id("user-password"), "reporter-pass-1");
        browser.click(By.id("user-add"));
        browser.waitFor(By.cssSelector("#users-table tr[data-name=reporter]"));
        assertThat(browser.driver().findElement(By.cssSelector("#users-table tr[data-name=reporter]")).getText())
                .contains("reader");
        try (TetraClient reporter = client("reporter", "reporter-pass-1")) {
            assertThat(reporter.execute("SELECT COUNT(*) FROM ITEM").rows().get(0).getLong(0)).isEqualTo(2);
        }
        // a new password, typed into the page's prompt
        browser.click(By.cssSelector("#users-table tr[data-name=reporter] button.password"));
        Alert prompt = new WebDriverWait(browser.driver(), Browser.WAIT).until(ExpectedConditions.alertIsPresent());
        prompt.sendKeys("reporter-pass-2");
        prompt.accept();
        browser.waitForText(By.id("toast"), "Password of reporter changed.");
        assertThatThrownBy(() -> client("reporter", "reporter-pass-1").close()).isInstanceOfSatisfying(
                TetraException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.AUTH_FAILED));
        // remove one
        browser.type(By.id("user-name"), "leaving");
        browser.type(By.id("user-password"), "leaving-pass-1");
        browser.click(By.id("user-add"));
        browser.waitFor(By.cssSelector("#users-table tr[data-name=leaving]"));
        browser.click(By.cssSelector("#users-table tr[data-name=leaving] button.remove"));
        acceptConfirm();
        browser.waitForAbsent(By.cssSelector("#users-table tr[data-name=leaving]"));
        try (TetraClient admin = client("admin", PASSWORD)) {
            assertThat(admin.admin().users()).extracting(u -> u.getName()).containsExactly("admin", "app", "reporter");
        }

        try (TetraClient app = client("app", "app-password"); TetraClient reporter = client("reporter", "reporter-pass-2")) {
            assertThat(app.update("INSERT INTO ITEM VALUES (3, 'third')")).isEqualTo(1L);
            assertThat(reporter.execute("SELECT COUNT(*) FROM ITEM").rows().get(0).getLong(0)).isEqualTo(3);
            browser.click(By.cssSelector("a[data-page=overview]"));
            browser.waitForText(By.cssSelector("#ov-last-backup [data-key=status]"), "SUCCESS");
            browser.waitForText(By.cssSelector("#ov-server [data-key=sessions]"), "2");
            browser.pageScreenshot("page-overview");

            browser.click(By.cssSelector("a[data-page=backups]"));
            browser.waitForText(By.cssSelector("#history-table tr[data-number='1'] .verification"), "verified");
            browser.waitFor(By.cssSelector("#window-list li"));
            browser.waitFor(By.id("settings-save"));
            browser.waitFor(By.cssSelector("#journal-table tbody tr"));
            browser.pageScreenshot("page-backups");

            browser.click(By.cssSelector("a[data-page=log]"));
            browser.waitFor(By.id("log-status"));
            browser.waitForText(By.id("log-ops"), "third");
            browser.pageScreenshot("page-log");

            browser.click(By.cssSelector("a[data-page=sessions]"));
            browser.waitFor(By.cssSelector("#sessions-table tbody tr"));
            assertThat(browser.driver().findElement(By.id("sessions-table")).getText()).contains("app").contains("reporter");
            browser.pageScreenshot("page-sessions");

            browser.click(By.cssSelector("a[data-page=users]"));
            browser.waitFor(By.cssSelector("#users-table tr[data-name=reporter]"));
            browser.pageScreenshot("page-users");
        }
    }
}
