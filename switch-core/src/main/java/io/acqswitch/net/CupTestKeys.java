package io.acqswitch.net;

import io.acqswitch.metrics.LogText;
import io.acqswitch.metrics.ThrottledLog;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * TEST KEYS for the cup sign-on answer (field 62). There is no HSM in this switch: it hands every
 * terminal the same fixed, publicly known working keys, so a lab terminal loaded with the TEST
 * master key below can sign on and run. Never use these with real cards.
 *
 * <p>Each key is sent encrypted under the TEST terminal master key (3DES ECB) followed by its
 * 4-byte check value (the clear key encrypting eight zero bytes, first 4 bytes), laid out as in
 * the UnionPay 0810 (test vector {@code cup-0810-signon-resp}):
 * <pre>
 *   60.3 = 001:  PIK (8)  │ check (4) │ MAK (8)            │ check (4)                           = 24 bytes
 *   60.3 = 003:  PIK (16) │ check (4) │ MAK (8) + 8 × 00   │ check (4)                           = 40 bytes
 *   60.3 = 004:  PIK (16) │ check (4) │ MAK (8) + 8 × 00   │ check (4) │ TDK (16) │ check (4)    = 60 bytes
 * </pre>
 */
final class CupTestKeys {
    private static final Logger LOG = LoggerFactory.getLogger(CupTestKeys.class);
    private static final HexFormat HEX = HexFormat.of();

    /** TEST terminal master key: the textbook 0123…EF FEDC…10 double-length key. */
    static final byte[] TEST_TMK = HEX.parseHex("0123456789ABCDEFFEDCBA9876543210");
    /** TEST clear working keys: repeated digits, so nobody mistakes them for real ones. */
    static final byte[] TEST_PIK = HEX.parseHex("11111111111111112222222222222222");
    static final byte[] TEST_MAK = HEX.parseHex("3333333333333333");
    static final byte[] TEST_TDK = HEX.parseHex("44444444444444445555555555555555");

    private static final byte[] SINGLE = concat(
            encrypted(Arrays.copyOf(TEST_PIK, 8)), check(Arrays.copyOf(TEST_PIK, 8)),
            encrypted(TEST_MAK), check(TEST_MAK));
    private static final byte[] DOUBLE = concat(
            encrypted(TEST_PIK), check(TEST_PIK),
            encrypted(TEST_MAK), new byte[8], check(TEST_MAK));
    private static final byte[] TRACK = concat(DOUBLE, encrypted(TEST_TDK), check(TEST_TDK));

    private static final ThrottledLog SIGN_ONS = new ThrottledLog(LOG, Level.INFO, 10_000);

    static {
        LOG.warn("cup sign-on answers carry TEST KEYS (fixed, public; no HSM): for lab terminals only");
    }

    private CupTestKeys() {}

    static byte[] singleLength() {
        return SINGLE.clone();
    }

    static byte[] doubleLength() {
        return DOUBLE.clone();
    }

    static byte[] withTrackKey() {
        return TRACK.clone();
    }

    /** Throttled: a terminal that signs on in a loop must not write a line per message. */
    static void logSignOn(String terminalId, String code) {
        SIGN_ONS.log("cup-sign-on", "cup sign-on tid={} 60.3={}: answered with TEST KEYS", LogText.escape(terminalId, 40),
                LogText.escape(code, 8));
    }

    /** {@code key} encrypted under the TEST master key. */
    private static byte[] encrypted(byte[] key) {
        return ecb(TEST_TMK, key);
    }

    /** First 4 bytes of eight zero bytes encrypted under {@code key}. */
    static byte[] check(byte[] key) {
        return Arrays.copyOf(ecb(key, new byte[8]), 4);
    }

    /** 3DES ECB; an 8-byte key is single DES (K1 = K2 = K3), a 16-byte key K1 K2 K1. */
    private static byte[] ecb(byte[] key, byte[] data) {
        byte[] k = new byte[24];
        System.arraycopy(key, 0, k, 0, 8);                  // K1
        System.arraycopy(key, key.length - 8, k, 8, 8);     // K2 (= K1 for a single-length key)
        System.arraycopy(key, 0, k, 16, 8);                 // K3 = K1
        try {
            Cipher c = Cipher.getInstance("DESede/ECB/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(k, "DESede"));
            return c.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("DESede unavailable", e);
        }
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
