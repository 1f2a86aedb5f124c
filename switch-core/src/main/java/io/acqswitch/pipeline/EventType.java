package io.acqswitch.pipeline;

/** What a {@link SwitchEvent} carries. */
public enum EventType {
    /** A classified, validated request from a terminal connection. */
    TERMINAL_REQUEST,
    /** An answer from an issuer link. */
    ISSUER_RESPONSE,
    /**
     * Write outcomes of approvals ({@link SwitchEvent#deliveries}, from the {@link Outbox}): each
     * was delivered (the terminal's socket took it) or not (its connection is gone).
     */
    DELIVERIES,
    /** Time passed: deadlines and store-and-forward retries are due. */
    TICK,
    /**
     * Work another thread needs done on the processor's thread ({@link SwitchEvent#task}): a
     * cluster's partition taken over or given up (docs/cluster.md). Rare; never on the hot path.
     */
    TASK,
    /** Operations: send an expired reversal again (rrn, note = who: why). */
    SAF_REQUEUE,
    /** Operations: a pending or expired reversal was settled by hand (rrn, note = who: why). */
    SAF_RESOLVE
}
