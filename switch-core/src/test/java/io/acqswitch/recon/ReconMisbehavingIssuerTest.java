package io.acqswitch.recon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.sim.LedgerEntry;
import io.acqswitch.sim.StubRules;
import io.acqswitch.support.Cli;
import io.acqswitch.support.Journals;
import io.acqswitch.support.RigTest;
import java.time.Duration;
import java.util.List;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;

/**
 * {@code recon} after a run in which the issuer stub really misbehaved (not a tampered export): it
 * applied a debit but withheld the answer, then ignored the switch's reversal until the SAF entry
 * expired. Reconciliation must report exactly that transaction, and nothing of the well-behaved
 * traffic around it (including a withheld answer whose reversal the issuer did take); once
 * operations re-queue the reversal and the issuer takes it, the books agree.
 */
class ReconMisbehavingIssuerTest extends RigTest {
    @Override
    protected String configure(String yaml) {
        return yaml.replace("saf: {firstRetry: 100ms, maxRetry: 400ms}", "saf: {firstRetry: 100ms, maxRetry: 200ms, expiry: 1500ms}");
    }

    private static StubRules withhold(int ignoreReversals) {
        return StubRules.builder().withholdRatio(1.0).ignoreReversals(ignoreReversals).build();
    }

    @Test
    void shouldReportExactlyTheDebitWhoseReversalTheIssuerIgnored() throws Exception {
        String stuck;
        String taken;
        for (int i = 0; i < 3; i++) {
            assertEquals("00", t.exchange(Journals.sale(900 + i)).getString(39));
        }
        rig.stub.setRules(withhold(1_000_000));
        ISOMsg a = t.exchange(Journals.sale(910));
        assertEquals("68", a.getString(39), "debit applied, answer withheld");
        stuck = a.getString(37);
        rig.await("the reversal of " + stuck + " expired in the SAF", () -> rig.counted("switch_reversals_expired") >= 1,
                Duration.ofSeconds(10));
        rig.stub.setRules(withhold(0));
        ISOMsg b = t.exchange(Journals.sale(911));
        assertEquals("68", b.getString(39));
        taken = b.getString(37);
        rig.stub.setRules(StubRules.approveAll());
        assertEquals("00", t.exchange(Journals.sale(912)).getString(39));
        rig.await("the other withheld debit reversed", () -> rig.ledger(taken).map(LedgerEntry::reversed).orElse(false),
                Duration.ofSeconds(10));
        Journals.awaitTimeline(rig, stuck, tl -> tl.transaction().safExpired());
        Journals.awaitTimeline(rig, taken, tl -> tl.transaction().state().equals("REVERSED"));
        Journals.awaitCaughtUp(rig);
        assertTrue(rig.ledger(stuck).map(e -> !e.reversed()).orElse(false), "the issuer still holds " + stuck);

        String[] r = reconLedger();
        assertEquals("1", r[0], r[1] + r[2]);
        List<String> rows = r[1].lines().skip(1).toList();
        assertEquals(1, rows.size(), r[1]);
        assertTrue(rows.getFirst().startsWith("REVERSED_AT_SWITCH_ONLY," + stuck + ",REVERSAL_PENDING,910,910,00,false,")
                && rows.getFirst().contains("(SAF expired)"), rows.getFirst());

        String url = "http://127.0.0.1:" + rig.node.httpPort();
        String[] requeue = Cli.run("txn", "requeue", "--url", url, stuck, "--who", "ops", "--why", "issuer fixed");
        assertEquals("0", requeue[0], requeue[2]);
        rig.await("the re-queued reversal taken", () -> rig.ledger(stuck).map(LedgerEntry::reversed).orElse(false),
                Duration.ofSeconds(10));
        Journals.awaitTimeline(rig, stuck, tl -> tl.transaction().state().equals("REVERSED"));
        Journals.awaitCaughtUp(rig);
        String[] after = reconLedger();
        assertEquals("0", after[0], after[1] + after[2]);
        assertTrue(after[2].contains("the books agree"), after[2]);
    }
}
