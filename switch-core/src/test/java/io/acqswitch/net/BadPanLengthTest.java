package io.acqswitch.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.acqswitch.iso.Malformation;
import io.acqswitch.sim.LedgerEntry;
import io.acqswitch.sim.TerminalClient;
import io.acqswitch.sim.TerminalMessages;
import io.acqswitch.support.Rig;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A sale whose card number is not 12 to 19 digits is answered 30 by the switch and never reaches the issuer. */
@Timeout(value = 300, unit = TimeUnit.SECONDS) // a hung socket fails the test instead of the build
class BadPanLengthTest {
    @Test
    void shouldAnswer30ToAFourDigitPanSaleAndNeverReachTheIssuer() throws Exception {
        try (Rig rig = Rig.start(2_000); TerminalClient t = rig.terminal()) {
            ISOMsg answer = t.exchange(TerminalMessages.sale("1234", 1000, "000001", "TERM0001", "MERCHANT0000001"));
            assertEquals("0210", answer.getMTI());
            assertEquals("30", answer.getString(39), "format error");
            assertEquals("000001", answer.getString(11));
            assertEquals(1.0, rig.node.metrics().malformedCount(Malformation.BAD_PAN_LENGTH));

            // a good sale on the same connection after it: once it is approved, the bad one would have been seen first
            ISOMsg good = t.exchange(TerminalMessages.sale("4761739001010010", 1000, "000002", "TERM0001", "MERCHANT0000001"));
            assertEquals("00", good.getString(39));
            List<LedgerEntry> ledger = rig.stub.ledger().entries();
            assertEquals(1, ledger.size(), "only the good sale reached the issuer: " + ledger);
            assertEquals(good.getString(37), ledger.getFirst().rrn());
        }
    }
}
