package io.acqswitch.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.acqswitch.iso.MessageClass;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The rows of docs/lifecycle.md as pure decisions on records and an explicit time. */
class LifecycleTest {
    private static final long DAY = Duration.ofDays(1).toMillis();
    private static final long NOW = 1_764_900_000_000L; // a fixed instant; rules read only differences and UTC days
    private static final long CARD = 7L;

    private static TxnRecord record(MessageClass cls, TxnState state, long amount) {
        TxnRecord r = new TxnRecord();
        r.rrn = "000000000001";
        r.messageClass = cls;
        r.state = state;
        r.amount = amount;
        r.currency = "840";
        r.panHash = CARD;
        r.terminalId = "T1";
        r.merchantId = "M1";
        r.authCode = "123456";
        r.mti = cls == MessageClass.REFUND ? "0220" : cls == MessageClass.PRE_AUTH ? "0100" : "0200";
        r.processingCode = cls == MessageClass.REFUND ? "200000" : cls == MessageClass.PRE_AUTH ? "030000" : "000000";
        r.receivedAt = NOW - 1000;
        return r;
    }

    private static TxnRecord sale(TxnState state) {
        return record(MessageClass.SALE, state, 1000);
    }

    private static String voidOf(TxnRecord original, long amount) {
        TxnRecord v = record(MessageClass.VOID, TxnState.RECEIVED, amount);
        return Lifecycle.checkVoid("123456", v, original, NOW, false);
    }

    private static String refundOf(TxnRecord original, long amount, long now) {
        return Lifecycle.checkRefund(record(MessageClass.REFUND, TxnState.RECEIVED, amount), original, now, Duration.ofDays(30));
    }

    private static Lifecycle.ReversalClaim claimOf(TxnRecord r) {
        return new Lifecycle.ReversalClaim(r.panHash, r.amount, r.currency, r.processingCode, "");
    }

    @Test
    void shouldRefuseAZeroAmountExceptForABalanceInquiry() {
        assertEquals("13", Lifecycle.checkAmount(MessageClass.SALE, 0));
        assertEquals("13", Lifecycle.checkAmount(MessageClass.REFUND, 0));
        assertEquals("13", Lifecycle.checkAmount(MessageClass.PRE_AUTH, 0));
        assertNull(Lifecycle.checkAmount(MessageClass.BALANCE, 0));
        assertNull(Lifecycle.checkAmount(MessageClass.SALE, 1));
    }

    @Test
    void shouldApproveAVoidOfAnApprovedSaleOnlyWhileNothingElseActedOnIt() {
        assertNull(voidOf(sale(TxnState.APPROVED), 1000));
        TxnRecord refunded = sale(TxnState.APPROVED);
        refunded.refundedAmount = 1;
        assertEquals("22", voidOf(refunded, 1000), "a credit stands against it");
        assertEquals("22", voidOf(sale(TxnState.REVERSAL_PENDING), 1000), "voided, reversed or timed out");
        assertEquals("12", voidOf(sale(TxnState.DECLINED), 1000));
        assertEquals("64", voidOf(sale(TxnState.APPROVED), 999));
        TxnRecord yen = sale(TxnState.APPROVED);
        yen.currency = "392";
        assertEquals("13", voidOf(yen, 1000));
        assertEquals("25", Lifecycle.checkVoid("123456", record(MessageClass.VOID, TxnState.RECEIVED, 1000),
                sale(TxnState.APPROVED), NOW, true), "its batch is settled");
        assertEquals("25", Lifecycle.checkVoid("123456", record(MessageClass.VOID, TxnState.RECEIVED, 1000),
                sale(TxnState.APPROVED), NOW + DAY, false), "another day");
    }

    @Test
    void shouldRefuseAPreAuthVoidOnceACompletionCapturedIt() {
        TxnRecord preAuth = record(MessageClass.PRE_AUTH, TxnState.APPROVED, 1000);
        TxnRecord v = record(MessageClass.PRE_AUTH_VOID, TxnState.RECEIVED, 1000);
        assertNull(Lifecycle.checkVoid("123456", v, preAuth, NOW, false));
        preAuth.completedBy = "000000000002";
        assertEquals("22", Lifecycle.checkVoid("123456", v, preAuth, NOW, false));
    }

    @Test
    void shouldLimitRefundsToWhatIsLeftInTheSaleCurrencyWithinTheWindow() {
        TxnRecord sale = sale(TxnState.APPROVED);
        assertNull(refundOf(sale, 1000, NOW));
        sale.refundedAmount = 600;
        assertEquals("61", refundOf(sale, 401, NOW));
        assertNull(refundOf(sale, 400, NOW));
        assertEquals("22", refundOf(sale, 1, sale.receivedAt + Duration.ofDays(30).toMillis() + 1), "outside the window");
        TxnRecord refund = record(MessageClass.REFUND, TxnState.RECEIVED, 1);
        refund.currency = "392";
        assertEquals("13", Lifecycle.checkRefund(refund, sale, NOW, Duration.ofDays(30)));
        assertEquals("12", refundOf(sale(TxnState.REVERSAL_PENDING), 1, NOW), "voided or reversed");
    }

    @Test
    void shouldActOnATerminalReversalOnlyWhenItAgreesWithItsOriginal() {
        TxnRecord sale = sale(TxnState.APPROVED);
        Lifecycle.ReversalClaim agrees = claimOf(sale);
        assertEquals(Lifecycle.ReversalAct.REVERSE, Lifecycle.checkReversal(agrees, sale).act());
        assertEquals("14", Lifecycle.checkReversal(new Lifecycle.ReversalClaim(CARD + 1, 1000, "840", "000000", ""), sale)
                .responseCode());
        assertEquals("64", Lifecycle.checkReversal(new Lifecycle.ReversalClaim(CARD, 1, "840", "000000", ""), sale)
                .responseCode());
        assertEquals("13", Lifecycle.checkReversal(new Lifecycle.ReversalClaim(CARD, 1000, "156", "000000", ""), sale)
                .responseCode());
        assertEquals(Lifecycle.ReversalAct.REVERSE,
                Lifecycle.checkReversal(new Lifecycle.ReversalClaim(CARD, 1000, "", "000000", ""), sale).act(),
                "a 0400 without currency is not compared on it");
        assertEquals("12", Lifecycle.checkReversal(new Lifecycle.ReversalClaim(CARD, 1000, "840", "200000", ""), sale)
                .responseCode(), "another processing code");
        assertEquals("12", Lifecycle.checkReversal(new Lifecycle.ReversalClaim(CARD, 1000, "840", "000000", "0100"), sale)
                .responseCode(), "field 90 names another MTI");
    }

    @Test
    void shouldDecideATerminalReversalByItsOriginalsStateAndClass() {
        TxnRecord refunded = sale(TxnState.APPROVED);
        refunded.refundedAmount = 500;
        assertEquals("22", Lifecycle.checkReversal(claimOf(refunded), refunded).responseCode());
        TxnRecord refund = record(MessageClass.REFUND, TxnState.APPROVED, 500);
        assertEquals(Lifecycle.ReversalAct.REVERSE, Lifecycle.checkReversal(claimOf(refund), refund).act(),
                "an approved refund's credit is reversed");
        TxnRecord captured = record(MessageClass.PRE_AUTH, TxnState.APPROVED, 1000);
        captured.completedBy = "000000000002";
        assertEquals("22", Lifecycle.checkReversal(claimOf(captured), captured).responseCode());
        TxnRecord inFlight = sale(TxnState.FORWARDED);
        assertEquals(Lifecycle.ReversalAct.REVERSE_WHEN_ANSWERED, Lifecycle.checkReversal(claimOf(inFlight), inFlight).act());
        for (TxnState done : new TxnState[] {TxnState.DECLINED, TxnState.TIMED_OUT, TxnState.REVERSAL_PENDING, TxnState.REVERSED}) {
            TxnRecord r = sale(done);
            Lifecycle.ReversalDecision d = Lifecycle.checkReversal(claimOf(r), r);
            assertEquals(Lifecycle.ReversalAct.NOTHING, d.act(), done.name());
            assertEquals("00", d.responseCode(), done.name());
        }
        TxnRecord v = record(MessageClass.VOID, TxnState.APPROVED, 1000);
        v.processingCode = "200000";
        assertEquals(Lifecycle.ReversalAct.FLAG_VOID, Lifecycle.checkReversal(claimOf(v), v).act());
        TxnRecord settlement = record(MessageClass.SETTLEMENT, TxnState.APPROVED, 1000);
        assertEquals("12", Lifecycle.checkReversal(claimOf(settlement), settlement).responseCode());
    }

    @Test
    void shouldCompleteAPreAuthOnceWithinToleranceAndValidity() {
        TxnRecord preAuth = record(MessageClass.PRE_AUTH, TxnState.APPROVED, 1000);
        TxnRecord c = record(MessageClass.COMPLETION, TxnState.RECEIVED, 1150);
        assertNull(Lifecycle.checkCompletion(c, preAuth, NOW, 0.15, Duration.ofDays(30)));
        assertEquals("13", Lifecycle.checkCompletion(record(MessageClass.COMPLETION, TxnState.RECEIVED, 1151), preAuth, NOW,
                0.15, Duration.ofDays(30)));
        assertEquals("25", Lifecycle.checkCompletion(c, preAuth, preAuth.receivedAt + Duration.ofDays(30).toMillis() + 1,
                0.15, Duration.ofDays(30)), "expired");
        preAuth.completedBy = "000000000002";
        assertEquals("22", Lifecycle.checkCompletion(c, preAuth, NOW, 0.15, Duration.ofDays(30)));
    }
}
