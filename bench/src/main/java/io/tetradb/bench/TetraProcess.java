package io.tetradb.bench;

import io.tetradb.client.ClientConfig;
import io.tetradb.client.TetraClient;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Tetra server under test: the packaged {@code server/target/tetra-server.jar} in its
 * own JVM, started as a user starts it, on loopback and an ephemeral port. Collects the
 * server's own measurement of each backup's gate closing time from its log.
 */
final class TetraProcess extends ServerProcess {
    static final String ADMIN_PASSWORD = "bench-admin-secret";
    private static final Pattern LISTENING =
            Pattern.compile("^Tetra \\S+ is listening on 127\\.0\\.0\\.1:(\\d+) \\(database ");
    private static final Pattern GATE_CLOSED = Pattern.compile(
            "Backup (\\d+): the write gate is closed and quiet, (\\d+) us after the start request \\((\\d+) us waiting");

    /** The server's measurement of one gate closing: from the start request, and from gate close to quiet. */
    record GateClose(long backup, long fromStartMicros, long waitingMicros, boolean firstOfProcess) {
    }

    final int port;
    final Map<Long, GateClose> gateCloses = new ConcurrentHashMap<>();
    /** The certificate clients trust when the server speaks TLS, else null. */
    private final Path tlsCertificate;

    private TetraProcess(String name, List<String> command, Path logDir, Path tlsCertificate) throws Exception {
        super(name, command, Map.of("TETRA_ADMIN_PASSWORD", ADMIN_PASSWORD), logDir, LISTENING);
        onLine(line -> {
            Matcher m = GATE_CLOSED.matcher(line);
            if (m.find()) {
                GateClose g = new GateClose(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)),
                        Long.parseLong(m.group(3)), gateCloses.isEmpty());
                gateCloses.put(g.backup(), g);
            }
        });
        this.port = Integer.parseInt(awaitListening().group(1));
        this.tlsCertificate = tlsCertificate;
    }

    /**
     * Starts the packaged server on {@code dataDir} with {@code heap}, extra JVM options and
     * extra settings ({@code key=value}, passed as {@code --set}); with TLS when {@code tls}
     * (certificate, key) is given.
     */
    /** The limit every benchmark server runs with: as many statements at once per account as clients. */
    static final String STATEMENTS_PER_USER = "limits.statementsPerUser=64";

    static TetraProcess start(String name, Path serverJar, Path dataDir, String heap, List<String> jvmOptions,
                              Path logDir, BenchCertificate tls, List<String> settings) throws Exception {
        List<String> cmd = new ArrayList<>(javaCommand(heap, jvmOptions));
        cmd.add("-jar");
        cmd.add(serverJar.toString());
        cmd.add("--data-dir");
        cmd.add(dataDir.toString());
        cmd.add("--port");
        cmd.add("0");
        cmd.add("--host");
        cmd.add("127.0.0.1");
        if (tls != null) {
            cmd.addAll(List.of("--set", "tlsCertificate=" + tls.certificate(), "--set", "tlsKey=" + tls.key()));
        }
        // Every part's 32 clients log in as one account: the default of 8 statements at once per
        // account would refuse most of them with 2001 (a setting given below wins).
        cmd.addAll(List.of("--set", STATEMENTS_PER_USER));
        for (String setting : settings) {
            cmd.addAll(List.of("--set", setting));
        }
        try {
            return new TetraProcess(name, cmd, logDir, tls == null ? null : tls.certificate());
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start " + serverJar + ": " + e.getMessage(), e);
        }
    }

    /** {@code jdbc:tetra://127.0.0.1:P/} (with TLS when the server speaks it): Tetra's JDBC driver's URL. */
    String jdbcUrl() {
        return "jdbc:tetra://127.0.0.1:" + port + "/" + (tlsCertificate == null ? ""
                : "?tls=true&tlsTrustedCertificates=" + java.net.URLEncoder.encode(tlsCertificate.toString(),
                java.nio.charset.StandardCharsets.UTF_8));
    }

    /** This server as the JDBC harness reaches it: Tetra's JDBC driver, logged in as admin. */
    JdbcWorkload.Peer jdbcPeer(String label) {
        return new JdbcWorkload.Peer(label, jdbcUrl(), "admin", ADMIN_PASSWORD, pid());
    }

    /** A new client logged in as admin. */
    TetraClient connect() {
        return connect("tetra-bench");
    }

    /** A new client logged in as admin, named {@code clientName} in the server's session list. */
    TetraClient connect(String clientName) {
        return TetraClient.connect(ClientConfig.builder().host("127.0.0.1").port(port).user("admin")
                .password(ADMIN_PASSWORD).clientName(clientName).tlsTrustedCertificates(tlsCertificate).build());
    }
}
