package io.acqswitch.txn;

import io.acqswitch.iso.MessageClass;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Terminal batch settlement (docs/transactions.md, "Settlement and batch upload"): the totals a terminal
 * claims in field 48 against the switch's own, and the line-by-line comparison of a batch upload.
 *
 * <pre>
 * field 48 of 0500/0510 (62 chars):
 *   debit amount n12 | debit count n3 | credit amount n12 | credit count n3 | flag n1   (domestic cards)
 *   debit amount n12 | debit count n3 | credit amount n12 | credit count n3 | flag n1   (foreign cards)
 *   flag in a 0510: 1 = in balance, 2 = out of balance (the switch's totals follow), 3 = error
 *
 * field 48 of 0320 (choice of this switch, documented in docs/transactions.md):
 *   count n2, then per transaction: STAN n6 | amount n12 | kind n2 (00 debit, 20 credit)
 * </pre>
 */
final class Settlement {
    /** Debit and credit totals of one batch. */
    record Totals(long debitAmount, int debitCount, long creditAmount, int creditCount) {
        /** The 31-character domestic block with {@code flag}, followed by an empty foreign block. */
        String field48(char flag) {
            return String.format("%012d%03d%012d%03d%c", debitAmount, debitCount % 1000, creditAmount, creditCount % 1000, flag)
                    + String.format("%012d%03d%012d%03d%c", 0, 0, 0, 0, flag);
        }

        /** As operations read it in a settlement's flag: {@code debits 2 = 300, credits 1 = 50} (minor units). */
        @Override
        public String toString() {
            return "debits " + debitCount + " = " + debitAmount + ", credits " + creditCount + " = " + creditAmount;
        }
    }

    /** One transaction of a batch, as the terminal or the switch sees it. */
    record Line(String stan, long amount, boolean credit) {}

    private Settlement() {}

    /** The terminal's domestic totals from field 48, or null when the field is not in that layout. */
    static Totals parse(String field48) {
        if (field48 == null || field48.length() < 30 || !field48.substring(0, 30).chars().allMatch(Character::isDigit)) {
            return null;
        }
        return new Totals(Long.parseLong(field48.substring(0, 12)), Integer.parseInt(field48.substring(12, 15)),
                Long.parseLong(field48.substring(15, 27)), Integer.parseInt(field48.substring(27, 30)));
    }

    /** Counts in the batch: approved debits that nothing voided or reversed, and approved refunds. */
    static Totals totals(List<TxnRecord> batch) {
        long da = 0;
        long ca = 0;
        int dc = 0;
        int cc = 0;
        for (Line l : lines(batch).values()) {
            if (l.credit()) {
                ca += l.amount();
                cc++;
            } else {
                da += l.amount();
                dc++;
            }
        }
        return new Totals(da, dc, ca, cc);
    }

    /** The switch's view of a batch, by terminal STAN. */
    static Map<String, Line> lines(List<TxnRecord> batch) {
        Map<String, Line> lines = new HashMap<>();
        for (TxnRecord r : batch) {
            if (r.state != TxnState.APPROVED || !r.voidedBy.isEmpty()) {
                continue;
            }
            MessageClass.BatchSide side = r.messageClass.batchSide();
            if (side != MessageClass.BatchSide.NONE) {
                lines.put(r.terminalStan, new Line(r.terminalStan, r.amount, side == MessageClass.BatchSide.CREDIT));
            }
        }
        return lines;
    }

    /** The terminal's uploaded lines from a 0320's field 48, or null when malformed. */
    static List<Line> parseUpload(String field48) {
        if (field48 == null || field48.length() < 2 || !field48.chars().allMatch(Character::isDigit)) {
            return null;
        }
        int n = Integer.parseInt(field48.substring(0, 2));
        if (field48.length() != 2 + n * 20) {
            return null;
        }
        List<Line> lines = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String rec = field48.substring(2 + i * 20, 22 + i * 20);
            lines.add(new Line(rec.substring(0, 6), Long.parseLong(rec.substring(6, 18)), "20".equals(rec.substring(18, 20))));
        }
        return lines;
    }

    /** Every difference between the terminal's lines and the switch's, both ways, one line of text each. */
    static List<String> differences(List<Line> terminal, Map<String, Line> switchLines) {
        List<String> out = new ArrayList<>();
        Map<String, Line> remaining = new HashMap<>(switchLines);
        for (Line t : terminal) {
            Line s = remaining.remove(t.stan());
            if (s == null) {
                out.add("stan " + t.stan() + ": in the terminal's batch (" + t.amount() + "), not approved at the switch");
            } else if (s.amount() != t.amount() || s.credit() != t.credit()) {
                out.add("stan " + t.stan() + ": terminal " + t.amount() + (t.credit() ? " credit" : " debit")
                        + ", switch " + s.amount() + (s.credit() ? " credit" : " debit"));
            }
        }
        for (Line s : remaining.values()) {
            out.add("stan " + s.stan() + ": approved at the switch (" + s.amount() + "), missing from the terminal's batch");
        }
        out.sort(String::compareTo);
        return out;
    }

    /** Field 60.2 (batch): characters 3–8 of field 60, or empty. */
    static String batchOf(String field60) {
        return field60 != null && field60.length() >= 8 && field60.substring(2, 8).chars().allMatch(Character::isDigit)
                ? field60.substring(2, 8) : "";
    }
}
