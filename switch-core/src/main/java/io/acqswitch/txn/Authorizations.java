package io.acqswitch.txn;

import io.acqswitch.iso.IsoLog;
import io.acqswitch.iso.MessageClass;
import io.acqswitch.iso.ResponseCode;
import io.acqswitch.iso.Responses;
import io.acqswitch.iso.TerminalRequest;
import io.acqswitch.iso.TransmissionTime;
import io.acqswitch.metrics.SwitchMetrics;
import io.acqswitch.metrics.ThrottledLog;
import io.acqswitch.net.Issuers;
import io.acqswitch.pipeline.ReplyAddress;
import io.acqswitch.store.StoreFullException;
import java.util.function.Function;
import org.jpos.iso.ISOMsg;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Requests the issuer decides (sales, pre-authorizations, completions, balance inquiries, refunds):
 * checked, routed, recorded FORWARDED and sent; then the issuer's answer, or the deadline, which
 * records the failure, queues the reversal and answers the terminal, in that order. Processor
 * thread only.
 */
final class Authorizations {
    private static final Logger LOG = LoggerFactory.getLogger(Authorizations.class);
    private static final ThrottledLog STORMS_INFO = new ThrottledLog(LOG, Level.INFO, 10_000);
    private static final ThrottledLog STORMS_WARN = new ThrottledLog(LOG, Level.WARN, 10_000);

    private final String acquirerId;
    private final Records records;
    private final InFlight inFlight;
    private final Answers answers;
    private final Duplicates duplicates;
    private final Originals originals;
    private final Reversals reversals;
    private final EarlyReversals earlyReversals;
    private final Issuers issuers;
    private final Function<String, String> router;
    private final SwitchMetrics metrics;
    private final TxnClock clock;

    Authorizations(String acquirerId, Records records, InFlight inFlight, Answers answers, Duplicates duplicates,
                   Originals originals, Reversals reversals, EarlyReversals earlyReversals, Issuers issuers,
                   Function<String, String> router, SwitchMetrics metrics, TxnClock clock) {
        this.acquirerId = acquirerId;
        this.records = records;
        this.inFlight = inFlight;
        this.answers = answers;
        this.duplicates = duplicates;
        this.originals = originals;
        this.reversals = reversals;
        this.earlyReversals = earlyReversals;
        this.issuers = issuers;
        this.router = router;
        this.metrics = metrics;
        this.clock = clock;
    }

    void onRequest(TerminalRequest req, ReplyAddress ch) {
        long now = clock.wallMillis();
        TxnRecord r = duplicates.firstSight(req, ch, now);
        if (r == null) {
            return;
        }
        String invalidAmount = Lifecycle.checkAmount(r.messageClass, r.amount);
        if (invalidAmount != null) {
            metrics.count("switch_originals_refused", "class", req.messageClass().tag(), "code", invalidAmount);
            answers.decline(r, req, ch, invalidAmount);
            return;
        }
        TxnRecord original = null;
        if (req.messageClass() == MessageClass.REFUND || Lifecycle.isCompletion(req.messageClass())) {
            original = originals.original(req, r);
            String rc = originals.check(r, original, now);
            if (rc != null) {
                metrics.count("switch_originals_refused", "class", req.messageClass().tag(), "code", rc);
                answers.decline(r, req, ch, rc);
                return;
            }
        }
        String issuerId = req.pan() == null ? null : router.apply(req.pan());
        int issuer = issuerId == null ? -1 : issuers.indexOf(issuerId);
        if (issuer < 0) {
            metrics.count("switch_no_route");
            answers.decline(r, req, ch, ResponseCode.NO_SUCH_ISSUER);
            return;
        }
        r.issuer = issuer;
        r.issuerId = issuerId;
        r.switchStan = records.sequences().nextStan();
        r.issuerTransmissionTime = TransmissionTime.now();
        r.reverseWhenAnswered = earlyReversals.reverses(r);
        records.transition(r, TxnState.FORWARDED);
        r.forwardedAt = now;
        r.deadline = now + issuers.issuer(issuer).timeout().toMillis(); // for the record; the timer is monotonic
        recordForwarded(r, original);
        if (r.reverseWhenAnswered) {
            earlyReversals.consume(r.originalKey);
        }
        ISOMsg forward = IssuerMessages.forward(req, r, acquirerId);
        if (original != null) { // the hold a completion captures, the debit a refund credits back
            forward.set(90, IssuerMessages.originalData(original, acquirerId));
        }
        int link = issuers.send(issuer, forward);
        if (link < 0) { // nothing left the switch: the issuer holds nothing
            originals.release(r);
            answers.decline(r, req, ch, ResponseCode.ISSUER_INOPERATIVE);
            return;
        }
        r.issuerLink = link;
        inFlight.add(r, req, ch, link, clock.nanos(), issuers.issuer(issuer).timeout());
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
                Originals.claim(r, original);
                claimed = true;
                records.persist(original);
            }
            records.persist(r);
            records.indexDecided(r);
        } catch (StoreFullException full) {
            records.takeBack(r);
            if (claimed) {
                originals.unclaim(r, original); // the record as loaded: the store may not have taken the claim
            }
            throw full;
        }
    }

    /** An issuer's answer to a forwarded request (reversal acknowledgements go to the SAF). */
    void onIssuerResponse(int issuer, ISOMsg m) {
        String mti = m.getString(0);
        if ("0430".equals(mti) || "0410".equals(mti)) {
            reversals.acknowledged(m);
            return;
        }
        InFlight.Pending p = inFlight.byStan(m.getString(11));
        if (p == null || !p.rec.rrn.equals(m.getString(37)) || !mti.equals(Responses.responseMti(p.rec.mti))) {
            lateOrUnmatched(issuer, m);
            return;
        }
        inFlight.forget(p);
        TxnRecord r = p.rec;
        metrics.issuerLatency(r.issuerId, clock.nanos() - p.forwardedNanos);
        r.completedAt = clock.wallMillis();
        String rc = m.hasField(39) ? m.getString(39) : ResponseCode.SYSTEM_MALFUNCTION;
        r.authCode = m.hasField(38) ? m.getString(38) : "";
        r.responseCode = rc;
        r.response = Answers.pack(IssuerMessages.terminalAnswer(p.request, r.rrn, rc, m));
        if (!ResponseCode.APPROVED.equals(rc)) {
            originals.release(r);
            records.transition(r, TxnState.DECLINED);
            records.persist(r);
            answers.answer(p, r.response);
            return;
        }
        records.transition(r, TxnState.APPROVED);
        if (r.reverseWhenAnswered && Lifecycle.reversible(r.messageClass)) {
            reversals.queue(r, ReversalReasons.TERMINAL_REVERSED_EARLY);
            answers.answerFailure(p, r);
            return;
        }
        records.persist(r);
        answers.answer(p, r.response);
    }

    private void lateOrUnmatched(int issuer, ISOMsg m) {
        String rrn = m.getString(37);
        TxnRecord r = rrn == null ? null : records.load(rrn);
        String issuerId = issuers.issuer(issuer).id();
        if (r != null && (r.state == TxnState.TIMED_OUT || r.state == TxnState.REVERSAL_PENDING
                || r.state == TxnState.REVERSED)) {
            metrics.count("switch_late_responses", "issuer", issuerId);
            STORMS_INFO.log("late-" + issuerId, "late answer 39={} from {} for {}: not forwarded; its reversal stays queued",
                    m.getString(39), issuerId, r);
            return;
        }
        metrics.issuerUnmatched(issuerId);
        STORMS_WARN.log("unmatched-" + issuerId, "issuer {} answer matches no transaction: {}", issuerId, IsoLog.describe(m));
    }

    /** Its deadline passed (already forgotten by {@link InFlight}): TIMED_OUT, reversal queued, terminal told. */
    void timedOut(InFlight.Pending p) {
        issuers.abandon(p.rec.issuer, p.link);
        TxnRecord r = p.rec;
        metrics.count("switch_timeouts", "issuer", r.issuerId);
        records.transition(r, TxnState.TIMED_OUT);
        r.completedAt = clock.wallMillis();
        r.responseCode = p.request.dialect().timeoutCode();
        r.response = Answers.pack(IssuerMessages.terminalAnswer(p.request, r.rrn, r.responseCode, null));
        if (Lifecycle.reversible(r.messageClass)) {
            reversals.queue(r, ReversalReasons.ISSUER_TIMEOUT); // persisted before the terminal learns of the failure
        } else {
            records.persist(r);
        }
        answers.answer(p, r.response);
    }
}
