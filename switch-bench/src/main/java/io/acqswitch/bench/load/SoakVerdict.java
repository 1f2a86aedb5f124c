package io.acqswitch.bench.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * "Nothing grows without bound": compares the first third of a soak's load samples (warm-up and
 * drain left out)
 * with the last third. Heap after GC is compared by its floor (the lowest value of the third: G1
 * lets garbage sit in the old generation until a concurrent cycle, so only a rising floor means
 * retained memory), open descriptors and p99 by their medians; the live heap after a full
 * collection before and after the run is compared too. Stateless.
 *
 * @param lines the verdict, one line per quantity, the last line the overall verdict
 * @param grows whether any checked quantity grew past its tolerance
 */
record SoakVerdict(List<String> lines, boolean grows) {
    /** Tolerances: growth past both the relative and the absolute bound is flagged. */
    static final double HEAP_MB = 64;
    static final double HEAP_RELATIVE = 0.25;
    static final double FDS = 10;
    static final double P99_MS = 5;
    static final double P99_RELATIVE = 1.0;
    static final int MIN_SAMPLES = 6;

    static SoakVerdict of(List<SoakSample> all, double liveHeapBeforeMb, double liveHeapAfterMb) {
        List<SoakSample> s = all.stream().filter(x -> x.phase().equals("load")).toList();
        List<String> lines = new ArrayList<>();
        boolean grows = check(lines, "live heap after a full GC, before vs after the run", liveHeapBeforeMb,
                liveHeapAfterMb, HEAP_MB, HEAP_RELATIVE, "MB");
        if (s.size() < MIN_SAMPLES) {
            lines.add("first vs last third: too few samples (" + s.size() + " < " + MIN_SAMPLES + ") to compare");
        } else {
            int third = s.size() / 3;
            List<SoakSample> first = s.subList(0, third);
            List<SoakSample> last = s.subList(s.size() - third, s.size());
            grows |= check(lines, "heap after GC (floor of the third)", floor(first), floor(last), HEAP_MB,
                    HEAP_RELATIVE, "MB");
            grows |= check(lines, "open file descriptors (median)", median(first, SoakSample::fds),
                    median(last, SoakSample::fds), FDS, 0, "");
            grows |= check(lines, "p99 latency (median of the intervals' p99)", median(first, SoakSample::p99),
                    median(last, SoakSample::p99), P99_MS, P99_RELATIVE, "ms");
            lines.add(String.format(Locale.ROOT, "achieved TPS (median): first third %.1f, last third %.1f",
                    median(first, SoakSample::achievedTps), median(last, SoakSample::achievedTps)));
            lines.add(String.format(Locale.ROOT, "journal backlog (max): first third %.0f, last third %.0f",
                    max(first, SoakSample::journalBacklog), max(last, SoakSample::journalBacklog)));
        }
        if (!all.isEmpty()) {
            SoakSample end = all.getLast();
            lines.add(String.format(Locale.ROOT,
                    "store: %d records at the end (grows by design until store.retention), %.1f MB on disk (%.0f bytes"
                            + " per record); journal %.1f MB on disk (%.0f bytes per record)", end.storeRecords(),
                    end.storeDiskMb(), perRecord(end.storeDiskMb(), end), end.journalDiskMb(),
                    perRecord(end.journalDiskMb(), end)));
            lines.add(String.format(Locale.ROOT, "errors %d, answers other than 00 %d, worst interval p99 %.3f ms, max %.3f ms",
                    all.stream().mapToLong(SoakSample::errors).sum(), all.stream().mapToLong(SoakSample::notApproved).sum(),
                    max(s, SoakSample::p99), max(s, SoakSample::max)));
        }
        lines.add(grows ? "verdict: GROWTH (see the lines marked GROWS)" : "verdict: nothing grows without bound");
        return new SoakVerdict(List.copyOf(lines), grows);
    }

    /** Flags {@code last} when it exceeds {@code first} by more than {@code absolute} and by more than {@code relative} of it. */
    private static boolean check(List<String> lines, String what, double first, double last, double absolute,
                                 double relative, String unit) {
        boolean grows = last - first > absolute && last - first > relative * first;
        lines.add(String.format(Locale.ROOT, "%s: first %.1f%s, last %.1f%s (%+.1f) -> %s", what, first, unit, last, unit,
                last - first, grows ? "GROWS" : "flat"));
        return grows;
    }

    private static double floor(List<SoakSample> s) {
        return s.stream().mapToDouble(SoakSample::heapAfterGcMb).filter(v -> v >= 0).min().orElse(-1);
    }

    static double median(List<SoakSample> s, ToDoubleFunction<SoakSample> f) {
        double[] v = s.stream().mapToDouble(f).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static double max(List<SoakSample> s, ToDoubleFunction<SoakSample> f) {
        return s.stream().mapToDouble(f).max().orElse(Double.NaN);
    }

    private static double perRecord(double mb, SoakSample end) {
        return end.storeRecords() > 0 ? mb * 1024 * 1024 / end.storeRecords() : Double.NaN;
    }
}
