package io.acqswitch.sim;

import java.time.Instant;

/**
 * One financial request an {@link IssuerStub} decided, as a snapshot: later reversals or repeats
 * produce new snapshots, never change this one. The PAN is held masked only.
 *
 * @param rrn               field 37 as received ("" when the request carried none)
 * @param stan              field 11
 * @param terminalId        field 41 ("" when absent)
 * @param mti               the request's MTI (first transmission)
 * @param processingCode    field 3
 * @param maskedPan         first 6 and last 4 digits of field 2
 * @param amount            field 4 in minor units
 * @param currency          field 49 ("" when absent)
 * @param responseCode      field 39 the stub decided (and answered, unless withheld)
 * @param authCode          field 38 on approval, "" otherwise
 * @param withheld          the decision was applied but its answer deliberately never sent
 * @param reversed          a reversal was applied to this entry (once, however many arrived)
 * @param reversalsReceived reversal messages that matched this entry, repeats included
 * @param repeats           repeats of the request that were answered with this entry's decision
 * @param receivedAt        when the request was first received
 * @param reversedAt        when the reversal was applied, or null
 */
public record LedgerEntry(
        String rrn,
        String stan,
        String terminalId,
        String mti,
        String processingCode,
        String maskedPan,
        long amount,
        String currency,
        Kind kind,
        String responseCode,
        String authCode,
        boolean withheld,
        boolean reversed,
        int reversalsReceived,
        int repeats,
        Instant receivedAt,
        Instant reversedAt) {

    /** What a request does to the card's balance. */
    public enum Kind {
        /** Purchase, pre-authorization or completion: reduces the available balance when approved. */
        DEBIT,
        /** Refund: restores the available balance when approved. */
        CREDIT,
        /** Balance inquiry: moves no money. */
        BALANCE
    }

    public boolean approved() {
        return "00".equals(responseCode);
    }

    /** What this entry adds to the card's net debit: the amount for an approved, unreversed debit, minus it for a credit. */
    public long netDebit() {
        if (!approved() || reversed) {
            return 0;
        }
        return switch (kind) {
            case DEBIT -> amount;
            case CREDIT -> -amount;
            case BALANCE -> 0;
        };
    }
}
