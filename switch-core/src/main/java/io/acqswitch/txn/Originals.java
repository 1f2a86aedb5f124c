package io.acqswitch.txn;

import io.acqswitch.iso.MessageClass;
import io.acqswitch.iso.ResponseCode;
import io.acqswitch.iso.TerminalRequest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * The rules for transactions that act on an earlier one (DOMAIN.md, "Void, reversal, refund"),
 * as pure checks: each returns {@code null} when the request may proceed, else the response code.
 */
final class Originals {
    private Originals() {}

    /**
     * A void must name (37) an original of this terminal and merchant, of the class it voids,
     * approved and not yet voided or reversed, with the same auth code (38, when sent), the same
     * card, the same amount, and from the same day (UTC).
     */
    static String checkVoid(TerminalRequest req, TxnRecord v, TxnRecord original, long now) {
        MessageClass voided = original == null ? null
                : original.messageClass == MessageClass.COMPLETION_ADVICE ? MessageClass.COMPLETION : original.messageClass;
        if (original == null || !original.terminalId.equals(v.terminalId) || !original.merchantId.equals(v.merchantId)
                || voided != voidedClass(v.messageClass)) {
            return ResponseCode.UNABLE_TO_LOCATE_ORIGINAL;
        }
        String auth = req.message().getString(38);
        if (auth != null && !auth.trim().equals(original.authCode.trim())) {
            return ResponseCode.UNABLE_TO_LOCATE_ORIGINAL;
        }
        if (original.panHash != v.panHash) {
            return ResponseCode.INVALID_CARD;
        }
        if (original.amount != v.amount) {
            return ResponseCode.ORIGINAL_AMOUNT_INCORRECT;
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
        return null;
    }

    /**
     * A refund must name (37) an approved, unreversed sale or completion of the same merchant and
     * card, within the refund window, for at most what is left after earlier refunds.
     */
    static String checkRefund(TerminalRequest req, TxnRecord refund, TxnRecord original, long now, Duration window) {
        if (original == null || !original.merchantId.equals(refund.merchantId)
                || (original.messageClass != MessageClass.SALE && original.messageClass != MessageClass.COMPLETION)) {
            return ResponseCode.UNABLE_TO_LOCATE_ORIGINAL;
        }
        if (original.panHash != refund.panHash) {
            return ResponseCode.INVALID_CARD;
        }
        if (original.state != TxnState.APPROVED) {
            return ResponseCode.INVALID_TRANSACTION;
        }
        if (now - original.receivedAt > window.toMillis()) {
            return ResponseCode.SUSPECTED_MALFUNCTION;
        }
        if (refund.amount <= 0 || refund.amount > original.amount - original.refundedAmount) {
            return ResponseCode.EXCEEDS_LIMIT;
        }
        return null;
    }

    /**
     * A completion must name (37) an approved pre-authorization of the same merchant and card, not
     * yet completed or voided, still valid, for at most the authorized amount plus the tolerance.
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
        if (!preAuth.completedBy.isEmpty() || !preAuth.voidedBy.isEmpty() || preAuth.state == TxnState.REVERSAL_PENDING
                || preAuth.state == TxnState.REVERSED) {
            return ResponseCode.SUSPECTED_MALFUNCTION;
        }
        if (preAuth.state != TxnState.APPROVED) {
            return ResponseCode.INVALID_TRANSACTION;
        }
        if (completion.amount <= 0 || completion.amount > Math.round(preAuth.amount * (1 + tolerance))) {
            return ResponseCode.INVALID_AMOUNT;
        }
        return null;
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
