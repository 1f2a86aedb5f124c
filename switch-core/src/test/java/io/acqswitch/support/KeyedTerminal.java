package io.acqswitch.support;

import io.acqswitch.iso.Dialect;
import io.acqswitch.iso.IsoCodec;
import io.acqswitch.security.Macs;
import io.acqswitch.security.PinBlocks;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;

/**
 * A terminal's PIN pad in a test: it holds its master key in clear (as a PIN pad does), takes its
 * working keys from a sign-on answer (field 62, docs/security.md), encrypts PIN blocks and MACs its
 * requests the way a real terminal of its dialect does, and checks the MACs of the answers.
 */
public final class KeyedTerminal {
    private final Dialect dialect;
    private final IsoCodec codec;
    private final byte[] tmk;
    private byte[] pik;
    private byte[] mak;

    public KeyedTerminal(Dialect dialect, byte[] tmk) {
        this.dialect = dialect;
        this.codec = IsoCodec.of(dialect);
        this.tmk = tmk.clone();
    }

    /**
     * Takes the working keys out of a sign-on answer's field 62, checking each check value as a
     * terminal does, in the layout its length names (docs/security.md, "Sign-on: working keys"): cup
     * 24 bytes (60.3 = 001, single-length PIK and MAK), 40 (003) or 60 (004, a TDK after the MAK);
     * iso87 80 hex digits.
     *
     * @throws AssertionError when a check value does not match or the length is none of these
     */
    public void takeKeys(ISOMsg signOnAnswer) {
        byte[] f62 = dialect == Dialect.CUP ? signOnAnswer.getBytes(62) : HexFormat.of().parseHex(signOnAnswer.getString(62));
        int pikLength = f62.length == 24 ? 8 : 16;
        int makLength = dialect == Dialect.CUP ? 8 : 16;
        int makAt = pikLength + 4;
        int makCheckAt = f62.length == 24 ? 20 : 36;
        if (f62.length != 24 && f62.length != 40 && f62.length != 60 || dialect != Dialect.CUP && f62.length != 40) {
            throw new AssertionError("field 62 of " + f62.length + " bytes is no sign-on layout of " + dialect);
        }
        pik = decrypt(tmk, Arrays.copyOfRange(f62, 0, pikLength));
        check("PIK", pik, Arrays.copyOfRange(f62, pikLength, pikLength + 4));
        mak = decrypt(tmk, Arrays.copyOfRange(f62, makAt, makAt + makLength));
        check("MAK", mak, Arrays.copyOfRange(f62, makCheckAt, makCheckAt + 4));
        if (f62.length == 60) {
            check("TDK", decrypt(tmk, Arrays.copyOfRange(f62, 40, 56)), Arrays.copyOfRange(f62, 56, 60));
        }
    }

    /** The PIN block of {@code pin} for {@code pan} under this terminal's PIK (ISO 9564 format 0). */
    public byte[] pinBlock(String pin, String pan) {
        return PinBlocks.encryptUnder(pik, PinBlocks.format0(pin, pan));
    }

    /** {@code m} packed with field 64 holding its MAC under this terminal's MAK. */
    public byte[] maced(ISOMsg m) throws ISOException {
        ISOMsg c = (ISOMsg) m.clone();
        c.set(64, new byte[8]);
        byte[] body = codec.pack(c);
        System.arraycopy(mac(body), 0, body, body.length - 8, 8);
        return body;
    }

    /** Whether an answer body carries field 64 holding its MAC under this terminal's MAK. */
    public boolean macValid(byte[] answerBody) throws ISOException {
        ISOMsg a = codec.newMessage(null);
        codec.unpack(answerBody, a);
        return a.hasField(64) && Arrays.equals(mac(answerBody), Arrays.copyOfRange(answerBody, answerBody.length - 8, answerBody.length));
    }

    private byte[] mac(byte[] body) {
        byte[] data = Arrays.copyOfRange(body, dialect.headerLength(), body.length - 8);
        return dialect == Dialect.CUP ? Macs.unionPayPos(mak, data) : Macs.x919(mak, data);
    }

    /** The check value a key ceremony sheet shows: 3 bytes of zeros encrypted under {@code key}, hex. */
    public static String kcv(byte[] key) {
        return HexFormat.of().withUpperCase().formatHex(Arrays.copyOf(PinBlocks.encryptUnder(key, new byte[8]), 3));
    }

    private static void check(String what, byte[] key, byte[] expected) {
        byte[] actual = Arrays.copyOf(PinBlocks.encryptUnder(key, new byte[8]), 4);
        if (!Arrays.equals(actual, expected)) {
            throw new AssertionError(what + " check value does not match: the terminal would refuse the keys");
        }
    }

    private static byte[] decrypt(byte[] key16, byte[] data) {
        try {
            byte[] k = Arrays.copyOf(key16, 24);
            System.arraycopy(key16, 0, k, 16, 8);
            Cipher c = Cipher.getInstance("DESede/ECB/NoPadding");
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(k, "DESede"));
            return c.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
