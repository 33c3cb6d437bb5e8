package io.tetradb.protocol.scram;

import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * SCRAM-SHA-256 arithmetic (RFC 5802, RFC 7677), used by the client to prove it knows
 * the password and by the server to check the proof and prove itself back. The
 * password never crosses the wire; the server stores only salt, iteration count,
 * StoredKey and ServerKey.
 *
 * <pre>{@code
 * byte[] salted = Scram.saltedPassword(password, salt, iterations);
 * byte[] proof = Scram.clientProof(salted, Scram.authMessage(user, clientNonce, nonce, salt, iterations));
 * }</pre>
 *
 * <p>Stateless; any thread.
 */
public final class Scram {
    /** Iterations for new credentials: RFC 7677's minimum. */
    public static final int DEFAULT_ITERATIONS = 4096;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Scram() {
    }

    /** Credentials a server stores for one password. */
    public record Credentials(byte[] salt, int iterations, byte[] storedKey, byte[] serverKey) {
    }

    /** Derives fresh stored credentials (new random salt) from a password. */
    public static Credentials newCredentials(char[] password) {
        byte[] salt = randomBytes(16);
        byte[] salted = saltedPassword(password, salt, DEFAULT_ITERATIONS);
        return new Credentials(salt, DEFAULT_ITERATIONS, sha256(clientKey(salted)), serverKey(salted));
    }

    /** Hi(Normalize(password), salt, i) = PBKDF2-HMAC-SHA-256. */
    public static byte[] saltedPassword(char[] password, byte[] salt, int iterations) {
        try {
            SecretKeyFactory f = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
            PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, 256);
            try {
                return f.generateSecret(spec).getEncoded();
            } finally {
                spec.clearPassword();
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available", e);
        }
    }

    /** ClientKey = HMAC(SaltedPassword, "Client Key"). */
    public static byte[] clientKey(byte[] saltedPassword) {
        return hmac(saltedPassword, "Client Key".getBytes(StandardCharsets.US_ASCII));
    }

    /** ServerKey = HMAC(SaltedPassword, "Server Key"). */
    public static byte[] serverKey(byte[] saltedPassword) {
        return hmac(saltedPassword, "Server Key".getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * AuthMessage = client-first-message-bare + "," + server-first-message + "," +
     * client-final-message-without-proof, built from the fields that crossed the wire.
     */
    public static byte[] authMessage(String user, String clientNonce, String nonce, byte[] salt, int iterations) {
        String clientFirstBare = "n=" + escapeName(user) + ",r=" + clientNonce;
        String serverFirst = "r=" + nonce + ",s=" + Base64.getEncoder().encodeToString(salt) + ",i=" + iterations;
        String clientFinalWithoutProof = "c=biws,r=" + nonce;
        return (clientFirstBare + "," + serverFirst + "," + clientFinalWithoutProof).getBytes(StandardCharsets.UTF_8);
    }

    /** ClientProof = ClientKey XOR HMAC(StoredKey, AuthMessage). */
    public static byte[] clientProof(byte[] saltedPassword, byte[] authMessage) {
        byte[] clientKey = clientKey(saltedPassword);
        byte[] signature = hmac(sha256(clientKey), authMessage);
        return xor(clientKey, signature);
    }

    /** ServerSignature = HMAC(ServerKey, AuthMessage). */
    public static byte[] serverSignature(byte[] serverKey, byte[] authMessage) {
        return hmac(serverKey, authMessage);
    }

    /** Checks a client proof against stored credentials, in constant time. */
    public static boolean verifyClientProof(byte[] storedKey, byte[] authMessage, byte[] clientProof) {
        if (clientProof == null || clientProof.length != 32) {
            return false;
        }
        byte[] signature = hmac(storedKey, authMessage);
        byte[] clientKey = xor(clientProof, signature);
        return MessageDigest.isEqual(sha256(clientKey), storedKey);
    }

    /** A printable random nonce. */
    public static String newNonce() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(18));
    }

    /** Random bytes from a SecureRandom. */
    public static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    /** HMAC-SHA-256. */
    public static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** SHA-256. */
    public static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    private static byte[] xor(byte[] a, byte[] b) {
        byte[] out = new byte[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (byte) (a[i] ^ b[i]);
        }
        return out;
    }

    private static String escapeName(String user) {
        return user.replace("=", "=3D").replace(",", "=2C");
    }
}
