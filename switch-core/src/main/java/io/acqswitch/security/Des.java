package io.acqswitch.security;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * Single-block DES and two-key 3DES in ECB, on clear key bytes. Package-private: clear keys exist
 * only inside this package, and only for the duration of one operation.
 */
final class Des {
    private Des() {}

    /** DES (an 8-byte key) or 3DES EDE (a 16-byte key, K1 K2 K1) over whole 8-byte blocks. */
    static byte[] encrypt(byte[] key, byte[] data) {
        return run(Cipher.ENCRYPT_MODE, key, data);
    }

    static byte[] decrypt(byte[] key, byte[] data) {
        return run(Cipher.DECRYPT_MODE, key, data);
    }

    private static byte[] run(int mode, byte[] key, byte[] data) {
        try {
            Cipher c;
            if (key.length == 8) {
                c = Cipher.getInstance("DES/ECB/NoPadding");
                c.init(mode, new SecretKeySpec(key, "DES"));
            } else if (key.length == 16) {
                byte[] k = new byte[24];
                System.arraycopy(key, 0, k, 0, 16);
                System.arraycopy(key, 0, k, 16, 8);
                c = Cipher.getInstance("DESede/ECB/NoPadding");
                c.init(mode, new SecretKeySpec(k, "DESede"));
                Arrays.fill(k, (byte) 0);
            } else {
                throw new IllegalArgumentException("a DES key is 8 or 16 bytes, not " + key.length);
            }
            return c.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("DES/DESede unavailable in this JVM", e);
        }
    }

    /** The first {@code bytes} of eight zero bytes encrypted under {@code key}: its check value. */
    static byte[] checkValue(byte[] key, int bytes) {
        return Arrays.copyOf(encrypt(key, new byte[8]), bytes);
    }
}
