package io.tetradb.admin;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.TestAbortedException;

/**
 * The JUnit 5 side of {@link Browser}, registered by a browser test as an instance field
 * ({@code @RegisterExtension final BrowserExtension browsers = new BrowserExtension();}): skips
 * each test with {@link Browser#SKIPPED} before it starts when no browser is installed; starts
 * browsers for the test ({@link #start}); right after a test method passes, publishes the
 * screenshots it took to {@code target/panel-screenshots/} ({@link Browser#publishScreenshots});
 * right after one fails, before its {@code @AfterEach} stops anything, moves them to
 * {@code target/panel-failures/} and saves each browser's screenshot, page source, console and
 * chromedriver log there ({@link Browser#saveDiagnostics}); and closes the browsers after the
 * test's {@code @AfterEach}. Run by JUnit on the test's thread.
 */
final class BrowserExtension implements BeforeEachCallback, AfterTestExecutionCallback, AfterEachCallback {
    private final List<Browser> started = new ArrayList<>();

    /** Starts a headless Chromium with its profile under {@code temp}; closed after the test. */
    Browser start(Path temp) throws IOException {
        Browser b = Browser.start(temp);
        started.add(b);
        return b;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        Browser.assumeAvailable();
    }

    @Override
    public void afterTestExecution(ExtensionContext context) throws IOException {
        Optional<Throwable> failure = context.getExecutionException();
        if (failure.isEmpty()) {
            for (Browser b : started) {
                for (Path p : b.publishScreenshots()) {
                    System.out.println("Screenshot: " + p);
                }
            }
            return;
        }
        if (failure.get() instanceof TestAbortedException) {
            return;   // skipped: its screenshots stay in its temporary folder, which goes with it
        }
        String name = context.getRequiredTestClass().getSimpleName() + "." + context.getRequiredTestMethod().getName();
        for (int i = 0; i < started.size(); i++) {
            String each = started.size() == 1 ? name : name + "-" + (i + 1);
            try {
                started.get(i).keepScreenshotsOfFailure(each);
                Path dir = started.get(i).saveDiagnostics(each);
                System.err.println("Browser diagnostics of the failed test: " + dir.resolve(each) + ".*");
            } catch (IOException | RuntimeException e) {
                failure.get().addSuppressed(e);
            }
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        RuntimeException first = null;
        for (Browser b : started) {
            try {
                b.close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        started.clear();
        if (first != null) {
            throw first;
        }
    }
}
