package io.acqswitch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.iso.Dialect;
import io.acqswitch.iso.IsoCodec;
import io.acqswitch.sim.IssuerStub;
import io.acqswitch.sim.LedgerEntry;
import io.acqswitch.sim.StubRules;
import io.acqswitch.sim.TerminalClient;
import io.acqswitch.sim.TerminalMessages;
import io.acqswitch.support.ChildSwitch;
import io.acqswitch.support.Cli;
import io.acqswitch.support.Hex;
import io.acqswitch.support.KeyedTerminal;
import io.acqswitch.support.TempFiles;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The five commands of docs/security.md ("A real terminal, in five commands"), as written there,
 * through the command line's entry point: {@code keys tmk} and {@code keys zpk} from components with
 * their check values, {@code keys list} showing the check values of the sheets, {@code run} (a
 * process of its own), and the terminal, loaded with the same master key, signing on and selling
 * with a MAC and a PIN that the issuer stub checks under its zone key.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS) // a hung socket or child process fails the test instead of the build
class RealTerminalProvisioningTest {
    private static final String TMK_1 = "0123456789ABCDEFFEDCBA9876543210";
    private static final String TMK_2 = "1111111111111111AAAAAAAAAAAAAAAA";
    private static final String ZPK_1 = "C1C1C1C1C1C1C1C1D2D2D2D2D2D2D2D2";
    private static final String ZPK_2 = "0E0E0E0E0E0E0E0E1F1F1F1F1F1F1F1F";
    private static final String TID = "12345678";
    private static final String PAN = "4761739001010010";

    @Test
    void shouldServeATerminalProvisionedByTheFiveCommandsOfTheGuide() throws Exception {
        byte[] tmk = Hex.xor(TMK_1, TMK_2);
        byte[] zpk = Hex.xor(ZPK_1, ZPK_2);
        try (IssuerStub stub = new IssuerStub("issuer-a", "127.0.0.1", 0,
                StubRules.builder().pins(new StubRules.Pins(Hex.of(zpk), Map.of(PAN, "1234"))).build()).start()) {
            Path dir = TempFiles.newDir("five-commands");
            ChildSwitch child = new ChildSwitch(dir, stub.port(), 2_000, UnaryOperator.identity());
            String config = dir.resolve("switch.yaml").toString();

            // 1 and 2: the terminal's master key and the issuer's PIN key, from the ceremony sheets
            String[] r = Cli.run("keys", "tmk", "--tid", TID, "--component", component(TMK_1), "--component", component(TMK_2),
                    "--config", config);
            assertEquals("0", r[0], r[2]);
            r = Cli.run("keys", "zpk", "--issuer", "issuer-a", "--component", component(ZPK_1), "--component",
                    component(ZPK_2), "--config", config);
            assertEquals("0", r[0], r[2]);
            // 3: check values only, to compare with the sheets
            r = Cli.run("keys", "list", "--config", config);
            assertEquals("0", r[0], r[2]);
            assertTrue(r[1].matches("(?s).*terminal +" + TID + " +TMK +128 " + KeyedTerminal.kcv(tmk) + " .*"), r[1]);
            assertTrue(r[1].matches("(?s).*issuer +issuer-a +ZPK +128 " + KeyedTerminal.kcv(zpk) + " .*"), r[1]);
            assertTrue(!r[1].contains(TMK_1) && !r[1].contains(ZPK_1) && !r[1].contains(Hex.of(tmk)), "no key in clear");
            // 4: run (mac: required, the default)
            child.start();
            try (TerminalClient t = child.terminal()) {
                // 5: the terminal, loaded with the same master key, signs on and takes its working keys
                ISOMsg answer = t.exchange(TerminalMessages.networkManagement("001", "000101", TID));
                assertEquals("00", answer.getString(39));
                KeyedTerminal pad = new KeyedTerminal(Dialect.ISO87, tmk);
                pad.takeKeys(answer); // fails unless the check values match the keys under the TMK

                ISOMsg sale = TerminalMessages.sale(PAN, 4_200, "000102", TID, "MERCHANT0000001");
                sale.set(52, pad.pinBlock("1234", PAN));
                t.sendFrame(pad.maced(sale));
                byte[] body = t.receiveFrame();
                IsoCodec iso87 = IsoCodec.of(Dialect.ISO87);
                ISOMsg approved = iso87.newMessage(null);
                iso87.unpack(body, approved);
                assertEquals("00", approved.getString(39), "MAC checked, PIN 1234 found under the zone key at the stub");
                assertTrue(pad.macValid(body), "the answer carries the switch's MAC under the terminal's MAK");
                LedgerEntry e = stub.ledger().entry(approved.getString(37)).orElseThrow();
                assertTrue(e.approved());
                assertEquals(4_200, e.amount());
            } finally {
                child.stop();
            }
        }
    }

    /** A ceremony sheet's component: its hex and its check value. */
    private static String component(String hex) {
        return hex + ":" + KeyedTerminal.kcv(Hex.bytes(hex));
    }
}
