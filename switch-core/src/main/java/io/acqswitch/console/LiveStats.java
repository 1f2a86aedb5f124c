package io.acqswitch.console;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * The Live page's figures, from the node's meters: answers to terminals
 * ({@code switch_terminal_responses{class,code}}) sampled once a second into a ring of the last
 * {@link #KEEP_SECONDS}, from which the rate, the approval share and the sparkline come; the SAF and
 * journal gauges are read as they are. Sampling is one scheduled call a second ({@link #sample}),
 * off every switch thread; reads and samples are synchronized on this object.
 */
final class LiveStats {
    /** History kept: ten minutes of one-second samples. */
    static final int KEEP_SECONDS = 600;
    /** The sparkline's bucket: one point per this many seconds. */
    static final int BUCKET_SECONDS = 10;
    private static final int RATE_WINDOW = 5;
    private static final int APPROVAL_WINDOW = 60;

    /** Cumulative answers and approvals at one instant (epoch ms). */
    private record Sample(long at, double answers, double approved) {}

    /** What the Live page shows; rates are per second, shares in percent (-1: no answers in the window). */
    record Snapshot(double tps, double approvalPercent, Map<String, Long> answersByCode, List<Double> sparkline,
            double safOldestSeconds, double journalLagSeconds) {}

    private final MeterRegistry registry;
    private final LongSupplier clock;
    private final ArrayDeque<Sample> samples = new ArrayDeque<>();

    /** @param clock epoch milliseconds */
    LiveStats(MeterRegistry registry, LongSupplier clock) {
        this.registry = registry;
        this.clock = clock;
    }

    /** Records the counters now; called once a second. */
    synchronized void sample() {
        double answers = 0;
        double approved = 0;
        for (Counter c : registry.find("switch_terminal_responses").counters()) {
            answers += c.count();
            if ("00".equals(c.getId().getTag("code"))) {
                approved += c.count();
            }
        }
        samples.addLast(new Sample(clock.getAsLong(), answers, approved));
        while (samples.size() > KEEP_SECONDS + 1) {
            samples.removeFirst();
        }
    }

    synchronized Snapshot snapshot() {
        Map<String, Long> byCode = new TreeMap<>();
        for (Counter c : registry.find("switch_terminal_responses").counters()) {
            byCode.merge(String.valueOf(c.getId().getTag("code")), (long) c.count(), Long::sum);
        }
        byCode.values().removeIf(v -> v == 0);
        double tps = 0;
        double approval = -1;
        if (samples.size() >= 2) {
            Sample last = samples.getLast();
            Sample rateFrom = back(RATE_WINDOW);
            double secs = (last.at() - rateFrom.at()) / 1000.0;
            tps = secs > 0 ? (last.answers() - rateFrom.answers()) / secs : 0;
            Sample shareFrom = back(APPROVAL_WINDOW);
            double answered = last.answers() - shareFrom.answers();
            approval = answered > 0 ? 100.0 * (last.approved() - shareFrom.approved()) / answered : -1;
        }
        return new Snapshot(tps, approval, byCode, sparkline(), gauge("switch_saf_oldest_entry_age_seconds"),
                gauge("switch_journal_oldest_pending_seconds"));
    }

    /** Answers per second in each {@link #BUCKET_SECONDS} bucket of the history, oldest first. */
    private List<Double> sparkline() {
        List<Double> out = new ArrayList<>();
        Sample start = null;
        int i = 0;
        for (Sample s : samples) {
            if (start == null) {
                start = s;
            } else if (++i % BUCKET_SECONDS == 0) {
                double secs = (s.at() - start.at()) / 1000.0;
                out.add(secs > 0 ? (s.answers() - start.answers()) / secs : 0);
                start = s;
            }
        }
        return out;
    }

    /** The sample {@code seconds} samples before the last (or the oldest). */
    private Sample back(int seconds) {
        Iterator<Sample> it = samples.descendingIterator();
        Sample s = it.next();
        for (int i = 0; i < seconds && it.hasNext(); i++) {
            s = it.next();
        }
        return s;
    }

    private double gauge(String name) {
        Gauge g = registry.find(name).gauge();
        return g == null ? 0 : g.value();
    }
}
