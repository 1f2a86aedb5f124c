package io.acqswitch.bench.load;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The switch's journal lag over a run's measured window: its {@code /metrics} are scraped when the
 * window begins and when it ends, alongside the target's {@link ResourceMeter} (whose calls it
 * passes on), and the quantiles come from the difference of the two scrapes' cumulative buckets of
 * the histogram {@code switch_journal_lag_seconds} (the journal writer's: a change's store write to
 * its row's commit), interpolated within a bucket as Prometheus's {@code histogram_quantile} does.
 * Rows committed in the window are counted, whenever their change was made.
 */
final class JournalLag implements ResourceMeter {
    static final String METRIC = "switch_journal_lag_seconds_bucket";
    private static final Pattern BUCKET = Pattern.compile(
            "^" + METRIC + "\\{(?:[^}]*,)?le=\"([^\"]+)\"[^}]*}\\s+(\\S+)", Pattern.MULTILINE);

    /** The journal writer's backlog gauges that must all be 0 for it to have caught up. */
    private static final List<String> BACKLOG = List.of("switch_journal_queue_depth", "switch_journal_dirty_records",
            "switch_journal_rescan_left");

    private final ResourceMeter resources;
    private final Supplier<CompletableFuture<String>> scrape;
    private volatile CompletableFuture<String> before;
    private volatile CompletableFuture<String> after;

    /**
     * @param resources the target's meter, called as ever
     * @param scrape    asks for the switch's {@code /metrics} text, without waiting for it
     */
    JournalLag(ResourceMeter resources, Supplier<CompletableFuture<String>> scrape) {
        this.resources = resources;
        this.scrape = scrape;
    }

    /**
     * Waits (at most {@code limit}) until the switch's journal has written everything earlier runs left
     * it (its queue, held-back and rescan gauges all 0), so the lag measured is the run's own and not
     * that of a backlog an earlier overload left; returns the seconds it took, or -1 when it did not.
     */
    double awaitCaughtUp(Duration limit) throws InterruptedException {
        long start = System.nanoTime();
        long end = start + limit.toNanos();
        while (System.nanoTime() < end) {
            String metrics = scrape.get().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> "").join();
            if (BACKLOG.stream().allMatch(gauge -> PrometheusText.sum(metrics, gauge).orElse(-1) == 0)) {
                return (System.nanoTime() - start) / 1e9;
            }
            Thread.sleep(200);
        }
        return -1;
    }

    @Override
    public void begin() {
        before = scrape.get();
        resources.begin();
    }

    @Override
    public void end() {
        resources.end();
        after = scrape.get();
    }

    @Override
    public Usage usage() {
        return resources.usage();
    }

    /**
     * The lag histogram's counts in the window, by bucket upper bound in seconds (cumulative, the last
     * {@code +Inf}); called after the run.
     *
     * @throws IllegalStateException when a scrape failed, took over 10 s, or had no lag histogram
     */
    NavigableMap<Double, Double> window() throws InterruptedException {
        if (before == null || after == null) {
            throw new IllegalStateException("the run did not measure a window");
        }
        return difference(buckets(text(before)), buckets(text(after)));
    }

    private static String text(CompletableFuture<String> scrape) throws InterruptedException {
        try {
            return scrape.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the switch's /metrics could not be read: " + e, e);
        }
    }

    /**
     * The cumulative bucket counts of {@value #METRIC} in a Prometheus text exposition, by upper bound
     * ({@code +Inf} as {@link Double#POSITIVE_INFINITY}), summed over any other labels.
     *
     * @throws IllegalStateException when there are none (no journal, or no histogram published)
     */
    static NavigableMap<Double, Double> buckets(String metrics) {
        NavigableMap<Double, Double> buckets = new TreeMap<>();
        Matcher m = BUCKET.matcher(metrics);
        while (m.find()) {
            double le = m.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1));
            buckets.merge(le, Double.parseDouble(m.group(2)), Double::sum);
        }
        if (!buckets.containsKey(Double.POSITIVE_INFINITY)) {
            throw new IllegalStateException("no " + METRIC + " in the switch's /metrics (is its journal on?)");
        }
        return buckets;
    }

    /** {@code after - before}, bucket by bucket (a bucket missing before counted 0). */
    static NavigableMap<Double, Double> difference(Map<Double, Double> before, NavigableMap<Double, Double> after) {
        NavigableMap<Double, Double> d = new TreeMap<>();
        after.forEach((le, n) -> d.put(le, n - before.getOrDefault(le, 0.0)));
        return d;
    }

    /** How many rows the window's buckets count. */
    static double count(NavigableMap<Double, Double> buckets) {
        return buckets.get(Double.POSITIVE_INFINITY);
    }

    /**
     * The {@code q} quantile in seconds of cumulative {@code buckets}, linearly interpolated within
     * its bucket (the first from 0); in the {@code +Inf} bucket, the highest finite bound. NaN when
     * the buckets count nothing.
     */
    static double quantile(double q, NavigableMap<Double, Double> buckets) {
        double total = count(buckets);
        if (total <= 0) {
            return Double.NaN;
        }
        double rank = q * total;
        double lower = 0;
        double below = 0;
        for (Map.Entry<Double, Double> b : buckets.entrySet()) {
            if (b.getValue() >= rank) {
                if (b.getKey() == Double.POSITIVE_INFINITY) {
                    return lower;
                }
                double inBucket = b.getValue() - below;
                return inBucket <= 0 ? b.getKey() : lower + (b.getKey() - lower) * (rank - below) / inBucket;
            }
            lower = b.getKey();
            below = b.getValue();
        }
        return lower;
    }
}
