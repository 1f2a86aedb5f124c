package io.acqswitch.txn;

import io.acqswitch.iso.MessageClass;
import org.jpos.iso.ISOMsg;

/**
 * One transaction as the processor and the store know it. Mutable, owned by the processor thread
 * only; the store keeps an encoded copy ({@link RecordCodec}). Holds no full PAN, track, PIN or ICC
 * data: the store and everything derived from it (journal, API) only ever see the masked PAN. The
 * one exception, {@link #request}, is a reference the record holds while it waits for its answer
 * and that is never encoded.
 */
public final class TxnRecord {
    /** Switch-assigned retrieval reference number (field 37 towards issuer and terminal); the record's key. */
    public String rrn;
    public TxnState state = TxnState.RECEIVED;
    public MessageClass messageClass = MessageClass.UNKNOWN;
    /** Terminal's MTI and processing code. */
    public String mti = "";
    public String processingCode = "";
    /** Duplicate-detection key (see {@link DedupeKeys}) and a hash of the content it must match. */
    public String dedupeKey = "";
    public long fingerprint;
    /** acquirer|merchant|terminal|STAN: how a terminal's reversal finds this original. */
    public String originalKey = "";
    public String terminalStan = "";
    public String terminalId = "";
    public String merchantId = "";
    public String acquirerId = "";
    public String maskedPan = "";
    /** Keyed hash of the PAN ({@link CardKey}): lets a void or refund prove it names the same card. */
    public long panHash;
    /** For a void or refund: the RRN of the transaction it acts on. */
    public String originalRrn = "";
    /** For a sale: the void that cancelled it, and refunds approved or in flight (minor units). */
    public String voidedBy = "";
    public long refundedAmount;
    /** For a pre-authorization: the completion that captured it (set while in flight, cleared if it fails). */
    public String completedBy = "";
    /** The terminal's batch (UnionPay field 60.2), or empty. */
    public String batch = "";
    /** Something operations must look at (e.g. a void reversed after its original's reversal was queued). */
    public String flag = "";
    public long amount;
    public String currency = "";
    /** Issuer index in configuration order and id; -1/"" when not routed. */
    public int issuer = -1;
    public String issuerId = "";
    /**
     * The issuer link the request went out on in this process ({@link io.acqswitch.net.Issuers#send}'s
     * result), so that its reversal advice follows it on the same connection; -1 when not sent by this
     * process. Never encoded: links belong to one process.
     */
    public int issuerLink = -1;
    /** Switch STAN (field 11) and field 7 of the request as forwarded to the issuer. */
    public String switchStan = "";
    public String issuerTransmissionTime = "";
    public String responseCode = "";
    public String authCode = "";
    /**
     * The terminal's request this record was made from, by reference (immutable, see
     * {@link io.acqswitch.iso.TerminalRequest}), or null: handed to the journal with each write
     * ({@link Records#persist}) until the answer has been, for the messages' masked text. Never
     * encoded, never in the store (it holds card data).
     */
    public ISOMsg request;
    /** The packed answer sent to the terminal (without length prefix), replayed for duplicates. */
    public byte[] response = new byte[0];
    /** The terminal's socket accepted the answer. */
    public boolean delivered;
    /** The terminal reversed this transaction before its answer came: reverse an approval at once. */
    public boolean reverseWhenAnswered;
    public long receivedAt;
    public long forwardedAt;
    public long deadline;
    public long completedAt;
    /** Store-and-forward of the reversal advice: why, attempts so far, next attempt, expiry. */
    public String reversalReason = "";
    public int safAttempts;
    public long safNextAt;
    public long safExpiresAt;
    public boolean safExpired;
    public long reversedAt;
    /** How many times the terminal re-sent this request (answered from this record), and the last time. */
    public int duplicates;
    public long lastDuplicateAt;
    /** When retention will look at this record: the expiry it was last queued with (0 = not queued). */
    public long retentionAt;

    /**
     * An approval of a financial request whose write to the terminal is tracked and not yet
     * confirmed (the processor reverses it if the write fails; the journal waits for the outcome).
     */
    public boolean awaitsDelivery() {
        return state == TxnState.APPROVED && messageClass.isFinancial() && !delivered;
    }

    /** Terminal-facing identity for logs: no card data. */
    @Override
    public String toString() {
        return "txn rrn=" + rrn + (originalRrn.isEmpty() ? "" : " original=" + originalRrn) + " state=" + state + " class=" + messageClass.tag() + " tid=" + terminalId
                + " stan=" + terminalStan + " pan=" + maskedPan + " amount=" + amount + " issuer=" + issuerId
                + " rc=" + responseCode;
    }
}
