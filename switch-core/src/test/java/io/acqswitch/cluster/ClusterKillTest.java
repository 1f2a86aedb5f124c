package io.acqswitch.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.acqswitch.sim.IssuerStub;
import io.acqswitch.sim.LedgerEntry;
import io.acqswitch.sim.StubRules;
import io.acqswitch.sim.TerminalClient;
import io.acqswitch.support.Await;
import io.acqswitch.support.ChildSwitch;
import io.acqswitch.support.ClusterHealth;
import io.acqswitch.support.Http;
import io.acqswitch.support.MoneyBook;
import io.acqswitch.support.SharedKafka;
import io.acqswitch.support.TerminalScript;
import io.acqswitch.support.TestSwitch;
import io.acqswitch.txn.ReversalReasons;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three switch processes (each a JVM of its own, node ids 1..3) in one owners' group against a real
 * KRaft broker, one issuer stub behind them all, and terminals that know all three addresses as a
 * load balancer would. Under traffic (sales, repeats, reversals) the owner of the most busy
 * partitions (read from {@code /health}) is killed with SIGKILL. Terminals behave as real ones: a
 * connection that dies under a request leaves its outcome unknown, so they repeat it or reverse it
 * at another node; a 91 (a node that does not own the terminal's partition, or one that gave it up)
 * is a decline, so they try the next address with the same request; a sale the dead node approved
 * is repeated at its new owner and must be replayed, not debited again.
 *
 * <p>Judged at the stub's ledger once the survivors have settled: no sale debited twice (by the
 * terminal's own identity of the sale, since a second debit would carry another node's RRN), no
 * debit standing that its terminal was not told was approved or that it reversed, every pending SAF
 * entry delivered, and no approval lost except one whose delivery the kill left unconfirmed (the
 * new owner reverses those, as a restarted single node does: see {@code KillChaosTest}).
 * A fenced zombie's writes: {@code ReplicationTest.shouldRefuseAFencedZombiesWrites}.
 */
@Tag("chaos")
@Tag("slow")
class ClusterKillTest {
    private static final int NODES = 3;
    private static final int PARTITIONS = 6;
    private static final String MID = "MERCHANT0000001";
    private static final Pattern SAF_DEPTH = Pattern.compile("(?m)^switch_saf_depth(?:\\{[^}]*})? ([0-9.]+)$");
    /** How long a terminal keeps trying a sale over 91s and refused connections before it takes the 91. */
    private static final Duration SALE_TRIES = Duration.ofSeconds(3);
    /**
     * How long it keeps trying what it must get through (a reversal, the repeat of a request whose
     * answer it never got): longer than the killed node's session, after which its partitions are served again.
     */
    private static final Duration MUST_TRIES = Duration.ofSeconds(45);
    @RegisterExtension
    static final SharedKafka KAFKA = new SharedKafka();

    private final MoneyBook book = new MoneyBook();
    private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
    private final AtomicInteger replayed = new AtomicInteger();
    /** Terminals past their look for a sale of the dead node to repeat (whether they had one or not). */
    private final AtomicInteger replayLooks = new AtomicInteger();
    private final AtomicInteger unreadableAnswers = new AtomicInteger();
    private volatile boolean stop;
    /** The killed node's id once its partitions are served again: terminals then repeat a sale it approved. */
    private volatile int replayFrom;

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void shouldLoseNoMoneyWhenTheOwnerOfBusyPartitionsIsKilledUnderTraffic() throws Exception {
        long seed = Long.getLong("reliability.seed", System.nanoTime());
        System.out.println("ClusterKillTest seed=" + seed + " (-Dreliability.seed=" + seed + ")");
        StubRules calm = StubRules.builder().declineSuffixes(Map.of("77", "05")).latencyJitterMs(20L).build();
        Path root = Path.of("target", "cluster-kill-" + System.currentTimeMillis());
        List<ChildSwitch> nodes = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(PARTITIONS + NODES);
        try (IssuerStub stub = new IssuerStub("stub", "127.0.0.1", 0, calm).start()) {
            // every node keys its card hashes with one card key (docs/cluster.md, Take-over): a record restored
            // from another node's writes is matched by card under that key; the nodes start together on a
            // file none has yet, so the first to create it gives it to the others
            Path cardKey = root.resolve("card.key").toAbsolutePath();
            for (int id = 1; id <= NODES; id++) {
                int nodeId = id;
                nodes.add(new ChildSwitch(root.resolve("node-" + id), stub.port(), 5_000, yaml -> yaml
                        + "cluster: {nodeId: %d, bootstrap: \"%s\", topic: kill, partitions: %d, replication: sync, ackTimeout: 10s, cardKey: \"%s\"}\n"
                        .formatted(nodeId, KAFKA.broker().bootstrap(), PARTITIONS, cardKey)));
            }
            List<Future<?>> starting = new ArrayList<>();
            for (ChildSwitch node : nodes) {
                starting.add(pool.submit(() -> {
                    node.start();
                    return null;
                }));
            }
            for (Future<?> f : starting) {
                f.get(120, TimeUnit.SECONDS);
            }
            Await.until("the three nodes split the partitions", () -> split(nodes), s -> s, Duration.ofSeconds(60),
                    Duration.ofMillis(200));
            List<String> terminals = onePerPartition();
            List<Integer> ports = nodes.stream().map(n -> n.port).toList();
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < terminals.size(); t++) {
                String tid = terminals.get(t);
                Random random = new Random(seed + t);
                running.add(pool.submit(() -> terminal(tid, ports, random)));
            }

            Await.until("traffic approved before the kill", () -> book.approvals() >= 40, Duration.ofSeconds(60));
            ChildSwitch victim = busiest(nodes, terminals);
            int victimId = nodes.indexOf(victim) + 1;
            Set<Integer> moved = ClusterHealth.served(victim.httpPort);
            victim.kill();
            int approvedAtKill = book.approvals();
            List<ChildSwitch> survivors = nodes.stream().filter(n -> n != victim).toList();
            Await.until("the survivors serve every partition once the killed node's session expired",
                    () -> served(survivors), s -> s.size() == PARTITIONS, Duration.ofSeconds(60), Duration.ofMillis(200));
            replayFrom = victimId;
            Await.until("traffic approved after the take-over, and every terminal past its repeat of the dead node's sale",
                    () -> book.approvals() >= approvedAtKill + 40 && replayLooks.get() == terminals.size()
                            || running.stream().anyMatch(Future::isDone), Duration.ofSeconds(90)); // a terminal that failed: its get says why
            stop = true;
            for (Future<?> f : running) {
                f.get(60, TimeUnit.SECONDS);
            }

            MoneyBook.Verdict v = settle(stub, survivors);
            Map<String, Long> debitsPerSale = stub.ledger().entries().stream()
                    .filter(e -> e.kind() == LedgerEntry.Kind.DEBIT)
                    .collect(Collectors.groupingBy(e -> e.terminalId() + " amount " + e.amount(), TreeMap::new, Collectors.counting()));
            debitsPerSale.values().removeIf(n -> n == 1);
            System.out.printf("ClusterKillTest: killed node %d (partitions %s), sales the dead node approved replayed %d,"
                            + " unreadable answers %d%n  outcomes %s%n  ledger %s%n  verdict %s%n", victimId, moved, replayed.get(),
                    unreadableAnswers.get(),
                    new TreeMap<>(outcomes), stub.ledger().summary(), v);
            assertEquals(Map.of(), debitsPerSale, "sales that reached the issuer more than once");
            assertEquals(0, v.doubleDebits(), "double debits by RRN");
            assertEquals(0, v.orphanDebits(), "debits standing that the terminal was not told were approved: " + v.orphans());
            for (String rrn : v.lost()) {
                assertEquals(ReversalReasons.RECOVERY_UNCONFIRMED, reversalReason(survivors, rrn),
                        "approval " + rrn + " told to a terminal but reversed for another reason");
            }
            for (ChildSwitch node : survivors) {
                assertEquals(0.0, safDepth(node), "node on port " + node.port + ": every pending SAF entry delivered");
            }
            assertTrue(replayed.get() > 0, "at least one sale the dead node approved was repeated at its new owner");
        } finally {
            pool.shutdownNow();
            for (ChildSwitch node : nodes) {
                node.kill();
            }
        }
    }

    /** Whether the nodes serve disjoint, non-empty sets of partitions that together are all of them. */
    private static boolean split(List<ChildSwitch> nodes) throws Exception {
        int total = 0;
        Set<Integer> all = new TreeSet<>();
        for (ChildSwitch node : nodes) {
            Set<Integer> own = ClusterHealth.served(node.httpPort);
            if (own.isEmpty()) {
                return false;
            }
            total += own.size();
            all.addAll(own);
        }
        return total == PARTITIONS && all.size() == PARTITIONS;
    }

    private static Set<Integer> served(List<ChildSwitch> nodes) throws Exception {
        Set<Integer> all = new TreeSet<>();
        for (ChildSwitch node : nodes) {
            all.addAll(ClusterHealth.served(node.httpPort));
        }
        return all;
    }


    /** One terminal id per partition (the sale's field 32 is absent: {@code |merchant|terminal}). */
    private static List<String> onePerPartition() {
        Partitioner partitioner = new Partitioner(PARTITIONS);
        Map<Integer, String> byPartition = new TreeMap<>();
        for (int i = 1; byPartition.size() < PARTITIONS && i < 1000; i++) {
            String terminal = "KILL%04d".formatted(i);
            byPartition.putIfAbsent(partitioner.ofTerminal("|" + MID + "|" + terminal), terminal);
        }
        assertEquals(PARTITIONS, byPartition.size(), "a terminal for every partition");
        return List.copyOf(byPartition.values());
    }

    /** The node whose /health lists the most of the terminals' partitions. */
    private static ChildSwitch busiest(List<ChildSwitch> nodes, List<String> terminals) throws Exception {
        Partitioner partitioner = new Partitioner(PARTITIONS);
        Set<Integer> busy = terminals.stream().map(t -> partitioner.ofTerminal("|" + MID + "|" + t)).collect(Collectors.toSet());
        ChildSwitch best = nodes.getFirst();
        long most = -1;
        for (ChildSwitch node : nodes) {
            long mine = ClusterHealth.served(node.httpPort).stream().filter(busy::contains).count();
            if (mine > most) {
                most = mine;
                best = node;
            }
        }
        return best;
    }

    /** Waits (at most 60 s) until the ledger agrees with what the terminals learned and the SAF queues are empty. */
    private MoneyBook.Verdict settle(IssuerStub stub, List<ChildSwitch> survivors) throws InterruptedException {
        try {
            return Await.until("the ledger agrees and the SAF queues are empty", () -> {
                MoneyBook.Verdict v = book.reconcile(stub.ledger());
                for (ChildSwitch node : survivors) {
                    if (safDepth(node) != 0) {
                        return null;
                    }
                }
                return v;
            }, v -> v != null && v.orphanDebits() == 0 && v.lostApprovals() == 0, Duration.ofSeconds(60), Duration.ofMillis(200));
        } catch (ConditionTimeoutException e) {
            return book.reconcile(stub.ledger()); // the caller's assertions say what is wrong
        }
    }

    private static double safDepth(ChildSwitch node) throws Exception {
        Matcher m = SAF_DEPTH.matcher(Http.get(node.httpPort, "/metrics").body());
        assertTrue(m.find(), "switch_saf_depth on /metrics");
        return Double.parseDouble(m.group(1));
    }

    /** The reversal reason a survivor journaled for {@code rrn} (waiting at most 10 s for the journals). */
    private static String reversalReason(List<ChildSwitch> survivors, String rrn) throws Exception {
        try {
            return Await.until("a survivor's journal has " + rrn + " reversed", () -> {
                for (ChildSwitch node : survivors) {
                    HttpResponse<String> rsp = Http.get(node.httpPort, "/ops/transactions/" + rrn);
                    if (rsp.statusCode() == 200 && transaction(rsp).path("state").asText().equals("REVERSED")) {
                        return transaction(rsp).path("reversalReason").asText();
                    }
                }
                return null;
            }, r -> r != null, Duration.ofSeconds(10));
        } catch (ConditionTimeoutException e) {
            return "not journaled reversed by a survivor";
        }
    }

    private static JsonNode transaction(HttpResponse<String> rsp) {
        try {
            return new ObjectMapper().readTree(rsp.body()).path("transaction");
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * One terminal until {@link #stop}: sales, repeats, reversals of earlier sales; a request whose
     * connection died under it is repeated or reversed at another node; after the take-over, one
     * sale the dead node approved is repeated and must come back approved with the same RRN (unless
     * the kill left its delivery unconfirmed: then the new owner reversed it, and the ledger check says so).
     */
    private Void terminal(String tid, List<Integer> ports, Random random) throws Exception {
        Link link = new Link(ports, random.nextInt(ports.size()));
        TerminalScript script = new TerminalScript(tid, MID);
        boolean replayDone = false;
        try {
            for (int step = 1; !stop && step < 100_000; step++) {
                Thread.sleep(random.nextInt(5)); // time is the subject: a terminal's pace
                if (!replayDone && replayFrom != 0) {
                    replayDone = true;
                    repeatADeadNodesSale(link, script, replayFrom);
                    replayLooks.incrementAndGet();
                }
                long amount = 100 + step; // the amount names the sale
                TerminalScript.Step next = script.next(random, String.format("%06d", step), () -> amount);
                ISOMsg answer;
                try {
                    answer = link.exchange(next.request(), next.reversal() ? MUST_TRIES : SALE_TRIES);
                } catch (IOException cut) { // the node died under it: the terminal does not know the outcome
                    boolean reverse = next.reversal() || random.nextBoolean();
                    outcomes.computeIfAbsent("cut off: " + next.kind() + (reverse ? ", reversed" : ", repeated"),
                            k -> new LongAdder()).increment();
                    Settled settled = repeatOrReverse(link, next.request(), reverse);
                    if (settled.reversed()) {
                        assertEquals("00", settled.answer().getString(39), "a reversal is answered 00 by the owner");
                        book.reversed(script.reversedAfterCutOff(next)); // reversing a repeat reverses the sale it repeats
                    } else {
                        tally("repeat after a cut-off", settled.answer());
                        book.answered(settled.answer());
                        script.answered(next, settled.answer());
                    }
                    continue;
                }
                tally(next.kind(), answer);
                if (next.reversal()) {
                    assertEquals("00", answer.getString(39), "a reversal is answered 00 by the owner");
                    book.reversed(next.reverses());
                    continue;
                }
                book.answered(answer);
                script.answered(next, answer);
            }
        } finally {
            link.close();
        }
        return null;
    }

    /**
     * Repeats the earliest sale node {@code deadNode} approved to this terminal (its id is the RRN's
     * fifth digit), if any: it must come back approved with the same RRN, replayed from the record
     * its new owner restored. One that gets nothing usable is reversed, as a terminal does. Not the
     * latest: the kill may have cut off the replication of its delivery, and then the new owner
     * rightly reversed it (answered 68: CI of bce1d2c had both such terminals so, replayed 0).
     */
    private void repeatADeadNodesSale(Link link, TerminalScript script, int deadNode) throws Exception {
        ISOMsg fromDead = script.earliestApproved(rrn -> rrn.charAt(4) == (char) ('0' + deadNode));
        if (fromDead == null) {
            return;
        }
        ISOMsg repeat = (ISOMsg) fromDead.clone();
        repeat.unset(37);
        Settled settled = repeatOrReverse(link, repeat, false);
        ISOMsg answer = settled.answer();
        tally((settled.reversed() ? "reversal of " : "repeat of ") + "a sale the dead node approved", answer);
        if (settled.reversed()) {
            assertEquals("00", answer.getString(39), "a reversal is answered 00 by the owner");
            book.reversed(fromDead.getString(37));
            script.reversed(fromDead);
        } else if ("00".equals(answer.getString(39))) {
            assertEquals(fromDead.getString(37), answer.getString(37), "replayed from the restored record");
            replayed.incrementAndGet();
        }
    }

    /** How a terminal settled a request it got no answer to: the last answer, and whether it ended with a 0400. */
    private record Settled(ISOMsg answer, boolean reversed) {}

    /**
     * Repeats {@code request} (or sends its 0400) until a node answers it: what a terminal does for a
     * request it got no answer to. A repeat that gets no usable answer either turns into a 0400. At
     * most 20 connections that die under it, each followed by up to {@link #MUST_TRIES} of 91s.
     */
    private Settled repeatOrReverse(Link link, ISOMsg request, boolean reverse) throws Exception {
        ISOMsg message = (ISOMsg) request.clone();
        for (int attempt = 0; attempt < 20; attempt++) {
            if (reverse) {
                message.set(0, "0400");
                message.unset(37);
            }
            try {
                return new Settled(link.exchange(message, MUST_TRIES), reverse);
            } catch (IOException again) {
                link.close(); // this node died meanwhile, took too long, or answered nothing readable: the next one
                link.next();
                reverse = true;
            }
        }
        throw new AssertionError("no node answered a " + message.getMTI() + " in 20 tries");
    }

    private void tally(String what, ISOMsg answer) {
        outcomes.computeIfAbsent(what + " " + answer.getString(39), k -> new LongAdder()).increment();
    }

    /**
     * A terminal's connection to one of the nodes, as through a load balancer: a refused connection
     * or a 91 moves it to the next address with the same request (a 91 is a decline: nothing moved);
     * a connection that dies under a request is the caller's to settle.
     */
    private final class Link implements AutoCloseable {
        private final List<Integer> ports;
        private int at;
        private TerminalClient client;

        Link(List<Integer> ports, int at) {
            this.ports = ports;
            this.at = at;
        }

        /** The first answer other than 91, or the last 91 once {@code tries} is spent. */
        ISOMsg exchange(ISOMsg request, Duration tries) throws Exception {
            ISOMsg answer = null;
            long until = System.nanoTime() + tries.toNanos();
            for (int attempt = 1; attempt == 1 || System.nanoTime() < until; attempt++) {
                if (attempt % (2 * ports.size()) == 0) {
                    Thread.sleep(100); // time is the subject: a terminal's pace between rounds of the balancer
                }
                if (client == null) {
                    try {
                        client = new TerminalClient("127.0.0.1", ports.get(at), TestSwitch.ISO87, Duration.ofSeconds(10));
                    } catch (IOException refused) { // a dead node
                        next();
                        continue;
                    }
                }
                try {
                    answer = client.exchange(request);
                } catch (ISOException unreadable) { // e.g. an empty frame: no answer a terminal can use
                    unreadableAnswers.incrementAndGet();
                    close();
                    throw new IOException("unreadable answer to a " + request.getMTI(), unreadable);
                }
                if (!"91".equals(answer.getString(39))) {
                    return answer;
                }
                close();
                next();
            }
            return answer; // 91 after every try: declined
        }

        void next() {
            at = (at + 1) % ports.size();
        }

        @Override
        public void close() {
            if (client != null) {
                try {
                    client.close();
                } catch (IOException alreadyGone) {
                    // the node is dead or closed it: nothing to release
                }
                client = null;
            }
        }
    }
}
