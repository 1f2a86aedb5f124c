package io.acqswitch.txn;

import io.acqswitch.config.SwitchConfig;
import io.acqswitch.iso.MessageClass;
import io.acqswitch.iso.ResponseCode;
import io.acqswitch.iso.TerminalRequest;
import io.acqswitch.metrics.SwitchMetrics;
import io.acqswitch.metrics.ThrottledLog;
import io.netty.channel.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Operations on an earlier transaction, the original: voids (decided here, carried out as the
 * original's reversal), refunds and completions (their claim on the original, taken before they are
 * forwarded and given back when they do not stand), and the terminal's reversals (0400).
 * {@link Lifecycle} decides; this carries it out. Processor thread only.
 */
final class Originals {
    private static final Logger LOG = LoggerFactory.getLogger(Originals.class);
    private static final ThrottledLog STORMS_WARN = new ThrottledLog(LOG, Level.WARN, 10_000);
    private static final ThrottledLog STORMS_ERROR = new ThrottledLog(LOG, Level.ERROR, 10_000);

    private final SwitchConfig.Transactions rules;
    private final Records records;
    private final Answers answers;
    private final Duplicates duplicates;
    private final Batches batches;
    private final Reversals reversals;
    private final EarlyReversals earlyReversals;
    private final SwitchMetrics metrics;
    private final TxnClock clock;

    Originals(SwitchConfig.Transactions rules, Records records, Answers answers, Duplicates duplicates, Batches batches,
              Reversals reversals, EarlyReversals earlyReversals, SwitchMetrics metrics, TxnClock clock) {
        this.rules = rules;
        this.records = records;
        this.answers = answers;
        this.duplicates = duplicates;
        this.batches = batches;
        this.reversals = reversals;
        this.earlyReversals = earlyReversals;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** The transaction a void, refund or completion names by its RRN (field 37), or null. */
    TxnRecord original(TerminalRequest req, TxnRecord r) {
        String rrn = req.message().getString(37);
        r.originalRrn = rrn == null ? "" : rrn.trim();
        return r.originalRrn.isEmpty() ? null : records.load(r.originalRrn);
    }

    /** Whether a refund or completion may go to the issuer against {@code original}: null, or the code that refuses it. */
    String check(TxnRecord r, TxnRecord original, long now) {
        return r.messageClass == MessageClass.REFUND
                ? Lifecycle.checkRefund(r, original, now, rules.refundWindow())
                : Lifecycle.checkCompletion(r, original, now, rules.completionTolerance(), rules.preAuthValidity());
    }

    /** A refund's amount, a completion's capture: set on the original (written by the caller). */
    static void claim(TxnRecord r, TxnRecord original) {
        if (r.messageClass == MessageClass.REFUND) {
            original.refundedAmount += r.amount;
        } else {
            original.completedBy = r.rrn;
        }
    }

    /** A refund or completion that will not stand gives back what it claimed on its original. */
    void release(TxnRecord r) {
        if ((r.messageClass != MessageClass.REFUND && !Lifecycle.isCompletion(r.messageClass)) || r.originalRrn.isEmpty()) {
            return;
        }
        TxnRecord original = records.load(r.originalRrn);
        if (original != null) {
            unclaim(r, original);
        }
    }

    void unclaim(TxnRecord r, TxnRecord original) {
        if (r.messageClass == MessageClass.REFUND) {
            original.refundedAmount = Math.max(0, original.refundedAmount - r.amount);
        } else if (r.rrn.equals(original.completedBy)) {
            original.completedBy = "";
        }
        records.persist(original);
    }

    /**
     * A reversal reached its issuer (or operations resolved it): a refund or completion it undid
     * gives back its claim on the original, so the sale can be refunded, or the pre-authorization
     * completed, again. Not while the reversal is only queued: until the issuer applies it, the
     * credit or capture stands. A voided completion keeps its claim (the hold it captured is gone).
     */
    void reversalFinished(TxnRecord r) {
        if (!ReversalReasons.VOID.equals(r.reversalReason)) {
            release(r);
        }
    }

    /**
     * A void: the switch decides it (docs/lifecycle.md) and, if approved, queues the original's
     * reversal in the SAF before the terminal is told. Nothing goes to the issuer but that reversal.
     */
    void onVoid(TerminalRequest req, Channel ch) {
        long now = clock.wallMillis();
        TxnRecord v = duplicates.firstSight(req, ch, now);
        if (v == null) {
            return;
        }
        TxnRecord original = original(req, v);
        String rc = Lifecycle.checkAmount(v.messageClass, v.amount);
        if (rc == null) {
            rc = Lifecycle.checkVoid(req.message().getString(38), v, original, now, original != null && batches.closed(original));
        }
        if (rc != null) {
            metrics.count("switch_voids_refused", "code", rc);
            answers.decline(v, req, ch, rc);
            return;
        }
        v.issuer = original.issuer;
        v.issuerId = original.issuerId;
        original.voidedBy = v.rrn;
        if (!reversals.queue(original, ReversalReasons.VOID)) {
            answers.decline(v, req, ch, ResponseCode.SYSTEM_MALFUNCTION);
            return;
        }
        v.authCode = original.authCode;
        metrics.count("switch_voids_approved");
        answers.approveLocally(v, req, ch, IssuerMessages.terminalAnswer(req, v.rrn, ResponseCode.APPROVED, null));
    }

    /**
     * A terminal's reversal (0400): matched to its original by terminal and STAN (its own 11, or
     * field 90's); {@link Lifecycle#checkReversal} decides. One whose original is unknown is
     * answered 00 and remembered ({@link EarlyReversals}) while the bounds allow, else 96 (the
     * terminal sends it again; nothing was remembered or reversed).
     */
    void onTerminalReversal(TerminalRequest req, Channel ch) {
        String originalKey = DedupeKeys.original(req, DedupeKeys.reversedStan(req));
        String rrn = records.index(originalKey);
        TxnRecord original = rrn == null ? null : records.load(rrn);
        metrics.count("switch_terminal_reversals", "original", original == null ? "unknown" : "known");
        Lifecycle.ReversalClaim claim = reversalClaim(req);
        if (original == null) {
            EarlyReversals.Outcome outcome = earlyReversals.remember(originalKey, claim, clock.wallMillis());
            answers.reply(ch, req, outcome.remembered() ? ResponseCode.APPROVED : ResponseCode.SYSTEM_MALFUNCTION);
            return;
        }
        Lifecycle.ReversalDecision d = Lifecycle.checkReversal(claim, original);
        switch (d.act()) {
            case REVERSE -> reversals.queue(original, ReversalReasons.TERMINAL_REVERSAL);
            case REVERSE_WHEN_ANSWERED -> {
                original.reverseWhenAnswered = true;
                records.persist(original);
            }
            case FLAG_VOID -> voidReversed(original);
            case REFUSE -> {
                metrics.count("switch_terminal_reversals_refused", "code", d.responseCode());
                STORMS_WARN.log("reversal-refused", "terminal reversal refused ({}): {} names {}", d.responseCode(), req, original);
            }
            case NOTHING -> { }
        }
        answers.reply(ch, req, d.responseCode());
    }

    private Lifecycle.ReversalClaim reversalClaim(TerminalRequest req) {
        String currency = req.message().getString(49);
        String f90 = req.message().getString(90);
        return new Lifecycle.ReversalClaim(records.cardKey().hash(req.pan()), req.amount(), currency == null ? "" : currency,
                req.processingCode(), f90 != null && f90.length() >= 4 ? f90.substring(0, 4) : "");
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
        TxnRecord original = records.load(v.originalRrn);
        v.flag = "void reversed by terminal; original " + v.originalRrn + " stays reversed"
                + (original != null && original.state == TxnState.REVERSED ? " (reversal delivered)" : " (reversal queued)");
        records.persist(v);
        metrics.count("switch_void_reversals_flagged");
        STORMS_ERROR.log("void-reversed", "operations: {}: {}", v, v.flag);
    }
}
