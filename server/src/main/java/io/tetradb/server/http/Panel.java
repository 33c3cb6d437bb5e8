package io.tetradb.server.http;

import io.tetradb.server.DataLayout;
import io.tetradb.server.admin.AdminService;
import io.tetradb.server.auth.AuthThrottle;
import io.tetradb.server.auth.UserStore;
import io.tetradb.server.gate.WriteGate;
import io.tetradb.server.session.SessionRegistry;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The admin panel (docs/admin-panel.md): its static files, shipped in the server's jar under
 * {@code io/tetradb/server/http/panel/} and read once at start; its JSON API ({@link PanelApi});
 * its live updates ({@link PanelEvents}); and the sweep that ends idle logins. Plain HTML, CSS
 * and JavaScript modules: nothing is fetched from elsewhere and nothing is built.
 *
 * <p>Threads: the files are served on event loops (from memory); the updates and the sweep run
 * on the panel's own thread ({@code tetra-panel}).
 */
public final class Panel implements AutoCloseable {
    /** The files the panel is made of, by the path they are served at. */
    static final String[] FILES = {"index.html", "panel.css", "panel.js", "api.js", "overview.js", "backups.js",
        "others.js", "format.js", "favicon.svg"};
    /** What the pages may load: only themselves (no inline script, no other site, no framing). */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /** What the API works with, all set once the server is open. */
    public record Services(AdminService admin, Supplier<SessionRegistry> sessions, UserStore users,
                           AuthThrottle throttle, WriteGate gate, DataLayout layout, Executor workers,
                           ScheduledExecutorService timer, boolean tls, Duration loginIdle) {
    }

    /** One file in memory. */
    record File(byte[] bytes, String contentType, String etag) {
    }

    private final Map<String, File> files = new LinkedHashMap<>();
    private final ScheduledExecutorService thread;
    private final PanelApi api;
    private final PanelEvents events;

    private Panel(Services services) {
        for (String name : FILES) {
            files.put(name, load(name));
        }
        thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tetra-panel");
            t.setDaemon(true);
            return t;
        });
        api = new PanelApi(services);
        events = new PanelEvents(api, thread);
        thread.scheduleWithFixedDelay(api::sweep, 5, 5, TimeUnit.SECONDS);
    }

    /** The panel over these services, its files read from the jar. */
    public static Panel start(Services services) {
        return new Panel(services);
    }

    PanelApi api() {
        return api;
    }

    PanelEvents events() {
        return events;
    }

    /** The file served at {@code name} ("" is index.html), or null. */
    File file(String name) {
        return files.get(name.isEmpty() ? "index.html" : name);
    }

    /** Logins live now (tests, diagnostics). */
    public int logins() {
        return api.logins().size();
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }

    private static File load(String name) {
        try (InputStream in = Panel.class.getResourceAsStream("panel/" + name)) {
            if (in == null) {
                throw new IllegalStateException("The admin panel's file " + name + " is missing from the jar.");
            }
            byte[] b = in.readAllBytes();
            String type = name.endsWith(".html") ? "text/html; charset=utf-8"
                    : name.endsWith(".css") ? "text/css; charset=utf-8"
                    : name.endsWith(".js") ? "text/javascript; charset=utf-8"
                    : name.endsWith(".svg") ? "image/svg+xml" : "application/octet-stream";
            String etag = "\"" + HexFormat.of().formatHex(java.util.Arrays.copyOf(MessageDigest.getInstance("SHA-256").digest(b), 16)) + "\"";
            return new File(b, type, etag);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
