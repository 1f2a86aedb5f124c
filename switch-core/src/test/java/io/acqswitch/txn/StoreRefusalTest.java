package io.acqswitch.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.config.ConfigLoader;
import io.acqswitch.config.SwitchConfig;
import io.acqswitch.iso.Dialect;
import io.acqswitch.iso.MessageClass;
import io.acqswitch.iso.TerminalRequest;
import io.acqswitch.metrics.SwitchMetrics;
import io.acqswitch.net.Issuers;
import io.acqswitch.pipeline.EventType;
import io.acqswitch.pipeline.SwitchEvent;
import io.acqswitch.saf.Saf;
import io.acqswitch.sim.TerminalMessages;
import io.acqswitch.store.ForwardingTransactionStore;
import io.acqswitch.store.HeapTransactionStore;
import io.acqswitch.store.StoreFullException;
import io.acqswitch.support.TempFiles;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A request the store refuses part-way (its record written, an index key refused) is taken back
 * before anything leaves the switch: answered 96, nothing forwarded, nothing left for recovery to
 * reverse at an issuer that never saw it. The processor on its own, with an in-memory store and an
 * explicit clock.
 */
class StoreRefusalTest {
    private static final long NOW = 1_764_900_000_000L;
    private final Path dataDir = TempFiles.newDir("refusal");

    @AfterEach
    void clean() {
        TempFiles.delete(dataDir);
    }

    /** Refuses index keys of one kind (as a full Chronicle map would), everything else as usual. */
    private static final class RefusingStore extends ForwardingTransactionStore {
        boolean refuseOriginalKeys = true;

        RefusingStore() {
            super(new HeapTransactionStore());
        }

        @Override
        public void putIndex(String key, String rrn) {
            if (refuseOriginalKeys && key.startsWith(DedupeKeys.ORIGINAL)) {
                throw new StoreFullException("index full (test)", null);
            }
            super.putIndex(key, rrn);
        }
    }

    /** An issuer that records what would leave the switch. */
    private static final class RecordingIssuers implements Issuers {
        final List<ISOMsg> sent = new ArrayList<>();
        final SwitchConfig.Issuer issuer;

        RecordingIssuers(SwitchConfig cfg) {
            issuer = cfg.issuers().getFirst();
        }

        @Override public int issuerCount() { return 1; }
        @Override public int indexOf(String issuerId) { return issuer.id().equals(issuerId) ? 0 : -1; }
        @Override public SwitchConfig.Issuer issuer(int i) { return issuer; }
        @Override public int send(int i, ISOMsg request) { sent.add(request); return 0; }
        @Override public int sendAfter(int i, ISOMsg request, int link) { return send(i, request); }
        @Override public void abandon(int i, int link) { }
        @Override public int linksUp(int i) { return 1; }
    }

    private static TransactionProcessor processor(SwitchConfig cfg, RefusingStore store, RecordingIssuers issuers) {
        SwitchMetrics metrics = new SwitchMetrics();
        ManualClock clock = new ManualClock(NOW);
        return new TransactionProcessor(cfg, store, issuers, pan -> issuers.issuer.id(), metrics, clock,
                Saf.factory(cfg, store, issuers, metrics, clock));
    }

    @Test
    void shouldLeaveNothingForRecoveryWhenTheStoreRefusesARequestPartWay() throws Exception {
        SwitchConfig cfg = ConfigLoader.parse("dataDir: " + dataDir + "\nstubs: []\n");
        RefusingStore store = new RefusingStore();
        RecordingIssuers issuers = new RecordingIssuers(cfg);
        TransactionProcessor p = processor(cfg, store, issuers);
        EmbeddedChannel terminal = new EmbeddedChannel();

        SwitchEvent e = new SwitchEvent();
        e.type = EventType.TERMINAL_REQUEST;
        e.request = TerminalRequest.of(TerminalMessages.sale("4761739001010010", 500, "000001", "T1", "M1"),
                MessageClass.SALE, Dialect.ISO87);
        e.terminal = () -> terminal;
        p.onEvent(e, 0, true);

        ISOMsg answer = terminal.readOutbound();
        assertEquals("96", answer.getString(39));
        assertTrue(issuers.sent.isEmpty(), "nothing left the switch");
        assertEquals(0, store.records(), "the FORWARDED record was taken back");
        List<String> keys = new ArrayList<>();
        store.forEachIndex("", (k, v) -> keys.add(k));
        assertTrue(keys.isEmpty(), "and its index keys: " + keys);

        store.refuseOriginalKeys = false;
        TransactionProcessor restarted = processor(cfg, store, issuers);
        assertEquals(0, restarted.recover(), "recovery finds nothing to reverse");
        assertTrue(issuers.sent.isEmpty());
    }
}
