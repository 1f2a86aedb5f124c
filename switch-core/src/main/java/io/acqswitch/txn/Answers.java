package io.acqswitch.txn;

import io.acqswitch.iso.ResponseCode;
import io.acqswitch.iso.TerminalRequest;
import io.acqswitch.metrics.SwitchMetrics;
import io.acqswitch.metrics.ThrottledLog;
import io.acqswitch.pipeline.Outbox;
import io.acqswitch.pipeline.ReplyAddress;
import io.acqswitch.store.RecordBytes;
import java.util.HashMap;
import java.util.Map;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Terminal answers and delivery tracking: answers are queued in the {@link Outbox} (sent at the end
 * of the ring batch; one no record keeps is queued as a {@link TerminalAnswer}, which the event loop
 * makes, so the ring thread does no jPOS work for it), and the write outcome of every approval a terminal acts on comes back
 * ({@link #delivered}, {@link #undeliverable}), so {@code delivered} says whether the terminal's
 * socket took the approval; an undeliverable sale, pre-authorization, completion or refund is
 * reversed. Also the two ways the switch answers a request it decides itself
 * ({@link #decline}, {@link #approveLocally}). Processor thread only.
 */
final class Answers {
    private static final Logger LOG = LoggerFactory.getLogger(Answers.class);
    private static final ThrottledLog STORMS_INFO = new ThrottledLog(LOG, Level.INFO, 10_000);

    /** Sets the delivered flag in a stored record's bytes (a method reference: made once). */
    private static final RecordBytes.Edit DELIVERED = RecordCodec::markDelivered;

    private final Records records;
    private final Reversals reversals;
    private final SwitchMetrics metrics;
    private final TxnClock clock;
    private final Outbox outbox;
    /** RRN → writes of its approval not yet confirmed (a repeat in flight is written more than once). */
    private final Map<String, int[]> pendingWrites = new HashMap<>();

    Answers(Records records, Reversals reversals, SwitchMetrics metrics, TxnClock clock, Outbox outbox) {
        this.records = records;
        this.reversals = reversals;
        this.metrics = metrics;
        this.clock = clock;
        this.outbox = outbox;
    }

    /** Every answer queued since the last flush goes to its event loop (end of a ring batch). */
    void flush() {
        outbox.flush();
    }

    /** A request the switch refuses itself: DECLINED with {@code rc}, recorded, indexed, answered. */
    void decline(TxnRecord r, TerminalRequest req, ReplyAddress ch, String rc) {
        records.transition(r, TxnState.DECLINED);
        r.responseCode = rc;
        r.completedAt = clock.wallMillis();
        r.response = pack(IssuerMessages.terminalAnswer(req, r.rrn, rc, null));
        records.persist(r);
        records.store().putIndex(r.dedupeKey, r.rrn);
        write(ch, r, r.response);
        latency(req);
    }

    /** A request the switch approves itself (void, settlement, batch upload) with {@code answer}. */
    void approveLocally(TxnRecord r, TerminalRequest req, ReplyAddress ch, ISOMsg answer) {
        records.transition(r, TxnState.APPROVED);
        r.responseCode = ResponseCode.APPROVED;
        r.completedAt = clock.wallMillis();
        r.response = pack(answer);
        records.persist(r);
        records.indexDecided(r);
        write(ch, r, r.response);
        latency(req);
    }

    /**
     * The answer of a forwarded request, to its terminal and to every terminal that repeated it meanwhile.
     *
     * @param message packed bytes, or a {@link TerminalAnswer} the event loop makes
     */
    void answer(InFlight.Pending p, Object message) {
        write(p.terminal, p.rec, message);
        latency(p.request);
        if (p.waiters != null) {
            for (ReplyAddress w : p.waiters) {
                write(w, p.rec, message);
            }
        }
    }

    /**
     * The request failed as far as the terminal knows (the dialect's timeout code), whatever the
     * record says. No record keeps this answer, so the event loop makes it.
     */
    void answerFailure(InFlight.Pending p, TxnRecord r) {
        answer(p, TerminalAnswer.of(p.request, r.rrn, p.request.dialect().timeoutCode()));
    }

    /**
     * Writes a recorded answer. An approval not yet delivered is tracked: its outcome comes back
     * through the ring. Voids are only recorded as not delivered (their original's reversal is
     * queued already).
     *
     * @param message packed bytes, or a {@link TerminalAnswer} the event loop makes
     */
    void write(ReplyAddress ch, TxnRecord r, Object message) {
        metrics.response(r.messageClass, r.responseCode);
        boolean approval = r.awaitsDelivery();
        if (approval) {
            pendingWrites.computeIfAbsent(r.rrn, k -> new int[1])[0]++;
        }
        outbox.write(ch, message, approval ? r.rrn : null);
    }

    /** An answer with no record behind it: the request's own fields and {@code rc}, made on the event loop. */
    void reply(ReplyAddress ch, TerminalRequest req, String rc) {
        metrics.response(req.messageClass(), rc);
        outbox.write(ch, TerminalAnswer.echo(req, rc), null);
        latency(req);
    }

    void latency(TerminalRequest req) {
        metrics.endToEnd(req.messageClass(), System.nanoTime() - req.receivedNanos());
    }

    static byte[] pack(ISOMsg m) {
        try {
            return m.pack();
        } catch (ISOException e) {
            throw new IllegalStateException("cannot pack a terminal answer", e);
        }
    }

    /**
     * The terminal's socket took the approval of {@code rrn}. A record no longer in memory (the
     * usual case: answered and forgotten) is marked in its stored bytes where they lie (the
     * Chronicle store copies nothing out or back), with no decode and no encode of the whole
     * record; nothing retention looks at changes.
     */
    void delivered(String rrn) {
        settleWrite(rrn);
        TxnRecord live = records.live(rrn);
        if (live != null) {
            if (!live.delivered) {
                live.delivered = true;
                records.persist(live);
            }
            return;
        }
        records.store().edit(rrn, DELIVERED);
    }

    /** The approval of {@code rrn} could not be written: reversed once no other write of it is pending. */
    void undeliverable(String rrn) {
        boolean othersPending = settleWrite(rrn);
        TxnRecord r = records.load(rrn);
        if (r == null || r.delivered || othersPending || r.state != TxnState.APPROVED || !Lifecycle.reversible(r.messageClass)) {
            return;
        }
        metrics.count("switch_undeliverable_approvals");
        STORMS_INFO.log("undeliverable", "approval undeliverable (terminal connection gone): reversing {}", r);
        reversals.queue(r, ReversalReasons.UNDELIVERABLE);
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
}
