package io.tetradb.server.backup;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock the test moves by hand (UTC). */
public final class MutableClock extends Clock {
    private volatile Instant now;

    public MutableClock(LocalDateTime start) {
        this.now = start.toInstant(ZoneOffset.UTC);
    }

    public void set(LocalDateTime t) {
        now = t.toInstant(ZoneOffset.UTC);
    }

    public void advance(Duration d) {
        now = now.plus(d);
    }

    public LocalDateTime localNow() {
        return LocalDateTime.ofInstant(now, ZoneOffset.UTC);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Instant instant() {
        return now;
    }
}
