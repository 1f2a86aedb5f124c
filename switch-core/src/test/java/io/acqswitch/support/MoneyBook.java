package io.acqswitch.support;

import io.acqswitch.sim.Ledger;
import io.acqswitch.sim.LedgerEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.jpos.iso.ISOMsg;

/**
 * What terminals learned about their transactions, by switch RRN, and the money invariant checked
 * against an issuer stub's ledger: a debit stands if and only if its terminal received an approval
 * and neither reversed nor voided it. Thread-safe: any number of terminal threads record into one book.
 */
public final class MoneyBook {
    private final Set<String> approvedToTerminal = ConcurrentHashMap.newKeySet();
    private final Set<String> reversedByTerminal = ConcurrentHashMap.newKeySet();
    private final Map<String, String> failedToTerminal = new ConcurrentHashMap<>();

    /**
     * The result of one reconciliation; {@code orphans} describes each orphan debit, {@code lost}
     * names (by RRN) each approval the terminal was told of that does not stand.
     */
    public record Verdict(int debits, int doubleDebits, int orphanDebits, int lostApprovals, List<String> orphans,
            List<String> lost) {}

    /** Records a financial answer a terminal received (approved, or failed with its code). */
    public void answered(ISOMsg answer) {
        String rrn = answer.getString(37);
        if ("00".equals(answer.getString(39))) {
            approvedToTerminal.add(rrn);
        } else if (rrn != null) {
            failedToTerminal.put(rrn, answer.getString(39));
        }
    }

    /** The terminal reversed or voided the sale with {@code rrn} and was answered 00: it must not stand. */
    public void reversed(String rrn) {
        if (rrn != null) {
            reversedByTerminal.add(rrn);
        }
    }

    public int approvals() {
        return approvedToTerminal.size();
    }

    public int reversals() {
        return reversedByTerminal.size();
    }

    /** Compares every approved debit in {@code ledger} with what the terminals learned. */
    public Verdict reconcile(Ledger ledger) {
        int debits = 0;
        int doubleDebits = 0;
        int orphanDebits = 0;
        Set<String> lost = new TreeSet<>();
        List<String> orphans = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        Map<String, LedgerEntry> byRrn = new HashMap<>();
        for (LedgerEntry e : ledger.entries()) {
            if (e.kind() != LedgerEntry.Kind.DEBIT || !"00".equals(e.responseCode())) {
                continue;
            }
            debits++;
            byRrn.put(e.rrn(), e);
            if (seen.merge(e.rrn(), 1, Integer::sum) > 1) {
                doubleDebits++;
            }
            boolean shouldStand = approvedToTerminal.contains(e.rrn()) && !reversedByTerminal.contains(e.rrn());
            if (!e.reversed() && !shouldStand) {
                orphanDebits++;
                orphans.add(e + " terminal saw " + failedToTerminal.get(e.rrn()));
            }
            if (e.reversed() && shouldStand) {
                lost.add(e.rrn());
            }
        }
        for (String rrn : approvedToTerminal) {
            LedgerEntry e = byRrn.get(rrn);
            if (!reversedByTerminal.contains(rrn) && (e == null || e.reversed())) {
                lost.add(rrn);
            }
        }
        return new Verdict(debits, doubleDebits, orphanDebits, lost.size(), orphans, List.copyOf(lost));
    }
}
