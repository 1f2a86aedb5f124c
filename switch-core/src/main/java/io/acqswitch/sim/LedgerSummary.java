package io.acqswitch.sim;

/**
 * Counts and amounts (minor units) over a {@link Ledger} at one moment.
 *
 * @param entries              ledger entries of every kind
 * @param debitsApproved       approved debits, reversed ones included
 * @param debitsApprovedAmount their amount
 * @param debitsDeclined       declined debits
 * @param debitsReversed       approved debits later reversed
 * @param debitsReversedAmount their amount
 * @param creditsApproved      approved credits (refunds), reversed ones included
 * @param creditsApprovedAmount their amount
 * @param creditsReversed      approved credits later reversed
 * @param balanceInquiries     balance inquiries of any outcome
 * @param repeatsReplayed      repeated requests answered with their first decision
 * @param withheld             decisions applied but deliberately left unanswered
 * @param orphanReversals      reversals whose original was unknown (each counted once, however often repeated)
 * @param netDebited           approved unreversed debits minus approved unreversed credits
 */
public record LedgerSummary(
        int entries,
        int debitsApproved,
        long debitsApprovedAmount,
        int debitsDeclined,
        int debitsReversed,
        long debitsReversedAmount,
        int creditsApproved,
        long creditsApprovedAmount,
        int creditsReversed,
        int balanceInquiries,
        int repeatsReplayed,
        int withheld,
        int orphanReversals,
        long netDebited) {}
