package io.tetradb.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Part 4 against PostgreSQL, when Debian's packages are installed (pgbench and
 * /usr/lib/postgresql/N/bin): a private, throw-away cluster in the work folder (the
 * system's clusters are not touched) on a loopback port, 1,000,000 pgbench_accounts
 * rows (scale 10), {@code pgbench -S} with 1, 8 and 32 clients and an insert script
 * equivalent to the Tetra/H2 insert test. {@code synchronous_commit=off}: like H2's
 * write delay, a commit is answered before it is on disk. For part commits
 * ({@link #durableCommits}) a cluster of its own with {@code fsync=on} and
 * {@code synchronous_commit=on}: the insert script and pgbench's tpcb-like transaction.
 */
final class PostgresBench {
    private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)");

    private final BenchContext ctx;
    private final Path bin;
    private final Path dir;
    private final boolean asPostgresUser;
    private int port;

    private PostgresBench(BenchContext ctx, Path bin) {
        this.ctx = ctx;
        this.bin = bin;
        this.dir = ctx.options.workDir().resolve("postgres");
        this.asPostgresUser = "root".equals(System.getProperty("user.name"));
    }

    /** The server binaries of the newest PostgreSQL installed the Debian way, or null. */
    static Path findBin() {
        Path base = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(base)) {
            return null;
        }
        try (Stream<Path> s = Files.list(base)) {
            return s.map(p -> p.resolve("bin")).filter(p -> Files.isExecutable(p.resolve("initdb"))
                            && Files.isExecutable(p.resolve("pgbench")) && Files.isExecutable(p.resolve("pg_ctl")))
                    .max(Comparator.comparing(p -> version(p.getParent().getFileName().toString()))).orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    private static int version(String s) {
        try {
            return Integer.parseInt(s.replaceAll("[^0-9].*", ""));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static ObjectNode run(BenchContext ctx) throws Exception {
        Path bin = findBin();
        if (bin == null) {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("installed", false);
            o.put("note", "not installed (no /usr/lib/postgresql/*/bin with initdb, pg_ctl and pgbench;"
                    + " apt-get install postgresql)");
            Bench.log("PostgreSQL: not installed.");
            return o;
        }
        return new PostgresBench(ctx, bin).measure();
    }

    /**
     * Part commits: a cluster with {@code fsync=on} and {@code synchronous_commit=on} (a
     * commit answered once it is on disk), pgbench's scale {@code scale}, the insert script and
     * pgbench's built-in tpcb-like transaction with each of {@code clients}.
     */
    static ObjectNode durableCommits(BenchContext ctx, int scale, List<Integer> clients, double warmup,
                                     double seconds) throws Exception {
        Path bin = findBin();
        if (bin == null) {
            return run(ctx);
        }
        PostgresBench pg = new PostgresBench(ctx, bin);
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("installed", true);
        out.put("durability", "durable: fsync=on, synchronous_commit=on (a commit is answered once its WAL is"
                + " flushed), wal_sync_method default");
        Path script = pg.start(out, "-c fsync=on -c synchronous_commit=on", scale);
        try {
            out.put("tpcbScript", "pgbench -b tpcb-like (BEGIN; UPDATE pgbench_accounts; SELECT abalance;"
                    + " UPDATE pgbench_tellers; UPDATE pgbench_branches; INSERT INTO pgbench_history; END)");
            pg.pgbench("warmup", 8, warmup, List.of("-b", "tpcb-like"));
            ArrayNode inserts = out.putArray("insertResults");
            for (int n : clients) {
                inserts.add(pg.pgbench("durable-insert-" + n, n, seconds, List.of("-f", script.toString())));
            }
            ArrayNode tpcb = out.putArray("tpcbResults");
            for (int n : clients) {
                tpcb.add(pg.pgbench("durable-tpcb-" + n, n, seconds, List.of("-b", "tpcb-like")));
            }
            // The same workloads through PostgreSQL's JDBC driver and the harness Tetra and H2 run.
            out.set("jdbc", JdbcWorkload.commits(ctx, pg.jdbcPeer(), scale, clients));
        } finally {
            pg.stop();
        }
        return out;
    }

    private ObjectNode measure() throws Exception {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("installed", true);
        Path script = start(out, "-c synchronous_commit=off", 10);
        try {
            out.put("pointSelect", "pgbench -S (SELECT abalance FROM pgbench_accounts WHERE aid = :aid), scale 10");
            // Warm-up: the accounts into shared buffers, the plans into the backends.
            pgbench("warmup", 8, ctx.options.warmup() * 2, List.of("-S"));
            ArrayNode selects = out.putArray("pointSelectResults");
            for (int n : WireBench.SELECT_CLIENTS) {
                selects.add(pgbench("select-" + n, n, ctx.options.seconds(), List.of("-S")));
            }
            ArrayNode inserts = out.putArray("insertResults");
            for (int n : WireBench.INSERT_CLIENTS) {
                inserts.add(pgbench("insert-" + n, n, WireBench.insertSeconds(ctx), List.of("-f", script.toString())));
            }
            // The same through PostgreSQL's JDBC driver and the harness Tetra and H2 run: part wire's
            // SQL reads ACCOUNTS(ID, BALANCE), here a view on pgbench_accounts (the planner inlines it).
            JdbcWorkload.Peer peer = jdbcPeer();
            try (java.sql.Connection c = peer.connect(); java.sql.Statement st = c.createStatement()) {
                st.execute("CREATE VIEW accounts(id, branch, balance) AS SELECT aid, bid, abalance FROM"
                        + " pgbench_accounts");
            }
            out.put("jdbcAccounts", "CREATE VIEW accounts(id, branch, balance) AS SELECT aid, bid, abalance FROM"
                    + " pgbench_accounts");
            out.set("jdbc", JdbcWorkload.wire(ctx, peer));
        } finally {
            stop();
        }
        return out;
    }

    /**
     * A fresh cluster started with {@code settings} (besides port, socket and loopback),
     * pgbench's tables at {@code scale} and the INSERTS table; returns the insert script.
     */
    private Path start(ObjectNode out, String settings, int scale) throws Exception {
        Bench.deleteTree(dir);
        Files.createDirectories(dir.resolve("sock"));
        Files.createDirectories(dir.resolve("logs"));
        out.put("version", exec(List.of(bin.resolve("postgres").toString(), "--version"), 60).trim());
        if (asPostgresUser) {
            execChecked(List.of("chown", "-R", "postgres:postgres", dir.toString()), 60);
        }
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        execChecked(pg("initdb", "-D", data().toString(), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"),
                300);
        String opts = "-p " + port + " -k " + dir.resolve("sock") + " -c listen_addresses=127.0.0.1 " + settings
                + " -c max_connections=100";
        out.put("serverOptions", opts + " (other settings: initdb defaults)");
        execChecked(pg("pg_ctl", "-D", data().toString(), "-l", dir.resolve("server.log").toString(), "-w", "-t",
                "120", "-o", opts, "start"), 180);
        execChecked(pg("pgbench", "-i", "-s", Integer.toString(scale), "-q", "-h", "127.0.0.1", "-p",
                Integer.toString(port), "-U", "postgres", "postgres"), 900);
        out.put("scale", scale);
        execChecked(pg("psql", "-h", "127.0.0.1", "-p", Integer.toString(port), "-U", "postgres", "-q", "-c",
                "CREATE TABLE inserts(id bigserial PRIMARY KEY, client int NOT NULL, v varchar(40) NOT NULL)",
                "postgres"), 60);
        Path script = dir.resolve("insert.sql");
        Files.writeString(script, "INSERT INTO inserts(client, v) VALUES (:client_id, 'wire insert');\n");
        out.put("insertScript", Files.readString(script).trim());
        return script;
    }

    /**
     * The running cluster as the JDBC harness reaches it: PostgreSQL's JDBC driver over TCP on
     * loopback, as user postgres (the cluster trusts loopback connections, so no password).
     */
    private JdbcWorkload.Peer jdbcPeer() {
        return new JdbcWorkload.Peer("PostgreSQL (JDBC)", "jdbc:postgresql://127.0.0.1:" + port + "/postgres",
                "postgres", "", -1);
    }

    private Path data() {
        return dir.resolve("data");
    }

    private void stop() {
        exec(pg("pg_ctl", "-D", data().toString(), "-m", "fast", "-w", "stop"), 120);
        Bench.deleteTree(dir);
    }

    private ObjectNode pgbench(String name, int clients, double seconds, List<String> script) throws Exception {
        int threads = Math.min(clients, Runtime.getRuntime().availableProcessors());
        Path logs = dir.resolve("logs");
        String prefix = logs.resolve(name).toString();
        List<String> args = new ArrayList<>(List.of("pgbench", "-n", "-c", Integer.toString(clients), "-j",
                Integer.toString(threads), "-T", Long.toString(Math.max(1, Math.round(seconds))), "-h", "127.0.0.1",
                "-p", Integer.toString(port), "-U", "postgres", "-l", "--log-prefix=" + prefix));
        args.addAll(script);
        args.add("postgres");
        String output = execChecked(pg(args.toArray(String[]::new)), 600);
        Matcher m = TPS.matcher(output);
        if (!m.find()) {
            throw new IllegalStateException("pgbench printed no tps: " + output);
        }
        Latencies lat = new Latencies();
        try (Stream<Path> s = Files.list(logs)) {
            for (Path f : s.filter(p -> p.getFileName().toString().startsWith(name + ".")).toList()) {
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    String[] p = line.split(" ");
                    if (p.length >= 3) {
                        lat.add(Long.parseLong(p[2]) * 1000);
                    }
                }
                Files.delete(f);
            }
        }
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("clients", clients);
        o.put("threads", threads);
        o.put("seconds", seconds);
        o.put("perSecond", Math.round(Double.parseDouble(m.group(1))));
        o.set("latency", lat.toJson());
        o.put("command", String.join(" ", args));
        Bench.log("PostgreSQL %s, %d client(s): %s/s, p50 %.0f us, p99 %.0f us.", name, clients, m.group(1),
                Latencies.micros(lat.quantile(0.5)), Latencies.micros(lat.quantile(0.99)));
        return o;
    }

    /** A PostgreSQL command, as user postgres when this runs as root (initdb refuses root). */
    private List<String> pg(String... args) {
        List<String> cmd = new ArrayList<>();
        if (asPostgresUser) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.add(bin.resolve(args[0]).toString());
        cmd.addAll(List.of(args).subList(1, args.length));
        return cmd;
    }

    private String execChecked(List<String> cmd, int timeoutSeconds) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", cmd) + " timed out.");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + out);
        }
        return out;
    }

    private String exec(List<String> cmd, int timeoutSeconds) {
        try {
            return execChecked(cmd, timeoutSeconds);
        } catch (Exception e) {
            return "";
        }
    }
}
