package io.acqswitch.txn;

import java.util.List;

/**
 * Why a transaction was put into reversal: the text the record, the journal ({@code reversal_reason})
 * and the logs carry; metrics use the words before any colon, spaces as underscores.
 */
public final class ReversalReasons {
    /** The issuer did not answer within its deadline; the terminal was told it failed. */
    public static final String ISSUER_TIMEOUT = "issuer timeout";
    /** An approval could not be written to the terminal (its connection was gone). */
    public static final String UNDELIVERABLE = "approval undeliverable";
    /** At restart: forwarded before the crash and never answered. */
    public static final String RECOVERY_FORWARDED = "recovery: forwarded without answer";
    /** At restart: approved before the crash, but the terminal's socket never confirmed the answer. */
    public static final String RECOVERY_UNCONFIRMED = "recovery: approval delivery unconfirmed";
    /** The terminal sent a reversal (0400) for it. */
    public static final String TERMINAL_REVERSAL = "terminal reversal";
    /** The terminal's reversal came while the request was still at the issuer. */
    public static final String TERMINAL_REVERSED_EARLY = "terminal reversed before the answer";
    /** The terminal voided it. */
    public static final String VOID = "void";

    /** The reasons of approvals the terminal did not (or may not) have learnt: "undeliverable approvals". */
    public static final List<String> UNDELIVERED_APPROVAL = List.of(UNDELIVERABLE, RECOVERY_UNCONFIRMED);

    private ReversalReasons() {}
}
