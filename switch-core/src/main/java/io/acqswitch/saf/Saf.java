package io.acqswitch.saf;

import io.acqswitch.config.SwitchConfig;
import io.acqswitch.metrics.SwitchMetrics;
import io.acqswitch.metrics.ThrottledLog;
import io.acqswitch.net.Issuers;
import io.acqswitch.store.TransactionStore;
import io.acqswitch.txn.IssuerMessages;
import io.acqswitch.txn.RecordCodec;
import io.acqswitch.txn.Reversals;
import io.acqswitch.txn.Transitions;
import io.acqswitch.txn.TxnClock;
import io.acqswitch.txn.TxnRecord;
import io.acqswitch.txn.TxnState;
import io.micrometer.core.instrument.Gauge;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jpos.iso.ISOMsg;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Store-and-forward of reversal advices. A queued reversal is a record in state
 * REVERSAL_PENDING, persisted before anyone is told the transaction failed; it is sent as 0420,
 * then 0421 with doubling backoff (capped), only while the issuer has a link up, until the issuer
 * answers 0430. Past expiry it is marked expired for operations and no longer sent, never dropped.
 *
 * <p>When to send and when to expire run on the monotonic clock ({@link TxnClock#nanos()}); the
 * record keeps the wall-clock equivalents ({@code safNextAt}, {@code safExpiresAt}) for operations
 * and for a restart, which turns them back into monotonic times once. Processor thread only,
 * except {@link #publishedDepth()} and the gauges.
 */
public final class Saf implements Reversals {
    private static final Logger LOG = LoggerFactory.getLogger(Saf.class);
    private static final ThrottledLog EXPIRED = new ThrottledLog(LOG, Level.ERROR, 10_000);

    /** A reversal being sent, with its times on the monotonic clock. */
    private static final class Entry {
        final TxnRecord rec;
        long nextNanos;
        long expiresNanos;

        Entry(TxnRecord rec, long nextNanos, long expiresNanos) {
            this.rec = rec;
            this.nextNanos = nextNanos;
            this.expiresNanos = expiresNanos;
        }
    }

    private final SwitchConfig cfg;
    private final TransactionStore store;
    private final Issuers issuers;
    private final SwitchMetrics metrics;
    private final TxnClock clock;
    private final Supplier<String> stans;
    private final RecordCodec codec = new RecordCodec();
    private final Consumer<TxnRecord> finished;
    private final Transitions transitions;
    private final long expiryNanos;
    private final List<Entry> active = new ArrayList<>();
    private final Map<String, Entry> byRrn = new HashMap<>();
    /** {@link #depth()} as of the last change, for readers on other threads (metrics, health). */
    private final AtomicInteger publishedDepth = new AtomicInteger();
    /** Written by the processor on each tick, read by the scrape thread: the list itself is never shared. */
    private final AtomicLong oldestAgeMillis = new AtomicLong();

    /** The {@link Reversals.Factory} of a switch: everything but the processor's own parts. */
    public static Reversals.Factory factory(SwitchConfig cfg, TransactionStore store, Issuers issuers,
                                            SwitchMetrics metrics, TxnClock clock) {
        return (transitions, stans, finished) -> new Saf(cfg, store, issuers, metrics, clock, transitions, stans, finished);
    }

    private Saf(SwitchConfig cfg, TransactionStore store, Issuers issuers, SwitchMetrics metrics, TxnClock clock,
                Transitions transitions, Supplier<String> stans, Consumer<TxnRecord> finished) {
        this.cfg = cfg;
        this.store = store;
        this.issuers = issuers;
        this.metrics = metrics;
        this.clock = clock;
        this.stans = stans;
        this.finished = finished;
        this.transitions = transitions;
        this.expiryNanos = cfg.saf().expiry().toNanos();
        Gauge.builder("switch_saf_depth", publishedDepth, AtomicInteger::get)
                .description("Reversal advices waiting for their issuer's 0430").register(metrics.registry());
        Gauge.builder("switch_saf_oldest_entry_age_seconds", oldestAgeMillis, ms -> ms.get() / 1000.0)
                .description("Age of the oldest pending, unexpired reversal advice (0 when none), as of the last tick")
                .baseUnit("seconds").register(metrics.registry());
    }

    @Override
    public boolean queue(TxnRecord r, String reason) {
        if (!transitions.apply(r, TxnState.REVERSAL_PENDING)) {
            return false;
        }
        long now = clock.wallMillis();
        r.reversalReason = reason;
        r.safNextAt = now;
        r.safExpiresAt = now + cfg.saf().expiry().toMillis();
        store.put(r.rrn, codec.encode(r));
        metrics.count("switch_reversals_queued", "reason", reasonTag(reason));
        long nanos = clock.nanos();
        add(r, nanos, nanos + expiryNanos);
        return true;
    }

    /** A REVERSAL_PENDING record found at start-up: its wall-clock times become monotonic ones, once. */
    @Override
    public void resume(TxnRecord r) {
        if (!r.safExpired) {
            long wall = clock.wallMillis();
            long nanos = clock.nanos();
            add(r, nanos + millisToNanos(r.safNextAt - wall), nanos + millisToNanos(r.safExpiresAt - wall));
        }
    }

    private static long millisToNanos(long millis) {
        return Math.max(0, millis) * 1_000_000L;
    }

    private void add(TxnRecord r, long nextNanos, long expiresNanos) {
        Entry e = new Entry(r, nextNanos, expiresNanos);
        if (byRrn.putIfAbsent(r.rrn, e) == null) {
            active.add(e);
            publishedDepth.set(active.size());
        }
    }

    @Override
    public int release(Predicate<TxnRecord> which) {
        int dropped = 0;
        for (Iterator<Entry> it = active.iterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (which.test(e.rec)) {
                it.remove();
                byRrn.remove(e.rec.rrn);
                dropped++;
            }
        }
        publishedDepth.set(active.size());
        return dropped;
    }

    @Override
    public TxnRecord pending(String rrn) {
        Entry e = byRrn.get(rrn);
        return e == null ? null : e.rec;
    }

    @Override
    public int depth() {
        return active.size();
    }

    @Override
    public int publishedDepth() {
        return publishedDepth.get();
    }

    @Override
    public void tick() {
        long now = clock.nanos();
        long oldestExpiry = Long.MAX_VALUE;
        for (Iterator<Entry> it = active.iterator(); it.hasNext(); ) {
            Entry e = it.next();
            TxnRecord r = e.rec;
            if (now - e.expiresNanos >= 0) {
                r.safExpired = true;
                store.put(r.rrn, codec.encode(r));
                it.remove();
                byRrn.remove(r.rrn);
                metrics.count("switch_reversals_expired");
                EXPIRED.log("expired", "reversal EXPIRED after {} attempts, needs manual handling (POST /ops/saf/{}/requeue or /resolve): {}",
                        r.safAttempts, r.rrn, r);
            } else {
                oldestExpiry = Math.min(oldestExpiry, e.expiresNanos);
                if (now - e.nextNanos >= 0 && issuers.linksUp(r.issuer) > 0) {
                    send(e, now);
                }
            }
        }
        // an entry keeps its expiry, not its queue time: queued = expiry - saf.expiry
        oldestAgeMillis.set(oldestExpiry == Long.MAX_VALUE ? 0
                : Math.max(0, (now - (oldestExpiry - expiryNanos)) / 1_000_000L));
        publishedDepth.set(active.size());
    }

    private void send(Entry e, long nowNanos) {
        TxnRecord r = e.rec;
        ISOMsg advice = IssuerMessages.reversalAdvice(r, stans.get(), cfg.acquirerId());
        int link = issuers.sendAfter(r.issuer, advice, r.issuerLink); // behind its original on one connection
        if (link < 0) {
            return; // try again next tick
        }
        issuers.abandon(r.issuer, link); // advices do not hold a request slot
        metrics.count(r.safAttempts == 0 ? "switch_reversals_sent" : "switch_reversals_retried", "issuer", r.issuerId);
        long backoff = Math.min(cfg.saf().firstRetry().toMillis() << Math.min(r.safAttempts, 20),
                cfg.saf().maxRetry().toMillis());
        r.safAttempts++;
        e.nextNanos = nowNanos + backoff * 1_000_000L;
        r.safNextAt = clock.wallMillis() + backoff;
        store.put(r.rrn, codec.encode(r));
    }

    @Override
    public boolean requeue(TxnRecord r, String note) {
        if (!r.safExpired) {
            return false; // still being sent
        }
        long now = clock.wallMillis();
        r.safExpired = false;
        r.safNextAt = now;
        r.safExpiresAt = now + cfg.saf().expiry().toMillis();
        r.flag = appendNote(r.flag, "requeued by " + note);
        store.put(r.rrn, codec.encode(r));
        long nanos = clock.nanos();
        add(r, nanos, nanos + expiryNanos);
        return true;
    }

    @Override
    public boolean resolve(TxnRecord r, String note) {
        Entry pending = byRrn.remove(r.rrn);
        if (pending != null) {
            active.remove(pending);
            publishedDepth.set(active.size());
        }
        TxnRecord rec = pending != null ? pending.rec : r;
        transitions.apply(rec, TxnState.REVERSED);
        rec.reversedAt = clock.wallMillis();
        rec.flag = appendNote(rec.flag, "resolved by hand by " + note);
        finished.accept(rec); // before the write: retention marks the record
        store.put(rec.rrn, codec.encode(rec));
        return true;
    }

    private static String appendNote(String flag, String note) {
        return flag.isEmpty() ? note : flag + "; " + note;
    }

    @Override
    public void acknowledged(ISOMsg m) {
        Entry e = byRrn.remove(m.getString(37));
        if (e == null) {
            metrics.count("switch_reversal_acks_unmatched");
            return;
        }
        active.remove(e);
        publishedDepth.set(active.size());
        TxnRecord r = e.rec;
        transitions.apply(r, TxnState.REVERSED);
        r.reversedAt = clock.wallMillis();
        finished.accept(r); // before the write: retention marks the record
        store.put(r.rrn, codec.encode(r));
        metrics.count("switch_reversals_delivered", "issuer", r.issuerId);
    }

    private static String reasonTag(String reason) {
        int colon = reason.indexOf(':');
        return (colon < 0 ? reason : reason.substring(0, colon)).replace(' ', '_');
    }
}
