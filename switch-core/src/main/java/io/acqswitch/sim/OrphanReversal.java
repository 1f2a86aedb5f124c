package io.acqswitch.sim;

import java.time.Instant;

/**
 * A reversal whose original the stub never saw; acknowledged 00 and kept for reconciliation. It does
 * not reverse a debit that arrives later with the same RRN.
 *
 * @param rrn           field 37 of the reversal ("" when absent)
 * @param stan          field 11 of the first such reversal
 * @param terminalId    field 41 ("" when absent)
 * @param mti           MTI of the first such reversal
 * @param maskedPan     first 6 and last 4 digits of field 2 ("" when absent)
 * @param amount        field 4 (0 when absent)
 * @param originalStan  positions 5-10 of field 90 ("" when absent)
 * @param received      reversal messages received for it, repeats included
 * @param firstReceivedAt when the first arrived
 * @param lastReceivedAt  when the latest arrived
 */
public record OrphanReversal(
        String rrn,
        String stan,
        String terminalId,
        String mti,
        String maskedPan,
        long amount,
        String originalStan,
        int received,
        Instant firstReceivedAt,
        Instant lastReceivedAt) {}
