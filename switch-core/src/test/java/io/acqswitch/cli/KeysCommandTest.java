package io.acqswitch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.security.KeyFile;
import io.acqswitch.security.KeyService;
import io.acqswitch.security.KeyType;
import io.acqswitch.support.Cli;
import io.acqswitch.support.Hex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code keys}: provisioning under the LMK, listing by check value, exit 0 done / 1 refused / 2 bad input. */
class KeysCommandTest {
    /** Two components of a known key, with the check values a key ceremony sheet would carry. */
    private static final String C1 = "0123456789ABCDEFFEDCBA9876543210";
    private static final String C2 = "1111111111111111AAAAAAAAAAAAAAAA";

    @TempDir
    Path dataDir;

    private String[] keys(String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "keys";
        System.arraycopy(args, 0, all, 1, args.length);
        all[args.length + 1] = "--data-dir";
        all[args.length + 2] = dataDir.toString();
        return Cli.run(all);
    }

    private static String kcv(String componentHex) throws Exception {
        Cipher c = Cipher.getInstance("DESede/ECB/NoPadding");
        byte[] k = Hex.bytes(componentHex + componentHex.substring(0, 16));
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(k, "DESede"));
        return Hex.of(c.doFinal(new byte[8])).substring(0, 6);
    }

    @Test
    void shouldFormATerminalMasterKeyFromComponentsWithTheirCheckValues() throws Exception {
        String[] r = keys("tmk", "--tid", "TERM0001", "--component", C1 + ":" + kcv(C1), "--component", C2 + ":" + kcv(C2));
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("terminal TERM0001 TMK stored under the LMK, kcv "), r[1]);
        assertFalse(r[1].contains(C1) || r[1].contains(C2), "typed components are not echoed");
        try (KeyService ks = KeyService.open(dataDir)) {
            assertNotNull(ks.keys().find("TERM0001", KeyType.TMK));
        }
        String log = Files.readString(dataDir.resolve(KeyService.DIR).resolve(KeyFile.FILE));
        assertFalse(log.contains(C1) || log.contains(C2), "nothing in clear in the key store");
    }

    @Test
    void shouldRefuseAMistypedComponentAndAnExistingKeyAndStoreNothing() throws Exception {
        String[] wrong = keys("tmk", "--tid", "TERM0002", "--component", C1 + ":000000", "--component", C2 + ":" + kcv(C2));
        assertEquals("1", wrong[0], wrong[1]);
        assertTrue(wrong[2].contains("component 1 has check value " + kcv(C1) + ", not 000000"), wrong[2]);
        assertEquals("0", keys("tmk", "--tid", "TERM0002", "--generate")[0]);
        String[] again = keys("tmk", "--tid", "TERM0002", "--generate");
        assertEquals("1", again[0]);
        assertTrue(again[2].contains("already has a TMK"), again[2]);
        assertEquals("0", keys("tmk", "--tid", "TERM0002", "--generate", "--replace")[0]);
    }

    @Test
    void shouldPrintGeneratedComponentsOnceThatFormTheStoredKey() throws Exception {
        String[] r = keys("zpk", "--issuer", "issuer-a", "--generate", "--components", "3");
        assertEquals("0", r[0], r[2]);
        Matcher m = Pattern.compile("component \\d: ([0-9A-F]{32})  kcv ([0-9A-F]{6})").matcher(r[1]);
        byte[] key = new byte[16];
        int n = 0;
        while (m.find()) {
            assertEquals(kcv(m.group(1)), m.group(2));
            byte[] c = Hex.bytes(m.group(1));
            for (int i = 0; i < 16; i++) {
                key[i] ^= c[i];
            }
            n++;
        }
        assertEquals(3, n, r[1]);
        String[] list = keys("list");
        assertEquals("0", list[0], list[2]);
        assertTrue(list[1].contains("issuer-a") && list[1].contains("ZPK") && list[1].contains(kcv(Hex.of(key))), list[1]);
        assertFalse(list[1].matches("(?s).*[0-9A-F]{16}.*"), "list shows check values only: " + list[1]);
    }

    @Test
    void shouldAnswerBadInputWithTwo() throws Exception {
        assertEquals("2", keys("tmk", "--tid", "TERM0003")[0], "neither --generate nor --component");
        assertEquals("2", keys("tmk", "--tid", "TERM0003", "--component", "XYZ:123456", "--component", C2 + ":" + kcv(C2))[0]);
        assertEquals("2", keys("tmk", "--tid", "TERM0003", "--component", C1 + ":" + kcv(C1))[0], "one component");
        assertEquals("2", keys("tmk", "--tid", "TERM 3", "--generate")[0], "not an id");
        assertEquals("2", keys("zak", "--issuer", "issuer-a", "--generate", "--components", "4")[0]);
        assertEquals("2", keys("tmk", "--tid", "TERM0003", "--generate", "--component", C1 + ":" + kcv(C1))[0], "both");
    }

    @Test
    void shouldRefuseAnIssuerTheConfigurationDoesNotKnow() throws Exception {
        Path cfg = dataDir.resolve("switch.yaml");
        Files.writeString(cfg, "dataDir: " + dataDir.resolve("d") + "\n");
        String[] r = Cli.run("keys", "zpk", "--issuer", "issuer-z", "--generate", "-c", cfg.toString());
        assertEquals("1", r[0], r[2]);
        assertTrue(r[2].contains("issuer issuer-z is not in the configuration"), r[2]);
        assertEquals("0", Cli.run("keys", "zpk", "--issuer", "issuer-b", "--generate", "-c", cfg.toString())[0]);
    }
}
