package io.tetradb.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for 127.0.0.1 and its PKCS#8 key, made with {@code openssl}
 * (as the README shows operators), for the wire part's TLS server. On the benchmark's
 * main thread.
 */
record BenchCertificate(Path certificate, Path key) {
    /** Makes the pair in {@code dir}; null when openssl is not installed. */
    static BenchCertificate make(Path dir) throws Exception {
        Files.createDirectories(dir);
        BenchCertificate c = new BenchCertificate(dir.resolve("server.crt"), dir.resolve("server.key"));
        Process p;
        try {
            p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-keyout", c.key().toString(), "-out", c.certificate().toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("openssl.log").toFile()).start();
        } catch (java.io.IOException e) {
            Bench.log("openssl is not installed: the TLS point selects are not measured.");
            return null;
        }
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("openssl could not make a certificate: "
                    + Files.readString(dir.resolve("openssl.log")));
        }
        return c;
    }
}
