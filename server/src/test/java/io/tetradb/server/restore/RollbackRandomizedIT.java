package io.tetradb.server.restore;

import io.tetradb.client.TetraClient;
import io.tetradb.protocol.LogOperationInfo;
import io.tetradb.protocol.RestoreBackup;
import io.tetradb.protocol.RestoreReport;
import io.tetradb.protocol.RollbackReport;
import io.tetradb.protocol.RollbackRequest;
import io.tetradb.server.TestServers;
import io.tetradb.server.TetraServer;
import io.tetradb.server.restore.RandomWorkload.Point;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import static io.tetradb.server.restore.RandomWorkload.POSITIONS;
import static io.tetradb.server.restore.RandomWorkload.assertState;
import static io.tetradb.server.restore.RandomWorkload.contents;
import static io.tetradb.server.restore.RestoreFixtures.journal;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rollback and the new timeline against {@link RandomWorkload} (docs/restore-with-log.md): the
 * workload runs with backups; at a random recorded point P the dry run of
 * {@code rollback --to-op P} must list exactly every operation after P up to the log's last,
 * with consistent counts, and change nothing; the rollback must serve the state recorded at P.
 * The workload goes on on the new timeline with a backup, a dry run to an earlier point (its
 * list passes over the cancelled span), then a second cut at a new point Q (a rollback or
 * {@code restore N --in-place --until-op Q}, by the seed) and more workload. Then
 * {@code restore --to DIR} from archive 1 and from the latest archive that can reach a point
 * must give the state recorded at points before the first cut, between the cuts, after the
 * second and at the end; a point inside a cancelled span gives the state at its cut. A clean
 * restart, and a crash image (the latest archive alone with the live log files), must serve the
 * last state. The seed and the statements run are printed when it fails.
 */
@Timeout(300)
class RollbackRandomizedIT {
    private static final int ACTIONS_BEFORE = 60;
    private static final int ACTIONS_BETWEEN = 40;
    private static final int ACTIONS_AFTER = 20;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {20261202L, 777L})
    void rollbackAndTheNewTimelineGiveExactlyTheRecordedStates(long seed) throws Exception {
        RandomWorkload w = new RandomWorkload(seed, dir);
        try {
            new Scenario(w).run();
        } catch (AssertionError | RuntimeException e) {
            System.out.println("RollbackRandomizedIT failed with seed " + seed + "; statements run:");
            w.transcript.forEach(System.out::println);
            throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
        } finally {
            w.close();
        }
    }

    /** One cut of the history: the point kept and the operations cancelled after it. */
    private record Cut(String how, Point kept, long firstCancelled, long lastCancelled) {
        boolean cancels(long operation) {
            return operation >= firstCancelled && operation <= lastCancelled;
        }
    }

    /** One seed's run: the workload, its cuts, the archives a cut made a cancelled history. */
    private final class Scenario {
        private final RandomWorkload w;
        private final Random rnd;
        private final long seed;
        private final List<Cut> cuts = new ArrayList<>();
        private final Set<Long> cancelledArchives = new HashSet<>();
        /** Per point number: the least position a restore to it may give (see {@link #floor}). */
        private final Map<Integer, List<String>> floors = new HashMap<>();
        /** The least positions at the last cut's point. */
        private List<String> floorAtCut;
        /** The positions the live database served just after the last cut. */
        private Map<String, Long> liveAtCut = Map.of();

        Scenario(RandomWorkload w) {
            this.w = w;
            this.rnd = w.rnd;
            this.seed = w.seed;
        }

        void run() throws Exception {
            w.start();
            // Four archives: all kept (archive 1 must stay). Every archive holds the setting, so
            // an in-place restore, which puts the archive's Settings/ in place, keeps it too.
            w.w.admin().setBackupSettings("retention.keepLast=0");
            w.takeBackup();
            w.record();
            int backup2 = 10 + rnd.nextInt(ACTIONS_BEFORE / 2);
            int backup3 = backup2 + 5 + rnd.nextInt(ACTIONS_BEFORE / 3);
            int logNew = 5 + rnd.nextInt(ACTIONS_BEFORE - 10);
            w.actions(ACTIONS_BEFORE, backup2, backup3, logNew);
            w.record();

            // 1, 2: the dry run and the rollback to a point recorded after backup 1
            List<Point> before = List.copyOf(w.points);
            long last = w.lastOperation();
            List<Point> candidates = before.stream()
                    .filter(p -> p.operation() < last && p.state().containsKey(POSITIONS)).toList();
            assertThat(candidates).as("points before the log's last operation (seed %d)", seed).isNotEmpty();
            Point p = candidates.get(rnd.nextInt(candidates.size()));
            dryRun("rollback to " + p, p, range(p.operation() + 1, last));
            Cut first = rollback(p);

            // 3: the new timeline: a backup, a dry run over the cancelled span, a second cut
            int backup4 = rnd.nextInt(ACTIONS_BETWEEN / 2);
            w.actions(ACTIONS_BETWEEN, backup4, -1, -1);
            w.record();
            List<Point> kept = current(w.points);
            List<Point> beforeFirstCut = kept.stream().filter(x -> x.operation() <= p.operation()).toList();
            Point earlier = beforeFirstCut.get(rnd.nextInt(beforeFirstCut.size()));
            List<Long> listed = range(earlier.operation() + 1, w.lastOperation());
            listed.removeIf(first::cancels);
            dryRun("rollback to the earlier " + earlier, earlier, listed);

            long newest = newestArchive();
            long now = w.lastOperation();
            List<Point> onNewTimeline = w.points.stream()
                    .filter(x -> x.operation() > first.lastCancelled() && x.operation() < now
                            && x.archives().contains(newest) && x.state().containsKey(POSITIONS)).toList();
            if (onNewTimeline.isEmpty()) {
                System.out.printf("RollbackRandomizedIT seed %d: no point for a second cut%n", seed);
            } else {
                Point q = onNewTimeline.get(rnd.nextInt(onNewTimeline.size()));
                if (rnd.nextBoolean()) {
                    dryRun("rollback to " + q, q, range(q.operation() + 1, now));
                    rollback(q);
                } else {
                    inPlaceTo(q);
                }
            }
            w.actions(ACTIONS_AFTER, -1, -1, -1);
            w.record();

            // 4: restores to a folder along the history as it now is
            int before4 = w.restores();
            restores();
            int restores = w.restores() - before4;

            // 5: a clean restart, then a crash image
            Map<String, List<String>> end = contents(w.reader);
            long lastOperation = w.lastOperation();
            w.restart();
            assertState("after a restart (seed " + seed + ")", end, floorOf(end.get(POSITIONS)), contents(w.reader));
            assertThat(w.lastOperation()).as("after a restart (seed %d)", seed).isEqualTo(lastOperation);
            crashImage(end, lastOperation);

            System.out.printf("RollbackRandomizedIT seed %d: %d statements, %d operations, %d points, cuts %s, "
                    + "%d restores compared%n", seed, w.transcript.size(), lastOperation, w.points.size(),
                    cuts.stream().map(c -> c.how() + " to " + c.kept().operation() + " cancelling "
                            + c.firstCancelled() + "-" + c.lastCancelled()).toList(), restores);
        }

        /**
         * The dry run of a rollback to {@code p}: it lists exactly {@code expected} (in order),
         * keeps {@code p}'s operation, counts them and their transactions, and changes nothing.
         */
        private void dryRun(String what, Point p, List<Long> expected) {
            String as = what + " (seed " + seed + "), dry run";
            Map<String, List<String>> now = contents(w.reader);
            long last = w.lastOperation();
            RollbackReport plan = w.w.admin().rollback(RollbackRequest.newBuilder().setToOperation(p.operation())
                    .setDryRun(true).setLimit(10_000).build());
            assertThat(plan.getDryRun()).as(as).isTrue();
            assertThat(plan.getLastOperationKept()).as(as).isEqualTo(p.operation());
            assertThat(cancelledArchives).as(as + ": the archive chosen").doesNotContain(plan.getNumber());
            assertThat(w.archives.get(plan.getNumber())).as(as + ": the archive chosen").isNotNull()
                    .isLessThanOrEqualTo(p.operation());
            List<Long> numbers = plan.getOperationsList().stream().map(LogOperationInfo::getOperation).toList();
            assertThat(plan.getOperationsCancelled()).as(as + ": operations cancelled").isEqualTo(expected.size());
            if (plan.getTruncated()) {
                assertThat(numbers).as(as + ": the operations listed").hasSizeLessThan(expected.size())
                        .isEqualTo(expected.subList(0, numbers.size()));
            } else {
                assertThat(numbers).as(as + ": the operations listed").isEqualTo(expected);
                long transactions = plan.getOperationsList().stream()
                        .map(LogOperationInfo::getTransactionFirstOperation).distinct().count();
                assertThat(plan.getTransactionsCancelled()).as(as + ": transactions cancelled")
                        .isEqualTo(transactions);
            }
            assertThat(plan.getOperationsList()).as(as).allSatisfy(o -> {
                assertThat(o.getTransactionFirstOperation()).isBetween(p.operation() + 1, o.getOperation());
                assertThat(o.getKind()).isNotEmpty();
                assertThat(o.getUser()).isIn("admin", "bob");
            });
            assertThat(plan.getTransactionsCancelled()).as(as).isBetween(expected.isEmpty() ? 0L : 1L,
                    (long) expected.size());
            assertThat(w.lastOperation()).as(as + ": the log's last operation").isEqualTo(last);
            assertState(as + ": nothing changed", now, contents(w.reader));
        }

        /** {@code rollback --to-op P}: the state recorded at P is served; the rest is cancelled. */
        private Cut rollback(Point p) {
            String as = "rollback to " + p + " (seed " + seed + ")";
            long last = w.lastOperation();
            RollbackReport r = w.w.admin().rollback(RollbackRequest.newBuilder().setToOperation(p.operation()).build());
            assertThat(r.getDryRun()).as(as).isFalse();
            assertThat(r.getLastOperationKept()).as(as).isEqualTo(p.operation());
            assertThat(r.getOperationsCancelled()).as(as).isEqualTo(last - p.operation());
            return cut("rollback", as, p, r.getRestore(), last);
        }

        /** {@code restore N --in-place --until-op Q} of a random archive of the current history before Q. */
        private void inPlaceTo(Point q) {
            List<Long> usable = w.archives.entrySet().stream()
                    .filter(e -> !cancelledArchives.contains(e.getKey()) && e.getValue() <= q.operation())
                    .map(Map.Entry::getKey).toList();
            long number = usable.get(rnd.nextInt(usable.size()));
            String as = "restore " + number + " --in-place --until-op " + q.operation() + ", to " + q + " (seed "
                    + seed + ")";
            long last = w.lastOperation();
            RestoreReport r = w.w.admin().restore(RestoreBackup.newBuilder().setNumber(number).setInPlace(true)
                    .setUntilOperation(q.operation()).build());
            assertThat(r.getStoppedAtPoint()).as(as).isTrue();
            cut("restore " + number + " --in-place", as, q, r, last);
        }

        /** After a cut to {@code p}: the report, the state served, the model, the archives now cancelled. */
        private Cut cut(String how, String as, Point p, RestoreReport r, long last) {
            assignFloors();
            assertThat(r.getInPlace()).as(as).isTrue();
            assertThat(r.getLastOperation()).as(as).isEqualTo(p.operation());
            assertThat(r.getCancelledFirstOperation()).as(as).isEqualTo(p.operation() + 1);
            assertThat(r.getCancelledLastOperation()).as(as).isEqualTo(last);
            w.reconnectOthers();
            Map<String, List<String>> served = contents(w.reader);
            assertState(as + ": the state served", p.state(), floor(p), served);
            floorAtCut = floor(p);
            liveAtCut = new HashMap<>();
            for (String position : served.get(POSITIONS)) {
                liveAtCut.put(position.split("=")[0], RandomWorkload.value(position));
            }
            w.cutTo(p);
            Cut c = new Cut(how, p, p.operation() + 1, last);
            cuts.add(c);
            w.archives.forEach((number, held) -> {
                if (c.cancels(held)) {
                    cancelledArchives.add(number);
                }
            });
            // Numbers are never reused: the new timeline goes on after the cancelled operations.
            assertThat(w.lastOperation()).as(as + ": the log's last operation").isEqualTo(last);
            return c;
        }

        /**
         * Gives each point recorded since the last call its floor: the least position a
         * restore to it may give. Before any cut, what it recorded (a restore is never behind).
         * After a cut, the live database's positions may stand up to H2's cache past what the
         * log describes (the in-place restore reopens a data file written with the cache taken)
         * and a restore to a folder does not repeat that skip; the skipped values were never
         * handed out on the current history. So a position that has not moved since the cut
         * has the cut's point's floor; one that moved (a value taken, a RESTART) is logged, and
         * a restore must reach it.
         */
        private void assignFloors() {
            for (Point x : w.points) {
                if (!floors.containsKey(x.number()) && x.state().containsKey(POSITIONS)) {
                    floors.put(x.number(), floorOf(x.state().get(POSITIONS)));
                }
            }
        }

        /** The floor of positions the live database showed now. */
        private List<String> floorOf(List<String> recorded) {
            if (cuts.isEmpty()) {
                return recorded;
            }
            Map<String, Long> atCut = new HashMap<>();
            for (String position : floorAtCut) {
                atCut.put(position.split("=")[0], RandomWorkload.value(position));
            }
            List<String> out = new ArrayList<>();
            for (String position : recorded) {
                String name = position.split("=")[0];
                long v = RandomWorkload.value(position);
                boolean unmoved = liveAtCut.containsKey(name) && liveAtCut.get(name) == v && atCut.containsKey(name);
                out.add(name + "=" + (unmoved ? atCut.get(name) : v));
            }
            return out;
        }

        /** {@code p}'s floor (null when it recorded no positions). */
        private List<String> floor(Point p) {
            return floors.get(p.number());
        }

        /** The points of the history as it now is (none inside a cancelled span). */
        private List<Point> current(List<Point> points) {
            return points.stream().filter(x -> cuts.stream().noneMatch(c -> c.cancels(x.operation()))).toList();
        }

        /** The latest archive of the current history. */
        private long newestArchive() {
            return w.archives.keySet().stream().filter(n -> !cancelledArchives.contains(n))
                    .mapToLong(Long::longValue).max().orElseThrow();
        }

        /** The latest archive of the current history holding no more than {@code operation}. */
        private long latestArchiveUpTo(long operation) {
            return w.archives.entrySet().stream()
                    .filter(e -> !cancelledArchives.contains(e.getKey()) && e.getValue() <= operation)
                    .mapToLong(Map.Entry::getKey).max().orElseThrow();
        }

        /**
         * {@code restore --to DIR}: from archive 1, points before the first cut, between the
         * cuts, after the last and the end; from the latest archive that reaches it, a point
         * after the first cut and the end; by time where a point has one; a point inside each
         * cancelled span gives the state at its cut.
         */
        private void restores() throws Exception {
            assignFloors();
            List<Point> current = current(w.points);
            List<Point> targets = new ArrayList<>();
            long firstKept = cuts.get(0).kept().operation();
            List<Point> early = current.stream().filter(x -> x.operation() <= firstKept).toList();
            targets.add(early.get(0));
            targets.add(early.get(rnd.nextInt(early.size())));
            targets.add(cuts.get(0).kept());
            List<Point> later = current.stream().filter(x -> x.operation() > firstKept).toList();
            for (int i = 0; i < 2 && !later.isEmpty(); i++) {
                targets.add(later.get(rnd.nextInt(later.size())));
            }
            if (cuts.size() > 1) {
                targets.add(cuts.get(1).kept());
            }
            for (Point t : targets.stream().distinct().toList()) {
                w.check(t + " by operation from archive 1", t.operation(), t.state(), floor(t),
                        RestoreBackup.newBuilder().setNumber(1).setUntilOperation(t.operation()));
                if (t.timeMillis() > 0 && rnd.nextBoolean()) {
                    w.check(t + " by time from archive 1", t.operation(), t.state(), floor(t),
                            RestoreBackup.newBuilder().setNumber(1).setUntilTimeMillis(t.timeMillis()));
                }
            }
            if (!later.isEmpty()) {
                Point t = later.get(rnd.nextInt(later.size()));
                long n = latestArchiveUpTo(t.operation());
                w.check(t + " by operation from archive " + n, t.operation(), t.state(), floor(t),
                        RestoreBackup.newBuilder().setNumber(n).setUntilOperation(t.operation()));
                if (t.timeMillis() > 0) {
                    w.check(t + " by time from archive " + n, t.operation(), t.state(), floor(t),
                            RestoreBackup.newBuilder().setNumber(n).setUntilTimeMillis(t.timeMillis()));
                }
            }
            for (Cut c : cuts) {
                List<Point> inside = w.points.stream().filter(x -> c.cancels(x.operation())).toList();
                if (inside.isEmpty()) {
                    continue;
                }
                Point t = inside.get(rnd.nextInt(inside.size()));
                long n = latestArchiveUpTo(c.kept().operation());
                String what = "cancelled " + t + " (cut " + c.firstCancelled() + "-" + c.lastCancelled()
                        + ") from archive " + n + ": the state at the cut, " + c.kept();
                w.check(what + ", by operation", c.kept().operation(), c.kept().state(), floor(c.kept()),
                        RestoreBackup.newBuilder().setNumber(n).setUntilOperation(t.operation()));
                if (t.timeMillis() > 0) {
                    w.check(what + ", by time", c.kept().operation(), c.kept().state(), floor(c.kept()),
                            RestoreBackup.newBuilder().setNumber(n).setUntilTimeMillis(t.timeMillis()));
                }
            }
            Map<String, List<String>> end = contents(w.reader);
            long last = w.lastOperation();
            List<String> endFloor = floorOf(end.get(POSITIONS));
            w.check("the end from archive 1", last, end, endFloor, RestoreBackup.newBuilder().setNumber(1));
            long newest = newestArchive();
            w.check("the end from archive " + newest, last, end, endFloor,
                    RestoreBackup.newBuilder().setNumber(newest));
        }

        /**
         * What a kill -9 leaves when the data file lags: the latest archive of the current
         * history alone (its data file records no clean close) with the live log files. Its
         * recovery must pass over every cancelled span and serve the last state.
         */
        private void crashImage(Map<String, List<String>> end, long lastOperation) throws Exception {
            long newest = newestArchive();
            Path crash = dir.resolve("crash");
            w.w.admin().restore(RestoreBackup.newBuilder().setNumber(newest).setNoLog(true)
                    .setToDir(crash.toString()).build());
            try (Stream<Path> s = Files.list(w.server.layout().dataDir())) {
                for (Path f : s.filter(f -> f.getFileName().toString().endsWith(".journal")).toList()) {
                    Files.copy(f, crash.resolve("Data").resolve(f.getFileName().toString().replace("testdb", "crash")));
                }
            }
            String as = "a crash image of archive " + newest + " with the live log files (seed " + seed + ")";
            try (TetraServer s = TetraServer.start(TestServers.config(dir).dataDir(crash).build());
                 TetraClient c = TestServers.admin(s)) {
                assertState(as, end, floorOf(end.get(POSITIONS)), contents(c));
                assertThat(s.logs().log().lastOperation()).as(as).isEqualTo(lastOperation);
            }
            assertThat(journal(crash.resolve("Logs"), "log-recovery")).as(as).last()
                    .satisfies(l -> assertThat(l).contains("lastOperation=" + lastOperation));
        }
    }

    private static List<Long> range(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            out.add(i);
        }
        return out;
    }
}
