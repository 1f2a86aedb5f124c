package io.acqswitch.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.acqswitch.sim.IssuerStub;
import io.acqswitch.sim.StubRules;
import io.acqswitch.sim.TerminalClient;
import io.acqswitch.sim.TerminalMessages;
import io.acqswitch.support.Await;
import io.acqswitch.support.ChildSwitch;
import io.acqswitch.support.Http;
import io.acqswitch.support.MoneyBook;
import io.acqswitch.support.TerminalScript;
import io.acqswitch.txn.ReversalReasons;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.awaitility.core.ConditionTimeoutException;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The switch process killed (SIGKILL) again and again under traffic, and restarted each time on the
 * same data directory and port. Terminals behave as real ones do: a request whose answer never
 * came (the connection died under it) is reversed with a 0400 once they can connect again; they
 * also repeat requests and reverse earlier sales. After the last restart and once the switch has
 * settled, the issuer stub's ledger must show no double debit, no debit the terminal was not told
 * was approved, and no approval lost except one whose delivery a kill left unconfirmed (the switch
 * reverses those at restart: it cannot know whether the terminal read the answer).
 *
 * <p>{@code -Dreliability.killChaosSeconds=N} for a long run (default 20 s of traffic, longer when
 * the restarts are so slow that two kills did not fit),
 * {@code -Dreliability.seed=S} to replay the terminals' and the killer's choices. The switch's logs
 * stay under {@code switch-core/target/kill-chaos-*}.
 */
@Tag("chaos")
@Tag("slow")
@Timeout(value = 2, unit = TimeUnit.HOURS) // a hung socket fails the test; long enough for the long runs of docs/reliability.md
class KillChaosTest {
    private static final int SECONDS = Integer.getInteger("reliability.killChaosSeconds", 20);
    /** The kills a run makes at least: traffic goes on past {@link #SECONDS} until it has (restarts are slow on a busy machine). */
    private static final int MIN_KILLS = Math.min(2, SECONDS / 8);
    /** Traffic a kill needs after it: the longest wait before it (5 s) and 3 s of traffic with the switch back. */
    private static final long ROOM_FOR_A_KILL_NANOS = Duration.ofSeconds(8).toNanos();
    private static final int TERMINALS = 3;
    private static final String MID = "MERCHANT0000001";

    private final MoneyBook book = new MoneyBook();
    private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
    private final AtomicInteger kills = new AtomicInteger();
    private final AtomicInteger cutOff = new AtomicInteger();

    @Test
    void shouldLoseNoMoneyWhenTheSwitchIsKilledUnderTraffic() throws Exception {
        long seed = Long.getLong("reliability.seed", System.nanoTime());
        System.out.println("KillChaosTest seed=" + seed + " (-Dreliability.seed=" + seed + "), " + SECONDS + " s");
        StubRules calm = StubRules.builder().declineSuffixes(Map.of("77", "05")).latencyJitterMs(20L).build();
        try (IssuerStub stub = new IssuerStub("stub", "127.0.0.1", 0, calm).start()) {
            ChildSwitch sw = new ChildSwitch(Path.of("target", "kill-chaos-" + System.currentTimeMillis()), stub.port(), 2_000,
                    yaml -> yaml.replace("store: {expectedEntries: 20000}",
                            "store: {expectedEntries: " + Math.max(20_000, SECONDS * 600) + "}"));
            sw.start();
            ExecutorService pool = Executors.newFixedThreadPool(TERMINALS + 1);
            try {
                AtomicLong deadline = new AtomicLong(System.nanoTime() + Duration.ofSeconds(SECONDS).toNanos());
                List<Future<?>> running = new ArrayList<>();
                for (int t = 0; t < TERMINALS; t++) {
                    int terminal = t;
                    running.add(pool.submit(() -> terminal(sw, terminal, new Random(seed + terminal), deadline)));
                }
                running.add(pool.submit(() -> killer(sw, new Random(seed - 1), deadline)));
                for (Future<?> f : running) {
                    f.get(SECONDS + 180L, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            try {
                // the last life reverses what the kills left in flight and delivers its reversal advices
                MoneyBook.Verdict v = settle(stub);
                System.out.printf("KillChaosTest: kills %d (lives %d), requests cut off by a kill %d%n  outcomes %s%n"
                                + "  ledger %s%n  verdict %s%n", kills.get(), sw.lives(), cutOff.get(),
                        new TreeMap<>(outcomes), stub.ledger().summary(), v);
                assertEquals(0, v.doubleDebits(), "double debits");
                assertEquals(0, v.orphanDebits(), "debits standing that the terminal was not told were approved: "
                        + v.orphans());
                // A kill between writing an approval to the terminal's socket and recording that write
                // leaves its delivery unconfirmed: the restarted switch reverses it rather than leave a
                // debit the terminal may never have learnt of. Such an approval may have reached the
                // terminal; it is the only way one may be lost, and operations see it in /ops/undelivered.
                for (String rrn : v.lost()) {
                    assertEquals(ReversalReasons.RECOVERY_UNCONFIRMED, reversalReason(sw, rrn),
                            "approval " + rrn + " told to a terminal but reversed for another reason");
                }
                System.out.printf("  approvals reversed because a kill left their delivery unconfirmed: %d%n",
                        v.lostApprovals());
                assertTrue(kills.get() >= MIN_KILLS, "the switch was killed: " + kills.get());
                assertTrue(book.approvals() > 0, "the run moved money");
            } finally {
                sw.kill();
            }
        }
    }

    /** The reversal reason the switch journaled for {@code rrn} (waiting at most 10 s for the journal). */
    private static String reversalReason(ChildSwitch sw, String rrn) throws Exception {
        Callable<HttpResponse<String>> lookUp = () -> Http.get(sw.httpPort, "/ops/transactions/" + rrn);
        HttpResponse<String> rsp;
        try {
            rsp = Await.until("the journal has " + rrn + " reversed", lookUp,
                    r -> r.statusCode() == 200 && transaction(r).path("state").asText().equals("REVERSED"),
                    Duration.ofSeconds(10));
        } catch (ConditionTimeoutException e) {
            rsp = lookUp.call(); // what the journal holds now: the caller's assertion says what is wrong
        }
        return rsp.statusCode() == 200 ? transaction(rsp).path("reversalReason").asText()
                : "not journaled (HTTP " + rsp.statusCode() + ")";
    }

    private static JsonNode transaction(HttpResponse<String> rsp) {
        try {
            return new ObjectMapper().readTree(rsp.body()).path("transaction");
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits (at most 60 s) until the ledger agrees with what the terminals learned, then returns the verdict. */
    private MoneyBook.Verdict settle(IssuerStub stub) throws InterruptedException {
        try {
            return Await.until("the ledger agrees", () -> book.reconcile(stub.ledger()),
                    v -> v.orphanDebits() == 0 && v.lostApprovals() == 0, Duration.ofSeconds(60));
        } catch (ConditionTimeoutException e) {
            return book.reconcile(stub.ledger()); // the caller's assertions say what is wrong
        }
    }

    /**
     * Every 2–5 s: SIGKILL, then a restart after up to 0.5 s; the switch is up when it returns. Until
     * 3 s before {@code deadline}, which it moves on (so the terminals go on too) while fewer than
     * {@link #MIN_KILLS} kills were made.
     */
    private Void killer(ChildSwitch sw, Random r, AtomicLong deadline) throws Exception {
        while (true) {
            if (kills.get() < MIN_KILLS) {
                deadline.accumulateAndGet(System.nanoTime() + ROOM_FOR_A_KILL_NANOS, Math::max);
            }
            if (System.nanoTime() >= deadline.get() - 3_000_000_000L) {
                break;
            }
            Thread.sleep(2_000 + r.nextInt(3_000)); // time is the subject: the fault schedule
            sw.kill();
            kills.incrementAndGet();
            Thread.sleep(r.nextInt(500)); // time is the subject: the fault schedule
            sw.start();
        }
        return null;
    }

    /** One terminal until {@code deadline}: sales, repeats, reversals; a request cut off by a kill is reversed. */
    private Void terminal(ChildSwitch sw, int terminal, Random random, AtomicLong deadline) throws Exception {
        TerminalScript script = new TerminalScript(String.format("KILL%04d", terminal), MID);
        TerminalClient t = connect(sw);
        try {
            for (int step = 1; System.nanoTime() < deadline.get(); step++) {
                Thread.sleep(random.nextInt(5)); // time is the subject: a terminal's pace
                TerminalScript.Step next = script.next(random, String.format("%06d", step % 1_000_000),
                        () -> 100 + random.nextInt(10_000));
                ISOMsg answer;
                try {
                    answer = t.exchange(next.request());
                } catch (IOException cut) { // the switch died under it: the terminal does not know the outcome
                    cutOff.incrementAndGet();
                    outcomes.computeIfAbsent("cut off: " + next.kind(), k -> new LongAdder()).increment();
                    t.close();
                    t = reverseUntilAnswered(sw, connect(sw), next.request());
                    book.reversed(script.reversedAfterCutOff(next)); // reversing a repeat reverses the sale it repeats
                    continue;
                }
                tally(next.kind(), answer);
                if (next.reversal()) {
                    assertEquals("00", answer.getString(39), "a reversal is always answered 00");
                    book.reversed(next.reverses());
                    continue;
                }
                book.answered(answer);
                script.answered(next, answer);
            }
        } finally {
            t.close();
        }
        return null;
    }

    /**
     * A 0400 for {@code request} (an 0400 itself is simply repeated) until the switch answers it:
     * what a terminal does for a request it got no answer to. Returns the connection to go on with.
     */
    private TerminalClient reverseUntilAnswered(ChildSwitch sw, TerminalClient t, ISOMsg request) throws Exception {
        ISOMsg reversal = (ISOMsg) request.clone();
        reversal.set(0, "0400");
        reversal.unset(37);
        for (int attempt = 0; attempt < 50; attempt++) {
            try {
                tally("reversal after a cut-off", t.exchange(reversal));
                return t;
            } catch (IOException again) { // killed again meanwhile
                t.close();
                t = connect(sw);
            }
        }
        throw new AssertionError("a reversal could not be delivered in 50 attempts");
    }

    /** Connects, retrying while the switch is down (at most 60 s: a restart takes a few seconds). */
    private static TerminalClient connect(ChildSwitch sw) throws InterruptedException {
        return Await.until("the switch back", () -> {
            try {
                return sw.terminal();
            } catch (IOException down) {
                return null;
            }
        }, Objects::nonNull, Duration.ofSeconds(60));
    }

    private void tally(String what, ISOMsg answer) {
        outcomes.computeIfAbsent(what + " " + answer.getString(39), k -> new LongAdder()).increment();
    }
}
