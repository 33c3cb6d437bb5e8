package io.tetradb.server.backup;

import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A real S3 server for the tests: s3proxy in-process on a loopback port, its objects in a
 * folder of the test's (its filesystem store), checking AWS signatures (v2 or v4) against
 * one access key. It can be stopped and started again on the same port with the same
 * objects (an endpoint that goes away and comes back).
 */
public final class S3Servers implements AutoCloseable {
    public static final String ACCESS_KEY = "tetra-test-access";
    public static final String SECRET_KEY = "tetra-test-secret-Zq81";

    private final BlobStore blobs;
    /** Completed by the next part that arrives while parts are held (see {@link #holdParts}). */
    private volatile java.util.concurrent.CompletableFuture<Void> partArrived;
    private volatile java.util.concurrent.CountDownLatch partsReleased;
    private S3Proxy proxy;
    private boolean running;
    private int port;

    private S3Servers(Path folder) {
        blobs = new HoldingStore(new FilesystemNio2BlobStore(folder.toString()));
    }

    /** The filesystem store, whose part uploads wait while {@link #holdParts} holds them. */
    private final class HoldingStore extends org.gaul.s3proxy.blobstore.ForwardingBlobStore {
        HoldingStore(BlobStore delegate) {
            super(delegate);
        }

        @Override
        public software.amazon.awssdk.services.s3.model.UploadPartResponse uploadMultipartPart(
                org.gaul.s3proxy.blobstore.domain.MultipartUpload upload,
                software.amazon.awssdk.services.s3.model.UploadPartRequest request, java.io.InputStream in) {
            java.util.concurrent.CountDownLatch held = partsReleased;
            if (held != null) {
                partArrived.complete(null);
                try {
                    held.await(120, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return super.uploadMultipartPart(upload, request, in);
        }
    }

    /**
     * Holds every part upload until {@link #releaseParts}: the request stays open, the upload
     * unfinished. Returns what completes when the first part arrives.
     */
    java.util.concurrent.CompletableFuture<Void> holdParts() {
        partArrived = new java.util.concurrent.CompletableFuture<>();
        partsReleased = new java.util.concurrent.CountDownLatch(1);
        return partArrived;
    }

    void releaseParts() {
        java.util.concurrent.CountDownLatch l = partsReleased;
        partsReleased = null;
        if (l != null) {
            l.countDown();
        }
    }

    /** Writes a credentials file (the AWS profile format s3.credentialsFile reads) for this server's keys. */
    public static Path writeCredentials(Path file) throws java.io.IOException {
        java.nio.file.Files.writeString(file, "[default]\naws_access_key_id = " + ACCESS_KEY
                + "\naws_secret_access_key = " + SECRET_KEY + "\n");
        return file;
    }

    /** Starts one on a free loopback port, its objects under {@code folder}. */
    public static S3Servers start(Path folder) throws Exception {
        S3Servers s = new S3Servers(folder);
        s.startProxy(0);
        return s;
    }

    private void startProxy(int onPort) throws Exception {
        proxy = S3Proxy.builder().blobStore(blobs).endpoint(URI.create("http://127.0.0.1:" + onPort))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY).stopTimeout(0).build();
        proxy.start();
        running = true;
        port = proxy.getPort();
    }

    /** Stops answering (connections are refused) until {@link #restart}. */
    public void stop() throws Exception {
        proxy.stop();
        running = false;
    }

    /** Starts again on the same port, with the same objects. */
    public void restart() throws Exception {
        startProxy(port);
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public void createBucket(String bucket) {
        blobs.createContainer(bucket);
    }

    /** The keys of the objects in {@code bucket} (with their prefix), sorted; read from the store itself. */
    List<String> keys(String bucket) {
        List<String> out = new ArrayList<>();
        String token = null;
        do {
            ListObjectsV2Response r = blobs.list(ListObjectsV2Request.builder().bucket(bucket).continuationToken(token)
                    .build());
            for (S3Object o : r.contents()) {
                out.add(o.key());
            }
            token = Boolean.TRUE.equals(r.isTruncated()) ? r.nextContinuationToken() : null;
        } while (token != null);
        out.sort(null);
        return out;
    }

    /** The keys of the unfinished multipart uploads in {@code bucket}, asked through the S3 API. */
    List<String> unfinishedUploads(String bucket) {
        try (software.amazon.awssdk.services.s3.S3Client c = software.amazon.awssdk.services.s3.S3Client.builder()
                .endpointOverride(URI.create(endpoint())).forcePathStyle(true)
                .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .httpClientBuilder(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.builder())
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build()) {
            return c.listMultipartUploads(b -> b.bucket(bucket)).uploads().stream()
                    .map(software.amazon.awssdk.services.s3.model.MultipartUpload::key).sorted().toList();
        }
    }

    /** The size of object {@code key}. */
    long size(String bucket, String key) {
        return blobs.blobMetadata(bucket, key).contentLength();
    }

    /** The last {@code n} bytes of object {@code key}, as ASCII. */
    String tail(String bucket, String key, int n) throws java.io.IOException {
        long size = size(bucket, key);
        try (java.io.InputStream in = blobs.getBlob(software.amazon.awssdk.services.s3.model.GetObjectRequest.builder()
                .bucket(bucket).key(key).range("bytes=" + (size - n) + "-" + (size - 1)).build())) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
        }
    }

    /** The bytes of object {@code key}, read from the store itself. */
    byte[] read(String bucket, String key) throws java.io.IOException {
        try (java.io.InputStream in = blobs.getBlob(bucket, key)) {
            return in.readAllBytes();
        }
    }

    /** Replaces object {@code key} with {@code bytes} behind the server's back (in the store itself). */
    void replace(String bucket, String key, byte[] bytes) {
        blobs.putBlob(software.amazon.awssdk.services.s3.model.PutObjectRequest.builder().bucket(bucket).key(key)
                .contentLength((long) bytes.length).build(), new java.io.ByteArrayInputStream(bytes));
    }

    /** Deletes object {@code key} behind the server's back (in the store itself). */
    void remove(String bucket, String key) {
        blobs.removeBlob(bucket, key);
    }

    @Override
    public void close() throws java.io.IOException {
        releaseParts();
        try {
            if (running) {
                proxy.stop();
            }
        } catch (java.io.IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new java.io.IOException("s3proxy did not stop: " + e, e);
        } finally {
            blobs.close();
        }
    }
}
