package io.acqswitch.txn;

import io.acqswitch.iso.ResponseCode;
import io.acqswitch.iso.TerminalRequest;
import io.acqswitch.metrics.SwitchMetrics;
import io.acqswitch.pipeline.ReplyAddress;

/**
 * The dedupe check every request passes first: a request seen before (same terminal, STAN and
 * class: {@link DedupeKeys}) is never forwarded again. It is answered from its record (replayed),
 * joins the terminals waiting for it while it is in flight, or is answered 94 when its content
 * differs. Processor thread only.
 */
final class Duplicates {
    private final Records records;
    private final InFlight inFlight;
    private final Answers answers;
    private final SwitchMetrics metrics;
    private final TxnClock clock;

    Duplicates(Records records, InFlight inFlight, Answers answers, SwitchMetrics metrics, TxnClock clock) {
        this.records = records;
        this.inFlight = inFlight;
        this.answers = answers;
        this.metrics = metrics;
        this.clock = clock;
    }

    /**
     * The new record of a request seen for the first time (RECEIVED, not yet written), or null
     * when it is a repeat (then answered already, or waiting for its original's answer).
     */
    TxnRecord firstSight(TerminalRequest req, ReplyAddress ch, long now) {
        String key = DedupeKeys.dedupe(req);
        long fingerprint = DedupeKeys.fingerprint(req);
        String known = records.index(key);
        if (known != null) {
            repeat(req, ch, known, fingerprint);
            return null;
        }
        return records.create(req, key, fingerprint, now);
    }

    private void repeat(TerminalRequest req, ReplyAddress ch, String rrn, long fingerprint) {
        InFlight.Pending p = inFlight.byRrn(rrn);
        TxnRecord r = p != null ? p.rec : records.load(rrn);
        if (r == null) {
            return; // index without record: retention removed it mid-sweep; treat as unknown next time
        }
        if (r.fingerprint != fingerprint) {
            metrics.count("switch_duplicates", "kind", "mismatch");
            answers.reply(ch, req, ResponseCode.DUPLICATE_TRANSMISSION);
            return;
        }
        r.duplicates++;
        r.lastDuplicateAt = clock.wallMillis();
        if (p != null) {
            metrics.count("switch_duplicates", "kind", "in_flight"); // recorded with the answer
            p.addWaiter(ch);
            return;
        }
        metrics.count("switch_duplicates", "kind", "replayed");
        records.persist(r);
        answers.latency(req);
        if (ResponseCode.APPROVED.equals(r.responseCode) && r.state != TxnState.APPROVED || r.response.length == 0) {
            // the approval never reached the terminal and was reversed: it must not learn "approved" now;
            // or the request was never answered (cut off by a crash, then reversed by the recovery)
            answers.reply(ch, req, req.dialect().timeoutCode());
            return;
        }
        answers.write(ch, r, r.response);
    }
}
