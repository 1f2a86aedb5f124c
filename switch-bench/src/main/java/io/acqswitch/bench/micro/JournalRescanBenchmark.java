package io.acqswitch.bench.micro;

import io.acqswitch.config.SwitchConfig;
import io.acqswitch.journal.JournalDb;
import io.acqswitch.journal.JournalWriter;
import io.acqswitch.store.ChronicleTransactionStore;
import io.acqswitch.txn.RecordCodec;
import io.acqswitch.txn.TxnRecord;
import io.acqswitch.txn.TxnState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
 * What the journal's recovery after a crash costs today (the in-memory queue is lost, so at every
 * start the writer lists the store's records and checks each against the journal, writing what is
 * missing or older): one operation is a writer started on a Chronicle Map store of {@code records}
 * approved sales and an embedded H2 journal that already holds them all (after a kill only the last
 * batch window's changes are missing, so the check is the cost), timed until it is caught up.
 * {@code rescanNothingJournaled} is the same with an empty journal (the first start on an old
 * store, or a journal database lost): every record written. Baseline in the same run:
 * {@code baselineListStore}, the store's keys listed and each record read, what any recovery must
 * at least do without a saved position.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@Warmup(iterations = 1)
@Measurement(iterations = 3)
public class JournalRescanBenchmark {
    private static final Duration LIMIT = Duration.ofMinutes(10);

    @Param("100000")
    public int records;

    private Path dir;
    private ChronicleTransactionStore store;
    private JournalDb journaled;
    private int emptyJournals;

    @Setup(Level.Trial)
    public void setUp() throws InterruptedException {
        dir = TempDirs.create("bench-rescan");
        store = new ChronicleTransactionStore(dir, records);
        RecordCodec codec = new RecordCodec();
        long now = System.currentTimeMillis();
        for (int i = 0; i < records; i++) {
            TxnRecord r = sale(100_000_000_000L + i, i, now);
            store.put(r.rrn, codec.encode(r));
        }
        journaled = new JournalDb(SwitchConfig.Journal.embeddedUrl(dir.resolve("full")), "sa", "");
        long t0 = System.nanoTime();
        long written = catchUp(journaled);
        System.out.printf("%njournal filled by its first rescan: %d records in %d ms%n", written,
                (System.nanoTime() - t0) / 1_000_000);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        store.close();
        TempDirs.delete(dir);
    }

    /** A writer on {@code db} started, waited for until caught up, and closed; returns the changes it wrote. */
    private long catchUp(JournalDb db) throws InterruptedException {
        SwitchConfig.Journal jc = new SwitchConfig.Journal(null, null, null, null, null, null, null, null, null, null);
        JournalWriter w = new JournalWriter(db, store, null, jc.queueCapacity(), jc.batchSize(), jc.maxBatchSize(),
                jc.batchWindow(), jc.retryMin(), jc.retryMax(), new SimpleMeterRegistry(), System::currentTimeMillis).start();
        try {
            if (!w.awaitCaughtUp(LIMIT)) {
                throw new IllegalStateException("the journal did not catch up within " + LIMIT);
            }
            return w.written();
        } finally {
            w.close();
        }
    }

    @Benchmark
    public long rescanAllJournaled() throws InterruptedException {
        long written = catchUp(journaled);
        if (written != 0) {
            throw new IllegalStateException("a journal holding every record rewrote " + written);
        }
        return written;
    }

    @Benchmark
    public long rescanNothingJournaled() throws InterruptedException {
        return catchUp(new JournalDb(SwitchConfig.Journal.embeddedUrl(dir.resolve("empty-" + ++emptyJournals)), "sa", ""));
    }

    @Benchmark
    public long baselineListStore() {
        List<String> rrns = new ArrayList<>(records);
        store.forEach((rrn, record) -> rrns.add(rrn)); // keys first, as the writer does: no reads under the store's locks
        long bytes = 0;
        for (String rrn : rrns) {
            bytes += store.get(rrn).length;
        }
        return bytes;
    }

    /** {@link JournalWriterBenchmark}'s forwarded sale, approved and delivered: a finished record. */
    private static TxnRecord sale(long rrn, int i, long now) {
        TxnRecord r = JournalWriterBenchmark.forwarded(rrn, i);
        r.state = TxnState.APPROVED;
        r.responseCode = "00";
        r.authCode = "A1B2C3";
        r.delivered = true;
        r.completedAt = now;
        return r;
    }
}
