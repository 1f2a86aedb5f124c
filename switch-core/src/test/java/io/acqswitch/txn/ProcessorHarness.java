package io.acqswitch.txn;

import io.acqswitch.config.ConfigException;
import io.acqswitch.config.ConfigLoader;
import io.acqswitch.config.SwitchConfig;
import io.acqswitch.iso.Classifier;
import io.acqswitch.iso.Dialect;
import io.acqswitch.iso.IsoCodec;
import io.acqswitch.iso.TerminalRequest;
import io.acqswitch.metrics.SwitchMetrics;
import io.acqswitch.net.Issuers;
import io.acqswitch.pipeline.Deliveries;
import io.acqswitch.pipeline.EventType;
import io.acqswitch.pipeline.SwitchEvent;
import io.acqswitch.saf.Saf;
import io.acqswitch.store.HeapTransactionStore;
import io.acqswitch.support.TempFiles;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;

/**
 * The processor on its own, driven event by event as the ring would: an in-memory store, a
 * {@link ManualClock}, terminals that are {@link EmbeddedChannel}s and a fake issuer side that keeps
 * what the switch sent. No sockets, no threads, no sleeping. Delivery outcomes are fed back by the
 * test ({@link #delivered}), as the outbox would report them.
 */
final class ProcessorHarness implements AutoCloseable {
    static final long START = 1_764_900_000_000L; // 2025-12-05T02:00Z
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    static final Duration SAF_EXPIRY = Duration.ofHours(1);
    static final IsoCodec ISO87 = IsoCodec.of(Dialect.ISO87);

    final Path dataDir = TempFiles.newDir("processor");
    final ManualClock clock = new ManualClock(START);
    final HeapTransactionStore store = new HeapTransactionStore();
    final SwitchMetrics metrics = new SwitchMetrics();
    final FakeIssuers issuers;
    private final SwitchConfig cfg;
    TransactionProcessor processor;
    private final SwitchEvent event = new SwitchEvent();
    private long sequence;

    ProcessorHarness() throws ConfigException {
        SwitchConfig cfg = ConfigLoader.parse("""
                dataDir: "%s"
                issuers:
                  - id: issuer-a
                    hosts: ["127.0.0.1:1"]
                    timeout: %ds
                routing: {defaultIssuer: issuer-a}
                saf: {firstRetry: %ds, maxRetry: 8s, expiry: %dh}
                stubs: []
                """.formatted(dataDir, TIMEOUT.toSeconds(), FIRST_RETRY.toSeconds(), SAF_EXPIRY.toHours()));
        this.cfg = cfg;
        issuers = new FakeIssuers(cfg.issuers().getFirst());
        processor = newProcessor();
    }

    private TransactionProcessor newProcessor() {
        return new TransactionProcessor(cfg, store, issuers, pan -> "issuer-a", metrics, clock,
                Saf.factory(cfg, store, issuers, metrics, clock));
    }

    /**
     * A crash and a restart: a new processor over the same store (what the old one held in memory is
     * gone), after its crash recovery, as a switch starts.
     */
    void restart() {
        processor = newProcessor();
        processor.recover();
    }

    /** The terminal sends {@code m} (bound to the iso87 packager here). */
    void request(EmbeddedChannel terminal, ISOMsg m) {
        m.setPackager(ISO87.newMessage("0200").getPackager());
        event.type = EventType.TERMINAL_REQUEST;
        event.request = TerminalRequest.of(m, Classifier.classify(m, Dialect.ISO87), Dialect.ISO87);
        event.terminal = () -> terminal;
        processor.onEvent(event, sequence++, true);
    }

    /** The issuer answers the request {@code forwarded} with {@code rc} (and an auth code when approving). */
    void issuerAnswers(ISOMsg forwarded, String rc) {
        ISOMsg a = (ISOMsg) forwarded.clone();
        try {
            a.setResponseMTI();
        } catch (ISOException e) {
            throw new IllegalStateException(e);
        }
        a.set(39, rc);
        if ("00".equals(rc)) {
            a.set(38, "A1B2C3");
        }
        issuerSends(a);
    }

    /** Any message from the issuer (an answer, a late answer, an 0430). */
    void issuerSends(ISOMsg m) {
        event.type = EventType.ISSUER_RESPONSE;
        event.issuer = 0;
        event.issuerMessage = m;
        processor.onEvent(event, sequence++, true);
    }

    /** The outbox's report: the answer of {@code rrn} reached its terminal's socket, or not. */
    void delivered(String rrn, boolean ok) {
        Deliveries d = new Deliveries(1);
        d.add(rrn, ok);
        event.type = EventType.DELIVERIES;
        event.deliveries = d;
        processor.onEvent(event, sequence++, true);
    }

    void tick() {
        event.type = EventType.TICK;
        processor.onEvent(event, sequence++, true);
    }

    /** Real time passes by {@code d} (both clocks), then one tick. */
    void advanceAndTick(Duration d) {
        clock.advance(d);
        tick();
    }

    /** The next answer written to {@code terminal}, unpacked, or null. */
    static ISOMsg answer(EmbeddedChannel terminal) {
        Object out = terminal.readOutbound();
        if (out == null || out instanceof ISOMsg) {
            return (ISOMsg) out;
        }
        ISOMsg m = new ISOMsg();
        try {
            ISO87.unpack((byte[]) out, m);
        } catch (ISOException e) {
            throw new IllegalStateException("the switch wrote an answer that does not unpack", e);
        }
        return m;
    }

    /** The record as the store has it. */
    TxnRecord stored(String rrn) {
        byte[] b = store.get(rrn);
        return b == null ? null : RecordCodec.decode(b);
    }

    double counted(String name, String... tags) {
        return metrics.counted(name, tags);
    }

    @Override
    public void close() {
        store.close();
        TempFiles.delete(dataDir);
    }

    /**
     * One issuer with {@link #links} links, used round-robin; keeps every message the switch sent
     * it and the link it went on. All links can be taken down ({@link #linksUp} 0), or some
     * ({@link #down}), and some can be at their outstanding limit ({@link #full}).
     */
    static final class FakeIssuers implements Issuers {
        final List<ISOMsg> sent = new ArrayList<>();
        final List<Integer> sentOn = new ArrayList<>();
        final SwitchConfig.Issuer issuer;
        int linksUp = 1;
        int links = 1;
        final Set<Integer> down = new HashSet<>();
        final Set<Integer> full = new HashSet<>();
        private int cursor;
        int abandoned;

        FakeIssuers(SwitchConfig.Issuer issuer) {
            this.issuer = issuer;
        }

        /** The messages sent with {@code mti}, in order. */
        List<ISOMsg> sent(String mti) {
            return sent.stream().filter(m -> mti.equals(m.getString(0))).toList();
        }

        ISOMsg last() {
            return sent.getLast();
        }

        @Override public int issuerCount() { return 1; }
        @Override public int indexOf(String issuerId) { return issuer.id().equals(issuerId) ? 0 : -1; }
        @Override public SwitchConfig.Issuer issuer(int i) { return issuer; }
        @Override public void abandon(int i, int link) { abandoned++; }
        @Override public int linksUp(int i) { return linksUp == 0 ? 0 : links - down.size(); }

        /** The link {@code message} went on. */
        int linkOf(ISOMsg message) {
            return sentOn.get(sent.indexOf(message));
        }

        @Override
        public int send(int i, ISOMsg request) {
            for (int k = 0; k < links && linksUp > 0; k++) {
                int link = cursor++ % links;
                if (!down.contains(link) && !full.contains(link)) {
                    return sendOn(link, request);
                }
            }
            return linksUp(i) == 0 ? NO_LINK_UP : BACKPRESSURE;
        }

        @Override
        public int sendAfter(int i, ISOMsg request, int link) {
            if (link < 0 || linksUp == 0 || down.contains(link)) {
                return send(i, request);
            }
            return full.contains(link) ? BACKPRESSURE : sendOn(link, request);
        }

        private int sendOn(int link, ISOMsg request) {
            sent.add(request);
            sentOn.add(link);
            return link;
        }
    }
}
