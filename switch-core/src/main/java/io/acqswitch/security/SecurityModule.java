package io.acqswitch.security;

import java.util.List;

/**
 * The security module (HSM): the only place keys exist in clear. Every key crosses this interface
 * encrypted under the module's LMK ({@link LmkKey}) or under another key; PIN blocks only
 * encrypted. The embedded default is {@link JceSecurityModule} (software, jPOS); a network HSM
 * (Thales payShield, Atalla) implements the same methods with the commands docs/security.md lists
 * for each.
 *
 * <p>Thread-safety: implementations are safe for concurrent use (Netty threads call MAC and PIN
 * commands at once). Every method returns a {@link Outcome}: a refusal is a value, never an
 * exception; exceptions mean a bug or a broken environment.
 */
public interface SecurityModule extends AutoCloseable {
    /** A random key of {@code type} and {@code bits} (64 or 128), under the LMK. Thales A0. */
    Outcome<LmkKey> generateKey(KeyType type, int bits);

    /**
     * Random clear components of a new key, for custodians to carry to a terminal or a peer (each
     * alone reveals nothing of the key). Thales GC / console GC; the key itself is then formed with
     * {@link #formKey}.
     *
     * @param bits 64 or 128
     */
    Outcome<List<byte[]>> generateComponents(int bits, int count);

    /**
     * The check value of one clear component (first 3 bytes of zeros encrypted under it), which a
     * custodian compares with the one written beside the component before the key is formed.
     * Thales console FK shows it for each component entered.
     */
    Outcome<byte[]> componentCheckValue(byte[] clearComponent);

    /** A key formed by XOR of clear components (2 or 3), under the LMK. Thales FK (console) / A4. */
    Outcome<LmkKey> formKey(KeyType type, List<byte[]> clearComponents);

    /** {@code encrypted} (a key under {@code kek}, e.g. a ZPK under a ZMK) re-encrypted under the LMK. Thales A6. */
    Outcome<LmkKey> importKey(KeyType type, int bits, byte[] encrypted, LmkKey kek);

    /**
     * {@code key} encrypted under {@code kek}: a working key under a terminal's TMK at sign-on
     * (Thales AE for a TPK, AG for a TAK), a zone key under a ZMK (Thales A8).
     */
    Outcome<byte[]> exportKey(LmkKey key, LmkKey kek);

    /** The first {@code bytes} (3 to 8) of eight zero bytes encrypted under {@code key}. Thales BU. */
    Outcome<byte[]> checkValue(LmkKey key, int bytes);

    /**
     * An ISO 9564 format 0 PIN block re-encrypted from {@code tpk} to {@code zpk} inside the module
     * (the clear PIN never leaves it). Refused when the block does not decrypt to a well-formed
     * format 0 block for {@code pan}. Thales CA.
     */
    Outcome<byte[]> translatePin(byte[] pinBlock, String pan, LmkKey tpk, LmkKey zpk);

    /** The MAC of {@code data} under {@code mak}, 8 bytes as field 64 carries it. Thales M6 (MA for a TAK). */
    Outcome<byte[]> generateMac(MacAlgorithm algorithm, LmkKey mak, byte[] data);

    /** Whether {@code mac} (8 bytes of field 64) is the MAC of {@code data} under {@code mak}. Thales M8 (MC for a TAK). */
    Outcome<Boolean> verifyMac(MacAlgorithm algorithm, LmkKey mak, byte[] data, byte[] mac);

    /** Releases the module (a network HSM's connections); the embedded one holds nothing to release. */
    @Override
    void close();
}
