package io.acqswitch.bench.load;

import io.acqswitch.sim.LedgerSummary;

/**
 * What the issuer stubs' ledgers recorded during one target's traffic against what the harness was
 * told. Exact, whatever the mix:
 * <ul>
 *   <li>every sale answered {@code 00} is exactly one approved debit at the stub, and nothing else
 *       is (a duplicate that reached the issuer again, or a debit nobody was told of, fails);</li>
 *   <li>exactly the voided and the 0400-reversed sales are reversed there, so every other approved
 *       sale stands exactly once;</li>
 *   <li>every timeout sale (answered {@code 68}) is one debit at the silent issuer, and every such
 *       debit is reversed.</li>
 *   <li>a sale the harness got no answer to in time (an overload) was reversed by its terminal with a
 *       0400, as real terminals do: it may have been debited, but then it was reversed, so the debits
 *       left standing are exactly the approvals received less the voids and reversals. (A sale whose
 *       connection was gone when its 0400 was due is not reversed by the harness: up to that many more
 *       may stand.)</li>
 * </ul>
 * A run that is fast but loses, doubles or forgets to reverse debits fails here.
 *
 * @param expected        what the harness's answers say the ledgers must show
 * @param debitsApproved  approved debits the stub recorded meanwhile
 * @param debitsReversed  of those, how many were reversed
 * @param silentDebits    debits the silent issuer recorded (0 when it was not started)
 * @param silentReversed  of those, how many were reversed
 */
record LedgerCheck(String target, Expected expected, long debitsApproved, long debitsReversed, long silentDebits,
                   long silentReversed) {

    /**
     * Counted from the answers of a whole run, warm-up included.
     *
     * @param approvedSales sales (not duplicates, not timeouts) answered {@code 00}
     * @param voided        voids answered {@code 00}
     * @param reversed      0400 reversals answered {@code 00}, each of a different approved sale
     * @param timeouts      timeout sales answered {@code 68}
     * @param unansweredReversed sales unanswered in time, reversed by a 0400 of their terminal
     * @param unansweredUnreversed sales unanswered in time whose terminal's connection was down (no 0400)
     */
    record Expected(long approvedSales, long voided, long reversed, long timeouts, long unansweredReversed,
                    long unansweredUnreversed) {
        static final Expected NONE = new Expected(0, 0, 0, 0, 0, 0);

        Expected(long approvedSales, long voided, long reversed, long timeouts) {
            this(approvedSales, voided, reversed, timeouts, 0, 0);
        }

        Expected plus(Expected o) {
            return new Expected(approvedSales + o.approvedSales, voided + o.voided, reversed + o.reversed,
                    timeouts + o.timeouts, unansweredReversed + o.unansweredReversed,
                    unansweredUnreversed + o.unansweredUnreversed);
        }

        /** Nothing but sales answered in time: nothing at the issuers waits for the switch to reverse it. */
        boolean salesOnly() {
            return voided == 0 && reversed == 0 && timeouts == 0 && unanswered() == 0;
        }

        long unanswered() {
            return unansweredReversed + unansweredUnreversed;
        }

        /** Approved debits that must stand: approvals received less those voided or reversed. */
        long standing() {
            return approvedSales - voided - reversed;
        }
    }

    /** {@code silentBefore}/{@code silentAfter} are null when the rig has no silent issuer. */
    static LedgerCheck between(String target, Expected expected, LedgerSummary before, LedgerSummary after,
                               LedgerSummary silentBefore, LedgerSummary silentAfter) {
        boolean silent = silentBefore != null && silentAfter != null;
        return new LedgerCheck(target, expected, after.debitsApproved() - before.debitsApproved(),
                after.debitsReversed() - before.debitsReversed(),
                silent ? silentAfter.debitsApproved() - silentBefore.debitsApproved() : 0,
                silent ? silentAfter.debitsReversed() - silentBefore.debitsReversed() : 0);
    }

    /** Sales only, no silent issuer: one approved debit per approval received, nothing reversed. */
    static LedgerCheck between(String target, long approvalsReceived, LedgerSummary before, LedgerSummary after) {
        return between(target, new Expected(approvalsReceived, 0, 0, 0), before, after, null, null);
    }

    boolean ok() {
        boolean silentOk = silentDebits == expected.timeouts() && silentReversed == silentDebits;
        if (expected.unanswered() == 0) {
            return debitsApproved == expected.approvedSales()
                    && debitsReversed == expected.voided() + expected.reversed() && silentOk;
        }
        // an unanswered sale may or may not have been debited; if it was, it must have been reversed
        long extraDebits = debitsApproved - expected.approvedSales();
        return extraDebits >= 0 && extraDebits <= expected.unanswered()
                && standing() >= expected.standing()
                && standing() <= expected.standing() + expected.unansweredUnreversed() && silentOk;
    }

    /** Approved debits left standing at the stub. */
    long standing() {
        return debitsApproved - debitsReversed;
    }

    @Override
    public String toString() {
        String s = "ledger[" + target + "]: approvals received=" + expected.approvedSales() + ", approved debits="
                + debitsApproved + ", reversed=" + debitsReversed;
        if (!expected.salesOnly() || silentDebits != 0) {
            s += " (voids approved=" + expected.voided() + ", 0400s approved=" + expected.reversed() + "), standing="
                    + standing() + " (expected " + expected.standing() + "); timeouts answered 68=" + expected.timeouts()
                    + ", silent issuer debits=" + silentDebits + ", reversed=" + silentReversed;
        }
        if (expected.unanswered() != 0) {
            s += "; sales unanswered in time=" + expected.unanswered() + " (reversed by their terminal: "
                    + expected.unansweredReversed() + ", connection down: " + expected.unansweredUnreversed() + ")";
        }
        return s + " -> " + (ok() ? "OK" : "MISMATCH");
    }
}
