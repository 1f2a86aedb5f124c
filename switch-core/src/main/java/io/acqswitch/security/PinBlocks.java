package io.acqswitch.security;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * ISO 9564-1 format 0 PIN blocks in clear (ANSI X9.8; Thales format 01):
 * <pre>
 *   PIN field: 0 │ PIN length │ PIN digits │ F … F      (16 nibbles)
 *   PAN field: 0000 │ 12 rightmost PAN digits excluding the check digit
 *   clear block = PIN field XOR PAN field
 * </pre>
 * For simulators and tests that hold a PIN key in clear (a PIN pad, an issuer stub); the switch
 * never sees a clear PIN: it translates blocks inside its security module.
 */
public final class PinBlocks {
    private PinBlocks() {}

    /**
     * The clear format 0 block of {@code pin} for {@code pan}.
     *
     * @throws IllegalArgumentException when the PIN is not 4 to 12 digits or the PAN not 12 to 19 digits
     */
    public static byte[] format0(String pin, String pan) {
        if (pin == null || !pin.matches("\\d{4,12}")) {
            throw new IllegalArgumentException("a PIN is 4 to 12 digits");
        }
        String field = "0" + Integer.toHexString(pin.length()).toUpperCase() + pin + "F".repeat(14 - pin.length());
        return xor(HexFormat.of().parseHex(field), panField(pan));
    }

    /**
     * The PIN in a clear format 0 block for {@code pan}, or {@code null} when the block is not a
     * well-formed format 0 block for that PAN (wrong control nibble, length or padding).
     */
    public static String pinOf(byte[] clearBlock, String pan) {
        if (clearBlock == null || clearBlock.length != 8) {
            return null;
        }
        String field = HexFormat.of().withUpperCase().formatHex(xor(clearBlock, panField(pan)));
        int n = Character.digit(field.charAt(1), 16);
        if (field.charAt(0) != '0' || n < 4 || n > 12) {
            return null;
        }
        String pin = field.substring(2, 2 + n);
        String pad = field.substring(2 + n);
        return pin.matches("\\d+") && pad.chars().allMatch(c -> c == 'F') ? pin : null;
    }

    /**
     * The PIN in {@code pinBlock} encrypted under the clear {@code key} (8 or 16 bytes), or null when
     * it does not decrypt to a format 0 block for {@code pan}: what an issuer's HSM checks (the
     * issuer stub holds its zone key in clear by design).
     */
    public static String pinUnder(byte[] key, byte[] pinBlock, String pan) {
        if (pinBlock == null || pinBlock.length != 8) {
            return null;
        }
        return pinOf(Des.decrypt(key, pinBlock), pan);
    }

    /** {@code data} (whole 8-byte blocks) encrypted under the clear {@code key}: a PIN pad's operation. */
    public static byte[] encryptUnder(byte[] key, byte[] data) {
        return Des.encrypt(key, data);
    }

    /** {@code 0000} and the 12 rightmost digits of the PAN before its check digit (zero-filled), as 8 bytes. */
    static byte[] panField(String pan) {
        if (pan == null || !pan.matches("\\d{12,19}")) {
            throw new IllegalArgumentException("a PAN is 12 to 19 digits");
        }
        String digits = "0" + pan.substring(0, pan.length() - 1); // a 12-digit PAN has only 11 before its check digit
        return HexFormat.of().parseHex("0000" + digits.substring(digits.length() - 12));
    }

    private static byte[] xor(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, 8);
        for (int i = 0; i < 8; i++) {
            out[i] ^= b[i];
        }
        return out;
    }
}
