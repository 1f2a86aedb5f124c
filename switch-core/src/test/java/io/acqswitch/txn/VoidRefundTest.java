package io.acqswitch.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.sim.LedgerEntry;
import io.acqswitch.sim.StubRules;
import io.acqswitch.sim.TerminalClient;
import io.acqswitch.sim.TerminalMessages;
import io.acqswitch.support.Rig;
import io.acqswitch.support.RigTest;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Voids (撤销) and refunds (退货) end to end in the iso87 dialect, judged by the issuer stub's ledger. */
@Timeout(value = 300, unit = TimeUnit.SECONDS) // a hung socket fails the test instead of the build
class VoidRefundTest extends RigTest {
    private static final String PAN = "4761739001010010";
    private static final String OTHER_PAN = "4761739001010028";
    private static final String TID = "TERM0001";
    private static final String MID = "MERCHANT0000001";
    /** An approved sale; returns its answer (37 = RRN, 38 = auth code). */
    private ISOMsg sale(long amount) throws Exception {
        ISOMsg a = t.exchange(TerminalMessages.sale(PAN, amount, stan(), TID, MID));
        assertEquals("00", a.getString(39));
        return a;
    }

    private ISOMsg voidOf(ISOMsg sale, String pan, long amount) throws Exception {
        return t.exchange(TerminalMessages.voidOf(pan, amount, sale.getString(37), sale.getString(38), stan(), TID, MID));
    }

    private ISOMsg refundOf(ISOMsg sale, String pan, long amount) throws Exception {
        return t.exchange(TerminalMessages.refundOf(pan, amount, sale.getString(37), stan(), TID, MID));
    }

    private void awaitReversed(String rrn) throws InterruptedException {
        rig.await("debit " + rrn + " reversed at the issuer",
                () -> rig.ledger(rrn).map(LedgerEntry::reversed).orElse(false), Duration.ofSeconds(10));
    }

    @Test
    void shouldApproveSameDayVoidAndReverseTheSaleAtTheIssuer() throws Exception {
        ISOMsg sale = sale(1500);
        ISOMsg v = voidOf(sale, PAN, 1500);
        assertEquals("0210", v.getMTI());
        assertEquals("00", v.getString(39));
        awaitReversed(sale.getString(37));
        assertEquals(0, rig.stub.ledger().summary().netDebited());
        assertEquals(1, rig.stub.ledger().summary().debitsApproved(), "the void itself debits nothing");
    }

    @Test
    void shouldAnswer25ForVoidOfUnknownOriginal() throws Exception {
        ISOMsg sale = sale(100);
        sale.set(37, "999999999999");
        assertEquals("25", voidOf(sale, PAN, 100).getString(39));
    }

    @Test
    void shouldAnswer25ForVoidWithWrongAuthCode() throws Exception {
        ISOMsg sale = sale(100);
        sale.set(38, "XXXXXX");
        assertEquals("25", voidOf(sale, PAN, 100).getString(39));
    }

    @Test
    void shouldAnswer14ForVoidWithAnotherCard() throws Exception {
        assertEquals("14", voidOf(sale(200), OTHER_PAN, 200).getString(39));
    }

    @Test
    void shouldAnswer64ForVoidOfAnotherAmount() throws Exception {
        assertEquals("64", voidOf(sale(300), PAN, 299).getString(39));
    }

    @Test
    void shouldAnswer22ForSecondVoid() throws Exception {
        ISOMsg sale = sale(400);
        assertEquals("00", voidOf(sale, PAN, 400).getString(39));
        assertEquals("22", voidOf(sale, PAN, 400).getString(39));
        rig.assertReversedOnce(sale.getString(37));
    }

    @Test
    void shouldAnswer22ForVoidAfterTerminalReversal() throws Exception {
        String s = stan();
        ISOMsg saleMsg = TerminalMessages.sale(PAN, 450, s, TID, MID);
        ISOMsg sale = t.exchange(saleMsg);
        ISOMsg reversal = (ISOMsg) saleMsg.clone();
        reversal.set(0, "0400");
        assertEquals("00", t.exchange(reversal).getString(39));
        assertEquals("22", voidOf(sale, PAN, 450).getString(39));
    }

    @Test
    void shouldAnswer12ForVoidOfDeclinedSale() throws Exception {
        rig.stub.setRules(StubRules.builder().declineSuffixes(Map.of("10", "05")).build());
        ISOMsg sale = t.exchange(TerminalMessages.sale(PAN, 500, stan(), TID, MID));
        assertEquals("05", sale.getString(39));
        assertEquals("12", voidOf(sale, PAN, 500).getString(39));
    }

    @Test
    void shouldRepeatVoidAnswerForDuplicateVoid() throws Exception {
        ISOMsg sale = sale(550);
        ISOMsg voidMsg = TerminalMessages.voidOf(PAN, 550, sale.getString(37), sale.getString(38), stan(), TID, MID);
        assertEquals("00", t.exchange(voidMsg).getString(39));
        assertEquals("00", t.exchange(voidMsg).getString(39), "the repeat is replayed, not refused as a second void");
    }

    @Test
    void shouldFlagVoidReversedByTerminalAndReauthorizeNothing() throws Exception {
        ISOMsg sale = sale(600);
        String s = stan();
        ISOMsg voidMsg = TerminalMessages.voidOf(PAN, 600, sale.getString(37), sale.getString(38), s, TID, MID);
        assertEquals("00", t.exchange(voidMsg).getString(39));
        ISOMsg voidReversal = (ISOMsg) voidMsg.clone();
        voidReversal.set(0, "0400");
        assertEquals("00", t.exchange(voidReversal).getString(39));
        awaitReversed(sale.getString(37));
        rig.await("flagged for operations", () -> rig.counted("switch_void_reversals_flagged") == 1.0, Duration.ofSeconds(5));
        assertEquals(1, rig.stub.ledger().summary().debitsApproved(), "no new debit");
    }

    @Test
    void shouldCreditPartialRefundsUpToTheSaleAmount() throws Exception {
        ISOMsg sale = sale(1000);
        ISOMsg first = refundOf(sale, PAN, 600);
        assertEquals("0230", first.getMTI());
        assertEquals("00", first.getString(39));
        assertEquals("61", refundOf(sale, PAN, 401).getString(39), "only 400 remain");
        assertEquals("00", refundOf(sale, PAN, 400).getString(39));
        assertEquals("61", refundOf(sale, PAN, 1).getString(39));
        var summary = rig.stub.ledger().summary();
        assertEquals(2, summary.creditsApproved());
        assertEquals(1000, summary.creditsApprovedAmount());
        assertEquals(0, summary.netDebited());
    }

    @Test
    void shouldAnswer25ForRefundOfUnknownSaleAnd14ForAnotherCard() throws Exception {
        ISOMsg sale = sale(700);
        assertEquals("14", refundOf(sale, OTHER_PAN, 100).getString(39));
        sale.set(37, "999999999999");
        assertEquals("25", refundOf(sale, PAN, 100).getString(39));
        assertEquals(0, rig.stub.ledger().summary().creditsApproved());
    }

    @Test
    void shouldReverseARefundThatTimedOutAndFreeItsAmountOnceReversed() throws Exception {
        ISOMsg sale = sale(800);
        rig.stub.setRules(StubRules.builder().withholdRatio(1.0).build());
        ISOMsg refund = refundOf(sale, PAN, 800);
        assertEquals("68", refund.getString(39), "the terminal is told the refund failed ...");
        rig.assertReversedOnce(refund.getString(37)); // ... so the credit the issuer applied is taken back
        assertEquals(LedgerEntry.Kind.CREDIT, rig.ledger(refund.getString(37)).orElseThrow().kind());
        assertEquals(1.0, rig.counted("switch_reversals_queued", "reason", "issuer_timeout"));
        rig.stub.setRules(StubRules.approveAll());
        assertEquals("00", refundOf(sale, PAN, 800).getString(39), "once reversed, the amount can be refunded again");
        assertEquals(0, rig.stub.ledger().summary().netDebited());
    }

    @Test
    void shouldAnswer22ForRefundOutsideTheWindow() throws Exception {
        var data = Files.createTempDirectory("rig");
        List<String> hosts = List.of("127.0.0.1:" + rig.stub.port());
        String yaml = Rig.yaml(hosts, 2000, data) + "transactions: {refundWindow: 1ms}\n";
        try (Rig narrow = Rig.start(rig.stub, hosts, yaml, data); TerminalClient n = narrow.terminal()) {
            ISOMsg sale = n.exchange(TerminalMessages.sale(PAN, 900, stan(), TID, MID));
            Thread.sleep(20); // time is the subject: the 1 ms refund window has passed
            ISOMsg refund = n.exchange(TerminalMessages.refundOf(PAN, 900, sale.getString(37), stan(), TID, MID));
            assertEquals("22", refund.getString(39));
        }
        assertTrue(rig.stub.ledger().summary().creditsApproved() == 0);
    }
}
