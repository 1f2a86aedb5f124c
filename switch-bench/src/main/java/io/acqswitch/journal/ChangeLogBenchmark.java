package io.acqswitch.journal;

import io.acqswitch.bench.micro.TempDirs;
import io.acqswitch.iso.MessageClass;
import io.acqswitch.txn.RecordCodec;
import io.acqswitch.txn.TxnRecord;
import io.acqswitch.txn.TxnState;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Where the journal's change log lives (issue #17, item 2), measured by what the processor's thread
 * pays per change: {@code inMemoryQueue}, the switch's {@link ChangeQueue} (an append to a bounded
 * ring; the writer drains it, here the same thread every 1024 changes, so the drain's share is in
 * the score), against {@code chronicleQueueAppend}, an append of the same change (RRN, record
 * bytes, time) to a Chronicle Queue on local disk, the append-only log the SQL loader would tail
 * from a saved position. {@code -prof gc} gives the bytes allocated per change.
 *
 * <p>In package {@code io.acqswitch.journal} (not {@code bench.micro}) to reach the package-private
 * {@link ChangeQueue}: run it by name, {@code ./acqswitch jmh ChangeLogBenchmark -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ChangeLogBenchmark {
    private static final int DRAIN_EVERY = 1024;

    private final ChangeQueue queue = new ChangeQueue(65_536);
    private final ChangeQueue.Taker taker = (rrn, record, request, at) -> { };
    private final String rrn = "633912345678";
    private byte[] record;
    private int offered;
    private Path dir;
    private ChronicleQueue log;
    private ExcerptAppender appender;

    @Setup(Level.Trial)
    public void setUp() {
        TxnRecord r = new TxnRecord();
        r.rrn = rrn;
        r.state = TxnState.APPROVED;
        r.messageClass = MessageClass.SALE;
        r.mti = "0200";
        r.processingCode = "000000";
        r.terminalId = "T1000001";
        r.merchantId = "BENCHMERCHANT01";
        r.terminalStan = "000123";
        r.maskedPan = "476173******0010";
        r.amount = 1234;
        r.currency = "840";
        r.issuerId = "issuer-a";
        r.responseCode = "00";
        r.authCode = "A1B2C3";
        r.receivedAt = System.currentTimeMillis();
        r.forwardedAt = r.receivedAt;
        r.completedAt = r.receivedAt;
        record = new RecordCodec().encode(r);
        dir = TempDirs.create("bench-changelog");
        log = ChronicleQueue.singleBuilder(dir.toFile()).build();
        appender = log.createAppender();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        appender.close();
        log.close();
        TempDirs.delete(dir);
    }

    @Benchmark
    public int inMemoryQueue() {
        if (!queue.offer(rrn, record, System.currentTimeMillis())) {
            throw new IllegalStateException("queue full");
        }
        if (++offered == DRAIN_EVERY) {
            offered = 0;
            return queue.drain(taker, DRAIN_EVERY);
        }
        return offered;
    }

    @Benchmark
    public long chronicleQueueAppend() {
        try (DocumentContext dc = appender.writingDocument()) {
            Bytes<?> b = dc.wire().bytes();
            b.writeUtf8(rrn);
            b.writeLong(System.currentTimeMillis());
            b.writeInt(record.length);
            b.write(record);
            return b.writePosition();
        }
    }
}
