package io.acqswitch.security;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * What the switch asks of its security module, per terminal and issuer: checking and making MACs,
 * issuing working keys at sign-on, translating PIN blocks. Looks keys up in the {@link KeyFile} and
 * hands them, under the LMK, to the {@link SecurityModule}. Every outcome is a value.
 *
 * <p>Thread-safe; called on Netty threads. Only {@link #issueWorkingKeys} writes (one append to the
 * key store, synced to disk).
 */
public final class KeyService implements AutoCloseable {
    /** The security directory under a switch's dataDir. */
    public static final String DIR = "security";

    private final SecurityModule hsm;
    private final KeyFile keys;

    public KeyService(SecurityModule hsm, KeyFile keys) {
        this.hsm = hsm;
        this.keys = keys;
    }

    /**
     * The embedded module and key store under {@code dataDir}/{@value #DIR}, the LMK created on first use.
     *
     * @throws IOException when the directory, the LMK or the key store cannot be created or read
     */
    public static KeyService open(Path dataDir) throws IOException {
        Path dir = dataDir.resolve(DIR);
        return new KeyService(JceSecurityModule.open(dir), KeyFile.open(dir));
    }

    public SecurityModule module() {
        return hsm;
    }

    public KeyFile keys() {
        return keys;
    }

    /** Whether terminal {@code tid} has any key (a TMK, or working keys): such a terminal is MAC-checked. */
    public boolean terminalHasKeys(String tid) {
        return keys.hasAny(KeyType.Owner.TERMINAL, tid);
    }

    // ---- MAC ----------------------------------------------------------------------------------

    /** The result of checking a terminal request's MAC. */
    public enum MacVerdict {
        /** The terminal has no keys: nothing to check. */
        UNKEYED,
        VALID,
        /** The request carries no MAC. */
        MISSING,
        MISMATCH,
        /** The terminal has a master key but no MAC key yet (it has not signed on). */
        NO_WORKING_KEY,
        /** The security module refused the command. */
        MODULE_FAILED;

        /** Lower-case name, for metrics and logs. */
        public String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Checks {@code mac} (null: the request has none) over {@code macData} under terminal {@code tid}'s MAK.
     */
    public MacVerdict verifyMac(MacAlgorithm algorithm, String tid, byte[] macData, byte[] mac) {
        LmkKey mak = keys.find(tid, KeyType.TAK);
        if (mak == null) {
            return terminalHasKeys(tid) ? MacVerdict.NO_WORKING_KEY : MacVerdict.UNKEYED;
        }
        if (mac == null) {
            return MacVerdict.MISSING;
        }
        Outcome<Boolean> ok = hsm.verifyMac(algorithm, mak, macData, mac);
        if (!(ok instanceof Outcome.Done<Boolean> d)) {
            return MacVerdict.MODULE_FAILED;
        }
        return d.value() ? MacVerdict.VALID : MacVerdict.MISMATCH;
    }

    /** The MAC of {@code macData} under terminal {@code tid}'s MAK, or null when it has none (or the module refused). */
    public byte[] mac(MacAlgorithm algorithm, String tid, byte[] macData) {
        LmkKey mak = keys.find(tid, KeyType.TAK);
        return mak == null ? null : hsm.generateMac(algorithm, mak, macData).valueOrNull();
    }

    // ---- sign-on ------------------------------------------------------------------------------

    /**
     * How working keys are laid out in a sign-on answer: each key encrypted under the terminal's TMK,
     * then its 4-byte check value (the UnionPay 0810, test vector {@code cup-0810-signon-resp}):
     * <pre>
     *   CUP_SINGLE (60.3 = 001): PIK (8)  │ chk (4) │ MAK (8)          │ chk (4)                       24 bytes
     *   CUP_DOUBLE (60.3 = 003): PIK (16) │ chk (4) │ MAK (8) + 8 × 00 │ chk (4)                       40 bytes
     *   CUP_TRACK  (60.3 = 004): PIK (16) │ chk (4) │ MAK (8) + 8 × 00 │ chk (4) │ TDK (16) │ chk (4)  60 bytes
     *   ISO87      (70 = 001):   PIK (16) │ chk (4) │ MAK (16)         │ chk (4)                       40 bytes
     * </pre>
     * The UnionPay MAK is single length (its MAC algorithm is single DES); iso87's is double (X9.19).
     */
    public enum KeyLayout {
        CUP_SINGLE(64, 64, false),
        CUP_DOUBLE(128, 64, false),
        CUP_TRACK(128, 64, true),
        ISO87(128, 128, false);

        private final int pikBits;
        private final int makBits;
        private final boolean trackKey;

        KeyLayout(int pikBits, int makBits, boolean trackKey) {
            this.pikBits = pikBits;
            this.makBits = makBits;
            this.trackKey = trackKey;
        }
    }

    /** What a sign-on gets. */
    public sealed interface SignOnKeys {
        /** Fresh working keys, stored under the LMK and laid out for the answer. */
        record Issued(byte[] layout, String pikKcv, String makKcv) implements SignOnKeys {}

        /** The terminal has no master key: no working keys can be sent. */
        record NoMasterKey() implements SignOnKeys {}

        /** The security module or the key store failed; nothing was stored. */
        record Failed(String reason) implements SignOnKeys {}
    }

    /**
     * Generates fresh working keys for terminal {@code tid}, stores them under the LMK (replacing the
     * previous ones) and returns them encrypted under its TMK in {@code layout}.
     */
    public SignOnKeys issueWorkingKeys(String tid, KeyLayout layout) {
        LmkKey tmk = keys.findFresh(tid, KeyType.TMK); // provisioned moments ago by the keys command, perhaps
        if (tmk == null) {
            return new SignOnKeys.NoMasterKey();
        }
        List<LmkKey> fresh = new ArrayList<>();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String[] kcvs = new String[2];
        KeyType[] types = layout.trackKey ? new KeyType[] {KeyType.TPK, KeyType.TAK, KeyType.TDK}
                : new KeyType[] {KeyType.TPK, KeyType.TAK};
        for (KeyType type : types) {
            int bits = type == KeyType.TAK ? layout.makBits : type == KeyType.TPK ? layout.pikBits : 128;
            Outcome<LmkKey> key = hsm.generateKey(type, bits);
            if (!(key instanceof Outcome.Done<LmkKey> k)) {
                return new SignOnKeys.Failed(key.refusal());
            }
            Outcome<byte[]> underTmk = hsm.exportKey(k.value(), tmk);
            Outcome<byte[]> check = hsm.checkValue(k.value(), 4);
            if (underTmk.valueOrNull() == null || check.valueOrNull() == null) {
                return new SignOnKeys.Failed(underTmk.refusal() != null ? underTmk.refusal() : check.refusal());
            }
            out.writeBytes(underTmk.valueOrNull());
            if (type == KeyType.TAK && bits == 64 && layout != KeyLayout.CUP_SINGLE) {
                out.writeBytes(new byte[8]); // UnionPay keeps the 16-byte slot of a double-length key
            }
            out.writeBytes(check.valueOrNull());
            if (type != KeyType.TDK) {
                kcvs[type == KeyType.TPK ? 0 : 1] = HexFormat.of().withUpperCase().formatHex(check.valueOrNull());
            }
            fresh.add(k.value());
        }
        try {
            keys.putAll(tid, fresh);
        } catch (IOException e) {
            return new SignOnKeys.Failed("key store: " + e.getMessage());
        }
        return new SignOnKeys.Issued(out.toByteArray(), kcvs[0], kcvs[1]);
    }

    // ---- PIN ----------------------------------------------------------------------------------

    /** What became of a PIN block on its way to an issuer. */
    public sealed interface PinResult {
        /** Now under the issuer's ZPK. */
        record Translated(byte[] pinBlock) implements PinResult {}

        /** The terminal has no PIN key: the block goes on as it came (a terminal without keys). */
        record Unkeyed() implements PinResult {}

        /** Cannot be translated (no ZPK for the issuer, a block that is not format 0, a module failure). */
        record Failed(String reason) implements PinResult {}
    }

    /** Translates {@code pinBlock} from terminal {@code tid}'s PIK to issuer {@code issuerId}'s ZPK. */
    public PinResult translatePin(String tid, String issuerId, byte[] pinBlock, String pan) {
        LmkKey tpk = keys.find(tid, KeyType.TPK);
        if (tpk == null) {
            return new PinResult.Unkeyed();
        }
        LmkKey zpk = keys.find(issuerId, KeyType.ZPK);
        if (zpk == null) {
            zpk = keys.findFresh(issuerId, KeyType.ZPK); // imported moments ago, perhaps
        }
        if (zpk == null) {
            return new PinResult.Failed("issuer " + issuerId + " has no ZPK");
        }
        Outcome<byte[]> out = hsm.translatePin(pinBlock, pan, tpk, zpk);
        return out instanceof Outcome.Done<byte[]> d ? new PinResult.Translated(d.value()) : new PinResult.Failed(out.refusal());
    }

    @Override
    public void close() {
        hsm.close();
    }
}
