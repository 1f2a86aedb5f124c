package io.acqswitch.recon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.sim.LedgerEntry;
import io.acqswitch.sim.StubRules;
import io.acqswitch.sim.TerminalClient;
import io.acqswitch.sim.TerminalMessages;
import io.acqswitch.support.Cli;
import io.acqswitch.support.Journals;
import io.acqswitch.support.RigTest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code recon} over real runs (switch and issuer stub on 127.0.0.1, ISO 8583 bytes), one kind of
 * transaction per test, each first in agreement and then in disagreement: the stub's ledger export
 * edited (a line dropped, a flag or an amount changed) or the stub really misbehaving (withheld
 * answers, ignored reversals, an answer the terminal was gone for). Sales and sale timeouts are
 * also in {@link ReconTest}; the rules themselves, row by row, in {@link ReconciliationTest}.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS) // a hung socket fails the test instead of the build
class ReconKindsTest extends RigTest {
    private static final String TID = "TERM0001";
    private static final String MID = "MERCHANT0000001";

    // ---- requests --------------------------------------------------------------------------------

    private ISOMsg approved(ISOMsg request) throws Exception {
        ISOMsg a = t.exchange(request);
        assertEquals("00", a.getString(39), "answer to " + request.getMTI() + "/" + request.getString(3));
        return a;
    }

    private ISOMsg sale(long amount) throws Exception {
        return approved(TerminalMessages.sale(Journals.PAN, amount, stan(), TID, MID));
    }

    private ISOMsg refundOf(ISOMsg sale, long amount) {
        return TerminalMessages.refundOf(Journals.PAN, amount, sale.getString(37), stan(), TID, MID);
    }

    private ISOMsg voidOf(ISOMsg sale, long amount) throws Exception {
        return approved(TerminalMessages.voidOf(Journals.PAN, amount, sale.getString(37), sale.getString(38), stan(), TID, MID));
    }

    private ISOMsg preAuth(long amount) throws Exception {
        return approved(TerminalMessages.preAuth(Journals.PAN, amount, stan(), TID, MID));
    }

    /** Completion 0200/000000, advice 0220/000000, completion void 0200/200000, pre-auth void 0100/200000. */
    private ISOMsg followUp(String mti, String processingCode, ISOMsg original, long amount) throws Exception {
        return approved(TerminalMessages.preAuthFollowUp(mti, processingCode, Journals.PAN, amount, original.getString(37),
                original.getString(38), stan(), TID, MID));
    }

    private static String rrn(ISOMsg answer) {
        return answer.getString(37);
    }

    // ---- waiting for the journal and the stub (bounded) -----------------------------------------

    /** The approval's write outcome came back through the ring and reached the journal. */
    private void awaitDelivered(ISOMsg... answers) throws InterruptedException {
        for (ISOMsg a : answers) {
            Journals.awaitTimeline(rig, rrn(a), tl -> tl.transaction().delivered());
        }
    }

    private void awaitState(String rrn, String state) throws InterruptedException {
        Journals.awaitTimeline(rig, rrn, tl -> tl.transaction().state().equals(state));
    }

    private void awaitReversedAtIssuer(String rrn) throws InterruptedException {
        rig.await(rrn + " reversed at the issuer", () -> rig.ledger(rrn).map(LedgerEntry::reversed).orElse(false),
                Duration.ofSeconds(10));
    }

    // ---- recon and the ledger export --------------------------------------------------------------

    private static void assertAgree(String[] r) {
        assertEquals("0", r[0], r[1] + r[2]);
        assertTrue(r[2].contains("the books agree"), r[2]);
    }

    /** Exit 1 and exactly one difference, which is {@code expected} (the CSV line). */
    private static void assertOnly(String expected, String[] r) {
        assertEquals("1", r[0], r[1] + r[2]);
        List<String> rows = r[1].lines().skip(1).toList();
        assertEquals(List.of(expected), rows, r[1] + r[2]);
    }

    /** The export with one cell of {@code rrn}'s line changed (the stub's export quotes nothing). */
    private static String edit(String csv, String rrn, String column, String value) {
        List<String> lines = new ArrayList<>(List.of(csv.split("\r\n")));
        int col = Arrays.asList(lines.getFirst().split(",")).indexOf(column);
        assertTrue(col >= 0, column);
        int at = lineOf(lines, rrn);
        String[] cells = lines.get(at).split(",", -1);
        cells[col] = value;
        lines.set(at, String.join(",", cells));
        return String.join("\r\n", lines) + "\r\n";
    }

    /** The export without {@code rrn}'s line. */
    private static String drop(String csv, String rrn) {
        List<String> lines = new ArrayList<>(List.of(csv.split("\r\n")));
        lines.remove(lineOf(lines, rrn));
        return String.join("\r\n", lines) + "\r\n";
    }

    private static int lineOf(List<String> lines, String rrn) {
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).startsWith(rrn + ",")) {
                return i;
            }
        }
        throw new AssertionError("no ledger line for " + rrn);
    }

    /** The STATE cell {@code txn find --rrn} prints (a {@code *} after it: approval not delivered). */
    private String foundState(String rrn) {
        String[] found = Cli.run("txn", "find", "--url", "http://127.0.0.1:" + rig.node.httpPort(), "--rrn", rrn);
        assertEquals("0", found[0], found[2]);
        assertTrue(found[1].contains("(* = approval not delivered to the terminal)"), found[1]);
        String row = found[1].lines().filter(l -> l.startsWith(rrn + " ")).findFirst()
                .orElseThrow(() -> new AssertionError(found[1]));
        return row.split("\\s+")[2];
    }

    // ---- refunds ------------------------------------------------------------------------------

    @Test
    void refundIsACreditThatAgreesWhenDeliveredAndIsNamedACreditWhenNot() throws Exception {
        ISOMsg sale = sale(1000);
        ISOMsg refund = approved(refundOf(sale, 400));
        assertEquals("0230", refund.getMTI());
        ISOMsg refused = t.exchange(refundOf(sale, 5000));
        assertEquals("61", refused.getString(39), "more than the sale");
        awaitDelivered(sale, refund);
        awaitState(rrn(refused), "DECLINED");
        Journals.awaitCaughtUp(rig);
        String[] clean = reconLedger();
        assertAgree(clean);
        assertTrue(clean[2].contains("2 approved and delivered, net debit 600"), clean[2]);
        assertTrue(clean[2].contains("2 moved money, net debit 600"), clean[2]);
        assertEquals("APPROVED", foundState(rrn(refund)), "a delivered refund is not marked");
        assertEquals("DECLINED", foundState(rrn(refused)), "nor is a decline: it was no approval");

        String csv = rig.stub.ledger().toCsv();
        assertOnly("REVERSED_AT_ISSUER_ONLY," + rrn(refund) + ",APPROVED,400,400,00,true,"
                + "the credit was approved to the terminal; reversed at the issuer",
                reconLedger(edit(csv, rrn(refund), "reversed", "true")));
        assertOnly("KIND_MISMATCH," + rrn(refund) + ",APPROVED,400,400,00,false,switch REFUND (a credit) vs issuer DEBIT",
                reconLedger(edit(csv, rrn(refund), "kind", "DEBIT")));

        // a refund approved while its terminal was gone: the terminal never learnt it, so its credit is reversed
        rig.stub.setRules(StubRules.builder().latencyMs(300L).build());
        try (TerminalClient gone = rig.terminal()) {
            gone.send(refundOf(sale, 200));
        }
        rig.await("the second credit applied", () -> rig.stub.ledger().entries().stream()
                .anyMatch(e -> e.kind() == LedgerEntry.Kind.CREDIT && e.amount() == 200), Duration.ofSeconds(10));
        String lost = rig.stub.ledger().entries().stream().filter(e -> e.amount() == 200).findFirst().orElseThrow().rrn();
        awaitReversedAtIssuer(lost);
        awaitState(lost, "REVERSED");
        Journals.awaitCaughtUp(rig);
        assertAgree(reconLedger());
        assertOnly("REVERSED_AT_SWITCH_ONLY," + lost + ",REVERSED,200,200,00,false,"
                + "the issuer did not apply the reversal (approval undeliverable)",
                reconLedger(edit(rig.stub.ledger().toCsv(), lost, "reversed", "false")));
        assertOnly("ORPHAN_CREDIT,999999999999,,,200,00,false,the issuer credited the card; the switch has no record",
                reconLedger(edit(edit(rig.stub.ledger().toCsv(), lost, "reversed", "false"), lost, "rrn", "999999999999")));
    }

    // ---- timeouts -----------------------------------------------------------------------------

    @Test
    void timedOutSaleAndRefundAgreeOnceBothAreReversed() throws Exception {
        ISOMsg sale = sale(1000);
        rig.stub.setRules(StubRules.builder().withholdRatio(1.0).build());
        ISOMsg timedOut = t.exchange(TerminalMessages.sale(Journals.PAN, 500, stan(), TID, MID));
        assertEquals("68", timedOut.getString(39));
        ISOMsg refund = t.exchange(refundOf(sale, 300));
        assertEquals("68", refund.getString(39));
        awaitReversedAtIssuer(rrn(timedOut));
        awaitReversedAtIssuer(rrn(refund)); // the terminal was told 68: the credit the issuer applied is taken back
        awaitState(rrn(timedOut), "REVERSED");
        awaitState(rrn(refund), "REVERSED");
        awaitDelivered(sale);
        Journals.awaitCaughtUp(rig);

        assertAgree(reconLedger());
        assertOnly("REVERSED_AT_SWITCH_ONLY," + rrn(refund) + ",REVERSED,300,300,00,false,"
                + "the issuer did not apply the reversal (issuer timeout)",
                reconLedger(edit(rig.stub.ledger().toCsv(), rrn(refund), "reversed", "false")));
        String csv = drop(rig.stub.ledger().toCsv(), rrn(refund)); // as if the refund never reached the issuer
        assertAgree(reconLedger(csv));
        assertOnly("REVERSED_AT_SWITCH_ONLY," + rrn(timedOut) + ",REVERSED,500,500,00,false,"
                + "the issuer did not apply the reversal (issuer timeout)",
                reconLedger(edit(csv, rrn(timedOut), "reversed", "false")));
    }

    // ---- voids --------------------------------------------------------------------------------

    @Test
    void voidAgreesWhenItsOriginalIsReversedAtTheIssuer() throws Exception {
        ISOMsg sale = sale(700);
        ISOMsg v = voidOf(sale, 700);
        awaitReversedAtIssuer(rrn(sale));
        awaitState(rrn(sale), "REVERSED");
        awaitDelivered(v);
        Journals.awaitCaughtUp(rig);
        String[] clean = reconLedger();
        assertAgree(clean);
        assertTrue(clean[2].contains("0 approved and delivered, net debit 0"), clean[2]);
        assertEquals("APPROVED", foundState(rrn(v)), "a delivered void is not marked");

        assertOnly("REVERSED_AT_SWITCH_ONLY," + rrn(sale) + ",REVERSED,700,700,00,false,"
                + "the issuer did not apply the reversal (void " + rrn(v) + ")",
                reconLedger(edit(rig.stub.ledger().toCsv(), rrn(sale), "reversed", "false")));
    }

    @Test
    void preAuthVoidAndCompletionVoidAgreeWhenTheirOriginalsAreReleased() throws Exception {
        ISOMsg auth = preAuth(800);
        ISOMsg authVoid = followUp("0100", "200000", auth, 800);
        ISOMsg held = preAuth(900);
        ISOMsg completion = followUp("0200", "000000", held, 900);
        ISOMsg completionVoid = followUp("0200", "200000", completion, 900);
        awaitReversedAtIssuer(rrn(auth));
        awaitReversedAtIssuer(rrn(completion));
        awaitState(rrn(auth), "REVERSED");
        awaitState(rrn(completion), "REVERSED");
        awaitDelivered(held, authVoid, completionVoid);
        Journals.awaitCaughtUp(rig);
        assertAgree(reconLedger());

        String csv = rig.stub.ledger().toCsv();
        assertOnly("REVERSED_AT_SWITCH_ONLY," + rrn(auth) + ",REVERSED,800,800,00,false,"
                + "the issuer did not apply the reversal (void " + rrn(authVoid) + ")",
                reconLedger(edit(csv, rrn(auth), "reversed", "false")));
        assertOnly("REVERSED_AT_SWITCH_ONLY," + rrn(completion) + ",REVERSED,900,900,00,false,"
                + "the issuer did not apply the reversal (void " + rrn(completionVoid) + ")",
                reconLedger(edit(csv, rrn(completion), "reversed", "false")));
    }

    // ---- completions and pre-authorizations ----------------------------------------------------

    @Test
    void completionIsADebitAndTheHoldItCapturedIsReleased() throws Exception {
        ISOMsg auth = preAuth(1000);
        Thread.sleep(5); // time is the subject: received at a later millisecond, the window below separates the two
        ISOMsg completion = followUp("0200", "000000", auth, 1100);
        ISOMsg auth2 = preAuth(500);
        ISOMsg advice = followUp("0220", "000000", auth2, 480);
        assertEquals("0230", advice.getMTI());
        ISOMsg hold = preAuth(300);
        awaitDelivered(auth, completion, auth2, advice, hold);
        Journals.awaitCaughtUp(rig);
        String[] clean = reconLedger();
        assertAgree(clean);
        assertTrue(clean[2].contains("3 approved and delivered, net debit 1880"), clean[2]);
        assertTrue(clean[2].contains("3 moved money, net debit 1880"), clean[2]);

        String csv = rig.stub.ledger().toCsv();
        // a day that holds the pre-authorization but not its completion: the hold was still captured
        Instant authAt = Journals.queries(rig).timeline(rrn(auth)).orElseThrow().transaction().receivedAt();
        Instant completedAt = Journals.queries(rig).timeline(rrn(completion)).orElseThrow().transaction().receivedAt();
        String[] day = reconLedger(csv, "--from", authAt.toString(), "--to", completedAt.toString());
        assertAgree(day);
        assertTrue(day[2].contains("switch journal: 1 transactions, 0 approved and delivered, net debit 0"), day[2]);

        assertOnly("HOLD_NOT_RELEASED," + rrn(auth) + ",APPROVED,1000,1000,00,false,completion " + rrn(completion)
                + " captured it; the issuer still holds the pre-authorization",
                reconLedger(edit(csv, rrn(auth), "reversed", "false")));
        assertOnly("MISSING_AT_ISSUER," + rrn(advice) + ",APPROVED,480,,,,the debit was approved to the terminal; no issuer entry",
                reconLedger(drop(csv, rrn(advice))));
        assertOnly("AMOUNT_MISMATCH," + rrn(completion) + ",APPROVED,1100,1010,00,false,switch 1100 vs issuer 1010",
                reconLedger(edit(csv, rrn(completion), "amount", "1010")));
        assertOnly("REVERSED_AT_ISSUER_ONLY," + rrn(hold) + ",APPROVED,300,300,00,true,"
                + "the hold was approved to the terminal; reversed at the issuer",
                reconLedger(edit(csv, rrn(hold), "reversed", "true")));
    }

    // ---- terminal reversals -------------------------------------------------------------------

    @Test
    void terminalReversalAgreesOnceTheIssuerAppliesIt() throws Exception {
        ISOMsg first = TerminalMessages.sale(Journals.PAN, 600, stan(), TID, MID);
        ISOMsg a = approved(first);
        ISOMsg reversal = (ISOMsg) first.clone();
        reversal.set(0, "0400");
        assertEquals("00", t.exchange(reversal).getString(39));
        awaitReversedAtIssuer(rrn(a));
        awaitState(rrn(a), "REVERSED");
        Journals.awaitCaughtUp(rig);
        assertAgree(reconLedger());

        rig.stub.setRules(StubRules.builder().ignoreReversals(1_000_000).build());
        ISOMsg second = TerminalMessages.sale(Journals.PAN, 650, stan(), TID, MID);
        ISOMsg b = approved(second);
        awaitDelivered(b);
        ISOMsg reversal2 = (ISOMsg) second.clone();
        reversal2.set(0, "0400");
        assertEquals("00", t.exchange(reversal2).getString(39));
        Journals.awaitTimeline(rig, rrn(b), tl -> tl.transaction().state().equals("REVERSAL_PENDING")
                && tl.transaction().safAttempts() >= 2);
        Journals.awaitCaughtUp(rig);
        assertOnly("REVERSED_AT_SWITCH_ONLY," + rrn(b) + ",REVERSAL_PENDING,650,650,00,false,"
                + "reversal (terminal reversal) not yet acknowledged by the issuer", reconLedger());

        rig.stub.setRules(StubRules.approveAll());
        awaitReversedAtIssuer(rrn(b));
        awaitState(rrn(b), "REVERSED");
        Journals.awaitCaughtUp(rig);
        assertAgree(reconLedger());
    }
}
