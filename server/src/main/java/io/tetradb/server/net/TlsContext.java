package io.tetradb.server.net;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.tetradb.server.config.ConfigException;
import io.tetradb.server.config.ServerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;

/**
 * The server side of TLS (docs/tls.md), from the PEM files of
 * {@link ServerConfig#tlsCertificate()} (the server's certificate, then its chain) and
 * {@link ServerConfig#tlsKey()} (its PKCS#8 private key, not encrypted), with the JDK's
 * own TLS, versions 1.3 and 1.2 only. The key is checked against the certificate (it
 * signs a probe the certificate's public key verifies), so that a wrong pair stops the
 * start rather than every handshake; any file that cannot be used stops the start with a
 * message naming the setting.
 *
 * <p>Certificates are renewed without a restart: {@link #reloadIfChanged()} (run by the
 * server every {@link #CHECK_SECONDS} seconds) rebuilds the context when either file
 * changed; new connections use the new certificate, open ones keep theirs, and files
 * that cannot be used leave the previous certificate in use (with a warning).
 *
 * <p>Built on the thread that starts the server; {@link #current()} is read by the event
 * loops, {@link #reloadIfChanged()} runs on the server's timer thread.
 */
public final class TlsContext {
    /** How often the server looks for renewed certificate files. */
    public static final int CHECK_SECONDS = 30;
    private static final Logger LOG = LoggerFactory.getLogger(TlsContext.class);
    private static final String KEY_BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String KEY_END = "-----END PRIVATE KEY-----";

    private final Path certificateFile;
    private final Path keyFile;
    private volatile SslContext current;
    private String loadedStamp;
    /** Files that could not be used, as last seen: warned about once, tried again when they change. */
    private String refusedStamp;

    private TlsContext(Path certificateFile, Path keyFile) {
        this.certificateFile = certificateFile;
        this.keyFile = keyFile;
    }

    /** The context for {@code config}, or null when TLS is off. */
    public static TlsContext forServer(ServerConfig config) {
        if (!config.tls()) {
            return null;
        }
        TlsContext t = new TlsContext(config.tlsCertificate(), config.tlsKey());
        t.load(t.stamp());
        return t;
    }

    /** The context new connections get. */
    public SslContext current() {
        return current;
    }

    /**
     * Loads the files again when they changed since the last load; returns whether the
     * certificate in use changed. A pair that cannot be used is logged and left aside.
     */
    public synchronized boolean reloadIfChanged() {
        String stamp = stamp();
        if (stamp.equals(loadedStamp) || stamp.equals(refusedStamp)) {
            return false;
        }
        try {
            load(stamp);
            return true;
        } catch (ConfigException e) {
            refusedStamp = stamp;
            LOG.warn("The changed TLS files cannot be used ({}); connections keep the previous certificate.",
                    e.getMessage());
            return false;
        } catch (RuntimeException e) {
            // Never out of the timer's task: an exception there would end the periodic check for good.
            refusedStamp = stamp;
            LOG.warn("The changed TLS files could not be loaded; connections keep the previous certificate.", e);
            return false;
        }
    }

    /** Loads the pair; {@code stamp} is the files' {@link #stamp()}, taken before they were read. */
    private synchronized void load(String stamp) {
        X509Certificate[] chain = certificates(certificateFile);
        PrivateKey key = privateKey(keyFile);
        if (!matches(key, chain[0])) {
            throw new ConfigException("tlsKey: " + keyFile + " is not the private key of the certificate in "
                    + certificateFile + " (" + chain[0].getSubjectX500Principal().getName() + ")");
        }
        try {
            current = SslContextBuilder.forServer(key, chain).protocols("TLSv1.3", "TLSv1.2").build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new ConfigException("tlsCertificate/tlsKey: " + certificateFile + " and " + keyFile
                    + " cannot be used for TLS (" + e.getMessage() + ")");
        }
        loadedStamp = stamp;
        LOG.info("TLS certificate {} loaded: {}, valid until {}.", certificateFile,
                chain[0].getSubjectX500Principal().getName(), chain[0].getNotAfter().toInstant());
    }

    /** What identifies the files' current contents: their sizes and modification times. */
    private String stamp() {
        StringBuilder sb = new StringBuilder();
        for (Path p : new Path[] {certificateFile, keyFile}) {
            try {
                sb.append(Files.size(p)).append('@').append(Files.getLastModifiedTime(p).toMillis()).append(';');
            } catch (IOException e) {
                sb.append("missing;");
            }
        }
        return sb.toString();
    }

    private static X509Certificate[] certificates(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            List<X509Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
                    .map(X509Certificate.class::cast).toList();
            if (certs.isEmpty()) {
                throw new ConfigException("tlsCertificate: " + file + " holds no certificate (a PEM file with"
                        + " BEGIN CERTIFICATE blocks, the server's first, is expected)");
            }
            return certs.toArray(new X509Certificate[0]);
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException("tlsCertificate: " + file + " is not a PEM file of certificates ("
                    + e.getMessage() + ")");
        }
    }

    private static PrivateKey privateKey(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new ConfigException("tlsKey: " + file + " cannot be read (" + e.getMessage() + ")");
        }
        int begin = text.indexOf(KEY_BEGIN);
        int end = text.indexOf(KEY_END);
        if (begin < 0 || end < begin) {
            String other = text.contains("BEGIN RSA PRIVATE KEY") || text.contains("BEGIN EC PRIVATE KEY")
                    ? "a key in the older PKCS#1/SEC1 form" : text.contains("BEGIN ENCRYPTED PRIVATE KEY")
                    ? "an encrypted key" : "no PEM private key";
            throw new ConfigException("tlsKey: " + file + " holds " + other + "; give an unencrypted PKCS#8 key"
                    + " (BEGIN PRIVATE KEY): openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(text.substring(begin + KEY_BEGIN.length(), end));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("tlsKey: " + file + " is not valid PEM (" + e.getMessage() + ")");
        }
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next kind of key
            }
        }
        throw new ConfigException("tlsKey: " + file + " is not an RSA, EC or EdDSA private key in PKCS#8 form");
    }

    /** Whether {@code key} signs what the certificate's public key verifies. */
    private static boolean matches(PrivateKey key, X509Certificate cert) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "RSASSA-PSS" -> null;
            default -> key.getAlgorithm(); // Ed25519, Ed448, EdDSA
        };
        if (algorithm == null) {
            return true; // checked by the handshake itself
        }
        try {
            byte[] probe = "tetra tls key check".getBytes(StandardCharsets.US_ASCII);
            Signature s = Signature.getInstance(algorithm);
            s.initSign(key);
            s.update(probe);
            byte[] signature = s.sign();
            Signature v = Signature.getInstance(algorithm);
            v.initVerify(cert.getPublicKey());
            v.update(probe);
            return v.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
