package io.acqswitch.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.sim.IssuerStub;
import io.acqswitch.sim.StubRules;
import io.acqswitch.sim.TerminalClient;
import io.acqswitch.sim.TerminalMessages;
import io.acqswitch.support.Await;
import io.acqswitch.support.ClusterHealth;
import io.acqswitch.support.PostgresJournal;
import io.acqswitch.support.Rig;
import io.acqswitch.support.SharedKafka;
import io.acqswitch.support.TempFiles;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
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
 * Two cluster nodes journal to one PostgreSQL schema (docs/cluster.md): each writes the rows of the
 * partitions it owns, their RRNs carry their node ids so they never collide, and together the rows
 * are exactly the sales the issuer stub debited, each once. Sales go to one node for terminals of
 * every partition, so the other node's share arrives forwarded. Skipped without {@code JOURNAL_PG_URL}.
 */
@Tag("postgres")
@Tag("slow")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterJournalPostgresTest {
    private static final String PAN = "4761739001010010";
    private static final int PARTITIONS = 4;
    private static final int TERMINALS = 12;
    @RegisterExtension
    static final SharedKafka KAFKA = new SharedKafka();
    private int stan;

    @Test
    void shouldJournalEveryNodesTransactionsToOneDatabaseOnceEach() throws Exception {
        try (PostgresJournal pg = PostgresJournal.createOrSkip();
             IssuerStub stub = new IssuerStub("stub", "127.0.0.1", 0, StubRules.approveAll()).start()) {
            List<Rig> nodes = new ArrayList<>();
            try {
                nodes.add(node(1, stub, pg)); // one after the other: the first migrates the schema
                nodes.add(node(2, stub, pg));
                Rig a = nodes.getFirst();
                Await.until("both nodes own partitions", () -> List.of(ClusterHealth.served(a.node.httpPort()),
                        ClusterHealth.served(nodes.get(1).node.httpPort())), s -> s.get(0).size() + s.get(1).size() == PARTITIONS
                        && !s.get(0).isEmpty() && !s.get(1).isEmpty(), Duration.ofSeconds(60));
                Set<String> approved = new HashSet<>();
                for (int t = 0; t < TERMINALS; t++) {
                    String tid = String.format("CJPG%04d", t);
                    ISOMsg answer = exchangeUntilServed(a, TerminalMessages.sale(PAN, 100 + t, "000000", tid, "MERCHANT0000001"));
                    assertEquals("00", answer.getString(39), tid);
                    approved.add(answer.getString(37));
                }
                for (Rig n : nodes) {
                    assertTrue(n.node.journal().awaitCaughtUp(Duration.ofSeconds(30)), "a node's journal caught up");
                }
                Map<String, String> rows = rows(pg);
                assertEquals(approved, rows.keySet(), "one row per approved sale, whichever node decided it");
                assertTrue(rows.values().stream().allMatch("APPROVED"::equals), rows.toString());
                Set<Character> nodeIds = new HashSet<>();
                rows.keySet().forEach(rrn -> nodeIds.add(rrn.charAt(4))); // year digit, day of year, then the node id
                assertEquals(Set.of('1', '2'), nodeIds, "both nodes wrote rows: " + rows.keySet());
                assertEquals(TERMINALS, stub.ledger().summary().debitsApproved(), "each sale debited once");
                assertEquals(TERMINALS, rows.size());
            } finally {
                for (Rig n : nodes.reversed()) {
                    n.close();
                }
            }
        }
    }

    /**
     * A sale at {@code node}, sent again as a new request (next STAN) while it is answered 91: a node
     * whose view of the other's partitions is not complete yet answers 91, which moves no money.
     */
    private ISOMsg exchangeUntilServed(Rig node, ISOMsg sale) {
        return Await.until("a sale of " + sale.getString(41) + " decided by its partition's owner", () -> {
            sale.set(11, String.format("%06d", ++stan));
            try (TerminalClient t = node.terminal()) {
                return t.exchange(sale);
            }
        }, answer -> !"91".equals(answer.getString(39)), Duration.ofSeconds(30));
    }

    private static Rig node(int nodeId, IssuerStub stub, PostgresJournal pg) throws Exception {
        Path dir = TempFiles.newDir("cluster-journal");
        String yaml = Rig.yaml(List.of("127.0.0.1:" + stub.port()), 20_000, dir)
                + ("cluster: {nodeId: %d, bootstrap: \"%s\", topic: journal-pg, partitions: %d, replication: sync,"
                + " ackTimeout: 20s, peerListen: \"127.0.0.1:0\", cardKey: \"%s\"}\n").formatted(nodeId,
                KAFKA.broker().bootstrap(), PARTITIONS, dir.getParent().resolve("cluster-journal-card.key"))
                + pg.yaml();
        return Rig.start(stub, List.of("127.0.0.1:" + stub.port()), yaml, dir);
    }

    private static Map<String, String> rows(PostgresJournal pg) throws Exception {
        Map<String, String> rows = new HashMap<>();
        try (Connection c = DriverManager.getConnection(pg.url(), pg.user(), pg.password());
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT rrn, state FROM transactions")) {
            while (rs.next()) {
                rows.put(rs.getString(1), rs.getString(2));
            }
        }
        return rows;
    }
}
