package io.acqswitch.txn;

import io.acqswitch.config.SwitchConfig;
import io.acqswitch.iso.MessageClass;
import io.acqswitch.metrics.SwitchMetrics;
import io.acqswitch.store.TransactionStore;
import io.micrometer.core.instrument.Gauge;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Removes finished transactions from the store once they are past retention: DECLINED, REVERSED,
 * APPROVED (sales and completions only after the refund window, since a refund must find them),
 * and TIMED_OUT requests that are never reversed. Pending or expired reversals are never removed.
 * A record becomes a candidate when it is written in a final state with an expiry it was not
 * queued with before ({@link TxnRecord#retentionAt} remembers, in the record itself), and at
 * start-up from the recovery scan; each tick removes at most {@value #PER_TICK}, so the ring never
 * stalls on a sweep. The queue holds every finished record until its expiry (the refund window for
 * approvals), so it is kept compact: two longs per record, in arrays. Processor thread only.
 */
final class Retention {
    static final int PER_TICK = 500;

    private final TransactionStore store;
    private final SwitchMetrics metrics;
    private final long retentionMillis;
    private final long refundableMillis;
    private final Candidates queue = new Candidates();
    /** {@link #queued()} for other threads (the gauge), refreshed as the queue changes. */
    private final AtomicInteger published = new AtomicInteger();
    private final Consumer<TxnRecord> purged;

    /** @param purged told of each record removed (the processor forgets it in its batch lists) */
    Retention(SwitchConfig cfg, TransactionStore store, SwitchMetrics metrics, Consumer<TxnRecord> purged) {
        this.store = store;
        this.metrics = metrics;
        this.purged = purged;
        Gauge.builder("switch_retention_candidates", published, AtomicInteger::get)
                .description("Finished records queued for removal once past retention (one per record)")
                .register(metrics.registry());
        this.retentionMillis = cfg.store().retention().toMillis();
        this.refundableMillis = Math.max(retentionMillis, cfg.transactions().refundWindow().toMillis());
    }

    /** Start-up: queue every finished record found, oldest expiry first. */
    void seed(List<TxnRecord> all) {
        all.stream().filter(Retention::finished).sorted(Comparator.comparingLong(this::expiry))
                .forEach(r -> queue.add(expiry(r), r.rrn));
        published.set(queue.size());
    }

    /**
     * A record is about to be written: if it is finished and not yet queued with its expiry, it
     * becomes a candidate and is marked (the mark is written with it, so a record written again in
     * the same final state, e.g. when its delivery is confirmed or a repeat is answered, is not
     * queued twice).
     */
    void writing(TxnRecord r) {
        if (finished(r)) {
            long at = expiry(r);
            if (r.retentionAt != at) {
                queue.add(at, r.rrn);
                r.retentionAt = at;
                published.set(queue.size());
            }
        }
    }

    /** Removes up to {@value #PER_TICK} records whose time is up. */
    void tick(long now) {
        for (int n = 0; n < PER_TICK && !queue.isEmpty() && queue.firstAt() <= now; n++) {
            String rrn = queue.pollRrn();
            published.set(queue.size());
            byte[] bytes = store.get(rrn);
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
            purged.accept(r);
            metrics.count("switch_store_records_purged");
        }
    }

    /** Candidates queued; safe from any thread. */
    int queued() {
        return published.get();
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
            case TIMED_OUT -> !Lifecycle.reversible(r.messageClass);
            case RECEIVED, FORWARDED, REVERSAL_PENDING -> false;
        };
    }

    /**
     * A FIFO of (expiry, RRN) in two growable ring arrays: 16 bytes a candidate instead of an object
     * and a String. The switch's RRNs are 12 digits and are kept as numbers; any other RRN (none is
     * issued today) is kept aside as text in {@code others}, in the same order.
     */
    static final class Candidates {
        private static final long TEXT = -1;
        private long[] at = new long[1024];
        private long[] rrn = new long[1024];
        private final ArrayDeque<String> others = new ArrayDeque<>();
        private int head;
        private int size;

        void add(long expiry, String id) {
            if (size == at.length) {
                grow();
            }
            int i = (head + size) % at.length;
            at[i] = expiry;
            long n = numeric(id);
            rrn[i] = n;
            if (n == TEXT) {
                others.addLast(id);
            }
            size++;
        }

        boolean isEmpty() {
            return size == 0;
        }

        int size() {
            return size;
        }

        long firstAt() {
            return at[head];
        }

        String pollRrn() {
            long n = rrn[head];
            head = (head + 1) % at.length;
            size--;
            return n == TEXT ? others.pollFirst() : Sequences.zeroPadded(n, 12);
        }

        private void grow() {
            long[] a = new long[at.length * 2];
            long[] r = new long[at.length * 2];
            for (int k = 0; k < size; k++) {
                a[k] = at[(head + k) % at.length];
                r[k] = rrn[(head + k) % at.length];
            }
            at = a;
            rrn = r;
            head = 0;
        }

        private static long numeric(String id) {
            if (id.length() != 12) {
                return TEXT;
            }
            long n = 0;
            for (int k = 0; k < 12; k++) {
                char c = id.charAt(k);
                if (c < '0' || c > '9') {
                    return TEXT;
                }
                n = n * 10 + (c - '0');
            }
            return n;
        }
    }
}
