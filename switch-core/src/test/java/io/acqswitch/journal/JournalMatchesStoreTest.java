package io.acqswitch.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.sim.StubRules;
import io.acqswitch.sim.TerminalClient;
import io.acqswitch.sim.TerminalMessages;
import io.acqswitch.support.Journals;
import io.acqswitch.support.RigTest;
import io.acqswitch.txn.RecordCodec;
import io.acqswitch.txn.TxnRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * After a mixed run (approvals, a repeat, a void, a refund, a decline, an issuer timeout, a
 * terminal reversal, an approval the terminal never received), once the SAF has drained, the
 * journal holds exactly the store's records, each in its final state.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS) // a hung socket fails the test instead of the build
class JournalMatchesStoreTest extends RigTest {
    private static final String TID = "TERM0001";
    private static final String MID = "MERCHANT0000001";

    private static StubRules rules(Long latencyMs, Double withhold) {
        return StubRules.builder().declineAtOrAbove(5000L).latencyMs(latencyMs).withholdRatio(withhold).build();
    }

    @Test
    void shouldJournalEveryRecordInItsFinalState() throws Exception {
        rig.stub.setRules(rules(null, null));
        Map<String, String> kinds = new HashMap<>();
        List<ISOMsg> sales = new ArrayList<>();
        List<ISOMsg> approved = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            sales.add(Journals.sale(100 + i));
            ISOMsg answer = t.exchange(sales.getLast());
            assertEquals("00", answer.getString(39));
            kinds.put(answer.getString(37), "sale");
            approved.add(answer);
        }
        assertEquals("00", t.exchange(sales.getFirst()).getString(39), "a repeat is replayed");
        ISOMsg v = t.exchange(TerminalMessages.voidOf(Journals.PAN, 101, approved.get(1).getString(37),
                approved.get(1).getString(38), Journals.stan(), TID, MID));
        assertEquals("00", v.getString(39), "void approved");
        kinds.put(v.getString(37), "void");
        ISOMsg refund = t.exchange(TerminalMessages.refundOf(Journals.PAN, 50, approved.get(2).getString(37),
                Journals.stan(), TID, MID));
        assertEquals("00", refund.getString(39), "refund approved");
        kinds.put(refund.getString(37), "refund");
        ISOMsg declined = t.exchange(Journals.sale(6000));
        assertEquals("51", declined.getString(39));
        kinds.put(declined.getString(37), "decline");
        ISOMsg reversal = (ISOMsg) sales.get(3).clone();
        reversal.set(0, "0400");
        assertEquals("00", t.exchange(reversal).getString(39), "terminal reversal answered");
        rig.stub.setRules(rules(null, 1.0));
        ISOMsg timeout = t.exchange(Journals.sale(104));
        assertEquals("68", timeout.getString(39));
        kinds.put(timeout.getString(37), "timeout");
        rig.stub.setRules(rules(300L, null));
        try (TerminalClient t = rig.terminal()) {
            t.send(Journals.sale(105));
        } // gone before the approval
        rig.await("the undeliverable approval reversed", () -> rig.stub.ledger().entries().stream()
                .anyMatch(e -> e.amount() == 105 && e.reversed()), Duration.ofSeconds(10));
        rig.await("SAF drained", () -> rig.node.processor().safDepth() == 0, Duration.ofSeconds(10));
        Journals.awaitCaughtUp(rig);

        List<TxnRecord> records = new ArrayList<>();
        rig.node.store().forEach((rrn, bytes) -> records.add(RecordCodec.decode(bytes)));
        Journals.assertJournalMatchesStore(records, Journals.queries(rig),
                r -> r.rrn + " (" + kinds.getOrDefault(r.rrn, r.messageClass.name()) + ")");
        assertEquals(9, records.size(), "4 sales, a void, a refund, a decline, a timeout, the undelivered sale");
        Set<String> states = new TreeSet<>();
        records.forEach(r -> states.add(r.state.name() + "/" + r.responseCode));
        assertTrue(states.containsAll(List.of("APPROVED/00", "DECLINED/51", "REVERSED/00", "REVERSED/68")),
                "the run reached the final states it was meant to: " + states);
        assertEquals(1, records.stream().filter(r -> r.duplicates == 1).count(), "one repeat recorded");
    }
}
