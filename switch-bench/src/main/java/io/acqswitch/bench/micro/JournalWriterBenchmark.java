package io.acqswitch.bench.micro;

import io.acqswitch.config.SwitchConfig;
import io.acqswitch.iso.MessageClass;
import io.acqswitch.journal.JournalDb;
import io.acqswitch.journal.JournalWriter;
import io.acqswitch.journal.JournalingStore;
import io.acqswitch.store.HeapTransactionStore;
import io.acqswitch.store.TransactionStore;
import io.acqswitch.txn.RecordCodec;
import io.acqswitch.txn.TxnRecord;
import io.acqswitch.txn.TxnState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jpos.iso.ISOMsg;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import com.sun.management.OperatingSystemMXBean;
import com.sun.management.ThreadMXBean;

/**
 * The journal writer's throughput and allocation per record change, on the embedded H2 file
 * database the switch uses by default ({@link SwitchConfig.Journal#embeddedUrl}) and the journal
 * section's defaults (queue, batch sizes, batch window). One operation is one record change; an invocation is a burst of approved sales, three
 * changes each (FORWARDED, APPROVED, delivered) put through a {@link JournalingStore} as the
 * processor does (the first write and the one with the answer carry the terminal's request, from
 * which the writer renders the messages' masked text), then waits until the writer has committed
 * every change. {@code journal}: bursts
 * of {@value #SALES} sales, {@value #IN_FLIGHT} in flight at a time (a sale's answer comes
 * {@value #IN_FLIGHT} requests after it was forwarded, as with 50 terminals in a closed loop), so
 * the score is changes written per second while the writer has a backlog (its sustained rate).
 * {@code journalSmallBursts}: bursts of {@value #SMALL} with no batch window, the writer finding a
 * few changes at a time (its cost per change when batches are small). {@code gc.alloc.rate.norm} (with {@code -prof gc}: every
 * thread, the writer's and H2's included) is the bytes allocated per change.
 *
 * <p>Baseline in the same run: {@code baselineEncodeAndStore}, the same records encoded and put
 * into the same kind of store without the journal (subtract it from {@code journal}).
 *
 * <p>The journal is the embedded H2 unless {@code -p url=jdbc:postgresql://host:port/db -p user=U
 * [-p password=P]} names a PostgreSQL server: each trial then gets a schema of its own, dropped at
 * its end, and only the JDBC driver's share of the work is in this JVM's allocation.
 *
 * <p>After each iteration it prints {@code journal-writer thread: N B per change} (the writer
 * thread's own allocation, {@code ThreadMXBean}, over the changes it wrote in the iteration: the
 * issue's "writer allocates per transaction" is three of these, for a sale's three changes).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class JournalWriterBenchmark {
    static final int SALES = 1000;
    static final int IN_FLIGHT = 50;
    /** Sales per burst of {@code journalSmallBursts}: the writer meets a few changes at a time, as at a modest rate. */
    static final int SMALL = 10;
    /** Bounds the wait for the writer: far beyond any burst's time, so only a stuck writer hits it. */
    private static final long WAIT_LIMIT_NS = TimeUnit.SECONDS.toNanos(120);

    private final RecordCodec codec = new RecordCodec();
    private final TxnRecord[] inFlight = new TxnRecord[SALES];
    private final String[] rrns = new String[SALES];
    /** The terminal's request, handed to the journal by reference as the processor hands it ({@link Messages#sale}). */
    private final ISOMsg request = Messages.sale();
    /** The packed answer the record keeps (the journal unpacks it into the answer's text). */
    private final byte[] response = Messages.pack(Messages.approval(request));
    private Path dir;
    private TransactionStore plain;
    private TransactionStore heap;
    private JournalingStore journaling;
    private JournalWriter writer;
    private long nextRrn = 100_000_000_000L;
    private String schema;
    private long writerThread = -1;
    private long writerBytesAtStart;
    private long cpuAtStart;
    private long writtenBytesAtStart;
    private long writtenAtStart;

    /** The journal's JDBC URL: {@code embedded} (H2 under a temp directory, as the switch's default) or a PostgreSQL URL. */
    @Param("embedded")
    public String url;

    /** The PostgreSQL user (ignored for the embedded journal). */
    @Param("")
    public String user;

    /** The PostgreSQL password (ignored for the embedded journal). */
    @Param("")
    public String password;

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) throws InterruptedException, SQLException {
        dir = TempDirs.create("bench-journal");
        plain = new HeapTransactionStore();
        heap = new HeapTransactionStore();
        SwitchConfig.Journal jc = new SwitchConfig.Journal(null, null, null, null, null, null, null, null, null, null);
        // small bursts without the batch window: a burst would otherwise wait the window out, and the
        // score would be the window's length, not the writer's cost
        Duration window = params.getBenchmark().endsWith("journalSmallBursts") ? Duration.ZERO : jc.batchWindow();
        JournalDb db;
        if (url.startsWith("embedded")) { // "embedded;SETTING=V;..." adds H2 settings to the switch's URL
            db = new JournalDb(SwitchConfig.Journal.embeddedUrl(dir) + url.substring("embedded".length()), jc.user(), jc.password());
        } else {
            schema = "bench_journal_" + Long.toHexString(System.nanoTime());
            execute("CREATE SCHEMA " + schema);
            db = new JournalDb(url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema, user, password);
        }
        writer = new JournalWriter(db, heap,
                null, jc.queueCapacity(), jc.batchSize(), jc.maxBatchSize(), window, jc.retryMin(), jc.retryMax(),
                new SimpleMeterRegistry(), System::currentTimeMillis).start();
        if (!writer.awaitCaughtUp(Duration.ofSeconds(60))) {
            throw new IllegalStateException("the journal did not start");
        }
        journaling = new JournalingStore(heap, writer);
    }

    /**
     * Bytes this process passed to write calls so far ({@code wchar} of {@code /proc/self/io}; 0 where
     * there is none): the embedded database's file writes, whatever the CPU contention.
     */
    private static long bytesWritten() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
                if (line.startsWith("wchar:")) {
                    return Long.parseLong(line.substring(6).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: reported as 0
        }
        return 0;
    }

    /** CPU time of every thread of this JVM (the benchmark's producer, the writer, H2's own, GC). */
    private static long processCpuNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static ThreadMXBean threads() {
        return (ThreadMXBean) ManagementFactory.getThreadMXBean();
    }

    @Setup(Level.Iteration)
    public void startCounting() {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("journal-writer")) {
                writerThread = t.threadId();
            }
        }
        writerBytesAtStart = threads().getThreadAllocatedBytes(writerThread);
        cpuAtStart = processCpuNanos();
        writtenBytesAtStart = bytesWritten();
        writtenAtStart = writer.written();
    }

    @TearDown(Level.Iteration)
    public void printWriterAllocation() {
        long changes = writer.written() - writtenAtStart;
        if (changes > 0) {
            System.out.printf("%njournal-writer thread: %d B per change (%d changes); process CPU %.1f us per change; "
                            + "%d B written to files per change%n",
                    (threads().getThreadAllocatedBytes(writerThread) - writerBytesAtStart) / changes, changes,
                    (processCpuNanos() - cpuAtStart) / 1000.0 / changes, (bytesWritten() - writtenBytesAtStart) / changes);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws SQLException {
        writer.close();
        heap.close();
        plain.close();
        TempDirs.delete(dir);
        if (schema != null) {
            execute("DROP SCHEMA " + schema + " CASCADE");
        }
    }

    private void execute(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, password); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    @Benchmark
    @OperationsPerInvocation(3 * SALES)
    public long journal() {
        return journal(SALES);
    }

    @Benchmark
    @OperationsPerInvocation(3 * SMALL)
    public long journalSmallBursts() {
        return journal(SMALL);
    }

    @Benchmark
    @OperationsPerInvocation(3 * SALES)
    public long baselineEncodeAndStore() {
        sales(plain, SALES);
        forget(plain, SALES);
        return plain.records();
    }

    private long journal(int n) {
        long before = writer.written();
        sales(journaling, n);
        long target = before + 3L * n;
        long end = System.nanoTime() + WAIT_LIMIT_NS;
        while (writer.written() < target) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException("journal writer stuck at " + writer.written() + " of " + target);
            }
            LockSupport.parkNanos(20_000);
        }
        forget(heap, n);
        return writer.written();
    }

    /**
     * {@code n} sales, each forwarded, approved {@value #IN_FLIGHT} requests later (half the burst
     * for a short one), then delivered.
     */
    private void sales(TransactionStore store, int n) {
        int window = Math.min(IN_FLIGHT, Math.max(1, n / 2));
        for (int i = 0; i < n + window; i++) {
            if (i < n) {
                TxnRecord r = forwarded(nextRrn++, i);
                inFlight[i] = r;
                rrns[i] = r.rrn;
                store.put(r.rrn, codec.encode(r), request); // the record's first write carries the request
            }
            if (i >= window) {
                TxnRecord r = inFlight[i - window];
                long now = System.currentTimeMillis();
                r.state = TxnState.APPROVED;
                r.responseCode = "00";
                r.authCode = "A1B2C3";
                r.completedAt = now;
                r.response = response;
                store.put(r.rrn, codec.encode(r), request); // and the write that carries the answer
                r.delivered = true;
                store.put(r.rrn, codec.encode(r));
                inFlight[i - window] = null;
            }
        }
    }

    /** The store keeps only what is in flight (as retention would), so the heap holds steady over a long run. */
    private void forget(TransactionStore store, int n) {
        for (int i = 0; i < n; i++) {
            store.remove(rrns[i]);
        }
    }

    static TxnRecord forwarded(long rrn, int i) {
        long now = System.currentTimeMillis();
        TxnRecord r = new TxnRecord();
        r.rrn = Long.toString(rrn);
        r.state = TxnState.FORWARDED;
        r.messageClass = MessageClass.SALE;
        r.mti = "0200";
        r.processingCode = "000000";
        r.terminalId = "T" + (1_000_000 + i % 50);
        r.merchantId = "BENCHMERCHANT01";
        r.acquirerId = "12345";
        r.terminalStan = String.format("%06d", i % 999_999 + 1);
        r.dedupeKey = "D|12345|BENCHMERCHANT01|" + r.terminalId + "|" + r.terminalStan + "|1123221530";
        r.originalKey = "12345|BENCHMERCHANT01|" + r.terminalId + "|" + r.terminalStan;
        r.maskedPan = "476173******0010";
        r.amount = 1000 + i;
        r.currency = "840";
        r.issuer = 0;
        r.issuerId = "issuer-a";
        r.switchStan = r.terminalStan;
        r.issuerTransmissionTime = "1123221530";
        r.batch = "000001";
        r.receivedAt = now;
        r.forwardedAt = now;
        r.deadline = now + 30_000;
        return r;
    }
}
