package io.tetradb.admin;

import io.tetradb.admin.PackagedServers.ServerProcess;
import io.tetradb.client.ClientConfig;
import io.tetradb.client.Row;
import io.tetradb.client.Rows;
import io.tetradb.client.TetraClient;
import io.tetradb.protocol.Role;
import io.tetradb.client.TetraException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The kill -9 trials of docs/log-file.md and docs/security.md ("kill -9 at any moment loses no
 * acknowledged commit"), on the packaged server run as a separate process with its
 * default {@code log.sync}. Four clients, each with its own connection and its own
 * account of role user, insert rows with unique ids: two in autocommit, one row per
 * statement, two in transactions of ten rows. An id counts as acknowledged only once
 * the client's call returned successfully (for a transaction: once its commit did, for
 * its ten ids together). After a random delay the server is killed by SIGKILL and
 * started again on the same folder, and every row acknowledged so far, in this trial
 * and all earlier ones, must be there, and every transaction ever begun must be there
 * whole or not at all; rows not acknowledged may or may not be there. All trials share
 * one database folder, so each start recovers from the crash of a server that had
 * itself recovered.
 *
 * <p>The delays come from a {@link Random} whose seed is printed; {@code
 * -Dtetra.killTrials.seed=N} runs the trials again with seed N (the same delays; the
 * interleaving of the clients is the machine's). A graceful counterpart stops the
 * server by SIGTERM instead, which must lose nothing with or without the log file.
 *
 * <p>Threads: the test's thread starts, kills and checks the servers; the four clients
 * run on a pool of their own; each server's stdout is read by {@link PackagedServers}.
 */
@Timeout(330)
class PackagedKillTrialsIT {
    private static final String SEED_PROPERTY = "tetra.killTrials.seed";
    private static final String ADMIN_PASSWORD = "kill-trials-admin";
    /** 20 in the suite; more by hand: {@code -Dtetra.killTrials.count=100 -Djunit.jupiter.execution.timeout.mode=disabled}. */
    private static final int TRIALS = Integer.getInteger("tetra.killTrials.count", 20);
    private static final int CLIENTS = 4;
    /** Clients 0 .. AUTOCOMMIT_CLIENTS-1 insert in autocommit, the others in transactions. */
    private static final int AUTOCOMMIT_CLIENTS = 2;
    private static final int TRANSACTION_ROWS = 10;
    private static final int MIN_DELAY_MS = 200;
    private static final int MAX_DELAY_MS = 1500;
    /** id = trial * TRIAL_SPAN + client * CLIENT_SPAN + sequence number within the client. */
    private static final long TRIAL_SPAN = 1_000_000_000L;
    private static final long CLIENT_SPAN = 100_000_000L;
    private static final String FILLER = "x".repeat(80);
    private static final String INSERT =
            "INSERT INTO KILL_TRIALS(ID, TRIAL, CLIENT, SEQ, TXN, PAYLOAD) VALUES (?, ?, ?, ?, ?, ?)";

    @TempDir
    Path temp;
    private PackagedServers servers;
    private ExecutorService pool;
    private final List<TetraClient> clients = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void setUp() {
        servers = new PackagedServers(temp);
        AtomicInteger n = new AtomicInteger();
        pool = Executors.newFixedThreadPool(CLIENTS, r -> {
            Thread t = new Thread(r, "kill-trial-client-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        closeClients();
        pool.shutdownNow();
        servers.killLeftovers();
    }

    @Test
    @Timeout(280)
    void killNineAtRandomMomentsLosesNoAcknowledgedCommit() throws Exception {
        long seed = seed();
        Random random = new Random(seed);
        Path dataDir = temp.resolve("trials");
        Ledger ledger = new Ledger();
        ServerProcess server = prepare(dataDir);
        long started = System.nanoTime();
        for (int trial = 1; trial <= TRIALS; trial++) {
            server = trial(server, dataDir, trial, delay(random), true, ledger);
        }
        server.stop();
        System.out.printf("kill -9 trials: %d trials in %d s%n", TRIALS,
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
        ledger.assertNothingLost("kill -9 trials", TRIALS, seed);
    }

    @Test
    @Timeout(120)
    void sigtermAtARandomMomentLosesNothing() throws Exception {
        long seed = seed();
        Path dataDir = temp.resolve("graceful");
        Ledger ledger = new Ledger();
        ServerProcess server = prepare(dataDir);
        server = trial(server, dataDir, 1, delay(new Random(seed)), false, ledger);
        server.stop();
        ledger.assertNothingLost("SIGTERM trials", 1, seed);
    }

    // ------------------------------------------------------------------ one trial

    /**
     * Runs the clients against {@code server} for {@code delayMs}, stops it by SIGKILL
     * ({@code kill}) or SIGTERM, starts it again on {@code dataDir} and checks the rows;
     * returns the new server.
     */
    private ServerProcess trial(ServerProcess server, Path dataDir, int trial, int delayMs, boolean kill,
                                Ledger ledger) throws Exception {
        int port = server.port();
        AtomicBoolean stopping = new AtomicBoolean();
        CountDownLatch connected = new CountDownLatch(CLIENTS);
        AtomicLong autocommitRows = new AtomicLong();
        AtomicLong transactions = new AtomicLong();
        List<CompletableFuture<Void>> running = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            running.add(CompletableFuture.runAsync(() -> {
                TetraClient tc = connect(port, user(client), password(client));
                connected.countDown();
                insertUntilStopped(tc, trial, client, stopping, ledger,
                        client < AUTOCOMMIT_CLIENTS ? autocommitRows : transactions);
            }, pool));
        }
        assertThat(connected.await(60, TimeUnit.SECONDS)).as("the %d clients connected", CLIENTS).isTrue();
        CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(delayMs, TimeUnit.MILLISECONDS))
                .get(60, TimeUnit.SECONDS);
        stopping.set(true);
        if (kill) {
            server.kill();
        } else {
            server.stop();
            assertThat(server.process.exitValue()).as("exit code after SIGTERM")
                    .isIn(0, PackagedServers.SIGTERM_EXIT);
        }
        // A client fails only once the server is gone; any earlier failure surfaces here.
        CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        closeClients();

        long restarting = System.nanoTime();
        ServerProcess restarted = servers.start(dataDir, Map.of());
        int newPort = restarted.port();
        long restartMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restarting);
        Set<Long> present = presentIds(newPort);
        Ledger.Check check = ledger.check(trial, present);
        System.out.printf("trial %d (%s after %d ms): acknowledged %d rows (%d autocommit, %d transactions of %d),"
                        + " found %d, lost %d; earlier trials' rows now missing %d; partial transactions %d;"
                        + " restart %d ms%n",
                trial, kill ? "SIGKILL" : "SIGTERM", delayMs, check.acknowledged(), autocommitRows.get(),
                transactions.get(), TRANSACTION_ROWS, check.found(), check.lost(), check.earlierMissing(),
                check.partial(), restartMs);
        return restarted;
    }

    /**
     * One client's loop: autocommit inserts (counted per row in {@code acknowledgedCount})
     * or ten-row transactions (counted per transaction), until a call fails after
     * {@code stopping} was set. A failure before it is the test's failure.
     */
    private static void insertUntilStopped(TetraClient tc, int trial, int client, AtomicBoolean stopping,
                                           Ledger ledger, AtomicLong acknowledgedCount) {
        long seq = 0;
        try {
            while (true) {
                if (client < AUTOCOMMIT_CLIENTS) {
                    long id = id(trial, client, seq);
                    tc.update(INSERT, id, trial, client, seq++, null, payload(id));
                    ledger.acknowledge(id);
                } else {
                    long[] ids = new long[TRANSACTION_ROWS];
                    for (int i = 0; i < ids.length; i++) {
                        ids[i] = id(trial, client, seq + i);
                    }
                    ledger.begun(ids);
                    tc.begin();
                    for (long id : ids) {
                        tc.update(INSERT, id, trial, client, seq++, ids[0], payload(id));
                    }
                    tc.commit();
                    for (long id : ids) {
                        ledger.acknowledge(id);
                    }
                }
                acknowledgedCount.incrementAndGet();
            }
        } catch (TetraException e) {
            if (!stopping.get()) {
                throw new AssertionError("client " + client + " of trial " + trial
                        + " failed while the server was running", e);
            }
            // The server is going or gone: this call's outcome is unknown, and it was not acknowledged.
        }
    }

    // ------------------------------------------------------------------ database

    /**
     * A new database on {@code dataDir} with the table and one account of role user per
     * client, stopped gracefully so that this much is surely on disk, then started again.
     */
    private ServerProcess prepare(Path dataDir) throws Exception {
        ServerProcess first = servers.start(dataDir, Map.of("TETRA_ADMIN_PASSWORD", ADMIN_PASSWORD));
        try (TetraClient admin = connect(first.port(), "admin", ADMIN_PASSWORD)) {
            admin.execute("CREATE TABLE KILL_TRIALS(ID BIGINT PRIMARY KEY, TRIAL INT NOT NULL, CLIENT INT NOT NULL,"
                    + " SEQ BIGINT NOT NULL, TXN BIGINT, PAYLOAD VARCHAR(200) NOT NULL)");
            for (int c = 0; c < CLIENTS; c++) {
                admin.admin().addUser(user(c), Role.USER, password(c).toCharArray());
            }
        }
        first.stop();
        return servers.start(dataDir, Map.of());
    }

    private Set<Long> presentIds(int port) {
        Set<Long> ids = new HashSet<>();
        try (TetraClient admin = connect(port, "admin", ADMIN_PASSWORD);
             Rows rows = admin.query("SELECT ID FROM KILL_TRIALS")) {
            for (Row r : rows) {
                ids.add(r.getLong(0));
            }
        }
        return ids;
    }

    private TetraClient connect(int port, String user, String password) {
        TetraClient c = TetraClient.connect(ClientConfig.builder().host("127.0.0.1").port(port)
                .user(user).password(password).build());
        clients.add(c);
        return c;
    }

    private void closeClients() {
        synchronized (clients) {
            clients.forEach(TetraClient::close);
            clients.clear();
        }
    }

    private static String user(int client) {
        return "trial" + client;
    }

    private static String password(int client) {
        return "trial-password-" + client;
    }

    private static long id(int trial, int client, long seq) {
        return trial * TRIAL_SPAN + client * CLIENT_SPAN + seq;
    }

    private static String payload(long id) {
        return "row " + id + " " + FILLER;
    }

    private static long seed() {
        Long given = Long.getLong(SEED_PROPERTY);
        long seed = given != null ? given : ThreadLocalRandom.current().nextLong();
        System.out.printf("kill trials: seed %d (replay with -D%s=%d)%n", seed, SEED_PROPERTY, seed);
        return seed;
    }

    private static int delay(Random random) {
        return MIN_DELAY_MS + random.nextInt(MAX_DELAY_MS - MIN_DELAY_MS + 1);
    }

    // ------------------------------------------------------------------ the record of what was acknowledged

    /**
     * What the clients were told, across all trials: every acknowledged id, every
     * transaction begun (acknowledged or not), and what the checks found missing.
     * Written by the client threads, read by the test's thread once they have ended.
     */
    private static final class Ledger {
        private final Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
        private final Queue<long[]> begun = new ConcurrentLinkedQueue<>();
        private final TreeSet<Long> lost = new TreeSet<>();
        private final Map<Long, Integer> partial = new TreeMap<>();
        private long checked;

        /** What one check after a restart found. */
        record Check(long acknowledged, long found, long lost, long earlierMissing, long partial) {
        }

        void acknowledge(long id) {
            acknowledged.add(id);
        }

        void begun(long[] ids) {
            begun.add(ids);
        }

        /** Compares the ids present after trial {@code trial}'s restart with everything acknowledged so far. */
        Check check(int trial, Set<Long> present) {
            checked++;
            long acknowledgedNow = acknowledged.stream().filter(id -> trialOf(id) == trial).count();
            long found = present.stream().filter(id -> trialOf(id) == trial).count();
            long lostNow = 0;
            long earlierMissing = 0;
            for (long id : acknowledged) {
                if (!present.contains(id)) {
                    if (trialOf(id) == trial) {
                        lostNow++;
                    } else if (!lost.contains(id)) {
                        earlierMissing++;
                    }
                    lost.add(id);
                }
            }
            long partialNow = 0;
            for (long[] ids : begun) {
                int there = 0;
                for (long id : ids) {
                    there += present.contains(id) ? 1 : 0;
                }
                if (there != 0 && there != ids.length) {
                    partialNow++;
                    partial.putIfAbsent(ids[0], there);
                }
            }
            return new Check(acknowledgedNow, found, lostNow, earlierMissing, partialNow);
        }

        /** The summary line, then fails naming the first lost ids and partial transactions, and the seed. */
        void assertNothingLost(String what, int trials, long seed) {
            long transactionsAcknowledged = begun.stream().filter(ids -> acknowledged.contains(ids[0])).count();
            long autocommitAcknowledged = acknowledged.stream().filter(Ledger::isAutocommit).count();
            long autocommitLost = lost.stream().filter(Ledger::isAutocommit).count();
            System.out.printf("%s: %d trials, %d acknowledged rows, %d lost (autocommit: %d acknowledged, %d lost;"
                            + " transactions: %d rows in %d transactions of %d acknowledged, %d lost, %d partial)%n",
                    what, trials, acknowledged.size(), lost.size(), autocommitAcknowledged, autocommitLost,
                    acknowledged.size() - autocommitAcknowledged, transactionsAcknowledged, TRANSACTION_ROWS,
                    lost.size() - autocommitLost, partial.size());
            assertThat(checked).as("restarts checked").isEqualTo(trials);
            assertThat(acknowledged).as("rows acknowledged in %d trials", trials).isNotEmpty();
            assertThat(transactionsAcknowledged).as("transactions acknowledged in %d trials", trials).isPositive();
            String replay = String.format("seed %d, replay with -D%s=%d", seed, SEED_PROPERTY, seed);
            assertThat(lost.size())
                    .as("%s: %d of %d acknowledged rows lost (%s); first lost ids (trial * %d + client * %d +"
                                    + " sequence): %s", what, lost.size(), acknowledged.size(), replay, TRIAL_SPAN,
                            CLIENT_SPAN, lost.stream().limit(10).map(String::valueOf)
                                    .collect(Collectors.joining(", ")))
                    .isZero();
            assertThat(partial.size())
                    .as("%s: %d transactions partly present (%s); first ones (first id = rows present): %s",
                            what, partial.size(), replay, partial.entrySet().stream().limit(10)
                                    .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", ")))
                    .isZero();
        }

        private static long trialOf(long id) {
            return id / TRIAL_SPAN;
        }

        private static boolean isAutocommit(long id) {
            return (id % TRIAL_SPAN) / CLIENT_SPAN < AUTOCOMMIT_CLIENTS;
        }
    }
}
