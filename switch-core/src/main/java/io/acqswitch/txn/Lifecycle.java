package io.acqswitch.txn;

import io.acqswitch.iso.MessageClass;
import io.acqswitch.iso.ResponseCode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * The lifecycle rules: for every operation that acts on an earlier transaction (void, refund,
 * completion, the terminal's reversal 0400) and every state of that original, whether it may
 * proceed, and if not, the answer. The table these functions implement is {@code docs/lifecycle.md};
 * change both together. Pure functions of the records and the time ({@code now}); the processor
 * does what they decide.
 *
 * <p>Two rules hold for every row of the table: the money an original can reach at the issuer never
 * exceeds what the terminal was told, and nothing ever leaves an original's debit reversed while a
 * credit against it stands. So an original with a refund standing (or in flight) can be neither
 * voided nor reversed, and a pre-authorization a completion captured cannot be voided or reversed.
 */
final class Lifecycle {
    private Lifecycle() {}

    /**
     * Approvals of these classes leave money standing at the issuer (a debit, a hold or a credit),
     * so the switch reverses them when the terminal did not (or may not) learn of the approval.
     */
    static boolean reversible(MessageClass cls) {
        return cls == MessageClass.SALE || cls == MessageClass.PRE_AUTH || isCompletion(cls) || cls == MessageClass.REFUND;
    }

    /** A completion sent online (0200) or as an advice after an offline completion (0220). */
    static boolean isCompletion(MessageClass cls) {
        return cls == MessageClass.COMPLETION || cls == MessageClass.COMPLETION_ADVICE;
    }

    /** What a terminal's reversal (0400) does to the original it names. */
    enum ReversalAct {
        /** Queue the original's reversal advice (of its debit, hold or credit) in the SAF; answer 00. */
        REVERSE,
        /** The original is still at the issuer: reverse it as soon as it is approved; answer 00. */
        REVERSE_WHEN_ANSWERED,
        /** A void reversed by its terminal: its original's reversal stands, operations are told; answer 00. */
        FLAG_VOID,
        /** Nothing to undo (declined, a balance inquiry, or reversed or being reversed already); answer 00. */
        NOTHING,
        /** Refused: the answer code says why, and nothing changes. */
        REFUSE
    }

    /** A decision on a 0400: what to do and what to answer. */
    record ReversalDecision(ReversalAct act, String responseCode) {
        private static final ReversalDecision REVERSE = new ReversalDecision(ReversalAct.REVERSE, ResponseCode.APPROVED);
        private static final ReversalDecision WHEN_ANSWERED =
                new ReversalDecision(ReversalAct.REVERSE_WHEN_ANSWERED, ResponseCode.APPROVED);
        private static final ReversalDecision FLAG_VOID = new ReversalDecision(ReversalAct.FLAG_VOID, ResponseCode.APPROVED);
        private static final ReversalDecision NOTHING = new ReversalDecision(ReversalAct.NOTHING, ResponseCode.APPROVED);

        static ReversalDecision refuse(String code) {
            return new ReversalDecision(ReversalAct.REFUSE, code);
        }
    }

    /**
     * What a 0400 says of its original; it must agree before it acts.
     *
     * @param panHash        keyed hash of the card it carries ({@link CardKey}; 0 when it carries none)
     * @param amount         field 4
     * @param currency       field 49, or empty (then not compared)
     * @param processingCode field 3
     * @param originalMti    the original MTI of field 90, or empty when it carries none
     */
    record ReversalClaim(long panHash, long amount, String currency, String processingCode, String originalMti) {}

    /** 13 for an amount of 0 on a class that moves money (only a balance inquiry may carry none); else null. */
    static String checkAmount(MessageClass cls, long amount) {
        return cls.isFinancial() && cls != MessageClass.BALANCE && amount <= 0 ? ResponseCode.INVALID_AMOUNT : null;
    }

    /**
     * A void must name (37) an original of this terminal and merchant, of the class it voids, with
     * the same auth code (38, when sent), from the same day (UTC), for the same card, amount and
     * currency; the original must be approved, not yet voided or reversed, have no refund standing
     * or in flight, not be captured by a completion, and its batch must not be settled.
     */
    static String checkVoid(String authCode, TxnRecord v, TxnRecord original, long now, boolean settled) {
        MessageClass voided = original == null ? null
                : original.messageClass == MessageClass.COMPLETION_ADVICE ? MessageClass.COMPLETION : original.messageClass;
        if (original == null || !original.terminalId.equals(v.terminalId) || !original.merchantId.equals(v.merchantId)
                || voided != voidedClass(v.messageClass)) {
            return ResponseCode.UNABLE_TO_LOCATE_ORIGINAL;
        }
        if (authCode != null && !authCode.trim().equals(original.authCode.trim())) {
            return ResponseCode.UNABLE_TO_LOCATE_ORIGINAL;
        }
        if (original.panHash != v.panHash) {
            return ResponseCode.INVALID_CARD;
        }
        if (original.amount != v.amount) {
            return ResponseCode.ORIGINAL_AMOUNT_INCORRECT;
        }
        if (!original.currency.equals(v.currency)) {
            return ResponseCode.INVALID_AMOUNT;
        }
        if (!sameDay(original.receivedAt, now)) {
            return ResponseCode.UNABLE_TO_LOCATE_ORIGINAL;
        }
        if (!original.voidedBy.isEmpty() || original.state == TxnState.REVERSAL_PENDING
                || original.state == TxnState.REVERSED) {
            return ResponseCode.SUSPECTED_MALFUNCTION;
        }
        if (original.state != TxnState.APPROVED) {
            return ResponseCode.INVALID_TRANSACTION;
        }
        if (original.refundedAmount > 0 || !original.completedBy.isEmpty()) {
            return ResponseCode.SUSPECTED_MALFUNCTION; // a credit stands against it, or a completion captured it
        }
        if (settled) {
            return ResponseCode.UNABLE_TO_LOCATE_ORIGINAL; // its batch is settled: too late to void, refund instead
        }
        return null;
    }

    /**
     * A refund must name (37) an approved, unreversed sale or completion of the same merchant, card
     * and currency, within the refund window, for at most what is left after earlier refunds
     * (approved, in flight, or timed out and not yet reversed at the issuer).
     */
    static String checkRefund(TxnRecord refund, TxnRecord original, long now, Duration window) {
        if (original == null || !original.merchantId.equals(refund.merchantId)
                || (original.messageClass != MessageClass.SALE && original.messageClass != MessageClass.COMPLETION
                        && original.messageClass != MessageClass.COMPLETION_ADVICE)) {
            return ResponseCode.UNABLE_TO_LOCATE_ORIGINAL;
        }
        if (original.panHash != refund.panHash) {
            return ResponseCode.INVALID_CARD;
        }
        if (!original.currency.equals(refund.currency)) {
            return ResponseCode.INVALID_AMOUNT;
        }
        if (original.state != TxnState.APPROVED) {
            return ResponseCode.INVALID_TRANSACTION;
        }
        if (now - original.receivedAt > window.toMillis()) {
            return ResponseCode.SUSPECTED_MALFUNCTION;
        }
        if (refund.amount > original.amount - original.refundedAmount) {
            return ResponseCode.EXCEEDS_LIMIT;
        }
        return null;
    }

    /**
     * A completion must name (37) an approved pre-authorization of the same merchant, card and
     * currency, not yet completed or voided, still valid, for at most the authorized amount plus
     * the tolerance.
     */
    static String checkCompletion(TxnRecord completion, TxnRecord preAuth, long now, double tolerance,
                                  Duration validity) {
        if (preAuth == null || preAuth.messageClass != MessageClass.PRE_AUTH
                || !preAuth.merchantId.equals(completion.merchantId) || now - preAuth.receivedAt > validity.toMillis()) {
            return ResponseCode.UNABLE_TO_LOCATE_ORIGINAL;
        }
        if (preAuth.panHash != completion.panHash) {
            return ResponseCode.INVALID_CARD;
        }
        if (!preAuth.currency.equals(completion.currency)) {
            return ResponseCode.INVALID_AMOUNT;
        }
        if (!preAuth.completedBy.isEmpty() || !preAuth.voidedBy.isEmpty() || preAuth.state == TxnState.REVERSAL_PENDING
                || preAuth.state == TxnState.REVERSED) {
            return ResponseCode.SUSPECTED_MALFUNCTION;
        }
        if (preAuth.state != TxnState.APPROVED) {
            return ResponseCode.INVALID_TRANSACTION;
        }
        if (completion.amount > Math.round(preAuth.amount * (1 + tolerance))) {
            return ResponseCode.INVALID_AMOUNT;
        }
        return null;
    }

    /**
     * A terminal's reversal of a known original: refused unless it agrees with the original
     * ({@link #disagreement}); then decided by the original's state and class.
     */
    static ReversalDecision checkReversal(ReversalClaim claim, TxnRecord original) {
        String disagreement = disagreement(claim, original);
        if (disagreement != null) {
            return ReversalDecision.refuse(disagreement);
        }
        return switch (original.state) {
            case FORWARDED -> ReversalDecision.WHEN_ANSWERED;
            case RECEIVED, DECLINED, TIMED_OUT, REVERSAL_PENDING, REVERSED -> ReversalDecision.NOTHING;
            case APPROVED -> switch (original.messageClass) {
                case SALE, COMPLETION, COMPLETION_ADVICE -> original.refundedAmount > 0
                        ? ReversalDecision.refuse(ResponseCode.SUSPECTED_MALFUNCTION) : ReversalDecision.REVERSE;
                case PRE_AUTH -> !original.completedBy.isEmpty()
                        ? ReversalDecision.refuse(ResponseCode.SUSPECTED_MALFUNCTION) : ReversalDecision.REVERSE;
                case REFUND -> ReversalDecision.REVERSE;
                case VOID, PRE_AUTH_VOID, COMPLETION_VOID -> ReversalDecision.FLAG_VOID;
                default -> ReversalDecision.NOTHING; // a balance inquiry holds nothing
            };
        };
    }

    /**
     * Why a 0400 does not describe {@code original}, or null when it does: the original must be a
     * financial transaction, and the 0400 must carry its card (else 14), amount (else 64), currency
     * when it carries one (else 13), the first two digits of its processing code and, when it
     * carries field 90, its MTI (else 12). Also how a reversal that came first is matched to the
     * original that follows it.
     */
    static String disagreement(ReversalClaim claim, TxnRecord original) {
        if (!original.messageClass.isFinancial()) {
            return ResponseCode.INVALID_TRANSACTION;
        }
        if (claim.panHash() != original.panHash) {
            return ResponseCode.INVALID_CARD;
        }
        if (claim.amount() != original.amount) {
            return ResponseCode.ORIGINAL_AMOUNT_INCORRECT;
        }
        if (!claim.currency().isEmpty() && !claim.currency().equals(original.currency)) {
            return ResponseCode.INVALID_AMOUNT;
        }
        if (!transactionType(claim.processingCode()).equals(transactionType(original.processingCode))) {
            return ResponseCode.INVALID_TRANSACTION;
        }
        if (!claim.originalMti().isEmpty() && !claim.originalMti().equals(original.mti)) {
            return ResponseCode.INVALID_TRANSACTION;
        }
        return null;
    }

    private static String transactionType(String processingCode) {
        return processingCode.length() >= 2 ? processingCode.substring(0, 2) : processingCode;
    }

    private static MessageClass voidedClass(MessageClass voidClass) {
        return switch (voidClass) {
            case VOID -> MessageClass.SALE;
            case PRE_AUTH_VOID -> MessageClass.PRE_AUTH;
            case COMPLETION_VOID -> MessageClass.COMPLETION;
            default -> MessageClass.UNKNOWN;
        };
    }

    private static boolean sameDay(long a, long b) {
        return Instant.ofEpochMilli(a).atZone(ZoneOffset.UTC).toLocalDate()
                .equals(Instant.ofEpochMilli(b).atZone(ZoneOffset.UTC).toLocalDate());
    }
}
