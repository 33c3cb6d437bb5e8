package io.tetradb.server.net;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate and its key as PEM files, made with the JDK's own
 * {@code keytool} (nothing else needs to be installed), for the TLS tests.
 */
public final class TestCertificates {
    /** The PEM files of one certificate. */
    public record Pem(Path certificate, Path key) {
    }

    private TestCertificates() {
    }

    /**
     * Makes a certificate for {@code subjectAltNames} (keytool's form, e.g.
     * {@code dns:localhost,ip:127.0.0.1}) in {@code dir} under {@code name}.
     */
    public static Pem make(Path dir, String name, String subjectAltNames) throws Exception {
        Path store = dir.resolve(name + ".p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "tetra", "-keyalg", "RSA", "-keysize", "2048",
                "-validity", "30", "-dname", "CN=" + name, "-ext", "SAN=" + subjectAltNames, "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool failed: " + output);
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, "changeit".toCharArray());
        }
        Key key = ks.getKey("tetra", "changeit".toCharArray());
        Certificate cert = ks.getCertificate("tetra");
        Pem pem = new Pem(dir.resolve(name + ".crt.pem"), dir.resolve(name + ".key.pem"));
        Files.writeString(pem.certificate(), pem("CERTIFICATE", cert.getEncoded()), StandardCharsets.US_ASCII);
        Files.writeString(pem.key(), pem("PRIVATE KEY", key.getEncoded()), StandardCharsets.US_ASCII);
        return pem;
    }

    private static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return String.join("\n", List.of("-----BEGIN " + type + "-----", body, "-----END " + type + "-----", ""));
    }

    /** A TLS context that trusts exactly the certificate in {@code certificate} (PEM). */
    public static javax.net.ssl.SSLContext trusting(Path certificate) throws Exception {
        java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(certificate)) {
            trust.setCertificateEntry("tetra", java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(in));
        }
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        javax.net.ssl.SSLContext ssl = javax.net.ssl.SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return ssl;
    }
}
