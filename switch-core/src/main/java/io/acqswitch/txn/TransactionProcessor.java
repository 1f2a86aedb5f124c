package io.acqswitch.txn;

import com.lmax.disruptor.EventHandler;
import io.acqswitch.config.SwitchConfig;
import io.acqswitch.iso.ResponseCode;
import io.acqswitch.iso.TerminalRequest;
import io.acqswitch.metrics.SwitchMetrics;
import io.acqswitch.metrics.ThrottledLog;
import io.acqswitch.net.Issuers;
import io.acqswitch.pipeline.Deliveries;
import io.acqswitch.pipeline.EventType;
import io.acqswitch.pipeline.Outbox;
import io.acqswitch.pipeline.ReplyAddress;
import io.acqswitch.pipeline.Ring;
import io.acqswitch.pipeline.SwitchEvent;
import io.acqswitch.store.StoreFullException;
import io.acqswitch.store.TransactionStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The single writer of transaction state: consumes every ring event in order and hands it to the
 * part that owns it: {@link Authorizations} (requests the issuer decides, their answers and
 * deadlines, tracked by {@link InFlight}), {@link Originals} (voids, refunds, completions, the
 * terminal's reversals), {@link Batches} (settlement), {@link Answers} (what the terminal is told
 * and whether it got it), all on {@link Records}, the core that applies transitions; reversals go
 * to the {@link Reversals} queue. Recovery at start and the tick live here. Runs only on the ring's
 * processor thread; nothing here is thread-safe and nothing needs to be.
 */
public final class TransactionProcessor implements EventHandler<SwitchEvent> {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionProcessor.class);
    private static final ThrottledLog STORMS_ERROR = new ThrottledLog(LOG, Level.ERROR, 10_000);
    /** Events between hand-overs at most, when the ring never runs dry. */
    private static final int FLUSH_EVERY = 64;

    private final TransactionStore store;
    private final Issuers issuers;
    private final SwitchMetrics metrics;
    private final TxnClock clock;
    private final Retention retention;
    private final EarlyReversals earlyReversals;
    private final InFlight inFlight;
    private final Records records;
    private final Reversals reversals;
    private final Answers answers;
    private final Batches batches;
    private final Originals originals;
    private final Authorizations authorizations;
    private volatile Ring ring;
    private Ownership ownership = Ownership.ALL;
    private int sinceFlush;

    /**
     * @param router    PAN → issuer id, or null when no route
     * @param clock     wall time for records and the wire, monotonic time for deadlines
     * @param reversals builds the store-and-forward queue ({@code Saf.factory})
     */
    public TransactionProcessor(SwitchConfig cfg, TransactionStore store, Issuers issuers, Function<String, String> router,
                                SwitchMetrics metrics, TxnClock clock, Reversals.Factory reversals) {
        this.store = store;
        this.issuers = issuers;
        this.metrics = metrics;
        this.clock = clock;
        Transitions transitions = new Transitions(metrics);
        Sequences sequences = new Sequences(store, cfg.cluster() == null ? null : cfg.cluster().nodeId());
        // the parts call each other through these lambdas only once all are built
        this.retention = new Retention(cfg, store, metrics, this::leftStore);
        this.earlyReversals = new EarlyReversals(cfg, store, metrics);
        this.inFlight = new InFlight(issuers.issuerCount(), metrics);
        CardKey cardKey = new CardKey(cfg.cardKeyFile());
        if (cfg.cluster() != null) {
            LOG.info("card key {} (check value {}): every node of the cluster must show the same", cfg.cardKeyFile(),
                    cardKey.checkValue());
        }
        this.records = new Records(store, transitions, retention, sequences, cardKey, this::live, this::created);
        this.reversals = reversals.open(transitions, sequences::nextStan, this::reversalFinished);
        this.answers = new Answers(records, this.reversals, metrics, clock, new Outbox(this::reportDeliveries));
        Duplicates duplicates = new Duplicates(records, inFlight, answers, metrics, clock);
        this.batches = new Batches(records, answers, duplicates, metrics, clock);
        this.originals = new Originals(cfg.transactions(), records, answers, duplicates, batches, this.reversals,
                earlyReversals, metrics, clock);
        this.authorizations = new Authorizations(cfg.acquirerId(), records, inFlight, answers, duplicates, originals,
                this.reversals, earlyReversals, issuers, router, metrics, clock);
    }

    /** Wires the ring this processor consumes (it publishes delivery outcomes back to it). */
    public void attach(Ring ring) {
        this.ring = ring;
    }

    /** In a cluster: the partitions this node serves (set before {@link #recover}); alone it serves everything. */
    public void ownedBy(Ownership ownership) {
        this.ownership = ownership;
    }

    /** Event loops: the outbox's write outcomes go back through the ring (dropped before it is attached: tests). */
    private void reportDeliveries(Deliveries outcomes) {
        Ring r = ring;
        if (r != null) {
            r.publishDeliveries(outcomes);
        }
    }

    private TxnRecord live(String rrn) {
        InFlight.Pending p = inFlight.byRrn(rrn);
        return p != null ? p.rec : reversals.pending(rrn);
    }

    /** A new record joins its batch's list. */
    private void created(TxnRecord r) {
        batches.add(r);
    }

    /** Retention removed a record: it leaves its batch's list. */
    private void leftStore(TxnRecord r) {
        batches.left(r);
    }

    /** A reversal the issuer acknowledged or operations resolved; just before its record is written. */
    private void reversalFinished(TxnRecord r) {
        originals.reversalFinished(r);
        retention.writing(r);
    }

    /**
     * Crash recovery, before the ring starts: whatever was FORWARDED without an answer, or approved
     * without a confirmed delivery, is reversed; pending reversals resume. In a cluster only the
     * records of the partitions this node owns (another node's are not its to reverse).
     *
     * @return how many transactions were put into reversal
     */
    public int recover() {
        return recover(ownership::ownsRecord, false);
    }

    /**
     * A partition taken over while running (docs/cluster.md): the same crash recovery over the
     * records {@code which} accepts, just restored into the store and now owned; their batches,
     * markers and retention join the processor's. Processor thread (a ring task).
     *
     * @return how many transactions were put into reversal
     */
    public int takeOver(Predicate<TxnRecord> which) {
        return recover(which, true);
    }

    /**
     * A partition given up (docs/cluster.md), once {@link Ownership} no longer owns it: its
     * requests in flight (those {@code which} accepts) are answered 91 and forgotten without a
     * reversal, its pending reversals stop, its early-reversal markers leave memory; its records
     * stay as they are, for the new owner's recovery to finish. Processor thread (a ring task).
     *
     * @return requests in flight answered 91
     */
    public int release(Predicate<TxnRecord> which) {
        List<InFlight.Pending> released = inFlight.release(which);
        for (InFlight.Pending p : released) {
            issuers.abandon(p.rec.issuer, p.link);
            answers.reply(p.terminal, p.request, ResponseCode.ISSUER_INOPERATIVE);
            if (p.waiters != null) {
                for (ReplyAddress w : p.waiters) {
                    answers.reply(w, p.request, ResponseCode.ISSUER_INOPERATIVE);
                }
            }
            metrics.count("switch_cluster_released_in_flight");
        }
        int saf = reversals.release(which);
        earlyReversals.release(terminal -> !ownership.ownsTerminal(terminal));
        if (!released.isEmpty() || saf > 0) {
            LOG.warn("released: {} requests in flight answered 91, {} pending reversals left to the new owner", released.size(), saf);
        }
        return released.size();
    }

    private int recover(Predicate<TxnRecord> which, boolean adopt) {
        int reversed = 0;
        earlyReversals.load(ownership::ownsTerminal);
        List<TxnRecord> all = new ArrayList<>();
        store.forEach((rrn, bytes) -> {
            TxnRecord r = RecordCodec.decode(bytes);
            if (which.test(r)) {
                all.add(r);
            }
        }); // no writes while iterating
        all.forEach(adopt ? batches::adopt : batches::add);
        for (TxnRecord r : all) {
            boolean reversible = Lifecycle.reversible(r.messageClass);
            if (r.state == TxnState.FORWARDED) {
                records.transition(r, TxnState.TIMED_OUT);
                r.responseCode = ResponseCode.RESPONSE_TOO_LATE;
                if (reversible && reversals.queue(r, ReversalReasons.RECOVERY_FORWARDED)) {
                    reversed++;
                } else {
                    records.persist(r);
                }
            } else if (r.state == TxnState.APPROVED && !r.delivered && reversible) {
                if (reversals.queue(r, ReversalReasons.RECOVERY_UNCONFIRMED)) {
                    reversed++;
                }
            } else if (r.state == TxnState.REVERSAL_PENDING) {
                reversals.resume(r);
            }
        }
        retention.seed(all);
        if (reversed > 0 || reversals.depth() > 0) {
            LOG.warn("recovery: {} transactions put into reversal, {} reversals pending", reversed, reversals.depth());
        }
        return reversed;
    }

    @Override
    public void onEvent(SwitchEvent e, long sequence, boolean endOfBatch) {
        try {
            switch (e.type) {
                case TERMINAL_REQUEST -> onRequest(e.request, e.terminal);
                case ISSUER_RESPONSE -> authorizations.onIssuerResponse(e.issuer, e.issuerMessage);
                case DELIVERIES -> {
                    for (int i = 0; i < e.deliveries.size(); i++) {
                        if (e.deliveries.delivered(i)) {
                            answers.delivered(e.deliveries.rrn(i));
                        } else {
                            answers.undeliverable(e.deliveries.rrn(i));
                        }
                    }
                }
                case TICK -> onTick();
                case TASK -> e.task.run();
                case SAF_REQUEUE, SAF_RESOLVE -> onSafCommand(e.type, e.rrn, e.note);
            }
        } finally {
            e.clear();
            if (endOfBatch || ++sinceFlush >= FLUSH_EVERY) {
                // every answer of the batch leaves now, one task per event loop, and so does every
                // request and reversal advice for the issuers; a long batch is cut every FLUSH_EVERY
                // events, so that its first requests hold no issuer slot, and keep no terminal
                // waiting, while the ring works through the rest. Issuers first: in a cluster their
                // flush is the replication barrier (docs/cluster.md), and if it fails nothing of the
                // batch leaves, answers included
                sinceFlush = 0;
                issuers.flush();
                answers.flush();
            }
        }
    }

    private void onRequest(TerminalRequest req, ReplyAddress ch) {
        if (ownership != Ownership.ALL) {
            String terminal = DedupeKeys.terminal(req);
            if (!ownership.ownsTerminal(terminal)) {
                // another node's partition: its owner decides and answers through this node; when no
                // owner can take it (being taken over, unknown, or a stale view at the sender) 91
                if (!ownership.forward(req, terminal, ch)) {
                    metrics.count("switch_cluster_not_owner");
                    answers.reply(ch, req, ResponseCode.ISSUER_INOPERATIVE);
                }
                return;
            }
        }
        try {
            switch (req.messageClass()) {
                case REVERSAL -> originals.onTerminalReversal(req, ch);
                case SALE, PRE_AUTH, COMPLETION, COMPLETION_ADVICE, BALANCE, REFUND -> authorizations.onRequest(req, ch);
                case VOID, PRE_AUTH_VOID, COMPLETION_VOID -> originals.onVoid(req, ch);
                case SETTLEMENT -> batches.onSettlement(req, ch);
                case BATCH_UPLOAD -> batches.onBatchUpload(req, ch);
                default -> {
                    metrics.count("switch_unsupported_requests", "class", req.messageClass().tag());
                    answers.reply(ch, req, ResponseCode.INVALID_TRANSACTION);
                }
            }
        } catch (StoreFullException full) {
            metrics.count("switch_store_full_rejections");
            STORMS_ERROR.log("store-full", "{}; answering 96", full.getMessage());
            answers.reply(ch, req, ResponseCode.SYSTEM_MALFUNCTION);
        }
    }

    /** Time passed: deadlines (monotonic), SAF sends and expiries, retention, early reversals' markers. */
    private void onTick() {
        records.refreshStoreRoom();
        inFlight.expire(clock.nanos(), authorizations::timedOut);
        reversals.tick();
        long wall = clock.wallMillis();
        retention.tick(wall);
        earlyReversals.tick(wall);
    }

    private void onSafCommand(EventType type, String rrn, String note) {
        TxnRecord r = records.load(rrn);
        String action = type.name().toLowerCase(Locale.ROOT);
        if (r == null || r.state != TxnState.REVERSAL_PENDING) {
            metrics.count("switch_saf_commands", "action", action, "result", "ignored");
            LOG.warn("operations {} for {} ignored: not a pending or expired reversal ({})", type, rrn, r);
            return;
        }
        boolean done = type == EventType.SAF_REQUEUE ? reversals.requeue(r, note) : reversals.resolve(r, note);
        metrics.count("switch_saf_commands", "action", action, "result", done ? "applied" : "ignored");
        LOG.warn("operations {} for {}: {} ({})", type, r, done ? "applied" : "ignored (nothing to do)", note);
    }

    /** Reversals waiting for delivery to their issuers; any thread (health, operations). */
    public int safDepth() {
        return reversals.publishedDepth();
    }

    /** Transactions in flight; any thread (tests and operations). */
    public int inFlight() {
        return inFlight.published();
    }
}
