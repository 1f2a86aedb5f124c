package io.acqswitch.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.sim.LedgerEntry;
import io.acqswitch.sim.TerminalClient;
import io.acqswitch.sim.TerminalMessages;
import io.acqswitch.support.Rig;
import io.acqswitch.support.RigTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One test per lifecycle defect a hostile test found (docs/lifecycle.md), end to end over real
 * sockets, judged by the issuer stub's ledger (whose guard, checked when the rig closes, would
 * also catch a card credited beyond its debit).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS) // a hung socket fails the test instead of the build
class LifecycleRegressionTest extends RigTest {
    private static final String PAN = "4761739001010010";
    private static final String OTHER_PAN = "4761739001010028";
    private static final String TID = "TERM0001";
    private static final String MID = "MERCHANT0000001";

    private ISOMsg approvedSale(long amount, String s) throws Exception {
        ISOMsg a = t.exchange(TerminalMessages.sale(PAN, amount, s, TID, MID));
        assertEquals("00", a.getString(39));
        return a;
    }

    private static ISOMsg reversalOf(ISOMsg request) {
        ISOMsg r = (ISOMsg) request.clone();
        r.set(0, "0400");
        return r;
    }

    private long net() {
        return rig.stub.ledger().summary().netDebited();
    }

    private boolean reversedAtIssuer(String rrn) {
        return rig.ledger(rrn).map(LedgerEntry::reversed).orElse(false);
    }

    /** Lets every queued reversal reach the issuer, so that the ledger is at rest. */
    private void atRest() throws InterruptedException {
        Thread.sleep(100); // time is the subject: a few SAF ticks, after which a wrongly queued reversal would be queued
        rig.await("SAF drained", () -> rig.node.processor().safDepth() == 0, Duration.ofSeconds(10));
    }

    @Test
    void shouldRefuseAVoidOfASaleThatWasRefunded() throws Exception {
        ISOMsg sale = approvedSale(1000, stan());
        assertEquals("00", t.exchange(TerminalMessages.refundOf(PAN, 1000, sale.getString(37), stan(), TID, MID)).getString(39));
        ISOMsg v = t.exchange(TerminalMessages.voidOf(PAN, 1000, sale.getString(37), sale.getString(38), stan(), TID, MID));
        assertEquals("22", v.getString(39));
        atRest();
        assertFalse(reversedAtIssuer(sale.getString(37)), "the sale's debit stands beside its credit");
        assertEquals(0, net(), "debit 1000, credit 1000: the card paid nothing, and got nothing more");
    }

    @Test
    void shouldRefuseATerminalReversalOfASaleThatWasRefunded() throws Exception {
        String s = stan();
        ISOMsg saleMsg = TerminalMessages.sale(PAN, 1000, s, TID, MID);
        ISOMsg sale = t.exchange(saleMsg);
        assertEquals("00", t.exchange(TerminalMessages.refundOf(PAN, 400, sale.getString(37), stan(), TID, MID)).getString(39));
        assertEquals("22", t.exchange(reversalOf(saleMsg)).getString(39));
        atRest();
        assertFalse(reversedAtIssuer(sale.getString(37)));
        assertEquals(600, net());
    }

    @Test
    void shouldRefuseARefundInAnotherCurrency() throws Exception {
        ISOMsg sale = approvedSale(1000, stan());
        ISOMsg refund = TerminalMessages.refundOf(PAN, 1000, sale.getString(37), stan(), TID, MID);
        refund.set(49, "392");
        assertEquals("13", t.exchange(refund).getString(39));
        assertEquals(0, rig.stub.ledger().summary().creditsApproved());
        assertEquals(1000, net());
    }

    @Test
    void shouldRefuseASaleOfAmountZeroButServeABalanceInquiry() throws Exception {
        assertEquals("13", t.exchange(TerminalMessages.sale(PAN, 0, stan(), TID, MID)).getString(39));
        assertTrue(rig.stub.ledger().entries().isEmpty(), "nothing reached the issuer");
        ISOMsg balance = TerminalMessages.financial("0200", "310000", PAN, 0, stan(), TID, MID);
        assertEquals("00", t.exchange(balance).getString(39));
    }

    @Test
    void shouldRefuseATerminalReversalThatDisagreesWithItsOriginal() throws Exception {
        String s = stan();
        ISOMsg saleMsg = TerminalMessages.sale(PAN, 5000, s, TID, MID);
        ISOMsg sale = t.exchange(saleMsg);
        assertEquals("14", t.exchange(reversalOf(TerminalMessages.sale(OTHER_PAN, 1, s, TID, MID))).getString(39),
                "another card");
        assertEquals("64", t.exchange(reversalOf(TerminalMessages.sale(PAN, 1, s, TID, MID))).getString(39),
                "another amount");
        ISOMsg otherCurrency = reversalOf(saleMsg);
        otherCurrency.set(49, "156");
        assertEquals("13", t.exchange(otherCurrency).getString(39));
        ISOMsg refundCode = reversalOf(saleMsg);
        refundCode.set(3, "200000");
        assertEquals("12", t.exchange(refundCode).getString(39), "another processing code");
        atRest();
        assertFalse(reversedAtIssuer(sale.getString(37)), "none of them acted on the sale");
        assertEquals(4.0, rig.counted("switch_terminal_reversals_refused", "code", "14")
                + rig.counted("switch_terminal_reversals_refused", "code", "64")
                + rig.counted("switch_terminal_reversals_refused", "code", "13")
                + rig.counted("switch_terminal_reversals_refused", "code", "12"));
        assertEquals("00", t.exchange(reversalOf(saleMsg)).getString(39), "the genuine reversal still acts");
        rig.assertReversedOnce(sale.getString(37));
    }

    @Test
    void shouldReverseTheCreditWhenTheTerminalReversesAnApprovedRefund() throws Exception {
        ISOMsg sale = approvedSale(1000, stan());
        ISOMsg refundMsg = TerminalMessages.refundOf(PAN, 300, sale.getString(37), stan(), TID, MID);
        ISOMsg refund = t.exchange(refundMsg);
        assertEquals("00", refund.getString(39));
        assertEquals("00", t.exchange(reversalOf(refundMsg)).getString(39));
        rig.assertReversedOnce(refund.getString(37));
        assertEquals(1000, net(), "the credit is undone, the sale stands");
        rig.await("the refund's amount is free again once the issuer applied its reversal",
                () -> {
                    try {
                        return "00".equals(t.exchange(TerminalMessages.refundOf(PAN, 1000, sale.getString(37), stan(), TID, MID))
                                .getString(39));
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                }, Duration.ofSeconds(5));
        assertEquals(0, net());
    }

    @Test
    void shouldRefuseAPreAuthVoidAfterItsCompletion() throws Exception {
        ISOMsg auth = t.exchange(TerminalMessages.preAuth(PAN, 1000, stan(), TID, MID));
        assertEquals("00", auth.getString(39));
        ISOMsg completion = t.exchange(TerminalMessages.preAuthFollowUp("0200", "000000", PAN, 900, auth.getString(37),
                auth.getString(38), stan(), TID, MID));
        assertEquals("00", completion.getString(39));
        ISOMsg preAuthVoid = t.exchange(TerminalMessages.preAuthFollowUp("0100", "200000", PAN, 1000, auth.getString(37),
                auth.getString(38), stan(), TID, MID));
        assertEquals("22", preAuthVoid.getString(39));
        atRest();
        assertEquals(0.0, rig.counted("switch_reversals_queued", "reason", "void"), "no reversal of the captured hold");
        assertEquals(1, rig.ledger(auth.getString(37)).orElseThrow().reversalsReceived(), "only the completion's capture");
        assertEquals(900, net());
    }

    @Test
    void shouldNotFailAGenuineSaleForAReversalThatCameFirstWithAnotherCard() throws Exception {
        String s = stan();
        assertEquals("00", t.exchange(reversalOf(TerminalMessages.sale(OTHER_PAN, 2500, s, TID, MID))).getString(39),
                "a reversal of an unknown original is answered 00 and remembered");
        ISOMsg sale = t.exchange(TerminalMessages.sale(PAN, 2500, s, TID, MID));
        assertEquals("00", sale.getString(39));
        atRest();
        assertFalse(reversedAtIssuer(sale.getString(37)));
        assertEquals(1.0, rig.counted("switch_reversal_markers_disagreeing"));
    }

    @Test
    void shouldReverseAnOriginalThatAgreesWithTheReversalThatCameFirst() throws Exception {
        String s = stan();
        assertEquals("00", t.exchange(reversalOf(TerminalMessages.sale(PAN, 2600, s, TID, MID))).getString(39));
        ISOMsg sale = t.exchange(TerminalMessages.sale(PAN, 2600, s, TID, MID));
        assertEquals("68", sale.getString(39), "the terminal had reversed it already");
        rig.assertReversedOnce(sale.getString(37));
        assertEquals(0, net());
    }

    @Test
    void shouldNotLetAFloodOfReversalsOfUnknownOriginalsRefuseGenuineTraffic() throws Exception {
        Path data = Files.createTempDirectory("rig");
        List<String> hosts = List.of("127.0.0.1:" + rig.stub.port());
        String yaml = Rig.yaml(hosts, 2000, data).replace("store: {expectedEntries: 20000}", "store: {expectedEntries: 2000}");
        int flood = 3000;
        Rig small = Rig.start(rig.stub, hosts, yaml, data);
        try (TerminalClient c = small.terminal()) {
            int remembered = 0;
            for (int i = 0; i < flood; i++) { // forged: every one in another terminal's name
                ISOMsg forged = reversalOf(TerminalMessages.sale(PAN, 1, "000001", String.format("F%07d", i), MID));
                String rc = c.exchange(forged).getString(39);
                assertTrue(rc.equals("00") || rc.equals("96"), rc);
                remembered += rc.equals("00") ? 1 : 0;
            }
            assertEquals(100, remembered, "default bound: store.expectedEntries / 20");
            assertEquals(flood - 100.0, small.counted("switch_reversals_unknown_original", "outcome", "refused_bound"));
            for (int i = 0; i < 50; i++) {
                assertEquals("00", c.exchange(TerminalMessages.sale(PAN, 10, String.format("%06d", 100 + i), TID, MID))
                        .getString(39), "genuine sale " + i);
            }
        }
        small.node.close();
        try (Rig again = Rig.start(rig.stub, hosts, yaml, data); TerminalClient c = again.terminal()) {
            assertEquals(100.0, again.node.metrics().registry().get("switch_reversal_markers").gauge().value(),
                    "markers survive a restart, still bounded");
            assertEquals("00", c.exchange(TerminalMessages.sale(PAN, 10, "000999", TID, MID)).getString(39),
                    "after a restart too");
        }
    }
}
