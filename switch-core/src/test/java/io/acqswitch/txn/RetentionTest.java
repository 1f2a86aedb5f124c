package io.acqswitch.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.acqswitch.sim.IssuerStub;
import io.acqswitch.sim.StubRules;
import io.acqswitch.sim.TerminalClient;
import io.acqswitch.sim.TerminalMessages;
import io.acqswitch.support.Rig;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Finished transactions leave the store after retention; a reversal still pending never does. */
class RetentionTest {

    @Test
    void shouldPurgeFinishedRecordsButKeepPendingReversals() throws Exception {
        // declines for PANs ending 99; every reversal advice ignored, so a timed-out sale stays pending
        StubRules rules = new StubRules(null, null, Map.of("99", "05"), null, null, null, null, null, null, null, 1000);
        try (IssuerStub stub = new IssuerStub("stub", "127.0.0.1", 0, rules).start()) {
            var data = Files.createTempDirectory("rig");
            List<String> hosts = List.of("127.0.0.1:" + stub.port());
            String yaml = Rig.yaml(hosts, 300, data).replace("store: {expectedEntries: 20000}",
                    "store: {expectedEntries: 20000, retention: 300ms}\ntransactions: {refundWindow: 300ms}");
            try (Rig rig = Rig.start(stub, hosts, yaml, data); TerminalClient t = rig.terminal()) {
                assertEquals("00", t.exchange(TerminalMessages.sale("4761739001010010", 10, "000001", "TERM0001", "M1")).getString(39));
                assertEquals("05", t.exchange(TerminalMessages.sale("4761739001010099", 20, "000002", "TERM0001", "M1")).getString(39));
                stub.setRules(new StubRules(null, null, null, null, null, null, 1.0, null, null, null, 1000));
                assertEquals("68", t.exchange(TerminalMessages.sale("4761739001010010", 30, "000003", "TERM0001", "M1")).getString(39));
                rig.await("two finished records purged", () -> rig.counted("switch_store_records_purged") >= 2,
                        Duration.ofSeconds(10));
                Thread.sleep(500);
                assertEquals(2.0, rig.counted("switch_store_records_purged"), "the pending reversal is kept");
                assertEquals(1, rig.node.processor().safDepth());
            }
        }
    }
}
