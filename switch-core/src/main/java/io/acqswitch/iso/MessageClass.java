package io.acqswitch.iso;

import java.util.Locale;

/** What a terminal's message asks for, decided once on the Netty thread by a {@link Classifier}. */
public enum MessageClass {
    SALE(true),
    BALANCE(true),
    VOID(true),
    REFUND(true),
    PRE_AUTH(true),
    PRE_AUTH_VOID(true),
    COMPLETION(true),
    COMPLETION_VOID(true),
    COMPLETION_ADVICE(true),
    REVERSAL(false),
    NETWORK_MANAGEMENT(false),
    SETTLEMENT(false),
    BATCH_UPLOAD(false),
    UNKNOWN(false);

    private final boolean financial;
    private final String tag;

    MessageClass(boolean financial) {
        this.financial = financial;
        this.tag = name().toLowerCase(Locale.ROOT);
    }

    /** Requests that carry a card and an amount to an issuer (reversals are handled apart). */
    public boolean isFinancial() {
        return financial;
    }

    /** How an approved transaction of a class counts in a terminal's batch totals (settlement, 0500). */
    public enum BatchSide {
        DEBIT,
        CREDIT,
        /** Not in the totals (balance inquiries, pre-authorizations, voids, network management, ...). */
        NONE
    }

    /** Sales and completions are debits, refunds credits (docs/transactions.md, "Settlement and batch upload"). */
    public BatchSide batchSide() {
        return switch (this) {
            case SALE, COMPLETION, COMPLETION_ADVICE -> BatchSide.DEBIT;
            case REFUND -> BatchSide.CREDIT;
            default -> BatchSide.NONE;
        };
    }

    /** Lower-case name used as a metrics tag and in logs. */
    public String tag() {
        return tag;
    }
}
