package io.tetradb.server.auth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The throttle's schedule on a clock the test moves by hand: no waiting, no timing. */
@Timeout(30)
class AuthThrottleTest {
    private static final long MS = 1_000_000L;
    private final AtomicLong now = new AtomicLong(1_000_000 * MS);
    private final AuthThrottle throttle = new AuthThrottle(Duration.ofMillis(250), Duration.ofSeconds(5),
            Duration.ofMinutes(1), 100, now::get);

    @Test
    void parallelFailuresFromOneAddressAreAnsweredOneAfterTheOtherWithGrowingDelays() {
        List<AuthThrottle.Decision> decisions = new ArrayList<>();
        for (int i = 0; i < 10; i++) {          // all at the same instant, different accounts
            decisions.add(throttle.attempt("10.0.0.1", "user" + i, false));
        }
        // 250, +500, +1000, +2000: the fifth would wait 3750 ms, the sixth 3750 + 4000 > 5 s: refused
        assertThat(decisions.subList(0, 5)).extracting(AuthThrottle.Decision::delayNanos)
                .containsExactly(250 * MS, 750 * MS, 1750 * MS, 3750 * MS, 7750 * MS);
        assertThat(decisions.subList(5, 10)).allMatch(AuthThrottle.Decision::refused);
        assertThat(throttle.addressFailures("10.0.0.1")).isCloseTo(5, within(1e-9));
        // a correct password from there now waits for the answers before it (a success is not answered early)
        AuthThrottle.Decision ok = throttle.attempt("10.0.0.1", "someone", true);
        assertThat(ok.refused()).isTrue();
        now.addAndGet(7750 * MS);
        assertThat(throttle.attempt("10.0.0.1", "someone", true)).isEqualTo(new AuthThrottle.Decision(false, 0));
    }

    @Test
    void parallelFailuresOnOneAccountFromManyAddressesAreSerializedToo() {
        long previous = 0;
        int answered = 0;
        for (int i = 0; i < 50; i++) {
            AuthThrottle.Decision d = throttle.attempt("10.1.0." + i, "admin", false);
            if (!d.refused()) {
                answered++;
                assertThat(d.delayNanos()).isGreaterThan(previous);
                previous = d.delayNanos();
            }
        }
        assertThat(answered).isEqualTo(5);
        assertThat(throttle.accountFailures("admin")).isCloseTo(5, within(1e-9));
    }

    @Test
    void aStrangerAttackingAnAccountDoesNotLockItsOwnerOutOfAnAddressItLoggedInFrom() {
        assertThat(throttle.attempt("10.9.0.1", "owner", true)).isEqualTo(new AuthThrottle.Decision(false, 0));
        int refused = 0;
        for (int i = 0; i < 50; i++) {
            if (throttle.attempt("10.9.1." + i, "owner", false).refused()) {
                refused++;
            }
        }
        assertThat(refused).isEqualTo(45);
        // A fresh address waits behind the attack on the account: refused.
        assertThat(throttle.attempt("10.9.2.1", "owner", true).refused()).isTrue();
        // The owner's known address is answered at once, right password or not (a failure gets the account's delay).
        assertThat(throttle.attempt("10.9.0.1", "owner", true)).isEqualTo(new AuthThrottle.Decision(false, 0));
        AuthThrottle.Decision typo = throttle.attempt("10.9.0.1", "owner", false);
        assertThat(typo.refused()).isFalse();
        assertThat(typo.delayNanos()).isLessThanOrEqualTo(5_000 * MS);
        // The owner's success reset the account's count; the typo counts again.
        assertThat(throttle.accountFailures("owner")).isCloseTo(1, within(1e-9));
        // Knowing the address of another account gives a stranger nothing on this one.
        throttle.attempt("10.9.3.1", "other", true);
        assertThat(throttle.attempt("10.9.3.1", "owner", false).refused()).isTrue();
    }

    @Test
    void guessesPerSecondStayBoundedUnderASustainedParallelAttack() {
        int answered = 0;
        for (int second = 0; second < 600; second++) {
            for (int i = 0; i < 100; i++) {          // 100 parallel attempts a second on one account
                if (!throttle.attempt("10.2." + (i / 250) + "." + (i % 250), "admin", false).refused()) {
                    answered++;
                }
            }
            now.addAndGet(1000 * MS);
        }
        // one answer per maximum delay: at most 600 s / 5 s plus the first few
        assertThat(answered).isLessThanOrEqualTo(600 / 5 + 6);
    }

    @Test
    void aSuccessResetsOnlyItsOwnAccount() {
        throttle.attempt("10.3.0.1", "b", false);
        now.addAndGet(10_000 * MS);
        throttle.attempt("10.3.0.1", "b", false);
        now.addAndGet(10_000 * MS);
        throttle.attempt("10.3.0.1", "a", false);
        now.addAndGet(10_000 * MS);
        assertThat(throttle.attempt("10.3.0.1", "a", true).refused()).isFalse();
        assertThat(throttle.accountFailures("a")).isZero();
        assertThat(throttle.accountFailures("b")).isGreaterThan(1.2);
        assertThat(throttle.addressFailures("10.3.0.1")).isGreaterThan(2);
        // b's next failure from there is still answered after the grown delay, not the base one
        AuthThrottle.Decision next = throttle.attempt("10.3.0.1", "b", false);
        assertThat(next.delayNanos()).isGreaterThan(1000 * MS);
    }

    @Test
    void countsHalveEachHalfLife() {
        for (int i = 0; i < 4; i++) {
            throttle.attempt("10.4.0.1", "c", false);
            now.addAndGet(10_000 * MS);
        }
        double before = throttle.addressFailures("10.4.0.1");
        now.addAndGet(60_000 * MS);
        assertThat(throttle.addressFailures("10.4.0.1")).isCloseTo(before / 2, within(1e-6));
        now.addAndGet(3_600_000 * MS);
        assertThat(throttle.addressFailures("10.4.0.1")).isLessThan(0.01);
        assertThat(throttle.attempt("10.4.0.1", "c", false).delayNanos()).isBetween(250 * MS, 251 * MS);
    }

    @Test
    void cyclingAddressesAndNamesKeepsTheTablesBounded() {
        for (int i = 0; i < 100_000; i++) {
            throttle.attempt("10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255), "name-" + i, false);
            now.addAndGet(MS);
        }
        assertThat(throttle.size()).isLessThanOrEqualTo(200);
        // a name that arrives while the table is full is still throttled (in its shared bucket)
        AuthThrottle.Decision first = throttle.attempt("192.168.0.1", "admin", false);
        AuthThrottle.Decision second = throttle.attempt("192.168.0.2", "admin", false);
        assertThat(second.refused() || second.delayNanos() > first.delayNanos()).isTrue();
    }
}
