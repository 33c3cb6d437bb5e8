package io.tetradb.protocol.scram;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/** SCRAM-SHA-256 arithmetic against the test vector of RFC 7677, section 3. */
@Timeout(30)
class ScramTest {
    private static final String USER = "user";
    private static final char[] PASSWORD = "pencil".toCharArray();
    private static final String CLIENT_NONCE = "rOprNGfwEbeRWgbNEkqO";
    private static final String NONCE = CLIENT_NONCE + "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    private static final byte[] SALT = Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ==");
    private static final int ITERATIONS = 4096;
    private static final String PROOF = "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    private static final String SERVER_SIGNATURE = "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    @Test
    void authMessageIsTheRfcConcatenation() {
        // client-first-message-bare "," server-first-message "," client-final-message-without-proof
        String expected = "n=user,r=rOprNGfwEbeRWgbNEkqO,"
                + "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,"
                + "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
        assertThat(new String(Scram.authMessage(USER, CLIENT_NONCE, NONCE, SALT, ITERATIONS), StandardCharsets.UTF_8))
                .isEqualTo(expected);
    }

    @Test
    void clientProofMatchesRfc7677() {
        byte[] salted = Scram.saltedPassword(PASSWORD.clone(), SALT, ITERATIONS);
        byte[] proof = Scram.clientProof(salted, Scram.authMessage(USER, CLIENT_NONCE, NONCE, SALT, ITERATIONS));
        assertThat(Base64.getEncoder().encodeToString(proof)).isEqualTo(PROOF);
    }

    @Test
    void serverSignatureMatchesRfc7677() {
        byte[] salted = Scram.saltedPassword(PASSWORD.clone(), SALT, ITERATIONS);
        byte[] signature = Scram.serverSignature(Scram.serverKey(salted),
                Scram.authMessage(USER, CLIENT_NONCE, NONCE, SALT, ITERATIONS));
        assertThat(Base64.getEncoder().encodeToString(signature)).isEqualTo(SERVER_SIGNATURE);
    }

    @Test
    void serverAcceptsTheRfcProofFromStoredKeyAlone() {
        byte[] salted = Scram.saltedPassword(PASSWORD.clone(), SALT, ITERATIONS);
        byte[] storedKey = Scram.sha256(Scram.clientKey(salted));
        byte[] authMessage = Scram.authMessage(USER, CLIENT_NONCE, NONCE, SALT, ITERATIONS);
        assertThat(Scram.verifyClientProof(storedKey, authMessage, Base64.getDecoder().decode(PROOF))).isTrue();
    }

    @Test
    void serverRefusesWrongProofs() {
        byte[] salted = Scram.saltedPassword(PASSWORD.clone(), SALT, ITERATIONS);
        byte[] storedKey = Scram.sha256(Scram.clientKey(salted));
        byte[] authMessage = Scram.authMessage(USER, CLIENT_NONCE, NONCE, SALT, ITERATIONS);
        byte[] proof = Base64.getDecoder().decode(PROOF);
        byte[] flipped = proof.clone();
        flipped[0] ^= 1;
        assertThat(Scram.verifyClientProof(storedKey, authMessage, flipped)).isFalse();
        assertThat(Scram.verifyClientProof(storedKey, authMessage, new byte[31])).isFalse();
        assertThat(Scram.verifyClientProof(storedKey, authMessage, null)).isFalse();
        // the same proof for another nonce (a replay) fails
        byte[] otherMessage = Scram.authMessage(USER, CLIENT_NONCE, CLIENT_NONCE + "other", SALT, ITERATIONS);
        assertThat(Scram.verifyClientProof(storedKey, otherMessage, proof)).isFalse();
        // a wrong password fails
        byte[] wrong = Scram.clientProof(Scram.saltedPassword("pencil2".toCharArray(), SALT, ITERATIONS), authMessage);
        assertThat(Scram.verifyClientProof(storedKey, authMessage, wrong)).isFalse();
    }

    @Test
    void newCredentialsVerifyTheirOwnPassword() {
        Scram.Credentials c = Scram.newCredentials("s3cret-Ünïcode".toCharArray());
        assertThat(c.salt()).hasSize(16);
        assertThat(c.iterations()).isEqualTo(Scram.DEFAULT_ITERATIONS);
        String clientNonce = Scram.newNonce();
        String nonce = clientNonce + Scram.newNonce();
        byte[] authMessage = Scram.authMessage("anna", clientNonce, nonce, c.salt(), c.iterations());
        byte[] salted = Scram.saltedPassword("s3cret-Ünïcode".toCharArray(), c.salt(), c.iterations());
        assertThat(Scram.verifyClientProof(c.storedKey(), authMessage, Scram.clientProof(salted, authMessage))).isTrue();
        assertThat(Scram.serverSignature(c.serverKey(), authMessage))
                .isEqualTo(Scram.serverSignature(Scram.serverKey(salted), authMessage));
        assertThat(Scram.newCredentials("s3cret-Ünïcode".toCharArray()).salt()).isNotEqualTo(c.salt());
    }

    @Test
    void userNamesAreEscapedAsTheRfcRequires() {
        String m = new String(Scram.authMessage("a=b,c", "n1", "n1n2", SALT, ITERATIONS), StandardCharsets.UTF_8);
        assertThat(m).startsWith("n=a=3Db=2Cc,r=n1,");
    }
}
