package io.tetradb.server;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Holds a server's next backups at their gate: the backup thread waits, with the gate closed,
 * until {@link #release}, so that a test can queue writes behind it. Used by one test.
 */
public final class GateHold {
    private final CountDownLatch closed = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);

    private GateHold() {
    }

    /** From now on, each backup of {@code server} waits at its closed gate until {@link #release} (120 s at most). */
    public static GateHold on(TetraServer server) {
        GateHold h = new GateHold();
        server.backups().onGateClosed(n -> {
            h.closed.countDown();
            try {
                h.release.await(120, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return h;
    }

    /** Waits until a backup has closed the gate (asserted within 60 s). */
    public void awaitClosed() throws InterruptedException {
        assertThat(closed.await(60, TimeUnit.SECONDS)).as("a backup closed its gate").isTrue();
    }

    /** Lets the held backup, and every later one, go on. */
    public void release() {
        release.countDown();
    }
}
