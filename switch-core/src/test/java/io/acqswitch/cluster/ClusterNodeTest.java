package io.acqswitch.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.sim.IssuerStub;
import io.acqswitch.sim.LedgerEntry;
import io.acqswitch.sim.StubRules;
import io.acqswitch.sim.TerminalClient;
import io.acqswitch.sim.TerminalMessages;
import io.acqswitch.support.Await;
import io.acqswitch.support.Http;
import io.acqswitch.support.KafkaBroker;
import io.acqswitch.support.Rig;
import io.acqswitch.support.TempFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Whole switch nodes with a {@code cluster:} section against a real KRaft broker, judged at the
 * issuer stub's ledger: in sync mode no request reaches the issuer while Kafka does not acknowledge
 * (the broker is stopped with SIGSTOP), in async mode it does; a node that starts on an empty
 * dataDir restores a lost node's partitions and reverses the debit that node left in flight.
 */
@Tag("slow")
class ClusterNodeTest {
    private static final String PAN = "4761739001010010";
    private static KafkaBroker kafka;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = KafkaBroker.start();
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static String yaml(IssuerStub stub, Path dir, String topic, int nodeId, String replication) {
        return Rig.yaml(List.of("127.0.0.1:" + stub.port()), 20_000, dir)
                + "cluster: {nodeId: %d, bootstrap: \"%s\", topic: %s, partitions: 3, replication: %s, ackTimeout: 20s}\n"
                .formatted(nodeId, kafka.bootstrap(), topic, replication);
    }

    private static Rig node(IssuerStub stub, String topic, int nodeId, String replication) throws Exception {
        Path dir = TempFiles.newDir("cluster-node");
        return Rig.start(stub, List.of("127.0.0.1:" + stub.port()), yaml(stub, dir, topic, nodeId, replication), dir);
    }

    private static ISOMsg sale(long amount, String stan) throws Exception {
        return TerminalMessages.sale(PAN, amount, stan, "TERM0001", "MERCHANT0000001");
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldNotLetARequestReachTheIssuerBeforeKafkaAcknowledgesItsChange() throws Exception {
        try (IssuerStub stub = new IssuerStub("stub", "127.0.0.1", 0, StubRules.approveAll()).start();
             Rig rig = node(stub, "sync", 1, "sync");
             TerminalClient t = rig.terminal()) {
            ISOMsg first = t.exchange(sale(100, "000001"));
            assertEquals("00", first.getString(39));
            assertTrue(first.getString(37).matches("\\d{4}1\\d{7}"), "node id 1 inside the RRN: " + first.getString(37));
            kafka.pause();
            try {
                t.send(sale(200, "000002"));
                // absence can only be shown over a while: the barrier waits up to ackTimeout (20s)
                Await.holds("no request reaches the issuer while Kafka does not acknowledge",
                        () -> stub.ledger().entries().size() == 1, Duration.ofSeconds(2));
            } finally {
                kafka.resume();
            }
            ISOMsg second = t.receive();
            assertEquals("00", second.getString(39), "once Kafka acknowledges, the held request goes and is answered");
            assertEquals(2, stub.ledger().summary().debitsApproved());
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldLetRequestsOutWithoutWaitingForKafkaInAsyncMode() throws Exception {
        try (IssuerStub stub = new IssuerStub("stub", "127.0.0.1", 0, StubRules.approveAll()).start();
             Rig rig = node(stub, "async", 1, "async");
             TerminalClient t = rig.terminal()) {
            assertEquals("00", t.exchange(sale(100, "000001")).getString(39));
            kafka.pause();
            try {
                ISOMsg second = t.exchange(sale(200, "000002"));
                assertEquals("00", second.getString(39), "async: answered while Kafka is stopped");
                assertEquals(2, stub.ledger().summary().debitsApproved());
                double lag = rig.node.metrics().registry().get("switch_cluster_replication_lag").gauge().value();
                assertTrue(lag > 0, "the window: changes not yet in Kafka (" + lag + ")");
            } finally {
                kafka.resume();
            }
            rig.await("replication caught up",
                    () -> rig.node.metrics().registry().get("switch_cluster_replication_lag").gauge().value() == 0,
                    Duration.ofSeconds(30));
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldReverseADebitLeftInFlightWhenAnEmptyNodeTakesOver() throws Exception {
        // the issuer applies the debit and never answers: the first node dies with the sale FORWARDED
        StubRules silent = StubRules.builder().withholdRatio(1.0).build();
        try (IssuerStub stub = new IssuerStub("stub", "127.0.0.1", 0, silent).start()) {
            String rrn;
            try (Rig lost = node(stub, "takeover", 1, "sync"); TerminalClient t = lost.terminal()) {
                t.send(sale(300, "000003"));
                lost.await("the issuer debited", () -> stub.ledger().summary().debitsApproved() == 1, Duration.ofSeconds(20));
                rrn = stub.ledger().entries().getFirst().rrn();
            } // closing the rig deletes the node's dataDir: its machine is gone
            stub.setRules(StubRules.approveAll());
            try (Rig taker = node(stub, "takeover", 2, "sync")) {
                assertEquals(3.0, taker.counted("switch_cluster_takeovers"), "every partition restored");
                String health = Http.get(taker.node.httpPort(), "/health").body();
                assertTrue(health.contains("\"cluster\":{\"nodeId\":2,\"replication\":\"sync\",\"partitions\":[0,1,2],\"fenced\":[],"
                        + "\"peers\":{},\"links\":{}}"),
                        health);
                taker.assertReversedOnce(rrn);
                assertEquals(0, stub.ledger().summary().netDebited());
                assertTrue(stub.ledger().entry(rrn).map(LedgerEntry::reversed).orElse(false));
            }
        }
    }
}
