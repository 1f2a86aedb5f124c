package io.acqswitch.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.iso.Dialect;
import io.acqswitch.iso.IsoCodec;
import io.acqswitch.sim.IssuerStub;
import io.acqswitch.sim.LedgerEntry;
import io.acqswitch.sim.StubRules;
import io.acqswitch.sim.TerminalClient;
import io.acqswitch.sim.TerminalMessages;
import io.acqswitch.support.Await;
import io.acqswitch.support.Cli;
import io.acqswitch.support.Hex;
import io.acqswitch.support.KeyedTerminal;
import io.acqswitch.support.Rig;
import io.acqswitch.support.TempFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import io.acqswitch.iso.TransmissionTime;

/**
 * Trust at the edges, end to end over real sockets (docs/security.md): terminals provisioned with a
 * master key by the {@code keys} command sign on, take fresh working keys from the answer, and send
 * MACed requests with PIN blocks; the issuer stub, which checks PINs under its zone key, is the
 * judge. One switch, an iso87 and a cup listener, both {@code mac: required} (the default).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS) // a hung socket fails the test instead of the build
class KeyedTerminalTest {
    private static final IsoCodec ISO87 = IsoCodec.of(Dialect.ISO87);
    private static final IsoCodec CUP = IsoCodec.of(Dialect.CUP);
    private static final String CUP_HEADER = "6000060000" + "603100320072";
    /** The two terminals' master key, as two components on the key ceremony sheet. */
    private static final String TMK_1 = "0123456789ABCDEFFEDCBA9876543210";
    private static final String TMK_2 = "1111111111111111AAAAAAAAAAAAAAAA";
    /** issuer-a's zone PIN key: the stub holds it in clear, the switch by components. */
    private static final String ZPK_1 = "C1C1C1C1C1C1C1C1D2D2D2D2D2D2D2D2";
    private static final String ZPK_2 = "0E0E0E0E0E0E0E0E1F1F1F1F1F1F1F1F";
    private static final String PAN = "4761739001010010";
    private static final String CUP_PAN = "6212142000000000012";
    /** A card the stub checks no PIN for. */
    private static final String NO_PIN_PAN = "4761739001010036";
    private static final String MID = "MERCHANT0000001";
    private static final AtomicInteger STAN = new AtomicInteger(100);

    private static IssuerStub stub;
    private static Rig rig;

    @BeforeAll
    static void start() throws Exception {
        stub = new IssuerStub("issuer-a", "127.0.0.1", 0, StubRules.builder()
                .pins(new StubRules.Pins(Hex.of(xor(ZPK_1, ZPK_2)), Map.of(PAN, "1234", CUP_PAN, "654321")))
                .build())
                .start();
        Path dir = TempFiles.newDir("keyed");
        for (String tid : List.of("TERMK001", "TERMK002", "TERMK003", "TERMK004", "10000147")) {
            provision("tmk", "--tid", tid, TMK_1, TMK_2, dir);
        }
        provision("zpk", "--issuer", "issuer-a", ZPK_1, ZPK_2, dir);
        List<String> hosts = List.of("127.0.0.1:" + stub.port());
        String yaml = Rig.yaml(hosts, 2_000, dir).replace("listeners: [{port: 0, idleTimeout: 60s}]",
                """
                listeners:
                  - {port: 0, idleTimeout: 60s}
                  - {name: cup, port: 0, idleTimeout: 60s, dialect: cup}
                  - {name: optional, port: 0, idleTimeout: 60s, mac: optional}
                  - {name: unchecked, port: 0, idleTimeout: 60s, mac: off}""");
        rig = Rig.start(stub, hosts, yaml, dir);
    }

    @AfterAll
    static void stop() {
        if (rig != null) {
            rig.close();
        }
        stub.close();
    }

    private static void provision(String kind, String option, String owner, String c1, String c2, Path dir) {
        String[] r = Cli.run("keys", kind, option, owner, "--component", c1 + ":" + KeyedTerminal.kcv(Hex.bytes(c1)),
                "--component", c2 + ":" + KeyedTerminal.kcv(Hex.bytes(c2)), "--data-dir", dir.toString());
        assertEquals("0", r[0], r[2]);
    }

    private static byte[] xor(String a, String b) {
        byte[] x = Hex.bytes(a);
        byte[] y = Hex.bytes(b);
        for (int i = 0; i < x.length; i++) {
            x[i] ^= y[i];
        }
        return x;
    }

    private static String stan() {
        return String.format("%06d", STAN.incrementAndGet());
    }

    private static KeyedTerminal signedOnIso87(TerminalClient t, String tid) throws Exception {
        ISOMsg answer = t.exchange(TerminalMessages.networkManagement("001", stan(), tid));
        assertEquals("00", answer.getString(39));
        assertEquals(80, answer.getString(62).length(), "PIK 16 + check 4 + MAK 16 + check 4, in hex");
        KeyedTerminal pad = new KeyedTerminal(Dialect.ISO87, xor(TMK_1, TMK_2));
        pad.takeKeys(answer);
        return pad;
    }

    private static ISOMsg saleWithPin(KeyedTerminal pad, String tid, String stan, long amount, String pin) {
        ISOMsg sale = TerminalMessages.sale(PAN, amount, stan, tid, MID);
        sale.set(52, pad.pinBlock(pin, PAN));
        return sale;
    }

    private static ISOMsg answer(TerminalClient t, byte[] body, IsoCodec codec) throws Exception {
        t.sendFrame(body);
        ISOMsg a = codec.newMessage(null);
        codec.unpack(t.receiveFrame(), a);
        return a;
    }

    private static int ledgerSize() {
        return stub.ledger().entries().size();
    }

    @Test
    void shouldApproveAMacedSaleWithAPinTranslatedToTheIssuersZoneKeyAndMacTheAnswer() throws Exception {
        try (TerminalClient t = rig.terminal()) {
            KeyedTerminal pad = signedOnIso87(t, "TERMK001");
            double translated = rig.counted("switch_pin_translations", "issuer", "issuer-a", "result", "translated");
            t.sendFrame(pad.maced(saleWithPin(pad, "TERMK001", stan(), 1_500, "1234")));
            byte[] body = t.receiveFrame();
            ISOMsg a = ISO87.newMessage(null);
            ISO87.unpack(body, a);
            assertEquals("00", a.getString(39), "the stub found PIN 1234 under its zone key");
            assertTrue(pad.macValid(body), "the answer carries the switch's MAC under the terminal's MAK");
            LedgerEntry e = rig.ledger(a.getString(37)).orElseThrow();
            assertTrue(e.approved());
            assertEquals(translated + 1, rig.counted("switch_pin_translations", "issuer", "issuer-a", "result", "translated"));
        }
    }

    @Test
    void shouldAnswer63ToAFlippedMacBitAndLeaveNoTrace() throws Exception {
        try (TerminalClient t = rig.terminal()) {
            KeyedTerminal pad = signedOnIso87(t, "TERMK002");
            String s = stan();
            byte[] good = pad.maced(saleWithPin(pad, "TERMK002", s, 2_000, "1234"));
            byte[] flipped = good.clone();
            flipped[flipped.length - 3] ^= 0x04;
            int before = ledgerSize();
            double rejected = rig.counted("switch_mac_rejections", "reason", "mismatch");
            t.sendFrame(flipped);
            byte[] body = t.receiveFrame();
            ISOMsg a = ISO87.newMessage(null);
            ISO87.unpack(body, a);
            assertEquals("0210", a.getMTI());
            assertEquals("63", a.getString(39));
            assertTrue(pad.macValid(body), "answered under the terminal's MAK all the same");
            assertEquals(rejected + 1, rig.counted("switch_mac_rejections", "reason", "mismatch"));

            ISOMsg retried = answer(t, good, ISO87); // same STAN: no dedupe entry was left, so it is new
            assertEquals("00", retried.getString(39));
            assertEquals(before + 1, ledgerSize(), "only the MACed one reached the issuer");

            ISOMsg forged = TerminalMessages.sale(PAN, 2_000, s, "TERMK002", MID); // right 41/42/11, no valid MAC
            forged.set(0, "0400");
            forged.set(64, Hex.bytes("0102030405060708"));
            assertEquals("63", answer(t, ISO87.pack(forged), ISO87).getString(39));
            forged.unset(64);
            assertEquals("63", answer(t, ISO87.pack(forged), ISO87).getString(39), "no MAC at all: required");
            // several SAF ticks: a reversal, had one been queued, would be delivered by now
            Await.holds("nothing reversed", () -> !rig.ledger(retried.getString(37)).orElseThrow().reversed(), Duration.ofMillis(300));
            assertFalse(rig.ledger(retried.getString(37)).orElseThrow().reversed(), "the forged reversals reversed nothing");
            assertEquals(0, rig.node.processor().safDepth());

            ISOMsg reversal = TerminalMessages.sale(PAN, 2_000, s, "TERMK002", MID);
            reversal.set(0, "0400");
            assertEquals("00", answer(t, pad.maced(reversal), ISO87).getString(39), "the terminal's own MACed reversal");
            rig.assertReversedOnce(retried.getString(37));
        }
    }

    @Test
    void shouldCheckTheMacOfSettlementsAndBatchUploadsAndMacTheirAnswers() throws Exception {
        try (TerminalClient t = rig.terminal()) {
            KeyedTerminal pad = signedOnIso87(t, "TERMK004");
            ISOMsg settle = batchMessage("0500", "TERMK004", String.format("%012d%03d%012d%03d0", 0, 0, 0, 0) + "0".repeat(31));
            ISOMsg upload = batchMessage("0320", "TERMK004", "01" + "000001" + String.format("%012d", 100) + "00");
            for (ISOMsg m : List.of(settle, upload)) {
                String answerMti = m.getMTI().equals("0500") ? "0510" : "0330";
                double missing = rig.counted("switch_mac_rejections", "reason", "missing");
                double mismatches = rig.counted("switch_mac_rejections", "reason", "mismatch");
                double settlements = rig.counted("switch_settlements", "result", "in_balance");
                double uploads = rig.counted("switch_batch_uploads", "result", "differs");

                ISOMsg unmaced = answer(t, ISO87.pack(m), ISO87);
                assertEquals(answerMti, unmaced.getMTI());
                assertEquals("63", unmaced.getString(39), "no MAC from a keyed terminal: refused");
                byte[] flipped = pad.maced(m);
                flipped[flipped.length - 1] ^= 0x01;
                assertEquals("63", answer(t, flipped, ISO87).getString(39), "a wrong MAC: refused");
                assertEquals(missing + 1, rig.counted("switch_mac_rejections", "reason", "missing"));
                assertEquals(mismatches + 1, rig.counted("switch_mac_rejections", "reason", "mismatch"));
                assertEquals(settlements, rig.counted("switch_settlements", "result", "in_balance"), "nothing settled");
                assertEquals(uploads, rig.counted("switch_batch_uploads", "result", "differs"), "nothing uploaded");

                t.sendFrame(pad.maced(m));
                byte[] body = t.receiveFrame();
                ISOMsg ok = ISO87.newMessage(null);
                ISO87.unpack(body, ok);
                assertEquals(answerMti, ok.getMTI());
                assertEquals("00", ok.getString(39));
                assertTrue(pad.macValid(body), "the answer carries the switch's MAC under the terminal's MAK");
                assertEquals(settlements + (m == settle ? 1 : 0), rig.counted("switch_settlements", "result", "in_balance"));
                assertEquals(uploads + (m == upload ? 1 : 0), rig.counted("switch_batch_uploads", "result", "differs"));
            }
        }
    }

    /** A 0500 settlement or 0320 batch upload of batch 000001 (iso87 framing: 48 and 60 are LLLVAR there). */
    private static ISOMsg batchMessage(String mti, String tid, String field48) throws Exception {
        ISOMsg m = new ISOMsg(mti);
        m.set(7, TransmissionTime.now());
        m.set(11, stan());
        m.set(41, tid);
        m.set(42, MID);
        m.set(48, field48);
        m.set(60, "00" + "000001" + "201");
        return m;
    }

    @Test
    void shouldAnswer96WhenThePinBlockCannotBeTranslatedAnd55ForAWrongPin() throws Exception {
        try (TerminalClient t = rig.terminal()) {
            KeyedTerminal pad = signedOnIso87(t, "TERMK001");
            int before = ledgerSize();
            ISOMsg otherCard = TerminalMessages.sale(PAN, 700, stan(), "TERMK001", MID);
            otherCard.set(52, pad.pinBlock("1234", "4761739001010028")); // built for another card: not format 0 for PAN
            t.sendFrame(pad.maced(otherCard));
            byte[] body = t.receiveFrame();
            ISOMsg failed = ISO87.newMessage(null);
            ISO87.unpack(body, failed);
            assertEquals("96", failed.getString(39));
            assertTrue(pad.macValid(body), "a refusal is MACed too");
            assertEquals(before, ledgerSize(), "nothing reached the issuer");
            assertEquals(1.0, rig.counted("switch_pin_translations", "issuer", "issuer-a", "result", "failed"));

            assertEquals("55", answer(t, pad.maced(saleWithPin(pad, "TERMK001", stan(), 800, "9999")), ISO87).getString(39));
        }
    }

    @Test
    void shouldLeaveTerminalsWithoutKeysAsTheyWere() throws Exception {
        try (TerminalClient t = rig.terminal()) {
            assertEquals("00", t.exchange(TerminalMessages.networkManagement("001", stan(), "TERMPLN1")).getString(39));
            byte[] body = ISO87.pack(TerminalMessages.sale(NO_PIN_PAN, 300, stan(), "TERMPLN1", MID));
            t.sendFrame(body);
            byte[] answer = t.receiveFrame();
            ISOMsg a = ISO87.newMessage(null);
            ISO87.unpack(answer, a);
            assertEquals("00", a.getString(39));
            assertFalse(a.hasField(64), "no MAC for a terminal without keys");
        }
    }

    @Test
    void shouldSignOnACupTerminalWithFreshKeysAndAnswerA0ToABadMac() throws Exception {
        try (TerminalClient t = rig.terminal(1, CUP)) {
            ISOMsg signOn = cup("0800", stan(), "00000001003");
            ISOMsg answer = t.exchange(signOn);
            assertEquals("00", answer.getString(39));
            byte[] keys = answer.getBytes(62);
            assertEquals(40, keys.length, "PIK 16 + check 4 + MAK 8 + 8 zeros + check 4");
            assertEquals("0000000000000000", Hex.of(Arrays.copyOfRange(keys, 28, 36)));
            KeyedTerminal pad = new KeyedTerminal(Dialect.CUP, xor(TMK_1, TMK_2));
            pad.takeKeys(answer);

            String s = stan();
            ISOMsg sale = cupSale(s, 1_100);
            sale.set(52, pad.pinBlock("654321", CUP_PAN));
            byte[] good = pad.maced(sale);
            byte[] flipped = good.clone();
            flipped[flipped.length - 1] ^= 0x01;
            int before = ledgerSize();
            ISOMsg refused = answer(t, flipped, CUP);
            assertEquals("0210", refused.getMTI());
            assertEquals("A0", refused.getString(39));
            assertEquals(before, ledgerSize());

            t.sendFrame(good);
            byte[] body = t.receiveFrame();
            ISOMsg ok = CUP.newMessage(null);
            CUP.unpack(body, ok);
            assertEquals("00", ok.getString(39), "PIN 654321 found under the zone key");
            assertTrue(pad.macValid(body), "UnionPay MAC on the answer");

            ISOMsg forged = cupSale(s, 1_100);
            forged.set(0, "0400");
            forged.set(39, "98");
            forged.set(64, "00000000".getBytes(StandardCharsets.US_ASCII));
            assertEquals("A0", answer(t, CUP.pack(forged), CUP).getString(39));
            Await.holds("nothing reversed", () -> !rig.ledger(ok.getString(37)).orElseThrow().reversed(), Duration.ofMillis(300));
            assertFalse(rig.ledger(ok.getString(37)).orElseThrow().reversed(), "the forged reversal reversed nothing");
        }
    }

    @Test
    void shouldPassARequestWithoutMacOnAnOptionalListenerButNotABadOne() throws Exception {
        try (TerminalClient t = rig.terminal(2, ISO87)) {
            KeyedTerminal pad = signedOnIso87(t, "TERMK003");
            assertEquals("00", answer(t, ISO87.pack(TerminalMessages.sale(NO_PIN_PAN, 410, stan(), "TERMK003", MID)), ISO87)
                    .getString(39), "no MAC: checked only when present");
            byte[] bad = pad.maced(TerminalMessages.sale(NO_PIN_PAN, 420, stan(), "TERMK003", MID));
            bad[bad.length - 8] ^= 0x10;
            assertEquals("63", answer(t, bad, ISO87).getString(39));
        }
    }

    @Test
    void shouldNeitherCheckNorMakeMacsOnAListenerWithMacOff() throws Exception {
        try (TerminalClient t = rig.terminal(3, ISO87)) {
            KeyedTerminal pad = signedOnIso87(t, "TERMK003"); // keys are still issued at sign-on
            byte[] bad = pad.maced(TerminalMessages.sale(NO_PIN_PAN, 430, stan(), "TERMK003", MID));
            bad[bad.length - 8] ^= 0x10;
            ISOMsg a = answer(t, bad, ISO87);
            assertEquals("00", a.getString(39));
            assertFalse(a.hasField(64));
        }
    }

    private static ISOMsg cup(String mti, String stan, String field60) {
        ISOMsg m = new ISOMsg(mti);
        m.setHeader(Hex.bytes(CUP_HEADER));
        m.set(11, stan);
        m.set(41, "10000147");
        m.set(42, "801000949000001");
        m.set(60, field60);
        return m;
    }

    private static ISOMsg cupSale(String stan, long amount) {
        ISOMsg m = cup("0200", stan, "22000001000600");
        m.set(2, CUP_PAN);
        m.set(3, "000000");
        m.set(4, String.format("%012d", amount));
        m.set(22, "051");
        m.set(25, "00");
        m.set(49, "156");
        return m;
    }
}
