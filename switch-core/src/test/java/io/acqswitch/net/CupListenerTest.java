package io.acqswitch.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.iso.Dialect;
import io.acqswitch.iso.IsoCodec;
import io.acqswitch.iso.Malformation;
import io.acqswitch.sim.TerminalClient;
import io.acqswitch.support.Hex;
import io.acqswitch.support.TestSwitch;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A {@code dialect: cup} listener over real sockets: sign-on, echo, sign-off and bad frames. The
 * terminal has no master key and {@code security.testKeys} is on, so sign-on hands it the TEST KEYS.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS) // a hung socket fails the test instead of the build
class CupListenerTest {
    private static final IsoCodec CUP = IsoCodec.of(Dialect.CUP);
    /** TPDU 60 0501 0000 + header 61 31 00 311108, as the vector's terminal sends it. */
    private static final String HEADER = "6005010000" + "613100311108";
    private static final String ANSWER_HEADER = "6000000501" + "613100311108";
    private static TestSwitch sw;

    @BeforeAll
    static void startSwitch() throws Exception {
        sw = TestSwitch.start("""
                listeners:
                  - dialect: cup
                    idleTimeout: 3s
                issuers: []
                stubs: []
                routing: {}
                security: {testKeys: true}
                """, l -> l);
    }

    @AfterAll
    static void stopSwitch() {
        sw.close();
    }

    private static TerminalClient terminal() throws Exception {
        return new TerminalClient("127.0.0.1", sw.port(), CUP, Duration.ofSeconds(5));
    }

    private static ISOMsg management(String mti, String stan, String field60) {
        ISOMsg m = new ISOMsg(mti);
        m.setHeader(Hex.bytes(HEADER));
        m.set(11, stan);
        m.set(41, "99999906");
        m.set(42, "001430170119999");
        m.set(60, field60);
        return m;
    }

    private static double malformed(Malformation reason) {
        return sw.node().metrics().malformedCount(reason);
    }

    @Test
    void shouldSignOnWithTestKeysSwappedTpduAndTheSameHeader() throws Exception {
        byte[] frame = Hex.vector("cup-0800-signon-req.hex"); // 60.3 = 003, batch 000000, with length prefix
        try (TerminalClient t = terminal()) {
            t.sendRaw(frame);
            byte[] body = t.receiveFrame();
            assertEquals(ANSWER_HEADER, Hex.of(Arrays.copyOf(body, 11)), "TPDU swapped, header as sent");
            ISOMsg a = CUP.newMessage(null);
            CUP.unpack(body, a);
            assertEquals("0810", a.getMTI());
            assertEquals("00", a.getString(39));
            assertEquals("000001", a.getString(11));
            assertEquals("99999906", a.getString(41));
            assertEquals("00000000003", a.getString(60), "the terminal's batch echoed in 60.2");
            byte[] keys = a.getBytes(62);
            assertEquals(40, keys.length, "PIK 16 + check 4 + MAK 16 + check 4");
            byte[] pik = decrypt(Arrays.copyOfRange(keys, 0, 16));
            assertArrayEquals(CupTestKeys.TEST_PIK, pik);
            assertArrayEquals(CupTestKeys.check(pik), Arrays.copyOfRange(keys, 16, 20));
            byte[] mak = decrypt(Arrays.copyOfRange(keys, 20, 28));
            assertArrayEquals(CupTestKeys.TEST_MAK, mak);
            assertArrayEquals(new byte[8], Arrays.copyOfRange(keys, 28, 36));
            assertArrayEquals(CupTestKeys.check(mak), Arrays.copyOfRange(keys, 36, 40));
            assertFalse(a.hasField(63), "the operator is not echoed");
        }
    }

    @Test
    void shouldSignOnWithSingleLengthAndTrackKeys() throws Exception {
        try (TerminalClient t = terminal()) {
            ISOMsg single = t.exchange(management("0800", "000002", "00000123001"));
            assertEquals("00", single.getString(39));
            assertEquals("000123", single.getString(60).substring(2, 8));
            assertEquals(24, single.getBytes(62).length);
            ISOMsg track = t.exchange(management("0800", "000003", "00000123004"));
            assertEquals(60, track.getBytes(62).length);
        }
    }

    @Test
    void shouldAnswerEchoAndSignOff() throws Exception {
        try (TerminalClient t = terminal()) {
            ISOMsg echo = t.exchange(management("0800", "000004", "00000123301"));
            assertEquals("0810", echo.getMTI());
            assertEquals("00", echo.getString(39));
            assertFalse(echo.hasField(62));
            assertEquals(ANSWER_HEADER, Hex.of(echo.getHeader()));
            ISOMsg off = t.exchange(management("0820", "000005", "00000123002"));
            assertEquals("0830", off.getMTI());
            assertEquals("00", off.getString(39));
            assertEquals("000005", off.getString(11));
        }
    }

    @Test
    void shouldAnswerUnknownNetworkCodeWith12AndMissingField60With30() throws Exception {
        try (TerminalClient t = terminal()) {
            assertEquals("12", t.exchange(management("0800", "000006", "00000123999")).getString(39));
            ISOMsg no60 = management("0800", "000007", "0");
            no60.unset(60);
            assertEquals("30", t.exchange(no60).getString(39));
        }
    }

    @Test
    void shouldCloseAndCountFrameNoLongerThanTheHeader() throws Exception {
        double before = malformed(Malformation.SHORT_FRAME);
        try (TerminalClient t = terminal()) {
            t.sendFrame(Hex.bytes("6005010000613100"));
            assertTrue(t.isClosedByPeer());
        }
        assertEquals(before + 1, malformed(Malformation.SHORT_FRAME));
    }

    @Test
    void shouldAnswer30WithSwappedTpduWhenBitmapClaimsAMissingField() throws Exception {
        double before = malformed(Malformation.UNPACK_FAILED);
        try (TerminalClient t = terminal()) {
            // 0200, bitmap 3, 11, 41; 3 and 11 present, 41 (8 chars) has 2 bytes
            t.sendFrame(Hex.bytes(HEADER + "0200 2020000000800000 000000 000321 3130"));
            ISOMsg a = t.receive();
            assertEquals("0210", a.getMTI());
            assertEquals("30", a.getString(39));
            assertEquals("000321", a.getString(11));
            assertEquals(ANSWER_HEADER, Hex.of(a.getHeader()));
        }
        assertEquals(before + 1, malformed(Malformation.UNPACK_FAILED));
    }

    @Test
    void shouldCloseWhenBitmapIsCutShort() throws Exception {
        double before = malformed(Malformation.UNPACK_FAILED);
        try (TerminalClient t = terminal()) {
            t.sendFrame(Hex.bytes(HEADER + "0200 7020"));
            assertTrue(t.isClosedByPeer());
        }
        assertEquals(before + 1, malformed(Malformation.UNPACK_FAILED));
    }

    private static byte[] decrypt(byte[] encrypted) throws Exception {
        byte[] k = new byte[24];
        System.arraycopy(CupTestKeys.TEST_TMK, 0, k, 0, 16);
        System.arraycopy(CupTestKeys.TEST_TMK, 0, k, 16, 8);
        Cipher c = Cipher.getInstance("DESede/ECB/NoPadding");
        c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(k, "DESede"));
        return c.doFinal(encrypted);
    }
}
