package io.acqswitch.recon;

import io.acqswitch.iso.MessageClass;
import io.acqswitch.journal.JournalQueries.Txn;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The terminals' batch settlements (0500) against the journal: which settled out of balance, what
 * their batch uploads (0320) showed, and which batches changed after they were settled (a debit
 * reversed or added since, so the totals the switch answered no longer hold). Stateless.
 */
public final class SettlementRecon {
    private SettlementRecon() {}

    /** What kind of difference was found. */
    public enum Kind {
        /** The terminal's totals differed from the switch's when it settled (0510 flag 2). */
        OUT_OF_BALANCE,
        /** One line of a batch upload that differs from the switch's batch (either way). */
        UPLOAD_DIFFERENCE,
        /** The batch's debits in the journal now differ from those the switch settled. */
        CHANGED_AFTER_SETTLEMENT
    }

    /** A batch's debit and credit totals as the journal has them now: approved sales, completions, refunds. */
    public record Totals(int debitCount, long debitAmount, int creditCount, long creditAmount) {
        static Totals of(List<Txn> batch) {
            int dc = 0;
            int cc = 0;
            long da = 0;
            long ca = 0;
            for (Txn t : batch) {
                if (!t.state().equals("APPROVED")) {
                    continue; // voided, reversed, declined or still open: not in the totals
                }
                switch (MessageClass.valueOf(t.messageClass()).batchSide()) {
                    case DEBIT -> {
                        dc++;
                        da += t.amount();
                    }
                    case CREDIT -> {
                        cc++;
                        ca += t.amount();
                    }
                    case NONE -> { }
                }
            }
            return new Totals(dc, da, cc, ca);
        }
    }

    /** One difference of one settlement. */
    public record Difference(Kind kind, String terminalId, String merchantId, String batch, String rrn, Instant at,
            long settledDebitAmount, Totals journal, String detail) {}

    /** The outcome, in the order the settlements were received. */
    public record Report(List<Difference> differences, int settlements, int outOfBalance, int uploads) {
        public static final String CSV_HEADER = "kind,terminal_id,merchant_id,batch,rrn,received_at,settled_debit_amount,"
                + "journal_debit_count,journal_debit_amount,journal_credit_count,journal_credit_amount,detail";

        public boolean agrees() {
            return differences.isEmpty();
        }

        public String csv() {
            StringBuilder sb = new StringBuilder(CSV_HEADER).append("\r\n");
            for (Difference d : differences) {
                Totals j = d.journal();
                sb.append(Csv.line(d.kind(), d.terminalId(), d.merchantId(), d.batch(), d.rrn(), d.at(),
                        d.settledDebitAmount(), j.debitCount(), j.debitAmount(), j.creditCount(), j.creditAmount(),
                        d.detail()));
            }
            return sb.toString();
        }

        public String summary() {
            Map<Kind, Integer> byKind = new EnumMap<>(Kind.class);
            differences.forEach(d -> byKind.merge(d.kind(), 1, Integer::sum));
            StringBuilder sb = new StringBuilder();
            sb.append("settlements: ").append(settlements).append(" (").append(settlements - outOfBalance)
                    .append(" in balance, ").append(outOfBalance).append(" out of balance), batch uploads: ")
                    .append(uploads).append('\n');
            if (agrees()) {
                sb.append("result: every batch settled in balance and still agrees with the journal\n");
            } else {
                sb.append("result: ").append(differences.size()).append(" difference(s)\n");
                byKind.forEach((k, v) -> sb.append("  ").append(k).append(": ").append(v).append('\n'));
            }
            return sb.toString();
        }
    }

    /** The journal's transactions of one batch. */
    @FunctionalInterface
    public interface Batches {
        List<Txn> of(String merchantId, String terminalId, String batch) throws SQLException;
    }

    /**
     * @param received the settlements and batch uploads received in the period ({@link
     *                 io.acqswitch.journal.JournalQueries#settlements}), oldest first
     * @param batches  looks up every journaled transaction of a batch
     */
    public static Report compare(List<Txn> received, Batches batches) throws SQLException {
        List<Difference> diffs = new ArrayList<>();
        int settlements = 0;
        int outOfBalance = 0;
        int uploads = 0;
        for (Txn s : received) {
            if (!s.state().equals("APPROVED")) {
                continue; // refused (format error, duplicate, ...): it settled nothing
            }
            List<Txn> batch = batches.of(s.merchantId(), s.terminalId(), s.batch());
            Totals now = Totals.of(batch);
            if (s.messageClass().equals(MessageClass.BATCH_UPLOAD.name())) {
                uploads++;
                for (String d : s.flag().isEmpty() ? new String[0] : s.flag().split("; ")) {
                    diffs.add(new Difference(Kind.UPLOAD_DIFFERENCE, s.terminalId(), s.merchantId(), s.batch(), s.rrn(),
                            s.receivedAt(), settledDebits(batch), now, d));
                }
                continue;
            }
            settlements++;
            if (!s.flag().isEmpty()) {
                outOfBalance++;
                diffs.add(new Difference(Kind.OUT_OF_BALANCE, s.terminalId(), s.merchantId(), s.batch(), s.rrn(),
                        s.receivedAt(), s.amount(), now, s.flag()));
            }
            if (now.debitAmount() != s.amount()) {
                diffs.add(new Difference(Kind.CHANGED_AFTER_SETTLEMENT, s.terminalId(), s.merchantId(), s.batch(), s.rrn(),
                        s.receivedAt(), s.amount(), now, "settled with debits of " + s.amount() + "; the journal now has "
                                + now.debitAmount() + " (" + changedSince(batch, s) + ")"));
            }
        }
        return new Report(List.copyOf(diffs), settlements, outOfBalance, uploads);
    }

    /** The debit amount the batch's (latest) settlement answered, or -1 when it was never settled. */
    private static long settledDebits(List<Txn> batch) {
        long settled = -1;
        for (Txn t : batch) {
            if (t.messageClass().equals(MessageClass.SETTLEMENT.name()) && t.state().equals("APPROVED")) {
                settled = t.amount();
            }
        }
        return settled;
    }

    /** The batch's debits and credits that left the totals or came in after the settlement. */
    private static String changedSince(List<Txn> batch, Txn settlement) {
        List<String> out = new ArrayList<>();
        for (Txn t : batch) {
            boolean counted = MessageClass.valueOf(t.messageClass()).batchSide() != MessageClass.BatchSide.NONE;
            Instant changed = t.reversedAt() != null ? t.reversedAt() : t.completedAt();
            if (counted && changed != null && settlement.receivedAt() != null && changed.isAfter(settlement.receivedAt())) {
                out.add(t.rrn() + " " + t.state() + (t.reversalReason().isEmpty() ? "" : " (" + t.reversalReason() + ")"));
            }
        }
        return out.isEmpty() ? "no single transaction explains it" : "since: " + String.join(", ", out);
    }
}
