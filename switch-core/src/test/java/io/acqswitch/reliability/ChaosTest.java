package io.acqswitch.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.sim.IssuerStub;
import io.acqswitch.sim.StubRules;
import io.acqswitch.sim.TerminalClient;
import io.acqswitch.sim.TerminalMessages;
import io.acqswitch.support.Await;
import io.acqswitch.support.ChildSwitch;
import io.acqswitch.support.MoneyBook;
import io.acqswitch.support.Rig;
import io.acqswitch.support.TempFiles;
import io.micrometer.core.instrument.Counter;
import java.net.BindException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.awaitility.core.ConditionTimeoutException;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Several terminals send mixed traffic (sales, repeats, terminal reversals, voids, terminals that
 * vanish and reverse their unanswered sale on reconnecting) while a scheduler injects faults on the
 * issuer stub: answers withheld, answers late, connections dropped, connections refused, reversals
 * ignored, the stub restarted on the same port (its ledger kept). When the faults stop and the SAF
 * has drained, every debit in the ledger is reconciled with what its terminal learned
 * ({@link MoneyBook}): no double debit, no orphan debit, no lost approval.
 *
 * <p>{@code -Dreliability.chaosSeconds=N} for a long run (default 25 s of traffic),
 * {@code -Dreliability.seed=S} to replay the terminals' and the scheduler's choices.
 */
@Tag("chaos")
@Tag("slow")
@Timeout(value = 2, unit = TimeUnit.HOURS) // a hung socket fails the test; long enough for the long runs of docs/reliability.md
class ChaosTest {
    private static final int CHAOS_SECONDS = Integer.getInteger("reliability.chaosSeconds", 25);
    private static final int TERMINALS = 5;
    private static final long ISSUER_TIMEOUT_MS = 300;
    /** The issuer when no fault is on: approves, declines PANs ending 77, answers within 0–20 ms. */
    private static final StubRules CALM = StubRules.builder()
            .declineSuffixes(Map.of("77", "05"))
            .latencyJitterMs(20L)
            .build();

    enum Fault { RESTART_STUB, RING_BURST, WITHHOLD_ANSWERS, LATE_ANSWERS, DROP_CONNECTIONS, REFUSE_CONNECTIONS, IGNORE_REVERSALS }

    /** A ring small enough for a burst of pipelined requests to fill it (the default is 65536). */
    private static final int RING_SIZE = 256;
    private static final int BURST_CONNECTIONS = 8;
    private static final int BURST_REQUESTS = 150;

    private final MoneyBook book = new MoneyBook();
    private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
    private final Map<Fault, Integer> faults = new EnumMap<>(Fault.class);
    private final AtomicInteger bursts = new AtomicInteger();

    @Test
    void shouldKeepTheMoneyInvariantThroughIssuerFaults() throws Exception {
        long seed = Long.getLong("reliability.seed", System.nanoTime());
        System.out.println("ChaosTest seed=" + seed + " (-Dreliability.seed=" + seed + "), " + CHAOS_SECONDS + " s");
        int port = ChildSwitch.freePort(); // the stub restarts on it: outside the ephemeral range
        IssuerStub stub = new IssuerStub("stub", "127.0.0.1", port, CALM).start();
        List<String> hosts = List.of("127.0.0.1:" + port);
        Path dir = TempFiles.newDir("chaos");
        // every request takes a store record (~300/s here): size the store for the run, 20000 at least
        String yaml = Rig.yaml(hosts, ISSUER_TIMEOUT_MS, dir).replace("store: {expectedEntries: 20000}",
                "store: {expectedEntries: " + Math.max(20_000, CHAOS_SECONDS * 1000) + "}")
                .replace("pipeline: {tick: 20ms}", "pipeline: {tick: 20ms, ringSize: " + RING_SIZE + "}");
        try (Rig rig = Rig.start(stub, hosts, yaml, dir)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(CHAOS_SECONDS).toNanos();
            ExecutorService pool = Executors.newFixedThreadPool(TERMINALS + 1);
            List<Future<?>> terminals = new ArrayList<>();
            for (int t = 0; t < TERMINALS; t++) {
                int terminal = t;
                terminals.add(pool.submit(() -> terminal(rig, terminal, new Random(seed + terminal), deadline)));
            }
            Future<?> scheduler = pool.submit(() -> faults(rig, stub, new Random(seed - 1), deadline));
            scheduler.get();
            for (Future<?> f : terminals) {
                f.get();
            }
            pool.shutdown();
            stub.setRules(CALM);
            try {
                rig.await("in-flight done and SAF drained",
                        () -> rig.node.processor().inFlight() == 0 && rig.node.processor().safDepth() == 0,
                        Duration.ofSeconds(60));
            } catch (ConditionTimeoutException e) { // failed once on a machine at load 15-18: say what was left
                throw new AssertionError("after 60 s: in flight " + rig.node.processor().inFlight() + ", SAF depth "
                        + rig.node.processor().safDepth() + ", issuer links up " + rig.node.issuers().linksUp(0)
                        + ", reversals sent " + rig.counted("switch_reversals_sent", "issuer", "issuer-a") + " / delivered "
                        + rig.counted("switch_reversals_delivered", "issuer", "issuer-a") + "; stub " + stub.ledger().summary(), e);
            }

            MoneyBook.Verdict v = book.reconcile(stub.ledger());
            System.out.printf("ChaosTest: faults %s%n  outcomes %s%n  ledger %s%n  switch: timeouts %.0f, late %.0f,"
                            + " undeliverable approvals %.0f, duplicates replayed %.0f, reversals queued %.0f / sent %.0f"
                            + " / retried %.0f / delivered %.0f, link downs %.0f, reconnects %.0f, no link %.0f%n"
                            + "  verdict %s%n",
                    faults, new TreeMap<>(outcomes), stub.ledger().summary(),
                    rig.counted("switch_timeouts", "issuer", "issuer-a"),
                    rig.counted("switch_late_responses", "issuer", "issuer-a"),
                    rig.counted("switch_undeliverable_approvals"),
                    rig.counted("switch_duplicates", "kind", "replayed"),
                    reversalsQueued(rig),
                    rig.counted("switch_reversals_sent", "issuer", "issuer-a"),
                    rig.counted("switch_reversals_retried", "issuer", "issuer-a"),
                    rig.counted("switch_reversals_delivered", "issuer", "issuer-a"),
                    rig.counted("switch_issuer_link_down_transitions", "issuer", "issuer-a"),
                    rig.counted("switch_issuer_reconnects", "issuer", "issuer-a"),
                    rig.counted("switch_issuer_unavailable", "issuer", "issuer-a", "reason", "no_link_up"), v);
            System.out.printf("  ring full rejections %.0f%n", rig.counted("switch_ring_full_rejections"));

            assertEquals(0, v.doubleDebits(), "double debits");
            assertEquals(0, v.orphanDebits(), "debits standing that the terminal was not told were approved: " + v.orphans());
            assertEquals(0, v.lostApprovals(), "approvals told to a terminal but reversed without its asking");
            assertEquals(0, WireFuzzTest.processorErrors(rig), "processor errors");
            assertEquals(0, rig.counted("switch_reversals_expired"), "expired reversals");
            assertEquals(0, rig.counted("switch_store_full_rejections"), "the store was sized for the run");
            assertTrue(book.approvals() > 0 && v.debits() > book.approvals() - book.reversals(), "the run moved money");
            assertTrue(faults.size() >= Math.min(Fault.values().length, CHAOS_SECONDS / 5), "faults exercised: " + faults);
        } finally {
            stub.close();
        }
    }

    /** After 0.5–1.5 s of calm a fault for 1–2.5 s, each kind once first; a restart keeps the stub down for up to 1 s. */
    private Void faults(Rig rig, IssuerStub stub, Random r, long deadline) throws Exception {
        Fault[] all = Fault.values();
        for (int n = 0; System.nanoTime() < deadline - 2_000_000_000L; n++) {
            Thread.sleep(500 + r.nextInt(1_000)); // time is the subject: the fault schedule
            Fault fault = n < all.length ? all[n] : all[r.nextInt(all.length)]; // each at least once in a short run
            faults.merge(fault, 1, Integer::sum);
            switch (fault) {
                case WITHHOLD_ANSWERS -> stub.setRules(with(0.3, null, null, null, null));
                case LATE_ANSWERS -> stub.setRules(with(null, ISSUER_TIMEOUT_MS * 2, null, null, null));
                case DROP_CONNECTIONS -> stub.setRules(with(null, null, 2 + r.nextInt(20), null, null));
                case REFUSE_CONNECTIONS -> stub.setRules(with(null, null, 1, true, null)); // drop what is open, refuse the rest
                case IGNORE_REVERSALS -> stub.setRules(with(null, null, null, null, 20 + r.nextInt(50)));
                case RING_BURST -> burst(rig, r);
                case RESTART_STUB -> {
                    stub.close();
                    Thread.sleep(r.nextInt(1_000)); // time is the subject: the stub's time down
                    restart(stub);
                }
            }
            Thread.sleep(1_000 + r.nextInt(1_500)); // time is the subject: the fault's length
            stub.setRules(CALM);
        }
        return null;
    }

    /**
     * Ring saturation: {@value #BURST_CONNECTIONS} connections each pipeline {@value #BURST_REQUESTS}
     * sales at once, then read every answer into the book (a full ring answers 91: no debit).
     */
    private void burst(Rig rig, Random r) throws Exception {
        List<TerminalClient> terminals = new ArrayList<>();
        try {
            for (int c = 0; c < BURST_CONNECTIONS; c++) {
                TerminalClient t = rig.terminal();
                terminals.add(t);
                String tid = String.format("BRST%04d", c);
                for (int i = 0; i < BURST_REQUESTS; i++) { // sent without reading: pipelined
                    String stan = String.format("%06d", bursts.incrementAndGet() % 1_000_000);
                    String pan = "47617390010" + String.format("%05d", r.nextInt(100_000));
                    t.send(TerminalMessages.sale(pan, 100 + r.nextInt(10_000), stan, tid, "MERCHANT0000001"));
                }
            }
            for (TerminalClient t : terminals) {
                for (int i = 0; i < BURST_REQUESTS; i++) {
                    book.answered(tally("burst", t.receive()));
                }
            }
        } finally {
            for (TerminalClient t : terminals) {
                t.close();
            }
        }
    }

    private static StubRules with(Double withhold, Long lateMs, Integer dropAfter, Boolean refuse, Integer ignoreReversals) {
        return StubRules.builder()
                .declineSuffixes(CALM.declineSuffixes())
                .latencyJitterMs(CALM.latencyJitterMs())
                .withholdRatio(withhold)
                .lateAnswerMs(lateMs)
                .dropConnectionAfter(dropAfter)
                .refuseConnections(refuse)
                .ignoreReversals(ignoreReversals)
                .build();
    }

    /** Binds the same stub (and so the same ledger) on its port again, retrying while the port is still held. */
    private static void restart(IssuerStub stub) throws Exception {
        Await.until("the stub's port free again", () -> {
            try {
                stub.start();
                return true;
            } catch (Exception e) {
                if (!(e instanceof BindException || e.getCause() instanceof BindException)) {
                    throw e;
                }
                return false;
            }
        }, started -> started, Duration.ofSeconds(5));
    }

    /** One terminal's session until {@code deadline}, as in MoneyInvariantTest. */
    private Void terminal(Rig rig, int terminal, Random random, long deadline) throws Exception {
        String tid = String.format("CHAO%04d", terminal);
        List<ISOMsg> answered = new ArrayList<>();
        ISOMsg last = null;
        TerminalClient t = rig.terminal();
        try {
            for (int step = 1; System.nanoTime() < deadline; step++) {
                Thread.sleep(random.nextInt(5)); // time is the subject: a busy terminal, not a load generator
                int dice = random.nextInt(100);
                String stan = String.format("%06d", step % 1_000_000);
                String pan = "47617390010" + String.format("%05d", random.nextInt(100_000));
                if (dice < 8 && last != null) { // repeat the last request as it was
                    book.answered(tally("repeat", t.exchange(last)));
                } else if (dice < 16 && !answered.isEmpty()) { // reverse an earlier sale
                    ISOMsg original = answered.get(random.nextInt(answered.size()));
                    ISOMsg reversal = (ISOMsg) original.clone();
                    reversal.set(0, "0400");
                    if ("00".equals(tally("reversal", t.exchange(reversal)).getString(39))) {
                        book.reversed(original.getString(37));
                    }
                } else if (dice < 24 && !answered.isEmpty()) { // void an earlier sale
                    ISOMsg original = answered.get(random.nextInt(answered.size()));
                    String rrn = original.getString(37);
                    ISOMsg v = tally("void", t.exchange(TerminalMessages.voidOf(original.getString(2),
                            Long.parseLong(original.getString(4)), rrn, null, stan, tid, "MERCHANT0000001")));
                    if ("00".equals(v.getString(39))) {
                        book.reversed(rrn);
                    }
                } else if (dice < 28) { // vanish after sending; reverse the unanswered sale on reconnecting
                    ISOMsg sale = TerminalMessages.sale(pan, 100 + random.nextInt(10_000), stan, tid, "MERCHANT0000001");
                    t.send(sale);
                    t.close();
                    t = rig.terminal();
                    ISOMsg reversal = (ISOMsg) sale.clone();
                    reversal.set(0, "0400");
                    assertEquals("00", reverseUntilTaken(t, reversal).getString(39));
                    last = null;
                } else {
                    ISOMsg sale = TerminalMessages.sale(pan, 100 + random.nextInt(10_000), stan, tid, "MERCHANT0000001");
                    ISOMsg a = tally("sale", t.exchange(sale));
                    book.answered(a);
                    sale.set(37, a.getString(37)); // remembered only by this test, to name the reversal's target
                    answered.add(sale);
                    last = (ISOMsg) sale.clone();
                    last.unset(37);
                }
            }
        } finally {
            t.close();
        }
        return null;
    }

    /**
     * Sends a terminal's 0400 for a sale it got no answer to, repeating it (as terminals do) while the
     * switch refuses it: 91 because a ring burst has filled the ring, or 96 because the terminal has as
     * many reversals waiting for their originals as the switch keeps (docs/lifecycle.md; seen once on a
     * machine at load 15); at most 50 times.
     */
    private ISOMsg reverseUntilTaken(TerminalClient t, ISOMsg reversal) throws Exception {
        ISOMsg answer = tally("vanished, then reversal", t.exchange(reversal));
        for (int attempt = 1; attempt < 50 && Set.of("91", "96").contains(answer.getString(39)); attempt++) {
            Thread.sleep(50); // time is the subject: a terminal repeats its reversal at its own pace
            answer = tally("vanished, then reversal", t.exchange(reversal));
        }
        return answer;
    }

    private ISOMsg tally(String what, ISOMsg answer) {
        outcomes.computeIfAbsent(what + " " + answer.getString(39), k -> new LongAdder()).increment();
        return answer;
    }

    private static double reversalsQueued(Rig rig) {
        return rig.node.metrics().registry().find("switch_reversals_queued").counters().stream()
                .mapToDouble(Counter::count).sum();
    }
}
