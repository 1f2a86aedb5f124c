package io.acqswitch.txn;

/**
 * A transaction's life cycle (docs/architecture.md, "Transaction states"; docs/lifecycle.md). {@link #canBecome} is the only source of truth for
 * legal transitions; the processor refuses (and counts) any other.
 * <pre>
 * RECEIVED ─▶ FORWARDED ─┬─▶ APPROVED ─────┬─▶ REVERSAL_PENDING ─▶ REVERSED
 *     └──────(void: decided by the switch)──▶ APPROVED
 *                        ├─▶ DECLINED      │         ▲
 *                        └─▶ TIMED_OUT ────┼─────────┘
 *                                          └─▶ (delivered flag set when the terminal write succeeded)
 * </pre>
 */
public enum TxnState {
    RECEIVED, FORWARDED, APPROVED, DECLINED, TIMED_OUT, REVERSAL_PENDING, REVERSED;

    private static final TxnState[] VALUES = values();

    /** Decoding from the store. */
    static TxnState of(int ordinal) {
        return VALUES[ordinal];
    }

    public boolean canBecome(TxnState next) {
        return switch (this) {
            case RECEIVED -> next == FORWARDED || next == DECLINED || next == APPROVED; // approved locally: voids
            case FORWARDED -> next == APPROVED || next == DECLINED || next == TIMED_OUT;
            case APPROVED, TIMED_OUT -> next == REVERSAL_PENDING;
            case REVERSAL_PENDING -> next == REVERSED;
            case DECLINED, REVERSED -> false;
        };
    }

    /** The issuer may hold a debit for the transaction that no reversal has yet cancelled. */
    public boolean mayHoldDebit() {
        return this == FORWARDED || this == APPROVED || this == TIMED_OUT || this == REVERSAL_PENDING;
    }
}
