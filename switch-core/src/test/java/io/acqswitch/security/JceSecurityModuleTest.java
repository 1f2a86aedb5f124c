package io.acqswitch.security;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.support.Hex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded security module over a real LMK file, checked against a published UnionPay sign-on. */
class JceSecurityModuleTest {
    /**
     * The terminal master key of yangyongzhen/Easy8583Ans ({@code My8583Ans.java}, commit f84a96d3), the
     * terminal that received test vector {@code cup-0810-signon-resp}: its README shows both check
     * values verifying under this key.
     */
    private static final String PUBLISHED_TMK = "258FB0AB70D025CDB99DF2C4D302D646";

    @TempDir
    Path dir;

    @Test
    void shouldCreateTheLmkOwnerOnlyOnFirstOpenAndKeepIt() throws Exception {
        Path sec = dir.resolve("security");
        JceSecurityModule first = JceSecurityModule.open(sec);
        Path lmk = sec.resolve(JceSecurityModule.LMK_FILE);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(lmk)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sec)));
        String before = Files.readString(lmk);
        LmkKey tak = first.generateKey(KeyType.TAK, 128).valueOrNull();
        byte[] mac = first.generateMac(MacAlgorithm.X9_19, tak, new byte[20]).valueOrNull();

        JceSecurityModule again = JceSecurityModule.open(sec);
        assertEquals(before, Files.readString(lmk), "the LMK is created once");
        assertArrayEquals(mac, again.generateMac(MacAlgorithm.X9_19, tak, new byte[20]).valueOrNull(),
                "a key stored under the LMK works after reopening");
        assertEquals(Boolean.TRUE, again.verifyMac(MacAlgorithm.X9_19, tak, new byte[20], mac).valueOrNull());
        assertFalse(Files.exists(sec.resolve(JceSecurityModule.LMK_FILE + ".new")));
    }

    @Test
    void shouldImportThePublishedSignOnKeysUnderThePublishedMasterKey() throws Exception {
        JceSecurityModule hsm = JceSecurityModule.open(dir);
        LmkKey tmk = form(hsm, KeyType.TMK, PUBLISHED_TMK);
        byte[] field62 = Arrays.copyOfRange(Hex.vector("cup-0810-signon-resp.hex"), 83, 123);

        LmkKey pik = hsm.importKey(KeyType.TPK, 128, Arrays.copyOfRange(field62, 0, 16), tmk).valueOrNull();
        assertNotNull(pik);
        assertEquals(Hex.of(Arrays.copyOfRange(field62, 16, 20)), Hex.of(hsm.checkValue(pik, 4).valueOrNull()),
                "PIK check value as sent (900ECCE3)");
        LmkKey mak = hsm.importKey(KeyType.TAK, 64, Arrays.copyOfRange(field62, 20, 28), tmk).valueOrNull();
        assertNotNull(mak);
        assertEquals(Hex.of(Arrays.copyOfRange(field62, 36, 40)), Hex.of(hsm.checkValue(mak, 4).valueOrNull()),
                "MAK check value as sent (CFF1592A), single-DES");
        assertArrayEquals(Arrays.copyOfRange(field62, 20, 28), hsm.exportKey(mak, tmk).valueOrNull(), "export is import's inverse");
    }

    @Test
    void shouldTranslateAPinBlockFromTerminalKeyToZoneKeyWithoutTheClearPinLeaving() throws Exception {
        JceSecurityModule hsm = JceSecurityModule.open(dir);
        String tpkClear = "1111111111111111 2222222222222222".replace(" ", "");
        String zpkClear = "3333333333333333 4444444444444444".replace(" ", "");
        LmkKey tpk = form(hsm, KeyType.TPK, tpkClear);
        LmkKey zpk = form(hsm, KeyType.ZPK, zpkClear);
        String pan = "4761739001010010";
        byte[] underTpk = Des.encrypt(Hex.bytes(tpkClear), PinBlocks.format0("4321", pan));

        byte[] underZpk = hsm.translatePin(underTpk, pan, tpk, zpk).valueOrNull();
        assertNotNull(underZpk);
        assertEquals("4321", PinBlocks.pinOf(Des.decrypt(Hex.bytes(zpkClear), underZpk), pan));

        Outcome<byte[]> wrongCard = hsm.translatePin(underTpk, "4761739001010028", tpk, zpk);
        assertTrue(wrongCard instanceof Outcome.Refused, "a block that is not format 0 for this PAN is refused");
        Outcome<byte[]> wrongKeys = hsm.translatePin(underTpk, pan, zpk, tpk);
        assertTrue(wrongKeys instanceof Outcome.Refused, "TPK to ZPK only");
    }

    @Test
    void shouldFormAKeyFromComponentsWhoseCheckValuesItShows() throws Exception {
        JceSecurityModule hsm = JceSecurityModule.open(dir);
        List<byte[]> components = hsm.generateComponents(128, 3).valueOrNull();
        assertEquals(3, components.size());
        byte[] clear = new byte[16];
        for (byte[] c : components) {
            assertEquals(3, hsm.componentCheckValue(c).valueOrNull().length);
            for (int i = 0; i < 16; i++) {
                clear[i] ^= c[i];
            }
        }
        LmkKey key = hsm.formKey(KeyType.ZPK, components).valueOrNull();
        assertEquals(Hex.of(Des.checkValue(clear, 3)), key.kcv(), "the key is the XOR of its components");
        assertFalse(key.toString().contains(Hex.of(key.underLmk())), "toString shows the check value only");
        assertTrue(hsm.formKey(KeyType.ZPK, components.subList(0, 1)) instanceof Outcome.Refused, "one component is a key typed whole");
    }

    @Test
    void shouldRefuseAMacKeyOfTheWrongLength() throws Exception {
        JceSecurityModule hsm = JceSecurityModule.open(dir);
        LmkKey single = hsm.generateKey(KeyType.TAK, 64).valueOrNull();
        assertTrue(hsm.generateMac(MacAlgorithm.X9_19, single, new byte[8]) instanceof Outcome.Refused);
        assertEquals(8, hsm.generateMac(MacAlgorithm.UNIONPAY_POS, single, new byte[8]).valueOrNull().length);
        LmkKey tpk = hsm.generateKey(KeyType.TPK, 128).valueOrNull();
        assertTrue(hsm.verifyMac(MacAlgorithm.X9_19, tpk, new byte[8], new byte[8]) instanceof Outcome.Refused,
                "a PIN key never MACs");
    }

    /** {@code clearHex} entered as two components (it XOR R, R). */
    static LmkKey form(SecurityModule hsm, KeyType type, String clearHex) {
        byte[] clear = Hex.bytes(clearHex);
        byte[] r = Hex.bytes("0F1E2D3C4B5A69788796A5B4C3D2E1F0".substring(0, clear.length * 2));
        byte[] c1 = clear.clone();
        for (int i = 0; i < c1.length; i++) {
            c1[i] ^= r[i];
        }
        return hsm.formKey(type, List.of(c1, r)).valueOrNull();
    }
}
