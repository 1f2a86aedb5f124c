package io.acqswitch.bench.load;

import com.sun.management.GcInfo;
import io.acqswitch.journal.JournalWriter;
import io.acqswitch.sim.Ledger;
import io.acqswitch.sim.LedgerSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The soak's instruments: records every answer's latency and every error as the generator reports
 * them ({@link LoadObserver}: event loops and sender thread), and on {@link #sample()} (one thread,
 * the soak's sampler) turns what accumulated since the previous sample into a {@link SoakSample},
 * reading the JVM's memory and collector beans, {@code /proc/self/fd}, the switch's store and
 * journal meters and {@code du} of its data directory.
 *
 * <p>It also rolls the issuer stub's ledger up at every sample: counts its approved and reversed
 * debits, then clears it, so the ledger (the judge, one entry per transaction) does not grow the
 * heap the soak is watching. The ledger check then compares the sums with the approvals received.
 */
final class SoakSampler implements LoadObserver {
    private static final long HIGHEST_MICROS = TimeUnit.SECONDS.toMicros(60);
    private static final double MB = 1024.0 * 1024.0;

    private final LoadRig rig;
    private final long warmupNanos;
    private final Recorder latencyMicros = new Recorder(HIGHEST_MICROS, 3);
    private final LongAdder answers = new LongAdder();
    private final LongAdder notApproved = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans();
    private final Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
    private Histogram interval;
    private long start;
    private long last;
    private long gcCount;
    private long gcMillis;
    private long debitsApproved;
    private long debitsReversed;

    /** @param warmupSeconds samples starting before this are marked as warm-up */
    SoakSampler(LoadRig rig, int warmupSeconds) {
        this.rig = rig;
        this.warmupNanos = TimeUnit.SECONDS.toNanos(warmupSeconds);
    }

    /** Starts the clock and the collectors' baseline: call just before the first request is due. */
    void start() {
        start = System.nanoTime();
        last = start;
        gcCount = collectorTotal(GarbageCollectorMXBean::getCollectionCount);
        gcMillis = collectorTotal(GarbageCollectorMXBean::getCollectionTime);
        rollLedger();
    }

    @Override
    public void answered(long dueNanos, long nowNanos, String code) {
        latencyMicros.recordValue(Math.min(HIGHEST_MICROS, Math.max(0, (nowNanos - dueNanos) / 1000)));
        answers.increment();
        if (!"00".equals(code)) {
            notApproved.increment();
        }
    }

    @Override
    public void failed(long requests) {
        errors.add(requests);
    }

    /**
     * The interval since the previous sample (or {@link #start()}); one thread at a time.
     *
     * @param drain whether this is the last sample, taken after the generator finished
     */
    SoakSample sample(boolean drain) {
        long now = System.nanoTime();
        double seconds = (now - last) / 1e9;
        boolean inWarmup = last - start < warmupNanos; // by the interval's start: no warm-up time enters the verdict
        last = now;
        interval = latencyMicros.getIntervalHistogram(interval);
        long count = collectorTotal(GarbageCollectorMXBean::getCollectionCount);
        long millis = collectorTotal(GarbageCollectorMXBean::getCollectionTime);
        long gcs = count - gcCount;
        long gcTime = millis - gcMillis;
        gcCount = count;
        gcMillis = millis;
        long fds = openFds(); // before du, whose pipes would count
        MeterRegistry registry = rig.node().metrics().registry();
        JournalWriter journal = rig.node().journal();
        long answered = answers.sumThenReset();
        rollLedger();
        String phase = drain ? "drain" : inWarmup ? "warmup" : "load";
        return new SoakSample((now - start) / 1e9, seconds, phase, answered, answered / seconds,
                ms(interval.getValueAtPercentile(50)), ms(interval.getValueAtPercentile(99)), ms(interval.getMaxValue()),
                errors.sumThenReset(), notApproved.sumThenReset(),
                ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / MB, heapAfterLastGc() / MB,
                gcs, gcTime, fds, (long) gauge(registry, "switch_store_records"),
                diskBytes(rig.dataDir().resolve("store")) / MB, diskBytes(rig.dataDir().resolve("journal")) / MB,
                journal == null ? 0 : journal.backlog(), gauge(registry, "switch_journal_oldest_pending_seconds"),
                load1());
    }

    /** What the stub's ledger held across every roll-up, checked against the approvals the terminals received. */
    LedgerCheck ledgerCheck(long approvalsReceived) {
        rollLedger();
        return new LedgerCheck("switch", new LedgerCheck.Expected(approvalsReceived, 0, 0, 0), debitsApproved,
                debitsReversed, 0, 0);
    }

    /**
     * Counts the ledger's approved and reversed debits (orphan reversals count as reversed: at this
     * load there should be none) and clears it, atomically: every ledger method holds its monitor.
     */
    private void rollLedger() {
        Ledger ledger = rig.stub.ledger();
        synchronized (ledger) {
            LedgerSummary s = ledger.summary();
            debitsApproved += s.debitsApproved();
            debitsReversed += s.debitsReversed() + s.orphanReversals();
            ledger.clear();
        }
    }

    /** Heap in use right after the most recent collection of any collector, or -1 before the first. */
    private long heapAfterLastGc() {
        long end = -1;
        long used = -1;
        for (GarbageCollectorMXBean c : collectors) {
            if (c instanceof com.sun.management.GarbageCollectorMXBean sun && sun.getLastGcInfo() != null
                    && sun.getLastGcInfo().getEndTime() > end) {
                GcInfo info = sun.getLastGcInfo();
                end = info.getEndTime();
                used = info.getMemoryUsageAfterGc().entrySet().stream().filter(e -> heapPools.contains(e.getKey()))
                        .map(Map.Entry::getValue).mapToLong(MemoryUsage::getUsed).sum();
            }
        }
        return used;
    }

    /** Heap in use after a full collection (before and after the run: the pause would skew a sample). */
    static double liveHeapMb() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / MB;
    }

    private long collectorTotal(ToLongFunction<GarbageCollectorMXBean> f) {
        return collectors.stream().mapToLong(f).filter(v -> v > 0).sum();
    }

    static long openFds() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count() - 1; // the listing's own descriptor
        } catch (IOException | UnsupportedOperationException e) {
            return -1;
        }
    }

    private static double load1() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Allocated bytes under {@code dir} ({@code du}: the sparse store files' length says nothing), -1 when unknown. */
    private static long diskBytes(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try {
            Process du = new ProcessBuilder("du", "-s", "--block-size=1", dir.toString()).redirectErrorStream(true).start();
            String out = new String(du.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return du.waitFor(10, TimeUnit.SECONDS) && du.exitValue() == 0 ? Long.parseLong(out.split("\\s+")[0]) : -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static double gauge(MeterRegistry registry, String name) {
        Gauge g = registry.find(name).gauge();
        return g == null ? 0 : g.value();
    }

    private static double ms(long micros) {
        return micros / 1000.0;
    }
}
