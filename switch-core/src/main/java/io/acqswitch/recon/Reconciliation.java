package io.acqswitch.recon;

import io.acqswitch.journal.JournalQueries.Txn;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Compares the switch's journal with an issuer's ledger, RRN by RRN, by the money invariant: the
 * issuer holds the money if and only if the switch approved it, the terminal received the approval
 * and nothing reversed or captured it. Each class is held to what it is at the issuer: a sale or a
 * completion (0200 or advice 0220) is a debit, a refund a credit, a pre-authorization a hold that
 * its completion releases, and a void (of a sale, a pre-authorization or a completion) moves no
 * money of its own: it stands when its original is reversed. Stateless.
 */
public final class Reconciliation {
    private Reconciliation() {}

    /** What kind of difference was found. */
    public enum Kind {
        /** The issuer holds a debit or a hold that the switch did not approve-and-deliver (or has no record of). */
        ORPHAN_DEBIT,
        /** The issuer credited a card, but the switch did not approve-and-deliver that refund (or has no record of it). */
        ORPHAN_CREDIT,
        /** The switch approved and delivered, but the issuer has no approved entry. */
        MISSING_AT_ISSUER,
        /** The switch approved and delivered, but the issuer reversed the entry. */
        REVERSED_AT_ISSUER_ONLY,
        /** The switch reversed (or is still delivering the reversal), the issuer still holds the money. */
        REVERSED_AT_SWITCH_ONLY,
        /** An approved completion captured the pre-authorization, but the issuer still holds it: the card carries both. */
        HOLD_NOT_RELEASED,
        /** The terminal was told a void was approved, but the switch has not reversed its original. */
        VOID_NOT_APPLIED,
        /** Both sides know the RRN as different kinds (e.g. a refund at the switch, a debit at the issuer). */
        KIND_MISMATCH,
        /** Both sides know the RRN with different amounts. */
        AMOUNT_MISMATCH,
        /** The RRN appears more than once in the ledger. */
        DUPLICATE
    }

    /** One difference; {@code null} cells mean that side has no record. */
    public record Difference(Kind kind, String rrn, String switchState, Long switchAmount, Long issuerAmount,
            String issuerResponseCode, Boolean issuerReversed, String detail) {}

    /**
     * The outcome: differences in RRN order, and totals for the summary. {@code switchApprovedDelivered}
     * and {@code switchNetDebit} count what the switch expects the issuer to hold: approved and
     * delivered debits, holds and credits (credits negative in the net), not a hold its completion
     * captured.
     */
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
     * @param journal   the switch's transactions received in the window
     * @param followUps the transactions acting on those (voids, refunds, completions naming one in
     *                  {@code original_rrn}), whenever received; may repeat rows of {@code journal}
     * @param ledger    every ledger line; those outside the window are used only when their RRN is
     *                  among {@code journal}
     * @param from      window start (inclusive) or {@code null}
     * @param to        window end (exclusive) or {@code null}
     */
    public static Report compare(List<Txn> journal, List<Txn> followUps, List<LedgerCsv.Row> ledger, Instant from,
            Instant to) {
        Map<String, Txn> sw = new LinkedHashMap<>();
        for (Txn t : journal) {
            sw.put(t.rrn(), t);
        }
        Map<String, Map<String, Txn>> actingOn = new HashMap<>(); // original RRN -> its follow-ups by RRN
        for (List<Txn> list : List.of(journal, followUps)) {
            for (Txn t : list) {
                if (t.originalRrn() != null && !t.originalRrn().isEmpty()) {
                    actingOn.computeIfAbsent(t.originalRrn(), k -> new LinkedHashMap<>()).put(t.rrn(), t);
                }
            }
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
        int standing = 0;
        long switchNet = 0;
        int moved = 0;
        long issuerNet = 0;
        for (String rrn : rrns) {
            Txn t = sw.get(rrn);
            List<LedgerCsv.Row> rows = is.getOrDefault(rrn, List.of());
            LedgerCsv.Row r = rows.isEmpty() ? null : rows.getFirst();
            LedgerCsv.Row moving = rows.stream().filter(LedgerCsv.Row::movedMoney).findFirst().orElse(null);
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
            Map<String, Txn> acting = actingOn.getOrDefault(rrn, Map.of());
            if (rows.size() > 1) {
                diffs.add(new Difference(Kind.DUPLICATE, rrn, state, swAmount, isAmount, rc, rev,
                        rows.size() + " ledger lines (" + rows.stream().map(x -> "line " + x.line()).toList() + ")"));
            }
            if (t == null) {
                if (moving != null) {
                    diffs.add(orphan(rrn, null, null, moving, "the switch has no record"));
                }
            } else if (!movesMoney(t.messageClass())) {
                if (moving != null) { // nothing of a void's or an inquiry's own may stand at the issuer
                    diffs.add(orphan(rrn, state, swAmount, moving, "a " + t.messageClass() + " moves no money"));
                }
                Txn original = sw.get(t.originalRrn());
                if (isVoid(t.messageClass()) && t.state().equals("APPROVED") && original != null && !reversed(original)) {
                    diffs.add(new Difference(Kind.VOID_NOT_APPLIED, rrn, state, swAmount, null, null, null,
                            "void approved to the terminal; its original " + original.rrn() + " is "
                                    + original.state() + " at the switch, not reversed"));
                }
            } else if (r != null && !r.kind().equals(issuerKind(t.messageClass()))) {
                diffs.add(new Difference(Kind.KIND_MISMATCH, rrn, state, swAmount, isAmount, rc, rev,
                        "switch " + t.messageClass() + " (a " + role(t.messageClass()) + ") vs issuer " + r.kind()));
            } else {
                Capture capture = capture(t, acting.values());
                boolean approvedDelivered = t.state().equals("APPROVED") && t.delivered();
                if (approvedDelivered && (capture.by() == null || (!capture.sure() && moving != null))) {
                    standing++;
                    switchNet += sign(t) * t.amount();
                }
                if (capture.by() != null) {
                    // The issuer released the hold when the completion captured it, while the switch's
                    // pre-auth stays APPROVED: no hold is the agreement. After a completion the issuer did
                    // not answer in time, the hold may be released or standing: either agrees.
                    if (capture.sure() && moving != null) {
                        diffs.add(new Difference(Kind.HOLD_NOT_RELEASED, rrn, state, swAmount, isAmount, rc, rev,
                                "completion " + capture.by().rrn() + " captured it; the issuer still holds the pre-authorization"));
                    } else if (!capture.sure() && moving != null && !approvedDelivered) {
                        diffs.add(money(rrn, t, state, swAmount, moving, acting));
                    }
                } else if (moving != null && !approvedDelivered) {
                    diffs.add(money(rrn, t, state, swAmount, moving, acting));
                } else if (approvedDelivered && moving == null) {
                    String what = "the " + role(t.messageClass()) + " was approved to the terminal; ";
                    if (r == null) {
                        diffs.add(new Difference(Kind.MISSING_AT_ISSUER, rrn, state, swAmount, null, null, null,
                                what + "no issuer entry"));
                    } else if (r.reversed()) {
                        diffs.add(new Difference(Kind.REVERSED_AT_ISSUER_ONLY, rrn, state, swAmount, isAmount, rc, rev,
                                what + "reversed at the issuer"));
                    } else {
                        diffs.add(new Difference(Kind.MISSING_AT_ISSUER, rrn, state, swAmount, isAmount, rc, rev,
                                what + "the issuer answered " + rc));
                    }
                }
            }
            if (t != null && r != null && t.amount() != r.amount()) {
                diffs.add(new Difference(Kind.AMOUNT_MISMATCH, rrn, state, swAmount, isAmount, rc, rev,
                        "switch " + t.amount() + " vs issuer " + r.amount()));
            }
        }
        return new Report(List.copyOf(diffs), sw.size(), ledgerRows, orphans, standing, switchNet, moved, issuerNet);
    }

    /**
     * The issuer holds money under a transaction the switch did not approve-and-deliver: reversed
     * at the switch only, or never given to the terminal as an approval.
     */
    private static Difference money(String rrn, Txn t, String state, Long swAmount, LedgerCsv.Row moving,
            Map<String, Txn> acting) {
        if (!reversed(t)) {
            return orphan(rrn, state, swAmount, moving, "the terminal was not given an approval");
        }
        String why = t.reversalReason() == null || t.reversalReason().isEmpty() ? "reversal" : t.reversalReason();
        String voidRrn = acting.values().stream().filter(x -> isVoid(x.messageClass()) && x.state().equals("APPROVED"))
                .map(Txn::rrn).findFirst().orElse(null);
        if (voidRrn != null) {
            why += " " + voidRrn;
        }
        return new Difference(Kind.REVERSED_AT_SWITCH_ONLY, rrn, state, swAmount, moving.amount(), moving.responseCode(),
                moving.reversed(), t.state().equals("REVERSAL_PENDING")
                        ? "reversal (" + why + ") not yet acknowledged by the issuer" + (t.safExpired() ? " (SAF expired)" : "")
                        : "the issuer did not apply the reversal (" + why + ")");
    }

    /** Money at the issuer that nothing at the switch accounts for, named for what the issuer did: debit or credit. */
    private static Difference orphan(String rrn, String state, Long swAmount, LedgerCsv.Row moving, String why) {
        boolean credit = moving.kind().equals("CREDIT");
        return new Difference(credit ? Kind.ORPHAN_CREDIT : Kind.ORPHAN_DEBIT, rrn, state, swAmount, moving.amount(),
                moving.responseCode(), moving.reversed(),
                (credit ? "the issuer credited the card; " : "the issuer holds the money; ") + why);
    }

    /**
     * Whether a completion captured pre-authorization {@code t} at the issuer: {@code by} is that
     * completion (null when none did), {@code sure} false when the issuer's answer to it is unknown
     * (it timed out), so the hold may or may not have been released.
     */
    private record Capture(Txn by, boolean sure) {
        static final Capture NONE = new Capture(null, false);
    }

    private static Capture capture(Txn t, Collection<Txn> acting) {
        if (!t.messageClass().equals("PRE_AUTH") || !t.state().equals("APPROVED")) {
            return Capture.NONE;
        }
        Txn unsure = null;
        for (Txn c : acting) {
            if (!c.messageClass().equals("COMPLETION") && !c.messageClass().equals("COMPLETION_ADVICE")) {
                continue;
            }
            if ("00".equals(c.responseCode())) { // approved by the issuer, whatever happened to it since
                return new Capture(c, true);
            }
            if (!c.state().equals("DECLINED")) { // timed out (and reversed since, or not): the issuer may have applied it
                unsure = c;
            }
        }
        return unsure == null ? Capture.NONE : new Capture(unsure, false);
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

    /** The ledger kind the issuer books a money class as: a refund is a credit, the rest debits (a hold included). */
    private static String issuerKind(String messageClass) {
        return messageClass.equals("REFUND") ? "CREDIT" : "DEBIT";
    }

    /** What the issuer holds for a money class, in the words of a difference's detail. */
    private static String role(String messageClass) {
        return switch (messageClass) {
            case "REFUND" -> "credit";
            case "PRE_AUTH" -> "hold";
            default -> "debit";
        };
    }

    private static boolean isVoid(String messageClass) {
        return messageClass.equals("VOID") || messageClass.equals("PRE_AUTH_VOID") || messageClass.equals("COMPLETION_VOID");
    }

    /** Reversed at the switch, or its reversal still on its way to the issuer. */
    private static boolean reversed(Txn t) {
        return t.state().equals("REVERSED") || t.state().equals("REVERSAL_PENDING");
    }

    private static long sign(Txn t) {
        return t.messageClass().equals("REFUND") ? -1 : 1;
    }
}
