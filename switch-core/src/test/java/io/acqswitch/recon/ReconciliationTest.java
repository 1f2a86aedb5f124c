package io.acqswitch.recon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.journal.JournalQueries.Txn;
import io.acqswitch.recon.Reconciliation.Difference;
import io.acqswitch.recon.Reconciliation.Kind;
import io.acqswitch.recon.Reconciliation.Report;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Reconciliation#compare} on hand-built journal rows and ledger lines: each class held to
 * what it is at the issuer (sale and completion a debit, refund a credit, pre-authorization a hold
 * its completion releases, void no money of its own). No sockets; the end-to-end runs are
 * {@link ReconKindsTest} and {@link ReconTest}.
 */
class ReconciliationTest {
    private static final Instant AT = Instant.parse("2026-03-02T10:00:00Z");

    private final List<Txn> journal = new ArrayList<>();
    private final List<Txn> followUps = new ArrayList<>();
    private final List<LedgerCsv.Row> ledger = new ArrayList<>();

    // ---- the switch's side ---------------------------------------------------------------------

    private static Txn txn(String rrn, String cls, String state, long amount, boolean delivered, String rc,
                           String originalRrn, String reversalReason) {
        return new Txn(rrn, 1, state, cls, "0200", "000000", "TERM0001", "MERCHANT0000001", "000001",
                "476173******0010", amount, "840", "issuer-a", rc, "123456", delivered, reversalReason, 0, false, AT, AT,
                AT, state.startsWith("REVERS") ? AT : null, AT, originalRrn, "", "", 0, null);
    }

    /** Approved and delivered to the terminal. */
    private Txn approved(String rrn, String cls, long amount, String originalRrn) {
        Txn t = txn(rrn, cls, "APPROVED", amount, true, "00", originalRrn, "");
        journal.add(t);
        return t;
    }

    private Txn approved(String rrn, String cls, long amount) {
        return approved(rrn, cls, amount, "");
    }

    private void journal(Txn t) {
        journal.add(t);
    }

    // ---- the issuer's side ---------------------------------------------------------------------

    private void ledger(String rrn, String kind, long amount, String rc, boolean reversed) {
        ledger.add(new LedgerCsv.Row(ledger.size() + 2, rrn, "000001", "TERM0001", "0200", "476173******0010", amount,
                "840", kind, rc, reversed, AT));
    }

    private void standing(String rrn, String kind, long amount) {
        ledger(rrn, kind, amount, "00", false);
    }

    private void reversedAtIssuer(String rrn, String kind, long amount) {
        ledger(rrn, kind, amount, "00", true);
    }

    private Report compare() {
        return Reconciliation.compare(journal, followUps, ledger, null, null);
    }

    private static Difference only(Report r) {
        assertEquals(1, r.differences().size(), r.csv());
        return r.differences().getFirst();
    }

    private static void assertAgrees(Report r) {
        assertTrue(r.agrees(), r.csv());
    }

    // ---- refunds: credits ----------------------------------------------------------------------

    @Test
    void approvedDeliveredRefundWithAStandingCreditAgrees() {
        approved("000000000001", "SALE", 1000);
        approved("000000000002", "REFUND", 400, "000000000001");
        standing("000000000001", "DEBIT", 1000);
        standing("000000000002", "CREDIT", 400);
        Report r = compare();
        assertAgrees(r);
        assertEquals(2, r.switchApprovedDelivered());
        assertEquals(600, r.switchNetDebit(), "the refund counts as a credit");
        assertEquals(600, r.issuerNetDebit());
    }

    @Test
    void creditTheTerminalWasNotToldOfIsAnOrphanCredit() {
        journal(txn("000000000002", "REFUND", "APPROVED", 400, false, "00", "000000000001", ""));
        journal(txn("000000000003", "REFUND", "TIMED_OUT", 300, false, "68", "000000000001", ""));
        standing("000000000002", "CREDIT", 400);
        standing("000000000003", "CREDIT", 300);
        standing("000000000009", "CREDIT", 250);
        Report r = compare();
        assertEquals(3, r.differences().size(), r.csv());
        for (Difference d : r.differences()) {
            assertEquals(Kind.ORPHAN_CREDIT, d.kind(), d.toString());
            assertTrue(d.detail().startsWith("the issuer credited the card; "), d.detail());
            assertTrue(!d.detail().contains("debit"), d.detail());
        }
        assertEquals("APPROVED (undelivered)", r.differences().get(0).switchState());
        assertTrue(r.differences().get(0).detail().endsWith("the terminal was not given an approval"));
        assertEquals("TIMED_OUT", r.differences().get(1).switchState());
        assertTrue(r.differences().get(2).detail().endsWith("the switch has no record"));
        assertEquals(0, r.switchNetDebit());
        assertEquals(-950, r.issuerNetDebit());
    }

    @Test
    void refundReversedOrMissingAtTheIssuerIsNamedACredit() {
        approved("000000000002", "REFUND", 400, "000000000001");
        approved("000000000003", "REFUND", 300, "000000000001");
        reversedAtIssuer("000000000002", "CREDIT", 400);
        Report r = compare();
        assertEquals(2, r.differences().size(), r.csv());
        assertEquals(Kind.REVERSED_AT_ISSUER_ONLY, r.differences().get(0).kind());
        assertEquals("the credit was approved to the terminal; reversed at the issuer", r.differences().get(0).detail());
        assertEquals(Kind.MISSING_AT_ISSUER, r.differences().get(1).kind());
        assertEquals("the credit was approved to the terminal; no issuer entry", r.differences().get(1).detail());
    }

    @Test
    void refundBookedAsADebitAtTheIssuerIsAKindMismatch() {
        approved("000000000002", "REFUND", 400, "000000000001");
        standing("000000000002", "DEBIT", 400);
        Difference d = only(compare());
        assertEquals(Kind.KIND_MISMATCH, d.kind());
        assertEquals("switch REFUND (a credit) vs issuer DEBIT", d.detail());
    }

    // ---- voids: no money of their own ----------------------------------------------------------

    @Test
    void voidAgreesWhenItsOriginalIsReversedAtBothEnds() {
        journal(txn("000000000001", "SALE", "REVERSED", 700, true, "00", "", "void"));
        approved("000000000002", "VOID", 700, "000000000001");
        journal(txn("000000000003", "PRE_AUTH", "REVERSAL_PENDING", 800, true, "00", "", "void"));
        approved("000000000004", "PRE_AUTH_VOID", 800, "000000000003");
        journal(txn("000000000005", "COMPLETION", "REVERSED", 900, true, "00", "000000000009", "void"));
        approved("000000000006", "COMPLETION_VOID", 900, "000000000005");
        reversedAtIssuer("000000000001", "DEBIT", 700);
        standing("000000000003", "DEBIT", 800); // the SAF has not delivered the reversal yet: reported below
        reversedAtIssuer("000000000005", "DEBIT", 900);
        Difference d = only(compare());
        assertEquals(Kind.REVERSED_AT_SWITCH_ONLY, d.kind());
        assertEquals("000000000003", d.rrn(), "nothing is reported on the voids themselves");
        assertEquals("reversal (void 000000000004) not yet acknowledged by the issuer", d.detail());

        ledger.set(1, new LedgerCsv.Row(3, "000000000003", "000001", "TERM0001", "0100", "476173******0010", 800, "840",
                "DEBIT", "00", true, AT));
        Report r = compare();
        assertAgrees(r);
        assertEquals(0, r.switchApprovedDelivered(), "voids and reversed originals hold no money");
        assertEquals(0, r.switchNetDebit());
    }

    @Test
    void voidWhoseOriginalTheIssuerStillHoldsIsReportedOnTheOriginalNamingTheVoid() {
        journal(txn("000000000001", "SALE", "REVERSED", 700, true, "00", "", "void"));
        approved("000000000002", "VOID", 700, "000000000001");
        standing("000000000001", "DEBIT", 700);
        Difference d = only(compare());
        assertEquals(Kind.REVERSED_AT_SWITCH_ONLY, d.kind());
        assertEquals("000000000001", d.rrn());
        assertEquals("the issuer did not apply the reversal (void 000000000002)", d.detail());
    }

    @Test
    void approvedVoidWhoseOriginalTheSwitchDidNotReverseIsVoidNotApplied() {
        approved("000000000001", "SALE", 700);
        approved("000000000002", "VOID", 700, "000000000001");
        standing("000000000001", "DEBIT", 700);
        Difference d = only(compare());
        assertEquals(Kind.VOID_NOT_APPLIED, d.kind());
        assertEquals("000000000002", d.rrn());
        assertEquals("void approved to the terminal; its original 000000000001 is APPROVED at the switch, not reversed",
                d.detail());
    }

    @Test
    void voidWhoseOriginalIsOutsideTheWindowIsNotJudgedHere() {
        approved("000000000002", "VOID", 700, "000000000001");
        assertAgrees(compare());
    }

    @Test
    void declinedVoidLeavesItsApprovedOriginalStanding() {
        approved("000000000001", "SALE", 700);
        journal(txn("000000000002", "VOID", "DECLINED", 700, false, "64", "000000000001", ""));
        standing("000000000001", "DEBIT", 700);
        assertAgrees(compare());
    }

    @Test
    void moneyAtTheIssuerUnderARrnThatMovesNoneIsAnOrphan() {
        approved("000000000002", "VOID", 700, "");
        approved("000000000003", "BALANCE", 0);
        standing("000000000002", "DEBIT", 700);
        ledger("000000000003", "BALANCE", 0, "00", false);
        Difference d = only(compare());
        assertEquals(Kind.ORPHAN_DEBIT, d.kind());
        assertEquals("the issuer holds the money; a VOID moves no money", d.detail());
    }

    // ---- pre-authorizations: holds, released by their completion ------------------------------

    @Test
    void uncapturedPreAuthHoldingMoneyAgrees() {
        approved("000000000001", "PRE_AUTH", 500);
        standing("000000000001", "DEBIT", 500);
        Report r = compare();
        assertAgrees(r);
        assertEquals(500, r.switchNetDebit(), "a hold counts");
    }

    @Test
    void preAuthCapturedByACompletionAgreesWithItsHoldReleased() {
        approved("000000000001", "PRE_AUTH", 1000);
        approved("000000000002", "COMPLETION", 1100, "000000000001");
        approved("000000000003", "PRE_AUTH", 500);
        approved("000000000004", "COMPLETION_ADVICE", 480, "000000000003");
        reversedAtIssuer("000000000001", "DEBIT", 1000);
        standing("000000000002", "DEBIT", 1100);
        reversedAtIssuer("000000000003", "DEBIT", 500);
        standing("000000000004", "DEBIT", 480);
        Report r = compare();
        assertAgrees(r);
        assertEquals(2, r.switchApprovedDelivered(), "the completions; the captured holds are released");
        assertEquals(1580, r.switchNetDebit());
        assertEquals(1580, r.issuerNetDebit());
    }

    @Test
    void preAuthCapturedByACompletionOutsideTheWindowAgrees() {
        approved("000000000001", "PRE_AUTH", 1000);
        followUps.add(txn("000000000002", "COMPLETION", "APPROVED", 1000, true, "00", "000000000001", ""));
        reversedAtIssuer("000000000001", "DEBIT", 1000);
        assertAgrees(compare());
    }

    @Test
    void preAuthWhoseCompletionWasVoidedStaysReleased() {
        approved("000000000001", "PRE_AUTH", 800);
        journal(txn("000000000002", "COMPLETION", "REVERSED", 800, true, "00", "000000000001", "void"));
        approved("000000000003", "COMPLETION_VOID", 800, "000000000002");
        reversedAtIssuer("000000000001", "DEBIT", 800);
        reversedAtIssuer("000000000002", "DEBIT", 800);
        assertAgrees(compare());
    }

    @Test
    void capturedPreAuthStillHeldAtTheIssuerIsHoldNotReleased() {
        approved("000000000001", "PRE_AUTH", 1000);
        approved("000000000002", "COMPLETION", 1000, "000000000001");
        standing("000000000001", "DEBIT", 1000);
        standing("000000000002", "DEBIT", 1000);
        Difference d = only(compare());
        assertEquals(Kind.HOLD_NOT_RELEASED, d.kind());
        assertEquals("000000000001", d.rrn());
        assertEquals("completion 000000000002 captured it; the issuer still holds the pre-authorization", d.detail());
    }

    @Test
    void preAuthWhoseCompletionTimedOutAgreesHeldOrReleased() {
        approved("000000000001", "PRE_AUTH", 600);
        journal(txn("000000000002", "COMPLETION", "REVERSED", 600, false, "68", "000000000001", "issuer timeout"));
        approved("000000000003", "PRE_AUTH", 700);
        journal(txn("000000000004", "COMPLETION", "REVERSED", 700, false, "68", "000000000003", "issuer timeout"));
        reversedAtIssuer("000000000001", "DEBIT", 600);  // the late completion captured it, then was reversed
        reversedAtIssuer("000000000002", "DEBIT", 600);
        standing("000000000003", "DEBIT", 700);          // the completion never reached the issuer
        Report r = compare();
        assertAgrees(r);
        assertEquals(700, r.switchNetDebit(), "a hold counts where the issuer still has it");
        assertEquals(700, r.issuerNetDebit());
    }

    @Test
    void preAuthReleasedAtTheIssuerWithoutACompletionIsReversedAtIssuerOnly() {
        approved("000000000001", "PRE_AUTH", 500);
        journal(txn("000000000002", "COMPLETION", "DECLINED", 500, false, "05", "000000000001", ""));
        reversedAtIssuer("000000000001", "DEBIT", 500);
        Difference d = only(compare());
        assertEquals(Kind.REVERSED_AT_ISSUER_ONLY, d.kind());
        assertEquals("the hold was approved to the terminal; reversed at the issuer", d.detail());
    }

    // ---- completions: debits -------------------------------------------------------------------

    @Test
    void completionIsADebit() {
        approved("000000000001", "COMPLETION_ADVICE", 480, "");
        approved("000000000002", "COMPLETION", 900, "");
        standing("000000000001", "DEBIT", 480);
        ledger("000000000002", "DEBIT", 900, "05", false);
        Difference d = only(compare());
        assertEquals(Kind.MISSING_AT_ISSUER, d.kind());
        assertEquals("000000000002", d.rrn());
        assertEquals("the debit was approved to the terminal; the issuer answered 05", d.detail());

        ledger.set(1, new LedgerCsv.Row(3, "000000000002", "000001", "TERM0001", "0200", "476173******0010", 900, "840",
                "CREDIT", "00", false, AT));
        assertEquals(Kind.KIND_MISMATCH, only(compare()).kind());
    }
}
