package io.acqswitch.txn;

import io.acqswitch.config.SwitchConfig;
import io.acqswitch.metrics.SwitchMetrics;
import io.acqswitch.net.Issuers;
import io.acqswitch.store.TransactionStore;
import io.micrometer.core.instrument.Gauge;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.jpos.iso.ISOMsg;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Store-and-forward of reversal advices. A queued reversal is a record in state
 * REVERSAL_PENDING, persisted before anyone is told the transaction failed; it is sent as 0420,
 * then 0421 with doubling backoff (capped), only while the issuer has a link up, until the issuer
 * answers 0430. Past expiry it is marked expired for operations and no longer sent, never dropped.
 * Processor thread only.
 */
final class Saf {
    private static final Logger LOG = LoggerFactory.getLogger(Saf.class);
    private static final io.acqswitch.metrics.ThrottledLog EXPIRED =
            new io.acqswitch.metrics.ThrottledLog(LOG, org.slf4j.event.Level.ERROR, 10_000);

    private final SwitchConfig cfg;
    private final TransactionStore store;
    private final Issuers issuers;
    private final SwitchMetrics metrics;
    private final Sequences sequences;
    private final RecordCodec codec;
    private final java.util.function.Consumer<TxnRecord> finished;
    private final Transitions transitions;
    private final List<TxnRecord> active = new ArrayList<>();
    private final Map<String, TxnRecord> byRrn = new HashMap<>();
    /** {@link #depth()} as of the last tick, for readers on other threads (metrics, health). */
    private final java.util.concurrent.atomic.AtomicInteger publishedDepth = new java.util.concurrent.atomic.AtomicInteger();
    /** Written by the processor on each tick, read by the scrape thread: the list itself is never shared. */
    private final AtomicLong oldestAgeMillis = new AtomicLong();

    /**
     * @param finished told of each reversal the issuer acknowledged or operations resolved (the
     *                 record is final then), just before the record is written
     */
    Saf(SwitchConfig cfg, TransactionStore store, Issuers issuers, SwitchMetrics metrics, Sequences sequences,
        RecordCodec codec, Transitions transitions, java.util.function.Consumer<TxnRecord> finished) {
        this.cfg = cfg;
        this.store = store;
        this.issuers = issuers;
        this.metrics = metrics;
        this.sequences = sequences;
        this.codec = codec;
        this.finished = finished;
        this.transitions = transitions;
        Gauge.builder("switch_saf_depth", publishedDepth, java.util.concurrent.atomic.AtomicInteger::get)
                .description("Reversal advices waiting for their issuer's 0430").register(metrics.registry());
        Gauge.builder("switch_saf_oldest_entry_age_seconds", oldestAgeMillis, ms -> ms.get() / 1000.0)
                .description("Age of the oldest pending, unexpired reversal advice (0 when none), as of the last tick")
                .baseUnit("seconds").register(metrics.registry());
    }

    /**
     * Moves an approved or timed-out transaction to REVERSAL_PENDING and persists it.
     *
     * @return false if the state machine refused (counted and logged by {@link Transitions})
     */
    boolean queue(TxnRecord r, String reason, long now) {
        if (!transitions.apply(r, TxnState.REVERSAL_PENDING)) {
            return false;
        }
        r.reversalReason = reason;
        r.safNextAt = now;
        r.safExpiresAt = now + cfg.saf().expiry().toMillis();
        store.put(r.rrn, codec.encode(r));
        metrics.count("switch_reversals_queued", "reason", reasonTag(reason));
        add(r);
        return true;
    }

    /** A REVERSAL_PENDING record found at start-up. */
    void resume(TxnRecord r) {
        if (!r.safExpired) {
            add(r);
        }
    }

    private void add(TxnRecord r) {
        if (byRrn.putIfAbsent(r.rrn, r) == null) {
            active.add(r);
            publishedDepth.set(active.size());
        }
    }

    TxnRecord pending(String rrn) {
        return byRrn.get(rrn);
    }

    int depth() {
        return active.size();
    }

    /** Safe from any thread. */
    int publishedDepth() {
        return publishedDepth.get();
    }

    void tick(long now) {
        long oldestExpiry = Long.MAX_VALUE;
        for (Iterator<TxnRecord> it = active.iterator(); it.hasNext(); ) {
            TxnRecord r = it.next();
            if (now >= r.safExpiresAt) {
                r.safExpired = true;
                store.put(r.rrn, codec.encode(r));
                it.remove();
                byRrn.remove(r.rrn);
                metrics.count("switch_reversals_expired");
                EXPIRED.log("expired", "reversal EXPIRED after {} attempts, needs manual handling (POST /ops/saf/{}/requeue or /resolve): {}",
                        r.safAttempts, r.rrn, r);
            } else {
                oldestExpiry = Math.min(oldestExpiry, r.safExpiresAt);
                if (now >= r.safNextAt && issuers.linksUp(r.issuer) > 0) {
                    send(r, now);
                }
            }
        }
        // A record stores its expiry, not its queue time: queued = expiry - saf.expiry.
        oldestAgeMillis.set(oldestExpiry == Long.MAX_VALUE ? 0
                : Math.max(0, now - (oldestExpiry - cfg.saf().expiry().toMillis())));
        publishedDepth.set(active.size());
    }

    private void send(TxnRecord r, long now) {
        ISOMsg advice = IssuerMessages.reversalAdvice(r, sequences.nextStan(), cfg.acquirerId());
        int link = issuers.send(r.issuer, advice);
        if (link < 0) {
            return; // try again next tick
        }
        issuers.abandon(r.issuer, link); // advices do not hold a request slot
        metrics.count(r.safAttempts == 0 ? "switch_reversals_sent" : "switch_reversals_retried", "issuer", r.issuerId);
        long backoff = cfg.saf().firstRetry().toMillis() << Math.min(r.safAttempts, 20);
        r.safAttempts++;
        r.safNextAt = now + Math.min(backoff, cfg.saf().maxRetry().toMillis());
        store.put(r.rrn, codec.encode(r));
    }

    /** Operations: an expired reversal is sent again from now, with a new expiry. */
    boolean requeue(TxnRecord r, String note, long now) {
        if (!r.safExpired) {
            return false; // still being sent
        }
        r.safExpired = false;
        r.safNextAt = now;
        r.safExpiresAt = now + cfg.saf().expiry().toMillis();
        r.flag = appendNote(r.flag, "requeued by " + note);
        store.put(r.rrn, codec.encode(r));
        add(r);
        return true;
    }

    /** Operations: the reversal was settled by hand (e.g. with the issuer by phone); stop sending it. */
    boolean resolve(TxnRecord r, String note, long now) {
        TxnRecord pending = byRrn.remove(r.rrn);
        if (pending != null) {
            active.remove(pending);
            publishedDepth.set(active.size());
        }
        TxnRecord rec = pending != null ? pending : r;
        transitions.apply(rec, TxnState.REVERSED);
        rec.reversedAt = now;
        rec.flag = appendNote(rec.flag, "resolved by hand by " + note);
        finished.accept(rec); // before the write: retention marks the record
        store.put(rec.rrn, codec.encode(rec));
        return true;
    }

    private static String appendNote(String flag, String note) {
        return flag.isEmpty() ? note : flag + "; " + note;
    }

    /** An 0430 (or 0410): the reversal reached the issuer. */
    void acknowledged(ISOMsg m, long now) {
        TxnRecord r = byRrn.remove(m.getString(37));
        if (r == null) {
            metrics.count("switch_reversal_acks_unmatched");
            return;
        }
        active.remove(r);
        publishedDepth.set(active.size());
        transitions.apply(r, TxnState.REVERSED);
        r.reversedAt = now;
        finished.accept(r); // before the write: retention marks the record
        store.put(r.rrn, codec.encode(r));
        metrics.count("switch_reversals_delivered", "issuer", r.issuerId);
    }

    private static String reasonTag(String reason) {
        int colon = reason.indexOf(':');
        return (colon < 0 ? reason : reason.substring(0, colon)).replace(' ', '_');
    }
}
