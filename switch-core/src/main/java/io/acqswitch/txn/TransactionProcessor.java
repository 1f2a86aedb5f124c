package io.acqswitch.txn;

import com.lmax.disruptor.EventHandler;
import io.acqswitch.config.SwitchConfig;
import io.acqswitch.iso.MessageClass;
import io.acqswitch.iso.ResponseCode;
import io.acqswitch.iso.Responses;
import io.acqswitch.iso.TerminalRequest;
import io.acqswitch.metrics.SwitchMetrics;
import io.acqswitch.metrics.ThrottledLog;
import io.acqswitch.net.Issuers;
import io.acqswitch.pipeline.Deliveries;
import io.acqswitch.pipeline.EventType;
import io.acqswitch.pipeline.Outbox;
import io.acqswitch.pipeline.Ring;
import io.acqswitch.pipeline.SwitchEvent;
import io.acqswitch.store.StoreFullException;
import io.acqswitch.store.TransactionStore;
import io.micrometer.core.instrument.Gauge;
import io.netty.channel.Channel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer of transaction state: consumes every ring event in order and owns the
 * in-flight table, the deadline queues and the store-and-forward queue. Validate → dedupe →
 * route → record FORWARDED → forward; answer → record → reply; deadline → record reversal → 68.
 * Runs only on the ring's processor thread; nothing here is thread-safe and nothing needs to be.
 */
public final class TransactionProcessor implements EventHandler<SwitchEvent> {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionProcessor.class);
    private static final ThrottledLog STORMS_INFO = new ThrottledLog(LOG, org.slf4j.event.Level.INFO, 10_000);
    private static final ThrottledLog STORMS_WARN = new ThrottledLog(LOG, org.slf4j.event.Level.WARN, 10_000);
    private static final ThrottledLog STORMS_ERROR = new ThrottledLog(LOG, org.slf4j.event.Level.ERROR, 10_000);

    private final SwitchConfig cfg;
    private final TransactionStore store;
    private final Issuers issuers;
    private final Function<String, String> router;
    private final SwitchMetrics metrics;
    private final LongSupplier clock;
    private final RecordCodec codec = new RecordCodec();
    private final Sequences sequences;
    private final Map<String, Pending> inFlightByStan = new HashMap<>();
    private final Map<String, Pending> inFlightByRrn = new HashMap<>();
    private final List<ArrayDeque<Pending>> deadlines = new ArrayList<>();
    private final Saf saf;
    private final Map<String, int[]> pendingWrites = new HashMap<>();
    private static final String BATCH_CLOSED = "C|";
    private final CardKey cardKey;
    private final Transitions transitions;
    /** In-flight count, published for readers on other threads. */
    private final java.util.concurrent.atomic.AtomicInteger publishedInFlight = new java.util.concurrent.atomic.AtomicInteger();
    private final Retention retention;
    private final EarlyReversals earlyReversals;
    /** merchant|terminal|batch → RRNs of the batch's transactions (rebuilt from the store at start). */
    private final Map<String, List<String>> batches = new HashMap<>();
    private volatile Ring ring;
    /** Answers wait here until the end of the ring batch, then go to their event loops together. */
    private final Outbox outbox = new Outbox(this::reportDeliveries);
    /** Events between hand-overs at most, when the ring never runs dry. */
    private static final int FLUSH_EVERY = 64;
    private int sinceFlush;
    /** New records the store may still take before new requests are refused (96); refreshed every tick. */
    private long storeRoom;

    /** A forwarded request awaiting its issuer's answer, with who to tell. */
    private static final class Pending {
        final TxnRecord rec;
        final TerminalRequest request;
        final Channel terminal;
        final int link;
        final long forwardedNanos = System.nanoTime();
        List<Channel> waiters;

        Pending(TxnRecord rec, TerminalRequest request, Channel terminal, int link) {
            this.rec = rec;
            this.request = request;
            this.terminal = terminal;
            this.link = link;
        }
    }

    public TransactionProcessor(SwitchConfig cfg, TransactionStore store, Issuers issuers,
                                Function<String, String> router, SwitchMetrics metrics, LongSupplier clock) {
        this.cfg = cfg;
        this.store = store;
        this.issuers = issuers;
        this.router = router;
        this.metrics = metrics;
        this.clock = clock;
        this.sequences = new Sequences(store, cfg.cluster() == null ? null : cfg.cluster().nodeId());
        this.cardKey = new CardKey(cfg.dataDir());
        this.retention = new Retention(cfg, store, metrics, this::leftBatch);
        this.transitions = new Transitions(metrics);
        this.earlyReversals = new EarlyReversals(cfg, store, metrics);
        this.saf = new Saf(cfg, store, issuers, metrics, sequences, codec, transitions, this::reversalFinished);
        for (int i = 0; i < issuers.issuerCount(); i++) {
            deadlines.add(new ArrayDeque<>());
        }
        refreshStoreRoom();
        Gauge.builder("switch_transactions_in_flight", publishedInFlight, java.util.concurrent.atomic.AtomicInteger::get)
                .description("Requests forwarded and not yet answered or timed out").register(metrics.registry());
    }

    /** Wires the ring this processor consumes (it publishes delivery outcomes back to it). */
    public void attach(Ring ring) {
        this.ring = ring;
    }

    /** Event loops: the outbox's write outcomes go back through the ring (dropped before it is attached: tests). */
    private void reportDeliveries(Deliveries outcomes) {
        Ring r = ring;
        if (r != null) {
            r.publishDeliveries(outcomes);
        }
    }

    /**
     * Crash recovery, before the ring starts: whatever was FORWARDED without an answer, or approved
     * without a confirmed delivery, is reversed; pending reversals resume.
     *
     * @return how many transactions were put into reversal
     */
    public int recover() {
        long now = clock.getAsLong();
        int[] reversed = {0};
        earlyReversals.load();
        List<TxnRecord> all = new ArrayList<>();
        store.forEach((rrn, bytes) -> all.add(RecordCodec.decode(bytes))); // no writes while iterating
        for (TxnRecord r : all) {
            inBatch(r);
        }
        all.forEach(r -> {
            boolean reversible = reversible(r.messageClass);
            if (r.state == TxnState.FORWARDED) {
                transition(r, TxnState.TIMED_OUT);
                r.responseCode = ResponseCode.RESPONSE_TOO_LATE;
                if (reversible && saf.queue(r, ReversalReasons.RECOVERY_FORWARDED, now)) {
                    reversed[0]++;
                } else {
                    persist(r);
                }
            } else if (r.state == TxnState.APPROVED && !r.delivered && reversible) {
                if (saf.queue(r, ReversalReasons.RECOVERY_UNCONFIRMED, now)) {
                    reversed[0]++;
                }
            } else if (r.state == TxnState.REVERSAL_PENDING) {
                saf.resume(r);
            }
        });
        retention.seed(all);
        if (reversed[0] > 0 || saf.depth() > 0) {
            LOG.warn("recovery: {} transactions put into reversal, {} reversals pending", reversed[0], saf.depth());
        }
        return reversed[0];
    }

    @Override
    public void onEvent(SwitchEvent e, long sequence, boolean endOfBatch) {
        try {
            switch (e.type) {
                case TERMINAL_REQUEST -> onRequest(e.request, e.terminal);
                case ISSUER_RESPONSE -> onIssuerResponse(e.issuer, e.issuerMessage);
                case DELIVERIES -> {
                    for (int i = 0; i < e.deliveries.size(); i++) {
                        if (e.deliveries.delivered(i)) {
                            onDelivered(e.deliveries.rrn(i));
                        } else {
                            onUndeliverable(e.deliveries.rrn(i));
                        }
                    }
                }
                case TICK -> onTick(clock.getAsLong());
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
                outbox.flush();
            }
        }
    }

    // ---- terminal requests --------------------------------------------------------------------

    private void onRequest(TerminalRequest req, Channel ch) {
        try {
            switch (req.messageClass()) {
                case REVERSAL -> onTerminalReversal(req, ch);
                case SALE, PRE_AUTH, COMPLETION, COMPLETION_ADVICE, BALANCE, REFUND -> onFinancial(req, ch);
                case VOID, PRE_AUTH_VOID, COMPLETION_VOID -> onVoid(req, ch);
                case SETTLEMENT -> onSettlement(req, ch);
                case BATCH_UPLOAD -> onBatchUpload(req, ch);
                default -> {
                    metrics.count("switch_unsupported_requests", "class", req.messageClass().tag());
                    reply(ch, req, ResponseCode.INVALID_TRANSACTION);
                }
            }
        } catch (StoreFullException full) {
            metrics.count("switch_store_full_rejections");
            STORMS_ERROR.log("store-full", "{}; answering 96", full.getMessage());
            reply(ch, req, ResponseCode.SYSTEM_MALFUNCTION);
        }
    }

    private void onFinancial(TerminalRequest req, Channel ch) {
        String key = DedupeKeys.dedupe(req);
        long fingerprint = DedupeKeys.fingerprint(req);
        String known = store.index(key);
        if (known != null) {
            duplicate(req, ch, known, fingerprint);
            return;
        }
        long now = clock.getAsLong();
        TxnRecord r = newRecord(req, key, fingerprint, now);
        String invalidAmount = Lifecycle.checkAmount(r.messageClass, r.amount);
        if (invalidAmount != null) {
            metrics.count("switch_originals_refused", "class", req.messageClass().tag(), "code", invalidAmount);
            decline(r, req, ch, invalidAmount);
            return;
        }
        TxnRecord original = null;
        if (req.messageClass() == MessageClass.REFUND || isCompletion(req.messageClass())) {
            original = original(req, r);
            String rc = req.messageClass() == MessageClass.REFUND
                    ? Lifecycle.checkRefund(r, original, now, cfg.transactions().refundWindow())
                    : Lifecycle.checkCompletion(r, original, now, cfg.transactions().completionTolerance(),
                            cfg.transactions().preAuthValidity());
            if (rc != null) {
                metrics.count("switch_originals_refused", "class", req.messageClass().tag(), "code", rc);
                decline(r, req, ch, rc);
                return;
            }
        }
        String issuerId = req.pan() == null ? null : router.apply(req.pan());
        int issuer = issuerId == null ? -1 : issuers.indexOf(issuerId);
        if (issuer < 0) {
            metrics.count("switch_no_route");
            decline(r, req, ch, ResponseCode.NO_SUCH_ISSUER);
            return;
        }
        r.issuer = issuer;
        r.issuerId = issuerId;
        r.switchStan = sequences.nextStan();
        r.issuerTransmissionTime = io.acqswitch.iso.TransmissionTime.now();
        r.reverseWhenAnswered = earlyReversals.reverses(r);
        transition(r, TxnState.FORWARDED);
        r.forwardedAt = now;
        r.deadline = now + issuers.issuer(issuer).timeout().toMillis();
        recordForwarded(r, original);
        if (r.reverseWhenAnswered) {
            earlyReversals.consume(r.originalKey);
        }
        ISOMsg forward = IssuerMessages.forward(req, r, cfg.acquirerId());
        if (original != null) { // the hold a completion captures, the debit a refund credits back
            forward.set(90, IssuerMessages.originalData(original, cfg.acquirerId()));
        }
        int link = issuers.send(issuer, forward);
        if (link < 0) { // nothing left the switch: the issuer holds nothing
            release(r);
            decline(r, req, ch, ResponseCode.ISSUER_INOPERATIVE);
            return;
        }
        Pending p = new Pending(r, req, ch, link);
        inFlightByStan.put(r.switchStan, p);
        inFlightByRrn.put(r.rrn, p);
        publishedInFlight.set(inFlightByStan.size());
        deadlines.get(issuer).addLast(p);
    }

    /**
     * Makes a request durable before its bytes leave: its claim on the original (a refund's amount,
     * a completion's capture), the record as FORWARDED, and its index keys. If the store refuses any
     * of it, whatever was written is taken back, so that nothing is left that recovery would
     * reverse at an issuer that never saw the request, and the refusal propagates (answered 96).
     */
    private void recordForwarded(TxnRecord r, TxnRecord original) {
        boolean claimed = false;
        try {
            if (original != null) {
                if (r.messageClass == MessageClass.REFUND) {
                    original.refundedAmount += r.amount;
                } else {
                    original.completedBy = r.rrn;
                }
                claimed = true;
                persist(original);
            }
            persist(r);
            store.putIndex(r.dedupeKey, r.rrn);
            store.putIndex(r.originalKey, r.rrn);
        } catch (StoreFullException full) {
            store.remove(r.rrn);
            removeIndex(r.dedupeKey, r.rrn);
            removeIndex(r.originalKey, r.rrn);
            if (claimed) {
                unclaim(r, original); // the record as loaded: the store may not have taken the claim
            }
            throw full;
        }
    }

    private void removeIndex(String key, String rrn) {
        if (rrn.equals(store.index(key))) {
            store.removeIndex(key);
        }
    }

    private TxnRecord newRecord(TerminalRequest req, String key, long fingerprint, long now) {
        if (storeRoom <= 0) { // past this the store may refuse the updates of transactions already accepted
            throw new StoreFullException("transaction store at capacity (sized for " + store.capacity()
                    + " records; raise store.expectedEntries)", null);
        }
        storeRoom--;
        TxnRecord r = new TxnRecord();
        r.rrn = sequences.nextRrn(now);
        r.messageClass = req.messageClass();
        r.mti = req.mti();
        r.processingCode = req.processingCode();
        r.dedupeKey = key;
        r.fingerprint = fingerprint;
        r.originalKey = DedupeKeys.original(req, req.stan());
        r.terminalStan = req.stan();
        r.terminalId = req.terminalId();
        r.merchantId = req.merchantId();
        String acq = req.message().getString(32);
        r.acquirerId = acq == null ? "" : acq;
        r.maskedPan = req.maskedPan();
        r.panHash = cardKey.hash(req.pan());
        r.amount = req.amount();
        String currency = req.message().getString(49);
        r.currency = currency == null ? "" : currency;
        r.receivedAt = now;
        r.batch = Settlement.batchOf(req.message().getString(60));
        inBatch(r);
        return r;
    }

    private void inBatch(TxnRecord r) {
        if (!r.batch.isEmpty() && r.messageClass.isFinancial()) {
            batches.computeIfAbsent(batchKey(r), k -> new ArrayList<>()).add(r.rrn);
        }
    }

    /**
     * A record left the store (retention): it leaves its batch's list too, and once a batch has no
     * record left, its list and its "settled" mark go (nothing of it remains to void or settle).
     */
    private void leftBatch(TxnRecord r) {
        if (r.batch.isEmpty()) {
            return;
        }
        String key = batchKey(r);
        List<String> rrns = batches.get(key);
        if (rrns != null && rrns.remove(r.rrn) && rrns.isEmpty()) {
            batches.remove(key);
            if (store.index(BATCH_CLOSED + key) != null) {
                store.removeIndex(BATCH_CLOSED + key);
            }
        }
    }

    private static String batchKey(TxnRecord r) {
        return r.merchantId + '|' + r.terminalId + '|' + r.batch;
    }

    private boolean batchClosed(TxnRecord r) {
        return !r.batch.isEmpty() && store.index(BATCH_CLOSED + batchKey(r)) != null;
    }

    private void duplicate(TerminalRequest req, Channel ch, String rrn, long fingerprint) {
        Pending p = inFlightByRrn.get(rrn);
        TxnRecord r = p != null ? p.rec : load(rrn);
        if (r == null) {
            return; // index without record: retention removed it mid-sweep; treat as unknown next time
        }
        if (r.fingerprint != fingerprint) {
            metrics.count("switch_duplicates", "kind", "mismatch");
            reply(ch, req, ResponseCode.DUPLICATE_TRANSMISSION);
            return;
        }
        r.duplicates++;
        r.lastDuplicateAt = clock.getAsLong();
        if (p != null) {
            metrics.count("switch_duplicates", "kind", "in_flight"); // recorded with the answer
            if (p.waiters == null) {
                p.waiters = new ArrayList<>(2);
            }
            p.waiters.add(ch);
            return;
        }
        metrics.count("switch_duplicates", "kind", "replayed");
        persist(r);
        latency(req);
        if (ResponseCode.APPROVED.equals(r.responseCode) && r.state != TxnState.APPROVED) {
            // the approval never reached the terminal and was reversed: it must not learn "approved" now
            reply(ch, req, req.dialect().timeoutCode());
            return;
        }
        write(ch, r, r.response);
    }

    /**
     * A void: the switch decides it (docs/lifecycle.md) and, if approved, queues
     * the original's reversal in the SAF before the terminal is told. Nothing goes to the issuer
     * but that reversal.
     */
    private void onVoid(TerminalRequest req, Channel ch) {
        long now = clock.getAsLong();
        TxnRecord v = firstSight(req, ch, now);
        if (v == null) {
            return;
        }
        TxnRecord original = original(req, v);
        String rc = Lifecycle.checkAmount(v.messageClass, v.amount);
        if (rc == null) {
            rc = Lifecycle.checkVoid(req.message().getString(38), v, original, now, original != null && batchClosed(original));
        }
        if (rc != null) {
            metrics.count("switch_voids_refused", "code", rc);
            decline(v, req, ch, rc);
            return;
        }
        v.issuer = original.issuer;
        v.issuerId = original.issuerId;
        original.voidedBy = v.rrn;
        if (!saf.queue(original, ReversalReasons.VOID, now)) {
            decline(v, req, ch, ResponseCode.SYSTEM_MALFUNCTION);
            return;
        }
        v.authCode = original.authCode;
        metrics.count("switch_voids_approved");
        approveLocally(v, req, ch, IssuerMessages.terminalAnswer(req, v.rrn, ResponseCode.APPROVED, null), now);
    }

    /**
     * The record of a request the switch decides itself (void, settlement, batch upload), or null
     * when it is a repeat (then already answered: replayed, or 94).
     */
    private TxnRecord firstSight(TerminalRequest req, Channel ch, long now) {
        String key = DedupeKeys.dedupe(req);
        long fingerprint = DedupeKeys.fingerprint(req);
        String known = store.index(key);
        if (known != null) {
            duplicate(req, ch, known, fingerprint);
            return null;
        }
        return newRecord(req, key, fingerprint, now);
    }

    private void approveLocally(TxnRecord r, TerminalRequest req, Channel ch, ISOMsg answer, long now) {
        transition(r, TxnState.APPROVED);
        r.responseCode = ResponseCode.APPROVED;
        r.completedAt = now;
        r.response = pack(answer);
        persist(r);
        store.putIndex(r.dedupeKey, r.rrn);
        store.putIndex(r.originalKey, r.rrn);
        write(ch, r, r.response);
        latency(req);
    }

    /**
     * Settlement (0500): the terminal's batch totals (field 48) against the switch's; answered 0510
     * with the switch's totals and flag 1 (in balance) or 2 (out of balance). The batch then closes.
     */
    private void onSettlement(TerminalRequest req, Channel ch) {
        long now = clock.getAsLong();
        Settlement.Totals claimed = Settlement.parse(req.message().getString(48));
        String batch = Settlement.batchOf(req.message().getString(60));
        if (claimed == null || batch.isEmpty()) {
            metrics.count("switch_settlements", "result", "format_error");
            reply(ch, req, ResponseCode.FORMAT_ERROR);
            return;
        }
        TxnRecord s = firstSight(req, ch, now);
        if (s == null) {
            return;
        }
        Settlement.Totals ours = Settlement.totals(batchRecords(s));
        boolean inBalance = ours.equals(claimed);
        s.amount = ours.debitAmount();
        if (!inBalance) {
            s.flag = "out of balance: terminal " + claimed + "; switch " + ours;
            STORMS_WARN.log("settlement", "settlement of batch {} of terminal {}: {}", s.batch, s.terminalId, s.flag);
        }
        metrics.count("switch_settlements", "result", inBalance ? "in_balance" : "out_of_balance");
        store.putIndex(BATCH_CLOSED + batchKey(s), s.rrn);
        ISOMsg answer = IssuerMessages.terminalAnswer(req, s.rrn, ResponseCode.APPROVED, null);
        answer.set(48, ours.field48(inBalance ? '1' : '2'));
        approveLocally(s, req, ch, answer, now);
    }

    /**
     * Batch upload (0320) after an out-of-balance settlement: every difference between the
     * terminal's lines and the switch's is logged, counted and kept on the upload's record.
     */
    private void onBatchUpload(TerminalRequest req, Channel ch) {
        long now = clock.getAsLong();
        List<Settlement.Line> lines = Settlement.parseUpload(req.message().getString(48));
        String batch = Settlement.batchOf(req.message().getString(60));
        if (lines == null || batch.isEmpty()) {
            reply(ch, req, ResponseCode.FORMAT_ERROR);
            return;
        }
        TxnRecord u = firstSight(req, ch, now);
        if (u == null) {
            return;
        }
        List<String> differences = Settlement.differences(lines, Settlement.lines(batchRecords(u)));
        // one line per upload at most, throttled: a client can send uploads in a loop (all are on the record)
        STORMS_WARN.logFindings("batch-upload", "batch upload, terminal {} batch {}", differences, u.terminalId, u.batch);
        metrics.count("switch_batch_uploads", "result", differences.isEmpty() ? "agrees" : "differs");
        String all = String.join("; ", differences);
        u.flag = all.length() > 4000 ? all.substring(0, 4000) + " …" : all;
        approveLocally(u, req, ch, IssuerMessages.terminalAnswer(req, u.rrn, ResponseCode.APPROVED, null), now);
    }

    private List<TxnRecord> batchRecords(TxnRecord settlement) {
        List<TxnRecord> out = new ArrayList<>();
        for (String rrn : batches.getOrDefault(batchKey(settlement), List.of())) {
            TxnRecord r = load(rrn);
            if (r != null) {
                out.add(r);
            }
        }
        return out;
    }

    /** The transaction a void or refund names by its RRN (field 37), or null. */
    private TxnRecord original(TerminalRequest req, TxnRecord r) {
        String rrn = req.message().getString(37);
        r.originalRrn = rrn == null ? "" : rrn.trim();
        return r.originalRrn.isEmpty() ? null : load(r.originalRrn);
    }

    /** A refund or completion that will not stand gives back what it claimed on its original. */
    private void release(TxnRecord r) {
        boolean refund = r.messageClass == MessageClass.REFUND;
        if ((!refund && !isCompletion(r.messageClass)) || r.originalRrn.isEmpty()) {
            return;
        }
        TxnRecord original = load(r.originalRrn);
        if (original != null) {
            unclaim(r, original);
        }
    }

    private void unclaim(TxnRecord r, TxnRecord original) {
        if (r.messageClass == MessageClass.REFUND) {
            original.refundedAmount = Math.max(0, original.refundedAmount - r.amount);
        } else if (r.rrn.equals(original.completedBy)) {
            original.completedBy = "";
        }
        persist(original);
    }

    /**
     * The terminal reverses a void it had approved: the original's reversal is already queued or
     * delivered, and re-debiting the card is not the switch's call. Nothing is re-authorized; the
     * void is flagged for operations (logged, counted) and the terminal answered 00.
     */
    private void voidReversed(TxnRecord v) {
        if (!v.flag.isEmpty()) {
            return;
        }
        TxnRecord original = load(v.originalRrn);
        v.flag = "void reversed by terminal; original " + v.originalRrn + " stays reversed"
                + (original != null && original.state == TxnState.REVERSED ? " (reversal delivered)" : " (reversal queued)");
        persist(v);
        metrics.count("switch_void_reversals_flagged");
        STORMS_ERROR.log("void-reversed", "operations: {}: {}", v, v.flag);
    }

    /**
     * A terminal's reversal (0400): matched to its original by terminal and STAN (its own 11, or
     * field 90's); {@link Lifecycle#checkReversal} decides. One whose original is unknown is
     * answered 00 and remembered ({@link EarlyReversals}) while the bounds allow, else 96 (the
     * terminal sends it again; nothing was remembered or reversed).
     */
    private void onTerminalReversal(TerminalRequest req, Channel ch) {
        String originalKey = DedupeKeys.original(req, DedupeKeys.reversedStan(req));
        String rrn = store.index(originalKey);
        TxnRecord original = rrn == null ? null : load(rrn);
        metrics.count("switch_terminal_reversals", "original", original == null ? "unknown" : "known");
        Lifecycle.ReversalClaim claim = reversalClaim(req);
        if (original == null) {
            EarlyReversals.Outcome outcome = earlyReversals.remember(originalKey, claim, clock.getAsLong());
            reply(ch, req, outcome.remembered() ? ResponseCode.APPROVED : ResponseCode.SYSTEM_MALFUNCTION);
            return;
        }
        Lifecycle.ReversalDecision d = Lifecycle.checkReversal(claim, original);
        switch (d.act()) {
            case REVERSE -> saf.queue(original, ReversalReasons.TERMINAL_REVERSAL, clock.getAsLong());
            case REVERSE_WHEN_ANSWERED -> {
                original.reverseWhenAnswered = true;
                persist(original);
            }
            case FLAG_VOID -> voidReversed(original);
            case REFUSE -> {
                metrics.count("switch_terminal_reversals_refused", "code", d.responseCode());
                STORMS_WARN.log("reversal-refused", "terminal reversal refused ({}): {} names {}", d.responseCode(), req, original);
            }
            case NOTHING -> { }
        }
        reply(ch, req, d.responseCode());
    }

    private Lifecycle.ReversalClaim reversalClaim(TerminalRequest req) {
        String currency = req.message().getString(49);
        String f90 = req.message().getString(90);
        return new Lifecycle.ReversalClaim(cardKey.hash(req.pan()), req.amount(), currency == null ? "" : currency,
                req.processingCode(), f90 != null && f90.length() >= 4 ? f90.substring(0, 4) : "");
    }

    // ---- issuer answers -----------------------------------------------------------------------

    private void onIssuerResponse(int issuer, ISOMsg m) {
        String mti = m.getString(0);
        if ("0430".equals(mti) || "0410".equals(mti)) {
            saf.acknowledged(m, clock.getAsLong());
            return;
        }
        Pending p = inFlightByStan.get(m.getString(11));
        if (p == null || !p.rec.rrn.equals(m.getString(37)) || !mti.equals(Responses.responseMti(p.rec.mti))) {
            lateOrUnmatched(issuer, m);
            return;
        }
        forget(p);
        TxnRecord r = p.rec;
        metrics.issuerLatency(r.issuerId, System.nanoTime() - p.forwardedNanos);
        r.completedAt = clock.getAsLong();
        String rc = m.hasField(39) ? m.getString(39) : ResponseCode.SYSTEM_MALFUNCTION;
        r.authCode = m.hasField(38) ? m.getString(38) : "";
        if (!ResponseCode.APPROVED.equals(rc)) {
            release(r);
            r.responseCode = rc;
            r.response = pack(IssuerMessages.terminalAnswer(p.request, r.rrn, rc, m));
            transition(r, TxnState.DECLINED);
            persist(r);
            answer(p, r.response);
            return;
        }
        transition(r, TxnState.APPROVED);
        r.responseCode = rc;
        r.response = pack(IssuerMessages.terminalAnswer(p.request, r.rrn, rc, m));
        if (r.reverseWhenAnswered && reversible(r.messageClass)) {
            saf.queue(r, ReversalReasons.TERMINAL_REVERSED_EARLY, r.completedAt);
            answerFailure(p, r);
            return;
        }
        persist(r);
        answer(p, r.response);
    }

    private void lateOrUnmatched(int issuer, ISOMsg m) {
        String rrn = m.getString(37);
        TxnRecord r = rrn == null ? null : load(rrn);
        String issuerId = issuers.issuer(issuer).id();
        if (r != null && (r.state == TxnState.TIMED_OUT || r.state == TxnState.REVERSAL_PENDING
                || r.state == TxnState.REVERSED)) {
            metrics.count("switch_late_responses", "issuer", issuerId);
            STORMS_INFO.log("late-" + issuerId, "late answer 39={} from {} for {}: not forwarded; its reversal stays queued",
                    m.getString(39), issuerId, r);
            return;
        }
        metrics.issuerUnmatched(issuerId);
        STORMS_WARN.log("unmatched-" + issuerId, "issuer {} answer matches no transaction: {}", issuerId,
                io.acqswitch.iso.IsoLog.describe(m));
    }

    // ---- time ---------------------------------------------------------------------------------

    private void onTick(long now) {
        refreshStoreRoom();
        for (int i = 0; i < deadlines.size(); i++) {
            ArrayDeque<Pending> q = deadlines.get(i);
            Pending p;
            while ((p = q.peekFirst()) != null && p.rec.deadline <= now) {
                q.pollFirst();
                if (inFlightByStan.get(p.rec.switchStan) == p) {
                    timedOut(p, now);
                }
            }
        }
        saf.tick(now);
        retention.tick(now);
        earlyReversals.tick(now);
    }

    private void timedOut(Pending p, long now) {
        forget(p);
        issuers.abandon(p.rec.issuer, p.link);
        TxnRecord r = p.rec;
        metrics.count("switch_timeouts", "issuer", r.issuerId);
        transition(r, TxnState.TIMED_OUT);
        r.completedAt = now;
        r.responseCode = p.request.dialect().timeoutCode();
        r.response = pack(IssuerMessages.terminalAnswer(p.request, r.rrn, r.responseCode, null));
        if (reversible(r.messageClass)) {
            saf.queue(r, ReversalReasons.ISSUER_TIMEOUT, now); // persisted before the terminal learns of the failure
        } else {
            persist(r);
        }
        answer(p, r.response);
    }

    // ---- operations ---------------------------------------------------------------------------

    private void onSafCommand(EventType type, String rrn, String note) {
        TxnRecord r = load(rrn);
        if (r == null || r.state != TxnState.REVERSAL_PENDING) {
            metrics.count("switch_saf_commands", "action", type.name().toLowerCase(java.util.Locale.ROOT), "result", "ignored");
            LOG.warn("operations {} for {} ignored: not a pending or expired reversal ({})", type, rrn, r);
            return;
        }
        boolean done = type == EventType.SAF_REQUEUE ? saf.requeue(r, note, clock.getAsLong()) : saf.resolve(r, note, clock.getAsLong());
        metrics.count("switch_saf_commands", "action", type.name().toLowerCase(java.util.Locale.ROOT),
                "result", done ? "applied" : "ignored");
        LOG.warn("operations {} for {}: {} ({})", type, r, done ? "applied" : "ignored (nothing to do)", note);
    }

    // ---- delivery outcomes --------------------------------------------------------------------

    private void onDelivered(String rrn) {
        settleWrite(rrn);
        TxnRecord r = load(rrn);
        if (r != null && !r.delivered) {
            r.delivered = true;
            persist(r);
        }
    }

    private void onUndeliverable(String rrn) {
        boolean othersPending = settleWrite(rrn);
        TxnRecord r = load(rrn);
        if (r == null || r.delivered || othersPending || r.state != TxnState.APPROVED || !reversible(r.messageClass)) {
            return;
        }
        metrics.count("switch_undeliverable_approvals");
        STORMS_INFO.log("undeliverable", "approval undeliverable (terminal connection gone): reversing {}", r);
        saf.queue(r, ReversalReasons.UNDELIVERABLE, clock.getAsLong());
    }

    /** @return true when other writes of the same answer are still pending */
    private boolean settleWrite(String rrn) {
        int[] n = pendingWrites.get(rrn);
        if (n == null) {
            return false;
        }
        if (--n[0] <= 0) {
            pendingWrites.remove(rrn);
            return false;
        }
        return true;
    }

    // ---- helpers ------------------------------------------------------------------------------

    private void forget(Pending p) {
        inFlightByStan.remove(p.rec.switchStan);
        inFlightByRrn.remove(p.rec.rrn);
        publishedInFlight.set(inFlightByStan.size());
    }

    /** A completion sent online (0200) or as an advice after an offline completion (0220). */
    private static boolean isCompletion(MessageClass cls) {
        return cls == MessageClass.COMPLETION || cls == MessageClass.COMPLETION_ADVICE;
    }

    private static boolean isVoid(MessageClass cls) {
        return cls == MessageClass.VOID || cls == MessageClass.PRE_AUTH_VOID || cls == MessageClass.COMPLETION_VOID;
    }

    /**
     * Approvals of these classes leave money standing at the issuer (a debit, a hold or a credit),
     * so the switch reverses them when the terminal did not (or may not) learn of the approval.
     */
    static boolean reversible(MessageClass cls) {
        return cls == MessageClass.SALE || cls == MessageClass.PRE_AUTH || isCompletion(cls) || cls == MessageClass.REFUND;
    }

    /**
     * A reversal reached its issuer (or operations resolved it): a refund or completion it undid
     * gives back its claim on the original, so the sale can be refunded, or the pre-authorization
     * completed, again. Not while the reversal is only queued: until the issuer applies it, the
     * credit or capture stands. A voided completion keeps its claim (the hold it captured is gone).
     */
    private void reversalFinished(TxnRecord r) {
        if (!ReversalReasons.VOID.equals(r.reversalReason)) {
            release(r);
        }
        retention.writing(r);
    }

    private void decline(TxnRecord r, TerminalRequest req, Channel ch, String rc) {
        transition(r, TxnState.DECLINED);
        r.responseCode = rc;
        r.completedAt = clock.getAsLong();
        r.response = pack(IssuerMessages.terminalAnswer(req, r.rrn, rc, null));
        persist(r);
        store.putIndex(r.dedupeKey, r.rrn);
        write(ch, r, r.response);
        latency(req);
    }

    private void latency(TerminalRequest req) {
        metrics.endToEnd(req.messageClass(), System.nanoTime() - req.receivedNanos());
    }

    private void answerFailure(Pending p, TxnRecord r) {
        byte[] failure = pack(IssuerMessages.terminalAnswer(p.request, r.rrn, p.request.dialect().timeoutCode(), null));
        answer(p, failure);
    }

    private void answer(Pending p, byte[] bytes) {
        write(p.terminal, p.rec, bytes);
        latency(p.request);
        if (p.waiters != null) {
            for (Channel w : p.waiters) {
                write(w, p.rec, bytes);
            }
        }
    }

    /**
     * Writes an answer. The write outcome of every approval a terminal acts on (sales, refunds,
     * voids, completions, ...) comes back through the ring, so {@code delivered} says, for each of
     * them, whether the terminal's socket took the approval: reconciliation and the undelivered
     * list rely on it. An undeliverable sale, pre-authorization, completion or refund is reversed
     * ({@link #onUndeliverable}); voids are only recorded as not delivered (their original's
     * reversal is queued already).
     */
    private void write(Channel ch, TxnRecord r, byte[] bytes) {
        metrics.response(r.messageClass, r.responseCode);
        boolean approval = r.state == TxnState.APPROVED && r.messageClass.isFinancial() && !r.delivered;
        if (approval) {
            pendingWrites.computeIfAbsent(r.rrn, k -> new int[1])[0]++;
        }
        outbox.write(ch, bytes, approval ? r.rrn : null);
    }

    private void reply(Channel ch, TerminalRequest req, String rc) {
        metrics.response(req.messageClass(), rc);
        outbox.write(ch, Responses.answer(req.message(), rc), null);
        latency(req);
    }

    private byte[] pack(ISOMsg m) {
        try {
            return m.pack();
        } catch (ISOException e) {
            throw new IllegalStateException("cannot pack a terminal answer", e);
        }
    }

    private boolean transition(TxnRecord r, TxnState next) {
        return transitions.apply(r, next);
    }

    /**
     * New requests are admitted up to the store's sized capacity, not until Chronicle Map refuses a
     * put: an accepted transaction's later writes (answer, reversal) must always find room.
     */
    private void refreshStoreRoom() {
        storeRoom = store.capacity() > 0 ? store.capacity() - store.records() : Long.MAX_VALUE;
    }

    private void persist(TxnRecord r) {
        retention.writing(r); // first: it marks the record it queues
        store.put(r.rrn, codec.encode(r));
    }

    private TxnRecord load(String rrn) {
        Pending p = inFlightByRrn.get(rrn);
        if (p != null) {
            return p.rec;
        }
        TxnRecord r = saf.pending(rrn);
        if (r != null) {
            return r;
        }
        byte[] b = store.get(rrn);
        return b == null ? null : RecordCodec.decode(b);
    }

    /** Reversals waiting for delivery to their issuers; any thread (health, operations). */
    public int safDepth() {
        return saf.publishedDepth();
    }

    /** Transactions in flight; any thread (tests and operations). */
    public int inFlight() {
        return publishedInFlight.get();
    }
}
