package io.acqswitch.bench.micro;

import com.lmax.disruptor.EventHandler;
import io.acqswitch.config.ConfigException;
import io.acqswitch.config.ConfigLoader;
import io.acqswitch.config.SwitchConfig;
import io.acqswitch.iso.Dialect;
import io.acqswitch.iso.MessageClass;
import io.acqswitch.iso.TerminalRequest;
import io.acqswitch.metrics.SwitchMetrics;
import io.acqswitch.net.Issuers;
import io.acqswitch.pipeline.Deliveries;
import io.acqswitch.pipeline.EventType;
import io.acqswitch.pipeline.ReplyAddress;
import io.acqswitch.pipeline.Ring;
import io.acqswitch.pipeline.SwitchEvent;
import io.acqswitch.saf.Saf;
import io.acqswitch.store.ChronicleTransactionStore;
import io.acqswitch.store.HeapTransactionStore;
import io.acqswitch.store.TransactionStore;
import io.acqswitch.txn.TransactionProcessor;
import io.acqswitch.txn.TxnClock;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.jpos.iso.ISOMsg;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The processor's cost per approved sale: {@link TransactionProcessor#onEvent} for the
 * TERMINAL_REQUEST, the matching ISSUER_RESPONSE and the DELIVERIES outcome of the answer's write,
 * on the benchmark thread (as the ring's processor thread would run them). The terminal is an
 * {@link EmbeddedChannel}; the issuer side is a fake {@link Issuers} that captures the forwarded
 * message, from which the issuer's 0210 is built. Each operation uses a new terminal id/STAN, so
 * every sale is new to the dedupe index.
 *
 * <p>{@code store=chronicle} is the switch's persisted store in a temporary directory;
 * {@code store=heap} the baseline without durability (HashMaps). Baseline in the same run:
 * {@code baselineInputsOnly}, building the same request and issuer answer without the processor
 * (subtract it from {@code sale}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class ProcessorBenchmark {
    /** Sized above what 5 s of operations can insert, so the store never fills. */
    private static final long STORE_ENTRIES = 2_000_000;

    @Param({"chronicle", "heap"})
    String store;

    private Path dir;
    private TransactionStore txnStore;
    private Ring ring;
    private TransactionProcessor processor;
    private CapturingIssuers issuers;
    private EmbeddedChannel terminal;
    /** The terminal's reply address, made once (as the terminal server makes one per connection). */
    private ReplyAddress reply;
    private ISOMsg template;
    private final SwitchEvent event = new SwitchEvent();
    private long sequence;
    private int stan;
    private int terminalNo = 1_000_000; // "T" + 7 digits: field 41 is 8 characters

    @Setup(Level.Trial)
    public void setUp() throws ConfigException {
        dir = TempDirs.create("bench-processor");
        SwitchConfig cfg = ConfigLoader.parse("""
                dataDir: "%s"
                issuers:
                  - id: issuer-a
                    hosts: ["127.0.0.1:1"]
                    timeout: 10s
                routing: {defaultIssuer: issuer-a}
                stubs: []
                """.formatted(dir));
        txnStore = store.equals("chronicle") ? new ChronicleTransactionStore(dir, STORE_ENTRIES) : new HeapTransactionStore();
        issuers = new CapturingIssuers(cfg.issuers().getFirst());
        SwitchMetrics metrics = new SwitchMetrics();
        processor = new TransactionProcessor(cfg, txnStore, issuers, pan -> "issuer-a", metrics, TxnClock.SYSTEM,
                Saf.factory(cfg, txnStore, issuers, metrics, TxnClock.SYSTEM));
        // The approval's write publishes its DELIVERIES outcome to this ring (the switch's default
        // "blocking" strategy: the publish signals the parked consumer). In the switch that runs on the
        // Netty thread after the outbox's flush; here (EmbeddedChannel) on the benchmark thread, so it
        // is counted. The sink drops it: the benchmark feeds the processor its own DELIVERIES.
        EventHandler<SwitchEvent> sink = (e, seq, endOfBatch) -> e.clear();
        ring = new Ring(1024, "blocking", sink).start();
        processor.attach(ring);
        terminal = new EmbeddedChannel();
        EmbeddedChannel ch = terminal;
        reply = () -> ch;
        template = Messages.sale();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        terminal.finishAndReleaseAll();
        ring.close();
        txnStore.close();
        TempDirs.delete(dir);
    }

    /** A sale the processor has not seen: new STAN, and a new terminal id every 999 999. */
    private TerminalRequest nextRequest() {
        stan = stan % 999_999 + 1;
        if (stan == 1) {
            terminalNo++;
        }
        ISOMsg m = (ISOMsg) template.clone();
        m.set(11, String.format("%06d", stan));
        m.set(41, "T" + terminalNo);
        return TerminalRequest.of(m, MessageClass.SALE, Dialect.ISO87);
    }

    private static ISOMsg issuerApproval(ISOMsg forwarded) {
        ISOMsg a = (ISOMsg) forwarded.clone();
        a.set(0, "0210");
        a.set(38, "A1B2C3");
        a.set(39, "00");
        return a;
    }

    @Benchmark
    public Object sale() {
        TerminalRequest request = nextRequest();
        event.type = EventType.TERMINAL_REQUEST;
        event.request = request;
        event.terminal = reply;
        processor.onEvent(event, sequence++, true);

        ISOMsg forwarded = issuers.take();
        event.type = EventType.ISSUER_RESPONSE;
        event.issuer = 0;
        event.issuerMessage = issuerApproval(forwarded);
        processor.onEvent(event, sequence++, true);

        Deliveries delivered = new Deliveries(1);
        delivered.add(forwarded.getString(37), true);
        event.type = EventType.DELIVERIES;
        event.deliveries = delivered;
        processor.onEvent(event, sequence++, true);

        Object answer = terminal.readOutbound();
        if (answer == null) {
            throw new IllegalStateException("the processor wrote no answer");
        }
        return answer;
    }

    @Benchmark
    public Object baselineInputsOnly() {
        TerminalRequest request = nextRequest();
        ISOMsg forwarded = (ISOMsg) request.message().clone();
        forwarded.set(37, "632700000001");
        return issuerApproval(forwarded);
    }

    /** One issuer, always up; {@link #send} keeps the request for the benchmark to answer. */
    private static final class CapturingIssuers implements Issuers {
        private final SwitchConfig.Issuer issuer;
        private ISOMsg captured;

        CapturingIssuers(SwitchConfig.Issuer issuer) {
            this.issuer = issuer;
        }

        ISOMsg take() {
            ISOMsg m = captured;
            if (m == null) {
                throw new IllegalStateException("the processor forwarded nothing");
            }
            captured = null;
            return m;
        }

        @Override
        public int issuerCount() {
            return 1;
        }

        @Override
        public int indexOf(String issuerId) {
            return issuer.id().equals(issuerId) ? 0 : -1;
        }

        @Override
        public SwitchConfig.Issuer issuer(int index) {
            return issuer;
        }

        @Override
        public int send(int index, ISOMsg request) {
            captured = request;
            return 0;
        }

        @Override
        public int sendAfter(int index, ISOMsg request, int link) {
            return send(index, request);
        }

        @Override
        public void abandon(int index, int link) {
            // nothing is abandoned: every sale is answered
        }

        @Override
        public int linksUp(int index) {
            return 1;
        }
    }
}
