package io.acqswitch.txn;

import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jpos.iso.ISOMsg;

/**
 * Where the processor puts transactions into reversal and hears of reversals delivered: the
 * store-and-forward queue ({@code io.acqswitch.saf.Saf}). An interface here so that {@code txn}
 * does not depend on {@code saf}, which is built on {@code txn}'s records. Processor thread only,
 * except {@link #publishedDepth()}.
 */
public interface Reversals {
    /** Builds the queue for one processor, from the processor's own parts. */
    @FunctionalInterface
    interface Factory {
        /**
         * @param transitions the processor's state machine
         * @param stans       the switch's STAN sequence (field 11 of each advice)
         * @param finished    told of each reversal the issuer acknowledged or operations resolved,
         *                    just before its record is written
         */
        Reversals open(Transitions transitions, Supplier<String> stans, Consumer<TxnRecord> finished);
    }

    /**
     * Moves an approved or timed-out transaction to REVERSAL_PENDING and persists it before
     * anyone is told the transaction failed.
     *
     * @return false if the state machine refused (counted and logged by {@link Transitions})
     */
    boolean queue(TxnRecord r, String reason);

    /** A REVERSAL_PENDING record found at start-up. */
    void resume(TxnRecord r);

    /**
     * Stops sending the reversals whose record {@code which} accepts, without changing them (a
     * partition this node gave up: its new owner resumes them from the records it restores).
     *
     * @return how many were dropped
     */
    int release(Predicate<TxnRecord> which);

    /** The record of a reversal being sent, or null. */
    TxnRecord pending(String rrn);

    int depth();

    /** {@link #depth()} as of the last change; any thread. */
    int publishedDepth();

    /** Sends what is due, expires what is past its expiry. */
    void tick();

    /** Operations: an expired reversal is sent again; false when it was not expired. */
    boolean requeue(TxnRecord r, String note);

    /** Operations: the reversal was settled by hand; stop sending it. */
    boolean resolve(TxnRecord r, String note);

    /** An 0430 (or 0410) from an issuer. */
    void acknowledged(ISOMsg answer);
}
