package io.acqswitch.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.sim.IssuerStub;
import io.acqswitch.sim.LedgerEntry;
import io.acqswitch.sim.StubRules;
import io.acqswitch.sim.TerminalClient;
import io.acqswitch.sim.TerminalMessages;
import io.acqswitch.support.Await;
import io.acqswitch.support.ChildSwitch;
import io.acqswitch.support.ClusterHealth;
import io.acqswitch.support.Rig;
import io.acqswitch.support.SharedKafka;
import io.acqswitch.support.TempFiles;
import io.acqswitch.support.TestSwitch;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two whole nodes in one owners' group against a real KRaft broker, judged at the issuer stub's
 * ledger: they split the partitions; a sale is served by the owner of its terminal's partition and
 * answered 91 by the other without reaching the issuer (the nodes have no {@code peerListen}, so
 * nothing is forwarded: ClusterForwardingTest has that); when a node leaves, the other takes its
 * partitions over, reverses the debit it left in flight, and serves them.
 */
@Tag("slow")
class ClusterOwnershipTest {
    private static final String PAN = "4761739001010010";
    private static final String MERCHANT = "MERCHANT0000001";
    private static final int PARTITIONS = 4;
    @RegisterExtension
    static final SharedKafka KAFKA = new SharedKafka();

    private static Rig node(IssuerStub stub, String topic, int nodeId) throws Exception {
        Path dir = TempFiles.newDir("cluster-owner");
        String yaml = Rig.yaml(List.of("127.0.0.1:" + stub.port()), 20_000, dir)
                + "cluster: {nodeId: %d, bootstrap: \"%s\", topic: %s, partitions: %d, replication: sync, ackTimeout: 20s}\n"
                .formatted(nodeId, KAFKA.broker().bootstrap(), topic, PARTITIONS);
        return Rig.start(stub, List.of("127.0.0.1:" + stub.port()), yaml, dir);
    }

    /** The partitions a node says on /health that it serves. */
    private static Set<Integer> served(Rig rig) throws Exception {
        return served(rig.node.httpPort());
    }

    private static Set<Integer> served(int httpPort) throws Exception {
        return ClusterHealth.served(httpPort);
    }

    /** Waits until the two nodes serve disjoint, non-empty sets of partitions that together are all of them. */
    private static void awaitSplit(Rig a, Rig b) {
        awaitSplit(a.node.httpPort(), b.node.httpPort());
    }

    private static void awaitSplit(int httpA, int httpB) {
        Await.until("the two nodes split the partitions", () -> {
            Set<Integer> sa = served(httpA);
            Set<Integer> sb = served(httpB);
            Set<Integer> all = new HashSet<>(sa);
            all.addAll(sb);
            return sa.isEmpty() || sb.isEmpty() || all.size() != PARTITIONS || sa.size() + sb.size() != PARTITIONS ? null : sa;
        }, sa -> sa != null, Duration.ofSeconds(60), Duration.ofMillis(200));
    }

    /** A terminal of a partition {@code owner} serves (the sale's field 32 is absent: {@code |merchant|terminal}). */
    private static String terminalOf(Rig owner) throws Exception {
        return terminalOf(served(owner));
    }

    private static String terminalOf(Set<Integer> own) {
        Partitioner partitioner = new Partitioner(PARTITIONS);
        for (int i = 1; i < 100; i++) {
            String terminal = "TERM%04d".formatted(i);
            if (own.contains(partitioner.ofTerminal("|" + MERCHANT + "|" + terminal))) {
                return terminal;
            }
        }
        throw new AssertionError("no terminal among 99 falls in " + own);
    }

    private static ISOMsg sale(long amount, String stan, String terminal) throws Exception {
        return TerminalMessages.sale(PAN, amount, stan, terminal, MERCHANT);
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldServeASaleOnlyAtTheOwnerOfItsPartition() throws Exception {
        try (IssuerStub stub = new IssuerStub("stub", "127.0.0.1", 0, StubRules.approveAll()).start();
             Rig a = node(stub, "split", 1);
             Rig b = node(stub, "split", 2)) {
            awaitSplit(a, b);
            String terminal = terminalOf(a);
            try (TerminalClient atB = b.terminal(); TerminalClient atA = a.terminal()) {
                ISOMsg sale = sale(700, "000001", terminal); // one message (its field 7 too), sent three times
                ISOMsg refused = atB.exchange((ISOMsg) sale.clone());
                assertEquals("91", refused.getString(39), "the node that does not own the terminal's partition");
                assertEquals(1.0, b.counted("switch_cluster_not_owner"));
                assertEquals(0, stub.ledger().entries().size(), "nothing reached the issuer");

                ISOMsg approved = atA.exchange((ISOMsg) sale.clone());
                assertEquals("00", approved.getString(39), "the owner serves it: " + approved.getString(39));
                ISOMsg repeat = atA.exchange((ISOMsg) sale.clone());
                assertEquals(approved.getString(37), repeat.getString(37), "a repeat is answered from the record");
            }
            assertEquals(1, stub.ledger().summary().debitsApproved(), "debited once");
            assertEquals(700, stub.ledger().summary().netDebited());
            assertEquals(0.0, a.counted("switch_cluster_not_owner"));
            double owned = a.node.metrics().registry().get("switch_cluster_partitions_owned").gauge().value()
                    + b.node.metrics().registry().get("switch_cluster_partitions_owned").gauge().value();
            assertEquals(PARTITIONS, owned, "every partition has one owner");
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldTakeOverAClosedNodesPartitionsAndReverseWhatItLeftInFlight() throws Exception {
        // the issuer applies the debit and never answers: node a leaves with the sale FORWARDED
        StubRules silent = StubRules.builder().withholdRatio(1.0).build();
        try (IssuerStub stub = new IssuerStub("stub", "127.0.0.1", 0, silent).start();
             Rig b = node(stub, "handover", 2)) {
            String terminal;
            String rrn;
            try (Rig a = node(stub, "handover", 1)) {
                awaitSplit(a, b);
                terminal = terminalOf(a);
                try (TerminalClient t = a.terminal()) {
                    t.send(sale(300, "000003", terminal));
                    a.await("the issuer debited", () -> stub.ledger().summary().debitsApproved() == 1, Duration.ofSeconds(20));
                }
                rrn = stub.ledger().entries().getFirst().rrn();
                assertFalse(served(b).contains(new Partitioner(PARTITIONS).ofTerminal("|" + MERCHANT + "|" + terminal)));
                stub.setRules(StubRules.approveAll());
            } // a leaves the group: its partitions are revoked and handed to b
            Await.until("b serves every partition", () -> served(b), s -> s.size() == PARTITIONS, Duration.ofSeconds(60),
                    Duration.ofMillis(200));
            b.assertReversedOnce(rrn);
            assertEquals(0, stub.ledger().summary().netDebited(), "the debit left in flight is reversed");
            assertTrue(stub.ledger().entry(rrn).map(LedgerEntry::reversed).orElse(false));
            try (TerminalClient t = b.terminal()) {
                ISOMsg next = t.exchange(sale(400, "000004", terminal));
                assertEquals("00", next.getString(39), "b now serves the terminal a served");
            }
            assertEquals(400, stub.ledger().summary().netDebited());
            assertEquals(0.0, b.counted("switch_cluster_not_owner"));
            assertTrue(b.counted("switch_cluster_takeovers") >= PARTITIONS, "b took over a's partitions too");
        }
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void shouldAnswer91InFlightRequestsOfAPartitionRevokedAndIgnoreTheirLateAnswers() throws Exception {
        // the issuer debits at once and answers 12 s later: by then node b has joined and taken half the partitions
        StubRules slow = StubRules.builder().latencyMs(12_000L).build();
        Partitioner partitioner = new Partitioner(PARTITIONS);
        List<String> terminals = new ArrayList<>(); // one terminal per partition
        for (int i = 1; terminals.size() < PARTITIONS && i < 100; i++) {
            String terminal = "TERM%04d".formatted(i);
            int p = partitioner.ofTerminal("|" + MERCHANT + "|" + terminal);
            if (terminals.stream().noneMatch(t -> partitioner.ofTerminal("|" + MERCHANT + "|" + t) == p)) {
                terminals.add(terminal);
            }
        }
        assertEquals(PARTITIONS, terminals.size());
        try (IssuerStub stub = new IssuerStub("stub", "127.0.0.1", 0, StubRules.approveAll()).start();
             Rig a = node(stub, "revoke", 1);
             TerminalClient t = new TerminalClient("127.0.0.1", a.node.terminalPort(0), TestSwitch.ISO87, Duration.ofSeconds(30))) {
            stub.setRules(slow); // once the links are up (their echo is answered slowly too)
            for (int i = 0; i < PARTITIONS; i++) {
                t.send(sale(100 + i, "00001" + i, terminals.get(i)));
            }
            a.await("the issuer debited all four", () -> stub.ledger().summary().debitsApproved() == PARTITIONS,
                    Duration.ofSeconds(20));
            stub.setRules(StubRules.approveAll()); // reversals are answered at once
            Map<String, String> rrnOf = new HashMap<>();
            for (LedgerEntry e : stub.ledger().entries()) {
                rrnOf.put(e.terminalId(), e.rrn());
            }
            Set<Integer> moved;
            long kept = 0;
            int reversalMessages;
            try (Rig b = node(stub, "revoke", 2)) {
                awaitSplit(a, b);
                moved = served(b);
                Map<String, String> answers = new HashMap<>();
                for (int i = 0; i < PARTITIONS; i++) {
                    ISOMsg m = t.receive();
                    answers.put(m.getString(41), m.getString(39));
                }
                for (int i = 0; i < PARTITIONS; i++) {
                    String terminal = terminals.get(i);
                    String rrn = rrnOf.get(terminal);
                    if (moved.contains(partitioner.ofTerminal("|" + MERCHANT + "|" + terminal))) {
                        assertEquals("91", answers.get(terminal), terminal + ": its partition was revoked while in flight");
                        b.await("the new owner reversed " + rrn, () -> stub.ledger().entry(rrn).orElseThrow().reversed(),
                                Duration.ofSeconds(20));
                    } else {
                        assertEquals("00", answers.get(terminal), terminal + ": its partition stayed");
                        assertFalse(stub.ledger().entry(rrn).orElseThrow().reversed());
                        kept += 100 + i;
                    }
                }
                a.await("the late answers of the revoked requests reach a and change nothing",
                        () -> a.counted("switch_issuer_unmatched_responses", "issuer", "issuer-a") >= moved.size(), Duration.ofSeconds(20));
                assertEquals(moved.size(), a.counted("switch_issuer_unmatched_responses", "issuer", "issuer-a"));
                assertEquals(kept, stub.ledger().summary().netDebited());
                b.await("b's reversals acknowledged", () -> b.node.processor().safDepth() == 0, Duration.ofSeconds(20));
                reversalMessages = moved.size() + (int) b.counted("switch_reversals_retried", "issuer", "issuer-a");
            } // b leaves: a owns its old partitions again, over the stale FORWARDED records it kept of them
            Await.until("a serves every partition again", () -> served(a), s -> s.size() == PARTITIONS, Duration.ofSeconds(60),
                    Duration.ofMillis(200));
            long stillKept = kept;
            int stillSent = reversalMessages;
            Await.holds("a does not reverse again what b reversed (its stale records were replaced by the topic's)",
                    () -> stub.ledger().summary().netDebited() == stillKept && stub.ledger().summary().debitsReversed() == moved.size()
                            && stub.ledger().entries().stream().mapToInt(LedgerEntry::reversalsReceived).sum() == stillSent,
                    Duration.ofSeconds(3));
            assertEquals(0.0, a.counted("switch_reversals_queued", "reason", "recovery"), "nothing left to recover");
        }
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void shouldTakeOverAKilledNodesPartitionsAfterItsSessionAndReverseWhatItLeftInFlight() throws Exception {
        StubRules silent = StubRules.builder().withholdRatio(1.0).build();
        Path dir = TempFiles.newDir("cluster-killed");
        try (IssuerStub stub = new IssuerStub("stub", "127.0.0.1", 0, silent).start();
             Rig b = node(stub, "killed", 2)) {
            ChildSwitch a = new ChildSwitch(dir, stub.port(), 20_000, yaml -> yaml
                    + "cluster: {nodeId: 1, bootstrap: \"%s\", topic: killed, partitions: %d, replication: sync, ackTimeout: 20s}\n"
                    .formatted(KAFKA.broker().bootstrap(), PARTITIONS));
            String terminal;
            String rrn;
            try {
                a.start();
                awaitSplit(a.httpPort, b.node.httpPort());
                terminal = terminalOf(served(a.httpPort));
                try (TerminalClient t = a.terminal()) {
                    t.send(sale(500, "000005", terminal));
                    b.await("the issuer debited", () -> stub.ledger().summary().debitsApproved() == 1, Duration.ofSeconds(20));
                }
                rrn = stub.ledger().entries().getFirst().rrn();
            } finally {
                a.kill(); // SIGKILL: it does not leave the group; its session expires
            }
            stub.setRules(StubRules.approveAll());
            Await.until("b serves every partition once a's session expired", () -> served(b), s -> s.size() == PARTITIONS,
                    Duration.ofSeconds(60), Duration.ofMillis(200));
            b.assertReversedOnce(rrn);
            assertEquals(0, stub.ledger().summary().netDebited(), "the debit the killed node left in flight is reversed");
            try (TerminalClient t = b.terminal()) {
                assertEquals("00", t.exchange(sale(600, "000006", terminal)).getString(39), "b serves the killed node's terminal");
            }
            assertEquals(600, stub.ledger().summary().netDebited());
        } finally {
            TempFiles.delete(dir);
        }
    }
}
