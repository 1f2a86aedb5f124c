package io.acqswitch.security;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The two MAC algorithms of the switch's terminals, as functions of a clear key. The switch itself
 * calls them only inside {@link JceSecurityModule}; terminal simulators and tests, which hold their
 * keys in clear by design (a PIN pad does), call them directly.
 */
public final class Macs {
    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    private Macs() {}

    /**
     * ANSI X9.19 retail MAC, ISO 9797-1 MAC algorithm 3 with padding method 1: single-DES CBC under
     * the key's left half over the zero-padded data, the last block then decrypted under the right
     * half and encrypted under the left. Returns all 8 bytes (X9.19 truncates to the leftmost 4; the
     * switch sends and checks all 8 in field 64/128: a choice, see docs/security.md).
     *
     * @param key16 a double-length key
     */
    public static byte[] x919(byte[] key16, byte[] data) {
        if (key16.length != 16) {
            throw new IllegalArgumentException("X9.19 needs a double-length key, not " + key16.length + " bytes");
        }
        byte[] left = Arrays.copyOfRange(key16, 0, 8);
        byte[] right = Arrays.copyOfRange(key16, 8, 16);
        byte[] block = new byte[8];
        for (int at = 0; at < Math.max(data.length, 1); at += 8) {
            for (int i = 0; i < 8 && at + i < data.length; i++) {
                block[i] ^= data[at + i];
            }
            block = Des.encrypt(left, block);
        }
        byte[] mac = Des.encrypt(left, Des.decrypt(right, block));
        Arrays.fill(left, (byte) 0);
        Arrays.fill(right, (byte) 0);
        return mac;
    }

    /**
     * The UnionPay POS MAC ("ECB" MAC of the 2002 POS spec, docs/security.md): XOR all 8-byte blocks of the
     * zero-padded data; write the 8 bytes as 16 upper-case hex characters; DES-encrypt the first 8
     * characters under the key, XOR with the last 8, DES-encrypt again; the first 8 hex characters
     * of that result, as ASCII, are the MAC (8 bytes in field 64).
     *
     * @param key8 a single-length key (the MAK of a UnionPay sign-on)
     */
    public static byte[] unionPayPos(byte[] key8, byte[] data) {
        if (key8.length != 8) {
            throw new IllegalArgumentException("the UnionPay POS MAC needs a single-length key, not " + key8.length + " bytes");
        }
        byte[] x = new byte[8];
        for (int i = 0; i < data.length; i++) {
            x[i % 8] ^= data[i];
        }
        byte[] hex = HEX.formatHex(x).getBytes(StandardCharsets.US_ASCII);
        byte[] c = Des.encrypt(key8, Arrays.copyOfRange(hex, 0, 8));
        for (int i = 0; i < 8; i++) {
            c[i] ^= hex[8 + i];
        }
        c = Des.encrypt(key8, c);
        return HEX.formatHex(c).substring(0, 8).getBytes(StandardCharsets.US_ASCII);
    }
}
