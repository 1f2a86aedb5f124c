package io.acqswitch.security;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A key as the switch holds it: encrypted under the security module's LMK, with its check value.
 * Only the security module that owns the LMK can use it. {@link #toString()} shows the type, length
 * and check value, never the encrypted bytes.
 *
 * @param type       what the key is for
 * @param bits       64 (single length) or 128 (double length)
 * @param scheme     the module's key scheme tag for the encryption under the LMK (jPOS {@code KeyScheme}: Z, X, U, …)
 * @param variant    the module's LMK variant
 * @param underLmk   the key encrypted under the LMK
 * @param checkValue the key's check value: the first 3 bytes of eight zero bytes encrypted under it
 */
public record LmkKey(KeyType type, int bits, String scheme, int variant, byte[] underLmk, byte[] checkValue) {
    public LmkKey {
        if (bits != 64 && bits != 128) {
            throw new IllegalArgumentException("a key is 64 or 128 bits, not " + bits);
        }
        underLmk = underLmk.clone();
        checkValue = checkValue.clone();
    }

    @Override
    public byte[] underLmk() {
        return underLmk.clone();
    }

    @Override
    public byte[] checkValue() {
        return checkValue.clone();
    }

    /** The check value as upper-case hex, e.g. {@code 08D7B4}: the only form of a key ever displayed. */
    public String kcv() {
        return HexFormat.of().withUpperCase().formatHex(checkValue);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LmkKey k && k.type == type && k.bits == bits && k.scheme.equals(scheme) && k.variant == variant
                && Arrays.equals(k.underLmk, underLmk) && Arrays.equals(k.checkValue, checkValue);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(underLmk);
    }

    @Override
    public String toString() {
        return type + "/" + bits + " kcv=" + kcv();
    }
}
