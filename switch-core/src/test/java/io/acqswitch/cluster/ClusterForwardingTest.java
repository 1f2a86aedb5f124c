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
import io.acqswitch.support.Http;
import io.acqswitch.support.NodeLink;
import io.acqswitch.support.Rig;
import io.acqswitch.support.SharedKafka;
import io.acqswitch.support.TempFiles;
import io.acqswitch.support.TestSwitch;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two whole nodes in one owners' group, each with a peer address ({@code cluster.peerListen}),
 * against a real KRaft broker, judged at the issuer stub's ledger: a request at the node that does
 * not own its terminal's partition is forwarded to the owner and answered on the terminal's own
 * connection; the owner dedupes, reverses an approval the terminal did not get (its connection
 * closed, or the link gone before the delivery was confirmed), and refuses to decide for a
 * partition it does not own. The nodes are shared by the tests (one stub, one topic).
 */
@Tag("slow")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusterForwardingTest {
    private static final String PAN = "4761739001010010";
    private static final String MERCHANT = "MERCHANT0000001";
    private static final int PARTITIONS = 4;
    private static final Pattern SERVED = Pattern.compile("\"partitions\":\\[([0-9,]*)]");
    private static final Pattern PEER_LISTEN = Pattern.compile("\"peerListen\":\"127\\.0\\.0\\.1:(\\d+)\"");
    private static final Pattern PEERS = Pattern.compile("\"peers\":\\{([^}]*)}");
    @RegisterExtension
    static final SharedKafka KAFKA = new SharedKafka();

    private static IssuerStub stub;
    private static Rig a;
    private static Rig b;
    private static int stan;
    private double retried;

    @BeforeAll
    static void startTwoNodes() throws Exception {
        stub = new IssuerStub("stub", "127.0.0.1", 0, StubRules.approveAll()).start();
        a = node(1);
        b = node(2);
        Await.until("the nodes split the partitions and each knows where the other's are", () -> {
            Set<Integer> sa = served(a);
            Set<Integer> sb = served(b);
            return sa.size() + sb.size() == PARTITIONS && !sa.isEmpty() && !sb.isEmpty()
                    && peers(b).equals(Map.of(peerPort(a), sa)) && peers(a).equals(Map.of(peerPort(b), sb));
        }, split -> split, Duration.ofSeconds(60));
    }

    @AfterAll
    static void stop() {
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
        if (stub != null) {
            stub.close();
        }
    }

    @BeforeEach
    void approveAtOnceAndCountRepeatsFromHere() {
        stub.setRules(StubRules.approveAll());
        retried = a.counted("switch_reversals_retried"); // the nodes are shared: a test counts its own repeats only
    }

    private static Rig node(int nodeId) throws Exception {
        Path dir = TempFiles.newDir("cluster-forward");
        String yaml = Rig.yaml(List.of("127.0.0.1:" + stub.port()), 20_000, dir)
                + ("cluster: {nodeId: %d, bootstrap: \"%s\", topic: forward, partitions: %d, replication: sync, ackTimeout: 20s,"
                + " peerListen: \"127.0.0.1:0\"}\n").formatted(nodeId, KAFKA.broker().bootstrap(), PARTITIONS);
        return Rig.start(stub, List.of("127.0.0.1:" + stub.port()), yaml, dir);
    }

    private static String health(Rig rig) throws Exception {
        return Http.get(rig.node.httpPort(), "/health").body();
    }

    private static Set<Integer> served(Rig rig) throws Exception {
        Matcher m = SERVED.matcher(health(rig));
        assertTrue(m.find(), "a cluster part in /health");
        return numbers(m.group(1));
    }

    private static int peerPort(Rig rig) throws Exception {
        Matcher m = PEER_LISTEN.matcher(health(rig));
        assertTrue(m.find(), "the node's peer address in /health");
        return Integer.parseInt(m.group(1));
    }

    /** The other nodes' partitions as {@code rig} last learned them from the group: peer port → partitions. */
    private static Map<Integer, Set<Integer>> peers(Rig rig) throws Exception {
        Matcher m = PEERS.matcher(health(rig));
        assertTrue(m.find(), "the peers in /health");
        Map<Integer, Set<Integer>> peers = new TreeMap<>();
        Matcher e = Pattern.compile("\"127\\.0\\.0\\.1:(\\d+)\":\\[([0-9,]*)]").matcher(m.group(1));
        while (e.find()) {
            peers.put(Integer.parseInt(e.group(1)), numbers(e.group(2)));
        }
        return peers;
    }

    private static Set<Integer> numbers(String list) {
        Set<Integer> s = new TreeSet<>();
        for (String p : list.split(",")) {
            if (!p.isEmpty()) {
                s.add(Integer.parseInt(p));
            }
        }
        return s;
    }

    /** A terminal of a partition {@code owner} serves, not used by an earlier test. */
    private static String terminalOf(Rig owner, int skip) throws Exception {
        Set<Integer> own = served(owner);
        Partitioner partitioner = new Partitioner(PARTITIONS);
        for (int i = 1; i < 200; i++) {
            String terminal = "TERM%04d".formatted(i);
            if (own.contains(partitioner.ofTerminal("|" + MERCHANT + "|" + terminal)) && skip-- == 0) {
                return terminal;
            }
        }
        throw new AssertionError("too few terminals among 199 fall in " + own);
    }

    private static ISOMsg sale(long amount, String terminal) {
        return TerminalMessages.sale(PAN, amount, "%06d".formatted(++stan), terminal, MERCHANT);
    }

    private static LedgerEntry debitOf(long amount) {
        return Await.until("the issuer debited " + amount, () -> stub.ledger().entries().stream()
                .filter(e -> e.amount() == amount).findFirst(), e -> e.isPresent(), Duration.ofSeconds(20)).orElseThrow();
    }

    @Test
    void shouldForwardASaleToItsOwnerAndAnswerItsRepeatsFromTheRecordWherever() throws Exception {
        String terminal = terminalOf(a, 0);
        double forwarded = b.counted("switch_cluster_forwarded");
        ISOMsg sale = sale(701, terminal); // one message (its field 7 too), sent three times
        ISOMsg approved;
        try (TerminalClient atB = b.terminal()) {
            approved = atB.exchange((ISOMsg) sale.clone());
            assertEquals("00", approved.getString(39), "decided by the owner, answered by the node the terminal reached");
            assertEquals(forwarded + 1, b.counted("switch_cluster_forwarded"));
            assertEquals(approved.getString(37), atB.exchange((ISOMsg) sale.clone()).getString(37),
                    "a repeat at the same node is forwarded too and answered from the owner's record");
        }
        try (TerminalClient atA = a.terminal()) {
            assertEquals(approved.getString(37), atA.exchange((ISOMsg) sale.clone()).getString(37),
                    "a repeat at the owner is answered from its record");
        }
        LedgerEntry debit = debitOf(701);
        assertEquals(approved.getString(37), debit.rrn());
        assertEquals(1, stub.ledger().entries().stream().filter(e -> e.amount() == 701).count(), "debited once");
        assertEquals(0, debit.repeats(), "no repeat reached the issuer");
        assertEquals(forwarded + 2, b.counted("switch_cluster_forwarded"));
        assertEquals(0.0, b.counted("switch_cluster_not_owner"));
        Await.holds("the approval the terminal got stays approved", () -> !stub.ledger().entry(debit.rrn()).orElseThrow().reversed(),
                Duration.ofSeconds(1));

        String other = terminalOf(b, 0); // and the other way round
        try (TerminalClient atA = a.terminal()) {
            assertEquals("00", atA.exchange(sale(702, other)).getString(39), "a forwards b's terminal to b");
        }
        assertFalse(debitOf(702).reversed());
        assertTrue(a.counted("switch_cluster_forwarded") >= 1);
    }

    @Test
    void shouldReverseAForwardedApprovalWhoseTerminalLeftBeforeItsAnswer() throws Exception {
        String terminal = terminalOf(a, 1);
        stub.setRules(StubRules.builder().latencyMs(1_500L).build()); // debits at once, answers later
        double undeliverable = a.counted("switch_undeliverable_approvals");
        try (TerminalClient atB = b.terminal()) {
            atB.send(sale(703, terminal));
            debitOf(703);
            stub.setRules(StubRules.approveAll()); // that answer stays late; the reversal is answered at once
        } // the terminal's connection at b closes before the owner's approval comes back
        String rrn = debitOf(703).rrn();
        a.assertReversedOnce(rrn, retried);
        assertEquals(undeliverable + 1, a.counted("switch_undeliverable_approvals"), "the owner learned it was not delivered");
        assertEquals(0, stub.ledger().entry(rrn).orElseThrow().netDebit());
    }

    /**
     * The test speaks for a forwarding node on a link of its own to the owner: the owner approves and
     * waits for the delivery report; the link closes first, so the owner reverses the approval.
     */
    @Test
    void shouldReverseAnApprovalWhenTheLinkClosesBeforeItsDeliveryIsConfirmed() throws Exception {
        String terminal = terminalOf(a, 2);
        try (Socket link = new Socket("127.0.0.1", peerPort(a))) {
            link.setSoTimeout(20_000);
            NodeLink.send(link, new NodeLink.Frame('Q', 42, false, "pos", TestSwitch.ISO87.pack(sale(704, terminal))));
            NodeLink.Frame answer = NodeLink.receive(link);
            assertEquals('A', answer.kind());
            assertEquals(42, answer.correlation());
            assertTrue(answer.flag(), "an approval's delivery is to be confirmed");
            ISOMsg m = new ISOMsg();
            TestSwitch.ISO87.unpack(answer.body(), m);
            assertEquals("00", m.getString(39));
        } // closed without a delivery report
        a.assertReversedOnce(debitOf(704).rrn(), retried);
    }

    /** The link closes while the owner still waits for its issuer: the approval that comes later goes nowhere and is reversed. */
    @Test
    void shouldReverseAnApprovalMadeAfterItsLinkClosed() throws Exception {
        String terminal = terminalOf(a, 4);
        stub.setRules(StubRules.builder().latencyMs(1_500L).build());
        try (Socket link = new Socket("127.0.0.1", peerPort(a))) {
            NodeLink.send(link, new NodeLink.Frame('Q', 43, false, "pos", TestSwitch.ISO87.pack(sale(706, terminal))));
            debitOf(706);
            stub.setRules(StubRules.approveAll()); // that answer stays late; the reversal is answered at once
        } // the forwarding node's link is gone before the owner has its issuer's answer
        a.assertReversedOnce(debitOf(706).rrn(), retried);
    }

    /** A request forwarded to a node that does not own its partition (a stale view at the sender) is answered 91, never decided. */
    @Test
    void shouldAnswer91ARequestForwardedToANodeThatDoesNotOwnItsPartition() throws Exception {
        String terminal = terminalOf(a, 3);
        double notOwner = b.counted("switch_cluster_not_owner");
        try (Socket link = new Socket("127.0.0.1", peerPort(b))) {
            link.setSoTimeout(20_000);
            NodeLink.send(link, new NodeLink.Frame('Q', 7, false, "pos", TestSwitch.ISO87.pack(sale(705, terminal))));
            NodeLink.Frame answer = NodeLink.receive(link);
            assertEquals('A', answer.kind());
            assertFalse(answer.flag(), "a decline's delivery does not matter");
            ISOMsg m = new ISOMsg();
            TestSwitch.ISO87.unpack(answer.body(), m);
            assertEquals("91", m.getString(39), "b does not own it and does not forward it again");
        }
        assertEquals(notOwner + 1, b.counted("switch_cluster_not_owner"));
        assertTrue(stub.ledger().entries().stream().noneMatch(e -> e.amount() == 705), "nothing reached the issuer");
    }
}
