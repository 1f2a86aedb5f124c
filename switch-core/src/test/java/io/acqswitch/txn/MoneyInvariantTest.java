package io.acqswitch.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.sim.StubRules;
import io.acqswitch.sim.TerminalClient;
import io.acqswitch.sim.TerminalMessages;
import io.acqswitch.support.MoneyBook;
import io.acqswitch.support.Rig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A few thousand mixed transactions from several terminals, with repeats, terminal reversals
 * (some racing their own original), voids, terminals vanishing after sending, and an issuer that withholds
 * some answers and declines others; then every debit in
 * the issuer stub's ledger is compared with what its terminal learned. The money invariant: a debit
 * stands if and only if its terminal received an approval and did not reverse it.
 */
@Tag("slow")
@Timeout(value = 900, unit = TimeUnit.SECONDS) // a hung socket fails the test instead of the build
class MoneyInvariantTest {
    private static final int TERMINALS = 6;
    private static final int STEPS = 400;

    /** What the terminals learned, by switch RRN. */
    private final MoneyBook book = new MoneyBook();

    @Test
    void shouldEndWithNoDoubleAndNoOrphanDebits() throws Exception {
        try (Rig rig = Rig.start(300)) {
            rig.stub.setRules(StubRules.builder()
                    .declineSuffixes(Map.of("77", "05"))
                    .latencyJitterMs(20L)
                    .withholdRatio(0.05)
                    .build());
            ExecutorService pool = Executors.newFixedThreadPool(TERMINALS);
            List<Future<Integer>> runs = new ArrayList<>();
            for (int t = 0; t < TERMINALS; t++) {
                int terminal = t;
                runs.add(pool.submit(() -> terminal(rig, terminal)));
            }
            int requests = 0;
            for (Future<Integer> f : runs) {
                requests += f.get();
            }
            pool.shutdown();
            rig.await("in-flight done and SAF drained",
                    () -> rig.node.processor().inFlight() == 0 && rig.node.processor().safDepth() == 0,
                    Duration.ofSeconds(60));

            MoneyBook.Verdict v = book.reconcile(rig.stub.ledger());
            assertTrue(requests > TERMINALS * STEPS / 2);
            assertEquals(0, v.doubleDebits(), "double debits");
            assertEquals(0, v.orphanDebits(), "debits standing that the terminal was not told were approved: " + v.orphans());
            assertEquals(0, v.lostApprovals(), "approvals told to a terminal but reversed without its asking");
            assertTrue(rig.counted("switch_timeouts", "issuer", "issuer-a") > 0, "the run exercised timeouts");
            assertTrue(rig.counted("switch_duplicates", "kind", "replayed") > 0, "and duplicates");
            assertTrue(rig.stub.ledger().summary().debitsReversed() > 0, "and reversals");
        }
    }

    /** One terminal's session: bounded to {@link #STEPS} steps. Returns the requests sent. */
    private int terminal(Rig rig, int terminal) throws Exception {
        Random random = new Random(42 + terminal);
        String tid = String.format("TERM%04d", terminal);
        List<ISOMsg> answered = new ArrayList<>();
        ISOMsg last = null;
        int sent = 0;
        TerminalClient t = rig.terminal();
        try {
            for (int step = 0; step < STEPS; step++) {
                int dice = random.nextInt(100);
                String stan = String.format("%06d", step + 1);
                String pan = "47617390010" + String.format("%05d", random.nextInt(100_000));
                if (dice < 8 && last != null) { // repeat the last request as it was
                    book.answered(t.exchange(last));
                } else if (dice < 16 && !answered.isEmpty()) { // reverse an earlier sale
                    ISOMsg original = answered.get(random.nextInt(answered.size()));
                    ISOMsg reversal = (ISOMsg) original.clone();
                    reversal.set(0, "0400");
                    ISOMsg a = t.exchange(reversal);
                    if ("00".equals(a.getString(39))) {
                        book.reversed(rrnOf(original));
                    }
                } else if (dice < 24 && !answered.isEmpty()) { // void an earlier sale (same day)
                    ISOMsg original = answered.get(random.nextInt(answered.size()));
                    String rrn = rrnOf(original);
                    ISOMsg v = t.exchange(TerminalMessages.voidOf(original.getString(2), Long.parseLong(original.getString(4)),
                            rrn, null, stan, tid, "MERCHANT0000001"));
                    if ("00".equals(v.getString(39))) {
                        book.reversed(rrn); // voided: must end reversed at the issuer
                    }
                } else if (dice < 28) {
                    // vanish right after sending; like a real POS, reverse the unanswered sale on reconnect
                    // (the switch may or may not have written the approval before it saw the close)
                    ISOMsg sale = TerminalMessages.sale(pan, 100 + random.nextInt(10_000), stan, tid, "MERCHANT0000001");
                    t.send(sale);
                    t.close();
                    t = rig.terminal();
                    ISOMsg reversal = (ISOMsg) sale.clone();
                    reversal.set(0, "0400");
                    assertEquals("00", t.exchange(reversal).getString(39));
                    last = null;
                } else {
                    ISOMsg sale = TerminalMessages.sale(pan, 100 + random.nextInt(10_000), stan, tid, "MERCHANT0000001");
                    ISOMsg a = t.exchange(sale);
                    book.answered(a);
                    sale.set(37, a.getString(37)); // remembered only by this test, to name the reversal's target
                    answered.add(sale);
                    last = (ISOMsg) sale.clone();
                    last.unset(37);
                }
                sent++;
            }
        } finally {
            t.close();
        }
        return sent;
    }

    private static String rrnOf(ISOMsg sale) {
        return sale.getString(37);
    }
}
