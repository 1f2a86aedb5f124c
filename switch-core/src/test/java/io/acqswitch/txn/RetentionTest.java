package io.acqswitch.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.acqswitch.sim.IssuerStub;
import io.acqswitch.sim.StubRules;
import io.acqswitch.sim.TerminalClient;
import io.acqswitch.sim.TerminalMessages;
import io.acqswitch.support.Await;
import io.acqswitch.support.Rig;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Finished transactions leave the store after retention; a reversal still pending never does. */
@Timeout(value = 300, unit = TimeUnit.SECONDS) // a hung socket fails the test instead of the build
class RetentionTest {

    @Test
    void shouldPurgeFinishedRecordsButKeepPendingReversals() throws Exception {
        // declines for PANs ending 99; every reversal advice ignored, so a timed-out sale stays pending
        StubRules rules = StubRules.builder().declineSuffixes(Map.of("99", "05")).ignoreReversals(1000).build();
        try (IssuerStub stub = new IssuerStub("stub", "127.0.0.1", 0, rules).start()) {
            var data = Files.createTempDirectory("rig");
            List<String> hosts = List.of("127.0.0.1:" + stub.port());
            String yaml = Rig.yaml(hosts, 300, data).replace("store: {expectedEntries: 20000}",
                    "store: {expectedEntries: 20000, retention: 300ms}\ntransactions: {refundWindow: 300ms}");
            try (Rig rig = Rig.start(stub, hosts, yaml, data); TerminalClient t = rig.terminal()) {
                assertEquals("00", t.exchange(TerminalMessages.sale("4761739001010010", 10, "000001", "TERM0001", "M1")).getString(39));
                assertEquals("05", t.exchange(TerminalMessages.sale("4761739001010099", 20, "000002", "TERM0001", "M1")).getString(39));
                stub.setRules(StubRules.builder().withholdRatio(1.0).ignoreReversals(1000).build());
                assertEquals("68", t.exchange(TerminalMessages.sale("4761739001010010", 30, "000003", "TERM0001", "M1")).getString(39));
                rig.await("two finished records purged", () -> rig.counted("switch_store_records_purged") >= 2,
                        Duration.ofSeconds(10));
                Await.holds("no third purge", () -> rig.counted("switch_store_records_purged") == 2.0, Duration.ofMillis(500));
                assertEquals(2.0, rig.counted("switch_store_records_purged"), "the pending reversal is kept");
                assertEquals(1, rig.node.processor().safDepth());
                assertEquals(0.0, gauge(rig, "switch_retention_candidates"));
            }
        }
    }

    @Test
    void shouldQueueEachFinishedRecordOnceHoweverOftenItIsWritten() throws Exception {
        try (Rig rig = Rig.start(400); TerminalClient t = rig.terminal()) {
            for (int i = 1; i <= 5; i++) {
                var sale = TerminalMessages.sale("4761739001010010", 10 * i, String.format("%06d", i), "TERM0001", "M1");
                assertEquals("00", t.exchange(sale).getString(39));
                assertEquals("00", t.exchange(sale).getString(39)); // a repeat: the record is written again
            }
            rig.await("five candidates", () -> gauge(rig, "switch_retention_candidates") == 5.0, Duration.ofSeconds(5));
            // the delivery confirmations and repeats are written meanwhile
            Await.holds("five candidates still", () -> gauge(rig, "switch_retention_candidates") == 5.0, Duration.ofMillis(300));
            assertEquals(5.0, gauge(rig, "switch_retention_candidates"),
                    "one candidate per approval, not one per write (approval, delivery, repeat)");
        }
    }

    private static double gauge(Rig rig, String name) {
        return rig.node.metrics().registry().get(name).gauge().value();
    }

    @Test
    void shouldKeepCandidatesInOrderCompactlyAndGrow() {
        Retention.Candidates q = new Retention.Candidates();
        for (int i = 0; i < 3000; i++) { // past the initial 1024 slots, with polls in between (a wrapped ring)
            q.add(i, String.format("6327%08d", i));
            if (i % 3 == 0) {
                q.add(i, "TEXT-" + i); // not a 12-digit RRN: kept as text, in order
            }
            if (i % 2 == 0) {
                q.pollRrn();
            }
        }
        List<String> out = new ArrayList<>();
        while (!q.isEmpty()) {
            out.add(q.pollRrn());
        }
        assertEquals(3000 + 1000 - 1500, out.size());
        assertEquals("TEXT-2997", out.get(out.size() - 3));
        assertEquals("632700002999", out.getLast());
        assertEquals("000000000042", twelve("000000000042"));
    }

    private static String twelve(String rrn) {
        Retention.Candidates q = new Retention.Candidates();
        q.add(1, rrn);
        return q.pollRrn();
    }
}
