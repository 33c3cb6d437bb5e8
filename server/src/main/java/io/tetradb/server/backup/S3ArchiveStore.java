package io.tetradb.server.backup;

import io.tetradb.server.DataLayout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.auth.credentials.SystemPropertyCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntConsumer;

/**
 * A backup destination in an S3-compatible bucket, {@code destination: s3://bucket/prefix}
 * (docs/s3-destinations.md), through the AWS SDK for Java v2 over the JDK's HTTP client.
 * Objects are the keys {@code prefix/name}.
 *
 * <p>Uploads ({@link #put}): a multipart upload read from the staged file one part at a
 * time into one buffer (8 MiB, more only past 80 GB so that 10,000 parts suffice), each
 * part sent with its {@code Content-MD5}, which the server checks; the object exists only
 * once the upload is completed (a failed one is aborted; one left by a crash or an
 * endpoint that went away is aborted by the next upload of that key, and a lifecycle rule
 * may clear the rest). Memory is bounded by the part buffer whatever the archive's size.
 *
 * <p>Checksums. The SDK's default of adding its own CRC checksums to every request
 * (aws-chunked trailers) is refused by many S3-compatible servers: the client is built
 * with {@code requestChecksumCalculation(WHEN_REQUIRED)} and
 * {@code responseChecksumValidation(WHEN_REQUIRED)}, and sends {@code Content-MD5} itself
 * for every part and small object. What is read back is checked by the archive's own
 * SHA-256s (the manifest, the history's segment checksums).
 *
 * <p>Credentials: {@code s3.credentialsFile} (the AWS credentials file format, its
 * {@code [default]} profile or first one), else the server's environment
 * ({@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}, {@code AWS_SESSION_TOKEN}) or
 * the same as Java system properties. Never the instance metadata service nor a profile
 * of {@code ~/.aws}: nothing is asked of an address that was not configured.
 *
 * <p>Clients are shared per endpoint, region, path style and credentials (the SDK client
 * is thread-safe); stores are cheap and made per use. Thread-safe.
 */
public final class S3ArchiveStore implements ArchiveStore {
    private static final Logger LOG = LoggerFactory.getLogger(S3ArchiveStore.class);
    /** The smallest part; S3 allows 5 MiB and up (the last part may be smaller). */
    static final int PART_SIZE = 8 << 20;
    private static final int MAX_PARTS = 10_000;
    private static final Map<String, S3Client> CLIENTS = new ConcurrentHashMap<>();
    /** Test hook: called with each part's number once it is uploaded (the S3 fault tests). */
    private static volatile IntConsumer partListener = n -> { };

    /** Where and how: parsed and validated by {@link BackupSettings} from {@code destination} and {@code s3}. */
    public record Location(String bucket, String prefix, String endpoint, String region, boolean pathStyle,
                           Path credentialsFile) {
        /** {@code s3://bucket/prefix} as shown (the prefix without its trailing slash). */
        public String url() {
            return "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix.substring(0, prefix.length() - 1));
        }

        /** The endpoint as shown: the configured one, or AWS's for the region. */
        public String endpointShown() {
            return endpoint.isEmpty() ? "AWS S3 (" + region + ")" : endpoint;
        }
    }

    private final Location where;
    private final Path staging;

    S3ArchiveStore(Location where, Path staging) {
        this.where = where;
        this.staging = staging;
    }

    /** Sets the test hook called after each uploaded part (null: none). */
    public static void onPartUploaded(IntConsumer listener) {
        partListener = listener == null ? n -> { } : listener;
    }

    /** The bucket, prefix and endpoint. */
    public Location where() {
        return where;
    }

    @Override
    public String describe() {
        return where.url();
    }

    @Override
    public String location(String name) {
        return "s3://" + where.bucket() + "/" + key(name);
    }

    @Override
    public boolean remote() {
        return true;
    }

    private String key(String name) {
        return where.prefix() + name;
    }

    /** The bucket exists, the credentials are accepted, and a probe object can be written and deleted. */
    @Override
    public void check() throws DestinationException {
        S3Client s3 = client();
        String probe = key(".tetra-write-probe");
        call("reach the bucket", () -> {
            s3.headBucket(b -> b.bucket(where.bucket()));
            byte[] empty = new byte[0];
            s3.putObject(b -> b.bucket(where.bucket()).key(probe).contentMD5(md5(empty, 0, 0)),
                    RequestBody.fromBytes(empty));
            s3.deleteObject(b -> b.bucket(where.bucket()).key(probe));
            return null;
        });
    }

    @Override
    public Path staging() throws IOException {
        if (!Files.isDirectory(staging)) {
            DataLayout.createOwnerOnlyFolders(staging);
        }
        return staging;
    }

    @Override
    public void put(String name, Path file) throws IOException {
        S3Client s3 = client();
        String key = key(name);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            abortLeftovers(s3, key);
            long partSize = Math.max(PART_SIZE, (size + MAX_PARTS - 1) / MAX_PARTS);
            partSize = (partSize + (1 << 20) - 1) / (1 << 20) * (1 << 20);
            byte[] buf = new byte[(int) Math.min(partSize, Math.max(size, 1))];
            CreateMultipartUploadResponse created = call("upload " + name, () ->
                    s3.createMultipartUpload(b -> b.bucket(where.bucket()).key(key)
                            .contentType("application/octet-stream")));
            String uploadId = created.uploadId();
            boolean completed = false;
            try {
                List<CompletedPart> parts = new ArrayList<>();
                long at = 0;
                int number = 0;
                do {
                    int n = (int) Math.min(buf.length, size - at);
                    ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                    while (bb.hasRemaining()) {
                        if (ch.read(bb, at + bb.position()) < 0) {
                            throw new IOException("The staged file " + file + " ended at " + (at + bb.position())
                                    + " of " + size + " bytes.");
                        }
                    }
                    int part = ++number;
                    String md5 = md5(buf, 0, n);
                    UploadPartRequest req = UploadPartRequest.builder().bucket(where.bucket()).key(key)
                            .uploadId(uploadId).partNumber(part).contentLength((long) n).contentMD5(md5).build();
                    UploadPartResponse r = call("upload " + name + " (part " + part + ")", () -> s3.uploadPart(req,
                            RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buf, 0, n), n,
                                    "application/octet-stream")));
                    parts.add(CompletedPart.builder().partNumber(part).eTag(r.eTag()).build());
                    at += n;
                    partListener.accept(part);
                } while (at < size);
                call("complete the upload of " + name, () -> s3.completeMultipartUpload(b -> b.bucket(where.bucket())
                        .key(key).uploadId(uploadId).multipartUpload(m -> m.parts(parts))));
                completed = true;
            } finally {
                if (!completed) {
                    try {
                        s3.abortMultipartUpload(b -> b.bucket(where.bucket()).key(key).uploadId(uploadId));
                    } catch (SdkException e) {
                        LOG.warn("The unfinished upload of {} could not be aborted ({}); the next upload of it, or a "
                                + "lifecycle rule, removes it.", location(name), e.getMessage());
                    }
                }
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Aborts the unfinished uploads of object {@code name} (a crash left them; best effort, nothing thrown). */
    public void abortUnfinished(String name) {
        try {
            abortLeftovers(client(), key(name));
        } catch (DestinationException e) {
            LOG.debug("Unfinished uploads of {} not aborted: {}", name, e.getMessage());
        }
    }

    /** Aborts the unfinished uploads of {@code key} an earlier attempt left (best effort). */
    private void abortLeftovers(S3Client s3, String key) {
        try {
            for (MultipartUpload u : s3.listMultipartUploads(b -> b.bucket(where.bucket()).prefix(key)).uploads()) {
                if (u.key().equals(key)) {
                    s3.abortMultipartUpload(b -> b.bucket(where.bucket()).key(key).uploadId(u.uploadId()));
                }
            }
        } catch (SdkException e) {
            LOG.debug("Unfinished uploads of {} not listed: {}", key, e.getMessage());
        }
    }

    @Override
    public List<Item> list() throws IOException {
        S3Client s3 = client();
        return call("list", () -> {
            List<Item> out = new ArrayList<>();
            ListObjectsV2Request req = ListObjectsV2Request.builder().bucket(where.bucket()).prefix(where.prefix())
                    .delimiter("/").build();
            for (S3Object o : s3.listObjectsV2Paginator(req).contents()) {
                String name = o.key().substring(where.prefix().length());
                if (!name.isEmpty() && !name.contains("/")) {
                    out.add(new Item(name, o.size() == null ? 0 : o.size()));
                }
            }
            return out;
        });
    }

    @Override
    public boolean exists(String name) throws IOException {
        S3Client s3 = client();
        try {
            s3.headObject(b -> b.bucket(where.bucket()).key(key(name)));
            return true;
        } catch (AwsServiceException e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw translate("read " + name, e);
        } catch (SdkException e) {
            throw translate("read " + name, e);
        }
    }

    @Override
    public InputStream open(String name) throws IOException {
        S3Client s3 = client();
        try {
            return s3.getObject(b -> b.bucket(where.bucket()).key(key(name)));
        } catch (AwsServiceException e) {
            if (e.statusCode() == 404 && !isNoSuchBucket(e)) {
                throw new NoSuchFileException(location(name));
            }
            throw translate("read " + name, e);
        } catch (SdkException e) {
            throw translate("read " + name, e);
        }
    }

    @Override
    public Path localFile(String name) {
        return null;
    }

    @Override
    public byte[] read(String name) throws IOException {
        S3Client s3 = client();
        try {
            return s3.getObjectAsBytes(b -> b.bucket(where.bucket()).key(key(name))).asByteArray();
        } catch (AwsServiceException e) {
            if (e.statusCode() == 404 && !isNoSuchBucket(e)) {
                return null;
            }
            throw translate("read " + name, e);
        } catch (SdkException e) {
            throw translate("read " + name, e);
        }
    }

    @Override
    public void write(String name, byte[] bytes) throws IOException {
        S3Client s3 = client();
        call("write " + name, () -> s3.putObject(b -> b.bucket(where.bucket()).key(key(name))
                .contentMD5(md5(bytes, 0, bytes.length)).contentType("application/json"), RequestBody.fromBytes(bytes)));
    }

    @Override
    public void delete(String name) throws IOException {
        S3Client s3 = client();
        call("delete " + name, () -> s3.deleteObject(b -> b.bucket(where.bucket()).key(key(name))));
    }

    // ------------------------------------------------------------------ errors

    private interface Call<T> {
        T run();
    }

    /** Runs {@code c}, an SDK failure becoming a {@link DestinationException} that says what failed and where. */
    private <T> T call(String what, Call<T> c) throws DestinationException {
        try {
            return c.run();
        } catch (SdkException e) {
            throw translate(what, e);
        }
    }

    private static boolean isNoSuchBucket(AwsServiceException e) {
        return e.awsErrorDetails() != null && "NoSuchBucket".equals(e.awsErrorDetails().errorCode());
    }

    /** A clear message for an SDK failure: the bucket, the endpoint and the reason; never a secret. */
    DestinationException translate(String what, SdkException e) {
        String where = "the S3 destination " + this.where.url() + " (endpoint " + this.where.endpointShown() + ")";
        if (e instanceof AwsServiceException s) {
            String code = s.awsErrorDetails() != null && s.awsErrorDetails().errorCode() != null
                    ? s.awsErrorDetails().errorCode() : "HTTP " + s.statusCode();
            if (isNoSuchBucket(s) || s.statusCode() == 404 && what.equals("reach the bucket")) {
                return new DestinationException("The bucket " + this.where.bucket() + " does not exist at "
                        + this.where.endpointShown() + " (" + code + "): create it, or correct destination in "
                        + "backup.yml.", e);
            }
            if (s.statusCode() == 403 || code.equals("InvalidAccessKeyId") || code.equals("SignatureDoesNotMatch")
                    || code.equals("AccessDenied")) {
                return new DestinationException("The credentials were refused by " + where + " (" + code + "): "
                        + "check the access key and secret in " + credentialsSource() + ", and that they may read, "
                        + "write, list and delete in bucket " + this.where.bucket() + ".", e);
            }
            if (code.equals("PermanentRedirect") || code.equals("AuthorizationHeaderMalformed")) {
                return new DestinationException("The bucket " + this.where.bucket() + " is in another region than "
                        + this.where.region() + " (" + code + "): set s3.region in backup.yml.", e);
            }
            return new DestinationException("Could not " + what + " in " + where + ": " + code + " "
                    + firstLine(s.awsErrorDetails() != null ? s.awsErrorDetails().errorMessage() : s.getMessage()), e);
        }
        return new DestinationException("Could not " + what + " in " + where + ": " + firstLine(e.getMessage()), e);
    }

    private String credentialsSource() {
        return where.credentialsFile() != null ? "s3.credentialsFile (" + where.credentialsFile() + ")"
                : "the server's environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)";
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    // ------------------------------------------------------------------ the client

    /** The shared client for this store's endpoint, region, path style and credentials. */
    private S3Client client() throws DestinationException {
        AwsCredentials credentials = credentials();
        String id = where.endpoint() + "|" + where.region() + "|" + where.pathStyle() + "|"
                + (credentials == null ? "" : credentials.accessKeyId() + "|" + sha256Hex(credentials.secretAccessKey()
                + (credentials instanceof AwsSessionCredentials sc ? "|" + sc.sessionToken() : "")));
        try {
            return CLIENTS.computeIfAbsent(id, k -> build(credentials));
        } catch (SdkException | IllegalArgumentException e) {
            throw new DestinationException("The S3 client for " + where.url() + " (endpoint " + where.endpointShown()
                    + ") could not be made: " + firstLine(e.getMessage()), e);
        }
    }

    private S3Client build(AwsCredentials credentials) {
        AwsCredentialsProvider provider = credentials != null ? StaticCredentialsProvider.create(credentials)
                : AwsCredentialsProviderChain.builder().credentialsProviders(
                        EnvironmentVariableCredentialsProvider.create(), SystemPropertyCredentialsProvider.create())
                .reuseLastProviderEnabled(false).build();
        S3ClientBuilder b = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(10))
                        .socketTimeout(Duration.ofSeconds(60)))
                .region(Region.of(where.region()))
                .credentialsProvider(provider)
                .forcePathStyle(where.pathStyle())
                // Many S3-compatible servers refuse the SDK's default CRC trailers: only what an operation
                // requires, and Content-MD5 sent by this class for every part (see the class comment).
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        if (!where.endpoint().isEmpty()) {
            b.endpointOverride(URI.create(where.endpoint()));
        } else {
            b.crossRegionAccessEnabled(true);
        }
        return b.build();
    }

    /** The credentials of {@code s3.credentialsFile}, or null to take them from the environment. */
    private AwsCredentials credentials() throws DestinationException {
        Path f = where.credentialsFile();
        if (f == null) {
            return null;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DestinationException("The S3 credentials file " + f + " (s3.credentialsFile) cannot be read: "
                    + e.getClass().getSimpleName() + " " + e.getMessage(), e);
        }
        Map<String, String> values = parseCredentials(lines);
        String id = values.get("aws_access_key_id");
        String secret = values.get("aws_secret_access_key");
        if (id == null || id.isEmpty() || secret == null || secret.isEmpty()) {
            throw new DestinationException("The S3 credentials file " + f + " (s3.credentialsFile) has no "
                    + "aws_access_key_id and aws_secret_access_key (in its [default] profile or its first one).", null);
        }
        String token = values.get("aws_session_token");
        return token == null || token.isEmpty() ? AwsBasicCredentials.create(id, secret)
                : AwsSessionCredentials.create(id, secret, token);
    }

    /**
     * The keys of the {@code [default]} profile of an AWS credentials file (or of its first
     * profile, or of a file without profile headers), lower-cased.
     */
    static Map<String, String> parseCredentials(List<String> lines) {
        Map<String, Map<String, String>> profiles = new java.util.LinkedHashMap<>();
        String current = "";
        for (String raw : lines) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                current = line.substring(1, line.length() - 1).strip().replaceFirst("^profile\\s+", "");
                continue;
            }
            int eq = line.indexOf('=');
            if (eq > 0) {
                profiles.computeIfAbsent(current, k -> new java.util.HashMap<>())
                        .put(line.substring(0, eq).strip().toLowerCase(Locale.ROOT), line.substring(eq + 1).strip());
            }
        }
        if (profiles.containsKey("default")) {
            return profiles.get("default");
        }
        return profiles.isEmpty() ? Map.of() : profiles.values().iterator().next();
    }

    static String md5(byte[] b, int off, int len) {
        try {
            MessageDigest md = MessageDigest.getInstance("MD5");
            md.update(b, off, len);
            return Base64.getEncoder().encodeToString(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256Hex(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
