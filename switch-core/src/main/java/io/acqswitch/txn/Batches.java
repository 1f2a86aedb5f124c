package io.acqswitch.txn;

import io.acqswitch.iso.ResponseCode;
import io.acqswitch.iso.TerminalRequest;
import io.acqswitch.metrics.SwitchMetrics;
import io.acqswitch.metrics.ThrottledLog;
import io.acqswitch.pipeline.ReplyAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jpos.iso.ISOMsg;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Batches and settlement: which records each terminal batch holds (rebuilt from the store at
 * start), settlement (0500) against the switch's totals, after which the batch is closed (its
 * transactions can no longer be voided), and batch upload (0320). Processor thread only.
 */
final class Batches {
    private static final Logger LOG = LoggerFactory.getLogger(Batches.class);
    private static final ThrottledLog STORMS_WARN = new ThrottledLog(LOG, Level.WARN, 10_000);
    /** Index key prefix of a settled batch: {@code C|merchant|terminal|batch} → the settlement's RRN. */
    private static final String BATCH_CLOSED = "C|";

    private final Records records;
    private final Answers answers;
    private final Duplicates duplicates;
    private final SwitchMetrics metrics;
    private final TxnClock clock;
    /** merchant|terminal|batch → RRNs of the batch's transactions. */
    private final Map<String, List<String>> batches = new HashMap<>();

    Batches(Records records, Answers answers, Duplicates duplicates, SwitchMetrics metrics, TxnClock clock) {
        this.records = records;
        this.answers = answers;
        this.duplicates = duplicates;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** A record created, or found at start: listed in its batch if it has one and moves money. */
    void add(TxnRecord r) {
        if (!r.batch.isEmpty() && r.messageClass.isFinancial()) {
            batches.computeIfAbsent(batchKey(r), k -> new ArrayList<>()).add(r.rrn);
        }
    }

    /** A record of a partition taken over joins its batch's list, unless it is there already (taken over before). */
    void adopt(TxnRecord r) {
        if (!r.batch.isEmpty() && r.messageClass.isFinancial()) {
            List<String> rrns = batches.computeIfAbsent(batchKey(r), k -> new ArrayList<>());
            if (!rrns.contains(r.rrn)) {
                rrns.add(r.rrn);
            }
        }
    }

    /**
     * A record left the store (retention): it leaves its batch's list too, and once a batch has no
     * record left, its list and its "settled" mark go (nothing of it remains to void or settle).
     */
    void left(TxnRecord r) {
        if (r.batch.isEmpty()) {
            return;
        }
        String key = batchKey(r);
        List<String> rrns = batches.get(key);
        if (rrns != null && rrns.remove(r.rrn) && rrns.isEmpty()) {
            batches.remove(key);
            if (records.index(BATCH_CLOSED + key) != null) {
                records.store().removeIndex(BATCH_CLOSED + key);
            }
        }
    }

    /** The batch of {@code r} was settled. */
    boolean closed(TxnRecord r) {
        return !r.batch.isEmpty() && records.index(BATCH_CLOSED + batchKey(r)) != null;
    }

    private static String batchKey(TxnRecord r) {
        return r.merchantId + '|' + r.terminalId + '|' + r.batch;
    }

    /**
     * Settlement (0500): the terminal's batch totals (field 48) against the switch's; answered 0510
     * with the switch's totals and flag 1 (in balance) or 2 (out of balance). The batch then closes.
     */
    void onSettlement(TerminalRequest req, ReplyAddress ch) {
        Settlement.Totals claimed = Settlement.parse(req.message().getString(48));
        if (claimed == null || Settlement.batchOf(req.message().getString(60)).isEmpty()) {
            metrics.count("switch_settlements", "result", "format_error");
            answers.reply(ch, req, ResponseCode.FORMAT_ERROR);
            return;
        }
        TxnRecord s = duplicates.firstSight(req, ch, clock.wallMillis());
        if (s == null) {
            return;
        }
        Settlement.Totals ours = Settlement.totals(recordsOf(s));
        boolean inBalance = ours.equals(claimed);
        s.amount = ours.debitAmount();
        if (!inBalance) {
            s.flag = "out of balance: terminal " + claimed + "; switch " + ours;
            STORMS_WARN.log("settlement", "settlement of batch {} of terminal {}: {}", s.batch, s.terminalId, s.flag);
        }
        metrics.count("switch_settlements", "result", inBalance ? "in_balance" : "out_of_balance");
        records.store().putIndex(BATCH_CLOSED + batchKey(s), s.rrn);
        ISOMsg answer = IssuerMessages.terminalAnswer(req, s.rrn, ResponseCode.APPROVED, null);
        answer.set(48, ours.field48(inBalance ? '1' : '2'));
        answers.approveLocally(s, req, ch, answer);
    }

    /**
     * Batch upload (0320) after an out-of-balance settlement: every difference between the
     * terminal's lines and the switch's is logged, counted and kept on the upload's record.
     */
    void onBatchUpload(TerminalRequest req, ReplyAddress ch) {
        List<Settlement.Line> lines = Settlement.parseUpload(req.message().getString(48));
        if (lines == null || Settlement.batchOf(req.message().getString(60)).isEmpty()) {
            answers.reply(ch, req, ResponseCode.FORMAT_ERROR);
            return;
        }
        TxnRecord u = duplicates.firstSight(req, ch, clock.wallMillis());
        if (u == null) {
            return;
        }
        List<String> differences = Settlement.differences(lines, Settlement.lines(recordsOf(u)));
        // one line per upload at most, throttled: a client can send uploads in a loop (all are on the record)
        STORMS_WARN.logFindings("batch-upload", "batch upload, terminal {} batch {}", differences, u.terminalId, u.batch);
        metrics.count("switch_batch_uploads", "result", differences.isEmpty() ? "agrees" : "differs");
        String all = String.join("; ", differences);
        u.flag = all.length() > 4000 ? all.substring(0, 4000) + " …" : all;
        answers.approveLocally(u, req, ch, IssuerMessages.terminalAnswer(req, u.rrn, ResponseCode.APPROVED, null));
    }

    private List<TxnRecord> recordsOf(TxnRecord settlement) {
        List<TxnRecord> out = new ArrayList<>();
        for (String rrn : batches.getOrDefault(batchKey(settlement), List.of())) {
            TxnRecord r = records.load(rrn);
            if (r != null) {
                out.add(r);
            }
        }
        return out;
    }
}
