package io.acqswitch.recon;

import io.acqswitch.journal.JournalQueries.Txn;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Compares the switch's journal with an issuer's ledger, RRN by RRN, by the money invariant: the
 * issuer holds a debit if and only if the switch approved it, the terminal received the approval
 * and nothing reversed it. Stateless.
 */
public final class Reconciliation {
    private Reconciliation() {}

    /** What kind of difference was found. */
    public enum Kind {
        /** The issuer moved money that the switch did not approve-and-deliver (or has no record of). */
        ORPHAN_DEBIT,
        /** The switch approved and delivered, but the issuer has no approved entry. */
        MISSING_AT_ISSUER,
        /** The switch approved and delivered, but the issuer reversed the entry. */
        REVERSED_AT_ISSUER_ONLY,
        /** The switch reversed (or is still delivering the reversal), the issuer still holds the money. */
        REVERSED_AT_SWITCH_ONLY,
        /** Both sides know the RRN with different amounts. */
        AMOUNT_MISMATCH,
        /** The RRN appears more than once in the ledger. */
        DUPLICATE
    }

    /** One difference; {@code null} cells mean that side has no record. */
    public record Difference(Kind kind, String rrn, String switchState, Long switchAmount, Long issuerAmount,
            String issuerResponseCode, Boolean issuerReversed, String detail) {}

    /** The outcome: differences in RRN order, and totals for the summary. */
    public record Report(List<Difference> differences, int journalRows, int ledgerRows, int orphanReversals,
            int switchApprovedDelivered, long switchNetDebit, int issuerMovedMoney, long issuerNetDebit) {
        public boolean agrees() {
            return differences.isEmpty();
        }

        public static final String CSV_HEADER = "kind,rrn,switch_state,switch_amount,issuer_amount,issuer_response_code,"
                + "issuer_reversed,detail";

        public String csv() {
            StringBuilder sb = new StringBuilder(CSV_HEADER).append("\r\n");
            for (Difference d : differences) {
                sb.append(Csv.line(d.kind(), d.rrn(), d.switchState(), d.switchAmount(), d.issuerAmount(),
                        d.issuerResponseCode(), d.issuerReversed(), d.detail()));
            }
            return sb.toString();
        }

        public String summary() {
            Map<Kind, Integer> byKind = new EnumMap<>(Kind.class);
            differences.forEach(d -> byKind.merge(d.kind(), 1, Integer::sum));
            StringBuilder sb = new StringBuilder();
            sb.append("switch journal: ").append(journalRows).append(" transactions, ").append(switchApprovedDelivered)
                    .append(" approved and delivered, net debit ").append(switchNetDebit).append('\n');
            sb.append("issuer ledger:  ").append(ledgerRows).append(" entries (").append(orphanReversals)
                    .append(" orphan reversals), ").append(issuerMovedMoney).append(" moved money, net debit ")
                    .append(issuerNetDebit).append('\n');
            if (agrees()) {
                sb.append("result: the books agree\n");
            } else {
                sb.append("result: ").append(differences.size()).append(" difference(s)\n");
                byKind.forEach((k, v) -> sb.append("  ").append(k).append(": ").append(v).append('\n'));
            }
            return sb.toString();
        }
    }

    /**
     * @param journal the switch's transactions received in the window
     * @param ledger  every ledger line; those outside the window are used only when their RRN is
     *                among {@code journal}
     * @param from    window start (inclusive) or {@code null}
     * @param to      window end (exclusive) or {@code null}
     */
    public static Report compare(List<Txn> journal, List<LedgerCsv.Row> ledger, Instant from, Instant to) {
        Map<String, Txn> sw = new LinkedHashMap<>();
        for (Txn t : journal) {
            sw.put(t.rrn(), t);
        }
        Map<String, List<LedgerCsv.Row>> is = new LinkedHashMap<>();
        int orphans = 0;
        int ledgerRows = 0;
        for (LedgerCsv.Row r : ledger) {
            boolean inWindow = r.receivedAt() == null
                    || ((from == null || !r.receivedAt().isBefore(from)) && (to == null || r.receivedAt().isBefore(to)));
            if (!inWindow && !sw.containsKey(r.rrn())) {
                continue;
            }
            ledgerRows++;
            if (r.orphanReversal()) {
                orphans++;
                continue;
            }
            is.computeIfAbsent(r.rrn(), k -> new ArrayList<>()).add(r);
        }
        Set<String> rrns = new TreeSet<>(sw.keySet());
        rrns.addAll(is.keySet());
        List<Difference> diffs = new ArrayList<>();
        int approvedDelivered = 0;
        long switchNet = 0;
        int moved = 0;
        long issuerNet = 0;
        Set<String> seen = new HashSet<>();
        for (String rrn : rrns) {
            Txn t = sw.get(rrn);
            List<LedgerCsv.Row> rows = is.getOrDefault(rrn, List.of());
            LedgerCsv.Row r = rows.isEmpty() ? null : rows.getFirst();
            boolean balance = (t != null && !movesMoney(t.messageClass())) || (r != null && r.kind().equals("BALANCE"));
            boolean switchMoney = t != null && !balance && t.state().equals("APPROVED") && t.delivered();
            boolean switchReversed = t != null && (t.state().equals("REVERSED") || t.state().equals("REVERSAL_PENDING"));
            boolean issuerMoney = rows.stream().anyMatch(LedgerCsv.Row::movedMoney);
            if (switchMoney) {
                approvedDelivered++;
                switchNet += sign(t) * t.amount();
            }
            for (LedgerCsv.Row row : rows) {
                if (row.movedMoney()) {
                    moved++;
                    issuerNet += row.kind().equals("CREDIT") ? -row.amount() : row.amount();
                }
            }
            String state = t == null ? null : t.state() + (t.state().equals("APPROVED") && !t.delivered() ? " (undelivered)" : "");
            Long swAmount = t == null ? null : t.amount();
            Long isAmount = r == null ? null : r.amount();
            String rc = r == null ? null : r.responseCode();
            Boolean rev = r == null ? null : r.reversed();
            if (rows.size() > 1 && seen.add(rrn)) {
                diffs.add(new Difference(Kind.DUPLICATE, rrn, state, swAmount, isAmount, rc, rev,
                        rows.size() + " ledger lines (" + rows.stream().map(x -> "line " + x.line()).toList() + ")"));
            }
            if (!balance && issuerMoney && !switchMoney) {
                if (t == null) {
                    diffs.add(new Difference(Kind.ORPHAN_DEBIT, rrn, null, null, isAmount, rc, rev,
                            "the issuer holds the money; the switch has no record"));
                } else if (switchReversed) {
                    diffs.add(new Difference(Kind.REVERSED_AT_SWITCH_ONLY, rrn, state, swAmount, isAmount, rc, rev,
                            t.state().equals("REVERSAL_PENDING") ? "reversal not yet acknowledged by the issuer"
                                    + (t.safExpired() ? " (SAF expired)" : "") : "the issuer did not apply the reversal"));
                } else {
                    diffs.add(new Difference(Kind.ORPHAN_DEBIT, rrn, state, swAmount, isAmount, rc, rev,
                            "the issuer holds the money; the terminal was not given an approval"));
                }
            } else if (switchMoney && !issuerMoney) {
                if (r == null) {
                    diffs.add(new Difference(Kind.MISSING_AT_ISSUER, rrn, state, swAmount, null, null, null,
                            "approved to the terminal; no issuer entry"));
                } else if (r.reversed()) {
                    diffs.add(new Difference(Kind.REVERSED_AT_ISSUER_ONLY, rrn, state, swAmount, isAmount, rc, rev,
                            "approved to the terminal; reversed at the issuer"));
                } else {
                    diffs.add(new Difference(Kind.MISSING_AT_ISSUER, rrn, state, swAmount, isAmount, rc, rev,
                            "approved to the terminal; the issuer answered " + rc));
                }
            }
            if (t != null && r != null && t.amount() != r.amount()) {
                diffs.add(new Difference(Kind.AMOUNT_MISMATCH, rrn, state, swAmount, isAmount, rc, rev,
                        "switch " + t.amount() + " vs issuer " + r.amount()));
            }
        }
        return new Report(List.copyOf(diffs), sw.size(), ledgerRows, orphans, approvedDelivered, switchNet, moved, issuerNet);
    }

    /**
     * Classes whose approval the issuer holds as money (a debit, a hold or a credit). Voids are
     * decided by the switch and reach the issuer only as their original's reversal; balance
     * inquiries, settlements and batch uploads move nothing.
     */
    private static boolean movesMoney(String messageClass) {
        return switch (messageClass) {
            case "SALE", "PRE_AUTH", "COMPLETION", "COMPLETION_ADVICE", "REFUND" -> true;
            default -> false;
        };
    }

    private static long sign(Txn t) {
        return t.messageClass().equals("REFUND") ? -1 : 1;
    }
}
