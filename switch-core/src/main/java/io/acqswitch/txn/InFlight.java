package io.acqswitch.txn;

import io.acqswitch.iso.TerminalRequest;
import io.acqswitch.metrics.SwitchMetrics;
import io.acqswitch.pipeline.ReplyAddress;
import io.micrometer.core.instrument.Gauge;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Requests at their issuers: found by switch STAN (the issuer's answer) or RRN (repeats, loads),
 * and their deadlines, one FIFO per issuer (one timeout per issuer, so each queue is in deadline
 * order). Deadlines are on the monotonic clock ({@link TxnClock#nanos()}). Processor thread only,
 * except {@link #published()}.
 */
final class InFlight {
    /** A forwarded request awaiting its issuer's answer, with who to tell. */
    static final class Pending {
        final TxnRecord rec;
        final TerminalRequest request;
        final ReplyAddress terminal;
        final int link;
        final long forwardedNanos;
        final long deadlineNanos;
        /** Terminals that sent the same request again while it was in flight: answered with it. */
        List<ReplyAddress> waiters;

        Pending(TxnRecord rec, TerminalRequest request, ReplyAddress terminal, int link, long forwardedNanos, long deadlineNanos) {
            this.rec = rec;
            this.request = request;
            this.terminal = terminal;
            this.link = link;
            this.forwardedNanos = forwardedNanos;
            this.deadlineNanos = deadlineNanos;
        }

        void addWaiter(ReplyAddress ch) {
            if (waiters == null) {
                waiters = new ArrayList<>(2);
            }
            waiters.add(ch);
        }
    }

    private final Map<String, Pending> byStan = new HashMap<>();
    private final Map<String, Pending> byRrn = new HashMap<>();
    private final List<ArrayDeque<Pending>> deadlines = new ArrayList<>();
    private final AtomicInteger published = new AtomicInteger();

    InFlight(int issuerCount, SwitchMetrics metrics) {
        for (int i = 0; i < issuerCount; i++) {
            deadlines.add(new ArrayDeque<>());
        }
        Gauge.builder("switch_transactions_in_flight", published, AtomicInteger::get)
                .description("Requests forwarded and not yet answered or timed out").register(metrics.registry());
    }

    /** Tracks a request just sent on {@code link}; it times out {@code timeout} after {@code nowNanos}. */
    Pending add(TxnRecord r, TerminalRequest req, ReplyAddress terminal, int link, long nowNanos, Duration timeout) {
        Pending p = new Pending(r, req, terminal, link, nowNanos, nowNanos + timeout.toNanos());
        byStan.put(r.switchStan, p);
        byRrn.put(r.rrn, p);
        published.set(byStan.size());
        deadlines.get(r.issuer).addLast(p);
        return p;
    }

    Pending byStan(String stan) {
        return stan == null ? null : byStan.get(stan);
    }

    Pending byRrn(String rrn) {
        return byRrn.get(rrn);
    }

    /** Answered or timed out: no longer in flight (its deadline entry is skipped when it comes up). */
    void forget(Pending p) {
        byStan.remove(p.rec.switchStan);
        byRrn.remove(p.rec.rrn);
        published.set(byStan.size());
    }

    /**
     * Forgets every request in flight whose record {@code which} accepts (a partition this node
     * gave up) and returns them; their deadlines are skipped when they come up.
     */
    List<Pending> release(Predicate<TxnRecord> which) {
        List<Pending> out = new ArrayList<>();
        for (Pending p : byStan.values()) {
            if (which.test(p.rec)) {
                out.add(p);
            }
        }
        out.forEach(this::forget);
        return out;
    }

    /** Hands every request whose deadline is at or before {@code nowNanos} to {@code timedOut}, forgotten first. */
    void expire(long nowNanos, Consumer<Pending> timedOut) {
        for (ArrayDeque<Pending> q : deadlines) {
            Pending p;
            while ((p = q.peekFirst()) != null && nowNanos - p.deadlineNanos >= 0) {
                q.pollFirst();
                if (byStan.get(p.rec.switchStan) == p) {
                    forget(p);
                    timedOut.accept(p);
                }
            }
        }
    }

    /** Requests in flight; any thread. */
    int published() {
        return published.get();
    }
}
