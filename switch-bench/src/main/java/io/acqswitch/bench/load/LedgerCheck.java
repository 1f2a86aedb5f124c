package io.acqswitch.bench.load;

import io.acqswitch.sim.LedgerSummary;

/**
 * What the issuer stub's ledger recorded during one target's traffic against what the harness was
 * told: every approved answer must match exactly one approved debit, and at this load nothing should
 * have been reversed. A run that is fast but loses or invents debits fails here.
 *
 * @param approvalsReceived {@code 39=00} answers the harness received (warm-up included)
 * @param debitsApproved    approved debits the stub recorded meanwhile
 * @param debitsReversed    of those, how many were reversed
 */
record LedgerCheck(String target, long approvalsReceived, long debitsApproved, long debitsReversed) {

    static LedgerCheck between(String target, long approvalsReceived, LedgerSummary before, LedgerSummary after) {
        return new LedgerCheck(target, approvalsReceived, after.debitsApproved() - before.debitsApproved(),
                after.debitsReversed() - before.debitsReversed());
    }

    boolean ok() {
        return debitsApproved == approvalsReceived && debitsReversed == 0;
    }

    @Override
    public String toString() {
        return "ledger[" + target + "]: approvals received=" + approvalsReceived + ", approved debits=" + debitsApproved
                + ", reversed=" + debitsReversed + " -> " + (ok() ? "OK" : "MISMATCH");
    }
}
