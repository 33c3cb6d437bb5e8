package io.tetradb.client.internal;

import io.tetradb.client.ErrorCode;
import io.tetradb.client.TetraException;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;

/**
 * The client side of TLS: which certificates are trusted (a PEM file, or the JVM's
 * defaults), and the handshake over an already connected socket, with the server's name
 * checked against its certificate. TLS 1.3 and 1.2 only.
 *
 * <p>Called on the thread that opens the connection.
 */
public final class TlsSockets {
    private TlsSockets() {
    }

    /** A socket factory trusting the certificates of {@code trusted} (null: the JVM's trust store). */
    public static SSLSocketFactory factory(Path trusted) {
        if (trusted == null) {
            return (SSLSocketFactory) SSLSocketFactory.getDefault();
        }
        try (InputStream in = Files.newInputStream(trusted)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new TetraException(ErrorCode.INVALID_ARGUMENT, "The file " + trusted
                        + " holds no certificate (a PEM file with BEGIN CERTIFICATE blocks is expected).");
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate c : certs) {
                store.setCertificateEntry("trusted-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx.getSocketFactory();
        } catch (IOException e) {
            throw new TetraException(ErrorCode.INVALID_ARGUMENT, "The trusted certificates file " + trusted
                    + " cannot be read: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new TetraException(ErrorCode.INVALID_ARGUMENT, "The trusted certificates file " + trusted
                    + " is not a PEM file of certificates: " + e.getMessage(), e);
        }
    }

    /**
     * Runs the TLS handshake over {@code plain} (connected to {@code host}:{@code port})
     * within {@code timeoutMillis}; returns the socket to talk through.
     *
     * @throws TetraException 2002 when the server's certificate is not trusted or does not
     *                        name {@code host}, 2011 when the handshake fails otherwise
     */
    static Socket handshake(SSLSocketFactory factory, Socket plain, String host, int port, int timeoutMillis) {
        try {
            SSLSocket s = (SSLSocket) factory.createSocket(plain, host, port, true);
            SSLParameters p = s.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            p.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
            s.setSSLParameters(p);
            s.setUseClientMode(true);
            int before = plain.getSoTimeout();
            s.setSoTimeout(timeoutMillis);
            s.startHandshake();
            s.setSoTimeout(before);
            return s;
        } catch (IOException e) {
            if (e instanceof SSLHandshakeException && untrusted(e)) {
                throw new TetraException(ErrorCode.AUTH_FAILED, "The TLS certificate of " + host + ":" + port
                        + " is not trusted: " + rootMessage(e) + " (trust its authority, or give its certificate"
                        + " as the trusted certificates file).", e);
            }
            throw new TetraException(ErrorCode.CONNECTION_LOST, "The TLS handshake with " + host + ":" + port
                    + " failed: " + rootMessage(e) + " (does the server have TLS on?)", e);
        }
    }

    private static boolean untrusted(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.security.cert.CertificateException
                    || t instanceof java.security.cert.CertPathValidatorException) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }
}
