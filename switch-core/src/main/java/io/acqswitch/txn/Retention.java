package io.acqswitch.txn;

import io.acqswitch.config.SwitchConfig;
import io.acqswitch.iso.MessageClass;
import io.acqswitch.metrics.SwitchMetrics;
import io.acqswitch.store.TransactionStore;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.List;

/**
 * Removes finished transactions from the store once they are past retention: DECLINED, REVERSED,
 * APPROVED (sales and completions only after the refund window, since a refund must find them),
 * and TIMED_OUT requests that are never reversed. Pending or expired reversals are never removed.
 * Candidates are queued when a record is written in a final state (and at start-up from the
 * recovery scan); each tick removes at most {@value #PER_TICK}, so the ring never stalls on a sweep.
 * Processor thread only.
 */
final class Retention {
    static final int PER_TICK = 500;

    private record Candidate(long at, String rrn) {}

    private final TransactionStore store;
    private final SwitchMetrics metrics;
    private final long retentionMillis;
    private final long refundableMillis;
    private final ArrayDeque<Candidate> queue = new ArrayDeque<>();

    Retention(SwitchConfig cfg, TransactionStore store, SwitchMetrics metrics) {
        this.store = store;
        this.metrics = metrics;
        this.retentionMillis = cfg.store().retention().toMillis();
        this.refundableMillis = Math.max(retentionMillis, cfg.transactions().refundWindow().toMillis());
    }

    /** Start-up: queue every finished record found, oldest expiry first. */
    void seed(List<TxnRecord> all) {
        all.stream().filter(Retention::finished).map(r -> new Candidate(expiry(r), r.rrn))
                .sorted(Comparator.comparingLong(Candidate::at)).forEach(queue::addLast);
    }

    /** A record was written; if it is finished, it becomes a candidate. */
    void written(TxnRecord r) {
        if (finished(r)) {
            queue.addLast(new Candidate(expiry(r), r.rrn));
        }
    }

    /** Removes up to {@value #PER_TICK} records whose time is up. */
    void tick(long now) {
        for (int n = 0; n < PER_TICK; n++) {
            Candidate c = queue.peekFirst();
            if (c == null || c.at() > now) {
                return;
            }
            queue.pollFirst();
            byte[] bytes = store.get(c.rrn());
            if (bytes == null) {
                continue;
            }
            TxnRecord r = RecordCodec.decode(bytes);
            if (!finished(r) || expiry(r) > now) {
                continue; // changed since it was queued; a later write re-queues it
            }
            removeIndex(r.dedupeKey, r.rrn);
            removeIndex(r.originalKey, r.rrn);
            store.remove(r.rrn);
            metrics.count("switch_store_records_purged");
        }
    }

    int queued() {
        return queue.size();
    }

    private void removeIndex(String key, String rrn) {
        if (!key.isEmpty() && rrn.equals(store.index(key))) {
            store.removeIndex(key);
        }
    }

    private long expiry(TxnRecord r) {
        long end = Math.max(Math.max(r.completedAt, r.reversedAt), r.receivedAt);
        boolean refundable = r.state == TxnState.APPROVED
                && (r.messageClass == MessageClass.SALE || r.messageClass == MessageClass.COMPLETION);
        return end + (refundable ? refundableMillis : retentionMillis);
    }

    private static boolean finished(TxnRecord r) {
        return switch (r.state) {
            case DECLINED, REVERSED, APPROVED -> true;
            case TIMED_OUT -> !TransactionProcessor.reversible(r.messageClass);
            case RECEIVED, FORWARDED, REVERSAL_PENDING -> false;
        };
    }
}
