package io.tetradb.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tetradb.client.TetraClient;
import io.tetradb.protocol.BackupStatus;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Part {@code s3} (issue 19): the packaged server at {@code -Xmx256m} backs up the
 * incompressible data set of {@code --size} to a local folder, then to a bucket of a real S3
 * server, s3proxy, started in this JVM on a loopback port with its filesystem store in the work
 * folder (the same disk as the database and the local destination). Runs alternate local and
 * bucket, so that a disturbance hits both. Reported per compression (none, then fast): the
 * server's duration of each backup and its MB/s over the backed-up bytes, the ratio bucket /
 * local, the upload alone (from the first {@code uploading} phase seen to the end), and the
 * server's resident memory (VmRSS, sampled every 50 ms) during each backup and during the upload.
 * {@code archive.verify: false} for both, as in part backup.
 */
final class S3Bench {
    static final String HEAP = "256m";
    static final String BUCKET = "bench-backups";
    static final String PREFIX = "tetra/" + DataSet.NAME;
    private static final String ACCESS_KEY = "tetra-bench-access";
    private static final String SECRET_KEY = "tetra-bench-secret-7Qe2";
    static final List<String> COMPRESSIONS = List.of("none", "fast");

    private S3Bench() {
    }

    static ObjectNode run(BenchContext ctx, DataSet ds) throws Exception {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        long bytes = ds.backedUpBytes();
        out.put("payload", ds.payload.label());
        out.put("bytes", bytes);
        out.put("dataFileBytes", Files.size(ds.dataFile()));
        out.put("serverHeap", HEAP);
        out.put("loadAverageBefore", Machine.loadAverage());
        Path work = ctx.options.workDir().resolve("s3");
        Bench.deleteTree(work);
        Path objects = Files.createDirectories(work.resolve("objects"));
        Path credentials = work.resolve("credentials");
        Files.writeString(credentials, "[default]\naws_access_key_id = " + ACCESS_KEY + "\naws_secret_access_key = "
                + SECRET_KEY + "\n");
        Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-------"));
        BlobStore blobs = new FilesystemNio2BlobStore(objects.toString());
        S3Proxy proxy = S3Proxy.builder().blobStore(blobs).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY).build();
        proxy.start();
        String endpoint = "http://127.0.0.1:" + proxy.getPort();
        blobs.createContainer(BUCKET);
        ObjectNode s3 = out.putObject("s3server");
        s3.put("what", "s3proxy 4.1.0 in the benchmark's JVM, filesystem store (FilesystemNio2BlobStore)");
        s3.put("endpoint", endpoint);
        s3.put("objects", objects.toString());
        List<String> bucket = List.of("destination: s3://" + BUCKET + "/" + PREFIX, "s3:",
                "  endpoint: " + endpoint, "  region: us-east-1", "  pathStyle: true",
                "  credentialsFile: " + credentials);
        try (TetraProcess server = ctx.startTetra("s3", ds.root, HEAP);
             TetraClient admin = server.connect();
             TetraClient watcher = server.connect("tetra-bench-phases")) {
            Backups backups = new Backups(ctx, admin, server, ds);
            backups.condition = "s3 part";
            Bench.sleep(2000);
            out.put("serverRssIdleKiB", server.rssKiB());
            out.put("localDestination", backups.destination().toString());
            // One backup not counted, as in part backup: a fresh JVM has not compiled its copy loop yet.
            backups.settings("none", 0, "30s");
            out.set("warmupBackup", backups.run().toJson());
            int repeats = ctx.options.quick() ? 1 : 2;
            for (String compression : COMPRESSIONS) {
                int runs = compression.equals("none") ? repeats : 1;
                List<Double> local = new ArrayList<>();
                List<Double> remote = new ArrayList<>();
                List<Double> upload = new ArrayList<>();
                long rssLocal = 0;
                long rssRemote = 0;
                long rssUpload = 0;
                long archive = 0;
                ArrayNode localRuns = JsonNodeFactory.instance.arrayNode();
                ArrayNode remoteRuns = JsonNodeFactory.instance.arrayNode();
                for (int i = 0; i < runs; i++) {
                    backups.settings(compression, 0, "30s");
                    Backups.Outcome l = backups.run();
                    local.add(l.seconds());
                    rssLocal = Math.max(rssLocal, l.serverMaxRssKiB());
                    localRuns.add(l.toJson());
                    Bench.log("s3 part: backup %s to the local folder: %.2f s, %.0f MB/s, max RSS %d MiB.", compression,
                            l.seconds(), bytes / 1e6 / l.seconds(), l.serverMaxRssKiB() / 1024);

                    backups.settings(compression, 0, "30s", bucket);
                    Phases phases = new Phases(watcher, server);
                    Thread t = new Thread(phases, "s3-bench-phases");
                    t.setDaemon(true);
                    long t0 = System.nanoTime();
                    t.start();
                    Backups.Outcome r;
                    try {
                        r = backups.run();
                    } finally {
                        phases.stop.set(true);
                        t.join(10_000);
                    }
                    double serverCpu = Machine.cpuSeconds(server.pid()) - phases.serverCpuAtUpload;
                    double selfCpu = Machine.cpuSeconds(ProcessHandle.current().pid()) - phases.selfCpuAtUpload;
                    double endNanos = t0 + r.clientSeconds() * 1e9;
                    Long uploading = phases.firstSeen.get("uploading");
                    double up = uploading == null ? Double.NaN : (endNanos - uploading) / 1e9;
                    remote.add(r.seconds());
                    upload.add(up);
                    archive = r.record().getArchiveSize();
                    rssRemote = Math.max(rssRemote, r.serverMaxRssKiB());
                    rssUpload = Math.max(rssUpload, phases.maxRssUploadingKiB);
                    ObjectNode j = r.toJson();
                    j.put("uploadSeconds", Bench.round2(up));
                    j.put("serverMaxRssWhileUploadingKiB", phases.maxRssUploadingKiB);
                    if (phases.serverCpuAtUpload >= 0) {
                        // From the upload's first sighting to the backup's end (the log's archiving included).
                        j.put("serverCpuSecondsFromUpload", Bench.round2(serverCpu));
                        j.put("s3proxyJvmCpuSecondsFromUpload", Bench.round2(selfCpu));
                    }
                    ObjectNode seen = j.putObject("phasesFirstSeenSecondsAfterStart");
                    phases.firstSeen.forEach((p, n) -> seen.put(p, Bench.round2((n - t0) / 1e9)));
                    remoteRuns.add(j);
                    Bench.log("s3 part: backup %s to the bucket: %.2f s (upload %.2f s; CPU during it: server %.1f s,"
                                    + " s3proxy's JVM %.1f s), %.0f MB/s, max RSS %d MiB (while uploading %d MiB).",
                            compression, r.seconds(), up, serverCpu, selfCpu, bytes / 1e6 / r.seconds(),
                            r.serverMaxRssKiB() / 1024, phases.maxRssUploadingKiB / 1024);
                    deleteArchiveObjects(blobs);
                }
                ObjectNode c = out.putObject(compression);
                double l = BackupBench.median(local);
                double r = BackupBench.median(remote);
                double u = BackupBench.median(upload);
                c.put("archiveBytes", archive);
                ObjectNode lj = c.putObject("local");
                lj.put("medianSeconds", Bench.round2(l));
                lj.put("mbPerSecond", Bench.mbPerSecond(bytes, l));
                lj.put("serverMaxRssKiB", rssLocal);
                lj.set("runs", localRuns);
                ObjectNode rj = c.putObject("bucket");
                rj.put("medianSeconds", Bench.round2(r));
                rj.put("mbPerSecond", Bench.mbPerSecond(bytes, r));
                rj.put("uploadMedianSeconds", Bench.round2(u));
                rj.put("uploadMbPerSecond", Bench.mbPerSecond(archive, u));
                rj.put("serverMaxRssKiB", rssRemote);
                rj.put("serverMaxRssWhileUploadingKiB", rssUpload);
                rj.set("runs", remoteRuns);
                c.put("ratioBucketToLocal", Bench.round2(l / r));
            }
        } finally {
            proxy.stop();
            blobs.close();
        }
        out.put("loadAverageAfter", Machine.loadAverage());
        return out;
    }

    /** Deletes the archives from the bucket (the disk is the one measured), as part backup does in its folder. */
    private static void deleteArchiveObjects(BlobStore blobs) {
        String token = null;
        List<String> keys = new ArrayList<>();
        do {
            ListObjectsV2Response r = blobs.list(ListObjectsV2Request.builder().bucket(BUCKET).continuationToken(token)
                    .build());
            for (S3Object o : r.contents()) {
                keys.add(o.key());
            }
            token = Boolean.TRUE.equals(r.isTruncated()) ? r.nextContinuationToken() : null;
        } while (token != null);
        for (String k : keys) {
            if (k.endsWith(".tar") || k.endsWith(".tar.zst")) {
                blobs.removeBlob(BUCKET, k);
            }
        }
    }

    /**
     * Watches a running backup through its own connection: when each phase was first seen
     * (polled every 50 ms), and the server's largest VmRSS while it uploaded.
     */
    private static final class Phases implements Runnable {
        final TetraClient client;
        final TetraProcess server;
        final Map<String, Long> firstSeen = new LinkedHashMap<>();
        final AtomicBoolean stop = new AtomicBoolean();
        volatile long maxRssUploadingKiB;
        /** CPU seconds of the server and of this JVM (s3proxy's) when the upload was first seen; -1 before. */
        volatile double serverCpuAtUpload = -1;
        volatile double selfCpuAtUpload = -1;

        Phases(TetraClient client, TetraProcess server) {
            this.client = client;
            this.server = server;
        }

        @Override
        public void run() {
            while (!stop.get()) {
                BackupStatus st = client.admin().backupStatus();
                if (st.getState().equals("RUNNING")) {
                    String phase = st.getProgress().getPhase();
                    synchronized (firstSeen) {
                        firstSeen.putIfAbsent(phase, System.nanoTime());
                    }
                    if (phase.equals("uploading")) {
                        if (serverCpuAtUpload < 0) {
                            serverCpuAtUpload = Machine.cpuSeconds(server.pid());
                            selfCpuAtUpload = Machine.cpuSeconds(ProcessHandle.current().pid());
                        }
                        maxRssUploadingKiB = Math.max(maxRssUploadingKiB, server.rssKiB());
                    }
                }
                Bench.sleep(50);
            }
        }
    }
}
