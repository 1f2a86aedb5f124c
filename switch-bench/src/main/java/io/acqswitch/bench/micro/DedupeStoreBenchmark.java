package io.acqswitch.bench.micro;

import io.acqswitch.iso.Dialect;
import io.acqswitch.iso.MessageClass;
import io.acqswitch.iso.TerminalRequest;
import io.acqswitch.store.ChronicleTransactionStore;
import io.acqswitch.txn.DedupeKeys;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
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
 * What the processor does per sale to find and record it: building the dedupe key (the real
 * {@link DedupeKeys#dedupe}, a fresh {@code String} of 32|42|41|11|7), and the persisted
 * {@link ChronicleTransactionStore}'s index and record put-then-get. Baselines in the same run:
 * the same fields hashed into a {@code long} (no allocation) for the key, and a
 * {@link ConcurrentHashMap} (in memory, not durable) for the store. Keys come from a pool of
 * {@value #KEYS} (the first pass inserts, later ones overwrite), so key building is not counted twice.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class DedupeStoreBenchmark {
    static final int KEYS = 100_000;

    private TerminalRequest request;
    private String[] keys;
    private String[] rrns;
    private byte[] record;
    private Path dir;
    private ChronicleTransactionStore store;
    private Map<String, String> indexBaseline;
    private Map<String, byte[]> recordsBaseline;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        request = TerminalRequest.of(Messages.sale(), MessageClass.SALE, Dialect.ISO87);
        keys = new String[KEYS];
        rrns = new String[KEYS];
        for (int i = 0; i < KEYS; i++) {
            keys[i] = "D|12345|BENCHMERCHANT01|T" + (1_000_000 + i / 1000) + "|" + String.format("%06d", i % 1000 + 1)
                    + "|1123221530";
            rrns[i] = String.format("632%09d", i);
        }
        record = new byte[420]; // TxnRecord's encoded size, roughly (the store is sized for 420)
        Arrays.fill(record, (byte) 7);
        dir = TempDirs.create("bench-store");
        store = new ChronicleTransactionStore(dir, 2L * KEYS);
        indexBaseline = new ConcurrentHashMap<>(4 * KEYS);
        recordsBaseline = new ConcurrentHashMap<>(4 * KEYS);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        store.close();
        TempDirs.delete(dir);
    }

    private int nextIndex() {
        int i = next;
        next = i + 1 == KEYS ? 0 : i + 1;
        return i;
    }

    @Benchmark
    public String dedupeKey() {
        return DedupeKeys.dedupe(request);
    }

    @Benchmark
    public long baselineDedupeKeyHash() {
        TerminalRequest r = request;
        long h = 0xcbf29ce484222325L;
        h = fnv(h, r.message().getString(32));
        h = fnv(h, r.merchantId());
        h = fnv(h, r.terminalId());
        h = fnv(h, r.stan());
        return fnv(h, r.message().getString(7));
    }

    @Benchmark
    public String storeIndexPutGet() {
        int i = nextIndex();
        store.putIndex(keys[i], rrns[i]);
        return store.index(keys[i]);
    }

    @Benchmark
    public String baselineMapIndexPutGet() {
        int i = nextIndex();
        indexBaseline.put(keys[i], rrns[i]);
        return indexBaseline.get(keys[i]);
    }

    @Benchmark
    public byte[] storeRecordPutGet() {
        int i = nextIndex();
        store.put(rrns[i], record);
        return store.get(rrns[i]);
    }

    @Benchmark
    public byte[] baselineMapRecordPutGet() {
        int i = nextIndex();
        recordsBaseline.put(rrns[i], record);
        return recordsBaseline.get(rrns[i]);
    }

    private static long fnv(long h, String s) {
        if (s != null) {
            for (int i = 0; i < s.length(); i++) {
                h = (h ^ s.charAt(i)) * 0x100000001b3L;
            }
        }
        return (h ^ '|') * 0x100000001b3L;
    }
}
